package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/casebook/casebook"
)

// Bulk is a set of rows to load in one transaction by BulkInsert: the
// synthetic datasets of the load benchmark, millions of rows in minutes.
// It bypasses the Service, so the caller must produce rows the Service
// could have produced: ids from casebook.New*ID, creators that are users
// of the account, authorizations on tickets of the account, and so on.
type Bulk struct {
	Accounts       []*casebook.Account
	Users          []*casebook.User
	Groups         []*casebook.Group
	Members        []BulkMember
	Engineers      []*casebook.Engineer
	Cases          []*casebook.Case
	Messages       []*casebook.Message
	Authorizations []BulkAuthorization
}

// BulkMember puts a user into a group of the same account.
type BulkMember struct {
	AccountID string
	GroupID   string
	UserID    string
}

// BulkAuthorization is an authorization with its details and the two
// copies of its ticket that the lists filter on: CaseCreatorID (the field
// of the Authorization) and whether the ticket is deleted. Detail ids are
// assigned by the database and not read back.
type BulkAuthorization struct {
	*casebook.Authorization
	CaseDeleted bool
}

// Rows returns the number of rows b inserts, details included.
func (b *Bulk) Rows() int {
	n := len(b.Accounts) + len(b.Users) + len(b.Groups) + len(b.Members) + len(b.Engineers) +
		len(b.Cases) + len(b.Messages) + len(b.Authorizations)
	for _, a := range b.Authorizations {
		n += len(a.Details)
	}
	return n
}

// maxBulkParams bounds the placeholders of one statement: SQLite allows
// 32766 by default, PostgreSQL 65535.
const maxBulkParams = 32000

// maxBulkRowsPerStatement bounds the rows of one INSERT: beyond a few
// hundred rows the statement gets no faster, only longer to parse.
const maxBulkRowsPerStatement = 500

