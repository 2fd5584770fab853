package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/casebook/casebook"
)

// Labels are personal (casebook.Label): every page here shows and changes
// the caller's own labels only; the Service refuses anyone else's ids like
// ids that do not exist.

func (h *Handler) labelRoutes() {
	h.handle("GET /labels", customerOnly, h.labels)
	h.handle("POST /labels", customerOnly, h.createLabel)
	h.handle("POST /labels/{label}", customerOnly, h.updateLabel)
	h.handle("POST /labels/{label}/delete", customerOnly, h.deleteLabel)
	h.handle("POST /tickets/{id}/labels", customerOnly, h.addCaseLabel)
	h.handle("POST /tickets/{id}/labels/{label}/delete", customerOnly, h.removeCaseLabel)
}

// myLabels returns all of the caller's labels, oldest first (a user has at
// most casebook.MaxLabelsPerUser, within one page).
func (h *Handler) myLabels(r *http.Request, p *casebook.Principal) ([]*casebook.Label, error) {
	labels, _, err := h.Service.ListLabels(r.Context(), p, casebook.LabelFilter{Limit: casebook.MaxLabelsPerUser})
	return labels, err
}

// labelID reads a label id from a form or path value; anything else is a
// label that does not exist.
func labelID(v string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id <= 0 || id > casebook.MaxLabelID {
		return 0, errNotFound
	}
	return id, nil
}

// labelsData is the "My labels" page: the labels, and the input and error
// of a refused create (For 0) or update (For the label's id).
type labelsData struct {
	Labels             []*casebook.Label
	Max, MaxName       int
	For                int64
	Name, Color        string
	Error, ErrorDetail string
	ErrorField         string
	CanCreate          bool
}

func (h *Handler) renderLabels(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d labelsData) error {
	labels, err := h.myLabels(r, rc.P)
	if err != nil {
		return err
	}
	d.Labels, d.Max, d.MaxName = labels, casebook.MaxLabelsPerUser, casebook.MaxLabelNameLength
	d.CanCreate = len(labels) < casebook.MaxLabelsPerUser
	if d.Color == "" {
		d.Color = "#1e90ff"
	}
	h.render(w, r, rc, status, "labels.html", "MyLabels", d)
	return nil
}

func (h *Handler) labels(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return h.renderLabels(w, r, rc, http.StatusOK, labelsData{})
}

// refuseLabel shows the labels page again with the user's input and the
// Service's error, for errors of the input (invalid, limit, a taken name);
// other errors take the error page.
func (h *Handler) refuseLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx, d labelsData, refused error) error {
	status := formStatus(refused)
	if status == 0 {
		return refused
	}
	d.Error, d.ErrorDetail = errorText(rc.Lang, refused)
	var e *casebook.Error
	if errors.As(refused, &e) {
		d.ErrorField = e.Field
	}
	return h.renderLabels(w, r, rc, status, d)
}

// formStatus is the status of a form shown again with the error of its
// input, or 0 for errors that take the error page.
func formStatus(err error) int {
	switch casebook.ErrorCode(err) {
	case casebook.EINVALID:
		return http.StatusBadRequest
	case casebook.ECONFLICT:
		return http.StatusConflict
	case casebook.ELIMIT:
		return http.StatusTooManyRequests
	}
	return 0
}

func (h *Handler) createLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := labelsData{Name: r.PostFormValue("name"), Color: r.PostFormValue("color")}
	if _, err := h.Service.CreateLabel(r.Context(), rc.P, d.Name, d.Color); err != nil {
		return h.refuseLabel(w, r, rc, d, err)
	}
	return redirect(w, r, "/labels")
}

func (h *Handler) updateLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := labelID(r.PathValue("label"))
	if err != nil {
		return err
	}
	d := labelsData{For: id, Name: r.PostFormValue("name"), Color: r.PostFormValue("color")}
	if _, err := h.Service.UpdateLabel(r.Context(), rc.P, id, d.Name, d.Color); err != nil {
		return h.refuseLabel(w, r, rc, d, err)
	}
	return redirect(w, r, "/labels")
}

func (h *Handler) deleteLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := labelID(r.PathValue("label"))
	if err != nil {
		return err
	}
	if err := h.Service.DeleteLabel(r.Context(), rc.P, id); err != nil {
		return err
	}
	return redirect(w, r, "/labels")
}

func (h *Handler) addCaseLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	v := r.PostFormValue("label_id")
	if v == "" {
		return h.renderTicket(w, r, rc, http.StatusBadRequest, casebook.Invalidf("label_id", "Choose a label."))
	}
	lid, err := labelID(v)
	if err != nil {
		return err
	}
	if err := h.Service.AddCaseLabels(r.Context(), rc.P, rc.Group, id, []int64{lid}); err != nil {
		if status := formStatus(err); status != 0 {
			return h.renderTicket(w, r, rc, status, err)
		}
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id)+"#labels")
}

func (h *Handler) removeCaseLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	lid, err := labelID(r.PathValue("label"))
	if err != nil {
		return err
	}
	if err := h.Service.RemoveCaseLabels(r.Context(), rc.P, rc.Group, id, []int64{lid}); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id)+"#labels")
}

// ticketLabels is the labels part of a ticket's page: the caller's labels
// on it, the ones that can still be added, and the error of a refused add.
type ticketLabels struct {
	On, Addable        []*casebook.Label
	Full               bool // the ticket carries MaxLabelsPerCase of the caller's labels
	Max                int
	Error, ErrorDetail string
}

func (h *Handler) ticketLabels(r *http.Request, rc *reqCtx, id string, refused error) (ticketLabels, error) {
	on, err := h.Service.ListCaseLabels(r.Context(), rc.P, rc.Group, id)
	if err != nil {
		return ticketLabels{}, err
	}
	mine, err := h.myLabels(r, rc.P)
	if err != nil {
		return ticketLabels{}, err
	}
	tl := ticketLabels{On: on, Max: casebook.MaxLabelsPerCase, Full: len(on) >= casebook.MaxLabelsPerCase}
	has := make(map[int64]bool, len(on))
	for _, l := range on {
		has[l.ID] = true
	}
	for _, l := range mine {
		if !has[l.ID] {
			tl.Addable = append(tl.Addable, l)
		}
	}
	if refused != nil {
		tl.Error, tl.ErrorDetail = errorText(rc.Lang, refused)
	}
	return tl, nil
}
