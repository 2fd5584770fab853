package casebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Dictionaries are the operator-configurable dictionaries of the ticket
// form (ListProblemTypes, ListSeverities, ...), with their names in both
// languages. They live in the database, so every replica answers the same;
// until an operator imports a set (casebook dictionary import), the
// defaults shipped here apply. The JSON form is the file format of
// casebook dictionary export / import.
type Dictionaries struct {
	ProblemTypes           []ProblemType           `json:"problem_types"`
	CaseCategories         []DictItem              `json:"case_categories"`
	ProductCategories      []ProductCategory       `json:"product_categories"`
	Severities             []DictItem              `json:"severities"`
	Regions                []DictItem              `json:"regions"`
	AreaCodes              []AreaCode              `json:"area_codes"`
	SatisfactionDimensions []SatisfactionDimension `json:"satisfaction_dimensions"`
	CaseTemplates          []CaseTemplate          `json:"case_templates"`
	ExtendsParams          []ExtendsParam          `json:"extends_params"`
	// Configuration holds the values of ShowConfiguration, by key.
	Configuration map[string]string `json:"configuration"`
}

// Names is a name in both languages of X-Language.
type Names struct {
	ZhCN string `json:"zh-cn"`
	EnUS string `json:"en-us"`
}

// In returns the name in lang (normalised with NormalizeLanguage).
func (n Names) In(lang string) string {
	if NormalizeLanguage(lang) == LangEnUS {
		return n.EnUS
	}
	return n.ZhCN
}

// DictItem is an id with its names: a severity, a ticket category, a region.
type DictItem struct {
	ID   string `json:"id"`
	Name Names  `json:"name"`
}

// ProblemType is a business type of ListProblemTypes; a fault report
// (CaseType BusinessCaseFault) must name a region.
type ProblemType struct {
	ID       string `json:"id"`
	Name     Names  `json:"name"`
	CaseType int    `json:"case_type"`
}

// ProductCategory is a product of ListProductCategories.
type ProductCategory struct {
	ID          string `json:"id"`
	Name        Names  `json:"name"`
	Description Names  `json:"description"`
	Acronym     string `json:"acronym"`
}

// AreaCode is a telephone country code of ListAreaCodes.
type AreaCode struct {
	ID   int    `json:"id"`
	Code string `json:"code"`
	Name Names  `json:"name"`
}

// SatisfactionDimension is one thing a customer rates a finished ticket on,
// with a score from 0 to MaxValue.
type SatisfactionDimension struct {
	ID           int    `json:"id"`
	Name         Names  `json:"name"`
	Description  Names  `json:"description"`
	MaxValue     int    `json:"max_value"`
	CategoryID   string `json:"category_id"`
	CategoryName Names  `json:"category_name"`
}

// CaseTemplate is a description template of ListCaseTemplates, offered for
// one problem type.
type CaseTemplate struct {
	ID             string `json:"id"`
	BusinessTypeID string `json:"business_type_id"`
	Name           Names  `json:"name"`
	Content        Names  `json:"content"`
}

// ExtendsParam defines an entry of CreateCases' extends_map for the tickets
// of one problem type ("" for all): CreateCases refuses a ticket without a
// required one, or with a value longer than MaxLength. Keys not defined
// stay free (up to MaxExtendsEntries).
type ExtendsParam struct {
	BusinessTypeID string `json:"business_type_id"`
	Key            string `json:"key"`
	Name           Names  `json:"name"`
	Description    Names  `json:"description"`
	Tips           Names  `json:"tips"`
	Required       bool   `json:"required"`
	MaxLength      int    `json:"max_length"`
	Default        string `json:"default"`
}

// Configuration keys Casebook itself reads.
const (
	ConfigCcEmailMaxCount = "create_case_ccemail_max_count" // ListCaseLimits
	ConfigOpenCaseQuota   = "open_case_quota"               // ListCaseQuotas: open tickets per user
)

