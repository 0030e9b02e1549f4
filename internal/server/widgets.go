package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/ttlcache"
	"github.com/whipcount/whipcount/templates"
	"github.com/whipcount/whipcount/web"
)

// Widgets are pages partners embed in an iframe on their own sites:
//
//   - /widgets/{campaign}/progress: both bills' thermometers and the letter
//     count, no JavaScript needed;
//   - /widgets/{campaign}/action: ZIP lookup, settling a split ZIP,
//     compose, preview and send, each step a plain page in the frame.
//
// Both take ?partner=CODE (attribution, and which sites may frame them),
// ?layout=compact|full and ?accent=rrggbb. Their Content-Security-Policy's
// frame-ancestors lists the partner's allowed origins: without a known
// partner only this site may frame them. The action widget sets no
// cookies (third-party frames lose them): its form carries a signed
// widget token, and the letter goes through the same validation, dedupe
// and limits as on the main site.

// widgets is the feature that serves them, with count.json and the
// loader script. It is mounted only on a site with campaigns; the action
// widget, only where letters are written too, and its letter steps are the
// letter desk's.
type widgets struct {
	// view renders pages and answers errors; read reads campaigns and
	// members; reference tells the member data's date; find runs the
	// action widget's lookups; embeds serves the loader script.
	view      *renderer
	read      *campaignReader
	reference *referenceData
	find      finder
	embeds    *embedding
	// partners counts what partners brought and dir finds them by source
	// code; nil leaves widgets unattributed and framed by this site only.
	partners PartnerStore
	dir      *partnerDirectory
	// baseURL is the site's public address, for the links shared after
	// writing; empty: the request's own.
	baseURL string
	// letters counts letters when there are no partners; nil shows the
	// campaign's total only.
	letters LetterStore
	// desk runs the action widget's letter steps; nil (no letters on this
	// site) leaves the action widget out.
	desk *letterDesk
	// secret signs the action widget's forms (see widgetSecret).
	secret []byte
	clock  func() time.Time
	logger *slog.Logger
	widgetRuntime
}

// newWidgets builds the widgets from what they need, or nil on a site
// without campaigns, which has nothing to embed.
func newWidgets(s *Server) *widgets {
	if s.deps.Campaigns == nil {
		return nil
	}
	w := &widgets{view: s.view, read: s.read, reference: s.data, find: s.find, embeds: s.embeds,
		partners: s.deps.Partners, dir: s.partnerDir, baseURL: s.deps.Letters.BaseURL, letters: s.deps.Letters.Store,
		desk: s.desk, secret: s.cfg.Secret, clock: s.deps.Clock, logger: s.deps.Logger}
	ttl := widgetDataTTL
	if s.cfg.NoPublicCache {
		ttl = 0
	}
	w.data = ttlcache.New(ttl, s.deps.Clock, ttlcache.Options[string, widgetSnapshot]{MaxWeight: widgetCacheEntries})
	w.pages = ttlcache.New(ttl, s.deps.Clock, ttlcache.Options[string, widgetPage]{MaxWeight: widgetCacheEntries})
	return w
}

// routes mounts the loader, the widgets (framed only by their partner's
// sites, see widgetFrame) and count.json.
func (w *widgets) routes(e *echo.Echo, publicGET func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), letterLimit, bound echo.MiddlewareFunc) {
	e.GET("/embed.js", w.embeds.embedJS)
	e.GET("/widgets/accent.css", w.accentCSS)
	e.GET("/widgets/:campaign/progress", w.progressWidget, w.widgetFrame, w.widgetErrors(advocacy.WidgetProgress))
	if w.desk != nil {
		action := []echo.MiddlewareFunc{w.widgetFrame, w.widgetErrors(advocacy.WidgetAction)}
		e.GET("/widgets/:campaign/action", w.actionWidget, action...)
		e.POST("/widgets/:campaign/action/preview", w.actionPreview, action...)
		e.POST("/widgets/:campaign/action/edit", w.actionEdit, action...)
		e.POST("/widgets/:campaign/action/send", w.actionSend, append(action, letterLimit, bound)...)
		e.GET("/widgets/:campaign/action/sent/:id", w.actionSent, action...)
	}
	publicGET("/campaigns/:slug/count.json", w.countAPI)
}

