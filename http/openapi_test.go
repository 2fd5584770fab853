package http

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The OpenAPI document is loaded and validated as OpenAPI 3 by kin-openapi,
// then checked against the operation table: the same (method, path,
// operationId) in both directions for the implemented operations (the
// unimplemented ones are not part of the served API), the security that the
// operation's auth mode implies, every path parameter declared, every
// reusable component used.

// loadOpenAPI loads and validates an OpenAPI 3 document.
func loadOpenAPI(t *testing.T, src []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(src)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	return doc
}

// documentedOperations returns the operations of the document by
// "METHOD /path".
func documentedOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPIMatchesOperations: every implemented operation of the table is
// documented with its name as operationId, and every documented operation
// is an implemented one.
func TestOpenAPIMatchesOperations(t *testing.T) {
	ops := documentedOperations(loadOpenAPI(t, openAPIDocument))
	served := 0
	for _, op := range operations {
		key := op.Method + " " + op.Path
		documented := ops[key]
		delete(ops, key)
		switch {
		case op.Handle == nil && documented != nil:
			t.Errorf("openapi.yaml documents %s (%s), which Casebook does not implement", key, op.Name)
		case op.Handle == nil:
		case documented == nil:
			t.Errorf("openapi.yaml lacks %s (%s)", key, op.Name)
		case documented.OperationID != op.Name:
			t.Errorf("%s: operationId %q, want the operation's name %q", key, documented.OperationID, op.Name)
		}
		if op.Handle != nil {
			served++
		}
	}
	var extra []string
	for key := range ops {
		extra = append(extra, key)
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("operations in openapi.yaml that the operation table does not have:\n  %s", strings.Join(extra, "\n  "))
	}
	if served < 44 {
		t.Errorf("only %d operations are served: the table lost some", served)
	}
}

var pathParam = regexp.MustCompile(`\{([^}]*)\}`)

// TestOpenAPIOperations checks each documented operation against its entry
// in the operation table: security, path parameters, responses.
func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t, openAPIDocument)
	wantSecurity := map[authMode][]string{
		authCustomer: {"AKSK", "XAuthToken"},
		authEngineer: {"EngineerToken"},
	}
	for _, op := range operations {
		key := op.Method + " " + op.Path
		item := doc.Paths.Value(op.Path)
		if item == nil || item.GetOperation(op.Method) == nil {
			continue // an unimplemented operation, or reported by TestOpenAPIMatchesOperations
		}
		documented := item.GetOperation(op.Method)

		// Security: the operation's, else the document's default.
		sec := documented.Security
		if op.Auth == authNone && sec == nil {
			t.Errorf("%s: an operation without authentication must say so (security: [] or its own schemes)", key)
		}
		if sec == nil {
			sec = &doc.Security
		}
		var names []string
		for _, req := range *sec {
			for name := range req {
				if doc.Components.SecuritySchemes[name] == nil {
					t.Errorf("%s: unknown security scheme %q", key, name)
				}
				names = append(names, name)
			}
		}
		sort.Strings(names)
		if want, ok := wantSecurity[op.Auth]; ok && !reflect.DeepEqual(names, want) {
			t.Errorf("%s: security %v, want %v", key, names, want)
		}

		// Path parameters: exactly those of the pattern, required.
		declared := map[string]bool{}
		for _, p := range append(slices.Clone(item.Parameters), documented.Parameters...) {
			if p.Value.In == openapi3.ParameterInPath {
				declared[p.Value.Name] = true
				if !p.Value.Required {
					t.Errorf("%s: path parameter %s is not required", key, p.Value.Name)
				}
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			if strings.ContainsAny(m[1], ".$") {
				t.Errorf("%s: pattern wildcard {%s} has no OpenAPI form", key, m[1])
			}
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %s is not declared", key, m[1])
			}
			delete(declared, m[1])
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %s that the path does not have", key, name)
		}

		// Request body: multipart exactly for the multipart operations,
		// JSON otherwise (what the server accepts, see checkJSONContentType).
		if body := documented.RequestBody; body != nil {
			want := "application/json"
			if multipartOperations[op.Name] {
				want = "multipart/form-data"
			}
			var types []string
			for mediaType := range body.Value.Content {
				types = append(types, mediaType)
			}
			if len(types) != 1 || types[0] != want {
				t.Errorf("%s: request body %v, want %s", key, types, want)
			}
		} else if multipartOperations[op.Name] {
			t.Errorf("%s: a multipart operation without a request body", key)
		}

		// Responses: a success, and the authentication failures where
		// there is authentication.
		responses := documented.Responses.Map()
		success := false
		for code := range responses {
			if strings.HasPrefix(code, "2") {
				success = true
			}
		}
		if !success {
			t.Errorf("%s: no 2xx response", key)
		}
		if op.Auth != authNone && (responses["401"] == nil || responses["403"] == nil) {
			t.Errorf("%s: 401 and 403 responses are not documented", key)
		}
	}
}

// TestOpenAPIComponentsUsed: every reusable component is referred to
// somewhere (the loader has already proved that every $ref resolves).
func TestOpenAPIComponentsUsed(t *testing.T) {
	doc := loadOpenAPI(t, openAPIDocument)
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$ref: ["']?(#/components/[^"'\s]+)`).FindAllStringSubmatch(string(openAPIDocument), -1) {
		used[m[1]] = true
	}
	groups := map[string][]string{}
	for name := range doc.Components.Schemas {
		groups["schemas"] = append(groups["schemas"], name)
	}
	for name := range doc.Components.Parameters {
		groups["parameters"] = append(groups["parameters"], name)
	}
	for name := range doc.Components.Responses {
		groups["responses"] = append(groups["responses"], name)
	}
	for name := range doc.Components.Headers {
		groups["headers"] = append(groups["headers"], name)
	}
	if len(groups["schemas"]) == 0 || len(used) == 0 {
		t.Fatalf("no components (%d) or no references (%d) found", len(groups["schemas"]), len(used))
	}
	for kind, names := range groups {
		for _, name := range names {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// TestOpenAPIServed: the document is public at GET /openapi.yaml, and what
// is served is valid OpenAPI 3.
func TestOpenAPIServed(t *testing.T) {
	env := newTestEnv(t)
	res := env.Do("GET", "/openapi.yaml", nil).Expect(200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type = %q", ct)
	}
	if string(res.Body) != string(openAPIDocument) || len(res.Body) < 10000 {
		t.Errorf("served %d bytes, want the %d of openapi.yaml", len(res.Body), len(openAPIDocument))
	}
	doc := loadOpenAPI(t, res.Body)
	if n := len(documentedOperations(doc)); n < 44 {
		t.Errorf("the served document has %d operations", n)
	}
}

// TestOpenAPIValidationCatches: the validation the tests above rely on
// refuses broken documents (a guard against a loader that accepts anything).
func TestOpenAPIValidationCatches(t *testing.T) {
	for name, src := range map[string]string{
		"dangling $ref":             "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n",
		"undeclared path parameter": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200': {description: ok}\n",
		"duplicate operationId":     "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: X\n      responses:\n        '200': {description: ok}\n  /b:\n    get:\n      operationId: X\n      responses:\n        '200': {description: ok}\n",
		"no info":                   "openapi: 3.0.3\npaths: {}\n",
	} {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData([]byte(src))
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
