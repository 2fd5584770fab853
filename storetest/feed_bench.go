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

// FeedWorld is one store seeded by SeedMessages with N messages.
type FeedWorld struct {
	Store casebook.Store
	Seed  *Seed
	N     int
}

// BenchmarkFeed measures the conversation feed on stores seeded by
// SeedMessages: a poll of ten tickets for what is new since a recent
// cursor (one query, one index range per ticket), a ticket's ten newest
// messages (scrolling back), the unread counts of ten
// tickets without read markers (from the per-author counts) and with
// recent ones (the unread messages only), and a page of ten events of a
// ticket's history. Each call runs on every world in turn
// (call/messages=N), so that with -count the sizes of one call are
// measured back to back, under the same load of a shared machine.
func BenchmarkFeed(b *testing.B, worlds []FeedWorld) {
	ctx := context.Background()
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fmt.Sprintf("CS%d", i*97)
	}
	recent := func(w FeedWorld) casebook.FeedCursor {
		return casebook.FeedCursor{At: t0.Add(time.Duration(w.N-500) * time.Millisecond)}
	}
	far := t0.Add(time.Hour * 1000)
	run := func(name string, fn func(w FeedWorld, tx casebook.Tx) error) {
		for _, w := range worlds {
			b.Run(fmt.Sprintf("%s/messages=%d", name, w.N), func(b *testing.B) {
				for b.Loop() {
					if err := w.Store.Read(ctx, func(tx casebook.Tx) error { return fn(w, tx) }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	run("poll10", func(w FeedWorld, tx casebook.Tx) error {
		msgs, err := tx.FindNewMessages(ctx, w.Seed.Account, ids, recent(w), far, casebook.MaxFeedMessages)
		if err == nil && len(msgs) == 0 {
			err = fmt.Errorf("nothing new")
		}
		return err
	})
	// ListMoreInstantMessages: the ten newest messages of a ticket, as
	// scrolling back from its end.
	run("older10", func(w FeedWorld, tx casebook.Tx) error {
		msgs, err := tx.FindOlderMessages(ctx, w.Seed.Account, "CS7", far, casebook.MessageFromCustomer, 10)
		if err == nil && len(msgs) != 10 {
			err = fmt.Errorf("%d older messages, want 10", len(msgs))
		}
		return err
	})
	run("unread10-all", func(w FeedWorld, tx casebook.Tx) error {
		_, err := tx.CountUnread(ctx, w.Seed.Account, w.Seed.Users[0], ids)
		return err
	})
	// The usual case: the user has read up to a recent message.
	for _, w := range worlds {
		err := w.Store.Write(ctx, func(tx casebook.Tx) error {
			for _, id := range ids {
				if err := tx.SetReadMarker(ctx, w.Seed.Account, id, w.Seed.Users[0], recent(w)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	run("unread10-marked", func(w FeedWorld, tx casebook.Tx) error {
		_, err := tx.CountUnread(ctx, w.Seed.Account, w.Seed.Users[0], ids)
		return err
	})
	run("history-page", func(w FeedWorld, tx casebook.Tx) error {
		events, total, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: w.Seed.Account, CaseID: "CS7", Offset: 0, Limit: 10})
		if err == nil && (len(events) != 10 || total != w.N/1000) {
			err = fmt.Errorf("history: %d events of %d, want 10 of %d", len(events), total, w.N/1000)
		}
		return err
	})
}
