package http

// docRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) docRoutes() []route { return nil }
