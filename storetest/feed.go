package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// testFeed checks the conversation feed's queries: new messages of several
// tickets after a cursor and before a horizon, older messages with the
// boundary type, unread counts against read markers, and deleting a
// message with its attachments.
func testFeed(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c1, c2, c3 := newCase(f.U1, 0, "one"), newCase(f.U1, 0, "two"), newCase(f.U1, 0, "three")
	createCases(t, s, c1, c2, c3)
	msg := func(c *casebook.Case, id string, typ int, author string, d time.Duration) *casebook.Message {
		return &casebook.Message{ID: id, AccountID: f.A.ID, CaseID: c.ID, Type: typ, AuthorID: author,
			AuthorName: author, Content: "content of " + id, CreatedAt: at(d)}
	}
	// m2 and m3 share a millisecond; m5 is on a ticket the polls do not name.
	m1 := msg(c1, "MSA1", casebook.MessageFromCustomer, f.U1.ID, 0)
	m2 := msg(c2, "MSB2", casebook.MessageFromEngineer, "eng", time.Second)
	m3 := msg(c1, "MSA3", casebook.MessageFromCustomer, f.U1.ID, time.Second)
	m4 := msg(c2, "MSC4", casebook.MessageFromEngineer, "eng", 2*time.Second)
	m5 := msg(c3, "MSD5", casebook.MessageFromEngineer, "eng", 2*time.Second)
	acc := newAccessory(f.U1, 0, "a.png")
	write(t, s, func(tx casebook.Tx) error {
		for _, m := range []*casebook.Message{m4, m1, m5, m3, m2} {
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		if err := tx.CreateAccessory(ctx, acc); err != nil {
			return err
		}
		return tx.AttachAccessories(ctx, f.A.ID, []string{acc.ID}, c1.ID, m3.ID)
	})
	ids := func(msgs []*casebook.Message) []string {
		var out []string
		for _, m := range msgs {
			out = append(out, m.ID)
		}
		return out
	}
	both := []string{c1.ID, c2.ID}
	far := at(time.Hour)
	for _, tc := range []struct {
		name   string
		after  casebook.FeedCursor
		before time.Time
		limit  int
		want   []string
	}{
		{"FromStart", casebook.FeedCursor{}, far, 10, []string{"MSA1", "MSA3", "MSB2", "MSC4"}},
		{"Limit", casebook.FeedCursor{}, far, 2, []string{"MSA1", "MSA3"}},
		{"AfterID", casebook.FeedCursor{At: at(time.Second), ID: "MSA3"}, far, 10, []string{"MSB2", "MSC4"}},
		{"AtInstant", casebook.FeedCursor{At: at(time.Second)}, far, 10, []string{"MSA3", "MSB2", "MSC4"}},
		{"Horizon", casebook.FeedCursor{}, at(2 * time.Second), 10, []string{"MSA1", "MSA3", "MSB2"}},
		{"Nothing", casebook.FeedCursor{At: at(3 * time.Second)}, far, 10, nil},
	} {
		t.Run("New"+tc.name, func(t *testing.T) {
			read(t, s, func(tx casebook.Tx) error {
				got, err := tx.FindNewMessages(ctx, f.A.ID, both, tc.after, tc.before, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if g := ids(got); !slices.Equal(g, tc.want) {
					t.Fatalf("FindNewMessages = %v, want %v", g, tc.want)
				}
				for _, m := range got {
					if m.ID == "MSA3" && (len(m.Accessories) != 1 || m.Accessories[0].ID != acc.ID) {
						t.Errorf("MSA3 accessories = %+v", m.Accessories)
					}
				}
				return nil
			})
		})
	}
	t.Run("NewOtherAccount", func(t *testing.T) {
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindNewMessages(ctx, "another-account", both, casebook.FeedCursor{}, far, 10)
			if err != nil || len(got) != 0 {
				t.Fatalf("another account's poll: %v, %v", ids(got), err)
			}
			return nil
		})
	})

	t.Run("CasesIn", func(t *testing.T) {
		u2 := newCase(f.U2, 0, "u2's")
		u3 := newCase(f.U3, 0, "u3's")
		foreign := newCase(f.BU, 0, "other account")
		deleted := newCase(f.U1, 0, "deleted")
		deleted.Status = casebook.CaseStatusDeleted
		createCases(t, s, u2, u3, foreign, deleted)
		all := []string{c1.ID, u2.ID, u3.ID, foreign.ID, deleted.ID, "CS-missing"}
		for _, tc := range []struct {
			name  string
			scope casebook.Scope
			want  []string
		}{
			{"Own", f.sub(f.U1), []string{c1.ID}},
			{"Group", f.group(f.U1, f.G), []string{c1.ID, u2.ID}},
			{"Master", f.master(), []string{c1.ID, u2.ID, u3.ID}},
		} {
			read(t, s, func(tx casebook.Tx) error {
				found, err := tx.FindCasesIn(ctx, tc.scope, all)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range found {
					got = append(got, c.ID)
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(tc.want))
				if !slices.Equal(got, want) {
					t.Errorf("%s: FindCasesIn = %v, want %v", tc.name, got, want)
				}
				return nil
			})
		}
	})

	t.Run("Older", func(t *testing.T) {
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindOlderMessages(ctx, f.A.ID, c1.ID, at(time.Second), casebook.MessageFromCustomer, 10)
			if err != nil || !slices.Equal(ids(got), []string{"MSA1"}) {
				t.Fatalf("older than MSA3 (customer): %v, %v", ids(got), err)
			}
			got, err = tx.FindOlderMessages(ctx, f.A.ID, c1.ID, at(time.Second), casebook.MessageFromEngineer, 10)
			if err != nil || !slices.Equal(ids(got), []string{"MSA3", "MSA1"}) {
				t.Fatalf("older at the boundary, other type: %v, %v", ids(got), err)
			}
			latest, err := tx.FindLatestMessage(ctx, f.A.ID, c2.ID)
			if err != nil || latest.ID != "MSC4" {
				t.Fatalf("latest of c2: %+v, %v", latest, err)
			}
			_, err = tx.FindLatestMessage(ctx, "another-account", c2.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			return nil
		})
	})

	t.Run("Unread", func(t *testing.T) {
		counts := func() map[string]int {
			var got map[string]int
			read(t, s, func(tx casebook.Tx) error {
				var err error
				got, err = tx.CountUnread(ctx, f.A.ID, f.U1.ID, []string{c1.ID, c2.ID, c3.ID})
				return err
			})
			return got
		}
		if got := counts(); got[c1.ID] != 0 || got[c2.ID] != 2 || got[c3.ID] != 1 {
			t.Fatalf("unread before any marker: %v", got)
		}
		write(t, s, func(tx casebook.Tx) error {
			return tx.SetReadMarker(ctx, f.A.ID, c2.ID, f.U1.ID, casebook.FeedCursor{At: m2.CreatedAt, ID: m2.ID})
		})
		if got := counts(); got[c2.ID] != 1 || got[c3.ID] != 1 {
			t.Fatalf("unread after marking c2 up to MSB2: %v", got)
		}
		write(t, s, func(tx casebook.Tx) error { // moving it again replaces it
			return tx.SetReadMarker(ctx, f.A.ID, c2.ID, f.U1.ID, casebook.FeedCursor{At: m4.CreatedAt, ID: m4.ID})
		})
		if got := counts(); got[c2.ID] != 0 {
			t.Fatalf("unread after marking c2 up to MSC4: %v", got)
		}
		// After the marker on c1 there is only the user's own MSA3.
		write(t, s, func(tx casebook.Tx) error {
			return tx.SetReadMarker(ctx, f.A.ID, c1.ID, f.U1.ID, casebook.FeedCursor{At: m1.CreatedAt, ID: m1.ID})
		})
		if got := counts(); len(got) != 1 || got[c3.ID] != 1 {
			t.Fatalf("unread after marking c1 up to MSA1: %v", got)
		}
		read(t, s, func(tx casebook.Tx) error {
			other, err := tx.CountUnread(ctx, f.A.ID, "someone-else", []string{c2.ID})
			if err != nil || other[c2.ID] != 2 {
				t.Fatalf("another user's count: %v, %v", other, err)
			}
			return nil
		})
	})

	t.Run("DeleteMessage", func(t *testing.T) {
		// A user who never marked c1 counts all of its messages, the
		// deleted one until it is deleted.
		unreadOfOther := func() int {
			var n int
			read(t, s, func(tx casebook.Tx) error {
				got, err := tx.CountUnread(ctx, f.A.ID, "someone-else", []string{c1.ID})
				n = got[c1.ID]
				return err
			})
			return n
		}
		before := unreadOfOther()
		var keys []string
		write(t, s, func(tx casebook.Tx) error {
			if _, err := tx.DeleteMessage(ctx, "another-account", c1.ID, m3.ID); casebook.ErrorCode(err) != casebook.ENOTFOUND {
				t.Errorf("deleting through another account: %v", err)
			}
			var err error
			keys, err = tx.DeleteMessage(ctx, f.A.ID, c1.ID, m3.ID)
			return err
		})
		if len(keys) != 1 || keys[0] != acc.BlobKey {
			t.Fatalf("blob keys %v, want [%s]", keys, acc.BlobKey)
		}
		if after := unreadOfOther(); before < 1 || after != before-1 {
			t.Errorf("unread of c1 for a user without a marker: %d before deleting, %d after", before, after)
		}
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindMessage(ctx, f.A.ID, c1.ID, m3.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			_, err = tx.FindAccessoryByID(ctx, acc.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			m, err := tx.FindMessage(ctx, f.A.ID, c1.ID, m1.ID)
			if err != nil || m.Content != m1.Content {
				t.Fatalf("the other message: %+v, %v", m, err)
			}
			return nil
		})
		if x, ok := s.(RawSQL); ok {
			n, err := x.QueryInt(ctx, "SELECT COUNT(*) FROM messages WHERE content LIKE '%MSA3%'")
			if err != nil || n != 0 {
				t.Fatalf("the deleted content is still stored: %d rows, %v", n, err)
			}
		}
	})
}

