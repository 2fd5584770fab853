package fs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob/blobtest"
	"github.com/casebook/casebook/blob/fs"
)

func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) casebook.BlobStore {
		s, err := fs.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { assertNoTempFiles(t, s.Dir()) })
		return s
	})
}

// assertNoTempFiles fails t if a Put left a temporary file behind.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			t.Error(err)
			return nil
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", path)
		}
		return nil
	})
}

func TestPermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "blobs")
	s, err := fs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "acct/AC1", strings.NewReader("secret report"), -1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	path, err := s.Path("acct/AC1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, root+string(filepath.Separator)) {
		t.Fatalf("Path = %s, not under %s", path, root)
	}
	for p := path; p != filepath.Dir(root); p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o700)
		if !fi.IsDir() {
			want = 0o600
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", p, got, want)
		}
	}
}

// TestLayout checks the fan-out: one level of subdirectories named by the
// first byte of the key's hash, holding the key with "/" flattened.
func TestLayout(t *testing.T) {
	s, err := fs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	path, err := s.Path("acct/AC1")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(s.Dir(), path)
	if err != nil {
		t.Fatal(err)
	}
	// sha256("acct/AC1") starts with 0x28.
	if want := filepath.Join("28", "acct%AC1"); rel != want {
		t.Fatalf("key acct/AC1 is stored at %s, want %s", rel, want)
	}
	if _, err := s.Path("../escape"); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Fatalf("Path(../escape) error = %v, want EINVALID", err)
	}
}

// TestOpenRemovesStaleTempFiles checks that Open clears temporary files a
// crash left behind, but not recent ones, which may belong to a Put in
// progress in another process.
func TestOpenRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "ab")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(sub, ".tmp-stale")
	fresh := filepath.Join(sub, ".tmp-fresh")
	blob := filepath.Join(sub, "key")
	for _, p := range []string{stale, fresh, blob} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	for _, p := range []string{stale, blob} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there (stat error %v)", err)
	}
	for _, p := range []string{fresh, blob} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Open removed %s: %v", p, err)
		}
	}
}

func TestOpenRejectsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Open(f); err == nil {
		t.Fatal("Open of a regular file succeeded")
	}
}
