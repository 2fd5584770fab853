package casebook_test

import (
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// TestDefaultDictionariesValid: the shipped set validates, round-trips
// through its file form, and names tickets as the built-in dictionary does.
func TestDefaultDictionariesValid(t *testing.T) {
	d := casebook.DefaultDictionaries()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	file, err := d.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	back, err := casebook.ParseDictionaries(file)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := back.MarshalIndent()
	if string(again) != string(file) {
		t.Errorf("the file form does not round-trip")
	}
	for _, kind := range []string{casebook.DictBusinessType, casebook.DictIncidentType, casebook.DictSeverity, casebook.DictSource} {
		for _, e := range casebook.DictEntries(kind) {
			for _, lang := range []string{"zh-cn", "en-us"} {
				if got, want := d.CaseName(kind, e.ID, lang), casebook.DictName(kind, e.ID, lang); got != want {
					t.Errorf("%s %s %s: %q, built-in %q", kind, e.ID, lang, got, want)
				}
			}
		}
	}
	if d.CaseName(casebook.DictSeverity, "99", "en-us") != "" {
		t.Errorf("an unknown severity has a name")
	}
}

// TestDictionariesValidate: each rule refuses what it should, at and past
// its bounds.
func TestDictionariesValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(d *casebook.Dictionaries)
		ok   bool
	}{
		{"defaults", func(d *casebook.Dictionaries) {}, true},
		{"region id at 64", func(d *casebook.Dictionaries) { d.Regions[0].ID = strings.Repeat("r", 64) }, true},
		{"region id at 65", func(d *casebook.Dictionaries) { d.Regions[0].ID = strings.Repeat("r", 65) }, false},
		{"duplicate severity", func(d *casebook.Dictionaries) { d.Severities[1].ID = d.Severities[0].ID }, false},
		{"empty English name", func(d *casebook.Dictionaries) { d.CaseCategories[0].Name.EnUS = "" }, false},
		{"no problem types", func(d *casebook.Dictionaries) { d.ProblemTypes = nil }, false},
		{"no satisfaction dimensions", func(d *casebook.Dictionaries) { d.SatisfactionDimensions = nil }, false},
		{"dimension id 9999", func(d *casebook.Dictionaries) { d.SatisfactionDimensions[0].ID = 9999 }, true},
		{"dimension id 10000", func(d *casebook.Dictionaries) { d.SatisfactionDimensions[0].ID = 10000 }, false},
		{"dimension max 65535", func(d *casebook.Dictionaries) { d.SatisfactionDimensions[0].MaxValue = 65535 }, true},
		{"dimension max 0", func(d *casebook.Dictionaries) { d.SatisfactionDimensions[0].MaxValue = 0 }, false},
		{"dimension name at 33", func(d *casebook.Dictionaries) { d.SatisfactionDimensions[0].Name.EnUS = strings.Repeat("n", 33) }, false},
		{"case type 5", func(d *casebook.Dictionaries) { d.ProblemTypes[0].CaseType = 5 }, true},
		{"case type 1", func(d *casebook.Dictionaries) { d.ProblemTypes[0].CaseType = 1 }, false},
		{"template of an unknown type", func(d *casebook.Dictionaries) { d.CaseTemplates[0].BusinessTypeID = "9" }, false},
		{"extends param of an unknown type", func(d *casebook.Dictionaries) { d.ExtendsParams[0].BusinessTypeID = "9" }, false},
		{"extends param twice", func(d *casebook.Dictionaries) { d.ExtendsParams[1] = d.ExtendsParams[0] }, false},
		{"extends param length 0", func(d *casebook.Dictionaries) { d.ExtendsParams[0].MaxLength = 0 }, false},
		{"extends default over its length", func(d *casebook.Dictionaries) { d.ExtendsParams[0].Default = strings.Repeat("d", 129) }, false},
		{"cc e-mails 20", func(d *casebook.Dictionaries) { d.Configuration[casebook.ConfigCcEmailMaxCount] = "20" }, true},
		{"cc e-mails 21", func(d *casebook.Dictionaries) { d.Configuration[casebook.ConfigCcEmailMaxCount] = "21" }, false},
		{"quota with a sign", func(d *casebook.Dictionaries) { d.Configuration[casebook.ConfigOpenCaseQuota] = "+5" }, false},
		{"empty configuration key", func(d *casebook.Dictionaries) { d.Configuration[""] = "x" }, false},
		{"area code id 0", func(d *casebook.Dictionaries) { d.AreaCodes[0].ID = 0 }, false},
	} {
		d := casebook.DefaultDictionaries()
		tc.edit(d)
		err := d.Validate()
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if !tc.ok && casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tc.name, err)
		}
	}
	if _, err := casebook.ParseDictionaries([]byte(`{"problem_types": [], "surprise": 1}`)); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("an unknown key: %v", err)
	}
}
