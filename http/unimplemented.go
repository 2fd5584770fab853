package http

import (
	"net/http"

	"github.com/casebook/casebook"
)

// handleUnimplemented answers an SDK operation Casebook does not implement
// (an entry of the operation table without a handler).
func (s *Server) handleUnimplemented(op string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return casebook.Errorf(casebook.EINVALID, "Casebook does not implement %s; see docs/sdk-compatibility.md.", op).WithReason(reasonNotImplemented)
	}
}
