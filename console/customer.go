package console

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// Form limits shown in the pages (the Service enforces its own).
const (
	maxDescriptionChars = 2000
	maxMessageChars     = 10000
	maxReasonChars      = 300
	pageSize            = 20
)

func (h *Handler) routes() {
	static := http.FileServerFS(staticFS)
	h.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(w, r)
	}))

	h.handle("GET /{$}", public, h.home)
	h.handle("GET /login", public, h.loginPage(false))
	h.handle("POST /login", public, h.login(false))
	h.handle("GET /engineer/login", public, h.loginPage(true))
	h.handle("POST /engineer/login", public, h.login(true))
	h.handle("POST /logout", public, h.logout)
	h.handle("POST /prefs/lang", public, h.setLanguage)
	h.handle("POST /prefs/group", customerOnly, h.setGroup)

	h.handle("GET /tickets", customerOnly, h.tickets)
	h.handle("GET /tickets/new", customerOnly, h.newTicket)
	h.handle("POST /tickets", customerOnly, h.createTicket)
	h.handle("GET /tickets/{id}", customerOnly, h.ticket)
	h.handle("POST /tickets/{id}/messages", customerOnly, h.createMessage)
	h.handle("POST /tickets/{id}/actions", customerOnly, h.ticketAction)
	h.handle("POST /tickets/{id}/rate", customerOnly, h.rate)
	h.handle("POST /tickets/{id}/relations", customerOnly, h.associate)
	h.handle("POST /tickets/{id}/relations/{related}/delete", customerOnly, h.dissociate)
	h.handle("GET /attachments/{id}", customerOnly, h.download)

	h.handle("GET /authorizations", customerOnly, h.authorizations)
	h.handle("GET /authorizations/{id}", customerOnly, h.authorization)
	h.handle("GET /authorizations/{id}/confirm", customerOnly, h.confirmPage)
	h.handle("POST /authorizations/{id}/confirm", customerOnly, h.confirm)
	h.handle("POST /authorizations/{id}/reject", customerOnly, h.reject)
	h.handle("POST /authorizations/{id}/revoke", customerOnly, h.revoke)

	h.labelRoutes()
	h.engineerRoutes()

	h.handle("/", public, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error { return errNotFound })
}

// redirect answers a successful POST with a redirect to a page (POST,
// redirect, GET: a reload never sends a form twice).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := h.principal(r)
	switch {
	case err != nil:
		return redirect(w, r, "/login")
	case p.Realm == casebook.RealmEngineer:
		return redirect(w, r, "/engineer/queue")
	}
	return redirect(w, r, "/tickets")
}

type loginData struct {
	Engineer      bool
	Account, User string // echoed back after a failure; never the password
	Error         string
}

func (h *Handler) loginPage(engineer bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		title := "LogIn"
		if engineer {
			title = "EngineerLogin"
		}
		h.render(w, r, rc, http.StatusOK, "login.html", title, loginData{Engineer: engineer})
		return nil
	}
}

// login checks the password through the Service, which rate-limits
// attempts, and starts a session.
func (h *Handler) login(engineer bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		d := loginData{Engineer: engineer, Account: r.PostFormValue("account"), User: r.PostFormValue("user")}
		password := r.PostFormValue("password")
		var (
			p     *casebook.Principal
			epoch int64
			err   error
		)
		if engineer {
			p, epoch, err = h.Service.LoginEngineer(r.Context(), d.User, password)
		} else {
			p, epoch, err = h.Service.LoginCustomer(r.Context(), d.Account, d.User, password)
		}
		if code := casebook.ErrorCode(err); code == casebook.EUNAUTHORIZED || code == casebook.ELIMIT || code == casebook.EINVALID || code == casebook.ENOTFOUND {
			status := http.StatusUnauthorized
			d.Error = catalog(rc.Lang)["LoginFailed"]
			if code == casebook.ELIMIT {
				status = http.StatusTooManyRequests
				if msg, detail := errorText(rc.Lang, err); detail != "" {
					d.Error = msg + " (" + detail + ")"
				} else {
					d.Error = msg
				}
			}
			title := "LogIn"
			if engineer {
				title = "EngineerLogin"
			}
			h.render(w, r, rc, status, "login.html", title, d)
			return nil
		} else if err != nil {
			return err
		}
		if err := h.startSession(w, r, p, epoch); err != nil {
			return err
		}
		if engineer {
			return redirect(w, r, "/engineer/queue")
		}
		return redirect(w, r, "/tickets")
	}
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	engineer := false
	if p, err := h.principal(r); err == nil && p.Realm == casebook.RealmEngineer {
		engineer = true
	}
	h.deleteCookie(w, r, sessionCookie)
	h.deleteCookie(w, r, groupCookie)
	h.setCookie(w, r, csrfCookie, newCSRFSecret(), SessionTTL)
	if engineer {
		return redirect(w, r, "/engineer/login")
	}
	return redirect(w, r, "/login")
}

