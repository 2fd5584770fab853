package http

import (
	"net/http"
	"strconv"

	"github.com/casebook/casebook"
)

// Labels: CreateLabels, ListLabels, UpdateLabels, DeleteLabels and
// CreateCaseLabels, ListCaseLabels, DeleteCaseLabels. Labels are the
// caller's own (casebook.Label); a label id of anyone else answers like one
// that does not exist.

// labelNotFound is the answer for a label id that names none of the
// caller's labels, including one too long or not a number.
func labelNotFound(id string) error {
	return casebook.NotFoundf("Label %s does not exist.", id)
}

// labelRequest names one label in the path.
type labelRequest struct {
	LabelID string `path:"label_id,notfound" max:"MaxLabelIDLength"`
}

// id returns the label id, or the not-found answer for one that is not an
// int32 id at all.
func (r labelRequest) id() (int64, error) {
	n, err := strconv.ParseInt(r.LabelID, 10, 64)
	if err != nil || n < 1 || n > casebook.MaxLabelID {
		return 0, labelNotFound(r.LabelID)
	}
	return n, nil
}

// labelBody is CreateLabelsReq and UpdateLabelsReq; the Service checks
// both fields.
type labelBody struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

// caseLabelInfo is CaseLabelInfo (and LabelInfo in ListCases).
type caseLabelInfo struct {
	LabelID int64  `json:"label_id"`
	Name    string `json:"name"`
	Color   string `json:"color"`
}

func toCaseLabelInfos(labels []*casebook.Label) []caseLabelInfo {
	return wireAll(labels, func(l *casebook.Label) caseLabelInfo {
		return caseLabelInfo{LabelID: l.ID, Name: l.Name, Color: l.Color}
	})
}

// handleCreateLabels is CreateLabels. The SDK's response declares only the
// error fields; label_id is added so a plain HTTP caller learns the id
// without listing.
func (s *Server) handleCreateLabels(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Body labelBody `body:"json"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	l, err := s.Service.CreateLabel(r.Context(), principal(r), req.Body.Name, req.Body.Color)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int64{"label_id": l.ID})
}

// listLabelsRequest is ListLabels: offset 0..2147483647, limit 0..100 (0:
// the default page), a name substring and one label id.
type listLabelsRequest struct {
	Offset  int    `query:"offset" min:"0" max:"MaxLabelListOffset"`
	Limit   int    `query:"limit" min:"0" max:"MaxPageLimit"`
	Name    string `query:"name" max:"MaxLabelNameLength"`
	LabelID int    `query:"label_id" min:"0" max:"MaxLabelID"`
}

func (s *Server) handleListLabels(w http.ResponseWriter, r *http.Request) error {
	var req listLabelsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	labels, total, err := s.Service.ListLabels(r.Context(), principal(r), casebook.LabelFilter{
		ID: int64(req.LabelID), Name: req.Name, Offset: req.Offset, Limit: req.Limit,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int             `json:"total_count"`
		LabelList  []caseLabelInfo `json:"label_list"`
	}{total, toCaseLabelInfos(labels)})
}

func (s *Server) handleUpdateLabels(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		labelRequest
		Body labelBody `body:"json"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	id, err := req.id()
	if err != nil {
		return err
	}
	if _, err := s.Service.UpdateLabel(r.Context(), principal(r), id, req.Body.Name, req.Body.Color); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) handleDeleteLabels(w http.ResponseWriter, r *http.Request) error {
	var req labelRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id, err := req.id()
	if err != nil {
		return err
	}
	if err := s.Service.DeleteLabel(r.Context(), principal(r), id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// caseLabelsRequest is CreateCaseLabels and DeleteCaseLabels: label_ids in
// the query (repeated keys as the SDK sends them, or comma lists as the
// docs show), no body. The Service checks 1..MaxLabelsPerCase ids.
type caseLabelsRequest struct {
	caseRequest
	LabelIDs []int `query:"label_ids,comma" min:"1" max:"MaxLabelID" items:"MaxLabelsPerCase"`
}

func (r caseLabelsRequest) ids() []int64 { return labelIDs(r.LabelIDs) }

func (s *Server) handleCreateCaseLabels(w http.ResponseWriter, r *http.Request) error {
	var req caseLabelsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.Service.AddCaseLabels(r.Context(), principal(r), req.GroupID, req.CaseID, req.ids()); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) handleListCaseLabels(w http.ResponseWriter, r *http.Request) error {
	var req caseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	labels, err := s.Service.ListCaseLabels(r.Context(), principal(r), req.GroupID, req.CaseID)
	if err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, map[string][]caseLabelInfo{"case_label_list": toCaseLabelInfos(labels)})
}

func (s *Server) handleDeleteCaseLabels(w http.ResponseWriter, r *http.Request) error {
	var req caseLabelsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.Service.RemoveCaseLabels(r.Context(), principal(r), req.GroupID, req.CaseID, req.ids()); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// labelIDs converts decoded label ids for the domain.
func labelIDs(ids []int) []int64 {
	if len(ids) == 0 {
		return nil
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}
