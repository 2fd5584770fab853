package notify_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook/notify"
)

func TestSignatureVerifies(t *testing.T) {
	secret := "whsec_0123456789abcdef"
	body := []byte(`{"id":"EV1","type":"case.created"}`)
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	header := notify.Sign([]byte(secret), now, body)
	if !strings.HasPrefix(header, "t=1796605200,v1=") || len(header) != len("t=1796605200,v1=")+64 {
		t.Fatalf("header %q", header)
	}
	if err := notify.VerifySignature(header, body, secret, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	for name, tc := range map[string]struct {
		header string
		body   []byte
		secret string
		now    time.Time
	}{
		"TamperedBody":     {header, []byte(`{"id":"EV1","type":"case.deleted"}`), secret, now},
		"ExtraByte":        {header, append(append([]byte(nil), body...), ' '), secret, now},
		"WrongSecret":      {header, body, secret + "x", now},
		"OldTimestamp":     {header, body, secret, now.Add(6 * time.Minute)},
		"FutureTimestamp":  {header, body, secret, now.Add(-6 * time.Minute)},
		"ShiftedTimestamp": {strings.Replace(header, "t=1796605200", "t=1796605260", 1), body, secret, now},
		"NoSignature":      {"t=1796605200", body, secret, now},
		"Garbage":          {"nonsense", body, secret, now},
		"Empty":            {"", body, secret, now},
	} {
		t.Run(name, func(t *testing.T) {
			if err := notify.VerifySignature(tc.header, tc.body, tc.secret, tc.now, 5*time.Minute); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	// Several v1 values (as during a secret rotation): one matching is enough.
	other := notify.Sign([]byte("whsec_other"), now, body)
	both := other + "," + header[strings.Index(header, "v1="):]
	if err := notify.VerifySignature(both, body, secret, now, time.Minute); err != nil {
		t.Fatalf("one of two signatures valid: %v", err)
	}
}

// TestDocumentedSnippet: the verification function printed in
// docs/webhooks.md is, byte for byte, the VerifySignature that
// TestSignatureVerifies runs.
func TestDocumentedSnippet(t *testing.T) {
	doc, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("verify.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "// VerifySignature checks")
	if start < 0 {
		t.Fatal("VerifySignature not found in verify.go")
	}
	fn := strings.TrimSpace(string(src[start:]))
	if !strings.Contains(string(doc), "```go\n"+fn+"\n```") {
		t.Fatal("docs/webhooks.md does not hold verify.go's VerifySignature verbatim in a ```go block")
	}
}