// forget drops the reused campaigns, counts and pages: a campaign opened,
// closed or featured shows at once. Safe on nil (no widgets mounted).
func (w *widgets) forget() {
	if w == nil {
		return
	}
	w.data.Clear()
	w.pages.Clear()
}

// widgetRuntime is the widgets' state.
type widgetRuntime struct {
	assetsOnce sync.Once
	css, js    string

	secretOnce sync.Once
	widgetKey  []byte

	// data and pages are reused for widgetDataTTL (or not at all), and
	// hold at most widgetCacheEntries each.
	data  *ttlcache.Cache[string, widgetSnapshot]
	pages *ttlcache.Cache[string, widgetPage]
}

// widgetCacheEntries bounds each of the widget caches: their keys are
// campaigns with known source codes and widget paths with checked
// options, so they are few.
const widgetCacheEntries = 1000

// widgetPage is a rendered public widget answer with its ETag, and the
// same gzip-compressed once for the clients that accept it.
type widgetPage struct {
	copies *compressedCopies
	tag    string
}

// widgetDataTTL is how long a campaign and its counts are reused for
// widgets and count.json: a partner's busy page costs a query every few
// seconds, not one per visitor. Browsers revalidate every minute anyway.
const widgetDataTTL = 5 * time.Second

// widgetSnapshot is a campaign with its counts for one source code.
type widgetSnapshot struct {
	camp   advocacy.Campaign
	counts advocacy.WidgetCounts
}

const widgetPartnerKey = "widget.partner"

// widgetSecret signs widget tokens: the installation's secret, or, when
// none is configured (tests, a bare server), one made for this process.
func (w *widgets) widgetSecret() []byte {
	w.secretOnce.Do(func() {
		if len(w.secret) >= 16 {
			w.widgetKey = w.secret
			return
		}
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		w.logger.Warn("no server secret configured: action widget forms will not survive a restart")
		w.widgetKey = b
	})
	return w.widgetKey
}

// setFrameAncestors replaces the frame-ancestors directive of the
// response's Content-Security-Policy, keeping the rest of the policy.
func setFrameAncestors(c echo.Context, value string) {
	h := c.Response().Header()
	var out []string
	for _, d := range strings.Split(h.Get("Content-Security-Policy"), ";") {
		d = strings.TrimSpace(d)
		if d == "" || strings.HasPrefix(strings.ToLower(d), "frame-ancestors") {
			continue
		}
		out = append(out, d)
	}
	out = append(out, "frame-ancestors "+value)
	h.Set("Content-Security-Policy", strings.Join(out, "; "))
	h.Del("X-Frame-Options")
}

// widgetFrame runs first on every widget page: it finds the partner named
// by ?partner= and lets exactly that partner's sites frame the answer. It
// runs before the widget cache, so cached answers get the right policy.
func (w *widgets) widgetFrame(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var partner *advocacy.Partner
		p, ok, err := w.dir.partner(c.Request().Context(), c.QueryParam("partner"))
		if err != nil {
			// Fail closed: without the partner, only this site may frame it.
			w.logger.ErrorContext(c.Request().Context(), "find widget partner", "err", err)
		} else if ok {
			partner = &p
		}
		setFrameAncestors(c, advocacy.FrameAncestors(partner))
		c.Set(widgetPartnerKey, partner)
		return next(c)
	}
}

// widgetPartner is the partner widgetFrame found, or nil.
func widgetPartner(c echo.Context) *advocacy.Partner {
	p, _ := c.Get(widgetPartnerKey).(*advocacy.Partner)
	return p
}

// widgetOptions reads a widget's options; the partner is kept only when
// known, so an unknown code never travels on in links or letters.
func (w *widgets) widgetOptions(c echo.Context, kind advocacy.WidgetKind) (advocacy.WidgetOptions, error) {
	o, err := advocacy.ParseWidgetOptions(c.Param("campaign"), kind, "", c.QueryParam("layout"), c.QueryParam("accent"))
	if p := widgetPartner(c); p != nil {
		o.Partner = p.SourceCode
	}
	if err != nil {
		return o, echo.NewHTTPError(http.StatusBadRequest, errorMessage(err))
	}
	return o, nil
}

