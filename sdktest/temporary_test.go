package sdktest

import (
	"errors"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	osm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestTemporaryAccessKeys: a program gets a temporary key from the IAM
// SDK's CreateTemporaryAccessKeyByToken (signed with a permanent key), and
// the OSM SDK works with it through WithSecurityToken; without the token
// the temporary AK/SK is refused, and a temporary key cannot make another.
func TestTemporaryAccessKeys(t *testing.T) {
	bob := world.Bob
	permanent := iamClient(t, bob.AccessKey, bob.Secret, "")
	duration := int32(900)
	resp, err := permanent.CreateTemporaryAccessKeyByToken(&iammodel.CreateTemporaryAccessKeyByTokenRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByTokenRequestBody{Auth: &iammodel.TokenAuth{Identity: &iammodel.TokenAuthIdentity{
			Methods: []iammodel.TokenAuthIdentityMethods{iammodel.GetTokenAuthIdentityMethodsEnum().TOKEN},
			Token:   &iammodel.IdentityToken{DurationSeconds: &duration},
		}}},
	})
	must(t, err, "CreateTemporaryAccessKeyByToken")
	c := resp.Credential
	if c == nil || c.Access == "" || c.Secret == "" || c.Securitytoken == "" || c.ExpiresAt == "" {
		t.Fatalf("temporary credential %+v", c)
	}
	noteSecret(c.Secret)
	noteSecret(c.Securitytoken)

	// The OSM SDK with the temporary key sees what bob sees.
	creds, err := global.NewCredentialsBuilder().WithAk(c.Access).WithSk(c.Secret).WithSecurityToken(c.Securitytoken).
		WithDomainId(world.Acme.ID).SafeBuild()
	must(t, err, "temporary credentials")
	temp := osmClientWith(t, creds)
	limit := int32(100)
	byTemp, err := temp.ListCases(&model.ListCasesRequest{Limit: &limit})
	must(t, err, "ListCases with the temporary key")
	byBob, err := bob.Client.ListCases(&model.ListCasesRequest{Limit: &limit})
	must(t, err, "ListCases with bob's key")
	if byTemp.TotalCount == nil || byBob.TotalCount == nil || *byTemp.TotalCount != *byBob.TotalCount {
		t.Errorf("temporary key total %v, bob's %v", byTemp.TotalCount, byBob.TotalCount)
	}
	id := createCase(t, &Customer{Name: "bob", Client: temp}, "Opened with a temporary key "+randomHex(4))
	shown, err := bob.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	must(t, err, "ShowCaseDetail of the ticket opened with the temporary key")
	if str(shown.IncidentDetailInfo.XcustomerName) != "bob" {
		t.Errorf("the ticket opened with bob's temporary key belongs to %q", str(shown.IncidentDetailInfo.XcustomerName))
	}

	// Without its security token the temporary AK/SK is nobody's key.
	bare, err := global.NewCredentialsBuilder().WithAk(c.Access).WithSk(c.Secret).WithDomainId(world.Acme.ID).SafeBuild()
	must(t, err, "credentials without the security token")
	_, err = osmClientWith(t, bare).ListCases(&model.ListCasesRequest{Limit: &limit})
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) || se.StatusCode != 401 || se.ErrorCode != "APIGW.0301" {
		t.Errorf("the temporary AK/SK without its token: %v; want 401 APIGW.0301", err)
	}

	// A temporary key cannot create another.
	_, err = iamClient(t, c.Access, c.Secret, c.Securitytoken).CreateTemporaryAccessKeyByToken(&iammodel.CreateTemporaryAccessKeyByTokenRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByTokenRequestBody{Auth: &iammodel.TokenAuth{Identity: &iammodel.TokenAuthIdentity{
			Methods: []iammodel.TokenAuthIdentityMethods{iammodel.GetTokenAuthIdentityMethodsEnum().TOKEN},
		}}},
	})
	if !errors.As(err, &se) || se.StatusCode != 403 {
		t.Errorf("a temporary key creating another: %v; want 403", err)
	}
}

// iamClient builds the IAM SDK's client against Casebook.
func iamClient(t *testing.T, ak, sk, securityToken string) *iam.IamClient {
	t.Helper()
	b := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(world.Acme.ID)
	if securityToken != "" {
		b = b.WithSecurityToken(securityToken)
	}
	creds, err := b.SafeBuild()
	must(t, err, "IAM credentials")
	hc, err := iam.IamClientBuilder().WithEndpoints([]string{world.BaseURL}).WithCredential(creds).SafeBuild()
	must(t, err, "IAM client")
	return iam.NewIamClient(hc)
}

// osmClientWith builds an OSM client against Casebook with creds.
func osmClientWith(t *testing.T, creds *global.Credentials) *osm.OsmClient {
	t.Helper()
	hc, err := osm.OsmClientBuilder().WithEndpoints([]string{world.BaseURL}).WithCredential(creds).SafeBuild()
	must(t, err, "OSM client")
	return osm.NewOsmClient(hc)
}
