package sqlstore

// SetMaxCountedTotal lowers the bound of counted totals, for
// storetest.CountBound.
func (db *DB) SetMaxCountedTotal(n int) { db.maxCountedTotal = n }

// SetSkipDaysFrom lowers the offset from which the customer lists of
// authorizations start at the offset's day, for storetest.DaySkip.
func (db *DB) SetSkipDaysFrom(n int) { db.skipDaysFrom = n }

// GroupWaiting returns the writers queueing for the group's writer.
func (db *DB) GroupWaiting() int { return int(db.group.waiting.Load()) }

// GroupCommits returns the group transactions ended so far.
func (db *DB) GroupCommits() int64 { return db.group.commits.Load() }
