package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/web"
)

// frameAncestors is the frame-ancestors directive of an answer's policy.
func frameAncestors(rec *httptest.ResponseRecorder) string {
	for _, d := range strings.Split(rec.Header().Get("Content-Security-Policy"), ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "frame-ancestors ") {
			return strings.TrimPrefix(d, "frame-ancestors ")
		}
	}
	return ""
}

func TestWidgetFrameAncestors(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	const listed = "'self' https://council.example http://127.0.0.2:8080"
	tests := []struct {
		name, target, want string
		status             int
	}{
		{"progress, listed origins", "/widgets/jackson-vanik/progress?partner=bizco", listed, 200},
		{"action, listed origins", "/widgets/jackson-vanik/action?partner=bizco", listed, 200},
		{"action lookup, listed origins", "/widgets/jackson-vanik/action?partner=bizco&zip=10025", listed, 200},
		{"any origin", "/widgets/jackson-vanik/progress?partner=open", "*", 200},
		{"none listed", "/widgets/jackson-vanik/action?partner=quiet", "'self'", 200},
		{"unknown partner", "/widgets/jackson-vanik/progress?partner=nobody", "'self'", 200},
		{"malformed partner", "/widgets/jackson-vanik/progress?partner=%3Cx%3E", "'self'", 200},
		{"no partner", "/widgets/jackson-vanik/progress", "'self'", 200},
		{"widget error keeps the partner's policy", "/widgets/no-such-campaign/progress?partner=bizco", listed, 404},
		{"bad option keeps the partner's policy", "/widgets/jackson-vanik/progress?partner=bizco&accent=ffffff", listed, 400},
		{"home page", "/?partner=open", "'self'", 200},
		{"lookup page", "/reps?zip=10025&partner=open", "'self'", 200},
		{"campaign API", "/api/v1/campaigns/jackson-vanik?partner=open", "'self'", 200},
		{"count.json", "/api/v1/campaigns/jackson-vanik/count.json?ref=open", "'self'", 200},
		{"letter form", "/write?zip=10002&ref=open", "'self'", 200},
		{"login", "/login", "'self'", 200},
	}
	for _, tt := range tests {
		rec := e.fetch(t, http.MethodGet, tt.target, nil)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
		if got := frameAncestors(rec); got != tt.want {
			t.Errorf("%s: frame-ancestors %q, want %q", tt.name, got, tt.want)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "object-src 'none'") || strings.Count(csp, "frame-ancestors") != 1 {
			t.Errorf("%s: policy lost its other directives: %q", tt.name, csp)
		}
		checkScriptsOwnOrigin(t, tt.name, csp)
	}

	// A cached answer carries the policy of the request, not of the one
	// that filled the cache.
	first := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=open", nil)
	again := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=open", nil)
	if frameAncestors(first) != "*" || frameAncestors(again) != "*" {
		t.Errorf("cached answers: %q then %q", frameAncestors(first), frameAncestors(again))
	}
}

