package server

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEndedTerms looks, in Chromium, at what a constituent sees the
// day after the 119th Congress with data from before it: the ended House
// seat with where to turn, the senators, and the letter form without that
// seat; axe-clean and usable at 320 px.
func TestBrowserEndedTerms(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t, letterFlow())
	inNewCongress(t, e)
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	do(t, ctx, "look up a ZIP whose member's term ended",
		chromedp.EmulateViewport(320, 800),
		chromedp.Navigate(ts.URL+"/reps?zip=10002"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ended-seat"]`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=member]").length`); n != 2 {
		t.Errorf("%d member cards, want the two senators", n)
	}
	noHorizontalScroll(t, ctx, "the lookup with an ended seat")
	screenshot(t, ctx, "ended-lookup")
	checkAxe(t, ctx, "the lookup with an ended seat")

	do(t, ctx, "open the letter form",
		chromedp.Click(chromedp.CSS(`[data-testid="write-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ended-recipient"]`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=recipient]").length`); n != 2 {
		t.Errorf("%d recipients offered, want the two senators", n)
	}
	noHorizontalScroll(t, ctx, "the letter form with an ended seat")
	screenshot(t, ctx, "ended-write")
	checkAxe(t, ctx, "the letter form with an ended seat")

	do(t, ctx, "read About", chromedp.Navigate(ts.URL+"/about"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="data-counts"]`)))
	noHorizontalScroll(t, ctx, "About")
	checkAxe(t, ctx, "About")
}
