// Package client is a small typed HTTP client of Casebook's API: logins,
// the five seed endpoints of the OSM API, attachments, and the support
// API's requests for access. The load benchmark (cmd/casebook-bench) and
// the end-to-end tests (e2e) drive servers with it. It speaks the wire
// format as the official SDK does: a JSON Content-Type on every request,
// X-Auth-Token tokens or SDK-HMAC-SHA256 signatures.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/casebook/casebook/auth"
)

// Client sends requests to one Casebook server.
type Client struct {
	// BaseURL is the server's base URL without a trailing slash, such as
	// http://127.0.0.1:8080.
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Header holds headers added to every request (X-Language, say).
	Header http.Header
	// MaxBody bounds how much of an answer Send reads; 0 means 8 MiB.
	MaxBody int64
}

// New returns a client of the server at baseURL.
func New(baseURL string, hc *http.Client) *Client {
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), HTTP: hc}
}

// Credential puts a caller's proof of identity on a request.
type Credential interface {
	authorize(req *http.Request, body []byte) error
}

// Token is an X-Auth-Token token of a customer or an engineer.
type Token string

func (t Token) authorize(req *http.Request, _ []byte) error {
	req.Header.Set("X-Auth-Token", string(t))
	return nil
}

// AccessKey is an AK/SK pair that signs requests as the Huawei SDK does,
// for the account DomainID (sent as X-Domain-Id).
type AccessKey struct {
	ID       string
	Secret   string
	DomainID string
}

func (k AccessKey) authorize(req *http.Request, body []byte) error {
	req.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0 casebook-client")
	req.Header.Set("X-Domain-Id", k.DomainID)
	return auth.SignRequest(req, body, k.ID, k.Secret, time.Now())
}

// Response is an answer read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *Response) String() string { return fmt.Sprintf("%d %.300s", r.Status, r.Body) }

// ErrorCode returns the error_code of an OSM error envelope, or "".
func (r *Response) ErrorCode() string {
	var env struct {
		Code string `json:"error_code"`
	}
	json.Unmarshal(r.Body, &env)
	return env.Code
}

// StatusError is an answer with another status than the one expected.
type StatusError struct {
	Method, Path string
	Want         int
	Response     *Response
}

func (e *StatusError) Error() string {
	body := e.Response.Body
	if len(body) > 300 {
		body = append(body[:300:300], "..."...)
	}
	return fmt.Sprintf("%s %s: status %d, want %d: %s", e.Method, e.Path, e.Response.Status, e.Want, body)
}

// NewRequest returns a request of path (with its query) carrying body as
// JSON, with the client's headers and signed or authorized by cred (nil:
// anonymous). Like the SDK it sends a JSON Content-Type even without a
// body.
func (c *Client) NewRequest(ctx context.Context, method, path string, cred Credential, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if cred != nil {
		if err := cred.authorize(req, body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// Send sends a request with body (nil: none; []byte: sent as is; else
// encoded as JSON) and returns the answer whatever its status.
func (c *Client) Send(ctx context.Context, method, path string, cred Credential, body any) (*Response, error) {
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return nil, err
		}
	}
	req, err := c.NewRequest(ctx, method, path, cred, data)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// Do sends req and reads the answer in full.
func (c *Client) Do(req *http.Request) (*Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = 8 << 20
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// Call sends a request and decodes the JSON answer into out (if not nil);
// any status but want is a *StatusError.
func (c *Client) Call(ctx context.Context, method, path string, cred Credential, body any, want int, out any) (*Response, error) {
	res, err := c.Send(ctx, method, path, cred, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, stripQuery(path), err)
	}
	return res, res.expect(method, path, want, out)
}

func (r *Response) expect(method, path string, want int, out any) error {
	if r.Status != want {
		return &StatusError{Method: method, Path: stripQuery(path), Want: want, Response: r}
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, stripQuery(path), err)
		}
	}
	return nil
}

func stripQuery(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}
