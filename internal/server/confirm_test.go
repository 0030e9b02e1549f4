package server

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/delivery"
)

// TestEmailConfirmationFlow: with confirmation required, a letter waits
// (uncounted, unsent, not in moderation) until its sender follows the link
// mailed to them through a real SMTP conversation.
func TestEmailConfirmationFlow(t *testing.T) {
	addr, msgs := startTestSMTP(t)
	e := newLetterEnvConfig(t, func(c *Config) { c.RequireConfirmation = true }, func(d *LetterDeps) {
		d.Receipts = &delivery.Mailer{Addr: addr, From: "Whipcount <letters@whipcount.example>", Timeout: 10 * time.Second}
		d.BaseURL = "https://whipcount.example"
	})
	form := validForm(e.formToken(t))
	form.Set("receipt", "true")
	id := e.sendOne(t, form)
	if n := e.count(t, "SELECT count(*) FROM letters WHERE status = 'held'"); n != 1 {
		t.Fatalf("held letters = %d", n)
	}
	status := mustDoc(t, e.get(t, "/letters/"+id, false))
	if !strings.Contains(status.Find(`[data-testid="moderation"]`).Text(), "confirm your email") {
		t.Error("the status page does not ask for confirmation")
	}

	var got mailSession
	select {
	case got = <-msgs:
	case <-time.After(20 * time.Second): // a failure deadline, not a wait
		t.Fatal("no confirmation email reached the SMTP server")
	}
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	link := regexp.MustCompile(`https://whipcount\.example(/letters/[A-Za-z0-9_-]+/confirm\?t=[A-Za-z0-9_-]+)`).FindSubmatch(body)
	if link == nil {
		t.Fatalf("no confirmation link in: %s", body)
	}
	u, _ := url.Parse(string(link[1]))

	// Opening the link confirms nothing by itself (mail scanners open links).
	page := e.get(t, u.String(), false)
	if page.Code != 200 || e.count(t, "SELECT count(*) FROM letters WHERE status = 'active'") != 0 {
		t.Fatalf("opening the link: %d", page.Code)
	}
	tok := mustDoc(t, page).Find(`[data-testid="confirm-form"] input[name="t"]`).AttrOr("value", "")
	if rec := e.post(t, u.Path, url.Values{"t": {"wrong"}}, false); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a wrong token: %d", rec.Code)
	}
	rec := e.post(t, u.Path, url.Values{"t": {tok}}, false)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE status = 'active'"); n != 1 {
		t.Errorf("active letters after confirming = %d", n)
	}
	// The receipt the sender asked for goes out only now.
	select {
	case got = <-msgs:
	case <-time.After(20 * time.Second): // a failure deadline, not a wait
		t.Fatal("no receipt after confirming")
	}
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msg, err := mail.ReadMessage(bytes.NewReader(got.Data)); err != nil || !strings.Contains(msg.Header.Get("Subject"), "Your letter to Congress") {
		t.Errorf("second mail is not the receipt: %v", err)
	}
}
