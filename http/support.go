package http

import (
	"context"
	"net/http"
	"strings"

	"github.com/casebook/casebook"
)

// The support engineers' API (/support/v1/...): our own design, documented
// in docs/support-api.md. JSON with snake_case fields and the same error
// envelope as the OSM API; every route takes an engineer's X-Auth-Token
// (POST /support/v1/auth/tokens issues one, see iam.go). Times are UTC
// strings with milliseconds; names from the dictionaries follow X-Language.
//
// The credentials route is the only response of the whole server that
// carries a password. The Service allows it only to the engineer who asked
// for the grant, only while the grant is in force, and audits every read;
// the request log never logs bodies.

// The support API's limits are the domain's (casebook.Max...): field
// limits of tickets, messages and authorization requests are checked by the
// Service, paging and filters by the request tags.
const (
	assigneeMe   = "me"
	assigneeNone = "none"
	assigneeAny  = "any"
)

// supportCaseRequest names one ticket; an id longer than any ticket id is
// simply not found.
type supportCaseRequest struct {
	CaseID string `path:"case_id,notfound" max:"MaxCaseIDLength"`
}

// supportAuthorizationRequest names one authorization, like
// supportCaseRequest.
type supportAuthorizationRequest struct {
	AuthorizationID string `path:"authorization_id,notfound" max:"MaxAuthorizationIDLength"`
}

// supportPage is the offset and limit of a support list.
type supportPage struct {
	Offset int `query:"offset" min:"0" max:"MaxListOffset"`
	Limit  int `query:"limit" min:"1" max:"MaxPageLimit" default:"DefaultPageLimit"`
}

// namedRef is an {id, name} pair: an account, a user, an engineer.
type namedRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// optionalRef returns nil (JSON null) for an empty id.
func optionalRef(id, name string) *namedRef {
	if id == "" {
		return nil
	}
	return &namedRef{ID: id, Name: name}
}

// accountNames returns the names of the accounts with the given ids, in
// one query. The engineers' Service methods return account ids only.
func (s *Server) accountNames(ctx context.Context, ids ...string) (map[string]string, error) {
	return s.Service.AccountNames(ctx, requestInfoFrom(ctx).Principal, ids)
}

// findAccountRef resolves the queue's account filter: a name first, then
// an id. An account that does not exist is a bad filter, not an empty
// queue: engineers see every account, so saying so reveals nothing.
func (s *Server) findAccountRef(ctx context.Context, nameOrID string) (*casebook.Account, error) {
	account, err := s.Service.EngineerAccount(ctx, requestInfoFrom(ctx).Principal, nameOrID)
	if casebook.ErrorCode(err) == casebook.ENOTFOUND {
		return nil, casebook.Invalidf("account", "No account has the name or id %q.", nameOrID)
	}
	return account, err
}

// supportCase is a ticket as engineers see it.
type supportCase struct {
	ID                string    `json:"id"`
	Account           namedRef  `json:"account"`
	Creator           namedRef  `json:"creator"`
	Status            int       `json:"status"`
	Assignee          *namedRef `json:"assignee"`
	BusinessTypeID    string    `json:"business_type_id"`
	BusinessTypeName  string    `json:"business_type_name"`
	IncidentSubTypeID string    `json:"incident_sub_type_id"`
	IncidentTypeName  string    `json:"incident_type_name"`
	ProductCategoryID string    `json:"product_category_id"`
	RegionID          string    `json:"region_id"`
	ProjectID         string    `json:"project_id"`
	SeverityID        string    `json:"severity_id"`
	SeverityName      string    `json:"severity_name"`
	SimpleDescription string    `json:"simple_description"`
	CreatedAt         string    `json:"created_at"`
	UpdatedAt         string    `json:"updated_at"`
	ConfirmedAt       *string   `json:"confirmed_at"`
	LastUrgedAt       *string   `json:"last_urged_at"`
}

