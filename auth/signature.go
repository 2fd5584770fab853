package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The SDK-HMAC-SHA256 request signature of the Huawei Cloud SDKs, as specified
// in shared/spec/auth/aksk-signing.md (section numbers below refer to it).
//
// The canonical request is rebuilt from the request as a Go server receives
// it: decoded path re-encoded per segment, raw query decoded and re-sorted,
// signed headers looked up case-insensitively. Neither the AK nor the host
// is part of the signature: the caller binds AK to SK by looking it up.

// AK/SK errors. The HTTP layer answers all of them with 401; their messages
// never include the expected signature or anything derived from the secret.
var (
	ErrSignatureMissing     = errors.New("auth: no Authorization header")
	ErrSignatureMalformed   = errors.New("auth: malformed signed request")
	ErrUnsupportedAlgorithm = errors.New("auth: unsupported signing algorithm")
	ErrDateMissing          = errors.New("auth: X-Sdk-Date header missing or not in YYYYMMDDTHHMMSSZ format")
	ErrDateSkew             = errors.New("auth: X-Sdk-Date is too far from the server time (signature expired)")
	ErrSignatureMismatch    = errors.New("auth: signature does not match")
)

const (
	// SigningAlgorithm is the only algorithm accepted: the SDK's default.
	SigningAlgorithm = "SDK-HMAC-SHA256"
	// SdkDateFormat is the layout of X-Sdk-Date (basic ISO 8601, UTC).
	SdkDateFormat = "20060102T150405Z"
	// UnsignedPayload as X-Sdk-Content-Sha256 leaves the body out of the
	// signature; the SDK sends it for multipart uploads.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// DefaultSignatureSkew is the allowed distance between X-Sdk-Date and the
	// server clock, both ways (Huawei API Gateway: 15 minutes).
	DefaultSignatureSkew = 15 * time.Minute
)

// emptySHA256 is hex(sha256("")), the payload hash of every GET.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Headers that must be signed whenever they are present (section 5, step 5):
// they carry identity or decide what the signature covers.
var mustSignHeaders = []string{"X-Domain-Id", "X-Security-Token", "X-Sdk-Content-Sha256", "X-Project-Id"}

// SignatureHeader is a parsed Authorization header:
//
//	SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<64 hex>
type SignatureHeader struct {
	Algorithm     string
	AccessKey     string
	SignedHeaders []string // lower-case, in the order given
	Signature     string   // lower-case hex
}

// ParseAuthorization parses an Authorization header. It returns
// ErrSignatureMissing for an empty header, ErrUnsupportedAlgorithm for any
// algorithm other than SDK-HMAC-SHA256 (with Algorithm set), and
// ErrSignatureMalformed when a field is missing, repeated or invalid.
func ParseAuthorization(header string) (SignatureHeader, error) {
	var sh SignatureHeader
	header = strings.TrimSpace(header)
	if header == "" {
		return sh, ErrSignatureMissing
	}
	alg, rest, _ := strings.Cut(header, " ")
	sh.Algorithm = alg
	if alg != SigningAlgorithm {
		return sh, ErrUnsupportedAlgorithm
	}

	var haveAccess, haveSigned, haveSig bool
	for field := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return sh, fmt.Errorf("%w: Authorization field without '='", ErrSignatureMalformed)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.EqualFold(k, "Access") && !haveAccess:
			haveAccess = true
			sh.AccessKey = v
		case strings.EqualFold(k, "SignedHeaders") && !haveSigned:
			haveSigned = true
			sh.SignedHeaders = make([]string, 0, strings.Count(v, ";")+1)
			for name := range strings.SplitSeq(v, ";") {
				sh.SignedHeaders = append(sh.SignedHeaders, strings.ToLower(strings.TrimSpace(name)))
			}
		case strings.EqualFold(k, "Signature") && !haveSig:
			haveSig = true
			sh.Signature = strings.ToLower(v)
		default:
			return sh, fmt.Errorf("%w: unexpected or repeated Authorization field", ErrSignatureMalformed)
		}
	}
	if !haveAccess || !haveSigned || !haveSig {
		return sh, fmt.Errorf("%w: Authorization needs Access, SignedHeaders and Signature", ErrSignatureMalformed)
	}
	if !validAccessKey(sh.AccessKey) {
		return sh, fmt.Errorf("%w: invalid access key", ErrSignatureMalformed)
	}
	for _, name := range sh.SignedHeaders {
		if !validHeaderName(name) {
			return sh, fmt.Errorf("%w: invalid name in SignedHeaders", ErrSignatureMalformed)
		}
	}
	if len(sh.Signature) != 2*sha256.Size || !isHex(sh.Signature) {
		return sh, fmt.Errorf("%w: signature is not 64 hex characters", ErrSignatureMalformed)
	}
	return sh, nil
}

