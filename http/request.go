package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// requestInfo is what the middleware learns about a request; handlers read
// it with requestInfoFrom.
type requestInfo struct {
	ID        string
	Op        string
	ErrorCode string         // the OSM error code of an error response, for the log
	Lang      string         // "zh-cn" or "en-us"
	Location  *time.Location // from X-Time-Zone, default GMT+8
	Principal *casebook.Principal
	// ClientClosed: the client went away before the answer (logged as 499).
	ClientClosed bool
}

type requestInfoKey struct{}

// requestInfoFrom returns the request's info; outside the middleware (in
// unit tests of helpers) it returns defaults.
func requestInfoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{Lang: "zh-cn", Location: defaultLocation}
}

// principal returns the authenticated caller of the request.
func principal(r *http.Request) *casebook.Principal { return requestInfoFrom(r.Context()).Principal }

var defaultLocation = time.FixedZone("GMT+8", 8*3600)

// parseContextHeaders reads X-Language and X-Time-Zone (documented: 1..32
// characters). Unknown languages fall back to the default, zh-cn; a time
// zone that cannot be parsed is an error, because silently using another
// zone would shift the caller's time filters.
func (info *requestInfo) parseContextHeaders(r *http.Request) error {
	info.Lang = "zh-cn"
	info.Location = defaultLocation
	if v, ok := headerValue(r, "X-Language"); ok {
		if err := casebook.CheckLength("X-Language", v, 1, casebook.MaxContextHeaderLength); err != nil {
			return err
		}
		info.Lang = casebook.NormalizeLanguage(v)
	}
	if v, ok := headerValue(r, "X-Time-Zone"); ok {
		loc, err := parseTimeZone(v)
		if err != nil {
			return err
		}
		info.Location = loc
	}
	return nil
}

func headerValue(r *http.Request, name string) (string, bool) {
	vs, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return strings.TrimSpace(vs[0]), true
}

var gmtOffset = regexp.MustCompile(`^(?i:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$`)

// parseTimeZone accepts GMT+8, GMT+08:00, GMT-0530, UTC, UTC+8 and IANA
// names such as Asia/Shanghai.
func parseTimeZone(v string) (*time.Location, error) {
	if err := casebook.CheckLength("X-Time-Zone", v, 1, casebook.MaxContextHeaderLength); err != nil {
		return nil, err
	}
	if m := gmtOffset.FindStringSubmatch(v); m != nil {
		if m[1] == "" {
			return time.UTC, nil
		}
		h, _ := strconv.Atoi(m[2])
		min := 0
		if m[3] != "" {
			min, _ = strconv.Atoi(m[3])
		}
		if h > 14 || min > 59 {
			return nil, casebook.Invalidf("X-Time-Zone", "X-Time-Zone %q is out of range (GMT-14 to GMT+14).", v)
		}
		off := h*3600 + min*60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(strings.ToUpper(v), off), nil
	}
	if strings.Contains(v, "/") {
		if loc, err := time.LoadLocation(v); err == nil {
			return loc, nil
		}
	}
	return nil, casebook.Invalidf("X-Time-Zone", "X-Time-Zone %q is not a time zone; use a form such as GMT+8, GMT+08:00 or Asia/Shanghai.", v)
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// RequestObserver is told about every answered request: the metrics
// package counts them. It must be safe for concurrent use.
type RequestObserver interface {
	ObserveRequest(op string, status int, duration time.Duration)
}

// BuildInfo names the running build; /healthz reports it.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
}

// withRequestLog gives every request an id (X-Request-Id, which the SDK
// surfaces in its errors): the caller's own when it is well formed, so that
// one id follows a request through the caller's logs and ours, else a new
// one. It recovers panics, logs one line per request and tells the
// Observer. The log line carries the path but never the query string,
// headers or body: signed links, tokens and credentials travel there.
func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.Now()
		var began time.Time // the observed latency ignores an offset test clock
		if s.Observer != nil {
			began = time.Now()
		}
		id, ok := headerValue(r, "X-Request-Id")
		if !ok || !wellFormedRequestID(id) {
			id = newRequestID()
		}
		// One allocation for what the middleware keeps per request.
		st := &requestState{
			info:     requestInfo{ID: id, Lang: "zh-cn", Location: defaultLocation},
			rec:      statusRecorder{ResponseWriter: w},
			idHeader: [1]string{id},
		}
		info, rec := &st.info, &st.rec
		w.Header()["X-Request-Id"] = st.idHeader[:]
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic serving request", "request_id", info.ID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.writeError(rec, r, fmt.Errorf("panic: %v", v))
				}
			}
			status := rec.status
			level := slog.LevelInfo
			switch {
			case info.ClientClosed:
				status = StatusClientClosedRequest // info: not a fault of the server
			case status >= 500:
				level = slog.LevelError
			case status >= 400:
				level = slog.LevelWarn
			}
			if s.Logger.Enabled(r.Context(), level) {
				s.logRequest(r, level, info, status, rec.bytes, s.Now().Sub(start))
			}
			if s.Observer != nil {
				if status == 0 {
					status = http.StatusOK // nothing written: net/http sends 200
				}
				s.Observer.ObserveRequest(info.Op, status, time.Since(began))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestState is what withRequestLog allocates per request, in one piece:
// the request's info, its status recorder and the X-Request-Id header's
// value.
type requestState struct {
	info     requestInfo
	rec      statusRecorder
	idHeader [1]string
}

// logRequest writes the access log line. Typed attributes (LogAttrs) spare
// the boxing of every value that Log's key-value pairs cost.
func (s *Server) logRequest(r *http.Request, level slog.Level, info *requestInfo, status int, bytes int64, took time.Duration) {
	var buf [11]slog.Attr
	attrs := append(buf[:0],
		slog.String("request_id", info.ID),
		slog.String("method", r.Method),
		slog.String("path", logPath(r)),
		slog.String("op", info.Op),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Int64("duration_ms", took.Milliseconds()))
	if info.ErrorCode != "" {
		attrs = append(attrs, slog.String("error_code", info.ErrorCode))
	}
	if p := info.Principal; p != nil {
		attrs = append(attrs, slog.String("realm", string(p.Realm)), slog.String("user_id", p.UserID))
	}
	s.Logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// StatusClientClosedRequest is the status logged (and observed) for a
// request whose client went away before its answer, as nginx logs it.
const StatusClientClosedRequest = 499

// MaxRequestIDLength bounds a caller's X-Request-Id that is kept.
const MaxRequestIDLength = 128

// wellFormedRequestID reports whether a caller's X-Request-Id can be kept:
// 1 to MaxRequestIDLength letters, digits, '-', '_', '.' or ':'. Anything
// else (spaces, quotes, control characters) could forge or break log lines,
// so it is replaced.
func wellFormedRequestID(id string) bool {
	if len(id) < 1 || len(id) > MaxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// logPath is the path as logged: signed file links are reduced to their
// route so that nothing of the link can be replayed from logs.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/files/") {
		return "/files/..."
	}
	return r.URL.Path
}

func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
