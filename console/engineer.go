package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/casebook/casebook"
)

func (h *Handler) engineerRoutes() {
	h.handle("GET /engineer", engineerOnly, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return redirect(w, r, "/engineer/queue")
	})
	h.handle("GET /engineer/queue", engineerOnly, h.queue)
	h.handle("GET /engineer/tickets/{id}", engineerOnly, h.engineerTicket)
	h.handle("POST /engineer/tickets/{id}/take", engineerOnly, h.take)
	h.handle("POST /engineer/tickets/{id}/reply", engineerOnly, h.reply)
	h.handle("POST /engineer/tickets/{id}/status", engineerOnly, h.setStatus)
	h.handle("POST /engineer/tickets/{id}/authorizations", engineerOnly, h.requestAccess)
	h.handle("GET /engineer/files/{id}", engineerOnly, h.engineerDownload)
	h.handle("GET /engineer/authorizations", engineerOnly, h.engineerAuthorizations)
	h.handle("GET /engineer/authorizations/{id}", engineerOnly, h.engineerAuthorization)
	h.handle("POST /engineer/authorizations/{id}/reveal", engineerOnly, h.reveal)
	h.handle("POST /engineer/authorizations/{id}/withdraw", engineerOnly, h.withdraw)
	h.handle("GET /engineer/audit", engineerOnly, h.audit)
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var f casebook.CaseFilter
	lq, err := readListQuery(r, rc.Loc, &f)
	if err != nil {
		return err
	}
	view := r.URL.Query().Get("view")
	switch view {
	case "", "unassigned":
		view, f.Unassigned = "unassigned", true
	case "mine":
		f.AssigneeID = rc.P.UserID
	case "all":
	default:
		return casebook.Invalidf("view", "Unknown view.")
	}
	cases, total, err := h.Service.Queue(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	pg := makePager(r, lq.Page, len(cases), total)
	h.render(w, r, rc, http.StatusOK, "eng_queue.html", "Queue", map[string]any{
		"View": view, "Q": lq.Q, "Status": lq.Status, "From": lq.From, "To": lq.To, "Statuses": caseStatuses,
		"Cases": cases, "Prev": pg.Prev, "Next": pg.Next, "Range": pg.Range,
	})
	return nil
}

func (h *Handler) engineerTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	d, err := h.Service.EngineerCase(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	auths, _, err := h.Service.EngineerAuthorizations(r.Context(), rc.P, casebook.AuthorizationFilter{CaseID: id, Limit: 100})
	if err != nil {
		return err
	}
	dict, err := h.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	names := caseNamesOf(dict, rc.Lang, d.Case)
	h.render(w, r, rc, http.StatusOK, "eng_ticket.html", "Ticket", map[string]any{
		"Case": d.Case, "Names": names, "Messages": d.Messages, "Authorizations": auths, "MaxMessage": maxMessageChars,
		"EngineerStatuses": []int{casebook.CaseStatusProcessing, casebook.CaseStatusPendingConfirm, casebook.CaseStatusPendingFeedback},
		"ResourceTypes":    casebook.DictEntries(casebook.DictResourceType),
		"VisitTypes":       casebook.DictEntries(casebook.DictVisitType),
		"ContentTypes":     casebook.DictEntries(casebook.DictContentType),
		"DetailSlots":      []int{0, 1, 2},
	})
	return nil
}

func engineerTicketURL(id string) string { return "/engineer/tickets/" + url.PathEscape(id) }

func (h *Handler) take(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if _, err := h.Service.TakeCase(r.Context(), rc.P, id); err != nil {
		return err
	}
	return redirect(w, r, engineerTicketURL(id))
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if _, err := h.Service.Reply(r.Context(), rc.P, id, r.PostFormValue("content")); err != nil {
		return err
	}
	return redirect(w, r, engineerTicketURL(id))
}

func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	status, err := strconv.Atoi(r.PostFormValue("status"))
	if err != nil {
		return casebook.Invalidf("status", "Unknown status.")
	}
	if _, err := h.Service.SetCaseStatus(r.Context(), rc.P, id, status); err != nil {
		return err
	}
	return redirect(w, r, engineerTicketURL(id))
}

