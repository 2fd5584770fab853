package http

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The OpenAPI document is checked against the route table: the same
// (method, path) pairs in both directions, the same operation ids, the
// security that the route's auth mode implies, every path parameter
// declared, every $ref resolvable. The document is parsed by the small
// YAML-subset parser below (no new dependencies); the parser refuses
// anything outside its subset, so it never silently misreads the file.

// yamlNode is a parsed YAML node: a scalar (kept as its string), a mapping
// (keys in document order) or a sequence.
type yamlNode struct {
	Kind  yamlKind
	Value string
	Keys  []string
	Map   map[string]*yamlNode
	Items []*yamlNode
	Line  int
}

type yamlKind int

const (
	yamlScalar yamlKind = iota
	yamlMapping
	yamlSequence
)

// get follows a path of mapping keys; nil when any step is missing.
func (n *yamlNode) get(keys ...string) *yamlNode {
	for _, k := range keys {
		if n == nil || n.Kind != yamlMapping {
			return nil
		}
		n = n.Map[k]
	}
	return n
}

// str returns a scalar's value, "" for anything else.
func (n *yamlNode) str() string {
	if n == nil || n.Kind != yamlScalar {
		return ""
	}
	return n.Value
}

// items returns a sequence's items, nil for anything else.
func (n *yamlNode) items() []*yamlNode {
	if n == nil || n.Kind != yamlSequence {
		return nil
	}
	return n.Items
}

// plain converts the node to map[string]any / []any / string, for
// comparisons in tests.
func (n *yamlNode) plain() any {
	switch n.Kind {
	case yamlMapping:
		m := make(map[string]any, len(n.Keys))
		for _, k := range n.Keys {
			m[k] = n.Map[k].plain()
		}
		return m
	case yamlSequence:
		s := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			s = append(s, it.plain())
		}
		return s
	}
	return n.Value
}

type yamlLine struct {
	num    int // 1-based line number
	indent int
	text   string // without the indentation
}

type yamlParser struct {
	lines []yamlLine
	pos   int
}

// parseYAML parses the subset of YAML that openapi.yaml is written in:
// block mappings and sequences indented with spaces (a sequence more
// indented than its key), one-line plain, single- or double-quoted
// scalars, "|" literal block scalars, flow sequences of scalars, the empty
// flow mapping {}, and comments on their own lines.
func parseYAML(src string) (*yamlNode, error) {
	p := &yamlParser{}
	for i, raw := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		raw = strings.TrimRight(raw, " \r")
		text := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(text, "\t") {
			return nil, fmt.Errorf("line %d: tab in indentation", i+1)
		}
		p.lines = append(p.lines, yamlLine{num: i + 1, indent: len(raw) - len(text), text: text})
	}
	root, err := p.parseBlock(-1)
	if err != nil {
		return nil, err
	}
	if i := p.peek(); i >= 0 {
		return nil, fmt.Errorf("line %d: unexpected content", p.lines[i].num)
	}
	if root == nil {
		return nil, fmt.Errorf("empty document")
	}
	return root, nil
}

// peek returns the index of the next line that holds content, or -1.
func (p *yamlParser) peek() int {
	for i := p.pos; i < len(p.lines); i++ {
		if t := p.lines[i].text; t != "" && !strings.HasPrefix(t, "#") {
			return i
		}
	}
	return -1
}

func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// parseBlock parses the block that starts at the next content line if it
// is indented more than parent; nil when there is none.
func (p *yamlParser) parseBlock(parent int) (*yamlNode, error) {
	i := p.peek()
	if i < 0 || p.lines[i].indent <= parent {
		return nil, nil
	}
	if isSeqItem(p.lines[i].text) {
		return p.parseSequence(p.lines[i].indent)
	}
	return p.parseMapping(p.lines[i].indent)
}

