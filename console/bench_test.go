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

// BenchmarkPages measures the server time of the main pages on a store
// with 500 tickets and 2,000 authorizations (the figures with 1M
// authorizations come from `casebook bench seed`, see
// docs/console/README.md).
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
	br := e.browser()
	br.loginCustomer("acme", "alice", alicePassword)
	u, _ := url.Parse(e.URL)
	cookies := br.c.Jar.Cookies(u)
	for _, path := range []string{"/tickets", "/authorizations", "/tickets/" + caseID, "/authorizations/" + authID + "/confirm"} {
		b.Run(path[:min(len(path), 20)], func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				w := httptest.NewRecorder()
				e.H.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}
