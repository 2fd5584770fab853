package http

// authorizationRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) authorizationRoutes() []route { return nil }
