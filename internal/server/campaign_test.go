package server

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/testkit"
)

type fakeLetterCounter struct {
	n   int
	err error
}

func (f fakeLetterCounter) CountLetters(context.Context, int64) (int, error) { return f.n, f.err }

// importHouse records a fuller House list: the seeded original, two more
// current House members, one of whom later withdrew.
func (e *env) importHouse(t *testing.T, asOf time.Time) (joined, withdrew string) {
	t.Helper()
	data := testkit.Reference(t)
	var extra []string
	for _, m := range data.Members() {
		if m.Chamber == advocacy.House && !m.NonVoting() && m.BioguideID != "M001205" && m.BioguideID != "P000613" {
			extra = append(extra, m.BioguideID)
		}
		if len(extra) == 2 {
			break
		}
	}
	day := func(s string) time.Time { t, _ := time.Parse(advocacy.DateLayout, s); return t }
	f := advocacy.CosponsorFile{Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "P000613", JoinedOn: day("2025-11-04"), Original: true},
		{BioguideID: extra[0], JoinedOn: day("2026-01-12")},
		{BioguideID: extra[1], JoinedOn: day("2025-12-01"), WithdrawnOn: day("2026-02-02")},
	}}
	chamberOf := func(id string) (advocacy.Chamber, bool) { m, ok := data.Member(id); return m.Chamber, ok }
	if _, err := e.campaigns.ImportCosponsors(context.Background(), sqlite.SeedSlug, "hr5917-119", f, chamberOf, asOf); err != nil {
		t.Fatalf("import: %v", err)
	}
	return extra[0], extra[1]
}

func parseDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// joinText is the text of each node of sel, squashed and joined by spaces.
func joinText(sel *goquery.Selection) string {
	var parts []string
	sel.Each(func(_ int, s *goquery.Selection) {
		if t := squash(s.Text()); t != "" {
			parts = append(parts, t)
		}
	})
	return strings.Join(parts, " ")
}

func TestSeedMembersAreInReferenceData(t *testing.T) {
	data := testkit.Reference(t)
	for _, id := range sqlite.SeedBioguideIDs() {
		if _, ok := data.Member(id); !ok {
			t.Errorf("seeded member %s is not in the reference data", id)
		}
	}
}

