package http

import (
	"strings"
	"testing"
)

// Unimplemented SDK operations answer 501 naming the operation, even where
// their path would otherwise match an implemented route's {id} segment.
func TestUnimplementedOperations(t *testing.T) {
	env := newTestEnv(t)
	for _, c := range []struct{ method, path, op string }{
		{"GET", "/v2/servicerequest/cases/partners/service-info", "ShowPartnersServiceInfo"},
		{"GET", "/v2/servicerequest/privileges?privilege=export", "ListPrivileges"},
		{"GET", "/v2/servicerequest/authorizations/login-type", "ShowLoginType"},
		{"GET", "/v2/servicerequest/agencies", "ListAgencies"},
		{"POST", "/v2.0/servicerequest/diagnose/job/start", "CreateDiagnoseJob"},
	} {
		res := env.Do(c.method, c.path, nil).ExpectError(501, "APIGW.0101")
		if !strings.Contains(string(res.Body), c.op) {
			t.Errorf("%s %s: body %s does not name %s", c.method, c.path, res.Body, c.op)
		}
	}
	env.Do("GET", "/v2/servicerequest/no-such-thing", nil).ExpectError(404, "APIGW.0101")
	env.Do("GET", "/nothing", nil).ExpectError(404, "APIGW.0101")
}
