package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWriteLetter walks the whole letter flow in Chromium: a split
// ZIP, settling it, the form with its inline checks and personal score,
// the error summary, the preview, sending, and the status page with an
// "I sent it"; axe-core checks every step.
func TestBrowserWriteLetter(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t, letterFlow())
	// htmx has finished its requests and swaps. Chromedp must not type into
	// a node whose attributes htmx is still changing.
	idle := waitFor(`document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added") === null`)
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()

	do(t, ctx, "look up a split ZIP and settle it",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#zip`)),
		chromedp.SendKeys(chromedp.CSS(`#zip`), "10025"),
		chromedp.Click(chromedp.CSS(`[data-testid="zip-form"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="split"]`)),
		idle,
		chromedp.Click(chromedp.CSS(`[data-testid="candidate"][data-district="NY-12"] [data-testid="pick"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="settled"][data-district="NY-12"] [data-testid="write-link"]`)),
		idle,
		chromedp.Click(chromedp.CSS(`[data-testid="write-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-form"]`)),
	)
	if got := eval[string](t, ctx, `location.pathname + location.search`); got != "/write?district=NY-12&zip=10025" {
		t.Errorf("write page at %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=recipient] input:checked").length`); n != 3 {
		t.Errorf("ticked recipients = %d, want 3", n)
	}
	screenshot(t, ctx, "letter-compose")
	checkAxe(t, ctx, "compose form")

	do(t, ctx, "ask for a preview of an empty form",
		chromedp.Evaluate[chromedp.Void](`window.__stay = "same-page"`),
		chromedp.Click(chromedp.CSS(`[data-testid="preview-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)),
		waitFor(`document.activeElement && document.activeElement.id === "error-summary"`),
		idle,
	)
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("the form reloaded the page instead of swapping in")
	}
	screenshot(t, ctx, "letter-errors")
	checkAxe(t, ctx, "compose form with errors")

	do(t, ctx, "untick a senator and fill the form",
		chromedp.Click(chromedp.CSS(`#letter-recipient-2`)),
		chromedp.SetValue(chromedp.CSS(`#letter-prefix`), "Dr."),
		chromedp.SendKeys(chromedp.CSS(`#letter-first_name`), "Grace"),
		chromedp.SendKeys(chromedp.CSS(`#letter-last_name`), "Hopper"),
		chromedp.SendKeys(chromedp.CSS(`#letter-address1`), "1 Riverside Drive"),
		// City, state and ZIP come prefilled from the lookup.
		// A wrong email is flagged as the person leaves the field.
		chromedp.SendKeys(chromedp.CSS(`#letter-email`), "grace@"),
		chromedp.Focus(chromedp.CSS(`#letter-phone`)),
		waitFor(`(document.querySelector("#letter-email-error") || {}).textContent && !document.querySelector("#letter-email-error").textContent.includes("Enter your email")`),
		idle,
	)
	if msg := eval[string](t, ctx, `document.querySelector("#letter-email-error").textContent`); !strings.Contains(msg, "name@example.com") {
		t.Errorf("inline email error = %q", msg)
	}
	do(t, ctx, "correct the email",
		chromedp.Clear(chromedp.CSS(`#letter-email`)),
		chromedp.SendKeys(chromedp.CSS(`#letter-email`), "grace@example.org"),
		chromedp.Focus(chromedp.CSS(`#letter-phone`)),
		waitFor(`!document.querySelector("#letter-email-error") && document.querySelector("#letter-email").getAttribute("aria-invalid") === null`),
		idle,
	)
	do(t, ctx, "write a paragraph, consent",
		chromedp.SendKeys(chromedp.CSS(`#letter-personal_message`), "I teach logistics at a college near Riverside Drive, and my students work in trade."),
		waitFor(`document.querySelector("[data-testid=personal-label]").textContent === "A little personal"`),
		idle,
		chromedp.Click(chromedp.CSS(`#letter-consent`)),
		chromedp.Click(chromedp.CSS(`[data-testid="preview-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="letter-flow"][data-step="preview"]`)),
		idle,
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=preview-letter]").length`); n != 2 {
		t.Errorf("previewed letters = %d, want 2", n)
	}
	if body := eval[string](t, ctx, `document.querySelector("[data-testid=preview-letter][data-bioguide=N000002] [data-testid=preview-body]").textContent`); !strings.Contains(body, "Dear Representative Nadler,") || !strings.Contains(body, "my students work in trade") {
		t.Errorf("preview of Nadler's letter = %q", body)
	}
	screenshot(t, ctx, "letter-preview")
	checkAxe(t, ctx, "preview")

	// A person takes longer than the bots' five seconds to write.
	e.clock.Add(time.Minute)
	do(t, ctx, "send",
		chromedp.Click(chromedp.CSS(`[data-testid="send-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="letter-flow"][data-step="status"]`)),
		waitFor(`location.pathname.startsWith("/letters/")`),
		idle,
	)
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("sending reloaded the page instead of swapping in")
	}
	if n := e.count(t, "SELECT count(*) FROM deliveries"); n != 2 {
		t.Errorf("deliveries stored = %d", n)
	}
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=status-heading]").textContent`); got != "Thank you: one more step" {
		t.Errorf("status heading = %q", got)
	}
	screenshot(t, ctx, "letter-status")
	checkAxe(t, ctx, "status page")

	do(t, ctx, "copy the letter and say it was sent by phone",
		chromedp.Click(chromedp.CSS(`[data-testid="delivery"] [data-testid="copy-button"]`)),
		waitFor(`document.querySelector(".copy-status").textContent !== ""`),
		chromedp.Click(chromedp.CSS(`[data-testid="delivery"] [data-testid="confirm-phone"]`)),
		waitFor(`document.querySelector("[data-testid=delivery]").getAttribute("data-status") === "confirmed_by_user"`),
	)
	if n := e.count(t, "SELECT count(*) FROM deliveries WHERE status = 'confirmed_by_user' AND channel = 'phone'"); n != 1 {
		t.Errorf("confirmed deliveries = %d", n)
	}
	checkAxe(t, ctx, "status page after confirming")

	do(t, ctx, "open the status page at 320 px without the swap",
		chromedp.EmulateViewport(320, 640),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="letter-flow"][data-step="status"]`)),
	)
	noHorizontalScroll(t, ctx, "status page at 320 px")
	do(t, ctx, "open the form at 320 px",
		chromedp.Navigate(ts.URL+"/write?zip=10002"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-form"]`)),
	)
	noHorizontalScroll(t, ctx, "compose form at 320 px")
	screenshot(t, ctx, "letter-compose-320")
}
