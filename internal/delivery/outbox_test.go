package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

// insertCampaign fills whatever required columns campaigns has.
func insertCampaign(t testing.TB, d *sqlite.DB) int64 {
	t.Helper()
	rows, err := d.W.Query(`SELECT name, type, "notnull", dflt_value FROM pragma_table_info('campaigns')`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	var args []any
	for rows.Next() {
		var name, typ string
		var notnull int
		var dflt sql.NullString
		if err := rows.Scan(&name, &typ, &notnull, &dflt); err != nil {
			t.Fatal(err)
		}
		var v any
		switch name {
		case "id":
			continue
		case "slug":
			v = "jackson-vanik"
		case "title":
			v = "Repeal Jackson-Vanik for Central Asia"
		case "status":
			v = "active"
		case "cwc_campaign_id":
			v = "JV-119"
		case "created_at", "updated_at":
			v = "2025-11-01T00:00:00Z"
		default:
			if notnull == 0 || dflt.Valid {
				continue
			}
			v = ""
			if strings.Contains(strings.ToUpper(typ), "INT") {
				v = 0
			}
		}
		cols = append(cols, name)
		args = append(args, v)
	}
	rows.Close()
	res, err := d.W.Exec("INSERT INTO campaigns ("+strings.Join(cols, ", ")+") VALUES ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+")", args...)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

var t0 = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

type outboxEnv struct {
	db      *sqlite.DB
	store   *sqlite.Letters
	clock   *testkit.Clock
	worker  *Worker
	cwc     *standin.CWC
	logs    *lockedBuffer
	camp    int64
	path    string
	letters []advocacy.Letter
}

// newOutboxEnv is a real SQLite outbox, a CWC stand-in that takes the keys
// "house-secret-key" and "senate-secret-key", and a worker for the House.
func newOutboxEnv(t testing.TB) *outboxEnv {
	t.Helper()
	e := &outboxEnv{clock: testkit.NewClock(t0), logs: &lockedBuffer{}}
	e.path = filepath.Join(t.TempDir(), "outbox.db")
	e.db = testkit.OpenDB(t, e.path)
	e.camp = insertCampaign(t, e.db)
	e.store = sqlite.NewLetters(e.db, e.clock.Now, rand.Reader)
	e.cwc = standin.NewCWC(t, "house-secret-key", "senate-secret-key")
	e.worker = e.newWorker(e.store)
	return e
}

// lockedBuffer collects the logs of several workers that write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (e *outboxEnv) newWorker(store OutboxStore) *Worker {
	return &Worker{
		Store:       store,
		Client:      e.cwc.Client(),
		Endpoints:   Endpoints{HouseURL: e.cwc.URL + "/", HouseKey: "house-secret-key"},
		Agent:       minimalAgent(),
		Clock:       e.clock.Now,
		Logger:      slog.New(slog.NewJSONHandler(e.logs, nil)),
		Concurrency: 5,
	}
}

// addLetter stores a letter from a distinct sender to the NY-12 House seat
// (CWC) and, when senate is set, to Senator Schumer over CWC too.
func (e *outboxEnv) addLetter(t testing.TB, senate bool) advocacy.Letter {
	t.Helper()
	n := len(e.letters)
	nl := advocacy.NewLetter{
		CampaignID: e.camp,
		Input: advocacy.LetterInput{Prefix: "Ms.", FirstName: "Ada", LastName: fmt.Sprintf("Lovelace%d", n),
			Address1: "1 Riverside Dr", City: "New York", State: "NY", Zip: "10025",
			Email: fmt.Sprintf("ada%d@example.com", n), PersonalMessage: "It matters to my business.", Consent: true},
		State: "NY", District: 12, SettledBy: advocacy.SettledByZIP,
		Recipients: []advocacy.NewDelivery{{BioguideID: "N000002", OfficeCode: "HNY12", Chamber: advocacy.House,
			Channel: advocacy.ChannelCWC, Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative, please cosponsor.",
			Bill: advocacy.LetterBill{Congress: 119, Type: "hr", Number: 5917}}},
	}
	if senate {
		nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: "S000148", OfficeCode: "SNY03",
			Chamber: advocacy.Senate, Channel: advocacy.ChannelCWC, Subject: "Please cosponsor S. 3103",
			TemplateText: "Dear Senator, please cosponsor.", Bill: advocacy.LetterBill{Congress: 119, Type: "s", Number: 3103}})
	}
	c, err := e.store.CreateLetter(context.Background(), nl)
	if err != nil {
		t.Fatal(err)
	}
	e.letters = append(e.letters, c.Letter)
	return c.Letter
}

