package delivery

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Endpoints configures CWC delivery: a base URL and API key per chamber
// (WHIPCOUNT_CWC_URL / WHIPCOUNT_CWC_KEY and the Senate pair). A chamber
// without both is off, and its letters go through assisted channels.
type Endpoints struct {
	HouseURL, HouseKey   string
	SenateURL, SenateKey string
}

// Message paths under the base URLs, as CWC.md gives them: the House takes
// {base}/v2/message, the Senate's SCWC {base}/api/messages/; both with the
// key in the apikey query parameter.
const (
	houseMessagePath  = "/v2/message"
	senateMessagePath = "/api/messages/"
)

// Enabled reports whether CWC delivery is configured for a chamber.
func (e Endpoints) Enabled(ch advocacy.Chamber) bool {
	switch ch {
	case advocacy.House:
		return e.HouseURL != "" && e.HouseKey != ""
	case advocacy.Senate:
		return e.SenateURL != "" && e.SenateKey != ""
	}
	return false
}

// messageURL is the endpoint a chamber's messages are posted to, with the
// key. It must never be logged.
func (e Endpoints) messageURL(ch advocacy.Chamber) (string, bool) {
	return e.route(ch, houseMessagePath, senateMessagePath)
}

// route is {base}{path}?apikey=KEY for a chamber's base and key, with the
// House's or the Senate's path.
func (e Endpoints) route(ch advocacy.Chamber, housePath, senatePath string) (string, bool) {
	if !e.Enabled(ch) {
		return "", false
	}
	base, key, path := e.HouseURL, e.HouseKey, housePath
	if ch == advocacy.Senate {
		base, key, path = e.SenateURL, e.SenateKey, senatePath
	}
	return strings.TrimRight(base, "/") + path + "?apikey=" + url.QueryEscape(key), true
}

// Addresses where "whipcount cwc check" posts its sample: the House's
// validate route, the Senate's testing route.
const (
	houseValidatePath = "/v2/validate"
	senateTestingPath = "/api/testing-messages/"
)

// CheckURL is the address a chamber's sample message is checked at: the
// House's {base}/v2/validate, or the Senate's {base}/api/testing-messages/,
// with the key. It must never be logged.
func (e Endpoints) CheckURL(ch advocacy.Chamber) (string, bool) {
	return e.route(ch, houseValidatePath, senateTestingPath)
}

// Answer says in plain words what a CWC status means for a message.
func Answer(ch advocacy.Chamber, status int, body []byte) (ok bool, words string) {
	switch {
	case status >= 200 && status < 300:
		return true, fmt.Sprintf("CWC accepted it (HTTP %d): %s", status, bodyExcerpt(body))
	case status == http.StatusBadRequest:
		return false, "CWC refused the message (HTTP 400): " + cwcErrors(body)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return false, fmt.Sprintf("CWC refused our API key or this server’s address (HTTP %d): check %s and ask CWC to approve this server’s IP address.", status, keySetting(ch))
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || (status >= 300 && status < 400):
		return false, fmt.Sprintf("CWC answered HTTP %d at that address: check %s.", status, urlSetting(ch))
	default:
		return false, fmt.Sprintf("CWC answered HTTP %d: %s", status, bodyExcerpt(body))
	}
}

// ChannelFor decides, when a letter is submitted, how each recipient's copy
// travels: over CWC when an endpoint is configured for the recipient's
// chamber, otherwise assisted (the constituent sends it by contact form,
// post or phone). The handler calls it for each recipient and stores the
// answer on the delivery; the worker only ever sees CWC deliveries.
func ChannelFor(ch advocacy.Chamber, e Endpoints) advocacy.Channel {
	if e.Enabled(ch) {
		return advocacy.ChannelCWC
	}
	return advocacy.ChannelAssisted
}