func TestPartnerEditChangesFramingAtOnce(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	cl := e.mustLogin(t, "admin@example.org")

	rec := cl.get(t, "/organizer/partners/business-council")
	if rec.Code != http.StatusOK {
		t.Fatalf("edit page: %d %s", rec.Code, rec.Body)
	}
	doc := orgDoc(t, rec)
	if got := doc.Find(`#partner-origins`).Text(); got != "https://council.example\nhttp://127.0.0.2:8080" {
		t.Errorf("origins box = %q", got)
	}
	if !strings.Contains(doc.Find(`[data-testid="embed-script"]`).Text(), `data-partner="bizco"`) {
		t.Errorf("snippet = %q", doc.Find(`[data-testid="embed-script"]`).Text())
	}

	bad := url.Values{"name": {"Business Council"}, "allowed_origins": {"http://council.example"}}
	rec = cl.post(t, "/organizer/partners/business-council", bad)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("plain-http origin: %d", rec.Code)
	}
	if msg := testIDText(orgDoc(t, rec), "error-allowed_origins"); !strings.Contains(msg, "https") {
		t.Errorf("origin error = %q", msg)
	}

	ok := url.Values{"name": {"Business Council"}, "allowed_origins": {"https://shop.council.example\r\nhttps://council.example:8443/"}}
	rec = cl.post(t, "/organizer/partners/business-council", ok)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	got := frameAncestors(e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/action?partner=bizco", nil))
	if got != "'self' https://shop.council.example https://council.example:8443" {
		t.Errorf("after the edit: %q", got)
	}

	rec = cl.post(t, "/organizer/partners/business-council", url.Values{"name": {"Business Council"}, "allow_any_origin": {"true"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("allow any: %d", rec.Code)
	}
	if got := frameAncestors(e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/action?partner=bizco", nil)); got != "*" {
		t.Errorf("after allowing any origin: %q", got)
	}

	// Only admins edit partners.
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	oc := e.mustLogin(t, "org@example.org")
	if rec := oc.get(t, "/organizer/partners/business-council"); rec.Code != http.StatusForbidden {
		t.Errorf("organizer opens the edit page: %d", rec.Code)
	}
	if rec := oc.post(t, "/organizer/partners/business-council", url.Values{"name": {"X"}, "allow_any_origin": {"true"}}); rec.Code != http.StatusForbidden {
		t.Errorf("organizer saves a partner: %d", rec.Code)
	}
	if rec := cl.post(t, "/organizer/partners/business-council", url.Values{"name": {"X"}, "csrf": {"wrong"}}); rec.Code != http.StatusForbidden {
		t.Errorf("save without the CSRF token: %d", rec.Code)
	}
}

func TestProgressWidget(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	e.addLetter(t, letterSpec{at: orgNow.Add(-time.Hour), state: "NY", district: 12, email: "a@example.org", ref: "bizco", to: []string{nadler}})
	e.addLetter(t, letterSpec{at: orgNow.Add(-time.Hour), state: "NY", district: 12, email: "b@example.org", to: []string{nadler}})

	rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=bizco", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("progress widget: %d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Cache-Control") != "public, max-age=60" || h.Get("ETag") == "" || h.Get("Set-Cookie") != "" {
		t.Errorf("headers: %v", h)
	}
	doc := mustDoc(t, rec)
	if n := doc.Find(`[data-testid="widget-bill"]`).Length(); n != 2 {
		t.Errorf("bills = %d, want 2", n)
	}
	camp, err := e.campaigns.Campaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range camp.Bills {
		sel := doc.Find(`[data-testid="widget-bill"][data-bill="` + b.ID + `"]`)
		if sel.AttrOr("data-count", "") != strconv.Itoa(b.Progress().Count) {
			t.Errorf("%s count = %q, want %d", b.ID, sel.AttrOr("data-count", ""), b.Progress().Count)
		}
		if sel.Find("svg title").Text() == "" {
			t.Errorf("%s bar has no text equivalent", b.ID)
		}
	}
	if got := squash(testIDText(doc, "widget-letters")); !strings.HasPrefix(got, "2 constituents have written") || !strings.Contains(got, "1 of them through Business Council") {
		t.Errorf("letters = %q", got)
	}
	if text := squash(testIDText(doc, "widget-cta")); text != "Write to your members (opens in a new tab)" {
		t.Errorf("call to action says %q", text)
	}
	if href := doc.Find(`[data-testid="widget-cta"]`).AttrOr("href", ""); href != "/campaigns/jackson-vanik?ref=bizco" {
		t.Errorf("call to action = %q", href)
	}
	if doc.Find(`[data-testid="widget-cta"]`).AttrOr("target", "") != "_blank" || doc.Find(`[data-testid="widget-cta"]`).AttrOr("rel", "") != "noopener" {
		t.Error("the call to action does not open a new tab")
	}
	if testIDText(doc, "widget-partner") != "With BizCo" {
		t.Errorf("footer partner = %q", testIDText(doc, "widget-partner"))
	}
	if doc.Find(`script:not([src]), [style]`).Length() > 0 {
		t.Error("inline script or style")
	}

	// Small: the page and its stylesheet under 15 kB.
	css, err := fs.ReadFile(web.Static(), "widget.css")
	if err != nil {
		t.Fatal(err)
	}
	if size := rec.Body.Len() + len(css); size >= 15000 {
		t.Errorf("progress widget is %d bytes of HTML and CSS, want < 15000", size)
	} else {
		t.Logf("progress widget: %d bytes HTML + %d bytes CSS = %d", rec.Body.Len(), len(css), size)
	}

	// The same page gzip-compressed for browsers that ask.
	gz := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=bizco", nil, "Accept-Encoding", "gzip, br")
	zr, err := gzip.NewReader(gz.Body)
	if err != nil || gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") != h.Get("ETag") {
		t.Fatalf("gzip answer: %v %v", err, gz.Header())
	}
	if plain, err := io.ReadAll(zr); err != nil || string(plain) != rec.Body.String() {
		t.Errorf("gzip body differs: %v", err)
	}
	if !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary = %q", gz.Header().Get("Vary"))
	}

	// 304 when unchanged, 200 once a letter changes the count.
	tag := h.Get("ETag")
	if rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=bizco", nil, "If-None-Match", tag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	e.addLetter(t, letterSpec{at: orgNow, state: "NY", district: 12, email: "c@example.org", to: []string{nadler}})
	e.clock.Add(6 * time.Second) // past the widget cache
	if rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?partner=bizco", nil, "If-None-Match", tag); rec.Code != http.StatusOK {
		t.Errorf("after a new letter: %d", rec.Code)
	}

	// Compact leaves out the explanations; an accent colour adds its sheet.
	rec = e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?layout=compact&accent=%231d4ed8", nil)
	doc = mustDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(".w-ask, .w-title").Length() != 0 || doc.Find("body.w-compact").Length() != 1 {
		t.Errorf("compact: %d", rec.Code)
	}
	if href := doc.Find(`link[href^="/widgets/accent.css"]`).AttrOr("href", ""); href != "/widgets/accent.css?c=1d4ed8" {
		t.Errorf("accent sheet = %q", href)
	}
	if doc.Find(`[data-testid="widget-partner-letters"]`).Length() != 0 {
		t.Error("partner letters shown without a partner")
	}
	for _, q := range []string{"accent=ffff00", "accent=red", "layout=huge"} {
		rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/progress?"+q, nil)
		if rec.Code != http.StatusBadRequest || mustDoc(t, rec).Find(`[data-testid="widget-error"]`).Length() != 1 {
			t.Errorf("%s: %d", q, rec.Code)
		}
	}
}

