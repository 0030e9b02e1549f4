package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// testMigrations are the real migrations, plus a stand-in campaigns table
// while no real migration creates one.
func testMigrations(t testing.TB) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(db.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?campaigns\b`)
	has := false
	for _, n := range names {
		b, err := fs.ReadFile(db.Migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = &fstest.MapFile{Data: b}
		has = has || re.Match(b)
	}
	if !has {
		out["migrations/0002_create_campaigns.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE campaigns (
			id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
			ask TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'draft', starts_on TEXT, ends_on TEXT,
			cwc_campaign_id TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT '') STRICT;`)}
	}
	return out
}

func openTestDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(context.Background(), path, testMigrations(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

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

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var t0 = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// cwcServer is a stand-in CWC endpoint that records what it receives and
// answers with respond.
type cwcServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []cwcRequest
	perID    map[string]int
	respond  func(n int, w http.ResponseWriter, r *http.Request) // n counts requests from 1
}

type cwcRequest struct {
	Path, Key, ContentType string
	DeliveryID, Office     string
	Body                   []byte
}

func newCWCServer(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *cwcServer {
	s := &cwcServer{perID: map[string]int{}, respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m CWCMessage
		if err := xml.Unmarshal(body, &m); err != nil {
			t.Errorf("server got malformed XML: %v", err)
		}
		s.mu.Lock()
		s.requests = append(s.requests, cwcRequest{Path: r.URL.Path, Key: r.URL.Query().Get("apikey"),
			ContentType: r.Header.Get("Content-Type"), DeliveryID: m.Delivery.DeliveryID,
			Office: m.Recipient.MemberOffice, Body: body})
		s.perID[m.Delivery.DeliveryID]++
		n := len(s.requests)
		s.mu.Unlock()
		s.respond(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *cwcServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *cwcServer) request(i int) cwcRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 {
		i += len(s.requests)
	}
	return s.requests[i]
}

func (s *cwcServer) sends() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.perID {
		out[k] = v
	}
	return out
}

func answer(code int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

type outboxEnv struct {
	db      *sqlite.DB
	store   *sqlite.Letters
	clock   *fakeClock
	worker  *Worker
	server  *cwcServer
	logs    *lockedBuffer
	camp    int64
	path    string
	letters []advocacy.Letter
}

func newOutboxEnv(t *testing.T, respond func(int, http.ResponseWriter, *http.Request)) *outboxEnv {
	t.Helper()
	e := &outboxEnv{clock: &fakeClock{t: t0}, logs: &lockedBuffer{}}
	e.path = filepath.Join(t.TempDir(), "outbox.db")
	e.db = openTestDB(t, e.path)
	t.Cleanup(func() { e.db.Close() })
	e.camp = insertCampaign(t, e.db)
	e.store = sqlite.NewLetters(e.db, e.clock.Now, rand.Reader)
	e.server = newCWCServer(t, respond)
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
		Store:     store,
		Client:    e.server.Client(),
		Endpoints: Endpoints{HouseURL: e.server.URL + "/", HouseKey: "house-secret-key"},
		Agent:     minimalAgent(),
		Clock:     e.clock.Now,
		Logger:    slog.New(slog.NewJSONHandler(e.logs, nil)),
		BatchSize: 5,
	}
}

// addLetter stores a letter from a distinct sender to the NY-12 House seat
// (CWC) and, when senate is set, to a senator over CWC too.
func (e *outboxEnv) addLetter(t *testing.T, senate bool) advocacy.Letter {
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
		nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: "S000148", OfficeCode: "SNY01",
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

func (e *outboxEnv) delivery(t *testing.T, l advocacy.Letter, i int) advocacy.Delivery {
	t.Helper()
	got, err := e.store.LetterByPublicID(context.Background(), l.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Deliveries[i]
}

func (e *outboxEnv) runOnce(t *testing.T) int {
	t.Helper()
	n, err := e.worker.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
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
	e := newOutboxEnv(t, answer(200, "<Response>ok</Response>"))
	l := e.addLetter(t, false)
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("attempted %d", n)
	}
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliverySent || !d.SentAt.Equal(t0) || d.Attempts != 1 || d.LastError != "" {
		t.Fatalf("delivery = %+v", d)
	}
	r := e.server.request(0)
	if r.Path != "/v2/message" || r.Key != "house-secret-key" || r.ContentType != "application/xml" ||
		r.DeliveryID != d.DeliveryID || r.Office != "HNY12" {
		t.Fatalf("request = %+v", r)
	}
	var m CWCMessage
	xml.Unmarshal(r.Body, &m)
	if m.Delivery.CampaignID != "JV-119" || m.Message.ProOrCon != "pro" || m.Message.Topics[0] != TopicForeignTrade ||
		m.Message.Bills.Bill[0] != (CWCBill{119, "hr", 5917}) || m.Message.ConstituentMessage != "It matters to my business." {
		t.Fatalf("message = %+v", m)
	}
	if n := e.runOnce(t); n != 0 || e.server.count() != 1 {
		t.Fatalf("a sent delivery was attempted again")
	}
	e.assertNoSecretsLogged(t)
}

func TestOutboxFailsOn4xx(t *testing.T) {
	// CWC's answer may quote the constituent: it goes to last_error, never to the logs.
	e := newOutboxEnv(t, answer(400, "<Errors>\n  <Error>Email ada0@example.com is not deliverable</Error>\n</Errors>"))
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryFailed || d.Attempts != 1 ||
		d.LastError != "CWC rejected the message (400): <Errors> <Error>Email ada0@example.com is not deliverable</Error> </Errors>" {
		t.Fatalf("delivery = %+v", d)
	}
	e.clock.Set(t0.Add(48 * time.Hour))
	if n := e.runOnce(t); n != 0 || e.server.count() != 1 {
		t.Fatal("a failed delivery was retried")
	}
	e.assertNoSecretsLogged(t)
}

func TestOutboxRetries5xxWithJitterThenSends(t *testing.T) {
	e := newOutboxEnv(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(503)
			io.WriteString(w, "maintenance for Lovelace0")
			return
		}
		w.WriteHeader(200)
	})
	e.worker.Rand = mrand.New(mrand.NewPCG(1, 2))
	want := time.Duration(mrand.New(mrand.NewPCG(1, 2)).Int64N(int64(30*time.Second) + 1))
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	wantNext := t0.Add(want).Truncate(time.Millisecond)
	if d.Status != advocacy.DeliveryQueued || d.Attempts != 1 || !d.NextAttemptAt.Equal(wantNext) ||
		d.LastError != "CWC answered 503: maintenance for Lovelace0" {
		t.Fatalf("after 503: %+v (want next %v)", d, wantNext)
	}
	if wantNext.After(t0) {
		if n := e.runOnce(t); n != 0 {
			t.Fatal("retried before its time")
		}
	}
	e.clock.Set(d.NextAttemptAt)
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("attempted %d at the retry time", n)
	}
	d = e.delivery(t, l, 0)
	if d.Status != advocacy.DeliverySent || d.Attempts != 2 {
		t.Fatalf("after retry: %+v", d)
	}
	if n := e.server.sends()[d.DeliveryID]; n != 2 {
		t.Fatalf("server saw %d requests", n)
	}
	e.assertNoSecretsLogged(t)
}