// CanonicalRequest rebuilds the canonical request (section 3.7) of r as
// received: method, canonical URI from the decoded path, canonical query from
// the raw query, the signed headers, the signed-header list and payloadHash.
// signedHeaders must be lower-case (as ParseAuthorization returns them). It
// fails with ErrSignatureMalformed when a signed header is absent from the
// request or the query is not valid percent-encoding.
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) (string, error) {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	writeCanonicalURI(&b, r.URL.Path)
	b.WriteByte('\n')
	if err := writeCanonicalQuery(&b, r.URL.RawQuery); err != nil {
		return "", err
	}
	b.WriteByte('\n')
	if err := writeCanonicalHeaders(&b, r, signedHeaders); err != nil {
		return "", err
	}
	b.WriteByte('\n')
	for i, name := range signedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String(), nil
}

// VerifyRequest checks the SDK-HMAC-SHA256 signature of r, whose body the
// caller has already read (with a size limit) into body, against secret, the
// SK the caller looked up by the AK in the Authorization header (see
// ParseAuthorization). X-Sdk-Date must be within skew of now, both ways
// (DefaultSignatureSkew when skew <= 0).
//
// Left to the caller: finding the secret, temporary credentials
// (X-Security-Token) and comparing X-Domain-Id with the key's account.
func VerifyRequest(r *http.Request, body []byte, secret []byte, now time.Time, skew time.Duration) error {
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 {
		return ErrSignatureMissing
	} else if len(authz) > 1 {
		return fmt.Errorf("%w: more than one Authorization header", ErrSignatureMalformed)
	}
	sh, err := ParseAuthorization(authz[0])
	if err != nil {
		return err
	}
	return VerifyParsedRequest(r, sh, body, secret, now, skew)
}

// VerifyParsedRequest is VerifyRequest for a caller that has parsed r's
// one Authorization header into sh already (to look up the key), so that
// it is not parsed twice.
func VerifyParsedRequest(r *http.Request, sh SignatureHeader, body []byte, secret []byte, now time.Time, skew time.Duration) error {
	if !slices.Contains(sh.SignedHeaders, "x-sdk-date") {
		return fmt.Errorf("%w: x-sdk-date is not signed", ErrSignatureMalformed)
	}
	for _, name := range mustSignHeaders {
		if _, ok := r.Header[name]; ok && !slices.Contains(sh.SignedHeaders, strings.ToLower(name)) {
			return fmt.Errorf("%w: header %s is present but not signed", ErrSignatureMalformed, name)
		}
	}

	dates := r.Header.Values("X-Sdk-Date")
	if len(dates) != 1 {
		return ErrDateMissing
	}
	date := strings.TrimSpace(dates[0])
	signedAt, ok := parseSdkDate(date)
	if !ok {
		return ErrDateMissing
	}
	if skew <= 0 {
		skew = DefaultSignatureSkew
	}
	if d := now.Sub(signedAt); d > skew || d < -skew {
		return ErrDateSkew
	}

	payloadHash, err := verifiedPayloadHash(r, body)
	if err != nil {
		return err
	}
	cr, err := CanonicalRequest(r, sh.SignedHeaders, payloadHash)
	if err != nil {
		return err
	}
	want := signature(secret, date, cr)
	got, _ := hex.DecodeString(sh.Signature) // checked by ParseAuthorization
	if !hmac.Equal(got, want) {
		return ErrSignatureMismatch
	}
	return nil
}

