package sdktest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// labelID finds one of c's labels by name through ListLabels (the SDK's
// CreateLabels response does not carry the id).
func labelID(t *testing.T, c *Customer, name string) int32 {
	t.Helper()
	resp, err := c.Client.ListLabels(&model.ListLabelsRequest{Name: ptr(name), Limit: ptr(int32(100))})
	must(t, err, "ListLabels")
	if resp.LabelList != nil {
		for _, l := range *resp.LabelList {
			if str(l.Name) == name {
				return i32(l.LabelId)
			}
		}
	}
	t.Fatalf("no label named %q", name)
	return 0
}

func createLabel(t *testing.T, c *Customer, name, color string) int32 {
	t.Helper()
	resp, err := c.Client.CreateLabels(&model.CreateLabelsRequest{Body: &model.CreateLabelsReq{Name: name, Color: color}})
	must(t, err, "CreateLabels")
	if str(resp.ErrorCode) != "" {
		t.Fatalf("CreateLabels: error_code %q in a success", str(resp.ErrorCode))
	}
	return labelID(t, c, name)
}

func caseLabels(t *testing.T, c *Customer, caseID string) []string {
	t.Helper()
	resp, err := c.Client.ListCaseLabels(&model.ListCaseLabelsRequest{CaseId: caseID})
	must(t, err, "ListCaseLabels")
	var out []string
	if resp.CaseLabelList != nil {
		for _, l := range *resp.CaseLabelList {
			out = append(out, fmt.Sprintf("%d:%s:%s", i32(l.LabelId), str(l.Name), str(l.Color)))
		}
	}
	return out
}

