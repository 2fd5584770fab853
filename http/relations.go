package http

import (
	"net/http"

	"github.com/casebook/casebook"
)

// Ticket associations: CreateRelations (seed 002), ListRelation and
// DeleteRelation. Every ticket id outside the caller's view, and every
// group the caller is not a member of, answers like a ticket that does not
// exist (hideCaseDenial).

// maxRelatedIDLen bounds each related ticket id (seed: 1..32 per item;
// ticket ids elsewhere: 1..64, which we accept).
const maxRelatedIDLen = 64

// createRelationsRequest is CreateRelationsRequestBody. related_id_list is
// an array in the SDK and a bare string in the seed's example; both work.
type createRelationsRequest struct {
	RelatedIDList stringList `json:"related_id_list"`
	GroupID       string     `json:"group_id"`
}

func (s *Server) handleCreateRelations(w http.ResponseWriter, r *http.Request) error {
	caseID, err := caseIDParam(r)
	if err != nil {
		return err
	}
	var req createRelationsRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.RelatedIDList) == 0 {
		return casebook.Invalidf("related_id_list", "related_id_list must name 1 to %d tickets.", casebook.MaxRelationsPerCase)
	} else if len(req.RelatedIDList) > casebook.MaxRelationsPerCase {
		return casebook.Invalidf("related_id_list", "related_id_list may name at most %d tickets.", casebook.MaxRelationsPerCase).WithReason(casebook.ReasonRelationLimit)
	}
	for _, id := range req.RelatedIDList {
		if err := checkLength("related_id_list", id, 1, maxRelatedIDLen); err != nil {
			return err
		}
	}
	groupID, err := bodyOrQueryGroupID(r, req.GroupID)
	if err != nil {
		return err
	}
	if err := s.Service.CreateRelations(r.Context(), principal(r), groupID, caseID, req.RelatedIDList); err != nil {
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
	caseID, err := caseIDParam(r)
	if err != nil {
		return err
	}
	groupID, err := newQuery(r).String("group_id", maxGroupIDLen)
	if err != nil {
		return err
	}
	rels, err := s.Service.ListRelations(r.Context(), principal(r), groupID, caseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	list := make([]caseRelationInfo, 0, len(rels))
	for _, rel := range rels {
		list = append(list, caseRelationInfo{CaseID: rel.RelatedID, SimpleDescription: rel.RelatedDescription, UserName: rel.RelatedCreatorName})
	}
	return writeJSON(w, http.StatusOK, map[string][]caseRelationInfo{"case_relation_list": list})
}

type deleteRelationRequest struct {
	RelatedID string `json:"related_id"`
	GroupID   string `json:"group_id"`
}

// handleDeleteRelation is DeleteRelation: a DELETE with a JSON body.
func (s *Server) handleDeleteRelation(w http.ResponseWriter, r *http.Request) error {
	caseID, err := caseIDParam(r)
	if err != nil {
		return err
	}
	var req deleteRelationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := checkLength("related_id", req.RelatedID, 1, maxRelatedIDLen); err != nil {
		return err
	}
	groupID, err := bodyOrQueryGroupID(r, req.GroupID)
	if err != nil {
		return err
	}
	if err := s.Service.DeleteRelation(r.Context(), principal(r), groupID, caseID, req.RelatedID); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}
