// Package http serves Casebook over HTTP: the Huawei OSM v2 customer API
// (/v2/servicerequest/...), the IAM subset the docs and SDKs rely on
// (/v3/...), the support engineers' API (/support/v1/...), signed file links
// (/files/...) and health checks. Huawei's wire format (snake_case DTOs, the
// error envelope, time strings) lives here and nowhere else.
package http

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strings"
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
	// groups, token epoch) and an access key's unsealed secret are reused
	// without a database read. Disabling or deleting a user or a key takes
	// effect on other replicas within this time.
	// Below one millisecond, nothing is cached.
	PrincipalCacheTTL time.Duration
	// SignatureSkew is the accepted difference between X-Sdk-Date and now.
	SignatureSkew time.Duration
	// Now returns the current time; tests inject a clock.
	Now func() time.Time
	// Console, when set, serves every path outside the API's (the web
	// console); see apiPath.
	Console http.Handler
	// ClientClock is the time the clients' X-Sdk-Date is compared with;
	// nil means Now. A server whose Now is moved by test controls sets it
	// to time.Now: clients sign with the real time.
	ClientClock func() time.Time
	// Observer, if set, is told about every request (metrics).
	Observer RequestObserver
	// Build is reported by /healthz.
	Build BuildInfo

	principals *principalCache
	accessKeys *accessKeyCache
	tokens     *tokenCache
}

// authMode says how a route authenticates its caller.
type authMode int

const (
	authNone     authMode = iota // health checks, token issue, signed links
	authCustomer                 // X-Auth-Token of a customer, or an AK/SK signature
	authEngineer                 // X-Auth-Token of a support engineer
)

// route is an operation bound to a server: what the mux serves.
type route struct {
	Method  string
	Pattern string // net/http pattern path, e.g. /v2/servicerequest/cases/{case_id}
	Op      string // operation name: the SDK operation name for OSM routes
	Auth    authMode
	Handle  func(w http.ResponseWriter, r *http.Request) error
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
	s.accessKeys = newAccessKeyCache(s.PrincipalCacheTTL)
	s.tokens = newTokenCache(s.PrincipalCacheTTL)
	return s.withRequestLog(s.newMux())
}

// newMux routes every entry of the operation table, and answers anything
// else in the error envelope.
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, op := range operations {
		mux.Handle(op.Method+" "+op.Path, s.endpoint(s.route(op)))
	}
	// Anything unmatched gets the error envelope instead of text/plain: 405
	// with Allow on a known path, 404 otherwise.
	mux.Handle("/", s.withConsole(s.endpoint(route{Op: "NotFound", Handle: func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			requestInfoFrom(r.Context()).Op = "MethodNotAllowed"
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return casebook.Errorf(casebook.EINVALID, "%s is not allowed on %s; allowed: %s.", r.Method, r.URL.Path, strings.Join(allow, ", ")).WithReason(reasonMethodNotAllowed)
		}
		return casebook.NotFoundf("No route for %s %s.", r.Method, r.URL.Path).WithReason(reasonNoRoute)
	}})))
	return mux
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

// checkJSONContentType refuses a request body declared as anything but
// application/json, instead of reading it as JSON anyway. The Content-Type
// of a request without a body is not looked at: the SDK sends
// application/json on every GET and DELETE. A body without a Content-Type
// is read as JSON. See docs/compatibility.md.
func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" || (r.ContentLength == 0 && len(r.TransferEncoding) == 0) {
		return nil
	}
	if mediaType, _, err := mime.ParseMediaType(ct); err == nil && mediaType == "application/json" {
		return nil
	}
	return casebook.Errorf(casebook.EINVALID, "The body must be application/json, not %q.", ct).WithReason(reasonMediaType)
}

// allowedMethods lists the methods the mux routes r's path for, other
// than the catch-all; none for an unknown path. HEAD comes with GET, as the
// mux serves it.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		probe := &http.Request{Method: method, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, method)
		}
	}
	return allow
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
	if err := s.Service.Ready(ctx); err != nil {
		s.Logger.Error("readiness check failed", "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
