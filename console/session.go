package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones of users, on hosts without /usr/share/zoneinfo

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// Cookie names. The session and CSRF cookies are HttpOnly and
// SameSite=Strict; the preference cookies hold no secret.
const (
	sessionCookie = "casebook_session"
	csrfCookie    = "casebook_csrf"
	groupCookie   = "casebook_group"
	langCookie    = "casebook_lang"
	tzCookie      = "casebook_tz"
)

// secure reports whether cookies set on the answer to r must be Secure.
func (h *Handler) secure(r *http.Request) bool { return h.SecureCookies || r.TLS != nil }

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/",
		MaxAge:   int(maxAge / time.Second),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode,
	})
}

func (h *Handler) deleteCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode,
	})
}

// startSession sets the session cookie for a user who just logged in.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, p *casebook.Principal, epoch int64) error {
	now := h.Now()
	tok, err := h.sessions.Issue(auth.Claims{Realm: p.Realm, UserID: p.UserID, AccountID: p.AccountID, Epoch: epoch, IssuedAt: now})
	if err != nil {
		return err
	}
	h.setCookie(w, r, sessionCookie, tok, SessionTTL)
	// A new CSRF secret per session: a token seen before the login is
	// worth nothing after it.
	h.setCookie(w, r, csrfCookie, newCSRFSecret(), SessionTTL)
	h.deleteCookie(w, r, groupCookie)
	return nil
}

func (h *Handler) clearSession(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(sessionCookie); err == nil {
		h.deleteCookie(w, r, sessionCookie)
		h.deleteCookie(w, r, groupCookie)
	}
}

// principal returns the user of r's session. Like the API's tokens, the
// session names the user's epoch: the user is read on every request, so
// a disabled, deleted or re-passworded user is logged out at once on every
// replica.
func (h *Handler) principal(r *http.Request) (*casebook.Principal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, casebook.Errorf(casebook.EUNAUTHORIZED, "Not logged in.")
	}
	claims, err := h.sessions.Verify(c.Value, h.Now())
	if err != nil {
		return nil, casebook.Errorf(casebook.EUNAUTHORIZED, "The session is not valid.")
	}
	p, epoch, err := h.Service.ResolvePrincipal(r.Context(), claims.Realm, claims.UserID)
	if err != nil {
		return nil, err
	}
	if epoch != claims.Epoch || (p.Realm == casebook.RealmCustomer && p.AccountID != claims.AccountID) {
		return nil, casebook.Errorf(casebook.EUNAUTHORIZED, "The session was ended.")
	}
	return p, nil
}

func newCSRFSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ensureCSRF returns the CSRF token for the forms of the page answering r,
// setting the CSRF cookie first if the browser has none. The token is an
// HMAC of the cookie: a page of another site can neither read the cookie
// nor compute the token.
func (h *Handler) ensureCSRF(w http.ResponseWriter, r *http.Request) string {
	secret := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 40 && len(c.Value) <= 64 {
		secret = c.Value
	} else {
		secret = newCSRFSecret()
		h.setCookie(w, r, csrfCookie, secret, SessionTTL)
		// The cookie reaches this request's handler too (login sets a
		// new one; others render forms with this token).
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: secret})
	}
	return h.csrfToken(secret)
}

func (h *Handler) csrfToken(secret string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses a state-changing request whose form token does not
// match its CSRF cookie, or that a browser says came from another site.
func (h *Handler) checkCSRF(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return errBadCSRF
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return errBadCSRF
		}
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return errBadCSRF
	}
	// The token is read from the query-free form: multipart forms are
	// parsed by the handler's first FormValue call, within its limits.
	if err := h.parseForm(r); err != nil {
		return err
	}
	got := r.PostFormValue("csrf")
	if got == "" || !hmac.Equal([]byte(got), []byte(h.csrfToken(c.Value))) {
		return errBadCSRF
	}
	return nil
}

// maxFormBytes bounds a form without files; multipart forms with files are
// bounded by the attachment limits.
const maxFormBytes = 1 << 20

// parseForm parses the body of a POST within its limits.
func (h *Handler) parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") {
		cfg := h.Service.Config
		r.Body = http.MaxBytesReader(nil, r.Body, cfg.AccessoryMaxSize*int64(max(cfg.AccessoryMaxCount, 1))+maxFormBytes)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return casebook.Errorf(casebook.EINVALID, "The upload is too large or malformed.")
		}
		return nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return casebook.Errorf(casebook.EINVALID, "The form is too large or malformed.")
	}
	return nil
}

// language returns the page language: the cookie set by the language
// switch, else Accept-Language (the first of zh or en that it names),
// else English.
func (h *Handler) language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == casebook.LangZhCN || c.Value == casebook.LangEnUS) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case strings.HasPrefix(tag, "zh"):
			return casebook.LangZhCN
		case strings.HasPrefix(tag, "en"):
			return casebook.LangEnUS
		}
	}
	return casebook.LangEnUS
}

// location returns the user's time zone: the cookie that console.js sets
// from the browser; UTC without one.
func location(r *http.Request) *time.Location {
	c, err := r.Cookie(tzCookie)
	if err != nil || c.Value == "" || len(c.Value) > 64 {
		return time.UTC
	}
	name, err := url.QueryUnescape(c.Value)
	if err != nil {
		return time.UTC
	}
	return zones.load(name)
}

// zoneCache keeps loaded time zones: LoadLocation reads a file each time.
// Names that fail to load are not kept, so the cache holds real zones
// only (a few hundred at most).
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]*time.Location
}

var zones = &zoneCache{zones: make(map[string]*time.Location)}

func (c *zoneCache) load(name string) *time.Location {
	c.mu.Lock()
	loc, ok := c.zones[name]
	c.mu.Unlock()
	if ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return time.UTC
	}
	c.mu.Lock()
	c.zones[name] = loc
	c.mu.Unlock()
	return loc
}

// selectedGroup returns the group a customer chose to work in, if they are
// still a member (the master user sees the whole account anyway).
func selectedGroup(r *http.Request, p *casebook.Principal) string {
	c, err := r.Cookie(groupCookie)
	if err != nil || c.Value == "" || !p.InGroup(c.Value) {
		return ""
	}
	return c.Value
}