func TestCampaignHome(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	rec := env.get(t, "/", false)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	for _, h := range []string{"ETag", "Last-Modified"} {
		if rec.Header().Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary = %q", rec.Header().Values("Vary"))
	}
	d := parseDoc(t, rec.Body.String())
	if d.Find("h1").Length() != 1 || squash(d.Find("h1").Text()) != "Repeal Jackson-Vanik for Central Asia" {
		t.Errorf("h1 = %q", d.Find("h1").Text())
	}
	ask := squash(d.Find(`[data-testid="campaign-ask"]`).Text())
	if !strings.Contains(ask, "H.R. 5917") || !strings.Contains(ask, "S. 3103") || strings.Count(ask, ".") > 4 {
		t.Errorf("ask = %q", ask)
	}
	if n := d.Find(`[data-testid="why"] li`).Length(); n != 3 {
		t.Errorf("why points = %d, want 3", n)
	}
	if d.Find(`[data-testid="call-to-action"] [data-testid="lookup"] input#zip`).Length() != 1 {
		t.Error("the ZIP lookup is not the call to action")
	}

	bills := d.Find(`[data-testid="bill-progress"]`)
	if bills.Length() != 2 {
		t.Fatalf("bill-progress = %d, want 2", bills.Length())
	}
	want := map[string]struct{ text, parties string }{
		"hr5917-119": {"1 of 218 cosponsors (less than 1%). 217 more needed.", "1 Democrat"},
		"s3103-119":  {"3 of 51 cosponsors (5%). 48 more needed.", "2 Democrats 1 Republican"},
	}
	bills.Each(func(_ int, b *goquery.Selection) {
		id := b.AttrOr("data-bill", "")
		w, ok := want[id]
		if !ok {
			t.Errorf("unexpected bill %q", id)
			return
		}
		if got := squash(b.Find(`[data-testid="progress-text"]`).Text()); got != w.text {
			t.Errorf("%s progress = %q, want %q", id, got, w.text)
		}
		if b.Find(`[data-testid="thermometer"] svg title`).Length() != 1 {
			t.Errorf("%s thermometer has no title", id)
		}
		if got := joinText(b.Find(`[data-testid="party-breakdown"] li`)); got != w.parties {
			t.Errorf("%s parties = %q, want %q", id, got, w.parties)
		}
		if b.Find(`[data-testid="timeline"] svg`).Length() != 1 || squash(b.Find(`[data-testid="timeline-summary"]`).Text()) == "" {
			t.Errorf("%s timeline lacks its chart or summary", id)
		}
		if got := squash(b.Find(`[data-testid="as-of"]`).Text()); !strings.HasPrefix(got, "Cosponsor list as of November 6, 2025.") {
			t.Errorf("%s as-of = %q", id, got)
		}
	})
	if got := squash(d.Find(`[data-bill="s3103-119"] .sponsor`).Text()); got != "Sponsor: Sen. Steve Daines (R-MT)" {
		t.Errorf("Senate sponsor = %q", got)
	}

	mapImg := d.Find(`img[data-testid="us-map"]`)
	if alt := mapImg.AttrOr("alt", ""); !strings.Contains(alt, "6 states and territories have at least one member") {
		t.Errorf("the US map's alt text = %q, want what it shows", alt)
	}
	var states []string
	d.Find(`[data-testid="us-map-table"] tbody th`).Each(func(_ int, s *goquery.Selection) { states = append(states, s.Text()) })
	// Sponsors and cosponsors of either bill: WV, MT, CA, CT, NH, ID.
	if strings.Join(states, ",") != "California,Connecticut,Idaho,Montana,New Hampshire,West Virginia" {
		t.Errorf("map table states = %v", states)
	}
	img := env.get(t, mapImg.AttrOr("src", ""), false)
	if img.Code != 200 {
		t.Fatalf("the US map image: status %d", img.Code)
	}
	drawn := parseDoc(t, img.Body.String())
	if drawn.Find(`path.state`).Length() < 50 {
		t.Error("the US map draws too few states")
	}
	// Montana has a sponsor (1 member), Texas nobody.
	if drawn.Find(`path.state[data-state="MT"].bin-1`).Length() != 1 || drawn.Find(`path.state[data-state="TX"].bin-0`).Length() != 1 {
		t.Error("map colours do not follow support")
	}
	if got := squash(d.Find(`[data-testid="us-map-others"]`).Text()); !strings.HasPrefix(got, "50 other states and territories") {
		t.Errorf("others = %q", got)
	}
	if d.Find(`[data-testid="letters-count"]`).Length() != 0 {
		t.Error("letters count shown with no counter wired")
	}
	if d.Find("[style]").Length() != 0 {
		t.Error("inline style attributes break the CSP")
	}
	d.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline script breaks the CSP")
		}
	})
	// Each bill's thermometer, party bar and timeline; the map is an image.
	checkSVGs(t, rec.Body.Bytes(), 2*3)
}

// checkSVGs decodes every <svg> element of body as XML and checks that
// each one (thermometers, party bars and timelines) has a title.
func checkSVGs(t *testing.T, body []byte, atLeast int) {
	t.Helper()
	re := regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
	svgs := re.FindAll(body, -1)
	if len(svgs) < atLeast {
		t.Errorf("found %d svg elements, want at least %d", len(svgs), atLeast)
	}
	for _, svg := range svgs {
		dec := xml.NewDecoder(bytes.NewReader(svg))
		dec.Strict = true
		var root struct {
			XMLName xml.Name
			Role    string `xml:"role,attr"`
			Title   string `xml:"title"`
		}
		if err := dec.Decode(&root); err != nil {
			t.Errorf("svg does not parse as XML: %v\n%.200s", err, svg)
			continue
		}
		for {
			if _, err := dec.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("svg has trailing garbage: %v", err)
				}
				break
			}
		}
		if root.XMLName.Local != "svg" || strings.TrimSpace(root.Title) == "" || root.Role != "img" {
			t.Errorf("svg %q lacks role=img or a title: %.200s", root.XMLName.Local, svg)
		}
	}
}