func (p *yamlParser) parseMapping(indent int) (*yamlNode, error) {
	n := &yamlNode{Kind: yamlMapping, Map: map[string]*yamlNode{}}
	for {
		i := p.peek()
		if i < 0 || p.lines[i].indent < indent {
			return n, nil
		}
		l := p.lines[i]
		if n.Line == 0 {
			n.Line = l.num
		}
		if l.indent > indent {
			return nil, fmt.Errorf("line %d: unexpected indentation", l.num)
		}
		if isSeqItem(l.text) {
			return nil, fmt.Errorf("line %d: a sequence item where a key was expected (indent sequences under their key)", l.num)
		}
		key, rest, ok, err := splitKey(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.num, err)
		} else if !ok {
			return nil, fmt.Errorf("line %d: expected \"key: value\"", l.num)
		}
		if _, dup := n.Map[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", l.num, key)
		}
		p.pos = i + 1
		v, err := p.parseValue(rest, indent, l.num)
		if err != nil {
			return nil, err
		}
		n.Keys = append(n.Keys, key)
		n.Map[key] = v
	}
}

func (p *yamlParser) parseSequence(indent int) (*yamlNode, error) {
	n := &yamlNode{Kind: yamlSequence}
	for {
		i := p.peek()
		if i < 0 || p.lines[i].indent < indent {
			return n, nil
		}
		l := p.lines[i]
		if n.Line == 0 {
			n.Line = l.num
		}
		if l.indent > indent {
			return nil, fmt.Errorf("line %d: unexpected indentation", l.num)
		}
		if !isSeqItem(l.text) {
			return nil, fmt.Errorf("line %d: expected a sequence item", l.num)
		}
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		var item *yamlNode
		var err error
		if _, _, isMap, kerr := splitKey(rest); rest != "" && isMap && kerr == nil {
			// "- key: value": a mapping whose keys line up with this key.
			p.lines[i].indent += len(l.text) - len(rest)
			p.lines[i].text = rest
			item, err = p.parseMapping(p.lines[i].indent)
		} else {
			p.pos = i + 1
			item, err = p.parseValue(rest, indent, l.num)
		}
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, item)
	}
}

// parseValue parses what follows "key:" or "- ": nothing (a nested block,
// or null), a "|" block scalar, or a one-line value.
func (p *yamlParser) parseValue(rest string, indent, line int) (*yamlNode, error) {
	switch rest {
	case "":
		child, err := p.parseBlock(indent)
		if err != nil || child != nil {
			return child, err
		}
		return &yamlNode{Kind: yamlScalar, Line: line}, nil
	case "|":
		return p.parseLiteral(indent, line)
	}
	return parseInline(rest, line)
}

// parseLiteral reads a "|" block scalar: the lines indented more than the
// key, with the first line's indentation removed, and one final newline.
func (p *yamlParser) parseLiteral(indent, line int) (*yamlNode, error) {
	var out []string
	block := -1
	for ; p.pos < len(p.lines); p.pos++ {
		l := p.lines[p.pos]
		if l.text == "" {
			out = append(out, "")
			continue
		}
		if l.indent <= indent {
			break
		}
		if block < 0 {
			block = l.indent
		} else if l.indent < block {
			return nil, fmt.Errorf("line %d: block scalar line indented less than its first line", l.num)
		}
		out = append(out, strings.Repeat(" ", l.indent-block)+l.text)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return &yamlNode{Kind: yamlScalar, Line: line}, nil
	}
	return &yamlNode{Kind: yamlScalar, Value: strings.Join(out, "\n") + "\n", Line: line}, nil
}

// splitKey splits "key: rest" or "key:"; ok is false when text is not a
// mapping entry.
func splitKey(text string) (key, rest string, ok bool, err error) {
	if text != "" && (text[0] == '\'' || text[0] == '"') {
		end, err := quotedEnd(text)
		if err != nil {
			return "", "", false, err
		}
		after := text[end:]
		if after != ":" && !strings.HasPrefix(after, ": ") {
			return "", "", false, nil
		}
		key, err := unquote(text[:end])
		return key, strings.TrimLeft(strings.TrimPrefix(after, ":"), " "), true, err
	}
	i := strings.Index(text, ": ")
	switch {
	case i >= 0:
		key, rest = text[:i], strings.TrimLeft(text[i+2:], " ")
	case strings.HasSuffix(text, ":"):
		key = strings.TrimSuffix(text, ":")
	default:
		return "", "", false, nil
	}
	if key == "" || strings.ContainsAny(key[:1], "[]{},#&*!|>%@`?") {
		return "", "", false, fmt.Errorf("unsupported key %q", key)
	}
	return key, rest, true, nil
}

