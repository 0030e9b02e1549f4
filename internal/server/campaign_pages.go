package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// The public pages of each campaign: /campaigns/{slug} (its home, with
// progress, ask and lookup) and /campaigns/{slug}/talking-points; its
// progress region, bills and widgets have their own files. The site's home
// page shows the featured campaign, the only running one, or an index of
// the running campaigns. Drafts are never public; closed campaigns stay as
// a record with their final figures.

// campaignPageRoutes registers the public campaign pages and the list of
// campaigns in the API.
func (s *Server) campaignPageRoutes(e *echo.Echo, publicGET func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc)) {
	e.GET("/campaigns/:slug", s.campaignHomePage, s.cachePublic(s.campaignPages))
	e.GET("/campaigns/:slug/talking-points", s.campaignTalkingPoints)
	publicGET("/campaigns", s.campaignsAPI)
}

// campaignListJSON is one campaign in GET /api/v1/campaigns.
type campaignListJSON struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Ask      string `json:"ask"`
	Status   string `json:"status"`
	Featured bool   `json:"featured"`
	URL      string `json:"url"`
	API      string `json:"api"`
}

// campaignsAPI serves GET /api/v1/campaigns: the public campaigns, running
// ones first, then closed ones. Drafts are not listed.
func (s *Server) campaignsAPI(c echo.Context) error {
	ctx := c.Request().Context()
	out := struct {
		Campaigns []campaignListJSON `json:"campaigns"`
	}{Campaigns: []campaignListJSON{}}
	if s.deps.Campaigns != nil {
		ch, err := s.homeChoice(ctx)
		if err != nil {
			return err
		}
		featured, err := s.deps.Campaigns.Featured(ctx)
		if err != nil {
			return err
		}
		for _, camp := range ch.public {
			out.Campaigns = append(out.Campaigns, campaignListJSON{Slug: camp.Slug, Title: camp.Title, Ask: camp.Ask,
				Status: string(camp.Status), Featured: camp.Slug == featured, URL: s.campaignURL(camp.Slug),
				API: "/api/v1/campaigns/" + camp.Slug})
		}
	}
	return s.jsonCached(c, http.StatusOK, out, time.Time{})
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
func (s *Server) homeChoice(ctx context.Context) (homeChoice, error) {
	return s.homeMemo.Get(ctx, struct{}{}, s.loadHomeChoice)
}

func (s *Server) loadHomeChoice(ctx context.Context) (homeChoice, error) {
	list, err := s.deps.Campaigns.Campaigns(ctx)
	if err != nil {
		return homeChoice{}, err
	}
	featured, err := s.deps.Campaigns.Featured(ctx)
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
func (s *Server) defaultSlug(ctx context.Context) string {
	if s.deps.Campaigns == nil {
		return ""
	}
	ch, err := s.homeChoice(ctx)
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "choose home campaign", "err", err)
	}
	if ch.slug != "" {
		return ch.slug
	}
	return s.cfg.HomeCampaign
}

