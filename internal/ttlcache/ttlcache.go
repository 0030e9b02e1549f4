// Package ttlcache keeps values for a short time. However many callers miss
// the same key at once, the value is loaded once and they all get it; a
// failed load is not kept, so the next caller tries again. Time comes from
// an injected clock.
package ttlcache

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Options tune a Cache. The zero value keeps every key until it expires or
// the cache is cleared.
type Options[K comparable, V any] struct {
	// MaxWeight bounds the total weight of the values kept; 0 is no bound.
	// A value heavier than the bound is not kept.
	MaxWeight int
	// Weigh gives a value's weight; nil counts one per key.
	Weigh func(K, V) int
	// ServeStale lets callers take an expired value while another caller
	// reloads it, instead of waiting for the reload.
	ServeStale bool
}

// Cache keeps values by key for a time to live. Its methods are safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	ttl   time.Duration
	clock func() time.Time
	opt   Options[K, V]

	mu      sync.Mutex
	items   map[K]entry[V]
	weight  int
	loading map[K]*call[V]
	// gen changes when the cache is cleared, so that a load begun before
	// does not store what it read.
	gen uint64
	// waiting, when set (by tests), is told of each caller that starts
	// waiting for another's load.
	waiting func(K)
}

type entry[V any] struct {
	v      V
	at     time.Time
	weight int
}

// call is one load in progress; done is closed when it ends.
type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// New returns a cache whose values live for ttl by clock. A ttl of zero or
// less keeps nothing: every Get loads.
func New[K comparable, V any](ttl time.Duration, clock func() time.Time, opt Options[K, V]) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, clock: clock, opt: opt}
}

// fresh reports whether e is still to be trusted at now. A clock that went
// back past the time of the entry makes it stale.
func (c *Cache[K, V]) fresh(e entry[V], now time.Time) bool {
	return !now.Before(e.at) && now.Sub(e.at) < c.ttl
}

// errLoadPanicked is what callers waiting on a load get when it panicked.
var errLoadPanicked = errors.New("ttlcache: load panicked")

// Get returns the value of key, loading it with load when it is missing or
// expired. Concurrent callers that miss the same key share one load and its
// result; a load that fails is not kept. A caller waiting for another's load
// stops waiting when its own ctx ends; and if that load failed only because
// its caller went away, the next caller loads again.
func (c *Cache[K, V]) Get(ctx context.Context, key K, load func(context.Context) (V, error)) (V, error) {
	if c.ttl <= 0 {
		return load(ctx)
	}
	for {
		c.mu.Lock()
		now := c.clock()
		e, have := c.items[key]
		if have && c.fresh(e, now) {
			c.mu.Unlock()
			return e.v, nil
		}
		if cl, ok := c.loading[key]; ok {
			c.mu.Unlock()
			if have && c.opt.ServeStale {
				return e.v, nil
			}
			if c.waiting != nil {
				c.waiting(key)
			}
			select {
			case <-cl.done:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			if cl.err != nil && ctx.Err() == nil &&
				(errors.Is(cl.err, context.Canceled) || errors.Is(cl.err, context.DeadlineExceeded)) {
				continue
			}
			return cl.v, cl.err
		}
		cl := &call[V]{done: make(chan struct{})}
		if c.loading == nil {
			c.loading = map[K]*call[V]{}
		}
		c.loading[key] = cl
		gen := c.gen
		c.mu.Unlock()
		c.run(ctx, key, cl, gen, now, load)
		return cl.v, cl.err
	}
}

// run performs one load and publishes its result, even when load panics.
func (c *Cache[K, V]) run(ctx context.Context, key K, cl *call[V], gen uint64, at time.Time, load func(context.Context) (V, error)) {
	finished := false
	defer func() {
		if !finished {
			cl.err = errLoadPanicked
		}
		c.mu.Lock()
		if c.loading[key] == cl {
			delete(c.loading, key)
		}
		if finished && cl.err == nil && gen == c.gen {
			c.store(key, cl.v, at)
		}
		c.mu.Unlock()
		close(cl.done)
	}()
	cl.v, cl.err = load(ctx)
	finished = true
}

// Peek returns the value of key if it is kept and fresh, without loading.
func (c *Cache[K, V]) Peek(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || c.ttl <= 0 || !c.fresh(e, c.clock()) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Stale returns the value last kept for key, however old: what a caller
// can fall back on when a reload fails.
func (c *Cache[K, V]) Stale(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	return e.v, ok
}

// Put keeps v for key from now on.
func (c *Cache[K, V]) Put(key K, v V) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store(key, v, c.clock())
}

// store keeps v under key, dated at, within the weight bound: when it does
// not fit, expired values go first, then others in map order (in effect at
// random) until half the bound is free. The caller holds c.mu.
func (c *Cache[K, V]) store(key K, v V, at time.Time) {
	w := 1
	if c.opt.Weigh != nil {
		w = c.opt.Weigh(key, v)
	}
	if old, ok := c.items[key]; ok {
		c.weight -= old.weight
		delete(c.items, key)
	}
	if limit := c.opt.MaxWeight; limit > 0 {
		if w > limit {
			return
		}
		if c.weight+w > limit {
			now := c.clock()
			for k, e := range c.items {
				if !c.fresh(e, now) || c.weight+w > limit {
					c.weight -= e.weight
					delete(c.items, k)
				}
				if c.weight+w <= limit/2 {
					break
				}
			}
		}
	}
	if c.items == nil {
		c.items = map[K]entry[V]{}
	}
	c.items[key] = entry[V]{v: v, at: at, weight: w}
	c.weight += w
}

// Weight is the total weight of the values kept.
func (c *Cache[K, V]) Weight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.weight
}

// Clear forgets every value; loads in progress finish but keep nothing.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items, c.weight, c.loading = nil, 0, nil
	c.gen++
}
