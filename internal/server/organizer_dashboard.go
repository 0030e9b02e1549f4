package server

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// dashboard is a campaign's figures in the workspace: letters over time
// and by place, channel and delivery, the offices to press, the cosponsors
// who joined after letters, the sources, and what is out of date. It is
// mounted when the figures and the campaigns are wired.
type dashboard struct {
	// view renders pages; read draws the map; reference tells the member
	// data's status.
	view      *renderer
	read      *campaignReader
	reference *referenceData
	ws        *workspace
	stats     DashboardStore
	campaigns CampaignStore
	// members names offices and lists whom to press; nil leaves them out.
	members  MemberDirectory
	partners partnerLister
	clock    func() time.Time
	// cosponsorsStaleDays is how old a cosponsor list may get before the
	// dashboard says so; 0 never does.
	cosponsorsStaleDays int
	data                *memberData
	syncs               syncStatus
}

// newDashboard builds the dashboard, or nil without the figures or the
// campaigns.
func newDashboard(s *Server, ws *workspace, data *memberData) *dashboard {
	if s.deps.Organizer.Stats == nil || s.deps.Campaigns == nil {
		return nil
	}
	return &dashboard{view: s.view, read: s.read, reference: s.data, ws: ws, stats: s.deps.Organizer.Stats, campaigns: s.deps.Campaigns,
		members: s.deps.Members, partners: ws.users, clock: s.deps.Clock, cosponsorsStaleDays: s.cfg.CosponsorsStaleDays,
		data: data, syncs: newSyncStatus(s)}
}

// routes mounts a campaign's dashboard on the workspace.
func (d *dashboard) routes(org *echo.Group) {
	org.GET("/campaigns/:slug", d.page)
}

// page serves a campaign's figures: everything for organizers, the
// partner's own aggregates for a partner viewer. With htmx, only the region
// named by HX-Target is rendered (the daily chart, or a sorted table).
func (d *dashboard) page(c echo.Context) error {
	a, _ := authFrom(c)
	full := a.user.Can(advocacy.PermViewStats)
	if !full && !a.user.Can(advocacy.PermViewPartnerStats) {
		return echo.NewHTTPError(http.StatusForbidden, "Your account cannot see campaign figures.")
	}
	camp, err := orgCampaign(c, d.campaigns)
	if err != nil {
		return err
	}
	if !full && !camp.Public() {
		return echo.ErrNotFound
	}
	ref := ""
	if !full {
		ref = a.user.PartnerCode
		if ref == "" {
			return echo.NewHTTPError(http.StatusForbidden, "Your account belongs to no partner.")
		}
	}
	ctx := c.Request().Context()
	now := d.clock()
	days := advocacy.ParseWindow(c.QueryParam("days"))
	from := advocacy.WindowStart(now, days)
	st, err := d.stats.Dashboard(ctx, camp.ID, from, advocacy.Day(now).AddDate(0, 0, 1), ref)
	if err != nil {
		return err
	}
	v := d.dashboardView(c, camp, st, days, now, full)
	if !full {
		v.Partner = a.user.PartnerName
	} else {
		for _, b := range camp.Bills {
			if b.CosponsorListStale(now, d.cosponsorsStaleDays) {
				asOf := "never"
				if !b.CosponsorsAsOf.IsZero() {
					asOf = b.CosponsorsAsOf.UTC().Format("January 2, 2006")
				}
				v.Stale = append(v.Stale, templates.StaleBill{Bill: b.Label(), AsOf: asOf,
					EditURL: orgCampaignURL(camp.Slug) + "/edit", Command: d.syncs.command(camp.Slug, b.ID)})
			}
		}
		v.StaleData = d.data.staleItems(d.reference.dataStatus(), now, a.user.Can(advocacy.PermManageData))
		var syncStale []templates.StaleItem
		v.Sync.Rows, syncStale = d.syncs.rows(ctx, camp)
		v.StaleData = append(v.StaleData, syncStale...)
		v.Sync.Every = d.syncs.describe()
		if d.syncs.canSync && a.user.Can(advocacy.PermEditContent) {
			v.Sync.URL = orgCampaignURL(camp.Slug) + "/sync"
		}
	}
	if full {
		partners, err := d.partners.Partners(ctx)
		if err != nil {
			return err
		}
		v.Sources = sourceRows(st, partners)
	}
	m := d.ws.frame(c, camp.Title+": dashboard", orgCampaignURL(camp.Slug), camp.Slug)
	page := templates.DashboardPage(m, v)
	var fragment = page
	switch c.Request().Header.Get("HX-Target") {
	case "org-daily":
		fragment = templates.DailyRegion(v)
	case "org-states":
		fragment = templates.SortTableRegion(v.States)
	case "org-districts":
		fragment = templates.SortTableRegion(v.Districts)
	}
	return d.view.render(c, http.StatusOK, page, fragment)
}

