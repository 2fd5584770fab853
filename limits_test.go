package casebook_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// wantLimitErr fails unless err is the EINVALID error of a limit of field
// (its message names the field).
func wantLimitErr(t *testing.T, err error, field string) {
	t.Helper()
	if casebook.ErrorCode(err) != casebook.EINVALID || !strings.Contains(casebook.ErrorMessage(err), field) {
		t.Fatalf("err = %v (%s), want EINVALID naming %s", err, casebook.ErrorCode(err), field)
	}
}

// wantNotLimitErr fails if err is an EINVALID error about a length, a
// count or a range: the value at the limit passed the check (and may fail
// a later one, such as "does not exist").
func wantNotLimitErr(t *testing.T, err error) {
	t.Helper()
	msg := casebook.ErrorMessage(err)
	if casebook.ErrorCode(err) == casebook.EINVALID && (strings.Contains(msg, "characters") || strings.Contains(msg, "items") || strings.Contains(msg, "integer from")) {
		t.Fatalf("err = %v, want the value at the limit accepted", err)
	}
}

func TestCheckFunctions(t *testing.T) {
	if err := casebook.CheckLength("f", strings.Repeat("字", 3), 1, 3); err != nil {
		t.Errorf("3 characters (9 bytes) in 1..3: %v", err)
	}
	for _, v := range []string{"", strings.Repeat("字", 4)} {
		if err := casebook.CheckLength("f", v, 1, 3); casebook.ErrorCode(err) != casebook.EINVALID || casebook.ErrorMessage(err) != "f must be 1 to 3 characters." {
			t.Errorf("%q in 1..3: %v", v, err)
		}
	}
	if err := casebook.CheckLength("f", "abcd", 0, 3); casebook.ErrorMessage(err) != "f must be at most 3 characters." {
		t.Errorf("4 in 0..3: %v", err)
	}
	for n, ok := range map[int64]bool{-1: false, 0: true, 10: true, 11: false} {
		err := casebook.CheckRange("n", n, 0, 10)
		if ok != (err == nil) || (!ok && casebook.ErrorMessage(err) != "n must be an integer from 0 to 10.") {
			t.Errorf("%d in 0..10: %v", n, err)
		}
	}
	for n, ok := range map[int]bool{0: false, 1: true, 5: true, 6: false} {
		if err := casebook.CheckCount("l", n, 1, 5); ok != (err == nil) {
			t.Errorf("%d items in 1..5: %v", n, err)
		}
	}
	if err := casebook.CheckCount("l", 6, 0, 5); casebook.ErrorMessage(err) != "l may hold at most 5 items." {
		t.Errorf("6 items in 0..5: %v", err)
	}
}

