package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob/s3"
	"github.com/casebook/casebook/blob/s3/s3test"
	"github.com/minio/minio-go/v7"
)

// syncBuffer is a log sink the server writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startDeadlineServer runs serve's Server with short body deadlines and a
// customer account "acme"/"admin", and returns it with its log.
func startDeadlineServer(t *testing.T, bodyTimeout time.Duration) (*Server, *syncBuffer) {
	t.Helper()
	return startTestServer(t, bodyTimeout, "")
}

// startTestServer is startDeadlineServer with an attachment store: "" for
// the data directory's, or an s3:// URL.
func startTestServer(t *testing.T, bodyTimeout time.Duration, blobs string, options ...func(*Config)) (*Server, *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.BodyTimeout = Duration(bodyTimeout)
	cfg.AttachmentMaxMB = 1
	cfg.Blobs = blobs
	for _, o := range options {
		o(&cfg)
	}

	app, err := OpenApp(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	app.Service.Config.PasswordIterations = 1000
	if _, _, err := app.Service.CreateAccount(ctx, "acme", "admin", "Acme-pass-1"); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	s := &Server{Config: cfg, Logger: logger}
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// customerToken logs "acme"/"admin" in over HTTP.
func customerToken(t *testing.T, addr string) string {
	t.Helper()
	body := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"Acme-pass-1","domain":{"name":"acme"}}}},"scope":{"domain":{"name":"acme"}}}}`
	res, err := http.Post("http://"+addr+"/v3/auth/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("login: %d %s", res.StatusCode, b)
	}
	return res.Header.Get("X-Subject-Token")
}

// stalledRequest sends head, then the first bytes of a body announced as
// 100 bytes long, and stops sending without closing. It returns the status
// the server answers with and whether the server then closed the
// connection. The client's own deadline (a minute) only keeps a broken
// server from hanging the test; the server's bound is far shorter.
func stalledRequest(t *testing.T, addr, head, bodyStart string) (status int, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head+"Content-Length: 100\r\n\r\n"+bodyStart); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	_, err = br.ReadByte()
	var ne net.Error
	closed = errors.Is(err, io.EOF) || (err != nil && !(errors.As(err, &ne) && ne.Timeout()))
	return res.StatusCode, closed
}

// TestServer_StalledBodyIsBounded: a client that sends its headers and 5
// of 100 body bytes, then nothing, gets an answer and a closed connection
// within the body deadline, logged in or not, upload or JSON. Before
// --body-timeout the server held such connections for as long as the
// client kept them open.
func TestServer_StalledBodyIsBounded(t *testing.T) {
	s, logs := startDeadlineServer(t, 300*time.Millisecond)
	addr := s.Addr()

	t.Run("Anonymous", func(t *testing.T) {
		status, closed := stalledRequest(t, addr,
			"POST /v2/servicerequest/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", `{"bus`)
		if status < 400 || status >= 500 || !closed {
			t.Errorf("status %d, closed %v; want a 4xx and the connection closed", status, closed)
		}
	})
	t.Run("Login", func(t *testing.T) {
		status, closed := stalledRequest(t, addr,
			"POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", `{"aut`)
		if status < 400 || status >= 500 || !closed {
			t.Errorf("status %d, closed %v; want a 4xx and the connection closed", status, closed)
		}
	})
	t.Run("Upload", func(t *testing.T) {
		token := customerToken(t, addr)
		status, closed := stalledRequest(t, addr,
			"POST /v2/servicerequest/accessorys HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "+token+"\r\n"+
				"Content-Type: multipart/form-data; boundary=XyZ\r\n", "--XyZ")
		if status != http.StatusRequestTimeout || !closed {
			t.Errorf("status %d, closed %v; want 408 and the connection closed", status, closed)
		}
		waitForLog(t, logs, `status=408`)
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "level=ERROR") {
				t.Errorf("a stalled upload logged an error: %s", line)
			}
		}
	})
}

// waitForLog waits until the server's log holds want: the request log line
// is written after the response has been sent.
func waitForLog(t *testing.T, logs *syncBuffer, want string) {
	t.Helper()
	for i := 0; i < 200 && !strings.Contains(logs.String(), want); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), want) {
		t.Fatalf("log lacks %q:\n%s", want, logs.String())
	}
}