// Bounds of an imported dictionary set (ours: Huawei publishes none).
const (
	MaxDictionaryItems     = 1000 // items of each list
	MaxDictNameLength      = 128  // every name
	MaxDictTextLength      = 4000 // descriptions and template contents
	MaxConfigKeyLength     = 64
	MaxConfigValueLength   = 2000
	MaxAreaCodeID          = 65535
	MaxSatisfactionScore   = MaxSatisfactionValue // highest max_value of a dimension
	MaxCcEmailCount        = 20                   // create_case_ccemail_max_count
	MaxOpenCaseQuota       = 100000
	MaxAcronymLength       = 32
	MaxTemplateIDLength    = 64
	MaxSatCategoryIDLength = MaxSatisfactionNameLen
)

// DefaultDictionaries returns the set shipped with Casebook. The Elastic
// Cloud Server's id is the one of the documentation's CreateCases example.
// Problem types,
// ticket categories and severities are those of the built-in dictionary
// (dictionary.go), so tickets created before any import keep their names.
func DefaultDictionaries() *Dictionaries {
	d := &Dictionaries{
		ProductCategories: []ProductCategory{
			{"b5f0be5c9639466184abf80e01f9fa1d", Names{"弹性云服务器", "Elastic Cloud Server"}, Names{"可随时获取、弹性可扩展的云服务器", "Scalable virtual servers"}, "ECS"},
			{"2", Names{"云硬盘", "Elastic Volume Service"}, Names{"块存储服务", "Block storage"}, "EVS"},
			{"3", Names{"对象存储服务", "Object Storage Service"}, Names{"海量、安全的对象存储", "Object storage"}, "OBS"},
			{"4", Names{"虚拟私有云", "Virtual Private Cloud"}, Names{"隔离的私有网络", "Isolated private networks"}, "VPC"},
			{"5", Names{"云数据库", "Relational Database Service"}, Names{"托管关系型数据库", "Managed relational databases"}, "RDS"},
			{"6", Names{"统一身份认证", "Identity and Access Management"}, Names{"用户、权限与认证", "Users, permissions and authentication"}, "IAM"},
			{"7", Names{"费用中心", "Billing Center"}, Names{"账单与付款", "Bills and payments"}, "BILLING"},
		},
		Regions: []DictItem{
			{"cn-north-4", Names{"华北-北京四", "CN North-Beijing4"}},
			{"cn-east-3", Names{"华东-上海一", "CN East-Shanghai1"}},
			{"cn-south-1", Names{"华南-广州", "CN South-Guangzhou"}},
			{"ap-southeast-1", Names{"中国-香港", "CN-Hong Kong"}},
			{"ap-southeast-3", Names{"亚太-新加坡", "AP-Singapore"}},
			{"eu-west-101", Names{"欧洲-都柏林", "EU-Dublin"}},
		},
		AreaCodes: []AreaCode{
			{1, "86", Names{"中国大陆", "Chinese mainland"}},
			{2, "852", Names{"中国香港", "Hong Kong (China)"}},
			{3, "65", Names{"新加坡", "Singapore"}},
			{4, "1", Names{"美国", "United States"}},
			{5, "44", Names{"英国", "United Kingdom"}},
			{6, "49", Names{"德国", "Germany"}},
		},
		SatisfactionDimensions: []SatisfactionDimension{
			{1, Names{"响应速度", "Response speed"}, Names{"工程师响应是否及时", "How quickly the engineer answered"}, 5, "1", Names{"服务", "Service"}},
			{2, Names{"专业程度", "Expertise"}, Names{"问题是否被准确理解和解决", "Whether the problem was understood and solved"}, 5, "1", Names{"服务", "Service"}},
			{3, Names{"总体满意度", "Overall satisfaction"}, Names{"对本次服务的总体评价", "Overall rating of this ticket"}, 5, "2", Names{"总体", "Overall"}},
		},
		CaseTemplates: []CaseTemplate{
			{"fault-1", "2", Names{"故障描述模板", "Fault report template"},
				Names{"问题现象：\n发生时间：\n影响范围：\n已尝试的操作：", "Symptom:\nWhen it started:\nWhat is affected:\nWhat you have tried:"}},
			{"consult-1", "1", Names{"咨询模板", "Consultation template"},
				Names{"想了解的内容：\n使用场景：", "What you would like to know:\nYour scenario:"}},
		},
		ExtendsParams: []ExtendsParam{
			{"", "resource_id", Names{"资源ID", "Resource ID"}, Names{"出问题的资源的ID", "The id of the resource concerned"},
				Names{"例如云服务器ID", "For example an ECS instance id"}, false, 128, ""},
			{"2", "error_message", Names{"错误信息", "Error message"}, Names{"看到的错误信息", "The error message you saw"},
				Names{"请原样粘贴", "Paste it as shown"}, false, MaxExtendsValueLength, ""},
		},
		Configuration: map[string]string{
			ConfigCcEmailMaxCount: "5",
			ConfigOpenCaseQuota:   "100",
		},
	}
	for _, e := range dictionaries[DictBusinessType] {
		d.ProblemTypes = append(d.ProblemTypes, ProblemType{e.ID, Names{e.NameZH, e.NameEN}, businessCaseTypes[e.ID]})
	}
	for _, e := range dictionaries[DictIncidentType] {
		d.CaseCategories = append(d.CaseCategories, DictItem{e.ID, Names{e.NameZH, e.NameEN}})
	}
	for _, e := range dictionaries[DictSeverity] {
		d.Severities = append(d.Severities, DictItem{e.ID, Names{e.NameZH, e.NameEN}})
	}
	return d
}

