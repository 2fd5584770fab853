// Command casebook-bench is Casebook's load benchmark (package
// internal/bench), also run as `casebook bench`:
//
//	casebook-bench seed    load a synthetic dataset straight into a store
//	casebook-bench run     drive the five seed endpoints of a running server
//	casebook-bench soak    send a bounded mix of requests and watch the
//	                       server's 5xx answers and resident memory
//
// See bench/README.md and docs/benchmarks.md. Every command takes -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/casebook/casebook/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := &bench.Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := m.Run(ctx, os.Args[1:])
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case bench.IsUsageError(err):
		os.Exit(2) // Run has named the problem on stderr
	default:
		fmt.Fprintln(os.Stderr, "casebook-bench:", err)
		os.Exit(1)
	}
}
