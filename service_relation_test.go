package casebook_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/casebook/casebook"
)

func (d *deskFixture) relatedIDs(p *casebook.Principal, group, caseID string) []string {
	d.t.Helper()
	rels, err := d.s.ListRelations(d.ctx, p, group, caseID)
	if err != nil {
		d.t.Fatal(err)
	}
	var ids []string
	for _, r := range rels {
		ids = append(ids, r.RelatedID)
	}
	return ids
}

// storedRelations counts the relations of a ticket in the store, whatever
// their visibility.
func (d *deskFixture) storedRelations(c *casebook.Case) int {
	d.t.Helper()
	var n int
	err := d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		rels, err := tx.FindRelations(d.ctx, c.AccountID, c.ID)
		n = len(rels)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

func TestCreateRelations(t *testing.T) {
	d := newDesk(t)
	main := d.newCase(d.alice, "main")
	var others []*casebook.Case
	for i := 0; i < 4; i++ {
		others = append(others, d.newCase(d.alice, fmt.Sprintf("other %d", i)))
	}

	wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[0].ID, others[1].ID}))
	rels, err := d.s.ListRelations(d.ctx, d.alice, "", main.ID)
	wantOK(t, err)
	if len(rels) != 2 || rels[0].RelatedDescription == "" || rels[0].RelatedCreatorName != "alice" {
		t.Fatalf("relations = %+v", rels)
	}

	t.Run("ErrDuplicateWithExisting", func(t *testing.T) {
		err := d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[2].ID, others[0].ID})
		wantErr(t, err, casebook.ECONFLICT, "")
	})
	t.Run("ErrDuplicateInRequest", func(t *testing.T) {
		err := d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[2].ID, others[2].ID})
		wantErr(t, err, casebook.EINVALID, "")
	})
	t.Run("ErrSelf", func(t *testing.T) {
		err := d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{main.ID})
		wantErr(t, err, casebook.EINVALID, "")
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		wantErr(t, d.s.CreateRelations(d.ctx, d.alice, "", main.ID, nil), casebook.EINVALID, "")
		wantErr(t, d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{""}), casebook.EINVALID, "")
	})
	t.Run("ErrTooManyInRequest", func(t *testing.T) {
		fresh := d.newCase(d.alice, "fresh")
		err := d.s.CreateRelations(d.ctx, d.alice, "", fresh.ID, []string{others[0].ID, others[1].ID, others[2].ID, others[3].ID})
		wantErr(t, err, casebook.ELIMIT, casebook.ReasonRelationLimit)
		wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", fresh.ID, []string{others[0].ID, others[1].ID, others[2].ID}))
	})
	t.Run("ErrCap", func(t *testing.T) {
		err := d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[2].ID, others[3].ID})
		wantErr(t, err, casebook.ELIMIT, casebook.ReasonRelationLimit)
		if got := d.relatedIDs(d.alice, "", main.ID); len(got) != 2 {
			t.Fatalf("a refused request stored relations: %v", got)
		}
		wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[2].ID}))
		err = d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[3].ID})
		wantErr(t, err, casebook.ELIMIT, casebook.ReasonRelationLimit)
	})
	t.Run("ErrUnknownCase", func(t *testing.T) {
		fresh := d.newCase(d.alice, "fresh")
		err := d.s.CreateRelations(d.ctx, d.alice, "", fresh.ID, []string{others[0].ID, "CSNOSUCHCASE"})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		if n := d.storedRelations(fresh); n != 0 {
			t.Fatalf("%d relations stored by a failed request", n)
		}
		err = d.s.CreateRelations(d.ctx, d.alice, "", "CSNOSUCHCASE", []string{others[0].ID})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		wantOK(t, d.s.DeleteRelation(d.ctx, d.alice, "", main.ID, others[1].ID))
		got := d.relatedIDs(d.alice, "", main.ID)
		if len(got) != 2 || !slices.Contains(got, others[0].ID) || !slices.Contains(got, others[2].ID) {
			t.Fatalf("after delete: %v", got)
		}
		wantErr(t, d.s.DeleteRelation(d.ctx, d.alice, "", main.ID, others[1].ID), casebook.ENOTFOUND, "")
		wantErr(t, d.s.DeleteRelation(d.ctx, d.alice, "", main.ID, others[3].ID), casebook.ENOTFOUND, "")
		wantErr(t, d.s.DeleteRelation(d.ctx, d.alice, "", main.ID, ""), casebook.EINVALID, "")
		// Room again for one more.
		wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[3].ID}))
	})
	t.Run("DeletedRelatedCaseIsHidden", func(t *testing.T) {
		fresh := d.newCase(d.alice, "fresh")
		gone := d.newCase(d.alice, "gone")
		wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", fresh.ID, []string{gone.ID}))
		d.setCaseStatus(d.alice, gone.ID, casebook.CaseStatusCancelled)
		wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", gone.ID, casebook.CaseActionInput{Action: casebook.CaseActionDelete}))
		if got := d.relatedIDs(d.alice, "", fresh.ID); len(got) != 0 {
			t.Fatalf("deleted related case still listed: %v", got)
		}
	})
}

