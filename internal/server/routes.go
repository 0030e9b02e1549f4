package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the app, in one place: the core's own
// (health, static files, icons, the About and privacy pages), then each
// feature that is mounted. A feature that is not configured is nil and not
// mounted, so its paths answer 404.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301}), headAsGet)
	e.Use(headRestored, s.recoverPanics, s.logRequests, s.securityHeaders, limitBody)

	e.GET("/healthz", s.healthz)
	e.GET("/livez", s.livez)
	e.GET("/static/*", s.static)
	e.GET("/favicon.ico", s.favicon)
	e.GET("/apple-touch-icon.png", s.touchIcon)
	e.GET("/about", s.about)
	e.GET("/privacy", s.privacy)

	// The public JSON API. Its GETs are open to every origin (CORS, with a
	// real preflight answer); a wrong method answers 405 with Allow. (A
	// group-wide middleware would turn those into 404s.)
	api := e.Group("/api/v1")
	publicGET := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		api.GET(path, h, append([]echo.MiddlewareFunc{s.publicCORS}, m...)...)
		api.OPTIONS(path, s.preflight)
	}
	// A flood of letters from one address is refused, on the site's form,
	// the API and the action widget alike.
	letterLimit := limitByIP(s.cfg.Secret, "letter", s.limits.letterIPMax)

	// The campaigns' pages (the home page among them), or the lookup alone
	// as the home page of a site without campaigns.
	if s.pages != nil {
		s.pages.routes(e)
	} else {
		e.GET("/", lookupHome(s.view, s.addressOn()), cachePublic(s.homePages))
	}
	// Finding one's members: /reps and /api/v1/representatives.
	if s.lookup != nil {
		s.lookup.routes(e, publicGET, s.lookupCounts.middleware)
	}
	// Writing letters: /write, /letters/{id}/... and POST /api/v1/letters.
	if s.desk != nil {
		s.desk.routes(e, api, letterLimit, s.boundDB)
	}
	// The campaigns in the JSON API: /api/v1/campaigns/...
	if s.api != nil {
		s.api.routes(publicGET)
	}

	// Widgets for partners: the loader, the widgets and count.json.
	if s.widgets != nil {
		s.widgets.routes(e, publicGET, letterLimit, s.boundDB)
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
		// A campaign's preview is its public home page, drafts included;
		// without the public pages there is none.
		if s.pages != nil {
			org.GET("/campaigns/:slug/preview", s.pages.preview)
		}
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
