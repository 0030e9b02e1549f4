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
	// concurrency is how many messages may be in flight to each chamber.
	concurrency int
	// giveUpAfter is how long a delivery is retried through outages.
	giveUpAfter time.Duration
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
	fs.IntVar(&c.concurrency, "cwc-concurrency", delivery.DefaultConcurrency, "how many messages may be in flight to each chamber's CWC at once")
	fs.DurationVar(&c.giveUpAfter, "cwc-give-up-after", delivery.DefaultGiveUpAfter, "how long a letter is retried through CWC outages (5xx, time-outs) before it fails for good")
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
	if c.concurrency < 1 || c.concurrency > 100 {
		errs = append(errs, errors.New("-cwc-concurrency: want 1 to 100"))
	}
	if c.giveUpAfter < time.Hour {
		errs = append(errs, errors.New("-cwc-give-up-after: want an hour or more (it is a time budget, like 72h)"))
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
		if a.Name != "" && a.AckEmail != "" && a.ContactName != "" && a.ContactEmail != "" {
			for _, p := range c.agent.Check() {
				errs = append(errs, fmt.Errorf("%s: CWC %s %s", agentFlag(p.Path), p.Path, p.Message))
			}
		}
	}
	if c.smtp.Addr != "" {
		if _, err := mail.ParseAddress(c.smtp.From); err != nil {
			errs = append(errs, errors.New("-smtp-from: receipts need a sender address"))
		}
	}
	return errors.Join(errs...)
}

// agentFlag names the setting that fills a CWC element.
func agentFlag(path string) string {
	flags := map[string]string{
		"Delivery/DeliveryAgent":                                  "-cwc-agent",
		"Delivery/DeliveryAgentAckEmailAddress":                   "-cwc-agent-email",
		"Delivery/DeliveryAgentContact/DeliveryAgentContactName":  "-cwc-contact-name",
		"Delivery/DeliveryAgentContact/DeliveryAgentContactEmail": "-cwc-contact-email",
		"Delivery/DeliveryAgentContact/DeliveryAgentContactPhone": "-cwc-contact-phone",
		"Delivery/Organization":                                   "-cwc-organization",
	}
	if f, ok := flags[path]; ok {
		return f
	}
	return "CWC settings"
}

func (c *letterConfig) cwcEnabled() bool {
	return c.cwc.Enabled(advocacy.House) || c.cwc.Enabled(advocacy.Senate)
}

// letterWiring is the letter flow put together for serve.
type letterWiring struct {
	deps  server.LetterDeps
	store *sqlite.Letters
	// desk is delivery health and re-sends for the workspace.
	desk *deliveryDesk
	stop func()
}

// startLetters builds the letter store and its collaborators over db and,
// when CWC is configured, starts the outbox worker and (for the Senate) the
// refresh of the Senate's active office list. members lists the current
// members, to check office codes against that list. stop ends the
// background work after the requests in flight and waits for it; call it
// before the database closes. It is safe to call more than once.
func startLetters(cfg *letterConfig, db *sqlite.DB, logger *slog.Logger, now func() time.Time, members func() []advocacy.Member) letterWiring {
	store := sqlite.NewLetters(db, now, rand.Reader)
	dir := &delivery.Directory{}
	w := letterWiring{
		store: store,
		deps: server.LetterDeps{
			Store:     store,
			Templates: sqlite.NewCampaignEditor(db, now),
			Route: func(m advocacy.Member) (string, advocacy.Channel) {
				office, takes := dir.Route(m)
				if !takes {
					return office, advocacy.ChannelAssisted
				}
				return office, delivery.ChannelFor(m.Chamber, cfg.cwc)
			},
			BaseURL: strings.TrimRight(cfg.baseURL, "/"),
		},
		stop: func() {},
	}
	w.desk = &deliveryDesk{store: store, cwc: cfg.cwc, dir: dir, now: now, wake: func() {}}
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
		// Without an endpoint CWC deliveries left from an earlier
		// configuration wait for CWC to come back.
		return w
	}
	client := &http.Client{}
	wake := make(chan struct{}, 1)
	worker := &delivery.Worker{
		Store:          store,
		Client:         client,
		Endpoints:      cfg.cwc,
		Agent:          cfg.agent,
		Clock:          now,
		Rand:           mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())),
		Logger:         logger.With("component", "outbox"),
		Offices:        dir,
		Concurrency:    cfg.concurrency,
		Lease:          cfg.lease,
		RequestTimeout: cfg.timeout,
		GiveUpAfter:    cfg.giveUpAfter,
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	if cfg.cwc.Enabled(advocacy.Senate) {
		bg.Go(func() {
			refreshSenateOffices(ctx, client, cfg, dir, members, now, logger.With("component", "senate-offices"))
		})
	}
	bg.Go(func() { worker.Run(ctx, wake) })
	w.deps.Wake = func() { delivery.Notify(wake) }
	w.desk.wake = w.deps.Wake
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			bg.Wait()
		})
	}
	return w
}