// widgetMeta builds the frame of a widget page.
func (w *widgets) widgetMeta(c echo.Context, o advocacy.WidgetOptions, title string) templates.WidgetMeta {
	w.assetsOnce.Do(func() {
		w.css = "/static/widget.css?v=" + web.Version("widget.css")
		w.js = "/static/widget.js?v=" + web.Version("widget.js")
	})
	m := templates.WidgetMeta{Title: title, CSS: w.css, JS: w.js, Kind: string(o.Kind),
		Compact: o.Layout == advocacy.LayoutCompact, SiteURL: campaignLink("", o.Campaign, o.Partner)}
	if o.Accent != "" {
		m.AccentCSS = "/widgets/accent.css?c=" + strings.TrimPrefix(o.Accent, "#")
	}
	if o.Kind == advocacy.WidgetAction {
		m.MembersAsOf = w.reference.freshness().AsOf
	}
	if p := widgetPartner(c); p != nil {
		m.PartnerName = p.Name
		if p.LogoText != "" {
			m.PartnerName = p.LogoText
		}
	}
	return m
}

// widgetErrors renders a widget's errors as a small widget page, not the
// site's error page, with the widget's framing policy kept.
func (w *widgets) widgetErrors(kind advocacy.WidgetKind) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil || c.Response().Committed {
				return err
			}
			c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
			a := w.view.answerFor(c, err)
			status, msg := a.status, a.msg
			if status == http.StatusUnprocessableEntity {
				status = http.StatusBadRequest
			}
			if a.retryAfter != "" {
				c.Response().Header().Set("Retry-After", a.retryAfter)
			}
			heading := a.heading
			if status < 500 {
				heading = "We could not do that"
			}
			o, _ := advocacy.ParseWidgetOptions(c.Param("campaign"), kind, "", "", "")
			if p := widgetPartner(c); p != nil {
				o.Partner = p.SourceCode
			}
			start := ""
			if kind == advocacy.WidgetAction && status < 500 && c.Param("campaign") != "" {
				start = o.Path("")
			}
			noStore(c)
			page := templates.WidgetError(w.widgetMeta(c, o, heading), heading, msg, start)
			if rerr := w.view.render(c, status, page, nil); rerr != nil {
				w.logger.Error("render widget error", "err", rerr)
			}
			return nil
		}
	}
}

// renderBytes renders comp into a new byte slice.
func renderBytes(ctx context.Context, comp templ.Component) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := comp.Render(ctx, buf); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// widgetCampaign loads a public campaign for a widget.
func (w *widgets) widgetCampaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	return w.read.apiCampaign(ctx, slug)
}

// widgetData is a public campaign with its counts for ref, reused for
// widgetDataTTL. Only campaigns that exist and known source codes are
// kept, so the map stays as small as the partner list.
func (w *widgets) widgetData(ctx context.Context, slug, ref string) (advocacy.Campaign, advocacy.WidgetCounts, error) {
	snap, err := w.data.Get(ctx, slug+"\x00"+ref, func(ctx context.Context) (widgetSnapshot, error) {
		camp, err := w.widgetCampaign(ctx, slug)
		if err != nil {
			return widgetSnapshot{camp: camp}, err
		}
		counts, err := w.widgetCounts(ctx, camp, ref)
		return widgetSnapshot{camp: camp, counts: counts}, err
	})
	return snap.camp, snap.counts, err
}

// widgetCounts are a campaign's letters, those of the last 24 hours, and
// those that came through ref.
func (w *widgets) widgetCounts(ctx context.Context, camp advocacy.Campaign, ref string) (advocacy.WidgetCounts, error) {
	since := w.clock().Add(-24 * time.Hour)
	switch {
	case w.partners != nil:
		return w.partners.WidgetCounts(ctx, camp.ID, since, ref)
	case w.letters != nil:
		st, err := w.letters.Stats(ctx, camp.ID, since)
		return advocacy.WidgetCounts{Letters: st.Total, Last24h: st.Since}, err
	}
	return advocacy.WidgetCounts{Letters: w.read.letterCount(ctx, camp)}, nil
}

