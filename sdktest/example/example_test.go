// Package example is the complete example of casebooktest from the README:
// a program's test that runs Casebook in-process and talks to it with the
// official Huawei Cloud SDK, unmodified.
package example

import (
	"net/http"
	"testing"
	"time"

	"github.com/casebook/casebook/casebooktest"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	osm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// newClient is how any program builds its OSM client: AK/SK, the account
// id as domain id, and an endpoint, here Casebook's.
func newClient(t *testing.T, endpoint, ak, sk, domainID string) *osm.OsmClient {
	t.Helper()
	creds, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(domainID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := osm.OsmClientBuilder().WithEndpoints([]string{endpoint}).WithCredential(creds).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return osm.NewOsmClient(hc)
}

func TestOpenAndListTickets(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // the SDK writes ~/.huaweicloud on first use

	cb := casebooktest.Start(t, casebooktest.Options{TestControls: true})
	alice, bob := cb.User("alice"), cb.User("bob")
	client := newClient(t, cb.URL, alice.AccessKey, alice.SecretKey, cb.Account.ID)

	created, err := client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
		BusinessTypeId:    "1",
		SimpleDescription: "The nightly backup job fails with a timeout",
		SourceId:          "83aeb0f2834c4df49826c781d32a963e",
	}})
	if err != nil {
		t.Fatalf("CreateCases: %v", err)
	}
	id := *created.IncidentId

	list, err := client.ListCases(&model.ListCasesRequest{})
	if err != nil {
		t.Fatalf("ListCases: %v", err)
	}
	if n := len(*list.IncidentInfoList); n != 1 || (*list.IncidentInfoList)[0].IncidentId != id {
		t.Fatalf("alice lists %d tickets, want her new one %s", n, id)
	}

	// Isolation holds as in the cloud: bob, without naming their group,
	// does not see alice's ticket.
	bobs := newClient(t, cb.URL, bob.AccessKey, bob.SecretKey, cb.Account.ID)
	if _, err := bobs.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id}); err == nil {
		t.Error("bob reads alice's ticket")
	}

	// The test controls move the server's clock, without waiting: a day
	// later alice's X-Auth-Token (24 hours) has expired, grants' windows
	// have ended, and AK/SK signatures, made with the real time, still
	// work.
	if err := cb.Advance(25 * time.Hour); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", cb.URL+"/v2/servicerequest/cases", nil)
	req.Header.Set("X-Auth-Token", alice.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a 24-hour token a day later: status %d, want 401", res.StatusCode)
	}
	if _, err := client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id}); err != nil {
		t.Errorf("the SDK after moving the clock: %v", err)
	}

	// Reset empties the server, for the next scenario.
	if err := cb.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListCases(&model.ListCasesRequest{}); err == nil {
		t.Error("alice's key works after a reset")
	}
}