// verifiedPayloadHash returns the payload hash line of the canonical request
// (section 3.2): X-Sdk-Content-Sha256 verbatim when present (it is then
// signed, VerifyRequest makes sure of that), else hex(sha256(body)).
func verifiedPayloadHash(r *http.Request, body []byte) (string, error) {
	values := r.Header.Values("X-Sdk-Content-Sha256")
	if len(values) == 0 {
		return hashHex(body), nil
	} else if len(values) > 1 {
		return "", fmt.Errorf("%w: more than one X-Sdk-Content-Sha256 header", ErrSignatureMalformed)
	}
	v := strings.TrimSpace(values[0])
	if v == UnsignedPayload {
		// The SDK leaves only non-JSON bodies (multipart uploads) unsigned;
		// a JSON body must be covered.
		ct := strings.ToLower(r.Header.Get("Content-Type"))
		if ct == "" || strings.Contains(ct, "application/json") || strings.Contains(ct, "application/bson") {
			return "", fmt.Errorf("%w: UNSIGNED-PAYLOAD is only accepted for non-JSON bodies", ErrSignatureMalformed)
		}
		return v, nil
	}
	if !strings.EqualFold(v, hashHex(body)) {
		return "", ErrSignatureMismatch
	}
	return v, nil
}

// SignRequest signs r as the Huawei SDK does (client side; for tests and the
// load benchmark). Like the SDK it uses a parseable X-Sdk-Date already in
// r.Header and otherwise sets one from now; it adds X-Sdk-Content-Sha256:
// UNSIGNED-PAYLOAD when Content-Type is set and is neither JSON nor BSON; it
// signs every header in r.Header except Content-Type, names with '_', and the
// ones Go's transport writes itself (Host, Content-Length, ...). body must be
// the bytes r will send. r.URL.Path is the unencoded path.
func SignRequest(r *http.Request, body []byte, ak, sk string, now time.Time) error {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Del("Authorization")
	date := r.Header.Get("X-Sdk-Date")
	if _, ok := parseSdkDate(date); !ok {
		date = now.UTC().Format(SdkDateFormat)
	}
	r.Header.Set("X-Sdk-Date", date)
	if ct := strings.ToLower(r.Header.Get("Content-Type")); ct != "" &&
		!strings.Contains(ct, "application/json") && !strings.Contains(ct, "application/bson") {
		r.Header.Set("X-Sdk-Content-Sha256", UnsignedPayload)
	}

	var signed []string
	for key, values := range r.Header {
		// Go's client sends a line break in a value as a space, so a
		// signature over the value as given could never verify.
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("sign request: header %s has a line break in its value", key)
			}
		}
		name := strings.ToLower(key)
		if strings.HasPrefix(name, "content-type") || strings.Contains(name, "_") || transportHeaders[name] {
			continue
		}
		if !slices.Contains(signed, name) {
			signed = append(signed, name)
		}
	}
	slices.Sort(signed)

	payloadHash := r.Header.Get("X-Sdk-Content-Sha256")
	if payloadHash == "" {
		payloadHash = hashHex(body)
	}
	cr, err := CanonicalRequest(r, signed, payloadHash)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	sig := hex.EncodeToString(signature([]byte(sk), date, cr))
	r.Header.Set("Authorization", SigningAlgorithm+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
	return nil
}

// transportHeaders are written by Go's HTTP client from Request fields, not
// from r.Header, so a value in r.Header would not be what is sent.
var transportHeaders = map[string]bool{
	"authorization": true, "host": true, "content-length": true,
	"transfer-encoding": true, "trailer": true, "connection": true,
}

// StringToSign returns the string to sign (section 3.8) for a canonical
// request and the X-Sdk-Date value.
func StringToSign(date, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return SigningAlgorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
}

// signature is HMAC-SHA256(SK, string to sign), raw bytes (section 3.9).
func signature(secret []byte, date, canonicalRequest string) []byte {
	sum := sha256.Sum256([]byte(canonicalRequest))
	// The string to sign, built without intermediate strings.
	var sts [len(SigningAlgorithm) + 1 + len(SdkDateFormat) + 1 + 2*sha256.Size]byte
	buf := append(append(append(sts[:0], SigningAlgorithm+"\n"...), date...), '\n')
	buf = hex.AppendEncode(buf, sum[:])
	m := hmac.New(sha256.New, secret)
	m.Write(buf)
	return m.Sum(nil)
}

