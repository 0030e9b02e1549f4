package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/ttlcache"
	"github.com/whipcount/whipcount/templates"
)

// campaignPages are the public pages of the campaigns: the site's home
// page (the featured campaign, the only running one, or an index of the
// running campaigns), each campaign's home /campaigns/{slug} (progress,
// ask and lookup) with its progress region, its talking points, its bills'
// pages, the map's shapes and the share card. Drafts are never public;
// closed campaigns stay as a record with their final figures. The feature
// is mounted when the campaigns and the member data are wired; without
// them the home page is the lookup alone.
type campaignPages struct {
	// view renders the pages; read reads the campaigns and builds the
	// views the features share.
	view      *renderer
	read      *campaignReader
	campaigns CampaignStore
	members   MemberDirectory
	// homePages is the core's short-lived cache of the campaign home and
	// its progress region.
	homePages *pageCache
	// lookupHome is the home page without a campaign to show; addressOn
	// offers the lookup by street address.
	lookupHome echo.HandlerFunc
	addressOn  bool
	// homeCampaign is the configured campaign that pages without one mean
	// when no campaign is featured.
	homeCampaign string
	// canEdit reports a signed-in account that may edit campaigns (a bill
	// page then tells them how to refresh its list); activity is what
	// Congress.gov says of a bill, when that is wired.
	canEdit  func(echo.Context) bool
	activity func(ctx context.Context, billID string) (advocacy.BillActivity, bool)
	clock    func() time.Time
	// mapImages are the drawn maps by their colours: a few at a time (one
	// per set of colours the campaigns show), each a few dozen kilobytes.
	// Each is kept with its compressed copies.
	mapImages *ttlcache.Cache[string, *compressedCopies]
	// cards are the drawn share cards by slug, drawn again when the title
	// changes.
	mu    sync.Mutex
	cards map[string]shareCard
}

// newCampaignPages builds the pages, or nil without campaigns or member
// data.
func newCampaignPages(s *Server, ws *workspace) *campaignPages {
	if !s.read.enabled() {
		return nil
	}
	return &campaignPages{view: s.view, read: s.read, campaigns: s.deps.Campaigns, members: s.deps.Members, homePages: s.homePages,
		lookupHome: lookupHome(s.view, s.addressOn()), addressOn: s.addressOn(),
		homeCampaign: s.cfg.HomeCampaign, canEdit: ws.canEditContent,
		activity: billActivity(s.deps.CongressGov.Reader, s.deps.Logger), clock: s.deps.Clock,
		cards: map[string]shareCard{},
		mapImages: ttlcache.New(time.Hour, s.deps.Clock, ttlcache.Options[string, *compressedCopies]{
			MaxWeight: 4 << 20, Weigh: func(_ string, m *compressedCopies) int { return m.size() },
		})}
}

// routes mounts the pages. The home pages and the progress region are what
// a crowd loads first; they change only when cosponsors or letter counts
// do, so a rendered copy is kept for a moment (Config.CampaignCacheTTL).
func (p *campaignPages) routes(e *echo.Echo) {
	e.GET("/", p.home, cachePublic(p.homePages))
	e.GET("/campaigns/:slug", p.campaignHomePage, cachePublic(p.homePages))
	e.GET("/campaigns/:slug/progress", p.campaignProgress, cachePublic(p.homePages))
	e.GET("/talking-points", p.talkingPoints)
	e.GET("/campaigns/:slug/talking-points", p.campaignTalkingPoints)
	e.GET("/bills/:id", p.billPage)
	e.GET("/campaigns/map.svg", p.mapImage)
	e.GET("/campaigns/:slug/share.png", p.shareCardImage)
}

// lookupHome is the home page of a site without a public campaign: the
// lookup alone.
func lookupHome(view *renderer, addressOn bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ref := cleanRef(c.QueryParam("ref"))
		lookup := templates.LookupView{LocationURL: templates.WithRef("/reps", ref), Ref: ref, AddressOn: addressOn}
		return view.render(c, http.StatusOK, templates.HomePage(view.meta(c, "Whipcount", "/"), templates.HomeView{Lookup: lookup}), nil)
	}
}

// homeChoice is what the home page shows: one campaign (slug), or the index
// of public campaigns when slug is empty.
type homeChoice struct {
	slug   string
	public []advocacy.Campaign // running first, then closed; without bills
}

// homeChoice works out the home page's campaign: the featured one while it
// runs; else the only running campaign; else (none running, or several and
// none featured) the index.
func (r *campaignReader) homeChoice(ctx context.Context) (homeChoice, error) {
	return r.homeMemo.Get(ctx, struct{}{}, r.loadHomeChoice)
}