func toSupportCase(c *casebook.Case, dict *casebook.Dictionaries, accountName, lang string) supportCase {
	return supportCase{
		ID:                c.ID,
		Account:           namedRef{ID: c.AccountID, Name: accountName},
		Creator:           namedRef{ID: c.CreatorID, Name: c.CreatorName},
		Status:            c.Status,
		Assignee:          optionalRef(c.AssigneeID, c.AssigneeName),
		BusinessTypeID:    c.BusinessTypeID,
		BusinessTypeName:  dict.CaseName(casebook.DictBusinessType, c.BusinessTypeID, lang),
		IncidentSubTypeID: c.IncidentSubTypeID,
		IncidentTypeName:  dict.CaseName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
		ProductCategoryID: c.ProductCategoryID,
		RegionID:          c.RegionID,
		ProjectID:         c.ProjectID,
		SeverityID:        c.SeverityID,
		SeverityName:      dict.CaseName(casebook.DictSeverity, c.SeverityID, lang),
		SimpleDescription: c.SimpleDescription,
		CreatedAt:         formatTime(c.CreatedAt),
		UpdatedAt:         formatTime(c.UpdatedAt),
		ConfirmedAt:       formatTimePtr(c.ConfirmedAt),
		LastUrgedAt:       formatTimePtr(c.LastUrgedAt),
	}
}

// writeSupportCase answers with one ticket.
func (s *Server) writeSupportCase(w http.ResponseWriter, r *http.Request, status int, c *casebook.Case) error {
	dict, err := s.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	names, err := s.accountNames(r.Context(), c.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, status, toSupportCase(c, dict, names[c.AccountID], requestInfoFrom(r.Context()).Lang))
}

// handleSupportListCases is the queue: every account's tickets, newest
// first, filtered by status (repeatable), assignee (me, none, any) and
// account (name or id).
// supportQueueRequest is the queue's filters and page.
type supportQueueRequest struct {
	Statuses []int  `query:"status,comma" items:"MaxStatusFilters" min:"0" max:"MaxCaseStatus"` // repeatable
	Assignee string `query:"assignee"`                                                          // me, none or any
	Account  string `query:"account" max:"MaxFilterLength"`                                     // a name or a 32-hex id
	supportPage
}

