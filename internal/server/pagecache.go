package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// pageCache keeps recently rendered public answers (lookup pages and the
// representatives JSON) for a few seconds, so a crowd asking about the same
// ZIP codes costs one render each, not one per person. It holds nothing
// personal: only GET answers to public URLs, which look the same to
// everyone. It is bounded by total bytes.
type pageCache struct {
	ttl      time.Duration
	maxBytes int
	clock    func() time.Time

	mu    sync.RWMutex
	items map[string]*cachedAnswer
	bytes int
}

type cachedAnswer struct {
	status int
	header http.Header
	body   []byte
	// gz is body gzip-compressed once when stored, for clients that accept
	// it: most bytes of a page are markup and SVG that compress tenfold.
	gz      []byte
	expires time.Time
	// lastModified is the answer's Last-Modified, parsed once.
	lastModified time.Time
}

// minGzip is the size below which compressing is not worth it.
const minGzip = 1024

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			// "q=0" in any spelling (q=0.0, Q=0.000) refuses it.
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					return err == nil && q > 0
				}
			}
			return true
		}
	}
	return false
}

// cachedHeaders are the headers a handler sets that belong to the answer;
// the others (security headers, say) are set again for every request.
var cachedHeaders = []string{"Content-Type", "Cache-Control", "Vary", "ETag", "Last-Modified",
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods"}

func newPageCache(ttl time.Duration, maxBytes int, clock func() time.Time) *pageCache {
	return &pageCache{ttl: ttl, maxBytes: maxBytes, clock: clock, items: map[string]*cachedAnswer{}}
}

func (pc *pageCache) get(key string) (*cachedAnswer, bool) {
	if pc.ttl <= 0 {
		return nil, false
	}
	pc.mu.RLock()
	a, ok := pc.items[key]
	pc.mu.RUnlock()
	if !ok || pc.clock().After(a.expires) {
		return nil, false
	}
	return a, true
}

func (pc *pageCache) put(key string, a *cachedAnswer) {
	if pc.ttl <= 0 {
		return
	}
	size := len(a.body) + len(a.gz) + len(key)
	if size > pc.maxBytes/16 {
		return
	}
	now := pc.clock()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old, ok := pc.items[key]; ok {
		pc.bytes -= len(old.body) + len(old.gz) + len(key)
	}
	if pc.bytes+size > pc.maxBytes {
		// Drop what has expired; if that is not enough, drop entries in
		// map order (effectively random) until the new one fits.
		for k, v := range pc.items {
			if now.After(v.expires) || pc.bytes+size > pc.maxBytes {
				pc.bytes -= len(v.body) + len(v.gz) + len(k)
				delete(pc.items, k)
			}
			if pc.bytes+size <= pc.maxBytes/2 {
				break
			}
		}
	}
	pc.items[key] = a
	pc.bytes += size
}

// teeWriter copies what the handler writes while passing it on.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	return t.ResponseWriter.Write(p)
}

// cachePublic serves GET answers from pc when it can and stores new ones.
// Only the statuses a lookup ends with (200, 404 no data, 422 bad input)
// are kept.
func (s *Server) cachePublic(pc *pageCache) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Method != http.MethodGet {
				return next(c)
			}
			if q := req.URL.Query(); q.Has("lat") || q.Has("lon") || q.Has("address") {
				// Answers for a person's position or address are never kept.
				return next(c)
			}
			key := req.URL.RequestURI()
			if isFragment(c) {
				key = "hx " + key
			}
			if a, ok := pc.get(key); ok {
				h := c.Response().Header()
				for k, v := range a.header {
					h[k] = v
				}
				if a.status == http.StatusOK && notModified(req, h.Get("ETag"), a.lastModified) {
					return c.NoContent(http.StatusNotModified)
				}
				body := a.body
				if a.gz != nil && acceptsGzip(req) {
					h.Set("Content-Encoding", "gzip")
					body = a.gz
				}
				h.Set("Content-Length", strconv.Itoa(len(body)))
				c.Response().WriteHeader(a.status)
				_, err := c.Response().Write(body)
				return err
			}
			res := c.Response()
			// Later answers for this URL may be compressed.
			res.Header().Add("Vary", "Accept-Encoding")
			tee := &teeWriter{ResponseWriter: res.Writer}
			res.Writer = tee
			err := next(c)
			res.Writer = tee.ResponseWriter
			if err != nil {
				return err
			}
			switch res.Status {
			case http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity:
				if tee.buf.Len() == 0 {
					return nil // a 304 or HEAD: nothing to keep
				}
				hdr := http.Header{}
				for _, k := range cachedHeaders {
					if v := res.Header().Values(k); len(v) > 0 {
						hdr[http.CanonicalHeaderKey(k)] = v
					}
				}
				a := &cachedAnswer{status: res.Status, header: hdr, body: bytes.Clone(tee.buf.Bytes()),
					expires: pc.clock().Add(pc.ttl)}
				a.lastModified, _ = http.ParseTime(res.Header().Get("Last-Modified"))
				if len(a.body) >= minGzip && res.Header().Get("Content-Encoding") == "" {
					a.gz = gzipBytes(a.body)
				}
				pc.put(key, a)
			}
			return nil
		}
	}
}

// campaignMemo keeps each campaign (with its bills and cosponsors) for the
// same short time as the campaign pages: every letter needs it to pick its
// recipients' templates, and reading it costs more than storing the letter.
type campaignMemo struct {
	ttl   time.Duration
	clock func() time.Time

	mu    sync.Mutex
	items map[string]memoCampaign
}

type memoCampaign struct {
	camp advocacy.Campaign
	at   time.Time
}

func (m *campaignMemo) get(ctx context.Context, slug string, load func(context.Context, string) (advocacy.Campaign, error)) (advocacy.Campaign, error) {
	if m.ttl <= 0 {
		return load(ctx, slug)
	}
	now := m.clock()
	m.mu.Lock()
	it, ok := m.items[slug]
	m.mu.Unlock()
	if ok && now.Sub(it.at) < m.ttl {
		return it.camp, nil
	}
	camp, err := load(ctx, slug)
	if err != nil {
		return camp, err
	}
	m.mu.Lock()
	if m.items == nil {
		m.items = map[string]memoCampaign{}
	}
	m.items[slug] = memoCampaign{camp: camp, at: now}
	m.mu.Unlock()
	return camp, nil
}

// clear forgets every stored answer: a campaign opened, closed or featured
// changes what public pages show at once.
func (pc *pageCache) clear() {
	pc.mu.Lock()
	pc.items, pc.bytes = map[string]*cachedAnswer{}, 0
	pc.mu.Unlock()
}

// clear forgets every remembered campaign.
func (m *campaignMemo) clear() {
	m.mu.Lock()
	m.items = nil
	m.mu.Unlock()
}
