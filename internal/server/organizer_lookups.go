package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Lookups are counted for the dashboard's lookup-to-letter conversion. The
// countLookups middleware on the lookup routes (or a handler calling
// s.countLookup) counts each answered lookup in memory, and RunLookupFlusher adds the batch to the
// lookup_counts table every so often, so a busy lookup page costs no write.
// At most one flush interval of counts is lost if the process dies.

// countLookup counts one answered lookup of a kind ("zip", "location",
// "api") on today's UTC date. It is cheap and never fails.
func (s *Server) countLookup(kind string) {
	if s.deps.Organizer.Stats == nil {
		return
	}
	key := advocacy.LookupKey{Day: s.deps.Clock().UTC().Format(advocacy.DateLayout), Kind: kind}
	s.org.lookupMu.Lock()
	defer s.org.lookupMu.Unlock()
	if s.org.lookups == nil {
		s.org.lookups = map[advocacy.LookupKey]int{}
	}
	s.org.lookups[key]++
}

// countLookups counts each lookup answered with 200: "api" for the JSON
// API, "location" for coordinates, "zip" otherwise. Settling a split ZIP
// (?district=) is the same lookup again and is not counted. Put it before
// any response cache, so cached answers count too.
func (s *Server) countLookups(next echo.HandlerFunc) echo.HandlerFunc {
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
		s.countLookup(kind)
		return nil
	}
}

// FlushLookups writes the lookups counted since the last flush. On failure
// the counts are kept for the next try.
func (s *Server) FlushLookups(ctx context.Context) error {
	if s.deps.Organizer.Stats == nil {
		return nil
	}
	s.org.lookupMu.Lock()
	batch := s.org.lookups
	s.org.lookups = nil
	s.org.lookupMu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := s.deps.Organizer.Stats.AddLookups(ctx, batch); err != nil {
		s.org.lookupMu.Lock()
		if s.org.lookups == nil {
			s.org.lookups = map[advocacy.LookupKey]int{}
		}
		for k, n := range batch {
			s.org.lookups[k] += n
		}
		s.org.lookupMu.Unlock()
		return err
	}
	return nil
}

// RunLookupFlusher flushes the lookup counts every interval until ctx ends,
// then once more (with a short deadline of its own) so a clean shutdown
// loses nothing. Run it in its own goroutine.
func (s *Server) RunLookupFlusher(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := s.FlushLookups(fctx); err != nil {
				s.deps.Logger.Error("flush lookup counts at shutdown", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := s.FlushLookups(ctx); err != nil {
				s.deps.Logger.Error("flush lookup counts", "err", err)
			}
		}
	}
}
