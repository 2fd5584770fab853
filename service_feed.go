package casebook

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The conversation feed (ListNewInstantMessages, ListMoreInstantMessages,
// ListUnreadNewInstantMessages, UpdateNewInstantMessagesRead,
// RevokeMessage). Several tickets are named at once; one that is outside
// the caller's view (or does not exist) makes the whole request ENOTFOUND,
// the same answer as a single missing ticket, so a poll reveals nothing.

// CaseState is a ticket's status in a feed answer, with its unread count
// where asked.
type CaseState struct {
	CaseID string
	Status int
	Unread int
}

// Feed is one answer of NewMessages: the tickets' statuses, the messages
// after the cursor (oldest first) and the cursor to poll with next.
type Feed struct {
	Cases    []CaseState
	Messages []*Message
	Cursor   FeedCursor
}

// FeedSettle is how long a message's millisecond must have passed before
// ListNewInstantMessages delivers it. Messages take their time inside
// their transaction; waiting this long means every message of the
// milliseconds a poll covers has committed (on a healthy database), so a
// time cursor skips none, and messages of one millisecond arrive together.
const FeedSettle = time.Second

// String is the cursor's text, last_message_time_id: the Unix time in
// milliseconds, and after a full answer "-" and the last message's id,
// "1733540000000-MS0123456789ABCDEF".
func (c FeedCursor) String() string {
	if c.At.IsZero() {
		return ""
	}
	s := strconv.FormatInt(c.At.UnixMilli(), 10)
	if c.ID != "" {
		s += "-" + c.ID
	}
	return s
}

// ParseFeedCursor reads a cursor written by FeedCursor.String; a bare Unix
// time in milliseconds means every message from that instant on.
func ParseFeedCursor(field, v string) (FeedCursor, error) {
	if err := CheckLength(field, v, 1, MaxFeedCursorLength); err != nil {
		return FeedCursor{}, err
	}
	ms, id, _ := strings.Cut(v, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || n < 0 || ms == "" || ms[0] == '+' {
		return FeedCursor{}, Invalidf(field, "%s must be a cursor returned by ListNewInstantMessages or a Unix time in milliseconds.", field)
	}
	return FeedCursor{At: time.UnixMilli(n).UTC(), ID: id}, nil
}

// feedScope returns the caller's scope and the poll's tickets, checked and
// de-duplicated.
func (s *Service) feedScope(ctx context.Context, p *Principal, groupID string, caseIDs []string) (Scope, []string, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return Scope{}, nil, err
	}
	ids, err := checkFeedCaseIDs(caseIDs)
	return scope, ids, err
}

// checkFeedCaseIDs checks and de-duplicates the tickets of a poll.
func checkFeedCaseIDs(ids []string) ([]string, error) {
	if err := CheckCount("case_ids", len(ids), 1, MaxFeedCaseIDs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if err := CheckLength("case_ids", id, 1, MaxCaseIDLength); err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// findFeedCases finds every ticket of ids inside scope, in order, in one
// query; one outside it, or missing, fails the whole request as a missing
// ticket.
func findFeedCases(ctx context.Context, tx Tx, scope Scope, ids []string) ([]*Case, error) {
	found, err := tx.FindCasesIn(ctx, scope, ids)
	if err != nil {
		return nil, fmt.Errorf("find cases: %w", err)
	}
	byID := make(map[string]*Case, len(found))
	for _, c := range found {
		byID[c.ID] = c
	}
	cases := make([]*Case, 0, len(ids))
	for _, id := range ids {
		c := byID[id]
		if c == nil {
			return nil, NotFoundf("Case not found.").WithReason(ReasonCaseNotFound)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// NewMessages returns the messages of the tickets after the cursor and
// older than FeedSettle, up to MaxFeedMessages, oldest first, with the
// cursor to poll with next. A zero cursor starts at the tickets' first
// messages. The messages of all the tickets come from one query.
func (s *Service) NewMessages(ctx context.Context, p *Principal, groupID string, caseIDs []string, after FeedCursor) (*Feed, error) {
	scope, ids, err := s.feedScope(ctx, p, groupID, caseIDs)
	if err != nil {
		return nil, err
	}
	feed := &Feed{Cursor: after}
	horizon := s.nowMS().Add(-FeedSettle)
	err = s.store.Read(ctx, func(tx Tx) error {
		cases, err := findFeedCases(ctx, tx, scope, ids)
		if err != nil {
			return err
		}
		feed.Cases = feed.Cases[:0]
		for _, c := range cases {
			feed.Cases = append(feed.Cases, CaseState{CaseID: c.ID, Status: c.Status})
		}
		feed.Messages, err = tx.FindNewMessages(ctx, scope.AccountID, ids, after, horizon, MaxFeedMessages)
		if err != nil {
			return fmt.Errorf("find new messages: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n := len(feed.Messages); n == MaxFeedMessages {
		// More may follow, in the same millisecond too: resume after
		// this one.
		last := feed.Messages[n-1]
		feed.Cursor = FeedCursor{At: last.CreatedAt, ID: last.ID}
	} else if horizon.After(after.At) {
		// Every message before the horizon was delivered.
		feed.Cursor = FeedCursor{At: horizon}
	}
	return feed, nil
}

// OlderMessages returns up to limit (0: DefaultPageLimit) messages of the
// ticket created before the time, oldest first, for scrolling back. At the
// boundary millisecond itself, messages whose type differs from
// boundaryType (the type of the oldest message the caller already has,
// 0 customer or 1 engineer) are included: they may have been posted in the
// same millisecond.
func (s *Service) OlderMessages(ctx context.Context, p *Principal, groupID, caseID string, before time.Time, boundaryType, limit int) ([]*Message, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	if err := CheckRange("type", int64(boundaryType), MessageFromCustomer, MessageFromEngineer); err != nil {
		return nil, err
	}
	if _, limit, err = normalizePage(0, limit); err != nil {
		return nil, err
	}
	var msgs []*Message
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		msgs, err = tx.FindOlderMessages(ctx, c.AccountID, c.ID, before.UTC().Truncate(time.Millisecond), boundaryType, limit)
		if err != nil {
			return fmt.Errorf("find older messages: %w", err)
		}
		return nil
	})
	slices.Reverse(msgs)
	return msgs, err
}

// UnreadCounts returns, per ticket in the order given, its status and how
// many messages others wrote after the caller's read marker (all of them
// before the caller first marks the ticket read).
func (s *Service) UnreadCounts(ctx context.Context, p *Principal, groupID string, caseIDs []string) ([]CaseState, error) {
	scope, ids, err := s.feedScope(ctx, p, groupID, caseIDs)
	if err != nil {
		return nil, err
	}
	var states []CaseState
	err = s.store.Read(ctx, func(tx Tx) error {
		cases, err := findFeedCases(ctx, tx, scope, ids)
		if err != nil {
			return err
		}
		counts, err := tx.CountUnread(ctx, scope.AccountID, p.UserID, ids)
		if err != nil {
			return fmt.Errorf("count unread messages: %w", err)
		}
		states = states[:0]
		for _, c := range cases {
			states = append(states, CaseState{CaseID: c.ID, Status: c.Status, Unread: counts[c.ID]})
		}
		return nil
	})
	return states, err
}

// MarkRead moves the caller's read marker on the ticket to its newest
// message. A ticket without messages has nothing to mark.
func (s *Service) MarkRead(ctx context.Context, p *Principal, groupID, caseID string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		m, err := tx.FindLatestMessage(ctx, c.AccountID, c.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		} else if err != nil {
			return fmt.Errorf("find latest message: %w", err)
		}
		if err := tx.SetReadMarker(ctx, c.AccountID, c.ID, p.UserID, FeedCursor{At: m.CreatedAt, ID: m.ID}); err != nil {
			return fmt.Errorf("set read marker: %w", err)
		}
		return nil
	})
}

// RevokeMessage withdraws a customer's own message from an open ticket
// within MessageRevokeWindow of posting it. The message and its
// attachments are deleted (rows and stored files), not hidden; the
// ticket's history records who withdrew which message id, and when. The
// ticket's first message (its description) cannot be withdrawn.
//
// messageID is the message's id or, since the SDK's message lists carry no
// id, the Unix time in milliseconds of the caller's own message on that
// ticket (create_time); an instant with several of the caller's messages
// is refused as ambiguous.
func (s *Service) RevokeMessage(ctx context.Context, p *Principal, groupID, caseID, messageID string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if err := CheckLength("message_id", messageID, 1, MaxMessageIDLength); err != nil {
		return err
	}
	var blobKeys []string
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		m, err := findOwnMessage(ctx, tx, p, c, messageID)
		if err != nil {
			return err
		}
		now := s.nowMS()
		switch {
		case m.IsFirst:
			return Errorf(ECONFLICT, "The first message of a case is its description and cannot be withdrawn.")
		case !CaseIsOpen(c.Status):
			return Errorf(ECONFLICT, "The case has already ended (status %d).", c.Status)
		case now.Sub(m.CreatedAt) > MessageRevokeWindow:
			return Errorf(ECONFLICT, "A message can only be withdrawn within %s of posting it.", MessageRevokeWindow)
		}
		if blobKeys, err = tx.DeleteMessage(ctx, c.AccountID, c.ID, m.ID); err != nil {
			return fmt.Errorf("delete message: %w", err)
		}
		logCase(tx, CaseEventMessageWithdrawn, customerActor(p), c.AccountID, c.ID, m.ID)
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range blobKeys {
		s.deleteAccessoryBlob(ctx, key)
	}
	return nil
}

// findOwnMessage finds the caller's own customer message on c by id or by
// its creation time in Unix milliseconds. Messages of others answer like
// missing ones: RevokeMessage is about the caller's own.
func findOwnMessage(ctx context.Context, tx Tx, p *Principal, c *Case, messageID string) (*Message, error) {
	own := func(m *Message) bool { return m.Type == MessageFromCustomer && m.AuthorID == p.UserID }
	notFound := NotFoundf("Message %q does not exist.", messageID)
	m, err := tx.FindMessage(ctx, c.AccountID, c.ID, messageID)
	if err == nil {
		if !own(m) {
			return nil, notFound
		}
		return m, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("find message: %w", err)
	}
	ms, perr := strconv.ParseInt(messageID, 10, 64)
	if perr != nil || ms < 0 {
		return nil, notFound
	}
	at := time.UnixMilli(ms).UTC()
	near, err := tx.FindOlderMessages(ctx, c.AccountID, c.ID, at, -1, MaxPageLimit)
	if err != nil {
		return nil, fmt.Errorf("find messages at %d: %w", ms, err)
	}
	var found *Message
	for _, m := range near {
		if m.CreatedAt.Equal(at) && own(m) {
			if found != nil {
				return nil, Errorf(ECONFLICT, "You posted several messages at %d; name the message by its id.", ms)
			}
			found = m
		}
	}
	if found == nil {
		return nil, notFound
	}
	return found, nil
}
