package sdktest

import (
	"sort"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

func relatedIDs(t *testing.T, c *Customer, caseID string) []string {
	t.Helper()
	resp, err := c.Client.ListRelation(&model.ListRelationRequest{CaseId: caseID})
	must(t, err, "ListRelation")
	var ids []string
	if resp.CaseRelationList != nil {
		for _, r := range *resp.CaseRelationList {
			ids = append(ids, str(r.CaseId))
		}
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// TestRelations: CreateRelations, ListRelation, DeleteRelation, the cap of
// three, and tickets of other accounts.
func TestRelations(t *testing.T) {
	alice := world.Alice
	main := createCase(t, alice, "Main ticket "+randomHex(4))
	var others []string
	for i := 0; i < 4; i++ {
		others = append(others, createCase(t, alice, "Related ticket "+randomHex(4)))
	}

	resp, err := alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: main, Body: &model.CreateRelationsReq{RelatedIdList: others[:2]}})
	must(t, err, "CreateRelations")
	if str(resp.ErrorCode) != "" {
		t.Errorf("CreateRelations: error_code %q in a success", str(resp.ErrorCode))
	}
	_, err = alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: main, Body: &model.CreateRelationsReq{RelatedIdList: others[2:3]}})
	must(t, err, "CreateRelations third")

	list, err := alice.Client.ListRelation(&model.ListRelationRequest{CaseId: main, XLanguage: ptr("en-us")})
	must(t, err, "ListRelation")
	if list.CaseRelationList == nil || len(*list.CaseRelationList) != 3 {
		t.Fatalf("ListRelation: %v; want three relations", list.CaseRelationList)
	}
	for _, r := range *list.CaseRelationList {
		if !strings.HasPrefix(str(r.SimpleDescription), "Related ticket ") || str(r.UserName) != "alice" {
			t.Errorf("relation %s: description %q, user %q; want the related ticket's description and submitter", str(r.CaseId), str(r.SimpleDescription), str(r.UserName))
		}
	}
	if got, want := relatedIDs(t, alice, main), sorted(others[:3]...); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("related ids %v; want %v", got, want)
	}

	// A fourth is refused, and nothing changes.
	_, err = alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: main, Body: &model.CreateRelationsReq{RelatedIdList: others[3:4]}})
	wantError(t, err, 400, "OSM.01010043")
	if got := relatedIDs(t, alice, main); len(got) != 3 {
		t.Errorf("after the refused fourth: %v; want the three", got)
	}

	del, err := alice.Client.DeleteRelation(&model.DeleteRelationRequest{CaseId: main, Body: &model.DeleteRelationsReq{RelatedId: others[0]}})
	must(t, err, "DeleteRelation")
	if str(del.ErrorCode) != "" {
		t.Errorf("DeleteRelation: error_code %q in a success", str(del.ErrorCode))
	}
	if got, want := relatedIDs(t, alice, main), sorted(others[1:3]...); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after DeleteRelation: %v; want %v", got, want)
	}
	// Now there is room for the fourth.
	_, err = alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: main, Body: &model.CreateRelationsReq{RelatedIdList: others[3:4]}})
	must(t, err, "CreateRelations after a delete")
	if got := relatedIDs(t, alice, main); len(got) != 3 {
		t.Errorf("after re-adding: %v; want three", got)
	}

	// Another account's ticket cannot be related, nor can the other
	// account see or change these relations.
	daveCase := createCase(t, world.Dave, "Globex ticket "+randomHex(4))
	other := createCase(t, alice, "Room for one more "+randomHex(4))
	_, err = alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: other, Body: &model.CreateRelationsReq{RelatedIdList: []string{daveCase}}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.ListRelation(&model.ListRelationRequest{CaseId: main})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.DeleteRelation(&model.DeleteRelationRequest{CaseId: main, Body: &model.DeleteRelationsReq{RelatedId: others[1]}})
	wantError(t, err, 404, "OSM.01010015")
	if got := relatedIDs(t, alice, main); len(got) != 3 {
		t.Errorf("after dave's attempts: %v; want three", got)
	}
}