func (e *outboxEnv) delivery(t testing.TB, l advocacy.Letter, i int) advocacy.Delivery {
	t.Helper()
	got, err := e.store.LetterByPublicID(context.Background(), l.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Deliveries[i]
}

func (e *outboxEnv) runOnce(t testing.TB) int {
	t.Helper()
	n, err := e.worker.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// statuses counts the deliveries by status.
func (e *outboxEnv) statuses(t testing.TB) map[advocacy.DeliveryStatus]int {
	t.Helper()
	out := map[advocacy.DeliveryStatus]int{}
	rows, err := e.db.R.Query("SELECT status, count(*) FROM deliveries GROUP BY status")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		out[advocacy.DeliveryStatus(s)] = n
	}
	return out
}

// assertNoSecretsLogged checks the logs for personal data and the API key.
func (e *outboxEnv) assertNoSecretsLogged(t *testing.T) {
	t.Helper()
	logs := e.logs.String()
	for _, s := range []string{"house-secret-key", "senate-secret-key", "Lovelace", "example.com", "Riverside", "apikey"} {
		if strings.Contains(logs, s) {
			t.Fatalf("logs contain %q:\n%s", s, logs)
		}
	}
}

func TestOutboxSends(t *testing.T) {
	e := newOutboxEnv(t)
	l := e.addLetter(t, false)
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("attempted %d", n)
	}
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliverySent || !d.SentAt.Equal(t0) || d.Attempts != 1 || d.LastError != "" {
		t.Fatalf("delivery = %+v", d)
	}
	r := e.cwc.Received()[0]
	if r.Path != "/v2/message" || r.Key != "house-secret-key" || r.ContentType != "application/xml" ||
		r.DeliveryID != d.DeliveryID || r.Office != "HNY12" || r.Status != 200 {
		t.Fatalf("request = %+v", r)
	}
	var m CWCMessage
	xml.Unmarshal(r.Body, &m)
	if m.Delivery.CampaignID != "JV-119" || m.Message.ProOrCon != "pro" || m.Message.Topics[0] != TopicForeignTrade ||
		m.Message.Bills.Bill[0] != (CWCBill{119, "hr", 5917}) || m.Message.ConstituentMessage != "It matters to my business." {
		t.Fatalf("message = %+v", m)
	}
	if n := e.runOnce(t); n != 0 || len(e.cwc.Received()) != 1 {
		t.Fatalf("a sent delivery was attempted again")
	}
	e.assertNoSecretsLogged(t)
}

// A 400 with <Errors> fails the delivery for good, keeping CWC's reasons
// (which may quote the constituent: they go to last_error, never to logs).
func TestOutboxFailsOn400WithCWCErrors(t *testing.T) {
	e := newOutboxEnv(t)
	e.cwc.Refuse("HNY12", "Email ada0@example.com is not deliverable")
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryFailed || d.Attempts != 1 ||
		d.LastError != "CWC refused the message: Email ada0@example.com is not deliverable" {
		t.Fatalf("delivery = %+v", d)
	}
	e.clock.Set(t0.Add(48 * time.Hour))
	if n := e.runOnce(t); n != 0 || len(e.cwc.Received()) != 1 {
		t.Fatal("a failed delivery was retried")
	}
	e.assertNoSecretsLogged(t)
}

func TestOutboxRetries5xxWithJitterThenSends(t *testing.T) {
	e := newOutboxEnv(t)
	e.cwc.Outage(e.clock.Now, t0, t0.Add(time.Second))
	e.worker.Rand = mrand.New(mrand.NewPCG(1, 2))
	want := time.Duration(mrand.New(mrand.NewPCG(1, 2)).Int64N(int64(30*time.Second) + 1))
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	wantNext := t0.Add(want).Truncate(time.Millisecond)
	if d.Status != advocacy.DeliveryQueued || d.Attempts != 1 || !d.NextAttemptAt.Equal(wantNext) ||
		d.LastError != "CWC answered 503: Service Unavailable: scheduled maintenance" {
		t.Fatalf("after 503: %+v (want next %v)", d, wantNext)
	}
	if wantNext.After(t0) {
		if n := e.runOnce(t); n != 0 {
			t.Fatal("retried before its time")
		}
	}
	e.clock.Set(d.NextAttemptAt.Add(time.Second))
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("attempted %d at the retry time", n)
	}
	d2 := e.delivery(t, l, 0)
	if d2.Status != advocacy.DeliverySent || d2.Attempts != 2 || d2.DeliveryID != d.DeliveryID {
		t.Fatalf("after retry: %+v", d2)
	}
	if got := e.cwc.Accepted(); len(got) != 1 || got[d.DeliveryID] != 1 {
		t.Fatalf("accepted %v", got)
	}
	e.assertNoSecretsLogged(t)
}

