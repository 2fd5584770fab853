package http

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// The IAM subset (shared/spec/auth/iam.md): password tokens as the OSM docs
// use them, token introspection, the domain lookup the Huawei SDK makes to
// find its account id, and Huawei IAM's permanent access key endpoints so
// that customers can manage their own AK/SK pairs. Errors on /v3 and /v3.0
// paths carry a Keystone error object besides the OSM pair (errors.go).

// iamTimeLayout is how IAM writes times: UTC with microseconds and a Z
// (Huawei's examples: 2015-11-09T01:42:57.527363Z).
const iamTimeLayout = "2006-01-02T15:04:05.000000Z"

func formatIAMTime(t time.Time) string { return t.UTC().Format(iamTimeLayout) }

// iamRef is an {id, name} pair: a domain, a role, a scope.
type iamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// passwordAuthRequest is Keystone's password authentication body.
type passwordAuthRequest struct {
	Auth *struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User struct {
					ID       string  `json:"id"`
					Name     string  `json:"name"`
					Password string  `json:"password"`
					Domain   *iamRef `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope *struct {
			Domain  *iamRef `json:"domain"`
			Project *struct {
				ID     string  `json:"id"`
				Name   string  `json:"name"`
				Domain *iamRef `json:"domain"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// passwordLogin is the validated identity of a password request.
type passwordLogin struct {
	UserID, UserName     string
	DomainID, DomainName string
	Password             string
}

func (req *passwordAuthRequest) login() (passwordLogin, error) {
	if req.Auth == nil {
		return passwordLogin{}, casebook.Invalidf("auth", "auth.identity is required.")
	}
	id := req.Auth.Identity
	hasPassword := false
	for _, m := range id.Methods {
		if m == "password" {
			hasPassword = true
		}
	}
	if !hasPassword {
		return passwordLogin{}, casebook.Invalidf("auth.identity.methods", "Only the password method is supported: send \"methods\": [\"password\"].")
	}
	if id.Password == nil {
		return passwordLogin{}, casebook.Invalidf("auth.identity.password", "auth.identity.password.user is required.")
	}
	u := id.Password.User
	l := passwordLogin{UserID: u.ID, UserName: u.Name, Password: u.Password}
	if u.Domain != nil {
		l.DomainID, l.DomainName = u.Domain.ID, u.Domain.Name
	}
	for _, f := range []struct{ field, v string }{
		{"user.id", l.UserID}, {"domain.id", l.DomainID},
	} {
		if err := checkLength(f.field, f.v, 0, casebook.MaxIAMIDLength); err != nil {
			return l, err
		}
	}
	for _, f := range []struct{ field, v string }{
		{"user.name", l.UserName}, {"domain.name", l.DomainName},
	} {
		if err := checkLength(f.field, f.v, 0, casebook.MaxNameLength); err != nil {
			return l, err
		}
	}
	if err := checkLength("user.password", l.Password, 1, casebook.MaxPasswordLength); err != nil {
		return l, err
	}
	if l.UserID == "" && l.UserName == "" {
		return l, casebook.Invalidf("user", "Name the user: user.name with user.domain, or user.id.")
	}
	return l, nil
}

// tokenResponse is Keystone's token body.
type tokenResponse struct {
	Token tokenInfo `json:"token"`
}

type tokenInfo struct {
	Methods   []string       `json:"methods"`
	IssuedAt  string         `json:"issued_at"`
	ExpiresAt string         `json:"expires_at"`
	User      tokenUser      `json:"user"`
	Domain    *iamRef        `json:"domain,omitempty"`
	Project   *tokenProject  `json:"project,omitempty"`
	Catalog   []catalogEntry `json:"catalog,omitempty"`
	Roles     []iamRef       `json:"roles"`
}

type tokenUser struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Domain            *iamRef `json:"domain,omitempty"`
	PasswordExpiresAt string  `json:"password_expires_at"`
}

type tokenProject struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain iamRef `json:"domain"`
}

type catalogEntry struct {
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Endpoints []catalogEndpoint `json:"endpoints"`
}

type catalogEndpoint struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

