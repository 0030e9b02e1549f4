package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// cosponsorSort is one way to order a bill's cosponsor table.
type cosponsorSort struct {
	key   string
	label string // column heading
	// asc and desc describe each order in words.
	asc, desc string
}

var cosponsorSorts = []cosponsorSort{
	{"name", "Name", "by name, A to Z", "by name, Z to A"},
	{"party", "Party", "by party, A to Z", "by party, Z to A"},
	{"state", "State", "by state, A to Z", "by state, Z to A"},
	{"date", "Joined", "by date joined, earliest first", "by date joined, latest first"},
}

// The table's default order: the order members joined.
const defaultCosponsorSort = "date"

// readCosponsorSort reads ?sort= and ?dir=, falling back to the default
// for anything unknown: a bad link still shows the table.
func readCosponsorSort(c echo.Context) (key string, desc bool) {
	key = c.QueryParam("sort")
	if !slices.ContainsFunc(cosponsorSorts, func(s cosponsorSort) bool { return s.key == key }) {
		key = defaultCosponsorSort
	}
	return key, c.QueryParam("dir") == "desc"
}

// billPage serves /bills/{id}: the bill, its progress and cosponsors.
func (p *campaignPages) billPage(c echo.Context) error {
	id := strings.ToLower(c.Param("id"))
	if _, _, _, err := advocacy.ParseBillID(id); err != nil {
		return advocacy.NotFound("We could not find that bill.")
	}
	camp, err := p.campaignForBill(c.Request().Context(), id, c.QueryParam("campaign"))
	if err != nil {
		return err
	}
	bill, _ := camp.Bill(id)
	key, desc := readCosponsorSort(c)
	v := templates.BillPageView{
		CampaignTitle: camp.Title,
		CampaignURL:   campaignURL(camp.Slug),
		Bill:          p.read.billProgress(bill),
		Status:        orDash(bill.Status),
		Committees:    orDash(bill.Committees),
		Cosponsors:    p.cosponsorRows(bill, key, desc),
		Headers:       sortHeaders(id, key, desc, bill.Chamber != advocacy.Senate),
		Districts:     bill.Chamber != advocacy.Senate,
	}
	if act, ok := p.activity(c.Request().Context(), id); ok {
		// What Congress.gov says wins over what was typed in by hand.
		if names := act.CommitteeNames(); names != "" {
			v.Committees = names
		}
		v.LatestAction = act.LatestAction
		if !act.LatestActionOn.IsZero() {
			v.LatestActionDate = longDate(act.LatestActionOn)
			v.LatestActionISO = act.LatestActionOn.Format(advocacy.DateLayout)
		}
		v.ActivityAsOf = longDate(act.FetchedAt)
	}
	v.Sponsor = v.Bill.Sponsor
	v.Bill.URL, v.Bill.Sponsor = "", templates.MemberRef{} // both are on the page itself
	if !bill.IntroducedOn.IsZero() {
		v.Introduced = longDate(bill.IntroducedOn)
		v.IntroducedISO = bill.IntroducedOn.Format(advocacy.DateLayout)
	}
	for _, so := range cosponsorSorts {
		if so.key == key {
			v.SortLabel = "sorted " + so.asc
			if desc {
				v.SortLabel = "sorted " + so.desc
			}
		}
	}
	m := p.view.meta(c, bill.Label()+": cosponsors", "")
	m.Description = bill.Label() + ": " + bill.Title
	// Instructions for refreshing the list are for the campaign's staff
	// only; such a page is theirs alone and is never cached.
	c.Response().Header().Add("Vary", "Cookie")
	if v.Bill.Stale && p.canEdit(c) {
		v.ImportURL = orgCampaignURL(camp.Slug, "edit") + "#bill-" + bill.ID
		c.Response().Header().Set("Cache-Control", "private, no-store")
		return p.view.render(c, http.StatusOK, templates.BillPage(m, v), nil)
	}
	return p.view.renderCached(c, http.StatusOK, templates.BillPage(m, v), nil, p.read.campaignModified(camp, false))
}

