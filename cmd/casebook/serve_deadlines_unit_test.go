package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// deadlineRecorder is a ResponseWriter that records the deadlines
// http.ResponseController sets on it.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	read, write []time.Time
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error { d.read = append(d.read, t); return nil }
func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.write = append(d.write, t)
	return nil
}

// TestBodyDeadlines checks which deadline each kind of request gets:
// bodies the body deadline (uploads the longer one), lifted once the body
// has been read; responses the write deadline, except downloads, which
// have none.
func TestBodyDeadlines(t *testing.T) {
	d := deadlinesOf(Config{BodyTimeout: Duration(10 * time.Second), WriteTimeout: Duration(time.Minute), AttachmentMaxMB: 4})
	if d.Upload != 50*time.Second {
		t.Fatalf("upload deadline %s, want 50s (10s x (1 + 4 MiB))", d.Upload)
	}
	for _, tc := range []struct {
		method, path, body string
		read               time.Duration // 0: none
		write              time.Duration // 0: cleared
	}{
		{"POST", "/v2/servicerequest/cases", "{}", d.Body, d.Write},
		{"POST", "/v2/servicerequest/accessorys", "--x", d.Upload, d.Write},
		{"GET", "/v2/servicerequest/cases", "", 0, d.Write},
		{"GET", "/v2/servicerequest/accessorys/limits", "", 0, d.Write},
		{"GET", "/v2/servicerequest/accessorys/access-urls", "", 0, d.Write},
		{"GET", "/v2/servicerequest/accessorys/AC1,AC2", "", 0, 0},
		{"GET", "/files/AC1", "", 0, 0},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			r := httptest.NewRequest(tc.method, tc.path, body)
			w := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
			start := time.Now()
			bodyDeadlines(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.ReadAll(r.Body)
			}), d).ServeHTTP(w, r)
			end := time.Now()

			within := func(got time.Time, want time.Duration) bool {
				return !got.Before(start.Add(want)) && !got.After(end.Add(want))
			}
			if len(w.write) != 1 || (tc.write == 0 && !w.write[0].IsZero()) || (tc.write != 0 && !within(w.write[0], tc.write)) {
				t.Errorf("write deadlines %v, want one at +%s (0: none)", w.write, tc.write)
			}
			if tc.read == 0 {
				if len(w.read) != 0 {
					t.Errorf("read deadlines %v for a request without a body", w.read)
				}
				return
			}
			if len(w.read) != 2 || !within(w.read[0], tc.read) || !w.read[1].IsZero() {
				t.Errorf("read deadlines %v, want +%s, then lifted at the end of the body", w.read, tc.read)
			}
		})
	}
}

// TestStreamingRoutes: the console's attachment forms and downloads get the
// upload and download deadlines, like the API's.
func TestStreamingRoutes(t *testing.T) {
	req := func(method, path, contentType string) *http.Request {
		r := httptest.NewRequest(method, path, nil)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r
	}
	const form = "multipart/form-data; boundary=x"
	for _, tc := range []struct {
		r                *http.Request
		upload, download bool
	}{
		{req("POST", "/v2/servicerequest/accessorys", form), true, false},
		{req("POST", "/tickets", form), true, false},
		{req("POST", "/tickets/CS1/messages", form), true, false},
		{req("POST", "/tickets", "application/x-www-form-urlencoded"), false, false},
		{req("POST", "/tickets/CS1/actions", form), false, false},
		{req("GET", "/v2/servicerequest/accessorys/AC1", ""), false, true},
		{req("GET", "/files/AC1", ""), false, true},
		{req("GET", "/attachments/AC1", ""), false, true},
		{req("GET", "/engineer/files/AC1", ""), false, true},
		{req("GET", "/tickets", ""), false, false},
	} {
		if got := isUpload(tc.r); got != tc.upload {
			t.Errorf("%s %s %s: upload %v, want %v", tc.r.Method, tc.r.URL.Path, tc.r.Header.Get("Content-Type"), got, tc.upload)
		}
		if got := isDownload(tc.r); got != tc.download {
			t.Errorf("%s %s: download %v, want %v", tc.r.Method, tc.r.URL.Path, got, tc.download)
		}
	}
}
