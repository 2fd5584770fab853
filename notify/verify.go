package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The function below is copied verbatim into docs/webhooks.md as the
// receivers' verification snippet; TestDocumentedSnippet fails if the two
// drift apart. It uses the standard library only.

// VerifySignature checks the Casebook-Signature header of a webhook request
// ("t=<unix seconds>,v1=<hex HMAC-SHA256>") against the raw request body and
// the subscription's secret. It refuses a signature whose timestamp is more
// than tolerance away from now, so a captured request cannot be replayed
// later. De-duplicate deliveries by the Casebook-Event-Id header.
func VerifySignature(header string, body []byte, secret string, now time.Time, tolerance time.Duration) error {
	var timestamp string
	var signatures []string
	for _, part := range strings.Split(header, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "t":
			timestamp = value
		case "v1":
			signatures = append(signatures, value)
		}
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || len(signatures) == 0 {
		return errors.New("malformed Casebook-Signature header")
	}
	if age := now.Sub(time.Unix(seconds, 0)); age > tolerance || age < -tolerance {
		return errors.New("signature timestamp too old or in the future")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	for _, s := range signatures {
		if given, err := hex.DecodeString(s); err == nil && hmac.Equal(given, expected) {
			return nil
		}
	}
	return errors.New("signature does not match")
}
