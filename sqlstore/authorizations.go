package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/casebook/casebook"
)

const authorizationColumns = `a.id, a.account_id, a.case_id, a.status, a.resource_type_id, a.visit_type_id,
	a.content_type_id, a.request_describe, a.content_of_auth_letter, a.engineer_id, a.engineer_name,
	a.handler_id, a.handler_name, a.agency_id, a.agency_name, a.reject_reason, a.effective_at, a.expire_at,
	a.created_at, a.updated_at, a.case_description, a.case_creator_id, a.case_creator_name`

// authorizationFrom needs no join: what the Authorization shows of its
// ticket is copied into its row when it is created (migration 0017 on
// SQLite, 0016 on PostgreSQL).
const authorizationFrom = ` FROM authorizations a`

// CreateAuthorization inserts the authorization and its details, setting
// each detail's ID and AuthorizationID. The ticket must be of the account.
func (tx *Tx) CreateAuthorization(ctx context.Context, a *casebook.Authorization) error {
	// The ticket's creator and deleted flag are copied into the row so
	// that lists are filtered by visibility from one index; its
	// description and creator's name (which never change) so that reads
	// need no join.
	var status int
	err := tx.queryRow(ctx, `SELECT creator_id, creator_name, simple_description, status FROM cases
		WHERE id = ? AND account_id = ?`, a.CaseID, a.AccountID).
		Scan(&a.CaseCreatorID, &a.CaseCreatorName, &a.CaseDescription, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return casebook.NotFoundf("Case not found.").WithReason(casebook.ReasonCaseNotFound)
	} else if err != nil {
		return tx.wrap("find case of authorization", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO authorizations (id, account_id, case_id, case_creator_id, case_deleted, status,
		resource_type_id, visit_type_id, content_type_id, request_describe, content_of_auth_letter, engineer_id,
		engineer_name, handler_id, handler_name, agency_id, agency_name, reject_reason, effective_at, expire_at,
		created_at, updated_at, case_description, case_creator_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.AccountID, a.CaseID, a.CaseCreatorID, status == casebook.CaseStatusDeleted, a.Status,
		a.ResourceTypeID, a.VisitTypeID, a.ContentTypeID, a.Describe, a.ContentOfAuthLetter, a.EngineerID,
		a.EngineerName, a.HandlerID, a.HandlerName, a.AgencyID, a.AgencyName, a.RejectReason,
		tx.nullTime(a.EffectiveAt), tx.nullTime(a.ExpireAt), tx.time(a.CreatedAt), tx.time(a.UpdatedAt),
		a.CaseDescription, a.CaseCreatorName)
	if err != nil {
		return tx.wrap("insert authorization", err)
	}
	for i := range a.Details {
		d := &a.Details[i]
		err := tx.queryRow(ctx, `INSERT INTO authorization_details (account_id, authorization_id, detail_type,
			instance_id, instance_name, region_id, port, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			a.AccountID, a.ID, d.Type, d.InstanceID, d.InstanceName, d.RegionID, d.Port, d.Account).
			Scan(&d.ID)
		if err != nil {
			return tx.wrap("insert authorization detail", err)
		}
		d.AuthorizationID = a.ID
	}
	return nil
}

// FindAuthorization returns the authorization if its ticket is inside
// scope (and not deleted); inside Write the row stays locked until commit.
func (tx *Tx) FindAuthorization(ctx context.Context, scope casebook.Scope, id string) (*casebook.Authorization, error) {
	cond, args := scopeCond("a.account_id", "a.case_creator_id", scope)
	args = append([]any{id, false}, args...)
	return tx.findAuthorization(ctx, `a.id = ? AND a.case_deleted = ? AND `+cond, args...)
}

// FindAuthorizationByID returns the authorization, whatever its account;
// inside Write the row stays locked until commit.
func (tx *Tx) FindAuthorizationByID(ctx context.Context, id string) (*casebook.Authorization, error) {
	return tx.findAuthorization(ctx, `a.id = ?`, id)
}

// findAuthorization reads one authorization and its details in one
// statement, the details as one JSON column (items_json.go: a row per
// detail repeating the authorization's columns cost more; a second query
// for the details cost a sixth of ShowAuthorizationDetail's CPU;
// docs/benchmarks.md, findings 7 and 21). Lists keep fillDetails.
func (tx *Tx) findAuthorization(ctx context.Context, cond string, args ...any) (*casebook.Authorization, error) {
	var a *casebook.Authorization
	var items sql.NullString
	// The items: a JSON array of arrays of itemColumns, NULL for none.
	itemsColumn := `(SELECT ` + tx.d.JSONArrayAgg + `(` + tx.d.JSONArray + `(` + itemColumns + `))
		FROM authorization_details d WHERE d.authorization_id = a.id)`
	fields := authorizationColumns
	if tx.d.RowAsJSON {
		fields = tx.d.JSONArray + `(` + authorizationColumns + `)`
	}
	row := tx.queryRow(ctx, `SELECT `+fields+`, `+itemsColumn+authorizationFrom+`
		WHERE `+cond+tx.forUpdate("a"), args...)
	var err error
	if tx.d.RowAsJSON {
		var fieldsJSON string
		if err = row.Scan(&fieldsJSON, &items); err == nil {
			a, err = decodeAuthorization(fieldsJSON)
		}
	} else {
		a = new(casebook.Authorization)
		err = row.Scan(&a.ID, &a.AccountID, &a.CaseID, &a.Status, &a.ResourceTypeID,
			&a.VisitTypeID, &a.ContentTypeID, &a.Describe, &a.ContentOfAuthLetter, &a.EngineerID, &a.EngineerName,
			&a.HandlerID, &a.HandlerName, &a.AgencyID, &a.AgencyName, &a.RejectReason,
			nullTimeCol{&a.EffectiveAt}, nullTimeCol{&a.ExpireAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt},
			&a.CaseDescription, &a.CaseCreatorID, &a.CaseCreatorName, &items)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Authorization")
	} else if err != nil {
		return nil, tx.wrap("find authorization", err)
	}
	if items.Valid {
		if a.Details, err = decodeItems(items.String, a.ID); err != nil {
			return nil, tx.wrap("find authorization "+a.ID, err)
		}
	}
	return a, nil
}

// FindAuthorizations returns one page, newest first, with details, and the
// total. A Status filter matches the effective status at f.Now: a grant
// whose window has ended counts as expired.
func (tx *Tx) FindAuthorizations(ctx context.Context, f casebook.AuthorizationFilter) ([]*casebook.Authorization, int, error) {
	var conds []string
	var args []any
	// Tickets that the description or creator filters select; scoped to
	// the account unless an engineer looks across accounts.
	casesOf := func(cond string, arg any) {
		if f.AllAccounts {
			conds = append(conds, `a.case_id IN (SELECT c.id FROM cases c WHERE `+cond+`)`)
			args = append(args, arg)
			return
		}
		conds = append(conds, `a.case_id IN (SELECT c.id FROM cases c WHERE c.account_id = ? AND `+cond+`)`)
		args = append(args, f.Scope.AccountID, arg)
	}
	if !f.AllAccounts {
		cond, scopeArgs := scopeCond("a.account_id", "a.case_creator_id", f.Scope)
		conds = append(conds, cond, "a.case_deleted = ?")
		args = append(append(args, scopeArgs...), false)
	}
	if f.EngineerID != "" {
		conds, args = append(conds, "a.engineer_id = ?"), append(args, f.EngineerID)
	}
	if f.CaseID != "" {
		conds, args = append(conds, "a.case_id = ?"), append(args, f.CaseID)
		if f.AllAccounts {
			// The ticket's account, so that authorizations_case (which
			// leads with account_id) serves an engineer's list too.
			conds, args = append(conds, "a.account_id = (SELECT c.account_id FROM cases c WHERE c.id = ?)"), append(args, f.CaseID)
		}
	}
	if f.Status != nil {
		now := tx.time(f.Now)
		switch *f.Status {
		case casebook.AuthStatusAuthorized:
			conds = append(conds, "a.status = ? AND (a.expire_at IS NULL OR a.expire_at > ?)")
			args = append(args, casebook.AuthStatusAuthorized, now)
		case casebook.AuthStatusExpired:
			conds = append(conds, "(a.status = ? OR (a.status = ? AND a.expire_at <= ?))")
			args = append(args, casebook.AuthStatusExpired, casebook.AuthStatusAuthorized, now)
		default:
			conds, args = append(conds, "a.status = ?"), append(args, *f.Status)
		}
	}
	if f.CreatorName != "" {
		casesOf("c.creator_name = ?", f.CreatorName)
	}
	if f.DescriptionSearch != "" {
		casesOf(tx.like("c.simple_description"), tx.likeArg(f.DescriptionSearch))
	}

	// One statement reads the page: the subquery walks the index range and
	// skips the offset, and only the page's rows are joined with their
	// tickets (reading the page's ids, then its rows by id, took a third
	// more). A shallow page takes its rows' columns in the subquery; a deep
	// one selects only ids there, since past a few hundred skipped rows
	// taking the columns cost more than reading the page's rows by id
	// again (docs/benchmarks.md, finding 14).
	page := func(conds []string, args []any, offset int) ([]*casebook.Authorization, error) {
		from := `(SELECT * FROM authorizations a` + where(conds) + ` ORDER BY ` + authorizationOrder + ` LIMIT ? OFFSET ?) a`
		if offset >= deepPageOffset {
			from = `(SELECT a.id FROM authorizations a` + where(conds) + ` ORDER BY ` + authorizationOrder + ` LIMIT ? OFFSET ?) p
				JOIN authorizations a ON a.id = p.id`
		}
		// Sorted here, not by an ORDER BY that would sort the joined rows
		// in a temporary B-tree.
		as, err := tx.scanAuthorizations(ctx, `SELECT `+authorizationColumns+` FROM `+from,
			append(slices.Clone(args), pageLimit(f.Limit), int64(max(offset, 0)))...)
		slices.SortFunc(as, func(x, y *casebook.Authorization) int {
			return cmp.Or(y.CreatedAt.Compare(x.CreatedAt), cmp.Compare(y.ID, x.ID)) // authorizationOrder
		})
		return as, err
	}
	var as []*casebook.Authorization
	var total int
	var err error
	if scopeOnly(f) {
		var offset int
		total, conds, args, offset, err = tx.visibleAuthorizations(ctx, f.Scope, conds, args, f.Offset)
		if err != nil || offset >= total {
			return nil, total, err
		}
		as, err = page(conds, args, offset)
	} else {
		if as, err = page(conds, args, f.Offset); err == nil {
			total, err = tx.pageTotal(ctx, "count authorizations", "authorizations a", conds, args, f.Offset, f.Limit, len(as))
		}
	}
	if err != nil || len(as) == 0 {
		return nil, total, err
	}
	if f.WithDetails {
		if err := tx.fillDetails(ctx, as); err != nil {
			return nil, 0, err
		}
	}
	return as, total, nil
}

// scopeOnly reports whether f is a customer's list without filters: the
// list the live counts describe.
func scopeOnly(f casebook.AuthorizationFilter) bool {
	return !f.AllAccounts && f.EngineerID == "" && f.CaseID == "" && f.Status == nil && f.CreatorName == "" && f.DescriptionSearch == ""
}

// authorizationOrder is the order of the lists of authorizations, newest
// first.
const authorizationOrder = "a.created_at DESC, a.id DESC"

// deepPageOffset is the offset from which a page of authorizations selects
// only ids in its index walk (see FindAuthorizations).
const deepPageOffset = 100

// skipDaysFrom is the offset from which pageVisibleAuthorizations starts
// at the day of the offset's row: below it, skipping index entries costs
// less than reading the counts of the days.
const skipDaysFrom = 1000

const millisPerDay = 24 * 60 * 60 * 1000

// visibleAuthorizations returns the exact total of the authorizations
// visible in scope (conds and args select them), at a cost that does not
// grow with the rows (the sum of the live per-creator counts of
// authorization_counts), and where a page from offset starts: a deep
// offset skips whole days (authorization_day_counts) before it skips rows,
// by a condition added to conds and a smaller offset.
func (tx *Tx) visibleAuthorizations(ctx context.Context, scope casebook.Scope, conds []string, args []any, offset int) (int, []string, []any, int, error) {
	offset = max(offset, 0)
	cond, scopeArgs := scopeCond("n.account_id", "n.case_creator_id", scope)
	total, err := tx.count(ctx, "count authorizations",
		`SELECT CAST(COALESCE(SUM(n.n), 0) AS BIGINT) FROM authorization_counts n WHERE `+cond, scopeArgs...)
	if err != nil || offset >= total || offset < tx.skipDaysFrom {
		return total, conds, args, offset, err
	}
	end, newer, err := tx.dayOfOffset(ctx, scope, offset)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	if newer > 0 {
		conds = append(slices.Clip(conds), "a.created_at < ?")
		args = append(slices.Clip(args), tx.time(end))
		offset -= newer
	}
	return total, conds, args, offset, nil
}

// dayOfOffset finds the UTC day of the row at offset in the list of the
// authorizations visible in scope, newest first. It returns the end of
// that day and how many rows of the list are newer than the day; none if
// the counts hold fewer rows than offset.
func (tx *Tx) dayOfOffset(ctx context.Context, scope casebook.Scope, offset int) (time.Time, int, error) {
	cond, args := scopeCond("d.account_id", "d.case_creator_id", scope)
	rows, err := tx.query(ctx, `SELECT d.day, CAST(SUM(d.n) AS BIGINT) FROM authorization_day_counts d WHERE `+cond+`
		GROUP BY d.day ORDER BY d.day DESC`, args...)
	if err != nil {
		return time.Time{}, 0, tx.wrap("count authorizations by day", err)
	}
	defer rows.Close()
	newer := 0
	for rows.Next() {
		var day int64
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return time.Time{}, 0, tx.wrap("count authorizations by day", err)
		}
		if newer+n > offset {
			return time.UnixMilli((day + 1) * millisPerDay), newer, nil
		}
		newer += n
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, 0, tx.wrap("count authorizations by day", err)
	}
	return time.Time{}, 0, nil
}

// UpdateAuthorization saves Status, HandlerID, HandlerName, AgencyID,
// AgencyName, RejectReason, EffectiveAt, ExpireAt and UpdatedAt of an
// authorization stored with status from (else ENOTFOUND, nothing changed).
func (tx *Tx) UpdateAuthorization(ctx context.Context, a *casebook.Authorization, from int) error {
	res, err := tx.exec(ctx, `UPDATE authorizations SET status = ?, handler_id = ?, handler_name = ?, agency_id = ?,
		agency_name = ?, reject_reason = ?, effective_at = ?, expire_at = ?, updated_at = ?
		WHERE id = ? AND account_id = ? AND status = ?`,
		a.Status, a.HandlerID, a.HandlerName, a.AgencyID, a.AgencyName, a.RejectReason,
		tx.nullTime(a.EffectiveAt), tx.nullTime(a.ExpireAt), tx.time(a.UpdatedAt), a.ID, a.AccountID, from)
	return tx.affected("update authorization", "Authorization", res, err)
}

// UpdateAuthDetail saves the port and account of one detail.
func (tx *Tx) UpdateAuthDetail(ctx context.Context, d casebook.AuthDetail) error {
	res, err := tx.exec(ctx, `UPDATE authorization_details SET port = ?, account = ?
		WHERE id = ? AND authorization_id = ?`, d.Port, d.Account, d.ID, d.AuthorizationID)
	return tx.affected("update authorization detail", "Authorization detail", res, err)
}

// FindDueAuthorizations returns up to limit grants stored as authorized
// whose window ended at or before now, soonest first. Inside Write they are
// locked, and rows another writer holds are skipped.
func (tx *Tx) FindDueAuthorizations(ctx context.Context, now time.Time, limit int) ([]*casebook.Authorization, error) {
	lock := ""
	if tx.write && tx.d.RowLocks {
		lock = " FOR UPDATE OF a SKIP LOCKED"
	}
	// The status is written literally: it selects the partial index of
	// authorized rows.
	return tx.queryAuthorizations(ctx, `SELECT `+authorizationColumns+authorizationFrom+`
		WHERE a.status = `+strconv.Itoa(casebook.AuthStatusAuthorized)+` AND a.expire_at <= ?
		ORDER BY a.expire_at, a.id LIMIT ?`+lock,
		tx.time(now), tx.limit(limit))
}

// FindOpenAuthorizationsOfCase returns the pending and authorized
// requests of a ticket, oldest first; inside Write they are locked.
func (tx *Tx) FindOpenAuthorizationsOfCase(ctx context.Context, accountID, caseID string) ([]*casebook.Authorization, error) {
	return tx.queryAuthorizations(ctx, `SELECT `+authorizationColumns+authorizationFrom+`
		WHERE a.account_id = ? AND a.case_id = ? AND a.status IN (?, ?) ORDER BY a.created_at, a.id`+tx.forUpdate("a"),
		accountID, caseID, casebook.AuthStatusPending, casebook.AuthStatusAuthorized)
}

// queryAuthorizations runs a query selecting authorizationColumns and
// fills in the details.
func (tx *Tx) queryAuthorizations(ctx context.Context, query string, args ...any) ([]*casebook.Authorization, error) {
	as, err := tx.scanAuthorizations(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if err := tx.fillDetails(ctx, as); err != nil {
		return nil, err
	}
	return as, nil
}

// scanAuthorizations runs a query selecting authorizationColumns, without
// the details.
func (tx *Tx) scanAuthorizations(ctx context.Context, query string, args ...any) ([]*casebook.Authorization, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, tx.wrap("find authorizations", err)
	}
	defer rows.Close()
	var as []*casebook.Authorization
	for rows.Next() {
		var a casebook.Authorization
		if err := rows.Scan(&a.ID, &a.AccountID, &a.CaseID, &a.Status, &a.ResourceTypeID, &a.VisitTypeID,
			&a.ContentTypeID, &a.Describe, &a.ContentOfAuthLetter, &a.EngineerID, &a.EngineerName,
			&a.HandlerID, &a.HandlerName, &a.AgencyID, &a.AgencyName, &a.RejectReason,
			nullTimeCol{&a.EffectiveAt}, nullTimeCol{&a.ExpireAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt},
			&a.CaseDescription, &a.CaseCreatorID, &a.CaseCreatorName); err != nil {
			return nil, tx.wrap("scan authorization", err)
		}
		as = append(as, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.wrap("find authorizations", err)
	}
	return as, nil
}

// fillDetails loads the details of the authorizations, each's in id
// order. They are sorted here, per authorization: an ORDER BY id made
// SQLite sort all the rows in a temporary B-tree, for a fifth of the
// query's cost.
func (tx *Tx) fillDetails(ctx context.Context, as []*casebook.Authorization) error {
	if len(as) == 0 {
		return nil
	}
	byID := make(map[string]*casebook.Authorization, len(as))
	ids := make([]any, 0, len(as))
	for _, a := range as {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	rows, err := tx.query(ctx, `SELECT d.authorization_id, `+itemColumns+`
		FROM authorization_details d WHERE d.authorization_id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return tx.wrap("find authorization details", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d casebook.AuthDetail
		if err := rows.Scan(&d.AuthorizationID, &d.ID, &d.Type, &d.InstanceID, &d.InstanceName, &d.RegionID,
			&d.Port, &d.Account, &d.HasCredential); err != nil {
			return tx.wrap("scan authorization detail", err)
		}
		if a := byID[d.AuthorizationID]; a != nil {
			a.Details = append(a.Details, d)
		}
	}
	if err := rows.Err(); err != nil {
		return tx.wrap("find authorization details", err)
	}
	for _, a := range as {
		slices.SortFunc(a.Details, func(x, y casebook.AuthDetail) int { return cmp.Compare(x.ID, y.ID) })
	}
	return nil
}