// localBack returns a local path to go back to, or "/".
func localBack(v string) string {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "\\\r\n") {
		return "/"
	}
	return v
}

// backOr returns the form's local "back" path, or def.
func backOr(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return localBack(b)
	}
	return def
}

func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang := r.PostFormValue("lang")
	if lang != casebook.LangZhCN && lang != casebook.LangEnUS {
		return casebook.Invalidf("lang", "Unknown language %q.", short(lang, 16))
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	return redirect(w, r, localBack(r.PostFormValue("back")))
}

func (h *Handler) setGroup(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	g := r.PostFormValue("group")
	if g == "" {
		h.deleteCookie(w, r, groupCookie)
		return redirect(w, r, backOr(r, "/tickets"))
	}
	if _, err := h.Service.ScopeFor(r.Context(), rc.P, g); err != nil {
		return err
	}
	h.setCookie(w, r, groupCookie, g, SessionTTL)
	return redirect(w, r, backOr(r, "/tickets"))
}

// listQuery holds the list filters read from a query string.
type listQuery struct {
	Q, Status, From, To string
	Label               string // a label id; customers' list only
	Page                int
}

// readListQuery reads q, status, from, to (dates in the user's time zone)
// and page, refusing values that are not what the forms send.
func readListQuery(r *http.Request, loc *time.Location, f *casebook.CaseFilter) (listQuery, error) {
	q := r.URL.Query()
	lq := listQuery{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), From: q.Get("from"), To: q.Get("to"), Page: 1}
	if len(lq.Q) > 200 {
		return lq, casebook.Invalidf("q", "The search text can be at most 200 characters.")
	}
	f.AppKey = lq.Q
	if lq.Status != "" {
		n, err := strconv.Atoi(lq.Status)
		if err != nil {
			return lq, casebook.Invalidf("status", "Unknown status.")
		}
		f.Status = &n
	}
	for _, d := range []struct {
		v    string
		dst  **time.Time
		next bool
	}{{lq.From, &f.CreatedFrom, false}, {lq.To, &f.CreatedTo, true}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.v, loc)
		if err != nil {
			return lq, casebook.Invalidf("date", "Dates are YYYY-MM-DD.")
		}
		if d.next {
			t = t.AddDate(0, 0, 1).Add(-time.Millisecond)
		}
		*d.dst = &t
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return lq, casebook.Invalidf("page", "Unknown page.")
		}
		lq.Page = n
	}
	f.Offset, f.Limit = (lq.Page-1)*pageSize, pageSize
	return lq, nil
}

// pager holds the links of a list's paging bar.
type pager struct{ Prev, Next, Range string }

func makePager(r *http.Request, page, count, total int) pager {
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	var p pager
	if page > 1 {
		p.Prev = link(page - 1)
	}
	first := (page-1)*pageSize + 1
	if (page-1)*pageSize+count < total {
		p.Next = link(page + 1)
	}
	if count > 0 {
		p.Range = fmt.Sprintf("%d–%d / %d", first, first+count-1, total)
	}
	return p
}

var caseStatuses = []int{
	casebook.CaseStatusPendingAcceptance, casebook.CaseStatusProcessing, casebook.CaseStatusPendingConfirm,
	casebook.CaseStatusPendingFeedback, casebook.CaseStatusCompleted, casebook.CaseStatusCancelled,
}

// readLabelFilter reads the label filter of the customer's list: one of
// the caller's label ids (the Service refuses anyone else's).
func readLabelFilter(r *http.Request, lq *listQuery, f *casebook.CaseFilter) error {
	vs := r.URL.Query()["label"]
	switch {
	case len(vs) == 0 || len(vs) == 1 && vs[0] == "":
		return nil
	case len(vs) > 1:
		return casebook.Invalidf("label", "Choose one label.")
	}
	id, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil {
		return casebook.Invalidf("label", "Unknown label.")
	}
	lq.Label, f.LabelIDs = vs[0], []int64{id}
	return nil
}

