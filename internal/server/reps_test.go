package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func TestRepsPage(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		name   string
		url    string
		status int
		check  func(t *testing.T, d *goquery.Document)
	}{
		{"empty form", "/reps", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="zip-form"] input#zip`).Length() != 1 {
				t.Error("no ZIP input")
			}
			if d.Find(`label[for="zip"]`).Length() != 1 {
				t.Error("ZIP input has no label")
			}
			if d.Find(`[data-testid="members"]`).Length() != 0 {
				t.Error("members shown before a search")
			}
		}},
		{"single district", "/reps?zip=10002", 200, func(t *testing.T, d *goquery.Document) {
			s := d.Find(`[data-testid="settled"]`)
			if got, _ := s.Attr("data-district"); got != "NY-10" {
				t.Errorf("settled district = %q, want NY-10", got)
			}
			if n := s.Find(`[data-testid="member"][data-chamber="house"]`).Length(); n != 1 {
				t.Errorf("house members = %d, want 1", n)
			}
			if n := s.Find(`[data-testid="member"][data-chamber="senate"]`).Length(); n != 2 {
				t.Errorf("senators = %d, want 2", n)
			}
			if d.Find(`a[href^="tel:+1202"]`).Length() < 3 {
				t.Error("want a tel: link to each member's DC office")
			}
			if d.Find(`input#zip`).AttrOr("value", "") != "10002" {
				t.Error("form does not keep the ZIP")
			}
		}},
		{"zip plus four and spaces", "/reps?zip=+10002-1234+", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="settled"]`).AttrOr("data-district", "") != "NY-10" {
				t.Error("ZIP+4 not accepted")
			}
		}},
		{"split ZIP lists every candidate", "/reps?zip=10025", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="settled"]`).Length() != 0 {
				t.Error("split ZIP was settled silently")
			}
			var codes []string
			d.Find(`[data-testid="candidate"]`).Each(func(_ int, s *goquery.Selection) {
				codes = append(codes, s.AttrOr("data-district", ""))
			})
			if strings.Join(codes, ",") != "NY-12,NY-13" {
				t.Errorf("candidates = %v, want NY-12 (likely) then NY-13", codes)
			}
			if !strings.Contains(d.Find(`[data-testid="candidate"]`).First().Text(), "Most likely") {
				t.Error("likely district not marked")
			}
			if n := d.Find(`[data-testid="map-area"]`).Length(); n != 2 {
				t.Errorf("map areas = %d, want 2", n)
			}
			if d.Find(`[data-testid="district-map"] title`).Length() == 0 {
				t.Error("map has no title")
			}
			if href := d.Find(`[data-testid="pick"]`).Last().AttrOr("href", ""); href != "/reps?zip=10025&district=NY-13" {
				t.Errorf("pick link = %q", href)
			}
		}},
		{"picked district", "/reps?zip=10025&district=NY-13", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="settled"]`).AttrOr("data-district", "") != "NY-13" {
				t.Error("pick did not settle NY-13")
			}
		}},
		{"pick outside the ZIP is ignored", "/reps?zip=10025&district=CA-12", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="settled"]`).Length() != 0 || d.Find(`[data-testid="split"]`).Length() != 1 {
				t.Error("a district not in the ZIP settled it")
			}
		}},
		{"state-crossing ZIP shows each state's senators", "/reps?zip=03579&district=NH-2", 200, func(t *testing.T, d *goquery.Document) {
			d.Find(`[data-testid="member"][data-chamber="senate"]`).Each(func(_ int, s *goquery.Selection) {
				if !strings.Contains(s.Text(), "New Hampshire") {
					t.Errorf("NH-2 shows a senator not from New Hampshire: %s", s.Find("h3").Text())
				}
			})
		}},
		{"DC has a delegate and no senators", "/reps?zip=20001", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="no-senators"]`).Length() != 1 {
				t.Error("no 'no senators' note for DC")
			}
			if d.Find(`[data-testid="member"][data-chamber="senate"]`).Length() != 0 {
				t.Error("DC shows senators")
			}
			if !strings.Contains(d.Find(`[data-testid="member"]`).Text(), "Delegate") {
				t.Error("DC's member is not called a delegate")
			}
		}},
		{"vacant seat", "/reps?zip=78840", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="vacant"]`).Length() != 1 {
				t.Error("TX-23 vacancy not shown")
			}
			if d.Find(`[data-testid="member"][data-chamber="senate"]`).Length() != 2 {
				t.Error("senators missing for a vacant House seat")
			}
		}},
		{"at-large", "/reps?zip=82001", 200, func(t *testing.T, d *goquery.Document) {
			if !strings.Contains(d.Find(`[data-testid="settled"] h2`).Text(), "at-large") {
				t.Errorf("heading %q does not say at-large", d.Find(`[data-testid="settled"] h2`).Text())
			}
		}},
		{"malformed ZIP", "/reps?zip=1002a", 422, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="zip-error"]`).Text() == "" {
				t.Error("no field error")
			}
			if d.Find(`input#zip[aria-invalid="true"]`).Length() != 1 {
				t.Error("input not marked invalid")
			}
			if d.Find(`input#zip`).AttrOr("value", "") != "1002a" {
				t.Error("the wrong input is not kept for correction")
			}
		}},
		{"well-formed ZIP with no data", "/reps?zip=00000", 404, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="no-data"]`).Length() != 1 {
				t.Error("no 'no data' message")
			}
			if d.Find(`[data-testid="use-location"]`).Length() != 1 {
				t.Error("no location option")
			}
		}},
		{"location", "/reps?lat=38.8899&lon=-77.0091", 200, func(t *testing.T, d *goquery.Document) {
			if d.Find(`[data-testid="settled"]`).AttrOr("data-district", "") != "DC" {
				t.Error("the Capitol is not in DC")
			}
		}},
		{"bad coordinates", "/reps?lat=999&lon=0", 422, func(t *testing.T, d *goquery.Document) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.get(t, tt.url, false)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			body := rec.Body.String()
			if !strings.HasPrefix(body, "<!doctype html>") {
				t.Error("not a full page")
			}
			tt.check(t, doc(t, body))
		})
	}
}

func TestRepsFragment(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/reps?zip=10002", true)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "HX-Request") {
		t.Error("missing Vary: HX-Request")
	}
	body := rec.Body.String()
	if strings.Contains(strings.ToLower(body), "<html") {
		t.Error("fragment contains a full page")
	}
	d := doc(t, body)
	if d.Find(`#lookup[data-testid="lookup"]`).Length() != 1 {
		t.Error("fragment lacks the lookup region")
	}
	if a := d.Find(`#announce[hx-swap-oob]`); !strings.Contains(a.Text(), "Showing 3 members") {
		t.Errorf("announcement = %q", a.Text())
	}
	if d.Find(`[data-focus]`).Length() != 1 {
		t.Error("no focus target in the results")
	}
	// A 422 fragment still carries the form and its message.
	rec = env.get(t, "/reps?zip=12", true)
	if rec.Code != 422 || doc(t, rec.Body.String()).Find(`[data-testid="zip-error"]`).Length() != 1 {
		t.Errorf("invalid fragment: %d %s", rec.Code, rec.Body.String())
	}
	// A history restore gets the full page.
	req := httptest.NewRequest(http.MethodGet, "/reps?zip=10002", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-History-Restore-Request", "true")
	rr := httptest.NewRecorder()
	env.srv.Handler().ServeHTTP(rr, req)
	if !strings.HasPrefix(rr.Body.String(), "<!doctype html>") {
		t.Error("history restore did not get a full page")
	}
}