// dashboardView turns the figures into the page's view model.
func (d *dashboard) dashboardView(c echo.Context, camp advocacy.Campaign, st advocacy.DashboardStats, days int, now time.Time, full bool) templates.DashboardView {
	base := orgCampaignURL(camp.Slug)
	q := c.QueryParams()
	v := templates.DashboardView{
		Slug: camp.Slug, Title: camp.Title, Days: days,
		Total: st.Total, InWindow: st.InWindow, Held: st.Held, Rejected: st.Rejected,
		AsOf: now.UTC().Format("January 2, 2006, 15:04 UTC"),
	}
	for _, d := range advocacy.DashboardWindows() {
		v.Windows = append(v.Windows, templates.WindowLink{Days: d, Current: d == days,
			URL: base + "?" + withParams(q, "days", strconv.Itoa(d)).Encode() + "#org-daily"})
	}

	rows := make([]templates.BarRow, 0, days)
	for _, dc := range advocacy.FillDays(st.PerDay, now, days) {
		rows = append(rows, templates.BarRow{Label: dc.Day.Format("Jan 2"), ISO: dc.Day.Format(advocacy.DateLayout), Letters: dc.Letters})
	}
	v.Daily = barChart("daily", fmt.Sprintf("Letters per day, last %d days", days), "Day", rows)

	deliveries := 0
	for _, n := range st.ByChamber {
		deliveries += n
	}
	v.Chambers = countRows(st.ByChamber, deliveries, map[string]string{"house": "House", "senate": "Senate"})
	v.States = d.stateTable(c, camp.Slug, st)
	v.Map = d.lettersMap(st.ByState)
	after := advocacy.CosponsorsAfterLetters(camp, st.FirstLetter, func(id string, _ time.Time) int { return st.LettersBeforeJoining[id] })
	v.Joined = d.joinedView(camp, after, full)
	if !full {
		return v
	}
	conv := advocacy.NewConversion(st.Lookups, st.InWindow)
	v.Conversion, v.ConversionOver, v.Lookups = conv.String(), conv.Over, conv.Lookups
	v.Channels = countRows(st.ByChannel, deliveries, map[string]string{"cwc": "Communicating with Congress", "assisted": "For the sender to send (not sent yet)",
		"contact_form": "Contact form", "print": "Printed letter", "phone": "Phone call"})
	v.Statuses = countRows(st.ByDeliveryStatus, deliveries, map[string]string{"queued": "Waiting to go out electronically",
		advocacy.StateWaitingForSender: "Waiting for the sender to send it", "held": "Held (waiting on the operator)",
		"sent": "Sent electronically", "delivered": "Delivered", "failed": "Not delivered electronically",
		"confirmed_by_user": "Sent by the constituent"})
	v.Districts = d.districtTable(c, camp.Slug, st)
	v.OfficesURL = orgCampaignURL(camp.Slug, "offices")
	if d.members != nil {
		// Only members still in office can be pressed to sign on.
		serving := slices.DeleteFunc(d.members.Members(), func(m advocacy.Member) bool { return m.TermEnded(now) })
		list := advocacy.PressureList(camp, serving, st.ByOffice)
		const shown = 20
		for i, e := range list {
			if i == shown {
				v.PressureMore = len(list) - shown
				break
			}
			v.Pressure = append(v.Pressure, pressureRow(camp.Slug, i+1, e))
		}
	}
	return v
}

// withParams copies q with key set to value.
func withParams(q url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	out.Del("done")
	return out
}

