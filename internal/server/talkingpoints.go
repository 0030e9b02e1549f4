package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// audienceHeadings names each audience's section and says who it is for.
var audienceHeadings = map[advocacy.Audience][2]string{
	advocacy.AudienceConstituents: {"For constituents", "Short points for a letter, a call or a visit to your own members’ offices."},
	advocacy.AudienceBusiness:     {"For business groups", "For employers and executives: trade certainty, investment and supply chains."},
	advocacy.AudiencePress:        {"For press and allies", "The history and the facts of the bills, for reporters, partners and coalition members."},
}

// talkingPoints serves /talking-points for the default campaign.
func (p *campaignPages) talkingPoints(c echo.Context) error {
	camp, err := p.read.campaignFor(c.Request().Context(), "")
	if err != nil {
		return err
	}
	return p.renderTalkingPoints(c, camp, "/talking-points")
}

// renderTalkingPoints renders a campaign's talking points at path.
func (p *campaignPages) renderTalkingPoints(c echo.Context, camp advocacy.Campaign, path string) error {
	ctx := c.Request().Context()
	tps, err := p.campaigns.TalkingPoints(ctx, camp.ID)
	if err != nil {
		return err
	}
	v := templates.TalkingPointsView{CampaignTitle: camp.Title, CampaignURL: campaignURL(camp.Slug), Ask: camp.Ask}
	if camp.Slug != p.read.defaultSlug(ctx) {
		// Pages without a campaign mean the default one: only another
		// campaign needs naming for the lookup to lead to its letters.
		v.Campaign = camp.Slug
	}
	groups := map[advocacy.Audience]*templates.TalkingPointGroup{}
	for _, a := range advocacy.Audiences() {
		h := audienceHeadings[a]
		groups[a] = &templates.TalkingPointGroup{ID: string(a), Heading: h[0], Intro: h[1]}
	}
	for _, tp := range tps {
		item, err := p.talkingPointItem(tp)
		if err != nil {
			return err
		}
		if tp.Objection {
			v.Objections = append(v.Objections, item)
			continue
		}
		if g, ok := groups[tp.Audience]; ok {
			g.Items = append(g.Items, item)
		}
	}
	for _, a := range advocacy.Audiences() {
		if g := groups[a]; len(g.Items) > 0 {
			v.Groups = append(v.Groups, *g)
		}
	}
	m := p.view.meta(c, "Talking points", path)
	m.Description = "Talking points for " + camp.Title + ", by audience, with sources."
	return p.view.renderCached(c, http.StatusOK, templates.TalkingPointsPage(m, v), nil, p.read.campaignModified(camp, false))
}

// talkingPointItem renders a talking point's Markdown safely and keeps only
// web sources with http(s) links.
func (p *campaignPages) talkingPointItem(tp advocacy.TalkingPoint) (templates.TalkingPointItem, error) {
	body, err := p.read.markdown().Render(tp.BodyMD)
	if err != nil {
		return templates.TalkingPointItem{}, err
	}
	it := templates.TalkingPointItem{ID: "tp-" + strconv.FormatInt(tp.ID, 10), Title: tp.Title, BodyHTML: body}
	for _, src := range tp.Sources {
		link := templates.SourceLink{Title: src.Title}
		if isWebURL(src.URL) {
			link.URL = src.URL
		}
		if link.Title == "" {
			link.Title = link.URL
		}
		if link.Title != "" {
			it.Sources = append(it.Sources, link)
		}
	}
	return it, nil
}

// isWebURL reports whether u is an absolute http or https URL.
func isWebURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}
