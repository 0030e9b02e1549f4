package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// The life of a campaign in the workspace: the guided form that starts
// one, the preview of a draft, opening, closing and reopening it,
// featuring it on the home page, adding a bill, and replacing a bill that
// died with its Congress by the one reintroduced in the next. The work is
// done by the CampaignService; these handlers map forms to it and back.

// CampaignService creates campaigns and moves them through their life
// (implemented by campaigns.Service). Invalid input is an *advocacy.Error
// with CodeInvalid naming each field.
type CampaignService interface {
	Create(ctx context.Context, in advocacy.NewCampaignInput, actor int64) (advocacy.Campaign, error)
	AddBill(ctx context.Context, slug string, in advocacy.NewBillInput, actor int64) error
	ReplaceBill(ctx context.Context, slug, oldID string, in advocacy.NewBillInput, actor int64) error
	SetStatus(ctx context.Context, slug, status string, actor int64) error
	Feature(ctx context.Context, slug string, actor int64) error
}

// campaignLife is the feature that starts campaigns and moves them
// through their life, mounted on the workspace when the campaign service
// is wired.
type campaignLife struct {
	// view renders pages; copies are forgotten after each change.
	view   *renderer
	copies publicCopies
	ws     *workspace
	// editor shows the campaign's editor, where a refused change is told.
	editor    *editor
	service   CampaignService
	campaigns CampaignStore
	clock     func() time.Time
	logger    *slog.Logger
}

// newCampaignLife builds the feature, or nil without the campaign service
// or the editor (which needs the campaigns).
func newCampaignLife(s *Server, ws *workspace, ed *editor) *campaignLife {
	if s.deps.Organizer.Campaigns == nil || ed == nil {
		return nil
	}
	return &campaignLife{view: s.view, copies: s.copies, ws: ws, editor: ed, service: s.deps.Organizer.Campaigns, campaigns: s.deps.Campaigns,
		clock: s.deps.Clock, logger: s.deps.Logger}
}

// routes mounts the life of a campaign on the workspace.
func (l *campaignLife) routes(org *echo.Group) {
	org.GET("/campaigns/new", l.newCampaignPage)
	org.POST("/campaigns/new", l.createCampaign)
	org.POST("/campaigns/:slug/status", l.changeCampaignStatus)
	org.POST("/featured", l.featureCampaign)
	org.POST("/campaigns/:slug/edit/bills", l.addCampaignBill)
	org.GET("/campaigns/:slug/edit/bills/:bill/replace", l.replaceBillPage)
	org.POST("/campaigns/:slug/edit/bills/:bill/replace", l.replaceCampaignBill)
}

// lifeService is the campaign service, for a user who may edit content.
func (l *campaignLife) lifeService(c echo.Context) (orgAuth, CampaignService, error) {
	a, err := need(c, advocacy.PermEditContent)
	if err != nil {
		return a, nil, err
	}
	return a, l.service, nil
}

// stanceOf writes a bill's position and goal as the forms do.
func stanceOf(p advocacy.Position, g advocacy.Goal) string {
	if p == advocacy.PositionOppose {
		if g == advocacy.GoalWithdrawals {
			return "oppose-withdrawals"
		}
		return "oppose"
	}
	return "support"
}

// positionOfStance reads a form's stance into a position and a goal.
func positionOfStance(stance string) (position, goal string) {
	switch strings.TrimSpace(stance) {
	case "support":
		return string(advocacy.PositionSupport), string(advocacy.GoalCosponsors)
	case "oppose":
		return string(advocacy.PositionOppose), string(advocacy.GoalNotCosponsoring)
	case "oppose-withdrawals":
		return string(advocacy.PositionOppose), string(advocacy.GoalWithdrawals)
	}
	return stance, ""
}

// stanceLabel describes a stance in words.
func stanceLabel(stance string) string {
	for _, o := range templates.StanceOptions() {
		if o.Value == stance {
			return o.Label
		}
	}
	return stance
}

