package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// publicAPI is the campaigns in the public JSON API: the list of
// campaigns, each campaign with its bills' progress, their cosponsors, and
// the letters' public totals. Its GETs are open to every origin. It is
// mounted on a site with campaigns; a campaign's figures need the member
// data, and the totals the letter store. (The representatives' lookup and
// the letters' POST belong to the lookup and the letter desk.)
type publicAPI struct {
	// view answers JSON with validators; read gives the home page's
	// choice, the letter counts and the campaigns' change times.
	view      *renderer
	read      *campaignReader
	campaigns CampaignStore
	// members names sponsors and cosponsors; nil leaves the campaigns and
	// their cosponsors out.
	members MemberDirectory
	// letters answers the totals; nil leaves them out.
	letters LetterStore
	// homePages is the core's short-lived cache of the public campaign
	// answers, which keeps the totals too.
	homePages *pageCache
	clock     func() time.Time
}

// newPublicAPI builds the API on the campaign store, or nil without one.
func newPublicAPI(s *Server) *publicAPI {
	if s.deps.Campaigns == nil {
		return nil
	}
	return &publicAPI{view: s.view, read: s.read, campaigns: s.deps.Campaigns, members: s.deps.Members, letters: s.deps.Letters.Store,
		homePages: s.homePages, clock: s.deps.Clock}
}

// routes mounts what the API's collaborators allow with publicGET (open to
// every origin, with a real preflight answer).
func (a *publicAPI) routes(publicGET func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc)) {
	publicGET("/campaigns", a.campaignsAPI)
	if a.members != nil {
		publicGET("/campaigns/:slug", a.campaignAPI)
		publicGET("/campaigns/:slug/cosponsors", a.cosponsorsAPI)
	}
	if a.letters != nil {
		// The public totals read only aggregates, and are kept like the
		// campaign home: anyone may ask, as often as they like.
		publicGET("/campaigns/:slug/stats", a.letterStatsAPI, cachePublic(a.homePages))
	}
}

// campaign loads a public campaign; drafts are not found.
func (a *publicAPI) campaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	return public(a.campaigns.Campaign(ctx, slug))
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

// campaignJSON is the public JSON shape of a campaign.
type campaignJSON struct {
	Slug    string      `json:"slug"`
	Title   string      `json:"title"`
	Ask     string      `json:"ask"`
	Status  string      `json:"status"`
	URL     string      `json:"url"`
	Bills   []billJSON  `json:"bills"`
	Letters lettersJSON `json:"letters"`
}

type billJSON struct {
	ID string `json:"id"`
	// Position is "support" or "oppose"; Goal what Count counts towards
	// Target: "cosponsors", "not_cosponsoring" or "withdrawals".
	Position string `json:"position"`
	Goal     string `json:"goal"`
	Count    int    `json:"count"`
	// Expired is set once the bill's Congress has ended (CongressEnds).
	Expired      bool    `json:"expired"`
	CongressEnds string  `json:"congress_ends"`
	Replaces     *string `json:"replaces"`
	Label        string  `json:"label"`
	Chamber      string  `json:"chamber"`
	Congress     int     `json:"congress"`
	Type         string  `json:"type"`
	Number       int     `json:"number"`
	Title        string  `json:"title"`
	Sponsor      string  `json:"sponsor"`
	SponsorName  string  `json:"sponsor_name"`
	Cosponsors   int     `json:"cosponsors"`
	Withdrawn    int     `json:"withdrawn"`
	Target       int     `json:"target"`
	Percent      int     `json:"percent"`
	Reached      bool    `json:"reached"`
	AsOf         *string `json:"as_of"`
	URL          string  `json:"url"`
}

type lettersJSON struct {
	Total int `json:"total"`
}

// cosponsorJSON is one cosponsorship in the public JSON.
type cosponsorJSON struct {
	Bill        string  `json:"bill"`
	BioguideID  string  `json:"bioguide_id"`
	Name        string  `json:"name"`
	Party       string  `json:"party"`
	State       string  `json:"state"`
	District    *int    `json:"district"`
	JoinedOn    string  `json:"joined_on"`
	Original    bool    `json:"original"`
	WithdrawnOn *string `json:"withdrawn_on"`
}

// letterStatsJSON is a campaign's public letter aggregates.
type letterStatsJSON struct {
	Campaign  string         `json:"campaign"`
	Total     int            `json:"total"`
	ByChamber map[string]int `json:"by_chamber"`
	Last24h   int            `json:"last_24h"`
	ByState   map[string]int `json:"by_state"`
}

