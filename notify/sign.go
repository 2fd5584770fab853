package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Headers of a webhook delivery.
const (
	HeaderSignature = "Casebook-Signature"        // t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
	HeaderEventID   = "Casebook-Event-Id"         // stable across retries and redeliveries: de-duplicate by it
	HeaderEventType = "Casebook-Event-Type"       // e.g. authorization.requested
	HeaderDelivery  = "Casebook-Delivery-Id"      // the delivery log entry
	HeaderAttempt   = "Casebook-Delivery-Attempt" // 1 for the first attempt
)

// Sign returns the Casebook-Signature header value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