func TestAccentCSS(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	rec := e.fetch(t, http.MethodGet, "/widgets/accent.css?c=1D4ED8", nil)
	if rec.Code != http.StatusOK || rec.Body.String() != ":root{--wc-accent:#1d4ed8}\n" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("accent.css: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	for _, c := range []string{"", "ffffff", "1d4ed8;}body{display:none"} {
		if rec := e.fetch(t, http.MethodGet, "/widgets/accent.css?c="+url.QueryEscape(c), nil); rec.Code != http.StatusBadRequest {
			t.Errorf("c=%q: %d", c, rec.Code)
		}
	}
}

func TestCountJSON(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	for _, ls := range []letterSpec{
		{at: orgNow.Add(-72 * time.Hour), state: "NY", district: 12, email: "a@example.org", ref: "bizco", to: []string{nadler}},
		{at: orgNow.Add(-2 * time.Hour), state: "NY", district: 12, email: "b@example.org", ref: "bizco", to: []string{nadler, schumer}},
		{at: orgNow.Add(-time.Hour), state: "WV", district: 1, email: "c@example.org", to: []string{"M001205"}},
		{at: orgNow.Add(-time.Hour), state: "WV", district: 1, email: "d@example.org", ref: "open", to: []string{"M001205"}},
		{at: orgNow.Add(-time.Hour), state: "NY", district: 12, email: "e@example.org", ref: "bizco", status: advocacy.LetterHeld, to: []string{nadler}},
	} {
		e.addLetter(t, ls)
	}
	camp, err := e.campaigns.Campaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, b := range camp.Bills {
		want[b.ID] = b.Progress().Count
	}

	rec := e.fetch(t, http.MethodGet, "/api/v1/campaigns/jackson-vanik/count.json?ref=bizco", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("count.json: %d %s", rec.Code, rec.Body)
	}
	var got struct {
		Letters    int            `json:"letters"`
		Last24h    int            `json:"last_24h"`
		Cosponsors map[string]int `json:"cosponsors"`
		Ref        string         `json:"ref"`
		RefLetters int            `json:"ref_letters"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Letters != 4 || got.Last24h != 3 || got.Ref != "bizco" || got.RefLetters != 2 ||
		len(got.Cosponsors) != 2 || got.Cosponsors["hr5917-119"] != want["hr5917-119"] || got.Cosponsors["s3103-119"] != want["s3103-119"] {
		t.Errorf("count.json = %+v, cosponsors want %v", got, want)
	}
	h := rec.Header()
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Cache-Control") != "public, max-age=60" ||
		!strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("ETag") == "" {
		t.Errorf("headers %v", h)
	}
	if rec := e.fetch(t, http.MethodGet, "/api/v1/campaigns/jackson-vanik/count.json?ref=bizco", nil, "If-None-Match", h.Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}

	rec = e.fetch(t, http.MethodGet, "/api/v1/campaigns/jackson-vanik/count.json", nil)
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, `"letters":4`) || !strings.Contains(body, `"ref":""`) || !strings.Contains(body, `"ref_letters":0`) {
		t.Errorf("without ref: %d %s", rec.Code, body)
	}
	for target, status := range map[string]int{
		"/api/v1/campaigns/jackson-vanik/count.json?ref=nobody":  404,
		"/api/v1/campaigns/jackson-vanik/count.json?ref=%3Cx%3E": 400,
		"/api/v1/campaigns/no-such/count.json":                   404,
	} {
		rec := e.fetch(t, http.MethodGet, target, nil)
		if rec.Code != status || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

func TestEmbedJS(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	rec := e.fetch(t, http.MethodGet, "/embed.js", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("embed.js: %d", rec.Code)
	}
	body := rec.Body.String()
	if len(body) >= 3000 {
		t.Errorf("embed.js is %d bytes, want < 3000", len(body))
	} else {
		t.Logf("embed.js: %d bytes", len(body))
	}
	h := rec.Header()
	if !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || h.Get("Cache-Control") != "public, max-age=60" ||
		h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("unversioned headers %v", h)
	}
	version := web.Version("embed.js")
	rec = e.fetch(t, http.MethodGet, "/embed.js?v="+version, nil)
	if rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || rec.Body.String() != body {
		t.Errorf("versioned: %v", rec.Header())
	}
	if rec := e.fetch(t, http.MethodGet, "/embed.js?v=stale", nil); rec.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("stale version cached long: %v", rec.Header())
	}
	if rec := e.fetch(t, http.MethodGet, "/embed.js", nil, "If-None-Match", h.Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}

	// No globals, no styles for the host page: one IIFE, and style set only
	// on the frame it made.
	code := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(body, "")
	code = strings.TrimSpace(code)
	if !strings.HasPrefix(code, "(function () {") || !strings.HasSuffix(code, "})();") {
		t.Errorf("embed.js is not one IIFE: %.40q ... %.20q", code, code[max(0, len(code)-20):])
	}
	for _, bad := range []string{"window.whipcount", "document.write", "<style", "document.head", "innerHTML", "document.body.style", "var Whipcount"} {
		if strings.Contains(code, bad) {
			t.Errorf("embed.js uses %q", bad)
		}
	}
	if m := regexp.MustCompile(`(\w+)\.style\.`).FindAllStringSubmatch(code, -1); len(m) == 0 {
		t.Error("no styles set at all?")
	} else {
		for _, x := range m {
			if x[1] != "f" {
				t.Errorf("embed.js styles %s, not its own frame", x[1])
			}
		}
	}
}

// widgetForm reads every field of the form matched by sel, as a browser
// would send it (checked boxes only).
func widgetForm(t testing.TB, rec *httptest.ResponseRecorder, sel string) (string, url.Values) {
	t.Helper()
	doc := mustDoc(t, rec)
	form := doc.Find(sel)
	if form.Length() != 1 {
		t.Fatalf("no form %s in %d answer: %s", sel, rec.Code, rec.Body)
	}
	vals := url.Values{}
	form.Find("input, textarea, select").Each(func(_ int, f *goquery.Selection) {
		name, ok := f.Attr("name")
		if !ok {
			return
		}
		switch {
		case goquery.NodeName(f) == "textarea":
			vals.Add(name, f.Text())
		case goquery.NodeName(f) == "select":
			vals.Add(name, f.Find("option[selected]").AttrOr("value", ""))
		case f.AttrOr("type", "") == "checkbox" || f.AttrOr("type", "") == "radio":
			if _, on := f.Attr("checked"); on {
				vals.Add(name, f.AttrOr("value", "on"))
			}
		default:
			vals.Add(name, f.AttrOr("value", ""))
		}
	})
	return form.AttrOr("action", ""), vals
}

// fillLetter completes the letter form's required fields.
func fillLetter(v url.Values, email string) url.Values {
	v.Set("prefix", "Ms.")
	v.Set("first_name", "Ada")
	v.Set("last_name", "Lovelace")
	v.Set("address1", "12 Orchard Street")
	v.Set("email", email)
	v.Set("personal_message", "I run a small import business and normal trade would help us.")
	v.Set("consent", "true")
	return v
}

func TestActionWidgetFlow(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	const base = "/widgets/jackson-vanik/action"

	// The ZIP form is public and cacheable, and carries the options.
	rec := e.fetch(t, http.MethodGet, base+"?partner=bizco&layout=compact", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("ZIP step: %d %v", rec.Code, rec.Header())
	}
	action, vals := widgetForm(t, rec, `[data-testid="widget-zip-form"]`)
	if action != base || vals.Get("partner") != "bizco" || vals.Get("layout") != "compact" {
		t.Errorf("ZIP form: %s %v", action, vals)
	}

	// A split ZIP lists its districts; picking one opens the letter form.
	rec = e.fetch(t, http.MethodGet, base+"?partner=bizco&zip=10025", nil)
	doc := mustDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`[data-testid="widget-candidate"]`).Length() < 2 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("split ZIP: %d %s", rec.Code, rec.Body)
	}
	pick := doc.Find(`[data-testid="widget-candidate"][data-district="NY-12"] [data-testid="widget-pick"]`).AttrOr("href", "")
	if !strings.HasPrefix(pick, base+"?") || !strings.Contains(pick, "partner=bizco") {
		t.Fatalf("pick link %q", pick)
	}
	rec = e.fetch(t, http.MethodGet, pick, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("compose: %d %v", rec.Code, rec.Header())
	}
	action, vals = widgetForm(t, rec, `[data-testid="compose-form"]`)
	if action != base+"/preview?partner=bizco" || vals.Get("widget_token") == "" || vals.Get("ref") != "bizco" || len(vals["recipients"]) != 3 {
		t.Fatalf("compose form: %s %v", action, vals)
	}
	if v := vals.Get("district"); v != "NY-12" {
		t.Errorf("district carried = %q", v)
	}

	// Errors come back in the widget with 422.
	rec = e.fetch(t, http.MethodPost, action, vals)
	if rec.Code != http.StatusUnprocessableEntity || mustDoc(t, rec).Find(`[data-testid="error-summary"]`).Length() != 1 {
		t.Fatalf("empty form: %d", rec.Code)
	}

	// Preview, then send, taking the time a person takes.
	e.clock.Add(time.Minute)
	fillLetter(vals, "ada@example.org")
	rec = e.fetch(t, http.MethodPost, action, vals)
	if rec.Code != http.StatusOK || mustDoc(t, rec).Find(`[data-testid="preview-letter"]`).Length() != 3 {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	send, sendVals := widgetForm(t, rec, `[data-testid="preview-form"]`)
	if send != base+"/send?partner=bizco" {
		t.Errorf("send to %q", send)
	}
	if e := mustDoc(t, rec).Find(`[data-testid="edit-button"]`).AttrOr("formaction", ""); e != base+"/edit?partner=bizco" {
		t.Errorf("edit to %q", e)
	}
	// A person takes a while to write; letters sent within seconds of the
	// form appearing wait for moderation (abuse.go).
	e.clock.Add(time.Minute)
	rec = e.fetch(t, http.MethodPost, send, sendVals)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), base+"/sent/") {
		t.Fatalf("send: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	var ref, status string
	if err := e.db.R.QueryRow("SELECT coalesce(ref, ''), status FROM letters").Scan(&ref, &status); err != nil || ref != "bizco" || status != "active" {
		t.Errorf("stored ref = %q, status %q, %v", ref, status, err)
	}
	sent := e.fetch(t, http.MethodGet, rec.Header().Get("Location"), nil)
	doc = mustDoc(t, sent)
	if sent.Code != http.StatusOK || doc.Find(`[data-testid="widget-delivery"]`).Length() != 3 || frameAncestors(sent) != "'self' https://council.example http://127.0.0.2:8080" {
		t.Fatalf("sent page: %d %s", sent.Code, sent.Body)
	}
	for _, id := range []string{"widget-share", "widget-campaign", "widget-status-link"} {
		a := doc.Find(`[data-testid="` + id + `"]`)
		if !strings.HasSuffix(squash(a.Text()), " (opens in a new tab)") || strings.Contains(a.Text(), "@") {
			t.Errorf("%s says %q", id, a.Text())
		}
		if a.AttrOr("target", "") != "_blank" || a.AttrOr("rel", "") != "noopener" {
			t.Errorf("%s does not open a new tab", id)
		}
	}
	if share := doc.Find(`[data-testid="widget-share"]`).AttrOr("href", ""); !strings.HasPrefix(share, "mailto:?subject=") || !strings.Contains(share, "ref%3Dbizco") {
		t.Errorf("share = %q", share)
	}
	if href := doc.Find(`[data-testid="widget-campaign"]`).AttrOr("href", ""); href != "/campaigns/jackson-vanik?ref=bizco" {
		t.Errorf("see the campaign = %q", href)
	}

	// Sending again (a double click) stores nothing new; counted for bizco.
	if rec := e.fetch(t, http.MethodPost, send, sendVals); rec.Code != http.StatusSeeOther {
		t.Errorf("second send: %d", rec.Code)
	}
	e.clock.Add(6 * time.Second)
	rec = e.fetch(t, http.MethodGet, "/api/v1/campaigns/jackson-vanik/count.json?ref=bizco", nil)
	if !strings.Contains(rec.Body.String(), `"ref_letters":1`) || !strings.Contains(rec.Body.String(), `"letters":1,`) {
		t.Errorf("count.json after sending: %s", rec.Body)
	}

	// The same email through a new form is told it already wrote.
	rec = e.fetch(t, http.MethodGet, pick, nil)
	action, vals = widgetForm(t, rec, `[data-testid="compose-form"]`)
	_, sendVals = widgetForm(t, e.fetch(t, http.MethodPost, action, fillLetter(vals, "ADA@example.org")), `[data-testid="preview-form"]`)
	if rec := e.fetch(t, http.MethodPost, send, sendVals); rec.Code != http.StatusConflict || mustDoc(t, rec).Find(`[data-testid="widget-already"]`).Length() != 1 {
		t.Errorf("duplicate: %d", rec.Code)
	}
}

func TestActionWidgetToken(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	const base = "/widgets/jackson-vanik/action"
	rec := e.fetch(t, http.MethodGet, base+"?partner=bizco&zip=10002", nil)
	action, vals := widgetForm(t, rec, `[data-testid="compose-form"]`)
	fillLetter(vals, "ada@example.org")
	letters := func() int {
		var n int
		if err := e.db.R.QueryRow("SELECT count(*) FROM letters").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		name   string
		target string
		edit   func(url.Values)
	}{
		{"no token", base + "/send?partner=bizco", func(v url.Values) { v.Del("widget_token") }},
		{"forged token", base + "/send?partner=bizco", func(v url.Values) { v.Set("widget_token", v.Get("widget_token")+"x") }},
		{"other partner", base + "/send?partner=open", func(url.Values) {}},
		{"no partner", base + "/send", func(url.Values) {}},
		{"other form token", base + "/send?partner=bizco", func(v url.Values) { v.Set("form_token", "AAAAAAAAAAAAAAAAAAAAAA") }},
	}
	for _, tt := range tests {
		v := with(vals, "x")
		tt.edit(v)
		rec := e.fetch(t, http.MethodPost, tt.target, v)
		if rec.Code != http.StatusBadRequest || mustDoc(t, rec).Find(`[data-testid="widget-error"]`).Length() != 1 {
			t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
		}
	}
	if n := letters(); n != 0 {
		t.Fatalf("%d letters stored from bad forms", n)
	}

	// A form left open too long comes back to be checked again, with a
	// fresh token, and then goes through.
	e.clock.Add(advocacy.WidgetTokenMaxAge + time.Minute)
	rec = e.fetch(t, http.MethodPost, base+"/send?partner=bizco", vals)
	if rec.Code != http.StatusUnprocessableEntity || mustDoc(t, rec).Find(`[data-testid="widget-notice"]`).Length() != 1 {
		t.Fatalf("expired: %d %s", rec.Code, rec.Body)
	}
	_, again := widgetForm(t, rec, `[data-testid="compose-form"]`)
	if again.Get("widget_token") == vals.Get("widget_token") || again.Get("first_name") != "Ada" || again.Get("form_token") != vals.Get("form_token") {
		t.Errorf("form after expiry: %v", again)
	}
	if rec := e.fetch(t, http.MethodPost, base+"/send?partner=bizco", again); rec.Code != http.StatusSeeOther {
		t.Errorf("send with the fresh token: %d %s", rec.Code, rec.Body)
	}
	if n := letters(); n != 1 {
		t.Errorf("letters = %d, want 1", n)
	}
	_ = action
}

// TestRefAttribution: ?ref= on the main site's letter form keeps a known
// partner's code and drops an unknown one; so does the JSON API.
func TestRefAttribution(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	for i, tt := range []struct{ ref, want string }{{"bizco", "bizco"}, {"nobody", ""}, {"", ""}} {
		rec := e.fetch(t, http.MethodGet, "/write?zip=10002&ref="+tt.ref, nil)
		_, vals := widgetForm(t, rec, `[data-testid="compose-form"]`)
		fillLetter(vals, "writer"+strconv.Itoa(i)+"@example.org")
		if rec := e.fetch(t, http.MethodPost, "/write/send", vals); rec.Code != http.StatusSeeOther {
			t.Fatalf("send with ref %q: %d %s", tt.ref, rec.Code, rec.Body)
		}
		var got string
		if err := e.db.R.QueryRow("SELECT coalesce(ref, '') FROM letters ORDER BY id DESC LIMIT 1").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("ref %q stored as %q, want %q", tt.ref, got, tt.want)
		}
	}
	body := `{"campaign":"jackson-vanik","recipients":["G000599"],"prefix":"Ms.","first_name":"Ada","last_name":"Lovelace",
		"address1":"12 Orchard Street","city":"New York","state":"NY","zip":"10002","email":"api@example.org","consent":true,"ref":"nobody"}`
	req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("API letter: %d %s", rec.Code, rec.Body)
	}
	var n int
	if err := e.db.R.QueryRow("SELECT count(*) FROM letters WHERE ref = 'nobody'").Scan(&n); err != nil || n != 0 {
		t.Errorf("unknown ref stored through the API: %d %v", n, err)
	}
}

// TestActionWidgetSharesAbuseControls: a letter sent through the widget
// faster than a person writes waits for moderation, as on the main site,
// and the per-address letter limit counts widget and site together.
func TestActionWidgetSharesAbuseControls(t *testing.T) {
	e := newEnv(t, partnerWidgets(), withConfig(func(c *Config) { c.Limits.LetterIPMax = Limit{PerMinute: 1, Burst: 1} }))
	rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/action?partner=bizco&zip=10002", nil)
	_, vals := widgetForm(t, rec, `[data-testid="compose-form"]`)
	fillLetter(vals, "fast@example.org")
	if rec := e.fetch(t, http.MethodPost, "/widgets/jackson-vanik/action/send?partner=bizco", vals); rec.Code != http.StatusSeeOther {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	var status string
	if err := e.db.R.QueryRow("SELECT status FROM letters").Scan(&status); err != nil || status != "held" {
		t.Errorf("a letter sent at once is %q, want held: %v", status, err)
	}
	rec = e.fetch(t, http.MethodGet, "/write?zip=10002", nil)
	_, vals = widgetForm(t, rec, `[data-testid="compose-form"]`)
	if rec := e.fetch(t, http.MethodPost, "/write/send", fillLetter(vals, "other@example.org")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("second letter from the same address on the main site: %d", rec.Code)
	}
}

// hostPage serves one HTML page from its own origin, standing in for a
// partner's site.
func hostPage(t *testing.T, addr, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		// No second loopback address: another port is another origin too.
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}

// partnerHTML is a partner's page that embeds widgets with the loader and
// notes the iframe's load event and the messages it hears (inline script
// is fine here: this is the partner's page, not ours).
func partnerHTML(scripts string) string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Our shop</title>
<script>
window.__loads = 0; window.__msgs = [];
new MutationObserver(function (ms) { ms.forEach(function (m) { m.addedNodes.forEach(function (n) {
  if (n.tagName === "IFRAME") n.addEventListener("load", function () { window.__loads++; });
}); }); }).observe(document.documentElement, {childList: true, subtree: true});
window.addEventListener("message", function (e) { window.__msgs.push(e.origin); });
</script></head><body><main><h1>Our shop supports the campaign</h1>` + scripts + `</main></body></html>`
}

// frameTarget attaches to the cross-site iframe whose URL starts with
// prefix, polling until Chromium has made its target.
func frameTarget(t *testing.T, ctx context.Context, prefix string) context.Context {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, prefix) {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no iframe target at %s", prefix)
		}
	}
}