func (h *Handler) tickets(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var f casebook.CaseFilter
	lq, err := readListQuery(r, rc.Loc, &f)
	if err != nil {
		return err
	}
	if err := readLabelFilter(r, &lq, &f); err != nil {
		return err
	}
	labels, err := h.myLabels(r, rc.P)
	if err != nil {
		return err
	}
	cases, total, err := h.Service.ListCases(r.Context(), rc.P, rc.Group, f)
	if err != nil {
		return err
	}
	groups, err := h.groupsOf(r, rc.P)
	if err != nil {
		return err
	}
	pg := makePager(r, lq.Page, len(cases), total)
	h.render(w, r, rc, http.StatusOK, "tickets.html", "Tickets", map[string]any{
		"Q": lq.Q, "Status": lq.Status, "From": lq.From, "To": lq.To, "Statuses": caseStatuses,
		"Label": lq.Label, "Labels": labels, "Cases": cases, "Prev": pg.Prev, "Next": pg.Next, "Range": pg.Range, "Groups": groups,
	})
	return nil
}

// groupOption is a group in the group switch.
type groupOption struct{ ID, Name string }

// groupsOf names the groups of a customer for the group switch.
func (h *Handler) groupsOf(r *http.Request, p *casebook.Principal) ([]groupOption, error) {
	if len(p.Groups) == 0 {
		return nil, nil
	}
	groups, err := h.Service.MyGroups(r.Context(), p)
	out := make([]groupOption, 0, len(groups))
	for _, g := range groups {
		out = append(out, groupOption{g.ID, g.Name})
	}
	return out, err
}

// ticketForm is the new-ticket form: the choices of the dictionaries as
// stored (Service.Dictionaries, what CreateCase checks), in the page's
// language, with what the user entered and the error of a refused try.
type ticketForm struct {
	ProblemTypes, Categories, Products, Severities, Regions []option
	In                                                      casebook.CaseInput
	Error, ErrorDetail, ErrorField                          string
	MaxDescription                                          int
	Accept, FileHint                                        string
}

// option is one choice of a select; Hint says more (that a problem type
// needs a region).
type option struct{ ID, Name, Hint string }

func items(list []casebook.DictItem, lang string) []option {
	out := make([]option, len(list))
	for i, it := range list {
		out[i] = option{ID: it.ID, Name: it.Name.In(lang)}
	}
	return out
}

func (h *Handler) ticketForm(r *http.Request, rc *reqCtx, in casebook.CaseInput) (*ticketForm, error) {
	d, err := h.Service.Dictionaries(r.Context())
	if err != nil {
		return nil, err
	}
	f := &ticketForm{In: in, MaxDescription: maxDescriptionChars,
		Categories: items(d.CaseCategories, rc.Lang), Severities: items(d.Severities, rc.Lang), Regions: items(d.Regions, rc.Lang)}
	needsRegion := catalog(rc.Lang)["NeedsRegion"]
	for _, p := range d.ProblemTypes {
		o := option{ID: p.ID, Name: p.Name.In(rc.Lang)}
		if p.CaseType == casebook.BusinessCaseFault {
			o.Hint = needsRegion
		}
		f.ProblemTypes = append(f.ProblemTypes, o)
	}
	for _, p := range d.ProductCategories {
		f.Products = append(f.Products, option{ID: p.ID, Name: p.Name.In(rc.Lang)})
	}
	cfg := h.Service.Config
	accept := make([]string, len(cfg.AccessoryTypes))
	for i, t := range cfg.AccessoryTypes {
		accept[i] = "." + t
	}
	f.Accept = strings.Join(accept, ",")
	f.FileHint = fmt.Sprintf("≤ %d × %d MB: %s", cfg.AccessoryMaxCount, cfg.AccessoryMaxSize>>20, strings.Join(cfg.AccessoryTypes, ", "))
	return f, nil
}

func (h *Handler) newTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := h.ticketForm(r, rc, casebook.CaseInput{SeverityID: "3"})
	if err != nil {
		return err
	}
	h.render(w, r, rc, http.StatusOK, "ticket_new.html", "NewTicket", f)
	return nil
}

