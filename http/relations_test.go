package http

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func relationsPath(caseID string) string { return "/v2/servicerequest/cases/" + caseID + "/relations" }

// unknownCaseID has the form of a ticket id but names nothing.
const unknownCaseID = "CS20260101AAAAAAAAAAAA"

type relationList struct {
	CaseRelationList []struct {
		CaseID            string `json:"case_id"`
		SimpleDescription string `json:"simple_description"`
		UserName          string `json:"user_name"`
	} `json:"case_relation_list"`
}

func listRelations(t *testing.T, u *testUser, caseID, query string) relationList {
	t.Helper()
	var out relationList
	res := u.Do("GET", relationsPath(caseID)+query, nil)
	if res.Status != 200 {
		t.Fatalf("list relations: %d %s", res.Status, res.Body)
	}
	res.JSON(&out)
	if out.CaseRelationList == nil {
		t.Fatalf("case_relation_list is missing or null: %s", res.Body)
	}
	return out
}

func TestRelationsFlow(t *testing.T) {
	f := newGrantFixture(t)
	a := svcTicket(t, f.bob, "first")
	b := svcTicket(t, f.bob, "second")
	c := svcTicket(t, f.alice, "alice's")
	d := svcTicket(t, f.bob, "fourth")

	// The seed example: related_id_list as a bare string, group_id in the
	// body; the answer is {}.
	res := f.bob.Do("POST", relationsPath(a), `{"related_id_list":"`+b+`","group_id":"`+f.team+`"}`).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("create answered %s", res.Body)
	}
	// The SDK's form: an array, no group_id. Alice's ticket needs the group.
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{c}}).ExpectError(404, "OSM.01010015")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{c}, "group_id": f.team}).Expect(200)
	// The group may also come from the query.
	f.bob.Do("POST", relationsPath(a)+"?group_id="+f.team, map[string]any{"related_id_list": []string{d}}).Expect(200)

	got := listRelations(t, f.bob, a, "?group_id="+f.team)
	if len(got.CaseRelationList) != 3 {
		t.Fatalf("relations = %+v", got)
	}
	want := map[string][2]string{b: {"second", "bob"}, c: {"alice's", "alice"}, d: {"fourth", "bob"}}
	for _, r := range got.CaseRelationList {
		if w, ok := want[r.CaseID]; !ok || w[0] != r.SimpleDescription || w[1] != r.UserName {
			t.Errorf("relation %+v", r)
		}
	}
	// Without the group, alice's ticket is left out of bob's view.
	if got := listRelations(t, f.bob, a, ""); len(got.CaseRelationList) != 2 {
		t.Errorf("without the group: %+v", got)
	}

	// A fourth is over the cap; the same id twice is a conflict.
	e := svcTicket(t, f.bob, "fifth")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{e}}).ExpectError(400, "OSM.01010043")
	f.bob.Do("POST", relationsPath(e), map[string]any{"related_id_list": []string{b}}).Expect(200)
	f.bob.Do("POST", relationsPath(e), map[string]any{"related_id_list": []string{b}}).ExpectError(409, "OSM.01010014")

	// DeleteRelation: a DELETE with a JSON body, as in its doc example.
	res = f.bob.Do("DELETE", relationsPath(a), map[string]string{"related_id": c, "group_id": f.team}).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("delete answered %s", res.Body)
	}
	f.bob.Do("DELETE", relationsPath(a), map[string]string{"related_id": c, "group_id": f.team}).ExpectError(404, "OSM.01010001")
	f.bob.Do("DELETE", relationsPath(a)+"?group_id="+f.team, map[string]string{"related_id": d}).Expect(200)
	if got := listRelations(t, f.bob, a, ""); len(got.CaseRelationList) != 1 || got.CaseRelationList[0].CaseID != b {
		t.Errorf("after deletes: %+v", got)
	}
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{e}}).Expect(200)
}

