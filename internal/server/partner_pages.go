package server

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// partnerPages are the workspace's pages about one partner: where admins
// edit it and see its viewers and embed snippets, and where a partner's
// viewers get their snippets and see what their supporters brought in.
// They are mounted when the partner store is wired; the list of partners
// and the form that adds one are with the accounts (organizer_users.go).
type partnerPages struct {
	// view renders pages; read finds campaigns and members; dir is the
	// partner directory, forgotten after an edit; embeds makes the
	// snippets.
	view   *renderer
	read   *campaignReader
	dir    *partnerDirectory
	embeds *embedding
	ws     *workspace
	store  PartnerStore
	users  UserStore
	// members names the offices a partner's supporters wrote to.
	members MemberDirectory
	// stats counts a partner's letters; nil leaves the figures out.
	stats DashboardStore
	clock func() time.Time
}

// newPartnerPages builds the pages, or nil without a partner store.
func newPartnerPages(s *Server, ws *workspace) *partnerPages {
	if s.deps.Partners == nil {
		return nil
	}
	return &partnerPages{view: s.view, read: s.read, dir: s.partnerDir, embeds: s.embeds, ws: ws, store: s.deps.Partners, users: ws.users, members: s.deps.Members,
		stats: s.deps.Organizer.Stats, clock: s.deps.Clock}
}

// routes mounts the partner pages on the workspace.
func (pp *partnerPages) routes(org *echo.Group) {
	org.GET("/partners/:slug", pp.partnerPage)
	org.POST("/partners/:slug", pp.updatePartner)
	org.GET("/partner", pp.partnerHome)
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
func (pp *partnerPages) partnerPage(c echo.Context) error {
	if _, err := need(c, advocacy.PermManagePartners); err != nil {
		return err
	}
	p, err := pp.store.PartnerBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	form := map[string]string{"name": p.Name, "allowed_origins": strings.Join(p.AllowedOrigins, "\n"),
		"contact": p.Contact, "logo_text": p.LogoText}
	if p.AllowAnyOrigin {
		form["allow_any_origin"] = "true"
	}
	return pp.renderPartnerPage(c, http.StatusOK, p, form, nil)
}

// updatePartner serves POST /organizer/partners/{slug}.
func (pp *partnerPages) updatePartner(c echo.Context) error {
	a, err := need(c, advocacy.PermManagePartners)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := pp.store.PartnerBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	form, p := partnerForm(c)
	_, err = pp.store.UpdatePartner(ctx, before.Slug, p, a.user.ID)
	if de := domainError(err); de != nil && de.Code == advocacy.CodeInvalid {
		return pp.renderPartnerPage(c, http.StatusUnprocessableEntity, before, form, de.Fields)
	}
	if err != nil {
		return err
	}
	pp.dir.forget()
	return orgSeeOther(c, orgWithDone("/organizer/partners/"+before.Slug, "saved"))
}

func (pp *partnerPages) renderPartnerPage(c echo.Context, status int, p advocacy.Partner, form, errs map[string]string) error {
	ctx := c.Request().Context()
	path := "/organizer/partners/" + p.Slug
	v := templates.PartnerEditView{Slug: p.Slug, Name: p.Name, Code: p.SourceCode, Form: form, Errors: errs,
		Action: path, FrameAncestors: advocacy.FrameAncestors(&p)}
	users, err := pp.users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.PartnerID == p.ID {
			v.Viewers = append(v.Viewers, templates.PartnerViewer{Email: u.Email, Disabled: u.Disabled()})
		}
	}
	emb, err := pp.embeds.embedView(c, p, path)
	if err != nil {
		return err
	}
	v.Embed = emb
	m := pp.ws.frame(c, "Partner: "+p.Name, "/organizer/partners", "")
	page := templates.PartnerEditPage(m, v)
	if c.Request().Header.Get("HX-Target") == "partner-embed" {
		return pp.view.render(c, status, page, templates.PartnerEmbed(v.Embed))
	}
	return pp.view.render(c, status, page, page)
}

// partnerHome serves GET /organizer/partner: a partner viewer's snippets
// and ?ref= link, and the members their supporters wrote to, with links to
// their campaign figures. Only aggregates: no letter, name or address.
func (pp *partnerPages) partnerHome(c echo.Context) error {
	a, err := need(c, advocacy.PermViewPartnerStats)
	if err != nil {
		return err
	}
	if a.user.PartnerCode == "" {
		return echo.NewHTTPError(http.StatusForbidden, "Your account belongs to no partner.")
	}
	ctx := c.Request().Context()
	p, ok, err := pp.dir.partner(ctx, a.user.PartnerCode)
	if err != nil {
		return err
	}
	if !ok {
		return echo.NewHTTPError(http.StatusForbidden, "Your account belongs to no partner.")
	}
	emb, err := pp.embeds.embedView(c, p, "/organizer/partner")
	if err != nil {
		return err
	}
	v := templates.PartnerHomeView{Name: p.Name, Code: p.SourceCode, Embed: emb}
	if camp, err := pp.read.embedCampaign(ctx, emb.Options.Campaign); err == nil {
		v.CampaignTitle = camp.Title
		v.DashboardURL = orgCampaignURL(camp.Slug)
		if pp.stats != nil {
			now := pp.clock()
			st, err := pp.stats.Dashboard(ctx, camp.ID, now.AddDate(0, 0, -30), now.Add(time.Second), p.SourceCode)
			if err != nil {
				return err
			}
			v.Letters = st.Total
			v.Reach = pp.reachView(camp, advocacy.ReachOf(camp.Bills, st.ByOffice, st.FirstLetter))
		}
	} else if advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		return err
	}
	m := pp.ws.frame(c, "Your widgets and links", "/organizer/partner", "")
	page := templates.PartnerHomePage(m, v)
	if c.Request().Header.Get("HX-Target") == "partner-embed" {
		return pp.view.render(c, http.StatusOK, page, templates.PartnerEmbed(v.Embed))
	}
	return pp.view.render(c, http.StatusOK, page, page)
}

// reachView names the members a partner's supporters wrote to.
func (pp *partnerPages) reachView(camp advocacy.Campaign, r advocacy.PartnerReach) templates.PartnerReachView {
	v := templates.PartnerReachView{Offices: r.Offices, Cosponsors: r.Cosponsors, JoinedAfter: r.JoinedAfter}
	for _, pm := range r.Members {
		row := templates.PartnerReachRow{Member: orgMember(pp.members, pm.BioguideID), Letters: pm.Letters, JoinedAfter: pm.JoinedAfter}
		switch {
		case pm.Cosponsor:
			row.Stance = "Cosponsor since " + longDate(pm.JoinedOn)
		default:
			row.Stance = "Not a cosponsor"
			if m, ok := pp.read.member(pm.BioguideID); ok {
				if b, ok := camp.BillFor(m.Chamber); ok && slices.ContainsFunc(b.Cosponsors, func(cs advocacy.Cosponsor) bool { return cs.BioguideID == pm.BioguideID }) {
					row.Stance = "Withdrew"
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