// newCampaignForm builds the creation form from what was posted (nil for
// an empty form).
func (l *campaignLife) newCampaignForm(ctx context.Context, f url.Values, errs map[string]string) (templates.NewCampaignForm, error) {
	v := templates.NewCampaignForm{Values: map[string]string{}, Errors: errs,
		Congress: advocacy.CongressAt(l.clock()).Number}
	for _, name := range []string{"title", "slug", "ask", "summary", "why", "sponsor_name", "sponsor_url",
		"sponsor_email", "paid_for_by", "sponsor_about", "copy_from", "status"} {
		v.Values[name] = f.Get(name)
	}
	for i := range advocacy.CampaignMaxBills {
		r := templates.NewBillRow{Index: i}
		r.ID, r.Stance, r.Target = f.Get(r.Field("id")), f.Get(r.Field("stance")), f.Get(r.Field("target"))
		r.Title, r.Sponsor, r.Introduced = f.Get(r.Field("title")), f.Get(r.Field("sponsor")), f.Get(r.Field("introduced"))
		v.Bills = append(v.Bills, r)
	}
	list, err := l.campaigns.Campaigns(ctx)
	if err != nil {
		return v, err
	}
	for _, c := range list {
		v.CopyFrom = append(v.CopyFrom, templates.OrgCampaignLink{Slug: c.Slug, Title: c.Title, Status: strings.ToLower(c.Status.Label())})
	}
	return v, nil
}

// newCampaignPage serves GET /organizer/campaigns/new: the guided form.
func (l *campaignLife) newCampaignPage(c echo.Context) error {
	if _, _, err := l.lifeService(c); err != nil {
		return err
	}
	v, err := l.newCampaignForm(c.Request().Context(), url.Values{}, nil)
	if err != nil {
		return err
	}
	return l.view.render(c, http.StatusOK, templates.NewCampaignPage(l.ws.frame(c, "Start a campaign", "/organizer/campaigns/new", ""), v), nil)
}

// createCampaign serves POST /organizer/campaigns/new: 303 to the new
// campaign's editor, or the form again with its errors (422).
func (l *campaignLife) createCampaign(c echo.Context) error {
	a, svc, err := l.lifeService(c)
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return advocacy.Invalid("form", "We could not read the form. Please try again.")
	}
	in := advocacy.NewCampaignInput{
		Slug: f.Get("slug"), Title: f.Get("title"), Summary: f.Get("summary"), Ask: f.Get("ask"), Why: f.Get("why"),
		Status: f.Get("status"), CopyFrom: f.Get("copy_from"),
		Sponsor: advocacy.Sponsor{Name: f.Get("sponsor_name"), URL: f.Get("sponsor_url"), Email: f.Get("sponsor_email"),
			About: f.Get("sponsor_about"), PaidForBy: f.Get("paid_for_by")},
	}
	for i := range advocacy.CampaignMaxBills {
		r := templates.NewBillRow{Index: i}
		position, goal := positionOfStance(f.Get(r.Field("stance")))
		in.Bills = append(in.Bills, advocacy.NewBillInput{ID: f.Get(r.Field("id")), Position: position, Goal: goal,
			Target: f.Get(r.Field("target")), Title: f.Get(r.Field("title")), SponsorID: f.Get(r.Field("sponsor")),
			Introduced: f.Get(r.Field("introduced"))})
	}
	camp, err := svc.Create(c.Request().Context(), in, a.user.ID)
	if fields := fieldsOf(err); fields != nil {
		// The rules name a bill's position and goal; the form has one field.
		for i := range advocacy.CampaignMaxBills {
			r := templates.NewBillRow{Index: i}
			for _, k := range []string{"position", "goal"} {
				if msg, ok := fields[r.Field(k)]; ok {
					delete(fields, r.Field(k))
					fields[r.Field("stance")] = msg
				}
			}
		}
		v, ferr := l.newCampaignForm(c.Request().Context(), f, fields)
		if ferr != nil {
			return ferr
		}
		return l.view.render(c, http.StatusUnprocessableEntity,
			templates.NewCampaignPage(l.ws.frame(c, "Error: start a campaign", "/organizer/campaigns/new", ""), v), nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(camp.Slug, "edit"), "created"))
}

// changeCampaignStatus serves POST /organizer/campaigns/{slug}/status:
// open a draft, close a running campaign, or reopen a closed one.
func (l *campaignLife) changeCampaignStatus(c echo.Context) error {
	a, svc, err := l.lifeService(c)
	if err != nil {
		return err
	}
	slug := c.Param("slug")
	status := c.FormValue("status")
	if err := svc.SetStatus(c.Request().Context(), slug, status, a.user.ID); err != nil {
		code := advocacy.ErrorCode(err)
		if code != advocacy.CodeInvalid && code != advocacy.CodeConflict {
			return err
		}
		camp, lerr := orgCampaign(c, l.campaigns)
		if lerr != nil {
			return lerr
		}
		sec := editorSection{lifeError: errorMessage(err)}
		return l.editor.renderEditor(c, statusFor(code, false), camp, sec)
	}
	l.copies.forget()
	done := map[string]string{"running": "opened", "closed": "closed"}[status]
	if done == "" {
		done = "saved"
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(slug, "edit"), done))
}

