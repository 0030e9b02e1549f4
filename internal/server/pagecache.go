package server

import (
	"bytes"
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
	// brotli is the quality of the brotli copy kept beside the gzip one,
	// or 0 for none. Browsers accept brotli over HTTPS, and its smaller
	// copy of a campaign page fits in one write to the connection.
	brotli int
	// off is set when answers are kept for no time at all (serve
	// -no-public-cache): each is then sent as rendered, without the copy
	// and the compressed copies that only a kept answer needs.
	off bool
}

type cachedAnswer struct {
	status int
	header http.Header
	// body holds the answer's bytes and their compressed copies, for
	// clients that accept them: most bytes of a page are markup and SVG
	// that compress tenfold.
	body *compressedCopies
	// lastModified is the answer's Last-Modified, parsed once.
	lastModified time.Time
}

// cachedHeaders are the headers a handler sets that belong to the answer;
// the others (security headers, say) are set again for every request.
var cachedHeaders = []string{"Content-Type", "Content-Encoding", "Cache-Control", "Vary", "ETag", "Last-Modified",
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods"}

// newPageCache makes a cache of answers kept for ttl, within maxBytes,
// gzip-compressed at level and, when brotliQuality is above 0, with a
// brotli copy too.
func newPageCache(ttl time.Duration, maxBytes, level, brotliQuality int, clock func() time.Time) *pageCache {
	return &pageCache{maxBytes: maxBytes, level: level, brotli: brotliQuality, off: ttl <= 0, items: ttlcache.New(ttl, clock, ttlcache.Options[string, *cachedAnswer]{
		MaxWeight: maxBytes,
		Weigh:     answerSize,
	})}
}

// answerSize is what an answer costs the cache's budget.
func answerSize(key string, a *cachedAnswer) int { return a.body.size() + len(key) }

func (pc *pageCache) get(key string) (*cachedAnswer, bool) { return pc.items.Peek(key) }

// put keeps a, unless it would take more than a sixteenth of the budget
// or a fresh answer for key is already kept. When a kept answer expires
// under load, many requests render the page at once; the first to finish
// is kept for its time, so its brotli copy is made once, not once for each.
func (pc *pageCache) put(key string, a *cachedAnswer) {
	if answerSize(key, a) > pc.maxBytes/16 {
		return
	}
	if _, ok := pc.items.Peek(key); ok {
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
			if (req.Method != http.MethodGet && req.Method != http.MethodHead) || pc.off {
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
				body, coding := a.body.forRequest(req)
				if coding != "" {
					h.Set("Content-Encoding", coding)
				}
				h.Set("Content-Length", strconv.Itoa(len(body)))
				c.Response().WriteHeader(a.status)
				if req.Method == http.MethodHead {
					return nil // the same headers as a GET, without the body
				}
				_, err := c.Response().Write(body)
				return err
			}
			if req.Method == http.MethodHead {
				return next(c) // a HEAD has no body to keep
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
				if v := hdr["Vary"]; len(v) > 1 {
					// One line says it all, in fewer bytes.
					hdr["Vary"] = []string{strings.Join(v, ", ")}
				}
				body := &compressedCopies{plain: bytes.Clone(tee.buf.Bytes())}
				if res.Header().Get("Content-Encoding") == "" {
					body = newCompressedCopies(body.plain, pc.level, pc.brotli)
				}
				a := &cachedAnswer{status: res.Status, header: hdr, body: body}
				a.lastModified, _ = http.ParseTime(res.Header().Get("Last-Modified"))
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
