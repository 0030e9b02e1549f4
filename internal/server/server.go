// Package server is Whipcount's HTTP layer: echo setup, every route, thin
// handlers, middleware, the render helper and the one error handler. It
// declares the small interfaces it needs and never imports a store package.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// RepFinder answers "who represents this ZIP code or point".
type RepFinder interface {
	LookupZIP(zip string) (advocacy.Lookup, error)
	LookupPoint(lat, lon float64) (advocacy.Lookup, error)
	DistrictShape(key advocacy.DistrictKey) (orb.MultiPolygon, bool)
}

// Config is the server's settings.
type Config struct {
	// DataDate is the reference data's date, shown in the footer.
	DataDate string
	// About carries the reference data's counts for the About page.
	About templates.AboutView
	// HomeCampaign is the slug of the campaign the home page, the talking
	// points and the lookup's stances are about; empty for none.
	HomeCampaign string
	// CosponsorsStaleDays is how old cosponsor data may get before bill
	// pages warn organizers; 0 turns the warning off.
	CosponsorsStaleDays int
}

// Deps are the collaborators the server calls.
type Deps struct {
	Logger *slog.Logger
	Clock  func() time.Time
	Reps   RepFinder
	// Health reports whether the database answers.
	Health func(ctx context.Context) error
	// Campaigns reads campaigns, bills, cosponsors and talking points; nil
	// leaves campaign content out.
	Campaigns CampaignStore
	// Members finds members by bioguide ID and draws states for the
	// campaign pages.
	Members MemberDirectory
	// LetterCounter counts a campaign's letters; nil shows no count.
	LetterCounter LetterCounter
	// Letters wires the letter flow; its zero value turns letters off.
	Letters LetterDeps
}

// Server holds the echo instance and what handlers need.
type Server struct {
	cfg    Config
	deps   Deps
	echo   *echo.Echo
	assets templates.Assets
	camp   campaignCache
	bgwork letterRuntime
}

// New builds a server with every route registered.
func New(cfg Config, deps Deps) *Server {
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{cfg: cfg, deps: deps, echo: e, assets: staticAssets()}
	e.HTTPErrorHandler = s.handleError
	s.routes()
	return s
}

// Handler is the server's root http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// NewHTTPServer wraps h in an http.Server with timeouts suited to a public
// site: slow clients cannot hold connections open for long.
func NewHTTPServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