// TestBrowserWidgets: a partner's page on a second origin embeds the
// action and progress widgets with embed.js; the frames resize to their
// content; a letter sent through the action widget is counted for the
// partner; a page on an origin not on the partner's list cannot frame
// the widget; axe-core checks both widgets.
func TestBrowserWidgets(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t, partnerWidgets())
	wc := httptest.NewServer(e.srv.Handler())
	defer wc.Close()
	loader := wc.URL + "/embed.js?v=" + web.Version("embed.js")
	tags := `<script src="` + loader + `" data-campaign="jackson-vanik" data-widget="action" data-partner="shop" async></script>
<script src="` + loader + `" data-campaign="jackson-vanik" data-widget="progress" data-partner="shop" data-layout="compact" data-accent="#14532d" async></script>`
	good := hostPage(t, "127.0.0.2:0", partnerHTML(tags))
	bad := hostPage(t, "127.0.0.3:0", partnerHTML(tags))
	if _, err := e.partners.CreatePartner(context.Background(), advocacy.Partner{Name: "Main Street Shop", Slug: "shop",
		SourceCode: "shop", AllowedOrigins: []string{good}}, 0); err != nil {
		t.Fatal(err)
	}

	// The partner's page: both frames load and take their content's height.
	do(t, ctx, "open the partner's page",
		chromedp.Navigate(good+"/"),
		waitFor(`document.querySelectorAll("iframe").length === 2`),
		waitFor(`window.__loads >= 2`),
		waitFor(`Array.from(document.querySelectorAll("iframe")).every(f => f.height !== "600" && f.height !== "200")`),
	)
	heights := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("iframe")).map(f => f.height)`)
	t.Logf("frame heights after load: %v", heights)
	if srcs := eval[string](t, ctx, `Array.from(document.querySelectorAll("iframe")).map(f => f.src).join(" ")`); !strings.Contains(srcs, "partner=shop") {
		t.Errorf("frames load %s", srcs)
	}
	if eval[bool](t, ctx, `Object.keys(window).some(k => /whipcount/i.test(k)) || document.querySelectorAll("style, link[rel=stylesheet]").length > 0`) {
		t.Error("the loader left a global or a style on the partner's page")
	}
	if msgs := eval[[]string](t, ctx, `window.__msgs`); len(msgs) == 0 || msgs[0] != wc.URL {
		t.Errorf("height messages from %v, want %s", msgs, wc.URL)
	}
	screenshot(t, ctx, "widget-partner-page")

	// Inside the action widget: ZIP, settle the split ZIP, compose.
	fctx := frameTarget(t, ctx, wc.URL+"/widgets/jackson-vanik/action")
	do(t, fctx, "find the ZIP field", chromedp.WaitVisible(chromedp.CSS(`#w-zip`)))
	// SetValue, not SendKeys: keys typed into a cross-site frame can go
	// astray while the page around it is still settling.
	do(t, fctx, "type a ZIP", chromedp.SetValue(chromedp.CSS(`#w-zip`), "10025"))
	do(t, fctx, "submit", chromedp.Click(chromedp.CSS(`[data-testid="widget-zip-submit"]`)))
	do(t, fctx, "see the districts", chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-split"]`)))
	checkAxe(t, fctx, "action widget, split ZIP")
	before := eval[string](t, ctx, `document.querySelector("iframe").height`)
	do(t, fctx, "pick NY-12",
		chromedp.Click(chromedp.CSS(`[data-testid="widget-candidate"][data-district="NY-12"] [data-testid="widget-pick"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-form"]`)),
	)
	do(t, ctx, "the frame grows with the form",
		waitFor(`Number(document.querySelector("iframe").height) > `+before))
	checkAxe(t, fctx, "action widget, letter form")

	do(t, fctx, "fill in the letter",
		chromedp.SetValue(chromedp.CSS(`#letter-personal_message`), "My shop on Amsterdam Avenue sells rugs from Kazakhstan."),
		chromedp.SetValue(chromedp.CSS(`#letter-prefix`), "Ms."),
		chromedp.SetValue(chromedp.CSS(`#letter-first_name`), "Ada"),
		chromedp.SetValue(chromedp.CSS(`#letter-last_name`), "Lovelace"),
		chromedp.SetValue(chromedp.CSS(`#letter-address1`), "2880 Broadway"),
		chromedp.SetValue(chromedp.CSS(`#letter-email`), "ada@example.org"),
		chromedp.Click(chromedp.CSS(`#letter-consent`)),
	)
	e.clock.Add(2 * time.Minute) // the time a person takes to write
	do(t, fctx, "preview",
		chromedp.Click(chromedp.CSS(`[data-testid="preview-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-preview"]`)),
	)
	checkAxe(t, fctx, "action widget, preview")
	do(t, fctx, "send",
		chromedp.Click(chromedp.CSS(`[data-testid="send-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-sent"]`)),
	)
	checkAxe(t, fctx, "action widget, sent")
	if n := eval[int](t, fctx, `document.querySelectorAll("[data-testid=widget-delivery]").length`); n != 3 {
		t.Errorf("deliveries shown = %d", n)
	}
	rec := e.fetch(t, http.MethodGet, "/api/v1/campaigns/jackson-vanik/count.json?ref=shop", nil)
	if !strings.Contains(rec.Body.String(), `"ref_letters":1`) {
		t.Errorf("count.json for the partner: %s", rec.Body)
	}

	// The progress widget, and axe on it, in its frame.
	pctx := frameTarget(t, ctx, wc.URL+"/widgets/jackson-vanik/progress")
	do(t, pctx, "progress widget", chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-bill"]`)))
	checkAxe(t, pctx, "progress widget")

	// A page from an origin not on the list: Chromium refuses to show the
	// widget, so no height ever arrives and the frames keep their size.
	do(t, ctx, "open a page the partner did not list",
		chromedp.Navigate(bad+"/"),
		waitFor(`document.querySelectorAll("iframe").length === 2 && window.__loads >= 2`),
	)
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	blocked := 0
	for _, info := range infos {
		if info.Type != "iframe" || !strings.HasPrefix(info.URL, wc.URL+"/widgets/") {
			continue
		}
		fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
		t.Cleanup(cancel) // cancelling now would close the frame under the page
		got, err := chromedp.Run(fctx, chromedp.Evaluate[string](`location.protocol + " " + document.querySelectorAll("[data-testid^=widget]").length`))
		if err != nil {
			continue // a frame of the previous page, gone by now
		}
		if got != "chrome-error: 0" {
			t.Errorf("frame %s on an unlisted origin shows %q", info.URL, got)
		}
		blocked++
	}
	if blocked != 2 {
		t.Errorf("%d blocked frames found, want 2", blocked)
	}
	if msgs := eval[[]string](t, ctx, `window.__msgs`); len(msgs) != 0 {
		t.Errorf("messages from blocked frames: %v", msgs)
	}
	if hs := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("iframe")).map(f => f.height)`); strings.Join(hs, ",") != "600,200" {
		t.Errorf("blocked frames resized to %v", hs)
	}

	// The widgets at 320 px, opened on their own.
	do(t, ctx, "progress widget at 320 px",
		chromedp.EmulateViewport(320, 640),
		chromedp.Navigate(wc.URL+"/widgets/jackson-vanik/progress?partner=shop"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-bill"]`)),
	)
	noHorizontalScroll(t, ctx, "progress widget at 320 px")
	screenshot(t, ctx, "widget-progress-320")
	do(t, ctx, "action widget at 320 px",
		chromedp.Navigate(wc.URL+"/widgets/jackson-vanik/action?partner=shop&zip=10002"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-form"]`)),
	)
	noHorizontalScroll(t, ctx, "action widget at 320 px")
	screenshot(t, ctx, "widget-compose-320")
	checkAxe(t, ctx, "action widget at 320 px")
}