// refuseTicket shows the form again with the user's input and the
// Service's error, for input errors; other errors take the error page.
func (h *Handler) refuseTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx, in casebook.CaseInput, refused error) error {
	if casebook.ErrorCode(refused) != casebook.EINVALID {
		return refused
	}
	f, err := h.ticketForm(r, rc, in)
	if err != nil {
		return err
	}
	f.Error, f.ErrorDetail = errorText(rc.Lang, refused)
	var e *casebook.Error
	if errors.As(refused, &e) {
		f.ErrorField = e.Field
	}
	h.render(w, r, rc, http.StatusBadRequest, "ticket_new.html", "NewTicket", f)
	return nil
}

// uploadFiles stores the files of a multipart form field as attachments of
// the caller and returns their ids.
func (h *Handler) uploadFiles(r *http.Request, p *casebook.Principal, from string) ([]string, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var ids []string
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the browser sends an empty part when no file was chosen
		}
		id, err := h.uploadOne(r, p, from, fh)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (h *Handler) uploadOne(r *http.Request, p *casebook.Principal, from string, fh *multipart.FileHeader) (string, error) {
	f, err := fh.Open()
	if err != nil {
		return "", fmt.Errorf("open uploaded file: %w", err)
	}
	defer f.Close()
	ct := fh.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	a, err := h.Service.UploadAccessory(r.Context(), p, casebook.UploadInput{
		FileName: path.Base(strings.ReplaceAll(fh.Filename, "\\", "/")), ContentType: ct, From: from, Size: fh.Size,
	}, f)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

func (h *Handler) createTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := casebook.CaseInput{
		BusinessTypeID:    r.PostFormValue("business_type_id"),
		IncidentSubTypeID: r.PostFormValue("incident_sub_type_id"),
		ProductCategoryID: r.PostFormValue("product_category_id"),
		SeverityID:        r.PostFormValue("severity_id"),
		RegionID:          strings.TrimSpace(r.PostFormValue("region_id")),
		SimpleDescription: r.PostFormValue("simple_description"),
	}
	// Checked before any upload, so a bad form leaves no orphan files.
	if err := in.Validate(); err != nil {
		return h.refuseTicket(w, r, rc, in, err)
	}
	ids, err := h.uploadFiles(r, rc.P, casebook.AccessoryFromIncident)
	if err != nil {
		return h.refuseTicket(w, r, rc, in, err)
	}
	in.AccessoryIDs = ids
	c, err := h.Service.CreateCase(r.Context(), rc.P, in)
	if err != nil {
		in.AccessoryIDs = nil // uploaded, unattached: the user chooses the files again
		return h.refuseTicket(w, r, rc, in, err)
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(c.ID))
}

func (h *Handler) ticket(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return h.renderTicket(w, r, rc, http.StatusOK, nil)
}

// renderTicket shows a ticket's page; labelErr is the error of a refused
// label form, shown beside it.
func (h *Handler) renderTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, labelErr error) error {
	id := r.PathValue("id")
	d, err := h.Service.GetCase(r.Context(), rc.P, rc.Group, id)
	if err != nil {
		return err
	}
	auths, _, err := h.Service.ListAuthorizations(r.Context(), rc.P, rc.Group, casebook.AuthorizationFilter{CaseID: id, Limit: 100})
	if err != nil {
		return err
	}
	relations, err := h.Service.ListRelations(r.Context(), rc.P, rc.Group, id)
	if err != nil {
		return err
	}
	hist, err := h.caseHistory(r, rc, id)
	if err != nil {
		return err
	}
	// One read of the dictionaries serves the names and the score inputs.
	dict, err := h.Service.Dictionaries(r.Context())
	if err != nil {
		return err
	}
	dims := dict.SatisfactionDimensions
	names := caseNamesOf(dict, rc.Lang, d.Case)
	labels, err := h.ticketLabels(r, rc, id, labelErr)
	if err != nil {
		return err
	}
	h.render(w, r, rc, status, "ticket.html", "Ticket", map[string]any{
		"Labels": labels, "Case": d.Case, "Names": names, "Messages": d.Messages, "Authorizations": auths, "Relations": relations, "History": hist,
		"FilePrefix": "/attachments/", "MaxMessage": maxMessageChars,
		"Scores": d.Scores, "Dimensions": scoreInputs(dims, rc.Lang),
		"Rateable": d.Case.Status == casebook.CaseStatusCompleted && len(d.Scores) == 0 && len(dims) > 0,
	})
	return nil
}