// quotedEnd returns the index just past the closing quote of the quoted
// scalar that text starts with.
func quotedEnd(text string) (int, error) {
	q := text[0]
	for i := 1; i < len(text); i++ {
		switch {
		case q == '"' && text[i] == '\\':
			i++
		case text[i] == q && q == '\'' && i+1 < len(text) && text[i+1] == '\'':
			i++
		case text[i] == q:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated quoted scalar %s", text)
}

func unquote(s string) (string, error) {
	if s[0] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		return "", fmt.Errorf("double-quoted scalar %s: %w", s, err)
	}
	return v, nil
}

// parseInline parses a one-line value: a quoted or plain scalar, a flow
// sequence of scalars, or {}.
func parseInline(s string, line int) (*yamlNode, error) {
	fail := func(format string, args ...any) (*yamlNode, error) {
		return nil, fmt.Errorf("line %d: "+format, append([]any{line}, args...)...)
	}
	switch {
	case s[0] == '\'' || s[0] == '"':
		end, err := quotedEnd(s)
		if err != nil {
			return fail("%v", err)
		}
		if end != len(s) {
			return fail("text after a quoted scalar (comments go on their own line): %s", s)
		}
		v, err := unquote(s)
		if err != nil {
			return fail("%v", err)
		}
		return &yamlNode{Kind: yamlScalar, Value: v, Line: line}, nil
	case s == "{}":
		return &yamlNode{Kind: yamlMapping, Map: map[string]*yamlNode{}, Line: line}, nil
	case s[0] == '[':
		if !strings.HasSuffix(s, "]") {
			return fail("unterminated flow sequence %s", s)
		}
		n := &yamlNode{Kind: yamlSequence, Line: line}
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" {
			return n, nil
		}
		for _, part := range splitFlow(inner) {
			part = strings.TrimSpace(part)
			if part == "" || part[0] == '[' || part[0] == '{' {
				return fail("unsupported flow sequence item in %s", s)
			}
			item, err := parseInline(part, line)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
		}
		return n, nil
	case strings.ContainsAny(s[:1], "[]{},#&*!|>%@`"), strings.HasPrefix(s, "- "), strings.HasPrefix(s, "? "):
		return fail("unsupported value %s (quote it)", s)
	case strings.Contains(s, ": "), strings.HasSuffix(s, ":"), strings.Contains(s, " #"):
		return fail("plain scalar with \": \", a final \":\" or \" #\" (quote it): %s", s)
	}
	return &yamlNode{Kind: yamlScalar, Value: s, Line: line}, nil
}

