package casebook_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	iofs "io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob/fs"
)

func uploadInput(name string) casebook.UploadInput {
	return casebook.UploadInput{FileName: name, ContentType: "text/plain", From: "incident", Size: -1}
}

// mustUpload uploads content as p and fails the test on error.
func (tn *tenancy) mustUpload(tb testing.TB, p *casebook.Principal, name, content string) *casebook.Accessory {
	tb.Helper()
	a, err := tn.s.UploadAccessory(context.Background(), p, uploadInput(name), strings.NewReader(content))
	if err != nil {
		tb.Fatalf("upload %s: %v", name, err)
	}
	return a
}

// blobFiles returns the files (including temporary ones) in the blob
// store's directory.
func (tn *tenancy) blobFiles(tb testing.TB) []string {
	tb.Helper()
	var files []string
	root := tn.s.Blobs.(*fs.Store).Dir()
	err := filepath.WalkDir(root, func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// uploadedToday returns the bytes p uploaded in the current UTC day, as the
// store's upload log counts them.
func (tn *tenancy) uploadedToday(tb testing.TB, p *casebook.Principal) int64 {
	tb.Helper()
	now := tn.clock.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var n int64
	err := tn.s.TestStore().Read(context.Background(), func(tx casebook.Tx) error {
		var err error
		n, err = tx.SumUploadSize(context.Background(), p.UserID, day)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// attachToNewCase stores a ticket created by p and attaches the
// attachments to it, directly through the store.
func (tn *tenancy) attachToNewCase(tb testing.TB, p *casebook.Principal, accessories ...*casebook.Accessory) *casebook.Case {
	tb.Helper()
	ctx := context.Background()
	now := tn.clock.Now()
	c := &casebook.Case{
		ID:                casebook.NewCaseID(now),
		AccountID:         p.AccountID,
		CreatorID:         p.UserID,
		CreatorName:       p.UserName,
		BusinessTypeID:    "1",
		SourceID:          casebook.SourceAPI,
		SimpleDescription: "attachment test",
		Status:            casebook.CaseStatusPendingAcceptance,
		CreatedAt:         now,
		UpdatedAt:         now,
	}
	var ids []string
	for _, a := range accessories {
		ids = append(ids, a.ID)
	}
	err := tn.s.TestStore().Write(ctx, func(tx casebook.Tx) error {
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		return tx.AttachAccessories(ctx, p.AccountID, ids, c.ID, "")
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func readBlob(tb testing.TB, s *casebook.Service, a *casebook.Accessory) string {
	tb.Helper()
	rc, err := s.OpenBlob(context.Background(), a)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestAccessory_Upload(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	content := "hello, attachments\n"
	in := uploadInput("notes.TXT") // extensions match case-insensitively
	in.UploadType = 1
	in.From = "message"
	in.Size = int64(len(content))
	a, err := s.UploadAccessory(ctx, tn.alice, in, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	if a.Size != int64(len(content)) || a.SHA256 != hex.EncodeToString(sum[:]) || a.FileName != "notes.TXT" ||
		a.AccountID != tn.acme.ID || a.UploaderID != tn.aliceID || a.From != "message" || a.UploadType != 1 ||
		a.CaseID != "" || a.BlobKey != "acc/"+tn.acme.ID+"/"+a.ID || !a.CreatedAt.Equal(tn.clock.Now()) {
		t.Fatalf("accessory %+v", a)
	}
	if got := readBlob(t, s, a); got != content {
		t.Fatalf("blob %q, want %q", got, content)
	}
	stored, err := s.AccessoryByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SHA256 != a.SHA256 || stored.Size != a.Size || stored.BlobKey != a.BlobKey || stored.ContentType != "text/plain" {
		t.Fatalf("stored %+v", stored)
	}
	_, err = s.AccessoryByID(ctx, casebook.NewAccessoryID())
	checkErrorKind(t, err, casebook.ENOTFOUND)

	// An empty content type is stored as a generic one.
	in = uploadInput("a.log")
	in.ContentType = ""
	b, err := s.UploadAccessory(ctx, tn.alice, in, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	} else if b.ContentType != "application/octet-stream" {
		t.Fatalf("content type %q", b.ContentType)
	}
}

func TestAccessory_UploadValidation(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	for _, c := range []struct {
		name string
		edit func(*casebook.UploadInput)
	}{
		{"EmptyName", func(in *casebook.UploadInput) { in.FileName = "" }},
		{"LongName", func(in *casebook.UploadInput) { in.FileName = strings.Repeat("a", 252) + ".txt" }},
		{"NoExtension", func(in *casebook.UploadInput) { in.FileName = "README" }},
		{"TrailingDot", func(in *casebook.UploadInput) { in.FileName = "README." }},
		{"BadExtension", func(in *casebook.UploadInput) { in.FileName = "setup.exe" }},
		{"ExtensionInTheMiddle", func(in *casebook.UploadInput) { in.FileName = "a.txt.sh" }},
		{"Path", func(in *casebook.UploadInput) { in.FileName = "../../etc/passwd.txt" }},
		{"BackslashPath", func(in *casebook.UploadInput) { in.FileName = `C:\x\a.txt` }},
		{"ControlCharacter", func(in *casebook.UploadInput) { in.FileName = "a\r\nb.txt" }},
		{"BadFrom", func(in *casebook.UploadInput) { in.From = "test" }},
		{"EmptyFrom", func(in *casebook.UploadInput) { in.From = "" }},
		{"BadUploadType", func(in *casebook.UploadInput) { in.UploadType = 2 }},
		{"NegativeUploadType", func(in *casebook.UploadInput) { in.UploadType = -1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := uploadInput("ok.txt")
			c.edit(&in)
			_, err := s.UploadAccessory(ctx, tn.alice, in, strings.NewReader("content"))
			checkErrorKind(t, err, casebook.EINVALID)
		})
	}
	if files := tn.blobFiles(t); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}
	if n := tn.uploadedToday(t, tn.alice); n != 0 {
		t.Fatalf("refused uploads left %d bytes of rows", n)
	}

	// 255 characters (not bytes) is the longest name.
	name := strings.Repeat("名", 251) + ".txt"
	if _, err := s.UploadAccessory(ctx, tn.alice, uploadInput(name), strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}

	// Only customers upload.
	_, err := s.UploadAccessory(ctx, tn.engineer, uploadInput("a.txt"), strings.NewReader("x"))
	checkErrorKind(t, err, casebook.EFORBIDDEN)
	_, err = s.UploadAccessory(ctx, nil, uploadInput("a.txt"), strings.NewReader("x"))
	checkErrorKind(t, err, casebook.EFORBIDDEN)
}

// failIfRead is a reader that must not be read: the upload should be
// refused before its content is looked at.
type failIfRead struct{ t *testing.T }

func (r failIfRead) Read([]byte) (int, error) {
	r.t.Error("content read for an upload that should have been refused up front")
	return 0, io.EOF
}

func TestAccessory_SizeLimit(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s
	s.Config.AccessoryMaxSize = 1000

	// Exactly at the limit, streamed with unknown size.
	at := strings.Repeat("a", 1000)
	a, err := s.UploadAccessory(ctx, tn.alice, uploadInput("at.txt"), strings.NewReader(at))
	if err != nil {
		t.Fatal(err)
	} else if a.Size != 1000 || readBlob(t, s, a) != at {
		t.Fatalf("size %d", a.Size)
	}
	filesBefore := len(tn.blobFiles(t))

	// One byte past it, streamed: cut off while streaming.
	_, err = s.UploadAccessory(ctx, tn.alice, uploadInput("past.txt"), strings.NewReader(at+"b"))
	checkErrorKind(t, err, casebook.EINVALID)

	// Far past it, from a reader that never ends: still cut off.
	_, err = s.UploadAccessory(ctx, tn.alice, uploadInput("endless.txt"), endlessReader{})
	checkErrorKind(t, err, casebook.EINVALID)

	// Announced as too large: refused before reading.
	in := uploadInput("announced.txt")
	in.Size = 1001
	_, err = s.UploadAccessory(ctx, tn.alice, in, failIfRead{t})
	checkErrorKind(t, err, casebook.EINVALID)

	// Announced at the limit but longer: refused.
	in.Size = 1000
	_, err = s.UploadAccessory(ctx, tn.alice, in, strings.NewReader(at+"b"))
	checkErrorKind(t, err, casebook.EINVALID)
	// Announced longer than it is: refused.
	in.Size = 10
	_, err = s.UploadAccessory(ctx, tn.alice, in, strings.NewReader("short"))
	checkErrorKind(t, err, casebook.EINVALID)

	if n := tn.uploadedToday(t, tn.alice); n != 1000 {
		t.Fatalf("%d bytes of rows after refused uploads, want 1000", n)
	}
	if files := tn.blobFiles(t); len(files) != filesBefore {
		t.Fatalf("refused uploads left files: %v", files)
	}
}

// endlessReader yields 'z' forever.
type endlessReader struct{}

func (endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

func TestAccessory_DailyQuota(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s
	s.Config.AccessoryMaxSize = 1000
	s.Config.DailyUploadBytes = 2500

	tn.mustUpload(t, tn.alice, "1.txt", strings.Repeat("a", 1000))
	tn.mustUpload(t, tn.alice, "2.txt", strings.Repeat("a", 1000))
	tn.mustUpload(t, tn.alice, "3.txt", strings.Repeat("a", 500)) // exactly the quota
	files := len(tn.blobFiles(t))

	_, err := s.UploadAccessory(ctx, tn.alice, uploadInput("4.txt"), strings.NewReader("a"))
	checkErrorKind(t, err, casebook.ELIMIT)
	if reason := casebook.ErrorReason(err); reason != casebook.ReasonUploadQuota {
		t.Fatalf("reason %q", reason)
	}
	// Announced sizes are checked before reading.
	in := uploadInput("5.txt")
	in.Size = 1
	_, err = s.UploadAccessory(ctx, tn.alice, in, failIfRead{t})
	checkErrorKind(t, err, casebook.ELIMIT)
	if n := tn.uploadedToday(t, tn.alice); n != 2500 {
		t.Fatalf("%d bytes uploaded, want 2500", n)
	}
	if got := len(tn.blobFiles(t)); got != files {
		t.Fatalf("%d files after refused uploads, want %d", got, files)
	}

	// The quota is per uploader: bob still has his.
	tn.mustUpload(t, tn.bob, "bob.txt", strings.Repeat("b", 1000))

	// A new UTC day, a new quota.
	tn.clock.Advance(24 * time.Hour)
	tn.mustUpload(t, tn.alice, "next-day.txt", strings.Repeat("a", 1000))
}

// Deleting an upload does not give its bytes back: the quota counts what
// was uploaded today, not what is stored.
func TestAccessory_QuotaNotRefundedByDelete(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s
	s.Config.AccessoryMaxSize = 1000
	s.Config.DailyUploadBytes = 1500

	first := tn.mustUpload(t, tn.alice, "first.txt", strings.Repeat("a", 1000))
	if err := s.DeleteAccessory(ctx, tn.alice, first.ID); err != nil {
		t.Fatal(err)
	}
	if n := tn.uploadedToday(t, tn.alice); n != 1000 {
		t.Fatalf("%d bytes counted after the delete, want 1000", n)
	}
	// 1000 more would fit what is stored, but not what was uploaded.
	_, err := s.UploadAccessory(ctx, tn.alice, uploadInput("again.txt"), strings.NewReader(strings.Repeat("b", 1000)))
	checkErrorKind(t, err, casebook.ELIMIT)
	if reason := casebook.ErrorReason(err); reason != casebook.ReasonUploadQuota {
		t.Fatalf("reason %q", reason)
	}
	// Deleted by the master user, likewise.
	second := tn.mustUpload(t, tn.alice, "second.txt", strings.Repeat("c", 500))
	if err := s.DeleteAccessory(ctx, tn.boss, second.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.UploadAccessory(ctx, tn.alice, uploadInput("third.txt"), strings.NewReader("d"))
	checkErrorKind(t, err, casebook.ELIMIT)
	if files := tn.blobFiles(t); len(files) != 0 {
		t.Fatalf("files %v, want none", files)
	}

	// The next UTC day starts afresh.
	tn.clock.Advance(24 * time.Hour)
	tn.mustUpload(t, tn.alice, "tomorrow.txt", strings.Repeat("e", 1000))
}

// The quota is checked again once the size is known: here another upload
// uses the quota while this one streams, and this one must leave nothing.
func TestAccessory_QuotaUsedWhileStreaming(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s
	s.Config.AccessoryMaxSize = 1000
	s.Config.DailyUploadBytes = 1500

	tn.mustUpload(t, tn.alice, "first.txt", strings.Repeat("a", 400))
	var concurrent *casebook.Accessory
	r := &hookReader{r: strings.NewReader(strings.Repeat("b", 800)), atEOF: func() {
		concurrent = tn.mustUpload(t, tn.alice, "concurrent.txt", strings.Repeat("c", 500))
	}}
	_, err := s.UploadAccessory(ctx, tn.alice, uploadInput("slow.txt"), r)
	checkErrorKind(t, err, casebook.ELIMIT)
	if concurrent == nil {
		t.Fatal("the concurrent upload did not run")
	}
	if n := tn.uploadedToday(t, tn.alice); n != 900 {
		t.Fatalf("%d bytes of rows, want 900 (first and concurrent)", n)
	}
	if files := tn.blobFiles(t); len(files) != 2 {
		t.Fatalf("files %v, want the two stored uploads only", files)
	}
}

// hookReader calls atEOF once, when r is exhausted.
type hookReader struct {
	r     io.Reader
	atEOF func()
	done  bool
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if err == io.EOF && !h.done {
		h.done = true
		h.atEOF()
	}
	return n, err
}

// failingReader yields n bytes and then an error, like a client that
// disconnects mid-upload.
type failingReader struct{ n int }

var errClientGone = errors.New("client went away")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errClientGone
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestAccessory_FailedUploadLeavesNothing(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	_, err := s.UploadAccessory(ctx, tn.alice, uploadInput("broken.txt"), &failingReader{n: 300 << 10})
	if err == nil {
		t.Fatal("upload from a failing reader succeeded")
	}
	if !errors.Is(err, errClientGone) {
		t.Fatalf("error %v does not wrap the reader's", err)
	}
	if n := tn.uploadedToday(t, tn.alice); n != 0 {
		t.Fatalf("%d bytes of rows after a failed upload", n)
	}
	if files := tn.blobFiles(t); len(files) != 0 {
		t.Fatalf("failed upload left files %v", files)
	}

	// A cancelled request likewise.
	cctx, cancel := context.WithCancel(ctx)
	r := &hookReader{r: strings.NewReader("partial"), atEOF: cancel}
	_, err = s.UploadAccessory(cctx, tn.alice, uploadInput("cancelled.txt"), r)
	if err == nil {
		t.Fatal("cancelled upload succeeded")
	}
	if n := tn.uploadedToday(t, tn.alice); n != 0 {
		t.Fatalf("%d bytes of rows after a cancelled upload", n)
	}
	if files := tn.blobFiles(t); len(files) != 0 {
		t.Fatalf("cancelled upload left files %v", files)
	}
}

func TestAccessory_Visibility(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	loose := tn.mustUpload(t, tn.alice, "loose.txt", "unattached")
	attached := tn.mustUpload(t, tn.alice, "attached.txt", "attached")
	tn.attachToNewCase(t, tn.alice, attached)
	malloryOwn := tn.mustUpload(t, tn.mallory, "mallory.txt", "globex")

	type view struct {
		name    string
		p       *casebook.Principal
		groupID string
	}
	visibleTo := func(v view, a *casebook.Accessory) bool {
		t.Helper()
		found, err := s.VisibleAccessories(ctx, v.p, v.groupID, []string{a.ID})
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		opened, openErr := s.OpenAccessories(ctx, v.p, v.groupID, []string{a.ID})
		if len(found) == 1 {
			if found[0].ID != a.ID || openErr != nil || len(opened) != 1 {
				t.Fatalf("%s: visible %v but open: %v", v.name, found, openErr)
			}
			return true
		}
		checkErrorKind(t, openErr, casebook.ENOTFOUND)
		return false
	}

	for _, c := range []struct {
		view
		loose, attached bool
	}{
		{view{"Uploader", tn.alice, ""}, true, true},
		{view{"UploaderWithGroup", tn.alice, tn.ops.ID}, true, true},
		{view{"Master", tn.boss, ""}, true, true},
		{view{"MasterWithGroup", tn.boss, tn.dev.ID}, true, true},
		// A group member sees the ticket's attachments through the group,
		// but never someone else's unattached uploads.
		{view{"GroupMemberWithGroup", tn.bob, tn.ops.ID}, false, true},
		{view{"GroupMemberWithoutGroup", tn.bob, ""}, false, false},
		{view{"OtherGroup", tn.carol, tn.dev.ID}, false, false},
		{view{"NoGroup", tn.carol, ""}, false, false},
		{view{"OtherAccount", tn.mallory, ""}, false, false},
		{view{"OtherAccountWithOwnGroup", tn.mallory, tn.globexOps.ID}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := visibleTo(c.view, loose); got != c.loose {
				t.Errorf("unattached visible: %v, want %v", got, c.loose)
			}
			if got := visibleTo(c.view, attached); got != c.attached {
				t.Errorf("attached visible: %v, want %v", got, c.attached)
			}
		})
	}

	// Naming a group one is not in is refused, whether it is of the
	// account or of another.
	for _, c := range []view{
		{"NotAMember", tn.carol, tn.ops.ID},
		{"OtherAccountsGroup", tn.alice, tn.globexOps.ID},
		{"MasterAndOtherAccountsGroup", tn.mallory, tn.ops.ID},
		{"UnknownGroup", tn.alice, casebook.NewHexID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.VisibleAccessories(ctx, c.p, c.groupID, []string{attached.ID})
			checkErrorKind(t, err, casebook.EFORBIDDEN)
			_, err = s.OpenAccessories(ctx, c.p, c.groupID, []string{attached.ID})
			checkErrorKind(t, err, casebook.EFORBIDDEN)
		})
	}

	// Engineers have no customer view.
	_, err := s.VisibleAccessories(ctx, tn.engineer, "", []string{attached.ID})
	checkErrorKind(t, err, casebook.EFORBIDDEN)

	// Mixed lists: Visible skips, Open refuses the whole list.
	ids := []string{attached.ID, malloryOwn.ID, loose.ID, casebook.NewAccessoryID(), attached.ID}
	found, err := s.VisibleAccessories(ctx, tn.alice, "", ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].ID != attached.ID || found[1].ID != loose.ID {
		t.Fatalf("visible %v, want attached and loose, in order", accessoryIDs(found))
	}
	_, err = s.OpenAccessories(ctx, tn.alice, "", ids)
	checkErrorKind(t, err, casebook.ENOTFOUND)
	opened, err := s.OpenAccessories(ctx, tn.alice, "", []string{loose.ID, attached.ID, loose.ID})
	if err != nil {
		t.Fatal(err)
	} else if len(opened) != 2 || opened[0].ID != loose.ID || opened[1].ID != attached.ID {
		t.Fatalf("opened %v", accessoryIDs(opened))
	}
}

func accessoryIDs(as []*casebook.Accessory) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestAccessory_Delete(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	own := tn.mustUpload(t, tn.alice, "own.txt", "alice's")
	byBoss := tn.mustUpload(t, tn.alice, "for-boss.txt", "alice's too")
	attached := tn.mustUpload(t, tn.alice, "attached.txt", "on a ticket")
	tn.attachToNewCase(t, tn.alice, attached)

	// Others cannot delete alice's uploads: not in their view at all.
	for _, c := range []struct {
		name string
		p    *casebook.Principal
	}{
		{"GroupMember", tn.bob},
		{"OtherUser", tn.carol},
		{"OtherAccountMaster", tn.mallory},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkErrorKind(t, s.DeleteAccessory(ctx, c.p, own.ID), casebook.ENOTFOUND)
			checkErrorKind(t, s.DeleteAccessory(ctx, c.p, attached.ID), casebook.ENOTFOUND)
		})
	}
	checkErrorKind(t, s.DeleteAccessory(ctx, tn.engineer, own.ID), casebook.EFORBIDDEN)
	if readBlob(t, s, own) != "alice's" {
		t.Fatal("content changed by refused deletes")
	}

	// Attached ones stay, even for the uploader and the master user.
	checkErrorKind(t, s.DeleteAccessory(ctx, tn.alice, attached.ID), casebook.ECONFLICT)
	checkErrorKind(t, s.DeleteAccessory(ctx, tn.boss, attached.ID), casebook.ECONFLICT)
	if readBlob(t, s, attached) != "on a ticket" {
		t.Fatal("attached content gone")
	}

	// The uploader deletes their own; row and object both go.
	if err := s.DeleteAccessory(ctx, tn.alice, own.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.AccessoryByID(ctx, own.ID)
	checkErrorKind(t, err, casebook.ENOTFOUND)
	_, err = s.OpenBlob(ctx, own)
	checkErrorKind(t, err, casebook.ENOTFOUND)
	checkErrorKind(t, s.DeleteAccessory(ctx, tn.alice, own.ID), casebook.ENOTFOUND)

	// The master user deletes any unattached one of the account.
	if err := s.DeleteAccessory(ctx, tn.boss, byBoss.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.OpenBlob(ctx, byBoss)
	checkErrorKind(t, err, casebook.ENOTFOUND)

	if files := tn.blobFiles(t); len(files) != 1 {
		t.Fatalf("files %v, want only the attached one", files)
	}
	if _, err := s.AccessoryByID(ctx, attached.ID); err != nil {
		t.Fatal(err)
	}
}
