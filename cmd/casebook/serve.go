package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/console"
	casebookhttp "github.com/casebook/casebook/http"
	"github.com/casebook/casebook/metrics"
	"github.com/casebook/casebook/notify"
	"github.com/casebook/casebook/testcontrol"
)

// ShutdownTimeout bounds how long serve waits for in-flight requests after
// SIGINT or SIGTERM before it closes the remaining connections.
const ShutdownTimeout = 30 * time.Second

// Connection bounds that are not configurable: the time a client has to
// send a request's headers, and how long an idle keep-alive connection is
// kept.
const (
	ReadHeaderTimeout = 10 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// ServeCommand runs the server: `casebook serve`.
type ServeCommand struct {
	Main *Main
}

const serveHelp = `Runs the HTTP server: the OSM v2 customer API (/v2/servicerequest), the IAM
subset (/v3), the support engineers' API (/support/v1), /healthz and /readyz,
and the web console for customers and engineers at / (--no-console: off).

On first start it creates the data directory (0700), the database and the
master key file (0600). SIGINT or SIGTERM stops accepting connections, lets
in-flight requests finish (up to 30s), stops the expiry sweeper and closes
the store.

Settings come from, lowest precedence first: defaults, the --config file,
CASEBOOK_* environment variables (CASEBOOK_LINK_TTL for --link-ttl), flags.`

// Run parses the flags, serves until ctx is cancelled, then shuts down
// gracefully.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("serve", "[flags]", serveHelp, allFlags)
	noConsole := fs.Bool("no-console", false, "serve the API only, without the web console at /")
	debugAddr := fs.String("debug-addr", "", "serve net/http/pprof on this loopback `address` (off by default; for profiling)")
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg, err := c.Main.config(fs)
	if err != nil {
		return err
	}
	logOut := c.Main.Stderr
	logFile, buffered := bufferLogFile(logOut)
	if buffered {
		defer logFile.Close()
		logOut = logFile
	}
	logger, err := newLogger(logOut, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	if buffered {
		logger = slog.New(flushOnWarn{logger.Handler(), logFile})
	}

	s := &Server{Config: cfg, Logger: logger, Middleware: c.Main.Middleware, NoConsole: *noConsole, DebugAddr: *debugAddr}
	if err := s.Open(ctx); err != nil {
		return err
	}
	if c.Main.Listening != nil {
		c.Main.Listening(s.Addr())
	}

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", ShutdownTimeout.String())
	case serveErr = <-s.errc:
		logger.Error("server failed", "err", serveErr)
	}
	if err := s.Close(); err != nil {
		return err
	}
	return serveErr
}

// Server is a running Casebook: the App, its HTTP server and the expiry
// sweeper.
type Server struct {
	Config     Config
	Logger     *slog.Logger
	Middleware func(http.Handler) http.Handler
	// NoConsole leaves the web console out: paths outside the API answer
	// the API's "no route" error.
	NoConsole bool
	// DebugAddr, if set, serves net/http/pprof on a listener of its own.
	DebugAddr string

	app        *App
	listener   net.Listener
	httpServer *http.Server
	errc       chan error // Serve's error, if it fails
	stopSweep  context.CancelFunc
	sweepDone  chan struct{}

	clock         *testcontrol.Clock
	metrics       *metrics.Metrics
	metricsServer *http.Server // on --metrics-addr, if given
	metricsAddr   string
	stopNotify    context.CancelFunc
	notifyDone    chan struct{}
	debugServer   *http.Server // on --debug-addr, if given
	debugAddr     string
}

