package delivery

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/standin"
)

// testMail is a message as the letter service writes one: a subject and a
// plain text with characters beyond ASCII and lines of its own.
const (
	testSubject = "Your letter to Congress: Repeal Jackson-Vanik for Central Asia"
	testText    = "Dear Dr. Łukasiewicz,\n\nThank you for writing to your members of Congress about \"Repeal Jackson-Vanik for Central Asia\".\n" +
		"\n----------------------------------------\nTo: Representative Jerrold Nadler\nSubject: Please cosponsor H.R. 5917\n\n" +
		"In your own words, sent with each letter:\n\nMy company ships machine parts to Almaty.\n\nFrom: Dr. Zoë Łukasiewicz\n"
)

func TestSendThroughSMTP(t *testing.T) {
	tests := []struct {
		name     string
		users    map[string]string
		user     string
		wantAuth string
		wantErr  string
	}{
		{name: "no auth"},
		{name: "server offers auth but no username", users: map[string]string{"mailer": "s3cret"}},
		{name: "plain auth", users: map[string]string{"mailer": "s3cret"}, user: "mailer", wantAuth: "mailer"},
		{name: "username but no auth offered", user: "mailer", wantErr: "tls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := standin.NewSMTP(t, standin.SMTPOptions{Users: tc.users})
			m := &Mailer{
				Addr: srv.Addr, From: "Whipcount <letters@whipcount.example.org>",
				Username: tc.user, Password: "s3cret", Timeout: 5 * time.Second,
				Clock: func() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) },
			}
			err := m.Send(context.Background(), "zoe@example.com", testSubject, testText)
			if tc.wantErr != "" {
				var me *MailError
				if !errors.As(err, &me) || me.MailStage() != tc.wantErr {
					t.Fatalf("error %v, want stage %q", err, tc.wantErr)
				}
				if n := len(srv.Mails()); n != 0 {
					t.Fatal("a message was sent anyway")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Mails()
			if len(got) != 1 {
				t.Fatalf("%d messages", len(got))
			}
			s := got[0]
			if s.AuthUser != tc.wantAuth || s.From != "letters@whipcount.example.org" ||
				len(s.To) != 1 || s.To[0] != "zoe@example.com" {
				t.Fatalf("session = %+v", s)
			}
			h := s.Header()
			if s.Subject() != testSubject || h.Get("To") != "<zoe@example.com>" ||
				h.Get("From") != `"Whipcount" <letters@whipcount.example.org>` ||
				h.Get("Date") != "Mon, 02 Mar 2026 15:04:05 +0000" ||
				h.Get("Mime-Version") != "1.0" ||
				!strings.HasPrefix(h.Get("Content-Type"), "text/plain; charset=UTF-8") ||
				h.Get("Content-Transfer-Encoding") != "quoted-printable" {
				t.Fatalf("headers = %v", h)
			}
			if !regexp.MustCompile(`^<[0-9a-f]{32}@whipcount\.example\.org>$`).MatchString(h.Get("Message-Id")) {
				t.Errorf("Message-ID = %q", h.Get("Message-Id"))
			}
			if want := testText; s.Text() != want {
				t.Fatalf("body =\n%q\nwant\n%q", s.Text(), want)
			}
		})
	}
}

// TestSendRequiresTLSExceptLocally: to a server elsewhere the password and
// the letter travel only over TLS; a local relay may speak plain SMTP.
func TestSendRequiresTLSExceptLocally(t *testing.T) {
	remote := func(srv *standin.SMTP) func(ctx context.Context, network, _ string) (net.Conn, error) {
		return func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Addr)
		}
	}
	send := func(m *Mailer) error {
		return m.Send(context.Background(), "zoe@example.com", "Hello", "Text")
	}
	users := map[string]string{"mailer": "s3cret"}

	// A remote server that offers no STARTTLS gets nothing, not even the
	// password.
	plain := standin.NewSMTP(t, standin.SMTPOptions{Users: users})
	m := &Mailer{Addr: standin.SMTPHost + ":587", From: "letters@whipcount.example.org", Username: "mailer", Password: "s3cret",
		Timeout: 5 * time.Second, DialContext: remote(plain)}
	var me *MailError
	if err := send(m); !errors.As(err, &me) || me.MailStage() != "tls" {
		t.Fatalf("remote server without STARTTLS: %v", err)
	}
	if len(plain.Mails()) != 0 {
		t.Fatal("mail went out in the clear")
	}

	// With STARTTLS and a certificate that checks out, it goes encrypted.
	secure := standin.NewSMTP(t, standin.SMTPOptions{StartTLS: true, Users: users})
	m = &Mailer{Addr: standin.SMTPHost + ":587", From: "letters@whipcount.example.org", Username: "mailer", Password: "s3cret",
		Timeout: 5 * time.Second, DialContext: remote(secure), TLSConfig: secure.ClientTLS(standin.SMTPHost)}
	if err := send(m); err != nil {
		t.Fatal(err)
	}
	if got := secure.Mails(); len(got) != 1 || !got[0].TLS || got[0].AuthUser != "mailer" {
		t.Fatalf("mail over STARTTLS: %+v", got)
	}

	// A certificate that is not trusted stops it.
	m.TLSConfig = nil
	if err := send(m); !errors.As(err, &me) || me.MailStage() != "tls" {
		t.Fatalf("untrusted certificate: %v", err)
	}

	// To this machine, plain SMTP is allowed, and STARTTLS still used
	// when offered.
	m = &Mailer{Addr: plain.Addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second}
	if err := send(m); err != nil || len(plain.Mails()) != 1 || plain.Mails()[0].TLS {
		t.Fatalf("local plain relay: %v %+v", err, plain.Mails())
	}
	m = &Mailer{Addr: secure.Addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second, TLSConfig: secure.ClientTLS("127.0.0.1")}
	if err := send(m); err != nil || !secure.Mails()[1].TLS {
		t.Fatalf("local relay with STARTTLS: %v", err)
	}
}

