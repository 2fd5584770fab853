package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// Benchmarks of the pieces every request pays for: authentication (token
// and AK/SK signature, with the production caches and without), scope
// and the JSON encoding of the seed endpoints' bodies. Run with
//
//	go test ./http -run '^$' -bench 'Authenticate|Scope|Encode' -benchmem
//
// The difference between Authenticate/Signed and Authenticate/Token is
// what an AK/SK request costs more than a token request (issue 14: at most
// 10 µs).

// hotPathFixture is one account, its master user with an access key, and
// one authorization with two details, on a server with production cache
// settings.
type hotPathFixture struct {
	env    *testEnv
	master *testUser
	group  string
	ak, sk string
	auth   *casebook.Authorization
}

func newHotPathFixture(b *testing.B, cacheTTL time.Duration) *hotPathFixture {
	b.Helper()
	env := newTestEnv(b)
	env.Server.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	env.Server.PrincipalCacheTTL = cacheTTL
	hs := httptest.NewServer(env.Server.Handler())
	b.Cleanup(hs.Close)
	env.HTTP = hs
	acme := env.Account("acme")
	user := acme.User("user")
	f := &hotPathFixture{env: env, master: acme.Master, group: acme.Group("team", user)}
	f.ak, f.sk = createAccessKeyB(b, f.master)
	eng := env.Engineer("eng")
	f.auth = svcGrantRequest(b, eng, svcTicket(b, user, "hot path"))
	return f
}

func BenchmarkAuthenticate(b *testing.B) {
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"", 5 * time.Second}, {"Uncached", time.Nanosecond}} {
		f := newHotPathFixture(b, c.ttl)
		s := f.env.Server
		b.Run("Token"+c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", authorizationsPath, nil)
			req.Header.Set("X-Auth-Token", f.master.Token)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.authenticateCustomer(req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Signed"+c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", authorizationsPath+"?limit=10&offset=0", nil)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Domain-Id", f.master.AccountID)
			if err := auth.SignRequest(req, nil, f.ak, f.sk, f.env.Clock.Now()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.authenticateCustomer(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScope(b *testing.B) {
	f := newHotPathFixture(b, 5*time.Second)
	ctx := context.Background()
	master := svcPrincipal(b, f.master)
	for _, c := range []struct{ name, group string }{{"Account", ""}, {"MasterWithGroup", f.group}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.env.Svc.ScopeFor(ctx, master, c.group); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	f := newHotPathFixture(b, 5*time.Second)
	a, err := f.env.Svc.GetAuthorization(context.Background(), svcPrincipal(b, f.master), "", f.auth.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AuthorizationDetail", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := writeJSON(discardResponse{}, http.StatusOK, toAuthorizationDetail(a, "en-us")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListPage", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp := listAuthorizationsResponse{Count: 1000, IncidentAuthList: make([]incidentOrderAuth, 0, 10)}
			for range 10 {
				resp.IncidentAuthList = append(resp.IncidentAuthList, toIncidentOrderAuth(a, "en-us"))
			}
			if err := writeJSON(discardResponse{}, http.StatusOK, resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// discardResponse is a ResponseWriter that keeps nothing.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}

// BenchmarkRequestLog is the middleware every request goes through (id,
// request info, status recorder, the access log line in the text format)
// around a handler that only writes a small JSON body. Run with
//
//	go test ./http -run '^$' -bench RequestLog -benchmem
func BenchmarkRequestLog(b *testing.B) {
	s := &Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	p := &casebook.Principal{Realm: casebook.RealmCustomer, AccountID: "acme-account-id", UserID: "acme-user-id"}
	h := s.withRequestLog(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		info.Op, info.Principal = "ShowAuthorizationDetail", p
		writeJSON(w, http.StatusOK, struct{}{})
	}))
	req := httptest.NewRequest("GET", authorizationsPath+"/0123456789abcdef", nil)
	w := &resetResponse{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.header)
		h.ServeHTTP(w, req)
	}
}

// resetResponse is a ResponseWriter that keeps its header map between
// requests (as net/http's own response does not allocate one per write).
type resetResponse struct{ header http.Header }

func (w *resetResponse) Header() http.Header         { return w.header }
func (w *resetResponse) Write(b []byte) (int, error) { return len(b), nil }
func (w *resetResponse) WriteHeader(int)             {}