// splitFlow splits the inside of a flow sequence at commas outside quotes.
func splitFlow(s string) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func TestOpenAPIYAMLSubset(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      any
	}{
		{"scalars", "a: 1\nb: 'x: y'\nc: \"q\\\"t\"\nd: it's fine\ne:\n", map[string]any{"a": "1", "b": "x: y", "c": `q"t`, "d": "it's fine", "e": ""}},
		{"nested", "a:\n  b:\n    c: d\n  e: f\n", map[string]any{"a": map[string]any{"b": map[string]any{"c": "d"}, "e": "f"}}},
		{"sequences", "a:\n  - x\n  - k: v\n    l: w\n  -\n    m: n\n", map[string]any{"a": []any{"x", map[string]any{"k": "v", "l": "w"}, map[string]any{"m": "n"}}}},
		{"flow", "a: [x, 'y, z', 1]\nb: []\nc: {}\n", map[string]any{"a": []any{"x", "y, z", "1"}, "b": []any{}, "c": map[string]any{}}},
		{"literal", "a: |\n  one\n\n    two\n# not a comment inside? it is, by indentation\nb: c\n", map[string]any{"a": "one\n\n  two\n", "b": "c"}},
		{"comments", "# head\na: b\n  # indented comment\nc: d\n", map[string]any{"a": "b", "c": "d"}},
		{"quoted keys", "'200': a\n\"x y\": b\n", map[string]any{"200": "a", "x y": "b"}},
		{"path keys", "/v2/a/{id}:\n  get: x\n", map[string]any{"/v2/a/{id}": map[string]any{"get": "x"}}},
	} {
		n, err := parseYAML(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := n.plain(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, got, tc.want)
		}
	}
	for name, src := range map[string]string{
		"duplicate key":        "a: 1\na: 2\n",
		"tab":                  "a:\n\tb: 1\n",
		"bad indentation":      "a:\n    b: 1\n  c: 2\n",
		"continued plain":      "a: one\n  two\n",
		"colon in plain":       "a: b: c\n",
		"inline comment":       "a: b # c\n",
		"comment after quote":  "a: 'b' # c\n",
		"anchor":               "a: &x b\n",
		"folded scalar":        "a: >\n  b\n",
		"sequence at key":      "a:\n- b\n",
		"nested flow":          "a: [[b]]\n",
		"flow mapping":         "a: {b: c}\n",
		"unterminated quote":   "a: 'b\n",
		"not a mapping":        "just text\n",
		"unterminated flow":    "a: [b, c\n",
		"under-indented block": "a: |\n    one\n  two\nb: c\n",
	} {
		if n, err := parseYAML(src); err == nil {
			t.Errorf("%s: parsed %#v, want an error", name, n.plain())
		}
	}
}

// parsedOpenAPI parses the embedded document.
func parsedOpenAPI(t *testing.T) *yamlNode {
	t.Helper()
	doc, err := parseYAML(string(openAPIDocument))
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if v := doc.get("openapi").str(); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("openapi = %q, want 3.0.x", v)
	}
	return doc
}

var openAPIMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "head": true, "patch": true, "options": true, "trace": true}

// documentedOperations returns the operations of the document by
// "METHOD /path".
func documentedOperations(t *testing.T, doc *yamlNode) map[string]*yamlNode {
	t.Helper()
	paths := doc.get("paths")
	if paths == nil || paths.Kind != yamlMapping {
		t.Fatal("openapi.yaml has no paths mapping")
	}
	ops := map[string]*yamlNode{}
	for _, path := range paths.Keys {
		item := paths.Map[path]
		if item.Kind != yamlMapping {
			t.Errorf("path %s is not a mapping", path)
			continue
		}
		for _, key := range item.Keys {
			switch {
			case openAPIMethods[key]:
				ops[strings.ToUpper(key)+" "+path] = item.Map[key]
			case key == "parameters" || key == "summary" || key == "description" || key == "servers":
			default:
				t.Errorf("path %s: unknown key %q", path, key)
			}
		}
	}
	return ops
}

// TestOpenAPIMatchesRoutes: every route is documented and every documented
// operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ops := documentedOperations(t, parsedOpenAPI(t))
	served := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		key := rt.Method + " " + rt.Pattern
		if served[key] {
			t.Errorf("route %s is listed twice", key)
		}
		served[key] = true
	}
	var missing, extra []string
	for key := range served {
		if ops[key] == nil {
			missing = append(missing, key)
		}
	}
	for key := range ops {
		if !served[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("operations in openapi.yaml that no route serves:\n  %s", strings.Join(extra, "\n  "))
	}
	if len(served) < 44 {
		t.Errorf("only %d routes: the route table lost some", len(served))
	}
}

