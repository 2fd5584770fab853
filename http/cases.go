package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

// Documented limits of the ticket operations that the HTTP layer checks
// itself; the Service checks the business ones (description, judgement,
// dictionaries, attachment count). Where doc versions disagree, the most
// permissive bound is used (docs/compatibility.md "Tickets").
const (
	maxCaseIDLen        = 64    // case_id in paths (zh: 32, en: 64)
	maxGroupIDLen       = 64    // group_id everywhere
	maxSearchKeys       = 32    // search_key items (older docs 32, newest 3)
	maxSearchKeyLen     = 64    // each search_key item
	maxLabelIDs         = 5     // label_id_list items (accepted, ignored)
	maxQueryTimeLen     = 32    // query_start_time / query_end_time
	maxListOffset       = 65535 // offset of ListCases and ListMessages
	maxListLimit        = 100   // limit of ListCases and ListMessages
	maxCaseTotal        = 65535 // ListCases total_count: documented as 0..65535
	maxCaseStatusFilter = 30    // status filter (newest doc: 0..30)
	maxActionIDLen      = 64    // UpdateCases action_id
	maxSatisfactions    = 100   // incident_satisfaction_list items
	maxMessageAccessory = 10    // CreateMessages accessory_ids items
	maxMessageAccIDLen  = 32    // each CreateMessages accessory id
	maxCaseAccIDLen     = 64    // each CreateCases accessory id
	maxExtendsKeys      = 50    // extends_map entries (undocumented; ours)
	maxExtendsKeyLen    = 64    // extends_map key (undocumented; ours)
	maxExtendsValueLen  = 2000  // extends_map value (undocumented; ours)
	maxVerifiedIDLen    = 32    // x-phone-verifiedid / x-email-verifiedid
)

// errCaseNotFound is the one answer for a ticket the caller cannot reach,
// whatever the reason: it does not exist, it belongs to another account or
// to a user outside the caller's view, or the request names a group the
// caller is not a member of.
func errCaseNotFound() error {
	return &casebook.Error{Code: casebook.ENOTFOUND, Reason: casebook.ReasonCaseNotFound}
}

// hideCaseDenial turns both "no such ticket" and "not a member of that
// group" into errCaseNotFound, so that routes taking a ticket id reveal
// nothing about ids or groups outside the caller's view.
func hideCaseDenial(err error) error {
	switch casebook.ErrorReason(err) {
	case casebook.ReasonCaseNotFound, casebook.ReasonNoPermission:
		return errCaseNotFound()
	}
	return err
}

// caseIDParam reads the case_id path parameter. An id longer than any id
// can be is simply not found.
func caseIDParam(r *http.Request) (string, error) {
	id := r.PathValue("case_id")
	if id == "" || utf8.RuneCountInString(id) > maxCaseIDLen {
		return "", errCaseNotFound()
	}
	return id, nil
}

// bodyOrQueryGroupID returns the body's group_id, or the query's when the
// body has none (doc examples put it in the query), after checking its
// length.
func bodyOrQueryGroupID(r *http.Request, body string) (string, error) {
	if body != "" {
		if err := checkLength("group_id", body, 0, maxGroupIDLen); err != nil {
			return "", err
		}
		return body, nil
	}
	return newQuery(r).String("group_id", maxGroupIDLen)
}

// createCaseRequest is CreateOrderIncidentV2Req. Plain strings: the SDK
// sends its required fields always (null or "" when unset), optional ones
// only when set.
type createCaseRequest struct {
	IncidentSubTypeID    string          `json:"incident_sub_type_id"`
	ProductCategoryID    string          `json:"product_category_id"`
	BusinessTypeID       string          `json:"business_type_id"`
	RegionID             string          `json:"region_id"`
	SimpleDescription    string          `json:"simple_description"`
	SourceID             string          `json:"source_id"`
	IsAuthorized         *int32          `json:"is_authorized"`
	AuthorizationContent string          `json:"authorization_content"`
	RemindMobile         string          `json:"remind_mobile"`
	RemindMail           string          `json:"remind_mail"`
	RemindTime           string          `json:"remind_time"`
	ProjectID            string          `json:"project_id"`
	AccessoryIDs         stringList      `json:"accessory_ids"`
	ExtendsMap           map[string]any  `json:"extends_map"`
	ExtensionMap         json.RawMessage `json:"extension_map"`
	SeverityID           string          `json:"severity_id"`
	VerifyCode           string          `json:"verify_code"`
	AreaCode             string          `json:"area_code"`
}