// TestCreateRelations_Concurrent races 32 requests, each relating another
// ticket, against the cap of 3.
func TestCreateRelations_Concurrent(t *testing.T) {
	d := newDesk(t)
	main := d.newCase(d.alice, "main")
	const n = 32
	others := make([]*casebook.Case, n)
	for i := range others {
		others[i] = d.newCase(d.alice, fmt.Sprintf("other %d", i))
	}

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.s.CreateRelations(d.ctx, d.alice, "", main.ID, []string{others[i].ID})
		}()
	}
	wg.Wait()

	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if casebook.ErrorCode(err) != casebook.ELIMIT || casebook.ErrorReason(err) != casebook.ReasonRelationLimit {
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != casebook.MaxRelationsPerCase {
		t.Fatalf("%d requests succeeded, want %d", ok, casebook.MaxRelationsPerCase)
	}
	if got := d.storedRelations(main); got != casebook.MaxRelationsPerCase {
		t.Fatalf("%d relations stored, want %d", got, casebook.MaxRelationsPerCase)
	}
}

func TestRelationIsolation(t *testing.T) {
	d := newDesk(t)
	mine := d.newCase(d.alice, "mine")
	mine2 := d.newCase(d.alice, "mine too")
	bobs := d.newCase(d.bob, "bob's")
	devCase := d.newCase(d.carol, "dev")
	globex := d.newCase(d.gina, "globex")
	wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", mine.ID, []string{mine2.ID}))

	t.Run("RelatedOutsideScope", func(t *testing.T) {
		for _, id := range []string{globex.ID, devCase.ID, bobs.ID} {
			err := d.s.CreateRelations(d.ctx, d.alice, "", mine.ID, []string{id})
			wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		}
		// With the group, bob's ticket is in scope; carol's is not.
		err := d.s.CreateRelations(d.ctx, d.alice, d.ops, mine.ID, []string{devCase.ID})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		wantOK(t, d.s.CreateRelations(d.ctx, d.alice, d.ops, mine.ID, []string{bobs.ID}))
		// Listed with the group; hidden without it.
		if got := d.relatedIDs(d.alice, d.ops, mine.ID); len(got) != 2 {
			t.Fatalf("with group: %v", got)
		}
		if got := d.relatedIDs(d.alice, "", mine.ID); len(got) != 1 || got[0] != mine2.ID {
			t.Fatalf("without group: %v", got)
		}
		wantOK(t, d.s.DeleteRelation(d.ctx, d.alice, d.ops, mine.ID, bobs.ID))
	})

	calls := map[string]func(p *casebook.Principal, group, caseID string) error{
		"CreateRelations": func(p *casebook.Principal, group, caseID string) error {
			return d.s.CreateRelations(d.ctx, p, group, caseID, []string{mine2.ID})
		},
		"ListRelations": func(p *casebook.Principal, group, caseID string) error {
			_, err := d.s.ListRelations(d.ctx, p, group, caseID)
			return err
		},
		"DeleteRelation": func(p *casebook.Principal, group, caseID string) error {
			return d.s.DeleteRelation(d.ctx, p, group, caseID, mine2.ID)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(d.gina, "", mine.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.gmaster, "", mine.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.carol, d.dev, mine.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.carol, "", mine.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.carol, d.ops, mine.ID), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.alice, d.gops, mine.ID), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.eng1, "", mine.ID), casebook.EFORBIDDEN, "")
		})
	}
	if got := d.relatedIDs(d.alice, "", mine.ID); len(got) != 1 || got[0] != mine2.ID {
		t.Fatalf("relations changed: %v", got)
	}
}