// Without jitter the waits are the backoff ceilings, 30 s doubling up to
// the cap; a delivery keeps trying for the whole time budget (not a count
// of attempts), then fails for good, its DeliveryId never changing.
func TestOutboxRetriesForTheTimeBudget(t *testing.T) {
	e := newOutboxEnv(t)
	e.cwc.SetMode(standin.CWCDown)
	e.worker.Backoff = Backoff{Base: 30 * time.Second, Factor: 2, Cap: time.Hour}
	e.worker.GiveUpAfter = 24 * time.Hour
	l := e.addLetter(t, false)
	now, attempts := t0, 0
	for {
		e.clock.Set(now)
		if n := e.runOnce(t); n != 1 {
			t.Fatalf("attempt %d at %v: attempted %d", attempts+1, now.Sub(t0), n)
		}
		attempts++
		d := e.delivery(t, l, 0)
		if d.Status == advocacy.DeliveryFailed {
			break
		}
		wait := d.NextAttemptAt.Sub(now)
		if want := min(30*time.Second<<(attempts-1), time.Hour, t0.Add(24*time.Hour).Sub(now)); attempts < 12 && wait != want {
			t.Fatalf("attempt %d: wait %v, want %v", attempts, wait, want)
		}
		now = d.NextAttemptAt
	}
	d := e.delivery(t, l, 0)
	if attempts <= 8 || !now.Equal(t0.Add(24*time.Hour)) ||
		d.LastError != fmt.Sprintf("gave up after 24 hours of failed attempts (%d): CWC answered 503: Service Unavailable: scheduled maintenance", attempts) {
		t.Fatalf("final after %d attempts at %v: %+v", attempts, now.Sub(t0), d)
	}
	ids := map[string]bool{}
	for _, r := range e.cwc.Received() {
		ids[r.DeliveryID] = true
	}
	if len(e.cwc.Received()) != attempts || len(ids) != 1 || !ids[d.DeliveryID] {
		t.Fatalf("%d requests with %d DeliveryIds", len(e.cwc.Received()), len(ids))
	}
	e.assertNoSecretsLogged(t)
}

func TestBackoffCeiling(t *testing.T) {
	b := DefaultBackoff()
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {4, 4 * time.Minute},
		{7, 32 * time.Minute}, {8, time.Hour}, {50, time.Hour},
	}
	for _, tc := range tests {
		if got := b.Ceiling(tc.attempts); got != tc.want {
			t.Errorf("Ceiling(%d) = %v, want %v", tc.attempts, got, tc.want)
		}
	}
	w := &Worker{Rand: mrand.New(mrand.NewPCG(3, 4))}
	for range 1000 {
		if j := w.jitter(time.Minute); j < 0 || j > time.Minute {
			t.Fatalf("jitter %v out of range", j)
		}
	}
}

func TestOutboxTimeoutIsRetried(t *testing.T) {
	e := newOutboxEnv(t)
	e.cwc.SetMode(standin.CWCHang)
	// A short client-side bound; nothing in the test waits for it but the worker.
	e.worker.RequestTimeout = 50 * time.Millisecond
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryQueued || d.Attempts != 1 || d.LastError != "request failed: timed out" ||
		!d.NextAttemptAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("after timeout: %+v", d)
	}
	e.assertNoSecretsLogged(t)
}

func TestOutboxInvalidMessageFailsWithoutSending(t *testing.T) {
	e := newOutboxEnv(t)
	e.worker.Agent.ContactPhone = "call us"
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryFailed || !strings.Contains(d.LastError, "DeliveryAgentContactPhone") {
		t.Fatalf("delivery = %+v", d)
	}
	if len(e.cwc.Received()) != 0 {
		t.Fatal("an invalid message was sent")
	}
}

