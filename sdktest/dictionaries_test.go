package sdktest

import (
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestListSeverities: the severities in both languages, the default
// language, and the required ids refused when missing, too long or unknown.
func TestListSeverities(t *testing.T) {
	alice := world.Alice
	names := func(lang *string) (ids, names []string) {
		t.Helper()
		resp, err := alice.Client.ListSeverities(&model.ListSeveritiesRequest{ProductCategoryId: "1", BusinessTypeId: "2", XLanguage: lang})
		must(t, err, "ListSeverities")
		if resp.Show == nil || !*resp.Show || resp.SeverityList == nil {
			t.Fatalf("ListSeverities: show %v, list %v", resp.Show, resp.SeverityList)
		}
		for _, s := range *resp.SeverityList {
			ids = append(ids, str(s.SeverityId))
			names = append(names, str(s.SeverityName))
			if want := "zh-cn"; lang != nil {
				want = *lang
				if str(s.Language) != want {
					t.Errorf("severity %s: language %q, want %q", str(s.SeverityId), str(s.Language), want)
				}
			} else if str(s.Language) != want {
				t.Errorf("severity %s: language %q, want the default %q", str(s.SeverityId), str(s.Language), want)
			}
		}
		return ids, names
	}
	ids, en := names(ptr("en-us"))
	if strings.Join(ids, ",") != "1,2,3,4" || strings.Join(en, ",") != "Critical,Major,Minor,Suggestion" {
		t.Errorf("en-us: ids %v names %v", ids, en)
	}
	_, zh := names(ptr("zh-cn"))
	_, def := names(nil)
	if strings.Join(zh, ",") != "致命,严重,一般,提示" || strings.Join(def, ",") != strings.Join(zh, ",") {
		t.Errorf("zh-cn names %v, default names %v", zh, def)
	}

	// The SDK sends both ids always; empty, unknown or too long is refused.
	for _, req := range []model.ListSeveritiesRequest{
		{ProductCategoryId: "1", BusinessTypeId: ""},
		{ProductCategoryId: "", BusinessTypeId: "1"},
		{ProductCategoryId: "1", BusinessTypeId: "no-such-type"},
		{ProductCategoryId: strings.Repeat("p", 65), BusinessTypeId: "1"},
	} {
		_, err := alice.Client.ListSeverities(&req)
		wantError(t, err, 400, "OSM.01010001")
	}
	// At the bound it is accepted.
	_, err := alice.Client.ListSeverities(&model.ListSeveritiesRequest{ProductCategoryId: strings.Repeat("p", 64), BusinessTypeId: "1"})
	must(t, err, "ListSeverities with a 64-character product category")
}
