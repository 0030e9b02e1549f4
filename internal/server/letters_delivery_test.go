package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/delivery"
)

// mailSession is one message the test SMTP server received.
type mailSession struct {
	From string
	Rcpt []string
	Data []byte
}

// startTestSMTP runs a minimal SMTP server on 127.0.0.1, enough for
// net/smtp without TLS or AUTH: greeting, EHLO/HELO, MAIL, RCPT, DATA,
// RSET, NOOP and QUIT. Each message is sent on the returned channel.
func startTestSMTP(t *testing.T) (addr string, msgs <-chan mailSession) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan mailSession, 8)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				serveTestSMTP(conn, out)
			}()
		}
	}()
	return ln.Addr().String(), out
}

func serveTestSMTP(conn net.Conn, out chan<- mailSession) {
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	var s mailSession
	tp.PrintfLine("220 test.local ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-test.local")
			tp.PrintfLine("250 8BITMIME")
		case "MAIL":
			s = mailSession{From: arg}
			tp.PrintfLine("250 ok")
		case "RCPT":
			s.Rcpt = append(s.Rcpt, arg)
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.Data = data
			out <- s
			tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func TestLetterReceipt(t *testing.T) {
	addr, msgs := startTestSMTP(t)
	e := newLetterEnv(t, func(d *LetterDeps) {
		d.Receipts = &delivery.Mailer{Addr: addr, From: "Whipcount <letters@whipcount.example>", Timeout: 10 * time.Second}
		d.BaseURL = "https://whipcount.example"
	})

	// Without the tick, no mail.
	noReceipt := validForm(e.formToken(t))
	noReceipt["recipients"] = []string{goldman}
	e.sendOne(t, noReceipt)

	form := with(validForm(e.formToken(t)), "email", "babbage@example.org")
	form.Set("receipt", "true")
	id := e.sendOne(t, form)

	var got mailSession
	select {
	case got = <-msgs:
	case <-time.After(20 * time.Second): // a failure deadline, not a wait
		t.Fatal("no receipt reached the SMTP server")
	}
	if err := e.srv.WaitBackground(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.Rcpt) != 1 || got.Rcpt[0] != "TO:<babbage@example.org>" {
		t.Errorf("RCPT = %v", got.Rcpt)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if subj := msg.Header.Get("Subject"); !strings.Contains(subj, "Your letter to Congress") {
		t.Errorf("subject %q", subj)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
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
	select {
	case extra := <-msgs:
		t.Errorf("unexpected second mail to %v", extra.Rcpt)
	default:
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
	e := newLetterEnv(t, func(d *LetterDeps) {
		d.Channel = func(ch advocacy.Chamber) advocacy.Channel { return delivery.ChannelFor(ch, eps) }
		d.Wake = func() { delivery.Notify(wakes) }
	})

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
	if !strings.Contains(queued.Find(`[data-testid="delivery-status"]`).Text(), "On its way") || queued.Find(`[data-testid="assisted"]`).Length() != 0 {
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
	if msg.Delivery.CampaignID != "whipcount-jackson-vanik-119" || len(msg.Message.Bills) != 1 || msg.Message.Bills[0].Number != 5917 {
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
