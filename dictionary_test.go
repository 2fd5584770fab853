package casebook_test

import (
	"testing"

	"github.com/casebook/casebook"
)

var allDictKinds = []string{
	casebook.DictResourceType, casebook.DictVisitType, casebook.DictContentType,
	casebook.DictBusinessType, casebook.DictIncidentType, casebook.DictSeverity, casebook.DictSource,
}

// The names of the documentation's examples (seeds 001 and 003) must come
// out exactly, in both languages.
func TestDict_SeedExamples(t *testing.T) {
	for _, tt := range []struct {
		kind, id, lang, want string
	}{
		{casebook.DictResourceType, "2", "en-us", "Huawei Cloud account"},
		{casebook.DictResourceType, "2", "zh-cn", "华为云账号"},
		{casebook.DictVisitType, "4", "en-us", "Console log-in"},
		{casebook.DictVisitType, "4", "zh-cn", "控制台登录"},
		{casebook.DictContentType, "2", "zh-cn", "密钥"},
		{casebook.DictSource, "83aeb0f2834c4df49826c781d32a963e", "en-us", "API"},
		// X-Language variants.
		{casebook.DictResourceType, "2", "EN-US", "Huawei Cloud account"},
		{casebook.DictResourceType, "2", "en", "Huawei Cloud account"},
		{casebook.DictResourceType, "2", "", "华为云账号"},
		{casebook.DictResourceType, "2", "fr-fr", "华为云账号"},
	} {
		if got := casebook.DictName(tt.kind, tt.id, tt.lang); got != tt.want {
			t.Errorf("DictName(%s, %s, %q) = %q, want %q", tt.kind, tt.id, tt.lang, got, tt.want)
		}
	}
}

func TestDict_NormalizeLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"":       "zh-cn",
		"zh-cn":  "zh-cn",
		"zh-CN":  "zh-cn",
		"zh":     "zh-cn",
		"zh-tw":  "zh-cn",
		"en-us":  "en-us",
		"en-US":  "en-us",
		" en ":   "en-us",
		"en_gb":  "en-us",
		"de-de":  "zh-cn",
		"*":      "zh-cn",
		"german": "zh-cn",
	} {
		if got := casebook.NormalizeLanguage(in); got != want {
			t.Errorf("NormalizeLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDict_Tables(t *testing.T) {
	for _, kind := range allDictKinds {
		entries := casebook.DictEntries(kind)
		if len(entries) == 0 {
			t.Errorf("%s: no entries", kind)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if e.ID == "" || e.NameZH == "" || e.NameEN == "" {
				t.Errorf("%s: incomplete entry %+v", kind, e)
			}
			if seen[e.ID] {
				t.Errorf("%s: id %q twice", kind, e.ID)
			}
			seen[e.ID] = true
			if !casebook.DictHas(kind, e.ID) {
				t.Errorf("%s: DictHas(%q) false for a listed id", kind, e.ID)
			}
			if got := casebook.DictName(kind, e.ID, "en-us"); got != e.NameEN {
				t.Errorf("%s %s: en-us name %q, want %q", kind, e.ID, got, e.NameEN)
			}
			if got := casebook.DictName(kind, e.ID, "zh-cn"); got != e.NameZH {
				t.Errorf("%s %s: zh-cn name %q, want %q", kind, e.ID, got, e.NameZH)
			}
		}
		for _, unknown := range []string{"", "0", "999", "test"} {
			if casebook.DictHas(kind, unknown) || casebook.DictName(kind, unknown, "en-us") != "" {
				t.Errorf("%s: unknown id %q found", kind, unknown)
			}
		}
	}
	if casebook.DictEntries("no-such-kind") != nil || casebook.DictHas("no-such-kind", "1") {
		t.Error("unknown kind has entries")
	}
	// Ids of one dictionary mean nothing in another.
	if casebook.DictHas(casebook.DictSeverity, "83aeb0f2834c4df49826c781d32a963e") {
		t.Error("the source id is a severity")
	}
}

func TestDict_EntriesAreACopy(t *testing.T) {
	entries := casebook.DictEntries(casebook.DictResourceType)
	entries[1].NameEN = "changed"
	if got := casebook.DictName(casebook.DictResourceType, "2", "en-us"); got != "Huawei Cloud account" {
		t.Fatalf("dictionary changed through DictEntries: %q", got)
	}
}

func TestDict_BusinessCaseType(t *testing.T) {
	faults := 0
	for _, e := range casebook.DictEntries(casebook.DictBusinessType) {
		caseType, ok := casebook.BusinessCaseType(e.ID)
		if !ok {
			t.Errorf("problem type %s has no case type", e.ID)
		}
		switch caseType {
		case casebook.BusinessCaseFault:
			faults++
		case casebook.BusinessCaseConsultation:
		default:
			t.Errorf("problem type %s: case type %d", e.ID, caseType)
		}
	}
	if faults == 0 {
		t.Error("no fault-report problem type: region_id would never be required")
	}
	if caseType, ok := casebook.BusinessCaseType("2"); !ok || caseType != casebook.BusinessCaseFault {
		t.Errorf("fault report: %d %v", caseType, ok)
	}
	if caseType, ok := casebook.BusinessCaseType("1"); !ok || caseType != casebook.BusinessCaseConsultation {
		t.Errorf("consultation: %d %v", caseType, ok)
	}
	if _, ok := casebook.BusinessCaseType("999"); ok {
		t.Error("unknown problem type has a case type")
	}
}
