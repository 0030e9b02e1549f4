package delivery

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// smtpSession is what the test SMTP server received in one connection.
type smtpSession struct {
	Hello    string
	Auth     string // decoded AUTH PLAIN credentials
	From     string
	Rcpt     []string
	Data     []byte
	Commands []string
	Quit     bool
}

// startSMTP runs a minimal SMTP server on 127.0.0.1 that speaks enough of
// RFC 5321 for net/smtp: greeting, EHLO (optionally offering AUTH PLAIN),
// AUTH, MAIL, RCPT, DATA, RSET, NOOP and QUIT. Each finished session is sent
// on the returned channel.
func startSMTP(t *testing.T, offerAuth bool) (addr string, sessions <-chan smtpSession) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan smtpSession, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				out <- serveSMTP(conn, offerAuth)
			}()
		}
	}()
	return ln.Addr().String(), out
}

func serveSMTP(conn net.Conn, offerAuth bool) smtpSession {
	var s smtpSession
	tp := textproto.NewConn(conn)
	reply := func(line string) { tp.PrintfLine("%s", line) }
	reply("220 test.local ESMTP ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return s
		}
		s.Commands = append(s.Commands, strings.SplitN(line, " ", 2)[0])
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := ""
		if i := strings.IndexByte(line, ' '); i >= 0 {
			arg = line[i+1:]
		}
		switch verb {
		case "EHLO", "HELO":
			s.Hello = arg
			if offerAuth {
				reply("250-test.local")
				reply("250-8BITMIME")
				reply("250 AUTH PLAIN")
			} else {
				reply("250-test.local")
				reply("250 8BITMIME")
			}
		case "AUTH":
			parts := strings.Fields(arg)
			if len(parts) != 2 || parts[0] != "PLAIN" {
				reply("504 unsupported")
				continue
			}
			b, _ := base64.StdEncoding.DecodeString(parts[1])
			s.Auth = string(b)
			reply("235 2.7.0 accepted")
		case "MAIL":
			s.From = arg
			reply("250 2.1.0 ok")
		case "RCPT":
			s.Rcpt = append(s.Rcpt, arg)
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return s
			}
			s.Data = data
			reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			s.Quit = true
			reply("221 2.0.0 bye")
			return s
		default:
			reply("502 not implemented")
		}
	}
}

