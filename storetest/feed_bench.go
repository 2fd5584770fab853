package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// SeedMessages adds n messages and n history events to a store seeded by
// SeedAuthorizations, spread over its 1000 tickets (message i on ticket
// i % 1000, one millisecond apart from t0), with set-based SQL.
func SeedMessages(ctx context.Context, db RawSQL, seed *Seed, n int, timeExpr func(ms string) string) error {
	tm := func(ms string) string { return timeExpr(fmt.Sprintf("(%d + %s)", t0.UnixMilli(), ms)) }
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO messages (id, account_id, case_id, message_type, author_id, author_name, content, is_first, created_at)
			WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %d)
			SELECT 'MS' || i, '%s', 'CS' || (i %% 1000), i %% 2, CASE WHEN i %% 2 = 0 THEN '%s' ELSE 'e1' END, 'someone',
				'message ' || i, FALSE, %s FROM k`, n-1, seed.Account, seed.Users[0], tm("i")),
		fmt.Sprintf(`INSERT INTO case_events (account_id, case_id, kind, actor_realm, actor_id, actor_name, detail, occurred_at)
			WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %d)
			SELECT '%s', 'CS' || (i %% 1000), 1010, 'customer', '%s', 'someone', 'MS' || i, %s FROM k`,
			n-1, seed.Account, seed.Users[0], tm("i")),
	} {
		if err := db.ExecSQL(ctx, q); err != nil {
			return fmt.Errorf("seed messages: %w\n%s", err, q)
		}
	}
	return nil
}

// BenchmarkFeed measures the conversation feed on a store seeded by
// SeedMessages with n messages: a poll of ten tickets for what is new
// since a recent cursor (one query, one index range per ticket), the
// unread counts of ten tickets without read markers (every message of
// those tickets) and with recent ones (the unread messages only), and a
// page of ten events of a ticket's history.
func BenchmarkFeed(b *testing.B, s casebook.Store, seed *Seed, n int) {
	ctx := context.Background()
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fmt.Sprintf("CS%d", i*97)
	}
	recent := casebook.FeedCursor{At: t0.Add(time.Duration(n-500) * time.Millisecond)}
	far := t0.Add(time.Hour * 1000)
	run := func(name string, fn func(tx casebook.Tx) error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := s.Read(ctx, fn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("poll10", func(tx casebook.Tx) error {
		msgs, err := tx.FindNewMessages(ctx, seed.Account, ids, recent, far, casebook.MaxFeedMessages)
		if err == nil && len(msgs) == 0 {
			err = fmt.Errorf("nothing new")
		}
		return err
	})
	run("unread10-all", func(tx casebook.Tx) error {
		_, err := tx.CountUnread(ctx, seed.Account, seed.Users[0], ids)
		return err
	})
	// The usual case: the user has read up to a recent message.
	err := s.Write(ctx, func(tx casebook.Tx) error {
		for _, id := range ids {
			if err := tx.SetReadMarker(ctx, seed.Account, id, seed.Users[0], recent); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	run("unread10-marked", func(tx casebook.Tx) error {
		_, err := tx.CountUnread(ctx, seed.Account, seed.Users[0], ids)
		return err
	})
	run("history-page", func(tx casebook.Tx) error {
		events, _, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: seed.Account, CaseID: "CS7", Offset: 0, Limit: 10})
		if err == nil && len(events) == 0 {
			err = fmt.Errorf("no history")
		}
		return err
	})
}
