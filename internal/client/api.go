package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"
)

// PasswordAuth is the body of a customer's POST /v3/auth/tokens: the
// user's password, scoped to their account (an IAM domain).
func PasswordAuth(account, user, password string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": user, "password": password, "domain": map[string]string{"name": account},
			}},
		},
		"scope": map[string]any{"domain": map[string]string{"name": account}},
	}}
}

// EngineerPasswordAuth is the body of POST /support/v1/auth/tokens.
func EngineerPasswordAuth(name, password string) map[string]any {
	return map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods":  []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": name, "password": password}},
	}}}
}

// Login returns the token of a customer user.
func (c *Client) Login(ctx context.Context, account, user, password string) (Token, error) {
	return c.login(ctx, "/v3/auth/tokens", PasswordAuth(account, user, password))
}

// LoginEngineer returns the token of a support engineer.
func (c *Client) LoginEngineer(ctx context.Context, name, password string) (Token, error) {
	return c.login(ctx, "/support/v1/auth/tokens", EngineerPasswordAuth(name, password))
}

func (c *Client) login(ctx context.Context, path string, body any) (Token, error) {
	res, err := c.Call(ctx, "POST", path, nil, body, http.StatusCreated, nil)
	if err != nil {
		return "", err
	}
	tok := res.Header.Get("X-Subject-Token")
	if tok == "" {
		return "", fmt.Errorf("POST %s: no X-Subject-Token in the answer", path)
	}
	return Token(tok), nil
}

// NewCase is what CreateCases needs, and a little more.
type NewCase struct {
	BusinessTypeID    string `json:"business_type_id"`
	IncidentSubTypeID string `json:"incident_sub_type_id,omitempty"`
	SeverityID        string `json:"severity_id,omitempty"`
	SimpleDescription string `json:"simple_description"`
}

// CreateCase opens a ticket and returns its id.
func (c *Client) CreateCase(ctx context.Context, cred Credential, in NewCase) (string, error) {
	var out struct {
		IncidentID string `json:"incident_id"`
	}
	if _, err := c.Call(ctx, "POST", "/v2/servicerequest/cases", cred, in, http.StatusOK, &out); err != nil {
		return "", err
	}
	if out.IncidentID == "" {
		return "", errors.New("POST /v2/servicerequest/cases: no incident_id in the answer")
	}
	return out.IncidentID, nil
}

// CreateRelations relates the tickets related to caseID.
func (c *Client) CreateRelations(ctx context.Context, cred Credential, caseID string, related []string) error {
	_, err := c.Call(ctx, "POST", RelationsPath(caseID), cred, RelationsBody(related), http.StatusOK, nil)
	return err
}

// RelationsPath is the path of CreateRelations.
func RelationsPath(caseID string) string { return "/v2/servicerequest/cases/" + caseID + "/relations" }

// RelationsBody is CreateRelations' body.
func RelationsBody(related []string) map[string]any {
	return map[string]any{"related_id_list": related}
}

// AuthorizationQuery is the query of ListAuthorizations.
type AuthorizationQuery struct {
	Limit, Offset int
	GroupID       string // widens a group member's list to the group's tickets
}

// AuthorizationsPath returns the path and query of ListAuthorizations.
func AuthorizationsPath(q AuthorizationQuery) string {
	p := "/v2/servicerequest/authorizations?limit=" + strconv.Itoa(q.Limit) + "&offset=" + strconv.Itoa(q.Offset)
	if q.GroupID != "" {
		p += "&group_id=" + q.GroupID
	}
	return p
}

// AuthorizationPage is the part of a ListAuthorizations answer clients
// read.
type AuthorizationPage struct {
	Count int `json:"count"`
	List  []struct {
		ID         string `json:"id"`
		IncidentID string `json:"incident_id"`
		Status     int    `json:"status"`
	} `json:"incident_auth_list"`
}