// A refused key (401) or an unapproved address (403) is not the letters'
// fault: the chamber's deliveries are held, not failed, and nothing more is
// sent to it until the operator fixes it and restarts; then every held
// letter goes, with its DeliveryId unchanged.
func TestOutboxHoldsOnAuthErrorsAndResumesAfterRestart(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		// held is how many deliveries are held: the address is refused for
		// both chambers, the House key only for the House.
		held   int
		break_ func(e *outboxEnv)
		fix    func(e *outboxEnv)
	}{
		{"wrong key", 401, 4,
			func(e *outboxEnv) { e.worker.HouseKey = "wrong-key" },
			func(e *outboxEnv) { e.worker.HouseKey = "house-secret-key" }},
		{"address not approved", 403, 8,
			func(e *outboxEnv) { e.cwc.SetMode(standin.CWCUnapproved) },
			func(e *outboxEnv) { e.cwc.SetMode(standin.CWCAccept) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newOutboxEnv(t)
			e.worker.Concurrency = 1
			tc.break_(e)
			for range 4 {
				e.addLetter(t, true)
			}
			e.worker.SenateURL, e.worker.SenateKey = e.cwc.URL, "senate-secret-key"
			e.runOnce(t)
			// One House request showed the problem; the Senate went on.
			house := 0
			for _, r := range e.cwc.Received() {
				if r.Path == "/v2/message" {
					house++
					if r.Status != tc.status {
						t.Fatalf("stand-in answered %d", r.Status)
					}
				}
			}
			if house != 1 {
				t.Fatalf("%d House requests", house)
			}
			d := e.delivery(t, e.letters[0], 0)
			if d.Status != advocacy.DeliveryHeld || !strings.Contains(d.LastError, fmt.Sprintf("HTTP %d", tc.status)) {
				t.Fatalf("first: %+v", d)
			}
			for range 3 {
				e.clock.Set(e.clock.Now().Add(time.Hour))
				e.runOnce(t)
			}
			st := e.statuses(t)
			if st[advocacy.DeliveryHeld] != tc.held || st[advocacy.DeliveryFailed] != 0 || st[advocacy.DeliverySent] != 8-tc.held {
				t.Fatalf("statuses %v", st)
			}
			health, err := e.store.DeliveryHealth(context.Background(), e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if h := health[0]; h.Held != 4 || !h.HeldSince.Equal(t0) || !strings.Contains(h.HoldReason, "WHIPCOUNT_CWC_KEY") {
				t.Fatalf("House health %+v", h)
			}
			if !strings.Contains(e.logs.String(), "CWC delivery to the House is held") {
				t.Errorf("no log line tells the operator:\n%s", e.logs.String())
			}
			// The operator fixes it and restarts: the worker resumes the
			// held letters before it starts sending.
			tc.fix(e)
			if err := e.worker.Resume(context.Background()); err != nil {
				t.Fatal(err)
			}
			for e.runOnce(t) > 0 {
			}
			if st := e.statuses(t); st[advocacy.DeliverySent] != 8 {
				t.Fatalf("after the restart: %v", st)
			}
			for id, n := range e.cwc.Accepted() {
				if n != 1 {
					t.Fatalf("%s accepted %d times", id, n)
				}
			}
			e.assertNoSecretsLogged(t)
		})
	}
}

// A wrong message address (404) holds the chamber too.
func TestOutboxHoldsOnWrongAddress(t *testing.T) {
	e := newOutboxEnv(t)
	e.worker.HouseURL = e.cwc.URL + "/wrong/"
	l := e.addLetter(t, false)
	e.runOnce(t)
	if d := e.delivery(t, l, 0); d.Status != advocacy.DeliveryHeld || !strings.Contains(d.LastError, "HTTP 404") ||
		!strings.Contains(d.LastError, "-cwc-url") {
		t.Fatalf("delivery = %+v", d)
	}
}

// A 409 for a DeliveryId CWC took before (the answer to the first try was
// lost) counts as sent.
func TestOutboxAlreadyAcceptedCountsAsSent(t *testing.T) {
	e := newOutboxEnv(t)
	e.cwc.RejectDuplicates()
	l := e.addLetter(t, false)
	e.runOnce(t)
	// The same message again, as after a crash before MarkSent.
	e.db.W.Exec("UPDATE deliveries SET status = 'queued', next_attempt_at = ?", "2000-01-01T00:00:00.000Z")
	e.runOnce(t)
	if d := e.delivery(t, l, 0); d.Status != advocacy.DeliverySent || len(e.cwc.Received()) != 2 || e.cwc.Received()[1].Status != 409 {
		t.Fatalf("delivery = %+v, requests %+v", d, e.cwc.Received())
	}
}