// requestAccess reads the request form: up to three detail items, of
// which the unnamed ones are left out.
func (h *Handler) requestAccess(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	in := casebook.AuthorizationRequest{
		ResourceTypeID: r.PostFormValue("resource_type_id"),
		VisitTypeID:    r.PostFormValue("visit_type_id"),
		ContentTypeID:  r.PostFormValue("content_type_id"),
		Describe:       strings.TrimSpace(r.PostFormValue("describe")),
	}
	for i := 0; i < 5; i++ {
		field := func(name string) string {
			return strings.TrimSpace(r.PostFormValue("d" + strconv.Itoa(i) + "-" + name))
		}
		if field("name") == "" && field("id") == "" {
			continue
		}
		d := casebook.AuthDetail{InstanceName: field("name"), InstanceID: field("id"), RegionID: field("region"), Account: field("account")}
		switch field("type") {
		case "0":
			d.Type = casebook.AuthDetailConsole
		case "1", "":
			d.Type = casebook.AuthDetailHost
		default:
			return casebook.Invalidf("type", "Unknown item kind.")
		}
		if p := field("port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				return casebook.Invalidf("port", "The port must be a number.")
			}
			d.Port = n
		}
		in.Details = append(in.Details, d)
	}
	a, err := h.Service.RequestAuthorization(r.Context(), rc.P, id, in)
	if err != nil {
		return err
	}
	return redirect(w, r, "/engineer/authorizations/"+url.PathEscape(a.ID))
}

// engineerDownload sends an attachment of a ticket: engineers see every
// account's tickets, but not the files a customer has not attached yet.
func (h *Handler) engineerDownload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := h.Service.AccessoryByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.CaseID == "" {
		return errNotFound
	}
	if _, err := h.Service.EngineerCase(r.Context(), rc.P, a.CaseID); err != nil {
		return err
	}
	return h.sendAccessory(w, r, a)
}

func (h *Handler) engineerAuthorizations(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := casebook.AuthorizationFilter{EngineerID: rc.P.UserID}
	status, page, err := readAuthQuery(r, &f)
	if err != nil {
		return err
	}
	list, total, err := h.Service.EngineerAuthorizations(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	pg := makePager(r, page, len(list), total)
	h.render(w, r, rc, http.StatusOK, "authorizations.html", "MyAuthorizations", map[string]any{
		"Action": "/engineer/authorizations", "Engineer": true, "Status": status, "Statuses": authStatuses, "List": list,
		"Prev": pg.Prev, "Next": pg.Next, "Range": pg.Range,
	})
	return nil
}

func (h *Handler) engineerAuthorization(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := h.Service.EngineerAuthorization(r.Context(), rc.P, r.PathValue("id"))
	if err != nil {
		return err
	}
	inForce := a.EngineerID == rc.P.UserID && a.InForce(h.serviceNow())
	h.render(w, r, rc, http.StatusOK, "eng_authorization.html", "Authorization", map[string]any{"A": a, "InForce": inForce})
	return nil
}

// revealed is one credential on the reveal page.
type revealed struct {
	Instance, Account, Password string
	Port                        int
}

// reveal opens a grant's credentials for the engineer who requested it:
// the Service refuses outside the window and records every read. The
// page is never stored by the browser or a proxy.
func (h *Handler) reveal(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	w.Header().Set("Cache-Control", "no-store")
	id := r.PathValue("id")
	a, err := h.Service.EngineerAuthorization(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	creds, err := h.Service.ReadCredentials(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(a.Details))
	for _, d := range a.Details {
		names[d.ID] = strings.TrimSpace(d.InstanceName + " " + d.InstanceID)
	}
	out := make([]revealed, len(creds))
	for i, c := range creds {
		out[i] = revealed{Instance: names[c.DetailID], Account: c.Account, Password: c.Password, Port: c.Port}
	}
	h.render(w, r, rc, http.StatusOK, "eng_reveal.html", "Credentials", map[string]any{"ID": a.ID, "Credentials": out})
	return nil
}

func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := h.Service.WithdrawAuthorization(r.Context(), rc.P, id); err != nil {
		return err
	}
	return redirect(w, r, "/engineer/authorizations/"+url.PathEscape(id))
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	events, err := h.Service.FindAudit(r.Context(), casebook.AuditFilter{ActorID: rc.P.UserID, Limit: 200})
	if err != nil {
		return err
	}
	h.render(w, r, rc, http.StatusOK, "eng_audit.html", "MyAudit", map[string]any{"Events": events})
	return nil
}