// TestLabels: CreateLabels, ListLabels, UpdateLabels, DeleteLabels,
// CreateCaseLabels, ListCaseLabels, DeleteCaseLabels and ListCases'
// label_id_list through the SDK, with the documented refusals; labels are
// personal, so other users' ids answer like missing ones.
func TestLabels(t *testing.T) {
	bob := world.Bob
	suffix := randomHex(4)
	red := createLabel(t, bob, "red "+suffix, "#FF0000")
	blue := createLabel(t, bob, "blue "+suffix, "#0000ff")
	one := createCase(t, bob, "Labelled ticket "+suffix)
	two := createCase(t, bob, "Second labelled ticket "+suffix)

	list, err := bob.Client.ListLabels(&model.ListLabelsRequest{LabelId: ptr(red)})
	must(t, err, "ListLabels by id")
	if i32(list.TotalCount) != 1 || len(*list.LabelList) != 1 || str((*list.LabelList)[0].Color) != "#FF0000" {
		t.Errorf("ListLabels label_id: %+v", list)
	}

	// Bad input: the documented codes, and nothing created.
	_, err = bob.Client.CreateLabels(&model.CreateLabelsRequest{Body: &model.CreateLabelsReq{Name: "red " + suffix, Color: "#000000"}})
	wantError(t, err, 409, "OSM.01010042")
	_, err = bob.Client.CreateLabels(&model.CreateLabelsRequest{Body: &model.CreateLabelsReq{Name: "bad colour " + suffix, Color: "red"}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = bob.Client.ListLabels(&model.ListLabelsRequest{Limit: ptr(int32(101))})
	wantError(t, err, 400, "OSM.01010001")

	// UpdateLabels.
	upd, err := bob.Client.UpdateLabels(&model.UpdateLabelsRequest{LabelId: blue, Body: &model.UpdateLabelsReq{Name: "navy " + suffix, Color: "#000080"}})
	must(t, err, "UpdateLabels")
	if str(upd.ErrorCode) != "" {
		t.Errorf("UpdateLabels: error_code %q", str(upd.ErrorCode))
	}
	_, err = bob.Client.UpdateLabels(&model.UpdateLabelsRequest{LabelId: blue, Body: &model.UpdateLabelsReq{Name: "red " + suffix, Color: "#000080"}})
	wantError(t, err, 409, "OSM.01010042")
	// Another user's label is not found.
	_, err = world.Alice.Client.UpdateLabels(&model.UpdateLabelsRequest{LabelId: blue, Body: &model.UpdateLabelsReq{Name: "mine", Color: "#000000"}})
	wantError(t, err, 404, "OSM.01010001")
	_, err = world.Dave.Client.DeleteLabels(&model.DeleteLabelsRequest{LabelId: blue})
	wantError(t, err, 404, "OSM.01010001")

	// Labels on tickets.
	_, err = bob.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: one, LabelIds: []int32{red, blue}})
	must(t, err, "CreateCaseLabels")
	_, err = bob.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: two, LabelIds: []int32{blue}})
	must(t, err, "CreateCaseLabels")
	want := []string{fmt.Sprintf("%d:red %s:#FF0000", red, suffix), fmt.Sprintf("%d:navy %s:#000080", blue, suffix)}
	if got := caseLabels(t, bob, one); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListCaseLabels = %v; want %v", got, want)
	}
	_, err = bob.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: one, LabelIds: []int32{red, red}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = bob.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: one, LabelIds: []int32{1, 2, 3, 4, 5, 6}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = world.Dave.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: one, LabelIds: []int32{red}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.ListCaseLabels(&model.ListCaseLabelsRequest{CaseId: one})
	wantError(t, err, 404, "OSM.01010015")

	// ListCases: label_list and the label_id_list filter, which refuses a
	// label that is not the caller's instead of ignoring it.
	cases, err := bob.Client.ListCases(&model.ListCasesRequest{LabelIdList: &[]string{strconv.Itoa(int(red))}, Limit: ptr(int32(100))})
	must(t, err, "ListCases label_id_list")
	if i32(cases.TotalCount) != 1 || (*cases.IncidentInfoList)[0].IncidentId != one {
		t.Errorf("ListCases red: %d tickets", i32(cases.TotalCount))
	} else if ll := (*cases.IncidentInfoList)[0].LabelList; ll == nil || len(*ll) != 2 || i32((*ll)[0].LabelId) != red {
		t.Errorf("label_list = %+v", ll)
	}
	cases, err = bob.Client.ListCases(&model.ListCasesRequest{LabelIdList: &[]string{strconv.Itoa(int(blue))}, Limit: ptr(int32(100))})
	must(t, err, "ListCases label_id_list")
	if i32(cases.TotalCount) != 2 {
		t.Errorf("ListCases navy: %d tickets; want 2", i32(cases.TotalCount))
	}
	daveLabel := createLabel(t, world.Dave, "dave "+suffix, "#123456")
	_, err = bob.Client.ListCases(&model.ListCasesRequest{LabelIdList: &[]string{strconv.Itoa(int(daveLabel))}})
	wantError(t, err, 400, "OSM.01010001")

	// DeleteCaseLabels and DeleteLabels (which takes the label off every
	// ticket).
	del, err := bob.Client.DeleteCaseLabels(&model.DeleteCaseLabelsRequest{CaseId: one, LabelIds: []int32{red}})
	must(t, err, "DeleteCaseLabels")
	if str(del.ErrorCode) != "" {
		t.Errorf("DeleteCaseLabels: error_code %q", str(del.ErrorCode))
	}
	_, err = bob.Client.DeleteCaseLabels(&model.DeleteCaseLabelsRequest{CaseId: one, LabelIds: []int32{red}})
	wantError(t, err, 404, "OSM.01010001")
	_, err = bob.Client.DeleteLabels(&model.DeleteLabelsRequest{LabelId: blue})
	must(t, err, "DeleteLabels")
	if got := caseLabels(t, bob, two); len(got) != 0 {
		t.Errorf("after DeleteLabels, the ticket has %v", got)
	}
	_, err = bob.Client.DeleteLabels(&model.DeleteLabelsRequest{LabelId: red})
	must(t, err, "DeleteLabels")
	_, err = world.Dave.Client.DeleteLabels(&model.DeleteLabelsRequest{LabelId: daveLabel})
	must(t, err, "DeleteLabels")
}

// TestLabelLimits: 30 labels per user and 5 of a user's labels per ticket,
// at the bound and just past it, with the documented codes.
func TestLabelLimits(t *testing.T) {
	carol := world.Carol
	suffix := randomHex(4)
	before, err := carol.Client.ListLabels(&model.ListLabelsRequest{})
	must(t, err, "ListLabels")
	var ids []int32
	for i := int(i32(before.TotalCount)); i < 30; i++ {
		ids = append(ids, createLabel(t, carol, fmt.Sprintf("limit %s %02d", suffix, i), "#00FF00"))
	}
	defer func() {
		for _, id := range ids {
			_, err := carol.Client.DeleteLabels(&model.DeleteLabelsRequest{LabelId: id})
			must(t, err, "DeleteLabels")
		}
	}()
	_, err = carol.Client.CreateLabels(&model.CreateLabelsRequest{Body: &model.CreateLabelsReq{Name: "one too many " + suffix, Color: "#00FF00"}})
	wantError(t, err, 400, "OSM.01010040")

	ticket := createCase(t, carol, "Five labels "+suffix)
	_, err = carol.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: ticket, LabelIds: ids[:5]})
	must(t, err, "CreateCaseLabels five")
	_, err = carol.Client.CreateCaseLabels(&model.CreateCaseLabelsRequest{CaseId: ticket, LabelIds: ids[5:6]})
	wantError(t, err, 400, "OSM.01010041")
	if got := caseLabels(t, carol, ticket); len(got) != 5 {
		t.Errorf("after the refused sixth: %v", got)
	}
}
