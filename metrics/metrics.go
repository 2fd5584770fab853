// Package metrics exposes Casebook's Prometheus metrics: requests by
// operation and status with their latency, the database pools, the expiry
// sweeper, grants in force and stored attachments. It is the only package
// that imports the Prometheus client; the rest of Casebook reports through
// small interfaces (http.RequestObserver) or functions given to it here.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every Casebook metric.
const Namespace = "casebook"

// Metrics holds the collectors of one server. Its methods are safe for
// concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	sweeps   *prometheus.CounterVec
	expired  prometheus.Counter
}

// Build labels the casebook_build_info metric.
type Build struct {
	Version, Commit, GoVersion string
}

// New returns the metrics of a server, with the Go runtime and process
// collectors and casebook_build_info registered.
func New(build Build) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by operation (the SDK's operation name, NotFound for unknown routes) and status code.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time from the request's headers to the end of its response, by operation.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "sweeper_runs_total",
			Help: "Runs of the expiry sweeper, by result (ok or error).",
		}, []string{"result"}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "sweeper_grants_expired_total",
			Help: "Grants the sweeper ended, destroying their credentials.",
		}),
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "goversion": build.GoVersion},
	})
	info.Set(1)
	// Both results exist from the start, so that rate() and alerts on
	// errors see a zero rather than no series.
	m.sweeps.WithLabelValues("ok")
	m.sweeps.WithLabelValues("error")
	m.registry.MustRegister(m.requests, m.latency, m.sweeps, m.expired, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest counts an answered request; it implements
// http.RequestObserver.
func (m *Metrics) ObserveRequest(op string, status int, d time.Duration) {
	if op == "" {
		op = "unknown"
	}
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveSweep counts a run of the expiry sweeper and the grants it ended.
func (m *Metrics) ObserveSweep(expired int, err error) {
	if err != nil {
		m.sweeps.WithLabelValues("error").Inc()
	} else {
		m.sweeps.WithLabelValues("ok").Inc()
	}
	m.expired.Add(float64(expired))
}

// RegisterPool exports the database/sql statistics of a connection pool
// (go_sql_* series, labelled db_name=name): open, in use and idle
// connections, waits for a connection and their duration.
func (m *Metrics) RegisterPool(name string, db *sql.DB) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// StoreStats are the figures read from the store at each scrape.
type StoreStats struct {
	GrantsInForce   int64
	Attachments     int64
	AttachmentBytes int64

	OutboxEvents      int64 // events not yet dispatched
	DeliveriesPending int64 // webhook deliveries waiting for an attempt
	DeliveriesDead    int64 // webhook deliveries whose retries ran out
	MailsPending      int64
	MailsDead         int64
}

// RegisterStoreStats exports casebook_grants_in_force,
// casebook_attachments and casebook_attachment_bytes, read with read at
// each scrape (bounded by five seconds). A failed read is logged and
// reported as casebook_store_stats_up 0.
func (m *Metrics) RegisterStoreStats(read func(context.Context) (StoreStats, error), logger *slog.Logger) {
	m.registry.MustRegister(&storeCollector{read: read, logger: logger})
}

type storeCollector struct {
	read   func(context.Context) (StoreStats, error)
	logger *slog.Logger
}

var (
	grantsInForceDesc = prometheus.NewDesc(Namespace+"_grants_in_force",
		"Grants confirmed by customers whose window is open now.", nil, nil)
	attachmentsDesc = prometheus.NewDesc(Namespace+"_attachments",
		"Attachments stored, attached to a ticket or not yet.", nil, nil)
	attachmentBytesDesc = prometheus.NewDesc(Namespace+"_attachment_bytes",
		"Total size of the stored attachments.", nil, nil)
	outboxEventsDesc = prometheus.NewDesc(Namespace+"_outbox_events",
		"Events in the outbox not yet dispatched to their webhook deliveries and mails.", nil, nil)
	notificationsDesc = prometheus.NewDesc(Namespace+"_notifications",
		"Webhook deliveries and e-mails waiting for an attempt (state pending) or given up (state dead: dead letters).",
		[]string{"channel", "state"}, nil)
	storeUpDesc = prometheus.NewDesc(Namespace+"_store_stats_up",
		"1 if the last scrape read the store's figures, else 0.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- grantsInForceDesc
	ch <- attachmentsDesc
	ch <- attachmentBytesDesc
	ch <- outboxEventsDesc
	ch <- notificationsDesc
	ch <- storeUpDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		c.logger.Error("metrics: read store stats", "err", err)
		ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(grantsInForceDesc, prometheus.GaugeValue, float64(s.GrantsInForce))
	ch <- prometheus.MustNewConstMetric(attachmentsDesc, prometheus.GaugeValue, float64(s.Attachments))
	ch <- prometheus.MustNewConstMetric(attachmentBytesDesc, prometheus.GaugeValue, float64(s.AttachmentBytes))
	ch <- prometheus.MustNewConstMetric(outboxEventsDesc, prometheus.GaugeValue, float64(s.OutboxEvents))
	for _, n := range []struct {
		channel, state string
		v              int64
	}{
		{"webhook", "pending", s.DeliveriesPending}, {"webhook", "dead", s.DeliveriesDead},
		{"mail", "pending", s.MailsPending}, {"mail", "dead", s.MailsDead},
	} {
		ch <- prometheus.MustNewConstMetric(notificationsDesc, prometheus.GaugeValue, float64(n.v), n.channel, n.state)
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	})
}
