package server

import (
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/sqlite"
)

// holdWriteLock takes the database's write lock from a connection of its
// own, as another process would, until release is called.
func (e *env) holdWriteLock(t *testing.T) (release func()) {
	t.Helper()
	return holdWriteLock(t, e.db)
}

func holdWriteLock(t *testing.T, db *sqlite.DB) (release func()) {
	t.Helper()
	var seq int
	var name, path string
	if err := db.R.QueryRow("PRAGMA database_list").Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback(); d.Close() }
}

// TestLetterWhileDatabaseLocked: with the write lock held elsewhere, a
// letter is answered 503 with Retry-After within the database time-out,
// on its preview with everything the person wrote, ready to send again;
// nothing is stored, and sending again once the lock is free works.
func TestLetterWhileDatabaseLocked(t *testing.T) {
	// The time-out bounds the requests made while the lock is held; it is
	// long enough that a letter sent once the lock is free succeeds on a
	// loaded machine.
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.DBTimeout = 2 * time.Second }))
	form := validForm(e.formToken(t))
	release := e.holdWriteLock(t)

	for _, htmx := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodPost, "/write/send", strings.NewReader(with(form, "started", e.srv.stamps.stampAt(e.clock.Now().Add(-time.Minute))).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if htmx {
			req.Header.Set("HX-Target", "letter-flow")
		}
		rec := e.do(t, req, htmx)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("htmx=%v: %d, Retry-After %q", htmx, rec.Code, rec.Header().Get("Retry-After"))
		}
		d := mustDoc(t, rec)
		if !strings.Contains(d.Find(`[data-testid="alert"]`).Text(), "try again") {
			t.Errorf("htmx=%v: no plain message: %q", htmx, d.Find(`[data-testid="alert"]`).Text())
		}
		if htmx {
			// The notice goes into the preview's alert region: the letter
			// on the page stays as it was.
			if got := rec.Header().Get("HX-Retarget"); got != "#flow-alert" || d.Find("header").Length() != 0 {
				t.Errorf("htmx: notice aimed at %q, or a whole page came back", got)
			}
			continue
		}
		kept := url.Values{}
		d.Find(`[data-testid="letter-flow"] form input[type="hidden"]`).Each(func(_ int, h *goquery.Selection) {
			kept.Add(h.AttrOr("name", ""), h.AttrOr("value", ""))
		})
		for _, k := range []string{"first_name", "last_name", "address1", "email", "personal_message", "form_token"} {
			if kept.Get(k) != form.Get(k) {
				t.Errorf("%s = %q, want %q kept", k, kept.Get(k), form.Get(k))
			}
		}
	}
	rec := e.postJSON(t, `{"campaign": "jackson-vanik", "recipients": ["G000599"], "prefix": "Ms.", "first_name": "Ada",
		"last_name": "Lovelace", "address1": "1 Main St", "city": "New York", "state": "NY", "zip": "10002",
		"email": "api@example.org", "consent": true}`, nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("API: %d %s", rec.Code, rec.Body)
	}
	if rec := e.get(t, "/healthz", false); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("/healthz with the lock held: %d", rec.Code)
	}
	if rec := e.get(t, "/livez", false); rec.Code != http.StatusOK {
		t.Errorf("/livez: %d", rec.Code)
	}
	// Reading goes on: the campaign page and the lookup answer.
	if rec := e.get(t, "/reps?zip=10002", false); rec.Code != http.StatusOK {
		t.Errorf("lookup with the lock held: %d", rec.Code)
	}

	release()
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Fatalf("%d letters stored though the person was told it failed", n)
	}
	if rec := e.get(t, "/healthz", false); rec.Code != http.StatusOK {
		t.Errorf("/healthz after: %d", rec.Code)
	}
	if rec := e.post(t, "/write/send", form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("sending again: %d %s", rec.Code, rec.Body)
	}
	if rec := e.post(t, "/write/send", form, false); rec.Code != http.StatusSeeOther || e.count(t, "SELECT count(*) FROM letters") != 1 {
		t.Errorf("a second press stored another letter: %d", rec.Code)
	}
}

// faultEnv is a letter server whose logs the test reads, as the operator
// would.
func faultEnv(t *testing.T) (*env, *syncLog) {
	t.Helper()
	logs := &syncLog{}
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.DBTimeout = 2 * time.Second }),
		withDeps(func(d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(logs, nil)) }))
	return e, logs
}