func TestCampaignProgressFragment(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	rec := env.get(t, "/campaigns/jackson-vanik/progress", true)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), `<div id="campaign-progress"`) {
		t.Errorf("fragment is not just the region: %.120s", body)
	}
	d := parseDoc(t, body)
	region := d.Find(`#campaign-progress[data-testid="campaign-progress"]`)
	if trig := region.AttrOr("hx-trigger", ""); !strings.Contains(trig, "every 60s") || !strings.Contains(trig, "letter-sent from:body") {
		t.Errorf("hx-trigger = %q", trig)
	}
	if region.AttrOr("hx-get", "") != "/campaigns/jackson-vanik/progress" || region.AttrOr("hx-swap", "") != "outerHTML" {
		t.Error("region does not refresh itself")
	}
	if d.Find(`[data-testid="bill-progress"]`).Length() != 2 {
		t.Error("fragment lacks the bills")
	}
	if rec.Header().Get("ETag") == "" {
		t.Error("fragment has no ETag")
	}

	full := env.get(t, "/campaigns/jackson-vanik/progress", false)
	fd := parseDoc(t, full.Body.String())
	if full.Code != 200 || fd.Find("h1").Length() != 1 || fd.Find(`#campaign-progress`).Length() != 1 {
		t.Errorf("plain GET of the region is not a full page (status %d)", full.Code)
	}
	if full.Header().Get("ETag") == rec.Header().Get("ETag") {
		t.Error("page and fragment share an ETag")
	}
	if got := env.get(t, "/campaigns/nope/progress", false); got.Code != http.StatusNotFound {
		t.Errorf("unknown campaign: status %d", got.Code)
	}
}

func TestCampaignLettersCount(t *testing.T) {
	env := newEnv(t, campaignSite(fakeLetterCounter{n: 42}))
	rec := env.get(t, "/", false)
	d := parseDoc(t, rec.Body.String())
	if got := squash(d.Find(`[data-testid="letters-count"]`).Text()); got != "42 constituents have written to their members so far." {
		t.Errorf("letters count = %q", got)
	}
	if rec.Header().Get("Last-Modified") != "" {
		t.Error("a page with a live letter count must rely on its ETag alone")
	}
	var api struct {
		Letters struct{ Total int } `json:"letters"`
	}
	if err := json.Unmarshal(env.get(t, "/api/v1/campaigns/jackson-vanik", false).Body.Bytes(), &api); err != nil || api.Letters.Total != 42 {
		t.Errorf("API letters = %+v, %v", api, err)
	}

	failing := newEnv(t, campaignSite(fakeLetterCounter{err: errors.New("db down")}))
	if rec := failing.get(t, "/", false); rec.Code != 200 || strings.Contains(rec.Body.String(), `data-testid="letters-count"`) {
		t.Errorf("a failing letter count should hide the line, not fail the page (status %d)", rec.Code)
	}
}