// TestNoPublicCache: with NoPublicCache a new letter shows at once in
// count.json, the stats and the campaign home; by default the answers are
// reused for a few seconds.
func TestNoPublicCache(t *testing.T) {
	for _, off := range []bool{false, true} {
		e := newEnv(t, partnerWidgets(), withConfig(func(c *Config) { c.NoPublicCache = off }))
		counts := func() string {
			var out []string
			for _, path := range []string{"/api/v1/campaigns/jackson-vanik/count.json", "/api/v1/campaigns/jackson-vanik/stats", "/"} {
				rec := e.fetch(t, http.MethodGet, path, nil)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", path, rec.Code)
				}
				body := rec.Body.String()
				switch {
				case strings.Contains(body, `"letters":1,`), strings.Contains(body, `"total":1,`),
					strings.Contains(body, `data-testid="letters-count"><strong>1<`):
					out = append(out, "1")
				default:
					out = append(out, "0")
				}
			}
			return strings.Join(out, " ")
		}
		if got := counts(); got != "0 0 0" {
			t.Fatalf("before any letter: %s", got)
		}
		e.addLetter(t, letterSpec{at: orgNow.Add(-time.Minute), state: "NY", district: 12, email: "a@example.org", to: []string{nadler}})
		want := "0 0 0"
		if off {
			want = "1 1 1"
		}
		if got := counts(); got != want {
			t.Errorf("NoPublicCache %v: counts after a letter %s, want %s", off, got, want)
		}
	}
}
