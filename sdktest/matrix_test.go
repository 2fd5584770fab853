package sdktest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The route table entries of the server: {"GET", "/path", "OperationName", ...}.
var routeEntry = regexp.MustCompile(`\{"(GET|POST|PUT|DELETE|HEAD)", "([^"]+)", "(\w+)"`)

// A row of the operations matrix: | Op | METHOD `path` | yes/no | tests |.
var matrixRow = regexp.MustCompile("^\\| (\\w+) \\| (GET|POST|PUT|DELETE) `([^`]+)` \\| (yes|no) \\| (.*) \\|$")

var testFunc = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)

// TestCompatibilityMatrixMatchesRoutes keeps docs/sdk-compatibility.md
// honest: every one of the SDK's 82 operations is listed once; "yes"
// exactly when the server's route table (http/*.go) has the operation; and
// every implemented operation names tests of this module that exist.
func TestCompatibilityMatrixMatchesRoutes(t *testing.T) {
	routes := map[string]string{} // operation -> "METHOD path"
	files, err := filepath.Glob(filepath.Join("..", "http", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no http/*.go in the parent module (%v)", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range routeEntry.FindAllStringSubmatch(string(b), -1) {
			routes[m[3]] = m[1] + " " + m[2]
		}
	}

	tests := map[string]bool{}
	own, _ := filepath.Glob("*_test.go")
	for _, f := range own {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
			tests[m[1]] = true
		}
	}

	doc, err := os.ReadFile(filepath.Join("..", "docs", "sdk-compatibility.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	implemented := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := matrixRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		op, method, path, yes, cover := m[1], m[2], m[3], m[4] == "yes", m[5]
		if listed[op] {
			t.Errorf("%s is listed twice", op)
		}
		listed[op] = true
		route, hasRoute := routes[op]
		switch {
		case yes && !hasRoute:
			t.Errorf("%s is marked implemented, but http/*.go has no route for it", op)
		case !yes && hasRoute:
			t.Errorf("%s is marked not implemented, but http/*.go routes %s", op, route)
		case yes && route != method+" "+path:
			t.Errorf("%s: the matrix says %s %s, the server routes %s", op, method, path, route)
		}
		if !yes {
			continue
		}
		implemented++
		names := regexp.MustCompile(`Test\w+`).FindAllString(cover, -1)
		if len(names) == 0 {
			t.Errorf("%s is implemented but names no SDK test", op)
		}
		for _, name := range names {
			if !tests[name] {
				t.Errorf("%s names %s, which is not a test of this module", op, name)
			}
		}
	}
	if len(listed) != 82 {
		t.Errorf("the matrix lists %d operations; the SDK has 82", len(listed))
	}
	for op, route := range routes {
		if isOSMRoute(route) && !listed[op] {
			t.Errorf("the server routes %s (%s), which the matrix does not list", op, route)
		}
	}
	t.Logf("%d of %d operations implemented", implemented, len(listed))
}

func isOSMRoute(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	for _, prefix := range []string{"/v2/servicerequest/", "/v2.0/servicerequest/", "/osm/"} {
		if strings.HasPrefix(path, prefix) || path+"/" == prefix {
			return true
		}
	}
	return false
}
