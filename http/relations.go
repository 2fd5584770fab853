package http

// relationRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) relationRoutes() []route { return nil }
