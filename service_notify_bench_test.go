//go:build unix

package casebook_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	casebookhttp "github.com/casebook/casebook/http"
	"github.com/casebook/casebook/postgres"
)

// BenchmarkEventOverheadHTTP measures what writing the outbox event adds to
// the HTTP requests that cause one: an engineer's reply (POST
// /support/v1/cases/{id}/messages, one event) and a customer's ticket
// (POST /v2/servicerequest/cases, one event), through the real handler on
// SQLite, alternately with and without events, so that the load of a
// shared machine falls on both alike; the metrics are the mean CPU time of each and the overhead in
// percent.
func BenchmarkEventOverheadHTTP(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		s, _ := MustOpenService(b)
		benchmarkEventOverheadHTTP(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, _ := MustOpenService(b)
		db, err := postgres.Open(b.Context(), benchPostgresDatabase(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		s = casebook.NewService(db, s.Blobs, s.Sealer, s.Config)
		benchmarkEventOverheadHTTP(b, s)
	})
}

// benchPostgresDatabase returns the DSN of a new database, dropped at the
// end; it skips when PostgreSQL is unreachable.
func benchPostgresDatabase(b *testing.B) string {
	dsn := os.Getenv("CASEBOOK_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := pgx.Connect(b.Context(), dsn)
	if err != nil {
		b.Skipf("PostgreSQL unreachable: %v", err)
	}
	name := "casebook_bench_" + strings.ToLower(casebook.NewHexID()[:12])
	if _, err := admin.Exec(b.Context(), "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(context.Background())
	})
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func benchmarkEventOverheadHTTP(b *testing.B, s *casebook.Service) {
	s.Now = time.Now
	ctx := b.Context()
	_, u, err := s.CreateAccount(ctx, "acme", "master", "master-password-1")
	if err != nil {
		b.Fatal(err)
	}
	e, err := s.CreateEngineer(ctx, "eng", "engineer-password-1")
	if err != nil {
		b.Fatal(err)
	}
	key := make([]byte, 32)
	tokens := &auth.Tokens{Key: auth.DeriveKey(key, auth.PurposeToken), TTL: time.Hour}
	srv := &casebookhttp.Server{Service: s, Tokens: tokens,
		Links:             &auth.Links{Key: auth.DeriveKey(key, auth.PurposeDownloadLink), TTL: time.Minute},
		TemporaryKeys:     &auth.TemporaryKeys{Key: auth.DeriveKey(key, auth.PurposeSecurityToken)},
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)), // a request log, as serve writes, to nowhere
		Now:               time.Now,
		PrincipalCacheTTL: 5 * time.Second}
	handler := srv.Handler()
	token := func(realm casebook.Realm, userID, accountID string) string {
		_, epoch, err := s.ResolvePrincipal(ctx, realm, userID)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		tok, err := tokens.Issue(auth.Claims{Realm: realm, UserID: userID, AccountID: accountID, Epoch: epoch, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		return tok
	}
	customer, engineer := token(casebook.RealmCustomer, u.ID, u.AccountID), token(casebook.RealmEngineer, e.ID, "")
	send := func(method, path, tok, body string, want int) time.Duration {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", tok)
		rec := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return d
	}
	caseID := func() string {
		c, err := s.CreateCase(ctx, &casebook.Principal{Realm: casebook.RealmCustomer, AccountID: u.AccountID, UserID: u.ID, UserName: u.Name, IsMaster: true},
			casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		return c.ID
	}()

	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"Reply", "POST", "/support/v1/cases/" + caseID + "/messages", engineer, `{"content":"an answer"}`, http.StatusCreated},
		{"CreateCase", "POST", "/v2/servicerequest/cases", customer, `{"business_type_id":"1","simple_description":"bench"}`, http.StatusOK},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// Blocks of requests alternate between the modes, and each
			// block is charged the process's CPU time (user + system,
			// SQLite included: it runs in-process), which a busy shared
			// machine disturbs far less than wall time.
			const block = 20
			var with, without, wallWith, wallWithout time.Duration
			n := 0
			for b.Loop() {
				off := (n/block)%2 == 0
				s.TestSetEventsOff(off)
				start := cpuTime(b)
				wall := send(tc.method, tc.path, tc.token, tc.body, tc.status)
				if d := cpuTime(b) - start; off {
					without, wallWithout = without+d, wallWithout+wall
				} else {
					with, wallWith = with+d, wallWith+wall
				}
				n++
			}
			n /= 2
			b.ReportMetric(float64(without.Nanoseconds())/float64(n), "cpu-ns/req-no-events")
			b.ReportMetric(float64(with.Nanoseconds())/float64(n), "cpu-ns/req-events")
			b.ReportMetric(100*(float64(with)/float64(without)-1), "%overhead")
			// Wall time: on PostgreSQL most of a write is the commit's
			// flush in the database server, outside this process's CPU.
			b.ReportMetric(100*(float64(wallWith)/float64(wallWithout)-1), "%overhead-wall")
		})
	}
}

// cpuTime returns the CPU time (user + system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
