package casebook

import "testing"

// TestStatusNames: every status Casebook sets has a name in both
// languages, and no two statuses of a kind share one.
func TestStatusNames(t *testing.T) {
	for _, kind := range []struct {
		name     string
		statuses []int
		lookup   func(int, string) (string, bool)
	}{
		{"ticket", []int{CaseStatusPendingAcceptance, CaseStatusProcessing, CaseStatusPendingConfirm, CaseStatusCompleted,
			CaseStatusCancelled, CaseStatusDeleted, CaseStatusPendingFeedback}, CaseStatusName},
		{"authorization", []int{AuthStatusPending, AuthStatusAuthorized, AuthStatusRejected, AuthStatusExpired,
			AuthStatusWithdrawn, AuthStatusCancelled}, AuthStatusName},
	} {
		for _, lang := range []string{LangEnUS, LangZhCN} {
			seen := map[string]int{}
			for _, st := range kind.statuses {
				name, ok := kind.lookup(st, lang)
				if !ok || name == "" {
					t.Errorf("%s status %d has no %s name", kind.name, st, lang)
				} else if other, dup := seen[name]; dup {
					t.Errorf("%s statuses %d and %d are both %q in %s", kind.name, other, st, name, lang)
				}
				seen[name] = st
			}
		}
		if _, ok := kind.lookup(12, LangEnUS); ok {
			t.Errorf("%s status 12, which Casebook never sets, has a name", kind.name)
		}
	}
}
