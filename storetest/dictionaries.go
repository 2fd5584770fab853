package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// testDictionaries: none stored is ENOTFOUND; a save is read back
// byte-for-byte and a second save replaces it; a rolled-back save leaves
// the first.
func testDictionaries(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	read(t, s, func(tx casebook.Tx) error {
		_, err := tx.FindDictionaries(ctx)
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
	first, second := []byte(`{"v":"一"}`), []byte(`{"v":2}`)
	write(t, s, func(tx casebook.Tx) error { return tx.SaveDictionaries(ctx, first, at(0)) })
	find := func() string {
		var doc []byte
		read(t, s, func(tx casebook.Tx) error {
			var err error
			doc, err = tx.FindDictionaries(ctx)
			return err
		})
		return string(doc)
	}
	if got := find(); got != string(first) {
		t.Fatalf("after the first save: %q", got)
	}
	failed := s.Write(ctx, func(tx casebook.Tx) error {
		if err := tx.SaveDictionaries(ctx, second, at(time.Second)); err != nil {
			return err
		}
		return casebook.Errorf(casebook.EINVALID, "roll back")
	})
	wantCode(t, failed, casebook.EINVALID)
	if got := find(); got != string(first) {
		t.Fatalf("after a rolled-back save: %q", got)
	}
	write(t, s, func(tx casebook.Tx) error { return tx.SaveDictionaries(ctx, second, at(time.Minute)) })
	if got := find(); got != string(second) {
		t.Fatalf("after the second save: %q", got)
	}
}

// testScores: a ticket's scores are stored once, read back in dimension
// order, and only with the ticket's account.
func testScores(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "rated")
	other := newCase(f.U1, time.Second, "not rated")
	createCases(t, s, c, other)
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindScores(ctx, f.A.ID, c.ID)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("FindScores before any: %v, %v; want an empty list", got, err)
		}
		return nil
	})
	scores := []casebook.Score{{DimensionID: 3, Value: 5}, {DimensionID: 1, Value: 0}, {DimensionID: 9999, Value: 65535}}
	write(t, s, func(tx casebook.Tx) error { return tx.CreateScores(ctx, f.A.ID, c.ID, scores, at(time.Minute)) })
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
		return tx.CreateScores(ctx, f.A.ID, c.ID, []casebook.Score{{DimensionID: 2, Value: 1}}, at(2*time.Minute))
	}), casebook.ECONFLICT)
	want := []casebook.Score{{DimensionID: 1, Value: 0}, {DimensionID: 3, Value: 5}, {DimensionID: 9999, Value: 65535}}
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindScores(ctx, f.A.ID, c.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("FindScores = %+v, %v; want %+v", got, err, want)
		}
		if got, err := tx.FindScores(ctx, f.B.ID, c.ID); err != nil || len(got) != 0 {
			t.Fatalf("FindScores of another account = %+v, %v", got, err)
		}
		if got, err := tx.FindScores(ctx, f.A.ID, other.ID); err != nil || len(got) != 0 {
			t.Fatalf("FindScores of an unrated ticket = %+v, %v", got, err)
		}
		return nil
	})
}
