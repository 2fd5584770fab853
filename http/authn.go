package http

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// Authentication of customer and engineer requests. The precedence follows
// the IAM spec (shared/spec/auth/iam.md section 3):
//
//  1. an Authorization header of the SDK-HMAC family: AK/SK signature
//     verification (any X-Auth-Token on the same request is ignored);
//  2. else X-Auth-Token: a stateless HMAC token (auth.Tokens), whose user is
//     resolved through a short-lived cache;
//  3. else 401.
//
// Every failure has its own message (docs/compatibility.md lists them);
// none of them echoes the token, the signature or anything derived from a
// secret.

// maxSignedBody bounds the body read to check a signature (Huawei's API
// gateway accepts AK/SK bodies up to 12 MB). Unsigned payloads (multipart
// uploads) are not read here at all.
const maxSignedBody = 12 << 20

// signatureSchemePrefix marks an Authorization header as a Huawei SDK
// signature attempt (SDK-HMAC-SHA256, SDK-HMAC-SM3, ...).
const signatureSchemePrefix = "SDK-"

func authError(reason, format string, args ...any) error {
	return casebook.Errorf(casebook.EUNAUTHORIZED, format, args...).WithReason(reason)
}

func errNoCredentials() error {
	return authError(reasonNoAuth, "x-auth-token not found: send an X-Auth-Token header (from POST /v3/auth/tokens) or sign the request with an access key (SDK-HMAC-SHA256).")
}

func errWrongRealm(msg string) error {
	return casebook.Errorf(casebook.EFORBIDDEN, "%s", msg).WithReason(reasonWrongRealm)
}

// authenticateCustomer returns the customer calling r, from an AK/SK
// signature or a customer token.
func (s *Server) authenticateCustomer(r *http.Request) (*casebook.Principal, error) {
	if isSignatureAttempt(r) {
		return s.authenticateSignature(r)
	}
	return s.authenticateToken(r, casebook.RealmCustomer)
}

// authenticateEngineer returns the support engineer calling r. Engineers
// authenticate with tokens only: access keys belong to customer users.
func (s *Server) authenticateEngineer(r *http.Request) (*casebook.Principal, error) {
	if isSignatureAttempt(r) {
		return nil, errWrongRealm("This is the support API; it takes an engineer's X-Auth-Token, not a customer's access key signature.")
	}
	return s.authenticateToken(r, casebook.RealmEngineer)
}

// authenticateAny accepts a token of either realm or a customer's
// signature; the token introspection endpoints use it.
func (s *Server) authenticateAny(r *http.Request) (*casebook.Principal, error) {
	if isSignatureAttempt(r) {
		return s.authenticateSignature(r)
	}
	return s.authenticateToken(r, "")
}

// isSignatureAttempt reports whether r carries an Authorization header of
// the Huawei SDK family. Other schemes (Basic from a proxy, Bearer) do not
// hide an X-Auth-Token.
func isSignatureAttempt(r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("Authorization"))
	return len(v) >= len(signatureSchemePrefix) && strings.EqualFold(v[:len(signatureSchemePrefix)], signatureSchemePrefix)
}

// errNoCredentialsOrScheme explains a request without usable credentials,
// naming a foreign Authorization scheme when there is one.
func errNoCredentialsOrScheme(r *http.Request) error {
	if v := strings.TrimSpace(r.Header.Get("Authorization")); v != "" {
		scheme, _, _ := strings.Cut(v, " ")
		if len(scheme) > 32 {
			scheme = scheme[:32]
		}
		return authError(reasonBadSig, "unsupported signing algorithm %q: sign requests with SDK-HMAC-SHA256 or send an X-Auth-Token.", scheme)
	}
	return errNoCredentials()
}

