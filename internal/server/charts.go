package server

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// This file builds the campaign's server-rendered SVG charts as view
// models: numbers here, markup in templates/campaign.templ. Every chart has
// a title and a text equivalent next to it.

// chartNum writes a coordinate with at most one decimal.
func chartNum(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// longDate is "November 4, 2025"; shortDate is "Nov 4, 2025".
func longDate(t time.Time) string  { return t.Format("January 2, 2006") }
func shortDate(t time.Time) string { return t.Format("Jan 2, 2006") }

func pluralN(n int, one, many string) string {
	return strconv.Itoa(n) + " " + pluralWord(n, one, many)
}

// thermometer draws a bill's progress as a bar in a 100-unit-wide view
// box, titled with what its goal counts.
func thermometer(b advocacy.Bill) templates.Thermometer {
	label, p := b.Label(), b.Progress()
	count := pluralN(p.Count, b.Goal.Singular(), b.Goal.Noun())
	title := fmt.Sprintf("%s: %s of a target of %d (%s)", label, count, p.Target, templates.PercentText(p.Count, p.Percent))
	switch {
	case p.Target == 0:
		title = fmt.Sprintf("%s: %s (no target set)", label, count)
	case b.Goal == advocacy.GoalNotCosponsoring:
		title = fmt.Sprintf("%s: %d of %d seats not on the bill; the goal is to keep at least %d off it", label, p.Count,
			advocacy.ChamberSeats(b.Chamber), p.Target)
	}
	return templates.Thermometer{Width: strconv.Itoa(p.Bar), Title: title}
}

// partyNames are the plural forms used in the breakdown.
var partyPlurals = map[string][2]string{
	"Republican":          {"Republican", "Republicans"},
	"Democrat":            {"Democrat", "Democrats"},
	"Independent":         {"Independent", "Independents"},
	advocacy.PartyUnknown: {"former member", "former members"},
}

func partyLetter(party string) string {
	switch party {
	case "Republican", "Democrat", "Independent":
		return party[:1]
	}
	return "U"
}

// partyBreakdown counts b's active cosponsors by party as a stacked bar.
func partyBreakdown(label string, b advocacy.Bill, dir MemberDirectory) templates.PartyBreakdownView {
	parts := advocacy.PartyBreakdown(b.Cosponsors, func(id string) (string, bool) {
		if dir == nil {
			return "", false
		}
		m, ok := dir.Member(id)
		return m.Party, ok
	})
	v := templates.PartyBreakdownView{}
	for _, p := range parts {
		v.Total += p.Count
	}
	x := 0.0
	var words []string
	for _, p := range parts {
		forms, ok := partyPlurals[p.Party]
		if !ok {
			forms = [2]string{p.Party, p.Party + "s"}
		}
		w := float64(p.Count) / float64(v.Total) * 100
		slice := templates.PartySlice{
			Party: p.Party, Letter: partyLetter(p.Party), Count: p.Count,
			Label: pluralN(p.Count, forms[0], forms[1]),
			X:     chartNum(x), Width: chartNum(w),
		}
		x += w
		v.Parts = append(v.Parts, slice)
		words = append(words, slice.Label)
	}
	if v.Total == 0 {
		v.Title = label + ": no cosponsors yet"
	} else {
		v.Title = label + " cosponsors by party: " + strings.Join(words, ", ")
	}
	return v
}

// Timeline chart geometry, in view-box units.
const (
	tlW, tlH                         = 600.0, 180.0
	tlLeft, tlRight, tlTop, tlBottom = 44.0, 16.0, 14.0, 30.0
)

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, for an axis.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// timelineChart draws the running count of b's cosponsors from the day the
// bill was introduced to end (the as-of date), as a step line.
func timelineChart(label string, b advocacy.Bill, end time.Time) templates.TimelineChart {
	points := advocacy.Timeline(b.Cosponsors)
	c := templates.TimelineChart{ViewBox: "0 0 " + chartNum(tlW) + " " + chartNum(tlH)}
	c.Title = label + ": cosponsors over time"
	if len(points) == 0 {
		c.Empty = true
		c.Summary = "No one has cosponsored " + label + " yet."
		return c
	}
	start := b.IntroducedOn
	if start.IsZero() || points[0].Date.Before(start) {
		start = points[0].Date
	}
	last := points[len(points)-1].Date
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	if end.Before(last) {
		end = last
	}
	if !end.After(start) {
		end = start.AddDate(0, 0, 1)
	}
	peak := 0
	for _, p := range points {
		peak = max(peak, p.Running)
	}
	yMax := niceCeil(peak)
	plotW, plotH := tlW-tlLeft-tlRight, tlH-tlTop-tlBottom
	span := end.Sub(start).Hours()
	xOf := func(t time.Time) float64 { return tlLeft + t.Sub(start).Hours()/span*plotW }
	yOf := func(v int) float64 { return tlTop + plotH - float64(v)/float64(yMax)*plotH }

	var path strings.Builder
	base := yOf(0)
	fmt.Fprintf(&path, "M%s %s", chartNum(xOf(start)), chartNum(base))
	for _, p := range points {
		x, y := xOf(p.Date), yOf(p.Running)
		fmt.Fprintf(&path, "H%sV%s", chartNum(x), chartNum(y))
		what := []string{}
		if p.Joined > 0 {
			what = append(what, fmt.Sprintf("%d joined", p.Joined))
		}
		if p.Left > 0 {
			what = append(what, fmt.Sprintf("%d withdrew", p.Left))
		}
		c.Dots = append(c.Dots, templates.ChartDot{
			X: chartNum(x), Y: chartNum(y),
			Title: fmt.Sprintf("%s: %s; %d in total", longDate(p.Date), strings.Join(what, ", "), p.Running),
		})
	}
	fmt.Fprintf(&path, "H%s", chartNum(xOf(end)))
	c.Path = path.String()
	c.Area = c.Path + "V" + chartNum(base) + "Z"
	c.AxisX = fmt.Sprintf("M%s %sH%s", chartNum(tlLeft), chartNum(base), chartNum(tlW-tlRight))
	c.AxisY = fmt.Sprintf("M%s %sV%s", chartNum(tlLeft), chartNum(tlTop), chartNum(base))
	c.Labels = []templates.ChartLabel{
		{X: chartNum(tlLeft), Y: chartNum(tlH - 8), Anchor: "start", Text: shortDate(start)},
		{X: chartNum(tlW - tlRight), Y: chartNum(tlH - 8), Anchor: "end", Text: shortDate(end)},
		{X: chartNum(tlLeft - 6), Y: chartNum(base + 4), Anchor: "end", Text: "0"},
		{X: chartNum(tlLeft - 6), Y: chartNum(tlTop + 4), Anchor: "end", Text: strconv.Itoa(yMax)},
	}

	now := points[len(points)-1].Running
	withdrew := 0
	for _, p := range points {
		withdrew += p.Left
	}
	first := points[0]
	var sum strings.Builder
	fmt.Fprintf(&sum, "%s %s. ", pluralN(now, "member cosponsors", "members cosponsor"), label)
	if len(points) == 1 && withdrew == 0 {
		if first.Date.Equal(b.IntroducedOn) {
			fmt.Fprintf(&sum, "%s joined on %s, the day it was introduced, and no one has joined since.",
				pluralWord(first.Joined, "The one cosponsor", "All of them"), longDate(first.Date))
		} else {
			fmt.Fprintf(&sum, "%s joined on %s, and no one has joined since.",
				pluralWord(first.Joined, "The one cosponsor", "All of them"), longDate(first.Date))
		}
	} else {
		fmt.Fprintf(&sum, "The first joined on %s; the count last changed on %s.", longDate(first.Date), longDate(last))
		if withdrew > 0 {
			fmt.Fprintf(&sum, " %s withdrew along the way.", pluralN(withdrew, "member", "members"))
		}
	}
	c.Summary = sum.String()
	c.Desc = fmt.Sprintf("A step chart from %s to %s. The count of cosponsors rises from 0 to %d at its highest and stands at %d.",
		longDate(start), longDate(end), peak, now)
	return c
}

// The US map's view box and its insets. The lower 48 states fill the top;
// Alaska and Hawaii sit in the empty space south-west, and DC and the
// territories are tiles at the bottom right.
const usW, usH = 960.0, 600.0

type mapInset struct {
	x, y, w, h float64
	lat0       float64 // latitude whose scale is kept true
	codes      func(code string) bool
}

var (
	mapTileCodes = []string{"DC", "PR", "VI", "GU", "MP", "AS"}
	mapInsets    = []mapInset{
		{0, 0, usW, 540, 38, func(c string) bool {
			return c != "AK" && c != "HI" && !slices.Contains(mapTileCodes[1:], c)
		}},
		{8, 400, 190, 150, 60, func(c string) bool { return c == "AK" }},
		{205, 468, 130, 84, 20, func(c string) bool { return c == "HI" }},
	}
)

// usMapBase is the drawn outlines, computed once: they never change.
type usMapBase struct {
	states []templates.MapState // without Class and Title
	names  map[string]string
	// version is a hash of the outlines: the map image's URL carries it,
	// so that a browser or a CDN may keep the image for good.
	version string
}

// finishVersion works out the outlines' version.
func (b *usMapBase) finishVersion() {
	h := sha256.New()
	for _, st := range b.states {
		h.Write([]byte(st.Code + "\x00" + st.D + "\x00"))
	}
	b.version = hex.EncodeToString(h.Sum(nil)[:6])
}

// mapBins is how many places the map colours: each outline, then each
// tile.
func (b *usMapBase) mapBins() int { return len(b.states) + len(mapTileCodes) }

// imageURL is where the map coloured by bins (one digit per place, in
// the order of mapBins) is drawn.
func (b *usMapBase) imageURL(bins string) string {
	return "/campaigns/map.svg?v=" + b.version + "&bins=" + bins
}

// validBins reports whether bins colours every place of the map, each with
// a digit from 0 to 4.
func (b *usMapBase) validBins(bins string) bool {
	if len(bins) != b.mapBins() {
		return false
	}
	for _, c := range []byte(bins) {
		if c < '0' || c > '4' {
			return false
		}
	}
	return true
}

// mapTile places DC or a territory (the i-th of mapTileCodes) as a square
// in the bottom right corner.
func mapTile(i int, code string, bin int) templates.MapTile {
	const tile, gap = 34.0, 8.0
	x0 := usW - float64(len(mapTileCodes))*(tile+gap) + gap - 6
	x, y := x0+float64(i)*(tile+gap), usH-tile-8
	textClass := "tile-label"
	if bin >= 3 {
		textClass += " on-dark"
	}
	return templates.MapTile{
		Code: code, X: chartNum(x), Y: chartNum(y), Size: chartNum(tile),
		TextX: chartNum(x + tile/2), TextY: chartNum(y + tile/2 + 4),
		Class: "bin-" + strconv.Itoa(bin), TextClass: textClass,
	}
}

// mapImageStyle colours the map image, which carries its own styles: an
// image cannot use the page's. The colours are the page's legend's.
const mapImageStyle = `svg{background:#f7f9fc}` +
	`.state{stroke:#fff;stroke-width:.8;fill-rule:evenodd}` +
	`.bin-0{fill:url(#none)}.bin-1{fill:#bcd4ee}.bin-2{fill:#5f98d0}.bin-3{fill:#24609f}.bin-4{fill:#0b2a55}` +
	`.state.bin-0,.state.bin-1,.state.bin-2{stroke:#4a5360}` +
	`.tile rect{stroke:#4a5360;stroke-width:1}` +
	`.tile-label{font:700 11px system-ui,sans-serif;fill:#1b1f24}.tile-label.on-dark{fill:#fff}` +
	// Drawn small (on a phone), the tiles' labels are set larger to stay
	// readable.
	`@media (max-width:640px){.tile-label{font-size:20px}}`

// usMapImage draws the map coloured by bins (validBins) as an SVG document
// of its own, for an <img> whose text equivalent is in the page.
func usMapImage(base *usMapBase, bins string) []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + chartNum(usW) + " " + chartNum(usH) +
		`" width="` + chartNum(usW) + `" height="` + chartNum(usH) + `">`)
	b.WriteString(`<title>Members of Congress who sponsor or cosponsor the campaign’s bills, by state</title>`)
	b.WriteString(`<style>` + mapImageStyle + `</style>`)
	// "None" is hatched, so that it never rests on telling two pale shades
	// apart.
	b.WriteString(`<defs><pattern id="none" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="8" height="8" fill="#fff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#6b7583" stroke-width="1.5"/></pattern></defs>`)
	for i, st := range base.states {
		b.WriteString(`<path class="state bin-` + bins[i:i+1] + `" data-state="` + st.Code + `" d="` + st.D + `"/>`)
	}
	for i, code := range mapTileCodes {
		t := mapTile(i, code, int(bins[len(base.states)+i]-'0'))
		b.WriteString(`<g class="tile ` + t.Class + `" data-state="` + code + `"><rect x="` + t.X + `" y="` + t.Y + `" width="` + t.Size + `" height="` + t.Size +
			`" rx="3"/><text class="` + t.TextClass + `" x="` + t.TextX + `" y="` + t.TextY + `" text-anchor="middle">` + code + `</text></g>`)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// mapTolerance is how far, in view-box units, a simplified outline may
// stray from the real one: under a pixel at the sizes the map is shown.
const mapTolerance = 0.8

// buildUSMapBase draws every state of shapes into its inset.
func buildUSMapBase(shapes map[string]orb.MultiPolygon) *usMapBase {
	base := &usMapBase{names: map[string]string{}}
	codes := make([]string, 0, len(shapes))
	for code := range shapes {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, in := range mapInsets {
		var mine []string
		for _, c := range codes {
			if in.codes(c) {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 {
			continue
		}
		k := math.Cos(in.lat0 * math.Pi / 180)
		proj := func(p orb.Point) (float64, float64) {
			lon := p[0]
			if lon > 0 {
				lon -= 360 // keep the Aleutians west of 180° next to Alaska
			}
			return lon * k, -p[1]
		}
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, c := range mine {
			for _, poly := range shapes[c] {
				for _, ring := range poly {
					for _, pt := range ring {
						x, y := proj(pt)
						minX, maxX = math.Min(minX, x), math.Max(maxX, x)
						minY, maxY = math.Min(minY, y), math.Max(maxY, y)
					}
				}
			}
		}
		scale := math.Min(in.w/(maxX-minX), in.h/(maxY-minY))
		offX := in.x + (in.w-(maxX-minX)*scale)/2
		offY := in.y + (in.h-(maxY-minY)*scale)/2
		place := func(p orb.Point) (float64, float64) {
			x, y := proj(p)
			return offX + (x-minX)*scale, offY + (y-minY)*scale
		}
		for _, c := range mine {
			if d := mapPath(shapes[c], place); d != "" {
				base.states = append(base.states, templates.MapState{Code: c, D: d})
			}
		}
	}
	base.finishVersion()
	return base
}

// mapPath draws a multipolygon in view-box units, simplified with
// Douglas-Peucker to mapTolerance: finer detail is invisible at this size
// and only costs bytes. Rings that shrink below a visible size are dropped.
func mapPath(mp orb.MultiPolygon, place func(orb.Point) (float64, float64)) string {
	dp := simplify.DouglasPeucker(mapTolerance)
	var b strings.Builder
	for _, poly := range mp {
		for _, ring := range poly {
			projected := make(orb.Ring, len(ring))
			for i, pt := range ring {
				x, y := place(pt)
				projected[i] = orb.Point{math.Round(x*10) / 10, math.Round(y*10) / 10}
			}
			bound := projected.Bound()
			if (bound.Max[0]-bound.Min[0])*(bound.Max[1]-bound.Min[1]) < 0.5 {
				continue
			}
			simple := dp.Ring(projected.Clone())
			n := len(simple)
			if n > 1 && simple[0] == simple[n-1] {
				n-- // Z closes the ring
			}
			if n < 3 {
				continue
			}
			// The first point is absolute, the rest relative steps: half the
			// bytes, and they compress far better.
			var last orb.Point
			for i, pt := range simple[:n] {
				x, y := pt[0], pt[1]
				switch i {
				case 0:
					b.WriteString("M")
				case 1:
					b.WriteString("l")
					x, y = math.Round((x-last[0])*10)/10, math.Round((y-last[1])*10)/10
				default:
					x, y = math.Round((x-last[0])*10)/10, math.Round((y-last[1])*10)/10
					if x >= 0 {
						b.WriteString(" ")
					}
				}
				last = pt
				b.WriteString(chartNum(x))
				if y >= 0 {
					b.WriteString(" ")
				}
				b.WriteString(chartNum(y))
			}
			b.WriteString("Z")
		}
	}
	return b.String()
}

// mapBin groups a count of supporters for colouring.
func mapBin(n int) int {
	switch {
	case n <= 0:
		return 0
	case n == 1:
		return 1
	case n == 2:
		return 2
	case n <= 5:
		return 3
	}
	return 4
}

var mapLegend = []templates.LegendItem{
	{Class: "bin-0", Label: "None yet"},
	{Class: "bin-1", Label: "1 member"},
	{Class: "bin-2", Label: "2 members"},
	{Class: "bin-3", Label: "3 to 5 members"},
	{Class: "bin-4", Label: "6 or more members"},
}

// stateSupport counts one state's supporters by chamber.
type stateSupport struct{ house, senate, members int }

// supportByState counts, per state, the members who sponsor or (still)
// cosponsor any of the bills, and how many members each state has.
func supportByState(bills []advocacy.Bill, dir MemberDirectory) map[string]*stateSupport {
	out := map[string]*stateSupport{}
	get := func(state string) *stateSupport {
		s, ok := out[state]
		if !ok {
			s = &stateSupport{}
			out[state] = s
		}
		return s
	}
	for state, n := range dir.MembersByState() {
		get(state).members = n
	}
	seen := map[string]bool{}
	count := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		m, ok := dir.Member(id)
		if !ok {
			return
		}
		if m.Chamber == advocacy.Senate {
			get(m.State).senate++
		} else {
			get(m.State).house++
		}
	}
	for _, b := range bills {
		count(b.SponsorID)
		for _, c := range b.Cosponsors {
			if c.Active() {
				count(c.BioguideID)
			}
		}
	}
	return out
}

// usMap colours the drawn outlines by support and builds the legend and
// the equivalent table; the map itself is an image of its own (usMapImage),
// which browsers and CDNs keep for as long as the colours stay the same.
func usMap(base *usMapBase, bills []advocacy.Bill, dir MemberDirectory) *templates.USMapView {
	support := supportByState(bills, dir)
	total := func(code string) int {
		if s, ok := support[code]; ok {
			return s.house + s.senate
		}
		return 0
	}
	bins := make([]byte, 0, base.mapBins())
	for _, s := range base.states {
		bins = append(bins, byte('0'+mapBin(total(s.Code))))
	}
	for _, code := range mapTileCodes {
		bins = append(bins, byte('0'+mapBin(total(code))))
	}
	v := &templates.USMapView{
		ImageURL: base.imageURL(string(bins)),
		Width:    chartNum(usW), Height: chartNum(usH),
		Title:  "Map: members of Congress who sponsor or cosponsor the bills, by state",
		Legend: mapLegend,
	}
	states := 0
	for code, s := range support {
		n := s.house + s.senate
		if n == 0 {
			continue
		}
		states++
		v.Rows = append(v.Rows, templates.MapRow{
			State: templates.StateName(code), House: s.house, Senate: s.senate, Total: n,
			Members: s.members, BinClass: "bin-" + strconv.Itoa(mapBin(n)),
		})
	}
	slices.SortFunc(v.Rows, func(a, b templates.MapRow) int {
		if a.Total != b.Total {
			return b.Total - a.Total
		}
		return cmp.Compare(a.State, b.State)
	})
	all := 0
	for _, s := range support {
		if s.members > 0 {
			all++
		}
	}
	v.Others = all - states
	v.Desc = fmt.Sprintf("%s at least one member who sponsors or cosponsors the bills; %s none yet. The table after the map lists them.",
		pluralN(states, "state or territory has", "states and territories have"), pluralN(v.Others, "other has", "others have"))
	return v
}
