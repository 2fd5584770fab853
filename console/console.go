// Package console serves Casebook's web console: server-rendered pages for
// customers (tickets, authorizations, the confirm page) and for support
// engineers (the queue, access requests, the audited reveal of
// credentials). It calls the Service directly, like the JSON API does, and
// applies the same visibility rules: what another account or group owns is
// a plain "not found".
//
// Security: sessions are HMAC tokens (auth.Tokens) under a key of their
// own, so a session cookie is not an API token; every page is checked
// against the user's current epoch, so disabling a user, deleting them or
// changing their password ends their sessions on every replica at once.
// Every state-changing form carries a CSRF token; pages are sent with a
// Content-Security-Policy that allows no inline script or style.
package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionTTL is how long a console session lasts without logging in again.
const SessionTTL = 12 * time.Hour

// contentSecurityPolicy allows scripts, styles and images from the console
// itself only: no inline script, no inline style, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Handler serves the console. Create it with New.
type Handler struct {
	Service *casebook.Service
	Logger  *slog.Logger
	// SecureCookies marks cookies Secure even on plain-HTTP requests (the
	// server sits behind a TLS-terminating proxy). Requests that arrive
	// over TLS always get Secure cookies.
	SecureCookies bool
	// Now returns the current time; tests inject a clock.
	Now func() time.Time

	sessions *auth.Tokens
	csrfKey  []byte
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New returns a console handler. key is at least 32 bytes, normally
// auth.DeriveKey(master, "console"); every replica needs the same key.
func New(svc *casebook.Service, key []byte, logger *slog.Logger) (*Handler, error) {
	if len(key) < auth.KeySize {
		return nil, fmt.Errorf("console key is %d bytes, want at least %d", len(key), auth.KeySize)
	}
	if logger == nil {
		logger = slog.Default()
	}
	h := &Handler{
		Service:  svc,
		Logger:   logger,
		Now:      time.Now,
		sessions: &auth.Tokens{Key: subKey(key, "session"), TTL: SessionTTL},
		csrfKey:  subKey(key, "csrf"),
	}
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, err
	}
	h.mux = http.NewServeMux()
	h.routes()
	return h, nil
}

// subKey derives a key for one use from the console key.
func subKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("casebook/console/" + purpose))
	return m.Sum(nil)
}

// ServeHTTP sets the security headers every answer carries and serves r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}

// handlerFunc is a page handler; a returned error is rendered by fail.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// reqCtx is what a page handler knows about its request.
type reqCtx struct {
	P     *casebook.Principal // nil on public pages
	Lang  string
	Loc   *time.Location
	CSRF  string
	Group string // the customer's selected group, "" for none
}

// access says who may open a page.
type access int

const (
	public access = iota
	customerOnly
	engineerOnly
)

// handle registers a page. POST pages check the CSRF token before the
// handler runs.
func (h *Handler) handle(pattern string, who access, fn handlerFunc) {
	h.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := &reqCtx{Lang: h.language(r), Loc: location(r)}
		rc.CSRF = h.ensureCSRF(w, r)
		// The session is checked before the CSRF token, so that nobody
		// without one gets a form body (an upload) parsed.
		if who != public {
			p, err := h.principal(r)
			if err != nil {
				h.clearSession(w, r)
				login := "/login"
				if who == engineerOnly {
					login = "/engineer/login"
				}
				http.Redirect(w, r, login, http.StatusSeeOther)
				return
			}
			want := casebook.RealmCustomer
			if who == engineerOnly {
				want = casebook.RealmEngineer
			}
			if p.Realm != want {
				h.fail(w, r, rc, errNotFound)
				return
			}
			rc.P = p
			if p.Realm == casebook.RealmCustomer {
				rc.Group = selectedGroup(r, p)
			}
		}
		if r.Method == http.MethodPost {
			if err := h.checkCSRF(r); err != nil {
				h.fail(w, r, rc, err)
				return
			}
		}
		if err := fn(w, r, rc); err != nil {
			h.fail(w, r, rc, err)
		}
	}))
}

// errNotFound is the answer for anything the caller may not see.
var errNotFound = casebook.NotFoundf("Not found.")

// errBadCSRF refuses a form sent without a valid CSRF token.
var errBadCSRF = casebook.Errorf(casebook.EFORBIDDEN, "The form has expired or did not come from this site; reload the page and try again.")

// fail renders the error page for err with the status its kind calls for.
// Internal errors are logged and shown as a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	status := http.StatusInternalServerError
	switch casebook.ErrorCode(err) {
	case casebook.EINVALID:
		status = http.StatusBadRequest
	case casebook.ENOTFOUND:
		status = http.StatusNotFound
	case casebook.ECONFLICT:
		status = http.StatusConflict
	case casebook.EFORBIDDEN:
		status = http.StatusForbidden
	case casebook.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case casebook.ELIMIT:
		status = http.StatusTooManyRequests
	default:
		h.Logger.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	msg, detail := errorText(rc.Lang, err)
	if status == http.StatusNotFound {
		msg, detail = "", "" // the page says "not found"; the domain message may name the id kind
	}
	h.render(w, r, rc, status, "error.html", "Error", map[string]any{"Status": status, "Message": msg, "Detail": detail, "NotFound": status == http.StatusNotFound})
}

// page is the data of every template: the request context and the page's
// own data.
type page struct {
	Title string
	L     map[string]string
	Lang  string
	Loc   *time.Location
	User  *casebook.Principal
	CSRF  string
	Group string
	Path  string
	D     any
}

// render executes a page template. The page is built in memory first, so
// a template error never sends half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, name, titleKey string, data any) {
	t, ok := h.pages[name]
	if !ok {
		h.Logger.Error("console: no such template", "name", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	cat := catalog(rc.Lang)
	title := cat[titleKey]
	if title == "" {
		title = titleKey
	}
	back := r.URL.Path // where the language switch returns to
	if r.Method != http.MethodGet {
		back = "/"
	}
	p := page{Title: title, L: cat, Lang: rc.Lang, Loc: rc.Loc, User: rc.P, CSRF: rc.CSRF, Group: rc.Group, Path: back, D: data}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		h.Logger.Error("console: render", "template", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	if hd.Get("Cache-Control") == "" {
		hd.Set("Cache-Control", "no-cache, private")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[base] = t
	}
	if len(pages) == 0 {
		return nil, errors.New("console: no page templates")
	}
	return pages, nil
}

// KeyPurpose names the console's key, derived from the master key with
// auth.DeriveKey: sessions signed with it are not API tokens.
const KeyPurpose = "console"

// IsUpload reports whether r sends attachments to the console (a new
// ticket or a reply, multipart), so that a server bounds its body like an
// API upload rather than like a form.
func IsUpload(r *http.Request) bool {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return false
	}
	if r.URL.Path == "/tickets" {
		return true
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/tickets/")
	return ok && strings.HasSuffix(rest, "/messages") && strings.Count(rest, "/") == 1
}

// IsDownload reports whether r streams an attachment from the console,
// for as long as the client reads.
func IsDownload(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		(strings.HasPrefix(r.URL.Path, "/attachments/") || strings.HasPrefix(r.URL.Path, "/engineer/files/"))
}
