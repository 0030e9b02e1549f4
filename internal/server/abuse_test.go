package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func letterStatus(t *testing.T, e *env, email string) string {
	t.Helper()
	var st string
	if err := e.db.R.QueryRow("SELECT status FROM letters WHERE email_norm = ?", email).Scan(&st); err != nil {
		t.Fatalf("letter from %s: %v", email, err)
	}
	return st
}

func TestHoneypotAndFillTime(t *testing.T) {
	e := newEnv(t, letterFlow())
	now := e.clock.Now()

	// A filled honeypot is refused and nothing is stored.
	rec := e.post(t, "/write/send", with(validForm(e.formToken(t)), "website", "http://spam.example"), false)
	if rec.Code != http.StatusUnprocessableEntity || e.count(t, "SELECT count(*) FROM letters") != 0 {
		t.Fatalf("honeypot: status %d, %d letters", rec.Code, e.count(t, "SELECT count(*) FROM letters"))
	}

	tests := []struct {
		name, email, started string
		want                 string
	}{
		{"a person who took a minute", "person@example.org", e.srv.stamps.stampAt(now.Add(-time.Minute)), "active"},
		{"sent two seconds after the form appeared", "fast@example.org", e.srv.stamps.stampAt(now.Add(-2 * time.Second)), "held"},
		{"no start time", "nostamp@example.org", "", "held"},
		{"a forged start time", "forged@example.org", fmt.Sprintf("%d.AAAAAAAAAAAAAAAA", now.Add(-time.Hour).Unix()), "held"},
		{"a start time in the future", "future@example.org", e.srv.stamps.stampAt(now.Add(time.Hour)), "held"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := with(with(validForm(e.formToken(t)), "email", tt.email), "started", tt.started)
			if rec := e.post(t, "/write/send", f, false); rec.Code != http.StatusSeeOther {
				t.Fatalf("send: %d %s", rec.Code, rec.Body)
			}
			if got := letterStatus(t, e, tt.email); got != tt.want {
				t.Errorf("status %s, want %s", got, tt.want)
			}
			var reason string
			e.db.R.QueryRow("SELECT hold_reason FROM letters WHERE email_norm = ?", tt.email).Scan(&reason)
			if (tt.want == "held") != (reason != "") {
				t.Errorf("hold reason %q for a %s letter", reason, tt.want)
			}
		})
	}
}

func TestGlobalCapSendsTheExcessToModeration(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LettersPerMinute = 2 }))
	for i := range 3 {
		f := with(validForm(e.formToken(t)), "email", fmt.Sprintf("cap%d@example.org", i))
		if rec := e.post(t, "/write/send", f, false); rec.Code != http.StatusSeeOther {
			t.Fatalf("letter %d: %d", i, rec.Code)
		}
	}
	if a, h := e.count(t, "SELECT count(*) FROM letters WHERE status = 'active'"), e.count(t, "SELECT count(*) FROM letters WHERE status = 'held'"); a != 2 || h != 1 {
		t.Errorf("active %d, held %d; want 2 and 1", a, h)
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE hold_reason LIKE 'more than 2 letters arrived that minute%'"); n != 1 {
		t.Errorf("%d letters say they were held by the cap", n)
	}
	// A new minute has room again.
	e.clock.Add(time.Minute)
	f := with(validForm(e.formToken(t)), "email", "nextminute@example.org")
	e.post(t, "/write/send", f, false)
	if got := letterStatus(t, e, "nextminute@example.org"); got != "active" {
		t.Errorf("next minute: %s", got)
	}
}

func TestEmailLimit(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LetterEmail = Limit{PerMinute: 1.0 / 60, Burst: 2} }))
	// Different recipients each time, so the 30-day dedupe does not decide.
	for i, who := range []string{goldman, schumer} {
		f := with(validForm(e.formToken(t)), "recipients", who)
		if rec := e.post(t, "/write/send", f, false); rec.Code != http.StatusSeeOther {
			t.Fatalf("letter %d: %d", i, rec.Code)
		}
	}
	rec := e.post(t, "/write/send", with(validForm(e.formToken(t)), "recipients", gillibrand), false)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("third letter from one email: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if d := mustDoc(t, rec); !strings.Contains(d.Find(`[data-testid="alert"]`).Text(), "going a little fast") ||
		d.Find(`input[name="personal_message"]`).AttrOr("value", "") == "" {
		t.Error("the 429 does not explain itself on the letter, kept as it was")
	}
	// Another sender is not affected.
	f := with(with(validForm(e.formToken(t)), "email", "other@example.org"), "recipients", gillibrand)
	if rec := e.post(t, "/write/send", f, false); rec.Code != http.StatusSeeOther {
		t.Errorf("another sender: %d", rec.Code)
	}
}

