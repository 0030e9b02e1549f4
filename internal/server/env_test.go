package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	campaignsvc "github.com/whipcount/whipcount/internal/campaigns"
	"github.com/whipcount/whipcount/internal/geocoder"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

// The tests' clocks start at one of these times.
var (
	// orgNow is late in the 119th Congress, with the seeded campaign
	// sixty days old.
	orgNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	// letterNow is when the letter tests' campaign is seeded and their
	// letters are written.
	letterNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	// campaignNow is well after the seed's as-of date, so the seeded
	// cosponsor data is stale.
	campaignNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// testSecret keys the server's hashes and tokens in tests.
var testSecret = []byte("test secret, thirty-two bytes ok")

// env is a server under test over a testkit.Kit: a real SQLite file, the
// real reference data and a clock the test moves. The short fields name
// the kit's parts the tests use most.
type env struct {
	kit        *testkit.Kit
	srv        *Server
	db         *sqlite.DB
	clock      *testkit.Clock
	campaigns  *sqlite.Campaigns
	letters    *sqlite.Letters
	users      *sqlite.Users
	partners   *sqlite.Partners
	campaignID int64
	others     int // accounts mustLoginToken has made
}

// envSetup is what newEnv's options choose before the server is built.
type envSetup struct {
	now       time.Time
	seed      bool
	seedAge   time.Duration
	organizer bool
	letters   bool
	templates bool
	letterEds []func(*LetterDeps)
	partners  bool
	geocoder  *standin.Geocoder
	counter   LetterCounter
	config    []func(*Config)
	deps      []func(*Deps)
	ready     []func(testing.TB, *env)
}

// envOption chooses a part of the server newEnv builds.
type envOption func(*envSetup)

// at starts the clock at t (orgNow by default).
func at(t time.Time) envOption { return func(s *envSetup) { s.now = t } }

// withCampaign seeds the campaign (sqlite.SeedSlug) as of age before the
// clock's start and serves its pages; it is the home campaign.
func withCampaign(age time.Duration) envOption {
	return func(s *envSetup) { s.seed, s.seedAge = true, age }
}

// withOrganizer wires the organizer workspace on the kit's stores.
func withOrganizer() envOption { return func(s *envSetup) { s.organizer = true } }

// withLetters wires the letter flow on the kit's letter store; edits
// adjust its wiring (CWC channel, wake-up, receipts, base URL).
func withLetters(edits ...func(*LetterDeps)) envOption {
	return func(s *envSetup) { s.letters, s.letterEds = true, append(s.letterEds, edits...) }
}

// withLetterTemplates has letters start from the letter templates the
// organizers edit (the kit's campaign editor).
func withLetterTemplates() envOption { return func(s *envSetup) { s.templates = true } }

// withPartners adds three partners that embed the widgets: bizco (two
// allowed origins), open (any origin) and quiet (none listed).
func withPartners() envOption { return func(s *envSetup) { s.partners = true } }

// withGeocoder finds street addresses with g, a stand-in of the Census
// geocoder.
func withGeocoder(g *standin.Geocoder) envOption { return func(s *envSetup) { s.geocoder = g } }

// withLetterCounter counts letters with c instead of the letter store.
func withLetterCounter(c LetterCounter) envOption { return func(s *envSetup) { s.counter = c } }

// withConfig adjusts the server's settings last.
func withConfig(f func(*Config)) envOption {
	return func(s *envSetup) { s.config = append(s.config, f) }
}

// withDeps adjusts the server's collaborators last.
func withDeps(f func(*Deps)) envOption { return func(s *envSetup) { s.deps = append(s.deps, f) } }

// whenReady runs f on the built environment.
func whenReady(f func(testing.TB, *env)) envOption {
	return func(s *envSetup) { s.ready = append(s.ready, f) }
}

// The environments most tests use.

// letterFlow is the letter flow on the campaign seeded at letterNow.
func letterFlow(edits ...func(*LetterDeps)) envOption {
	return func(s *envSetup) {
		at(letterNow)(s)
		withCampaign(0)(s)
		withLetters(edits...)(s)
	}
}

// organizerWorkspace is the organizer workspace and the public campaign pages,
// the campaign seeded sixty days before orgNow.
func organizerWorkspace() envOption {
	return func(s *envSetup) {
		withCampaign(60 * 24 * time.Hour)(s)
		withOrganizer()(s)
	}
}

// partnerWidgets is the workspace with the letter flow and the three partners.
func partnerWidgets() envOption {
	return func(s *envSetup) {
		organizerWorkspace()(s)
		withLetters()(s)
		withPartners()(s)
	}
}

// campaignSite is the public pages of the campaign seeded thirty days
// before campaignNow, the letters counted by counter (nil shows no
// count). These tests change cosponsors and expect the very next page to
// show it, so the campaign page cache is off (pagecache_test.go tests
// the cache).
func campaignSite(counter LetterCounter) envOption {
	return func(s *envSetup) {
		at(campaignNow)(s)
		withCampaign(30 * 24 * time.Hour)(s)
		withLetterCounter(counter)(s)
		withConfig(func(c *Config) { c.CosponsorsStaleDays = 14; c.CampaignCacheTTL = -1 })(s)
	}
}

// campaignLifecycle is the workspace with the letter flow on the campaigns'
// own letter templates, for the life of a second campaign next to the
// seeded one, with an organizer account (org@example.org); the campaign
// page cache is off.
func campaignLifecycle() envOption {
	return func(s *envSetup) {
		organizerWorkspace()(s)
		withLetters()(s)
		withLetterTemplates()(s)
		withConfig(func(c *Config) { c.CampaignCacheTTL = -1 })(s)
		whenReady(func(t testing.TB, e *env) { e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "") })(s)
	}
}