func TestOutboxSenate(t *testing.T) {
	e := newOutboxEnv(t)
	// Queued for the Senate while its endpoint is not set: it waits.
	l := e.addLetter(t, true)
	e.runOnce(t)
	if d := e.delivery(t, l, 1); d.Status != advocacy.DeliveryQueued || d.Attempts != 0 {
		t.Fatalf("senate without endpoint: %+v", d)
	}
	e.worker.SenateURL, e.worker.SenateKey = e.cwc.URL, "senate-secret-key"
	e.runOnce(t)
	if d := e.delivery(t, l, 1); d.Status != advocacy.DeliverySent {
		t.Fatalf("senate with endpoint: %+v", d)
	}
	last := e.cwc.Received()[len(e.cwc.Received())-1]
	if last.Path != "/api/messages/" || last.Key != "senate-secret-key" || last.Office != "SNY03" {
		t.Fatalf("senate request = %+v", last)
	}
	e.assertNoSecretsLogged(t)
}

func TestChannelFor(t *testing.T) {
	tests := []struct {
		ch   advocacy.Chamber
		e    Endpoints
		want advocacy.Channel
	}{
		{advocacy.House, Endpoints{}, advocacy.ChannelAssisted},
		{advocacy.House, Endpoints{HouseURL: "https://cwc"}, advocacy.ChannelAssisted},
		{advocacy.House, Endpoints{HouseURL: "https://cwc", HouseKey: "k"}, advocacy.ChannelCWC},
		{advocacy.Senate, Endpoints{HouseURL: "https://cwc", HouseKey: "k"}, advocacy.ChannelAssisted},
		{advocacy.Senate, Endpoints{SenateURL: "https://scwc", SenateKey: "k"}, advocacy.ChannelCWC},
		{"", Endpoints{HouseURL: "https://cwc", HouseKey: "k"}, advocacy.ChannelAssisted},
	}
	for _, tc := range tests {
		if got := ChannelFor(tc.ch, tc.e); got != tc.want {
			t.Errorf("ChannelFor(%q, %+v) = %s, want %s", tc.ch, tc.e, got, tc.want)
		}
	}
}

