package http

import (
	"net/http"
	"strings"
)

// apiPrefixes are the paths the API owns, with their error envelope, even
// when a web console serves the rest.
var apiPrefixes = []string{"/v2/", "/v2.0/", "/v3/", "/v3.0/", "/osm/", "/support/", "/files/"}

// apiPaths are the API's single paths.
var apiPaths = []string{"/healthz", "/readyz", "/openapi.yaml", "/v2", "/v2.0", "/v3", "/v3.0", "/osm", "/support", "/files"}

// apiPath reports whether path belongs to the API.
func apiPath(path string) bool {
	for _, p := range apiPaths {
		if path == p {
			return true
		}
	}
	for _, p := range apiPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// withConsole sends the paths outside the API to s.Console when there is
// one, and everything else to notFound (the API's "no route" envelope).
func (s *Server) withConsole(notFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Console != nil && !apiPath(r.URL.Path) {
			s.Console.ServeHTTP(w, r)
			return
		}
		notFound.ServeHTTP(w, r)
	})
}
