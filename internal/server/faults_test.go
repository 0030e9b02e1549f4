package server

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// holdWriteLock takes the database's write lock from a connection of its
// own, as another process would, until release is called.
func (e *letterEnv) holdWriteLock(t *testing.T) (release func()) {
	t.Helper()
	var seq int
	var name, path string
	if err := e.db.R.QueryRow("PRAGMA database_list").Scan(&seq, &name, &path); err != nil {
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
	e := newLetterEnvConfig(t, func(c *Config) { c.DBTimeout = 200 * time.Millisecond }, nil)
	form := validForm(e.formToken(t))
	release := e.holdWriteLock(t)

	for _, htmx := range []bool{false, true} {
		rec := e.post(t, "/write/send", form, htmx)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("htmx=%v: %d, Retry-After %q", htmx, rec.Code, rec.Header().Get("Retry-After"))
		}
		d := mustDoc(t, rec)
		if !strings.Contains(d.Find(`[data-testid="send-problem"]`).Text(), "try again") {
			t.Errorf("htmx=%v: no plain message: %q", htmx, d.Find(`[data-testid="send-problem"]`).Text())
		}
		kept := url.Values{}
		d.Find(`[data-testid="letter-flow"] form input[type="hidden"]`).Each(func(_ int, h *goquery.Selection) {
			kept.Add(h.AttrOr("name", ""), h.AttrOr("value", ""))
		})
		for _, k := range []string{"first_name", "last_name", "address1", "email", "personal_message", "form_token"} {
			if kept.Get(k) != form.Get(k) {
				t.Errorf("htmx=%v: %s = %q, want %q kept", htmx, k, kept.Get(k), form.Get(k))
			}
		}
		if htmx && d.Find("html").Length() != 0 && d.Find("header").Length() != 0 {
			t.Error("htmx got a whole page")
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
