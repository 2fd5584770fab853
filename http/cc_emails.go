package http

import (
	"net/http"
	"strings"
)

// ccEmailInfo is IncidentOrderCcEmailInfoV2.
type ccEmailInfo struct {
	UserID     string `json:"user_id"`
	CustomerID string `json:"customer_id"`
	CcEmail    string `json:"cc_email"`
}

// handleListCaseCcEmails is ListCaseCcEmails: the caller's own carbon-copy
// addresses, joined by commas in cc_email and listed in mc_email_infos
// (see docs/compatibility.md).
func (s *Server) handleListCaseCcEmails(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	cc, err := s.Service.CcEmails(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		CcEmailInfo  ccEmailInfo `json:"cc_email_info"`
		McEmailInfos []string    `json:"mc_email_infos"`
	}{ccEmailInfo{cc.UserID, cc.AccountID, strings.Join(cc.Emails, ",")}, cc.Emails})
}