// authToken returns the X-Auth-Token of r. An empty header counts as absent.
func authToken(r *http.Request) (string, bool, error) {
	vs := r.Header.Values("X-Auth-Token")
	if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "", false, nil
	}
	if len(vs) > 1 {
		return "", false, authError(reasonBadToken, "More than one X-Auth-Token header.")
	}
	tok := strings.TrimSpace(vs[0])
	if len(tok) > casebook.MaxAuthTokenLength {
		return "", false, authError(reasonBadToken, "X-Auth-Token must be 1 to %d characters.", casebook.MaxAuthTokenLength)
	}
	return tok, true, nil
}

// authenticateToken verifies the X-Auth-Token of r (no database round
// trip) and resolves its user through the principal cache. A token whose
// epoch is not the user's current one was revoked: the user was disabled,
// or the password changed, since it was issued. realm, unless empty, is the
// realm the route serves; the other realm's tokens are refused before any
// lookup.
func (s *Server) authenticateToken(r *http.Request, realm casebook.Realm) (*casebook.Principal, error) {
	tok, ok, err := authToken(r)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, errNoCredentialsOrScheme(r)
	}
	p, _, err := s.tokenPrincipal(r.Context(), tok, realm)
	return p, err
}

// tokenPrincipal is authenticateToken that also returns the claims.
func (s *Server) tokenPrincipal(ctx context.Context, tok string, realm casebook.Realm) (*casebook.Principal, auth.Claims, error) {
	claims, err := s.verifyToken(tok)
	if err != nil {
		return nil, claims, err
	}
	switch {
	case realm == casebook.RealmCustomer && claims.Realm != realm:
		return nil, claims, errWrongRealm("This is the customer API; a support engineer's token is not accepted here.")
	case realm == casebook.RealmEngineer && claims.Realm != realm:
		return nil, claims, errWrongRealm("This is the support API; a customer's token is not accepted here.")
	}
	p, epoch, err := s.principals.get(ctx, s, claims.Realm, claims.UserID, claims.Epoch)
	if err != nil {
		return nil, claims, err
	}
	if epoch != claims.Epoch || (claims.Realm == casebook.RealmCustomer && p.AccountID != claims.AccountID) {
		return nil, claims, authError(reasonUserBlocked, "The token was revoked (the password was changed or the user was disabled since it was issued); get a new token.")
	}
	return p, claims, nil
}

// verifyToken checks a token's MAC and expiry and maps the failures to
// their messages.
func (s *Server) verifyToken(tok string) (auth.Claims, error) {
	claims, err := s.tokens.verify(s.Tokens, tok, s.Now())
	switch {
	case errors.Is(err, auth.ErrTokenExpired):
		return claims, authError(reasonExpired, "The token has expired; get a new one from POST /v3/auth/tokens.")
	case errors.Is(err, auth.ErrTokenMalformed), errors.Is(err, auth.ErrTokenSignature):
		return claims, authError(reasonBadToken, "decrypt token fail: the X-Auth-Token is not a token issued by this server.")
	case err != nil:
		return claims, err // a key configuration problem: internal
	}
	return claims, nil
}