func TestRepsAPI(t *testing.T) {
	env := newEnv(t)
	type member struct {
		Name, Party, Chamber, State, Phone, URL string
		BioguideID                              string `json:"bioguide_id"`
		District                                int
		ContactForm                             string `json:"contact_form"`
	}
	type district struct {
		State          string
		District       int
		AtLarge        bool `json:"at_large"`
		Likely, Vacant bool
		Representative *member
		Senators       []member
	}
	type answer struct {
		Query     map[string]any
		Split     bool
		Districts []district
	}
	tests := []struct {
		url    string
		status int
		check  func(t *testing.T, a answer)
	}{
		{"/api/v1/representatives?zip=10025", 200, func(t *testing.T, a answer) {
			if !a.Split || len(a.Districts) != 2 || !a.Districts[0].Likely || a.Districts[0].District != 12 {
				t.Errorf("split answer = %+v", a)
			}
			if a.Districts[0].Representative == nil || a.Districts[0].Representative.BioguideID == "" || len(a.Districts[0].Senators) != 2 {
				t.Errorf("members missing: %+v", a.Districts[0])
			}
			if a.Query["zip"] != "10025" {
				t.Errorf("query = %v", a.Query)
			}
		}},
		{"/api/v1/representatives?zip=82001", 200, func(t *testing.T, a answer) {
			if a.Split || !a.Districts[0].AtLarge || a.Districts[0].District != 0 {
				t.Errorf("WY = %+v", a.Districts)
			}
		}},
		{"/api/v1/representatives?lat=38.8899&lon=-77.0091", 200, func(t *testing.T, a answer) {
			if len(a.Districts) != 1 || a.Districts[0].State != "DC" || a.Districts[0].Senators == nil || len(a.Districts[0].Senators) != 0 {
				t.Errorf("DC point = %+v", a.Districts)
			}
		}},
		{"/api/v1/representatives?zip=abc", 400, nil},
		{"/api/v1/representatives", 400, nil},
		{"/api/v1/representatives?lat=40&lon=-50", 404, nil},
		{"/api/v1/representatives?zip=00000", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			rec := env.get(t, tt.url, false)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Error("CORS not open")
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
			if tt.status != 200 {
				var e struct{ Error string }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Errorf("error body %s", rec.Body)
				}
				return
			}
			var a answer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			tt.check(t, a)
		})
	}
}

