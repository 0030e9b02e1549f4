package delivery

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	stdmail "net/mail"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Mailer sends plain-text mail through an SMTP server (WHIPCOUNT_SMTP_*)
// with github.com/wneessen/go-mail. The connection must be encrypted, with
// STARTTLS or (on port 465) implicit TLS, unless the server is on this
// machine (localhost, 127.0.0.0/8, ::1), where a local relay often speaks
// plain SMTP. It authenticates with PLAIN only when a username is set.
type Mailer struct {
	Addr     string // host:port
	From     string // "Whipcount <letters@example.org>" or a bare address
	Username string
	Password string
	// Timeout bounds the whole conversation. Default 30 s.
	Timeout time.Duration
	// Clock dates the message.
	Clock func() time.Time
	// Hello is the name sent with EHLO. Default "localhost".
	Hello string
	// TLSConfig is used for TLS; nil means verify the server's certificate
	// against the host of Addr.
	TLSConfig *tls.Config
	// DialContext replaces the network dialer (tests reach a stand-in
	// under another host name); nil dials Addr.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// MailError is a failed send, classified for logs that must not quote the
// server (its answers can echo the recipient's address). It satisfies
// advocacy.MailFailure.
type MailError struct {
	// Stage is where the conversation failed: "address" (a malformed
	// sender or recipient), "timeout", "connect", "tls" (no STARTTLS to a
	// remote server, or its certificate was not trusted), "auth",
	// "rejected" (the server refused the sender or recipient) or "smtp".
	Stage string
	Err   error
}

var _ advocacy.MailFailure = (*MailError)(nil)

func (e *MailError) Error() string { return "send mail: " + e.Stage + ": " + e.Err.Error() }
func (e *MailError) Unwrap() error { return e.Err }

// MailStage is the failure's class, safe to log (see advocacy.MailFailure).
func (e *MailError) MailStage() string { return e.Stage }

// localHost reports whether host is this machine.
func localHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers one UTF-8 plain-text message to a single address.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	from, err := stdmail.ParseAddress(m.From)
	if err != nil {
		return &MailError{Stage: "address", Err: fmt.Errorf("sender %q: %w", m.From, err)}
	}
	rcpt, err := stdmail.ParseAddress(to)
	if err != nil {
		return &MailError{Stage: "address", Err: fmt.Errorf("bad recipient address: %w", err)}
	}
	if strings.ContainsAny(subject, "\r\n") {
		return &MailError{Stage: "address", Err: errors.New("subject contains a line break")}
	}
	host, portText, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return &MailError{Stage: "connect", Err: fmt.Errorf("server address %q: %w", m.Addr, err)}
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return &MailError{Stage: "connect", Err: fmt.Errorf("server port %q: %w", portText, err)}
	}
	msg, err := m.message(from, rcpt, subject, body)
	if err != nil {
		return &MailError{Stage: "address", Err: err}
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client, err := m.client(ctx, host, port, timeout)
	if err != nil {
		return &MailError{Stage: "connect", Err: err}
	}
	if err := client.DialWithContext(ctx); err != nil {
		return &MailError{Stage: dialStage(ctx, err), Err: err}
	}
	defer client.Close()
	if err := client.Send(msg); err != nil {
		stage := "smtp"
		var se *gomail.SendError
		switch {
		case ctx.Err() != nil:
			stage = "timeout"
		case errors.As(err, &se) && (se.Reason == gomail.ErrSMTPMailFrom || se.Reason == gomail.ErrSMTPRcptTo):
			stage = "rejected"
		}
		return &MailError{Stage: stage, Err: err}
	}
	return nil
}

// client is the go-mail client for one conversation.
// The connection is closed when ctx ends, so the time-out bounds the whole
// conversation, a server that stops answering included.
func (m *Mailer) client(ctx context.Context, host string, port int, timeout time.Duration) (*gomail.Client, error) {
	cfg := m.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	hello := m.Hello
	if hello == "" {
		hello = "localhost"
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTLSConfig(cfg), gomail.WithHELO(hello),
		gomail.WithTimeout(timeout),
		gomail.WithDialContextFunc(func(dctx context.Context, network, addr string) (net.Conn, error) {
			dial := m.DialContext
			if dial == nil {
				var d net.Dialer
				dial = d.DialContext
			}
			conn, err := dial(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { conn.Close() })
			return conn, nil
		})}
	switch {
	case port == 465:
		opts = append(opts, gomail.WithSSL())
	case localHost(host):
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(m.Username), gomail.WithPassword(m.Password))
	}
	return gomail.NewClient(host, opts...)
}

// dialStage classifies a failure to connect, greet, start TLS or
// authenticate by the error's type, never by its text.
func dialStage(ctx context.Context, err error) string {
	var (
		op       *net.OpError
		proto    *textproto.Error
		verify   *tls.CertificateVerificationError
		header   tls.RecordHeaderError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
	)
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.As(err, &verify), errors.As(err, &header), errors.As(err, &hostname), errors.As(err, &unknown):
		return "tls"
	case errors.As(err, &proto) && proto.Code >= 530 && proto.Code <= 539:
		return "auth"
	case errors.As(err, &op) && op.Op == "dial":
		return "connect"
	case errors.As(err, &proto):
		return "smtp"
	}
	// What is left is go-mail's own refusal: no STARTTLS offered by a
	// remote server, or no PLAIN to authenticate with.
	return "tls"
}

// message builds the MIME message: a Message-ID in the sender's domain, the
// date from the clock, and the text as quoted-printable UTF-8.
func (m *Mailer) message(from, to *stdmail.Address, subject, body string) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	// Only the address: a display name would be text the sender typed.
	msg.ToMailAddress(&stdmail.Address{Address: to.Address})
	msg.Subject(subject)
	date := time.Now() // only when no clock was given
	if m.Clock != nil {
		date = m.Clock()
	}
	msg.SetDateWithValue(date)
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("message id: %w", err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	msg.SetMessageIDWithValue(hex.EncodeToString(id) + "@" + domain)
	msg.SetBodyString(gomail.TypeTextPlain, strings.ReplaceAll(body, "\r\n", "\n"))
	return msg, nil
}
