package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the app, in one place.
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
	lookup := []echo.MiddlewareFunc{s.limitByIP("lookup", s.limits.lookup), s.countLookups, s.cachePublic(s.lookups)}
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

	// Organizer workspace: sign-in, then everything under
	// /organizer needs a session, and every POST its CSRF token.
	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout, s.requireSession, s.checkCSRF)
	org := e.Group("/organizer", s.requireSession, s.checkCSRF)
	org.GET("", s.orgHome)
	org.GET("/account", s.accountPage)
	org.POST("/account/password", s.changePassword)
	org.GET("/campaigns/:slug", s.dashboard)
	org.GET("/campaigns/:slug/offices", s.offices)
	org.GET("/campaigns/:slug/offices.csv", s.officesCSV)
	org.GET("/campaigns/:slug/offices/:bioguide", s.packet)
	org.GET("/campaigns/:slug/exports", s.exportsPage)
	org.GET("/campaigns/:slug/exports/letters.csv", s.exportLetters)
	org.GET("/campaigns/:slug/exports/contacts.csv", s.exportContacts)
	org.GET("/campaigns/:slug/edit", s.editPage)
	org.GET("/campaigns/:slug/edit/text", s.editText)
	org.POST("/campaigns/:slug/edit/text", s.editText)
	org.GET("/campaigns/:slug/edit/bills/:bill", s.editBill)
	org.POST("/campaigns/:slug/edit/bills/:bill", s.editBill)
	org.POST("/campaigns/:slug/edit/bills/:bill/cosponsors", s.saveCosponsor)
	org.POST("/campaigns/:slug/edit/bills/:bill/cosponsors/:bioguide/withdraw", s.withdrawCosponsor)
	org.POST("/campaigns/:slug/edit/bills/:bill/import", s.importCosponsors)
	org.POST("/campaigns/:slug/edit/talking-points", s.editPoint)
	org.GET("/campaigns/:slug/edit/talking-points/:id", s.editPoint)
	org.POST("/campaigns/:slug/edit/talking-points/:id", s.editPoint)
	org.POST("/campaigns/:slug/edit/talking-points/:id/delete", s.deletePoint)
	org.POST("/campaigns/:slug/edit/templates/:kind", s.editTemplate)
	org.POST("/preview", s.previewMarkdown)
	// A campaign's preview; starting, opening, closing and featuring
	// campaigns and their bills need the campaign service.
	org.GET("/campaigns/:slug/preview", s.previewCampaign)
	if s.life != nil {
		s.life.routes(org)
	}
	if s.moderation != nil {
		s.moderation.routes(org)
	}
	org.GET("/users", s.users)
	org.POST("/users", s.createUser)
	org.POST("/users/:id/disable", s.setUserDisabled(true))
	org.POST("/users/:id/enable", s.setUserDisabled(false))
	org.GET("/partners", s.partners)
	org.POST("/partners", s.createPartner)
	org.GET("/audit", s.auditPage)
	if s.deliveries != nil {
		s.deliveries.routes(org)
	}

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
	// The partner pages of the workspace.
	org.GET("/partners/:slug", s.partnerPage)
	org.POST("/partners/:slug", s.updatePartner)
	org.GET("/partner", s.partnerHome)

	// Keeping up with Congress: the member data's status for admins, and
	// a Congress.gov sync on request.
	org.GET("/data", s.dataPage)
	org.POST("/campaigns/:slug/sync", s.syncNow)
}