// selfURL is the base URL clients reach this server at, for the catalog,
// links in IAM bodies and download links: Server.BaseURL when set (it must
// be behind a proxy that terminates TLS), else the scheme of this
// connection and the request's Host. Forwarded headers are not trusted.
func (s *Server) selfURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// tokenBody builds the token body for a principal; scope is the project
// the caller asked for, if any (Casebook has no projects: it is echoed).
func (s *Server) tokenBody(r *http.Request, p *casebook.Principal, claims auth.Claims, project *tokenProject) tokenResponse {
	t := tokenInfo{
		Methods:   []string{"password"},
		IssuedAt:  formatIAMTime(claims.IssuedAt),
		ExpiresAt: formatIAMTime(claims.ExpiresAt),
		User:      tokenUser{ID: p.UserID, Name: p.UserName},
	}
	base := s.selfURL(r)
	if p.Realm == casebook.RealmEngineer {
		t.Roles = []iamRef{{ID: "0", Name: "support_engineer"}}
		t.Catalog = []catalogEntry{{Type: "support", ID: "casebook-support", Name: "casebook-support",
			Endpoints: []catalogEndpoint{{ID: "casebook-support-public", Interface: "public", Region: "*", RegionID: "*", URL: base + "/support/v1"}}}}
	} else {
		domain := iamRef{ID: p.AccountID, Name: p.AccountName}
		t.User.Domain = &domain
		if project != nil {
			project.Domain = domain
			t.Project = project
		} else {
			t.Domain = &domain
		}
		role := "te_user"
		if p.IsMaster {
			role = "te_admin"
		}
		t.Roles = []iamRef{{ID: "0", Name: role}}
		t.Catalog = []catalogEntry{
			{Type: "identity", ID: "casebook-iam", Name: "iam",
				Endpoints: []catalogEndpoint{{ID: "casebook-iam-public", Interface: "public", Region: "*", RegionID: "*", URL: base + "/v3"}}},
			{Type: "osm", ID: "casebook-osm", Name: "osm",
				Endpoints: []catalogEndpoint{{ID: "casebook-osm-public", Interface: "public", Region: "*", RegionID: "*", URL: base}}},
		}
	}
	if newQuery(r).Has("nocatalog") {
		t.Catalog = nil
	}
	return tokenResponse{Token: t}
}

// handleIssueToken is POST /v3/auth/tokens with the password method.
func (s *Server) handleIssueToken(w http.ResponseWriter, r *http.Request) error {
	var req passwordAuthRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	l, err := req.login()
	if err != nil {
		return err
	}
	ctx := r.Context()
	accountName, userName, err := s.loginNames(ctx, l)
	if err != nil {
		return err
	}
	p, epoch, err := s.Service.LoginCustomer(ctx, accountName, userName, l.Password)
	if casebook.ErrorCode(err) == casebook.EUNAUTHORIZED {
		return casebook.Errorf(casebook.EUNAUTHORIZED, "Check the domain name, user name and password.").WithReason(reasonLoginFailed)
	} else if err != nil {
		return err
	}

	// Any scope is accepted (OSM is a global service) as long as it does not
	// name another account.
	var project *tokenProject
	if sc := req.Auth.Scope; sc != nil {
		refs := []*iamRef{sc.Domain}
		if sc.Project != nil {
			refs = append(refs, sc.Project.Domain)
			project = &tokenProject{ID: sc.Project.ID, Name: sc.Project.Name}
			if project.ID == "" {
				project.ID = project.Name
			} else if project.Name == "" {
				project.Name = project.ID
			}
		}
		for _, ref := range refs {
			if ref != nil && ((ref.ID != "" && ref.ID != p.AccountID) || (ref.Name != "" && ref.Name != p.AccountName)) {
				return authError(reasonDomain, "The scope names another account than the user's.")
			}
		}
	}
	return s.issueToken(w, r, p, epoch, project)
}