// TestRelationsLimits: 1..3 ids, each 1..64 characters; group_id 0..64;
// related_id 1..64. Past a limit the answer is a 400 and nothing changes.
func TestRelationsLimits(t *testing.T) {
	f := newGrantFixture(t)
	a := svcTicket(t, f.bob, "a")
	ids := []string{svcTicket(t, f.bob, "1"), svcTicket(t, f.bob, "2"), svcTicket(t, f.bob, "3"), svcTicket(t, f.bob, "4")}

	for _, body := range []string{`{}`, `{"related_id_list":null}`, `{"related_id_list":[]}`, ``} {
		res := f.bob.Do("POST", relationsPath(a), body).ExpectError(400, "OSM.01010001")
		if !strings.Contains(string(res.Body), "related_id_list") {
			t.Errorf("%q: %s", body, res.Body)
		}
	}
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": ids}).ExpectError(400, "OSM.01010043")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{""}}).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{strings.Repeat("C", 65)}}).ExpectError(400, "OSM.01010001")
	// 64 characters is a well-formed id, of no ticket.
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []string{strings.Repeat("C", 64)}}).ExpectError(404, "OSM.01010015")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": []int{1}}).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": ids[:1], "group_id": strings.Repeat("g", 65)}).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", relationsPath(a), "[1,2]").ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", relationsPath(a), "{").ExpectError(400, "OSM.0001")
	if got := listRelations(t, f.bob, a, ""); len(got.CaseRelationList) != 0 {
		t.Fatalf("refused requests created relations: %+v", got)
	}
	// Three at once is the limit.
	f.bob.Do("POST", relationsPath(a), map[string]any{"related_id_list": ids[:3]}).Expect(200)

	for _, body := range []any{map[string]string{}, map[string]string{"related_id": ""}, map[string]string{"related_id": strings.Repeat("C", 65)}, nil} {
		f.bob.Do("DELETE", relationsPath(a), body).ExpectError(400, "OSM.01010001")
	}
	f.bob.Do("DELETE", relationsPath(a), map[string]string{"related_id": ids[0], "group_id": strings.Repeat("g", 65)}).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", relationsPath(a)+"?group_id="+strings.Repeat("g", 65), nil).ExpectError(400, "OSM.01010001")
	if got := listRelations(t, f.bob, a, ""); len(got.CaseRelationList) != 3 {
		t.Fatalf("refused deletes changed relations: %+v", got)
	}
}

