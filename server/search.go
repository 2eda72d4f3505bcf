package server

import "github.com/gofiber/fiber/v2"

// searchHealth is the search index's part of /healthz: whether it can
// answer, and how many changes of the database it has yet to apply. A
// search index being built does not make the appliance unhealthy.
func (s *Server) searchHealth() fiber.Map {
	if s.opts.Search == nil {
		return fiber.Map{"state": "off"}
	}
	st, err := s.opts.Search.Status()
	if err != nil {
		return fiber.Map{"state": "unavailable"}
	}
	state := "ok"
	switch {
	case !st.Ready:
		state = "building"
	case st.Rebuild != nil:
		state = "rebuilding"
	}
	return fiber.Map{"state": state, "lag": st.Lag, "documents": st.Documents, "rebuild": st.Rebuild}
}
