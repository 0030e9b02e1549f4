package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/testkit"
)

// letterSpec is a fixture letter.
type letterSpec struct {
	at          time.Time
	state       string
	district    int
	email       string
	first, last string
	city        string
	ref         string
	org, title  string
	personal    string
	newsletter  bool
	updates     bool
	status      advocacy.LetterStatus
	to          []string // bioguide IDs
}

// addLetter stores a letter through the letters store at its time.
func (e *env) addLetter(t testing.TB, ls letterSpec) advocacy.Letter {
	t.Helper()
	if ls.first == "" {
		ls.first, ls.last = "Ann", "Writer"
	}
	if ls.city == "" {
		ls.city = "New York"
	}
	nl := advocacy.NewLetter{CampaignID: e.campaignID, State: ls.state, District: ls.district, SettledBy: advocacy.SettledByZIP, Status: ls.status,
		Input: advocacy.LetterInput{Campaign: "jackson-vanik", Prefix: "Ms.", FirstName: ls.first, LastName: ls.last, Address1: "1 Main St",
			City: ls.city, State: ls.state, Zip: "10025", Email: ls.email, PersonalMessage: ls.personal, Consent: true,
			Newsletter: ls.newsletter, CampaignUpdates: ls.updates, Ref: ls.ref, Organization: ls.org, Title: ls.title, Recipients: ls.to}}
	for _, id := range ls.to {
		m, ok := testkit.Reference(t).Member(id)
		if !ok {
			t.Fatalf("no member %s", id)
		}
		ch := advocacy.ChannelAssisted
		if m.Chamber == advocacy.House {
			ch = advocacy.ChannelCWC
		}
		nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: id, OfficeCode: advocacy.OfficeCode(m), Chamber: m.Chamber,
			Channel: ch, Subject: "Please cosponsor", TemplateText: "Dear member"})
	}
	saved := e.clock.Now()
	e.clock.Add(ls.at.Sub(saved))
	defer e.clock.Add(saved.Sub(ls.at))
	res, err := e.letters.CreateLetter(context.Background(), nl)
	if err != nil {
		t.Fatalf("create letter: %v", err)
	}
	return res.Letter
}

func day(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

// dashboardEnv holds the letters the dashboard tests count (see the
// expectations in TestDashboardFigures).
func dashboardEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, organizerWorkspace())
	e.addPartner(t, "Business Council", "bizco")
	e.addPartner(t, "Rival League", "rival")
	e.addLetter(t, letterSpec{at: day(11, 27, 10), state: "NY", district: 12, email: "ann@example.org", ref: "bizco", to: []string{"N000002", "S000148"}})
	e.addLetter(t, letterSpec{at: day(11, 20, 9), state: "NY", district: 12, email: "bea@example.org", first: "Bea", last: "Kim",
		org: "Acme Imports", title: "Owner", newsletter: true, updates: true,
		personal: "Our family business ships machine parts to Almaty and the yearly waiver makes every contract uncertain.", to: []string{"N000002"}})
	e.addLetter(t, letterSpec{at: day(10, 1, 15), state: "WV", district: 1, email: "cy@example.org", city: "Wheeling", to: []string{"M001205"}})
	e.addLetter(t, letterSpec{at: day(11, 26, 8), state: "NY", district: 12, email: "dee@example.org", ref: "rival", to: []string{"N000002"}})
	e.addLetter(t, letterSpec{at: day(11, 28, 11), state: "NY", district: 12, email: "held@example.org", status: advocacy.LetterHeld, to: []string{"N000002"}})
	// Schumer cosponsors S. 3103 the day after his first letter.
	if _, err := e.kit.Editor.SaveCosponsor(context.Background(), "jackson-vanik", "s3103-119",
		advocacy.Cosponsor{BioguideID: "S000148", JoinedOn: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}, 0); err != nil {
		t.Fatal(err)
	}
	return e
}

func testIDText(doc *goquery.Document, id string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + id + `"]`).First().Text())
}

