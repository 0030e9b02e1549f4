package server

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/web"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func TestEmbedSnippetsGolden(t *testing.T) {
	const origin = "https://whipcount.example"
	loader := origin + "/embed.js?v=0123456789ab"
	tests := []struct {
		name  string
		opts  advocacy.WidgetOptions
		title string
		link  string
	}{
		{"snippet_action_full.golden", advocacy.WidgetOptions{Campaign: "jackson-vanik", Kind: advocacy.WidgetAction, Partner: "bizco", Layout: advocacy.LayoutFull},
			"Repeal Jackson-Vanik for Central Asia", origin + "/?ref=bizco"},
		{"snippet_progress_compact_accent.golden", advocacy.WidgetOptions{Campaign: "jackson-vanik", Kind: advocacy.WidgetProgress, Partner: "bizco", Layout: advocacy.LayoutCompact, Accent: "#1d4ed8"},
			"Repeal Jackson-Vanik for Central Asia", origin + "/?ref=bizco"},
		{"snippet_escaped.golden", advocacy.WidgetOptions{Campaign: "trade-now", Kind: advocacy.WidgetAction, Layout: advocacy.LayoutCompact},
			`Trade <now> & "always"`, origin + "/campaigns/trade-now/progress"},
	}
	for _, tt := range tests {
		script, iframe := embedSnippets(origin, loader, tt.opts, tt.title, tt.link)
		golden(t, tt.name, script+iframe)
		if strings.Contains(script+iframe, "<now>") || strings.Contains(script+iframe, `"always"`) {
			t.Errorf("%s: title not escaped", tt.name)
		}
	}
}

func TestPartnerSnippetsOnTheWorkspace(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	cl := e.mustLogin(t, "admin@example.org")

	rec := cl.get(t, "/organizer/partners/business-council?widget=progress&layout=compact&accent=%231D4ED8")
	if rec.Code != http.StatusOK {
		t.Fatalf("partner page: %d", rec.Code)
	}
	doc := orgDoc(t, rec)
	script := doc.Find(`[data-testid="embed-script"]`).Text()
	wantLoader := `src="http://example.com/embed.js?v=` + web.Version("embed.js") + `"`
	for _, want := range []string{wantLoader, `data-widget="progress"`, `data-layout="compact"`, `data-accent="#1d4ed8"`, `data-partner="bizco"`, "<noscript><a href=\"http://example.com/campaigns/jackson-vanik?ref=bizco\">"} {
		if !strings.Contains(script, want) {
			t.Errorf("script snippet lacks %s:\n%s", want, script)
		}
	}
	if iframe := doc.Find(`[data-testid="embed-iframe"]`).Text(); !strings.Contains(iframe, `src="http://example.com/widgets/jackson-vanik/progress?accent=1d4ed8&amp;layout=compact&amp;partner=bizco"`) {
		t.Errorf("iframe snippet = %s", iframe)
	}
	if got := testIDText(doc, "embed-link"); got != "" {
		t.Errorf("link field text %q", got)
	}
	if v := doc.Find(`[data-testid="embed-link"]`).AttrOr("value", ""); v != "http://example.com/campaigns/jackson-vanik?ref=bizco" {
		t.Errorf("ref link = %q", v)
	}

	// htmx refreshes only the builder; a light colour is refused.
	rec = cl.get(t, "/organizer/partners/business-council?widget=action&accent=%23eeeeee", "HX-Request", "true", "HX-Target", "partner-embed")
	doc = orgDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`#partner-embed`).Length() != 1 || doc.Find(`[data-testid="partner-form"]`).Length() != 0 {
		t.Fatalf("fragment: %d %s", rec.Code, rec.Body)
	}
	if doc.Find(`[data-testid="embed-script"]`).Length() != 0 || !strings.Contains(testIDText(doc, "error-accent"), "too light") {
		t.Errorf("light accent: %s", rec.Body)
	}
}

func TestPartnerViewerPage(t *testing.T) {
	e := newEnv(t, partnerWidgets())
	e.addUser(t, "viewer@council.example", advocacy.RolePartner, "bizco")
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	e.addLetter(t, letterSpec{at: orgNow.Add(-48 * time.Hour), state: "NY", district: 12, email: "secret.person@example.org",
		first: "Zelda", last: "Quartermaine", city: "Nowheresville", personal: "My very private paragraph about exports.",
		ref: "bizco", to: []string{nadler, schumer}})
	e.addLetter(t, letterSpec{at: orgNow.Add(-time.Hour), state: "WV", district: 1, email: "rival.person@example.org",
		ref: "open", to: []string{"M001205"}})

	cl := e.mustLogin(t, "viewer@council.example")
	rec := cl.get(t, "/organizer/partner")
	if rec.Code != http.StatusOK {
		t.Fatalf("partner page: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	for _, secret := range []string{"secret.person", "Zelda", "Quartermaine", "Nowheresville", "private paragraph", "1 Main St", "rival.person", "Open Network", "M001205"} {
		if strings.Contains(body, secret) {
			t.Errorf("the partner page shows %q", secret)
		}
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", rec.Header().Get("Cache-Control"))
	}
	doc := orgDoc(t, rec)
	if got := squash(testIDText(doc, "partner-letters")); !strings.HasPrefix(got, "1 letter about") {
		t.Errorf("letters line = %q", got)
	}
	rows := doc.Find(`[data-testid="partner-reach-row"]`)
	var ids []string
	rows.Each(func(_ int, r *goquery.Selection) { ids = append(ids, r.AttrOr("data-bioguide", "")) })
	if strings.Join(ids, " ") != schumer+" "+nadler && strings.Join(ids, " ") != nadler+" "+schumer {
		t.Errorf("members written to = %v", ids)
	}
	if !strings.Contains(doc.Find(`[data-testid="embed-script"]`).Text(), `data-partner="bizco"`) {
		t.Error("no snippet for the partner")
	}
	if rec := cl.get(t, "/organizer/partners/business-council"); rec.Code != http.StatusForbidden {
		t.Errorf("partner viewer opens the admin page: %d", rec.Code)
	}

	ac := e.mustLogin(t, "admin@example.org")
	if rec := ac.get(t, "/organizer/partner"); rec.Code != http.StatusForbidden {
		t.Errorf("admin without a partner: %d", rec.Code)
	}
	if rec := e.client().get(t, "/organizer/partner"); rec.Code != http.StatusSeeOther {
		t.Errorf("signed out: %d", rec.Code)
	}
}
