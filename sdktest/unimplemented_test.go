package sdktest

import (
	"errors"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	osm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestOperationsOutsideTheSubset: operations Casebook does not implement
// (see docs/sdk-compatibility.md) fail cleanly for an SDK user: a
// *sdkerr.ServiceResponseError, HTTP 501 APIGW.0101 naming the operation,
// with a request id - never a decode failure, a hang or an empty "success". One
// per area, over every method and the /v2.0 and /osm path prefixes.
func TestOperationsOutsideTheSubset(t *testing.T) {
	caseID := createCase(t, world.Alice, "Outside the subset "+randomHex(4))
	for name, call := range outsideTheSubset(world.Alice.Client, caseID) {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatalf("%s succeeded, but docs/sdk-compatibility.md lists it as not implemented: implement it there too, or refuse it", name)
			}
			var se *sdkerr.ServiceResponseError
			if !errors.As(err, &se) {
				t.Fatalf("%s: %T %v; want a *sdkerr.ServiceResponseError", name, err, err)
			}
			if se.StatusCode != 501 || se.ErrorCode != "APIGW.0101" || !strings.Contains(se.ErrorMessage, name) || se.RequestId == "" {
				t.Errorf("%s: status %d, code %q, message %q, request id %q; want 501 APIGW.0101 naming the operation, with a request id",
					name, se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId)
			}
			t.Logf("%s: HTTP %d %s %s", name, se.StatusCode, se.ErrorCode, se.ErrorMessage)
		})
	}
}

// outsideTheSubset are the SDK calls of TestOperationsOutsideTheSubset, by
// operation name; TestCompatibilityMatrix checks them against the doc.
func outsideTheSubset(c *osm.OsmClient, caseID string) map[string]func() error {
	return map[string]func() error{
		"ShowLoginType":       func() error { _, err := c.ShowLoginType(&model.ShowLoginTypeRequest{}); return err },
		"ListDiagnoseRecords": func() error { _, err := c.ListDiagnoseRecords(&model.ListDiagnoseRecordsRequest{}); return err },
	}
}