// Open opens the App, starts listening and serving, and starts the sweeper.
func (s *Server) Open(ctx context.Context) (err error) {
	keyFile := filepath.Join(s.Config.Data, MasterKeyFile)
	_, statErr := os.Stat(keyFile)
	newKeyFile := s.Config.MasterKey == "" && errors.Is(statErr, os.ErrNotExist)

	if s.app, err = OpenApp(ctx, s.Config, s.Logger); err != nil {
		return err
	}
	if newKeyFile {
		s.Logger.Info("created a new master key; back it up, and give replicas the same key", "file", keyFile)
	}

	// One clock for the Service (expiry checks, the sweeper) and the HTTP
	// layer; only the test controls move it.
	s.clock = &testcontrol.Clock{}
	s.app.Service.Now = s.clock.Now
	if s.metrics, err = newMetrics(s.app, s.clock, s.Logger); err != nil {
		s.app.Close()
		return err
	}

	key := s.app.MasterKey
	api := &casebookhttp.Server{
		Service:       s.app.Service,
		Tokens:        &auth.Tokens{Key: auth.DeriveKey(key, auth.PurposeToken), TTL: time.Duration(s.Config.TokenTTL)},
		Links:         &auth.Links{Key: auth.DeriveKey(key, auth.PurposeDownloadLink), TTL: time.Duration(s.Config.LinkTTL)},
		TemporaryKeys: &auth.TemporaryKeys{Key: auth.DeriveKey(key, auth.PurposeSecurityToken)},
		Logger:        s.Logger,
		BaseURL:       s.Config.BaseURL,
		Now:           s.clock.Now,
		ClientClock:   time.Now,
		Observer:      s.metrics,
		Build:         buildInfo(),
		// The HTTP layer reads 0 as its default and caches nothing below a
		// millisecond.
		PrincipalCacheTTL: max(time.Duration(s.Config.PrincipalCache), time.Nanosecond),
	}
	if !s.NoConsole {
		ui, err := console.New(s.app.Service, auth.DeriveKey(key, console.KeyPurpose), s.Logger)
		if err != nil {
			s.app.Close()
			return fmt.Errorf("web console: %w", err)
		}
		ui.SecureCookies = strings.HasPrefix(s.Config.BaseURL, "https://")
		api.Console = ui
	}
	handler, err := s.operatorRoutes(api.Handler(), api.NotFound())
	if err != nil {
		s.app.Close()
		return err
	}
	handler = withClientAddr(bodyDeadlines(handler, deadlinesOf(s.Config)))
	if s.Middleware != nil {
		handler = s.Middleware(handler)
	}

	if s.listener, err = net.Listen("tcp", s.Config.Addr); err != nil {
		s.app.Close()
		return fmt.Errorf("listen: %w", err)
	}
	if addr := s.Config.MetricsAddr; addr != "" && addr != "none" {
		var ln net.Listener
		if s.metricsServer, ln, err = serveMetrics(addr, s.metrics.Handler(s.Logger), s.Logger); err != nil {
			s.listener.Close()
			s.app.Close()
			return err
		}
		s.metricsAddr = ln.Addr().String()
	}
	// ReadTimeout and WriteTimeout stay 0: one bound for every request
	// would cut large uploads and downloads short. bodyDeadlines sets a
	// deadline per request instead.
	if s.DebugAddr != "" {
		var ln net.Listener
		if s.debugServer, ln, err = serveDebug(s.DebugAddr, s.Logger); err != nil {
			if s.metricsServer != nil {
				s.metricsServer.Close()
			}
			s.listener.Close()
			s.app.Close()
			return err
		}
		s.debugAddr = ln.Addr().String()
	}
	s.httpServer = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	s.errc = make(chan error, 1)
	go func() {
		if err := s.httpServer.Serve(s.listener); !errors.Is(err, http.ErrServerClosed) {
			s.errc <- fmt.Errorf("serve: %w", err)
		}
	}()

	// The sweeper has its own context: a signal must not cut a sweep short
	// while requests drain; Close stops it afterwards.
	sweepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopSweep, s.sweepDone = stop, make(chan struct{})
	go s.sweep(sweepCtx)

	// The notification worker delivers the outbox's events, off the
	// requests' path; like the sweeper it outlives a signal until Close.
	notifyCtx, stopNotify := context.WithCancel(context.WithoutCancel(ctx))
	s.stopNotify, s.notifyDone = stopNotify, make(chan struct{})
	worker := &notify.Worker{
		Service:      s.app.Service,
		AllowPrivate: s.Config.WebhookAllowPrivate,
		Timeout:      time.Duration(s.Config.WebhookTimeout),
		Concurrency:  s.Config.WebhookConcurrency,
		Logger:       s.Logger.With("component", "notify"),
	}
	if s.Config.SMTPHost != "" {
		worker.Mailer = &notify.Mailer{
			Host: s.Config.SMTPHost, Port: s.Config.SMTPPort, Security: s.Config.SMTPSecurity,
			Username: s.Config.SMTPUser, Password: s.Config.SMTPPassword, From: s.Config.SMTPFrom,
			Lang: s.Config.SMTPLang, BaseURL: s.Config.BaseURL,
		}
	}
	go func() { defer close(s.notifyDone); worker.Run(notifyCtx) }()

	b := buildInfo()
	attrs := []any{"addr", s.Addr(), "db", describeDB(s.Config), "blobs", describeBlobs(s.Config),
		"version", b.Version, "commit", b.Commit, "go", b.GoVersion}
	if s.metricsAddr != "" {
		attrs = append(attrs, "metrics_addr", s.metricsAddr)
	}
	if s.debugAddr != "" {
		attrs = append(attrs, "debug_addr", s.debugAddr)
	}
	if s.Config.TestControls {
		attrs = append(attrs, "test_controls", true)
	}
	s.Logger.Info("listening", attrs...)
	if s.Config.TestControls {
		s.Logger.Warn("test controls are enabled: anyone who reaches " + testcontrol.Prefix + " can erase all data and move the clock")
	}
	return nil
}

// operatorRoutes puts /metrics (unless it has a listener of its own or is
// off) and, with --test-controls, the test controls in front of the API.
// When they are off, their paths get the API's 404 envelope, as any unknown
// API path does; everything else goes to the API.
func (s *Server) operatorRoutes(api, notFound http.Handler) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("/", api)
	if s.Config.MetricsAddr == "" {
		mux.Handle("GET /metrics", s.metrics.Handler(s.Logger))
	} else {
		mux.Handle("/metrics", notFound)
	}
	if !s.Config.TestControls {
		mux.Handle(testcontrol.Prefix, notFound)
	} else {
		db, err := s.app.sqlDB()
		if err != nil {
			return nil, err
		}
		tc := &testcontrol.Controls{DB: db, Blobs: s.app.Blobs, Clock: s.clock, Logger: s.Logger, Sweep: s.sweepOnce}
		tc.Register(mux)
	}
	return mux, nil
}

