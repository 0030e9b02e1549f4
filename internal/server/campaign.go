package server

import (
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/markdown"
	"github.com/whipcount/whipcount/internal/ttlcache"
	"github.com/whipcount/whipcount/templates"
)

// CampaignStore reads campaigns with their bills, cosponsors and talking
// points. Missing things are *advocacy.Error with CodeNotFound.
type CampaignStore interface {
	// Campaign returns the campaign with its bills and all cosponsors.
	Campaign(ctx context.Context, slug string) (advocacy.Campaign, error)
	// CampaignByID returns the campaign with id, like Campaign.
	CampaignByID(ctx context.Context, id int64) (advocacy.Campaign, error)
	// CampaignsOfBill lists, without their bills, the campaigns that ask
	// or asked about a bill: running first, then closed, then drafts.
	CampaignsOfBill(ctx context.Context, billID string) ([]advocacy.Campaign, error)
	// TalkingPoints lists a campaign's talking points in display order.
	TalkingPoints(ctx context.Context, campaignID int64) ([]advocacy.TalkingPoint, error)
	// Campaigns lists every campaign without its bills: running first,
	// then closed, then drafts.
	Campaigns(ctx context.Context) ([]advocacy.Campaign, error)
	// Featured is the slug of the campaign the home page features, or "".
	Featured(ctx context.Context) (string, error)
}

// MemberDirectory finds members of Congress by bioguide ID and gives the
// state outlines the campaign map is drawn from.
type MemberDirectory interface {
	Member(bioguide string) (advocacy.Member, bool)
	Members() []advocacy.Member
	// MembersByState counts Members by state.
	MembersByState() map[string]int
	StateShapes() map[string]orb.MultiPolygon
}

// LetterCounter counts the letters written in a campaign.
type LetterCounter interface {
	CountLetters(ctx context.Context, campaignID int64) (int, error)
}

// campaignReader reads campaigns for every feature that shows them: the
// campaign the pages without one mean, the home page's choice, a public
// campaign by slug, and the views several features share (progress, a
// closed campaign's notice, members' stances). It keeps the short-lived
// memos of campaigns and of the home choice, and what it builds once (the
// map's outlines, the Markdown renderer). Without campaigns or member data
// it finds no campaign.
type campaignReader struct {
	store   CampaignStore   // nil: no campaigns
	members MemberDirectory // nil: no member data
	counter LetterCounter   // nil: no letter counts
	// homeCampaign is the configured campaign that pages without one mean
	// when the home page shows no single campaign; staleDays how old a
	// cosponsor list may get before it is flagged (0: never).
	homeCampaign string
	staleDays    int
	clock        func() time.Time
	logger       *slog.Logger
	// memo keeps campaigns by slug and homeMemo the home choice, for a
	// moment (Config.CampaignCacheTTL).
	memo     *ttlcache.Cache[string, advocacy.Campaign]
	homeMemo *ttlcache.Cache[struct{}, homeChoice]

	mapOnce sync.Once
	mapBase *usMapBase
	mdOnce  sync.Once
	md      *markdown.Renderer
}

func newCampaignReader(cfg Config, deps Deps, ttl time.Duration) *campaignReader {
	return &campaignReader{store: deps.Campaigns, members: deps.Members, counter: deps.LetterCounter,
		homeCampaign: cfg.HomeCampaign, staleDays: cfg.CosponsorsStaleDays, clock: deps.Clock, logger: deps.Logger,
		memo:     ttlcache.New(ttl, deps.Clock, ttlcache.Options[string, advocacy.Campaign]{}),
		homeMemo: ttlcache.New(ttl, deps.Clock, ttlcache.Options[struct{}, homeChoice]{})}
}

// forget drops the memos, so that a change made in the workspace shows on
// the next request.
func (r *campaignReader) forget() {
	r.homeMemo.Clear()
	r.memo.Clear()
}

