package http

import (
	"context"
	"net/http"
	"strconv"

	"github.com/casebook/casebook"
)

// The configuration dictionaries of the ticket form, the tenant's limits and
// quota, and the satisfaction scores of a finished ticket. Names come in the
// request's X-Language; the Service checks every id.

func languageOf(r *http.Request) string { return requestInfoFrom(r.Context()).Lang }

// wireAll turns the Service's items into their wire form; none is an empty
// list, never null.
func wireAll[T, W any](items []T, wire func(T) W) []W {
	list := make([]W, 0, len(items))
	for _, it := range items {
		list = append(list, wire(it))
	}
	return list
}

// localized turns the Service's items into their wire form, with names in
// the request's language.
func localized[T, W any](r *http.Request, items []T, wire func(T, string) W) []W {
	l := languageOf(r)
	return wireAll(items, func(it T) W { return wire(it, l) })
}

// listLocalized serves a dictionary that takes no parameters: it rejects any,
// lists, and turns the items into their wire form in the request's language.
func listLocalized[T, W any](r *http.Request, list func(context.Context) ([]T, error), wire func(T, string) W) ([]W, error) {
	if err := decode(r, &struct{}{}); err != nil {
		return nil, err
	}
	items, err := list(r.Context())
	if err != nil {
		return nil, err
	}
	return localized(r, items, wire), nil
}

// listSeveritiesRequest is ListSeverities.
type listSeveritiesRequest struct {
	ProductCategoryID string `query:"product_category_id"`
	BusinessTypeID    string `query:"business_type_id"`
}

// severityInfo is SeverityV2Do.
type severityInfo struct {
	Language     string `json:"language"`
	SeverityName string `json:"severity_name"`
	SeverityID   string `json:"severity_id"`
}

func (s *Server) handleListSeverities(w http.ResponseWriter, r *http.Request) error {
	var req listSeveritiesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	items, err := s.Service.ListSeverities(r.Context(), req.ProductCategoryID, req.BusinessTypeID)
	if err != nil {
		return err
	}
	list := localized(r, items, func(e casebook.DictItem, l string) severityInfo {
		return severityInfo{Language: l, SeverityName: e.Name.In(l), SeverityID: e.ID}
	})
	return writeJSON(w, http.StatusOK, struct {
		Show         bool           `json:"show"`
		SeverityList []severityInfo `json:"severity_list"`
	}{true, list})
}

// problemType is SimpleIncidentBusinessTypeV2; case_type is a string there.
type problemType struct {
	BusinessTypeID   string `json:"business_type_id"`
	BusinessTypeName string `json:"business_type_name"`
	CaseType         string `json:"case_type"`
}

func (s *Server) handleListProblemTypes(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ProductCategoryID string `query:"product_category_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	types, err := s.Service.ListProblemTypes(r.Context(), req.ProductCategoryID)
	if err != nil {
		return err
	}
	list := localized(r, types, func(p casebook.ProblemType, l string) problemType {
		return problemType{p.ID, p.Name.In(l), strconv.Itoa(p.CaseType)}
	})
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int           `json:"total_count"`
		List       []problemType `json:"incident_business_type_list"`
	}{len(list), list})
}

// productCategory is IncidentProductCategoryV2.
type productCategory struct {
	ID          string `json:"incident_product_category_id"`
	Name        string `json:"incident_product_category_name"`
	Description string `json:"incident_product_category_desc"`
	Acronym     string `json:"incident_product_category_acronym"`
}

func toProductCategory(p casebook.ProductCategory, l string) productCategory {
	return productCategory{p.ID, p.Name.In(l), p.Description.In(l), p.Acronym}
}

func (s *Server) handleListProductCategories(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `query:"product_category_name"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ps, err := s.Service.ListProductCategories(r.Context(), req.Name)
	if err != nil {
		return err
	}
	list := localized(r, ps, toProductCategory)
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int               `json:"total_count"`
		List       []productCategory `json:"incident_product_category_list"`
	}{len(list), list})
}

// caseCategory is IncidentSubTypeV2Do: every product applies to every
// category, so each lists them all.
type caseCategory struct {
	ID       string            `json:"incident_sub_type_id"`
	Name     string            `json:"incident_sub_type_name"`
	Products []productCategory `json:"incident_product_category_list"`
}