func (r *campaignReader) loadHomeChoice(ctx context.Context) (homeChoice, error) {
	list, err := r.store.Campaigns(ctx)
	if err != nil {
		return homeChoice{}, err
	}
	featured, err := r.store.Featured(ctx)
	if err != nil {
		return homeChoice{}, err
	}
	var ch homeChoice
	var running []string
	for _, c := range list {
		if !c.Public() {
			continue
		}
		ch.public = append(ch.public, c)
		if c.Running() {
			running = append(running, c.Slug)
		}
	}
	switch {
	case featured != "" && contains(running, featured):
		ch.slug = featured
	case len(running) == 1:
		ch.slug = running[0]
	case len(running) == 0 && len(ch.public) == 0:
		ch.slug = "" // nothing public: the lookup alone
	}
	return ch, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// defaultSlug is the campaign that pages without one mean (the lookup, the
// letter form, /talking-points): the home page's campaign, else the
// configured home campaign.
func (r *campaignReader) defaultSlug(ctx context.Context) string {
	if r.store == nil {
		return ""
	}
	ch, err := r.homeChoice(ctx)
	if err != nil {
		r.logger.ErrorContext(ctx, "choose home campaign", "err", err)
	}
	if ch.slug != "" {
		return ch.slug
	}
	return r.homeCampaign
}

// campaignFor loads the public campaign named slug, or the default one
// when slug is empty.
func (r *campaignReader) campaignFor(ctx context.Context, slug string) (advocacy.Campaign, error) {
	if !r.enabled() {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is running.")
	}
	if slug == "" {
		slug = r.defaultSlug(ctx)
	}
	if slug == "" {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is running.")
	}
	return public(r.store.Campaign(ctx, slug))
}

var slugRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,59}$`)

// cleanSlug keeps a campaign slug from a query only when it is well formed.
func cleanSlug(s string) string {
	s = strings.TrimSpace(s)
	if !slugRe.MatchString(s) {
		return ""
	}
	return s
}

// home serves /: the home page's campaign, the index of campaigns, or the
// lookup alone when there is no public campaign.
func (p *campaignPages) home(c echo.Context) error {
	ctx := c.Request().Context()
	ref := cleanRef(c.QueryParam("ref"))
	lookup := templates.LookupView{LocationURL: templates.WithRef("/reps", ref), Ref: ref, AddressOn: p.addressOn}
	ch, err := p.read.homeChoice(ctx)
	if err != nil {
		return err
	}
	if ch.slug == "" && len(ch.public) > 0 {
		v := templates.CampaignIndexView{Lookup: lookup}
		for _, camp := range ch.public {
			full, err := p.campaigns.Campaign(ctx, camp.Slug)
			if err != nil {
				return err
			}
			card := p.campaignCard(full, ref)
			if camp.Running() {
				v.Running = append(v.Running, card)
			} else {
				v.Closed = append(v.Closed, card)
			}
		}
		m := p.view.meta(c, "Campaigns", "/")
		m.Description = "The campaigns you can join: each asks members of Congress to act on a bill."
		return p.view.renderCached(c, http.StatusOK, templates.CampaignIndexPage(m, v), nil, time.Time{})
	}
	slug := ch.slug
	if slug == "" {
		slug = p.homeCampaign
	}
	camp, err := public(p.campaigns.Campaign(ctx, slug))
	if advocacy.ErrorCode(err) == advocacy.CodeNotFound {
		return p.lookupHome(c)
	}
	if err != nil {
		return err
	}
	// The home page's campaign is the one pages without a campaign mean.
	return p.renderHome(c, camp, "/", false, camp.Slug)
}

// campaignHomePage serves /campaigns/{slug}.
func (p *campaignPages) campaignHomePage(c echo.Context) error {
	camp, err := p.read.campaignFor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return p.renderCampaignHome(c, camp, "/campaigns/"+camp.Slug, false)
}

// renderCampaignHome renders a campaign's home page at path; preview marks
// a draft shown in the workspace.
func (p *campaignPages) renderCampaignHome(c echo.Context, camp advocacy.Campaign, path string, preview bool) error {
	return p.renderHome(c, camp, path, preview, p.read.defaultSlug(c.Request().Context()))
}

// renderHome is renderCampaignHome for a caller that knows defaultSlug,
// the campaign that pages without one mean.
func (p *campaignPages) renderHome(c echo.Context, camp advocacy.Campaign, path string, preview bool, defaultSlug string) error {
	ctx := c.Request().Context()
	ref := cleanRef(c.QueryParam("ref"))
	v := templates.HomeView{Lookup: templates.LookupView{Ref: ref, AddressOn: p.addressOn}}
	if camp.Slug != defaultSlug {
		// Pages without a campaign mean the default one: only another
		// campaign needs naming in the lookup's links.
		v.Lookup.Campaign = camp.Slug
	}
	v.Lookup.LocationURL = v.Lookup.Carry("/reps")
	cv := p.campaignView(ctx, camp)
	cv.Preview = preview
	v.Campaign = &cv
	m := p.view.metaWith(c, camp.Title, path, camp)
	m.Description = camp.Ask
	if preview {
		return p.view.render(c, http.StatusOK, templates.HomePage(m, v), nil)
	}
	return p.view.renderCached(c, http.StatusOK, templates.HomePage(m, v), nil, p.read.campaignModified(camp, true))
}

// campaignTalkingPoints serves /campaigns/{slug}/talking-points.
func (p *campaignPages) campaignTalkingPoints(c echo.Context) error {
	camp, err := p.read.campaignFor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return p.renderTalkingPoints(c, camp, talkingPointsURL(camp.Slug))
}

func talkingPointsURL(slug string) string { return "/campaigns/" + slug + "/talking-points" }

// campaignCard describes a campaign in the index and in "campaigns you can
// join" lists.
func (p *campaignPages) campaignCard(camp advocacy.Campaign, ref string) templates.CampaignCard {
	card := templates.CampaignCard{Slug: camp.Slug, Title: camp.Title, Ask: camp.Ask,
		URL: templates.WithRef(campaignURL(camp.Slug), ref)}
	for _, b := range camp.Bills {
		card.Bills = append(card.Bills, b.Position.OrSupport().Label()+" "+b.LabelWithCongress())
	}
	if camp.Status == advocacy.CampaignClosed && !camp.EndsOn.IsZero() {
		card.Closed = longDate(camp.EndsOn)
	}
	return card
}

// endedView is what a closed campaign's pages and widgets say, with the
// campaigns that still take letters.
func (r *campaignReader) endedView(ctx context.Context, camp advocacy.Campaign) templates.CampaignEndedView {
	v := templates.CampaignEndedView{Title: camp.Title, RunningURL: "/"}
	if !camp.EndsOn.IsZero() {
		v.Closed = longDate(camp.EndsOn)
	}
	ch, err := r.homeChoice(ctx)
	if err != nil {
		r.logger.ErrorContext(ctx, "list running campaigns", "err", err)
		return v
	}
	for _, other := range ch.public {
		if other.Running() && other.Slug != camp.Slug {
			v.Running = append(v.Running, templates.CampaignCard{Slug: other.Slug, Title: other.Title,
				Ask: other.Ask, URL: campaignURL(other.Slug)})
		}
	}
	return v
}

// nextSteps explains the campaign's bills that died with their Congress
// and have not been replaced by a reintroduced bill; nil when none did.
func nextSteps(camp advocacy.Campaign, now time.Time) *templates.CampaignNextSteps {
	var died []string
	live := 0
	congress := 0
	for _, b := range camp.Bills {
		if !b.Expired(now) {
			live++
			continue
		}
		term := b.Term()
		congress = max(congress, term.Number)
		died = append(died, b.Label()+" died when the "+term.Ordinal()+" Congress ended on "+longDate(term.EndDate())+
			", without becoming law.")
	}
	if len(died) == 0 {
		return nil
	}
	next := advocacy.CongressAt(now)
	return &templates.CampaignNextSteps{
		Died: died,
		Explain: "A bill lives only as long as the Congress it was introduced in. To go on, its supporters must introduce it again, " +
			"with a new number, in the " + next.Ordinal() + " Congress; when they do, this campaign moves to the new bill and asks your members about it.",
		Partial: live > 0,
	}
}

// preview serves GET /organizer/campaigns/{slug}/preview: the
// public home page of any campaign, drafts included, inside the workspace
// only.
func (p *campaignPages) preview(c echo.Context) error {
	if _, err := need(c, advocacy.PermEditContent); err != nil {
		return err
	}
	camp, err := orgCampaign(c, p.campaigns)
	if err != nil {
		return err
	}
	orgNoStore(c)
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return p.renderCampaignHome(c, camp, orgCampaignURL(camp.Slug, "preview"), camp.Status == advocacy.CampaignDraft)
}