// ParseDictionaries reads and validates a dictionary set in its JSON form:
// unknown fields are refused, so a misspelt key is not dropped silently.
func ParseDictionaries(data []byte) (*Dictionaries, error) {
	var d Dictionaries
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, Invalidf("dictionaries", "The dictionary file is not valid: %v.", err)
	}
	if dec.More() {
		return nil, Invalidf("dictionaries", "The dictionary file holds more than one JSON document.")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// MarshalIndent is the JSON form of d, as export writes it.
func (d *Dictionaries) MarshalIndent() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal dictionaries: %w", err)
	}
	return append(b, '\n'), nil
}

// Validate checks every list: ids present, bounded and unique, names in
// both languages, references between lists resolved, configuration values
// Casebook reads well-formed.
func (d *Dictionaries) Validate() error {
	if len(d.ProblemTypes) == 0 || len(d.Severities) == 0 || len(d.SatisfactionDimensions) == 0 {
		return Invalidf("dictionaries", "problem_types, severities and satisfaction_dimensions must each hold at least one item.")
	}
	ids := func(list string, n int, id func(i int) string, maxID int) error {
		if err := CheckCount(list, n, 0, MaxDictionaryItems); err != nil {
			return err
		}
		seen := map[string]bool{}
		for i := 0; i < n; i++ {
			v := id(i)
			if err := CheckLength(fmt.Sprintf("%s[%d].id", list, i), v, 1, maxID); err != nil {
				return err
			} else if seen[v] {
				return Invalidf(list, "%s: id %q appears twice.", list, v)
			}
			seen[v] = true
		}
		return nil
	}
	names := func(field string, n Names, min, max int) error {
		if err := CheckLength(field+".zh-cn", n.ZhCN, min, max); err != nil {
			return err
		}
		return CheckLength(field+".en-us", n.EnUS, min, max)
	}
	if err := ids("problem_types", len(d.ProblemTypes), func(i int) string { return d.ProblemTypes[i].ID }, MaxBusinessTypeIDLength); err != nil {
		return err
	}
	for i, p := range d.ProblemTypes {
		if err := names(fmt.Sprintf("problem_types[%d].name", i), p.Name, 1, MaxDictNameLength); err != nil {
			return err
		} else if p.CaseType != BusinessCaseConsultation && p.CaseType != BusinessCaseFault {
			return Invalidf("problem_types", "problem_types[%d].case_type must be %d (consultation) or %d (fault report).", i, BusinessCaseConsultation, BusinessCaseFault)
		}
	}
	for _, l := range []struct {
		name  string
		items []DictItem
		maxID int
	}{
		{"case_categories", d.CaseCategories, MaxIncidentSubTypeIDLength},
		{"severities", d.Severities, MaxSeverityIDLength},
		{"regions", d.Regions, MaxRegionIDLength},
	} {
		if err := ids(l.name, len(l.items), func(i int) string { return l.items[i].ID }, l.maxID); err != nil {
			return err
		}
		for i, it := range l.items {
			if err := names(fmt.Sprintf("%s[%d].name", l.name, i), it.Name, 1, MaxDictNameLength); err != nil {
				return err
			}
		}
	}
	if err := ids("product_categories", len(d.ProductCategories), func(i int) string { return d.ProductCategories[i].ID }, MaxProductCategoryIDLength); err != nil {
		return err
	}
	for i, p := range d.ProductCategories {
		f := fmt.Sprintf("product_categories[%d]", i)
		if err := names(f+".name", p.Name, 1, MaxDictNameLength); err != nil {
			return err
		} else if err := names(f+".description", p.Description, 0, MaxDictTextLength); err != nil {
			return err
		} else if err := CheckLength(f+".acronym", p.Acronym, 0, MaxAcronymLength); err != nil {
			return err
		}
	}
	if err := ids("area_codes", len(d.AreaCodes), func(i int) string { return fmt.Sprint(d.AreaCodes[i].ID) }, 16); err != nil {
		return err
	}
	for i, a := range d.AreaCodes {
		f := fmt.Sprintf("area_codes[%d]", i)
		if err := CheckRange(f+".id", int64(a.ID), 1, MaxAreaCodeID); err != nil {
			return err
		} else if err := CheckLength(f+".code", a.Code, 1, MaxAreaCodeLength); err != nil {
			return err
		} else if err := names(f+".name", a.Name, 1, MaxDictNameLength); err != nil {
			return err
		}
	}
	if err := ids("satisfaction_dimensions", len(d.SatisfactionDimensions), func(i int) string { return fmt.Sprint(d.SatisfactionDimensions[i].ID) }, 16); err != nil {
		return err
	}
	for i, s := range d.SatisfactionDimensions {
		f := fmt.Sprintf("satisfaction_dimensions[%d]", i)
		if err := CheckRange(f+".id", int64(s.ID), 0, MaxSatisfactionID); err != nil {
			return err
		} else if err := CheckLength(f+".name.zh-cn", s.Name.ZhCN, 1, MaxSatisfactionNameLen); err != nil {
			return err
		} else if err := CheckLength(f+".name.en-us", s.Name.EnUS, 1, MaxSatisfactionNameLen); err != nil {
			return err
		} else if err := names(f+".description", s.Description, 0, MaxDictTextLength); err != nil {
			return err
		} else if err := CheckRange(f+".max_value", int64(s.MaxValue), 1, MaxSatisfactionScore); err != nil {
			return err
		} else if err := CheckLength(f+".category_id", s.CategoryID, 0, MaxSatCategoryIDLength); err != nil {
			return err
		} else if err := names(f+".category_name", s.CategoryName, 0, MaxSatCategoryNameLen); err != nil {
			return err
		}
	}
	if err := ids("case_templates", len(d.CaseTemplates), func(i int) string { return d.CaseTemplates[i].ID }, MaxTemplateIDLength); err != nil {
		return err
	}
	for i, c := range d.CaseTemplates {
		f := fmt.Sprintf("case_templates[%d]", i)
		if _, ok := d.ProblemType(c.BusinessTypeID); !ok {
			return Invalidf("case_templates", "%s.business_type_id %q is not a problem type.", f, c.BusinessTypeID)
		} else if err := names(f+".name", c.Name, 1, MaxDictNameLength); err != nil {
			return err
		} else if err := names(f+".content", c.Content, 1, MaxDictTextLength); err != nil {
			return err
		}
	}
	if err := CheckCount("extends_params", len(d.ExtendsParams), 0, MaxDictionaryItems); err != nil {
		return err
	}
	paramKeys := map[[2]string]bool{}
	for i, p := range d.ExtendsParams {
		f := fmt.Sprintf("extends_params[%d]", i)
		if _, ok := d.ProblemType(p.BusinessTypeID); p.BusinessTypeID != "" && !ok {
			return Invalidf("extends_params", "%s.business_type_id %q is not a problem type.", f, p.BusinessTypeID)
		} else if err := CheckLength(f+".key", p.Key, 1, MaxExtendsKeyLength); err != nil {
			return err
		} else if paramKeys[[2]string{p.BusinessTypeID, p.Key}] {
			return Invalidf("extends_params", "%s: key %q appears twice for business type %q.", f, p.Key, p.BusinessTypeID)
		} else if err := names(f+".name", p.Name, 1, MaxDictNameLength); err != nil {
			return err
		} else if err := names(f+".description", p.Description, 0, MaxDictTextLength); err != nil {
			return err
		} else if err := names(f+".tips", p.Tips, 0, MaxDictTextLength); err != nil {
			return err
		} else if err := CheckRange(f+".max_length", int64(p.MaxLength), 1, MaxExtendsValueLength); err != nil {
			return err
		} else if err := CheckLength(f+".default", p.Default, 0, p.MaxLength); err != nil {
			return err
		}
		paramKeys[[2]string{p.BusinessTypeID, p.Key}] = true
	}
	if err := CheckCount("configuration", len(d.Configuration), 0, MaxDictionaryItems); err != nil {
		return err
	}
	keys := make([]string, 0, len(d.Configuration))
	for k := range d.Configuration {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := CheckLength("configuration key", k, 1, MaxConfigKeyLength); err != nil {
			return err
		} else if err := CheckLength("configuration."+k, d.Configuration[k], 0, MaxConfigValueLength); err != nil {
			return err
		}
	}
	if _, err := d.configInt(ConfigCcEmailMaxCount, MaxCcEmailCount); err != nil {
		return err
	}
	if _, err := d.configInt(ConfigOpenCaseQuota, MaxOpenCaseQuota); err != nil {
		return err
	}
	return nil
}