func TestConditionalRequests(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	for _, target := range []string{"/", "/campaigns/jackson-vanik/progress", "/bills/hr5917-119", "/talking-points", "/api/v1/campaigns/jackson-vanik", "/api/v1/campaigns/jackson-vanik/cosponsors"} {
		t.Run(target, func(t *testing.T) {
			first := env.get(t, target, false)
			tag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
			if first.Code != 200 || tag == "" || lm == "" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q", first.Code, tag, lm)
			}
			again := env.get(t, target, false)
			if again.Header().Get("ETag") != tag {
				t.Error("ETag changes between identical answers")
			}
			hit := env.fetch(t, http.MethodGet, target, nil, "If-None-Match", tag)
			if hit.Code != http.StatusNotModified || hit.Body.Len() != 0 {
				t.Errorf("If-None-Match: status %d, %d bytes", hit.Code, hit.Body.Len())
			}
			if got := env.fetch(t, http.MethodGet, target, nil, "If-None-Match", `W/"other", `+tag); got.Code != http.StatusNotModified {
				t.Errorf("If-None-Match list: status %d", got.Code)
			}
			if got := env.fetch(t, http.MethodGet, target, nil, "If-None-Match", `W/"other"`); got.Code != 200 {
				t.Errorf("stale If-None-Match: status %d", got.Code)
			}
			if got := env.fetch(t, http.MethodGet, target, nil, "If-Modified-Since", lm); got.Code != http.StatusNotModified {
				t.Errorf("If-Modified-Since = Last-Modified: status %d", got.Code)
			}
			earlier := campaignNow.Add(-365 * 24 * time.Hour).Format(http.TimeFormat)
			if got := env.fetch(t, http.MethodGet, target, nil, "If-Modified-Since", earlier); got.Code != 200 {
				t.Errorf("older If-Modified-Since: status %d", got.Code)
			}
			// A matching date does not win over a stale ETag.
			if got := env.fetch(t, http.MethodGet, target, nil, "If-None-Match", `W/"other"`, "If-Modified-Since", lm); got.Code != 200 {
				t.Errorf("stale ETag with a current date: status %d", got.Code)
			}
		})
	}

	// New cosponsor data changes both validators.
	before := env.get(t, "/", false)
	env.importHouse(t, campaignNow)
	after := env.fetch(t, http.MethodGet, "/", nil, "If-None-Match", before.Header().Get("ETag"), "If-Modified-Since", before.Header().Get("Last-Modified"))
	if after.Code != 200 || after.Header().Get("ETag") == before.Header().Get("ETag") {
		t.Errorf("after an import: status %d, ETag unchanged %v", after.Code, after.Header().Get("ETag") == before.Header().Get("ETag"))
	}
	if after.Header().Get("Last-Modified") != campaignNow.Format(http.TimeFormat) {
		t.Errorf("Last-Modified after import = %q", after.Header().Get("Last-Modified"))
	}
}

