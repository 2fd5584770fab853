package notify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/casebook/casebook"
)

// ErrPrivateTarget is returned when a webhook connection would reach a
// loopback, private, link-local or otherwise internal address and the
// operator has not allowed private targets.
var ErrPrivateTarget = errors.New("webhook target is an internal address")

// guardControl is a net.Dialer Control hook: it runs after the name is
// resolved, on the address actually dialled, so a name that resolved to a
// public address when the subscription was made and to an internal one
// now (DNS rebinding) is refused too.
func guardControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateTarget, address)
	}
	if !casebook.PublicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateTarget, ap.Addr())
	}
	return nil
}

// NewClient returns the HTTP client of webhook deliveries: each attempt
// ends after timeout (the whole exchange, body included), redirects are
// not followed, no proxy from the environment is used (it would dial for
// us, past the guard), and unless allowPrivate, internal addresses are
// refused at dial time.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = guardControl
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
