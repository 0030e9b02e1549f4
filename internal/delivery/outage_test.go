package delivery

import (
	"context"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// drain runs the worker on the injected clock until nothing is queued:
// each pass sends what is due, then the clock jumps to the next due retry.
// It returns the clock's time when the outbox emptied.
func (e *outboxEnv) drain(t *testing.T) time.Time {
	t.Helper()
	for range 10000 {
		for e.runOnce(t) > 0 {
		}
		var next sql.NullString
		if err := e.db.R.QueryRow("SELECT min(next_attempt_at) FROM deliveries WHERE status = 'queued'").Scan(&next); err != nil {
			t.Fatal(err)
		}
		if !next.Valid {
			return e.clock.Now()
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z", next.String)
		if err != nil {
			t.Fatal(err)
		}
		if at.After(e.clock.Now()) {
			e.clock.Set(at)
		}
	}
	t.Fatal("the outbox never emptied")
	return time.Time{}
}

// attemptStats is the most attempts any delivery took, and how many took
// more than 8 (what the old count budget allowed).
func (e *outboxEnv) attemptStats(t *testing.T) (maxAttempts, over8 int) {
	t.Helper()
	if err := e.db.R.QueryRow("SELECT max(attempts), count(*) FILTER (WHERE attempts > 8) FROM deliveries").Scan(&maxAttempts, &over8); err != nil {
		t.Fatal(err)
	}
	return maxAttempts, over8
}

// batchSize is how many letters the outage tests send: 50, or
// WHIPCOUNT_TEST_BATCH (200 for the figures in the README).
func batchSize(t *testing.T) int {
	if n, err := strconv.Atoi(os.Getenv("WHIPCOUNT_TEST_BATCH")); err == nil && n > 0 {
		return n
	}
	return 50
}

// A batch of letters meets a 30-minute outage (CWC answers 503): none
// fails, every one is sent once with its DeliveryId, soon after the outage
// ends. The clock is injected; the figures go to the test log.
func TestOutboxThroughAThirtyMinuteOutage(t *testing.T) {
	letters := batchSize(t)
	e := newOutboxEnv(t)
	e.worker.Rand = mrand.New(mrand.NewPCG(7, 11))
	e.worker.Concurrency = DefaultConcurrency
	end := t0.Add(30 * time.Minute)
	e.cwc.Outage(e.clock.Now, t0, end)
	for range letters {
		e.addLetter(t, false)
	}
	done := e.drain(t)
	st := e.statuses(t)
	maxAttempts, over8 := e.attemptStats(t)
	requests := len(e.cwc.Received())
	t.Logf("30-minute outage, %d letters: %d sent, %d failed, %d held; %d requests (%.1f a letter), at most %d attempts for one letter "+
		"(%d letters took more than 8, the old limit); the last was accepted %v after the outage ended",
		letters, st[advocacy.DeliverySent], st[advocacy.DeliveryFailed], st[advocacy.DeliveryHeld], requests,
		float64(requests)/float64(letters), maxAttempts, over8, done.Sub(end).Round(time.Second))
	if st[advocacy.DeliverySent] != letters || st[advocacy.DeliveryFailed] != 0 {
		t.Fatalf("statuses %v", st)
	}
	for id, n := range e.cwc.Accepted() {
		if n != 1 {
			t.Fatalf("%s accepted %d times", id, n)
		}
	}
	if len(e.cwc.Accepted()) != letters {
		t.Fatalf("%d DeliveryIds accepted", len(e.cwc.Accepted()))
	}
	// Once CWC answers again, the letters waiting out their backoff go at
	// once instead of within the hour.
	if done.After(end.Add(10 * time.Minute)) {
		t.Fatalf("the last letter went %v after the outage", done.Sub(end))
	}
}

// A batch of letters meets a wrong key: every letter is held, none failed,
// only the first requests reached CWC; once the key is fixed and the worker
// restarts, every letter is sent once with its DeliveryId.
func TestOutboxThroughAWrongKey(t *testing.T) {
	letters := batchSize(t)
	e := newOutboxEnv(t)
	e.worker.Concurrency = DefaultConcurrency
	e.worker.HouseKey = "wrong-key"
	for range letters {
		e.addLetter(t, false)
	}
	for range 3 { // three passes an hour apart: still nothing goes
		for e.runOnce(t) > 0 {
		}
		e.clock.Set(e.clock.Now().Add(time.Hour))
	}
	st := e.statuses(t)
	wrong := len(e.cwc.Received())
	t.Logf("wrong key, %d letters: %d held, %d failed, %d sent; %d requests reached CWC (one per slot in flight when the first 401 came back)",
		letters, st[advocacy.DeliveryHeld], st[advocacy.DeliveryFailed], st[advocacy.DeliverySent], wrong)
	if st[advocacy.DeliveryHeld] != letters || wrong > DefaultConcurrency {
		t.Fatalf("statuses %v, %d requests", st, wrong)
	}
	ids := map[string]bool{}
	for _, r := range e.cwc.Received() {
		ids[r.DeliveryID] = true
	}

	e.worker.HouseKey = "house-secret-key" // fixed, and the server restarted
	if err := e.worker.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	st = e.statuses(t)
	t.Logf("after the fix and a restart: %d sent, %d failed, %d held", st[advocacy.DeliverySent],
		st[advocacy.DeliveryFailed], st[advocacy.DeliveryHeld])
	if st[advocacy.DeliverySent] != letters {
		t.Fatalf("statuses %v", st)
	}
	acc := e.cwc.Accepted()
	for id := range ids {
		if acc[id] != 1 {
			t.Fatalf("a letter first tried with the wrong key went %d times under DeliveryId %s", acc[id], id)
		}
	}
}

// BenchmarkOutboxThroughput measures messages a second into a CWC
// stand-in that takes 200 ms to answer, with the real SQLite outbox and
// the worker's Run loop, at several concurrency settings.
func BenchmarkOutboxThroughput(b *testing.B) {
	for _, conc := range []int{1, 4, DefaultConcurrency, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			const perRun = 40
			var sent int
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				e := newOutboxEnv(b)
				e.cwc.SetLatency(200 * time.Millisecond)
				e.worker.Concurrency, e.worker.Clock = conc, time.Now
				e.worker.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
				n := perRun * conc / 4
				n = max(n, 10)
				for range n {
					e.addLetter(b, false)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				b.StartTimer()
				start := time.Now()
				go func() { e.worker.Run(ctx, make(chan struct{})); close(done) }()
				for len(e.cwc.Accepted()) < n {
					time.Sleep(2 * time.Millisecond)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				cancel()
				<-done
				e.db.Close()
				sent += n
			}
			b.ReportMetric(float64(sent)/elapsed.Seconds(), "msgs/s")
		})
	}
}
