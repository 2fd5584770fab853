package http

import (
	"context"
	"testing"

	"github.com/casebook/casebook"
)

// importDictionaries imports the shipped defaults as edit changes them.
func importDictionaries(t testing.TB, env *testEnv, edit func(d *casebook.Dictionaries)) {
	t.Helper()
	d := casebook.DefaultDictionaries()
	edit(d)
	file, err := d.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.ImportDictionaries(context.Background(), file); err != nil {
		t.Fatalf("import dictionaries: %v", err)
	}
}
