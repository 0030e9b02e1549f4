package server

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/delivery"
	"github.com/whipcount/whipcount/internal/standin"
)

// testMailer is a receipt mailer that talks to the SMTP stand-in.
func testMailer(smtp *standin.SMTP) *delivery.Mailer {
	return &delivery.Mailer{Addr: smtp.Addr, From: "Whipcount <letters@whipcount.example>", Timeout: 10 * time.Second}
}

// confirmLink finds the confirmation link in a mail and returns its path
// and query.
func confirmLink(t testing.TB, m standin.Mail) *url.URL {
	t.Helper()
	link := regexp.MustCompile(`https://whipcount\.example(/letters/[A-Za-z0-9_-]+/confirm\?t=[A-Za-z0-9_-]+)`).FindStringSubmatch(m.Text())
	if link == nil {
		t.Fatalf("no confirmation link in: %s", m.Text())
	}
	u, _ := url.Parse(link[1])
	return u
}

// TestLetterReceipt: a receipt carries the sender's own words, so it goes
// only to an address that proved itself. The letter goes out at once; the
// first mail only asks the sender to confirm, and carries nothing they
// typed; the receipt follows the confirmation, once.
func TestLetterReceipt(t *testing.T) {
	smtp := standin.NewSMTP(t, standin.SMTPOptions{})
	e := newEnv(t, letterFlow(func(d *LetterDeps) {
		d.Receipts = testMailer(smtp)
		d.BaseURL = "https://whipcount.example"
	}))

	// Without the tick, no mail.
	noReceipt := validForm(e.formToken(t))
	noReceipt["recipients"] = []string{goldman}
	e.sendOne(t, noReceipt)

	form := with(validForm(e.formToken(t)), "email", "babbage@example.org")
	form.Set("receipt", "true")
	id := e.sendOne(t, form)
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails := smtp.WaitMails(t, 1, 20*time.Second)
	if len(mails) != 1 || mails[0].To[0] != "babbage@example.org" || !strings.Contains(mails[0].Subject(), "confirm") {
		t.Fatalf("first mail: %+v", mails)
	}
	// The words of the mail, not its raw bytes or its link: random tokens,
	// the MIME boundary and the Message-ID may hold any short run of
	// letters and digits.
	first := mails[0].Subject() + "\n" + regexp.MustCompile(`https?://\S+`).ReplaceAllString(mails[0].Text(), "")
	for _, typed := range []string{"Orchard", "Lovelace", "Ada", "212", "555-0134"} {
		if strings.Contains(first, typed) {
			t.Errorf("the confirmation mail carries what the sender typed (%q)", typed)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND status = 'active'", id); n != 1 {
		t.Error("the letter waits for the receipt's confirmation")
	}

	u := confirmLink(t, mails[0])
	for range 2 { // a double click sends one receipt
		if rec := e.post(t, u.Path, url.Values{"t": {u.Query().Get("t")}}, false); rec.Code != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
		}
	}
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails = smtp.WaitMails(t, 2, 20*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want the confirmation and one receipt", len(mails))
	}
	got := mails[1]
	if got.To[0] != "babbage@example.org" || !strings.Contains(got.Subject(), "Your letter to Congress") {
		t.Errorf("receipt to %v, subject %q", got.To, got.Subject())
	}
	text := got.Text()
	for _, want := range []string{
		"https://whipcount.example/letters/" + id,
		"To: Representative Daniel S. Goldman",
		"To: Senator Kirsten E. Gillibrand",
		"Subject: Please cosponsor S. 3103",
		"I run a small import business on Orchard Street.",
		"not sent yet",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
}

// TestReceiptsAreNoRelay: whoever fills the form with someone else's
// address, and text of their own, gets that person only a mail with
// nothing of theirs in it, also when the letter is held as a likely bot.
func TestReceiptsAreNoRelay(t *testing.T) {
	smtp := standin.NewSMTP(t, standin.SMTPOptions{})
	e := newEnv(t, letterFlow(func(d *LetterDeps) {
		d.Receipts = testMailer(smtp)
		d.BaseURL = "https://whipcount.example"
	}))
	spam := "Cheap pills at http://spam.example/buy now"
	form := with(validForm(e.formToken(t)), "email", "victim@example.org")
	form.Set("receipt", "true")
	form.Set("personal_message", spam)
	form.Set("first_name", "Visit spam.example")
	form.Set("started", "forged") // held as a likely bot
	id := e.sendOne(t, form)
	if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND status = 'held'", id); n != 1 {
		t.Fatal("the letter is not held")
	}
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails := smtp.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails to an unproved address", len(mails))
	}
	if strings.Contains(string(mails[0].Data), "spam.example") || strings.Contains(mails[0].Text(), "pills") {
		t.Errorf("attacker text in unconfirmed mail:\n%s", mails[0].Data)
	}
	if h := mails[0].Header().Get("To"); h != "<victim@example.org>" {
		t.Errorf("To: %q", h)
	}
}