func (s *Server) handleListCaseCategories(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	cats, err := s.Service.ListCaseCategories(r.Context())
	if err != nil {
		return err
	}
	ps, err := s.Service.ListProductCategories(r.Context(), "")
	if err != nil {
		return err
	}
	products := localized(r, ps, toProductCategory)
	list := localized(r, cats, func(c casebook.DictItem, l string) caseCategory {
		return caseCategory{c.ID, c.Name.In(l), products}
	})
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int            `json:"total_count"`
		List       []caseCategory `json:"incident_sub_type_list"`
	}{len(list), list})
}

// dataCenter is DataCenterV2Do.
type dataCenter struct {
	RegionID    string `json:"region_id"`
	RegionName  string `json:"region_name"`
	IsSensitive int    `json:"is_sensitive"`
}

func (s *Server) handleListRegions(w http.ResponseWriter, r *http.Request) error {
	list, err := listLocalized(r, s.Service.ListRegions, func(rg casebook.DictItem, l string) dataCenter {
		return dataCenter{RegionID: rg.ID, RegionName: rg.Name.In(l)}
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int          `json:"total_count"`
		List       []dataCenter `json:"data_center_list"`
	}{len(list), list})
}

// customerRegion is Region of ListCustomersRegions: the regions of the ticket
// form, as Casebook has no partner sub-customers with regions of their own.
type customerRegion struct {
	RegionID   string `json:"region_id"`
	RegionName string `json:"region_name"`
}

func (s *Server) handleListCustomersRegions(w http.ResponseWriter, r *http.Request) error {
	list, err := listLocalized(r, s.Service.ListRegions, func(rg casebook.DictItem, l string) customerRegion {
		return customerRegion{rg.ID, rg.Name.In(l)}
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Count int              `json:"count"`
		List  []customerRegion `json:"region_infos"`
	}{len(list), list})
}

// areaCode is AreaCodeSimpleInfoV2.
type areaCode struct {
	ID       int    `json:"id"`
	AreaCode string `json:"area_code"`
	AreaName string `json:"area_name"`
}

func (s *Server) handleListAreaCodes(w http.ResponseWriter, r *http.Request) error {
	list, err := listLocalized(r, s.Service.ListAreaCodes, func(a casebook.AreaCode, l string) areaCode {
		return areaCode{a.ID, a.Code, a.Name.In(l)}
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string][]areaCode{"area_code_list": list})
}

// satisfactionDimension is SatisfactionDimensionSimpleInfoV2; per_value is
// the highest score of the dimension.
type satisfactionDimension struct {
	SatisfactionID   int    `json:"satisfaction_id"`
	SatisfactionName string `json:"satisfaction_name"`
	SatisfactionDesc string `json:"satisfaction_desc"`
	PerValue         int    `json:"per_value"`
	SatCategoryID    string `json:"sat_category_id,omitempty"`
}

func (s *Server) handleListSatisfactionDimensions(w http.ResponseWriter, r *http.Request) error {
	list, err := listLocalized(r, s.Service.ListSatisfactionDimensions, func(d casebook.SatisfactionDimension, l string) satisfactionDimension {
		return satisfactionDimension{d.ID, d.Name.In(l), d.Description.In(l), d.MaxValue, d.CategoryID}
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int                     `json:"total_count"`
		List       []satisfactionDimension `json:"satisfaction_dimension_list"`
	}{len(list), list})
}

// caseTemplate is IncidentTempV2.
type caseTemplate struct {
	ID      string `json:"incident_template_id"`
	Name    string `json:"incident_template_name"`
	Content string `json:"incident_template_content"`
}

func (s *Server) handleListCaseTemplates(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		BusinessTypeID string `query:"business_type_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	templates, err := s.Service.ListCaseTemplates(r.Context(), req.BusinessTypeID)
	if err != nil {
		return err
	}
	list := localized(r, templates, func(t casebook.CaseTemplate, l string) caseTemplate {
		return caseTemplate{t.ID, t.Name.In(l), t.Content.In(l)}
	})
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int            `json:"total_count"`
		List       []caseTemplate `json:"incident_template_list"`
	}{len(list), list})
}

func (s *Server) handleShowConfiguration(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Key string `path:"config_key"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.Service.ShowConfiguration(r.Context(), req.Key)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"config_key": req.Key, "config_value": v})
}

func (s *Server) handleListCaseLimits(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	limits, err := s.Service.ListCaseLimits(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]map[string]int{"config": {"create_case_ccemail_max_count": limits.CcEmailMaxCount}})
}

