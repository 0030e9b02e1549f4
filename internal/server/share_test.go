package server

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestSponsorFooterAndShareTags: the campaign's organisation, contact and
// paid-for-by line are in every page's footer; pages carry Open Graph and
// Twitter tags whose card image is served.
func TestSponsorFooterAndShareTags(t *testing.T) {
	e := newEnv(t, letterFlow(func(ld *LetterDeps) { ld.BaseURL = "https://letters.example.org" }))
	if _, err := e.db.W.ExecContext(context.Background(), `UPDATE campaigns SET sponsor_name = 'Central Asia Trade Council',
		sponsor_url = 'https://catc.example.org', sponsor_email = 'hello@catc.example.org',
		paid_for_by = 'Paid for by the Central Asia Trade Council', updated_at = '2026-03-02T16:00:00Z'`); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(10 * 60e9) // past the campaign memo
	for _, path := range []string{"/", "/talking-points", "/bills/hr5917-119", "/reps?zip=10002", "/about", "/privacy"} {
		d := mustDoc(t, e.get(t, path, false))
		f := d.Find(`footer [data-testid="sponsor"]`)
		if f.Find(`[data-testid="sponsor-name"]`).AttrOr("href", "") != "https://catc.example.org" ||
			f.Find(`[data-testid="sponsor-email"]`).AttrOr("href", "") != "mailto:hello@catc.example.org" ||
			f.Find(`[data-testid="paid-for-by"]`).Text() != "Paid for by the Central Asia Trade Council" {
			t.Errorf("%s: footer = %q", path, f.Text())
		}
		if d.Find(`link[rel="icon"][href="/favicon.ico"]`).Length() != 1 {
			t.Errorf("%s: no favicon link", path)
		}
	}
	d := mustDoc(t, e.get(t, "/?ref=bizco", false))
	og := func(p string) string { return d.Find(`meta[property="`+p+`"]`).AttrOr("content", "") }
	if og("og:title") != "Repeal Jackson-Vanik for Central Asia" || !strings.HasPrefix(og("og:description"), "Ask your representative") ||
		og("og:url") != "https://letters.example.org/?ref=bizco" || !strings.HasPrefix(og("og:image"), "https://letters.example.org/campaigns/jackson-vanik/share.png?v=") {
		t.Errorf("Open Graph: title %q url %q image %q", og("og:title"), og("og:url"), og("og:image"))
	}
	if d.Find(`meta[name="twitter:card"]`).AttrOr("content", "") != "summary_large_image" {
		t.Error("no large Twitter card")
	}
	img := strings.TrimPrefix(og("og:image"), "https://letters.example.org")
	rec := e.get(t, img, false)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("card: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
	}
	if p, err := png.Decode(bytes.NewReader(rec.Body.Bytes())); err != nil || p.Bounds().Dx() != 1200 {
		t.Errorf("card image: %v", err)
	}
	for _, tc := range []struct {
		name, target string
		code         int
		contentType  string // "" leaves it unchecked
	}{
		{"favicon", "/favicon.ico", http.StatusOK, "image/x-icon"},
		{"touch icon", "/apple-touch-icon.png", http.StatusOK, ""},
		{"card of no campaign", "/campaigns/nope/share.png", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.get(t, tc.target, false)
			if rec.Code != tc.code || tc.contentType != "" && rec.Header().Get("Content-Type") != tc.contentType {
				t.Errorf("%s: %d %q, want %d %q", tc.target, rec.Code, rec.Header().Get("Content-Type"), tc.code, tc.contentType)
			}
		})
	}
}

// TestShareTagsWithoutBaseURL: without the site's public address, no
// absolute address taken from a request's Host header goes into pages that
// are cached for everyone.
func TestShareTagsWithoutBaseURL(t *testing.T) {
	e := newEnv(t, letterFlow())
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.Host = "evil.example"
	rec := e.do(t, req, false)
	if strings.Contains(rec.Body.String(), "evil.example") {
		t.Error("a forged Host header reached the page")
	}
	if mustDoc(t, rec).Find(`meta[property="og:title"]`).Length() != 1 {
		t.Error("no og:title")
	}
}