// TestServiceLimits checks, at and just past each bound, the limits the
// Service owns since the HTTP layer stopped checking them.
func TestServiceLimits(t *testing.T) {
	d := newDesk(t)
	s := func(c string, n int) string { return strings.Repeat(c, n) }
	c := d.newCase(d.alice, "limits")

	t.Run("group_id", func(t *testing.T) {
		_, _, err := d.s.ListCases(d.ctx, d.alice, s("g", casebook.MaxGroupIDLength), casebook.CaseFilter{})
		wantErr(t, err, casebook.EFORBIDDEN, casebook.ReasonNoPermission) // a group alice is not in
		_, _, err = d.s.ListCases(d.ctx, d.alice, s("g", casebook.MaxGroupIDLength+1), casebook.CaseFilter{})
		wantLimitErr(t, err, "group_id")
	})

	t.Run("page", func(t *testing.T) {
		for _, f := range []casebook.CaseFilter{{Offset: casebook.MaxListOffset}, {Limit: casebook.MaxPageLimit}} {
			_, _, err := d.s.ListCases(d.ctx, d.alice, "", f)
			wantOK(t, err)
		}
		_, _, err := d.s.ListCases(d.ctx, d.alice, "", casebook.CaseFilter{Offset: casebook.MaxListOffset + 1})
		wantLimitErr(t, err, "offset")
		_, _, err = d.s.ListCases(d.ctx, d.alice, "", casebook.CaseFilter{Limit: casebook.MaxPageLimit + 1})
		wantLimitErr(t, err, "limit")
		_, _, err = d.s.ListMessages(d.ctx, d.alice, "", c.ID, casebook.MaxListOffset+1, 0)
		wantLimitErr(t, err, "offset")
	})

	t.Run("case input", func(t *testing.T) {
		create := func(mod func(in *casebook.CaseInput)) error {
			in := casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "d"}
			mod(&in)
			_, err := d.s.CreateCase(d.ctx, d.alice, in)
			return err
		}
		entries := func(n int) map[string]string {
			m := map[string]string{}
			for i := range n {
				m[fmt.Sprint("k", i)] = "v"
			}
			return m
		}
		// At the bound an unknown business type is unknown, not too long.
		err := create(func(in *casebook.CaseInput) { in.BusinessTypeID = s("9", casebook.MaxBusinessTypeIDLength) })
		wantNotLimitErr(t, err)
		wantLimitErr(t, err, "business_type_id")
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.BusinessTypeID = s("9", casebook.MaxBusinessTypeIDLength+1) }), "at most 512 characters")

		wantOK(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = entries(casebook.MaxExtendsEntries) }))
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = entries(casebook.MaxExtendsEntries + 1) }), "extends_map")
		wantOK(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = map[string]string{s("k", 64): s("字", 2000)} }))
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = map[string]string{s("k", 65): "v"} }), "extends_map key")
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = map[string]string{"": "v"} }), "extends_map key")
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.ExtendsMap = map[string]string{"k": s("字", 2001)} }), "extends_map value")

		// Attachment ids: one of 64 characters is merely unknown.
		err = create(func(in *casebook.CaseInput) { in.AccessoryIDs = []string{s("a", casebook.MaxAccessoryIDLength)} })
		wantErr(t, err, casebook.ENOTFOUND, "")
		wantLimitErr(t, create(func(in *casebook.CaseInput) { in.AccessoryIDs = []string{s("a", casebook.MaxAccessoryIDLength+1)} }), "accessory_ids")
	})

	t.Run("action_id", func(t *testing.T) {
		err := d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: s("x", casebook.MaxActionIDLength)})
		wantErr(t, err, casebook.EINVALID, casebook.ReasonBadCaseAction)
		err = d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: s("x", casebook.MaxActionIDLength+1)})
		wantLimitErr(t, err, "action_id")
		if casebook.ErrorReason(err) == casebook.ReasonBadCaseAction {
			t.Fatalf("an over-long action_id is a parameter error, not an unknown action: %v", err)
		}
	})

	t.Run("message attachments", func(t *testing.T) {
		saved := d.s.Config.AccessoryMaxCount
		d.s.Config.AccessoryMaxCount = 2 * casebook.MaxMessageAccessories // the documented cap must hold on its own
		defer func() { d.s.Config.AccessoryMaxCount = saved }()
		ids := func(n, length int) []string {
			var out []string
			for i := range n {
				out = append(out, fmt.Sprintf("%0*d", length, i))
			}
			return out
		}
		_, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "m", ids(casebook.MaxMessageAccessories, casebook.MaxMessageAccessoryIDLen))
		wantErr(t, err, casebook.ENOTFOUND, "") // unknown ids, within every limit
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "m", ids(casebook.MaxMessageAccessories+1, 8))
		wantLimitErr(t, err, "accessory_ids")
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "m", ids(1, casebook.MaxMessageAccessoryIDLen+1))
		wantLimitErr(t, err, "accessory_ids")
	})

	t.Run("reply", func(t *testing.T) {
		_, err := d.s.Reply(d.ctx, d.eng1, c.ID, " ")
		wantLimitErr(t, err, "content")
		_, err = d.s.Reply(d.ctx, d.eng1, c.ID, s("字", casebook.MaxMessageLength+1))
		wantLimitErr(t, err, "content")
		_, err = d.s.Reply(d.ctx, d.eng1, c.ID, s("字", casebook.MaxMessageLength))
		wantOK(t, err)
	})

	t.Run("related ids", func(t *testing.T) {
		err := d.s.CreateRelations(d.ctx, d.alice, "", c.ID, []string{s("c", casebook.MaxCaseIDLength)})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		err = d.s.CreateRelations(d.ctx, d.alice, "", c.ID, []string{s("字", casebook.MaxCaseIDLength+1)})
		wantLimitErr(t, err, "related_id_list")
		err = d.s.DeleteRelation(d.ctx, d.alice, "", c.ID, s("c", casebook.MaxCaseIDLength))
		wantNotLimitErr(t, err)
		err = d.s.DeleteRelation(d.ctx, d.alice, "", c.ID, s("c", casebook.MaxCaseIDLength+1))
		wantLimitErr(t, err, "related_id")
	})

	t.Run("authorization request", func(t *testing.T) {
		for _, mod := range []func(*casebook.AuthorizationRequest){
			func(in *casebook.AuthorizationRequest) { in.Details = in.Details[:1] },
			func(in *casebook.AuthorizationRequest) {
				for len(in.Details) < casebook.MaxAuthDetails {
					in.Details = append(in.Details, casebook.AuthDetail{Type: casebook.AuthDetailConsole})
				}
			},
			func(in *casebook.AuthorizationRequest) { in.Details[0].Port = casebook.MaxPort },
		} {
			in := testAuthRequest()
			mod(&in)
			wantOK(t, in.Validate())
		}
		for field, mod := range map[string]func(*casebook.AuthorizationRequest){
			"details": func(in *casebook.AuthorizationRequest) { in.Details = nil },
			"details ": func(in *casebook.AuthorizationRequest) {
				in.Details = make([]casebook.AuthDetail, casebook.MaxAuthDetails+1)
			},
			"port":             func(in *casebook.AuthorizationRequest) { in.Details[0].Port = casebook.MaxPort + 1 },
			"resource_type_id": func(in *casebook.AuthorizationRequest) { in.ResourceTypeID = s("1", casebook.MaxDictIDLength+1) },
			"at most 64":       func(in *casebook.AuthorizationRequest) { in.ContentTypeID = s("1", casebook.MaxDictIDLength+1) },
		} {
			in := testAuthRequest()
			mod(&in)
			wantLimitErr(t, in.Validate(), strings.TrimSpace(field))
		}
	})

	t.Run("confirmation", func(t *testing.T) {
		creds := func(n int) []casebook.Credential { return make([]casebook.Credential, n) }
		for _, in := range []casebook.ConfirmInput{
			{Credentials: creds(casebook.MaxConfirmDetails)},
			{AgencyID: s("a", casebook.MaxAgencyIDLength)},
			{Credentials: []casebook.Credential{{Port: casebook.MaxPort, Account: s("字", casebook.MaxDetailFieldLength), Password: s("字", casebook.MaxCredentialPassword)}}},
		} {
			wantOK(t, in.Validate())
		}
		for field, in := range map[string]casebook.ConfirmInput{
			"auth_detail_list": {Credentials: creds(casebook.MaxConfirmDetails + 1)},
			"agency_id":        {AgencyID: s("a", casebook.MaxAgencyIDLength+1)},
			"port":             {Credentials: []casebook.Credential{{Port: casebook.MaxPort + 1}}},
			"account":          {Credentials: []casebook.Credential{{Account: s("a", casebook.MaxDetailFieldLength+1)}}},
			"password":         {Credentials: []casebook.Credential{{Password: s("字", casebook.MaxCredentialPassword+1)}}},
		} {
			wantLimitErr(t, in.Validate(), field)
		}
		// The Service applies them before it looks the authorization up.
		err := d.s.ConfirmAuthorization(d.ctx, d.alice, "", "no-such-authorization", casebook.ConfirmInput{AgencyID: s("a", 65)})
		wantLimitErr(t, err, "agency_id")
	})
}
