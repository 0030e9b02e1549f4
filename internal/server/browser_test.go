package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for one test. Without Chromium the test
// skips, except in CI (CI=true), where a missing browser is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWithin(t, 90*time.Second)
}

// browserWithin is browser for a test that may take up to d.
func browserWithin(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed; CI must run the browser tests (.ci/run installs it)")
		}
		t.Skip("skipping browser test: Chromium not found (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs browser steps and fails the test with what it was doing.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// axeViolation is the part of an axe-core result the tests report.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the current page and fails on any serious or
// critical violation.
func checkAxe(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("read axe-core (run `make web`): %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		t.Fatalf("load axe-core on %s: %v", label, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe on %s: %v", label, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("decode axe result: %v", err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("axe on %s: %s (%s): %s at %v", label, v.ID, v.Impact, v.Help, v.Nodes)
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// screenshot saves a PNG of the page when WHIPCOUNT_SCREENSHOTS names a
// folder, so a person can look at what the test saw.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("WHIPCOUNT_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// noHorizontalScroll fails when the page is wider than the viewport.
func noHorizontalScroll(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	if eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Errorf("%s scrolls sideways at this width", label)
	}
}

// waitFor polls a JavaScript condition instead of sleeping.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(10*time.Second))
}

func TestBrowserLookup(t *testing.T) {
	ctx := browser(t)
	env := newEnv(t)
	ts := httptest.NewServer(env.srv.Handler())
	defer ts.Close()

	do(t, ctx, "search a split ZIP",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#zip`)),
		// A marker that survives only if htmx swaps instead of loading a page.
		chromedp.Evaluate[chromedp.Void](`window.__stay = "same-page"`),
		chromedp.SendKeys(chromedp.CSS(`#zip`), "10025"),
		chromedp.Click(chromedp.CSS(`[data-testid="zip-form"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="split"]`)),
	)
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("the results loaded a new page instead of swapping in")
	}
	// htmx runs with the site's settings (set by app.js before it starts):
	// error answers swapped, no eval, no scripts from swapped content, no
	// copies of pages in the browser's storage, no inline styles.
	const want = `{"eval":false,"scripts":false,"history":0,"styles":false,"swapped":"[23].. 422 429 404 [45]..","inlineStyles":0}`
	if got := eval[string](t, ctx, `JSON.stringify({eval: htmx.config.allowEval, scripts: htmx.config.allowScriptTags,
		history: htmx.config.historyCacheSize, styles: htmx.config.includeIndicatorStyles,
		swapped: htmx.config.responseHandling.filter(r => r.swap).map(r => r.code).join(" "),
		inlineStyles: document.querySelectorAll("style").length})`); got != want {
		t.Errorf("htmx settings in effect:\n got %s\nwant %s", got, want)
	}
	if url := eval[string](t, ctx, `location.pathname + location.search`); url != "/reps?zip=10025" {
		t.Errorf("address bar = %q, want the shareable /reps?zip=10025", url)
	}
	screenshot(t, ctx, "lookup-split")
	checkAxe(t, ctx, "split ZIP results")

	do(t, ctx, "pick a district",
		chromedp.Click(chromedp.CSS(`[data-testid="candidate"][data-district="NY-13"] [data-testid="pick"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="settled"][data-district="NY-13"]`)),
	)
	// htmx moves focus once the swap settles; poll for it rather than sleep.
	if _, err := chromedp.Run(ctx, waitFor(`document.activeElement && document.activeElement.closest("[data-testid=settled]") !== null`)); err != nil {
		t.Errorf("focus did not move to the results: on %s", eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if eval[string](t, ctx, `window.__stay || "reloaded"`) != "same-page" {
		t.Error("picking a district reloaded the page")
	}
	if said := eval[string](t, ctx, `document.getElementById("announce").textContent`); !strings.Contains(said, "Showing 3 members") {
		t.Errorf("live region says %q", said)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=settled] [data-testid=member]").length`); n != 3 {
		t.Errorf("members shown = %d, want 3", n)
	}
	screenshot(t, ctx, "lookup-settled")
	checkAxe(t, ctx, "settled district")

	// "Use my location": the browser shares a position (here, faked at the
	// US Capitol) and the server settles the district by point-in-polygon.
	lat, lon, acc := 38.8899, -77.0091, 10.0
	do(t, ctx, "use my location",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: ts.URL})
			if err != nil {
				return err
			}
			_, err = cdp.Call(ctx, tg, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
			return err
		}),
		chromedp.Navigate(ts.URL+"/reps?zip=10025"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="split"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="use-location"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="settled"][data-district="DC"]`)),
	)
	if got := eval[string](t, ctx, `document.querySelector("[data-testid=settled]").innerText`); !strings.Contains(got, "Found from your location") {
		t.Errorf("location result does not say how it was found: %q", got)
	}

	// A phone-sized screen, and a wrong ZIP with its message.
	do(t, ctx, "open results at 320 px",
		chromedp.EmulateViewport(320, 640),
		chromedp.Navigate(ts.URL+"/reps?zip=10025&district=NY-13"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="settled"]`)),
	)
	noHorizontalScroll(t, ctx, "results at 320 px")
	screenshot(t, ctx, "lookup-320")
	do(t, ctx, "submit a wrong ZIP",
		chromedp.SetValue(chromedp.CSS(`#zip`), "99"),
		chromedp.Click(chromedp.CSS(`[data-testid="zip-form"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="zip-error"]`)),
	)
	if msg := eval[string](t, ctx, `document.querySelector("[data-testid=zip-error]").textContent`); !strings.Contains(msg, "5-digit") {
		t.Errorf("error message = %q", msg)
	}
	checkAxe(t, ctx, "ZIP error")
}
