// Package server is Whipcount's HTTP layer: echo setup, every route, thin
// handlers, middleware, the render helper and the one error handler. It
// declares the small interfaces it needs and never imports a store package.
package server

import (
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/letters"
)

// RepFinder answers "who represents this ZIP code or point".
type RepFinder interface {
	LookupZIP(zip string) (advocacy.Lookup, error)
	LookupPoint(lat, lon float64) (advocacy.Lookup, error)
	DistrictShape(key advocacy.DistrictKey) (orb.MultiPolygon, bool)
}

// Config is the server's settings.
type Config struct {
	// DataDate is the reference data's date, shown in the footer when no
	// Deps.Reference reports on the data.
	DataDate string
	// DataStaleDays is how old the member data may get before the About
	// page, the lookup and the organizer dashboard warn; 0 never warns.
	DataStaleDays int
	// HomeCampaign is the slug of the campaign that pages without one (the
	// lookup, the letter form, /talking-points) mean when the home page
	// shows no single campaign; the home page itself shows the featured or
	// the only running campaign, or an index of them.
	HomeCampaign string
	// CosponsorsStaleDays is how old cosponsor data may get before bill
	// pages warn organizers; 0 turns the warning off.
	CosponsorsStaleDays int
	// Organizer tunes the organizer workspace (session timeouts, password
	// hashing cost, login throttles); zero fields take the defaults.
	Organizer OrganizerConfig
	// Secret keys the hashes of IP addresses and emails and signs tokens.
	// It must stay the same across restarts; serve keeps it in the database.
	Secret []byte
	// TrustProxy takes the client's address from X-Forwarded-For (set it
	// only behind a reverse proxy that overwrites that header).
	TrustProxy bool
	// Limits are the per-client rate limits.
	Limits Limits
	// CampaignCacheTTL is how long the rendered campaign home and progress
	// region are reused (default 2 s; negative turns it off). A change of
	// cosponsors or counts shows within that time.
	CampaignCacheTTL time.Duration
	// NoPublicCache turns off the in-process reuse of public answers (the
	// campaign home and progress region, lookups, the stats, widgets and
	// count.json): every request reads the aggregates and renders anew.
	// For measuring that cost, or behind a CDN that does the caching.
	NoPublicCache bool
	// RequireConfirmation holds each new letter until its sender follows a
	// link mailed to them (it needs SMTP); unconfirmed letters expire.
	RequireConfirmation bool
	// RetentionDays is how long senders' personal data is kept after
	// delivery (the privacy page says so); 0 means until they delete it.
	RetentionDays int
	// GeocodeTimeout bounds a street-address lookup (default 3 s); past
	// it the person gets the ZIP code's map and list.
	GeocodeTimeout time.Duration
	// GeocoderHost names the geocoding service on the privacy page
	// ("geocoding.geo.census.gov"); empty when street addresses are off.
	GeocoderHost string
	// DBTimeout bounds how long a public request that writes (a letter, a
	// confirmation, an erasure) and /healthz wait for the database before
	// answering 503 with Retry-After. Default 3 s.
	DBTimeout time.Duration
}

// Limits are the rate limits per client (a keyed hash of the IP address) and
// per sender (a keyed hash of the normalised email). Lookups are generous,
// letters strict.
type Limits struct {
	Lookup Limit
	// LetterIP is how many letters one address sends before its further
	// letters wait for moderation; LetterIPMax how many before they are
	// refused.
	LetterIP    Limit
	LetterIPMax Limit
	LetterEmail Limit
	// LettersPerMinute caps new letters a minute across all senders; the
	// excess waits in the moderation queue. 0 means no cap.
	LettersPerMinute int
}

// Deps are the collaborators the server calls.
type Deps struct {
	Logger *slog.Logger
	Clock  func() time.Time
	Reps   RepFinder
	// Health reports whether the database answers and accepts writes
	// (within ctx's deadline).
	Health func(ctx context.Context) error
	// Unavailable reports whether an error means the database cannot take
	// a write now (locked by another process, read-only, full): such
	// errors answer 503 with Retry-After. nil: none do.
	Unavailable func(error) bool
	// Campaigns reads campaigns, bills, cosponsors and talking points; nil
	// leaves campaign content out.
	Campaigns CampaignStore
	// Members finds members by bioguide ID and draws states for the
	// campaign pages.
	Members MemberDirectory
	// LetterCounter counts a campaign's letters; nil shows no count.
	LetterCounter LetterCounter
	// Organizer wires the organizer workspace; without Users and Sessions
	// its routes answer 404.
	Organizer OrganizerDeps
	// Letters wires the letter flow; its zero value turns letters off.
	Letters LetterDeps
	// Partners reads and edits the partners that embed the widgets; nil
	// leaves widgets unattributed and framed by this site only.
	Partners PartnerStore
	// Reference reports on the member data in use (its date, counts, ended
	// terms, updates); nil falls back to Config.DataDate.
	Reference ReferenceStatus
	// CongressGov wires what the Congress.gov sync brings and the sync
	// itself; its zero value leaves it out.
	CongressGov CongressGovDeps
	// Geocoder finds street addresses; nil turns address lookups off.
	Geocoder Geocoder
}

