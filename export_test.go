package casebook

import "context"

// TestStore returns the store of s, for tests in package casebook_test that
// arrange or inspect rows no Service method reaches. It exists only in
// test builds.
func (s *Service) TestStore() Store { return s.store }

// TestSetEventsOff stops (or restarts) the writing of outbox events, for
// the benchmark of what writing them costs.
func (s *Service) TestSetEventsOff(off bool) { s.eventsOff = off }

// TestLogCases records the events through the Service's store, in one
// Write and in the given order, as the Service's methods record theirs.
func (s *Service) TestLogCases(ctx context.Context, events []CaseEvent) error {
	return s.store.Write(ctx, func(tx Tx) error {
		for _, e := range events {
			logCase(tx, e.Kind, AuditEvent{ActorRealm: e.ActorRealm, ActorID: e.ActorID, ActorName: e.ActorName}, e.AccountID, e.CaseID, e.Detail)
		}
		return nil
	})
}

// TestWrapStore puts wrap's store under s, for tests of what happens
// between the reads and the writes of a Service method.
func (s *Service) TestWrapStore(wrap func(Store) Store) {
	j := s.store.(journalStore)
	j.Store = wrap(j.Store)
	s.store = j
}