// campaignsAPI serves GET /api/v1/campaigns: the public campaigns, running
// ones first, then closed ones. Drafts are not listed.
func (a *publicAPI) campaignsAPI(c echo.Context) error {
	ctx := c.Request().Context()
	out := struct {
		Campaigns []campaignListJSON `json:"campaigns"`
	}{Campaigns: []campaignListJSON{}}
	ch, err := a.read.homeChoice(ctx)
	if err != nil {
		return err
	}
	featured, err := a.campaigns.Featured(ctx)
	if err != nil {
		return err
	}
	for _, camp := range ch.public {
		out.Campaigns = append(out.Campaigns, campaignListJSON{Slug: camp.Slug, Title: camp.Title, Ask: camp.Ask,
			Status: string(camp.Status), Featured: camp.Slug == featured, URL: campaignURL(camp.Slug),
			API: "/api/v1/campaigns/" + camp.Slug})
	}
	return a.view.jsonCached(c, http.StatusOK, out, time.Time{})
}

// campaignAPI serves GET /api/v1/campaigns/{slug}.
func (a *publicAPI) campaignAPI(c echo.Context) error {
	ctx := c.Request().Context()
	camp, err := a.campaign(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	out := campaignJSON{
		Slug: camp.Slug, Title: camp.Title, Ask: camp.Ask, Status: string(camp.Status),
		URL: campaignURL(camp.Slug), Bills: []billJSON{},
		Letters: lettersJSON{Total: a.read.letterCount(ctx, camp)},
	}
	now := a.clock()
	for _, b := range camp.Bills {
		p := b.Progress()
		active := advocacy.ActiveCount(b.Cosponsors)
		bj := billJSON{
			ID: b.ID, Label: b.Label(), Chamber: string(b.Chamber), Congress: b.Congress, Type: b.Type,
			Number: b.Number, Title: b.Title, Sponsor: b.SponsorID,
			Cosponsors: active, Withdrawn: len(b.Cosponsors) - active,
			Target: p.Target, Percent: p.Percent, Reached: p.Reached, URL: a.read.campaignBillURL(camp.Slug, b.ID),
			Position: string(b.Position.OrSupport()), Goal: string(b.Goal), Count: p.Count,
			Expired: b.Expired(now), CongressEnds: b.Term().End.UTC().Format(time.RFC3339),
		}
		if b.Succeeds != "" {
			bj.Replaces = &b.Succeeds
		}
		if m, ok := a.members.Member(b.SponsorID); ok {
			bj.SponsorName = m.Name
		}
		if !b.CosponsorsAsOf.IsZero() {
			asOf := b.CosponsorsAsOf.UTC().Format(time.RFC3339)
			bj.AsOf = &asOf
		}
		out.Bills = append(out.Bills, bj)
	}
	return a.view.jsonCached(c, http.StatusOK, out, a.read.campaignModified(camp, true))
}

// cosponsorsAPI serves GET /api/v1/campaigns/{slug}/cosponsors, optionally
// for one bill (?bill=hr5917-119). Withdrawn cosponsors are listed with the
// date they withdrew.
func (a *publicAPI) cosponsorsAPI(c echo.Context) error {
	camp, err := a.campaign(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	only := c.QueryParam("bill")
	if only != "" {
		found := false
		for _, b := range camp.Bills {
			found = found || b.ID == only
		}
		if !found {
			return advocacy.Invalid("bill", "The campaign has no bill "+strconv.Quote(only)+".")
		}
	}
	type listJSON struct {
		Slug       string          `json:"slug"`
		Cosponsors []cosponsorJSON `json:"cosponsors"`
	}
	out := listJSON{Slug: camp.Slug, Cosponsors: []cosponsorJSON{}}
	for _, b := range camp.Bills {
		if only != "" && b.ID != only {
			continue
		}
		for _, cs := range b.Cosponsors {
			cj := cosponsorJSON{
				Bill: b.ID, BioguideID: cs.BioguideID, Party: "Unknown",
				JoinedOn: cs.JoinedOn.Format(advocacy.DateLayout), Original: cs.Original,
			}
			if m, ok := a.members.Member(cs.BioguideID); ok {
				cj.Name, cj.Party, cj.State = m.Name, m.Party, m.State
				if m.Chamber == advocacy.House {
					d := m.District
					cj.District = &d
				}
			}
			if !cs.Active() {
				w := cs.WithdrawnOn.Format(advocacy.DateLayout)
				cj.WithdrawnOn = &w
			}
			out.Cosponsors = append(out.Cosponsors, cj)
		}
	}
	return a.view.jsonCached(c, http.StatusOK, out, a.read.campaignModified(camp, false))
}

// letterStatsAPI serves GET /api/v1/campaigns/{slug}/stats: totals, letters
// per chamber (a letter to two senators counts twice), the last 24 hours
// and letters per state. No personal data.
func (a *publicAPI) letterStatsAPI(c echo.Context) error {
	ctx := c.Request().Context()
	camp, err := a.campaign(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	st, err := a.letters.Stats(ctx, camp.ID, a.clock().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	out := letterStatsJSON{Campaign: camp.Slug, Total: st.Total, Last24h: st.Since,
		ByChamber: map[string]int{}, ByState: map[string]int{}}
	for ch, n := range st.ByChamber {
		out.ByChamber[string(ch)] = n
	}
	for state, n := range st.ByState {
		out.ByState[state] = n
	}
	return a.view.jsonCached(c, http.StatusOK, out, time.Time{})
}