// loginNames turns a login by ids into the account and user names the
// Service logs in with. An id that matches nothing yields empty names, so
// that the failure looks, and takes as long, as any other.
func (s *Server) loginNames(ctx context.Context, l passwordLogin) (accountName, userName string, err error) {
	if l.UserID == "" && l.DomainID == "" {
		if l.DomainName == "" {
			return "", "", casebook.Invalidf("user.domain", "user.domain (name or id) is required with user.name.")
		}
		return l.DomainName, l.UserName, nil
	}
	return s.Service.LoginNames(ctx, casebook.LoginRef{AccountID: l.DomainID, AccountName: l.DomainName, UserID: l.UserID, UserName: l.UserName})
}

// issueToken answers a successful login: 201, X-Subject-Token and the body.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, p *casebook.Principal, epoch int64, project *tokenProject) error {
	now := s.Now().UTC().Truncate(time.Millisecond)
	claims := auth.Claims{Realm: p.Realm, UserID: p.UserID, AccountID: p.AccountID, Epoch: epoch, IssuedAt: now}
	tok, err := s.Tokens.Issue(claims)
	if err != nil {
		return err
	}
	if claims, err = s.Tokens.Verify(tok, now); err != nil {
		return err // the expiry Issue chose; cannot fail for a fresh token
	}
	w.Header().Set("X-Subject-Token", tok)
	return writeJSON(w, http.StatusCreated, s.tokenBody(r, p, claims, project))
}

// handleIssueEngineerToken is POST /support/v1/auth/tokens: the same body
// as IAM's, for support engineers; user.domain is optional and ignored.
func (s *Server) handleIssueEngineerToken(w http.ResponseWriter, r *http.Request) error {
	var req passwordAuthRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	l, err := req.login()
	if err != nil {
		return err
	}
	if l.UserName == "" {
		return casebook.Invalidf("user.name", "user.name is required.")
	}
	p, epoch, err := s.Service.LoginEngineer(r.Context(), l.UserName, l.Password)
	if casebook.ErrorCode(err) == casebook.EUNAUTHORIZED {
		return casebook.Errorf(casebook.EUNAUTHORIZED, "Check the engineer name and password.").WithReason(reasonLoginFailed)
	} else if err != nil {
		return err
	}
	return s.issueToken(w, r, p, epoch, nil)
}

// handleValidateToken is GET and HEAD /v3/auth/tokens: X-Auth-Token
// authenticates the caller, X-Subject-Token is the token checked. A caller
// may check their own tokens; an account's master user those of its users.
func (s *Server) handleValidateToken(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.authenticateAny(r)
	if err != nil {
		return err
	}
	requestInfoFrom(r.Context()).Principal = caller

	subject := strings.TrimSpace(r.Header.Get("X-Subject-Token"))
	if subject == "" {
		return casebook.Invalidf("X-Subject-Token", "The X-Subject-Token header is required.")
	}
	notFound := casebook.NotFoundf("The subject token is invalid, expired or revoked.")
	if len(subject) > casebook.MaxAuthTokenLength {
		return notFound
	}
	p, claims, err := s.tokenPrincipal(r.Context(), subject, "")
	if casebook.ErrorCode(err) == casebook.EUNAUTHORIZED {
		return notFound
	} else if err != nil {
		return err
	}
	sameUser := p.Realm == caller.Realm && p.UserID == caller.UserID
	masterOfAccount := caller.Realm == casebook.RealmCustomer && caller.IsMaster &&
		p.Realm == casebook.RealmCustomer && p.AccountID == caller.AccountID
	if !sameUser && !masterOfAccount {
		return casebook.Errorf(casebook.EFORBIDDEN, "You may check your own tokens only (an account's master user: those of its users).")
	}
	w.Header().Set("X-Subject-Token", subject)
	return writeJSON(w, http.StatusOK, s.tokenBody(r, p, claims, nil))
}

// authDomain is one item of GET /v3/auth/domains.
type authDomain struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Enabled     bool              `json:"enabled"`
	Description string            `json:"description"`
	Links       map[string]string `json:"links"`
}

// handleListAuthDomains is GET /v3/auth/domains: exactly the caller's
// account. The Huawei SDK calls it (signed) to learn its domain id.
func (s *Server) handleListAuthDomains(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	base := s.selfURL(r)
	return writeJSON(w, http.StatusOK, map[string]any{
		"domains": []authDomain{{
			ID: p.AccountID, Name: p.AccountName, Enabled: true, Description: "",
			Links: map[string]string{"self": base + "/v3/domains/" + p.AccountID},
		}},
		"links": map[string]any{"self": base + "/v3/auth/domains", "previous": nil, "next": nil},
	})
}

