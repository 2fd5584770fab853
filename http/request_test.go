package http

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func TestRequestID(t *testing.T) {
	env := newTestEnv(t)
	get := func(id string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", env.HTTP.URL+"/healthz", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	t.Run("Kept", func(t *testing.T) {
		id := "caller-7f3a.b_2:x"
		if got := get(id).Header.Get("X-Request-Id"); got != id {
			t.Errorf("X-Request-Id = %q, want the caller's %q", got, id)
		}
		if !strings.Contains(env.Logs.String(), "request_id="+id+" ") {
			t.Errorf("the caller's id is not in the log:\n%s", env.Logs)
		}
	})
	t.Run("LongestKept", func(t *testing.T) {
		id := strings.Repeat("a", MaxRequestIDLength)
		if got := get(id).Header.Get("X-Request-Id"); got != id {
			t.Errorf("X-Request-Id of %d characters replaced by %q", len(id), got)
		}
	})
	for name, bad := range map[string]string{
		"TooLong": strings.Repeat("a", MaxRequestIDLength+1),
		"Space":   "a b",
		"Quote":   `a"b`,
		"Equals":  "a=b",
	} {
		t.Run("Replaced/"+name, func(t *testing.T) {
			got := get(bad).Header.Get("X-Request-Id")
			if got == "" || got == bad || len(got) != 32 {
				t.Errorf("malformed X-Request-Id %q answered with %q, want a new 32-hex id", bad, got)
			}
			if strings.Contains(env.Logs.String(), bad) {
				t.Errorf("malformed id %q reached the log", bad)
			}
		})
	}
	t.Run("Generated", func(t *testing.T) {
		a, b := get("").Header.Get("X-Request-Id"), get("").Header.Get("X-Request-Id")
		if len(a) != 32 || a == b {
			t.Errorf("generated ids %q and %q, want two different 32-hex ids", a, b)
		}
	})
}

func TestErrorCodeLogged(t *testing.T) {
	env := newTestEnv(t)
	req, _ := http.NewRequest("GET", env.HTTP.URL+"/v2/servicerequest/cases", nil)
	req.Header.Set("X-Request-Id", "no-token-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		ErrorCode string `json:"error_code"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != 401 || body.ErrorCode == "" {
		t.Fatalf("status %d, error code %q, want 401 with a code", res.StatusCode, body.ErrorCode)
	}
	var line string
	for _, l := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(l, "request_id=no-token-1") {
			line = l
		}
	}
	if !strings.Contains(line, "status=401") || !strings.Contains(line, "error_code="+body.ErrorCode) {
		t.Errorf("the 401's log line lacks its status or error code: %q", line)
	}
}

// observed records what a RequestObserver is told.
type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) ObserveRequest(op string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d < 0 {
		op = "negative-duration"
	}
	o.calls = append(o.calls, op+" "+http.StatusText(status))
}

func TestRequestObserver(t *testing.T) {
	env := newTestEnv(t)
	obs := &observed{}
	env.Server.Observer = obs
	for _, path := range []string{"/healthz", "/v2/servicerequest/cases", "/nowhere"} {
		res, err := http.Get(env.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	want := []string{"Healthz OK", "ListCases Unauthorized", "NotFound Not Found"}
	if strings.Join(obs.calls, ",") != strings.Join(want, ",") {
		t.Errorf("observed %q, want %q", obs.calls, want)
	}
}

// TestAccessLogLine pins the access log line of an authenticated request:
// its fields, in order, and nothing of the query string.
func TestAccessLogLine(t *testing.T) {
	env := newTestEnv(t)
	user := env.Account("acme").User("user")
	res := user.Do("GET", authorizationsPath+"?limit=10&offset=0", nil, "X-Request-Id", "log-fields-1").Expect(200)
	var line string
	for _, l := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(l, "request_id=log-fields-1") {
			line = l
		}
	}
	want := regexp.MustCompile(`^time=\S+ level=INFO msg=request request_id=log-fields-1 method=GET ` +
		`path=` + regexp.QuoteMeta(authorizationsPath) + ` op=ListAuthorizations status=200 ` +
		`bytes=` + strconv.Itoa(len(res.Body)) + ` duration_ms=\d+ ` +
		`realm=` + regexp.QuoteMeta(string(casebook.RealmCustomer)) + ` user_id=` + regexp.QuoteMeta(user.ID) + `$`)
	if !want.MatchString(line) {
		t.Errorf("access log line\n%q\ndoes not match\n%s", line, want)
	}
}
