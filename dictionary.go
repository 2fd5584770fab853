package casebook

import "strings"

// Languages of the localised names (the X-Language header).
const (
	LangZhCN = "zh-cn"
	LangEnUS = "en-us"
)

// NormalizeLanguage maps an X-Language value to one of the two languages
// Casebook has names in: anything starting with "en" (case-insensitive,
// e.g. "en", "en-US", "en_gb") is LangEnUS; everything else, including
// "zh...", the empty string and languages we have no names for, is LangZhCN,
// the documented default of the header.
func NormalizeLanguage(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case strings.HasPrefix(v, "en"):
		return LangEnUS
	case strings.HasPrefix(v, "zh"):
		return LangZhCN
	}
	return LangZhCN
}

// Dictionary kinds: the id spaces whose names are returned localised.
const (
	DictResourceType = "resource_type" // what an authorization gives access to
	DictVisitType    = "visit_type"    // how the engineer reaches it
	DictContentType  = "content_type"  // what the customer hands over
	DictBusinessType = "business_type" // problem type of a ticket
	DictIncidentType = "incident_type" // ticket (sub)type, from ListCaseCategories
	DictSeverity     = "severity"
	DictSource       = "source" // where a ticket was submitted from
)

// DictEntry is one id of a dictionary with its names.
type DictEntry struct {
	ID     string
	NameZH string // zh-cn
	NameEN string // en-us
}

// Name returns the entry's name in lang (normalised with NormalizeLanguage).
func (e DictEntry) Name(lang string) string {
	if NormalizeLanguage(lang) == LangEnUS {
		return e.NameEN
	}
	return e.NameZH
}

// Problem type case types, as in ListProblemTypes: a fault report concerns
// a running resource, so it must name the region.
const (
	BusinessCaseConsultation = 0
	BusinessCaseFault        = 5
)

// SourceAPI is the only ticket source the OSM API documents ("currently
// fixed" for CreateCases).
const SourceAPI = "83aeb0f2834c4df49826c781d32a963e"

// dictionaries holds every dictionary, in display order. Resource type "2"
// and visit type "4" carry exactly the names of the documentation's
// examples; the rest is ours.
var dictionaries = map[string][]DictEntry{
	DictResourceType: {
		{"1", "主机", "Host"},
		{"2", "华为云账号", "Huawei Cloud account"},
		{"3", "数据库", "Database"},
		{"4", "容器集群", "Container cluster"},
	},
	DictVisitType: {
		{"1", "SSH", "SSH"},
		{"2", "RDP", "RDP"},
		{"3", "VNC", "VNC"},
		{"4", "控制台登录", "Console log-in"},
		{"5", "SFTP", "SFTP"},
		{"6", "数据库客户端", "Database client"},
	},
	DictContentType: {
		{"1", "密码", "Password"},
		{"2", "密钥", "Key"},
		{"3", "委托", "IAM agency"},
	},
	DictBusinessType: {
		{"1", "技术咨询", "Technical consultation"},
		{"2", "故障报告", "Fault report"},
		{"3", "账号与计费咨询", "Account and billing consultation"},
		{"4", "安全事件", "Security incident"},
	},
	DictIncidentType: {
		{"1", "产品咨询", "Product consultation"},
		{"2", "配置与使用", "Configuration and usage"},
		{"3", "性能问题", "Performance problem"},
		{"4", "服务不可用", "Service unavailable"},
		{"5", "账号与权限", "Account and permissions"},
		{"6", "其他", "Other"},
	},
	DictSeverity: {
		{"1", "致命", "Critical"},
		{"2", "严重", "Major"},
		{"3", "一般", "Minor"},
		{"4", "提示", "Suggestion"},
	},
	DictSource: {
		{SourceAPI, "API", "API"},
	},
}

// businessCaseTypes gives the case type of each problem type; problem
// types not listed are consultations.
var businessCaseTypes = map[string]int{
	"2": BusinessCaseFault,
	"4": BusinessCaseFault,
}

func dictEntry(kind, id string) (DictEntry, bool) {
	for _, e := range dictionaries[kind] {
		if e.ID == id {
			return e, true
		}
	}
	return DictEntry{}, false
}

// DictName returns the name of id in the dictionary kind, in lang, or ""
// for an unknown kind or id.
func DictName(kind, id, lang string) string {
	e, ok := dictEntry(kind, id)
	if !ok {
		return ""
	}
	return e.Name(lang)
}

// DictHas reports whether id is in the dictionary kind.
func DictHas(kind, id string) bool {
	_, ok := dictEntry(kind, id)
	return ok
}

// DictEntries returns a copy of the dictionary kind, in display order; nil
// for an unknown kind.
func DictEntries(kind string) []DictEntry {
	entries, ok := dictionaries[kind]
	if !ok {
		return nil
	}
	return append([]DictEntry(nil), entries...)
}

// BusinessCaseType returns the case type (BusinessCaseConsultation or
// BusinessCaseFault) of a problem type, and false for an unknown id.
func BusinessCaseType(id string) (int, bool) {
	if !DictHas(DictBusinessType, id) {
		return 0, false
	}
	return businessCaseTypes[id], true
}