func (s *Server) handleListCaseQuotas(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		BusinessTypeID    string `query:"business_type_id"`
		ProductCategoryID string `query:"product_category_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	q, err := s.Service.ListCaseQuotas(r.Context(), principal(r), req.BusinessTypeID, req.ProductCategoryID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"total": q.Total, "un_used": q.Unused})
}

// createScoresRequest is CreateScores (CreateScoreV2Req).
type createScoresRequest struct {
	caseRequest
	Body struct {
		Judgement                string              `json:"judgement"`
		IncidentSatisfactionList []satisfactionInput `json:"incident_satisfaction_list" items:"MaxSatisfactions"`
		GroupID                  string              `json:"group_id"`
	} `body:"json"`
}

func (s *Server) handleCreateScores(w http.ResponseWriter, r *http.Request) error {
	var req createScoresRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	err := s.Service.RateCase(r.Context(), principal(r), groupIDOf(req.Body.GroupID, req.GroupID), req.CaseID,
		req.Body.Judgement, scoreInputs(req.Body.IncidentSatisfactionList))
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// scoreInputs turns the decoded scores (bounded by their tags) into the
// Service's input.
func scoreInputs(in []satisfactionInput) []casebook.ScoreInput {
	if len(in) == 0 {
		return nil
	}
	out := make([]casebook.ScoreInput, 0, len(in))
	for _, sc := range in {
		si := casebook.ScoreInput{
			DimensionID:  int(*sc.SatisfactionID),
			Value:        int(*sc.SatisfactionValue),
			Name:         sc.SatisfactionName,
			CategoryID:   sc.SatCategoryID,
			CategoryName: sc.SatCategoryName,
		}
		if sc.Value != nil {
			v := int(*sc.Value)
			si.EchoValue = &v
		}
		if sc.PerValue != nil {
			v := int(*sc.PerValue)
			si.PerValue = &v
		}
		out = append(out, si)
	}
	return out
}

// configExtendsParam is ExtendsParamV2: a text parameter (param_type 0), shown.
type configExtendsParam struct {
	Tips         string `json:"tips"`
	Required     int    `json:"required"`
	Length       int    `json:"length"`
	Language     string `json:"language"`
	ParamKey     string `json:"param_key"`
	ParamName    string `json:"param_name"`
	ParamType    int    `json:"param_type"`
	ParamDesc    string `json:"param_desc"`
	DefaultValue string `json:"default_value"`
	IsShow       int    `json:"is_show"`
	IsSensitive  int    `json:"is_sensitive"`
}

// configCommonParam is CommonParamV2: the optional contact fields of CreateCases.
type configCommonParam struct {
	ParamKey   string `json:"param_key"`
	ParamName  string `json:"param_name"`
	IsShow     int    `json:"is_show"`
	IsRequired int    `json:"is_required"`
}

var configCommonParams = []struct {
	key  string
	name casebook.Names
}{
	{"remind_mobile", casebook.Names{ZhCN: "提醒手机号", EnUS: "Reminder mobile number"}},
	{"remind_mail", casebook.Names{ZhCN: "提醒邮箱", EnUS: "Reminder e-mail"}},
	{"remind_time", casebook.Names{ZhCN: "提醒时间", EnUS: "Reminder time"}},
	{"area_code", casebook.Names{ZhCN: "国家/地区码", EnUS: "Area code"}},
}

func (s *Server) handleListExtendsParams(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		BusinessTypeID    string `query:"business_type_id"`
		IncidentSubTypeID string `query:"incident_sub_type_id"`
		ProductCategoryID string `query:"product_category_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	params, err := s.Service.ListExtendsParams(r.Context(), req.BusinessTypeID, req.IncidentSubTypeID, req.ProductCategoryID)
	if err != nil {
		return err
	}
	l := languageOf(r)
	list := make([]configExtendsParam, 0, len(params))
	for _, p := range params {
		ep := configExtendsParam{Tips: p.Tips.In(l), Length: p.MaxLength, Language: l, ParamKey: p.Key, ParamName: p.Name.In(l),
			ParamDesc: p.Description.In(l), DefaultValue: p.Default, IsShow: 1}
		if p.Required {
			ep.Required = 1
		}
		list = append(list, ep)
	}
	common := make([]configCommonParam, 0, len(configCommonParams))
	for _, c := range configCommonParams {
		common = append(common, configCommonParam{ParamKey: c.key, ParamName: c.name.In(l), IsShow: 1})
	}
	return writeJSON(w, http.StatusOK, struct {
		ExtendsParams []configExtendsParam `json:"extends_params"`
		CommonParams  []configCommonParam  `json:"common_params"`
	}{list, common})
}