func TestBillPage(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	rows := func(d *goquery.Document) string {
		var out []string
		d.Find(`[data-testid="cosponsor-row"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-bioguide", ""))
		})
		return strings.Join(out, ",")
	}
	tests := []struct {
		query, want, sorted, aria string
	}{
		{"", "M001169,R000584,S001181", "date", "ascending"}, // same day: by last name
		{"?sort=name", "M001169,R000584,S001181", "name", "ascending"},
		{"?sort=name&dir=desc", "S001181,R000584,M001169", "name", "descending"},
		{"?sort=state", "M001169,R000584,S001181", "state", "ascending"}, // CT, ID, NH
		{"?sort=state&dir=desc", "S001181,R000584,M001169", "state", "descending"},
		{"?sort=party", "M001169,S001181,R000584", "party", "ascending"}, // Democrat before Republican
		{"?sort=party&dir=desc", "R000584,M001169,S001181", "party", "descending"},
		{"?sort=bogus&dir=sideways", "M001169,R000584,S001181", "date", "ascending"},
	}
	for _, tt := range tests {
		rec := env.get(t, "/bills/s3103-119"+tt.query, false)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", tt.query, rec.Code)
		}
		d := parseDoc(t, rec.Body.String())
		if got := rows(d); got != tt.want {
			t.Errorf("%s: rows = %s, want %s", tt.query, got, tt.want)
		}
		sorted := d.Find(`[data-testid="cosponsors-table"] th[aria-sort]`)
		if sorted.Length() != 1 || sorted.AttrOr("aria-sort", "") != tt.aria || sorted.Find(`a`).AttrOr("data-testid", "") != "sort-"+tt.sorted {
			t.Errorf("%s: aria-sort on %d headers (%q)", tt.query, sorted.Length(), sorted.AttrOr("aria-sort", ""))
		}
		// The sorted column's link reverses it; the others sort ascending.
		next := "desc"
		if tt.aria == "descending" {
			next = "asc"
		}
		if href := sorted.Find("a").AttrOr("href", ""); !strings.Contains(href, "dir="+next) || !strings.Contains(href, "sort="+tt.sorted) {
			t.Errorf("%s: sorted header links to %q", tt.query, href)
		}
	}

	d := parseDoc(t, env.get(t, "/bills/s3103-119", false).Body.String())
	checks := map[string]string{
		`[data-testid="sponsor"]`:        "Sen. Steve Daines (R-MT)",
		`[data-testid="bill-status"]`:    "Introduced",
		`[data-testid="bill-committee"]`: "Committee on Finance",
		`h1`:                             "S. 3103",
	}
	for sel, want := range checks {
		if got := squash(d.Find(sel).Text()); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if d.Find(`[data-testid="stale-warning"]`).Length() != 0 || strings.Contains(d.Text(), "whipcount cosponsors import") {
		t.Error("the public sees instructions meant for organizers")
	}
	if d.Find(`[data-testid="action-band"] form[action="/reps"]`).Length() != 1 {
		t.Error("the bill page does not end with the action")
	}
	if got := joinText(d.Find(`[data-testid="cosponsor-row"][data-bioguide="S001181"]`).Children()); got != "Jeanne Shaheen Democrat NH November 4, 2025 Yes —No" {
		t.Errorf("Shaheen row = %q", got)
	}
	hr := parseDoc(t, env.get(t, "/bills/hr5917-119", false).Body.String())
	if got := squash(hr.Find(`[data-testid="bill-committee"]`).Text()); !strings.Contains(got, "not confirmed") {
		t.Errorf("House committee = %q", got)
	}

	// After a fresh import: withdrawals shown, not counted, no warning.
	joined, withdrew := env.importHouse(t, campaignNow)
	d = parseDoc(t, env.get(t, "/bills/hr5917-119", false).Body.String())
	if d.Find(`[data-testid="stale-warning"]`).Length() != 0 {
		t.Error("fresh data flagged as stale")
	}
	w := d.Find(`[data-testid="cosponsor-row"][data-bioguide="` + withdrew + `"]`)
	if !w.HasClass("withdrawn") || !strings.Contains(w.Text(), "February 2, 2026") {
		t.Errorf("withdrawn row = %q", squash(w.Text()))
	}
	if got := squash(d.Find(`[data-testid="progress-text"]`).Text()); !strings.HasPrefix(got, "2 of 218 cosponsors (less than 1%). 216 more needed. 1 member has withdrawn") {
		t.Errorf("progress = %q", got)
	}
	if rows(d) != "P000613,"+withdrew+","+joined {
		t.Errorf("rows by date = %s", rows(d))
	}
	checkSVGs(t, env.get(t, "/bills/hr5917-119", false).Body.Bytes(), 3)

	for _, bad := range []string{"/bills/hr1-119", "/bills/nonsense", "/bills/hres5-119"} {
		if rec := env.get(t, bad, false); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, rec.Code)
		}
	}
}

func TestTalkingPointsPage(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	// An organizer's careless (or hostile) text must come out harmless.
	if _, err := env.db.W.Exec(`INSERT INTO talking_points (campaign_id, audience, position, title, body_md, sources)
		VALUES (1, 'business', 99, 'Hostile', ?,
		'[{"title":"Bad","url":"javascript:alert(4)"},{"title":"Good","url":"https://example.org/good"}]')`,
		"<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[site](javascript:alert(3)) and [ok](https://example.org/)"); err != nil {
		t.Fatal(err)
	}
	rec := env.get(t, "/talking-points", false)
	if rec.Code != 200 || rec.Header().Get("ETag") == "" {
		t.Fatalf("status %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	body := rec.Body.String()
	d := parseDoc(t, body)
	var audiences []string
	d.Find(`[data-testid="tp-group"]`).Each(func(_ int, s *goquery.Selection) {
		audiences = append(audiences, s.AttrOr("data-audience", ""))
		if s.Find(`[data-testid="talking-point"]`).Length() == 0 {
			t.Errorf("group %s is empty", s.AttrOr("data-audience", ""))
		}
	})
	if strings.Join(audiences, ",") != "constituents,business,press" {
		t.Errorf("groups = %v", audiences)
	}
	obj := d.Find(`[data-testid="objections"]`)
	if obj.Find("h2").Text() != "Common objections" || obj.Find(`[data-testid="talking-point"]`).Length() < 1 {
		t.Error("no common objections section")
	}
	if n := d.Find(`[data-testid="talking-point"]`).Length(); n < 9 {
		t.Errorf("talking points = %d", n)
	}
	d.Find(`[data-testid="talking-point"]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-testid="tp-sources"] li`).Length() == 0 {
			t.Errorf("talking point %q has no sources", s.Find("h3").Text())
		}
	})
	if d.Find(`[data-testid="tp-sources"] a[href^="https://www.congress.gov/"]`).Length() == 0 {
		t.Error("sources are not links")
	}
	for _, bad := range []string{"alert(1)", "onerror", "javascript:", "alert(4)"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	link := d.Find(`[data-testid="tp-body"] a[href="https://example.org/"]`)
	if rel := link.AttrOr("rel", ""); !strings.Contains(rel, "nofollow") || !strings.Contains(rel, "noopener") {
		t.Errorf("body link rel = %q", rel)
	}
	if d.Find(`[data-testid="tp-sources"] a[href="https://example.org/good"]`).Length() != 1 || !strings.Contains(body, "Bad") {
		t.Error("a source with a bad URL should keep its title without the link")
	}
}

func TestCampaignAPI(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	rec := env.get(t, "/api/v1/campaigns/jackson-vanik", false)
	if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, CORS %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["slug"] != "jackson-vanik" || got["title"] != "Repeal Jackson-Vanik for Central Asia" {
		t.Errorf("campaign = %v", got)
	}
	if got["letters"].(map[string]any)["total"] != 0.0 {
		t.Errorf("letters = %v", got["letters"])
	}
	bills := got["bills"].([]any)
	if len(bills) != 2 {
		t.Fatalf("bills = %v", bills)
	}
	hr := bills[0].(map[string]any)
	want := map[string]any{
		"id": "hr5917-119", "chamber": "house", "congress": 119.0, "type": "hr", "number": 5917.0,
		"sponsor": "M001205", "cosponsors": 1.0, "target": 218.0, "as_of": "2025-11-06T00:00:00Z",
		"title": "To authorize the extension of nondiscriminatory treatment (normal trade relations treatment) to products of certain countries.",
	}
	for k, v := range want {
		if hr[k] != v {
			t.Errorf("bills[0].%s = %v, want %v", k, hr[k], v)
		}
	}
	if s := bills[1].(map[string]any); s["id"] != "s3103-119" || s["cosponsors"] != 3.0 || s["target"] != 51.0 {
		t.Errorf("bills[1] = %v", s)
	}

	var list struct {
		Cosponsors []struct {
			Bill        string  `json:"bill"`
			BioguideID  string  `json:"bioguide_id"`
			Party       string  `json:"party"`
			District    *int    `json:"district"`
			JoinedOn    string  `json:"joined_on"`
			Original    bool    `json:"original"`
			WithdrawnOn *string `json:"withdrawn_on"`
		} `json:"cosponsors"`
	}
	if err := json.Unmarshal(env.get(t, "/api/v1/campaigns/jackson-vanik/cosponsors", false).Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Cosponsors) != 4 {
		t.Fatalf("cosponsors = %+v", list.Cosponsors)
	}
	if c := list.Cosponsors[0]; c.Bill != "hr5917-119" || c.BioguideID != "P000613" || c.Party != "Democrat" ||
		c.District == nil || *c.District != 19 || c.JoinedOn != "2025-11-04" || !c.Original || c.WithdrawnOn != nil {
		t.Errorf("first cosponsor = %+v", c)
	}
	if err := json.Unmarshal(env.get(t, "/api/v1/campaigns/jackson-vanik/cosponsors?bill=s3103-119", false).Body.Bytes(), &list); err != nil || len(list.Cosponsors) != 3 {
		t.Errorf("senate cosponsors = %d, %v", len(list.Cosponsors), err)
	}
	_, withdrew := env.importHouse(t, campaignNow)
	if err := json.Unmarshal(env.get(t, "/api/v1/campaigns/jackson-vanik/cosponsors?bill=hr5917-119", false).Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range list.Cosponsors {
		if c.BioguideID == withdrew {
			found = c.WithdrawnOn != nil && *c.WithdrawnOn == "2026-02-02"
		}
	}
	if !found {
		t.Error("withdrawn cosponsor not listed with its date")
	}

	for target, status := range map[string]int{
		"/api/v1/campaigns/nope":                            404,
		"/api/v1/campaigns/nope/cosponsors":                 404,
		"/api/v1/campaigns/jackson-vanik/cosponsors?bill=x": 400,
	} {
		rec := env.get(t, target, false)
		var e apiError
		if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
			t.Errorf("%s: status %d, body %s", target, rec.Code, rec.Body.String())
		}
	}
}

func TestDraftCampaignIsNotPublic(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	if _, err := env.db.W.Exec("UPDATE campaigns SET status = 'draft'"); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/talking-points", "/bills/hr5917-119", "/api/v1/campaigns/jackson-vanik", "/campaigns/jackson-vanik/progress"} {
		if rec := env.get(t, target, false); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, rec.Code)
		}
	}
	d := parseDoc(t, env.get(t, "/", false).Body.String())
	if d.Find(`[data-testid="campaign-ask"]`).Length() != 0 || d.Find(`input#zip`).Length() != 1 {
		t.Error("home shows a draft campaign, or lost the lookup")
	}
}

