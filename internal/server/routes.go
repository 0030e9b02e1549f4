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
	e.GET("/campaigns/:slug/share.png", s.shareCardImage)

	// Public pages.
	// The campaign home and its progress region are what a crowd loads
	// first; they change only when cosponsors or letter counts do, so a
	// rendered copy is kept for two seconds.
	e.GET("/", s.home, s.cachePublic(s.campaignPages))
	// Lookups are counted (for the dashboard's conversion) before the
	// cache, so cached answers count too.
	lookup := []echo.MiddlewareFunc{s.limitByIP("lookup", s.limits.lookup), s.lookupCounts.middleware, s.cachePublic(s.lookups)}
	e.GET("/reps", s.repsPage, lookup...)
	e.GET("/about", s.about)
	e.GET("/bills/:id", s.billPage)
	e.GET("/talking-points", s.talkingPoints)
	e.GET("/campaigns/:slug/progress", s.campaignProgress, s.cachePublic(s.campaignPages))
	e.GET("/campaigns/map-shapes.svg", s.mapShapes)

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
	s.campaignPageRoutes(e, publicGET)
	publicGET("/campaigns/:slug", s.campaignAPI)
	publicGET("/campaigns/:slug/cosponsors", s.cosponsorsAPI)
	// The public totals read only aggregates, and are kept like the
	// campaign home: anyone may ask, as often as they like.
	publicGET("/campaigns/:slug/stats", s.letterStatsAPI, s.cachePublic(s.campaignPages))
	api.POST("/letters", s.createLetterAPI, letterLimit, s.boundDB)

	// Widgets for partners: the loader, the widgets and count.json.
	if s.widgets != nil {
		s.widgets.routes(e, publicGET, letterLimit)
	}

	// The organizer workspace (sign-in, sessions, the frame of its pages)
	// and the features that add pages to it.
	if ws := s.org.ws; ws != nil {
		org := ws.routes(e)
		mount(org, s.org.home)
		mount(org, s.org.dashboard)
		mount(org, s.org.offices)
		mount(org, s.org.editor)
		mount(org, s.org.life)
		// A campaign's preview is its public home page, drafts included.
		org.GET("/campaigns/:slug/preview", s.previewCampaign)
		mount(org, s.org.exports)
		mount(org, s.org.moderation)
		mount(org, s.deliveries)
		mount(org, s.org.users)
		mount(org, s.org.partners)
		mount(org, s.org.audit)
		mount(org, s.org.data)
		mount(org, s.org.sync)
	}
}

// mount registers a workspace feature's routes on org, unless the feature
// is not configured (nil).
func mount[T any, F interface {
	*T
	routes(org *echo.Group)
}](org *echo.Group, f F) {
	if f != nil {
		f.routes(org)
	}
}
