package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// Partners are the organisations that put the campaign on their own sites
// through widgets and ?ref= links. This file holds what the server needs
// from the partner store, an in-memory directory of partners for the hot
// widget routes, the attribution of letters to partners, and the pages
// where admins edit a partner and partners get their embed snippets. The
// list of partners and the form that adds one are in organizer_users.go.

// PartnerStore reads and changes partners and answers the widgets' counts
// (implemented by sqlite.Partners).
type PartnerStore interface {
	Partners(ctx context.Context) ([]advocacy.Partner, error)
	PartnerBySlug(ctx context.Context, slug string) (advocacy.Partner, error)
	// UpdatePartner keeps the slug and source code; edits are audited.
	UpdatePartner(ctx context.Context, slug string, p advocacy.Partner, actor int64) (advocacy.Partner, error)
	// WidgetCounts counts a campaign's active letters, those since a time,
	// and those with a source code.
	WidgetCounts(ctx context.Context, campaignID int64, since time.Time, ref string) (advocacy.WidgetCounts, error)
}

// partnerTTL is how long the in-memory directory of partners is trusted.
// Edits made through this server show at once; others (another process,
// the command line) within this time.
const partnerTTL = 10 * time.Second

// The partner directory (s.partnerDir) is every partner by source
// code, reloaded from the store when older than partnerTTL. Widget and
// count.json requests look partners up on every request, so they must not
// each cost a query; and a slow reload stalls nobody: while one request
// reloads, the others use the directory they have. A failed reload keeps
// the directory loaded before.

// partner finds the partner with source code code. ok is false for an
// empty or unknown code, or when partners are not wired.
func (s *Server) partner(ctx context.Context, code string) (advocacy.Partner, bool, error) {
	if s.deps.Partners == nil || code == "" || cleanRef(code) == "" {
		return advocacy.Partner{}, false, nil
	}
	dir := s.partnerDir
	byCode, err := dir.Get(ctx, struct{}{}, s.loadPartners)
	if err != nil {
		old, ok := dir.Stale(struct{}{})
		if !ok {
			return advocacy.Partner{}, false, err
		}
		s.deps.Logger.ErrorContext(ctx, "reload partners: using the directory loaded before", "err", err)
		byCode = old
	}
	p, ok := byCode[code]
	return p, ok, nil
}

// loadPartners reads the partner directory from the store.
func (s *Server) loadPartners(ctx context.Context) (map[string]advocacy.Partner, error) {
	list, err := s.deps.Partners.Partners(ctx)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]advocacy.Partner, len(list))
	for _, p := range list {
		byCode[p.SourceCode] = p
	}
	return byCode, nil
}

// forgetPartners makes the next lookup reload the directory.
func (s *Server) forgetPartners() {
	s.partnerDir.Clear()
}

// knownRefs wraps the letter store so that a letter keeps its source code
// only when it names a partner: ?ref= links, widgets and the JSON API all
// end here, and an unknown code is dropped rather than stored. Without a
// partner store, source codes are kept as they come.
type knownRefs struct {
	LetterStore
	s *Server
}

// CreateLetter drops an unknown source code, then stores the letter. When
// the partners cannot be read, the code is kept as it came (it was checked
// for form): a letter is never lost over its attribution.
func (k knownRefs) CreateLetter(ctx context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
	if ref := nl.Input.Ref; ref != "" && !advocacy.IsShareSource(ref) {
		// The codes of links shared after writing are the site's own.
		p, ok, err := k.s.partner(ctx, ref)
		switch {
		case err != nil:
			k.s.deps.Logger.ErrorContext(ctx, "check letter's source code", "err", err)
		case ok:
			nl.Input.Ref = p.SourceCode
		default:
			nl.Input.Ref = ""
		}
	}
	return k.LetterStore.CreateLetter(ctx, nl)
}

// attributeLetters puts knownRefs around the letter store, once.
func (s *Server) attributeLetters() {
	if s.deps.Partners == nil || s.deps.Letters.Store == nil {
		return
	}
	if _, done := s.deps.Letters.Store.(knownRefs); !done {
		s.deps.Letters.Store = knownRefs{LetterStore: s.deps.Letters.Store, s: s}
	}
}

// partnersEnabled reports whether the partner pages are wired.
func (s *Server) partnersEnabled() bool {
	return s.deps.Partners != nil && s.organizerEnabled()
}

// siteOrigin is this site's origin for links that leave it (snippets,
// email shares): the configured base URL, else what the request says.
func (s *Server) siteOrigin(c echo.Context) string {
	if b := strings.TrimRight(s.deps.Letters.BaseURL, "/"); b != "" {
		return b
	}
	return c.Scheme() + "://" + c.Request().Host
}

// partnerForm reads the edit form's fields.
func partnerForm(c echo.Context) (map[string]string, advocacy.Partner) {
	form := map[string]string{}
	for _, f := range []string{"name", "allowed_origins", "allow_any_origin", "contact", "logo_text"} {
		form[f] = c.FormValue(f)
	}
	p := advocacy.Partner{Name: form["name"], AllowedOrigins: advocacy.ParseOrigins(form["allowed_origins"]),
		AllowAnyOrigin: formBool(form["allow_any_origin"]), Contact: form["contact"], LogoText: form["logo_text"]}
	return form, p
}