func TestLookupShowsStances(t *testing.T) {
	env := newEnv(t, campaignSite(nil))
	tests := []struct {
		zip  string
		want map[string]string // bioguide → status, ask fragment
	}{
		{"25302", map[string]string{"M001205": "sponsor"}},                         // WV-1, Rep. Miller
		{"95060", map[string]string{"P000613": "cosponsor"}},                       // CA-19, Rep. Panetta
		{"06103", map[string]string{"M001169": "cosponsor", "L000557": "not_yet"}}, // CT-1
	}
	for _, tt := range tests {
		for _, htmx := range []bool{false, true} {
			rec := env.get(t, "/reps?zip="+tt.zip, htmx)
			d := parseDoc(t, rec.Body.String())
			if n := d.Find(`[data-testid="member-status"]`).Length(); n != 3 {
				t.Errorf("%s: %d member statuses, want 3", tt.zip, n)
			}
			for id, kind := range tt.want {
				st := d.Find(`[data-testid="member"][data-bioguide="` + id + `"] [data-testid="member-status"]`)
				if st.AttrOr("data-status", "") != kind {
					t.Errorf("%s: %s status = %q, want %q", tt.zip, id, st.AttrOr("data-status", ""), kind)
				}
			}
		}
	}
	d := parseDoc(t, env.get(t, "/reps?zip=06103", false).Body.String())
	murphy := joinText(d.Find(`[data-bioguide="M001169"] [data-testid="member-status"]`).Contents())
	if murphy != "Cosponsor of S. 3103 since November 4, 2025 Thank them for cosponsoring S. 3103." {
		t.Errorf("Murphy = %q", murphy)
	}
	larson := d.Find(`[data-bioguide="L000557"] [data-testid="member-status"]`)
	if got := joinText(larson.Contents()); got != "Not yet a cosponsor of H.R. 5917 Ask them to cosponsor H.R. 5917." {
		t.Errorf("Larson = %q", got)
	}
	if larson.Find("a").AttrOr("href", "") != "/bills/hr5917-119" {
		t.Error("status does not link to the bill")
	}
}