func (s *Server) handleCreateCases(w http.ResponseWriter, r *http.Request) error {
	for _, h := range []string{"X-Phone-Verifiedid", "X-Email-Verifiedid"} {
		if v, ok := headerValue(r, h); ok {
			if err := checkLength(strings.ToLower(h), v, 0, maxVerifiedIDLen); err != nil {
				return err
			}
		}
	}
	var req createCaseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		// The Service checks the fields it stores; these are the
		// documented bounds of fields it does not see.
		{"business_type_id", req.BusinessTypeID, 512},
		{"verify_code", req.VerifyCode, 32},
		{"authorization_content", req.AuthorizationContent, 10000},
	} {
		if err := checkLength(f.name, f.value, 0, f.max); err != nil {
			return err
		}
	}
	for _, id := range req.AccessoryIDs {
		if err := checkLength("accessory_ids", id, 1, maxCaseAccIDLen); err != nil {
			return err
		}
	}
	extends, err := flattenExtendsMap(req.ExtendsMap)
	if err != nil {
		return err
	}
	c, err := s.Service.CreateCase(r.Context(), principal(r), casebook.CaseInput{
		BusinessTypeID:    req.BusinessTypeID,
		IncidentSubTypeID: req.IncidentSubTypeID,
		ProductCategoryID: req.ProductCategoryID,
		RegionID:          req.RegionID,
		ProjectID:         req.ProjectID,
		SeverityID:        req.SeverityID,
		SourceID:          req.SourceID,
		SimpleDescription: req.SimpleDescription,
		RemindMobile:      req.RemindMobile,
		RemindMail:        req.RemindMail,
		RemindTime:        req.RemindTime,
		AreaCode:          req.AreaCode,
		ExtendsMap:        extends,
		AccessoryIDs:      req.AccessoryIDs,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"incident_id": c.ID})
}

