package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/casebook/casebook"
)

const accessoryColumns = `a.id, a.account_id, a.uploader_id, a.file_name, a.content_type, a.size, a.sha256,
	a.blob_key, a.upload_from, a.upload_type, a.case_id, a.message_id, a.created_at`

// CreateAccessory inserts an uploaded attachment and records the upload in
// the log that SumUploadSize sums, which deleting the attachment leaves
// alone.
func (tx *Tx) CreateAccessory(ctx context.Context, a *casebook.Accessory) error {
	_, err := tx.exec(ctx, `INSERT INTO accessories (id, account_id, uploader_id, file_name, content_type, size,
		sha256, blob_key, upload_from, upload_type, case_id, message_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.AccountID, a.UploaderID, a.FileName, a.ContentType, a.Size, a.SHA256, a.BlobKey, a.From,
		a.UploadType, nullString(a.CaseID), nullString(a.MessageID), tx.time(a.CreatedAt))
	if err != nil {
		return tx.wrap("insert accessory", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO uploads (accessory_id, account_id, uploader_id, size, created_at)
		VALUES (?, ?, ?, ?, ?)`, a.ID, a.AccountID, a.UploaderID, a.Size, tx.time(a.CreatedAt))
	return tx.wrap("log upload", err)
}

// FindAccessoryByID returns the attachment, whatever its account, or
// ENOTFOUND.
func (tx *Tx) FindAccessoryByID(ctx context.Context, id string) (*casebook.Accessory, error) {
	a, err := scanAccessory(tx.queryRow(ctx, `SELECT `+accessoryColumns+` FROM accessories a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Accessory")
	}
	return a, tx.wrap("find accessory", err)
}

// FindAccessories returns the attachments of ids that scope may see, in
// the order of ids: unattached ones of the uploader (any uploader of the
// account for scope.All) and attached ones whose ticket is visible.
func (tx *Tx) FindAccessories(ctx context.Context, scope casebook.Scope, ids []string) ([]*casebook.Accessory, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	uploader, uploaderArgs := "a.uploader_id = ?", []any{scope.UserID}
	if scope.All {
		uploader, uploaderArgs = "a.account_id = ?", []any{scope.AccountID}
	}
	ticket, ticketArgs := scopeCond("c.account_id", "c.creator_id", scope)
	args := []any{scope.AccountID}
	args = append(args, anyArgs(ids)...)
	args = append(args, uploaderArgs...)
	args = append(args, casebook.CaseStatusDeleted)
	args = append(args, ticketArgs...)
	rows, err := tx.query(ctx, `SELECT `+accessoryColumns+` FROM accessories a LEFT JOIN cases c ON c.id = a.case_id
		WHERE a.account_id = ? AND a.id IN (`+placeholders(len(ids))+`)
		  AND ((a.case_id IS NULL AND `+uploader+`) OR (c.status <> ? AND `+ticket+`))`, args...)
	if err != nil {
		return nil, tx.wrap("find accessories", err)
	}
	defer rows.Close()
	byID := make(map[string]*casebook.Accessory)
	for rows.Next() {
		a, err := scanAccessory(rows)
		if err != nil {
			return nil, tx.wrap("scan accessory", err)
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, tx.wrap("find accessories", err)
	}
	var accessories []*casebook.Accessory
	for _, id := range ids {
		if a := byID[id]; a != nil {
			accessories = append(accessories, a)
			delete(byID, id) // a repeated id is returned once
		}
	}
	return accessories, nil
}

// AttachAccessories sets the ticket (and message, possibly empty) of the
// attachments; ENOTFOUND if one of them is not of the account.
func (tx *Tx) AttachAccessories(ctx context.Context, accountID string, ids []string, caseID, messageID string) error {
	ids = unique(ids)
	if len(ids) == 0 {
		return nil
	}
	args := []any{nullString(caseID), nullString(messageID), accountID}
	args = append(args, anyArgs(ids)...)
	res, err := tx.exec(ctx, `UPDATE accessories SET case_id = ?, message_id = ?
		WHERE account_id = ? AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return tx.wrap("attach accessories", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.wrap("attach accessories", err)
	} else if n != int64(len(ids)) {
		return notFound("Accessory")
	}
	return nil
}

// DeleteAccessory removes the attachment's row.
func (tx *Tx) DeleteAccessory(ctx context.Context, accountID, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM accessories WHERE account_id = ? AND id = ?`, accountID, id)
	return tx.affected("delete accessory", "Accessory", res, err)
}

// SumUploadSize returns the bytes uploaded by uploaderID since the time,
// from the upload log: deleted attachments still count.
func (tx *Tx) SumUploadSize(ctx context.Context, uploaderID string, since time.Time) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM uploads
		WHERE uploader_id = ? AND created_at >= ?`, uploaderID, tx.time(since)).Scan(&n)
	return n, tx.wrap("sum upload size", err)
}

// LockUploader makes the writers that call it for the same uploader wait
// for each other until commit, where the dialect has such locks; SQLite
// serialises all writers already.
func (tx *Tx) LockUploader(ctx context.Context, uploaderID string) error {
	if !tx.write || tx.d.LockKey == "" {
		return nil
	}
	_, err := tx.exec(ctx, tx.d.LockKey, "casebook.upload."+uploaderID)
	return tx.wrap("lock uploader", err)
}

func scanAccessory(s scanner) (*casebook.Accessory, error) {
	var a casebook.Accessory
	if err := s.Scan(&a.ID, &a.AccountID, &a.UploaderID, &a.FileName, &a.ContentType, &a.Size, &a.SHA256,
		&a.BlobKey, &a.From, &a.UploadType, nullStringCol{&a.CaseID}, nullStringCol{&a.MessageID},
		timeCol{&a.CreatedAt}); err != nil {
		return nil, err
	}
	return &a, nil
}

// unique returns ss without repetitions, in order.
func unique(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