// BenchmarkCampaignPages measures the busiest public pages: the home page,
// the progress fragment htmx polls every minute, and its 304 answer.
func BenchmarkCampaignPages(b *testing.B) {
	env := newEnv(b, campaignSite(nil))
	tag := env.get(b, "/campaigns/jackson-vanik/progress", true).Header().Get("ETag")
	for _, bc := range []struct {
		name   string
		target string
		header []string
	}{
		{"home", "/", nil},
		{"progress-fragment", "/campaigns/jackson-vanik/progress", []string{"HX-Request", "true"}},
		{"progress-304", "/campaigns/jackson-vanik/progress", []string{"HX-Request", "true", "If-None-Match", tag}},
		{"bill", "/bills/s3103-119?sort=name", nil},
		{"api", "/api/v1/campaigns/jackson-vanik", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if rec := env.fetch(b, http.MethodGet, bc.target, nil, bc.header...); rec.Code >= 400 {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// TestMapImage: the map is an image of its own whose URL holds its colours,
// cacheable for good while the outlines stay the same; the page keeps its
// text equivalent.
func TestMapImage(t *testing.T) {
	e := newEnv(t, campaignSite(nil))
	d := parseDoc(t, e.get(t, "/", false).Body.String())
	img := d.Find(`figure img[data-testid="us-map"]`)
	src := img.AttrOr("src", "")
	if !strings.HasPrefix(src, "/campaigns/map.svg?v=") || img.AttrOr("alt", "") == "" || img.AttrOr("loading", "") != "lazy" {
		t.Fatalf("map image = src %q, alt %q, loading %q", src, img.AttrOr("alt", ""), img.AttrOr("loading", ""))
	}
	if d.Find(`[data-testid="us-map-table"] tbody tr`).Length() == 0 || d.Find(`[data-testid="us-map-legend"] li`).Length() != 5 {
		t.Error("the page lost the map's table or legend")
	}
	rec := e.get(t, src, false)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("map image: %d %v", rec.Code, rec.Header())
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), new(struct{})); err != nil {
		t.Fatalf("the map image is not well-formed XML: %v", err)
	}
	drawn := parseDoc(t, rec.Body.String())
	if drawn.Find(`style`).Length() != 1 || drawn.Find(`pattern#none`).Length() != 1 {
		t.Error("the map image lacks its own styles or the hatching of none")
	}
	if drawn.Find(`g.tile[data-state="DC"] text`).Text() != "DC" {
		t.Error("the map image lacks the tile of DC")
	}
	// Opened on its own, the image may use its style sheet, and nothing else.
	if got := rec.Header().Get("Content-Security-Policy"); got != "default-src 'none'; style-src 'unsafe-inline'" {
		t.Errorf("map image policy %q: want its style sheet allowed and nothing else", got)
	}
	// Browsers that ask get it compressed.
	req := httptest.NewRequest(http.MethodGet, src, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gz := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(gz, req)
	if gz.Header().Get("Content-Length") != strconv.Itoa(gz.Body.Len()) {
		t.Errorf("compressed map image: Content-Length %q for %d bytes", gz.Header().Get("Content-Length"), gz.Body.Len())
	}
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= rec.Body.Len() {
		t.Errorf("compressed map image: encoding %q, %d bytes of %d", gz.Header().Get("Content-Encoding"), gz.Body.Len(), rec.Body.Len())
	}
	if string(decoded(t, gz)) != rec.Body.String() {
		t.Error("the gzip map image differs from the plain one")
	}
	// A browser gets the smaller brotli copy of the same image.
	req = httptest.NewRequest(http.MethodGet, src, nil)
	req.Header.Set("Accept-Encoding", browserEncodings)
	br := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(br, req)
	if br.Header().Get("Content-Encoding") != "br" || br.Body.Len() >= gz.Body.Len() ||
		br.Header().Get("Content-Length") != strconv.Itoa(br.Body.Len()) {
		t.Errorf("map image for a browser: encoding %q, %d bytes (gzip %d), Content-Length %q",
			br.Header().Get("Content-Encoding"), br.Body.Len(), gz.Body.Len(), br.Header().Get("Content-Length"))
	}
	if string(decoded(t, br)) != rec.Body.String() {
		t.Error("the brotli map image differs from the plain one")
	}
	v, bins, _ := strings.Cut(strings.TrimPrefix(src, "/campaigns/map.svg?v="), "&bins=")
	if stale := e.get(t, "/campaigns/map.svg?v=old&bins="+bins, false); stale.Code != 200 || strings.Contains(stale.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("a stale version: %d, cached for good: %v", stale.Code, stale.Header().Get("Cache-Control"))
	}
	for _, bad := range []string{"", bins[1:], bins + "0", strings.Repeat("5", len(bins)), "x" + bins[1:]} {
		if rec := e.get(t, "/campaigns/map.svg?v="+v+"&bins="+bad, false); rec.Code != http.StatusNotFound {
			t.Errorf("bins %q: status %d, want 404", bad, rec.Code)
		}
	}
}
