package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/whipcount/whipcount/internal/testkit"
)

// TestBrowserSecondCampaign starts a second campaign in Chromium: an
// organizer fills the guided form (wrong input first), previews the draft
// and opens it. axe-core checks every page.
func TestBrowserSecondCampaign(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t, campaignLifecycle())
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	do(t, ctx, "sign in and start a campaign",
		chromedp.Navigate(ts.URL+"/organizer"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), "org@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testkit.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-campaign"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="new-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-campaign-form"]`)),
	)
	checkAxe(t, ctx, "new campaign form")
	screenshot(t, ctx, "campaign-new")

	do(t, ctx, "submit a campaign about a bill that cannot exist",
		chromedp.SendKeys(chromedp.CSS(`#nc-title`), "Stop the Widget Tax"),
		chromedp.SendKeys(chromedp.CSS(`#nc-bill0_id`), "hr1234-121"),
		chromedp.SetValue(chromedp.CSS(`#nc-bill0_stance`), "oppose"),
		chromedp.SendKeys(chromedp.CSS(`#nc-bill0_target`), "218"),
		chromedp.Click(chromedp.CSS(`[data-testid="create-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)),
	)
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=error-bill0_id]").textContent`); !strings.Contains(got, "121st Congress begins") {
		t.Errorf("error on the bill = %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector("#nc-title").value`); got != "Stop the Widget Tax" {
		t.Errorf("the title was lost: %q", got)
	}
	checkAxe(t, ctx, "new campaign form with errors")
	screenshot(t, ctx, "campaign-new-errors")

	do(t, ctx, "correct the bill, add the Senate bill and the sponsor, create the draft",
		chromedp.Clear(chromedp.CSS(`#nc-bill0_id`)),
		chromedp.SendKeys(chromedp.CSS(`#nc-bill0_id`), "hr1234-119"),
		chromedp.SendKeys(chromedp.CSS(`#nc-bill1_id`), "s99-119"),
		chromedp.SetValue(chromedp.CSS(`#nc-bill1_stance`), "oppose-withdrawals"),
		chromedp.SendKeys(chromedp.CSS(`#nc-bill1_target`), "5"),
		chromedp.SendKeys(chromedp.CSS(`#nc-sponsor_name`), "Small Workshops Alliance"),
		chromedp.SendKeys(chromedp.CSS(`#nc-paid_for_by`), "Paid for by the Small Workshops Alliance"),
		chromedp.Click(chromedp.CSS(`[data-testid="create-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-life"][data-status="draft"]`)),
	)
	if got := eval[string](t, ctx, `location.pathname`); got != "/organizer/campaigns/stop-the-widget-tax/edit" {
		t.Errorf("after creating at %q", got)
	}
	checkAxe(t, ctx, "editor of a draft")
	screenshot(t, ctx, "campaign-draft-editor")

	do(t, ctx, "preview the draft",
		chromedp.Click(chromedp.CSS(`[data-testid="preview-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="preview-banner"]`)),
	)
	checkAxe(t, ctx, "preview")
	screenshot(t, ctx, "campaign-preview")
	do(t, ctx, "the public address of a draft is not found",
		chromedp.Navigate(ts.URL+"/campaigns/stop-the-widget-tax"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	)
	if got := eval[string](t, ctx, `document.querySelector("main h1").textContent`); !strings.Contains(strings.ToLower(got), "not found") {
		t.Errorf("public page of a draft shows %q", got)
	}

	do(t, ctx, "open the campaign",
		chromedp.Navigate(ts.URL+"/organizer/campaigns/stop-the-widget-tax/edit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="open-campaign"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="open-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-life"][data-status="active"]`)),
	)
	checkAxe(t, ctx, "editor of a running campaign")
	if n := e.count(t, "SELECT count(*) FROM campaigns WHERE slug = 'stop-the-widget-tax' AND status = 'active'"); n != 1 {
		t.Error("the campaign did not open")
	}
}

// TestBrowserSecondCampaignLetters continues the life of the second
// campaign once it runs: a constituent finds it on the home page, looks up
// their members and writes to them; its widget counts the letter; the
// organizer closes it, and its page and widgets say it has ended.
func TestBrowserSecondCampaignLetters(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t, campaignLifecycle())
	cl := e.mustLogin(t, "org@example.org")
	form := widgetTax()
	form.Set("slug", "stop-the-widget-tax")
	if rec := cl.post(t, "/organizer/campaigns/new", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", rec.Code)
	}
	if rec := cl.post(t, "/organizer/campaigns/stop-the-widget-tax/status", url.Values{"status": {"running"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d", rec.Code)
	}
	idle := waitFor(`document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added") === null`)
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	do(t, ctx, "a constituent finds it among the running campaigns",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-index"]`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=campaign-index] [data-testid=campaign-card]").length`); n != 2 {
		t.Errorf("running campaigns listed: %d", n)
	}
	checkAxe(t, ctx, "campaign index")
	screenshot(t, ctx, "campaign-index")
	do(t, ctx, "the index at 320 px", chromedp.EmulateViewport(320, 700), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-index"]`)))
	noHorizontalScroll(t, ctx, "campaign index at 320 px")
	do(t, ctx, "open the campaign, look up a ZIP and write",
		chromedp.EmulateViewport(1024, 900),
		chromedp.Click(chromedp.CSS(`[data-campaign="stop-the-widget-tax"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="call-to-action"] #zip`)),
		chromedp.SendKeys(chromedp.CSS(`#zip`), "10002"),
		chromedp.Click(chromedp.CSS(`[data-testid="zip-form"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="write-link"]`)),
		idle,
	)
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=lookup]").textContent`); !strings.Contains(got, "Ask them not to cosponsor H.R. 1234.") {
		t.Errorf("the lookup does not ask about the campaign's bill: %s", squash(got))
	}
	checkAxe(t, ctx, "lookup of the second campaign")
	do(t, ctx, "fill and send the letter",
		chromedp.Click(chromedp.CSS(`[data-testid="write-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-form"]`)),
		chromedp.SetValue(chromedp.CSS(`#letter-prefix`), "Ms."),
		chromedp.SendKeys(chromedp.CSS(`#letter-first_name`), "Ada"),
		chromedp.SendKeys(chromedp.CSS(`#letter-last_name`), "Lovelace"),
		chromedp.SendKeys(chromedp.CSS(`#letter-address1`), "12 Orchard Street"),
		chromedp.SendKeys(chromedp.CSS(`#letter-email`), "ada@example.org"),
		chromedp.Click(chromedp.CSS(`#letter-consent`)),
		idle,
	)
	// A person takes a while to write a letter; one sent within seconds of
	// opening the form would wait for moderation.
	e.clock.Add(2 * time.Minute)
	do(t, ctx, "preview the letter",
		chromedp.Click(chromedp.CSS(`[data-testid="preview-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="letter-flow"][data-step="preview"]`)),
		idle,
	)
	if body := eval[string](t, ctx, `document.querySelector("[data-testid=preview-letter] [data-testid=preview-body]").textContent`); !strings.Contains(body, "I oppose H.R. 1234") {
		t.Errorf("previewed letter: %q", body)
	}
	checkAxe(t, ctx, "preview of an oppose letter")
	do(t, ctx, "send",
		chromedp.Click(chromedp.CSS(`[data-testid="send-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="letter-flow"][data-step="status"]`)),
		idle,
	)
	if n := e.count(t, "SELECT count(*) FROM deliveries WHERE position = 'oppose'"); n != 3 {
		t.Errorf("oppose deliveries stored: %d", n)
	}

	do(t, ctx, "its progress widget counts the letter",
		chromedp.Navigate(ts.URL+"/widgets/stop-the-widget-tax/progress"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-letters"]`)),
	)
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=widget-letters]").textContent`); !strings.HasPrefix(squash(got), "1 constituent has written") {
		t.Errorf("widget letters %q", got)
	}
	checkAxe(t, ctx, "progress widget")

	do(t, ctx, "the organizer closes the campaign",
		chromedp.Navigate(ts.URL+"/organizer"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), "org@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testkit.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaigns"]`)),
		chromedp.Navigate(ts.URL+"/organizer/campaigns/stop-the-widget-tax/edit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="close-campaign"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="close-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-life"][data-status="closed"]`)),
	)
	checkAxe(t, ctx, "editor of a closed campaign")
	do(t, ctx, "its page is a record",
		chromedp.Navigate(ts.URL+"/campaigns/stop-the-widget-tax"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-ended"]`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("#zip").length`); n != 0 {
		t.Error("a closed campaign still offers the lookup")
	}
	checkAxe(t, ctx, "closed campaign")
	screenshot(t, ctx, "campaign-closed")
	do(t, ctx, "its widgets say it has ended",
		chromedp.Navigate(ts.URL+"/widgets/stop-the-widget-tax/action"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="widget-ended"]`)),
	)
	checkAxe(t, ctx, "action widget of a closed campaign")
	screenshot(t, ctx, "campaign-closed-widget")
	do(t, ctx, "the home page shows the one campaign still running",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-ask"]`)),
	)
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=campaign-ask]").textContent`); !strings.Contains(got, "H.R. 5917") {
		t.Errorf("home page after closing: %q", got)
	}
}
