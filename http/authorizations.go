package http

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"time"

	"github.com/casebook/casebook"
)

// The customer's side of authorizations: the seeds ListAuthorizations,
// ShowAuthorizationDetail and ConfirmAuthorizations (shared/spec/
// seed-endpoints.md sections 2, 4, 5) and UpdateAuthorizations
// (lifecycle-endpoints.md).

const (
	authActionReject         = "reject"
	authActionCancel         = "cancel"
	authorizationNotFoundMsg = "This authorization does not exist."
)

// errAuthorizationNotFound is the one answer for an authorization the
// caller cannot reach: it does not exist, it is on a ticket of another
// account or outside the caller's view, or the request names a group the
// caller is not a member of.
func errAuthorizationNotFound() error {
	return casebook.NotFoundf(authorizationNotFoundMsg)
}

// hideAuthorizationDenial maps every "cannot reach" error to
// errAuthorizationNotFound.
func hideAuthorizationDenial(err error) error {
	if casebook.ErrorCode(err) == casebook.ENOTFOUND || casebook.ErrorReason(err) == casebook.ReasonNoPermission {
		return errAuthorizationNotFound()
	}
	return err
}

// authorizationRequest is a request that names one authorization, and
// optionally a group. An id out of bounds is a parameter error here (the
// engineers' API answers not found).
type authorizationRequest struct {
	AuthorizationID string `path:"authorization_id" max:"MaxAuthorizationIDLength"`
	GroupID         string `query:"group_id"`
}

// incidentOrderAuth is IncidentOrderAuthV2, an item of ListAuthorizations.
type incidentOrderAuth struct {
	ID                  string  `json:"id"`
	Status              int     `json:"status"`
	IncidentID          string  `json:"incident_id"`
	SimpleDescription   string  `json:"simple_description"`
	AuthDescribe        string  `json:"auth_describe"`
	ResourceTypeID      string  `json:"resource_type_id"`
	ResourceTypeName    string  `json:"resource_type_name"`
	VisitTypeID         string  `json:"visit_type_id"`
	VisitTypeName       string  `json:"visit_type_name"`
	CreateTime          string  `json:"create_time"`
	AuthEffectiveTime   *string `json:"auth_effective_time"`
	AuthExpireTime      *string `json:"auth_expire_time"`
	RejectReason        *string `json:"reject_reason"`
	CustomerID          string  `json:"customer_id"`
	XCustomerID         string  `json:"x_customer_id"`
	XCustomerName       string  `json:"xcustomer_name"`
	ContentOfAuthLetter string  `json:"content_of_auth_letter"`
}

// nullIfEmpty returns nil for "", so the field is JSON null as in the
// doc examples.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toIncidentOrderAuth(a *casebook.Authorization, lang string) incidentOrderAuth {
	return incidentOrderAuth{
		ID:                  a.ID,
		Status:              a.Status,
		IncidentID:          a.CaseID,
		SimpleDescription:   a.CaseDescription,
		AuthDescribe:        a.Describe,
		ResourceTypeID:      a.ResourceTypeID,
		ResourceTypeName:    casebook.DictName(casebook.DictResourceType, a.ResourceTypeID, lang),
		VisitTypeID:         a.VisitTypeID,
		VisitTypeName:       casebook.DictName(casebook.DictVisitType, a.VisitTypeID, lang),
		CreateTime:          formatTime(a.CreatedAt),
		AuthEffectiveTime:   formatTimePtr(a.EffectiveAt),
		AuthExpireTime:      formatTimePtr(a.ExpireAt),
		RejectReason:        nullIfEmpty(a.RejectReason),
		CustomerID:          a.AccountID,
		XCustomerID:         a.CaseCreatorID,
		XCustomerName:       a.CaseCreatorName,
		ContentOfAuthLetter: a.ContentOfAuthLetter,
	}
}

type listAuthorizationsResponse struct {
	Count            int                 `json:"count"`
	IncidentAuthList []incidentOrderAuth `json:"incident_auth_list"`
}

// listAuthorizationsRequest is ListAuthorizations: filters and a page.
type listAuthorizationsRequest struct {
	SubCustomerName   string `query:"sub_customer_name" max:"MaxUserNameFilter"`
	IncidentID        string `query:"incident_id" max:"MaxCaseIDLength"`
	Status            *int   `query:"status" min:"0" max:"MaxAuthStatus"`
	SimpleDescription string `query:"simple_description" max:"MaxDescriptionLength"`
	Offset            int    `query:"offset" min:"0" max:"MaxListOffset"`
	Limit             int    `query:"limit" min:"1" max:"MaxPageLimit" default:"DefaultPageLimit"`
	GroupID           string `query:"group_id"`
}

