package standin

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPHost is a name, besides localhost and 127.0.0.1, that the SMTP
// stand-in's certificate is valid for: tests that dial the stand-in under
// this name see a mail server that is not on this machine.
const SMTPHost = "smtp.standin.test"

// SMTPOptions shape how the SMTP stand-in behaves.
type SMTPOptions struct {
	// StartTLS offers STARTTLS with a certificate for localhost, 127.0.0.1
	// and SMTPHost (see SMTP.ClientTLS).
	StartTLS bool
	// Users are the accepted AUTH PLAIN credentials; AUTH is offered only
	// when there are some.
	Users map[string]string
	// Hang accepts connections and then says nothing, like a server that
	// stopped answering.
	Hang bool
	// RejectRcpt answers every RCPT TO with a permanent failure.
	RejectRcpt bool
}

// Mail is one message the SMTP stand-in accepted.
type Mail struct {
	From string
	To   []string
	// Data is the message as sent after DATA (headers and encoded body).
	Data []byte
	// TLS says the message came over a connection upgraded with STARTTLS.
	TLS bool
	// AuthUser is the user that authenticated, or "".
	AuthUser string
}

// Header parses the message's header.
func (m Mail) Header() mail.Header {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return mail.Header{}
	}
	return msg.Header
}

// Subject is the decoded Subject header.
func (m Mail) Subject() string {
	s := m.Header().Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// Text is the message's body, decoded from its transfer encoding, with
// CRLF line ends turned into LF.
func (m Mail) Text() string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return ""
	}
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, _ := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// SMTP is a mail server on loopback that speaks enough ESMTP for a mail
// client (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
// and keeps every message it accepts.
type SMTP struct {
	// Addr is host:port of the listener, on 127.0.0.1.
	Addr string

	opts    SMTPOptions
	ln      net.Listener
	tlsCert tls.Certificate
	pool    *x509.CertPool

	mu       sync.Mutex
	mails    []Mail
	arrived  chan struct{}
	sessions int
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
}

// NewSMTP starts an SMTP stand-in; it stops when the test ends.
func NewSMTP(t testing.TB, opts SMTPOptions) *SMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{Addr: ln.Addr().String(), opts: opts, ln: ln, arrived: make(chan struct{}, 64), conns: map[net.Conn]bool{}}
	if opts.StartTLS {
		if s.tlsCert, s.pool, err = selfSigned(); err != nil {
			ln.Close()
			t.Fatal(err)
		}
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and ends every open conversation.
func (s *SMTP) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// ClientTLS is a TLS configuration that trusts the stand-in's certificate,
// for a client that names the server serverName.
func (s *SMTP) ClientTLS(serverName string) *tls.Config {
	return &tls.Config{RootCAs: s.pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
}

// Mails returns the messages accepted so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Sessions counts the connections the server has taken.
func (s *SMTP) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// WaitMails waits until at least n messages arrived and returns them; it
// fails the test if they have not within the deadline (a bound on failure,
// not a wait the test relies on).
func (s *SMTP) WaitMails(t testing.TB, n int, deadline time.Duration) []Mail {
	t.Helper()
	end := time.After(deadline)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-end:
			t.Fatalf("SMTP stand-in: %d of %d messages arrived", len(s.Mails()), n)
			return nil
		}
	}
}

func (s *SMTP) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.sessions++
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			if s.opts.Hang {
				_, _ = io.Copy(io.Discard, c)
				return
			}
			s.converse(c)
		}()
	}
}

// session is one SMTP conversation's state.
type session struct {
	s    *SMTP
	conn net.Conn
	r    *bufio.Reader
	tls  bool
	user string
	from string
	to   []string
}

func (ss *session) reply(format string, args ...any) {
	fmt.Fprintf(ss.conn, format+"\r\n", args...)
}

func (s *SMTP) converse(c net.Conn) {
	ss := &session{s: s, conn: c, r: bufio.NewReader(c)}
	ss.reply("220 standin ESMTP ready")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ss.from, ss.to = "", nil
			ext := []string{"standin greets " + arg, "8BITMIME", "SMTPUTF8", "SIZE 10485760"}
			if s.opts.StartTLS && !ss.tls {
				ext = append(ext, "STARTTLS")
			}
			if len(s.opts.Users) > 0 {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				ss.reply("250%s%s", sep, e)
			}
		case "STARTTLS":
			if !s.opts.StartTLS || ss.tls {
				ss.reply("502 5.5.1 STARTTLS not offered")
				continue
			}
			ss.reply("220 2.0.0 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.tlsCert}, MinVersion: tls.VersionTLS12})
			if err := tc.Handshake(); err != nil {
				return
			}
			ss.conn, ss.r, ss.tls = tc, bufio.NewReader(tc), true
			ss.from, ss.to, ss.user = "", nil, ""
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			ss.from = addrArg(arg)
			ss.to = nil
			ss.reply("250 2.1.0 ok")
		case "RCPT":
			if ss.from == "" {
				ss.reply("503 5.5.1 MAIL first")
				continue
			}
			if s.opts.RejectRcpt {
				ss.reply("550 5.1.1 no such mailbox")
				continue
			}
			ss.to = append(ss.to, addrArg(arg))
			ss.reply("250 2.1.5 ok")
		case "DATA":
			if len(ss.to) == 0 {
				ss.reply("503 5.5.1 RCPT first")
				continue
			}
			ss.reply("354 end with <CRLF>.<CRLF>")
			data, err := readData(ss.r)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.mails = append(s.mails, Mail{From: ss.from, To: ss.to, Data: data, TLS: ss.tls, AuthUser: ss.user})
			s.mu.Unlock()
			select {
			case s.arrived <- struct{}{}:
			default:
			}
			ss.from, ss.to = "", nil
			ss.reply("250 2.0.0 queued")
		case "RSET":
			ss.from, ss.to = "", nil
			ss.reply("250 2.0.0 ok")
		case "NOOP":
			ss.reply("250 2.0.0 ok")
		case "QUIT":
			ss.reply("221 2.0.0 bye")
			return
		default:
			ss.reply("502 5.5.2 command not recognised")
		}
	}
}

// auth handles AUTH PLAIN, with the credentials on the same line or the
// next.
func (ss *session) auth(arg string) {
	mech, resp, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") || len(ss.s.opts.Users) == 0 {
		ss.reply("504 5.5.4 mechanism not supported")
		return
	}
	if resp == "" {
		ss.reply("334 ")
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		resp = strings.TrimRight(line, "\r\n")
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 {
		ss.reply("501 5.5.2 malformed credentials")
		return
	}
	if pw, ok := ss.s.opts.Users[parts[1]]; !ok || pw != parts[2] {
		ss.reply("535 5.7.8 authentication failed")
		return
	}
	ss.user = parts[1]
	ss.reply("235 2.7.0 authenticated")
}

// addrArg takes the address out of "FROM:<a@b> SIZE=..." or "TO:<a@b>".
func addrArg(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	addr, _, _ := strings.Cut(rest, " ")
	return addr
}

// readData reads a DATA section up to the lone dot, undoing dot-stuffing.
func readData(r *bufio.Reader) ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.Bytes(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// selfSigned makes a short-lived certificate for the stand-in and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "standin"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              []string{"localhost", SMTPHost},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}