// campaignFor loads the public campaign named slug, or the default one
// when slug is empty.
func (s *Server) campaignFor(ctx context.Context, slug string) (advocacy.Campaign, error) {
	if !s.campaignEnabled() {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is running.")
	}
	if slug == "" {
		slug = s.defaultSlug(ctx)
	}
	if slug == "" {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is running.")
	}
	return public(s.deps.Campaigns.Campaign(ctx, slug))
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
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	ref := cleanRef(c.QueryParam("ref"))
	lookup := templates.LookupView{LocationURL: templates.WithRef("/reps", ref), Ref: ref, AddressOn: s.addressOn()}
	if !s.campaignEnabled() {
		return s.render(c, http.StatusOK, templates.HomePage(s.meta(c, "Whipcount", "/"), templates.HomeView{Lookup: lookup}), nil)
	}
	ch, err := s.homeChoice(ctx)
	if err != nil {
		return err
	}
	if ch.slug == "" && len(ch.public) > 0 {
		v := templates.CampaignIndexView{Lookup: lookup}
		for _, camp := range ch.public {
			full, err := s.deps.Campaigns.Campaign(ctx, camp.Slug)
			if err != nil {
				return err
			}
			card := s.campaignCard(full, ref)
			if camp.Running() {
				v.Running = append(v.Running, card)
			} else {
				v.Closed = append(v.Closed, card)
			}
		}
		m := s.meta(c, "Campaigns", "/")
		m.Description = "The campaigns you can join: each asks members of Congress to act on a bill."
		return s.renderCached(c, http.StatusOK, templates.CampaignIndexPage(m, v), nil, time.Time{})
	}
	slug := ch.slug
	if slug == "" {
		slug = s.cfg.HomeCampaign
	}
	camp, err := public(s.deps.Campaigns.Campaign(ctx, slug))
	if advocacy.ErrorCode(err) == advocacy.CodeNotFound {
		return s.render(c, http.StatusOK, templates.HomePage(s.meta(c, "Whipcount", "/"), templates.HomeView{Lookup: lookup}), nil)
	}
	if err != nil {
		return err
	}
	return s.renderCampaignHome(c, camp, "/", false)
}

// campaignHomePage serves /campaigns/{slug}.
func (s *Server) campaignHomePage(c echo.Context) error {
	camp, err := s.campaignFor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.renderCampaignHome(c, camp, "/campaigns/"+camp.Slug, false)
}

// renderCampaignHome renders a campaign's home page at path; preview marks
// a draft shown in the workspace.
func (s *Server) renderCampaignHome(c echo.Context, camp advocacy.Campaign, path string, preview bool) error {
	ctx := c.Request().Context()
	ref := cleanRef(c.QueryParam("ref"))
	v := templates.HomeView{Lookup: templates.LookupView{Ref: ref, AddressOn: s.addressOn()}}
	if camp.Slug != s.defaultSlug(ctx) {
		// Pages without a campaign mean the default one: only another
		// campaign needs naming in the lookup's links.
		v.Lookup.Campaign = camp.Slug
	}
	v.Lookup.LocationURL = v.Lookup.Carry("/reps")
	cv := s.campaignView(ctx, camp)
	cv.Preview = preview
	v.Campaign = &cv
	m := s.meta(c, camp.Title, path)
	m.Description = camp.Ask
	if preview {
		return s.render(c, http.StatusOK, templates.HomePage(m, v), nil)
	}
	return s.renderCached(c, http.StatusOK, templates.HomePage(m, v), nil, s.campaignModified(camp, true))
}

// campaignTalkingPoints serves /campaigns/{slug}/talking-points.
func (s *Server) campaignTalkingPoints(c echo.Context) error {
	camp, err := s.campaignFor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.renderTalkingPoints(c, camp, talkingPointsURL(camp.Slug))
}

func talkingPointsURL(slug string) string { return "/campaigns/" + slug + "/talking-points" }

// campaignCard describes a campaign in the index and in "campaigns you can
// join" lists.
func (s *Server) campaignCard(camp advocacy.Campaign, ref string) templates.CampaignCard {
	card := templates.CampaignCard{Slug: camp.Slug, Title: camp.Title, Ask: camp.Ask,
		URL: templates.WithRef(s.campaignURL(camp.Slug), ref)}
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
func (s *Server) endedView(ctx context.Context, camp advocacy.Campaign) templates.CampaignEndedView {
	v := templates.CampaignEndedView{Title: camp.Title, RunningURL: "/"}
	if !camp.EndsOn.IsZero() {
		v.Closed = longDate(camp.EndsOn)
	}
	ch, err := s.homeChoice(ctx)
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "list running campaigns", "err", err)
		return v
	}
	for _, other := range ch.public {
		if other.Running() && other.Slug != camp.Slug {
			v.Running = append(v.Running, templates.CampaignCard{Slug: other.Slug, Title: other.Title,
				Ask: other.Ask, URL: s.campaignURL(other.Slug)})
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