// flattenExtendsMap turns the SDK's map[string]interface{} into strings:
// strings stay as they are, other JSON values keep their JSON text.
func flattenExtendsMap(m map[string]any) (map[string]string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	if len(m) > maxExtendsKeys {
		return nil, casebook.Invalidf("extends_map", "extends_map may hold at most %d entries.", maxExtendsKeys)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if err := checkLength("extends_map key", k, 1, maxExtendsKeyLen); err != nil {
			return nil, err
		}
		var s string
		switch v := v.(type) {
		case nil:
			continue
		case string:
			s = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, casebook.Invalidf("extends_map", "extends_map value of %q cannot be stored.", k)
			}
			s = string(b)
		}
		if err := checkLength("extends_map value", s, 0, maxExtendsValueLen); err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

// incidentInfo is IncidentInfoV2. The SDK declares the fields without
// omitempty as plain (required) values, so they are always present.
type incidentInfo struct {
	XCustomerID       string      `json:"xcustomer_id,omitempty"`
	XCustomerName     string      `json:"xcustomer_name,omitempty"`
	Status            int         `json:"status"`
	IncidentID        string      `json:"incident_id"`
	BusinessTypeName  string      `json:"business_type_name"`
	IncidentTypeName  string      `json:"incident_type_name"`
	CustomerID        string      `json:"customer_id"`
	DCName            string      `json:"dc_name"`
	SimpleDescription string      `json:"simple_description"`
	CreateTime        string      `json:"create_time"`
	ConfirmedTime     *string     `json:"confirmed_time,omitempty"`
	LabelList         []labelInfo `json:"label_list"`
}

// labelInfo is LabelInfo; labels are not implemented, so lists are empty.
type labelInfo struct {
	LabelID int    `json:"label_id"`
	Name    string `json:"name"`
	Color   string `json:"color"`
}

func toIncidentInfo(c *casebook.Case, lang string) incidentInfo {
	return incidentInfo{
		XCustomerID:       c.CreatorID,
		XCustomerName:     c.CreatorName,
		Status:            c.Status,
		IncidentID:        c.ID,
		BusinessTypeName:  casebook.DictName(casebook.DictBusinessType, c.BusinessTypeID, lang),
		IncidentTypeName:  casebook.DictName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
		CustomerID:        c.AccountID,
		DCName:            c.RegionID,
		SimpleDescription: c.SimpleDescription,
		CreateTime:        formatTime(c.CreatedAt),
		ConfirmedTime:     formatTimePtr(c.ConfirmedAt),
		LabelList:         []labelInfo{},
	}
}

type listCasesResponse struct {
	TotalCount       int            `json:"total_count"`
	IncidentInfoList []incidentInfo `json:"incident_info_list"`
}

func (s *Server) handleListCases(w http.ResponseWriter, r *http.Request) error {
	info := requestInfoFrom(r.Context())
	q := newQuery(r)
	var f casebook.CaseFilter
	var err error

	// search_key: repeated keys (SDK) and space-separated words (docs).
	for _, v := range q.List("search_key", false) {
		for _, word := range strings.Fields(v) {
			if err := checkLength("search_key", word, 1, maxSearchKeyLen); err != nil {
				return err
			}
			f.SearchKeys = append(f.SearchKeys, word)
		}
	}
	if len(f.SearchKeys) > maxSearchKeys {
		return casebook.Invalidf("search_key", "search_key may hold at most %d keywords.", maxSearchKeys)
	}
	// Labels are not implemented: the filter is checked and ignored.
	if labels := q.List("label_id_list", true); len(labels) > maxLabelIDs {
		return casebook.Invalidf("label_id_list", "label_id_list may hold at most %d labels.", maxLabelIDs)
	}
	if f.AppKey, err = q.String("app_key", 64); err != nil {
		return err
	}
	if f.ID, err = q.String("incident_id", maxCaseIDLen); err != nil {
		return err
	}
	if f.CreatorID, err = q.String("x_customer_id", 64); err != nil {
		return err
	}
	if f.CreatorName, err = q.String("x_customer_name", 64); err != nil {
		return err
	}
	if f.Status, err = q.IntPtr("status", 0, maxCaseStatusFilter); err != nil {
		return err
	}
	if f.Statuses, err = parseStatusList(q); err != nil {
		return err
	}
	if f.CreatedFrom, err = queryTime(q, "query_start_time", info.Location, false); err != nil {
		return err
	}
	if f.CreatedTo, err = queryTime(q, "query_end_time", info.Location, true); err != nil {
		return err
	}
	if f.CreatedFrom != nil && f.CreatedTo != nil && f.CreatedFrom.After(*f.CreatedTo) {
		return casebook.Invalidf("query_start_time", "query_start_time must not be after query_end_time.")
	}
	if f.Offset, err = q.Int("offset", 0, maxListOffset, 0); err != nil {
		return err
	}
	if f.Limit, err = q.Int("limit", 0, maxListLimit, 0); err != nil {
		return err
	}
	groupID, err := q.String("group_id", maxGroupIDLen)
	if err != nil {
		return err
	}

	cases, total, err := s.Service.ListCases(r.Context(), principal(r), groupID, f)
	if err != nil {
		return err
	}
	resp := listCasesResponse{TotalCount: caseTotal(total), IncidentInfoList: make([]incidentInfo, 0, len(cases))}
	for _, c := range cases {
		resp.IncidentInfoList = append(resp.IncidentInfoList, toIncidentInfo(c, info.Lang))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// parseStatusList reads incident_status, a "status list" whose format the
// docs leave open: comma-separated statuses, as in every other list.
func parseStatusList(q query) ([]int, error) {
	v, err := q.String("incident_status", 32)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > maxCaseStatusFilter {
			return nil, casebook.Invalidf("incident_status", "incident_status must be comma-separated statuses from 0 to %d.", maxCaseStatusFilter)
		}
		out = append(out, n)
	}
	return out, nil
}

// queryTimeLayouts are the zone-less forms of query_start_time and
// query_end_time, read in the X-Time-Zone location. The documented one
// comes first.
var queryTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// queryTime reads a time filter: "yyyy-MM-dd HH:mm:ss" (documented) or
// "yyyy-MM-ddTHH:mm:ss" in the caller's X-Time-Zone, RFC 3339 with its own
// offset, or epoch milliseconds. An end bound given to the second covers
// that whole second, so "... 18:00:00" includes 18:00:00.500.
func queryTime(q query, name string, loc *time.Location, end bool) (*time.Time, error) {
	v, err := q.String(name, maxQueryTimeLen)
	if err != nil {
		return nil, err
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if isDigits(v) {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, casebook.Invalidf(name, "%s is out of range.", name)
		}
		t := time.UnixMilli(ms).UTC()
		return &t, nil
	}
	for _, layout := range queryTimeLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			if end {
				t = t.Add(time.Second - time.Millisecond)
			}
			t = t.UTC()
			return &t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		t = t.UTC()
		return &t, nil
	}
	return nil, casebook.Invalidf(name, "%s must be a time such as 2024-01-02 15:04:05 (in the X-Time-Zone zone), RFC 3339, or epoch milliseconds.", name)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// incidentDetail is IncidentDetailInfoV2.
type incidentDetail struct {
	XCustomerID          string               `json:"xcustomer_id,omitempty"`
	XCustomerName        string               `json:"xcustomer_name,omitempty"`
	Status               int                  `json:"status"`
	Judgement            string               `json:"judgement"`
	IncidentID           string               `json:"incident_id"`
	BusinessTypeName     string               `json:"business_type_name"`
	IncidentTypeName     string               `json:"incident_type_name"`
	CustomerID           string               `json:"customer_id"`
	DCName               string               `json:"dc_name"`
	SimpleDescription    string               `json:"simple_description"`
	SourceName           string               `json:"source_name"`
	CreateTime           string               `json:"create_time"`
	MessageList          []messageInfo        `json:"message_list"`
	IncidentSatisfaction []satisfactionRecord `json:"incident_satisfaction"`
	IsAuthorized         int                  `json:"is_authorized"`
	SeverityName         string               `json:"severity_name,omitempty"`
	BusinessOwnership    int                  `json:"business_ownership"`
	ResolveTime          *int64               `json:"resolve_time,omitempty"`
	ExtInfo              incidentExtInfo      `json:"ext_info"`
}

// incidentExtInfo is IncidentDetailExtInfoV2: the reminder contact.
type incidentExtInfo struct {
	AreaCode     string `json:"area_code,omitempty"`
	RemindMobile string `json:"remind_mobile,omitempty"`
	RemindMail   string `json:"remind_mail,omitempty"`
	RemindTime   string `json:"remind_time,omitempty"`
}

// satisfactionRecord is IncidentSatisfactionV2Do as returned; scores are
// validated but not stored, so the list is always empty.
type satisfactionRecord struct {
	SatisfactionID    int `json:"satisfaction_id"`
	SatisfactionValue int `json:"satisfaction_value"`
}

// messageInfo serves both IncidentMessageV2 (detail) and QueryMessageInfoV2
// (ListMessages); each side ignores the fields it does not declare.
type messageInfo struct {
	Type           int             `json:"type"`
	ReplierType    int             `json:"replier_type"`
	Replier        string          `json:"replier"`
	ReplierName    string          `json:"replier_name"`
	Content        string          `json:"content"`
	MessageID      string          `json:"message_id"`
	CreateTime     string          `json:"create_time"`
	IsFirstMessage int             `json:"is_first_message"`
	AccessoryList  []accessoryInfo `json:"accessory_list"`
}

// accessoryInfo is SimpleAccessoryV2.
type accessoryInfo struct {
	AccessoryID    string `json:"accessory_id"`
	FileActualName string `json:"file_actual_name"`
}

func toMessageInfo(m *casebook.Message) messageInfo {
	mi := messageInfo{
		Type:          m.Type,
		ReplierType:   m.Type,
		Replier:       m.AuthorID,
		ReplierName:   m.AuthorName,
		Content:       m.Content,
		MessageID:     m.ID,
		CreateTime:    formatTime(m.CreatedAt),
		AccessoryList: make([]accessoryInfo, 0, len(m.Accessories)),
	}
	if m.IsFirst {
		mi.IsFirstMessage = 1
	}
	for _, a := range m.Accessories {
		mi.AccessoryList = append(mi.AccessoryList, accessoryInfo{AccessoryID: a.ID, FileActualName: a.FileName})
	}
	return mi
}

func (s *Server) handleShowCaseDetail(w http.ResponseWriter, r *http.Request) error {
	lang := requestInfoFrom(r.Context()).Lang
	id, err := caseIDParam(r)
	if err != nil {
		return err
	}
	groupID, err := newQuery(r).String("group_id", maxGroupIDLen)
	if err != nil {
		return err
	}
	d, err := s.Service.GetCase(r.Context(), principal(r), groupID, id)
	if err != nil {
		return hideCaseDenial(err)
	}
	c := d.Case
	detail := incidentDetail{
		XCustomerID:          c.CreatorID,
		XCustomerName:        c.CreatorName,
		Status:               c.Status,
		Judgement:            c.Judgement,
		IncidentID:           c.ID,
		BusinessTypeName:     casebook.DictName(casebook.DictBusinessType, c.BusinessTypeID, lang),
		IncidentTypeName:     casebook.DictName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
		CustomerID:           c.AccountID,
		DCName:               c.RegionID,
		SimpleDescription:    c.SimpleDescription,
		SourceName:           casebook.DictName(casebook.DictSource, c.SourceID, lang),
		CreateTime:           formatTime(c.CreatedAt),
		MessageList:          make([]messageInfo, 0, len(d.Messages)),
		IncidentSatisfaction: []satisfactionRecord{},
		SeverityName:         casebook.DictName(casebook.DictSeverity, c.SeverityID, lang),
		ExtInfo: incidentExtInfo{
			AreaCode:     c.AreaCode,
			RemindMobile: c.RemindMobile,
			RemindMail:   c.RemindMail,
			RemindTime:   c.RemindTime,
		},
	}
	if c.ConfirmedAt != nil {
		ms := c.ConfirmedAt.UnixMilli()
		detail.ResolveTime = &ms
	}
	for _, m := range d.Messages {
		detail.MessageList = append(detail.MessageList, toMessageInfo(m))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"incident_detail_info": detail})
}

func (s *Server) handleShowCaseStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := caseIDParam(r)
	if err != nil {
		return err
	}
	// The SDK sends no group_id here; a doc user may, and gets the
	// group's view like everywhere else.
	groupID, err := newQuery(r).String("group_id", maxGroupIDLen)
	if err != nil {
		return err
	}
	d, err := s.Service.GetCase(r.Context(), principal(r), groupID, id)
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, map[string]int{"status": d.Case.Status})
}