// resolve follows a local $ref ("#/a/b").
func resolve(doc, n *yamlNode) *yamlNode {
	for i := 0; n != nil && i < 10; i++ {
		ref := n.get("$ref").str()
		if ref == "" {
			return n
		}
		n = doc.get(strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
	}
	return n
}

var pathParam = regexp.MustCompile(`\{([^}]*)\}`)

// TestOpenAPIOperations checks each documented route against its entry in
// the route table.
func TestOpenAPIOperations(t *testing.T) {
	doc := parsedOpenAPI(t)
	ops := documentedOperations(t, doc)
	wantSecurity := map[authMode][]string{
		authCustomer: {"AKSK", "XAuthToken"},
		authEngineer: {"EngineerToken"},
	}
	schemes := doc.get("components", "securitySchemes")
	seenIDs := map[string]string{}
	for _, rt := range (&Server{}).routes() {
		key := rt.Method + " " + rt.Pattern
		op := ops[key]
		if op == nil {
			continue // reported by TestOpenAPIMatchesRoutes
		}
		if id := op.get("operationId").str(); id != rt.Op {
			t.Errorf("%s: operationId %q, want the route's %q", key, id, rt.Op)
		} else if other, dup := seenIDs[id]; dup {
			t.Errorf("%s: operationId %q already used by %s", key, id, other)
		} else {
			seenIDs[id] = key
		}

		// Security: the operation's, else the document's default.
		sec := op.get("security")
		if rt.Auth == authNone && sec == nil {
			t.Errorf("%s: a route without authentication must say so (security: [] or its own schemes)", key)
		}
		if sec == nil {
			sec = doc.get("security")
		}
		var names []string
		for _, req := range sec.items() {
			for _, name := range req.Keys {
				if schemes.get(name) == nil {
					t.Errorf("%s: unknown security scheme %q", key, name)
				}
				names = append(names, name)
			}
		}
		sort.Strings(names)
		if want, ok := wantSecurity[rt.Auth]; ok && !reflect.DeepEqual(names, want) {
			t.Errorf("%s: security %v, want %v", key, names, want)
		}

		// Path parameters: exactly those of the pattern, required.
		declared := map[string]bool{}
		for _, p := range op.get("parameters").items() {
			p = resolve(doc, p)
			if p == nil {
				t.Errorf("%s: a parameter does not resolve", key)
				continue
			}
			if p.get("in").str() == "path" {
				declared[p.get("name").str()] = true
				if p.get("required").str() != "true" {
					t.Errorf("%s: path parameter %s is not required", key, p.get("name").str())
				}
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
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

		// Responses: a success, and the authentication failures where
		// there is authentication.
		responses := op.get("responses")
		if responses == nil || len(responses.Keys) == 0 {
			t.Errorf("%s: no responses", key)
			continue
		}
		success := false
		for _, code := range responses.Keys {
			if strings.HasPrefix(code, "2") {
				success = true
			}
		}
		if !success {
			t.Errorf("%s: no 2xx response", key)
		}
		if rt.Auth != authNone && (responses.get("401") == nil || responses.get("403") == nil) {
			t.Errorf("%s: 401 and 403 responses are not documented", key)
		}
	}
}

// TestOpenAPIReferences: every $ref resolves, and every reusable component
// is used somewhere.
func TestOpenAPIReferences(t *testing.T) {
	doc := parsedOpenAPI(t)
	used := map[string]bool{}
	var walk func(n *yamlNode)
	walk = func(n *yamlNode) {
		switch n.Kind {
		case yamlMapping:
			for _, k := range n.Keys {
				if k == "$ref" {
					ref := n.Map[k].str()
					if !strings.HasPrefix(ref, "#/") || doc.get(strings.Split(ref[2:], "/")...) == nil {
						t.Errorf("line %d: $ref %q does not resolve", n.Line, ref)
					}
					used[ref] = true
					continue
				}
				walk(n.Map[k])
			}
		case yamlSequence:
			for _, it := range n.Items {
				walk(it)
			}
		}
	}
	walk(doc)
	for _, kind := range []string{"schemas", "parameters", "responses", "headers"} {
		group := doc.get("components", kind)
		if group == nil {
			continue
		}
		for _, name := range group.Keys {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// TestOpenAPIServed: the document is public at GET /openapi.yaml.
func TestOpenAPIServed(t *testing.T) {
	env := newTestEnv(t)
	res := env.Do("GET", "/openapi.yaml", nil).Expect(200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type = %q", ct)
	}
	if string(res.Body) != string(openAPIDocument) || len(res.Body) < 10000 {
		t.Errorf("served %d bytes, want the %d of openapi.yaml", len(res.Body), len(openAPIDocument))
	}
	if _, err := parseYAML(string(res.Body)); err != nil {
		t.Errorf("served document: %v", err)
	}
}