// syncLog collects log lines from concurrent writers.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFaultInjection drives the letter flow into each fault the database
// can have and checks, for each, what the person sees (a prompt 503 with
// Retry-After on their letter, kept), what the operator sees (a log line
// naming the fault; /healthz failing), and that nothing acknowledged is
// lost (every letter answered 303 is in the database afterwards).
func TestFaultInjection(t *testing.T) {
	faults := []struct {
		name string
		// inject breaks the database; heal repairs it. Both act on the
		// server's own writer connection, as the file system would.
		inject, heal string
		// logged is what the operator reads.
		logged string
	}{
		// A full disk: SQLite reports SQLITE_FULL when the file cannot grow,
		// which a page limit at the current size brings about exactly.
		{"disk full", "PRAGMA max_page_count = %d", "PRAGMA max_page_count = 1073741823", "full"},
		// Read-only files: every write fails with SQLITE_READONLY.
		{"read-only", "PRAGMA query_only = 1", "PRAGMA query_only = 0", "readonly"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			e, logs := faultEnv(t)
			acked := e.sendOne(t, with(validForm(e.formToken(t)), "email", "before@example.org"))
			inject := f.inject
			if strings.Contains(inject, "%d") {
				// No free pages left to reuse: the next page must grow the file.
				if _, err := e.db.W.Exec("VACUUM"); err != nil {
					t.Fatal(err)
				}
				var pages int
				e.db.W.QueryRow("PRAGMA page_count").Scan(&pages)
				inject = fmt.Sprintf(inject, pages)
			}
			if _, err := e.db.W.Exec(inject); err != nil {
				t.Fatal(err)
			}
			// A letter longer than a page needs new pages.
			form := with(validForm(e.formToken(t)), "personal_message", strings.Repeat("A long letter. ", 330))
			rec := e.post(t, "/write/send", form, false)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
				t.Fatalf("letter: %d, Retry-After %q; logs %.1500s", rec.Code, rec.Header().Get("Retry-After"), logs.String())
			}
			d := mustDoc(t, rec)
			if d.Find(`[data-testid="alert"]`).Length() != 1 || d.Find(`input[name="personal_message"]`).AttrOr("value", "") != strings.TrimSpace(form.Get("personal_message")) {
				t.Error("the person does not see their letter kept with the problem")
			}
			if rec := e.get(t, "/healthz", false); rec.Code != http.StatusServiceUnavailable {
				t.Errorf("/healthz during the fault: %d", rec.Code)
			}
			if out := logs.String(); !strings.Contains(out, "database unavailable: answered 503") || !strings.Contains(strings.ToLower(out), f.logged) {
				t.Errorf("the operator's log does not name the fault: %.1500s", out)
			}
			if rec := e.get(t, "/letters/"+acked, false); rec.Code != http.StatusOK {
				t.Errorf("an acknowledged letter's page during the fault: %d", rec.Code)
			}

			if _, err := e.db.W.Exec(f.heal); err != nil {
				t.Fatal(err)
			}
			if rec := e.post(t, "/write/send", form, false); rec.Code != http.StatusSeeOther {
				t.Fatalf("sending again after the fault: %d", rec.Code)
			}
			if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ?", acked); n != 1 {
				t.Error("the letter acknowledged before the fault is gone")
			}
			if n := e.count(t, "SELECT count(*) FROM letters"); n != 2 {
				t.Errorf("%d letters, want the two acknowledged", n)
			}
		})
	}
}

// TestClockJumps: when the server's clock jumps, letters are still taken;
// a start time that now lies in the future or too far back only sends the
// letter to moderation, where an organizer sees why.
func TestClockJumps(t *testing.T) {
	e := newEnv(t, letterFlow())
	tok := e.formToken(t)
	stamp := e.srv.stamps.stampAt(e.clock.Now().Add(-time.Minute))
	e.clock.Add(-2 * time.Hour) // the clock steps back
	if rec := e.post(t, "/write/send", with(with(validForm(tok), "started", stamp), "email", "back@example.org"), false); rec.Code != http.StatusSeeOther {
		t.Fatalf("after a step back: %d", rec.Code)
	}
	e.clock.Add(5 * time.Hour) // and far forward
	if rec := e.post(t, "/write/send", with(with(validForm(e.formToken(t)), "started", stamp), "email", "fwd@example.org"), false); rec.Code != http.StatusSeeOther {
		t.Fatalf("after a jump forward: %d", rec.Code)
	}
	var held int
	e.db.R.QueryRow("SELECT count(*) FROM letters WHERE status = 'held' AND hold_reason <> ''").Scan(&held)
	if held != 2 {
		t.Errorf("%d letters held with a reason, want both", held)
	}
}

// TestWidgetLetterWhileDatabaseLocked: inside a partner's frame too, a
// letter the database cannot take comes back on its preview, kept, with a
// 503 and Retry-After.
func TestWidgetLetterWhileDatabaseLocked(t *testing.T) {
	e := newEnv(t, partnerWidgets(), withConfig(func(c *Config) { c.DBTimeout = 2 * time.Second }))
	rec := e.fetch(t, http.MethodGet, "/widgets/jackson-vanik/action?partner=bizco&zip=10002", nil)
	_, vals := widgetForm(t, rec, `[data-testid="compose-form"]`)
	fillLetter(vals, "framed@example.org")
	release := holdWriteLock(t, e.db)
	rec = e.fetch(t, http.MethodPost, "/widgets/jackson-vanik/action/send?partner=bizco", vals)
	release()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("widget send with the lock held: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	d := mustDoc(t, rec)
	if d.Find(`[data-testid="alert"]`).Length() != 1 || d.Find(`input[name="email"]`).AttrOr("value", "") != "framed@example.org" {
		t.Errorf("the widget does not keep the letter with the problem: %.400s", rec.Body)
	}
	_, again := widgetForm(t, rec, `[data-testid="widget-preview"] form`)
	if rec := e.fetch(t, http.MethodPost, "/widgets/jackson-vanik/action/send?partner=bizco", again); rec.Code != http.StatusSeeOther {
		t.Errorf("sending again from the kept preview: %d", rec.Code)
	}
}
