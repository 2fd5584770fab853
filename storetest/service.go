package storetest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
)

// NewService returns a Service over s, with attachments in a temporary
// directory, a fixed sealing key and cheap password hashes, for the
// checks that drive a store through the Service (CheckCaseLogBackfill,
// CheckCaseEventCounts).
func NewService(t *testing.T, s casebook.Store) *casebook.Service {
	t.Helper()
	blobs, err := fs.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeSeal))
	if err != nil {
		t.Fatal(err)
	}
	svc := casebook.NewService(s, blobs, sealer, casebook.DefaultConfig())
	svc.Config.PasswordIterations = 1000
	return svc
}

// Migration returns the text of an engine's migration file, read from
// the directory "migration" of the calling package.
func Migration(t *testing.T, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("migration", name))
	if err != nil {
		t.Fatal(err)
	}
	return text
}
