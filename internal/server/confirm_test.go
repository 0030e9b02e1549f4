package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/standin"
)

// TestEmailConfirmationFlow: with confirmation required, a letter waits
// (uncounted, unsent, not in moderation) until its sender follows the link
// mailed to them through a real SMTP conversation.
func TestEmailConfirmationFlow(t *testing.T) {
	smtp := standin.NewSMTP(t, standin.SMTPOptions{})
	e := newEnv(t, letterFlow(func(d *LetterDeps) {
		d.Receipts = testMailer(smtp)
		d.BaseURL = "https://whipcount.example"
	}), withConfig(func(c *Config) { c.RequireConfirmation = true }))
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
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails := smtp.WaitMails(t, 1, 20*time.Second)
	u := confirmLink(t, mails[0])

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
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails = smtp.WaitMails(t, 2, 20*time.Second)
	if !strings.Contains(mails[1].Subject(), "Your letter to Congress") {
		t.Errorf("second mail is not the receipt: %q", mails[1].Subject())
	}
}
