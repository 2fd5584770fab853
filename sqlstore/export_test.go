package sqlstore

// SetMaxCountedTotal lowers the bound of counted totals, for
// storetest.CountBound.
func (db *DB) SetMaxCountedTotal(n int) { db.maxCountedTotal = n }

// SetSkipDaysFrom lowers the offset from which the customer lists of
// authorizations start at the offset's day, for storetest.DaySkip.
func (db *DB) SetSkipDaysFrom(n int) { db.skipDaysFrom = n }
