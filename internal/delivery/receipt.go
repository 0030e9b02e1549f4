package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Mailer sends plain-text mail through an SMTP server (WHIPCOUNT_SMTP_*). It
// upgrades to TLS with STARTTLS whenever the server offers it, and
// authenticates with PLAIN only when a username is set; net/smtp refuses
// PLAIN over an unencrypted connection except to localhost.
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
	// TLSConfig is used for STARTTLS; nil means verify the server's
	// certificate against the host of Addr.
	TLSConfig *tls.Config
}

// Send delivers one UTF-8 plain-text message to a single address.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("send mail: sender %q: %w", m.From, err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("send mail: bad recipient address: %w", err)
	}
	if strings.ContainsAny(subject, "\r\n") {
		return errors.New("send mail: subject contains a line break")
	}
	msg, err := m.compose(from, rcpt, subject, body)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}

	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("send mail: server address %q: %w", m.Addr, err)
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("send mail: connect: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Cancelling ctx interrupts a conversation stuck on the network.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("send mail: greeting: %w", err)
	}
	defer c.Close()
	hello := m.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("send mail: EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("send mail: STARTTLS: %w", err)
		}
	}
	if m.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("send mail: a username is set but the server offers no AUTH")
		}
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("send mail: AUTH: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("send mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("send mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("send mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("send mail: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("send mail: end message: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("send mail: QUIT: %w", err)
	}
	return nil
}

// compose writes the message: headers, then the body as quoted-printable
// UTF-8 with CRLF line ends. (The DATA writer ends the last line and
// dot-stuffs.)
func (m *Mailer) compose(from, to *mail.Address, subject, body string) ([]byte, error) {
	var b bytes.Buffer
	date := time.Now() // only when no clock was given
	if m.Clock != nil {
		date = m.Clock()
	}
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Receipt is what a constituent's receipt email reports.
type Receipt struct {
	Letter        advocacy.Letter // with its deliveries
	CampaignTitle string
	// Members names each recipient by bioguide ID, as it should read in the
	// mail ("Senator Kirsten E. Gillibrand"); a missing name falls back to
	// the office code.
	Members map[string]string
	// StatusURL is the letter's status page (with its unguessable token).
	StatusURL string
}

// ReceiptSubject is the receipt's subject line.
func ReceiptSubject(r Receipt) string {
	if r.CampaignTitle == "" {
		return "Your letter to Congress"
	}
	return "Your letter to Congress: " + r.CampaignTitle
}

// ReceiptText is the receipt's plain-text body: for each recipient, how and
// whether it is being delivered, the subject and the campaign text, then
// the constituent's own words, and the link to the status page.
func ReceiptText(r Receipt) string {
	l := r.Letter
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", strings.TrimSpace(l.Prefix+" "+l.LastName))
	if r.CampaignTitle != "" {
		fmt.Fprintf(&b, "Thank you for writing to your members of Congress about %q.\n", r.CampaignTitle)
	} else {
		b.WriteString("Thank you for writing to your members of Congress.\n")
	}
	b.WriteString("This is a copy of your letter and of what happens to it next.\n\n")
	if r.StatusURL != "" {
		fmt.Fprintf(&b, "Follow your letter here: %s\n", r.StatusURL)
		b.WriteString("Keep this link to yourself: anyone who has it can see your letter.\n")
		fmt.Fprintf(&b, "To delete your details from Whipcount at any time: %s/delete\n", r.StatusURL)
	}
	for _, d := range l.Deliveries {
		name := r.Members[d.BioguideID]
		if name == "" {
			name = "the office " + d.OfficeCode
		}
		b.WriteString("\n----------------------------------------\n")
		fmt.Fprintf(&b, "To: %s\n", name)
		fmt.Fprintf(&b, "Status: %s\n", receiptStatus(l, d))
		fmt.Fprintf(&b, "Subject: %s\n\n", d.Subject)
		b.WriteString(strings.TrimSpace(d.TemplateText))
		b.WriteString("\n")
	}
	if strings.TrimSpace(l.PersonalMessage) != "" {
		b.WriteString("\n----------------------------------------\n")
		b.WriteString("In your own words, sent with each letter:\n\n")
		b.WriteString(strings.TrimSpace(l.PersonalMessage))
		b.WriteString("\n")
	}
	b.WriteString("\n----------------------------------------\n")
	fmt.Fprintf(&b, "From: %s %s %s\n%s\n", l.Prefix, l.FirstName, l.LastName, l.Address1)
	if l.Address2 != "" {
		fmt.Fprintf(&b, "%s\n", l.Address2)
	}
	fmt.Fprintf(&b, "%s, %s %s\n\n", l.City, l.State, l.Zip)
	b.WriteString("You get this email because you asked for a copy when you sent your letter.\n")
	return b.String()
}

// receiptStatus says in plain words where a copy stands when the receipt
// is written.
func receiptStatus(l advocacy.Letter, d advocacy.Delivery) string {
	chamber := "House"
	if d.Chamber == advocacy.Senate {
		chamber = "Senate"
	}
	switch advocacy.StateOf(l, d, false) {
	case advocacy.CopySent:
		if d.Status == advocacy.DeliveryDelivered {
			return "delivered to the office."
		}
		return "sent electronically to the office."
	case advocacy.CopyFailed:
		return "electronic delivery failed; you can still send it yourself from your letter's page."
	case advocacy.CopyYouSent:
		how := map[advocacy.Channel]string{
			advocacy.ChannelContactForm: "through the office's contact form",
			advocacy.ChannelPrint:       "by post",
			advocacy.ChannelPhone:       "by phone",
		}[d.Channel]
		return strings.TrimSpace("you sent it yourself " + how + ".")
	case advocacy.CopyRejected:
		return "not sent: the campaign decided not to send this letter."
	case advocacy.CopyAwaitingConfirmation:
		return "waiting for you: it goes out once you confirm your email address."
	case advocacy.CopyAwaitingCheck:
		return "not sent yet: it goes out electronically once the campaign has checked it."
	case advocacy.CopyHeld:
		return "held, not sent yet: electronic delivery to the " + chamber + " is paused while we fix a problem on our side. " +
			"It goes out as soon as it is fixed; you do not need to do anything."
	case advocacy.CopyQueued, advocacy.CopyRetrying:
		return "queued: we are sending it electronically through Communicating with Congress, usually within minutes."
	}
	return "not sent yet. This office takes letters only through its own contact form, by post or by phone: " +
		"your letter's page has the letter ready to copy, print or read out."
}

// SendReceipt emails r to the letter's sender.
func (m *Mailer) SendReceipt(ctx context.Context, r Receipt) error {
	if err := m.Send(ctx, r.Letter.Email, ReceiptSubject(r), ReceiptText(r)); err != nil {
		return fmt.Errorf("send receipt: %w", err)
	}
	return nil
}