// TestShareAfterSending: the status page offers the campaign's link and
// each network, each carrying its own source code, and a letter that came
// through a ref link passes that code on; letters from shared links keep
// their code.
func TestShareAfterSending(t *testing.T) {
	e := newEnv(t, letterFlow(func(ld *LetterDeps) { ld.BaseURL = "https://letters.example.org" }))
	id := e.sendOne(t, validForm(e.formToken(t)))
	d := mustDoc(t, e.get(t, "/letters/"+id+"?sent=1", false))
	share := d.Find(`[data-testid="share"]`)
	if got := share.Find(`[data-testid="share-link"]`).AttrOr("value", ""); got != "https://letters.example.org/campaigns/jackson-vanik?ref=share-link" {
		t.Errorf("link to copy = %q", got)
	}
	hrefs := map[string]string{}
	share.Find(`[data-testid="share-network"]`).Each(func(_ int, a *goquery.Selection) {
		hrefs[a.AttrOr("data-network", "")] = a.AttrOr("href", "")
	})
	for network, want := range map[string]string{
		"email":    "mailto:?subject=",
		"facebook": "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fletters.example.org%2Fcampaigns%2Fjackson-vanik%3Fref%3Dshare-facebook",
		"x":        "https://x.com/intent/post?text=",
		"bluesky":  "https://bsky.app/intent/compose?text=",
		"whatsapp": "https://wa.me/?text=",
	} {
		if !strings.HasPrefix(hrefs[network], want) || !strings.Contains(hrefs[network], "share-"+network) {
			t.Errorf("%s share = %q", network, hrefs[network])
		}
	}

	// A letter from a shared link keeps that link's code.
	f := with(with(validForm(e.formToken(t)), "email", "friend@example.org"), "ref", "share-whatsapp")
	friend := e.sendOne(t, f)
	if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND ref = 'share-whatsapp'", friend); n != 1 {
		t.Error("the shared link's code was not kept")
	}
	// That friend's own shares carry their own network codes on.
	d = mustDoc(t, e.get(t, "/letters/"+friend, false))
	if got := d.Find(`[data-testid="share-link"]`).AttrOr("value", ""); !strings.HasSuffix(got, "ref=share-link") {
		t.Errorf("friend's link = %q", got)
	}
}

// TestCampaignOptIn: the form asks separately for the campaign's news, in
// the name of who runs it, and the choice is stored apart from the
// offices' newsletter.
func TestCampaignOptIn(t *testing.T) {
	e := newEnv(t, letterFlow())
	if _, err := e.db.W.ExecContext(context.Background(), `UPDATE campaigns SET sponsor_name = 'Central Asia Trade Council'`); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(10 * 60e9)
	d := mustDoc(t, e.get(t, "/write?zip=10002", false))
	label := d.Find(`label[for="letter-campaign_updates"]`).Text()
	if !strings.HasPrefix(label, "Central Asia Trade Council may email me news") {
		t.Errorf("opt-in label = %q", label)
	}
	if _, checked := d.Find(`#letter-campaign_updates`).Attr("checked"); checked {
		t.Error("the opt-in starts ticked")
	}
	id := e.sendOne(t, with(validForm(e.formToken(t)), "campaign_updates", "true"))
	if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND campaign_updates = 1 AND newsletter = 0", id); n != 1 {
		t.Error("the campaign opt-in was not stored on its own")
	}
}

// TestStaticCompressed: the stylesheet, htmx and the script go
// brotli-compressed to browsers that accept it, gzip-compressed to those
// that accept only gzip, whole to others; every copy is the file.
func TestStaticCompressed(t *testing.T) {
	e := newEnv(t, letterFlow())
	for _, path := range []string{e.srv.view.assets.CSS, e.srv.view.assets.HTMX, e.srv.view.assets.JS} {
		whole := e.get(t, path, false)
		if whole.Code != http.StatusOK || whole.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s without Accept-Encoding: %d, encoding %q", path, whole.Code, whole.Header().Get("Content-Encoding"))
			continue
		}
		for accept, want := range map[string]string{browserEncodings: "br", "gzip, deflate": "gzip", "gzip, br;q=0": "gzip", "identity": ""} {
			rec := e.fetch(t, http.MethodGet, path, nil, "Accept-Encoding", accept)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != want || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s with %q: %d, encoding %q, want %q", path, accept, rec.Code, rec.Header().Get("Content-Encoding"), want)
				continue
			}
			if !bytes.Equal(decoded(t, rec), whole.Body.Bytes()) {
				t.Errorf("%s: the %q copy differs from the file", path, want)
			}
			t.Logf("%s: %d bytes, %d as %q", path, whole.Body.Len(), rec.Body.Len(), want)
		}
	}
}