// caseNames names a ticket's dictionary ids from the stored dictionaries
// in the page's language; an id no longer in them shows as itself.
type caseNames struct{ ProblemType, Category, Product, Severity, Region string }

func caseNamesOf(d *casebook.Dictionaries, lang string, c *casebook.Case) caseNames {
	name := func(id string, find func(string) (casebook.Names, bool)) string {
		if id == "" {
			return ""
		}
		if n, ok := find(id); ok && n.In(lang) != "" {
			return n.In(lang)
		}
		return id
	}
	item := func(list []casebook.DictItem) func(string) (casebook.Names, bool) {
		return func(id string) (casebook.Names, bool) {
			for _, it := range list {
				if it.ID == id {
					return it.Name, true
				}
			}
			return casebook.Names{}, false
		}
	}
	return caseNames{
		ProblemType: name(c.BusinessTypeID, func(id string) (casebook.Names, bool) {
			for _, p := range d.ProblemTypes {
				if p.ID == id {
					return p.Name, true
				}
			}
			return casebook.Names{}, false
		}),
		Product: name(c.ProductCategoryID, func(id string) (casebook.Names, bool) {
			for _, p := range d.ProductCategories {
				if p.ID == id {
					return p.Name, true
				}
			}
			return casebook.Names{}, false
		}),
		Category: name(c.IncidentSubTypeID, item(d.CaseCategories)),
		Severity: name(c.SeverityID, item(d.Severities)),
		Region:   name(c.RegionID, item(d.Regions)),
	}
}

// historyPageSize is the number of events on one page of a ticket's history.
const historyPageSize = casebook.MaxPageLimit

// historyRow is one event of a ticket's history as the page shows it.
type historyRow struct {
	At              time.Time
	Who             string
	Engineer        bool
	Kind            int
	Text            string // casebook.CaseEventText in the page's language
	AuthorizationID string // the authorization the event is about, if any
}

// historyView is one page of a ticket's history.
type historyView struct {
	Rows       []historyRow
	Prev, Next string
	Range      string
}

// authorizationEvents are the case events whose detail is an authorization id.
var authorizationEvents = map[int]bool{
	casebook.CaseEventAuthRequested: true, casebook.CaseEventAuthConfirmed: true,
	casebook.CaseEventAuthRejected: true, casebook.CaseEventAuthCancelled: true,
	casebook.CaseEventAuthWithdrawn: true, casebook.CaseEventAuthExpired: true,
	casebook.CaseEventCredentialsRead: true,
}

// caseHistory reads the page of the ticket's history that the query's
// "history" parameter names (1 by default), oldest first: the Service's
// one log of every change, each credential read included.
func (h *Handler) caseHistory(r *http.Request, rc *reqCtx, id string) (historyView, error) {
	page := 1
	if v := r.URL.Query().Get("history"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > casebook.MaxListOffset/historyPageSize+1 {
			return historyView{}, casebook.Invalidf("history", "Unknown page of the history.")
		}
		page = n
	}
	offset := (page - 1) * historyPageSize
	events, total, err := h.Service.CaseLog(r.Context(), rc.P, rc.Group, id, offset, historyPageSize)
	if err != nil {
		return historyView{}, err
	}
	var v historyView
	for _, e := range events {
		row := historyRow{At: e.At, Who: e.ActorName, Engineer: e.ActorRealm == casebook.RealmEngineer, Kind: e.Kind,
			Text: casebook.CaseEventText(e, rc.Lang)}
		if authorizationEvents[e.Kind] {
			row.AuthorizationID = e.Detail
		}
		v.Rows = append(v.Rows, row)
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("history", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode() + "#history"
	}
	if page > 1 {
		v.Prev = link(page - 1)
	}
	if offset+len(events) < total {
		v.Next = link(page + 1)
	}
	if total > historyPageSize && len(events) > 0 {
		v.Range = fmt.Sprintf("%d–%d / %d", offset+1, offset+len(events), total)
	}
	return v, nil
}

func (h *Handler) createMessage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	// The ticket must be visible before anything is uploaded for it.
	if _, err := h.Service.GetCase(r.Context(), rc.P, rc.Group, id); err != nil {
		return err
	}
	content := r.PostFormValue("content")
	if strings.TrimSpace(content) == "" {
		return casebook.Invalidf("content", "The message is empty.")
	}
	ids, err := h.uploadFiles(r, rc.P, casebook.AccessoryFromMessage)
	if err != nil {
		return err
	}
	if _, err := h.Service.CreateMessage(r.Context(), rc.P, rc.Group, id, content, ids); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id))
}