// usMapBase returns the drawn state outlines, building them on first use:
// they never change while the process runs.
func (r *campaignReader) usMapBase() *usMapBase {
	r.mapOnce.Do(func() {
		if r.members != nil {
			r.mapBase = buildUSMapBase(r.members.StateShapes())
		}
	})
	return r.mapBase
}

// mapImage serves the campaign map coloured as its URL says (usMapImage).
// The URL holds all the image shows, so when it names the outlines in use
// the image is cached for a year; the page links to another URL when the
// colours change.
func (p *campaignPages) mapImage(c echo.Context) error {
	base := p.read.usMapBase()
	bins := c.QueryParam("bins")
	if base == nil || !base.validBins(bins) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	img, err := p.mapImages.Get(c.Request().Context(), bins, func(context.Context) (*compressedCopies, error) {
		return newCompressedCopies(usMapImage(base, bins), gzip.BestCompression, brotliBest), nil
	})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if c.QueryParam("v") == base.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Add("Vary", "Accept-Encoding")
	// Opened on its own (a new tab, say), the image is a document under its
	// own policy: the site's would block the style sheet that colours it.
	h.Set("Content-Security-Policy", mapImagePolicy)
	return img.send(c, http.StatusOK, "image/svg+xml")
}

// mapImagePolicy lets the map image use its own style sheet and nothing
// else: no scripts, no fetches, no other resources.
const mapImagePolicy = "default-src 'none'; style-src 'unsafe-inline'"

// markdown returns the talking points' renderer. Headings in a talking
// point sit under its h3, so they start at h4.
func (r *campaignReader) markdown() *markdown.Renderer {
	r.mdOnce.Do(func() { r.md = markdown.New(3) })
	return r.md
}

// enabled reports whether campaign content can be shown.
func (r *campaignReader) enabled() bool {
	return r.store != nil && r.members != nil
}

// public hides draft campaigns from public pages: they are not found.
func public(camp advocacy.Campaign, err error) (advocacy.Campaign, error) {
	if err == nil && camp.Status == advocacy.CampaignDraft {
		return advocacy.Campaign{}, advocacy.NotFound("We could not find that campaign.")
	}
	return camp, err
}

// campaignURL is where a campaign's public page lives. The home page may
// show it too, but which campaign it shows can change.
func campaignURL(slug string) string {
	return "/campaigns/" + slug
}

func progressURL(slug string) string { return "/campaigns/" + slug + "/progress" }

func billURL(id string) string { return "/bills/" + id }

// campaignBillURL is a bill's page as seen from a campaign: the plain bill
// URL for the configured home campaign, else with ?campaign=.
func (r *campaignReader) campaignBillURL(slug, id string) string {
	if slug == "" || slug == r.homeCampaign {
		return billURL(id)
	}
	return billURL(id) + "?campaign=" + slug
}

// campaignModified is the campaign pages' Last-Modified time: the campaign's
// last change, unless a live letter count is shown, whose changes have no
// time (the ETag alone then decides).
func (r *campaignReader) campaignModified(camp advocacy.Campaign, withLetters bool) time.Time {
	if withLetters && r.counter != nil {
		return time.Time{}
	}
	return camp.UpdatedAt
}

// campaignProgress serves the progress region: the fragment for htmx's
// refresh, or a small page of its own.
func (p *campaignPages) campaignProgress(c echo.Context) error {
	ctx := c.Request().Context()
	camp, err := public(p.campaigns.Campaign(ctx, c.Param("slug")))
	if err != nil {
		return err
	}
	pv := p.read.progressView(ctx, camp)
	page := pv
	page.HeadingLevel = 2
	return p.view.renderCached(c, http.StatusOK,
		templates.ProgressPage(p.view.meta(c, camp.Title+": progress", ""), camp.Title, page),
		templates.CampaignProgress(pv),
		p.read.campaignModified(camp, true))
}

