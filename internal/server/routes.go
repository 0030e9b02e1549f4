package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the app, in one place: the core's
// public pages, letters and JSON API, then each feature that is mounted
// (a feature that is not configured is not mounted, so its paths answer
// 404).
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}), headAsGet)
	e.Use(headRestored, s.recoverPanics, s.logRequests, s.securityHeaders, limitBody)

	e.GET("/healthz", s.healthz)
	e.GET("/livez", s.livez)
	e.GET("/static/*", s.static)
	e.GET("/favicon.ico", s.favicon)
	e.GET("/apple-touch-icon.png", s.touchIcon)

	// Public pages: the campaigns' pages, or the lookup alone on a site
	// without campaigns.
	if s.pages != nil {
		s.pages.routes(e)
	} else {
		e.GET("/", s.lookupHome, s.cachePublic(s.homePages))
	}
	// Lookups are counted (for the dashboard's conversion) before the
	// cache, so cached answers count too.
	lookup := []echo.MiddlewareFunc{s.limitByIP("lookup", s.limits.lookup), s.countLookups, s.cachePublic(s.lookups)}
	e.GET("/reps", s.repsPage, lookup...)
	e.GET("/about", s.about)

	// Letters: compose, preview, send, and the private status page.
	// Their forms take posts only from this site's own pages.
	e.GET("/write", s.writePage)
	e.POST("/write", s.editLetter, sameOrigin)
	e.POST("/write/preview", s.previewLetter, sameOrigin)
	// A flood from one address is refused before any work is done; below
	// that ceiling the per-address limit only sends letters to moderation
	// (see letterScreen), so a busy shared network is never cut off.
	letterLimit := s.limitByIP("letter", s.limits.letterIPMax)
	e.POST("/write/send", s.sendLetter, sameOrigin, letterLimit, s.boundDB)
	e.POST("/write/validate", s.validateField, sameOrigin)
	e.POST("/write/personal", s.personalScore, sameOrigin)
	e.GET("/letters/:id", s.letterStatus)
	e.GET("/letters/:id/print/:delivery", s.printLetter)
	e.POST("/letters/:id/deliveries/:delivery/confirm", s.confirmDelivery, s.boundDB)
	e.GET("/privacy", s.privacy)
	e.GET("/letters/:id/confirm", s.confirmPage)
	e.POST("/letters/:id/confirm", s.confirmLetter, s.boundDB)
	e.GET("/letters/:id/delete", s.eraseConfirm)
	e.POST("/letters/:id/delete", s.eraseLetter, s.boundDB)

	// Public JSON API. Its GETs are open to every origin (CORS, with a
	// real preflight answer); a wrong method answers 405 with Allow. (A
	// group-wide middleware would turn those into 404s.)
	api := e.Group("/api/v1")
	publicGET := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		api.GET(path, h, append([]echo.MiddlewareFunc{s.publicCORS}, m...)...)
		api.OPTIONS(path, s.preflight)
	}
	publicGET("/representatives", s.repsAPI, lookup...)
	if s.api != nil {
		s.api.routes(publicGET)
	}
	api.POST("/letters", s.createLetterAPI, letterLimit, s.boundDB)

	// Widgets for partners: the loader, the widgets and count.json.
	if s.widgets != nil {
		s.widgets.routes(e, publicGET, letterLimit)
	}

	// The organizer workspace, with the features that add pages to it.
	if s.organizerEnabled() {
		org := s.workspaceRoutes(e)
		if s.life != nil {
			s.life.routes(org)
		}
		if s.moderation != nil {
			s.moderation.routes(org)
		}
		if s.deliveries != nil {
			s.deliveries.routes(org)
		}
		if s.partnerPages != nil {
			s.partnerPages.routes(org)
		}
	}
}