// Without jitter the waits are the backoff ceilings: 30 s doubling up to the
// hour cap; the eighth transient failure is final.
func TestOutboxBackoffUntilMaxAttempts(t *testing.T) {
	e := newOutboxEnv(t, answer(500, "boom"))
	e.worker.Backoff = Backoff{Base: 30 * time.Second, Factor: 2, Cap: 10 * time.Minute}
	l := e.addLetter(t, false)
	waits := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		10 * time.Minute, 10 * time.Minute}
	now := t0
	for i, wait := range waits {
		e.clock.Set(now)
		if n := e.runOnce(t); n != 1 {
			t.Fatalf("attempt %d: attempted %d", i+1, n)
		}
		d := e.delivery(t, l, 0)
		if d.Status != advocacy.DeliveryQueued || d.Attempts != i+1 || d.NextAttemptAt.Sub(now) != wait {
			t.Fatalf("attempt %d: %+v, wait %v want %v", i+1, d, d.NextAttemptAt.Sub(now), wait)
		}
		now = d.NextAttemptAt
	}
	e.clock.Set(now)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryFailed || d.Attempts != 8 || d.LastError != "gave up after 8 attempts: CWC answered 500: boom" {
		t.Fatalf("final: %+v", d)
	}
	if e.server.count() != 8 {
		t.Fatalf("server saw %d requests", e.server.count())
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
	release := make(chan struct{})
	e := newOutboxEnv(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
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
	e := newOutboxEnv(t, answer(200, ""))
	e.worker.Agent.ContactPhone = "call us"
	l := e.addLetter(t, false)
	e.runOnce(t)
	d := e.delivery(t, l, 0)
	if d.Status != advocacy.DeliveryFailed || !strings.Contains(d.LastError, "DeliveryAgentContactPhone") {
		t.Fatalf("delivery = %+v", d)
	}
	if e.server.count() != 0 {
		t.Fatal("an invalid message was sent")
	}
}

func TestOutboxSenate(t *testing.T) {
	e := newOutboxEnv(t, answer(200, ""))
	// Queued for the Senate while its endpoint was set, then switched off.
	l := e.addLetter(t, true)
	e.runOnce(t)
	if d := e.delivery(t, l, 1); d.Status != advocacy.DeliveryFailed || d.LastError != "no CWC endpoint is configured for the senate" {
		t.Fatalf("senate without endpoint: %+v", d)
	}
	l2 := e.addLetter(t, true)
	e.worker.SenateURL, e.worker.SenateKey = e.server.URL, "senate-secret-key"
	e.runOnce(t)
	if d := e.delivery(t, l2, 1); d.Status != advocacy.DeliverySent {
		t.Fatalf("senate with endpoint: %+v", d)
	}
	last := e.server.request(-1)
	if last.Path != "/api/messages/" || last.Key != "senate-secret-key" || last.Office != "SNY01" {
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
	e := newOutboxEnv(t, answer(200, ""))
	const letters = 30
	for range letters {
		e.addLetter(t, false)
	}
	db2 := openTestDB(t, e.path)
	defer db2.Close()
	w1 := e.worker
	w2 := e.newWorker(sqlite.NewLetters(db2, e.clock.Now, rand.Reader))
	w1.BatchSize, w2.BatchSize = 2, 2
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
	sends := e.server.sends()
	if len(sends) != letters {
		t.Fatalf("server saw %d distinct deliveries, want %d", len(sends), letters)
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
	e := newOutboxEnv(t, answer(200, ""))
	l := e.addLetter(t, false)
	lease := 2 * time.Minute
	claimed, err := e.store.ClaimDue(context.Background(), t0, 10, lease) // then the process dies
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	e.db.Close()

	db2 := openTestDB(t, e.path)
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
	if d := got.Deliveries[0]; d.Status != advocacy.DeliverySent || d.Attempts != 2 || e.server.count() != 1 {
		t.Fatalf("after restart: %+v, %d requests", d, e.server.count())
	}
}

// Run delivers when woken, and on cancellation finishes the request in
// flight before returning.
func TestOutboxRunWakesAndDrains(t *testing.T) {
	started := make(chan string, 10)
	release := make(chan struct{})
	e := newOutboxEnv(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		started <- r.URL.Path
		<-release
		w.WriteHeader(200)
	})
	e.worker.PollInterval = time.Hour // only a wake-up can start a run
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.worker.Run(ctx, wake)
		close(done)
	}()
	// The first RunOnce found nothing; a letter arrives and wakes the worker.
	l := e.addLetter(t, false)
	Notify(wake)
	Notify(wake) // never blocks
	<-started
	cancel() // SIGTERM while the request is in flight
	close(release)
	<-done
	if d := e.delivery(t, l, 0); d.Status != advocacy.DeliverySent {
		t.Fatalf("in-flight delivery not finished: %+v", d)
	}
}

// Claims a stopping worker has not started are given back at once.
func TestOutboxReleasesUnstartedClaimsWhenStopping(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e := newOutboxEnv(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		cancel() // the stop arrives during the first request
		w.WriteHeader(200)
	})
	a := e.addLetter(t, false)
	b := e.addLetter(t, false)
	n, err := e.worker.RunOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if d := e.delivery(t, a, 0); d.Status != advocacy.DeliverySent {
		t.Fatalf("first: %+v", d)
	}
	d := e.delivery(t, b, 0)
	if d.Status != advocacy.DeliveryQueued || d.Attempts != 0 {
		t.Fatalf("second: %+v", d)
	}
	// Released, not leased: claimable at once.
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("released claim not claimable: %d", n)
	}
}

