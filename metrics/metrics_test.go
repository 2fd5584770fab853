package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	m := metrics.New(metrics.Build{Version: "v1", Commit: "abc", GoVersion: "go1"})
	m.ObserveRequest("ListCases", 200, 30*time.Millisecond)
	m.ObserveRequest("ListCases", 200, 3*time.Second)
	m.ObserveRequest("ListCases", 401, time.Millisecond)
	m.ObserveRequest("", 404, time.Millisecond)
	m.ObserveSweep(2, nil)
	m.ObserveSweep(0, errors.New("db down"))
	fail := true
	m.RegisterStoreStats(func(context.Context) (metrics.StoreStats, error) {
		if fail {
			return metrics.StoreStats{}, errors.New("db down")
		}
		return metrics.StoreStats{GrantsInForce: 3, Attachments: 4, AttachmentBytes: 5000,
			OutboxEvents: 6, DeliveriesPending: 7, DeliveriesDead: 8, MailsPending: 9, MailsDead: 10}, nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	body := scrape(t, m)
	for _, want := range []string{
		`casebook_http_requests_total{operation="ListCases",status="200"} 2`,
		`casebook_http_requests_total{operation="ListCases",status="401"} 1`,
		`casebook_http_requests_total{operation="unknown",status="404"} 1`,
		`casebook_http_request_duration_seconds_bucket{operation="ListCases",le="0.05"} 2`,
		`casebook_http_request_duration_seconds_bucket{operation="ListCases",le="2.5"} 2`,
		`casebook_http_request_duration_seconds_count{operation="ListCases"} 3`,
		`casebook_sweeper_runs_total{result="ok"} 1`,
		`casebook_sweeper_runs_total{result="error"} 1`,
		`casebook_sweeper_grants_expired_total 2`,
		`casebook_build_info{commit="abc",goversion="go1",version="v1"} 1`,
		`casebook_store_stats_up 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("no %s", want)
		}
	}
	if strings.Contains(body, "casebook_grants_in_force") {
		t.Error("grants in force reported though the store could not be read")
	}

	fail = false
	body = scrape(t, m)
	for _, want := range []string{"casebook_store_stats_up 1", "casebook_grants_in_force 3", "casebook_attachments 4", "casebook_attachment_bytes 5000",
		"casebook_outbox_events 6",
		`casebook_notifications{channel="webhook",state="pending"} 7`, `casebook_notifications{channel="webhook",state="dead"} 8`,
		`casebook_notifications{channel="mail",state="pending"} 9`, `casebook_notifications{channel="mail",state="dead"} 10`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("no %s", want)
		}
	}
}
