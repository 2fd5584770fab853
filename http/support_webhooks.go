package http

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

// Webhook subscriptions on the support side (docs/webhooks.md): the OSM
// customer API has no call for them, so engineers (and operators, with the
// CLI) manage them for an account, named by the account query parameter
// (name or id). The secret is in the creation response only.

const supportMaxWebhookIDLen = 32

// supportWebhook is a subscription as the support API shows it.
type supportWebhook struct {
	ID         string   `json:"id"`
	AccountID  string   `json:"account_id"`
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"` // empty: every type
	Secret     string   `json:"secret,omitempty"`
	CreatedAt  string   `json:"created_at"`
}

func newSupportWebhook(w *casebook.Webhook) supportWebhook {
	types := w.EventTypes
	if types == nil {
		types = []string{}
	}
	return supportWebhook{ID: w.ID, AccountID: w.AccountID, URL: w.URL, EventTypes: types, CreatedAt: formatTime(w.CreatedAt)}
}

// supportDelivery is one entry of a delivery log.
type supportDelivery struct {
	ID            int64   `json:"id"`
	WebhookID     string  `json:"webhook_id"`
	EventID       string  `json:"event_id"`
	EventType     string  `json:"event_type"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"next_attempt_at"`
	LastStatus    int     `json:"last_status"`
	LastError     string  `json:"last_error"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
	DeliveredAt   *string `json:"delivered_at"`
}

func newSupportDelivery(d *casebook.Delivery) supportDelivery {
	out := supportDelivery{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, State: d.State,
		Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: formatTime(d.CreatedAt),
		UpdatedAt: formatTime(d.UpdatedAt), DeliveredAt: formatTimePtr(d.DeliveredAt)}
	if d.State == casebook.DeliveryPending {
		out.NextAttemptAt = formatTimePtr(&d.NextAt)
	}
	return out
}

// supportWebhookAccount reads the required account query parameter.
func supportWebhookAccount(r *http.Request) (string, error) {
	account, err := newQuery(r).String("account", casebook.MaxFilterLength)
	if err != nil {
		return "", err
	} else if account == "" {
		return "", casebook.Invalidf("account", "account is required.")
	}
	return account, nil
}

// supportWebhookTarget reads the account query parameter and the webhook id
// of the path.
func supportWebhookTarget(r *http.Request) (account, id string, err error) {
	if account, err = supportWebhookAccount(r); err != nil {
		return "", "", err
	}
	id = r.PathValue("webhook_id")
	if id == "" || utf8.RuneCountInString(id) > supportMaxWebhookIDLen {
		return "", "", casebook.NotFoundf("Webhook not found.")
	}
	return account, id, nil
}

func (s *Server) handleSupportListWebhooks(w http.ResponseWriter, r *http.Request) error {
	account, err := supportWebhookAccount(r)
	if err != nil {
		return err
	}
	hooks, err := s.Service.Webhooks(r.Context(), account)
	if err != nil {
		return err
	}
	resp := struct {
		Webhooks []supportWebhook `json:"webhooks"`
	}{wireAll(hooks, newSupportWebhook)}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleSupportCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Account    string   `json:"account"`
		URL        string   `json:"url"`
		EventTypes []string `json:"event_types"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Account == "" {
		return casebook.Invalidf("account", "account is required.")
	} else if err := checkLength("account", req.Account, 0, casebook.MaxFilterLength); err != nil {
		return err
	}
	hook, secret, err := s.Service.CreateWebhook(r.Context(), req.Account, casebook.WebhookInput{URL: req.URL, EventTypes: req.EventTypes})
	if err != nil {
		return err
	}
	out := newSupportWebhook(hook)
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleSupportDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	account, id, err := supportWebhookTarget(r)
	if err != nil {
		return err
	}
	if err := s.Service.DeleteWebhook(r.Context(), account, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleSupportListDeliveries(w http.ResponseWriter, r *http.Request) error {
	account, id, err := supportWebhookTarget(r)
	if err != nil {
		return err
	}
	var req struct {
		State string `query:"state" max:"16"`
		Limit int    `query:"limit" min:"1" max:"1000" default:"100"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ds, err := s.Service.WebhookDeliveries(r.Context(), account, id, req.State, req.Limit)
	if err != nil {
		return err
	}
	resp := struct {
		Deliveries []supportDelivery `json:"deliveries"`
	}{wireAll(ds, newSupportDelivery)}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleSupportRedeliver(w http.ResponseWriter, r *http.Request) error {
	account, webhookID, err := supportWebhookTarget(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("delivery_id"), 10, 64)
	if err != nil || id <= 0 {
		return casebook.NotFoundf("Delivery not found.")
	}
	d, err := s.Service.Redeliver(r.Context(), account, webhookID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSupportDelivery(d))
}
