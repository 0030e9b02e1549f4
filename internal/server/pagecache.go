package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/ttlcache"
)

// pageCache keeps recently rendered public answers (lookup pages and the
// representatives JSON) for a few seconds, so a crowd asking about the same
// ZIP codes costs one render each, not one per person. It holds nothing
// personal: only GET answers to public URLs, which look the same to
// everyone. It is bounded by total bytes.
type pageCache struct {
	maxBytes int
	items    *ttlcache.Cache[string, *cachedAnswer]
	// level is how hard kept answers are compressed (compress/gzip's
	// levels): a cache of a few answers that crowds ask for again and
	// again, compressed once each, can afford the smallest copy.
	level int
	// off is set when answers are kept for no time at all (serve
	// -no-public-cache): each is then sent as rendered, without the copy
	// and the compressed copy that only a kept answer needs.
	off bool
}

type cachedAnswer struct {
	status int
	header http.Header
	body   []byte
	// gz is body gzip-compressed once when stored, for clients that accept
	// it: most bytes of a page are markup and SVG that compress tenfold.
	gz []byte
	// lastModified is the answer's Last-Modified, parsed once.
	lastModified time.Time
}

// minGzip is the size below which compressing is not worth it.
const minGzip = 1024

func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
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

func newPageCache(ttl time.Duration, maxBytes, level int, clock func() time.Time) *pageCache {
	return &pageCache{maxBytes: maxBytes, level: level, off: ttl <= 0, items: ttlcache.New(ttl, clock, ttlcache.Options[string, *cachedAnswer]{
		MaxWeight: maxBytes,
		Weigh:     answerSize,
	})}
}

// answerSize is what an answer costs the cache's budget.
func answerSize(key string, a *cachedAnswer) int { return len(a.body) + len(a.gz) + len(key) }

func (pc *pageCache) get(key string) (*cachedAnswer, bool) { return pc.items.Peek(key) }

// put keeps a, unless it would take more than a sixteenth of the budget.
func (pc *pageCache) put(key string, a *cachedAnswer) {
	if answerSize(key, a) > pc.maxBytes/16 {
		return
	}
	pc.items.Put(key, a)
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
func cachePublic(pc *pageCache) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Method != http.MethodGet || pc.off {
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
				if done, err := answerConditional(c, a.status, h.Get("ETag"), a.lastModified); done {
					return err
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
				a := &cachedAnswer{status: res.Status, header: hdr, body: bytes.Clone(tee.buf.Bytes())}
				a.lastModified, _ = http.ParseTime(res.Header().Get("Last-Modified"))
				if len(a.body) >= minGzip && res.Header().Get("Content-Encoding") == "" {
					a.gz = gzipBytes(a.body, pc.level)
				}
				pc.put(key, a)
			}
			return nil
		}
	}
}

// clear forgets every stored answer: a campaign opened, closed or featured
// changes what public pages show at once.
func (pc *pageCache) clear() { pc.items.Clear() }

// memoCampaign is the campaign with its bills and cosponsors, kept for the
// same short time as the campaign pages: every letter needs it to pick its
// recipients' templates, and reading it costs more than storing the letter.
func (r *campaignReader) memoCampaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	return r.memo.Get(ctx, slug, func(ctx context.Context) (advocacy.Campaign, error) {
		return r.store.Campaign(ctx, slug)
	})
}