// TestServer_SlowBodyWithinBoundSucceeds: the deadline is a bound on a
// stalled body, not on a normal one; a JSON body sent in two pieces well
// inside the bound, and a handler that runs after it, are served.
func TestServer_SlowBodyWithinBoundSucceeds(t *testing.T) {
	s, _ := startDeadlineServer(t, 5*time.Second)
	token := customerToken(t, s.Addr())
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"business_type_id":"1","simple_description":"slow but fine"}`
	fmt.Fprintf(conn, "POST /v2/servicerequest/cases HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", token, len(body), body[:10])
	time.Sleep(100 * time.Millisecond)
	io.WriteString(conn, body[10:])
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v, %v", res.StatusCode, out, err)
	}
}

// TestServer_StalledUploadLeavesNothing: the upload cut off by the
// deadline stores no object and no row.
func TestServer_StalledUploadLeavesNothing(t *testing.T) {
	s, _ := startDeadlineServer(t, 300*time.Millisecond)
	token := customerToken(t, s.Addr())
	form := "--XyZ\r\nContent-Disposition: form-data; name=\"form_data\"\r\n\r\n{\"fileName\":\"a.txt\"}\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello"
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v2/servicerequest/accessorys HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s", token, len(form)+500, form)
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
	assertNoAttachments(t, s)
}

// assertNoAttachments checks that the attachment store holds no object
// and the database no attachment row.
func assertNoAttachments(t *testing.T, s *Server) {
	t.Helper()
	ctx := context.Background()
	var objects []string
	if store, ok := s.app.Blobs.(*s3.Store); ok {
		for obj := range store.Client().ListObjects(ctx, store.Bucket(), minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err != nil {
				t.Fatal(obj.Err)
			}
			objects = append(objects, obj.Key)
		}
	} else {
		filepath.WalkDir(filepath.Join(s.Config.Data, BlobsDirName), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				objects = append(objects, path)
			}
			return nil
		})
	}
	if len(objects) != 0 {
		t.Errorf("objects left behind: %v", objects)
	}
	err := s.app.Store.Read(ctx, func(tx casebook.Tx) error {
		accounts, err := tx.FindAccounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			users, err := tx.FindUsers(ctx, a.ID)
			if err != nil {
				return err
			}
			for _, u := range users {
				n, err := tx.SumUploadSize(ctx, u.ID, time.Time{})
				if err != nil {
					return err
				}
				if n != 0 {
					t.Errorf("user %s has %d bytes of attachments", u.Name, n)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServer_InterruptedUploadIsTheClients: an upload whose body ends
// early (the client half-closes: truncated) or whose client goes away
// (abandoned) is the client's error, a 400 logged at WARN with no ERROR
// line, and leaves no object and no row, on the directory store and on S3.
// It used to answer 500 and log "write blob: unexpected EOF" twice.
func TestServer_InterruptedUploadIsTheClients(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"fs": func(t *testing.T) string { return "" },
		"s3": func(t *testing.T) string {
			endpoint, accessKey, secretKey := s3test.StartMinIO(t)
			t.Setenv("CASEBOOK_S3_ACCESS_KEY", accessKey)
			t.Setenv("CASEBOOK_S3_SECRET_KEY", secretKey)
			return fmt.Sprintf("s3://interrupted-%d?endpoint=%s&insecure=true&create=true&region=us-east-1", time.Now().UnixNano(), endpoint)
		},
	}
	for name, blobs := range stores {
		t.Run(name, func(t *testing.T) {
			s, logs := startTestServer(t, 30*time.Second, blobs(t))
			token := customerToken(t, s.Addr())
			form := "--XyZ\r\nContent-Disposition: form-data; name=\"form_data\"\r\n\r\n{\"fileName\":\"a.txt\"}\r\n" +
				"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
				strings.Repeat("x", 40_000)
			head := fmt.Sprintf("POST /v2/servicerequest/accessorys HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n"+
				"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n", token, len(form)+100_000)

			t.Run("Truncated", func(t *testing.T) {
				conn, err := net.Dial("tcp", s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				io.WriteString(conn, head+form)
				conn.(*net.TCPConn).CloseWrite()
				conn.SetReadDeadline(time.Now().Add(time.Minute))
				res, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"OSM.0001"`) {
					t.Errorf("truncated upload: %d %s; want 400 OSM.0001", res.StatusCode, b)
				}
				waitForLog(t, logs, "status=400")
			})
			t.Run("Abandoned", func(t *testing.T) {
				before := strings.Count(logs.String(), "op=UploadAccessory")
				conn, err := net.Dial("tcp", s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(conn, head+form)
				time.Sleep(50 * time.Millisecond) // let the server start storing
				conn.Close()
				for i := 0; i < 500 && strings.Count(logs.String(), "op=UploadAccessory") == before; i++ {
					time.Sleep(10 * time.Millisecond)
				}
				if strings.Count(logs.String(), "op=UploadAccessory") == before {
					t.Fatalf("the abandoned upload was never logged:\n%s", logs.String())
				}
			})
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "level=ERROR") || strings.Contains(line, "status=5") {
					t.Errorf("an interrupted upload is logged as a server error: %s", line)
				}
			}
			assertNoAttachments(t, s)
		})
	}
}