// senateOfficesEvery is how often the Senate's active office list is
// fetched again.
const senateOfficesEvery = 24 * time.Hour

// refreshSenateOffices fetches the Senate's list of active CWC offices at
// start and then daily, until ctx ends. A failed fetch
// keeps the last list (or the codes from the member data) and is logged;
// every office code that disagrees with the list is logged for admins, who
// also see them on the delivery page.
func refreshSenateOffices(ctx context.Context, client *http.Client, cfg *letterConfig, dir *delivery.Directory,
	members func() []advocacy.Member, now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(senateOfficesEvery)
	defer t.Stop()
	for {
		fctx, cancel := context.WithTimeout(ctx, cfg.timeout)
		offices, err := delivery.FetchActiveOffices(fctx, client, cfg.cwc.SenateURL, cfg.cwc.SenateKey)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			dir.Failed(err)
			logger.Warn("could not refresh the Senate's active office list; keeping the codes in use", "err", err)
		case err == nil:
			dir.Set(offices, now())
			diffs := dir.Check(members())
			logger.Info("Senate active office list refreshed", "offices", len(offices), "disagreements", len(diffs))
			for _, d := range diffs {
				if d.Listed == "" {
					logger.Warn("the Senate's list does not name this senator's office: their letters go through their senders",
						"bioguide", d.BioguideID, "derived", d.Derived)
				} else {
					logger.Warn("the Senate's list gives this senator another office code: using the Senate's",
						"bioguide", d.BioguideID, "derived", d.Derived, "listed", d.Listed)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deliveryDesk is delivery health and re-sends for the organizer
// workspace: the store's figures, with what only the running app knows
// (which chambers are set up, the Senate's office list).
type deliveryDesk struct {
	store *sqlite.Letters
	cwc   delivery.Endpoints
	dir   *delivery.Directory
	now   func() time.Time
	wake  func()
}

// Health is each chamber's delivery health.
func (d *deliveryDesk) Health(ctx context.Context) ([]advocacy.ChamberHealth, error) {
	hs, err := d.store.DeliveryHealth(ctx, d.now())
	if err != nil {
		return nil, err
	}
	for i := range hs {
		hs[i].Enabled = d.cwc.Enabled(hs[i].Chamber)
		if hs[i].Chamber == advocacy.Senate {
			hs[i].Offices = d.dir.Disagreements()
		}
	}
	return hs, nil
}

// Retry re-sends held or failed deliveries of chambers that are set up,
// and wakes the worker.
func (d *deliveryDesk) Retry(ctx context.Context, r advocacy.RetryRequest, actor int64) (int, error) {
	if r.Chamber != "" && !d.cwc.Enabled(r.Chamber) {
		return 0, &advocacy.Error{Code: advocacy.CodeConflict,
			Message: "Electronic delivery to that chamber is not set up, so its letters cannot be re-sent now."}
	}
	n, err := d.store.RetryDeliveries(ctx, r, actor, d.now())
	if err == nil && n > 0 {
		d.wake()
	}
	return n, err
}

// OfficesChecked is when the Senate's office list was last fetched.
func (d *deliveryDesk) OfficesChecked() (time.Time, error) { return d.dir.Status() }
