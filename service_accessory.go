package casebook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment sources (UploadInput.From).
const (
	AccessoryFromIncident = "incident" // uploaded for a new ticket
	AccessoryFromMessage  = "message"  // uploaded for a message
)

// validateUpload checks the description of an upload against the limits.
func (s *Service) validateUpload(in UploadInput) error {
	if in.FileName == "" {
		return Invalidf("file_name", "The file name must not be empty.")
	} else if !utf8.ValidString(in.FileName) || utf8.RuneCountInString(in.FileName) > MaxAccessoryNameLength {
		return Invalidf("file_name", "The file name must be 1 to %d characters.", MaxAccessoryNameLength)
	} else if strings.ContainsAny(in.FileName, `/\`) || strings.ContainsFunc(in.FileName, unicode.IsControl) {
		return Invalidf("file_name", "The file name must not contain path separators or control characters.")
	}
	ext := ""
	if i := strings.LastIndexByte(in.FileName, '.'); i >= 0 {
		ext = strings.ToLower(in.FileName[i+1:])
	}
	allowed := false
	for _, t := range s.Config.AccessoryTypes {
		if ext != "" && strings.EqualFold(t, ext) {
			allowed = true
			break
		}
	}
	if !allowed {
		return Invalidf("file_name", "Files of this type cannot be uploaded; allowed types: %s.", strings.Join(s.Config.AccessoryTypes, ","))
	}

	if in.From != AccessoryFromIncident && in.From != AccessoryFromMessage {
		return Invalidf("accessory_from", "The attachment source must be %q or %q.", AccessoryFromIncident, AccessoryFromMessage)
	} else if in.UploadType != 0 && in.UploadType != 1 {
		return Invalidf("upload_type", "The upload type must be 0 or 1.")
	} else if in.Size > s.Config.AccessoryMaxSize {
		return errAccessoryTooLarge(s.Config.AccessoryMaxSize)
	}
	return nil
}

func errAccessoryTooLarge(max int64) *Error {
	return Invalidf("file", "The file is larger than the limit of %d bytes.", max)
}

// startOfUTCDay returns midnight UTC of the day t is in: the daily upload
// quota starts afresh then.
func startOfUTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkUploadQuota fails with ELIMIT (ReasonUploadQuota) if size more bytes
// would take the uploader past today's quota.
func (s *Service) checkUploadQuota(ctx context.Context, tx Tx, uploaderID string, now time.Time, size int64) error {
	used, err := tx.SumUploadSize(ctx, uploaderID, startOfUTCDay(now))
	if err != nil {
		return fmt.Errorf("sum upload size: %w", err)
	}
	if used+size > s.Config.DailyUploadBytes {
		return Errorf(ELIMIT, "Uploaded accessory size exceeded limit today.").WithReason(ReasonUploadQuota)
	}
	return nil
}

// uploadReader counts and hashes what passes through it, and fails once
// more than limit bytes arrive, so that an oversized upload is cut off
// while streaming instead of after it has been stored.
type uploadReader struct {
	r     io.Reader
	limit int64
	n     int64
	hash  hash.Hash
	err   error // sticky: the first error returned
	eof   bool  // the reader has returned io.EOF
}

func (u *uploadReader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	if u.n+int64(n) > u.limit {
		// Pass nothing of the read that crossed the limit.
		u.err = errAccessoryTooLarge(u.limit)
		return 0, u.err
	}
	u.n += int64(n)
	u.hash.Write(p[:n])
	if err == io.EOF {
		u.eof = true
	} else if err != nil {
		u.err = err
	}
	return n, err
}

// UploadAccessory stores an attachment, unattached, for the caller to name
// in a new ticket or message. The content is streamed to the blob store
// (never held in memory) and the row is inserted only once the object is
// stored; on any failure neither is left behind.
func (s *Service) UploadAccessory(ctx context.Context, p *Principal, in UploadInput, r io.Reader) (*Accessory, error) {
	if _, err := s.ScopeFor(ctx, p, ""); err != nil {
		return nil, err
	}
	if err := s.validateUpload(in); err != nil {
		return nil, err
	}
	now := s.nowMS()
	err := s.store.Read(ctx, func(tx Tx) error {
		return s.checkUploadQuota(ctx, tx, p.UserID, now, max(in.Size, 0))
	})
	if err != nil {
		return nil, err
	}

	contentType := in.ContentType
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	a := &Accessory{
		ID:          NewAccessoryID(),
		AccountID:   p.AccountID,
		UploaderID:  p.UserID,
		FileName:    in.FileName,
		ContentType: contentType,
		From:        in.From,
		UploadType:  in.UploadType,
		CreatedAt:   now,
	}
	a.BlobKey = "acc/" + a.AccountID + "/" + a.ID

	body := &uploadReader{r: r, limit: s.Config.AccessoryMaxSize, hash: sha256.New()}
	if err := s.Blobs.Put(ctx, a.BlobKey, body, in.Size, contentType); err != nil {
		s.deleteAccessoryBlob(ctx, a.BlobKey)
		var e *Error
		if errors.As(body.err, &e) {
			return nil, e // too large, cut off or too slow: the caller's doing
		}
		if body.eof && in.Size >= 0 && body.n != in.Size {
			return nil, Invalidf("file", "The file has %d bytes, not the %d announced.", body.n, in.Size)
		}
		if body.err != nil || ctx.Err() != nil {
			return nil, fmt.Errorf("store attachment: %w", err) // the reader failed or the caller went away
		}
		// The store failed, not the upload: the client may retry later.
		// The cause is for the operator only.
		if s.Logger != nil {
			s.Logger.Error("store attachment: the attachment store failed", "key", a.BlobKey, "err", err)
		}
		return nil, Errorf(EUNAVAILABLE, "The attachment store is unavailable; try again later.")
	}
	a.Size = body.n
	a.SHA256 = hex.EncodeToString(body.hash.Sum(nil))
	if in.Size >= 0 && a.Size != in.Size {
		s.deleteAccessoryBlob(ctx, a.BlobKey)
		return nil, Invalidf("file", "The file has %d bytes, not the %d announced.", a.Size, in.Size)
	}

	err = s.store.Write(ctx, func(tx Tx) error {
		// Again, now that the size is known; concurrent uploads may
		// have used the quota meanwhile. The lock makes those of the
		// same user take turns from here to commit, so two of them
		// cannot both pass the check.
		if err := tx.LockUploader(ctx, p.UserID); err != nil {
			return fmt.Errorf("lock uploader: %w", err)
		}
		if err := s.checkUploadQuota(ctx, tx, p.UserID, now, a.Size); err != nil {
			return err
		}
		if err := tx.CreateAccessory(ctx, a); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		return nil
	})
	if err != nil {
		s.deleteAccessoryBlob(ctx, a.BlobKey)
		return nil, err
	}
	return a, nil
}

// deleteAccessoryBlob removes an object that no row refers to (any longer). It runs
// even when ctx is cancelled, since a cancelled upload is a common reason
// for cleaning up; a failure leaves an unreferenced object and is logged.
func (s *Service) deleteAccessoryBlob(ctx context.Context, key string) {
	if err := s.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil && s.Logger != nil {
		s.Logger.Error("delete unreferenced attachment object", "key", key, "err", err)
	}
}

// dedupeAccessoryIDs returns ids without repetitions, in their first order.
func dedupeAccessoryIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// VisibleAccessories returns the attachments of ids the caller may see, in
// the order of ids, skipping the others silently: unattached ones they
// uploaded (any of the account's for the master user), and attached ones
// whose ticket they may see with groupID.
func (s *Service) VisibleAccessories(ctx context.Context, p *Principal, groupID string, ids []string) ([]*Accessory, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	ids = dedupeAccessoryIDs(ids)
	var found []*Accessory
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		if found, err = tx.FindAccessories(ctx, scope, ids); err != nil {
			return fmt.Errorf("find attachments: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// OpenAccessories is VisibleAccessories for callers that need all of ids:
// it fails with ENOTFOUND if any of them is not visible.
func (s *Service) OpenAccessories(ctx context.Context, p *Principal, groupID string, ids []string) ([]*Accessory, error) {
	found, err := s.VisibleAccessories(ctx, p, groupID, ids)
	if err != nil {
		return nil, err
	}
	visible := make(map[string]bool, len(found))
	for _, a := range found {
		visible[a.ID] = true
	}
	for _, id := range ids {
		if !visible[id] {
			return nil, NotFoundf("Attachment %q not found.", id)
		}
	}
	return found, nil
}

// AccessoryByID returns an attachment without a visibility check, for
// signed download links, where the valid link is the proof of access.
func (s *Service) AccessoryByID(ctx context.Context, id string) (*Accessory, error) {
	var a *Accessory
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.FindAccessoryByID(ctx, id); err != nil {
			return fmt.Errorf("find attachment: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// OpenBlob returns the content of an attachment the caller has already
// been allowed to see.
func (s *Service) OpenBlob(ctx context.Context, a *Accessory) (io.ReadCloser, error) {
	rc, err := s.Blobs.Get(ctx, a.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("open attachment %s: %w", a.ID, err)
	}
	return rc, nil
}

// DeleteAccessory deletes an attachment that is not attached yet, with its
// content. Sub-users may delete their own uploads, the master user any of
// the account's. An attached attachment the caller can see is ECONFLICT;
// one they cannot see is ENOTFOUND.
func (s *Service) DeleteAccessory(ctx context.Context, p *Principal, id string) error {
	scope, err := s.ScopeFor(ctx, p, "")
	if err != nil {
		return err
	}
	var blobKey string
	err = s.store.Write(ctx, func(tx Tx) error {
		found, err := tx.FindAccessories(ctx, scope, []string{id})
		if err != nil {
			return fmt.Errorf("find attachment: %w", err)
		}
		if len(found) != 1 || found[0].AccountID != p.AccountID {
			return NotFoundf("Attachment %q not found.", id)
		}
		a := found[0]
		if a.CaseID != "" {
			return Errorf(ECONFLICT, "Attachment %q is attached to ticket %s and cannot be deleted.", id, a.CaseID)
		} else if !p.IsMaster && a.UploaderID != p.UserID {
			return NotFoundf("Attachment %q not found.", id)
		}
		if err := tx.DeleteAccessory(ctx, p.AccountID, a.ID); err != nil {
			return fmt.Errorf("delete attachment: %w", err)
		}
		blobKey = a.BlobKey
		return nil
	})
	if err != nil {
		return err
	}
	// The row is gone; the object goes after the commit, so a failed
	// commit never leaves a row without its content.
	s.deleteAccessoryBlob(ctx, blobKey)
	return nil
}
