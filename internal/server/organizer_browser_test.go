package server

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/testkit"
)

// TestBrowserOrganizer signs in with Chromium, checks the dashboard with
// axe-core (also at 320 px), edits a talking point inline with its live
// Markdown preview, and finds the edit on the public talking points page.
func TestBrowserOrganizer(t *testing.T) {
	ctx := browser(t)
	e := dashboardEnv(t)
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	id := strconv.FormatInt(firstPointID(t, e), 10)
	idle := waitFor(`document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added") === null`)
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	do(t, ctx, "sign in",
		chromedp.Navigate(ts.URL+"/organizer/campaigns/jackson-vanik"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), "org@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testkit.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="totals"]`)),
	)
	if got := eval[string](t, ctx, `location.pathname`); got != "/organizer/campaigns/jackson-vanik" {
		t.Errorf("after sign-in at %q, want back at the dashboard", got)
	}
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=total]").textContent`); got != "4" {
		t.Errorf("dashboard total %q", got)
	}
	screenshot(t, ctx, "organizer-dashboard")
	checkAxe(t, ctx, "organizer dashboard")

	do(t, ctx, "switch the chart to 7 days",
		chromedp.Evaluate[chromedp.Void](`window.__stay = "same-page"`),
		chromedp.Click(chromedp.CSS(`[data-testid="org-daily"] a[href*="days=7"]`)),
		waitFor(`document.querySelector("[data-testid=org-daily]").dataset.days === "7"`),
		idle,
	)
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("the window link reloaded the page")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=daily-table] [data-testid=bar-row]").length`); n != 7 {
		t.Errorf("7-day table has %d rows", n)
	}

	do(t, ctx, "dashboard at 320 px", chromedp.EmulateViewport(320, 700), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="totals"]`)))
	noHorizontalScroll(t, ctx, "dashboard at 320 px")
	checkAxe(t, ctx, "organizer dashboard at 320 px")
	screenshot(t, ctx, "organizer-dashboard-320")

	region := `#tp-` + id
	do(t, ctx, "open a talking point's inline form",
		chromedp.EmulateViewport(1024, 900),
		chromedp.Navigate(ts.URL+"/organizer/campaigns/jackson-vanik/edit"),
		chromedp.WaitVisible(chromedp.CSS(region+` [data-testid="edit-tp"]`)),
		chromedp.Evaluate[chromedp.Void](`window.__stay = "same-page"`),
		chromedp.Click(chromedp.CSS(region+` [data-testid="edit-tp"]`)),
		chromedp.WaitVisible(chromedp.CSS(region+` [data-testid="tp-form"]`)),
		idle,
	)
	do(t, ctx, "type a new title and text, with the live preview",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("tp-`+id+`-title").value = ""; document.getElementById("tp-`+id+`-body").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#tp-`+id+`-title`), "Trade that does not wait for a waiver"),
		chromedp.SendKeys(chromedp.CSS(`#tp-`+id+`-body`), "Businesses need **permanent** trade relations."),
		waitFor(`(document.querySelector("#tp-`+id+`-preview strong") || {}).textContent === "permanent"`),
		idle,
	)
	checkAxe(t, ctx, "talking point form")
	screenshot(t, ctx, "organizer-edit-form")
	do(t, ctx, "save it",
		chromedp.Click(chromedp.CSS(region+` [data-testid="save-tp"]`)),
		chromedp.WaitVisible(chromedp.CSS(region+` [data-testid="saved"]`)),
		idle,
	)
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("saving reloaded the page instead of swapping the region")
	}
	if got := eval[string](t, ctx, `document.querySelector("`+region+` h3").textContent`); got != "Trade that does not wait for a waiver" {
		t.Errorf("saved title %q", got)
	}
	checkAxe(t, ctx, "content editor")

	do(t, ctx, "see it on the public page",
		chromedp.Navigate(ts.URL+"/talking-points"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	)
	body := eval[string](t, ctx, `document.querySelector("main").textContent`)
	if !strings.Contains(body, "Trade that does not wait for a waiver") || !strings.Contains(body, "permanent trade relations") {
		t.Error("the public talking points page does not show the edit")
	}

	do(t, ctx, "sign out",
		chromedp.Navigate(ts.URL+"/organizer"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-notice"]`)),
		chromedp.Navigate(ts.URL+"/organizer"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	checkAxe(t, ctx, "login page")
}