// Permanent access keys (Huawei IAM /v3.0/OS-CREDENTIAL/credentials). Who
// may manage which keys is the Service's rule (the ...AccessKeyFor
// methods); these handlers only translate the wire format.

// credentialInfo is one key as IAM shows it. Secret is set only in the
// answer to its creation.
type credentialInfo struct {
	Access      string `json:"access"`
	Secret      string `json:"secret,omitempty"`
	Status      string `json:"status"`
	UserID      string `json:"user_id"`
	CreateTime  string `json:"create_time"`
	Description string `json:"description"`
}

func toCredentialInfo(k *casebook.AccessKey) credentialInfo {
	status := "inactive"
	if k.Enabled {
		status = "active"
	}
	return credentialInfo{Access: k.ID, Status: status, UserID: k.UserID, CreateTime: formatIAMTime(k.CreatedAt),
		Description: k.Description}
}

// credentialKey returns the key named in the path if the caller may
// manage it.
func (s *Server) credentialKey(r *http.Request) (*casebook.AccessKey, error) {
	ak := r.PathValue("access_key")
	if ak == "" || len(ak) > casebook.MaxIAMIDLength {
		return nil, casebook.NotFoundf("The access key does not exist.")
	}
	return s.Service.GetAccessKeyFor(r.Context(), principal(r), ak)
}

type credentialRequest struct {
	Credential *struct {
		UserID      string  `json:"user_id"`
		Description *string `json:"description"`
		Status      *string `json:"status"`
	} `json:"credential"`
}

func (s *Server) handleCreateCredential(w http.ResponseWriter, r *http.Request) error {
	var req credentialRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Credential == nil {
		return casebook.Invalidf("credential", "credential is required.")
	}
	var description string
	if req.Credential.Description != nil {
		description = *req.Credential.Description
	}
	if err := checkLength("description", description, 0, casebook.MaxAccessKeyDescription); err != nil {
		return err
	}
	if err := checkLength("user_id", req.Credential.UserID, 0, casebook.MaxIAMIDLength); err != nil {
		return err
	}
	key, secret, err := s.Service.CreateAccessKeyFor(r.Context(), principal(r), req.Credential.UserID, description)
	if err != nil {
		return err
	}
	info := toCredentialInfo(key)
	info.Secret = secret
	return writeJSON(w, http.StatusCreated, map[string]credentialInfo{"credential": info})
}

func (s *Server) handleListCredentials(w http.ResponseWriter, r *http.Request) error {
	userID, err := newQuery(r).String("user_id", casebook.MaxIAMIDLength)
	if err != nil {
		return err
	}
	keys, err := s.Service.ListAccessKeysFor(r.Context(), principal(r), userID)
	if err != nil {
		return err
	}
	list := make([]credentialInfo, 0, len(keys))
	for _, k := range keys {
		list = append(list, toCredentialInfo(k))
	}
	return writeJSON(w, http.StatusOK, map[string][]credentialInfo{"credentials": list})
}

func (s *Server) handleShowCredential(w http.ResponseWriter, r *http.Request) error {
	key, err := s.credentialKey(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]credentialInfo{"credential": toCredentialInfo(key)})
}

func (s *Server) handleUpdateCredential(w http.ResponseWriter, r *http.Request) error {
	key, err := s.credentialKey(r)
	if err != nil {
		return err
	}
	var req credentialRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Credential == nil || (req.Credential.Status == nil && req.Credential.Description == nil) {
		return casebook.Invalidf("credential", "credential.status (\"active\" or \"inactive\") or credential.description is required.")
	}
	var update casebook.AccessKeyUpdate
	if d := req.Credential.Description; d != nil {
		if err := checkLength("description", *d, 0, casebook.MaxAccessKeyDescription); err != nil {
			return err
		}
		update.Description = d
	}
	if st := req.Credential.Status; st != nil {
		switch *st {
		case "active":
			update.Enabled = new(true)
		case "inactive":
			update.Enabled = new(false)
		default:
			return casebook.Invalidf("credential.status", "credential.status must be \"active\" or \"inactive\".")
		}
	}
	updated, err := s.Service.UpdateAccessKeyFor(r.Context(), principal(r), key.ID, update)
	if err != nil {
		return err
	}
	s.accessKeys.forget(key.ID)
	return writeJSON(w, http.StatusOK, map[string]credentialInfo{"credential": toCredentialInfo(updated)})
}