// cachedWidget answers with the page stored under key while it is younger
// than widgetDataTTL, or renders, stores and sends a new one. Keys are
// widget paths with their checked options, so they are few.
func (w *widgets) cachedWidget(c echo.Context, key string, render func() ([]byte, error)) error {
	p, err := w.pages.Get(c.Request().Context(), key, func(context.Context) (widgetPage, error) {
		body, err := render()
		if err != nil {
			return widgetPage{}, err
		}
		return widgetPage{copies: newCompressedCopies(body, gzip.BestSpeed, 0), tag: contentETag(append([]byte(key+"\x00"), body...))}, nil
	})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", widgetShortCache)
	h.Add("Vary", "Accept-Encoding")
	if done, err := answerConditional(c, http.StatusOK, p.tag, time.Time{}); done {
		return err
	}
	return p.copies.send(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8)
}

// progressWidget serves GET /widgets/{campaign}/progress.
func (w *widgets) progressWidget(c echo.Context) error {
	o, err := w.widgetOptions(c, advocacy.WidgetProgress)
	if err != nil {
		return err
	}
	// The key holds the framing policy too: a changed list of sites must
	// change the ETag, so browsers pick up the new policy.
	return w.cachedWidget(c, o.Path("")+" "+advocacy.FrameAncestors(widgetPartner(c)), func() ([]byte, error) {
		return w.renderProgress(c, o)
	})
}

// renderProgress renders the progress widget.
func (w *widgets) renderProgress(c echo.Context, o advocacy.WidgetOptions) ([]byte, error) {
	ctx := c.Request().Context()
	camp, counts, err := w.widgetData(ctx, o.Campaign, o.Partner)
	if err != nil {
		return nil, err
	}
	v := templates.ProgressWidgetView{Title: camp.Title, Ask: camp.Ask, Letters: counts.Letters,
		PartnerLetters: counts.RefLetters, ActionURL: campaignLink("", camp.Slug, o.Partner)}
	if p := widgetPartner(c); p != nil {
		v.PartnerName = p.Name
	}
	for _, b := range camp.Bills {
		p := b.Progress()
		wb := templates.WidgetBill{ID: b.ID, Label: b.Label(), Title: b.DisplayTitle(),
			Chamber: chamberWord(b.Chamber), Count: p.Count, Target: p.Target, Percent: p.Percent,
			Remaining: p.Remaining, Reached: p.Reached, Bar: thermometer(b),
			Noun: b.Goal.Noun(), NounOne: b.Goal.Singular(), Goal: string(b.Goal), Seats: advocacy.ChamberSeats(b.Chamber)}
		if b.Expired(w.clock()) {
			wb.Died = "Died at the end of the " + b.Term().Ordinal() + " Congress."
		}
		if !b.CosponsorsAsOf.IsZero() {
			wb.AsOf = shortDate(b.CosponsorsAsOf)
		}
		v.Bills = append(v.Bills, wb)
	}
	if camp.Status == advocacy.CampaignClosed {
		ended := w.read.endedView(ctx, camp)
		ended.RunningURL = campaignLink("", "", o.Partner)
		v.Ended = &ended
	}
	return renderBytes(ctx, templates.ProgressWidget(w.widgetMeta(c, o, camp.Title+": progress"), v))
}

// accentCSS serves GET /widgets/accent.css?c=rrggbb: the one rule that
// gives a widget the partner's colour, so pages need no inline style. The
// answer depends only on the URL, so it may be cached for good.
func (w *widgets) accentCSS(c echo.Context) error {
	a, err := advocacy.ParseAccent(c.QueryParam("c"))
	if err != nil || a == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "Give an accent colour with enough contrast, like c=1d4ed8.")
	}
	return w.view.sendPublic(c, "text/css; charset=utf-8", []byte(":root{--wc-accent:"+a+"}\n"), embedLongCache, "")
}

