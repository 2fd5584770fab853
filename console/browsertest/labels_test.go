package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleLabels: a customer creates a label on "My labels", puts it on
// a ticket, sees its colour (an SVG fill, which the CSP allows) on the
// ticket and in the list, and filters the list by it; the labels page fits
// a phone.
func TestConsoleLabels(t *testing.T) {
	browser := newBrowser(t)
	s := newServer(t)
	ctx := context.Background()
	if _, _, err := s.Svc.CreateAccount(ctx, "acme", "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	alice := s.person(t, browser, "alice")
	alice.loginCustomer("acme", "alice", alicePassword)
	for _, d := range []string{"Disk full", "Quota question"} {
		alice.open("/tickets/new")
		alice.step("open "+d,
			chromedp.SendKeys(chromedp.ID("description"), d),
			chromedp.Click(chromedp.ID("ticket-submit")),
			chromedp.WaitVisible(chromedp.ID("ticket-id")),
		)
	}
	caseID := strings.TrimSpace(alice.text("#ticket-id")) // "Quota question"

	alice.open("/labels")
	alice.step("create a label",
		chromedp.SendKeys(chromedp.ID("new-label-name"), "Needs <b>me</b>"),
		chromedp.SetValue(chromedp.ID("new-label-color"), "#d4380d"),
		chromedp.Click(chromedp.ID("create-label")),
		chromedp.WaitVisible(chromedp.CSS("#labels .label-chip")),
	)
	alice.waitText("#labels", "Needs <b>me</b>")
	alice.shot("labels")

	alice.open("/tickets/" + caseID)
	alice.step("label the ticket",
		chromedp.SetValue(chromedp.ID("label-id"), "1"),
		chromedp.Click(chromedp.CSS("#label-form button")),
		chromedp.WaitVisible(chromedp.ID("ticket-labels")),
	)
	alice.waitText("#ticket-labels", "Needs <b>me</b>")
	fill, err := chromedp.Run(alice.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#ticket-labels rect")).fill`))
	if err != nil || fill != "rgb(212, 56, 13)" {
		t.Fatalf("the swatch's colour = %q, %v; want rgb(212, 56, 13)", fill, err)
	}

	alice.open("/tickets")
	alice.waitText("#tickets", "Needs <b>me</b>")
	alice.step("filter by the label",
		chromedp.SetValue(chromedp.ID("label"), "1"),
		chromedp.Click(chromedp.CSS("form.filters button")),
		// The attribute, unlike the property set above, comes with the
		// filtered page only.
		chromedp.WaitReady(chromedp.CSS(`#label option[value="1"][selected]`)),
	)
	if got := alice.text("#tickets tbody"); !strings.Contains(got, "Quota question") || strings.Contains(got, "Disk full") {
		t.Fatalf("the filtered list: %q", got)
	}

	alice.step("phone screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, path := range []string{"/labels", "/tickets", "/tickets/" + caseID} {
		alice.open(path)
		w, err := chromedp.Run(alice.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel screen", path, w)
		}
	}
	alice.noDialogs()
}
