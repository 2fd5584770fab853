package main_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// TestDictionaryExportImport: export writes the shipped defaults, an edited
// file imports and is what export shows next, and every kind of bad file
// is refused and changes nothing.
func TestDictionaryExportImport(t *testing.T) {
	data := t.TempDir()
	e := env{"CASEBOOK_DATA": filepath.Join(data, "data")}
	file := filepath.Join(data, "dict.json")

	if _, err := run(t, e, "dictionary", "export", file); err != nil {
		t.Fatal(err)
	}
	exported, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := casebook.ParseDictionaries(exported)
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if want, _ := casebook.DefaultDictionaries().MarshalIndent(); !bytes.Equal(exported, want) {
		t.Errorf("first export is not the defaults:\n%s", exported)
	}

	// Edit: a new region and a renamed severity.
	d.Regions = append(d.Regions, casebook.DictItem{ID: "moon-1", Name: casebook.Names{ZhCN: "月球一", EnUS: "Moon 1"}})
	d.Severities[0].Name.EnUS = "Sev 1"
	edited, _ := d.MarshalIndent()
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, e, "dictionary", "import", file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "7 regions") {
		t.Errorf("import said %q", out)
	}
	exportNow := func() string {
		t.Helper()
		out, err := run(t, e, "dictionary", "export", "-")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := exportNow(); got != string(edited) {
		t.Fatalf("export after import:\n%s\nwant:\n%s", got, edited)
	}

	// Bad files: nothing changes.
	bad := map[string]string{
		"not JSON":            `{"problem_types": [`,
		"unknown field":       strings.Replace(string(edited), `"regions"`, `"regoins"`, 1),
		"duplicate id":        strings.Replace(string(edited), `"id": "moon-1"`, `"id": "cn-north-4"`, 1),
		"missing name":        strings.Replace(string(edited), `"en-us": "Moon 1"`, `"en-us": ""`, 1),
		"no severities":       mutate(t, d, func(d *casebook.Dictionaries) { d.Severities = nil }),
		"bad case type":       mutate(t, d, func(d *casebook.Dictionaries) { d.ProblemTypes[0].CaseType = 3 }),
		"template of nothing": mutate(t, d, func(d *casebook.Dictionaries) { d.CaseTemplates[0].BusinessTypeID = "nope" }),
		"quota not a number":  mutate(t, d, func(d *casebook.Dictionaries) { d.Configuration[casebook.ConfigOpenCaseQuota] = "many" }),
		"region id too long":  mutate(t, d, func(d *casebook.Dictionaries) { d.Regions[0].ID = strings.Repeat("r", casebook.MaxRegionIDLength+1) }),
		"two documents":       string(edited) + "{}",
	}
	for name, content := range bad {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := run(t, e, "dictionary", "import", file); err == nil {
			t.Errorf("%s: import succeeded", name)
		}
		if got := exportNow(); got != string(edited) {
			t.Errorf("%s: the refused import changed the dictionaries", name)
		}
	}
	// At the bound, the region id is taken.
	if err := os.WriteFile(file, []byte(mutate(t, d, func(d *casebook.Dictionaries) { d.Regions[0].ID = strings.Repeat("r", casebook.MaxRegionIDLength) })), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, e, "dictionary", "import", file); err != nil {
		t.Errorf("a %d-character region id: %v", casebook.MaxRegionIDLength, err)
	}
	// FILE is required.
	if _, err := run(t, e, "dictionary", "import"); err == nil {
		t.Errorf("import without FILE succeeded")
	}
}

// mutate returns the JSON of a copy of d changed by edit.
func mutate(t *testing.T, d *casebook.Dictionaries, edit func(*casebook.Dictionaries)) string {
	t.Helper()
	b, _ := d.MarshalIndent()
	c, err := casebook.ParseDictionaries(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(c)
	out, _ := c.MarshalIndent()
	return string(out)
}