func testReceipt() Receipt {
	created := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	return Receipt{
		CampaignTitle: "Repeal Jackson-Vanik for Central Asia",
		StatusURL:     "https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA",
		Members: map[string]string{
			"N000002": "Representative Jerrold Nadler",
			"S000148": "Senator Charles E. Schumer",
		},
		Letter: advocacy.Letter{
			PublicID: "AAAAAAAAAAAAAAAAAAAAAA", Prefix: "Dr.", FirstName: "Zoë", LastName: "Łukasiewicz",
			Address1: "1 Riverside Dr", City: "New York", State: "NY", Zip: "10025", Email: "zoe@example.com",
			PersonalMessage: "My company ships machine parts to Almaty.\nA permanent status would let us plan.",
			CreatedAt:       created,
			Deliveries: []advocacy.Delivery{
				{BioguideID: "N000002", OfficeCode: "HNY12", Channel: advocacy.ChannelCWC, Status: advocacy.DeliveryQueued,
					Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative Jerrold Nadler,\n\nPlease cosponsor H.R. 5917."},
				{BioguideID: "S000148", OfficeCode: "SNY01", Channel: advocacy.ChannelAssisted, Status: advocacy.DeliveryQueued,
					Subject: "Please cosponsor S. 3103", TemplateText: "Dear Senator Charles E. Schumer,\n\nPlease cosponsor S. 3103."},
				{BioguideID: "G000555", OfficeCode: "SNY02", Channel: advocacy.ChannelPhone, Status: advocacy.DeliveryConfirmedByUser,
					Subject: "Thank you", TemplateText: "Thank you."},
			},
		},
	}
}

func TestReceiptText(t *testing.T) {
	text := ReceiptText(testReceipt())
	for _, want := range []string{
		"Dear Dr. Łukasiewicz,",
		`about "Repeal Jackson-Vanik for Central Asia"`,
		"Follow your letter here: https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA",
		"To delete your details from Whipcount at any time: https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA/delete",
		"To: Representative Jerrold Nadler\nStatus: queued: we are sending it electronically",
		"Subject: Please cosponsor H.R. 5917\n\nDear Representative Jerrold Nadler,",
		"To: Senator Charles E. Schumer\nStatus: not sent yet.",
		"To: the office SNY02\nStatus: you sent it yourself by phone.",
		"In your own words, sent with each letter:\n\nMy company ships machine parts to Almaty.\nA permanent status",
		"From: Dr. Zoë Łukasiewicz\n1 Riverside Dr\nNew York, NY 10025",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	// Each copy as it really stands: a letter held for moderation is not
	// queued, and a held copy says why it waits.
	r := testReceipt()
	r.Letter.Status = advocacy.LetterHeld
	if text := ReceiptText(r); !strings.Contains(text, "To: Representative Jerrold Nadler\nStatus: not sent yet: it goes out electronically once the campaign has checked it.") {
		t.Errorf("receipt of a letter held for moderation:\n%s", text)
	}
	r = testReceipt()
	r.Letter.Deliveries[0].Status = advocacy.DeliveryHeld
	if text := ReceiptText(r); !strings.Contains(text, "Status: held, not sent yet: electronic delivery to the House is paused") {
		t.Errorf("receipt with a held copy:\n%s", text)
	}
	r = testReceipt()
	r.Letter.PersonalMessage = ""
	r.CampaignTitle = ""
	if text := ReceiptText(r); strings.Contains(text, "own words") || !strings.Contains(text, "Thank you for writing to your members of Congress.") {
		t.Errorf("receipt without personal message or title:\n%s", text)
	}
	if ReceiptSubject(testReceipt()) != "Your letter to Congress: Repeal Jackson-Vanik for Central Asia" {
		t.Error(ReceiptSubject(testReceipt()))
	}
}

func TestSendReceiptThroughSMTP(t *testing.T) {
	tests := []struct {
		name      string
		offerAuth bool
		user      string
		wantAuth  string
		wantErr   bool
	}{
		{name: "no auth", offerAuth: false},
		{name: "server offers auth but no username", offerAuth: true},
		{name: "plain auth", offerAuth: true, user: "mailer", wantAuth: "\x00mailer\x00s3cret"},
		{name: "username but no auth offered", offerAuth: false, user: "mailer", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, sessions := startSMTP(t, tc.offerAuth)
			m := &Mailer{
				Addr: addr, From: "Whipcount <letters@whipcount.example.org>",
				Username: tc.user, Password: "s3cret", Timeout: 5 * time.Second,
				Clock: func() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) },
			}
			r := testReceipt()
			err := m.SendReceipt(context.Background(), r)
			s := <-sessions
			if tc.wantErr {
				if err == nil {
					t.Fatal("want error")
				}
				if s.Data != nil {
					t.Fatal("a message was sent anyway")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Auth != tc.wantAuth || !strings.HasPrefix(s.From, "FROM:<letters@whipcount.example.org>") ||
				len(s.Rcpt) != 1 || s.Rcpt[0] != "TO:<zoe@example.com>" || !s.Quit || s.Hello != "localhost" {
				t.Fatalf("session = %+v", s)
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(s.Data)))
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if subj != ReceiptSubject(r) || h.Get("To") != "<zoe@example.com>" ||
				h.Get("From") != `"Whipcount" <letters@whipcount.example.org>` ||
				h.Get("Date") != "Mon, 02 Mar 2026 15:04:05 +0000" ||
				h.Get("Content-Type") != "text/plain; charset=UTF-8" ||
				h.Get("Content-Transfer-Encoding") != "quoted-printable" {
				t.Fatalf("headers = %v", h)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatal(err)
			}
			// The test server's dot reader turns CRLF back into LF.
			if want := ReceiptText(r); string(body) != want {
				t.Fatalf("body =\n%q\nwant\n%q", body, want)
			}
		})
	}
}

func TestSendRefusesBadAddresses(t *testing.T) {
	addr, _ := startSMTP(t, false)
	m := &Mailer{Addr: addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second}
	ctx := context.Background()
	if err := m.Send(ctx, "victim@example.com\r\nBcc: all@example.com", "Hi", "x"); err == nil {
		t.Error("header injection through the recipient accepted")
	}
	if err := m.Send(ctx, "a@example.com", "Hi\r\nBcc: all@example.com", "x"); err == nil {
		t.Error("header injection through the subject accepted")
	}
	bad := &Mailer{Addr: addr, From: "not an address", Timeout: 5 * time.Second}
	if err := bad.Send(ctx, "a@example.com", "Hi", "x"); err == nil {
		t.Error("bad sender accepted")
	}
}

// A message whose lines start with dots and run long survives SMTP's dot
// stuffing and quoted-printable's line limit.
func TestSendLongLinesAndDots(t *testing.T) {
	addr, sessions := startSMTP(t, false)
	m := &Mailer{Addr: addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second,
		Clock: func() time.Time { return time.Unix(0, 0) }}
	body := ".\n..leading dots\n" + strings.Repeat("long line ", 40) + "\nend"
	if err := m.Send(context.Background(), "a@example.com", "Test", body); err != nil {
		t.Fatal(err)
	}
	s := <-sessions
	for _, line := range strings.Split(string(s.Data), "\n") {
		if len(line) > 78 {
			t.Fatalf("line of %d bytes on the wire", len(line))
		}
	}
	msg, err := mail.ReadMessage(bufio.NewReader(strings.NewReader(string(s.Data))))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if string(got) != body+"\n" {
		t.Fatalf("body = %q", got)
	}
}
