package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClientClosedRequest checks that a request whose client went away
// (its context cancelled while the store works) is logged once, as 499 at
// info level, and not as a 500 internal error.
func TestClientClosedRequest(t *testing.T) {
	e := newTestEnv(t)
	acme := e.Account("acme")
	for _, path := range []string{"/v2/servicerequest/authorizations", "/v2/servicerequest/authorizations/nope"} {
		e.Logs.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.Header.Set("X-Auth-Token", acme.Master.Token)
		e.HTTP.Config.Handler.ServeHTTP(httptest.NewRecorder(), req)

		logs := e.Logs.String()
		if strings.Contains(logs, "internal error") || strings.Contains(logs, "level=ERROR") {
			t.Errorf("GET %s by a client gone: logged as an error:\n%s", path, logs)
		}
		if n := strings.Count(logs, "\n"); n != 1 || !strings.Contains(logs, "level=INFO msg=request") || !strings.Contains(logs, " status=499 ") {
			t.Errorf("GET %s by a client gone: want one request line at INFO with status=499, got:\n%s", path, logs)
		}
	}

	// A live request with the same credentials is answered as usual.
	e.Logs.Reset()
	req := httptest.NewRequest(http.MethodGet, "/v2/servicerequest/authorizations", nil)
	req.Header.Set("X-Auth-Token", acme.Master.Token)
	rec := httptest.NewRecorder()
	e.HTTP.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(e.Logs.String(), " status=200 ") {
		t.Errorf("live request: %d\n%s", rec.Code, e.Logs.String())
	}
}
