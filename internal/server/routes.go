package server

import "github.com/labstack/echo/v4/middleware"

// routes registers every route of the app, in one place.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}))
	e.Use(s.recoverPanics, s.logRequests, s.securityHeaders)

	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.static)

	// Public pages.
	e.GET("/", s.home)
	e.GET("/reps", s.repsPage)
	e.GET("/about", s.about)
	e.GET("/bills/:id", s.billPage)
	e.GET("/talking-points", s.talkingPoints)
	e.GET("/campaigns/:slug/progress", s.campaignProgress)

	// Public JSON API.
	api := e.Group("/api/v1", s.publicCORS)
	api.GET("/representatives", s.repsAPI)
	api.GET("/campaigns/:slug", s.campaignAPI)
	api.GET("/campaigns/:slug/cosponsors", s.cosponsorsAPI)
}
