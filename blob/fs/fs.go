// Package fs stores attachment contents as files in a local directory.
//
// A key maps to <dir>/<xx>/<name>, where xx is the first byte of the key's
// SHA-256 in hex (256 subdirectories, evenly filled whatever the keys look
// like: attachment ids all start with "AC") and name is the key with each
// "/" replaced by "%", a character keys cannot contain. The flat name keeps
// keys "a" and "a/b" from colliding as file and directory.
//
// Put writes to a temporary file in the target directory, fsyncs it and
// renames it into place, so readers see either the old or the new content
// and a failed or cancelled Put leaves nothing behind. Directories are 0700
// and files 0600: attachments are customer data.
package fs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob"
)

// tempPrefix starts the names of files being written. Keys cannot produce a
// name with a leading dot (blob.CheckKey), so the two never mix.
const tempPrefix = ".tmp-"

// staleTempAge is how old an abandoned temporary file (left by a crash
// mid-Put) must be before Open removes it. An upload in progress keeps its
// file's mtime fresh.
const staleTempAge = 24 * time.Hour

// copyBufferSize bounds the memory one Put holds, whatever the blob's size.
const copyBufferSize = 128 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// Store is a casebook.BlobStore over a local directory.
type Store struct {
	dir string
}

var _ casebook.BlobStore = (*Store)(nil)

// Open returns a store rooted at dir, creating it (0700) if needed, and
// removes temporary files abandoned by a crash more than a day ago.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open blob directory: no path given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open blob directory: %s is not a directory", abs)
	}
	s := &Store{dir: abs}
	if err := s.removeStaleTemps(time.Now().Add(-staleTempAge)); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir returns the absolute path of the store's root directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the file that holds key. It is exported for operators'
// tools and tests; callers of the store use Put, Get and Delete.
func (s *Store) Path(key string) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", err
	}
	return s.path(key), nil
}

func (s *Store) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:1]), strings.ReplaceAll(key, "/", "%"))
}

// Put streams r into the file for key, replacing any previous content only
// once all of r has been written and synced. When size is not -1, r must
// hold exactly size bytes. contentType is not stored: the caller keeps it
// with the attachment's metadata. Cancelling ctx stops the copy before the
// next read of r.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	dst := s.path(key)
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create blob directory: %w", err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("create temporary blob file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	var src io.Reader = &ctxReader{ctx: ctx, r: r}
	if size >= 0 {
		// Read at most one byte more than declared: enough to tell that
		// the stream is too long without swallowing the rest of it.
		src = io.LimitReader(src, size+1)
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// Hide *os.File's ReadFrom so the copy goes through buf.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, src, *buf)
	if err != nil {
		return fmt.Errorf("write blob: %w", err)
	}
	if size >= 0 && n > size {
		return casebook.Invalidf("size", "Upload is longer than the declared %d bytes.", size)
	} else if size >= 0 && n < size {
		return casebook.Invalidf("size", "Upload ended after %d of the declared %d bytes.", n, size)
	}

	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync blob: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close blob: %w", err)
	}
	// Last chance to honour a cancellation: after the rename the blob exists.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return fmt.Errorf("rename blob into place: %w", err)
	}
	// The rename is durable once the directory is synced. The blob is
	// already visible, so a failure here is reported but not undone.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("sync blob directory: %w", err)
	}
	return nil
}

// Get opens the file for key. The caller must close it.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, casebook.NotFoundf("Blob %q not found.", key)
	} else if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// Delete removes the file for key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

// removeStaleTemps deletes temporary files last modified before cutoff.
func (s *Store) removeStaleTemps(cutoff time.Time) error {
	subdirs, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("read blob directory: %w", err)
	}
	for _, sub := range subdirs {
		if !sub.IsDir() {
			continue
		}
		dir := filepath.Join(s.dir, sub.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("read blob directory: %w", err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), tempPrefix) {
				continue
			}
			info, err := e.Info()
			if errors.Is(err, iofs.ErrNotExist) {
				continue // renamed or removed meanwhile
			} else if err != nil {
				return fmt.Errorf("stat temporary blob file: %w", err)
			}
			if info.ModTime().Before(cutoff) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, iofs.ErrNotExist) {
					return fmt.Errorf("remove stale temporary blob file: %w", err)
				}
			}
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// ctxReader fails reads once ctx is done, so a long copy stops between
// reads. (A read that blocks is up to r to end.)
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
