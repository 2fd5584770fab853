package casebook

// TestStore returns the store of s, for tests in package casebook_test that
// arrange or inspect rows no Service method reaches. It exists only in
// test builds.
func (s *Service) TestStore() Store { return s.store }

// TestSetEventsOff stops (or restarts) the writing of outbox events, for
// the benchmark of what writing them costs.
func (s *Service) TestSetEventsOff(off bool) { s.eventsOff = off }
