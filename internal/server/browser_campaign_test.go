package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCampaignHome loads the campaign home in Chromium at desktop and
// phone widths, checks the progress text and charts, that a "letter-sent"
// event refreshes the progress region, and runs axe-core on every page of
// the campaign.
func TestBrowserCampaignHome(t *testing.T) {
	ctx := browser(t)
	env := newEnv(t, campaignSite(fakeLetterCounter{n: 42}))
	ts := httptest.NewServer(env.srv.Handler())
	defer ts.Close()

	do(t, ctx, "open the campaign home",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-ask"]`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="bill-progress"]').length`); n != 2 {
		t.Errorf("bill progress blocks = %d, want 2", n)
	}
	text := eval[string](t, ctx, `document.querySelector('[data-testid="bill-progress"][data-bill="hr5917-119"]').innerText`)
	if !strings.Contains(text, "of 218 cosponsors") || !strings.Contains(text, "%") {
		t.Errorf("House progress text lacks the count and percentage: %q", text)
	}
	if eval[int](t, ctx, `document.querySelectorAll('svg[role="img"] title').length`) < 3 {
		t.Error("charts lack titles")
	}
	screenshot(t, ctx, "campaign-home")
	checkAxe(t, ctx, "campaign home")

	// A sent letter fires "letter-sent" on the body; the progress region
	// fetches itself again. A marker on the old region shows the swap.
	do(t, ctx, "refresh progress after a letter",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#campaign-progress').dataset.old = "1"; htmx.trigger(document.body, "letter-sent")`),
		waitFor(`document.querySelector('#campaign-progress') && !document.querySelector('#campaign-progress').dataset.old`),
	)

	for _, page := range []string{"/bills/hr5917-119", "/bills/s3103-119?sort=state&dir=desc", "/talking-points", "/about"} {
		do(t, ctx, "open "+page, chromedp.Navigate(ts.URL+page), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		checkAxe(t, ctx, page)
	}

	do(t, ctx, "phone width", chromedp.EmulateViewport(320, 640), chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-ask"]`)))
	noHorizontalScroll(t, ctx, "campaign home at 320 px")
	checkAxe(t, ctx, "campaign home at 320 px")
	screenshot(t, ctx, "campaign-home-320")
}
