package delivery

import (
	"bytes"
	"context"
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
	if !e.Enabled(ch) {
		return "", false
	}
	base, key, path := e.HouseURL, e.HouseKey, houseMessagePath
	if ch == advocacy.Senate {
		base, key, path = e.SenateURL, e.SenateKey, senateMessagePath
	}
	return strings.TrimRight(base, "/") + path + "?apikey=" + url.QueryEscape(key), true
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
	// ClaimDue leases up to limit due CWC deliveries until now+lease and
	// counts an attempt on each.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]advocacy.OutboxItem, error)
	MarkSent(ctx context.Context, id int64, now time.Time) error
	MarkFailed(ctx context.Context, id int64, reason string, now time.Time) error
	Reschedule(ctx context.Context, id int64, next time.Time, reason string) error
	// Release gives back a claim that was never attempted.
	Release(ctx context.Context, id int64) error
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

// Worker delivers queued CWC deliveries from the outbox. Its state lives in
// the store, so a restarted worker picks up where the last one stopped: a
// claim whose worker died becomes claimable again when its lease runs out.
// Delivery is at least once: if the process dies after CWC accepted a message
// but before MarkSent, the message is sent again with the same DeliveryId.
//
// Run one Worker per goroutine; several workers (or processes) may share a
// store, since claims are exclusive.
type Worker struct {
	Store  OutboxStore
	Client *http.Client
	Endpoints
	Agent  Agent
	Clock  func() time.Time
	Rand   *rand.Rand // source of jitter; nil means no jitter (always the ceiling)
	Logger *slog.Logger

	// Lease is how long a claim lasts; it must cover a whole batch of
	// requests. Default: BatchSize × (RequestTimeout + 10 s).
	Lease time.Duration
	// BatchSize is how many deliveries one RunOnce claims. Default 10.
	BatchSize int
	// MaxAttempts is the attempt after which a transient failure becomes
	// final. Default 8.
	MaxAttempts int
	// RequestTimeout bounds each POST. Default 30 s.
	RequestTimeout time.Duration
	// PollInterval is how long Run waits for a wake-up before looking for due
	// retries. Default 15 s.
	PollInterval time.Duration
	// Backoff schedules retries. Default DefaultBackoff().
	Backoff Backoff

	mu sync.Mutex // guards Rand
}

type workerSettings struct {
	lease, timeout, poll time.Duration
	batch, maxAttempts   int
	backoff              Backoff
}

func (w *Worker) settings() workerSettings {
	s := workerSettings{lease: w.Lease, timeout: w.RequestTimeout, poll: w.PollInterval,
		batch: w.BatchSize, maxAttempts: w.MaxAttempts, backoff: w.Backoff}
	if s.batch <= 0 {
		s.batch = 10
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 8
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.poll <= 0 {
		s.poll = 15 * time.Second
	}
	if s.lease <= 0 {
		s.lease = time.Duration(s.batch) * (s.timeout + 10*time.Second)
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

// Notify wakes a worker's Run loop without blocking: call it after storing a
// letter with CWC deliveries. wake should have a buffer of one.
func Notify(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx is cancelled: RunOnce, then again at once
// if the batch was full, else wait for a wake-up, the poll interval or the
// end. On cancellation it finishes the request in flight, records its
// outcome, gives back the claims it had not started, and returns.
func (w *Worker) Run(ctx context.Context, wake <-chan struct{}) {
	s := w.settings()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil {
			w.logger().Error("outbox run", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if n >= s.batch {
			continue
		}
		t := time.NewTimer(s.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// RunOnce claims one batch of due deliveries and attempts each in turn,
// returning how many it attempted. A message that fails local validation is
// failed without sending; a 2xx answer marks it sent; a 4xx answer (except
// 408 and 429) fails it with the reason; 5xx, 408, 429, timeouts and network
// errors reschedule it with backoff until MaxAttempts, then fail it.
// Cancelling ctx does not cut the request in flight short.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if w.Store == nil || w.Client == nil || w.Clock == nil {
		return 0, errors.New("run outbox: the worker needs a store, an HTTP client and a clock")
	}
	s := w.settings()
	claimedAt := w.Clock()
	items, err := w.Store.ClaimDue(ctx, claimedAt, s.batch, s.lease)
	if err != nil {
		return 0, fmt.Errorf("run outbox: %w", err)
	}
	leaseEnd := claimedAt.Add(s.lease)
	// Outcomes are recorded even while stopping, with their own deadline.
	bg := context.WithoutCancel(ctx)
	var errs []error
	n := 0
	for i, it := range items {
		if ctx.Err() != nil {
			for _, rest := range items[i:] {
				rctx, cancel := context.WithTimeout(bg, 10*time.Second)
				if err := w.Store.Release(rctx, rest.Delivery.ID); err != nil {
					errs = append(errs, err)
				}
				cancel()
			}
			break
		}
		if w.Clock().Add(s.timeout).After(leaseEnd) {
			// The lease could run out mid-request and another worker claim
			// it: give the claim back untried, so the attempt ClaimDue
			// counted is undone and the delivery is claimable at once.
			rctx, cancel := context.WithTimeout(bg, 10*time.Second)
			if err := w.Store.Release(rctx, it.Delivery.ID); err != nil {
				errs = append(errs, err)
			}
			cancel()
			continue
		}
		if err := w.deliver(bg, it, s); err != nil {
			errs = append(errs, err)
		}
		n++
	}
	return n, errors.Join(errs...)
}

// deliver attempts one claimed delivery and records the outcome.
func (w *Worker) deliver(ctx context.Context, it advocacy.OutboxItem, s workerSettings) error {
	d := it.Delivery
	log := w.logger().With("delivery", d.ID, "office", d.OfficeCode, "attempt", d.Attempts)
	record := func(f func(context.Context) error) error {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return f(rctx)
	}
	// reason goes to the delivery's last_error, where organizers read it; it
	// may quote CWC's answer, which can echo personal data, so logs get only
	// the safe attributes passed alongside.
	fail := func(reason string, attrs ...any) error {
		log.Warn("cwc delivery failed", attrs...)
		return record(func(c context.Context) error { return w.Store.MarkFailed(c, d.ID, reason, w.Clock()) })
	}
	retry := func(reason string, attrs ...any) error {
		if d.Attempts >= s.maxAttempts {
			return fail(fmt.Sprintf("gave up after %d attempts: %s", d.Attempts, reason), append(attrs, "gave_up", true)...)
		}
		next := w.Clock().Add(w.jitter(s.backoff.Ceiling(d.Attempts)))
		log.Info("cwc delivery will be retried", append(attrs, "next", next)...)
		return record(func(c context.Context) error { return w.Store.Reschedule(c, d.ID, next, reason) })
	}

	body, err := BuildCWC(MessageFor(it, w.Agent, w.Clock()))
	if err != nil {
		// Field paths only: validation errors never quote values.
		return fail(err.Error(), "reason", err.Error())
	}
	target, ok := w.Endpoints.messageURL(d.Chamber)
	if !ok {
		reason := fmt.Sprintf("no CWC endpoint is configured for the %s", d.Chamber)
		return fail(reason, "reason", reason)
	}

	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		reason := "build request: " + redactURLError(err)
		return fail(reason, "reason", reason)
	}
	req.Header.Set("Content-Type", "application/xml")
	resp, err := w.Client.Do(req)
	if err != nil {
		reason := "request failed: " + redactURLError(err)
		return retry(reason, "reason", reason)
	}
	excerpt := bodyExcerpt(resp.Body)
	resp.Body.Close()

	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		log.Info("cwc delivery sent", "status", code)
		return record(func(c context.Context) error { return w.Store.MarkSent(c, d.ID, w.Clock()) })
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return retry(fmt.Sprintf("CWC answered %d: %s", code, excerpt), "status", code)
	case code >= 400:
		return fail(fmt.Sprintf("CWC rejected the message (%d): %s", code, excerpt), "status", code)
	default:
		return retry(fmt.Sprintf("unexpected CWC answer %d", code), "status", code)
	}
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
// delivery's last_error (CWC puts its validation errors there).
func bodyExcerpt(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 2048))
	s := strings.Join(strings.FieldsFunc(string(b), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len([]rune(s)) > 300 {
		s = string([]rune(s)[:300]) + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
