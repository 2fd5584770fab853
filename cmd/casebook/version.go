package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	casebookhttp "github.com/casebook/casebook/http"
)

// Version overrides the version read from the build info, for release
// builds: go build -ldflags "-X main.Version=v1.2.0" ./cmd/casebook.
var Version = ""

// buildInfo returns the version, commit and Go release of this binary,
// from runtime/debug build info: "go install ...@v1.2.0" records the
// module version, a build inside a git checkout records the revision.
func buildInfo() casebookhttp.BuildInfo {
	b := casebookhttp.BuildInfo{Version: Version, Commit: "unknown", GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if b.Version == "" {
		b.Version = "(devel)"
		if ok && info.Main.Version != "" {
			b.Version = info.Main.Version
		}
	}
	if !ok {
		return b
	}
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.Commit != "unknown" {
		b.Commit += "-dirty"
	}
	return b
}

// VersionCommand prints the build: `casebook version` or `casebook --version`.
type VersionCommand struct {
	Main *Main
}

// Run prints version, commit and Go version, one per line.
func (c *VersionCommand) Run(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("version", "[--json]", "Prints the version, the commit and the Go release of this binary.", bareFlags)
	fs.jsonFlag()
	if err := fs.parse(args); err != nil {
		return err
	}
	b := buildInfo()
	return c.Main.print(fs.JSON, b, func(w io.Writer) {
		fmt.Fprintf(w, "version\t%s\ncommit\t%s\ngo\t%s\n", b.Version, b.Commit, b.GoVersion)
	})
}
