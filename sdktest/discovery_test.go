package sdktest

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	osm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
	osmregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/region"
)

// TestDomainDiscovery: a client built without a domain id, with a custom
// region and the IAM endpoint pointed at Casebook, asks GET
// /v3/auth/domains (signed with the AK/SK) for the account id, and then
// works.
func TestDomainDiscovery(t *testing.T) {
	bob := world.Bob
	creds, err := global.NewCredentialsBuilder().WithAk(bob.AccessKey).WithSk(bob.Secret).WithIamEndpointOverride(world.BaseURL).SafeBuild()
	must(t, err, "credentials")
	if creds.DomainId != "" {
		t.Fatalf("credentials start with domain id %q", creds.DomainId)
	}
	hc, err := osm.OsmClientBuilder().WithRegion(region.NewRegion("local", world.BaseURL)).WithCredential(creds).SafeBuild()
	must(t, err, "build client with domain discovery")
	if creds.DomainId != world.Acme.ID {
		t.Fatalf("discovered domain id %q; want acme's %q", creds.DomainId, world.Acme.ID)
	}
	client := osm.NewOsmClient(hc)
	id := createCase(t, &Customer{Name: "bob", Client: client}, "Discovered "+randomHex(4))
	resp, err := client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	must(t, err, "ShowCaseDetail")
	if resp.IncidentDetailInfo.CustomerId != world.Acme.ID || str(resp.IncidentDetailInfo.XcustomerName) != "bob" {
		t.Errorf("ticket by the discovered client: customer %q, user %q; want acme, bob", resp.IncidentDetailInfo.CustomerId, str(resp.IncidentDetailInfo.XcustomerName))
	}

	// Discovery with a wrong secret fails at build time with the IAM error.
	badCreds, err := global.NewCredentialsBuilder().WithAk(world.Carol.AccessKey).WithSk("wrong-" + randomHex(8)).WithIamEndpointOverride(world.BaseURL).SafeBuild()
	must(t, err, "credentials")
	if _, err := osm.OsmClientBuilder().WithRegion(region.NewRegion("local", world.BaseURL)).WithCredential(badCreds).SafeBuild(); err == nil {
		t.Error("domain discovery with a wrong secret key succeeded")
	}
}

// TestUnmodifiedProgramByEnvironment: a program that takes its credentials
// from HUAWEICLOUD_SDK_AK/SK/DOMAIN_ID and hard-codes the built-in region
// cn-south-1 is pointed at Casebook by HUAWEICLOUD_SDK_REGION_OSM_CN_SOUTH_1.
func TestUnmodifiedProgramByEnvironment(t *testing.T) {
	carol := world.Carol
	t.Setenv("HUAWEICLOUD_SDK_AK", carol.AccessKey)
	t.Setenv("HUAWEICLOUD_SDK_SK", carol.Secret)
	t.Setenv("HUAWEICLOUD_SDK_DOMAIN_ID", carol.Account.ID)
	t.Setenv("HUAWEICLOUD_SDK_REGION_OSM_CN_SOUTH_1", world.BaseURL)

	// What such a program does, unchanged:
	creds, err := provider.GlobalCredentialEnvProvider().GetCredentials()
	must(t, err, "credentials from the environment")
	reg, err := osmregion.SafeValueOf("cn-south-1")
	must(t, err, "region cn-south-1")
	hc, err := osm.OsmClientBuilder().WithRegion(reg).WithCredential(creds).SafeBuild()
	must(t, err, "build client")
	client := osm.NewOsmClient(hc)

	limits, err := client.ShowAccessoryLimits(&model.ShowAccessoryLimitsRequest{})
	must(t, err, "ShowAccessoryLimits")
	if limits.AccessoryLimit == nil || str(limits.AccessoryLimit.LimitSize) == "" {
		t.Errorf("ShowAccessoryLimits: %+v", limits.AccessoryLimit)
	}
	id := createCase(t, &Customer{Name: "carol", Client: client}, "From the environment "+randomHex(4))
	if st := caseStatus(t, carol, id); st != 0 {
		t.Errorf("carol's own client sees status %d; want 0", st)
	}
}
