package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/casebook/casebook"
)

// BenchmarkPages measures the server time of the main pages, customer's
// and engineer's, one sub-benchmark per page, on a store with 500 tickets
// (half of them taken) and 2,000 authorizations. The figures with 1M
// authorizations come from a `casebook-bench seed` store (docs/benchmarks.md,
// console section).
func BenchmarkPages(b *testing.B) {
	e := newTestEnv(b)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	eve := e.engineer("eve", evePassword)
	var caseID, authID string
	for i := 0; i < 500; i++ {
		c, err := e.Svc.CreateCase(ctx, alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "ticket " + strconv.Itoa(i)})
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := e.Svc.TakeCase(ctx, eve, c.ID); err != nil {
				b.Fatal(err)
			}
		}
		for j := 0; j < 4; j++ {
			a, err := e.Svc.RequestAuthorization(ctx, eve, c.ID, casebook.AuthorizationRequest{ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1",
				Describe: "ssh", Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web", Port: 22, Account: "root"}}})
			if err != nil {
				b.Fatal(err)
			}
			authID = a.ID
		}
		caseID = c.ID
	}
	customer := e.browser()
	customer.loginCustomer("acme", "alice", alicePassword)
	engineer := e.browser()
	engineer.loginEngineer("eve", evePassword)
	u, _ := url.Parse(e.URL)
	pages := []struct {
		name, path string
		as         *browser
	}{
		{"customer/tickets", "/tickets", customer},
		{"customer/tickets-search", "/tickets?q=ticket+42&status=0", customer},
		{"customer/ticket", "/tickets/" + caseID, customer},
		{"customer/authorizations", "/authorizations", customer},
		{"customer/authorizations-status", "/authorizations?status=0", customer},
		{"customer/confirm", "/authorizations/" + authID + "/confirm", customer},
		{"customer/new-ticket", "/tickets/new", customer},
		{"engineer/queue-unassigned", "/engineer/queue?view=unassigned", engineer},
		{"engineer/queue-mine", "/engineer/queue?view=mine", engineer},
		{"engineer/ticket", "/engineer/tickets/" + caseID, engineer},
		{"engineer/authorizations-status", "/engineer/authorizations?status=0", engineer},
		{"engineer/audit", "/engineer/audit", engineer},
	}
	for _, pg := range pages {
		cookies := pg.as.c.Jar.Cookies(u)
		// Each op is one request served in process: ns/op (and ms/page) is
		// the page's server time, rendering included, without the network.
		b.Run(pg.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", pg.path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				w := httptest.NewRecorder()
				e.H.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", pg.path, w.Code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