// TestLetterOutboxEndToEnd sends a letter through the form with CWC on for
// the House, runs the outbox worker once against a local CWC endpoint, and
// checks the XML it received and the status page afterwards.
func TestLetterOutboxEndToEnd(t *testing.T) {
	type received struct {
		path, key string
		body      []byte
	}
	var mu sync.Mutex
	var got []received
	cwc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.URL.Path, r.URL.Query().Get("apikey"), b})
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer cwc.Close()
	eps := delivery.Endpoints{HouseURL: cwc.URL, HouseKey: "test-key"}
	wakes := make(chan struct{}, 1)
	e := newEnv(t, letterFlow(func(d *LetterDeps) {
		d.Route = func(m advocacy.Member) (string, advocacy.Channel) {
			return advocacy.OfficeCode(m), delivery.ChannelFor(m.Chamber, eps)
		}
		d.Wake = func() { delivery.Notify(wakes) }
	}))

	id := e.sendOne(t, validForm(e.formToken(t)))
	select {
	case <-wakes:
	default:
		t.Error("the outbox worker was not woken after the letter was stored")
	}
	if n := e.count(t, "SELECT count(*) FROM deliveries WHERE channel = 'cwc'"); n != 1 {
		t.Fatalf("CWC deliveries = %d, want the House office only", n)
	}
	d := mustDoc(t, e.get(t, "/letters/"+id, false))
	queued := d.Find(`[data-testid="delivery"][data-channel="cwc"]`)
	if !strings.Contains(queued.Find(`[data-testid="delivery-status"]`).Text(), "Queued.") || queued.Find(`[data-testid="assisted"]`).Length() != 0 {
		t.Errorf("queued CWC card: %q", queued.Text())
	}
	if rec := e.post(t, "/letters/"+id+"/deliveries/"+strings.TrimPrefix(queued.AttrOr("id", ""), "delivery-")+"/confirm",
		map[string][]string{"channel": {"phone"}}, false); rec.Code != http.StatusConflict {
		t.Errorf("confirming a CWC delivery in progress: %d", rec.Code)
	}

	w := &delivery.Worker{
		Store: e.letters, Client: cwc.Client(), Endpoints: eps, Clock: e.clock.Now,
		Agent: delivery.Agent{Name: "Whipcount Test", AckEmail: "ack@whipcount.example",
			ContactName: "Test Operator", ContactEmail: "ops@whipcount.example", ContactPhone: "202-555-0100"},
	}
	n, err := w.RunOnce(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].path != "/v2/message" || got[0].key != "test-key" {
		t.Fatalf("CWC received %d requests: %+v", len(got), got)
	}
	var msg delivery.CWCMessage
	if err := xml.Unmarshal(got[0].body, &msg); err != nil {
		t.Fatalf("CWC body is not XML: %v", err)
	}
	if err := delivery.ValidateCWC(msg); err != nil {
		t.Errorf("CWC body is not valid: %v", err)
	}
	var deliveryID string
	if err := e.db.R.QueryRow("SELECT delivery_id FROM deliveries WHERE channel = 'cwc'").Scan(&deliveryID); err != nil {
		t.Fatal(err)
	}
	if msg.Recipient.MemberOffice != "HNY10" || msg.Delivery.DeliveryID != deliveryID {
		t.Errorf("MemberOffice %q DeliveryId %q, want HNY10 %q", msg.Recipient.MemberOffice, msg.Delivery.DeliveryID, deliveryID)
	}
	if msg.Delivery.CampaignID != "whipcount-jackson-vanik-119" || msg.Message.Bills == nil || len(msg.Message.Bills.Bill) != 1 || msg.Message.Bills.Bill[0].Number != 5917 {
		t.Errorf("campaign %q, bills %+v", msg.Delivery.CampaignID, msg.Message.Bills)
	}
	if !strings.Contains(msg.Message.OrganizationStatement, "Dear Representative Goldman,") ||
		!strings.Contains(msg.Message.ConstituentMessage, "Orchard Street") || msg.Constituent.Phone != "212-555-0134" {
		t.Error("the message lacks the template, the constituent's words or their phone")
	}

	d = mustDoc(t, e.get(t, "/letters/"+id, false))
	sent := d.Find(`[data-testid="delivery"][data-channel="cwc"]`)
	if sent.AttrOr("data-status", "") != "sent" || !strings.Contains(sent.Text(), "accepted it") {
		t.Errorf("after delivery: %q", sent.Find(`[data-testid="delivery-status"]`).Text())
	}
}