// campaignView builds the home page's campaign part: for a closed
// campaign a notice instead of the lookup, and for bills that died with
// their Congress what happens next.
func (p *campaignPages) campaignView(ctx context.Context, camp advocacy.Campaign) templates.CampaignView {
	now := p.clock()
	v := templates.CampaignView{
		Slug: camp.Slug, Title: camp.Title, Summary: camp.Summary, Ask: camp.Ask, Why: camp.Why,
		Progress:         p.read.progressView(ctx, camp),
		TalkingPointsURL: talkingPointsURL(camp.Slug),
		NextSteps:        nextSteps(camp, now),
		Opposes:          len(camp.Bills) > 0,
	}
	var supported []advocacy.Bill
	for _, b := range camp.Bills {
		if b.Position == advocacy.PositionOppose {
			continue
		}
		v.Opposes = false
		supported = append(supported, b)
	}
	// The map counts the members on the bills, which is support only for
	// the bills the campaign supports.
	if base := p.read.usMapBase(); base != nil && len(base.states) > 0 && len(supported) > 0 {
		v.Map = usMap(base, supported, p.members)
	}
	if camp.Slug == p.homeCampaign {
		v.TalkingPointsURL = "/talking-points"
	}
	if camp.Status == advocacy.CampaignClosed {
		ended := p.read.endedView(ctx, camp)
		v.Ended = &ended
	}
	return v
}

// progressView builds the live progress region.
func (r *campaignReader) progressView(ctx context.Context, camp advocacy.Campaign) templates.ProgressView {
	v := templates.ProgressView{URL: progressURL(camp.Slug), Letters: r.letterCount(ctx, camp), HeadingLevel: 3}
	for _, b := range camp.Bills {
		bp := r.billProgress(b)
		bp.URL = r.campaignBillURL(camp.Slug, b.ID)
		bp.Final = camp.Status == advocacy.CampaignClosed
		for _, prev := range camp.Predecessors(b) {
			bp.History = append(bp.History, templates.PastBillView{Label: prev.LabelWithCongress(),
				URL: r.campaignBillURL(camp.Slug, prev.ID), Final: finalCount(prev)})
		}
		v.Bills = append(v.Bills, bp)
	}
	return v
}

// finalCount says how a bill that a reintroduction replaced ended, like
// "ended with 12 cosponsors of a target of 218".
func finalCount(b advocacy.Bill) string {
	p := b.Progress()
	return "ended with " + pluralN(p.Count, b.Goal.Singular(), b.Goal.Noun()) + " of a target of " + strconv.Itoa(p.Target)
}

// letterCount is the campaign's letters so far; 0 when not counted or on
// error (logged: a missing count must not take the page down).
func (r *campaignReader) letterCount(ctx context.Context, camp advocacy.Campaign) int {
	if r.counter == nil {
		return 0
	}
	n, err := r.counter.CountLetters(ctx, camp.ID)
	if err != nil {
		r.logger.ErrorContext(ctx, "count letters", "campaign", camp.Slug, "err", err)
		return 0
	}
	return n
}

// billProgress builds one bill's progress, charts included.
func (r *campaignReader) billProgress(b advocacy.Bill) templates.BillProgressView {
	p := b.Progress()
	label := b.Label()
	v := templates.BillProgressView{
		ID: b.ID, Label: label, Title: b.Title, URL: billURL(b.ID),
		Chamber: chamberWord(b.Chamber), Sponsor: r.memberRef(b.SponsorID),
		Count: p.Count, Target: p.Target, Percent: p.Percent, Remaining: p.Remaining, Reached: p.Reached,
		Withdrawn:   len(b.Cosponsors) - p.Count,
		Thermometer: thermometer(b),
		Parties:     partyBreakdown(label, b, r.members),
		Stale:       b.CosponsorListStale(r.clock(), r.staleDays),
		StaleDays:   r.staleDays,
		Position:    string(b.Position.OrSupport()),
		Goal:        string(b.Goal),
		Seats:       advocacy.ChamberSeats(b.Chamber),
	}
	if v.Goal == "" {
		v.Goal = string(advocacy.GoalCosponsors)
	}
	if b.Expired(r.clock()) {
		term := b.Term()
		v.Died = "Died at the end of the " + term.Ordinal() + " Congress on " + longDate(term.EndDate()) + ". Its count is final."
		// Nothing changes after a bill dies: its list is as of then.
		v.Stale = false
	}
	end := b.CosponsorsAsOf
	if end.IsZero() {
		end = r.clock()
	} else {
		v.AsOf = longDate(b.CosponsorsAsOf)
		v.AsOfISO = b.CosponsorsAsOf.UTC().Format(time.RFC3339)
	}
	v.Timeline = timelineChart(label, b, end)
	return v
}