// featureCampaign serves POST /organizer/featured: slug is the running
// campaign the home page features, or empty for none.
func (l *campaignLife) featureCampaign(c echo.Context) error {
	a, svc, err := l.lifeService(c)
	if err != nil {
		return err
	}
	slug := strings.TrimSpace(c.FormValue("slug"))
	if err := svc.Feature(c.Request().Context(), slug, a.user.ID); err != nil {
		return err
	}
	l.copies.forget()
	back := c.FormValue("back")
	if back == "" || !strings.HasPrefix(back, "/organizer") || strings.HasPrefix(back, "//") {
		back = "/organizer"
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone(back, "featured"))
}

// publicCopies are the short-lived copies of what the public sees: the
// campaigns and the home choice, the rendered campaign pages, the letter
// templates the letter desk keeps and the widgets. forget drops them all:
// a campaign opened, closed, featured or edited shows at once.
type publicCopies struct {
	read    *campaignReader
	pages   *pageCache
	desk    *letterDesk // nil: no letters
	widgets *widgets    // nil: no widgets mounted
}

func (pc publicCopies) forget() {
	pc.read.forget()
	pc.pages.clear()
	pc.desk.forgetTemplates()
	pc.widgets.forget()
}

// billInputOf reads a bill form.
func billInputOf(c echo.Context) advocacy.NewBillInput {
	position, goal := positionOfStance(c.FormValue("stance"))
	return advocacy.NewBillInput{ID: c.FormValue("id"), Position: position, Goal: goal, Target: c.FormValue("target"),
		Title: c.FormValue("title"), SponsorID: c.FormValue("sponsor"), Introduced: c.FormValue("introduced")}
}

// formValues keeps the posted values of the bill form.
func formValues(c echo.Context, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = c.FormValue(n)
	}
	return out
}

var billFormFields = []string{"id", "stance", "target", "title", "sponsor", "introduced"}

// stanceErrors moves the rules' position and goal messages to the form's
// one stance field.
func stanceErrors(fields map[string]string) map[string]string {
	for _, k := range []string{"position", "goal"} {
		if msg, ok := fields[k]; ok {
			delete(fields, k)
			fields["stance"] = msg
		}
	}
	return fields
}

// addCampaignBill serves POST /organizer/campaigns/{slug}/edit/bills.
func (l *campaignLife) addCampaignBill(c echo.Context) error {
	a, svc, err := l.lifeService(c)
	if err != nil {
		return err
	}
	camp, err := orgCampaign(c, l.campaigns)
	if err != nil {
		return err
	}
	err = svc.AddBill(c.Request().Context(), camp.Slug, billInputOf(c), a.user.ID)
	if fields := fieldsOf(err); fields != nil {
		f := templates.AddBillForm{Slug: camp.Slug, Values: formValues(c, billFormFields...), Errors: stanceErrors(fields),
			Congress: advocacy.CongressAt(l.clock()).Number}
		return l.editor.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{addBill: &f})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(camp.Slug, "edit"), "bill")+"#bills")
}

// replaceForm is the form that replaces bill b of campaign slug.
func (l *campaignLife) replaceForm(slug string, b advocacy.Bill) templates.AddBillForm {
	return templates.AddBillForm{Slug: slug, Replaces: b.LabelWithCongress(), ReplacesID: b.ID,
		Position: string(b.Position.OrSupport()), Congress: advocacy.CongressAt(l.clock()).Number,
		Values: map[string]string{"stance": stanceOf(b.Position.OrSupport(), b.Goal), "target": strconv.Itoa(b.Target)}}
}

// replaceBillView is the replace page of bill b.
func (l *campaignLife) replaceBillView(camp advocacy.Campaign, b advocacy.Bill, f templates.AddBillForm) templates.ReplaceBillPageView {
	v := templates.ReplaceBillPageView{Title: camp.Title, Form: f}
	if b.Expired(l.clock()) {
		v.Died = b.Label() + " died when the " + b.Term().Ordinal() + " Congress ended on " + longDate(b.Term().EndDate()) + "."
	}
	return v
}