// TestEmailLimitSeesThroughVariants: tags, dots (where the provider ignores
// them) and case do not make a new sender, for the limit as for the
// 30-day dedupe; the address is stored as given.
func TestEmailLimitSeesThroughVariants(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LetterEmail = Limit{PerMinute: 1.0 / 60, Burst: 2} }))
	first := with(with(validForm(e.formToken(t)), "email", "ada.lovelace@gmail.com"), "recipients", goldman)
	if rec := e.post(t, "/write/send", first, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("first letter: %d", rec.Code)
	}
	// Pressing Send again replays the stored letter: it uses up nothing.
	if rec := e.post(t, "/write/send", first, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("replay: %d", rec.Code)
	}
	// The same sender to the same member, in disguise: the dedupe knows.
	rec := e.post(t, "/write/send", with(with(validForm(e.formToken(t)), "email", "AdaLovelace+again@googlemail.com"), "recipients", goldman), false)
	if rec.Code != http.StatusConflict {
		t.Errorf("the same sender to the same member again: %d", rec.Code)
	}
	if rec := e.post(t, "/write/send", with(with(validForm(e.formToken(t)), "email", "a.d.a.lovelace+x@gmail.com"), "recipients", schumer), false); rec.Code != http.StatusSeeOther {
		t.Errorf("second letter: %d", rec.Code)
	}
	if rec := e.post(t, "/write/send", with(with(validForm(e.formToken(t)), "email", "ADA.LOVELACE@gmail.com"), "recipients", gillibrand), false); rec.Code != http.StatusTooManyRequests {
		t.Errorf("third letter from one sender in disguise: %d, want 429", rec.Code)
	}
	var stored string
	e.db.R.QueryRow("SELECT email FROM letters ORDER BY id LIMIT 1").Scan(&stored)
	if stored != "ada.lovelace@gmail.com" {
		t.Errorf("stored address %q, want it as given", stored)
	}
}

// TestFloodFromOneClient sends 10,000 valid-looking letters from one
// address through the JSON API: no more than the per-address ceiling are
// accepted, those past the per-address limit wait for moderation, no
// duplicate rows appear, and a person on another address still gets
// through.
func TestFloodFromOneClient(t *testing.T) {
	const soft, limit = 20, 50
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) {
		c.Limits.LetterIP = Limit{PerMinute: soft / 60.0, Burst: soft}
		c.Limits.LetterIPMax = Limit{PerMinute: limit / 60.0, Burst: limit}
	}))
	send := func(addr, email string) int {
		body := fmt.Sprintf(`{"campaign":"jackson-vanik","recipients":[%q],"prefix":"Mx.","first_name":"Flo","last_name":"Od",
			"address1":"12 Orchard Street","city":"New York","state":"NY","zip":"10002","email":%q,"consent":true}`, goldman, email)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests {
			var out struct{ Error string }
			if json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Error == "" || rec.Header().Get("Retry-After") == "" {
				t.Fatalf("429 without a JSON error and Retry-After: %s", rec.Body)
			}
		}
		return rec.Code
	}
	accepted, refused := 0, 0
	for i := range 10_000 {
		switch code := send("203.0.113.9:4000", fmt.Sprintf("bot%d@example.org", i)); code {
		case http.StatusCreated:
			accepted++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("flood request %d: status %d", i, code)
		}
	}
	if accepted > limit || accepted == 0 || accepted+refused != 10_000 {
		t.Errorf("accepted %d, refused %d; want at most %d accepted", accepted, refused, limit)
	}
	if rows := e.count(t, "SELECT count(*) FROM letters"); rows != accepted {
		t.Errorf("%d rows for %d accepted letters", rows, accepted)
	}
	if d := e.count(t, "SELECT count(*) FROM (SELECT email_norm FROM letters GROUP BY email_norm HAVING count(*) > 1)"); d != 0 {
		t.Errorf("%d duplicated senders", d)
	}
	if active := e.count(t, "SELECT count(*) FROM letters WHERE status = 'active'"); active != soft {
		t.Errorf("%d letters went out at once, want the first %d; the rest wait for moderation", active, soft)
	}
	if code := send("198.51.100.7:5000", "real.person@example.org"); code != http.StatusCreated {
		t.Errorf("a person on another address got %d during the flood", code)
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE email_norm = 'real.person@example.org' AND status = 'active'"); n != 1 {
		t.Error("the person on another address was held")
	}
}

