package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/casebook/casebook"
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

// groupIDOf returns the body's group_id, or the query's when the body has
// none (doc examples put it in the query).
func groupIDOf(body, query string) string {
	if body != "" {
		return body
	}
	return query
}

// caseRequest is a request that names one ticket, and optionally a group.
type caseRequest struct {
	CaseID  string `path:"case_id,notfound" max:"MaxCaseIDLength"`
	GroupID string `query:"group_id"`
}

// createCaseRequest is CreateCases. The Service checks the fields it
// stores; the tags bound the documented ones it does not take.
type createCaseRequest struct {
	PhoneVerifiedID string         `header:"X-Phone-Verifiedid" max:"MaxVerifiedIDLength"`
	EmailVerifiedID string         `header:"X-Email-Verifiedid" max:"MaxVerifiedIDLength"`
	Body            createCaseBody `body:"json"`
}

// createCaseBody is CreateOrderIncidentV2Req. Plain strings: the SDK sends
// its required fields always (null or "" when unset), optional ones only
// when set.
type createCaseBody struct {
	IncidentSubTypeID    string          `json:"incident_sub_type_id"`
	ProductCategoryID    string          `json:"product_category_id"`
	BusinessTypeID       string          `json:"business_type_id"`
	RegionID             string          `json:"region_id"`
	SimpleDescription    string          `json:"simple_description"`
	SourceID             string          `json:"source_id"`
	IsAuthorized         *int32          `json:"is_authorized"`
	AuthorizationContent string          `json:"authorization_content" max:"MaxAuthContentLength"`
	RemindMobile         string          `json:"remind_mobile"`
	RemindMail           string          `json:"remind_mail"`
	RemindTime           string          `json:"remind_time"`
	ProjectID            string          `json:"project_id"`
	AccessoryIDs         stringList      `json:"accessory_ids"`
	ExtendsMap           map[string]any  `json:"extends_map"`
	ExtensionMap         json.RawMessage `json:"extension_map"`
	SeverityID           string          `json:"severity_id"`
	VerifyCode           string          `json:"verify_code" max:"MaxVerifyCodeLength"`
	AreaCode             string          `json:"area_code"`
}

func (s *Server) handleCreateCases(w http.ResponseWriter, r *http.Request) error {
	var req createCaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	b := req.Body
	extends, err := flattenExtendsMap(b.ExtendsMap)
	if err != nil {
		return err
	}
	c, err := s.Service.CreateCase(r.Context(), principal(r), casebook.CaseInput{
		BusinessTypeID:    b.BusinessTypeID,
		IncidentSubTypeID: b.IncidentSubTypeID,
		ProductCategoryID: b.ProductCategoryID,
		RegionID:          b.RegionID,
		ProjectID:         b.ProjectID,
		SeverityID:        b.SeverityID,
		SourceID:          b.SourceID,
		SimpleDescription: b.SimpleDescription,
		RemindMobile:      b.RemindMobile,
		RemindMail:        b.RemindMail,
		RemindTime:        b.RemindTime,
		AreaCode:          b.AreaCode,
		ExtendsMap:        extends,
		AccessoryIDs:      b.AccessoryIDs,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"incident_id": c.ID})
}

