package casebook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// Authorization ids sort in order of creation (by the second), are unique
// within a second, and fit the documented bound.
func TestNewAuthorizationID(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		id := casebook.NewAuthorizationID(t0.Add(time.Duration(i/10) * time.Second))
		if len(id) != 22 || !strings.HasPrefix(id, "AU") || len(id) > casebook.MaxAuthorizationIDLength {
			t.Fatalf("id %q: want AU and 20 characters", id)
		}
		if seen[id] {
			t.Fatalf("id %q twice", id)
		}
		seen[id] = true
		if i%10 == 0 && id[:9] <= prev {
			t.Fatalf("id %q of a later second sorts before %q", id, prev)
		}
		prev = id[:9]
	}
	// The year 3000 still fits the 7 characters of the second.
	late := casebook.NewAuthorizationID(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	early := casebook.NewAuthorizationID(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if late[:9] <= early[:9] {
		t.Fatalf("%q (year 3000) sorts before %q (year 2000)", late, early)
	}
}