// TestSharedNetworkLettersWait: an office or event network sends more
// letters than the per-address limit; they are stored and wait for
// moderation, and the sender is told so.
func TestSharedNetworkLettersWait(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LetterIP = Limit{PerMinute: 2 / 60.0, Burst: 2} }))
	var last string
	for i := range 3 {
		f := with(validForm(e.formToken(t)), "email", fmt.Sprintf("colleague%d@example.org", i))
		last = e.sendOne(t, f)
	}
	if held := e.count(t, "SELECT count(*) FROM letters WHERE status = 'held' AND hold_reason LIKE '%network address%'"); held != 1 {
		t.Fatalf("held letters = %d, want the third", held)
	}
	d := mustDoc(t, e.get(t, "/letters/"+last, false))
	if got := d.Find(`[data-testid="moderation"]`).Text(); !strings.Contains(got, "check") {
		t.Errorf("the held sender is told %q", got)
	}
	if d.Find(`[data-testid="assisted"]`).Length() != 0 {
		t.Error("a held letter asks its sender to send it themselves")
	}
}

func TestClientAddressIsNotTakenFromHeaders(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LetterIPMax = Limit{PerMinute: 1, Burst: 1} }))
	codes := []int{}
	for i := range 3 {
		body := fmt.Sprintf(`{"campaign":"jackson-vanik","recipients":[%q],"prefix":"Mx.","first_name":"A","last_name":"B",
			"address1":"12 Orchard Street","city":"New York","state":"NY","zip":"10002","email":"x%d@example.org","consent":true}`, goldman, i)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		req.RemoteAddr = "203.0.113.10:1234"
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[0] != http.StatusCreated || codes[1] != http.StatusTooManyRequests || codes[2] != http.StatusTooManyRequests {
		t.Errorf("codes %v: a forged X-Forwarded-For escaped the limit", codes)
	}
}

// TestCrossSitePostsRefused: a third-party page cannot post letters, or
// any step of the form, through its visitors' browsers.
func TestCrossSitePostsRefused(t *testing.T) {
	e := newEnv(t, letterFlow())
	form := validForm(e.formToken(t))
	for _, path := range []string{"/write/send", "/write/preview", "/write", "/write/validate?field=first_name", "/write/personal"} {
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example"},
			{"Sec-Fetch-Site": "cross-site"},
		} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(with(form, "started", e.srv.stamps.stampAt(e.clock.Now().Add(-time.Minute))).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			if rec := e.do(t, req, false); rec.Code != http.StatusForbidden {
				t.Errorf("%s with %v: %d, want 403", path, h, rec.Code)
			}
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Errorf("%d letters stored from another site", n)
	}
	// The site's own pages still post.
	req := httptest.NewRequest(http.MethodPost, "/write/send", strings.NewReader(with(form, "started", e.srv.stamps.stampAt(e.clock.Now().Add(-time.Minute))).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if rec := e.do(t, req, false); rec.Code != http.StatusSeeOther {
		t.Errorf("same-origin send: %d", rec.Code)
	}
}

// TestOldStampsExpire: a start time kept for hours no longer vouches for a
// letter (it waits for moderation), and showing the form again renews it.
func TestOldStampsExpire(t *testing.T) {
	e := newEnv(t, letterFlow())
	old := e.srv.stamps.stampAt(e.clock.Now().Add(-3 * time.Hour))
	f := with(with(validForm(e.formToken(t)), "started", old), "email", "bot@example.org")
	if rec := e.post(t, "/write/send", f, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("send: %d", rec.Code)
	}
	var status, reason string
	e.db.R.QueryRow("SELECT status, hold_reason FROM letters WHERE email = 'bot@example.org'").Scan(&status, &reason)
	if status != "held" || !strings.Contains(reason, "hours old") {
		t.Errorf("a letter with a 3-hour-old stamp: %s (%q)", status, reason)
	}
	rec := e.post(t, "/write/preview", with(validForm(e.formToken(t)), "started", old), false)
	renewed := mustDoc(t, rec).Find(`input[name="started"]`).AttrOr("value", "")
	if renewed == old || renewed == "" {
		t.Error("the preview kept the expired start time")
	}
}