// flattenExtendsMap turns the SDK's map[string]interface{} into strings:
// strings stay as they are, other JSON values keep their JSON text, null
// entries are left out. The Service checks the entries.
func flattenExtendsMap(m map[string]any) (map[string]string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
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

// labelInfo is LabelInfo: the caller's own labels on the ticket.
type labelInfo = caseLabelInfo

func toIncidentInfo(c *casebook.Case, dict *casebook.Dictionaries, lang string) incidentInfo {
	return incidentInfo{
		XCustomerID:       c.CreatorID,
		XCustomerName:     c.CreatorName,
		Status:            c.Status,
		IncidentID:        c.ID,
		BusinessTypeName:  dict.CaseName(casebook.DictBusinessType, c.BusinessTypeID, lang),
		IncidentTypeName:  dict.CaseName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
		CustomerID:        c.AccountID,
		DCName:            c.RegionID,
		SimpleDescription: c.SimpleDescription,
		CreateTime:        formatTime(c.CreatedAt),
		ConfirmedTime:     formatTimePtr(c.ConfirmedAt),
		LabelList:         toCaseLabelInfos(c.Labels),
	}
}

type listCasesResponse struct {
	TotalCount       int            `json:"total_count"`
	IncidentInfoList []incidentInfo `json:"incident_info_list"`
}

// listCasesRequest is ListCases: filters, a page and an optional group.
type listCasesRequest struct {
	SearchKeys     []string   `query:"search_key,words" min:"1" max:"MaxSearchKeyLength" items:"MaxSearchKeys"` // repeated keys (SDK), space-separated words (docs)
	LabelIDs       []int      `query:"label_id_list,comma" min:"1" max:"MaxLabelID" items:"MaxLabelIDs"`        // the caller's own labels; tickets carrying any
	AppKey         string     `query:"app_key" max:"MaxFilterLength"`
	IncidentID     string     `query:"incident_id" max:"MaxCaseIDLength"`
	XCustomerID    string     `query:"x_customer_id" max:"MaxFilterLength"`
	XCustomerName  string     `query:"x_customer_name" max:"MaxFilterLength"`
	Status         *int       `query:"status" min:"0" max:"MaxCaseStatus"`
	IncidentStatus statusList `query:"incident_status" max:"MaxStatusListLen"`
	QueryStartTime string     `query:"query_start_time" max:"MaxQueryTimeLength"`
	QueryEndTime   string     `query:"query_end_time" max:"MaxQueryTimeLength"`
	Offset         int        `query:"offset" min:"0" max:"MaxListOffset"`
	Limit          int        `query:"limit" min:"0" max:"MaxPageLimit"` // 0: the default page
	GroupID        string     `query:"group_id"`
}

func (s *Server) handleListCases(w http.ResponseWriter, r *http.Request) error {
	info := requestInfoFrom(r.Context())
	var req listCasesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f := casebook.CaseFilter{
		SearchKeys:  req.SearchKeys,
		AppKey:      req.AppKey,
		ID:          req.IncidentID,
		CreatorID:   req.XCustomerID,
		CreatorName: req.XCustomerName,
		Status:      req.Status,
		Statuses:    req.IncidentStatus,
		LabelIDs:    labelIDs(req.LabelIDs),
		Offset:      req.Offset,
		Limit:       req.Limit,
	}
	var err error
	if f.CreatedFrom, f.CreatedTo, err = queryTimeRange("query_start_time", req.QueryStartTime, "query_end_time", req.QueryEndTime, info.Location); err != nil {
		return err
	}
	cases, total, err := s.Service.ListCases(r.Context(), principal(r), req.GroupID, f)
	if err != nil {
		return err
	}
	dict, err := s.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	resp := listCasesResponse{TotalCount: caseTotal(total), IncidentInfoList: make([]incidentInfo, 0, len(cases))}
	for _, c := range cases {
		resp.IncidentInfoList = append(resp.IncidentInfoList, toIncidentInfo(c, dict, info.Lang))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// statusList is incident_status, a "status list" whose format the docs
// leave open: comma-separated statuses, as in every other list.
type statusList []int

func (l *statusList) decodeText(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > casebook.MaxCaseStatus {
			return casebook.Invalidf("incident_status", "incident_status must be comma-separated statuses from 0 to %d.", casebook.MaxCaseStatus)
		}
		*l = append(*l, n)
	}
	return nil
}

// queryTimeLayouts are the zone-less forms of query_start_time and
// query_end_time, read in the X-Time-Zone location. The documented one
// comes first.
var queryTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// queryTime reads a time filter: "yyyy-MM-dd HH:mm:ss" (documented) or
// "yyyy-MM-ddTHH:mm:ss" in the caller's X-Time-Zone, RFC 3339 with its own
// offset, or epoch milliseconds. An end bound given to the second covers
// that whole second, so "... 18:00:00" includes 18:00:00.500.
func queryTime(name, v string, loc *time.Location, end bool) (*time.Time, error) {
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

// queryTimeRange reads a pair of time filters, named by their parameters,
// and checks that the range is not reversed.
func queryTimeRange(startName, start, endName, end string, loc *time.Location) (from, to *time.Time, err error) {
	if from, err = queryTime(startName, start, loc, false); err != nil {
		return nil, nil, err
	}
	if to, err = queryTime(endName, end, loc, true); err != nil {
		return nil, nil, err
	}
	if from != nil && to != nil && from.After(*to) {
		return nil, nil, casebook.Invalidf(startName, "%s must not be after %s.", startName, endName)
	}
	return from, to, nil
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

// satisfactionRecord is IncidentSatisfactionV2Do as returned: a stored
// score, with its dimension's names when the dimension is still configured.
type satisfactionRecord struct {
	SatisfactionID    int    `json:"satisfaction_id"`
	SatisfactionValue int    `json:"satisfaction_value"`
	Value             int    `json:"value"`
	SatisfactionName  string `json:"satisfaction_name,omitempty"`
	PerValue          int    `json:"per_value,omitempty"`
	SatCategoryID     string `json:"sat_category_id,omitempty"`
	SatCategoryName   string `json:"sat_category_name,omitempty"`
}

func toSatisfactionRecords(scores []casebook.Score, lang string) []satisfactionRecord {
	list := make([]satisfactionRecord, 0, len(scores))
	for _, sc := range scores {
		rec := satisfactionRecord{SatisfactionID: sc.DimensionID, SatisfactionValue: sc.Value, Value: sc.Value}
		if d := sc.Dimension; d != nil {
			rec.SatisfactionName, rec.PerValue = d.Name.In(lang), d.MaxValue
			rec.SatCategoryID, rec.SatCategoryName = d.CategoryID, d.CategoryName.In(lang)
		}
		list = append(list, rec)
	}
	return list
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
	var req caseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := s.Service.GetCase(r.Context(), principal(r), req.GroupID, req.CaseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	dict, err := s.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	c := d.Case
	detail := incidentDetail{
		XCustomerID:          c.CreatorID,
		XCustomerName:        c.CreatorName,
		Status:               c.Status,
		Judgement:            c.Judgement,
		IncidentID:           c.ID,
		BusinessTypeName:     dict.CaseName(casebook.DictBusinessType, c.BusinessTypeID, lang),
		IncidentTypeName:     dict.CaseName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
		CustomerID:           c.AccountID,
		DCName:               c.RegionID,
		SimpleDescription:    c.SimpleDescription,
		SourceName:           casebook.DictName(casebook.DictSource, c.SourceID, lang),
		CreateTime:           formatTime(c.CreatedAt),
		MessageList:          make([]messageInfo, 0, len(d.Messages)),
		IncidentSatisfaction: toSatisfactionRecords(d.Scores, lang),
		SeverityName:         dict.CaseName(casebook.DictSeverity, c.SeverityID, lang),
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

// handleShowCaseStatus is ShowCaseStatus. The SDK sends no group_id here;
// a doc user may, and gets the group's view like everywhere else.
func (s *Server) handleShowCaseStatus(w http.ResponseWriter, r *http.Request) error {
	var req caseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := s.Service.GetCase(r.Context(), principal(r), req.GroupID, req.CaseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, map[string]int{"status": d.Case.Status})
}

// satisfactionInput is IncidentSatisfactionV2Do as submitted. Pointers
// tell a missing required field from a zero. The tags bound the wire
// values; the Service checks them against the satisfaction dimensions.
type satisfactionInput struct {
	Value             *int64 `json:"value" min:"0" max:"MaxSatisfactionValue"`
	SatisfactionID    *int64 `json:"satisfaction_id" required:"true" min:"0" max:"MaxSatisfactionID"`
	SatisfactionValue *int64 `json:"satisfaction_value" required:"true" min:"0" max:"MaxSatisfactionValue"`
	SatisfactionName  string `json:"satisfaction_name" max:"MaxSatisfactionNameLen"`
	PerValue          *int64 `json:"per_value" min:"0" max:"MaxSatisfactionValue"`
	SatCategoryID     string `json:"sat_category_id" max:"MaxSatisfactionNameLen"`
	SatCategoryName   string `json:"sat_category_name" max:"MaxSatCategoryNameLen"`
}

// updateCaseRequest is UpdateCases. An empty or unknown action_id is
// refused by the Service with the dedicated OSM.01010013.
type updateCaseRequest struct {
	CaseID   string `path:"case_id,notfound" max:"MaxCaseIDLength"`
	ActionID string `query:"action_id"`
	GroupID  string `query:"group_id"`
	Body     struct {
		Judgement                string              `json:"judgement"`
		OperateDesc              string              `json:"operate_desc"`
		GroupID                  string              `json:"group_id"`
		IncidentSatisfactionList []satisfactionInput `json:"incident_satisfaction_list" items:"MaxSatisfactions"`
	} `body:"json"`
}

func (s *Server) handleUpdateCases(w http.ResponseWriter, r *http.Request) error {
	var req updateCaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	err := s.Service.CaseAction(r.Context(), principal(r), groupIDOf(req.Body.GroupID, req.GroupID), req.CaseID, casebook.CaseActionInput{
		Action:      req.ActionID,
		Judgement:   req.Body.Judgement,
		OperateDesc: req.Body.OperateDesc,
		Scores:      scoreInputs(req.Body.IncidentSatisfactionList),
	})
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// createMessageRequest is CreateMessages (CreateMessageV2Req). Empty
// content is accepted with attachments (a message that only carries
// files); the Service refuses a message with neither.
type createMessageRequest struct {
	CaseID string `path:"case_id,notfound" max:"MaxCaseIDLength"`
	Body   struct {
		Message *struct {
			Content      string     `json:"content"`
			AccessoryIDs stringList `json:"accessory_ids"`
		} `json:"message" required:"true"`
		GroupID string `json:"group_id"`
	} `body:"json"`
}

func (s *Server) handleCreateMessages(w http.ResponseWriter, r *http.Request) error {
	var req createMessageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	m := req.Body.Message
	if _, err := s.Service.CreateMessage(r.Context(), principal(r), req.Body.GroupID, req.CaseID, m.Content, m.AccessoryIDs); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

type listMessagesResponse struct {
	Count       int           `json:"count"`
	MessageList []messageInfo `json:"message_list"`
}

// casePageRequest is one page of a ticket's list: its messages
// (ListMessages) or its history (ListCaseOperateLogs).
type casePageRequest struct {
	caseRequest
	Offset int `query:"offset" min:"0" max:"MaxListOffset"`
	Limit  int `query:"limit" min:"0" max:"MaxPageLimit"` // 0: the default page
}

func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) error {
	var req casePageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	msgs, total, err := s.Service.ListMessages(r.Context(), principal(r), req.GroupID, req.CaseID, req.Offset, req.Limit)
	if err != nil {
		return hideCaseDenial(err)
	}
	resp := listMessagesResponse{Count: total, MessageList: wireAll(msgs, toMessageInfo)}
	return writeJSON(w, http.StatusOK, resp)
}

// caseTotal clamps a ListCases total to its documented range. The store
// counts a little further (casebook.MaxCountedTotal); a client paging until
// the total still reaches the deepest offset, 65535, and is never told of
// pages past it.
func caseTotal(total int) int { return min(total, casebook.MaxCaseTotal) }
