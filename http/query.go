package http

import (
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/casebook/casebook"
)

var reflectSliceOfString = reflect.TypeOf([]string(nil))

// query reads query parameters the way the SDK and the docs send them:
// repeated keys for arrays, comma-joined lists in doc examples, and bare keys
// (?group_id) for empty strings, which count as absent.
type query struct{ values url.Values }

func newQuery(r *http.Request) query { return query{r.URL.Query()} }

// String returns the first value of name ("" when absent or bare) after
// checking its documented length.
func (q query) String(name string, max int) (string, error) {
	v := q.values.Get(name)
	if err := checkLength(name, v, 0, max); err != nil {
		return "", err
	}
	return v, nil
}

// Int returns the integer value of name, def when absent or empty, and an
// error when it is not an integer in [min, max].
func (q query) Int(name string, min, max, def int) (int, error) {
	v := strings.TrimSpace(q.values.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, casebook.Invalidf(name, "%s must be an integer from %d to %d.", name, min, max)
	}
	return n, nil
}

// IntPtr is Int for optional filters: nil when absent or empty.
func (q query) IntPtr(name string, min, max int) (*int, error) {
	if strings.TrimSpace(q.values.Get(name)) == "" {
		return nil, nil
	}
	n, err := q.Int(name, min, max, 0)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// List returns all values of name, from repeated keys and, for id lists,
// comma-joined values; empty items are dropped.
func (q query) List(name string, splitCommas bool) []string {
	var out []string
	for _, v := range q.values[name] {
		parts := []string{v}
		if splitCommas {
			parts = strings.Split(v, ",")
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// Has reports whether name is present at all, even bare.
func (q query) Has(name string) bool {
	_, ok := q.values[name]
	return ok
}

// pathID returns a path parameter after checking its documented length.
func pathID(r *http.Request, name string, max int) (string, error) {
	v := r.PathValue(name)
	if err := checkLength(name, v, 1, max); err != nil {
		return "", err
	}
	return v, nil
}
