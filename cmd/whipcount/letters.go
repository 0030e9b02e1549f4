package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/delivery"
	"github.com/whipcount/whipcount/internal/server"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// letterConfig is how letters leave Whipcount: the CWC endpoints and the
// delivery agent that signs the messages, the SMTP server for receipts,
// and the site's public address for links in them.
type letterConfig struct {
	cwc     delivery.Endpoints
	agent   delivery.Agent
	smtp    delivery.Mailer
	baseURL string
	// lease is how long a claimed delivery stays with the worker that took
	// it; after a crash it becomes claimable again when the lease ends.
	lease time.Duration
	// timeout bounds one POST to CWC.
	timeout time.Duration
}

// letterFlags declares the letter flags on fs. Each also reads its
// WHIPCOUNT_* variable (-cwc-url is WHIPCOUNT_CWC_URL): keys and passwords
// belong in the environment, not on the command line.
func letterFlags(fs *flag.FlagSet) *letterConfig {
	c := &letterConfig{}
	fs.StringVar(&c.cwc.HouseURL, "cwc-url", "", "House CWC base `URL`; CWC delivery is off without it and -cwc-key")
	fs.StringVar(&c.cwc.HouseKey, "cwc-key", "", "House CWC API `KEY` (use WHIPCOUNT_CWC_KEY)")
	fs.StringVar(&c.cwc.SenateURL, "cwc-senate-url", "", "Senate CWC base `URL`; off without it and -cwc-senate-key")
	fs.StringVar(&c.cwc.SenateKey, "cwc-senate-key", "", "Senate CWC API `KEY` (use WHIPCOUNT_CWC_SENATE_KEY)")
	fs.StringVar(&c.agent.Name, "cwc-agent", "", "CWC DeliveryAgent: the `NAME` of the API key's owner")
	fs.StringVar(&c.agent.AckEmail, "cwc-agent-email", "", "CWC DeliveryAgentAckEmailAddress: where offices acknowledge messages")
	fs.StringVar(&c.agent.ContactName, "cwc-contact-name", "", "the delivery agent's contact person")
	fs.StringVar(&c.agent.ContactEmail, "cwc-contact-email", "", "the delivery agent's contact email")
	fs.StringVar(&c.agent.ContactPhone, "cwc-contact-phone", "", "the delivery agent's contact phone, xxx-xxx-xxxx")
	fs.StringVar(&c.agent.Organization, "cwc-organization", "", "optional sponsoring organization named in CWC messages")
	fs.StringVar(&c.smtp.Addr, "smtp-addr", "", "SMTP server `HOST:PORT` for receipts; receipts are off when empty")
	fs.StringVar(&c.smtp.From, "smtp-from", "", "sender of receipts, like \"Whipcount <letters@example.org>\"")
	fs.StringVar(&c.smtp.Username, "smtp-username", "", "SMTP user name (AUTH PLAIN, only over TLS or to localhost)")
	fs.StringVar(&c.smtp.Password, "smtp-password", "", "SMTP password (use WHIPCOUNT_SMTP_PASSWORD)")
	fs.DurationVar(&c.timeout, "cwc-timeout", 30*time.Second, "how long one CWC request may take")
	fs.DurationVar(&c.lease, "cwc-lease", 0, "how long the outbox worker holds a delivery it is sending (0: enough for a batch of attempts); after a crash, unsent deliveries are retried when it ends")
	fs.StringVar(&c.baseURL, "base-url", "", "the site's public `URL`, like https://whipcount.example, for links in receipts and the API")
	return c
}