// campaignForBill picks the public campaign a bill page is shown for: the
// one named by ?campaign= when it has the bill, else the default campaign
// when it has it, else the first public campaign that has it (running ones
// first).
func (p *campaignPages) campaignForBill(ctx context.Context, billID, want string) (advocacy.Campaign, error) {
	camps, err := p.campaigns.CampaignsOfBill(ctx, billID)
	if err != nil {
		return advocacy.Campaign{}, err
	}
	pick := ""
	for _, prefer := range []string{want, p.homeCampaign} {
		for _, c := range camps {
			if pick == "" && prefer != "" && c.Slug == prefer && c.Public() {
				pick = c.Slug
			}
		}
	}
	for _, c := range camps {
		if pick == "" && c.Public() {
			pick = c.Slug
		}
	}
	if pick == "" {
		return advocacy.Campaign{}, advocacy.NotFound("We could not find that bill.")
	}
	return public(p.campaigns.Campaign(ctx, pick))
}

func orDash(s string) string {
	if s == "" {
		return "Not known"
	}
	return s
}

// cosponsorRows builds the table rows of b, ordered by key. Ties fall back
// to the name, then the bioguide ID, so the order is always the same.
func (p *campaignPages) cosponsorRows(b advocacy.Bill, key string, desc bool) []templates.CosponsorRow {
	type row struct {
		r        templates.CosponsorRow
		c        advocacy.Cosponsor
		last     string
		stateKey string
	}
	rows := make([]row, 0, len(b.Cosponsors))
	for _, cs := range b.Cosponsors {
		ref := p.read.memberRef(cs.BioguideID)
		r := templates.CosponsorRow{
			Member:    ref,
			Joined:    longDate(cs.JoinedOn),
			JoinedISO: cs.JoinedOn.Format(advocacy.DateLayout),
			Original:  cs.Original,
		}
		if !cs.Active() {
			r.Withdrawn = longDate(cs.WithdrawnOn)
			r.WithdrawnISO = cs.WithdrawnOn.Format(advocacy.DateLayout)
		}
		last := ref.Name
		district := 0
		if m, ok := p.members.Member(cs.BioguideID); ok {
			last = m.LastName + " " + m.FirstName
			district = m.District
			r.Member.Name = m.Name
		}
		rows = append(rows, row{r: r, c: cs, last: strings.ToLower(last),
			stateKey: fmt.Sprintf("%s\x00%03d", templates.StateName(ref.State), district)})
	}
	byName := func(a, b row) int {
		return cmp.Or(cmp.Compare(a.last, b.last), cmp.Compare(a.c.BioguideID, b.c.BioguideID))
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		var c int
		switch key {
		case "name":
			c = byName(a, b)
		case "party":
			c = cmp.Compare(a.r.Member.Party, b.r.Member.Party)
		case "state":
			c = cmp.Compare(a.stateKey, b.stateKey)
		default:
			c = a.c.JoinedOn.Compare(b.c.JoinedOn)
		}
		if desc {
			c = -c
		}
		return cmp.Or(c, byName(a, b))
	})
	out := make([]templates.CosponsorRow, len(rows))
	for i, r := range rows {
		out[i] = r.r
	}
	return out
}

// sortHeaders builds the table's column headings. A sortable heading links
// to the table sorted by it: ascending, or reversed when it is already the
// ascending sort.
func sortHeaders(billID, key string, desc, districts bool) []templates.SortHeader {
	link := func(k, dir string) string {
		q := url.Values{"sort": {k}, "dir": {dir}}
		return billURL(billID) + "?" + q.Encode() + "#cosponsors-heading"
	}
	var out []templates.SortHeader
	for _, so := range cosponsorSorts {
		h := templates.SortHeader{Label: so.label, Key: so.key}
		nextDir, nextWords := "asc", so.asc
		if so.key == key {
			h.AriaSort = "ascending"
			if desc {
				h.AriaSort = "descending"
			} else {
				nextDir, nextWords = "desc", so.desc
			}
		}
		h.URL = link(so.key, nextDir)
		h.Next = ", sort " + nextWords
		out = append(out, h)
		if so.key == "state" && districts {
			// Senators have no district: a Senate bill's table has no such column.
			out = append(out, templates.SortHeader{Label: "District"})
		}
	}
	return append(out, templates.SortHeader{Label: "Original"}, templates.SortHeader{Label: "Withdrawn"})
}