func (h *Handler) ticketAction(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	in := casebook.CaseActionInput{Action: r.PostFormValue("action")}
	if in.Action == casebook.CaseActionClose {
		in.Judgement = strings.TrimSpace(r.PostFormValue("judgement"))
		scores, err := h.readScores(r)
		if err != nil {
			return err
		}
		in.Scores = scores
	}
	if err := h.Service.CaseAction(r.Context(), rc.P, rc.Group, id, in); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id))
}

// rate stores the scores of a completed ticket closed without them.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	scores, err := h.readScores(r)
	if err != nil {
		return err
	}
	if len(scores) == 0 {
		return casebook.Invalidf("score", "There is nothing to rate: no satisfaction dimension is configured.")
	}
	if err := h.Service.RateCase(r.Context(), rc.P, rc.Group, id, strings.TrimSpace(r.PostFormValue("judgement")), scores); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id))
}

// scoreInput is the input of one satisfaction dimension in the close and
// rate forms.
type scoreInput struct {
	ID                int
	Name, Description string
	Max               int
}

func scoreInputs(dims []casebook.SatisfactionDimension, lang string) []scoreInput {
	out := make([]scoreInput, len(dims))
	for i, d := range dims {
		out[i] = scoreInput{ID: d.ID, Name: d.Name.In(lang), Description: d.Description.In(lang), Max: d.MaxValue}
	}
	return out
}

// readScores reads one score per configured satisfaction dimension
// ("score-<id>"); the Service checks each against its dimension's range.
func (h *Handler) readScores(r *http.Request) ([]casebook.ScoreInput, error) {
	dims, err := h.Service.ListSatisfactionDimensions(r.Context())
	if err != nil {
		return nil, err
	}
	var out []casebook.ScoreInput
	for _, d := range dims {
		v := strings.TrimSpace(r.PostFormValue("score-" + strconv.Itoa(d.ID)))
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, casebook.Invalidf("score", "Give a score from 0 to %d for %q.", d.MaxValue, d.Name.EnUS)
		}
		out = append(out, casebook.ScoreInput{DimensionID: d.ID, Value: n})
	}
	return out, nil
}

// download sends an attachment the customer may see.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	found, err := h.Service.OpenAccessories(r.Context(), rc.P, rc.Group, []string{r.PathValue("id")})
	if err != nil {
		return err
	}
	return h.sendAccessory(w, r, found[0])
}

// sendAccessory streams an attachment as a download, never rendered inline:
// its content and name are the uploader's.
func (h *Handler) sendAccessory(w http.ResponseWriter, r *http.Request, a *casebook.Accessory) error {
	rc, err := h.Service.OpenBlob(r.Context(), a)
	if err != nil {
		return err
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName})
	if disposition == "" {
		disposition = "attachment" // a name the header cannot carry
	}
	hd.Set("Content-Disposition", disposition)
	hd.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = io.Copy(w, rc)
	if err != nil {
		h.Logger.Warn("console: download interrupted", "accessory", a.ID, "err", err)
	}
	return nil
}

var authStatuses = []int{
	casebook.AuthStatusPending, casebook.AuthStatusAuthorized, casebook.AuthStatusRejected,
	casebook.AuthStatusExpired, casebook.AuthStatusWithdrawn, casebook.AuthStatusCancelled,
}

// readAuthQuery reads the status and page of an authorization list.
func readAuthQuery(r *http.Request, f *casebook.AuthorizationFilter) (status string, page int, err error) {
	q := r.URL.Query()
	status, page = q.Get("status"), 1
	if status != "" {
		n, err := strconv.Atoi(status)
		if err != nil {
			return status, page, casebook.Invalidf("status", "Unknown status.")
		}
		f.Status = &n
	}
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 10000 {
			return status, 1, casebook.Invalidf("page", "Unknown page.")
		}
	}
	f.Offset, f.Limit = (page-1)*pageSize, pageSize
	return status, page, nil
}

