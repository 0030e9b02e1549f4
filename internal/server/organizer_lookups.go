package server

import (
	"context"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Lookups are counted for the dashboard's lookup-to-letter conversion. A
// lookup handler calls s.countLookup(kind) once per answered lookup; the
// count goes into memory, and RunLookupFlusher adds the batch to the
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
