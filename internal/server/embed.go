package server

import (
	"context"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
	"github.com/whipcount/whipcount/web"
)

// Embedding: the loader script partners put on their pages (/embed.js),
// and the copy-paste snippets the organizer workspace shows them.

// embedLongCache is for the loader at its versioned URL: that URL's
// content never changes. The unversioned URL is revalidated often, so old
// snippets pick up a new loader within a minute.
const (
	embedLongCache   = "public, max-age=31536000, immutable"
	widgetShortCache = "public, max-age=60"
)

// embedding serves the loader script and builds the snippets partners
// paste, for the widgets and the partners' pages in the workspace.
type embedding struct {
	view *renderer
	read *campaignReader
	// editor lists the campaigns a partner may embed; nil: the default
	// campaign alone.
	editor ContentEditor
	// baseURL is the site's public address, the snippets' origin; empty:
	// the request's own.
	baseURL string
	logger  *slog.Logger

	// The loader script and its version, read once.
	once    sync.Once
	js      []byte
	version string
}

func newEmbedding(s *Server) *embedding {
	return &embedding{view: s.view, read: s.read, editor: s.deps.Organizer.Editor, baseURL: s.deps.Letters.BaseURL, logger: s.deps.Logger}
}

// embedScript returns the loader and its version, read once.
func (em *embedding) embedScript() ([]byte, string) {
	em.once.Do(func() {
		b, err := fs.ReadFile(web.Static(), "embed.js")
		if err != nil {
			em.logger.Error("read embed.js", "err", err)
		}
		em.js, em.version = b, web.Version("embed.js")
	})
	return em.js, em.version
}

// embedJS serves GET /embed.js: the widget loader, cached for a year at
// its versioned URL (?v=HASH) and for a minute otherwise.
func (em *embedding) embedJS(c echo.Context) error {
	body, version := em.embedScript()
	if len(body) == 0 {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	cache := widgetShortCache
	if c.QueryParam("v") == version {
		cache = embedLongCache
	}
	// Partners' pages load it from their own origin.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return em.view.sendPublic(c, "text/javascript; charset=utf-8", body, cache, "")
}

// embedURL is the loader's versioned address on origin.
func (em *embedding) embedURL(origin string) string {
	_, version := em.embedScript()
	return origin + "/embed.js?v=" + version
}

// widgetHeight is the frame's height before the widget reports its own, in
// CSS pixels: the snippets carry no words, so they suit any language.
func widgetHeight(o advocacy.WidgetOptions) int {
	switch {
	case o.Kind == advocacy.WidgetAction && o.Layout == advocacy.LayoutCompact:
		return 560
	case o.Kind == advocacy.WidgetAction:
		return 640
	case o.Layout == advocacy.LayoutCompact:
		return 200
	}
	return 300
}

// widgetTitle names the frame for assistive technology.
func widgetTitle(o advocacy.WidgetOptions, campaignTitle string) string {
	if o.Kind == advocacy.WidgetAction {
		return campaignTitle + ": write to your members of Congress"
	}
	return campaignTitle + ": progress in Congress"
}

// embedSnippets writes the two snippets a partner pastes into a page: the
// script loader (with a plain link for browsers without JavaScript) and a
// plain iframe. origin is this site's; linkURL is the campaign on it.
func embedSnippets(origin, loaderURL string, o advocacy.WidgetOptions, campaignTitle, linkURL string) (script, iframe string) {
	attr := func(name, value string) string { return " " + name + `="` + html.EscapeString(value) + `"` }
	title := widgetTitle(o, campaignTitle)
	var b strings.Builder
	b.WriteString("<script" + attr("src", loaderURL) + attr("data-campaign", o.Campaign) + attr("data-widget", string(o.Kind)))
	if o.Partner != "" {
		b.WriteString(attr("data-partner", o.Partner))
	}
	if o.Layout == advocacy.LayoutCompact {
		b.WriteString(attr("data-layout", string(o.Layout)))
	}
	if o.Accent != "" {
		b.WriteString(attr("data-accent", o.Accent))
	}
	b.WriteString(attr("data-title", title) + " async></script>\n")
	b.WriteString("<noscript><a" + attr("href", linkURL) + ">" + html.EscapeString(campaignTitle) + ": write to your members of Congress</a></noscript>\n")
	script = b.String()
	iframe = "<iframe" + attr("src", origin+o.Path("")) + attr("title", title) + attr("width", "100%") +
		attr("height", strconv.Itoa(widgetHeight(o))) + attr("loading", "lazy") + attr("style", "border:0") + "></iframe>\n"
	return script, iframe
}

// campaignLink is a campaign's public page on origin (the home page for an
// empty slug), with the partner's code so the visit is attributed.
func campaignLink(origin, slug, ref string) string {
	u := origin + "/"
	if slug != "" {
		u = origin + campaignURL(slug)
	}
	if ref != "" {
		u += "?" + url.Values{"ref": {ref}}.Encode()
	}
	return u
}

// embedCampaign loads a public campaign for the snippets; the default
// campaign when slug is empty.
func (r *campaignReader) embedCampaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	if slug == "" {
		slug = r.defaultSlug(ctx)
	}
	if slug == "" || r.store == nil {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is running.")
	}
	return public(r.store.Campaign(ctx, slug))
}

