package http

// iamRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) iamRoutes() []route { return nil }
