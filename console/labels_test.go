package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// labelByName returns p's label called name, failing the test without one.
func labelByName(t *testing.T, e *testEnv, p *casebook.Principal, name string) *casebook.Label {
	t.Helper()
	labels, _, err := e.Svc.ListLabels(context.Background(), p, casebook.LabelFilter{Limit: casebook.MaxLabelsPerUser})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no label %q among %d", name, len(labels))
	return nil
}

func wantIn(t *testing.T, what string, res response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(res.Body, p) {
			t.Fatalf("%s: no %q in:\n%s", what, p, res.Body)
		}
	}
}

// TestMyLabels: the "My labels" page creates, renames, recolours and
// deletes the caller's labels, and shows the Service's refusals (a taken
// name, a bad colour, the per-user limit) on the form with the input kept.
func TestMyLabels(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)

	wantIn(t, "empty page", b.get("/labels"), `id="no-labels"`, `type="color"`, `id="label-create"`)
	res := b.post("/labels", url.Values{"name": {"Urgent"}, "color": {"#ff0000"}})
	if res.Status != http.StatusSeeOther || res.Location != "/labels" {
		t.Fatalf("create: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	wantStatus(t, "create", b.post("/labels", url.Values{"name": {"Later"}, "color": {"#00AA00"}}), http.StatusSeeOther)
	urgent := labelByName(t, e, alice, "Urgent")
	wantIn(t, "list", b.get("/labels"), `fill="#ff0000"`, "> Urgent</span>", `fill="#00AA00"`, `id="name-`+strconv.FormatInt(urgent.ID, 10)+`"`)

	res = b.post("/labels", url.Values{"name": {"Urgent"}, "color": {"#123456"}})
	wantStatus(t, "duplicate name", res, http.StatusConflict)
	wantIn(t, "duplicate name", res, `id="label-error"`, `You already have a label named &#34;Urgent&#34;`, `value="#123456"`, `aria-invalid="true"`)
	res = b.post("/labels", url.Values{"name": {"Blue"}, "color": {"blue"}})
	wantStatus(t, "bad colour", res, http.StatusBadRequest)
	wantIn(t, "bad colour", res, `id="label-error"`, "#RRGGBB", `value="Blue"`)
	wantStatus(t, "empty name", b.post("/labels", url.Values{"name": {" "}, "color": {"#123456"}}), http.StatusBadRequest)

	// Rename and recolour; renaming onto another label's name is refused
	// on that label's form.
	id := strconv.FormatInt(urgent.ID, 10)
	wantStatus(t, "update", b.post("/labels/"+id, url.Values{"name": {"Very urgent"}, "color": {"#aa0000"}}), http.StatusSeeOther)
	if l := labelByName(t, e, alice, "Very urgent"); l.ID != urgent.ID || l.Color != "#aa0000" {
		t.Fatalf("updated label = %+v", l)
	}
	res = b.post("/labels/"+id, url.Values{"name": {"Later"}, "color": {"#aa0000"}})
	wantStatus(t, "rename onto a taken name", res, http.StatusConflict)
	if i, j := strings.Index(res.Body, `id="label-`+id+`"`), strings.Index(res.Body, `id="label-error"`); i < 0 || j < i {
		t.Fatalf("the error is not on the label's form:\n%s", res.Body)
	}
	labelByName(t, e, alice, "Very urgent") // unchanged

	// At most 30 labels: the 31st is refused on the page, which then offers
	// no create form.
	for i := 3; i <= casebook.MaxLabelsPerUser; i++ {
		if _, err := e.Svc.CreateLabel(ctx, alice, fmt.Sprintf("L%d", i), "#000000"); err != nil {
			t.Fatal(err)
		}
	}
	res = b.post("/labels", url.Values{"name": {"One too many"}, "color": {"#000000"}})
	wantStatus(t, "31st label", res, http.StatusTooManyRequests)
	wantIn(t, "31st label", res, `id="label-error"`, "at most 30 labels", `id="labels-full"`)
	if strings.Contains(res.Body, `id="label-create"`) {
		t.Fatal("the create form is offered with 30 labels")
	}

	// Delete.
	wantStatus(t, "delete", b.post("/labels/"+id+"/delete", url.Values{}), http.StatusSeeOther)
	if labels, total, _ := e.Svc.ListLabels(ctx, alice, casebook.LabelFilter{}); total != casebook.MaxLabelsPerUser-1 || len(labels) == 0 {
		t.Fatalf("after delete: %d labels", total)
	}
	wantStatus(t, "delete again", b.post("/labels/"+id+"/delete", url.Values{}), http.StatusNotFound)
	wantStatus(t, "not an id", b.post("/labels/x/delete", url.Values{}), http.StatusNotFound)
	wantStatus(t, "without CSRF", b.post("/labels", url.Values{"csrf": {""}, "name": {"x"}, "color": {"#000000"}}), http.StatusForbidden)
}

// TestTicketLabels: labels on the ticket page (add, remove, at most 5),
// the ticket list's label column and filter (kept in the paging links),
// and another user's labels and tickets answering "not found".
func TestTicketLabels(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	mallory := e.customer("globex", "mallory", "Mallory-pass-1")
	if _, err := e.Svc.CreateUser(ctx, "acme", "bob", alicePassword); err != nil {
		t.Fatal(err)
	}
	bob, _, err := e.Svc.LoginCustomer(ctx, "acme", "bob", alicePassword)
	if err != nil {
		t.Fatal(err)
	}
	var others []*casebook.Case
	for i := 0; i < 21; i++ {
		others = append(others, createCase(t, e, alice, fmt.Sprintf("Other ticket %d", i)))
	}
	// The newest ticket, so that it is on the list's first page: tickets
	// of one millisecond come in no particular order.
	e.Clock.Advance(time.Millisecond)
	labelled := createCase(t, e, alice, "Labelled ticket")
	for i := 1; i <= 6; i++ {
		if _, err := e.Svc.CreateLabel(ctx, alice, fmt.Sprintf("Tag%d", i), fmt.Sprintf("#00000%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	tag1 := labelByName(t, e, alice, "Tag1")
	malloryLabel, err := e.Svc.CreateLabel(ctx, mallory, "Mine", "#ffffff")
	if err != nil {
		t.Fatal(err)
	}
	bobLabel, err := e.Svc.CreateLabel(ctx, bob, "Bob's", "#ffffff")
	if err != nil {
		t.Fatal(err)
	}

	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	page := "/tickets/" + labelled.ID
	wantIn(t, "no labels yet", b.get(page), `id="no-labels"`, `id="label-form"`, ">Tag6</option>")
	res := b.post(page+"/labels", url.Values{"label_id": {strconv.FormatInt(tag1.ID, 10)}})
	if res.Status != http.StatusSeeOther || res.Location != page+"#labels" {
		t.Fatalf("add: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	res = b.get(page)
	wantIn(t, "label on the ticket", res, `id="ticket-labels"`, `fill="#000001"`, "> Tag1</span>")
	if strings.Contains(res.Body, ">Tag1</option>") {
		t.Fatal("a label on the ticket is offered again")
	}

	// The list: the label in the row, the filter, the paging links.
	res = b.get("/tickets")
	wantIn(t, "list", res, `<select id="label" name="label">`, `href="/tickets?label=`+strconv.FormatInt(tag1.ID, 10)+`"`, "> Tag1</span>")
	res = b.get("/tickets?label=" + strconv.FormatInt(tag1.ID, 10))
	wantStatus(t, "filtered", res, http.StatusOK)
	wantIn(t, "filtered", res, labelled.ID, `selected>Tag1</option>`)
	if strings.Contains(res.Body, others[0].ID) || strings.Contains(res.Body, `rel="next"`) {
		t.Fatalf("the label filter lets other tickets through:\n%s", res.Body)
	}
	for _, c := range others[:20] {
		if err := e.Svc.AddCaseLabels(ctx, alice, "", c.ID, []int64{tag1.ID}); err != nil {
			t.Fatal(err)
		}
	}
	res = b.get("/tickets?status=&label=" + strconv.FormatInt(tag1.ID, 10))
	next := regexpFind(`href="([^"]*)" rel="next"`, res.Body)
	if !strings.Contains(next, "label="+strconv.FormatInt(tag1.ID, 10)) {
		t.Fatalf("the next page forgets the label: %q", next)
	}
	res = b.get(strings.ReplaceAll(next, "&amp;", "&"))
	wantStatus(t, "page 2", res, http.StatusOK)
	if strings.Contains(res.Body, others[20].ID) || strings.Count(res.Body, `<td data-label="Ticket">`) != 1 {
		t.Fatalf("page 2 of the filtered list:\n%s", res.Body)
	}
	for name, q := range map[string]string{
		"mallory's label": strconv.FormatInt(malloryLabel.ID, 10), "bob's label": strconv.FormatInt(bobLabel.ID, 10),
		"not a number": "x", "two labels": "1&label=2",
	} {
		res := b.get("/tickets?label=" + q)
		wantStatus(t, name, res, http.StatusBadRequest)
		if strings.Contains(res.Body, labelled.ID) {
			t.Fatalf("%s: tickets listed", name)
		}
	}

	// Five labels at most on a ticket: the sixth is refused on the page.
	for _, n := range []string{"Tag2", "Tag3", "Tag4", "Tag5"} {
		wantStatus(t, "add "+n, b.post(page+"/labels", url.Values{"label_id": {strconv.FormatInt(labelByName(t, e, alice, n).ID, 10)}}), http.StatusSeeOther)
	}
	res = b.post(page+"/labels", url.Values{"label_id": {strconv.FormatInt(labelByName(t, e, alice, "Tag6").ID, 10)}})
	wantStatus(t, "sixth label", res, http.StatusTooManyRequests)
	wantIn(t, "sixth label", res, `id="label-error"`, "at most 5", `id="ticket-facts"`)
	if strings.Contains(res.Body, `id="label-form"`) {
		t.Fatal("a full ticket offers the add form")
	}
	wantStatus(t, "no label chosen", b.post(page+"/labels", url.Values{"label_id": {""}}), http.StatusBadRequest)

	// Another user's label, another account's ticket: not found.
	for name, path := range map[string]string{
		"mallory's label on alice's ticket": page + "/labels",
	} {
		wantStatus(t, name, b.post(path, url.Values{"label_id": {strconv.FormatInt(malloryLabel.ID, 10)}}), http.StatusNotFound)
	}
	wantStatus(t, "remove bob's label", b.post(page+"/labels/"+strconv.FormatInt(bobLabel.ID, 10)+"/delete", url.Values{}), http.StatusNotFound)
	wantStatus(t, "rename mallory's label", b.post("/labels/"+strconv.FormatInt(malloryLabel.ID, 10), url.Values{"name": {"x"}, "color": {"#000000"}}), http.StatusNotFound)
	wantStatus(t, "delete bob's label", b.post("/labels/"+strconv.FormatInt(bobLabel.ID, 10)+"/delete", url.Values{}), http.StatusNotFound)
	m := e.browser()
	m.loginCustomer("globex", "mallory", "Mallory-pass-1")
	m.get("/labels")
	wantStatus(t, "mallory labels alice's ticket", m.post(page+"/labels", url.Values{"label_id": {strconv.FormatInt(malloryLabel.ID, 10)}}), http.StatusNotFound)
	wantStatus(t, "mallory removes alice's label", m.post(page+"/labels/"+strconv.FormatInt(tag1.ID, 10)+"/delete", url.Values{}), http.StatusNotFound)
	wantStatus(t, "mallory deletes alice's label", m.post("/labels/"+strconv.FormatInt(tag1.ID, 10)+"/delete", url.Values{}), http.StatusNotFound)
	if l := labelByName(t, e, alice, "Tag1"); l.ID != tag1.ID {
		t.Fatal("tag1 changed")
	}

	// Remove.
	wantStatus(t, "remove", b.post(page+"/labels/"+strconv.FormatInt(tag1.ID, 10)+"/delete", url.Values{}), http.StatusSeeOther)
	on, err := e.Svc.ListCaseLabels(ctx, alice, "", labelled.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(on) != 4 {
		t.Fatalf("labels on the ticket after removing one: %d", len(on))
	}
	for _, l := range on {
		if l.ID == tag1.ID {
			t.Fatal("tag1 still on the ticket")
		}
	}
	wantStatus(t, "remove again", b.post(page+"/labels/"+strconv.FormatInt(tag1.ID, 10)+"/delete", url.Values{}), http.StatusNotFound)
}

// regexpFind returns the first group of pattern's first match in s, or "".
func regexpFind(pattern, s string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
