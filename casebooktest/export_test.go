package casebooktest

import "testing"

// AuditTriggers counts the triggers of the audit log, which a reset drops
// and creates again.
func AuditTriggers(t *testing.T, s *Server) int {
	t.Helper()
	var n int
	err := s.controls.DB.Reader.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
