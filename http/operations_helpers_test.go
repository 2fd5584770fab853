package http

import "strings"

// isSDK reports whether op is one of the SDK's OSM operations (as opposed
// to one of Casebook's own routes): those are exactly the ones under the
// OSM path prefixes.
func (op operation) isSDK() bool {
	for _, prefix := range []string{"/v2/servicerequest/", "/v2.0/servicerequest/", "/osm/"} {
		if strings.HasPrefix(op.Path, prefix) {
			return true
		}
	}
	return false
}

// routes lists the implemented routes of the server, bound to s.
func (s *Server) routes() []route {
	var rs []route
	for _, op := range operations {
		if op.Handle != nil {
			rs = append(rs, s.route(op))
		}
	}
	return rs
}
