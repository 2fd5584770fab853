// Package http serves Casebook over HTTP: the Huawei OSM v2 customer API
// (/v2/servicerequest/...), the IAM subset the docs and SDKs rely on
// (/v3/...), the support engineers' API (/support/v1/...), signed file links
// (/files/...) and health checks. Huawei's wire format (snake_case DTOs, the
// error envelope, time strings) lives here and nowhere else.
package http

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// Server holds the dependencies of the HTTP layer. The zero values of the
// optional fields are replaced by defaults in Handler.
type Server struct {
	Service *casebook.Service
	Tokens  *auth.Tokens
	Links   *auth.Links
	// TemporaryKeys issues and checks temporary access keys
	// (POST /v3.0/OS-CREDENTIAL/securitytokens, X-Security-Token); nil
	// refuses them.
	TemporaryKeys *auth.TemporaryKeys
	Logger        *slog.Logger
	// BaseURL is the public base URL used in download links, e.g.
	// "https://casebook.example.com"; "" derives it from the request.
	BaseURL string
	// PrincipalCacheTTL bounds how long a resolved user (enabled flag,
	// groups, token epoch) is reused without a database read. Disabling or
	// deleting a user takes effect on other replicas within this time.
	// Below one millisecond, nothing is cached.
	PrincipalCacheTTL time.Duration
	// SignatureSkew is the accepted difference between X-Sdk-Date and now.
	SignatureSkew time.Duration
	// Now returns the current time; tests inject a clock.
	Now func() time.Time
	// ClientClock is the time the clients' X-Sdk-Date is compared with;
	// nil means Now. A server whose Now is moved by test controls sets it
	// to time.Now: clients sign with the real time.
	ClientClock func() time.Time
	// Observer, if set, is told about every request (metrics).
	Observer RequestObserver
	// Build is reported by /healthz.
	Build BuildInfo

	principals *principalCache
}

// authMode says how a route authenticates its caller.
type authMode int

const (
	authNone     authMode = iota // health checks, token issue, signed links
	authCustomer                 // X-Auth-Token of a customer, or an AK/SK signature
	authEngineer                 // X-Auth-Token of a support engineer
)

// route is one entry of the routing table. Every route of the server is
// listed by routes(), which the OpenAPI test compares with openapi.yaml.
type route struct {
	Method  string
	Pattern string // net/http pattern path, e.g. /v2/servicerequest/cases/{case_id}
	Op      string // operation id: the SDK operation name for OSM routes
	Auth    authMode
	Handle  func(w http.ResponseWriter, r *http.Request) error
}

// routes lists every route of the server, by area.
func (s *Server) routes() []route {
	rs := []route{
		{"GET", "/healthz", "Healthz", authNone, s.handleHealthz},
		{"GET", "/readyz", "Readyz", authNone, s.handleReadyz},
	}
	rs = append(rs, s.iamRoutes()...)
	rs = append(rs, s.caseRoutes()...)
	rs = append(rs, s.accessoryRoutes()...)
	rs = append(rs, s.relationRoutes()...)
	rs = append(rs, s.authorizationRoutes()...)
	rs = append(rs, s.supportRoutes()...)
	rs = append(rs, s.docRoutes()...)
	return rs
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.ClientClock == nil {
		s.ClientClock = s.Now
	}
	if s.PrincipalCacheTTL == 0 {
		s.PrincipalCacheTTL = 5 * time.Second
	}
	if s.SignatureSkew == 0 {
		s.SignatureSkew = 15 * time.Minute
	}
	s.principals = newPrincipalCache(s.PrincipalCacheTTL)

	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.endpoint(rt))
	}
	for _, rt := range s.unimplementedRoutes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.endpoint(rt))
	}
	// Anything unmatched gets the error envelope instead of text/plain.
	mux.Handle("/", s.endpoint(route{Op: "NotFound", Handle: func(w http.ResponseWriter, r *http.Request) error {
		return casebook.NotFoundf("No route for %s %s.", r.Method, r.URL.Path).WithReason(reasonNoRoute)
	}}))
	return s.withRequestLog(mux)
}

// NotFound returns the answer to a path no route serves, the 404 envelope,
// logged and observed like any request. Call it after Handler. It is for
// programs that put handlers of their own in front of Handler (metrics,
// test controls) and answer the paths they leave unserved like any unknown
// API path.
func (s *Server) NotFound() http.Handler {
	return s.withRequestLog(s.endpoint(route{Op: "NotFound", Handle: func(w http.ResponseWriter, r *http.Request) error {
		return casebook.NotFoundf("No route for %s %s.", r.Method, r.URL.Path).WithReason(reasonNoRoute)
	}}))
}

// endpoint adapts a route's handler: it reads the context headers,
// authenticates the caller, and sends any returned error to writeError.
func (s *Server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		info.Op = rt.Op
		err := s.serveRoute(w, r, rt, info)
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt route, info *requestInfo) error {
	if err := info.parseContextHeaders(r); err != nil {
		return err
	}
	switch rt.Auth {
	case authCustomer:
		p, err := s.authenticateCustomer(r)
		if err != nil {
			return err
		}
		info.Principal = p
	case authEngineer:
		p, err := s.authenticateEngineer(r)
		if err != nil {
			return err
		}
		info.Principal = p
	}
	return rt.Handle(w, r)
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		BuildInfo
	}{"ok", s.Build})
}

// handleReadyz reports whether the store answers, for load balancers.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.Service.Store.Read(ctx, func(tx casebook.Tx) error {
		_, err := tx.FindAccounts(ctx)
		return err
	})
	if err != nil {
		s.Logger.Error("readiness check failed", "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
