package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/casebook/casebook/metrics"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
)

// validateOperations checks the settings of metrics and test controls.
func (c *Config) validateOperations() error {
	if c.MetricsAddr != "" && c.MetricsAddr != "none" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr must be HOST:PORT or none, got %q", c.MetricsAddr)
		}
	}
	return nil
}

// sqlDB returns the SQL store under the App's Store: the one place the
// command reaches below the casebook.Store interface (metrics, test
// controls' reset, backup).
func (a *App) sqlDB() (*sqlstore.DB, error) {
	switch db := a.Store.(type) {
	case *sqlite.DB:
		return db.DB, nil
	case *postgres.DB:
		return db.DB, nil
	}
	return nil, fmt.Errorf("store %T is not an SQL store", a.Store)
}

// offsetClock is the server's clock: the system clock moved forward by
// an offset that only the test controls change. The Service (every expiry
// check, the sweeper) and the HTTP layer (tokens, signatures, links) read
// it, so moving it moves all of them together.
type offsetClock struct {
	offset atomic.Int64 // nanoseconds
}

func (c *offsetClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// newMetrics builds the server's metrics over the App.
func newMetrics(app *App, clock *offsetClock, logger *slog.Logger) (*metrics.Metrics, error) {
	b := buildInfo()
	m := metrics.New(metrics.Build{Version: b.Version, Commit: b.Commit, GoVersion: b.GoVersion})
	db, err := app.sqlDB()
	if err != nil {
		return nil, err
	}
	m.RegisterPool("writer", db.Writer)
	if db.Reader != nil && db.Reader != db.Writer {
		m.RegisterPool("reader", db.Reader)
	}
	m.RegisterStoreStats(func(ctx context.Context) (metrics.StoreStats, error) {
		s, err := db.Stats(ctx, clock.Now())
		return metrics.StoreStats{GrantsInForce: s.GrantsInForce, Attachments: s.Attachments, AttachmentBytes: s.AttachmentBytes}, err
	}, logger)
	return m, nil
}

// TestControlsPrefix starts the paths of the test controls.
const TestControlsPrefix = "/testing/v1/"

// testControls are the endpoints --test-controls enables: empty the
// store, move the clock. Without the flag they are not routed at all and
// answer 404 like any unknown path.
type testControls struct {
	app    *App
	clock  *offsetClock
	logger *slog.Logger
	// sweep runs the expiry sweeper once (and records it in the metrics).
	sweep func(context.Context)
}

func (tc *testControls) register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+TestControlsPrefix+"reset", tc.handleReset)
	mux.HandleFunc("GET "+TestControlsPrefix+"clock", tc.handleClock)
	mux.HandleFunc("POST "+TestControlsPrefix+"clock", tc.handleAdvance)
}

// handleReset deletes every account, user, engineer, ticket, attachment,
// grant and audit event, and sets the clock back to the system's.
func (tc *testControls) handleReset(w http.ResponseWriter, r *http.Request) {
	db, err := tc.app.sqlDB()
	if err != nil {
		tc.fail(w, http.StatusInternalServerError, err)
		return
	}
	keys, err := db.Reset(r.Context())
	if err != nil {
		tc.fail(w, http.StatusInternalServerError, err)
		return
	}
	for _, k := range keys {
		if err := tc.app.Blobs.Delete(r.Context(), k); err != nil {
			tc.fail(w, http.StatusInternalServerError, fmt.Errorf("delete attachment: %w", err))
			return
		}
	}
	tc.clock.offset.Store(0)
	tc.logger.Warn("test controls: store reset", "attachments_deleted", len(keys))
	w.WriteHeader(http.StatusNoContent)
}

// clockState is the body of the clock endpoints.
type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

func (tc *testControls) state() clockState {
	return clockState{Now: tc.clock.Now().UTC(), Offset: time.Duration(tc.clock.offset.Load()).String()}
}

func (tc *testControls) handleClock(w http.ResponseWriter, r *http.Request) {
	writeControlJSON(w, http.StatusOK, tc.state())
}

// handleAdvance moves the clock forward by {"advance": "48h"} and runs
// the sweeper at once, so that grants whose window has now ended are ended
// (credentials destroyed) before the response. The clock never goes back:
// that would revive ended grants.
func (tc *testControls) handleAdvance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Advance string `json:"advance"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		tc.fail(w, http.StatusBadRequest, fmt.Errorf("body must be {\"advance\": \"DURATION\"}: %v", err))
		return
	}
	var d Duration
	if err := d.Set(in.Advance); err != nil || d <= 0 {
		tc.fail(w, http.StatusBadRequest, fmt.Errorf("advance must be a positive duration such as \"90m\", \"48h\" or \"8d\", got %q", in.Advance))
		return
	}
	tc.clock.offset.Add(int64(d))
	tc.sweep(r.Context())
	tc.logger.Warn("test controls: clock advanced", "by", d.String(), "offset", tc.state().Offset)
	writeControlJSON(w, http.StatusOK, tc.state())
}

// fail writes an error in the same envelope as the API's.
func (tc *testControls) fail(w http.ResponseWriter, status int, err error) {
	code := "OSM.01010001"
	if status >= 500 {
		code = "OSM.0004"
		tc.logger.Error("test controls", "err", err)
	}
	writeControlJSON(w, status, map[string]string{"error_code": code, "error_msg": err.Error()})
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveMetrics starts the separate metrics listener of --metrics-addr.
func serveMetrics(addr string, h http.Handler, logger *slog.Logger) (*http.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server failed", "err", err)
		}
	}()
	return srv, ln, nil
}