// configInt reads a configuration value Casebook uses as a number,
// 0..max; a missing key is 0.
func (d *Dictionaries) configInt(key string, max int) (int, error) {
	v, ok := d.Configuration[key]
	if !ok {
		return 0, nil
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != v || n < 0 || n > max {
		return 0, Invalidf("configuration", "configuration.%s must be an integer from 0 to %d.", key, max)
	}
	return n, nil
}

// ProblemType returns the problem type id.
func (d *Dictionaries) ProblemType(id string) (ProblemType, bool) {
	for _, p := range d.ProblemTypes {
		if p.ID == id {
			return p, true
		}
	}
	return ProblemType{}, false
}

// SatisfactionDimension returns the dimension id.
func (d *Dictionaries) SatisfactionDimension(id int) (SatisfactionDimension, bool) {
	for _, s := range d.SatisfactionDimensions {
		if s.ID == id {
			return s, true
		}
	}
	return SatisfactionDimension{}, false
}

func hasItem(items []DictItem, id string) bool {
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func hasProduct(items []ProductCategory, id string) bool {
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// CaseName returns the name, in lang, of a ticket's id in the dictionary
// kind: problem types, ticket categories and severities from d, the other
// kinds from the built-in dictionary; "" for an unknown id.
func (d *Dictionaries) CaseName(kind, id, lang string) string {
	var items []DictItem
	switch kind {
	case DictBusinessType:
		if p, ok := d.ProblemType(id); ok {
			return p.Name.In(lang)
		}
		return ""
	case DictIncidentType:
		items = d.CaseCategories
	case DictSeverity:
		items = d.Severities
	default:
		return DictName(kind, id, lang)
	}
	for _, it := range items {
		if it.ID == id {
			return it.Name.In(lang)
		}
	}
	return ""
}

// ExtendsParamsFor returns the extends parameters of a problem type: its
// own and those of every type.
func (d *Dictionaries) ExtendsParamsFor(businessTypeID string) []ExtendsParam {
	var out []ExtendsParam
	for _, p := range d.ExtendsParams {
		if p.BusinessTypeID == "" || p.BusinessTypeID == businessTypeID {
			out = append(out, p)
		}
	}
	return out
}