func TestDashboardFigures(t *testing.T) {
	e := dashboardEnv(t)
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	e.srv.lookupCounts.count("zip")
	for range 19 {
		e.srv.lookupCounts.count("api")
	}
	if err := e.srv.FlushLookups(context.Background()); err != nil {
		t.Fatal(err)
	}
	cl := e.mustLogin(t, "org@example.org")
	rec := cl.get(t, "/organizer/campaigns/jackson-vanik")
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("dashboard: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	doc := orgDoc(t, rec)
	for id, want := range map[string]string{"total": "4", "in-window": "3", "held": "1", "rejected": "0", "conversion": "15.0%"} {
		if got := testIDText(doc, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	rowCounts := func(table string) map[string]string {
		out := map[string]string{}
		doc.Find(`[data-testid="` + table + `"] [data-testid=count-row]`).Each(func(_ int, s *goquery.Selection) {
			out[s.AttrOr("data-key", "")] = strings.TrimSpace(s.Find("td").First().Text())
		})
		return out
	}
	check := func(name string, got, want map[string]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	check("chambers", rowCounts("org-chambers"), map[string]string{"house": "4", "senate": "1"})
	check("channels", rowCounts("org-channels"), map[string]string{"cwc": "4", "assisted": "1"})
	check("statuses", rowCounts("org-statuses"), map[string]string{"queued": "4", advocacy.StateWaitingForSender: "1"})
	if got := doc.Find(`[data-testid="org-statuses"] [data-key=waiting_for_sender] th`).Text(); got != "Waiting for the sender to send it" {
		t.Errorf("label of an assisted copy not yet sent: %q", got)
	}
	check("sources", rowCounts("org-sources"), map[string]string{"": "2", "bizco": "1", "rival": "1"})
	if got := doc.Find(`[data-testid="org-sources"] [data-key=bizco] th`).Text(); got != "Business Council (bizco)" {
		t.Errorf("source label %q", got)
	}

	// Letters per day: the table equivalent of the chart.
	days := map[string]string{}
	doc.Find(`[data-testid=daily-table] [data-testid=bar-row]`).Each(func(_ int, s *goquery.Selection) {
		days[s.AttrOr("data-day", "")] = strings.TrimSpace(s.Find("td").Text())
	})
	if len(days) != 30 || days["2026-11-27"] != "1" || days["2026-11-20"] != "1" || days["2026-11-26"] != "1" || days["2026-11-28"] != "0" {
		t.Errorf("daily table: %d days, %v", len(days), days)
	}
	if doc.Find(`[data-testid=daily-chart] svg[role=img] > title`).Length() != 1 || doc.Find(`[data-testid=daily-chart] rect.bar title`).Length() != 30 {
		t.Error("the daily chart lacks its title or bar titles")
	}

	// Map and state table.
	if class := doc.Find(`[data-testid=org-map] path[data-state=NY]`).AttrOr("class", ""); class != "state bin-4" {
		t.Errorf("NY on the map: %q", class)
	}
	legend := doc.Find(`[data-testid=org-map-legend] li`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if strings.Join(legend, ",") != "No letters,1,2,3" {
		t.Errorf("legend %v", legend)
	}
	if class := doc.Find(`[data-testid=org-map] path[data-state=TX]`).AttrOr("class", ""); class != "state bin-0" {
		t.Errorf("TX on the map: %q", class)
	}
	states := doc.Find(`[data-testid=org-states] [data-testid=row]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-key", "") })
	if strings.Join(states, ",") != "NY,WV" {
		t.Errorf("states by letters: %v", states)
	}
	if got := doc.Find(`[data-testid=org-states] th[aria-sort]`).AttrOr("aria-sort", ""); got != "descending" {
		t.Errorf("state table aria-sort %q", got)
	}
	districts := doc.Find(`[data-testid=org-districts] [data-testid=row]`).Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("data-key", "") + "=" + strings.TrimSpace(s.Find("td").Last().Text())
	})
	if strings.Join(districts, ",") != "NY-12=3,WV-1=1" {
		t.Errorf("districts %v", districts)
	}

	// Pressure list: Nadler (3 letters) first; Schumer now cosponsors and
	// Miller sponsors, so neither is on it.
	first := doc.Find(`[data-testid=pressure-row]`).First()
	if first.AttrOr("data-bioguide", "") != "N000002" || strings.TrimSpace(first.Find("td").Last().Text()) != "3" {
		t.Errorf("pressure list starts with %s", first.Text())
	}
	for _, id := range []string{"S000148", "M001205", "P000613"} {
		if doc.Find(`[data-testid=pressure-row][data-bioguide=`+id+`]`).Length() != 0 {
			t.Errorf("%s is on the pressure list", id)
		}
	}
	if n := doc.Find(`[data-testid=pressure-row]`).Length(); n != 20 {
		t.Errorf("pressure list shows %d offices", n)
	}
	if got := testIDText(doc, "joined-summary"); !strings.Contains(got, "1 member joined") || !strings.Contains(got, "median wait was 1 day") {
		t.Errorf("joined summary %q", got)
	}
	if doc.Find(`[data-testid=joined-row][data-bioguide=S000148]`).Length() != 1 {
		t.Error("Schumer is not among the cosponsors who joined after letters")
	}

	// Windows and sorting swap their regions alone for htmx.
	rec = cl.get(t, "/organizer/campaigns/jackson-vanik?days=7", "HX-Request", "true", "HX-Target", "org-daily")
	frag := orgDoc(t, rec)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "<html") || frag.Find(`[data-testid=org-daily]`).AttrOr("data-days", "") != "7" ||
		frag.Find(`[data-testid=bar-row]`).Length() != 7 {
		t.Errorf("7-day fragment: %d %s", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
	rec = cl.get(t, "/organizer/campaigns/jackson-vanik?ssort=name&sdir=desc", "HX-Request", "true", "HX-Target", "org-states")
	frag = orgDoc(t, rec)
	states = frag.Find(`[data-testid=row]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-key", "") })
	if strings.Join(states, ",") != "WV,NY" || frag.Find(`[data-testid=org-states]`).Length() != 1 || frag.Find("h1").Length() != 0 {
		t.Errorf("states Z to A fragment: %v", states)
	}
	if rec.Header().Get("Vary") == "" {
		t.Error("no Vary header on a page with fragments")
	}
}

func TestPartnerViewerSeesOnlyItsAggregates(t *testing.T) {
	e := dashboardEnv(t)
	e.addUser(t, "viewer@biz.example", advocacy.RolePartner, "bizco")
	cl := e.mustLogin(t, "viewer@biz.example")
	rec := cl.get(t, "/organizer/campaigns/jackson-vanik")
	if rec.Code != http.StatusOK {
		t.Fatalf("partner dashboard: %d", rec.Code)
	}
	doc := orgDoc(t, rec)
	if testIDText(doc, "total") != "1" || !strings.Contains(testIDText(doc, "partner-scope"), "Business Council") {
		t.Errorf("partner total %q", testIDText(doc, "total"))
	}
	body := rec.Body.String()
	for _, personal := range []string{"ann@example.org", "bea@example.org", "Bea", "Kim", "Acme", "Almaty", "rival", "Rival League", "Direct (no source code)"} {
		if strings.Contains(body, personal) {
			t.Errorf("the partner's page shows %q", personal)
		}
	}
	for _, id := range []string{"pressure", "org-districts", "org-sources", "held", "conversion", "org-channels"} {
		if doc.Find(`[data-testid="`+id+`"]`).Length() != 0 {
			t.Errorf("the partner's page has %s", id)
		}
	}
	if got := doc.Find(`[data-testid=org-chambers] [data-key=senate] td`).First().Text(); got != "1" {
		t.Errorf("partner senate deliveries %q", got)
	}
	if doc.Find(`[data-testid=joined-row] a`).Length() != 0 {
		t.Error("the partner can open evidence packets from the joined list")
	}
	if n := doc.Find(`a[href*="/offices/"]`).Length(); n != 0 {
		t.Errorf("%d links to evidence packets", n)
	}
}

func TestOfficesAndPacket(t *testing.T) {
	e := dashboardEnv(t)
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	e.addLetter(t, letterSpec{at: day(11, 24, 9), state: "NY", district: 12, email: "eve@example.org", org: " acme  imports", title: "CFO",
		city: "Brooklyn", personal: "=HYPERLINK(\"http://evil.example\") is not something a spreadsheet should ever run for us.", to: []string{"N000002"}})
	cl := e.mustLogin(t, "org@example.org")
	rec := cl.get(t, "/organizer/campaigns/jackson-vanik/offices/N000002")
	if rec.Code != http.StatusOK {
		t.Fatalf("packet: %d", rec.Code)
	}
	doc := orgDoc(t, rec)
	if got := testIDText(doc, "packet-letters"); !strings.Contains(got, "4 constituents have written") {
		t.Errorf("packet letters %q", got)
	}
	if got := testIDText(doc, "packet-stance"); got != "Not yet a cosponsor" {
		t.Errorf("stance %q", got)
	}
	org := doc.Find(`[data-testid=packet-org]`)
	if org.Length() != 1 || org.Find("th").Text() != "Acme Imports" || strings.TrimSpace(org.Find("td").Last().Text()) != "2" {
		t.Errorf("organisations %q", org.Text())
	}
	quotes := doc.Find(`[data-testid=packet-quote]`)
	if quotes.Length() != 2 || !strings.Contains(quotes.Last().Text(), "B. K., New York") || strings.Contains(rec.Body.String(), "bea@example.org") {
		t.Errorf("quotes %q", quotes.Text())
	}
	weeks := doc.Find(`[data-testid=weekly-table] [data-testid=bar-row]`).Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("data-day", "") + "=" + strings.TrimSpace(s.Find("td").Text())
	})
	if strings.Join(weeks, ",") != "2026-11-16=1,2026-11-23=3" {
		t.Errorf("weeks %v", weeks)
	}

	rec = cl.get(t, "/organizer/campaigns/jackson-vanik/offices/N000002.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("packet CSV: %d %v", rec.Code, rec.Header())
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var quoteCells []string
	for _, r := range rows {
		if r[0] == "quote" {
			quoteCells = append(quoteCells, r[3])
		}
	}
	if len(quoteCells) != 2 || !strings.HasPrefix(quoteCells[0], "'=HYPERLINK") {
		t.Errorf("quote cells %q: a formula must be neutralised", quoteCells)
	}
	if rec := cl.get(t, "/organizer/campaigns/jackson-vanik/offices/Z999999"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown member: %d", rec.Code)
	}

	rec = cl.get(t, "/organizer/campaigns/jackson-vanik/offices?sort=letters&dir=desc")
	doc = orgDoc(t, rec)
	firstRow := doc.Find(`[data-testid=org-offices] [data-testid=row]`).First()
	if firstRow.AttrOr("data-key", "") != "N000002" || doc.Find(`[data-testid=org-offices] [data-testid=row]`).Length() < 500 {
		t.Errorf("offices list starts with %s", firstRow.AttrOr("data-key", ""))
	}
	rec = cl.get(t, "/organizer/campaigns/jackson-vanik/offices.csv")
	rows, err = csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || len(rows) < 500 || rows[0][0] != "bioguide_id" {
		t.Fatalf("offices CSV: %d rows %v", len(rows), err)
	}
	for _, r := range rows {
		if r[0] == "N000002" && (r[7] != "not_yet" || r[9] != "4") {
			t.Errorf("Nadler's row %v", r)
		}
	}
}

func TestExportLettersAndContacts(t *testing.T) {
	e := dashboardEnv(t)
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	read := func(target string) [][]string {
		t.Helper()
		rec := cl.get(t, target)
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", target, rec.Code, rec.Header())
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	all := read("/organizer/campaigns/jackson-vanik/exports/letters.csv")
	if len(all) != 1+6 || all[0][0] != "letter_id" || all[0][len(all[0])-1] != "last_error" {
		t.Errorf("all deliveries: %d rows, header %v", len(all), all[0])
	}
	if got := read("/organizer/campaigns/jackson-vanik/exports/letters.csv?partner=bizco"); len(got) != 1+2 {
		t.Errorf("bizco: %d rows", len(got))
	}
	if got := read("/organizer/campaigns/jackson-vanik/exports/letters.csv?state=WV&district=1&status=active"); len(got) != 2 || got[1][13] != "cy@example.org" {
		t.Errorf("WV-1: %v", got)
	}
	if got := read("/organizer/campaigns/jackson-vanik/exports/letters.csv?from=2026-11-26&to=2026-11-27&status=active"); len(got) != 1+3 {
		t.Errorf("Nov 26–27: %d rows", len(got))
	}
	if got := read("/organizer/campaigns/jackson-vanik/exports/letters.csv?status=held"); len(got) != 2 || got[1][2] != "held" {
		t.Errorf("held: %v", got)
	}
	contacts := read("/organizer/campaigns/jackson-vanik/exports/contacts.csv")
	if len(contacts) != 2 || contacts[1][0] != "bea@example.org" {
		t.Errorf("contacts %v", contacts)
	}
	rec := cl.get(t, "/organizer/campaigns/jackson-vanik/exports/letters.csv?state=New+York&from=soon")
	doc := orgDoc(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || doc.Find(`[data-testid=error-state]`).Length() != 1 || doc.Find(`[data-testid=error-from]`).Length() != 1 {
		t.Errorf("bad filters: %d", rec.Code)
	}
	if rec := cl.get(t, "/organizer/campaigns/jackson-vanik/exports"); rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid=export-form] option[value=bizco]`).Length() != 1 {
		t.Errorf("exports page: %d", rec.Code)
	}
}

// flushCounter is a response writer that counts flushes and remembers how
// much had been written at each.
type flushCounter struct {
	*httptest.ResponseRecorder
	flushedBytes []int
}

func (f *flushCounter) Flush() {
	f.flushedBytes = append(f.flushedBytes, f.Body.Len())
	f.ResponseRecorder.Flush()
}

// pagedExports hands out pages of fake rows and checks, before each page
// after the first, that the previous one already reached the client.
type pagedExports struct {
	pages int
	w     *flushCounter
	t     *testing.T
}

func (p *pagedExports) Letters(ctx context.Context, _ int64, _ advocacy.ExportFilter, page func([]advocacy.ExportRow) error) error {
	for i := range p.pages {
		if i > 0 && (len(p.w.flushedBytes) < i || p.w.flushedBytes[i-1] == 0) {
			p.t.Errorf("page %d: the client had not been sent page %d yet (flushes at %v)", i+1, i, p.w.flushedBytes)
		}
		rows := make([]advocacy.ExportRow, 1000)
		for j := range rows {
			rows[j].Letter.PublicID = "letter"
			rows[j].Delivery.BioguideID = "N000002"
		}
		if err := page(rows); err != nil {
			return err
		}
	}
	return nil
}

func (p *pagedExports) Contacts(context.Context, int64, func([]advocacy.Contact) error) error {
	return errors.New("not used")
}

func TestExportStreamsPageByPage(t *testing.T) {
	fake := &pagedExports{pages: 5, t: t}
	e := newEnv(t, organizerWorkspace(), withDeps(func(d *Deps) { d.Organizer.Exports = fake }))
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	req := httptest.NewRequest(http.MethodGet, "/organizer/campaigns/jackson-vanik/exports/letters.csv", nil)
	req.RemoteAddr = cl.ip + ":1"
	for _, c := range cl.cookies {
		req.AddCookie(c)
	}
	fake.w = &flushCounter{ResponseRecorder: httptest.NewRecorder()}
	e.srv.Handler().ServeHTTP(fake.w, req)
	if fake.w.Code != http.StatusOK {
		t.Fatalf("export: %d", fake.w.Code)
	}
	if len(fake.w.flushedBytes) < 5 {
		t.Errorf("%d flushes for 5 pages", len(fake.w.flushedBytes))
	}
	if lines := bytes.Count(fake.w.Body.Bytes(), []byte("\n")); lines != 1+5000 {
		t.Errorf("%d lines", lines)
	}
}

func TestModerationQueue(t *testing.T) {
	e := dashboardEnv(t)
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	held2 := e.addLetter(t, letterSpec{at: day(11, 28, 11), state: "WV", district: 1, email: "spam@example.org", status: advocacy.LetterHeld,
		personal: "Same words again", to: []string{"M001205"}})
	cl := e.mustLogin(t, "org@example.org")
	rec := cl.get(t, "/organizer/moderation")
	doc := orgDoc(t, rec)
	cards := doc.Find(`[data-testid=held-letter]`)
	if rec.Code != http.StatusOK || cards.Length() != 2 || !strings.Contains(testIDText(doc, "held-total"), "2 letters were held") {
		t.Fatalf("queue: %d, %d cards", rec.Code, cards.Length())
	}
	firstID := cards.First().AttrOr("data-id", "")
	// Rejecting needs a reason, shown in place.
	rec = cl.post(t, "/organizer/moderation/"+firstID+"/reject", url.Values{"reason": {" "}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`#held-`+firstID+` [data-testid=error-reason]`).Length() != 1 {
		t.Errorf("reject without a reason: %d", rec.Code)
	}
	rec = cl.post(t, "/organizer/moderation/"+firstID+"/approve", nil, "HX-Request", "true")
	if rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid=held-decided]`).AttrOr("id", "") != "held-"+firstID {
		t.Errorf("htmx approve: %d %s", rec.Code, rec.Body.String())
	}
	rec = cl.post(t, "/organizer/moderation/"+strconv.FormatInt(held2.ID, 10)+"/reject", url.Values{"reason": {"Copy-paste flood from one address."}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/organizer/moderation?done=rejected" {
		t.Errorf("reject: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := cl.post(t, "/organizer/moderation/"+firstID+"/approve", nil); rec.Code != http.StatusConflict {
		t.Errorf("deciding twice: %d", rec.Code)
	}
	doc = orgDoc(t, cl.get(t, "/organizer/campaigns/jackson-vanik"))
	if testIDText(doc, "total") != "5" || testIDText(doc, "held") != "0" || testIDText(doc, "rejected") != "1" {
		t.Errorf("after moderation: total %s held %s rejected %s", testIDText(doc, "total"), testIDText(doc, "held"), testIDText(doc, "rejected"))
	}
	var actions []string
	rows, err := e.db.R.Query("SELECT action FROM audit_log WHERE entity = 'letter' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	if strings.Join(actions, " ") != "letter.approve letter.reject" {
		t.Errorf("audited %v", actions)
	}
}

// TestDashboardWarnsOfStaleCosponsors: the seeded lists date from November
// 2025, a year before these tests' clock, past a 14-day limit, so
// organizers are told to import a fresh one.
func TestDashboardWarnsOfStaleCosponsors(t *testing.T) {
	e := newEnv(t, organizerWorkspace(), withConfig(func(c *Config) { c.CosponsorsStaleDays = 14 }))
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	doc := orgDoc(t, e.mustLogin(t, "org@example.org").get(t, "/organizer/campaigns/jackson-vanik"))
	warn := doc.Find(`[data-testid="stale-cosponsors"]`)
	if warn.Length() != 2 || !strings.Contains(warn.First().Text(), "H.R. 5917") {
		t.Errorf("stale warnings: %d %q", warn.Length(), warn.Text())
	}
	if href := warn.Find("a").AttrOr("href", ""); href != "/organizer/campaigns/jackson-vanik/edit" {
		t.Errorf("warning links to %q", href)
	}
	fresh := newEnv(t, organizerWorkspace(), withConfig(func(c *Config) { c.CosponsorsStaleDays = 1000 }))
	fresh.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	if n := orgDoc(t, fresh.mustLogin(t, "org@example.org").get(t, "/organizer/campaigns/jackson-vanik")).Find(`[data-testid="stale-cosponsors"]`).Length(); n != 0 {
		t.Errorf("%d warnings within the limit", n)
	}
}
