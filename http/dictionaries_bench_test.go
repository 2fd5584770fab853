package http

import (
	"testing"

	"github.com/casebook/casebook"
)

// BenchmarkTicketFormReads: the reads that now consult the dictionary set
// (one row read; the document is parsed only when it changed), with the
// shipped defaults and with an imported set.
func BenchmarkTicketFormReads(b *testing.B) {
	for _, imported := range []bool{false, true} {
		name := "Defaults"
		if imported {
			name = "Imported"
		}
		b.Run(name, func(b *testing.B) {
			f := newBenchFixture(b)
			if imported {
				importDictionaries(b, f.env, func(d *casebook.Dictionaries) {})
			}
			for _, r := range []struct{ name, target string }{
				{"ShowCaseDetail", casesPath + "/" + f.cases[0]},
				{"ListCases", casesPath + "?limit=10"},
				{"ListSeverities", configPath + "/severities?business_type_id=1&product_category_id=b5f0be5c9639466184abf80e01f9fa1d"},
				{"ListCaseCategories", configPath + "/categories"},
			} {
				b.Run(r.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						f.serve(b, f.request(f.master, "GET", r.target, nil), 200)
					}
				})
			}
		})
	}
}
