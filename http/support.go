package http

// supportRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) supportRoutes() []route { return nil }
