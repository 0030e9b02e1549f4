package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the app, in one place.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}))
	e.Use(s.recoverPanics, s.logRequests, s.securityHeaders)

	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.static)

	// Public pages.
	e.GET("/", s.home)
	lookup := []echo.MiddlewareFunc{s.limitByIP("lookup", s.limits.lookup), s.cachePublic(s.lookups)}
	e.GET("/reps", s.repsPage, lookup...)
	e.GET("/about", s.about)
	e.GET("/bills/:id", s.billPage)
	e.GET("/talking-points", s.talkingPoints)
	e.GET("/campaigns/:slug/progress", s.campaignProgress)

	// Letters: compose, preview, send, and the private status page.
	e.GET("/write", s.writePage)
	e.POST("/write", s.editLetter)
	e.POST("/write/preview", s.previewLetter)
	letterLimit := s.limitByIP("letter", s.limits.letterIP)
	e.POST("/write/send", s.sendLetter, letterLimit)
	e.POST("/write/validate", s.validateField)
	e.POST("/write/personal", s.personalScore)
	e.GET("/letters/:id", s.letterStatus)
	e.GET("/letters/:id/print/:delivery", s.printLetter)
	e.POST("/letters/:id/deliveries/:delivery/confirm", s.confirmDelivery)
	e.GET("/privacy", s.privacy)
	e.GET("/letters/:id/delete", s.eraseConfirm)
	e.POST("/letters/:id/delete", s.eraseLetter)

	// Public JSON API.
	api := e.Group("/api/v1", s.publicCORS)
	api.GET("/representatives", s.repsAPI, lookup...)
	api.GET("/campaigns/:slug", s.campaignAPI)
	api.GET("/campaigns/:slug/cosponsors", s.cosponsorsAPI)
	api.GET("/campaigns/:slug/stats", s.letterStatsAPI)
	api.POST("/letters", s.createLetterAPI, letterLimit)
}