func (h *Handler) authorizations(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var f casebook.AuthorizationFilter
	status, page, err := readAuthQuery(r, &f)
	if err != nil {
		return err
	}
	list, total, err := h.Service.ListAuthorizations(r.Context(), rc.P, rc.Group, f)
	if err != nil {
		return err
	}
	groups, err := h.groupsOf(r, rc.P)
	if err != nil {
		return err
	}
	pg := makePager(r, page, len(list), total)
	h.render(w, r, rc, http.StatusOK, "authorizations.html", "Authorizations", map[string]any{
		"Action": "/authorizations", "Status": status, "Statuses": authStatuses, "List": list,
		"Prev": pg.Prev, "Next": pg.Next, "Range": pg.Range, "Groups": groups,
	})
	return nil
}

func (h *Handler) authorization(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := h.Service.GetAuthorization(r.Context(), rc.P, rc.Group, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.render(w, r, rc, http.StatusOK, "authorization.html", "Authorization", map[string]any{"A": a, "MaxReason": maxReasonChars})
	return nil
}

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	a, err := h.Service.GetAuthorization(r.Context(), rc.P, rc.Group, r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.Status != casebook.AuthStatusPending {
		return redirect(w, r, "/authorizations/"+url.PathEscape(a.ID))
	}
	// The proposed window: from now for the shorter of 4 hours and the cap.
	now := h.serviceNow().In(rc.Loc)
	end := now.Add(min(4*time.Hour, h.Service.Config.MaxGrantDuration))
	h.render(w, r, rc, http.StatusOK, "confirm.html", "ConfirmAuthorization", map[string]any{
		"A": a, "Start": now.Format(datetimeLocal), "End": end.Format(datetimeLocal),
		"MaxDuration": humanDuration(h.Service.Config.MaxGrantDuration),
	})
	return nil
}

// humanDuration writes a duration in days and hours.
func humanDuration(d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	}
	return d.String()
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	in := casebook.ConfirmInput{AgencyID: strings.TrimSpace(r.PostFormValue("agency"))}
	for _, v := range r.PostForm["detail"] {
		detailID, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return casebook.Invalidf("detail", "Unknown item.")
		}
		c := casebook.Credential{DetailID: detailID, Account: strings.TrimSpace(r.PostFormValue("account-" + v)), Password: r.PostFormValue("password-" + v)}
		if p := strings.TrimSpace(r.PostFormValue("port-" + v)); p != "" {
			if c.Port, err = strconv.Atoi(p); err != nil {
				return casebook.Invalidf("port", "The port must be a number.")
			}
		}
		in.Credentials = append(in.Credentials, c)
	}
	for _, t := range []struct {
		field string
		dst   **time.Time
	}{{"start", &in.EffectiveAt}, {"end", &in.ExpireAt}} {
		v, err := time.ParseInLocation(datetimeLocal, r.PostFormValue(t.field), rc.Loc)
		if err != nil {
			return casebook.Invalidf(t.field, "Give the start and end of the window as date and time.")
		}
		*t.dst = &v
	}
	err := h.Service.ConfirmAuthorization(r.Context(), rc.P, rc.Group, id, in)
	for i := range in.Credentials {
		in.Credentials[i].Password = ""
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/authorizations/"+url.PathEscape(id))
}

func (h *Handler) reject(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := h.Service.RejectAuthorization(r.Context(), rc.P, rc.Group, id, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		return err
	}
	return redirect(w, r, "/authorizations/"+url.PathEscape(id))
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := h.Service.CancelAuthorization(r.Context(), rc.P, rc.Group, id); err != nil {
		return err
	}
	return redirect(w, r, "/authorizations/"+url.PathEscape(id))
}

// serviceNow is the Service's clock, which decides what is in force.
func (h *Handler) serviceNow() time.Time {
	if h.Service.Now != nil {
		return h.Service.Now()
	}
	return time.Now()
}

func (h *Handler) associate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	related := strings.TrimSpace(r.PostFormValue("related_id"))
	if related == "" {
		return casebook.Invalidf("related_id", "Give the id of the ticket to associate.")
	}
	if err := h.Service.CreateRelations(r.Context(), rc.P, rc.Group, id, []string{related}); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id))
}

func (h *Handler) dissociate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := h.Service.DeleteRelation(r.Context(), rc.P, rc.Group, id, r.PathValue("related")); err != nil {
		return err
	}
	return redirect(w, r, "/tickets/"+url.PathEscape(id))
}