// partnerPage serves GET /organizer/partners/{slug}: the edit form, the
// partner's viewer accounts and its embed snippets (admins only).
func (s *Server) partnerPage(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermManagePartners); err != nil {
		return err
	}
	if !s.partnersEnabled() {
		return echo.ErrNotFound
	}
	p, err := s.deps.Partners.PartnerBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	form := map[string]string{"name": p.Name, "allowed_origins": strings.Join(p.AllowedOrigins, "\n"),
		"contact": p.Contact, "logo_text": p.LogoText}
	if p.AllowAnyOrigin {
		form["allow_any_origin"] = "true"
	}
	return s.renderPartnerPage(c, http.StatusOK, p, form, nil)
}

// updatePartner serves POST /organizer/partners/{slug}.
func (s *Server) updatePartner(c echo.Context) error {
	a, err := s.need(c, advocacy.PermManagePartners)
	if err != nil {
		return err
	}
	if !s.partnersEnabled() {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	before, err := s.deps.Partners.PartnerBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	form, p := partnerForm(c)
	_, err = s.deps.Partners.UpdatePartner(ctx, before.Slug, p, a.user.ID)
	if de := domainError(err); de != nil && de.Code == advocacy.CodeInvalid {
		return s.renderPartnerPage(c, http.StatusUnprocessableEntity, before, form, de.Fields)
	}
	if err != nil {
		return err
	}
	s.forgetPartners()
	return orgSeeOther(c, orgWithDone("/organizer/partners/"+before.Slug, "saved"))
}

func (s *Server) renderPartnerPage(c echo.Context, status int, p advocacy.Partner, form, errs map[string]string) error {
	ctx := c.Request().Context()
	path := "/organizer/partners/" + p.Slug
	v := templates.PartnerEditView{Slug: p.Slug, Name: p.Name, Code: p.SourceCode, Form: form, Errors: errs,
		Action: path, FrameAncestors: advocacy.FrameAncestors(&p)}
	users, err := s.deps.Organizer.Users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.PartnerID == p.ID {
			v.Viewers = append(v.Viewers, templates.PartnerViewer{Email: u.Email, Disabled: u.Disabled()})
		}
	}
	emb, err := s.embedView(c, p, path)
	if err != nil {
		return err
	}
	v.Embed = emb
	m := s.orgMeta(c, "Partner: "+p.Name, "/organizer/partners", "")
	page := templates.PartnerEditPage(m, v)
	if c.Request().Header.Get("HX-Target") == "partner-embed" {
		return s.render(c, status, page, templates.PartnerEmbed(v.Embed))
	}
	return s.render(c, status, page, page)
}

// partnerHome serves GET /organizer/partner: a partner viewer's snippets
// and ?ref= link, and the members their supporters wrote to, with links to
// their campaign figures. Only aggregates: no letter, name or address.
func (s *Server) partnerHome(c echo.Context) error {
	a, err := s.need(c, advocacy.PermViewPartnerStats)
	if err != nil {
		return err
	}
	if !s.partnersEnabled() || a.user.PartnerCode == "" {
		return echo.NewHTTPError(http.StatusForbidden, "Your account belongs to no partner.")
	}
	ctx := c.Request().Context()
	p, ok, err := s.partner(ctx, a.user.PartnerCode)
	if err != nil {
		return err
	}
	if !ok {
		return echo.NewHTTPError(http.StatusForbidden, "Your account belongs to no partner.")
	}
	emb, err := s.embedView(c, p, "/organizer/partner")
	if err != nil {
		return err
	}
	v := templates.PartnerHomeView{Name: p.Name, Code: p.SourceCode, Embed: emb}
	if camp, err := s.embedCampaign(ctx, emb.Options.Campaign); err == nil {
		v.CampaignTitle = camp.Title
		v.DashboardURL = orgCampaignURL(camp.Slug)
		if s.deps.Organizer.Stats != nil {
			now := s.deps.Clock()
			st, err := s.deps.Organizer.Stats.Dashboard(ctx, camp.ID, now.AddDate(0, 0, -30), now.Add(time.Second), p.SourceCode)
			if err != nil {
				return err
			}
			v.Letters = st.Total
			v.Reach = s.reachView(camp, advocacy.ReachOf(camp.Bills, st.ByOffice, st.FirstLetter))
		}
	} else if advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		return err
	}
	m := s.orgMeta(c, "Your widgets and links", "/organizer/partner", "")
	page := templates.PartnerHomePage(m, v)
	if c.Request().Header.Get("HX-Target") == "partner-embed" {
		return s.render(c, http.StatusOK, page, templates.PartnerEmbed(v.Embed))
	}
	return s.render(c, http.StatusOK, page, page)
}

// reachView names the members a partner's supporters wrote to.
func (s *Server) reachView(camp advocacy.Campaign, r advocacy.PartnerReach) templates.PartnerReachView {
	v := templates.PartnerReachView{Offices: r.Offices, Cosponsors: r.Cosponsors, JoinedAfter: r.JoinedAfter}
	for _, pm := range r.Members {
		row := templates.PartnerReachRow{Member: s.orgMember(pm.BioguideID), Letters: pm.Letters, JoinedAfter: pm.JoinedAfter}
		switch {
		case pm.Cosponsor:
			row.Stance = "Cosponsor since " + longDate(pm.JoinedOn)
		default:
			row.Stance = "Not a cosponsor"
			if m, ok := s.member(pm.BioguideID); ok {
				if b, ok := camp.BillFor(m.Chamber); ok && slices.ContainsFunc(b.Cosponsors, func(cs advocacy.Cosponsor) bool { return cs.BioguideID == pm.BioguideID }) {
					row.Stance = "Withdrew"
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
