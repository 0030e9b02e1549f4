package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// officePackets are the evidence for each office of a campaign: the list
// of offices with their members' stances and letters (a page and a CSV),
// and each office's printable packet. They are mounted when the figures and
// the member data are wired.
type officePackets struct {
	view      *renderer
	ws        *workspace
	stats     DashboardStore
	campaigns CampaignStore
	members   MemberDirectory
	clock     func() time.Time
}

// newOfficePackets builds the pages, or nil without the figures, the
// campaigns or the members.
func newOfficePackets(s *Server, ws *workspace) *officePackets {
	if s.deps.Organizer.Stats == nil || s.deps.Campaigns == nil || s.deps.Members == nil {
		return nil
	}
	return &officePackets{view: s.view, ws: ws, stats: s.deps.Organizer.Stats, campaigns: s.deps.Campaigns,
		members: s.deps.Members, clock: s.deps.Clock}
}

// routes mounts the office list and the packets on the workspace.
func (o *officePackets) routes(org *echo.Group) {
	org.GET("/campaigns/:slug/offices", o.offices)
	org.GET("/campaigns/:slug/offices.csv", o.officesCSV)
	org.GET("/campaigns/:slug/offices/:bioguide", o.packet)
}

// packetQuotes is how many constituents' paragraphs a packet quotes.
const packetQuotes = 10

// officeStance is where a member stands on their chamber's campaign bill.
func officeStance(camp advocacy.Campaign, m advocacy.Member) (advocacy.Bill, advocacy.Stance, bool) {
	b, ok := camp.BillFor(m.Chamber)
	if !ok {
		return b, advocacy.Stance{}, false
	}
	return b, advocacy.StanceOf(b, m.BioguideID), true
}

func stanceWords(st advocacy.Stance) string {
	switch st.Kind {
	case advocacy.StanceSponsor:
		return "Sponsor"
	case advocacy.StanceCosponsor:
		return "Cosponsor since " + shortDate(st.Since)
	case advocacy.StanceWithdrew:
		return "Withdrew on " + shortDate(st.Since)
	}
	return "Not yet a cosponsor"
}

// officeRow is one member's office with its letters.
type officeRow struct {
	member  advocacy.Member
	bill    advocacy.Bill
	stance  advocacy.Stance
	letters int
	first   time.Time
}

// officeRows lists every member with a bill in their chamber, with the
// letters their office got.
func (o *officePackets) officeRows(c echo.Context, camp advocacy.Campaign) ([]officeRow, error) {
	now := o.clock()
	st, err := o.stats.Dashboard(c.Request().Context(), camp.ID, advocacy.Day(now), advocacy.Day(now).AddDate(0, 0, 1), "")
	if err != nil {
		return nil, err
	}
	var out []officeRow
	for _, m := range o.members.Members() {
		b, stance, ok := officeStance(camp, m)
		if !ok {
			continue
		}
		out = append(out, officeRow{member: m, bill: b, stance: stance, letters: st.ByOffice[m.BioguideID], first: st.FirstLetter[m.BioguideID]})
	}
	return out, nil
}