// OutboxStore is the durable outbox the worker drains (implemented by
// sqlite.Letters).
type OutboxStore interface {
	// ClaimDue leases up to limit due CWC deliveries to a chamber until
	// now+lease and counts an attempt on each; it claims nothing while the
	// chamber is held.
	ClaimDue(ctx context.Context, ch advocacy.Chamber, now time.Time, limit int, lease time.Duration) ([]advocacy.OutboxItem, error)
	MarkSent(ctx context.Context, id int64, now time.Time) error
	MarkFailed(ctx context.Context, id int64, reason string, now time.Time) error
	Reschedule(ctx context.Context, id int64, next time.Time, reason string, now time.Time) error
	// Release gives back a claim that was never attempted.
	Release(ctx context.Context, id int64) error
	// Hold stops delivery to a chamber for reason: delivery id and the
	// chamber's other queued deliveries are held until Resume.
	Hold(ctx context.Context, ch advocacy.Chamber, id int64, reason string, now time.Time) (int, error)
	// Resume queues a chamber's held deliveries again.
	Resume(ctx context.Context, ch advocacy.Chamber, now time.Time) (int, error)
	// Expedite makes a chamber's deliveries waiting out a backoff due now.
	Expedite(ctx context.Context, ch advocacy.Chamber, now time.Time) (int, error)
}

// Backoff is an exponential retry schedule: the ceiling of the wait before
// attempt n+1 is Base·Factor^(n-1), at most Cap. The worker waits a random
// time between zero and that ceiling ("full jitter"), so that retries after
// an outage spread out instead of arriving together.
type Backoff struct {
	Base   time.Duration
	Factor float64
	Cap    time.Duration
}

// DefaultBackoff starts at 30 seconds, doubles, and stops growing at an hour.
func DefaultBackoff() Backoff { return Backoff{Base: 30 * time.Second, Factor: 2, Cap: time.Hour} }

// Ceiling is the longest wait after the given number of attempts (1 or more).
func (b Backoff) Ceiling(attempts int) time.Duration {
	d := float64(b.Base)
	for i := 1; i < attempts && d < float64(b.Cap); i++ {
		d *= b.Factor
	}
	return min(time.Duration(d), b.Cap)
}

// DefaultGiveUpAfter is how long a delivery is retried through outages
// before it fails for good.
const DefaultGiveUpAfter = 72 * time.Hour

// DefaultConcurrency is how many messages the worker has in flight to each
// chamber at once.
const DefaultConcurrency = 8

// OfficeDirectory gives the office code a delivery should carry now: the
// chamber's own list of offices may have changed a code since the letter
// was written (see Directory).
type OfficeDirectory interface {
	Office(ch advocacy.Chamber, bioguide, stored string) string
}

// Worker delivers queued CWC deliveries from the outbox, several at a time
// to each configured chamber. Its state lives in the store, so a restarted
// worker picks up where the last one stopped: a claim whose worker died
// becomes claimable again when its lease runs out. Delivery is at least
// once: if the process dies after CWC accepted a message but before MarkSent,
// the message is sent again with the same DeliveryId (and CWC's "already
// accepted" answer, 409, counts as sent).
//
// Answers decide what happens to a delivery: 2xx (and 409) sent; 400 failed
// for good with CWC's <Errors> kept as the reason; 401, 403 (the key or
// this server's address is not approved), 404, 405 and redirects (a wrong
// address) hold every delivery to the chamber until the operator fixes it;
// 408, 429, 5xx, time-outs and network errors retry with backoff until the
// delivery has waited GiveUpAfter; other 4xx fail. The DeliveryId never
// changes.
type Worker struct {
	Store  OutboxStore
	Client *http.Client
	Endpoints
	Agent  Agent
	Clock  func() time.Time
	Rand   *rand.Rand // source of jitter; nil means no jitter (always the ceiling)
	Logger *slog.Logger
	// Offices, when set, gives the current office code of each delivery.
	Offices OfficeDirectory

	// Concurrency is how many requests may be in flight to each chamber at
	// once. Default DefaultConcurrency.
	Concurrency int
	// Lease is how long a claim lasts; it must cover one request. Default
	// RequestTimeout + 30 s.
	Lease time.Duration
	// RequestTimeout bounds each POST. Default 30 s.
	RequestTimeout time.Duration
	// PollInterval is how long Run waits for a wake-up before looking for due
	// retries. Default 15 s.
	PollInterval time.Duration
	// Backoff schedules retries. Default DefaultBackoff().
	Backoff Backoff
	// GiveUpAfter is how long after it was queued a delivery that keeps
	// meeting outages fails for good. Default DefaultGiveUpAfter.
	GiveUpAfter time.Duration

	mu sync.Mutex // guards Rand and failing
	// failing marks the chambers whose last answer was an outage's.
	failing map[advocacy.Chamber]bool
}