func chamberWord(c advocacy.Chamber) string {
	if c == advocacy.Senate {
		return "Senate"
	}
	return "House"
}

// memberRef describes a member from the reference data, or by ID alone
// when the data no longer lists them; nobody for an empty ID (a bill whose
// sponsor is not recorded yet).
func (cr *campaignReader) memberRef(id string) templates.MemberRef {
	if id == "" {
		return templates.MemberRef{}
	}
	var m advocacy.Member
	ok := false
	if cr.members != nil {
		m, ok = cr.members.Member(id)
	}
	if !ok {
		return templates.MemberRef{BioguideID: id, Name: id + " (not a current member)", Party: "Unknown"}
	}
	r := templates.MemberRef{
		BioguideID: id, Party: m.Party, State: m.State, Known: true,
	}
	code := m.PartyLetter() + "-" + m.State
	switch {
	case m.Chamber == advocacy.Senate:
		r.Name = "Sen. " + m.Name
	case m.NonVoting():
		r.Name = "Del. " + m.Name
		r.District = "At large"
	case m.District == 0:
		r.Name = "Rep. " + m.Name
		r.District = "At large"
		code += "-AL"
	default:
		r.Name = "Rep. " + m.Name
		r.District = strconv.Itoa(m.District)
		code += "-" + r.District
	}
	r.Short = code
	return r
}

// memberStatuses gives each member of district d their stance on their
// chamber's bill in campaign slug (the default campaign when empty), with
// the matching ask. It is nil when no campaign runs; errors are logged,
// not shown: the lookup works without stances.
func (r *campaignReader) memberStatuses(ctx context.Context, d advocacy.DistrictResult, slug string) map[string]templates.MemberStatus {
	camp, err := r.campaignFor(ctx, slug)
	if err != nil {
		if advocacy.ErrorCode(err) != advocacy.CodeNotFound {
			r.logger.ErrorContext(ctx, "member statuses", "err", err)
		}
		return nil
	}
	out := map[string]templates.MemberStatus{}
	add := func(m advocacy.Member) {
		b, ok := camp.BillFor(m.Chamber)
		if !ok {
			return
		}
		st := advocacy.StanceOf(b, m.BioguideID)
		ms := templates.MemberStatus{Bill: b.Label(), BillURL: r.campaignBillURL(camp.Slug, b.ID), Kind: string(st.Kind), Ask: st.Ask,
			Wanted: b.Wants(m.BioguideID), Died: b.Expired(r.clock())}
		switch {
		case ms.Died:
			ms.Ask = b.Label() + " died at the end of the " + b.Term().Ordinal() + " Congress; there is nothing to ask until it is introduced again."
		case camp.Status == advocacy.CampaignClosed:
			ms.Ask = "The campaign has ended."
		}
		if !st.Since.IsZero() {
			ms.Since = longDate(st.Since)
		}
		if !b.CosponsorsAsOf.IsZero() {
			ms.AsOf = longDate(b.CosponsorsAsOf)
		}
		out[m.BioguideID] = ms
	}
	if d.Representative != nil {
		add(*d.Representative)
	}
	for _, sen := range d.Senators {
		add(sen)
	}
	return out
}

// apiCampaign loads a campaign for the API; not found when campaigns are
// not wired.
func (r *campaignReader) apiCampaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	if r.store == nil || r.members == nil {
		return advocacy.Campaign{}, advocacy.NotFound("We could not find that campaign.")
	}
	return public(r.store.Campaign(ctx, slug))
}