func countRows(m map[string]int, total int, labels map[string]string) []templates.CountRow {
	var out []templates.CountRow
	for _, c := range advocacy.SortedCounts(m) {
		label, ok := labels[c.Key]
		if !ok {
			label = c.Key
		}
		out = append(out, templates.CountRow{Key: c.Key, Label: label, N: c.N, Percent: advocacy.Percent(c.N, total)})
	}
	return out
}

// sourceRows names each source code's partner.
func sourceRows(st advocacy.DashboardStats, partners []advocacy.Partner) []templates.CountRow {
	names := map[string]string{"": "Direct (no source code)"}
	for _, p := range partners {
		names[p.SourceCode] = p.Name + " (" + p.SourceCode + ")"
	}
	for code := range st.ByRef {
		if label, ok := advocacy.ShareSourceLabel(code); ok {
			names[code] = label + " (" + code + ")"
		}
	}
	return countRows(st.ByRef, st.Total, names)
}

func pressureRow(slug string, rank int, e advocacy.PressureEntry) templates.PressureRow {
	stance := map[advocacy.StanceKind]string{advocacy.StanceSponsor: "Sponsor", advocacy.StanceCosponsor: "Cosponsor",
		advocacy.StanceWithdrew: "Withdrew"}[e.Stance]
	if stance == "" {
		stance = "Not yet a cosponsor"
	}
	chamber := "House"
	if e.Member.Chamber == advocacy.Senate {
		chamber = "Senate"
	}
	return templates.PressureRow{Rank: rank, Member: orgMemberRef(e.Member), Chamber: chamber, Bill: e.Bill.Label(),
		Stance: stance, Letters: e.Letters, PacketURL: orgCampaignURL(slug, "offices", e.Member.BioguideID)}
}

func (d *dashboard) joinedView(camp advocacy.Campaign, after advocacy.JoinedAfterSummary, withLinks bool) templates.JoinedView {
	v := templates.JoinedView{Count: len(after.Members)}
	if v.Count > 0 {
		unit := " days"
		if after.MedianDays == 1 {
			unit = " day"
		}
		v.MedianDays = strconv.FormatFloat(after.MedianDays, 'f', -1, 64) + unit
	}
	for _, j := range after.Members {
		label := j.Bill
		for _, b := range camp.Bills {
			if b.ID == j.Bill {
				label = b.Label()
			}
		}
		r := templates.JoinedRow{Member: orgMember(d.members, j.BioguideID), Bill: label, FirstLetter: shortDate(j.FirstLetter),
			Joined: shortDate(j.JoinedOn), Days: j.Days, Letters: j.Letters}
		if withLinks {
			r.PacketURL = orgCampaignURL(camp.Slug, "offices", j.BioguideID)
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// sortColumn is a sortable column: its key and the words for each order.
type sortColumn struct {
	key, label string
	asc, desc  string
}

// orgSortHeaders builds sortable headings whose links keep the page's other
// parameters; keyParam and dirParam name this table's parameters.
func orgSortHeaders(base string, q url.Values, keyParam, dirParam, anchor string, spec advocacy.SortSpec, cols []sortColumn) []templates.SortHeader {
	var out []templates.SortHeader
	for _, col := range cols {
		h := templates.SortHeader{Label: col.label, Key: col.key}
		nextDir, nextWords := "asc", col.asc
		if col.key == "letters" {
			nextDir, nextWords = "desc", col.desc
		}
		if col.key == spec.Key {
			h.AriaSort = "ascending"
			nextDir, nextWords = "desc", col.desc
			if spec.Desc {
				h.AriaSort = "descending"
				nextDir, nextWords = "asc", col.asc
			}
		}
		h.URL = base + "?" + withParams(q, keyParam, col.key, dirParam, nextDir).Encode() + "#" + anchor
		h.Next = ", sort " + nextWords
		out = append(out, h)
	}
	return out
}

// letterSortColumns are a breakdown table's sortable columns: its name
// column and the letters.
func letterSortColumns(label string) []sortColumn {
	return []sortColumn{
		{key: "name", label: label, asc: "A to Z", desc: "Z to A"},
		{key: "letters", label: "Letters", asc: "fewest first", desc: "most first"},
	}
}

func (d *dashboard) stateTable(c echo.Context, slug string, st advocacy.DashboardStats) templates.SortTable {
	spec := advocacy.ParseSort(c.QueryParam("ssort"), c.QueryParam("sdir"), []string{"name", "letters"}, advocacy.SortSpec{Key: "letters", Desc: true})
	counts := advocacy.SortedCounts(st.ByState)
	// Sort by full state name, as the table shows it.
	for i := range counts {
		counts[i].Key = templates.StateName(counts[i].Key) + "\x00" + counts[i].Key
	}
	key := spec.Key
	if key == "name" {
		key = "state"
	}
	advocacy.SortStates(counts, advocacy.SortSpec{Key: key, Desc: spec.Desc})
	t := templates.SortTable{ID: "org-states", Caption: "Letters by the writer’s state",
		Headers: orgSortHeaders(orgCampaignURL(slug), c.QueryParams(), "ssort", "sdir", "org-states", spec, letterSortColumns("State"))}
	for _, n := range counts {
		name, code := splitKey(n.Key)
		t.Rows = append(t.Rows, templates.SortRow{Key: code, Header: name,
			Cells: []string{strconv.Itoa(n.N) + " (" + advocacy.Percent(n.N, st.Total) + ")"}})
	}
	return t
}

func splitKey(k string) (name, code string) {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i], k[i+1:]
		}
	}
	return k, k
}

