package ttlcache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)} }

// counter is a load that counts its calls and answers n.
func counter(calls *int, v string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		*calls++
		return v, nil
	}
}

func TestGetKeepsForTheTTL(t *testing.T) {
	clk := newClock()
	c := New[string, string](5*time.Second, clk.Now, Options[string, string]{})
	ctx := context.Background()
	calls := 0
	for range 3 {
		if v, err := c.Get(ctx, "a", counter(&calls, "one")); v != "one" || err != nil {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if calls != 1 {
		t.Errorf("%d loads within the TTL, want 1", calls)
	}
	c.Get(ctx, "b", counter(&calls, "two"))
	if calls != 2 {
		t.Errorf("another key did not load: %d loads", calls)
	}
	clk.Add(4 * time.Second)
	if v, _ := c.Peek("a"); v != "one" {
		t.Errorf("Peek before expiry = %q", v)
	}
	clk.Add(time.Second)
	if _, ok := c.Peek("a"); ok {
		t.Error("Peek at the TTL found the value")
	}
	if v, _ := c.Get(ctx, "a", counter(&calls, "new")); v != "new" || calls != 3 {
		t.Errorf("after the TTL: %q with %d loads", v, calls)
	}
	clk.Add(-time.Minute) // a clock set back does not make old values new
	if v, _ := c.Get(ctx, "a", counter(&calls, "back")); v != "back" || calls != 4 {
		t.Errorf("after the clock went back: %q with %d loads", v, calls)
	}
}

func TestErrorsAreNotKept(t *testing.T) {
	c := New[string, int](time.Minute, newClock().Now, Options[string, int]{})
	ctx := context.Background()
	boom := errors.New("database locked")
	calls := 0
	fail := func(context.Context) (int, error) { calls++; return 0, boom }
	for range 2 {
		if _, err := c.Get(ctx, "k", fail); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls != 2 {
		t.Errorf("%d loads: a failed load was kept", calls)
	}
	if v, err := c.Get(ctx, "k", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("after failures: %v %v", v, err)
	}
	if _, ok := c.Stale("k"); !ok {
		t.Error("no value kept after a good load")
	}
}

func TestZeroTTLKeepsNothing(t *testing.T) {
	c := New[string, string](0, newClock().Now, Options[string, string]{})
	calls := 0
	c.Get(context.Background(), "a", counter(&calls, "x"))
	c.Get(context.Background(), "a", counter(&calls, "x"))
	c.Put("a", "y")
	if _, ok := c.Peek("a"); ok || calls != 2 {
		t.Errorf("ttl 0: %d loads, peek %v", calls, ok)
	}
}

// blockingLoad starts, tells started, and answers v (or err) once release
// is closed.
type blockingLoad struct {
	calls            atomic.Int32
	started, release chan struct{}
}

func newBlockingLoad() *blockingLoad {
	return &blockingLoad{started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blockingLoad) load(v string, err error) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		b.calls.Add(1)
		b.started <- struct{}{}
		<-b.release
		return v, err
	}
}

// waitingCache is a cache that reports on waiters.
func waitingCache(opt Options[string, string]) (*Cache[string, string], chan string, *clock) {
	clk := newClock()
	c := New(time.Minute, clk.Now, opt)
	waiters := make(chan string, 16)
	c.waiting = func(k string) { waiters <- k }
	return c, waiters, clk
}

func TestConcurrentMissesLoadOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{{"value", nil}, {"error", errors.New("store down")}} {
		t.Run(tc.name, func(t *testing.T) {
			c, waiters, _ := waitingCache(Options[string, string]{})
			b := newBlockingLoad()
			const n = 8
			type result struct {
				v   string
				err error
			}
			results := make(chan result, n)
			get := func() {
				v, err := c.Get(context.Background(), "k", b.load("loaded", tc.err))
				results <- result{v, err}
			}
			go get()
			<-b.started
			for range n - 1 {
				go get()
			}
			for range n - 1 {
				<-waiters // every other caller waits for the one load
			}
			close(b.release)
			for range n {
				r := <-results
				if r.v != "loaded" || !errors.Is(r.err, tc.err) {
					t.Errorf("Get = %q, %v", r.v, r.err)
				}
			}
			if got := b.calls.Load(); got != 1 {
				t.Errorf("%d loads for %d concurrent misses", got, n)
			}
			_, kept := c.Peek("k")
			if kept != (tc.err == nil) {
				t.Errorf("kept = %v after a load with error %v", kept, tc.err)
			}
		})
	}
}

func TestWaiterLeavesWithItsContext(t *testing.T) {
	c, waiters, _ := waitingCache(Options[string, string]{})
	b := newBlockingLoad()
	go c.Get(context.Background(), "k", b.load("v", nil))
	<-b.started
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Get(ctx, "k", b.load("other", nil))
		done <- err
	}()
	<-waiters
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("waiter's err = %v", err)
	}
	close(b.release)
}