// authenticateSignature verifies an SDK-HMAC-SHA256 request signature. The
// body is read (within maxSignedBody) for the payload hash and put back so
// that handlers can read it; an unsigned multipart payload is left unread.
func (s *Server) authenticateSignature(r *http.Request) (*casebook.Principal, error) {
	authz := r.Header.Values("Authorization")
	if len(authz) > 1 {
		return nil, authError(reasonBadSig, "More than one Authorization header.")
	}
	sh, err := auth.ParseAuthorization(authz[0])
	if err != nil {
		return nil, signatureError(err)
	}
	// The date is checked before the key is looked up, so a stale or
	// replayed request costs no database read.
	if err := checkSdkDate(r, s.ClientClock(), s.SignatureSkew); err != nil {
		return nil, err
	}

	// The signer: a permanent key from the store, or a temporary key
	// rebuilt from its X-Security-Token, valid while the user's epoch is
	// the one it was issued at.
	var (
		accountID, userID string
		temporary         bool
		wantEpoch         int64
		secret            []byte
		shared            bool // secret belongs to the access key cache
	)
	if vs, ok := r.Header["X-Security-Token"]; ok {
		claims, sk, err := s.openTemporaryKey(sh.AccessKey, vs)
		if err != nil {
			return nil, err
		}
		accountID, userID, secret = claims.AccountID, claims.UserID, sk
		temporary, wantEpoch = true, claims.Epoch
	} else {
		var err error
		accountID, userID, secret, shared, err = s.accessKeys.get(r.Context(), s, sh.AccessKey)
		if casebook.ErrorCode(err) == casebook.EUNAUTHORIZED || casebook.ErrorCode(err) == casebook.ENOTFOUND {
			return nil, authError(reasonUnknownKey, "The access key is unknown or disabled.")
		} else if err != nil {
			return nil, err
		}
	}
	if !shared {
		defer clear(secret) // a cached secret is the cache's
	}

	var body []byte
	if !unsignedPayload(r) {
		var err error
		if body, err = readBodyForSignature(r); err != nil {
			return nil, err
		}
	}
	if err := auth.VerifyParsedRequest(r, sh, body, secret, s.ClientClock(), s.SignatureSkew); err != nil {
		return nil, signatureError(err)
	}
	// Checked only once the signature holds, so that the answer tells an
	// unauthenticated caller nothing about which account a key belongs to.
	if d, ok := headerValue(r, "X-Domain-Id"); ok && d != accountID {
		return nil, authError(reasonDomain, "X-Domain-Id does not match the account of the access key.")
	}
	p, epoch, err := s.principals.get(r.Context(), s, casebook.RealmCustomer, userID, wantEpoch)
	if err != nil {
		return nil, err
	}
	if temporary && (epoch != wantEpoch || p.AccountID != accountID) {
		return nil, authError(reasonUserBlocked, "The temporary access key was revoked (the password was changed or the user was disabled since it was issued); get a new one.")
	}
	return p, nil
}

// openTemporaryKey checks the X-Security-Token values of a request signed
// with the temporary key ak and returns the key's claims and secret.
func (s *Server) openTemporaryKey(ak string, tokens []string) (auth.Claims, []byte, error) {
	if s.TemporaryKeys == nil {
		return auth.Claims{}, nil, authError(reasonUnknownKey, "Temporary access keys (X-Security-Token) are not enabled on this server; use a permanent access key.")
	}
	if len(tokens) != 1 || strings.TrimSpace(tokens[0]) == "" {
		return auth.Claims{}, nil, authError(reasonBadSig, "Send exactly one X-Security-Token.")
	}
	claims, sk, err := s.TemporaryKeys.Open(ak, strings.TrimSpace(tokens[0]), s.Now())
	switch {
	case errors.Is(err, auth.ErrTokenExpired):
		return claims, nil, authError(reasonExpired, "The temporary access key has expired; get a new one from POST /v3.0/OS-CREDENTIAL/securitytokens.")
	case err != nil || claims.Realm != casebook.RealmCustomer:
		// A forged or altered token, one for another AK, or a key error:
		// the caller learns only that the pair is not valid.
		return claims, nil, authError(reasonUnknownKey, "The temporary access key or its X-Security-Token is not valid.")
	}
	return claims, sk, nil
}

// unsignedPayload reports whether the request declares an unsigned body
// (the SDK's multipart uploads); VerifyRequest refuses it for JSON bodies.
func unsignedPayload(r *http.Request) bool {
	return strings.TrimSpace(r.Header.Get("X-Sdk-Content-Sha256")) == auth.UnsignedPayload
}

