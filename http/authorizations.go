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

// Documented limits (the most permissive version where the docs disagree).
const (
	maxAuthorizationIDLen    = 32    // authorization_id in paths
	maxSubCustomerNameLen    = 256   // sub_customer_name filter
	maxAuthIncidentIDLen     = 64    // incident_id filter
	maxAuthStatusFilter      = 10    // status filter 0..10
	maxAuthDescriptionLen    = 2000  // simple_description filter
	maxAuthListOffset        = 65535 // offset
	maxAuthListLimit         = 100   // limit 1..100
	defaultAuthListLimit     = 10
	maxAuthGroupIDLen        = 64    // group_id
	maxConfirmDetails        = 6     // auth_detail_list 0..6
	maxConfirmAccountLen     = 64    // account
	maxConfirmPasswordLen    = 10240 // password
	maxConfirmAgencyIDLen    = 64    // agency_id
	maxAuthActionIDLen       = 16    // action_id
	maxRejectReasonLen       = 300   // reject_reason
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

// authorizationIDParam reads and checks the authorization_id path value.
func authorizationIDParam(r *http.Request) (string, error) {
	return pathID(r, "authorization_id", maxAuthorizationIDLen)
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

// handleListAuthorizations is ListAuthorizations. A group_id the caller is
// not a member of is refused (OSM.01010002) exactly like one that does not
// exist.
func (s *Server) handleListAuthorizations(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	var f casebook.AuthorizationFilter
	var err error
	if f.CreatorName, err = q.String("sub_customer_name", maxSubCustomerNameLen); err != nil {
		return err
	}
	if f.CaseID, err = q.String("incident_id", maxAuthIncidentIDLen); err != nil {
		return err
	}
	if f.Status, err = q.IntPtr("status", 0, maxAuthStatusFilter); err != nil {
		return err
	}
	if f.DescriptionSearch, err = q.String("simple_description", maxAuthDescriptionLen); err != nil {
		return err
	}
	if f.Offset, err = q.Int("offset", 0, maxAuthListOffset, 0); err != nil {
		return err
	}
	if f.Limit, err = q.Int("limit", 1, maxAuthListLimit, defaultAuthListLimit); err != nil {
		return err
	}
	groupID, err := q.String("group_id", maxAuthGroupIDLen)
	if err != nil {
		return err
	}
	list, total, err := s.Service.ListAuthorizations(r.Context(), principal(r), groupID, f)
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
	id, err := authorizationIDParam(r)
	if err != nil {
		return err
	}
	groupID, err := newQuery(r).String("group_id", maxAuthGroupIDLen)
	if err != nil {
		return err
	}
	a, err := s.Service.GetAuthorization(r.Context(), principal(r), groupID, id)
	if err != nil {
		return hideAuthorizationDenial(err)
	}
	return writeJSON(w, http.StatusOK, toAuthorizationDetail(a, requestInfoFrom(r.Context()).Lang))
}

// confirmRequest is ConfirmAuthorizationsRequestBody. Pointers tell an
// absent field from a zero.
type confirmRequest struct {
	AuthDetailList    []confirmDetail `json:"auth_detail_list"`
	AuthEffectiveTime *int64          `json:"auth_effective_time"`
	AuthExpireTime    *int64          `json:"auth_expire_time"`
	GroupID           string          `json:"group_id"`
	AgencyID          string          `json:"agency_id"`
}

// confirmDetail is TenantAgreeAuthDetailV2.
type confirmDetail struct {
	Port         *int64         `json:"port"`
	Account      string         `json:"account"`
	Password     passwordString `json:"password"`
	AuthDetailID *int64         `json:"auth_detail_id"`
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

// epochMillis checks a documented epoch-milliseconds field (0..2^63-1)
// and converts it.
func epochMillis(field string, v *int64) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 {
		return nil, casebook.Invalidf(field, "%s must be epoch milliseconds from 0 to 9223372036854775807.", field)
	}
	t := time.UnixMilli(*v).UTC()
	return &t, nil
}

func (req *confirmRequest) input() (casebook.ConfirmInput, error) {
	var in casebook.ConfirmInput
	var err error
	if len(req.AuthDetailList) > maxConfirmDetails {
		return in, casebook.Invalidf("auth_detail_list", "auth_detail_list may hold at most %d items.", maxConfirmDetails)
	}
	if in.EffectiveAt, err = epochMillis("auth_effective_time", req.AuthEffectiveTime); err != nil {
		return in, err
	}
	if in.ExpireAt, err = epochMillis("auth_expire_time", req.AuthExpireTime); err != nil {
		return in, err
	}
	if err := checkLength("group_id", req.GroupID, 0, maxAuthGroupIDLen); err != nil {
		return in, err
	}
	if err := checkLength("agency_id", req.AgencyID, 0, maxConfirmAgencyIDLen); err != nil {
		return in, err
	}
	in.AgencyID = req.AgencyID
	for _, d := range req.AuthDetailList {
		if d.AuthDetailID == nil {
			return in, casebook.Invalidf("auth_detail_id", "auth_detail_id is required in every auth_detail_list item.")
		}
		c := casebook.Credential{DetailID: *d.AuthDetailID, Account: d.Account, Password: string(d.Password)}
		if d.Port != nil {
			if *d.Port < 1 || *d.Port > 65535 {
				return in, casebook.Invalidf("port", "port must be an integer from 1 to 65535.")
			}
			c.Port = int(*d.Port)
		}
		if err := checkLength("account", d.Account, 0, maxConfirmAccountLen); err != nil {
			return in, err
		}
		if err := checkLength("password", c.Password, 0, maxConfirmPasswordLen); err != nil {
			return in, err
		}
		in.Credentials = append(in.Credentials, c)
	}
	return in, nil
}

// handleConfirmAuthorizations is ConfirmAuthorizations. group_id comes
// from the body, or from the query as in the doc example; the answer is
// 200 with {} (the SDK decodes it as a response with nil error fields).
func (s *Server) handleConfirmAuthorizations(w http.ResponseWriter, r *http.Request) error {
	id, err := authorizationIDParam(r)
	if err != nil {
		return err
	}
	var req confirmRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	groupID, err := bodyOrQueryGroupID(r, req.GroupID)
	if err != nil {
		return err
	}
	if err := s.Service.ConfirmAuthorization(r.Context(), principal(r), groupID, id, in); err != nil {
		return hideAuthorizationDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

type updateAuthorizationRequest struct {
	RejectReason string `json:"reject_reason"`
	GroupID      string `json:"group_id"`
}

// handleUpdateAuthorizations is UpdateAuthorizations: action_id=reject
// (a pending request, with a reason) or cancel (revoke a pending request or
// a grant). Anything else is OSM.01010018.
func (s *Server) handleUpdateAuthorizations(w http.ResponseWriter, r *http.Request) error {
	id, err := authorizationIDParam(r)
	if err != nil {
		return err
	}
	action := newQuery(r).values.Get("action_id")
	if action != authActionReject && action != authActionCancel {
		shown := action
		if len(shown) > maxAuthActionIDLen {
			shown = shown[:maxAuthActionIDLen] + "..."
		}
		return casebook.Invalidf("action_id", "action_id must be reject or cancel, not %q.", shown).WithReason(casebook.ReasonBadAuthAction)
	}
	var req updateAuthorizationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	groupID, err := bodyOrQueryGroupID(r, req.GroupID)
	if err != nil {
		return err
	}
	switch action {
	case authActionReject:
		if err := checkLength("reject_reason", req.RejectReason, 1, maxRejectReasonLen); err != nil {
			return err
		}
		err = s.Service.RejectAuthorization(r.Context(), principal(r), groupID, id, req.RejectReason)
	case authActionCancel:
		err = s.Service.CancelAuthorization(r.Context(), principal(r), groupID, id)
	}
	if err != nil {
		return hideAuthorizationDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}
