package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Lookups are counted for the dashboard's lookup-to-letter conversion. The
// lookupCounter's middleware on the lookup routes counts each answered
// lookup in memory, and RunLookupFlusher adds the batch to the
// lookup_counts table every so often, so a busy lookup page costs no write.
// At most one flush interval of counts is lost if the process dies.

// lookupCounter keeps the day's lookup counts until they are flushed to
// the store. Without a store it counts nothing.
type lookupCounter struct {
	store  DashboardStore
	clock  func() time.Time
	logger *slog.Logger

	mu     sync.Mutex
	counts map[advocacy.LookupKey]int
}

func newLookupCounter(store DashboardStore, clock func() time.Time, logger *slog.Logger) *lookupCounter {
	return &lookupCounter{store: store, clock: clock, logger: logger}
}

// count counts one answered lookup of a kind ("zip", "location", "api") on
// today's UTC date. It is cheap and never fails.
func (l *lookupCounter) count(kind string) {
	if l.store == nil {
		return
	}
	key := advocacy.LookupKey{Day: l.clock().UTC().Format(advocacy.DateLayout), Kind: kind}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[advocacy.LookupKey]int{}
	}
	l.counts[key]++
}

// middleware counts each lookup answered with 200: "api" for the JSON
// API, "location" for coordinates, "zip" otherwise. Settling a split ZIP
// (?district=) is the same lookup again and is not counted. Put it before
// any response cache, so cached answers count too.
func (l *lookupCounter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil || c.Response().Status != http.StatusOK || c.QueryParam("district") != "" {
			return err
		}
		kind := "zip"
		switch {
		case strings.HasPrefix(c.Request().URL.Path, "/api/"):
			kind = "api"
		case c.QueryParam("lat") != "" || c.QueryParam("lon") != "" || c.QueryParam("address") != "":
			kind = "location"
		}
		l.count(kind)
		return nil
	}
}

// flush writes the lookups counted since the last flush. On failure the
// counts are kept for the next try.
func (l *lookupCounter) flush(ctx context.Context) error {
	if l.store == nil {
		return nil
	}
	l.mu.Lock()
	batch := l.counts
	l.counts = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := l.store.AddLookups(ctx, batch); err != nil {
		l.mu.Lock()
		if l.counts == nil {
			l.counts = map[advocacy.LookupKey]int{}
		}
		for k, n := range batch {
			l.counts[k] += n
		}
		l.mu.Unlock()
		return err
	}
	return nil
}

// run flushes every interval until ctx ends, then once more (with a short
// deadline of its own) so a clean shutdown loses nothing.
func (l *lookupCounter) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := l.flush(fctx); err != nil {
				l.logger.Error("flush lookup counts at shutdown", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := l.flush(ctx); err != nil {
				l.logger.Error("flush lookup counts", "err", err)
			}
		}
	}
}

// FlushLookups writes the lookups counted since the last flush. On failure
// the counts are kept for the next try.
func (s *Server) FlushLookups(ctx context.Context) error { return s.lookupCounts.flush(ctx) }

// RunLookupFlusher flushes the lookup counts every interval until ctx ends,
// then once more so a clean shutdown loses nothing. Run it in its own
// goroutine.
func (s *Server) RunLookupFlusher(ctx context.Context, every time.Duration) {
	s.lookupCounts.run(ctx, every)
}
