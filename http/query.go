package http

import (
	"net/http"
	"net/url"
)

// query reads query parameters one by one, for the IAM handlers; the OSM
// and support handlers describe theirs as request structs (decode.go).
// Bare keys (?group_id) are empty strings, which count as absent.
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

// Has reports whether name is present at all, even bare.
func (q query) Has(name string) bool {
	_, ok := q.values[name]
	return ok
}