// offices lists every office, sortable by name or letters.
func (o *officePackets) offices(c echo.Context) error {
	if _, err := need(c, advocacy.PermViewStats); err != nil {
		return err
	}
	camp, err := orgCampaign(c, o.campaigns)
	if err != nil {
		return err
	}
	rows, err := o.officeRows(c, camp)
	if err != nil {
		return err
	}
	spec := advocacy.ParseSort(c.QueryParam("sort"), c.QueryParam("dir"), []string{"name", "letters"}, advocacy.SortSpec{Key: "letters", Desc: true})
	slices.SortFunc(rows, func(a, b officeRow) int {
		var d int
		if spec.Key == "letters" {
			d = a.letters - b.letters
		} else {
			d = strings.Compare(a.member.Name, b.member.Name)
		}
		if spec.Desc {
			d = -d
		}
		if d == 0 {
			d = strings.Compare(a.member.BioguideID, b.member.BioguideID)
		}
		return d
	})
	base := orgCampaignURL(camp.Slug, "offices")
	sorted := orgSortHeaders(base, c.QueryParams(), "sort", "dir", "org-offices", spec, letterSortColumns("Member"))
	t := templates.SortTable{ID: "org-offices", Caption: "Every office with its member’s stance and the letters it received",
		Headers: []templates.SortHeader{sorted[0], {Label: "Bill"}, {Label: "Stance"}, sorted[1]}}
	for _, r := range rows {
		ref := orgMemberRef(r.member)
		t.Rows = append(t.Rows, templates.SortRow{Key: r.member.BioguideID, Header: ref.Label(),
			URL:   orgCampaignURL(camp.Slug, "offices", r.member.BioguideID),
			Cells: []string{r.bill.Label(), stanceWords(r.stance), strconv.Itoa(r.letters)}})
	}
	v := templates.OfficesView{Slug: camp.Slug, Title: camp.Title, Table: t, CSVURL: orgCampaignURL(camp.Slug, "offices.csv")}
	m := o.ws.frame(c, camp.Title+": offices", base, camp.Slug)
	return o.view.render(c, http.StatusOK, templates.OfficesPage(m, v), templates.SortTableRegion(t))
}

// officesCSV exports the office list.
func (o *officePackets) officesCSV(c echo.Context) error {
	if _, err := need(c, advocacy.PermExport); err != nil {
		return err
	}
	camp, err := orgCampaign(c, o.campaigns)
	if err != nil {
		return err
	}
	rows, err := o.officeRows(c, camp)
	if err != nil {
		return err
	}
	w := startCSV(c, camp.Slug+"-offices.csv")
	_ = w.Write([]string{"bioguide_id", "name", "chamber", "state", "district", "party", "bill", "stance", "since", "letters", "first_letter"})
	for _, r := range rows {
		district, since, first := "", "", ""
		if r.member.Chamber == advocacy.House {
			district = strconv.Itoa(r.member.District)
		}
		if !r.stance.Since.IsZero() {
			since = r.stance.Since.Format(advocacy.DateLayout)
		}
		if !r.first.IsZero() {
			first = r.first.UTC().Format(time.RFC3339)
		}
		if err := w.Write(csvSafe(r.member.BioguideID, r.member.Name, string(r.member.Chamber), r.member.State, district,
			r.member.Party, r.bill.ID, string(r.stance.Kind), since, strconv.Itoa(r.letters), first)); err != nil {
			return nil // the client went away; nothing more to say
		}
	}
	w.Flush()
	return nil
}

// packet serves an office's evidence packet: a printable page, or its CSV
// when the path ends in .csv.
func (o *officePackets) packet(c echo.Context) error {
	if _, err := need(c, advocacy.PermViewPersonal); err != nil {
		return err
	}
	id, asCSV := strings.CutSuffix(c.Param("bioguide"), ".csv")
	if !advocacy.ValidBioguideID(id) {
		return echo.ErrNotFound
	}
	m, ok := o.members.Member(id)
	if !ok {
		return advocacy.NotFound("There is no member with that bioguide ID in the reference data.")
	}
	camp, err := orgCampaign(c, o.campaigns)
	if err != nil {
		return err
	}
	p, err := o.stats.OfficePacket(c.Request().Context(), camp.ID, id, packetQuotes)
	if err != nil {
		return err
	}
	b, stance, hasBill := officeStance(camp, m)
	if asCSV {
		return o.packetCSV(c, camp, m, b, stance, p)
	}
	v := templates.PacketView{
		Slug: camp.Slug, CampaignTitle: camp.Title, Member: orgMemberRef(m), RoleLine: templates.RoleLine(m),
		Phone: m.Phone, Address: m.Address, Letters: p.Letters, QuoteLimit: packetQuotes,
		CSVURL: orgCampaignURL(camp.Slug, "offices", id+".csv"), BackURL: orgCampaignURL(camp.Slug),
		Generated: longDate(o.clock()),
	}
	if hasBill {
		v.Bill, v.BillTitle, v.Stance, v.Ask = b.Label(), b.Title, stanceWords(stance), stance.Ask
	}
	if p.Letters > 0 {
		v.FirstLetter, v.LastLetter = longDate(p.FirstLetter), longDate(p.LastLetter)
		var rows []templates.BarRow
		for w := advocacy.WeekStart(p.FirstLetter); !w.After(p.LastLetter); w = w.AddDate(0, 0, 7) {
			key := w.Format(advocacy.DateLayout)
			rows = append(rows, templates.BarRow{Label: w.Format("Jan 2"), ISO: key, Letters: p.PerWeek[key]})
		}
		v.Weekly = barChart("weekly", "Letters to this office per week", "Week of", rows)
	}
	for _, o := range p.Organizations {
		v.Organizations = append(v.Organizations, templates.OrgRow{Name: o.Name, Titles: strings.Join(o.Titles, ", "),
			Cities: strings.Join(o.Cities, ", "), Letters: o.Letters})
	}
	for i, q := range p.Quotes {
		who := "A constituent"
		if q.Initials != "" {
			who = q.Initials
		}
		if q.City != "" {
			who += ", " + q.City
		}
		v.Quotes = append(v.Quotes, templates.QuoteRow{Text: q.Text, Who: who, Date: longDate(q.Date),
			ISO: q.Date.Format(advocacy.DateLayout), Index: i + 1})
	}
	meta := o.ws.frame(c, orgMemberRef(m).Name+": evidence packet", orgCampaignURL(camp.Slug, "offices"), camp.Slug)
	return o.view.render(c, http.StatusOK, templates.PacketPage(meta, v), nil)
}