// readBodyForSignature reads the whole body and restores r.Body.
func readBodyForSignature(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSignedBody+1))
	r.Body.Close()
	if err != nil {
		return nil, malformed("Cannot read the request body.")
	}
	if len(body) > maxSignedBody {
		return nil, casebook.Errorf(casebook.EINVALID, "A signed request body can be at most %d bytes.", maxSignedBody).WithReason(reasonMalformed)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// checkSdkDate checks X-Sdk-Date (VerifyRequest checks it again; this
// early check only saves the key lookup).
func checkSdkDate(r *http.Request, now time.Time, skew time.Duration) error {
	vs := r.Header.Values("X-Sdk-Date")
	if len(vs) != 1 {
		return signatureError(auth.ErrDateMissing)
	}
	at, err := time.Parse(auth.SdkDateFormat, strings.TrimSpace(vs[0]))
	if err != nil {
		return signatureError(auth.ErrDateMissing)
	}
	if skew <= 0 {
		skew = auth.DefaultSignatureSkew
	}
	if d := now.Sub(at); d > skew || d < -skew {
		return signatureError(auth.ErrDateSkew)
	}
	return nil
}

// signatureError maps the auth package's signature errors to the wire.
func signatureError(err error) error {
	switch {
	case errors.Is(err, auth.ErrUnsupportedAlgorithm):
		return authError(reasonBadSig, "unsupported signing algorithm: only SDK-HMAC-SHA256 is accepted.")
	case errors.Is(err, auth.ErrDateMissing):
		return authError(reasonSigDate, "X-Sdk-Date is missing or not in the form YYYYMMDDTHHMMSSZ.")
	case errors.Is(err, auth.ErrDateSkew):
		return authError(reasonSigDate, "X-Sdk-Date is too far from the server time (signature expired); check the client clock.")
	case errors.Is(err, auth.ErrSignatureMismatch):
		return authError(reasonBadSig, "verify aksk signature fail: the signature does not match the request.")
	case errors.Is(err, auth.ErrSignatureMissing):
		return errNoCredentials()
	case errors.Is(err, auth.ErrSignatureMalformed):
		// The wrapped detail names a field or header, never a value.
		detail := strings.TrimPrefix(err.Error(), auth.ErrSignatureMalformed.Error())
		detail = strings.TrimPrefix(detail, ": ")
		if detail == "" {
			detail = "malformed"
		}
		return authError(reasonBadSig, "Malformed signed request: %s.", strings.TrimSuffix(detail, "."))
	}
	return err
}

// principalCache keeps resolved principals for a short time, so that a
// token costs no database read on most requests. Disabling a user bumps
// their epoch; a cached entry whose epoch is older than a token's is
// refreshed at once, and one that is newer refuses the token.
type principalCache struct {
	cache *ttlCache[principalKey, principalEntry]
}

type principalKey struct {
	realm  casebook.Realm
	userID string
}

type principalEntry struct {
	p     *casebook.Principal
	epoch int64
}

func newPrincipalCache(ttl time.Duration) *principalCache {
	return &principalCache{cache: newTTLCache[principalKey, principalEntry](ttl)}
}

// get returns the principal and current epoch of a user, from the cache
// when fresh. wantEpoch > 0 is the epoch a token carries: an entry with an
// older epoch is stale (the user was re-enabled since) and is reloaded.
// The returned principal is shared and must not be modified.
func (c *principalCache) get(ctx context.Context, s *Server, realm casebook.Realm, userID string, wantEpoch int64) (*casebook.Principal, int64, error) {
	if !c.cache.enabled() {
		return c.resolve(ctx, s, realm, userID)
	}
	key := principalKey{realm, userID}
	now := s.Now()
	if e, ok := c.cache.lookup(key, now); ok && e.epoch >= wantEpoch {
		return e.p, e.epoch, nil
	}
	p, epoch, err := c.resolve(ctx, s, realm, userID)
	if err != nil {
		c.cache.forget(key)
		return nil, 0, err
	}
	c.cache.store(key, principalEntry{p: p, epoch: epoch}, now)
	return p, epoch, nil
}

// resolve reads the principal from the store.
func (c *principalCache) resolve(ctx context.Context, s *Server, realm casebook.Realm, userID string) (*casebook.Principal, int64, error) {
	p, epoch, err := s.Service.ResolvePrincipal(ctx, realm, userID)
	if casebook.ErrorCode(err) == casebook.EUNAUTHORIZED {
		return nil, 0, authError(reasonUserBlocked, "The user is disabled or no longer exists.")
	} else if err != nil {
		return nil, 0, err
	}
	return p, epoch, nil
}