// testCaseEvents checks a ticket's history: id order, paging, the account
// boundary, and that the schema refuses changes.
func testCaseEvents(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	var events []*casebook.CaseEvent
	for i, kind := range []int{casebook.CaseEventCreated, casebook.CaseEventMessage, casebook.CaseEventCredentialsRead} {
		events = append(events, &casebook.CaseEvent{AccountID: "acc-a", CaseID: "CS1", Kind: kind,
			ActorRealm: casebook.RealmCustomer, ActorID: "u1", ActorName: "alice", Detail: "d" + itoa(int64(i)),
			At: at(time.Duration(3-i) * time.Second)}) // ids, not times, give the order
	}
	other := &casebook.CaseEvent{AccountID: "acc-b", CaseID: "CS1", Kind: casebook.CaseEventCreated, ActorRealm: casebook.RealmCustomer, At: at(0)}
	write(t, s, func(tx casebook.Tx) error {
		for _, e := range append(events[:2:2], other, events[2]) {
			if err := tx.AppendCaseEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx casebook.Tx) error {
		got, total, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: "acc-a", CaseID: "CS1", Limit: 10})
		if err != nil || total != 3 || len(got) != 3 {
			t.Fatalf("FindCaseEvents: %d of %d, %v", len(got), total, err)
		}
		for i, e := range got {
			if *e != *events[i] {
				t.Errorf("event %d = %+v, want %+v", i, e, events[i])
			}
		}
		page, total, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: "acc-a", CaseID: "CS1", Offset: 1, Limit: 1})
		if err != nil || total != 3 || len(page) != 1 || page[0].ID != events[1].ID {
			t.Fatalf("page (1, 1): %+v of %d, %v", page, total, err)
		}
		none, total, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: "acc-c", CaseID: "CS1", Limit: 10})
		if err != nil || total != 0 || len(none) != 0 {
			t.Fatalf("another account: %+v of %d, %v", none, total, err)
		}
		return nil
	})
	if x, ok := s.(RawSQL); ok {
		for _, q := range []string{"UPDATE case_events SET detail = 'tampered'", "DELETE FROM case_events"} {
			if err := x.ExecSQL(ctx, q); err == nil {
				t.Errorf("%s: succeeded, want the schema to refuse it", q)
			}
		}
	}
}