// handleListAuthorizations is ListAuthorizations. A group_id the caller is
// not a member of is refused (OSM.01010002) exactly like one that does not
// exist.
func (s *Server) handleListAuthorizations(w http.ResponseWriter, r *http.Request) error {
	var req listAuthorizationsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f := casebook.AuthorizationFilter{
		CreatorName:       req.SubCustomerName,
		CaseID:            req.IncidentID,
		Status:            req.Status,
		DescriptionSearch: req.SimpleDescription,
		Offset:            req.Offset,
		Limit:             req.Limit,
	}
	list, total, err := s.Service.ListAuthorizations(r.Context(), principal(r), req.GroupID, f)
	if err != nil {
		return err
	}
	lang := requestInfoFrom(r.Context()).Lang
	resp := listAuthorizationsResponse{Count: clampInt32(total), IncidentAuthList: make([]incidentOrderAuth, 0, len(list))}
	for _, a := range list {
		resp.IncidentAuthList = append(resp.IncidentAuthList, toIncidentOrderAuth(a, lang))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// clampInt32 keeps a count inside the SDK's int32 field.
func clampInt32(n int) int {
	return min(n, math.MaxInt32)
}

// authorizationDetail is the body of ShowAuthorizationDetail.
type authorizationDetail struct {
	ID                     string                    `json:"id"`
	Status                 int                       `json:"status"`
	IncidentID             string                    `json:"incident_id"`
	SimpleDescription      string                    `json:"simple_description"`
	ResourceTypeID         string                    `json:"resource_type_id"`
	ResourceTypeName       string                    `json:"resource_type_name"`
	VisitTypeID            string                    `json:"visit_type_id"`
	VisitTypeName          string                    `json:"visit_type_name"`
	AuthEffectiveTime      *string                   `json:"auth_effective_time"`
	AuthExpireTime         *string                   `json:"auth_expire_time"`
	RejectReason           *string                   `json:"reject_reason"`
	IncidentAuthDetailList []authorizationDetailItem `json:"incident_auth_detail_list"`
	XCustomerName          string                    `json:"xcustomer_name"`
	AuthHandlerName        *string                   `json:"auth_handler_name"`
	AgencyName             *string                   `json:"agency_name"`
	AuthDescribe           string                    `json:"auth_describe"`
	ContentTypeID          string                    `json:"content_type_id"`
	ContentTypeName        string                    `json:"content_type_name"`
}

// authorizationDetailItem is IncidentOrderAuthDetailInfoV2. Its id is a
// JSON number (int64 in the SDK), unlike the authorization's string id.
type authorizationDetailItem struct {
	ID           int64  `json:"id"`
	Port         int    `json:"port"`
	Account      string `json:"account"`
	Type         int    `json:"type"`
	InstanceID   string `json:"instance_id"`
	InstanceName string `json:"instance_name"`
	RegionID     string `json:"region_id"`
}

func toAuthorizationDetail(a *casebook.Authorization, lang string) authorizationDetail {
	d := authorizationDetail{
		ID:                     a.ID,
		Status:                 a.Status,
		IncidentID:             a.CaseID,
		SimpleDescription:      a.CaseDescription,
		ResourceTypeID:         a.ResourceTypeID,
		ResourceTypeName:       casebook.DictName(casebook.DictResourceType, a.ResourceTypeID, lang),
		VisitTypeID:            a.VisitTypeID,
		VisitTypeName:          casebook.DictName(casebook.DictVisitType, a.VisitTypeID, lang),
		AuthEffectiveTime:      formatTimePtr(a.EffectiveAt),
		AuthExpireTime:         formatTimePtr(a.ExpireAt),
		RejectReason:           nullIfEmpty(a.RejectReason),
		IncidentAuthDetailList: make([]authorizationDetailItem, 0, len(a.Details)),
		XCustomerName:          a.CaseCreatorName,
		AuthHandlerName:        nullIfEmpty(a.HandlerName),
		AgencyName:             nullIfEmpty(a.AgencyName),
		AuthDescribe:           a.Describe,
		ContentTypeID:          a.ContentTypeID,
		ContentTypeName:        casebook.DictName(casebook.DictContentType, a.ContentTypeID, lang),
	}
	for _, item := range a.Details {
		d.IncidentAuthDetailList = append(d.IncidentAuthDetailList, authorizationDetailItem{
			ID:           item.ID,
			Port:         item.Port,
			Account:      item.Account,
			Type:         item.Type,
			InstanceID:   item.InstanceID,
			InstanceName: item.InstanceName,
			RegionID:     item.RegionID,
		})
	}
	return d
}

func (s *Server) handleShowAuthorizationDetail(w http.ResponseWriter, r *http.Request) error {
	var req authorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.Service.GetAuthorization(r.Context(), principal(r), req.GroupID, req.AuthorizationID)
	if err != nil {
		return hideAuthorizationDenial(err)
	}
	d := toAuthorizationDetail(a, requestInfoFrom(r.Context()).Lang)
	return writeJSON(w, http.StatusOK, &d)
}

// confirmRequest is ConfirmAuthorizations. group_id comes from the body,
// or from the query as in the doc example.
type confirmRequest struct {
	authorizationRequest
	Body confirmationBody `body:"json"`
}

// confirmationBody is ConfirmAuthorizationsRequestBody. Pointers tell an absent
// field from a zero. The Service checks the list, the agency and each
// item's account and password.
type confirmationBody struct {
	AuthDetailList    []confirmDetail `json:"auth_detail_list"`
	AuthEffectiveTime *int64          `json:"auth_effective_time" min:"0" max:"MaxInt64" unit:"epoch milliseconds"`
	AuthExpireTime    *int64          `json:"auth_expire_time" min:"0" max:"MaxInt64" unit:"epoch milliseconds"`
	GroupID           string          `json:"group_id"`
	AgencyID          string          `json:"agency_id"`
}

// confirmDetail is TenantAgreeAuthDetailV2. A port, when given, is 1..65535
// (absent keeps the detail's port).
type confirmDetail struct {
	Port         *int64         `json:"port" min:"1" max:"MaxPort"`
	Account      string         `json:"account"`
	Password     passwordString `json:"password"`
	AuthDetailID *int64         `json:"auth_detail_id" required:"true"`
}

// passwordString is a password as the docs send it: a string, or a bare
// number (the ConfirmAuthorizations doc example has "password": 123456),
// taken as its literal digits.
type passwordString string

var reflectString = reflect.TypeOf("")

func (p *passwordString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*p = ""
		return nil
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*p = passwordString(n.String())
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string value", Type: reflectString}
	}
	*p = passwordString(v)
	return nil
}

// epochMillis converts an epoch-milliseconds field.
func epochMillis(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := time.UnixMilli(*v).UTC()
	return &t
}

// input is the body as the Service takes it.
func (b *confirmationBody) input() casebook.ConfirmInput {
	in := casebook.ConfirmInput{
		EffectiveAt: epochMillis(b.AuthEffectiveTime),
		ExpireAt:    epochMillis(b.AuthExpireTime),
		AgencyID:    b.AgencyID,
	}
	for _, d := range b.AuthDetailList {
		c := casebook.Credential{DetailID: *d.AuthDetailID, Account: d.Account, Password: string(d.Password)}
		if d.Port != nil {
			c.Port = int(*d.Port)
		}
		in.Credentials = append(in.Credentials, c)
	}
	return in
}

// handleConfirmAuthorizations is ConfirmAuthorizations; the answer is 200
// with {} (the SDK decodes it as a response with nil error fields).
func (s *Server) handleConfirmAuthorizations(w http.ResponseWriter, r *http.Request) error {
	var req confirmRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	groupID := groupIDOf(req.Body.GroupID, req.GroupID)
	if err := s.Service.ConfirmAuthorization(r.Context(), principal(r), groupID, req.AuthorizationID, req.Body.input()); err != nil {
		return hideAuthorizationDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// updateAuthorizationRequest is UpdateAuthorizations: action_id=reject
// (a pending request, with a reason) or cancel (revoke a pending request or
// a grant). Anything else is OSM.01010018.
type updateAuthorizationRequest struct {
	authorizationRequest
	Action authAction `query:"action_id"`
	Body   struct {
		RejectReason string `json:"reject_reason"` // the Service checks it
		GroupID      string `json:"group_id"`
	} `body:"json"`
}

// authAction is the action_id of UpdateAuthorizations.
type authAction string

func (a *authAction) decodeText(v string) error {
	if v != authActionReject && v != authActionCancel {
		shown := v
		if len(shown) > casebook.MaxAuthActionShown {
			shown = shown[:casebook.MaxAuthActionShown] + "..."
		}
		return casebook.Invalidf("action_id", "action_id must be reject or cancel, not %q.", shown).WithReason(casebook.ReasonBadAuthAction)
	}
	*a = authAction(v)
	return nil
}

func (s *Server) handleUpdateAuthorizations(w http.ResponseWriter, r *http.Request) error {
	var req updateAuthorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	groupID := groupIDOf(req.Body.GroupID, req.GroupID)
	var err error
	switch req.Action {
	case authActionReject:
		err = s.Service.RejectAuthorization(r.Context(), principal(r), groupID, req.AuthorizationID, req.Body.RejectReason)
	case authActionCancel:
		err = s.Service.CancelAuthorization(r.Context(), principal(r), groupID, req.AuthorizationID)
	}
	if err != nil {
		return hideAuthorizationDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}