// outage records whether a chamber's last answer was an outage's, and
// reports whether it had been before.
func (w *Worker) outage(ch advocacy.Chamber, down bool) (was bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failing == nil {
		w.failing = map[advocacy.Chamber]bool{}
	}
	was, w.failing[ch] = w.failing[ch], down
	return was
}

type workerSettings struct {
	lease, timeout, poll, giveUp time.Duration
	concurrency                  int
	backoff                      Backoff
}

func (w *Worker) settings() workerSettings {
	s := workerSettings{lease: w.Lease, timeout: w.RequestTimeout, poll: w.PollInterval,
		concurrency: w.Concurrency, giveUp: w.GiveUpAfter, backoff: w.Backoff}
	if s.concurrency <= 0 {
		s.concurrency = DefaultConcurrency
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.poll <= 0 {
		s.poll = 15 * time.Second
	}
	if s.lease <= 0 {
		s.lease = s.timeout + 30*time.Second
	}
	if s.giveUp <= 0 {
		s.giveUp = DefaultGiveUpAfter
	}
	if s.backoff == (Backoff{}) {
		s.backoff = DefaultBackoff()
	}
	return s
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

// chambers lists the chambers with an endpoint.
func (w *Worker) chambers() []advocacy.Chamber {
	var out []advocacy.Chamber
	for _, ch := range []advocacy.Chamber{advocacy.House, advocacy.Senate} {
		if w.Endpoints.Enabled(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// Notify wakes a worker's Run loop without blocking: call it after storing a
// letter with CWC deliveries. wake should have a buffer of one.
func Notify(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx is cancelled. It first resumes the
// deliveries held for each configured chamber (the operator restarted after
// fixing a key or an approval), then keeps up to Concurrency requests in
// flight to each chamber, claiming more as each finishes, and otherwise
// waits for a wake-up or the poll interval. On cancellation it lets the
// requests in flight finish and records their outcomes, then returns.
func (w *Worker) Run(ctx context.Context, wake <-chan struct{}) {
	if w.Store == nil || w.Client == nil || w.Clock == nil {
		w.logger().Error("outbox: the worker needs a store, an HTTP client and a clock")
		return
	}
	if err := w.Resume(ctx); err != nil {
		w.logger().Error("outbox: resume held deliveries", "err", err)
	}
	chambers := w.chambers()
	wakes := make([]chan struct{}, len(chambers))
	var wg sync.WaitGroup
	for i, ch := range chambers {
		wakes[i] = make(chan struct{}, 1)
		wg.Go(func() { w.runChamber(ctx, ch, wakes[i]) })
	}
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-wake:
			for _, c := range wakes {
				Notify(c)
			}
		}
	}
}

// Resume queues again the deliveries held for each configured chamber: the
// operator restarted after fixing a key, an approval or an address. If the
// problem remains, the first answer holds them again.
func (w *Worker) Resume(ctx context.Context) error {
	var errs []error
	for _, ch := range w.chambers() {
		n, err := w.Store.Resume(ctx, ch, w.Clock())
		if err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			w.logger().Info("outbox: resuming held deliveries", "chamber", ch, "deliveries", n)
		}
	}
	return errors.Join(errs...)
}

// runChamber keeps one chamber's requests in flight.
func (w *Worker) runChamber(ctx context.Context, ch advocacy.Chamber, wake <-chan struct{}) {
	s := w.settings()
	// Outcomes are recorded even while stopping.
	bg := context.WithoutCancel(ctx)
	done := make(chan struct{}, s.concurrency)
	inflight := 0
	for ctx.Err() == nil {
		if free := s.concurrency - inflight; free > 0 {
			items, err := w.claim(ctx, ch, free, s)
			if err != nil && ctx.Err() == nil {
				w.logger().Error("outbox: claim deliveries", "chamber", ch, "err", err)
			}
			for _, it := range items {
				inflight++
				go func() {
					defer func() { done <- struct{}{} }()
					if err := w.deliver(bg, it.item, it.leaseEnd, s); err != nil {
						w.logger().Error("outbox: record delivery", "chamber", ch, "err", err)
					}
				}()
			}
			if len(items) == free {
				// More may be due: claim again as soon as a slot frees.
				select {
				case <-ctx.Done():
				case <-done:
					inflight--
				}
				continue
			}
		}
		t := time.NewTimer(s.poll)
		select {
		case <-ctx.Done():
		case <-done:
			inflight--
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
	for ; inflight > 0; inflight-- {
		<-done
	}
}

// claimed is a claimed delivery and the end of its lease.
type claimed struct {
	item     advocacy.OutboxItem
	leaseEnd time.Time
}

func (w *Worker) claim(ctx context.Context, ch advocacy.Chamber, limit int, s workerSettings) ([]claimed, error) {
	now := w.Clock()
	items, err := w.Store.ClaimDue(ctx, ch, now, limit, s.lease)
	out := make([]claimed, len(items))
	for i, it := range items {
		out[i] = claimed{item: it, leaseEnd: now.Add(s.lease)}
	}
	return out, err
}

// RunOnce claims up to Concurrency due deliveries for each configured
// chamber and attempts them all at once, returning when every outcome is
// recorded, with how many it attempted. Cancelling ctx does not cut the
// requests in flight short.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if w.Store == nil || w.Client == nil || w.Clock == nil {
		return 0, errors.New("run outbox: the worker needs a store, an HTTP client and a clock")
	}
	s := w.settings()
	bg := context.WithoutCancel(ctx)
	var (
		mu   sync.Mutex
		errs []error
		n    int
		wg   sync.WaitGroup
	)
	for _, ch := range w.chambers() {
		items, err := w.claim(ctx, ch, s.concurrency, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("run outbox: %w", err))
		}
		for _, it := range items {
			wg.Go(func() {
				err := w.deliver(bg, it.item, it.leaseEnd, s)
				mu.Lock()
				defer mu.Unlock()
				if !errors.Is(err, errNotAttempted) {
					n++
				}
				if err != nil && !errors.Is(err, errNotAttempted) {
					errs = append(errs, err)
				}
			})
		}
	}
	wg.Wait()
	return n, errors.Join(errs...)
}

// errNotAttempted reports a claim given back untried.
var errNotAttempted = errors.New("not attempted")

// deliver attempts one claimed delivery and records the outcome.
func (w *Worker) deliver(ctx context.Context, it advocacy.OutboxItem, leaseEnd time.Time, s workerSettings) error {
	d := it.Delivery
	record := func(f func(context.Context) error) error {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return f(rctx)
	}
	if w.Clock().Add(s.timeout).After(leaseEnd) {
		// The lease could run out mid-request and another worker claim it:
		// give the claim back untried, so the attempt ClaimDue counted is
		// undone and the delivery is claimable at once.
		if err := record(func(c context.Context) error { return w.Store.Release(c, d.ID) }); err != nil {
			return err
		}
		return errNotAttempted
	}
	if w.Offices != nil {
		if code := w.Offices.Office(d.Chamber, d.BioguideID, d.OfficeCode); code != "" && code != d.OfficeCode {
			it.Delivery.OfficeCode, d.OfficeCode = code, code
		}
	}
	log := w.logger().With("delivery", d.ID, "chamber", d.Chamber, "office", d.OfficeCode, "attempt", d.Attempts)
	// reason goes to the delivery's last_error, where organizers read it; it
	// may quote CWC's answer, which can echo personal data, so logs get only
	// the safe attributes passed alongside.
	fail := func(reason string, attrs ...any) error {
		log.Warn("cwc delivery failed", attrs...)
		return record(func(c context.Context) error { return w.Store.MarkFailed(c, d.ID, reason, w.Clock()) })
	}
	hold := func(reason string, attrs ...any) error {
		var n int
		err := record(func(c context.Context) (err error) {
			n, err = w.Store.Hold(c, d.Chamber, d.ID, reason, w.Clock())
			return err
		})
		log.Error("CWC delivery to the "+chamberName(d.Chamber)+" is held until the operator fixes it: "+reason,
			append(attrs, "held", n)...)
		return err
	}
	retry := func(reason string, attrs ...any) error {
		now := w.Clock()
		start := d.QueuedAt
		if start.IsZero() {
			start = d.CreatedAt
		}
		giveUp := start.Add(s.giveUp)
		if !now.Before(giveUp) {
			return fail(fmt.Sprintf("gave up after %s of failed attempts (%d): %s", waitWords(now.Sub(start)), d.Attempts, reason),
				append(attrs, "gave_up", true)...)
		}
		w.outage(d.Chamber, true)
		next := now.Add(w.jitter(s.backoff.Ceiling(d.Attempts)))
		if next.After(giveUp) {
			next = giveUp // one last try when the time is up
		}
		log.Info("cwc delivery will be retried", append(attrs, "next", next)...)
		return record(func(c context.Context) error { return w.Store.Reschedule(c, d.ID, next, reason, now) })
	}

	body, err := BuildCWC(MessageFor(it, w.Agent, w.Clock()))
	if err != nil {
		// Field paths only: validation errors never quote values.
		return fail(err.Error(), "reason", err.Error())
	}
	target, ok := w.Endpoints.messageURL(d.Chamber)
	if !ok {
		reason := fmt.Sprintf("electronic delivery to the %s is not configured", chamberName(d.Chamber))
		return hold(reason)
	}

	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	code, answer, err := Post(rctx, w.Client, target, body)
	if err != nil {
		reason := "request failed: " + err.Error()
		return retry(reason, "reason", reason)
	}
	if code >= 200 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests && w.outage(d.Chamber, false) {
		// CWC answers again after an outage: the letters waiting out their
		// backoff go now rather than within the hour.
		err := record(func(c context.Context) error {
			n, err := w.Store.Expedite(c, d.Chamber, w.Clock())
			if n > 0 {
				log.Info("cwc answers again: retrying waiting deliveries now", "deliveries", n)
			}
			return err
		})
		if err != nil {
			log.Error("outbox: expedite retries", "err", err)
		}
	}
	switch {
	case code >= 200 && code < 300:
		log.Info("cwc delivery sent", "status", code)
		return record(func(c context.Context) error { return w.Store.MarkSent(c, d.ID, w.Clock()) })
	case code == http.StatusConflict:
		// The DeliveryId was accepted before (a retry after an answer that
		// never arrived): the message is there.
		log.Info("cwc delivery was already accepted", "status", code)
		return record(func(c context.Context) error { return w.Store.MarkSent(c, d.ID, w.Clock()) })
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return hold(fmt.Sprintf("CWC refused our API key or this server’s address (HTTP %d). Check %s and ask CWC to approve "+
			"this server’s IP address; held letters go out when Whipcount restarts, or when an organizer re-sends them.",
			code, keySetting(d.Chamber)), "status", code)
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed || (code >= 300 && code < 400):
		return hold(fmt.Sprintf("CWC answered HTTP %d at the message address: check %s. Held letters go out when "+
			"Whipcount restarts, or when an organizer re-sends them.", code, urlSetting(d.Chamber)), "status", code)
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return retry(fmt.Sprintf("CWC answered %d: %s", code, bodyExcerpt(answer)), "status", code)
	case code == http.StatusBadRequest:
		return fail("CWC refused the message: "+cwcErrors(answer), "status", code)
	case code >= 400:
		return fail(fmt.Sprintf("CWC refused the message (%d): %s", code, bodyExcerpt(answer)), "status", code)
	default:
		return retry(fmt.Sprintf("unexpected CWC answer %d", code), "status", code)
	}
}

// Post sends a CWC document to target (a message, validate or testing
// address with its key) and returns CWC's status and answer. It never
// follows a redirect, and its errors never quote the address, which holds
// the key.
func Post(ctx context.Context, client *http.Client, target string, doc []byte) (status int, answer []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(doc))
	if err != nil {
		return 0, nil, errors.New(redactURLError(err))
	}
	req.Header.Set("Content-Type", "application/xml")
	resp, err := noRedirects(client).Do(req)
	if err != nil {
		return 0, nil, errors.New(redactURLError(err))
	}
	defer resp.Body.Close()
	answer, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, answer, nil
}

// noRedirects is c without following redirects: a redirected POST would
// become a GET whose success means nothing.
func noRedirects(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// chamberName is "House" or "Senate".
func chamberName(ch advocacy.Chamber) string {
	if ch == advocacy.Senate {
		return "Senate"
	}
	return "House"
}

// keySetting and urlSetting name a chamber's settings for the operator.
func keySetting(ch advocacy.Chamber) string {
	if ch == advocacy.Senate {
		return "the Senate key (-cwc-senate-key, WHIPCOUNT_CWC_SENATE_KEY)"
	}
	return "the House key (-cwc-key, WHIPCOUNT_CWC_KEY)"
}

func urlSetting(ch advocacy.Chamber) string {
	if ch == advocacy.Senate {
		return "the Senate address (-cwc-senate-url)"
	}
	return "the House address (-cwc-url)"
}

// waitWords writes a duration the way people say it: "3 days", "5 hours",
// "20 minutes".
func waitWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
}

// cwcErrors is the text of a 400 answer's <Errors><Error>...</Error></Errors>
// on one line, or the start of the body when it has none.
func cwcErrors(body []byte) string {
	var e struct {
		Errors []string `xml:"Error"`
	}
	if err := xml.Unmarshal(body, &e); err == nil && len(e.Errors) > 0 {
		var parts []string
		for _, m := range e.Errors {
			if m = strings.Join(strings.Fields(m), " "); m != "" {
				parts = append(parts, m)
			}
		}
		if len(parts) > 0 {
			return advocacy.Clip(strings.Join(parts, "; "), 1000)
		}
	}
	return bodyExcerpt(body)
}

// jitter picks a wait in [0, ceiling].
func (w *Worker) jitter(ceiling time.Duration) time.Duration {
	if w.Rand == nil || ceiling <= 0 {
		return ceiling
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Duration(w.Rand.Int64N(int64(ceiling) + 1))
}

// redactURLError keeps a request error's cause and drops its URL, which
// holds the API key.
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		return ue.Err.Error()
	}
	return err.Error()
}

// bodyExcerpt is the start of an answer's body on one line, for the
// delivery's last_error.
func bodyExcerpt(b []byte) string {
	s := strings.Join(strings.FieldsFunc(string(b), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	s = advocacy.Clip(strings.ToValidUTF8(s, ""), 300)
	if s == "" {
		s = "(empty body)"
	}
	return s
}