func TestRunOnceNeedsItsParts(t *testing.T) {
	if _, err := (&Worker{}).RunOnce(context.Background()); err == nil {
		t.Fatal("a worker without store, client and clock ran")
	}
}

// A claim the worker cannot start before its lease would run out is given
// back untried: it does not count as an attempt and is claimable at once.
func TestOutboxSkippedClaimKeepsItsAttempt(t *testing.T) {
	var e *outboxEnv
	e = newOutboxEnv(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		// The first request takes most of the lease.
		e.clock.Set(t0.Add(50 * time.Second))
		w.WriteHeader(200)
	})
	e.worker.Lease, e.worker.RequestTimeout = time.Minute, 30*time.Second
	a := e.addLetter(t, false)
	b := e.addLetter(t, false)
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("attempted %d, want 1", n)
	}
	if d := e.delivery(t, a, 0); d.Status != advocacy.DeliverySent || d.Attempts != 1 {
		t.Fatalf("first: %+v", d)
	}
	d := e.delivery(t, b, 0)
	if d.Status != advocacy.DeliveryQueued || d.Attempts != 0 {
		t.Fatalf("skipped claim: %+v", d)
	}
	if n := e.runOnce(t); n != 1 {
		t.Fatalf("skipped claim not claimable at once: %d", n)
	}
	if d := e.delivery(t, b, 0); d.Status != advocacy.DeliverySent || d.Attempts != 1 {
		t.Fatalf("second: %+v", d)
	}
}