// Two workers, each with its own database handle on the same file (as two
// processes would be), never send the same delivery twice.
func TestOutboxNoDoubleSends(t *testing.T) {
	e := newOutboxEnv(t)
	const letters = 30
	for range letters {
		e.addLetter(t, false)
	}
	db2 := testkit.OpenDB(t, e.path)
	defer db2.Close()
	w1 := e.worker
	w2 := e.newWorker(sqlite.NewLetters(db2, e.clock.Now, rand.Reader))
	w1.Concurrency, w2.Concurrency = 2, 2
	var wg sync.WaitGroup
	for _, w := range []*Worker{w1, w2, w1, w2} {
		wg.Go(func() {
			for {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	sends := e.cwc.Accepted()
	if len(sends) != letters {
		t.Fatalf("CWC accepted %d distinct deliveries, want %d", len(sends), letters)
	}
	for id, n := range sends {
		if n != 1 {
			t.Fatalf("delivery %s sent %d times", id, n)
		}
	}
	for i, l := range e.letters {
		if d := e.delivery(t, l, 0); d.Status != advocacy.DeliverySent || d.Attempts != 1 {
			t.Fatalf("letter %d: %+v", i, d)
		}
	}
}

// A worker that claimed a delivery and died leaves it leased; after a
// restart (a new database handle and worker) it is delivered once the lease
// runs out.
func TestOutboxResumesAfterRestart(t *testing.T) {
	e := newOutboxEnv(t)
	l := e.addLetter(t, false)
	lease := 2 * time.Minute
	claimed, err := e.store.ClaimDue(context.Background(), advocacy.House, t0, 10, lease) // then the process dies
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	e.db.Close()

	db2 := testkit.OpenDB(t, e.path)
	defer db2.Close()
	store2 := sqlite.NewLetters(db2, e.clock.Now, rand.Reader)
	w := e.newWorker(store2)
	w.Lease = lease
	if n, err := w.RunOnce(context.Background()); err != nil || n != 0 {
		t.Fatalf("claimed a leased delivery: %d, %v", n, err)
	}
	e.clock.Set(t0.Add(lease + time.Second))
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("after lease: %d, %v", n, err)
	}
	got, err := store2.LetterByPublicID(context.Background(), l.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Deliveries[0]; d.Status != advocacy.DeliverySent || d.Attempts != 2 || len(e.cwc.Received()) != 1 {
		t.Fatalf("after restart: %+v, %d requests", d, len(e.cwc.Received()))
	}
}

// blockingCWC answers 200 to each message once release is closed, and
// reports each request's arrival.
func blockingCWC(t *testing.T) (url string, client *http.Client, arrived chan string, release chan struct{}) {
	arrived, release = make(chan string, 100), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, srv.Client(), arrived, release
}

// Run delivers when woken, with several requests in flight at once, and on
// cancellation finishes the requests in flight before returning.
func TestOutboxRunWakesAndDrains(t *testing.T) {
	e := newOutboxEnv(t)
	url, client, arrived, release := blockingCWC(t)
	e.worker.HouseURL, e.worker.Client, e.worker.Concurrency = url, client, 3
	e.worker.PollInterval = time.Hour // only a wake-up can start a run
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.worker.Run(ctx, wake)
		close(done)
	}()
	// The first claim found nothing; letters arrive and wake the worker.
	for range 5 {
		e.addLetter(t, false)
	}
	Notify(wake)
	Notify(wake) // never blocks
	for range 3 {
		<-arrived // three requests in flight at once, none answered yet
	}
	cancel() // SIGTERM while requests are in flight
	close(release)
	<-done
	st := e.statuses(t)
	if st[advocacy.DeliverySent] != 3 || st[advocacy.DeliveryQueued] != 2 {
		t.Fatalf("after stopping: %v", st)
	}
	for _, l := range e.letters[3:] {
		if d := e.delivery(t, l, 0); d.Attempts != 0 {
			t.Fatalf("an unstarted delivery counted an attempt: %+v", d)
		}
	}
}

// A chamber whose endpoint hangs does not hold up the other's letters.
func TestOutboxSlowChamberDoesNotStarveTheOther(t *testing.T) {
	e := newOutboxEnv(t)
	url, client, arrived, release := blockingCWC(t)
	e.worker.HouseURL, e.worker.Client, e.worker.Concurrency = url, client, 2
	senate := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		senate <- r.URL.Path
		io.WriteString(w, "Message Accepted")
	}))
	defer srv.Close()
	e.worker.SenateURL, e.worker.SenateKey = srv.URL, "senate-secret-key"
	e.worker.Client = &http.Client{}
	for range 4 {
		e.addLetter(t, true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.worker.Run(ctx, make(chan struct{}, 1)); close(done) }()
	// Both House slots get stuck, yet all four Senate letters arrive.
	<-arrived
	<-arrived
	for range 4 {
		<-senate
	}
	cancel()
	close(release)
	<-done
	if st := e.statuses(t); st[advocacy.DeliverySent] < 6 {
		t.Fatalf("statuses %v", st)
	}
}

// A claim the worker cannot start before its lease would run out is given
// back untried: it does not count as an attempt and is claimable at once.
func TestOutboxSkippedClaimKeepsItsAttempt(t *testing.T) {
	e := newOutboxEnv(t)
	l := e.addLetter(t, false)
	e.worker.Lease, e.worker.RequestTimeout = time.Minute, 30*time.Second
	// The claim is made at t0; by the time the request would start, the
	// clock says 50 s later: the 30 s request could outlive the lease.
	calls := 0
	e.worker.Clock = func() time.Time {
		calls++
		if calls == 1 {
			return t0
		}
		return t0.Add(50 * time.Second)
	}
	if n := e.runOnce(t); n != 0 {
		t.Fatalf("attempted %d, want 0", n)
	}
	if d := e.delivery(t, l, 0); d.Status != advocacy.DeliveryQueued || d.Attempts != 0 {
		t.Fatalf("skipped claim: %+v", d)
	}
	e.worker.Clock = e.clock.Now
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("skipped claim not claimable at once: %d", n)
	}
	if d := e.delivery(t, l, 0); d.Status != advocacy.DeliverySent || d.Attempts != 1 {
		t.Fatalf("then: %+v", d)
	}
	if len(e.cwc.Received()) != 1 {
		t.Fatalf("%d requests", len(e.cwc.Received()))
	}
}

func TestRunOnceNeedsItsParts(t *testing.T) {
	if _, err := (&Worker{}).RunOnce(context.Background()); err == nil {
		t.Fatal("a worker without store, client and clock ran")
	}
}