func (s *Server) handleSupportListCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var req supportQueueRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f := casebook.CaseFilter{Statuses: req.Statuses, Offset: req.Offset, Limit: req.Limit}
	switch req.Assignee {
	case "", assigneeAny:
	case assigneeMe:
		f.AssigneeID = p.UserID
	case assigneeNone:
		f.Unassigned = true
	default:
		return casebook.Invalidf("assignee", "assignee must be me, none or any.")
	}
	if accountRef := strings.TrimSpace(req.Account); accountRef != "" {
		account, err := s.findAccountRef(ctx, accountRef)
		if err != nil {
			return err
		}
		f.AccountID = account.ID
	}

	cases, total, err := s.Service.Queue(ctx, p, f)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(cases))
	for _, c := range cases {
		ids = append(ids, c.AccountID)
	}
	dict, err := s.Service.Dictionaries(ctx)
	if err != nil {
		return err
	}
	names, err := s.accountNames(ctx, ids...)
	if err != nil {
		return err
	}
	lang := requestInfoFrom(ctx).Lang
	resp := struct {
		TotalCount int           `json:"total_count"`
		Cases      []supportCase `json:"cases"`
	}{TotalCount: total, Cases: make([]supportCase, 0, len(cases))}
	for _, c := range cases {
		resp.Cases = append(resp.Cases, toSupportCase(c, dict, names[c.AccountID], lang))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// supportMessage is one message of a ticket's conversation.
type supportMessage struct {
	ID          string             `json:"id"`
	Type        int                `json:"type"` // 0 customer, 1 engineer
	Author      namedRef           `json:"author"`
	Content     string             `json:"content"`
	IsFirst     bool               `json:"is_first"`
	CreatedAt   string             `json:"created_at"`
	Accessories []supportAccessory `json:"accessories"`
}

type supportAccessory struct {
	ID       string `json:"id"`
	FileName string `json:"file_name"`
}

func toSupportMessage(m *casebook.Message) supportMessage {
	out := supportMessage{
		ID:          m.ID,
		Type:        m.Type,
		Author:      namedRef{ID: m.AuthorID, Name: m.AuthorName},
		Content:     m.Content,
		IsFirst:     m.IsFirst,
		CreatedAt:   formatTime(m.CreatedAt),
		Accessories: make([]supportAccessory, 0, len(m.Accessories)),
	}
	for _, a := range m.Accessories {
		out.Accessories = append(out.Accessories, supportAccessory{ID: a.ID, FileName: a.FileName})
	}
	return out
}

// supportContact is how the customer asked to be reminded.
type supportContact struct {
	RemindMobile string `json:"remind_mobile"`
	RemindMail   string `json:"remind_mail"`
	RemindTime   string `json:"remind_time"`
	AreaCode     string `json:"area_code"`
}

func (s *Server) handleSupportShowCase(w http.ResponseWriter, r *http.Request) error {
	var req supportCaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := req.CaseID
	d, err := s.Service.EngineerCase(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	c := d.Case
	names, err := s.accountNames(r.Context(), c.AccountID)
	if err != nil {
		return err
	}
	dict, err := s.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	resp := struct {
		supportCase
		Contact    supportContact    `json:"contact"`
		ExtendsMap map[string]string `json:"extends_map"`
		Judgement  string            `json:"judgement"`
		Messages   []supportMessage  `json:"messages"`
	}{
		supportCase: toSupportCase(c, dict, names[c.AccountID], requestInfoFrom(r.Context()).Lang),
		Contact:     supportContact{RemindMobile: c.RemindMobile, RemindMail: c.RemindMail, RemindTime: c.RemindTime, AreaCode: c.AreaCode},
		ExtendsMap:  c.ExtendsMap,
		Judgement:   c.Judgement,
		Messages:    make([]supportMessage, 0, len(d.Messages)),
	}
	if resp.ExtendsMap == nil {
		resp.ExtendsMap = map[string]string{}
	}
	for _, m := range d.Messages {
		resp.Messages = append(resp.Messages, toSupportMessage(m))
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleSupportTakeCase(w http.ResponseWriter, r *http.Request) error {
	var req supportCaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := req.CaseID
	c, err := s.Service.TakeCase(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.writeSupportCase(w, r, http.StatusOK, c)
}

func (s *Server) handleSupportSetCaseStatus(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		supportCaseRequest
		Body struct {
			Status *int `json:"status"`
		} `body:"json"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Body.Status == nil {
		return casebook.Invalidf("status", "status is required: 1 (processing), 2 (pending confirmation) or 17 (pending feedback).")
	}
	c, err := s.Service.SetCaseStatus(r.Context(), principal(r), req.CaseID, *req.Body.Status)
	if err != nil {
		return err
	}
	return s.writeSupportCase(w, r, http.StatusOK, c)
}

// handleSupportCreateMessage is an engineer's reply; the Service checks
// the content (1..MaxMessageLength characters).
func (s *Server) handleSupportCreateMessage(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		supportCaseRequest
		Body struct {
			Content string `json:"content"`
		} `body:"json"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	m, err := s.Service.Reply(r.Context(), principal(r), req.CaseID, req.Body.Content)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toSupportMessage(m))
}

// supportGrantRequest is an engineer's request for access on a ticket.
// The Service checks the dictionaries, auth_describe and each item's
// bounds.
type supportGrantRequest struct {
	supportCaseRequest
	Body struct {
		ResourceTypeID string `json:"resource_type_id"`
		VisitTypeID    string `json:"visit_type_id"`
		ContentTypeID  string `json:"content_type_id"`
		AuthDescribe   string `json:"auth_describe"`
		Details        []struct {
			Type         *int   `json:"type" required:"true"` // 0 (console) or 1 (host)
			InstanceID   string `json:"instance_id"`
			InstanceName string `json:"instance_name"`
			RegionID     string `json:"region_id"`
			Port         int    `json:"port"`
			Account      string `json:"account"`
		} `json:"details"`
	} `body:"json"`
}

// input is the request as the Service takes it.
func (req *supportGrantRequest) input() casebook.AuthorizationRequest {
	b := req.Body
	in := casebook.AuthorizationRequest{
		ResourceTypeID: b.ResourceTypeID,
		VisitTypeID:    b.VisitTypeID,
		ContentTypeID:  b.ContentTypeID,
		Describe:       b.AuthDescribe,
	}
	for _, d := range b.Details {
		in.Details = append(in.Details, casebook.AuthDetail{
			Type:         *d.Type,
			InstanceID:   d.InstanceID,
			InstanceName: d.InstanceName,
			RegionID:     d.RegionID,
			Port:         d.Port,
			Account:      d.Account,
		})
	}
	return in
}

// supportAuthorization is an authorization as engineers see it: metadata
// only; credentials have their own route.
type supportAuthorization struct {
	ID               string                       `json:"id"`
	CaseID           string                       `json:"case_id"`
	Account          namedRef                     `json:"account"`
	Status           int                          `json:"status"`
	InForce          bool                         `json:"in_force"`
	ResourceTypeID   string                       `json:"resource_type_id"`
	ResourceTypeName string                       `json:"resource_type_name"`
	VisitTypeID      string                       `json:"visit_type_id"`
	VisitTypeName    string                       `json:"visit_type_name"`
	ContentTypeID    string                       `json:"content_type_id"`
	ContentTypeName  string                       `json:"content_type_name"`
	AuthDescribe     string                       `json:"auth_describe"`
	Engineer         namedRef                     `json:"engineer"`
	Handler          *namedRef                    `json:"handler"`
	AgencyName       *string                      `json:"agency_name"`
	RejectReason     *string                      `json:"reject_reason"`
	EffectiveTime    *string                      `json:"effective_time"`
	ExpireTime       *string                      `json:"expire_time"`
	CreatedAt        string                       `json:"created_at"`
	UpdatedAt        string                       `json:"updated_at"`
	Details          []supportAuthorizationDetail `json:"details"`
}

// supportAuthorizationDetail is one item; its id is a JSON number, as in
// the OSM API (auth_detail_id).
type supportAuthorizationDetail struct {
	ID            int64  `json:"id"`
	Type          int    `json:"type"`
	InstanceID    string `json:"instance_id"`
	InstanceName  string `json:"instance_name"`
	RegionID      string `json:"region_id"`
	Port          int    `json:"port"`
	Account       string `json:"account"`
	HasCredential bool   `json:"has_credential"`
}

// stringOrNull returns nil (JSON null) for "".
func stringOrNull(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func (s *Server) toSupportAuthorization(a *casebook.Authorization, accountName, lang string) supportAuthorization {
	out := supportAuthorization{
		ID:               a.ID,
		CaseID:           a.CaseID,
		Account:          namedRef{ID: a.AccountID, Name: accountName},
		Status:           a.StatusAt(s.Now()),
		InForce:          a.InForce(s.Now()),
		ResourceTypeID:   a.ResourceTypeID,
		ResourceTypeName: casebook.DictName(casebook.DictResourceType, a.ResourceTypeID, lang),
		VisitTypeID:      a.VisitTypeID,
		VisitTypeName:    casebook.DictName(casebook.DictVisitType, a.VisitTypeID, lang),
		ContentTypeID:    a.ContentTypeID,
		ContentTypeName:  casebook.DictName(casebook.DictContentType, a.ContentTypeID, lang),
		AuthDescribe:     a.Describe,
		Engineer:         namedRef{ID: a.EngineerID, Name: a.EngineerName},
		Handler:          optionalRef(a.HandlerID, a.HandlerName),
		AgencyName:       stringOrNull(a.AgencyName),
		RejectReason:     stringOrNull(a.RejectReason),
		EffectiveTime:    formatTimePtr(a.EffectiveAt),
		ExpireTime:       formatTimePtr(a.ExpireAt),
		CreatedAt:        formatTime(a.CreatedAt),
		UpdatedAt:        formatTime(a.UpdatedAt),
		Details:          make([]supportAuthorizationDetail, 0, len(a.Details)),
	}
	for _, d := range a.Details {
		out.Details = append(out.Details, supportAuthorizationDetail{
			ID:            d.ID,
			Type:          d.Type,
			InstanceID:    d.InstanceID,
			InstanceName:  d.InstanceName,
			RegionID:      d.RegionID,
			Port:          d.Port,
			Account:       d.Account,
			HasCredential: d.HasCredential,
		})
	}
	return out
}

func (s *Server) writeSupportAuthorization(w http.ResponseWriter, r *http.Request, status int, a *casebook.Authorization) error {
	names, err := s.accountNames(r.Context(), a.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, status, s.toSupportAuthorization(a, names[a.AccountID], requestInfoFrom(r.Context()).Lang))
}

func (s *Server) handleSupportRequestAuthorization(w http.ResponseWriter, r *http.Request) error {
	var req supportGrantRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.Service.RequestAuthorization(r.Context(), principal(r), req.CaseID, req.input())
	if err != nil {
		return err
	}
	return s.writeSupportAuthorization(w, r, http.StatusCreated, a)
}

// handleSupportListAuthorizations lists the calling engineer's own
// requests, newest first.
func (s *Server) handleSupportListAuthorizations(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var req struct {
		CaseID string `query:"case_id" max:"MaxCaseIDLength"`
		Status *int   `query:"status" min:"AuthStatusPending" max:"AuthStatusCancelled"`
		supportPage
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	f := casebook.AuthorizationFilter{EngineerID: p.UserID, CaseID: req.CaseID, Status: req.Status, Offset: req.Offset, Limit: req.Limit,
		WithDetails: true}
	list, total, err := s.Service.EngineerAuthorizations(ctx, p, f)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.AccountID)
	}
	names, err := s.accountNames(ctx, ids...)
	if err != nil {
		return err
	}
	lang := requestInfoFrom(ctx).Lang
	resp := struct {
		TotalCount     int                    `json:"total_count"`
		Authorizations []supportAuthorization `json:"authorizations"`
	}{TotalCount: total, Authorizations: make([]supportAuthorization, 0, len(list))}
	for _, a := range list {
		resp.Authorizations = append(resp.Authorizations, s.toSupportAuthorization(a, names[a.AccountID], lang))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleSupportShowAuthorization shows any authorization: engineers see
// every ticket, and an authorization holds no secret.
func (s *Server) handleSupportShowAuthorization(w http.ResponseWriter, r *http.Request) error {
	var req supportAuthorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := req.AuthorizationID
	a, err := s.Service.EngineerAuthorization(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.writeSupportAuthorization(w, r, http.StatusOK, a)
}

// handleSupportWithdrawAuthorization takes back a pending request or ends
// a grant early (only the requesting engineer); credentials are destroyed.
func (s *Server) handleSupportWithdrawAuthorization(w http.ResponseWriter, r *http.Request) error {
	var req supportAuthorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := req.AuthorizationID
	ctx := r.Context()
	p := principal(r)
	if err := s.Service.WithdrawAuthorization(ctx, p, id); err != nil {
		return err
	}
	a, err := s.Service.EngineerAuthorization(ctx, p, id)
	if err != nil {
		return err
	}
	return s.writeSupportAuthorization(w, r, http.StatusOK, a)
}

// supportCredential is one credential as the customer handed it over.
type supportCredential struct {
	AuthDetailID int64  `json:"auth_detail_id"`
	Port         int    `json:"port"`
	Account      string `json:"account"`
	Password     string `json:"password"`
}

// handleSupportReadCredentials returns the credentials of a grant in
// force to the engineer who requested it. The Service records the read in
// the audit log before anything is returned. The response must not be
// stored by any cache, and errors carry the same header.
func (s *Server) handleSupportReadCredentials(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	var req supportAuthorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := req.AuthorizationID
	ctx := r.Context()
	p := principal(r)
	creds, err := s.Service.ReadCredentials(ctx, p, id)
	if err != nil {
		return err
	}
	// The window and agency of the grant just read. A grant cannot change
	// its window while in force, so reading it separately is consistent.
	a, err := s.Service.EngineerAuthorization(ctx, p, id)
	if err != nil {
		return err
	}
	resp := struct {
		AuthorizationID string              `json:"authorization_id"`
		EffectiveTime   *string             `json:"effective_time"`
		ExpireTime      *string             `json:"expire_time"`
		Credentials     []supportCredential `json:"credentials"`
		AgencyName      *string             `json:"agency_name"`
	}{
		AuthorizationID: a.ID,
		EffectiveTime:   formatTimePtr(a.EffectiveAt),
		ExpireTime:      formatTimePtr(a.ExpireAt),
		Credentials:     make([]supportCredential, 0, len(creds)),
		AgencyName:      stringOrNull(a.AgencyName),
	}
	// The detail items hold the port and account in effect: the
	// engineer's, or the customer's where the confirmation gave them.
	details := make(map[int64]casebook.AuthDetail, len(a.Details))
	for _, d := range a.Details {
		details[d.ID] = d
	}
	for _, c := range creds {
		out := supportCredential{AuthDetailID: c.DetailID, Port: c.Port, Account: c.Account, Password: c.Password}
		if d, ok := details[c.DetailID]; ok {
			if out.Port == 0 {
				out.Port = d.Port
			}
			if out.Account == "" {
				out.Account = d.Account
			}
		}
		resp.Credentials = append(resp.Credentials, out)
	}
	return writeJSON(w, http.StatusOK, resp)
}

// supportAuditEvent is one entry of the audit log.
type supportAuditEvent struct {
	ID              int64  `json:"id"`
	At              string `json:"at"`
	ActorRealm      string `json:"actor_realm"`
	ActorID         string `json:"actor_id"`
	ActorName       string `json:"actor_name"`
	Action          string `json:"action"`
	AccountID       string `json:"account_id"`
	CaseID          string `json:"case_id"`
	AuthorizationID string `json:"authorization_id"`
	Detail          string `json:"detail"`
}

// handleSupportListAudit shows an engineer the audit events they caused
// themselves, newest first: their credential reads, and the ends and
// credential destructions of grants they withdrew. Other engineers',
// customers' and the sweeper's events are for operators (the CLI).
func (s *Server) handleSupportListAudit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var req struct {
		AuthorizationID string `query:"authorization_id" max:"MaxAuthorizationIDLength"`
		Limit           int    `query:"limit" min:"1" max:"MaxPageLimit" default:"DefaultAuditLimit"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	f := casebook.AuditFilter{ActorID: p.UserID, AuthorizationID: req.AuthorizationID, Limit: req.Limit}
	if f.AuthorizationID != "" {
		// An id that names nothing is a 404, as on every route that takes
		// an authorization id.
		if _, err := s.Service.EngineerAuthorization(ctx, p, f.AuthorizationID); err != nil {
			return err
		}
	}
	events, err := s.Service.FindAudit(ctx, f)
	if err != nil {
		return err
	}
	resp := struct {
		Events []supportAuditEvent `json:"events"`
	}{Events: make([]supportAuditEvent, 0, len(events))}
	for _, e := range events {
		if e.ActorRealm != casebook.RealmEngineer || e.ActorID != p.UserID {
			continue // defensive: the filter is the rule
		}
		resp.Events = append(resp.Events, supportAuditEvent{
			ID:              e.ID,
			At:              formatTime(e.At),
			ActorRealm:      string(e.ActorRealm),
			ActorID:         e.ActorID,
			ActorName:       e.ActorName,
			Action:          e.Action,
			AccountID:       e.AccountID,
			CaseID:          e.CaseID,
			AuthorizationID: e.AuthorizationID,
			Detail:          e.Detail,
		})
	}
	return writeJSON(w, http.StatusOK, resp)
}
