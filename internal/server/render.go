package server

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
	"github.com/whipcount/whipcount/web"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderer writes what every feature answers: pages and htmx fragments
// rendered from templ components, JSON and other bodies with validators
// (etag.go), and errors, through the one mapping from errors to answers
// (errors.go). It builds the layout's page data: the member data's date in
// the footer, and the running campaign's sponsor and share card.
type renderer struct {
	assets templates.Assets
	logger *slog.Logger
	// unavailable reports whether an error means the database takes no
	// writes now (Deps.Unavailable); nil: none does.
	unavailable func(error) bool
	// data tells the member data's date; read finds the running campaign.
	data *referenceData
	read *campaignReader
	// baseURL is the site's public address, for links that leave the site
	// (the share card, share links); empty: the request's own.
	baseURL string
}

func newRenderer(deps Deps, data *referenceData, read *campaignReader) *renderer {
	return &renderer{assets: staticAssets(), logger: deps.Logger, unavailable: deps.Unavailable, data: data, read: read,
		baseURL: strings.TrimRight(deps.Letters.BaseURL, "/")}
}

// isFragment reports whether the request wants only the swapped region:
// an htmx request that is not a history restore (which needs the full page).
func isFragment(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// render writes page, or fragment for an htmx request, with status. The
// component renders into a buffer first so that a failing template never
// leaves half a page on the wire.
func (r *renderer) render(c echo.Context, status int, page, fragment templ.Component) error {
	return r.renderWith(c, page, fragment, func(body []byte) error {
		return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, body)
	})
}

// renderWith renders page, or fragment for an htmx request, into a pooled
// buffer and hands the bytes to send.
func (r *renderer) renderWith(c echo.Context, page, fragment templ.Component, send func([]byte) error) error {
	c.Response().Header().Add("Vary", "HX-Request")
	comp := page
	if fragment != nil && isFragment(c) {
		comp = fragment
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	return send(buf.Bytes())
}

// meta builds the layout's page data: with the running campaign's sponsor
// in the footer and its card for sharing.
func (r *renderer) meta(c echo.Context, title, path string) templates.PageMeta {
	return r.metaWith(c, title, path, advocacy.Campaign{})
}

// metaWith is meta for a page that has read the campaign known: when that
// is the home campaign, the footer and the card come from it instead of
// reading it again.
func (r *renderer) metaWith(c echo.Context, title, path string, known advocacy.Campaign) templates.PageMeta {
	m := templates.PageMeta{
		Title:    title,
		Path:     path,
		Assets:   r.assets,
		DataDate: r.data.freshness().AsOf,
	}
	camp, ok := known, known.Slug != "" && known.Slug == r.read.homeCampaign && known.Status != advocacy.CampaignDraft
	if !ok {
		camp, ok = r.read.pageCampaign(c.Request().Context())
	}
	if ok {
		m.Sponsor = sponsorView(camp.Sponsor)
		m.Share = r.shareMeta(c, camp)
	}
	return m
}

func staticAssets() templates.Assets {
	return templates.Assets{
		CSS:  "/static/app.css?v=" + web.Version("app.css"),
		JS:   "/static/app.js?v=" + web.Version("app.js"),
		HTMX: "/static/vendor/htmx.min.js?v=" + web.Version("vendor/htmx.min.js"),
		Icon: "/static/favicon.svg?v=" + web.Version("favicon.svg"),
	}
}

// static serves the embedded files. Their URLs carry a content hash, so
// they may be cached for a year. Text files go compressed to browsers that
// ask, with brotli when they accept it (htmx shrinks from about 51 kB to
// 17 kB with gzip, 15 kB with brotli).
func (s *Server) static(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	name := strings.TrimPrefix(c.Request().URL.Path, "/static/")
	if cc, ok := s.compressedStatic(name); ok {
		h.Add("Vary", "Accept-Encoding")
		if body, coding := cc.forRequest(c.Request()); coding != "" {
			h.Set("Content-Encoding", coding)
			return c.Blob(http.StatusOK, staticTypes[path.Ext(name)], body)
		}
	}
	// Whole files go through the file server, which also answers ranges.
	return echo.WrapHandler(http.StripPrefix("/static/", http.FileServerFS(web.Static())))(c)
}

// staticTypes are the content types of the static files kept compressed.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// compressedStatic returns the copies of a static text file, and whether
// it has compressed ones (a file too small to gain has none): gzip made on
// first use, brotli on the first request that accepts it, all kept, as the
// files never change while the process runs.
func (s *Server) compressedStatic(name string) (*compressedCopies, bool) {
	if _, ok := staticTypes[path.Ext(name)]; !ok {
		return nil, false
	}
	v, ok := s.staticCopies.Load(name)
	if !ok {
		b, err := fs.ReadFile(web.Static(), name)
		if err != nil {
			return nil, false
		}
		v, _ = s.staticCopies.LoadOrStore(name, newCompressedCopies(b, gzip.BestCompression, brotliBest))
	}
	cc := v.(*compressedCopies)
	return cc, cc.gz != nil
}

// titled puts the page's title before an htmx fragment: htmx sets the
// document's title from a <title> at the root of the answer, so each step
// of a flow is named in the tab, the history and by screen readers.
func titled(m templates.PageMeta, fragment templ.Component) templ.Component {
	return templates.Titled(m.Title+" · Whipcount", fragment)
}