// packetCSV writes the packet as rows of section, label, value and detail.
func (o *officePackets) packetCSV(c echo.Context, camp advocacy.Campaign, m advocacy.Member, b advocacy.Bill, stance advocacy.Stance, p advocacy.OfficePacket) error {
	w := startCSV(c, fmt.Sprintf("%s-%s-packet.csv", camp.Slug, m.BioguideID))
	rows := [][]string{
		{"section", "label", "value", "detail"},
		{"office", "member", orgMemberRef(m).Label(), templates.RoleLine(m)},
		{"office", "phone", m.Phone, m.Address},
		{"bill", b.Label(), string(stance.Kind), stanceWords(stance)},
		{"letters", "total", strconv.Itoa(p.Letters), ""},
	}
	if p.Letters > 0 {
		rows = append(rows,
			[]string{"letters", "first", p.FirstLetter.UTC().Format(time.RFC3339), ""},
			[]string{"letters", "last", p.LastLetter.UTC().Format(time.RFC3339), ""})
	}
	weeks := make([]string, 0, len(p.PerWeek))
	for wk := range p.PerWeek {
		weeks = append(weeks, wk)
	}
	slices.Sort(weeks)
	for _, wk := range weeks {
		rows = append(rows, []string{"week", wk, strconv.Itoa(p.PerWeek[wk]), ""})
	}
	for _, o := range p.Organizations {
		rows = append(rows, []string{"organization", o.Name, strconv.Itoa(o.Letters),
			strings.Join(o.Titles, "; ") + " — " + strings.Join(o.Cities, "; ")})
	}
	for _, q := range p.Quotes {
		rows = append(rows, []string{"quote", q.Date.Format(advocacy.DateLayout), q.Initials + ", " + q.City, q.Text})
	}
	for _, r := range rows {
		if err := w.Write(csvSafe(r...)); err != nil {
			return nil
		}
	}
	w.Flush()
	return nil
}

// startCSV sets the headers of a CSV download that must not be cached and
// returns a writer on the response.
func startCSV(c echo.Context, filename string) *csv.Writer {
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	return csv.NewWriter(c.Response())
}

// csvSafe neutralises cells a spreadsheet would run as a formula (they
// start with =, +, -, @, tab, carriage return or line feed) by prefixing a
// quote:
// constituents' text must never become a formula on an organizer's laptop.
func csvSafe(cells ...string) []string {
	for i, v := range cells {
		if v != "" && strings.ContainsRune("=+-@\t\r\n", rune(v[0])) {
			cells[i] = "'" + v
		}
	}
	return cells
}