// satisfactionInput is IncidentSatisfactionV2Do as submitted. Pointers
// tell a missing required field from a zero.
type satisfactionInput struct {
	Value             *int64 `json:"value"`
	SatisfactionID    *int64 `json:"satisfaction_id"`
	SatisfactionValue *int64 `json:"satisfaction_value"`
	SatisfactionName  string `json:"satisfaction_name"`
	PerValue          *int64 `json:"per_value"`
	SatCategoryID     string `json:"sat_category_id"`
	SatCategoryName   string `json:"sat_category_name"`
}

func (in satisfactionInput) validate() error {
	const field = "incident_satisfaction_list"
	switch {
	case in.SatisfactionID == nil || *in.SatisfactionID < 0 || *in.SatisfactionID > 9999:
		return casebook.Invalidf(field, "satisfaction_id is required and must be from 0 to 9999.")
	case in.SatisfactionValue == nil || *in.SatisfactionValue < 0 || *in.SatisfactionValue > 65535:
		return casebook.Invalidf(field, "satisfaction_value is required and must be from 0 to 65535.")
	case in.Value != nil && (*in.Value < 0 || *in.Value > 65535):
		return casebook.Invalidf(field, "value must be from 0 to 65535.")
	case in.PerValue != nil && (*in.PerValue < 0 || *in.PerValue > 65535):
		return casebook.Invalidf(field, "per_value must be from 0 to 65535.")
	}
	if err := checkLength("satisfaction_name", in.SatisfactionName, 0, 32); err != nil {
		return err
	} else if err := checkLength("sat_category_id", in.SatCategoryID, 0, 32); err != nil {
		return err
	} else if err := checkLength("sat_category_name", in.SatCategoryName, 0, 64); err != nil {
		return err
	}
	return nil
}