func (d *dashboard) districtTable(c echo.Context, slug string, st advocacy.DashboardStats) templates.SortTable {
	spec := advocacy.ParseSort(c.QueryParam("dsort"), c.QueryParam("ddir"), []string{"name", "letters"}, advocacy.SortSpec{Key: "letters", Desc: true})
	key := spec.Key
	if key == "name" {
		key = "district"
	}
	ds := append([]advocacy.DistrictCount(nil), st.ByDistrict...)
	advocacy.SortDistricts(ds, advocacy.SortSpec{Key: key, Desc: spec.Desc})
	reps := map[advocacy.DistrictKey]advocacy.Member{}
	if d.members != nil {
		for _, m := range d.members.Members() {
			if m.Chamber == advocacy.House {
				reps[advocacy.DistrictKey{State: m.State, Number: m.District}] = m
			}
		}
	}
	sorted := orgSortHeaders(orgCampaignURL(slug), c.QueryParams(), "dsort", "ddir", "org-districts", spec, letterSortColumns("District"))
	headers := []templates.SortHeader{sorted[0], {Label: "Representative"}, sorted[1]}
	t := templates.SortTable{ID: "org-districts", Caption: "Letters by House district", Headers: headers}
	for _, d := range ds {
		dr := advocacy.DistrictResult{State: d.District.State, District: d.District.Number, Territory: advocacy.IsTerritory(d.District.State)}
		row := templates.SortRow{Key: dr.Code(), Header: dr.Code() + " · " + templates.DistrictLabel(dr)}
		rep := "Vacant or unknown"
		if m, ok := reps[d.District]; ok {
			rep = orgMemberRef(m).Name
			row.URL = orgCampaignURL(slug, "offices", m.BioguideID)
		}
		row.Cells = []string{rep, strconv.Itoa(d.Letters)}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// barChart draws counts as bars in a 600×200 view box, with a title on
// every bar and the same figures in Rows for the table.
func barChart(id, title, rowHeader string, rows []templates.BarRow) templates.BarChart {
	const w, h, left, right, top, bottom = 600.0, 200.0, 44.0, 10.0, 12.0, 30.0
	ch := templates.BarChart{ID: id, ViewBox: "0 0 600 200", Title: title, Rows: rows, RowHeader: rowHeader}
	peak, total := 0, 0
	for _, r := range rows {
		peak = max(peak, r.Letters)
		total += r.Letters
	}
	if len(rows) == 0 {
		ch.Empty = true
		return ch
	}
	ch.Empty = total == 0
	yMax := niceCeil(peak)
	plotW, plotH := w-left-right, h-top-bottom
	slot := plotW / float64(len(rows))
	barW := math.Max(slot*0.8, 1)
	for i, r := range rows {
		bh := float64(r.Letters) / float64(yMax) * plotH
		x := left + float64(i)*slot + (slot-barW)/2
		ch.Bars = append(ch.Bars, templates.Bar{
			X: chartNum(x), Y: chartNum(top + plotH - bh), W: chartNum(barW), H: chartNum(bh),
			Title: r.Label + ": " + pluralN(r.Letters, "letter", "letters"),
		})
	}
	base := top + plotH
	ch.AxisX = fmt.Sprintf("M%s %sH%s", chartNum(left), chartNum(base), chartNum(w-right))
	ch.AxisY = fmt.Sprintf("M%s %sV%s", chartNum(left), chartNum(top), chartNum(base))
	ch.Labels = []templates.ChartLabel{
		{X: chartNum(left), Y: chartNum(h - 10), Anchor: "start", Text: rows[0].Label},
		{X: chartNum(w - right), Y: chartNum(h - 10), Anchor: "end", Text: rows[len(rows)-1].Label},
		{X: chartNum(left - 6), Y: chartNum(base + 4), Anchor: "end", Text: "0"},
		{X: chartNum(left - 6), Y: chartNum(top + 4), Anchor: "end", Text: strconv.Itoa(yMax)},
	}
	busiest := rows[0]
	for _, r := range rows {
		if r.Letters > busiest.Letters {
			busiest = r
		}
	}
	ch.Desc = fmt.Sprintf("%s from %s to %s.", pluralN(total, "letter", "letters"), rows[0].Label, rows[len(rows)-1].Label)
	if total > 0 {
		ch.Desc += fmt.Sprintf(" The busiest was %s with %s.", busiest.Label, pluralN(busiest.Letters, "letter", "letters"))
	}
	return ch
}

// lettersMap colours the states by their share of the busiest state's
// letters, in four steps, with a legend of the ranges. It reuses the
// campaign map's outlines.
func (d *dashboard) lettersMap(byState map[string]int) *templates.OrgMapView {
	base := d.read.usMapBase()
	if base == nil {
		return nil
	}
	peak := 0
	for _, n := range byState {
		peak = max(peak, n)
	}
	// A state's bin is its letters as a share of the busiest state's, in
	// quarters rounded up: the busiest state is always the darkest.
	bin := func(n int) int {
		if n <= 0 || peak == 0 {
			return 0
		}
		return (4*n + peak - 1) / peak
	}
	label := func(code string) string {
		return templates.StateName(code) + ": " + pluralN(byState[code], "letter", "letters")
	}
	v := &templates.OrgMapView{ViewBox: "0 0 " + chartNum(usW) + " " + chartNum(usH),
		Title: "Map: letters by the writer’s state",
		Desc:  fmt.Sprintf("%s wrote from %s. The table after the map lists them.", pluralN(sumCounts(byState), "constituent", "constituents"), pluralN(len(byState), "state or territory", "states and territories")),
	}
	for _, st := range base.states {
		st.Class = "bin-" + strconv.Itoa(bin(byState[st.Code]))
		st.Title = label(st.Code)
		v.States = append(v.States, st)
	}
	const tile, gap = 34.0, 8.0
	x0 := usW - float64(len(mapTileCodes))*(tile+gap) + gap - 6
	for i, code := range mapTileCodes {
		x, y := x0+float64(i)*(tile+gap), usH-tile-8
		b := bin(byState[code])
		textClass := "tile-label"
		if b >= 3 {
			textClass += " on-dark"
		}
		v.Tiles = append(v.Tiles, templates.MapTile{Code: code, X: chartNum(x), Y: chartNum(y), Size: chartNum(tile),
			TextX: chartNum(x + tile/2), TextY: chartNum(y + tile/2 + 4), Class: "bin-" + strconv.Itoa(b),
			TextClass: textClass, Title: label(code)})
	}
	v.Legend = append(v.Legend, templates.LegendItem{Class: "bin-0", Label: "No letters"})
	for k := 1; k <= 4; k++ {
		low, high := (k-1)*peak/4+1, k*peak/4
		if high < low {
			continue
		}
		text := strconv.Itoa(low) + " to " + strconv.Itoa(high)
		if low == high {
			text = strconv.Itoa(low)
		}
		v.Legend = append(v.Legend, templates.LegendItem{Class: "bin-" + strconv.Itoa(k), Label: text})
	}
	return v
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