// newEnv builds a server over a new kit. Without options it answers the
// lookup and the static pages from the reference data alone.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	s := envSetup{now: orgNow}
	for _, o := range opts {
		o(&s)
	}
	k := testkit.New(t, s.now)
	e := &env{kit: k, db: k.DB, clock: k.Clock, campaigns: k.Campaigns, letters: k.Letters, users: k.Users, partners: k.Partners}

	// A busy test machine must not turn slow writes into 503s; the fault
	// tests set a short time-out of their own.
	cfg := Config{DataDate: k.Data.Stats().DataDate, DBTimeout: time.Minute}
	deps := Deps{
		Logger: slog.New(slog.DiscardHandler),
		Clock:  k.Clock.Now,
		Reps:   k.Data,
		Health: k.DB.Ping,
	}
	if s.seed {
		k.SeedCampaign(t, s.now.Add(-s.seedAge))
		e.campaignID = k.CampaignID
		cfg.HomeCampaign = sqlite.SeedSlug
		deps.Campaigns = k.Campaigns
		deps.Members = k.Data
	}
	if s.organizer {
		cfg.Organizer.Passwords = testkit.Passwords
		deps.Organizer = OrganizerDeps{
			Users:      k.Users,
			Sessions:   k.Sessions,
			Audit:      k.Audit,
			Stats:      k.Stats,
			Exports:    k.Exports,
			Moderation: k.Moderation,
			Editor:     k.Editor,
			Campaigns:  campaignsvc.New(k.Editor, k.ChamberOf, k.Clock.Now),
		}
	}
	if s.letters {
		ld := LetterDeps{Store: k.Letters}
		if s.templates {
			ld.Templates = k.Editor
		}
		for _, f := range s.letterEds {
			f(&ld)
		}
		cfg.Secret = testSecret
		deps.Letters = ld
		deps.LetterCounter = k.Letters
		deps.Health = func(ctx context.Context) error { return k.DB.CheckWrites(ctx, k.Clock.Now().String()) }
		deps.Unavailable = sqlite.Unavailable
	}
	if s.counter != nil {
		deps.LetterCounter = s.counter
	}
	if s.partners {
		for _, p := range []advocacy.Partner{
			{Name: "Business Council", Slug: "business-council", SourceCode: "bizco", LogoText: "BizCo",
				AllowedOrigins: []string{"https://council.example", "http://127.0.0.2:8080"}},
			{Name: "Open Network", Slug: "open", SourceCode: "open", AllowAnyOrigin: true},
			{Name: "Quiet Group", Slug: "quiet", SourceCode: "quiet"},
		} {
			if _, err := k.Partners.CreatePartner(context.Background(), p, 0); err != nil {
				t.Fatal(err)
			}
		}
		cfg.Secret = testSecret
		deps.Partners = k.Partners
	}
	if s.geocoder != nil {
		// Long enough for a loaded machine's answer from the stand-in;
		// the hanging stand-in still runs into it.
		cfg.GeocodeTimeout = time.Second
		cfg.GeocoderHost = "geocoding.geo.census.gov"
		deps.Geocoder = &geocoder.Census{BaseURL: s.geocoder.URL, Timeout: time.Second}
	}
	for _, f := range s.config {
		f(&cfg)
	}
	for _, f := range s.deps {
		f(&deps)
	}
	e.srv = New(cfg, deps)
	for _, f := range s.ready {
		f(t, e)
	}
	return e
}

// do sends a request through the handler; htmx adds the HX-Request header.
func (e *env) do(t testing.TB, req *http.Request, htmx bool) *httptest.ResponseRecorder {
	t.Helper()
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// get performs a GET through the handler; htmx adds the HX-Request header.
func (e *env) get(t testing.TB, target string, htmx bool) *httptest.ResponseRecorder {
	t.Helper()
	return e.do(t, httptest.NewRequest(http.MethodGet, target, nil), htmx)
}

// fetch sends a request, a form when form is not nil, with the headers
// given as name, value pairs.
func (e *env) fetch(t testing.TB, method, target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(t, req, false)
}

// post sends a form; a letter form gets the time it was opened (a minute
// ago) unless it has one.
func (e *env) post(t testing.TB, target string, form url.Values, htmx bool) *httptest.ResponseRecorder {
	t.Helper()
	if form.Get("campaign") != "" && !form.Has("started") {
		// A person who opened the form a minute ago (see abuse.go).
		form = with(form, "started", e.srv.stamps.stampAt(e.clock.Now().Add(-time.Minute)))
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(t, req, htmx)
}

// postJSON sends a letter to the API.
func (e *env) postJSON(t testing.TB, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.do(t, req, false)
}

// count runs a count query on the database.
func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	return e.kit.Count(t, query, args...)
}

// addUser creates an account with testkit.Password.
func (e *env) addUser(t testing.TB, email string, role advocacy.Role, partner string) advocacy.User {
	t.Helper()
	return e.kit.AddUser(t, email, role, partner)
}

// addPartner creates a partner whose source code is code.
func (e *env) addPartner(t testing.TB, name, code string) {
	t.Helper()
	e.kit.AddPartner(t, name, code)
}

// mustLoginToken signs in another account and returns its CSRF token.
func (e *env) mustLoginToken(t testing.TB) string {
	t.Helper()
	e.others++
	email := "other" + strconv.Itoa(e.others) + "@example.org"
	e.addUser(t, email, advocacy.RoleOrganizer, "")
	return e.mustLogin(t, email).csrf
}