func parseSdkDate(s string) (time.Time, bool) {
	if len(s) != len(SdkDateFormat) {
		return time.Time{}, false
	}
	t, err := time.Parse(SdkDateFormat, s)
	if err != nil || t.Format(SdkDateFormat) != s {
		return time.Time{}, false
	}
	return t, true
}

// writeCanonicalURI writes the canonical URI (section 3.4): every segment of
// the decoded path percent-encoded byte by byte, with a trailing '/'.
func writeCanonicalURI(b *strings.Builder, path string) {
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		escape(b, seg)
	}
	if !strings.HasSuffix(path, "/") {
		b.WriteByte('/')
	}
}

// writeCanonicalQuery writes the canonical query string (sections 3.5 and 4):
// pairs decoded from the raw query, sorted by raw key then raw value (before
// encoding: "~a" sorts before "éa"), each written as encode(k)=encode(v).
func writeCanonicalQuery(b *strings.Builder, rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	type pair struct{ k, v string }
	var pairs []pair
	for item := range strings.SplitSeq(rawQuery, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		var err1, err2 error
		// Decoded as r.URL.Query() decodes ('+' is a space), so the signature
		// covers exactly the values the handlers will read.
		k, err1 = url.QueryUnescape(k)
		v, err2 = url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%w: query is not valid percent-encoding", ErrSignatureMalformed)
		}
		pairs = append(pairs, pair{k, v})
	}
	slices.SortFunc(pairs, func(a, c pair) int {
		if n := strings.Compare(a.k, c.k); n != 0 {
			return n
		}
		return strings.Compare(a.v, c.v)
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		escape(b, p.k)
		b.WriteByte('=')
		escape(b, p.v)
	}
	return nil
}

// writeCanonicalHeaders writes one "name:value\n" line per value of each
// signed header (section 3.6), values trimmed and sorted. host is r.Host,
// which Go's server moves out of the header map.
func writeCanonicalHeaders(b *strings.Builder, r *http.Request, signedHeaders []string) error {
	for _, name := range signedHeaders {
		var values []string
		if name == "host" {
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			if host != "" {
				values = []string{host}
			}
		} else {
			values = headerValues(r.Header, name)
		}
		if len(values) == 0 {
			return fmt.Errorf("%w: signed header %s is not in the request", ErrSignatureMalformed, name)
		}
		if len(values) > 1 {
			values = slices.Sorted(slices.Values(values))
		}
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	return nil
}

// headerValues returns the values stored under every key of h whose lower
// case is name. A server's map holds canonical keys only; hand-built maps may
// not.
func headerValues(h http.Header, name string) []string {
	ck, ok := canonicalNames[name]
	if !ok {
		ck = textproto.CanonicalMIMEHeaderKey(name)
	}
	values := h[ck]
	for k, vs := range h {
		if k != ck && strings.EqualFold(k, name) {
			values = append(slices.Clip(values), vs...)
		}
	}
	return values
}

// canonicalNames spares the allocation of CanonicalMIMEHeaderKey for the
// headers the SDK signs.
var canonicalNames = map[string]string{
	"user-agent": "User-Agent", "x-domain-id": "X-Domain-Id", "x-sdk-date": "X-Sdk-Date",
	"x-sdk-content-sha256": "X-Sdk-Content-Sha256", "x-security-token": "X-Security-Token",
	"x-language": "X-Language", "x-time-zone": "X-Time-Zone", "x-site": "X-Site", "x-project-id": "X-Project-Id",
}

// escape percent-encodes every byte of s except A-Z a-z 0-9 - _ . ~, with
// upper-case hex (sections 3.4 and 3.5).
func escape(b *strings.Builder, s string) {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&15])
		}
	}
}

func hashHex(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validAccessKey accepts printable ASCII without separators, so an AK can be
// logged and looked up safely.
func validAccessKey(ak string) bool {
	if ak == "" || len(ak) > 128 {
		return false
	}
	for i := 0; i < len(ak); i++ {
		if c := ak[i]; c <= ' ' || c >= 0x7f || c == ',' || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

// validHeaderName accepts a non-empty HTTP token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