func TestWaiterLoadsAgainWhenTheLoaderGaveUp(t *testing.T) {
	c, waiters, _ := waitingCache(Options[string, string]{})
	b := newBlockingLoad()
	go c.Get(context.Background(), "k", b.load("", context.Canceled))
	<-b.started
	done := make(chan string)
	go func() {
		v, _ := c.Get(context.Background(), "k", func(context.Context) (string, error) { return "mine", nil })
		done <- v
	}()
	<-waiters
	close(b.release)
	if v := <-done; v != "mine" {
		t.Errorf("waiter got %q, want its own load after the first caller went away", v)
	}
}

func TestServeStaleWhileReloading(t *testing.T) {
	c, _, clk := waitingCache(Options[string, string]{ServeStale: true})
	ctx := context.Background()
	c.Put("k", "old")
	clk.Add(2 * time.Minute)
	b := newBlockingLoad()
	reloaded := make(chan string)
	go func() {
		v, _ := c.Get(ctx, "k", b.load("new", nil))
		reloaded <- v
	}()
	<-b.started
	if v, err := c.Get(ctx, "k", b.load("unwanted", nil)); v != "old" || err != nil {
		t.Errorf("during the reload: %q %v, want the old value at once", v, err)
	}
	close(b.release)
	if v := <-reloaded; v != "new" {
		t.Errorf("reload answered %q", v)
	}
	if v, _ := c.Peek("k"); v != "new" || b.calls.Load() != 1 {
		t.Errorf("after the reload: %q with %d loads", v, b.calls.Load())
	}
	// A failed reload keeps the old value for callers to fall back on.
	clk.Add(2 * time.Minute)
	if _, err := c.Get(ctx, "k", func(context.Context) (string, error) { return "", errors.New("down") }); err == nil {
		t.Fatal("failed reload reported no error")
	}
	if v, ok := c.Stale("k"); v != "new" || !ok {
		t.Errorf("Stale = %q %v", v, ok)
	}
}

func TestClearDropsLoadsInProgress(t *testing.T) {
	c, _, _ := waitingCache(Options[string, string]{})
	b := newBlockingLoad()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Get(context.Background(), "k", b.load("before", nil))
	}()
	<-b.started
	c.Clear()
	calls := 0
	if v, _ := c.Get(context.Background(), "k", counter(&calls, "after")); v != "after" || calls != 1 {
		t.Errorf("Get after Clear = %q (%d loads): it joined a load begun before", v, calls)
	}
	close(b.release)
	<-done
	if v, _ := c.Peek("k"); v != "after" {
		t.Errorf("a load begun before Clear stored %q", v)
	}
}

func TestPanickingLoadReleasesWaiters(t *testing.T) {
	c, waiters, _ := waitingCache(Options[string, string]{})
	b := newBlockingLoad()
	go func() {
		defer func() { recover() }()
		c.Get(context.Background(), "k", func(ctx context.Context) (string, error) {
			b.load("", nil)(ctx)
			panic("bug")
		})
	}()
	<-b.started
	done := make(chan error)
	go func() {
		_, err := c.Get(context.Background(), "k", b.load("x", nil))
		done <- err
	}()
	<-waiters
	close(b.release)
	if err := <-done; !errors.Is(err, errLoadPanicked) {
		t.Errorf("waiter's err = %v", err)
	}
}

func TestWeightBound(t *testing.T) {
	clk := newClock()
	c := New(time.Minute, clk.Now, Options[string, []byte]{
		MaxWeight: 100,
		Weigh:     func(k string, v []byte) int { return len(k) + len(v) },
	})
	for i := range 50 {
		c.Put(string(rune('a'+i)), make([]byte, 9))
		if w := c.Weight(); w > 100 {
			t.Fatalf("weight %d over the bound of 100", w)
		}
	}
	if _, ok := c.Peek(string(rune('a' + 49))); !ok {
		t.Error("the newest value was not kept")
	}
	c.Put("huge", make([]byte, 200))
	if _, ok := c.Peek("huge"); ok {
		t.Error("a value heavier than the bound was kept")
	}
	c.Clear()
	if c.Weight() != 0 {
		t.Errorf("weight %d after Clear", c.Weight())
	}
}