// check reports settings that cannot work, before the server starts.
func (c *letterConfig) check() error {
	var errs []error
	half := func(what, a, b string) {
		if (a == "") != (b == "") {
			errs = append(errs, fmt.Errorf("%s: set both the URL and the key, or neither", what))
		}
	}
	half("House CWC", c.cwc.HouseURL, c.cwc.HouseKey)
	if c.timeout <= 0 {
		errs = append(errs, errors.New("-cwc-timeout: must be positive"))
	}
	if c.lease != 0 && c.lease <= c.timeout {
		// The worker never starts a request its lease could not cover.
		errs = append(errs, errors.New("-cwc-lease: must be longer than -cwc-timeout"))
	}
	half("Senate CWC", c.cwc.SenateURL, c.cwc.SenateKey)
	for _, u := range []struct{ flag, val string }{
		{"-cwc-url", c.cwc.HouseURL}, {"-cwc-senate-url", c.cwc.SenateURL}, {"-base-url", c.baseURL},
	} {
		if u.val == "" {
			continue
		}
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s: want an http or https URL", u.flag))
		}
	}
	if c.cwcEnabled() {
		a := c.agent
		if a.Name == "" || a.AckEmail == "" || a.ContactName == "" || a.ContactEmail == "" || a.ContactPhone == "" {
			errs = append(errs, errors.New("CWC delivery needs -cwc-agent, -cwc-agent-email, -cwc-contact-name, -cwc-contact-email and -cwc-contact-phone"))
		}
		if p, ok := advocacy.NormalizePhone(a.ContactPhone); ok {
			c.agent.ContactPhone = p
		} else if a.ContactPhone != "" {
			errs = append(errs, errors.New("-cwc-contact-phone: want a 10-digit US number"))
		}
	}
	if c.smtp.Addr != "" {
		if _, err := mail.ParseAddress(c.smtp.From); err != nil {
			errs = append(errs, errors.New("-smtp-from: receipts need a sender address"))
		}
	}
	return errors.Join(errs...)
}

func (c *letterConfig) cwcEnabled() bool {
	return c.cwc.Enabled(advocacy.House) || c.cwc.Enabled(advocacy.Senate)
}

// letterWiring is the letter flow put together for serve.
type letterWiring struct {
	deps  server.LetterDeps
	store *sqlite.Letters
	stop  func()
}

// startLetters builds the letter store and its collaborators over db and,
// when CWC is configured, starts the outbox worker. stop ends the worker
// after its request in flight and waits for it; call it before the database
// closes. It is safe to call more than once.
func startLetters(cfg *letterConfig, db *sqlite.DB, logger *slog.Logger, now func() time.Time) letterWiring {
	store := sqlite.NewLetters(db, now, rand.Reader)
	w := letterWiring{
		store: store,
		deps: server.LetterDeps{
			Store:     store,
			Templates: sqlite.NewCampaignEditor(db, now),
			Channel:   func(ch advocacy.Chamber) advocacy.Channel { return delivery.ChannelFor(ch, cfg.cwc) },
			BaseURL:   strings.TrimRight(cfg.baseURL, "/"),
		},
		stop: func() {},
	}
	if cfg.smtp.Addr != "" {
		m := cfg.smtp
		m.Clock = now
		w.deps.Receipts = &m
		if cfg.baseURL == "" {
			logger.Warn("receipts will carry no link to the letter's page: set -base-url (WHIPCOUNT_BASE_URL)")
		}
	}
	logger.Info("letters", "cwc_house", cfg.cwc.Enabled(advocacy.House), "cwc_senate", cfg.cwc.Enabled(advocacy.Senate),
		"receipts", w.deps.Receipts != nil)
	if !cfg.cwcEnabled() {
		// Without an endpoint the worker would fail every CWC delivery left
		// from an earlier configuration; they wait for CWC to come back.
		return w
	}
	wake := make(chan struct{}, 1)
	worker := &delivery.Worker{
		Store:          store,
		Client:         &http.Client{},
		Endpoints:      cfg.cwc,
		Agent:          cfg.agent,
		Clock:          now,
		Rand:           mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())),
		Logger:         logger.With("component", "outbox"),
		Lease:          cfg.lease,
		RequestTimeout: cfg.timeout,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.Run(ctx, wake)
	}()
	w.deps.Wake = func() { delivery.Notify(wake) }
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	return w
}