// BulkInsert inserts every row of b in one transaction of the writer, with
// multi-row INSERT statements prepared once per transaction. Tables are
// written parents first, so the foreign keys hold whether or not the
// engine defers them. The sqlite and postgres packages add what differs
// between the engines: PrepareBulk before a load, FinishBulk after it.
func (db *DB) BulkInsert(ctx context.Context, b *Bulk) error {
	return db.runTx(ctx, db.Writer, &db.writerStmts, nil, true, func(tx *Tx) error {
		w := &bulkWriter{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
		defer w.close()

		for _, a := range b.Accounts {
			w.add(bulkAccounts, a.ID, a.Name, tx.time(a.CreatedAt))
		}
		for _, u := range b.Users {
			w.add(bulkUsers, u.ID, u.AccountID, u.Name, u.PasswordHash, u.IsMaster, u.Enabled, u.Epoch, tx.time(u.CreatedAt))
		}
		for _, g := range b.Groups {
			w.add(bulkGroups, g.ID, g.AccountID, g.Name, tx.time(g.CreatedAt))
		}
		for _, m := range b.Members {
			w.add(bulkMembers, m.AccountID, m.GroupID, m.UserID)
		}
		for _, e := range b.Engineers {
			w.add(bulkEngineers, e.ID, e.Name, e.PasswordHash, e.Enabled, e.Epoch, tx.time(e.CreatedAt))
		}
		for _, c := range b.Cases {
			extends, err := encodeExtends(c.ExtendsMap)
			if err != nil {
				return err
			}
			w.add(bulkCases, c.ID, c.AccountID, c.CreatorID, c.CreatorName, c.BusinessTypeID,
				c.IncidentSubTypeID, c.ProductCategoryID, c.RegionID, c.ProjectID, c.SeverityID, c.SourceID,
				c.SimpleDescription, c.RemindMobile, c.RemindMail, c.RemindTime, c.AreaCode, extends, c.Status,
				c.AssigneeID, c.AssigneeName, c.Judgement, tx.time(c.CreatedAt), tx.time(c.UpdatedAt),
				tx.nullTime(c.ConfirmedAt), tx.nullTime(c.LastUrgedAt))
		}
		for _, m := range b.Messages {
			w.add(bulkMessages, m.ID, m.AccountID, m.CaseID, m.Type, m.AuthorID, m.AuthorName, m.Content, m.IsFirst, tx.time(m.CreatedAt))
		}
		for _, ba := range b.Authorizations {
			a := ba.Authorization
			if a.CaseCreatorID == "" {
				return fmt.Errorf("bulk insert: authorization %s has no CaseCreatorID", a.ID)
			}
			w.add(bulkAuthorizations, a.ID, a.AccountID, a.CaseID, a.CaseCreatorID, ba.CaseDeleted, a.Status,
				a.ResourceTypeID, a.VisitTypeID, a.ContentTypeID, a.Describe, a.ContentOfAuthLetter, a.EngineerID,
				a.EngineerName, a.HandlerID, a.HandlerName, a.AgencyID, a.AgencyName, a.RejectReason,
				tx.nullTime(a.EffectiveAt), tx.nullTime(a.ExpireAt), tx.time(a.CreatedAt), tx.time(a.UpdatedAt),
				a.CaseDescription, a.CaseCreatorName)
		}
		for _, ba := range b.Authorizations {
			a := ba.Authorization
			for _, d := range a.Details {
				w.add(bulkDetails, a.AccountID, a.ID, d.Type, d.InstanceID, d.InstanceName, d.RegionID, d.Port, d.Account)
			}
		}
		return w.flushAll()
	})
}

// bulkTable is a table and the columns BulkInsert writes.
type bulkTable struct {
	name    string
	columns []string
}

var (
	bulkAccounts  = &bulkTable{"accounts", strings.Fields("id name created_at")}
	bulkUsers     = &bulkTable{"users", strings.Fields("id account_id name password_hash is_master enabled epoch created_at")}
	bulkGroups    = &bulkTable{"user_groups", strings.Fields("id account_id name created_at")}
	bulkMembers   = &bulkTable{"group_members", strings.Fields("account_id group_id user_id")}
	bulkEngineers = &bulkTable{"engineers", strings.Fields("id name password_hash enabled epoch created_at")}
	bulkCases     = &bulkTable{"cases", strings.Fields(`id account_id creator_id creator_name business_type_id
		incident_sub_type_id product_category_id region_id project_id severity_id source_id
		simple_description remind_mobile remind_mail remind_time area_code extends_map status
		assignee_id assignee_name judgement created_at updated_at confirmed_at last_urged_at`)}
	bulkMessages       = &bulkTable{"messages", strings.Fields("id account_id case_id message_type author_id author_name content is_first created_at")}
	bulkAuthorizations = &bulkTable{"authorizations", strings.Fields(`id account_id case_id case_creator_id case_deleted status
		resource_type_id visit_type_id content_type_id request_describe content_of_auth_letter engineer_id
		engineer_name handler_id handler_name agency_id agency_name reject_reason effective_at expire_at
		created_at updated_at case_description case_creator_name`)}
	bulkDetails = &bulkTable{"authorization_details", strings.Fields(`account_id authorization_id detail_type
		instance_id instance_name region_id port account`)}
)

// rowsPerStatement is how many rows one INSERT of t carries.
func (t *bulkTable) rowsPerStatement() int {
	return max(1, min(maxBulkRowsPerStatement, maxBulkParams/len(t.columns)))
}

// insertSQL returns the INSERT of n rows into t.
func (t *bulkTable) insertSQL(n int) string {
	var b strings.Builder
	row := "(" + placeholders(len(t.columns)) + ")"
	b.Grow(64 + n*(len(row)+2))
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// bulkWriter buffers the rows of one transaction and sends them in
// statements of rowsPerStatement rows. A table's rows go out before the
// next table's first row is buffered, which keeps parents first.
type bulkWriter struct {
	ctx     context.Context
	tx      *Tx
	stmts   map[string]*sql.Stmt // by table: the full-size INSERT, prepared once
	current *bulkTable
	args    []any
	rows    int
	err     error
}

// add buffers one row of t. The first error sticks: later rows are
// ignored and flushAll returns it.
func (w *bulkWriter) add(t *bulkTable, values ...any) {
	if w.err != nil {
		return
	}
	if len(values) != len(t.columns) {
		w.err = fmt.Errorf("bulk insert into %s: %d values for %d columns", t.name, len(values), len(t.columns))
		return
	}
	if w.current != t {
		if w.err = w.flush(); w.err != nil {
			return
		}
		w.current = t
	}
	w.args = append(w.args, values...)
	w.rows++
	if w.rows == t.rowsPerStatement() {
		w.err = w.flush()
	}
}

// flush sends the buffered rows of the current table: with the prepared
// statement when the buffer is full, else (the last rows of a table) with
// a one-off statement.
func (w *bulkWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	t := w.current
	var err error
	if w.rows == t.rowsPerStatement() {
		stmt, ok := w.stmts[t.name]
		if !ok {
			if stmt, err = w.tx.tx.PrepareContext(w.ctx, w.tx.d.rebind(t.insertSQL(w.rows))); err != nil {
				return w.tx.wrap("prepare bulk insert into "+t.name, err)
			}
			w.stmts[t.name] = stmt
		}
		_, err = stmt.ExecContext(w.ctx, w.args...)
	} else {
		_, err = w.tx.exec(w.ctx, t.insertSQL(w.rows), w.args...)
	}
	if err != nil {
		return w.tx.wrap("bulk insert into "+t.name, err)
	}
	clear(w.args) // let the values go
	w.args = w.args[:0]
	w.rows = 0
	return nil
}

// flushAll sends what is left and reports the first error.
func (w *bulkWriter) flushAll() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

func (w *bulkWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

// BulkTables returns the tables BulkInsert writes, parents first: what an
// engine's FinishBulk brings up to date.
func BulkTables() []string {
	var names []string
	for _, t := range []*bulkTable{bulkAccounts, bulkUsers, bulkGroups, bulkMembers, bulkEngineers, bulkCases, bulkMessages, bulkAuthorizations, bulkDetails} {
		names = append(names, t.name)
	}
	return names
}