// Server is the core: the echo instance, the middleware and the few pages
// of its own, the components the features share, and the features.
type Server struct {
	cfg  Config
	deps Deps
	echo *echo.Echo
	// The components the features are built from: view renders answers
	// and errors; read reads campaigns and builds the views several
	// features show; data tells how current the member data is; find runs
	// lookups; stamps signs the letter forms' start times; partnerDir is
	// the directory of partners; embeds makes the partners' snippets.
	view       *renderer
	read       *campaignReader
	data       *referenceData
	find       finder
	stamps     formStamps
	partnerDir *partnerDirectory
	embeds     *embedding
	// copies are the short-lived copies of public answers the workspace
	// forgets after a change.
	copies publicCopies
	// lookups caches public lookup answers; limits holds the rate limiters.
	lookups *pageCache
	// homePages caches the public campaign home, its progress region and
	// letter totals.
	homePages *pageCache
	limits    struct {
		lookup, letterIP, letterIPMax, letterEmail, address *limiter
		global                                              *minuteCap
	}
	share shareRuntime
	// staticCopies keeps the compressed copies of static files.
	staticCopies sync.Map
	// lookupCounts counts answered lookups for the dashboard.
	lookupCounts *lookupCounter
	// letters is the letter submission service.
	letters *letters.Service
	// The features mounted on the core; nil when not mounted.
	desk       *letterDesk
	lookup     *lookup
	pages      *campaignPages
	api        *publicAPI
	widgets    *widgets
	deliveries *deliveries
	// org is the organizer workspace and its features.
	org workspaceFeatures
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
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		// Never believe a client's own X-Forwarded-For: rate limits key on
		// the address the connection really came from.
		e.IPExtractor = echo.ExtractIPDirect()
	}
	s := &Server{cfg: cfg, deps: deps, echo: e}
	// Lookup answers depend only on reference data, slow-changing campaign
	// data and letter counts, so a few seconds' staleness costs nothing.
	lookupTTL, ttl := 5*time.Second, cfg.CampaignCacheTTL
	if ttl == 0 {
		ttl = 2 * time.Second
	}
	if cfg.NoPublicCache {
		lookupTTL, ttl = 0, 0
	}
	s.read = newCampaignReader(cfg, deps, ttl)
	s.data = newReferenceData(cfg, deps)
	s.view = newRenderer(deps, s.data, s.read)
	s.find = finder{reps: deps.Reps, clock: deps.Clock}
	s.stamps = formStamps{secret: cfg.Secret, clock: deps.Clock}
	s.partnerDir = newPartnerDirectory(deps.Partners, deps.Clock, deps.Logger)
	s.embeds = newEmbedding(s)
	// Lookup answers are many and each is asked for less often: they are
	// compressed fast. The campaign pages are few and asked for by everyone:
	// they get the smallest gzip copy and a brotli copy, smaller still.
	s.lookups = newPageCache(lookupTTL, 16<<20, gzip.BestSpeed, 0, deps.Clock)
	s.homePages = newPageCache(ttl, 4<<20, gzip.BestCompression, brotliBest, deps.Clock)
	s.limits.lookup = newLimiter(cfg.Limits.Lookup, deps.Clock)
	s.limits.letterIP = newLimiter(cfg.Limits.LetterIP, deps.Clock)
	s.limits.letterIPMax = newLimiter(cfg.Limits.LetterIPMax, deps.Clock)
	s.limits.address = newLimiter(addressLimit, deps.Clock)
	s.limits.letterEmail = newLimiter(cfg.Limits.LetterEmail, deps.Clock)
	s.limits.global = &minuteCap{cap: cfg.Limits.LettersPerMinute, clock: deps.Clock}
	e.HTTPErrorHandler = s.view.handleError
	// Letters keep a source code only when it names a partner: the store
	// the service writes to drops unknown ones.
	s.attributeLetters()
	s.letters = s.newLetterService()
	s.lookupCounts = newLookupCounter(deps.Organizer.Stats, deps.Clock, deps.Logger)
	// The workspace's core comes first: the public pages ask it who is
	// signed in.
	ws := newWorkspace(s)
	s.desk = newLetterDesk(s, ttl)
	s.lookup = newLookup(s)
	s.pages = newCampaignPages(s, ws)
	s.api = newPublicAPI(s)
	s.widgets = newWidgets(s)
	s.copies = publicCopies{read: s.read, pages: s.homePages, desk: s.desk, widgets: s.widgets}
	s.org = newWorkspaceFeatures(s, ws)
	s.deliveries = newDeliveries(s, s.org.ws)
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