func (s *Server) handleDeleteCredential(w http.ResponseWriter, r *http.Request) error {
	key, err := s.credentialKey(r)
	if err != nil {
		return err
	}
	if err := s.Service.DeleteAccessKeyFor(r.Context(), principal(r), key.ID); err != nil {
		return err
	}
	s.accessKeys.forget(key.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// securityTokenRequest is IAM's body for temporary access keys by token.
type securityTokenRequest struct {
	Auth *struct {
		Identity *struct {
			Methods []string `json:"methods"`
			Token   *struct {
				ID              string `json:"id"`
				DurationSeconds *int   `json:"duration_seconds"`
			} `json:"token"`
			Policy json.RawMessage `json:"policy"`
		} `json:"identity"`
	} `json:"auth"`
}

// handleCreateSecurityToken is POST /v3.0/OS-CREDENTIAL/securitytokens:
// a temporary AK/SK for the caller, with the security token the SDK sends
// as X-Security-Token. Nothing is stored (auth.TemporaryKeys); the key
// ends at expires_at, or earlier when the user is disabled or changes
// password. A temporary key cannot create another, which would outlive it.
func (s *Server) handleCreateSecurityToken(w http.ResponseWriter, r *http.Request) error {
	if s.TemporaryKeys == nil {
		return casebook.Errorf(casebook.EFORBIDDEN, "Temporary access keys are not enabled on this server.")
	}
	if _, ok := r.Header["X-Security-Token"]; ok {
		return casebook.Errorf(casebook.EFORBIDDEN, "A temporary access key cannot create temporary access keys; use a token or a permanent access key.")
	}
	var req securityTokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Auth == nil || req.Auth.Identity == nil || !slices.Equal(req.Auth.Identity.Methods, []string{"token"}) {
		return casebook.Invalidf("auth.identity.methods", `auth.identity.methods must be ["token"] (assume_role is not supported).`)
	}
	// A policy would narrow the key's rights; ignoring one would hand out
	// more than was asked for.
	if p := req.Auth.Identity.Policy; len(p) > 0 && string(p) != "null" {
		return casebook.Invalidf("auth.identity.policy", "auth.identity.policy is not supported: a temporary key has the rights of its user.")
	}
	seconds := casebook.DefaultTemporaryKeySeconds
	if tok := req.Auth.Identity.Token; tok != nil {
		if tok.ID != "" {
			if own, ok, _ := authToken(r); !ok || tok.ID != own {
				return casebook.Invalidf("auth.identity.token.id", "auth.identity.token.id, when given, must be the X-Auth-Token of the request.")
			}
		}
		if d := tok.DurationSeconds; d != nil {
			if *d < casebook.MinTemporaryKeySeconds || *d > casebook.MaxTemporaryKeySeconds {
				return casebook.Invalidf("auth.identity.token.duration_seconds", "auth.identity.token.duration_seconds must be %d to %d.",
					casebook.MinTemporaryKeySeconds, casebook.MaxTemporaryKeySeconds)
			}
			seconds = *d
		}
	}

	p := principal(r)
	_, epoch, err := s.principals.get(r.Context(), s, casebook.RealmCustomer, p.UserID, 0)
	if err != nil {
		return err
	}
	now := s.Now()
	key, err := s.TemporaryKeys.Issue(auth.Claims{Realm: casebook.RealmCustomer, UserID: p.UserID, AccountID: p.AccountID,
		Epoch: epoch, IssuedAt: now, ExpiresAt: now.Add(time.Duration(seconds) * time.Second)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"credential": map[string]string{
		"access": key.AccessKey, "secret": key.SecretKey, "securitytoken": key.SecurityToken,
		"expires_at": formatIAMTime(key.ExpiresAt),
	}})
}
