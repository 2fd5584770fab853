package http

// accessoryRoutes lists the routes of this area. (Placeholder: its owner replaces this file.)
func (s *Server) accessoryRoutes() []route { return nil }
