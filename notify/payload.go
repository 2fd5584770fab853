package notify

import (
	"encoding/json"
	"time"

	"github.com/casebook/casebook"
)

// Payload is the JSON body of a webhook delivery (docs/webhooks.md).
type Payload struct {
	ID              string            `json:"id"`
	Type            string            `json:"type"`
	OccurredAt      time.Time         `json:"occurred_at"`
	AccountID       string            `json:"account_id"`
	CaseID          string            `json:"case_id,omitempty"`
	AuthorizationID string            `json:"authorization_id,omitempty"`
	Actor           Actor             `json:"actor"`
	Data            map[string]string `json:"data,omitempty"`
}

// Actor is who caused an event.
type Actor struct {
	Realm string `json:"realm"` // customer, engineer or system
	ID    string `json:"id"`
	Name  string `json:"name"`
}

// NewPayload returns the webhook body of an event.
func NewPayload(e *casebook.Event) Payload {
	return Payload{
		ID: e.ID, Type: e.Type, OccurredAt: e.At.UTC(), AccountID: e.AccountID, CaseID: e.CaseID,
		AuthorizationID: e.AuthorizationID,
		Actor:           Actor{Realm: string(e.ActorRealm), ID: e.ActorID, Name: e.ActorName},
		Data:            e.Data,
	}
}

// encodePayload returns the body bytes of an event.
func encodePayload(e *casebook.Event) ([]byte, error) {
	return json.Marshal(NewPayload(e))
}