// embedView builds the snippet builder of partner p from the query: which
// campaign and widget, compact or full, and an accent colour. action is
// the page the builder's form reloads.
func (em *embedding) embedView(c echo.Context, p advocacy.Partner, action string) (templates.PartnerEmbedView, error) {
	ctx := c.Request().Context()
	q := c.QueryParams()
	kind := advocacy.WidgetKind(q.Get("widget"))
	if kind == "" {
		kind = advocacy.WidgetAction
	}
	v := templates.PartnerEmbedView{Action: action, Form: map[string]string{
		"campaign": q.Get("campaign"), "widget": string(kind), "layout": q.Get("layout"), "accent": q.Get("accent")}}
	if v.Form["layout"] == "" {
		v.Form["layout"] = string(advocacy.LayoutFull)
	}
	v.Campaigns = em.embedCampaigns(ctx)
	if v.Form["campaign"] == "" && len(v.Campaigns) > 0 {
		v.Form["campaign"] = v.Campaigns[0].Slug
	}
	camp, err := em.read.embedCampaign(ctx, v.Form["campaign"])
	if advocacy.ErrorCode(err) == advocacy.CodeNotFound {
		v.Errors = map[string]string{"campaign": "Choose a running campaign."}
		return v, nil
	}
	if err != nil {
		return v, err
	}
	o, err := advocacy.ParseWidgetOptions(camp.Slug, kind, p.SourceCode, v.Form["layout"], v.Form["accent"])
	if de := domainError(err); de != nil {
		v.Errors = de.Fields
		return v, nil
	}
	if err != nil {
		return v, err
	}
	origin := siteOrigin(c, em.baseURL)
	v.Options = o
	link := campaignLink(origin, camp.Slug, p.SourceCode)
	v.Script, v.IFrame = embedSnippets(origin, em.embedURL(origin), o, camp.Title, link)
	v.PreviewURL = o.Path("")
	v.RefLink = link
	v.FrameAncestors = advocacy.FrameAncestors(&p)
	return v, nil
}

// embedCampaigns lists the campaigns partners can embed: the running ones
// the workspace knows, or the home campaign.
func (em *embedding) embedCampaigns(ctx context.Context) []templates.OrgCampaignLink {
	var out []templates.OrgCampaignLink
	if em.editor != nil {
		list, err := em.editor.ListCampaigns(ctx)
		if err != nil {
			em.logger.ErrorContext(ctx, "list campaigns for snippets", "err", err)
		}
		for _, camp := range list {
			if camp.Status == advocacy.CampaignActive {
				out = append(out, templates.OrgCampaignLink{Slug: camp.Slug, Title: camp.Title})
			}
		}
	}
	if len(out) == 0 {
		if camp, err := em.read.embedCampaign(ctx, ""); err == nil {
			out = append(out, templates.OrgCampaignLink{Slug: camp.Slug, Title: camp.Title})
		}
	}
	return out
}

// sendPublic writes a public, cacheable answer: an ETag over the body and
// extra (what else the answer depends on, like the widget's framing
// policy), the given Cache-Control, and 304 when the client's copy is
// current. Unlike sendCached it keeps the Content-Security-Policy on a
// 304: widget pages carry no nonce, and a 304 must refresh the
// frame-ancestors of the stored copy.
func (r *renderer) sendPublic(c echo.Context, contentType string, body []byte, cacheControl, extra string) error {
	c.Response().Header().Set("Cache-Control", cacheControl)
	if done, err := answerConditional(c, http.StatusOK, contentETag(append(append([]byte(extra), 0), body...)), time.Time{}); done {
		return err
	}
	return c.Blob(http.StatusOK, contentType, body)
}
