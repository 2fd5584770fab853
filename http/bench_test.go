package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// The seed endpoints through the whole stack: real SQLite and blob
// directory, the server's handler with its middleware (request id, log
// line, authentication, principal cache), called with ServeHTTP so that
// the numbers are the server's, not the loopback's. Run with
//
//	go test ./http -run '^$' -bench SeedEndpoints -benchmem

// benchFixture is one account with five users in a group, 200 tickets and
// 500 authorizations (a fifth of them confirmed), and ten attachments.
type benchFixture struct {
	env          *testEnv
	handler      http.Handler
	master       *testUser
	eng          *testUser
	cases        []string
	auths        []*casebook.Authorization
	accessoryIDs []string
	ak, sk       string
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	env := newTestEnv(b)
	// Production settings: a 5 s principal cache (the clock is frozen, so
	// entries stay fresh) and a log line per request written to nowhere.
	env.Server.principals = newPrincipalCache(5 * time.Second)
	env.Server.accessKeys = newAccessKeyCache(5 * time.Second)
	env.Server.tokens = newTokenCache(5 * time.Second)
	env.Server.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	acme := env.Account("acme")
	f := &benchFixture{env: env, handler: env.HTTP.Config.Handler, master: acme.Master, eng: env.Engineer("eng")}
	var users []*testUser
	for i := range 5 {
		users = append(users, acme.User(fmt.Sprintf("user%d", i)))
	}
	acme.Group("team", users...)
	for i := range 200 {
		f.cases = append(f.cases, svcTicket(b, users[i%len(users)], fmt.Sprintf("Ticket %d: the load balancer drops connections under load", i)))
	}
	master := svcPrincipal(b, f.master)
	now := env.Clock.Now()
	for i := range 500 {
		a := svcGrantRequest(b, f.eng, f.cases[i%len(f.cases)])
		if i%5 == 0 {
			in := casebook.ConfirmInput{
				Credentials: []casebook.Credential{{DetailID: a.Details[1].ID, Port: 22, Account: "root", Password: "bench-password"}},
				EffectiveAt: &now, ExpireAt: ptr(now.Add(time.Hour)),
			}
			if err := env.Svc.ConfirmAuthorization(ctx, master, "", a.ID, in); err != nil {
				b.Fatal(err)
			}
		}
		f.auths = append(f.auths, a)
	}
	for i := range 10 {
		a, err := env.Svc.UploadAccessory(ctx, master, casebook.UploadInput{FileName: fmt.Sprintf("log%d.txt", i), From: "incident", Size: -1}, strings.NewReader(strings.Repeat("log line\n", 100)))
		if err != nil {
			b.Fatal(err)
		}
		f.accessoryIDs = append(f.accessoryIDs, a.ID)
	}
	f.ak, f.sk = createAccessKeyB(b, f.master)
	return f
}

func ptr[T any](v T) *T { return &v }

// createAccessKeyB is createAccessKey for benchmarks.
func createAccessKeyB(b *testing.B, u *testUser) (string, string) {
	b.Helper()
	var out struct {
		Credential credentialInfo `json:"credential"`
	}
	res := u.Do("POST", "/v3.0/OS-CREDENTIAL/credentials", map[string]any{"credential": map[string]string{}})
	if res.Status != 201 {
		b.Fatalf("create access key: %d %s", res.Status, res.Body)
	}
	res.JSON(&out)
	return out.Credential.Access, out.Credential.Secret
}

// serve runs one request through the handler and fails on an unexpected
// status.
func (f *benchFixture) serve(b *testing.B, req *http.Request, want int) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
	}
	return rec
}

// request builds a token-authenticated request.
func (f *benchFixture) request(u *testUser, method, target string, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", u.Token)
	return req
}

func BenchmarkSeedEndpoints(b *testing.B) {
	f := newBenchFixture(b)

	b.Run("ListAuthorizations", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := f.serve(b, f.request(f.master, "GET", authorizationsPath+"?limit=10&offset=0", nil), 200)
			if !bytes.Contains(rec.Body.Bytes(), []byte(`"count":500`)) {
				b.Fatalf("list: %s", rec.Body)
			}
		}
	})

	b.Run("ListAuthorizationsSigned", func(b *testing.B) {
		// One signature, verified on every request (the clock is frozen,
		// so it stays inside the skew): the server's cost, not the client's.
		proto := httptest.NewRequest("GET", authorizationsPath+"?limit=10&offset=0", nil)
		proto.Header.Set("Content-Type", "application/json")
		proto.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
		proto.Header.Set("X-Domain-Id", f.master.AccountID)
		if err := auth.SignRequest(proto, nil, f.ak, f.sk, f.env.Clock.Now()); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("GET", proto.URL.String(), nil)
			req.Header = proto.Header.Clone()
			f.serve(b, req, 200)
		}
	})

	b.Run("ShowAuthorizationDetail", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := f.auths[i%len(f.auths)]
			i++
			f.serve(b, f.request(f.master, "GET", authorizationsPath+"/"+a.ID, nil), 200)
		}
	})

	b.Run("ConfirmAuthorizations", func(b *testing.B) {
		// Each confirmation needs a pending request; they are made outside
		// the timer.
		now := f.env.Clock.Now()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			b.StopTimer()
			a := svcGrantRequest(b, f.eng, f.cases[i%len(f.cases)])
			i++
			body, _ := json.Marshal(confirmBody(a, now, "bench-password"))
			req := f.request(f.master, "PUT", authorizationsPath+"/"+a.ID, body)
			b.StartTimer()
			f.serve(b, req, 200)
		}
	})

	b.Run("CreateRelations", func(b *testing.B) {
		// Each target ticket takes three relations; a new one is opened
		// (outside the timer) every third iteration.
		b.ReportAllocs()
		var target string
		i := 0
		for b.Loop() {
			if i%casebook.MaxRelationsPerCase == 0 {
				b.StopTimer()
				target = svcTicket(b, f.master, "relation target")
				b.StartTimer()
			}
			related := f.cases[i%len(f.cases)]
			i++
			body := []byte(`{"related_id_list":["` + related + `"]}`)
			f.serve(b, f.request(f.master, "POST", relationsPath(target), body), 200)
		}
	})

	b.Run("ListAccessoryAccessUrls", func(b *testing.B) {
		q := "?accessory_ids=" + strings.Join(f.accessoryIDs, "&accessory_ids=")
		b.ReportAllocs()
		for b.Loop() {
			rec := f.serve(b, f.request(f.master, "GET", "/v2/servicerequest/accessorys/access-urls"+q, nil), 200)
			if bytes.Count(rec.Body.Bytes(), []byte(`"accessory_url"`)) != len(f.accessoryIDs) {
				b.Fatalf("access urls: %s", rec.Body)
			}
		}
	})
}
