package http

import "net/http"

// Ticket associations: CreateRelations (seed 002), ListRelation and
// DeleteRelation. Every ticket id outside the caller's view, and every
// group the caller is not a member of, answers like a ticket that does not
// exist (hideCaseDenial).

// createRelationsRequest is CreateRelations. related_id_list is an array
// in the SDK and a bare string in the seed's example; both work. The Service
// checks the list (1..MaxRelationsPerCase ids of 1..MaxCaseIDLength).
type createRelationsRequest struct {
	caseRequest
	Body struct {
		RelatedIDList stringList `json:"related_id_list"`
		GroupID       string     `json:"group_id"`
	} `body:"json"`
}

func (s *Server) handleCreateRelations(w http.ResponseWriter, r *http.Request) error {
	var req createRelationsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	groupID := groupIDOf(req.Body.GroupID, req.GroupID)
	if err := s.Service.CreateRelations(r.Context(), principal(r), groupID, req.CaseID, req.Body.RelatedIDList); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// caseRelationInfo is CaseRealtionInfo (sic in the SDK).
type caseRelationInfo struct {
	CaseID            string `json:"case_id"`
	SimpleDescription string `json:"simple_description"`
	UserName          string `json:"user_name"`
}

// handleListRelation is ListRelation. The SDK sends no group_id; a
// doc-following caller may, and gets the group's view.
func (s *Server) handleListRelation(w http.ResponseWriter, r *http.Request) error {
	var req caseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rels, err := s.Service.ListRelations(r.Context(), principal(r), req.GroupID, req.CaseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	list := make([]caseRelationInfo, 0, len(rels))
	for _, rel := range rels {
		list = append(list, caseRelationInfo{CaseID: rel.RelatedID, SimpleDescription: rel.RelatedDescription, UserName: rel.RelatedCreatorName})
	}
	return writeJSON(w, http.StatusOK, map[string][]caseRelationInfo{"case_relation_list": list})
}

// deleteRelationRequest is DeleteRelation: a DELETE with a JSON body.
type deleteRelationRequest struct {
	caseRequest
	Body struct {
		RelatedID string `json:"related_id"`
		GroupID   string `json:"group_id"`
	} `body:"json"`
}

func (s *Server) handleDeleteRelation(w http.ResponseWriter, r *http.Request) error {
	var req deleteRelationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	groupID := groupIDOf(req.Body.GroupID, req.GroupID)
	if err := s.Service.DeleteRelation(r.Context(), principal(r), groupID, req.CaseID, req.Body.RelatedID); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}