// Addr returns the address the server listens on, with the actual port
// when the configuration asked for port 0.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Close stops accepting connections, waits for in-flight requests (up to
// ShutdownTimeout, then closes what remains), stops the sweeper and closes
// the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := s.httpServer.Shutdown(ctx); err != nil {
		s.Logger.Warn("requests still running after the shutdown timeout; closing their connections", "timeout", ShutdownTimeout.String())
		errs = append(errs, s.httpServer.Close())
	}

	if s.metricsServer != nil {
		errs = append(errs, s.metricsServer.Shutdown(ctx))
	}
	if s.debugServer != nil {
		errs = append(errs, s.debugServer.Close()) // a running profile would hold Shutdown
	}

	s.stopSweep()
	<-s.sweepDone
	s.stopNotify()
	<-s.notifyDone

	if err := s.app.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close store: %w", err))
	}
	s.Logger.Info("stopped")
	return errors.Join(errs...)
}

// sweep ends expired grants and destroys their credentials, at start and
// then every SweepInterval, until ctx is cancelled. With several replicas
// every one sweeps; the store makes each expiry happen exactly once.
func (s *Server) sweep(ctx context.Context) {
	defer close(s.sweepDone)
	ticker := time.NewTicker(time.Duration(s.Config.SweepInterval))
	defer ticker.Stop()
	for {
		s.sweepOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// sweepOnce runs the sweeper once, logs and counts the run.
func (s *Server) sweepOnce(ctx context.Context) error {
	n, err := s.app.Service.ExpireGrants(ctx)
	if err != nil && ctx.Err() == nil {
		s.Logger.Error("expire grants", "err", err)
	} else if n > 0 {
		s.Logger.Info("expired grants", "count", n)
	}
	if ctx.Err() == nil {
		s.metrics.ObserveSweep(n, err)
	}
	return err
}

// requestDeadlines bound how long one request may take to arrive and its
// answer to leave, so that a client that stops sending or reading cannot
// hold a connection and a goroutine forever.
type requestDeadlines struct {
	Body   time.Duration // a request body (JSON, or anything but an upload)
	Upload time.Duration // an attachment upload: Body per MiB of the size limit, plus one
	Write  time.Duration // a response that is not an attachment download
}

// deadlinesOf derives the per-request deadlines from the configuration.
// An upload gets --body-timeout once, plus once per MiB of the attachment
// size limit: with the defaults (30s, 4 MiB) 150 s, which a client sending
// at least 28 KiB/s meets.
func deadlinesOf(cfg Config) requestDeadlines {
	body := time.Duration(cfg.BodyTimeout)
	return requestDeadlines{
		Body:   body,
		Upload: body * time.Duration(1+cfg.AttachmentMaxMB),
		Write:  time.Duration(cfg.WriteTimeout),
	}
}

// bodyDeadlines sets the read deadline of a request that has a body and
// the write deadline of its response, per request (http.Server's own
// timeouts are one value for all). A body that does not arrive in time
// fails to read (the handler answers 408, or the connection is closed);
// once the body has been read the read deadline is lifted again, since the
// server's background read would otherwise cancel a long handler.
// Attachment downloads stream for as long as the client reads and have no
// write deadline.
func bodyDeadlines(next http.Handler, d requestDeadlines) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		// Errors mean the connection cannot take deadlines (an
		// httptest recorder); there is nothing to bound then.
		if isDownload(r) {
			_ = rc.SetWriteDeadline(time.Time{})
		} else if d.Write > 0 {
			_ = rc.SetWriteDeadline(now.Add(d.Write))
		}
		if r.Body != nil && r.Body != http.NoBody {
			limit := d.Body
			if isUpload(r) {
				limit = d.Upload
			}
			if limit > 0 && rc.SetReadDeadline(now.Add(limit)) == nil {
				r.Body = &liftDeadlineAtEOF{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isUpload reports whether r uploads attachments: UploadAccessory, or a
// console form with files.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == "/v2/servicerequest/accessorys" ||
		console.IsUpload(r)
}

// isDownload reports whether r may stream an attachment:
// DownloadAccessories, a signed download link or a console download.
func isDownload(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/files/") || console.IsDownload(r) {
		return true
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/v2/servicerequest/accessorys/")
	return ok && id != "limits" && id != "access-urls"
}

// liftDeadlineAtEOF clears the read deadline once the whole body has
// arrived.
type liftDeadlineAtEOF struct {
	io.ReadCloser
	rc     *http.ResponseController
	lifted bool
}

func (b *liftDeadlineAtEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// withClientAddr puts the client's IP address into the request context,
// where the Service's login limiter finds it. Behind a proxy or load
// balancer it is the proxy's address (docs/configuration.md).
func withClientAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := r.RemoteAddr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			addr = host
		}
		next.ServeHTTP(w, r.WithContext(casebook.NewContextWithClientAddr(r.Context(), addr)))
	})
}
