package http

// caseRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) caseRoutes() []route { return nil }
