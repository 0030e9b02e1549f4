package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/whipcount/whipcount/internal/testkit"
)

// pagesOutput is where TestBrowserPublicPages saves its screenshots:
// test-output/pages at the top of the repository (ignored by git), or the
// folder WHIPCOUNT_SCREENSHOTS names.
func pagesOutput(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WHIPCOUNT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output", "pages")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

// TestBrowserPublicPages loads every public page in Chromium on a phone
// (390×844) and a desktop (1280×800): it checks that the home page's ask
// and lookup are in the first screen, that no page scrolls sideways, runs
// axe-core on each, and saves a full-page screenshot of each.
func TestBrowserPublicPages(t *testing.T) {
	e := newEnv(t, letterFlow(func(ld *LetterDeps) { ld.BaseURL = "https://letters.example.org" }),
		withGeocoder(testkit.Geocoder(t)), withOrganizer())
	if _, err := e.db.W.ExecContext(context.Background(), `UPDATE campaigns SET sponsor_name = 'Central Asia Trade Council',
		sponsor_url = 'https://catc.example.org', sponsor_email = 'hello@catc.example.org',
		paid_for_by = 'Paid for by the Central Asia Trade Council'`); err != nil {
		t.Fatal(err)
	}
	id := e.sendOne(t, validForm(e.formToken(t)))
	l, err := e.letters.LetterByPublicID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	pages := []struct{ name, path string }{
		{"home", "/"},
		{"lookup", "/reps"},
		{"lookup-split", "/reps?zip=10025"},
		{"lookup-settled", "/reps?zip=10002"},
		{"lookup-address", "/reps?address=" + url.QueryEscape("300 W 96th St, New York, NY 10025")},
		{"lookup-wrong", "/reps?zip=12"},
		{"talking-points", "/talking-points"},
		{"bill-house", "/bills/hr5917-119"},
		{"bill-senate", "/bills/s3103-119"},
		{"progress", "/campaigns/jackson-vanik/progress"},
		{"about", "/about"},
		{"privacy", "/privacy"},
		{"write", "/write?zip=10002"},
		{"letter-status", "/letters/" + id + "?sent=1"},
		{"letter-print", "/letters/" + id + "/print/" + l.Deliveries[0].DeliveryID},
		{"login", "/login"},
		{"widget-progress", "/widgets/jackson-vanik/progress"},
		{"widget-action", "/widgets/jackson-vanik/action"},
		{"not-found", "/no-such-page"},
	}
	out := pagesOutput(t)
	ctx := browserWithin(t, 8*time.Minute)
	for _, size := range []struct{ w, h int64 }{{390, 844}, {1280, 800}} {
		do(t, ctx, "set the window", chromedp.EmulateViewport(size.w, size.h))
		for _, p := range pages {
			label := fmt.Sprintf("%s at %d×%d", p.name, size.w, size.h)
			do(t, ctx, "load "+label,
				chromedp.Navigate(ts.URL+p.path),
				chromedp.WaitReady(chromedp.CSS(`body`)),
			)
			if got := eval[string](t, ctx, `document.title`); got == "" || !strings.Contains(got, "Whipcount") && !strings.HasPrefix(p.name, "widget") {
				t.Errorf("%s: title %q", label, got)
			}
			if p.name == "home" {
				actionInFirstScreen(t, ctx, size.w, size.h)
			}
			noHorizontalScroll(t, ctx, label)
			checkAxe(t, ctx, label)
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
			if err != nil {
				t.Fatalf("screenshot %s: %v", label, err)
			}
			if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-%d.jpg", p.name, size.w)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// actionInFirstScreen checks that the home page's ask, ZIP box and button
// are inside the first screen, and logs where they sit.
func actionInFirstScreen(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	type box struct{ Top, Bottom float64 }
	measure := func(sel string) box {
		return eval[box](t, ctx, `(() => { const r = document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect(); return {Top: r.top, Bottom: r.bottom}; })()`)
	}
	ask, zip, button := measure(`[data-testid="campaign-ask"]`), measure(`#zip`), measure(`[data-testid="zip-form"] button[type=submit]`)
	for name, b := range map[string]box{"ask": ask, "ZIP box": zip, "button": button} {
		if b.Top < 0 || b.Bottom > float64(h) {
			t.Errorf("home at %d×%d: the %s is at %.0f–%.0f px, outside the first screen", w, h, name, b.Top, b.Bottom)
		}
	}
	t.Logf("home at %d×%d: ask %.0f–%.0f px, ZIP box %.0f–%.0f px, button bottom %.0f px of %d", w, h,
		ask.Top, ask.Bottom, zip.Top, zip.Bottom, button.Bottom, h)
}
