package auth_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// The fuzz targets of the credentials parsers. `go test` runs their seed
// corpora (the test vectors, issued tokens and links, and testdata/fuzz/);
// `make fuzz` explores each for a minute. A target fails on a panic or on
// a broken invariant: nothing forged or altered verifies.

var fuzzNow = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// FuzzParseAuthorization: any Authorization header parses or is refused,
// and what parses is well-formed.
func FuzzParseAuthorization(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Expected.Authorization)
	}
	f.Add("SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=")
	f.Add("SDK-HMAC-SHA256 Access=HCEXAMPLEAK0123456789, Access=x, SignedHeaders=x-sdk-date, Signature=00")
	f.Fuzz(func(t *testing.T, header string) {
		sh, err := auth.ParseAuthorization(header)
		if err != nil {
			return
		}
		if sh.AccessKey == "" || len(sh.SignedHeaders) == 0 || len(sh.Signature) != 64 {
			t.Fatalf("ParseAuthorization(%q) accepted %+v", header, sh)
		}
	})
}

// FuzzVerifyRequest: any request a Go server can parse is verified or
// refused without a panic, and one that verifies with the vectors' secret
// does not verify with another.
func FuzzVerifyRequest(f *testing.F) {
	vs := loadVectors(f)
	for _, v := range vs {
		f.Add(v.Wire.RawHTTPRequest)
	}
	secret := []byte(vs[0].Credentials.SK)
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		if auth.VerifyRequest(r, body, secret, fuzzNow, 0) != nil {
			return
		}
		if auth.VerifyRequest(r, body, []byte("another secret key"), fuzzNow, 0) == nil {
			t.Fatalf("a request verified with two secrets:\n%s", raw)
		}
	})
}

// FuzzSignThenVerify: a request signed the SDK's way, sent over the wire
// and parsed by a Go server, verifies; with one byte of its body changed,
// it does not. This checks that the signer and the verifier build the same
// canonical request for any path, query, header and body.
func FuzzSignThenVerify(f *testing.F) {
	for _, v := range loadVectors(f) {
		q := v.Wire.RawQuery
		var hname, hvalue string
		for k, val := range v.Request.HeadersBeforeSigning {
			if k != "Content-Type" && k != "X-Sdk-Date" {
				hname, hvalue = k, val
				break
			}
		}
		body := []byte(nil)
		if r, b := v.wireRequest(f); r != nil {
			body = b
		}
		f.Add(v.Request.Method, v.Request.Path, q, hname, hvalue, v.Request.HeadersBeforeSigning["Content-Type"], body)
	}
	f.Fuzz(func(t *testing.T, method, path, rawQuery, hname, hvalue, contentType string, body []byte) {
		u := &url.URL{Scheme: "http", Host: "casebook.test", Path: path, RawQuery: rawQuery}
		r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil || r.URL.Path != path {
			return // not a request the SDK could send
		}
		r.URL.RawQuery = rawQuery
		if hname != "" {
			r.Header.Set(hname, hvalue)
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if err := auth.SignRequest(r, body, "HCEXAMPLEAK0123456789", "fuzz-secret", fuzzNow); err != nil {
			return
		}
		var wire bytes.Buffer
		if err := r.Write(&wire); err != nil {
			return
		}
		got, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			return // Go's client wrote what its server refuses: not ours
		}
		gotBody, err := io.ReadAll(got.Body)
		if err != nil || !bytes.Equal(gotBody, body) {
			return
		}
		if err := auth.VerifyRequest(got, gotBody, []byte("fuzz-secret"), fuzzNow, 0); err != nil {
			// The transport or server rewrote a part the signature covers
			// (a header it normalises, a query it cannot parse): only a
			// refusal for a reason other than a mismatch is acceptable.
			if err == auth.ErrSignatureMismatch {
				t.Fatalf("signed %s %q?%q %s=%q (%q) does not verify: %v", method, path, rawQuery, hname, hvalue, contentType, err)
			}
			return
		}
		if len(gotBody) > 0 && got.Header.Get("X-Sdk-Content-Sha256") == "" {
			altered := bytes.Clone(gotBody)
			altered[0] ^= 1
			if auth.VerifyRequest(got, altered, []byte("fuzz-secret"), fuzzNow, 0) == nil {
				t.Fatalf("an altered body verified")
			}
		}
	})
}

// FuzzTokens: only tokens the key issued verify (the seeds include valid
// ones, which the fuzzer alters), and a verified token's claims are whole.
func FuzzTokens(f *testing.F) {
	tokens := &auth.Tokens{Key: auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeToken), TTL: time.Hour}
	for _, c := range []auth.Claims{
		{Realm: casebook.RealmCustomer, UserID: "u1", AccountID: "a1", Epoch: 1, IssuedAt: fuzzNow},
		{Realm: casebook.RealmEngineer, UserID: "e1", Epoch: 3, IssuedAt: fuzzNow},
	} {
		tok, err := tokens.Issue(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	f.Add("CBT1..")
	f.Add("CBT1.e30.")
	other := &auth.Tokens{Key: auth.DeriveKey(bytes.Repeat([]byte{8}, 32), auth.PurposeToken)}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tokens.Verify(token, fuzzNow.Add(time.Minute))
		if err != nil {
			return
		}
		if c.UserID == "" || (c.Realm != casebook.RealmCustomer && c.Realm != casebook.RealmEngineer) || !c.ExpiresAt.After(c.IssuedAt) {
			t.Fatalf("Verify(%q) = %+v", token, c)
		}
		if _, err := other.Verify(token, fuzzNow.Add(time.Minute)); err == nil {
			t.Fatalf("a token verified under two keys: %q", token)
		}
	})
}

// FuzzTemporaryKeys: only the access key issued with a security token
// opens it.
func FuzzTemporaryKeys(f *testing.F) {
	keys := &auth.TemporaryKeys{Key: auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeSecurityToken)}
	k, err := keys.Issue(auth.Claims{Realm: casebook.RealmCustomer, UserID: "u1", AccountID: "a1", Epoch: 1,
		IssuedAt: fuzzNow, ExpiresAt: fuzzNow.Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(k.AccessKey, k.SecurityToken)
	f.Add("", "")
	f.Add(k.AccessKey, k.SecurityToken+"x")
	f.Fuzz(func(t *testing.T, ak, securityToken string) {
		_, secret, err := keys.Open(ak, securityToken, fuzzNow.Add(time.Minute))
		if err != nil {
			return
		}
		if (ak != k.AccessKey || securityToken != k.SecurityToken) || string(secret) != k.SecretKey {
			t.Fatalf("Open(%q, %q) succeeded", ak, securityToken)
		}
	})
}

// FuzzLinks: only the signature issued for an attachment, account and
// expiry verifies.
func FuzzLinks(f *testing.F) {
	links := &auth.Links{Key: auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeDownloadLink), TTL: 10 * time.Minute}
	expires, sig := links.Sign("AC123", "acct1", fuzzNow)
	f.Add("AC123", "acct1", expires, sig)
	f.Add("AC123", "acct1", expires+1, sig)
	f.Add("AC12", "3acct1", expires, sig)
	f.Fuzz(func(t *testing.T, id, account string, exp int64, s string) {
		err := links.Verify(id, account, exp, s, fuzzNow)
		if err == nil && (id != "AC123" || account != "acct1" || exp != expires || s != sig) {
			t.Fatalf("Verify(%q, %q, %d, %q) succeeded", id, account, exp, s)
		}
	})
}
