package http

import (
	"net/http"
	"time"

	"github.com/casebook/casebook"
)

// (Placeholder: its owner replaces this file with token and AK/SK authentication.)

type principalCache struct{ ttl time.Duration }

func newPrincipalCache(ttl time.Duration) *principalCache { return &principalCache{ttl: ttl} }

func (s *Server) authenticateCustomer(r *http.Request) (*casebook.Principal, error) {
	return nil, casebook.Errorf(casebook.EUNAUTHORIZED, "not implemented yet")
}

func (s *Server) authenticateEngineer(r *http.Request) (*casebook.Principal, error) {
	return nil, casebook.Errorf(casebook.EUNAUTHORIZED, "not implemented yet")
}