// campaignBillFromPath loads the campaign and its current bill named in
// the path.
func (l *campaignLife) campaignBillFromPath(c echo.Context) (advocacy.Campaign, advocacy.Bill, error) {
	camp, err := orgCampaign(c, l.campaigns)
	if err != nil {
		return camp, advocacy.Bill{}, err
	}
	id := strings.ToLower(c.Param("bill"))
	for _, b := range camp.Bills {
		if b.ID == id {
			return camp, b, nil
		}
	}
	return camp, advocacy.Bill{}, advocacy.NotFound("The campaign does not ask about " + id + " now.")
}

// replaceBillPage serves GET /organizer/campaigns/{slug}/edit/bills/{bill}/replace.
func (l *campaignLife) replaceBillPage(c echo.Context) error {
	if _, _, err := l.lifeService(c); err != nil {
		return err
	}
	camp, b, err := l.campaignBillFromPath(c)
	if err != nil {
		return err
	}
	v := l.replaceBillView(camp, b, l.replaceForm(camp.Slug, b))
	m := l.ws.frame(c, "Replace "+b.Label(), orgCampaignURL(camp.Slug, "edit"), camp.Slug)
	return l.view.render(c, http.StatusOK, templates.ReplaceBillPage(m, v), nil)
}

// replaceCampaignBill serves POST /organizer/campaigns/{slug}/edit/bills/{bill}/replace.
func (l *campaignLife) replaceCampaignBill(c echo.Context) error {
	a, svc, err := l.lifeService(c)
	if err != nil {
		return err
	}
	camp, b, err := l.campaignBillFromPath(c)
	if err != nil {
		return err
	}
	in := billInputOf(c)
	err = svc.ReplaceBill(c.Request().Context(), camp.Slug, b.ID, in, a.user.ID)
	if fields := fieldsOf(err); fields != nil {
		f := l.replaceForm(camp.Slug, b)
		f.Values, f.Errors = formValues(c, billFormFields...), stanceErrors(fields)
		m := l.ws.frame(c, "Error: replace "+b.Label(), orgCampaignURL(camp.Slug, "edit"), camp.Slug)
		return l.view.render(c, http.StatusUnprocessableEntity, templates.ReplaceBillPage(m, l.replaceBillView(camp, b, f)), nil)
	}
	if err != nil {
		return err
	}
	l.copies.forget()
	return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(camp.Slug, "edit"), "replaced")+"#bills")
}

// lifeView builds the editor's status panel.
func (l *campaignLife) lifeView(ctx context.Context, camp advocacy.Campaign, tps int, ownTemplates bool) templates.CampaignLifeView {
	now := l.clock()
	v := templates.CampaignLifeView{Slug: camp.Slug, Status: string(camp.Status), Label: camp.Status.Label(),
		PublicURL: campaignURL(camp.Slug), PreviewURL: orgCampaignURL(camp.Slug, "preview"),
		NoLiveBill: len(camp.LiveBills(now)) == 0}
	if !camp.EndsOn.IsZero() && camp.Status == advocacy.CampaignClosed {
		v.Closed = longDate(camp.EndsOn)
	}
	if featured, err := l.campaigns.Featured(ctx); err != nil {
		l.logger.ErrorContext(ctx, "read featured campaign", "err", err)
	} else {
		v.Featured = featured == camp.Slug
		v.CanFeature = camp.Running() && !v.Featured
	}
	edit := orgCampaignURL(camp.Slug, "edit")
	v.Checklist = []templates.CheckItem{
		{Done: camp.Title != "" && camp.Ask != "", Text: "Title and ask", Href: edit + "#campaign-text"},
		{Done: !v.NoLiveBill, Text: "A bill that can take letters, with its position and target", Href: edit + "#bills"},
		{Done: tps > 0, Text: "Talking points (" + strconv.Itoa(tps) + " so far)", Href: edit + "#talking-points"},
		{Done: ownTemplates, Text: "Letters written for this campaign (otherwise the default letters are used)", Href: edit + "#letter-templates"},
		{Done: camp.Sponsor.Name != "", Text: "The organisation that runs it (sponsor)", Href: edit + "#campaign-text"},
	}
	return v
}
