package http

import "net/http"

// The configuration dictionaries of the ticket form. Names come in the
// request's X-Language.

// listSeveritiesRequest is ListSeverities. The Service checks both ids.
type listSeveritiesRequest struct {
	ProductCategoryID string `query:"product_category_id"`
	BusinessTypeID    string `query:"business_type_id"`
}

// severity is SeverityV2Do.
type severity struct {
	Language     string `json:"language"`
	SeverityName string `json:"severity_name"`
	SeverityID   string `json:"severity_id"`
}

func (s *Server) handleListSeverities(w http.ResponseWriter, r *http.Request) error {
	var req listSeveritiesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	entries, err := s.Service.ListSeverities(r.Context(), req.ProductCategoryID, req.BusinessTypeID)
	if err != nil {
		return err
	}
	lang := requestInfoFrom(r.Context()).Lang
	list := make([]severity, 0, len(entries))
	for _, e := range entries {
		list = append(list, severity{Language: lang, SeverityName: e.Name(lang), SeverityID: e.ID})
	}
	return writeJSON(w, http.StatusOK, struct {
		Show         bool       `json:"show"`
		SeverityList []severity `json:"severity_list"`
	}{true, list})
}
