package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/casebook/casebook/metrics"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
	"github.com/casebook/casebook/testcontrol"
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

// newMetrics builds the server's metrics over the App.
func newMetrics(app *App, clock *testcontrol.Clock, logger *slog.Logger) (*metrics.Metrics, error) {
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
		return metrics.StoreStats{
			GrantsInForce: s.GrantsInForce, Attachments: s.Attachments, AttachmentBytes: s.AttachmentBytes,
			OutboxEvents: s.OutboxEvents, DeliveriesPending: s.DeliveriesPending, DeliveriesDead: s.DeliveriesDead,
			MailsPending: s.MailsPending, MailsDead: s.MailsDead,
		}, err
	}, logger)
	return m, nil
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