// ListAuthorizations returns a page of the authorizations the caller sees.
func (c *Client) ListAuthorizations(ctx context.Context, cred Credential, q AuthorizationQuery) (*AuthorizationPage, error) {
	var page AuthorizationPage
	if _, err := c.Call(ctx, "GET", AuthorizationsPath(q), cred, nil, http.StatusOK, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// AuthorizationPath is the path of ShowAuthorizationDetail and
// ConfirmAuthorizations.
func AuthorizationPath(id string) string { return "/v2/servicerequest/authorizations/" + id }

// AuthorizationStatus returns the status of an authorization through the
// OSM API (ShowAuthorizationDetail).
func (c *Client) AuthorizationStatus(ctx context.Context, cred Credential, id string) (int, error) {
	return c.status(ctx, cred, AuthorizationPath(id))
}

// EngineerAuthorizationStatus returns the status of an authorization
// through the support API.
func (c *Client) EngineerAuthorizationStatus(ctx context.Context, engineer Credential, id string) (int, error) {
	return c.status(ctx, engineer, "/support/v1/authorizations/"+id)
}

func (c *Client) status(ctx context.Context, cred Credential, path string) (int, error) {
	var out struct {
		Status *int `json:"status"`
	}
	if _, err := c.Call(ctx, "GET", path, cred, nil, http.StatusOK, &out); err != nil {
		return 0, err
	}
	if out.Status == nil {
		return 0, fmt.Errorf("GET %s: no status in the answer", path)
	}
	return *out.Status, nil
}

// Grant is ConfirmAuthorizations' body for one detail item: a password
// (empty: none; then Port and Account are sent as given) and the window
// [From, Until).
type Grant struct {
	DetailID    int64
	Port        int
	Account     string
	Password    string
	From, Until time.Time
}

// Body returns ConfirmAuthorizations' body.
func (g Grant) Body() map[string]any {
	d := map[string]any{"auth_detail_id": g.DetailID}
	if g.Port != 0 {
		d["port"] = g.Port
	}
	if g.Account != "" {
		d["account"] = g.Account
	}
	if g.Password != "" {
		d["password"] = g.Password
	}
	return map[string]any{
		"auth_detail_list":    []map[string]any{d},
		"auth_effective_time": g.From.UnixMilli(),
		"auth_expire_time":    g.Until.UnixMilli(),
	}
}

// ConfirmAuthorization grants a pending authorization.
func (c *Client) ConfirmAuthorization(ctx context.Context, cred Credential, id string, g Grant) error {
	_, err := c.Call(ctx, "PUT", AuthorizationPath(id), cred, g.Body(), http.StatusOK, nil)
	return err
}

// AccessRequest is an engineer's request for access to one host.
type AccessRequest struct {
	Describe     string
	InstanceID   string
	InstanceName string
	RegionID     string
	Port         int
	Account      string
}

// Body returns the support API's body of the request.
func (in AccessRequest) Body() map[string]any {
	return map[string]any{"resource_type_id": "1", "visit_type_id": "1", "content_type_id": "1",
		"auth_describe": in.Describe,
		"details": []map[string]any{{"type": 1, "instance_id": in.InstanceID, "instance_name": in.InstanceName,
			"region_id": in.RegionID, "port": in.Port, "account": in.Account}}}
}

// RequestAuthorizationPath is the support API's path of requests for
// access on a ticket.
func RequestAuthorizationPath(caseID string) string {
	return "/support/v1/cases/" + caseID + "/authorizations"
}

// Requested is an authorization the support API created: its id and the
// ids of its detail items.
type Requested struct {
	ID        string
	Status    int
	DetailIDs []int64
}

// RequestAuthorization has an engineer ask for SSH-style host access on a
// ticket through the support API.
func (c *Client) RequestAuthorization(ctx context.Context, engineer Credential, caseID string, in AccessRequest) (*Requested, error) {
	var out struct {
		ID      string `json:"id"`
		Status  int    `json:"status"`
		Details []struct {
			ID int64 `json:"id"`
		} `json:"details"`
	}
	path := RequestAuthorizationPath(caseID)
	if _, err := c.Call(ctx, "POST", path, engineer, in.Body(), http.StatusCreated, &out); err != nil {
		return nil, err
	}
	if out.ID == "" || len(out.Details) == 0 {
		return nil, fmt.Errorf("POST %s: the answer has no id or details", path)
	}
	r := &Requested{ID: out.ID, Status: out.Status}
	for _, d := range out.Details {
		r.DetailIDs = append(r.DetailIDs, d.ID)
	}
	return r, nil
}

// Upload is an attachment to upload in one multipart request.
type Upload struct {
	FileName    string
	ContentType string // of the file part; "" means application/octet-stream
	Content     []byte
}

// UploadRequest returns the multipart request of an upload.
func (c *Client) UploadRequest(ctx context.Context, cred Credential, u Upload) (*http.Request, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form, _ := json.Marshal(map[string]any{"fileName": u.FileName, "accessoryFrom": "incident", "uploadType": 0})
	if err := mw.WriteField("form_data", string(form)); err != nil {
		return nil, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+escapeQuotes(u.FileName)+`"`)
	ct := u.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, err
	}
	part.Write(u.Content)
	if err := mw.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+"/v2/servicerequest/accessorys", &body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if cred != nil {
		// A signature covers the body only for JSON; the SDK signs
		// uploads without it.
		if err := cred.authorize(req, nil); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// UploadAccessory uploads an attachment and returns its id.
func (c *Client) UploadAccessory(ctx context.Context, cred Credential, u Upload) (string, error) {
	req, err := c.UploadRequest(ctx, cred, u)
	if err != nil {
		return "", err
	}
	res, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", u.FileName, err)
	}
	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	if err := res.expect("POST", "/v2/servicerequest/accessorys", http.StatusOK, &out); err != nil {
		return "", err
	}
	if out.AccessoryID == "" {
		return "", errors.New("POST /v2/servicerequest/accessorys: no accessory_id in the answer")
	}
	return out.AccessoryID, nil
}

// AccessURLsPath is the path and query of ListAccessoryAccessUrls.
func AccessURLsPath(ids []string) string {
	return "/v2/servicerequest/accessorys/access-urls?" + url.Values{"accessory_ids": ids}.Encode()
}

func escapeQuotes(s string) string {
	b := []byte(nil)
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
