package http

import (
	"encoding/csv"

	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/casebook/casebook"
)

// The remaining ticket operations: ListCaseCounts, UpdateCaseContactInfo,
// CreateCaseExtendsParam, ShowCaseExtendsParam, DownloadCases and the
// legacy list ListOrderIncident.

// countedStatuses are the statuses ListCaseCounts always reports (the
// SDK's list: 0, 1, 2, 3, 4, 12, 17), with 0 where there are none.
var countedStatuses = []int{0, 1, 2, 3, 4, 12, 17}

// listCaseCountsRequest is ListCaseCounts: an optional status, and the
// group whose view to count (as in ListCases).
type listCaseCountsRequest struct {
	Status  *int   `query:"status" min:"0" max:"MaxCaseStatus"`
	GroupID string `query:"group_id"`
}

type incidentStatusCount struct {
	Status int `json:"status"`
	Count  int `json:"count"`
}

func (s *Server) handleListCaseCounts(w http.ResponseWriter, r *http.Request) error {
	var req listCaseCountsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	counts, err := s.Service.CountCases(r.Context(), principal(r), req.GroupID)
	if err != nil {
		return err
	}
	statuses := countedStatuses
	if req.Status != nil {
		statuses = []int{*req.Status}
	} else {
		// A status outside the usual list (an engineer's 5, say) is
		// counted too, after them.
		var extra []int
		for st := range counts {
			if !containsInt(countedStatuses, st) {
				extra = append(extra, st)
			}
		}
		sort.Ints(extra)
		statuses = append(append([]int(nil), countedStatuses...), extra...)
	}
	list := make([]incidentStatusCount, 0, len(statuses))
	for _, st := range statuses {
		list = append(list, incidentStatusCount{Status: st, Count: counts[st]})
	}
	return writeJSON(w, http.StatusOK, map[string][]incidentStatusCount{"incident_status_counts": list})
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// updateContactRequest is UpdateCaseContactInfo (UpdateCaseContactInfoReq).
// Absent fields stay as they are; "" clears one. extension_map names no
// parameter Casebook keeps for contacts, so a non-empty one is refused
// rather than dropped.
type updateContactRequest struct {
	caseRequest
	Body struct {
		AreaCode     *string        `json:"area_code"`
		RemindMobile *string        `json:"remind_mobile"`
		RemindMail   *string        `json:"remind_mail"`
		RemindTime   *string        `json:"remind_time"`
		GroupID      string         `json:"group_id"`
		ExtensionMap map[string]any `json:"extension_map"`
	} `body:"json"`
}

func (s *Server) handleUpdateCaseContactInfo(w http.ResponseWriter, r *http.Request) error {
	var req updateContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	b := req.Body
	if len(b.ExtensionMap) > 0 {
		return casebook.Invalidf("extension_map", "extension_map is not supported here; send extension parameters with CreateCaseExtendsParam.")
	}
	_, err := s.Service.UpdateCaseContact(r.Context(), principal(r), groupIDOf(b.GroupID, req.GroupID), req.CaseID, casebook.ContactUpdate{
		AreaCode: b.AreaCode, RemindMobile: b.RemindMobile, RemindMail: b.RemindMail, RemindTime: b.RemindTime,
	})
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// createExtendsRequest is CreateCaseExtendsParam (PutCaseExtParamReq).
// message_id would tie the parameters to a message, which Casebook does
// not model, so a non-empty one is refused rather than dropped.
type createExtendsRequest struct {
	caseRequest
	Body struct {
		GroupID    string         `json:"group_id"`
		MessageID  string         `json:"message_id"`
		ExtendsMap map[string]any `json:"extends_map"`
	} `body:"json"`
}

func (s *Server) handleCreateCaseExtendsParam(w http.ResponseWriter, r *http.Request) error {
	var req createExtendsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	b := req.Body
	if b.MessageID != "" {
		return casebook.Invalidf("message_id", "message_id is not supported: extension parameters belong to the case.")
	}
	extends, err := flattenExtendsMap(b.ExtendsMap)
	if err != nil {
		return err
	}
	if _, err := s.Service.AddCaseExtends(r.Context(), principal(r), groupIDOf(b.GroupID, req.GroupID), req.CaseID, extends); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// handleShowCaseExtendsParam is ShowCaseExtendsParam. The SDK's response
// declares only the error fields; the parameters come as extends_map, the
// name CreateCases and CreateCaseExtendsParam use, for plain HTTP callers.
func (s *Server) handleShowCaseExtendsParam(w http.ResponseWriter, r *http.Request) error {
	var req caseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := s.Service.GetCase(r.Context(), principal(r), req.GroupID, req.CaseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	m := d.Case.ExtendsMap
	if m == nil {
		m = map[string]string{}
	}
	return writeJSON(w, http.StatusOK, map[string]map[string]string{"extends_map": m})
}

// downloadCasesRequest is DownloadCases. language and timezone are
// required (SDK and docs); the filters are ListCases' under their export
// names.
type downloadCasesRequest struct {
	Language           string   `query:"language" min:"1" max:"MaxExportLanguageLen"`
	Timezone           string   `query:"timezone" min:"1" max:"MaxExportTimezoneLen"`
	IncidentID         string   `query:"incident_id" max:"MaxCaseIDLength"`
	QueryStartTime     string   `query:"query_start_time" max:"MaxQueryTimeLength"`
	QueryEndTime       string   `query:"query_end_time" max:"MaxQueryTimeLength"`
	XCustomerName      string   `query:"x_customer_name" max:"MaxFilterLength"`
	SearchKey          string   `query:"search_key" max:"MaxExportSearchKey"`
	Status             *int     `query:"status" min:"0" max:"MaxExportStatus"`
	CustomerID         string   `query:"customer_id" max:"MaxFilterLength"`
	TenantSourceIDList []string `query:"tenant_source_id_list,comma" max:"MaxSourceIDLength" items:"MaxExportSourceIDs"`
	SubCustomerID      string   `query:"sub_customer_id" max:"MaxFilterLength"`
	Offset             int      `query:"offset" min:"0" max:"MaxListOffset"`
	Limit              int      `query:"limit" min:"0" max:"MaxExportRows"` // 0: every matching ticket
	GroupID            string   `query:"group_id"`
}

// exportColumns are the columns of the export, in both languages.
var exportColumns = map[string][]string{
	casebook.LangEnUS: {"Case ID", "Status", "Problem Type", "Case Type", "Description", "Submitted By", "Submitter ID", "Region", "Severity", "Source", "Created", "Closed"},
	casebook.LangZhCN: {"工单号", "状态", "问题类型", "工单类型", "问题描述", "提交人", "提交人ID", "区域", "严重性", "来源", "创建时间", "关闭时间"},
}

// exportTimeLayout is the export's time format, in the request's timezone.
const exportTimeLayout = "2006-01-02 15:04:05"

// handleDownloadCases is DownloadCases: a CSV file (UTF-8 with a byte
// order mark, so spreadsheet programs read the Chinese text), streamed
// row by row as the store reads the tickets (docs/compatibility.md
// "DownloadCases"). Huawei documents the answer only as a file stream.
func (s *Server) handleDownloadCases(w http.ResponseWriter, r *http.Request) error {
	var req downloadCasesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	lang := casebook.NormalizeLanguage(req.Language)
	loc, err := parseTimeZone(req.Timezone)
	if err != nil {
		return casebook.Invalidf("timezone", "timezone %q is not a time zone; use a form such as GMT+8, GMT+08:00 or Asia/Shanghai.", req.Timezone)
	}
	p := principal(r)
	if req.CustomerID != "" && req.CustomerID != p.AccountID {
		// Another account's id selects nothing the caller may see; say so
		// rather than export an empty file that looks like no tickets.
		return casebook.Invalidf("customer_id", "customer_id must be your account id (X-Domain-Id).")
	}
	f := casebook.CaseFilter{
		ID:          req.IncidentID,
		CreatorName: req.XCustomerName,
		CreatorID:   req.SubCustomerID,
		Status:      req.Status,
		SourceIDs:   req.TenantSourceIDList,
		Offset:      req.Offset,
		Limit:       req.Limit,
	}
	if req.SearchKey != "" {
		f.SearchKeys = []string{req.SearchKey}
	}
	info := requestInfoFrom(r.Context())
	if f.CreatedFrom, f.CreatedTo, err = queryTimeRange("query_start_time", req.QueryStartTime, "query_end_time", req.QueryEndTime, info.Location); err != nil {
		return err
	}
	dict, err := s.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}

	// Errors before the first row are answered as usual; once the header
	// is out, a failure can only cut the file short (and is logged).
	var out *csv.Writer
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="cases-`+time.Now().In(loc).Format("20060102150405")+`.csv"`)
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write([]byte("\ufeff")); err != nil {
			return err
		}
		out = csv.NewWriter(w)
		return out.Write(exportColumns[lang])
	}
	row := make([]string, len(exportColumns[lang]))
	err = s.Service.ExportCases(r.Context(), p, req.GroupID, f, func(c *casebook.Case) error {
		if out == nil {
			if err := start(); err != nil {
				return err
			}
		}
		closed := ""
		if c.ConfirmedAt != nil {
			closed = c.ConfirmedAt.In(loc).Format(exportTimeLayout)
		}
		row = append(row[:0],
			c.ID,
			caseStatusName(lang, c.Status),
			dict.CaseName(casebook.DictBusinessType, c.BusinessTypeID, lang),
			dict.CaseName(casebook.DictIncidentType, c.IncidentSubTypeID, lang),
			c.SimpleDescription,
			c.CreatorName,
			c.CreatorID,
			c.RegionID,
			dict.CaseName(casebook.DictSeverity, c.SeverityID, lang),
			dict.CaseName(casebook.DictSource, c.SourceID, lang),
			c.CreatedAt.In(loc).Format(exportTimeLayout),
			closed,
		)
		return out.Write(row)
	})
	if out == nil {
		if err != nil {
			return err
		}
		if err := start(); err != nil {
			return nil // the client went away
		}
	} else if err != nil {
		s.logStreamError(r, "download cases", err)
		return nil
	}
	out.Flush()
	if err := out.Error(); err != nil {
		s.logStreamError(r, "download cases", err)
	}
	return nil
}

func caseStatusName(lang string, status int) string {
	if name, ok := casebook.CaseStatusName(status, lang); ok {
		return name
	}
	return strconv.Itoa(status)
}

// logStreamError records a failure after a streamed answer has started,
// when no error envelope can be sent any more.
func (s *Server) logStreamError(r *http.Request, what string, err error) {
	if s.Logger != nil {
		s.Logger.Error(what+": answer cut short", "path", logPath(r), "error", err.Error())
	}
}

// listOrderIncidentRequest is ListOrderIncident: ListCases' filters under
// camelCase names, pageNo (from 1) and pageSize instead of offset and
// limit. version names the API version; only v1 (the path's) exists.
type listOrderIncidentRequest struct {
	Version           string     `query:"version" max:"MaxFilterLength"`
	SearchKeys        []string   `query:"searchKey,words" min:"1" max:"MaxSearchKeyLength" items:"MaxSearchKeys"`
	LabelIDs          []int      `query:"labelIdList,comma" min:"1" max:"MaxLabelID" items:"MaxLabelIDs"`
	AppKey            string     `query:"appKey" max:"MaxFilterLength"`
	IncidentID        string     `query:"incidentId" max:"MaxCaseIDLength"`
	QueryStartTime    string     `query:"queryStartTime" max:"MaxQueryTimeLength"`
	QueryEndTime      string     `query:"queryEndTime" max:"MaxQueryTimeLength"`
	Status            *int       `query:"status" min:"0" max:"MaxCaseStatus"`
	IncidentStatus    statusList `query:"incidentStatus" max:"MaxStatusListLen"`
	XCustomerName     string     `query:"xCustomerName" max:"MaxFilterLength"`
	XCustomerID       string     `query:"xCustomerId" max:"MaxFilterLength"`
	GroupID           string     `query:"groupId" max:"MaxGroupIDLength"`
	ProductCategoryID string     `query:"productCategoryId" max:"MaxProductCategoryIDLength"`
	BusinessTypeID    string     `query:"businessTypeId" max:"MaxBusinessTypeIDLength"`
	PageNo            int        `query:"pageNo" min:"1" max:"MaxOrderPageNo" default:"1"`
	PageSize          int        `query:"pageSize" min:"1" max:"MaxPageLimit" default:"DefaultPageLimit"`
}

// orderIncidentInfo is IncidentInfo, the legacy camelCase ticket.
type orderIncidentInfo struct {
	IncidentID       string           `json:"incidentId"`
	Type             *int             `json:"type,omitempty"`
	BusinessTypeName string           `json:"businessTypeName"`
	IncidentTypeName string           `json:"incidentTypeName"`
	CustomerID       string           `json:"customerId"`
	XCustomerID      string           `json:"xcustomerId"`
	XCustomerName    string           `json:"xcustomerName"`
	DCName           string           `json:"dcName"`
	SimpleDescribe   string           `json:"simpleDescribe"`
	Status           int              `json:"status"`
	CreateTime       string           `json:"createTime"`
	Gray             bool             `json:"gray"`
	LabelList        []caseQueryLabel `json:"labelList"`
}

// caseQueryLabel is CaseQueryLabel: its labelId is a string in the SDK.
type caseQueryLabel struct {
	LabelID string `json:"labelId"`
	Name    string `json:"name"`
	Color   string `json:"color"`
}

func (s *Server) handleListOrderIncident(w http.ResponseWriter, r *http.Request) error {
	info := requestInfoFrom(r.Context())
	var req listOrderIncidentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Version != "" && req.Version != "v1" {
		return casebook.Invalidf("version", "version %q is not served; the only version is v1.", req.Version)
	}
	offset := (req.PageNo - 1) * req.PageSize
	if offset > casebook.MaxListOffset {
		return casebook.Invalidf("pageNo", "pageNo reaches past the deepest page: (pageNo-1)*pageSize must be at most %d.", casebook.MaxListOffset)
	}
	f := casebook.CaseFilter{
		SearchKeys:        req.SearchKeys,
		AppKey:            req.AppKey,
		ID:                req.IncidentID,
		CreatorID:         req.XCustomerID,
		CreatorName:       req.XCustomerName,
		Status:            req.Status,
		Statuses:          req.IncidentStatus,
		LabelIDs:          labelIDs(req.LabelIDs),
		ProductCategoryID: req.ProductCategoryID,
		BusinessTypeID:    req.BusinessTypeID,
		Offset:            offset,
		Limit:             req.PageSize,
	}
	var err error
	if f.CreatedFrom, f.CreatedTo, err = queryTimeRange("queryStartTime", req.QueryStartTime, "queryEndTime", req.QueryEndTime, info.Location); err != nil {
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
	list := make([]orderIncidentInfo, 0, len(cases))
	for _, c := range cases {
		oi := orderIncidentInfo{
			IncidentID:       c.ID,
			BusinessTypeName: dict.CaseName(casebook.DictBusinessType, c.BusinessTypeID, info.Lang),
			IncidentTypeName: dict.CaseName(casebook.DictIncidentType, c.IncidentSubTypeID, info.Lang),
			CustomerID:       c.AccountID,
			XCustomerID:      c.CreatorID,
			XCustomerName:    c.CreatorName,
			DCName:           c.RegionID,
			SimpleDescribe:   c.SimpleDescription,
			Status:           c.Status,
			CreateTime:       formatTime(c.CreatedAt),
			LabelList:        make([]caseQueryLabel, 0, len(c.Labels)),
		}
		if p, ok := dict.ProblemType(c.BusinessTypeID); ok {
			oi.Type = &p.CaseType
		}
		for _, l := range c.Labels {
			oi.LabelList = append(oi.LabelList, caseQueryLabel{LabelID: strconv.FormatInt(l.ID, 10), Name: l.Name, Color: l.Color})
		}
		list = append(list, oi)
	}
	return writeJSON(w, http.StatusOK, struct {
		TotalCount       int                 `json:"totalCount"`
		IncidentInfoList []orderIncidentInfo `json:"incidentInfoList"`
	}{caseTotal(total), list})
}