// TestRelationRoutesHideOtherTickets: every relation route, given a ticket
// of another account, of a user outside the caller's view, or reached
// through a group the caller is not in, answers exactly like a ticket id
// that does not exist, and changes nothing.
func TestRelationRoutesHideOtherTickets(t *testing.T) {
	f := newGrantFixture(t)
	aliceCase := svcTicket(t, f.alice, "alice's")
	bobOther := svcTicket(t, f.bob, "bob's other")
	f.bob.Do("POST", relationsPath(f.bobCase), map[string]any{"related_id_list": []string{bobOther}}).Expect(200)
	f.carol.Do("POST", relationsPath(f.carolCase), map[string]any{"related_id_list": []string{svcTicket(t, f.carol, "carol's other")}}).Expect(200)

	type call struct {
		method string
		path   string
		body   any
	}
	for _, tc := range []struct {
		name  string
		user  *testUser
		group string
		call  func(id string) call
		id    string // the foreign id, replaced by unknownCaseID for the reference answer
	}{
		{"create on another account's ticket", f.alice, "", func(id string) call {
			return call{"POST", relationsPath(id), map[string]any{"related_id_list": []string{aliceCase}}}
		}, f.otherCase},
		{"create pointing at another account's ticket", f.alice, "", func(id string) call {
			return call{"POST", relationsPath(aliceCase), map[string]any{"related_id_list": []string{id}}}
		}, f.otherCase},
		{"create pointing at another group's ticket", f.alice, f.team, func(id string) call {
			return call{"POST", relationsPath(aliceCase), map[string]any{"related_id_list": []string{id}, "group_id": f.team}}
		}, f.carolCase},
		{"create through a group she is not in", f.alice, f.ops, func(id string) call {
			return call{"POST", relationsPath(id), map[string]any{"related_id_list": []string{aliceCase}, "group_id": f.ops}}
		}, f.carolCase},
		{"create on a member's ticket without the group", f.alice, "", func(id string) call {
			return call{"POST", relationsPath(id), map[string]any{"related_id_list": []string{aliceCase}}}
		}, f.bobCase},
		{"create with another account's group", f.alice, f.otherGroup, func(id string) call {
			return call{"POST", relationsPath(id), map[string]any{"related_id_list": []string{aliceCase}, "group_id": f.otherGroup}}
		}, f.bobCase},
		{"list another account's ticket", f.alice, "", func(id string) call { return call{"GET", relationsPath(id), nil} }, f.otherCase},
		{"list another group's ticket", f.alice, f.team, func(id string) call {
			return call{"GET", relationsPath(id) + "?group_id=" + f.team, nil}
		}, f.carolCase},
		{"list through a group she is not in", f.alice, f.ops, func(id string) call {
			return call{"GET", relationsPath(id) + "?group_id=" + f.ops, nil}
		}, f.carolCase},
		{"list by the other account's master", f.other.Master, "", func(id string) call { return call{"GET", relationsPath(id), nil} }, f.bobCase},
		{"delete on another account's ticket", f.other.Master, "", func(id string) call {
			return call{"DELETE", relationsPath(id), map[string]string{"related_id": bobOther}}
		}, f.bobCase},
		{"delete through a group she is not in", f.alice, f.ops, func(id string) call {
			return call{"DELETE", relationsPath(id), map[string]string{"related_id": "x", "group_id": f.ops}}
		}, f.carolCase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.call(tc.id)
			got := tc.user.Do(c.method, c.path, c.body)
			m := tc.call(unknownCaseID)
			missing := tc.user.Do(m.method, m.path, m.body)
			if missing.Status != 404 || !strings.Contains(string(missing.Body), `"OSM.01010015"`) {
				t.Fatalf("unknown ticket: %d %s", missing.Status, missing.Body)
			}
			likeMissing(t, got, missing, tc.id, unknownCaseID)
		})
	}
	// Nothing changed.
	if got := listRelations(t, f.bob, f.bobCase, ""); len(got.CaseRelationList) != 1 || got.CaseRelationList[0].CaseID != bobOther {
		t.Errorf("bob's relations: %+v", got)
	}
	if got := listRelations(t, f.carol, f.carolCase, ""); len(got.CaseRelationList) != 1 {
		t.Errorf("carol's relations: %+v", got)
	}
	if got := listRelations(t, f.alice, aliceCase, ""); len(got.CaseRelationList) != 0 {
		t.Errorf("alice's relations: %+v", got)
	}
}

// TestCreateRelationsConcurrently: 32 requests racing to relate 32
// different tickets to one ticket leave exactly 3 relations; the others
// are refused with the cap's code.
func TestCreateRelationsConcurrently(t *testing.T) {
	f := newGrantFixture(t)
	target := svcTicket(t, f.bob, "target")
	var others []string
	for i := range 32 {
		others = append(others, svcTicket(t, f.bob, "other "+string(rune('a'+i%26))))
	}
	statuses := make([]*testResponse, len(others))
	var wg sync.WaitGroup
	for i, id := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = f.bob.Do("POST", relationsPath(target), map[string]any{"related_id_list": []string{id}})
		}()
	}
	wg.Wait()
	created := 0
	for _, res := range statuses {
		switch {
		case res.Status == http.StatusOK:
			created++
		case res.Status == 400 && strings.Contains(string(res.Body), `"OSM.01010043"`):
		default:
			t.Errorf("unexpected answer %d %s", res.Status, res.Body)
		}
	}
	got := listRelations(t, f.bob, target, "")
	if created != 3 || len(got.CaseRelationList) != 3 {
		t.Errorf("%d requests succeeded and %d relations exist, want 3 and 3", created, len(got.CaseRelationList))
	}
}

// TestCreateRelationsGolden pins the seed's answer and the list that
// follows it.
func TestCreateRelationsGolden(t *testing.T) {
	f := newGrantFixture(t)
	other := svcTicket(t, f.alice, "alice's ticket")
	res := f.bob.Do("POST", relationsPath(f.bobCase), `{"related_id_list":"`+other+`","group_id":"`+f.team+`"}`).Expect(200)
	names := map[string]string{f.bobCase: "CASE_ID", other: "RELATED_ID"}
	expectGolden(t, "create_relations", goldenIDs(t, res.Body, names))
	expectGolden(t, "list_relation", goldenIDs(t, f.bob.Do("GET", relationsPath(f.bobCase)+"?group_id="+f.team, nil).Expect(200).Body, names))
}