type updateCaseRequest struct {
	Judgement                string              `json:"judgement"`
	OperateDesc              string              `json:"operate_desc"`
	GroupID                  string              `json:"group_id"`
	IncidentSatisfactionList []satisfactionInput `json:"incident_satisfaction_list"`
}

func (s *Server) handleUpdateCases(w http.ResponseWriter, r *http.Request) error {
	id, err := caseIDParam(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	// An empty or unknown action_id is refused by the Service with the
	// dedicated OSM.01010013.
	action, err := q.String("action_id", maxActionIDLen)
	if err != nil {
		return err
	}
	var req updateCaseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := checkLength("group_id", req.GroupID, 0, maxGroupIDLen); err != nil {
		return err
	}
	if len(req.IncidentSatisfactionList) > maxSatisfactions {
		return casebook.Invalidf("incident_satisfaction_list", "incident_satisfaction_list may hold at most %d items.", maxSatisfactions)
	}
	for _, in := range req.IncidentSatisfactionList {
		if err := in.validate(); err != nil {
			return err
		}
	}
	groupID, err := bodyOrQueryGroupID(r, req.GroupID)
	if err != nil {
		return err
	}
	err = s.Service.CaseAction(r.Context(), principal(r), groupID, id, casebook.CaseActionInput{
		Action:      action,
		Judgement:   req.Judgement,
		OperateDesc: req.OperateDesc,
	})
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// createMessageRequest is CreateMessageV2Req.
type createMessageRequest struct {
	Message *struct {
		Content      string     `json:"content"`
		AccessoryIDs stringList `json:"accessory_ids"`
	} `json:"message"`
	GroupID string `json:"group_id"`
}

func (s *Server) handleCreateMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := caseIDParam(r)
	if err != nil {
		return err
	}
	var req createMessageRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Message == nil {
		return casebook.Invalidf("message", "message is required.")
	}
	if err := checkLength("group_id", req.GroupID, 0, maxGroupIDLen); err != nil {
		return err
	} else if err := checkLength("content", req.Message.Content, 0, 10000); err != nil {
		return err
	}
	if len(req.Message.AccessoryIDs) > maxMessageAccessory {
		return casebook.Invalidf("accessory_ids", "accessory_ids may hold at most %d ids.", maxMessageAccessory)
	}
	for _, a := range req.Message.AccessoryIDs {
		if err := checkLength("accessory_ids", a, 1, maxMessageAccIDLen); err != nil {
			return err
		}
	}
	// Empty content is accepted with attachments (a message that only
	// carries files); the Service refuses a message with neither.
	_, err = s.Service.CreateMessage(r.Context(), principal(r), req.GroupID, id, req.Message.Content, req.Message.AccessoryIDs)
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

type listMessagesResponse struct {
	Count       int           `json:"count"`
	MessageList []messageInfo `json:"message_list"`
}

func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := caseIDParam(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	groupID, err := q.String("group_id", maxGroupIDLen)
	if err != nil {
		return err
	}
	offset, err := q.Int("offset", 0, maxListOffset, 0)
	if err != nil {
		return err
	}
	limit, err := q.Int("limit", 0, maxListLimit, 0)
	if err != nil {
		return err
	}
	msgs, total, err := s.Service.ListMessages(r.Context(), principal(r), groupID, id, offset, limit)
	if err != nil {
		return hideCaseDenial(err)
	}
	resp := listMessagesResponse{Count: total, MessageList: make([]messageInfo, 0, len(msgs))}
	for _, m := range msgs {
		resp.MessageList = append(resp.MessageList, toMessageInfo(m))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// caseTotal clamps a ListCases total to its documented range. The store
// counts a little further (casebook.MaxCountedTotal); a client paging until
// the total still reaches the deepest offset, 65535, and is never told of
// pages past it.
func caseTotal(total int) int { return min(total, maxCaseTotal) }
