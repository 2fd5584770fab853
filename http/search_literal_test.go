package http

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestCaseSearchIsLiteral: search_key and app_key match their characters
// literally, LIKE wildcards and the escape character included, and a NUL
// byte is refused instead of cutting the pattern short. A NUL used to
// make the search match every ticket the caller can see.
func TestCaseSearchIsLiteral(t *testing.T) {
	env := newTestEnv(t)
	acc := env.Account("acme")
	plain := caseViaAPI(acc.Master, "routine ticket")
	env.Clock.Advance(time.Second)
	percent := caseViaAPI(acc.Master, "cpu 100% busy")
	env.Clock.Advance(time.Second)
	under := caseViaAPI(acc.Master, `path C:\tmp\log_1`)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"?search_key=" + url.QueryEscape("%"), []string{percent}},
		{"?search_key=" + url.QueryEscape("_1"), []string{under}},
		{"?search_key=" + url.QueryEscape(`\t`), []string{under}},
		{"?search_key=" + url.QueryEscape(`\`), []string{under}},
		{"?search_key=" + url.QueryEscape(`\%`), []string{}},
		{"?app_key=" + url.QueryEscape("%"), []string{percent}},
		{"?app_key=" + url.QueryEscape("_"), []string{under}},
		{"?search_key=routine", []string{plain}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, ids := listCaseIDs(t, acc.Master, tc.query)
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("ids = %v, want %v", ids, tc.want)
			}
		})
	}
	for _, q := range []string{"?search_key=%00", "?search_key=%00routine", "?search_key=routine%00", "?app_key=%00", "?app_key=x%00"} {
		t.Run(q, func(t *testing.T) {
			acc.Master.Do("GET", casesPath+q, nil).inSubtest(t).ExpectError(400, "OSM.01010001")
			acc.Master.Do("GET", "/osm/incidentservice/api/v1/queryincident?searchKey=x%00", nil).inSubtest(t).ExpectError(400, "OSM.01010001")
			acc.Master.Do("GET", casesPath+"/export"+q, nil).inSubtest(t).ExpectError(400, "OSM.01010001")
		})
	}
}