// TestSendFailuresAreClassified: each way a send can fail has its stage,
// for logs that never quote the server.
func TestSendFailuresAreClassified(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	hang := standin.NewSMTP(t, standin.SMTPOptions{Hang: true})
	reject := standin.NewSMTP(t, standin.SMTPOptions{RejectRcpt: true})
	auth := standin.NewSMTP(t, standin.SMTPOptions{Users: map[string]string{"mailer": "s3cret"}})
	tests := []struct {
		name string
		m    Mailer
		want string
	}{
		{"nothing listening", Mailer{Addr: closed}, "connect"},
		{"server never answers", Mailer{Addr: hang.Addr, Timeout: 200 * time.Millisecond}, "timeout"},
		{"recipient refused", Mailer{Addr: reject.Addr}, "rejected"},
		{"wrong password", Mailer{Addr: auth.Addr, Username: "mailer", Password: "wrong"}, "auth"},
		{"bad sender", Mailer{Addr: auth.Addr, From: "not an address"}, "address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			if m.From == "" {
				m.From = "letters@whipcount.example.org"
			}
			if m.Timeout == 0 {
				m.Timeout = 5 * time.Second
			}
			err := m.Send(context.Background(), "zoe@example.com", "Hello", "Text")
			var me *MailError
			if !errors.As(err, &me) || me.MailStage() != tc.want {
				t.Fatalf("error %v, want stage %q", err, tc.want)
			}
		})
	}
}

func TestSendRefusesBadAddresses(t *testing.T) {
	srv := standin.NewSMTP(t, standin.SMTPOptions{})
	m := &Mailer{Addr: srv.Addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second}
	ctx := context.Background()
	for _, tc := range []struct {
		name, from, to, subject string
	}{
		{"header injection through the recipient", m.From, "victim@example.com\r\nBcc: all@example.com", "Hi"},
		{"header injection through the subject", m.From, "a@example.com", "Hi\r\nBcc: all@example.com"},
		{"bad sender", "not an address", "a@example.com", "Hi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mailer := &Mailer{Addr: srv.Addr, From: tc.from, Timeout: 5 * time.Second}
			if err := mailer.Send(ctx, tc.to, tc.subject, "x"); err == nil {
				t.Errorf("%s accepted", tc.name)
			}
		})
	}
	if n := len(srv.Mails()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// A message whose lines start with dots and run long survives SMTP's dot
// stuffing and quoted-printable's line limit.
func TestSendLongLinesAndDots(t *testing.T) {
	srv := standin.NewSMTP(t, standin.SMTPOptions{})
	m := &Mailer{Addr: srv.Addr, From: "letters@whipcount.example.org", Timeout: 5 * time.Second,
		Clock: func() time.Time { return time.Unix(0, 0) }}
	body := ".\n..leading dots\n" + strings.Repeat("long line ", 40) + "\nend"
	if err := m.Send(context.Background(), "a@example.com", "Test", body); err != nil {
		t.Fatal(err)
	}
	s := srv.Mails()[0]
	for _, line := range strings.Split(string(s.Data), "\n") {
		if len(line) > 78 {
			t.Fatalf("line of %d bytes on the wire", len(line))
		}
	}
	if got := strings.TrimSuffix(s.Text(), "\n"); got != body {
		t.Fatalf("body = %q", got)
	}
}