// countJSON is the shape of count.json.
type countJSON struct {
	Letters    int            `json:"letters"`
	Last24h    int            `json:"last_24h"`
	Cosponsors map[string]int `json:"cosponsors"`
	Ref        string         `json:"ref"`
	RefLetters int            `json:"ref_letters"`
}

// countAPI serves GET /api/v1/campaigns/{slug}/count.json?ref=CODE: the
// figures partners build their own displays from. An unknown code is 404,
// so a typo does not quietly show zero.
func (w *widgets) countAPI(c echo.Context) error {
	ctx := c.Request().Context()
	ref := strings.TrimSpace(c.QueryParam("ref"))
	if ref != "" {
		if cleanRef(ref) == "" {
			return advocacy.Invalid("ref", "A partner code has only letters, digits, hyphens and underscores.")
		}
		p, ok, err := w.dir.partner(ctx, ref)
		if err != nil {
			return err
		}
		if !ok {
			return advocacy.NotFound("There is no partner with that code.")
		}
		ref = p.SourceCode
	}
	camp, counts, err := w.widgetData(ctx, c.Param("slug"), ref)
	if err != nil {
		return err
	}
	out := countJSON{Letters: counts.Letters, Last24h: counts.Last24h, Cosponsors: map[string]int{},
		Ref: ref, RefLetters: counts.RefLetters}
	for _, b := range camp.Bills {
		out.Cosponsors[b.ID] = advocacy.ActiveCount(b.Cosponsors)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return w.view.sendPublic(c, echo.MIMEApplicationJSON, append(body, '\n'), widgetShortCache, "")
}

// widgetURL is the action widget's path with its options and extra
// parameters.
func widgetURL(o advocacy.WidgetOptions, suffix string, extra url.Values) string {
	q := o.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	p := "/widgets/" + url.PathEscape(o.Campaign) + "/" + string(o.Kind) + suffix
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// errWidgetForm answers a widget form whose token does not match it.
var errWidgetForm = echo.NewHTTPError(http.StatusBadRequest,
	"This form did not come from this widget, so nothing was sent. Start again and try once more.")

// optionFields carries a widget's options through its GET form (browsers
// drop the query string of a GET form's action).
func optionFields(o advocacy.WidgetOptions) []templates.HiddenField {
	var out []templates.HiddenField
	for _, k := range []string{"partner", "layout", "accent"} {
		if v := o.Query().Get(k); v != "" {
			out = append(out, templates.HiddenField{Name: k, Value: v})
		}
	}
	return out
}

// actionWidget serves GET /widgets/{campaign}/action: the ZIP form; with
// ?zip= the lookup, offering the districts of a split ZIP, and once the
// district is settled the letter form.
func (w *widgets) actionWidget(c echo.Context) error {
	ctx := c.Request().Context()
	o, err := w.widgetOptions(c, advocacy.WidgetAction)
	if err != nil {
		return err
	}
	camp, err := w.desk.letterCampaign(ctx, o.Campaign)
	if camp.Status == advocacy.CampaignClosed {
		// A partner's page may embed the widget for years: it says the
		// campaign ended and points to the running ones.
		ended := w.read.endedView(ctx, camp)
		ended.RunningURL = campaignLink("", "", o.Partner)
		return w.view.render(c, http.StatusOK, templates.WidgetEnded(w.widgetMeta(c, o, camp.Title+": ended"), ended), nil)
	}
	if err != nil {
		return err
	}
	m := w.widgetMeta(c, o, camp.Title+": write to your members")
	lv := templates.WidgetLookupView{Title: camp.Title, Ask: camp.Ask, FormAction: widgetURL(o, "", nil),
		Hidden: optionFields(o)}
	if i := strings.IndexByte(lv.FormAction, '?'); i >= 0 {
		lv.FormAction = lv.FormAction[:i]
	}
	zip := strings.TrimSpace(c.QueryParam("zip"))
	if zip == "" {
		body, err := renderBytes(ctx, templates.ActionLookup(m, lv))
		if err != nil {
			return err
		}
		return w.view.sendPublic(c, echo.MIMETextHTMLCharsetUTF8, body, widgetShortCache, advocacy.FrameAncestors(widgetPartner(c)))
	}
	noStore(c)
	lv.ZIP = zip
	st, err := w.desk.settle(settleQuery{zip: zip, district: c.QueryParam("district")})
	var ns errNotSettled
	switch {
	case errors.As(err, &ns):
		l, _, _, err := w.find.runLookup(repsQuery{zip: zip})
		if err != nil {
			return err
		}
		lv.ZIP = l.Query.Zip
		m.Title = "Choose your district: " + camp.Title
		for _, d := range l.Districts {
			code := d.Code()
			cand := templates.WidgetCandidate{Code: code, Label: templates.DistrictLabel(d), Likely: d.Likely,
				URL: widgetURL(o, "", url.Values{"zip": {l.Query.Zip}, "district": {code}})}
			if d.Representative != nil && !d.Vacant {
				cand.Members = append(cand.Members, memberName(*d.Representative))
			}
			lv.Candidates = append(lv.Candidates, cand)
		}
		return w.view.render(c, http.StatusOK, templates.ActionLookup(m, lv), nil)
	case advocacy.ErrorCode(err) == advocacy.CodeInvalid:
		lv.Error = errorMessage(err)
		m.Title = "Error: " + m.Title
		return w.view.render(c, http.StatusUnprocessableEntity, templates.ActionLookup(m, lv), nil)
	case advocacy.ErrorCode(err) == advocacy.CodeNotFound:
		lv.NoData = errorMessage(err)
		return w.view.render(c, http.StatusNotFound, templates.ActionLookup(m, lv), nil)
	case err != nil:
		return err
	}
	token, err := advocacy.NewLetterToken(w.desk.rand)
	if err != nil {
		return err
	}
	r := letterRequest{camp: camp, settle: st, recips: recipientsFor(camp, st.District, w.clock())}
	r.in = advocacy.LetterInput{Campaign: camp.Slug, State: st.District.State, Zip: st.query.zip, City: st.city,
		Ref: o.Partner, FormToken: token}
	for _, rc := range r.recips {
		r.in.Recipients = append(r.in.Recipients, rc.member.BioguideID)
	}
	return w.renderWidgetCompose(c, o, http.StatusOK, r, nil, "")
}

// renderWidgetCompose renders the letter form in the widget with a freshly
// signed token for its form token.
func (w *widgets) renderWidgetCompose(c echo.Context, o advocacy.WidgetOptions, status int, r letterRequest, errs map[string]string, notice string) error {
	v, err := w.desk.composeView(c.Request().Context(), r, errs)
	if err != nil {
		return err
	}
	v.ChangeURL = widgetURL(o, "", nil)
	if z := r.settle.query.zip; z != "" {
		v.ChangeURL = widgetURL(o, "", url.Values{"zip": {z}})
	}
	token, err := advocacy.SignWidgetToken(w.widgetSecret(), advocacy.WidgetClaims{
		Campaign: r.camp.Slug, Partner: o.Partner, IssuedAt: w.clock(), Nonce: r.in.FormToken})
	if err != nil {
		return err
	}
	title := "Write to your members: " + r.camp.Title
	if len(errs) > 0 {
		title = "Error: " + title
	}
	wv := templates.WidgetComposeView{Compose: v, Action: widgetURL(o, "/preview", nil), Token: token, Notice: notice}
	return w.view.render(c, status, templates.ActionCompose(w.widgetMeta(c, o, title), wv), nil)
}

// widgetLetter reads a posted widget form and checks its token: signed by
// this site for this campaign, partner and form token. The letter's
// source code is the token's partner, whatever the form says. expired is
// set when the token is good but too old: the form is shown again.
func (w *widgets) widgetLetter(c echo.Context, o advocacy.WidgetOptions) (r letterRequest, expired bool, err error) {
	r, err = w.desk.readLetterForm(c)
	if err != nil {
		return r, false, err
	}
	claims, err := advocacy.VerifyWidgetToken(w.widgetSecret(), c.FormValue("widget_token"), w.clock(), advocacy.WidgetTokenMaxAge)
	expired = errors.Is(err, advocacy.ErrWidgetTokenExpired)
	if err != nil && !expired {
		return r, false, errWidgetForm
	}
	if r.camp.Slug != o.Campaign || claims.Campaign != r.camp.Slug || claims.Partner != o.Partner ||
		claims.Nonce != r.in.FormToken || !advocacy.ValidLetterToken(r.in.FormToken) {
		return r, false, errWidgetForm
	}
	r.in.Ref = claims.Partner
	return r, expired, nil
}

// actionPreview serves POST /widgets/{campaign}/action/preview: each
// recipient's exact letter, or the form again with its errors (422).
func (w *widgets) actionPreview(c echo.Context) error {
	noStore(c)
	o, r, done, err := w.validWidgetLetter(c)
	if done || err != nil {
		return err
	}
	nl, err := w.desk.newLetter(c.Request().Context(), r)
	if errs, ok := fieldErrors(err); ok {
		return w.renderWidgetCompose(c, o, http.StatusUnprocessableEntity, r, errs, "")
	}
	if err != nil {
		return err
	}
	pv, err := w.desk.previewView(c.Request().Context(), r, nl)
	if err != nil {
		return err
	}
	wv := templates.WidgetPreviewView{Preview: pv, Token: c.FormValue("widget_token"),
		EditURL: widgetURL(o, "/edit", nil), SendURL: widgetURL(o, "/send", nil)}
	return w.view.render(c, http.StatusOK, templates.ActionPreview(w.widgetMeta(c, o, "Check your letter: "+r.camp.Title), wv), nil)
}

// validWidgetLetter reads and checks the action widget's posted letter.
// When the form is expired or invalid it answers with the form again (422)
// and reports done.
func (w *widgets) validWidgetLetter(c echo.Context) (advocacy.WidgetOptions, letterRequest, bool, error) {
	o, err := w.widgetOptions(c, advocacy.WidgetAction)
	if err != nil {
		return o, letterRequest{}, true, err
	}
	r, expired, err := w.widgetLetter(c, o)
	if err != nil {
		return o, r, true, err
	}
	if expired {
		return o, r, true, w.renderWidgetCompose(c, o, http.StatusUnprocessableEntity, r, nil, advocacy.ErrWidgetTokenExpired.Message)
	}
	if errs, err := w.desk.validate(c.Request().Context(), &r); err != nil || errs != nil {
		if err != nil {
			return o, r, true, err
		}
		return o, r, true, w.renderWidgetCompose(c, o, http.StatusUnprocessableEntity, r, errs, "")
	}
	return o, r, false, nil
}

// actionEdit serves POST /widgets/{campaign}/action/edit: the form again
// with what the preview carried.
func (w *widgets) actionEdit(c echo.Context) error {
	noStore(c)
	o, err := w.widgetOptions(c, advocacy.WidgetAction)
	if err != nil {
		return err
	}
	r, expired, err := w.widgetLetter(c, o)
	if err != nil {
		return err
	}
	notice := ""
	if expired {
		notice = advocacy.ErrWidgetTokenExpired.Message
	}
	return w.renderWidgetCompose(c, o, http.StatusOK, r, nil, notice)
}

// widgetSendFailed answers a letter the database did not take: the
// preview comes back as it was, with the notice, ready to send again.
func (w *widgets) widgetSendFailed(c echo.Context, o advocacy.WidgetOptions, r letterRequest, err error) error {
	ctx := context.WithoutCancel(c.Request().Context())
	c.SetRequest(c.Request().WithContext(ctx))
	nl, nerr := w.desk.newLetter(ctx, r)
	if nerr != nil {
		return err
	}
	pv, perr := w.desk.previewView(ctx, r, nl)
	if perr != nil {
		return err
	}
	a := w.view.answerFor(c, err)
	if a.retryAfter != "" {
		c.Response().Header().Set("Retry-After", a.retryAfter)
	}
	alert := a.alert()
	pv.Alert = &alert
	wv := templates.WidgetPreviewView{Preview: pv, Token: c.FormValue("widget_token"),
		EditURL: widgetURL(o, "/edit", nil), SendURL: widgetURL(o, "/send", nil)}
	return w.view.render(c, a.status, templates.ActionPreview(w.widgetMeta(c, o, "Error: check your letter: "+r.camp.Title), wv), nil)
}

// actionSend serves POST /widgets/{campaign}/action/send: the letter is
// stored (idempotent on its form token, with the main site's dedupe), then
// 303 to the thank-you step.
func (w *widgets) actionSend(c echo.Context) error {
	noStore(c)
	o, r, done, err := w.validWidgetLetter(c)
	if done || err != nil {
		return err
	}
	res, err := w.desk.submit(c.Request().Context(), r, c.RealIP())
	if errs, ok := fieldErrors(err); ok {
		return w.renderWidgetCompose(c, o, http.StatusUnprocessableEntity, r, errs, "")
	}
	if err != nil {
		return w.widgetSendFailed(c, o, r, err)
	}
	if res.Duplicates {
		v := templates.WidgetAlreadyView{CampaignURL: campaignLink("", r.camp.Slug, o.Partner), StartURL: widgetURL(o, "", nil)}
		for _, id := range res.Created.AlreadyWrote {
			v.Names = append(v.Names, w.read.memberLabel(id))
		}
		return w.view.render(c, http.StatusConflict, templates.ActionAlready(w.widgetMeta(c, o, "You have already written"), v), nil)
	}
	q := url.Values{}
	if len(res.Created.AlreadyWrote) > 0 {
		q.Set("already", strings.Join(res.Created.AlreadyWrote, ","))
	}
	return c.Redirect(http.StatusSeeOther, widgetURL(o, "/sent/"+url.PathEscape(res.Created.Letter.PublicID), q))
}

// actionSent serves GET /widgets/{campaign}/action/sent/{id}: thanks, where
// each copy stands, the way to the letter's private page when the person
// must send some copies themselves, and sharing.
func (w *widgets) actionSent(c echo.Context) error {
	noStore(c)
	ctx := c.Request().Context()
	o, err := w.widgetOptions(c, advocacy.WidgetAction)
	if err != nil {
		return err
	}
	camp, err := w.widgetCampaign(ctx, o.Campaign)
	if err != nil {
		return err
	}
	l, err := w.desk.letterFromPath(c)
	if err != nil {
		return err
	}
	if l.CampaignID != camp.ID {
		return advocacy.NotFound("We could not find that letter.")
	}
	link := campaignLink(siteOrigin(c, w.baseURL), camp.Slug, o.Partner)
	v := templates.WidgetSentView{StatusURL: "/letters/" + l.PublicID, CampaignURL: campaignLink("", camp.Slug, o.Partner),
		ShareURL: mailtoURL("Write to Congress: "+camp.Title,
			"I just wrote to my members of Congress about this. It takes two minutes: "+link)}
	waiting, err := w.letters.AwaitingConfirmation(c.Request().Context(), l.PublicID)
	if err != nil {
		w.logger.Error("check letter confirmation", "err", err)
	}
	for _, d := range l.Deliveries {
		dv := w.desk.deliveryView(l, d, camp, waiting)
		v.Deliveries = append(v.Deliveries, templates.WidgetSentDelivery{To: dv.To, Role: dv.Role, Copy: dv.Copy,
			SelfSend: dv.SelfSend})
		v.SelfSend = v.SelfSend || (dv.SelfSend && dv.State != string(advocacy.CopyHeld))
	}
	for _, id := range strings.Split(c.QueryParam("already"), ",") {
		if bioguideRe.MatchString(id) && len(v.AlreadyWrote) < advocacy.LetterMaxRecipients {
			v.AlreadyWrote = append(v.AlreadyWrote, w.read.memberLabel(id))
		}
	}
	return w.view.render(c, http.StatusOK, templates.ActionSent(w.widgetMeta(c, o, "Thank you: "+camp.Title), v), nil)
}

// mailtoURL is a mailto: link with a subject and body and no recipient.
func mailtoURL(subject, body string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return "mailto:?subject=" + esc(subject) + "&body=" + esc(body)
}
