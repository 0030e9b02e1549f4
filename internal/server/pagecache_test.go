package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestPageCache(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	pc := newPageCache(5*time.Second, 1<<20, gzip.BestSpeed, 0, clock)
	e := echo.New()
	renders := 0
	e.GET("/p", func(c echo.Context) error {
		renders++
		c.Response().Header().Set("Cache-Control", "public, max-age=60")
		if c.QueryParam("bad") != "" {
			return c.String(http.StatusUnprocessableEntity, "bad input")
		}
		if c.QueryParam("boom") != "" {
			return c.String(http.StatusInternalServerError, "boom")
		}
		return c.String(http.StatusOK, "render "+c.QueryParam("q"))
	}, cachePublic(pc))
	get := func(target string, htmx bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	first := get("/p?q=1", false)
	second := get("/p?q=1", false)
	if renders != 1 || second.Body.String() != first.Body.String() || second.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("renders %d; second answer %q %v", renders, second.Body, second.Header())
	}
	get("/p?q=2", false)
	get("/p?q=1", true)
	if renders != 3 {
		t.Errorf("renders = %d: other URLs and htmx fragments must be cached apart", renders)
	}
	get("/p?bad=1", false)
	if rec := get("/p?bad=1", false); rec.Code != 422 || renders != 4 {
		t.Errorf("a 422 answer is not replayed: code %d renders %d", rec.Code, renders)
	}
	get("/p?boom=1", false)
	get("/p?boom=1", false)
	if renders != 6 {
		t.Errorf("a 500 answer was cached")
	}
	now = now.Add(6 * time.Second)
	if rec := get("/p?q=1", false); !strings.Contains(rec.Body.String(), "render 1") || renders != 7 {
		t.Errorf("an expired answer was served: renders %d", renders)
	}
}

// TestPageCacheOff: a cache that keeps answers for no time (serve
// -no-public-cache) passes every answer through as the handler wrote it:
// rendered each time, never compressed, never stored.
func TestPageCacheOff(t *testing.T) {
	now := time.Now()
	pc := newPageCache(0, 1<<20, gzip.BestCompression, 0, func() time.Time { return now })
	e := echo.New()
	renders := 0
	page := strings.Repeat("<p>a page long enough to be worth compressing</p>", 100)
	e.GET("/p", func(c echo.Context) error {
		renders++
		return c.HTML(http.StatusOK, page)
	}, cachePublic(pc))
	for i := range 2 {
		req := httptest.NewRequest(http.MethodGet, "/p", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Body.String() != page || rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "" {
			t.Errorf("answer %d: encoding %q, vary %q, %d bytes; want the page as rendered", i+1,
				rec.Header().Get("Content-Encoding"), rec.Header().Get("Vary"), rec.Body.Len())
		}
	}
	if renders != 2 || pc.items.Weight() != 0 {
		t.Errorf("renders %d, cache holds %d bytes; want 2 renders and nothing kept", renders, pc.items.Weight())
	}
}

func TestPageCacheStaysWithinItsBudget(t *testing.T) {
	now := time.Now()
	pc := newPageCache(time.Minute, 64<<10, gzip.BestSpeed, 0, func() time.Time { return now })
	body := make([]byte, 3<<10)
	for i := range 200 {
		pc.put(string(rune('a'+i%26))+strings.Repeat("x", i), &cachedAnswer{status: 200, body: &compressedCopies{plain: body}})
		if n := pc.items.Weight(); n > 64<<10 {
			t.Fatalf("cache holds %d bytes, budget 64 KiB", n)
		}
	}
}

func TestPageCacheServesGzip(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	pc := newPageCache(time.Minute, 1<<20, gzip.BestCompression, 0, clock)
	e := echo.New()
	page := strings.Repeat("<p>Repeal Jackson-Vanik for Central Asia.</p>\n", 200)
	e.GET("/big", func(c echo.Context) error { return c.HTML(http.StatusOK, page) }, cachePublic(pc))
	get := func(enc string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/big", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	get("gzip") // the first answer is rendered and stored
	rec := get("gzip, br")
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != page || rec.Body.Len() > len(page)/5 {
		t.Errorf("gzip answer decodes to %d bytes (want %d) from %d", len(plain), len(page), rec.Body.Len())
	}
	for _, enc := range []string{"", "identity", "gzip;q=0"} {
		if rec := get(enc); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != page {
			t.Errorf("Accept-Encoding %q got an encoded answer", enc)
		}
	}
}

func TestPageCacheReplaysValidators(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	view := &renderer{}
	pc := newPageCache(time.Minute, 1<<20, gzip.BestCompression, 0, clock)
	e := echo.New()
	e.GET("/v", func(c echo.Context) error {
		return view.sendCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, []byte("<p>same</p>"), now)
	}, cachePublic(pc))
	get := func(h ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/v", nil)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	first := get()
	tag := first.Header().Get("ETag")
	hit := get()
	if tag == "" || hit.Header().Get("ETag") != tag || hit.Header().Get("Last-Modified") == "" {
		t.Fatalf("validators lost on a cached answer: %v then %v", first.Header(), hit.Header())
	}
	if rec := get("If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("cached answer ignores If-None-Match: %d", rec.Code)
	}
}

func TestPageCacheReplaysLastModified(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	view := &renderer{}
	pc := newPageCache(time.Minute, 1<<20, gzip.BestCompression, 0, clock)
	e := echo.New()
	changed := now.Add(-time.Hour)
	e.GET("/m", func(c echo.Context) error {
		return view.sendCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, []byte("<p>m</p>"), changed)
	}, cachePublic(pc))
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/m", nil)) // stored
	req := httptest.NewRequest(http.MethodGet, "/m", nil)
	req.Header.Set("If-Modified-Since", changed.Format(http.TimeFormat))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("cached answer ignores If-Modified-Since: %d", rec.Code)
	}
}

// TestPageCacheKeepsTheFirstAnswer: pages rendered at the same time as the
// one kept do not replace it while it is fresh, so the copies made of it
// (brotli's, on first use) are made once.
func TestPageCacheKeepsTheFirstAnswer(t *testing.T) {
	now := time.Now()
	pc := newPageCache(time.Minute, 1<<20, gzip.BestCompression, brotliBest, func() time.Time { return now })
	first := &cachedAnswer{status: 200, body: newCompressedCopies([]byte(strings.Repeat("first ", 300)), gzip.BestSpeed, brotliBest)}
	pc.put("/", first)
	pc.put("/", &cachedAnswer{status: 200, body: newCompressedCopies([]byte(strings.Repeat("second ", 300)), gzip.BestSpeed, brotliBest)})
	if a, _ := pc.get("/"); a != first {
		t.Error("a second answer replaced the fresh one kept")
	}
	now = now.Add(2 * time.Minute)
	third := &cachedAnswer{status: 200, body: newCompressedCopies([]byte("third"), gzip.BestSpeed, 0)}
	pc.put("/", third)
	if a, _ := pc.get("/"); a != third {
		t.Error("an expired answer was not replaced")
	}
}