func TestHealthzAndAbout(t *testing.T) {
	env := newEnv(t)
	if rec := env.get(t, "/healthz", false); rec.Code != 200 {
		t.Errorf("healthz = %d", rec.Code)
	}
	rec := env.get(t, "/about", false)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "simplemaps.com") {
		t.Errorf("about page: %d, simplemaps credit missing", rec.Code)
	}
	if rec := env.get(t, "/no-such-page", false); rec.Code != 404 || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Errorf("404 page: %d", rec.Code)
	}
	env.db.Close()
	if rec := env.get(t, "/healthz", false); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz with a closed database = %d, want 503", rec.Code)
	}
}

// checkScriptsOwnOrigin fails unless the policy lets scripts, styles and
// connections reach this site only: default-src 'self', and no directive
// of those kinds (which would take default-src's place) naming more.
func checkScriptsOwnOrigin(t *testing.T, label, policy string) {
	t.Helper()
	directives := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			directives[strings.ToLower(name)] = strings.TrimSpace(value)
		}
	}
	if directives["default-src"] != "'self'" {
		t.Errorf("%s: default-src %q, want 'self' in %q", label, directives["default-src"], policy)
	}
	for _, name := range []string{"script-src", "script-src-elem", "script-src-attr", "style-src", "style-src-elem", "style-src-attr", "connect-src"} {
		if v, ok := directives[name]; ok && v != "'self'" {
			t.Errorf("%s: %s %q widens default-src 'self'", label, name, v)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/", false)
	h := rec.Header()
	for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"} {
		if !strings.Contains(h.Get("Content-Security-Policy"), want) {
			t.Errorf("CSP lacks %s", want)
		}
	}
	checkScriptsOwnOrigin(t, "home page", h.Get("Content-Security-Policy"))
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
}

// TestRefSurvivesTheLookup: a visitor who arrives with a partner's ?ref=
// keeps it through the ZIP form, the district picker and the write link.
func TestRefSurvivesTheLookup(t *testing.T) {
	e := newEnv(t, letterFlow())
	home := mustDoc(t, e.get(t, "/?ref=bizco", false))
	if home.Find(`[data-testid="zip-form"] input[name="ref"]`).AttrOr("value", "") != "bizco" {
		t.Error("the home page's ZIP form drops the ref")
	}
	split := mustDoc(t, e.get(t, "/reps?zip=10025&ref=bizco", false))
	if href := split.Find(`[data-testid="pick"]`).First().AttrOr("href", ""); !strings.Contains(href, "ref=bizco") {
		t.Errorf("pick link %q drops the ref", href)
	}
	if href := split.Find(`[data-testid="map-area"]`).First().AttrOr("href", ""); !strings.Contains(href, "ref=bizco") {
		t.Errorf("map link %q drops the ref", href)
	}
	settled := mustDoc(t, e.get(t, "/reps?zip=10025&district=NY-12&ref=bizco", false))
	if href := settled.Find(`[data-testid="write-link"]`).AttrOr("href", ""); !strings.Contains(href, "ref=bizco") {
		t.Errorf("write link %q drops the ref", href)
	}
	if bad := mustDoc(t, e.get(t, `/reps?zip=10025&ref=%22%3E%3Cscript%3E`, false)); bad.Find(`input[name="ref"]`).Length() != 0 {
		t.Error("a malformed ref is carried along")
	}
}
