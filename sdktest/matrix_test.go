package sdktest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// A row of the operations matrix: | Op | METHOD `path` | yes or no: why | tests |.
var matrixRow = regexp.MustCompile("^\\| (\\w+) \\| (GET|POST|PUT|DELETE) `([^`]+)` \\| (yes|no: [^|]+) \\| (.*) \\|$")

var testFunc = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)

// TestCompatibilityMatrix keeps docs/sdk-compatibility.md honest against
// the running server. The rows themselves are checked against the
// server's operation table by TestSDKCompatibilityDoc in http/; here, every
// one of the SDK's 82 operations is listed once; each row's request, sent
// to the running casebook serve, answers as the row says (a "no" row 501
// APIGW.0101 naming the operation, a "yes" row asks for credentials, so it
// is served); every "yes" row names tests of this module that exist; and
// the rows citing TestOperationsOutsideTheSubset are exactly the
// operations that test calls.
func TestCompatibilityMatrix(t *testing.T) {
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
	var citesOutside []string
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
		if strings.Contains(cover, "TestOperationsOutsideTheSubset") {
			citesOutside = append(citesOutside, op)
		}

		url := world.BaseURL + regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "X1234")
		status, _, body, err := rawJSON(method, url, nil, nil)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		var e struct {
			ErrorCode string `json:"error_code"`
			ErrorMsg  string `json:"error_msg"`
		}
		_ = json.Unmarshal(body, &e)
		switch {
		case !yes && (status != 501 || e.ErrorCode != "APIGW.0101" || !strings.Contains(e.ErrorMsg, " "+op+";")):
			t.Errorf("%s is marked not implemented, but %s %s answers %d %s", op, method, path, status, body)
		case yes && (status != 401 || e.ErrorCode != "APIGW.0301"):
			t.Errorf("%s is marked implemented, but %s %s without credentials answers %d %s, not 401", op, method, path, status, body)
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
	var called []string
	for op := range outsideTheSubset(nil, "") {
		called = append(called, op)
	}
	sort.Strings(called)
	sort.Strings(citesOutside)
	if strings.Join(called, " ") != strings.Join(citesOutside, " ") {
		t.Errorf("rows citing TestOperationsOutsideTheSubset: %v; the operations it calls: %v", citesOutside, called)
	}
	t.Logf("%d of %d operations implemented", implemented, len(listed))
}
