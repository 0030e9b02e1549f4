package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"
)

// browserEncodings is what Chromium and Firefox send over HTTPS.
const browserEncodings = "gzip, deflate, br, zstd"

// decoded returns an answer's body with its Content-Encoding undone.
func decoded(t *testing.T, rec *httptest.ResponseRecorder) []byte {
	t.Helper()
	var r io.Reader
	switch enc := rec.Header().Get("Content-Encoding"); enc {
	case "":
		return rec.Body.Bytes()
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatalf("gzip answer does not decode: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(rec.Body.Bytes()))
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s answer does not decode: %v", rec.Header().Get("Content-Encoding"), err)
	}
	return b
}

func TestPickCoding(t *testing.T) {
	for _, tt := range []struct {
		accept []string
		want   string
	}{
		{[]string{browserEncodings}, "br"},
		{[]string{"gzip, deflate"}, "gzip"},
		{[]string{"gzip"}, "gzip"},
		{[]string{"br"}, "br"},
		{[]string{"BR, GZip"}, "br"},
		{[]string{"gzip, br;q=0"}, "gzip"},
		{[]string{"gzip, br; Q=0.000"}, "gzip"},
		{[]string{"br;q=0, gzip;q=0"}, ""},
		{[]string{"gzip;q=1, br;q=0.5"}, "gzip"},
		{[]string{"gzip;q=0.8, br;q=0.8"}, "br"},
		{[]string{"*"}, "br"},
		{[]string{"*;q=0.5, br;q=0"}, "gzip"},
		{[]string{"br;q=0, *"}, "gzip"},
		{[]string{"*;q=0"}, ""},
		{[]string{"x-gzip"}, "gzip"},
		{[]string{"br;q=bad, gzip"}, "gzip"},
		{[]string{"identity"}, ""},
		{[]string{""}, ""},
		{nil, ""},
		{[]string{" , ;q=1, deflate"}, ""},
		{[]string{"deflate", "br"}, "br"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range tt.accept {
			r.Header.Add("Accept-Encoding", v)
		}
		if got := pickCoding(r, "br", "gzip"); got != tt.want {
			t.Errorf("Accept-Encoding %q: picked %q, want %q", tt.accept, got, tt.want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", browserEncodings)
	if got := pickCoding(r, "gzip"); got != "gzip" {
		t.Errorf("only gzip offered: picked %q", got)
	}
}

// TestPageCacheServesBrotli: a kept campaign page goes brotli-compressed to
// browsers that accept it, gzip-compressed to those that accept only gzip,
// and as it is to the rest; all three are the same page, with the same
// validators.
func TestPageCacheServesBrotli(t *testing.T) {
	now := time.Now()
	pc := newPageCache(time.Minute, 1<<20, gzip.BestCompression, brotliBest, func() time.Time { return now })
	view := &renderer{}
	e := echo.New()
	page := strings.Repeat("<li>Senator for Kazakhstan trade: a cosponsor since March.</li>\n", 150)
	renders := 0
	e.Match([]string{http.MethodGet, http.MethodHead}, "/home", func(c echo.Context) error {
		renders++
		return view.sendCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, []byte(page), time.Time{})
	}, cachePublic(pc))
	send := func(method, accept string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/home", nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	first := send(http.MethodGet, browserEncodings) // rendered, sent as it is, and kept
	if first.Body.String() != page || first.Header().Get("Content-Encoding") != "" {
		t.Fatalf("the rendered answer: encoding %q, %d bytes", first.Header().Get("Content-Encoding"), first.Body.Len())
	}
	tag := first.Header().Get("ETag")

	sizes := map[string]int{}
	for _, tt := range []struct{ accept, want string }{
		{browserEncodings, "br"},
		{"gzip, deflate, br;q=0", "gzip"},
		{"gzip", "gzip"},
		{"identity", ""},
		{"", ""},
	} {
		rec := send(http.MethodGet, tt.accept)
		h := rec.Header()
		if rec.Code != http.StatusOK || h.Get("Content-Encoding") != tt.want {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, want %q", tt.accept, rec.Code, h.Get("Content-Encoding"), tt.want)
			continue
		}
		if got := decoded(t, rec); string(got) != page {
			t.Errorf("Accept-Encoding %q: the %q answer decodes to %d bytes, not the page's %d", tt.accept, tt.want, len(got), len(page))
		}
		if h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) || h.Get("ETag") != tag || h.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Content-Length %q for %d bytes, ETag %q (rendered %q), Vary %q",
				tt.accept, h.Get("Content-Length"), rec.Body.Len(), h.Get("ETag"), tag, h.Get("Vary"))
		}
		sizes[tt.want] = rec.Body.Len()
	}
	if !(sizes["br"] < sizes["gzip"] && sizes["gzip"] < sizes[""]) {
		t.Errorf("sizes: brotli %d, gzip %d, plain %d; want each smaller than the next", sizes["br"], sizes["gzip"], sizes[""])
	}
	if renders != 1 {
		t.Errorf("renders = %d, want 1: every encoding comes from the kept answer", renders)
	}

	// The brotli copy is made once and then reused.
	a, _ := pc.get("/home")
	made := a.body.br
	send(http.MethodGet, "br")
	if len(made) == 0 || &a.body.br[0] != &made[0] {
		t.Error("the brotli copy was made again for a second request")
	}

	// HEAD: the headers a GET would get, without the body.
	head := send(http.MethodHead, browserEncodings)
	if head.Code != http.StatusOK || head.Header().Get("Content-Encoding") != "br" ||
		head.Header().Get("Content-Length") != strconv.Itoa(sizes["br"]) || head.Body.Len() != 0 {
		t.Errorf("HEAD: %d, encoding %q, Content-Length %q (GET sends %d), %d body bytes",
			head.Code, head.Header().Get("Content-Encoding"), head.Header().Get("Content-Length"), sizes["br"], head.Body.Len())
	}
	// A browser holding the page revalidates: 304, nothing to decode.
	for _, accept := range []string{browserEncodings, "gzip", ""} {
		rec := send(http.MethodGet, accept, "If-None-Match", tag)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != tag {
			t.Errorf("If-None-Match with Accept-Encoding %q: %d, %d bytes, ETag %q", accept, rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
		}
	}
	if renders != 1 {
		t.Errorf("renders = %d after HEAD and conditional GETs, want 1", renders)
	}
}

// TestPageCacheOffSendsAsRendered: with no cache (serve -no-public-cache)
// a browser that accepts brotli still gets the page as rendered.
func TestPageCacheOffSendsAsRendered(t *testing.T) {
	pc := newPageCache(0, 1<<20, gzip.BestCompression, brotliBest, time.Now)
	e := echo.New()
	page := strings.Repeat("<p>Write to your senators.</p>", 200)
	e.GET("/p", func(c echo.Context) error { return c.HTML(http.StatusOK, page) }, cachePublic(pc))
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/p", nil)
		req.Header.Set("Accept-Encoding", browserEncodings)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != page {
			t.Errorf("encoding %q, %d bytes; want the page as rendered", rec.Header().Get("Content-Encoding"), rec.Body.Len())
		}
	}
}

// TestCampaignHomeEncodings: the campaign home, asked for as a browser
// asks, comes from the page cache in brotli, and decodes to the same page
// as the gzip and plain answers.
func TestCampaignHomeEncodings(t *testing.T) {
	e := newEnv(t, letterFlow())
	ask := func(accept string) *httptest.ResponseRecorder {
		return e.fetch(t, http.MethodGet, "/", nil, "Accept-Encoding", accept)
	}
	plain := ask("").Body.String() // the first answer is rendered
	if !strings.Contains(plain, "</html>") {
		t.Fatalf("the home page is not a page: %.200s", plain)
	}
	for accept, want := range map[string]string{browserEncodings: "br", "gzip, deflate": "gzip", "identity": ""} {
		rec := ask(accept)
		if got := rec.Header().Get("Content-Encoding"); got != want {
			t.Errorf("Accept-Encoding %q: encoding %q, want %q", accept, got, want)
			continue
		}
		if string(decoded(t, rec)) != plain {
			t.Errorf("Accept-Encoding %q: the %q answer differs from the plain page", accept, want)
		}
		// One Vary line names both things the answer depends on.
		if v := rec.Header().Values("Vary"); len(v) != 1 || !strings.Contains(v[0], "Accept-Encoding") || !strings.Contains(v[0], "HX-Request") {
			t.Errorf("Accept-Encoding %q: Vary %q, want one line naming Accept-Encoding and HX-Request", accept, v)
		}
		t.Logf("Accept-Encoding %q: %d bytes (%q)", accept, rec.Body.Len(), want)
	}
}

// A brotli copy made in a window fitted to the page decodes to the page and
// is no larger than one made in the encoder's default 4 MiB window.
func TestBrotliWindowFitsThePage(t *testing.T) {
	// Page-like text that repeats at long distances, so a window too small
	// for the page would show as a larger copy.
	var page bytes.Buffer
	for i := 0; page.Len() < 300_000; i++ {
		fmt.Fprintf(&page, "<tr><td>District %d</td><td>%d letters</td><td>%s</td></tr>\n", i%437, i*7919%100_003, strings.Repeat("ab", i%13))
	}
	for _, n := range []int{1, 1000, 15_526, 65_520, 65_521, 300_000} {
		b := page.Bytes()[:n]
		got := brotliBytes(b, brotliBest)
		back, err := io.ReadAll(brotli.NewReader(bytes.NewReader(got)))
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("%d bytes: the brotli copy does not decode to the page (err %v)", n, err)
		}
		var def bytes.Buffer
		bw := brotli.NewWriterLevel(&def, brotliBest)
		bw.Write(b)
		bw.Close()
		if len(got) > def.Len() {
			t.Errorf("%d bytes: %d B in a 2^%d window, %d B in the default one", n, len(got), brotliWindow(n), def.Len())
		}
	}
	for n, want := range map[int]int{0: 16, 15_526: 16, 65_520: 16, 65_521: 17, 300_000: 19, 1 << 30: 24} {
		if got := brotliWindow(n); got != want {
			t.Errorf("brotliWindow(%d) = %d, want %d", n, got, want)
		}
	}
}
