package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// Content editing. Every section of the editor is its own region: "Edit"
// links open its form (htmx swaps the region; without JavaScript the link
// opens the editor with that form open), and the form posts back. Invalid
// input re-renders the form with its messages and 422; a saved change
// answers htmx with the region in display mode, and a plain form with a 303
// back to the editor.

// editor is the campaign content editor of the workspace: a campaign's
// text, its bills and cosponsors, its talking points and its letter
// templates. It is mounted when the content editor and the campaigns are
// wired.
type editor struct {
	// view renders pages; read renders Markdown; copies are forgotten
	// after each change.
	view      *renderer
	read      *campaignReader
	copies    publicCopies
	ws        *workspace
	store     ContentEditor
	campaigns CampaignStore
	// members knows each member's chamber, for cosponsors; nil knows none.
	members MemberDirectory
	clock   func() time.Time
	// life, when mounted, adds the campaign's status panel, the form that
	// adds a bill and the link that replaces one.
	life *campaignLife
	// forgetTemplates drops the letter templates the letter desk keeps.
	forgetTemplates func()
}

// newEditor builds the editor, or nil without the content editor or the
// campaigns.
func newEditor(s *Server, ws *workspace) *editor {
	if s.deps.Organizer.Editor == nil || s.deps.Campaigns == nil {
		return nil
	}
	return &editor{view: s.view, read: s.read, copies: s.copies, ws: ws, store: s.deps.Organizer.Editor, campaigns: s.deps.Campaigns, members: s.deps.Members,
		clock: s.deps.Clock, forgetTemplates: s.desk.forgetTemplates}
}

// routes mounts the editor's page, its sections' forms and the Markdown
// preview on the workspace.
func (ed *editor) routes(org *echo.Group) {
	org.GET("/campaigns/:slug/edit", ed.editPage)
	org.GET("/campaigns/:slug/edit/text", ed.editText)
	org.POST("/campaigns/:slug/edit/text", ed.editText)
	org.GET("/campaigns/:slug/edit/bills/:bill", ed.editBill)
	org.POST("/campaigns/:slug/edit/bills/:bill", ed.editBill)
	org.POST("/campaigns/:slug/edit/bills/:bill/cosponsors", ed.saveCosponsor)
	org.POST("/campaigns/:slug/edit/bills/:bill/cosponsors/:bioguide/withdraw", ed.withdrawCosponsor)
	org.POST("/campaigns/:slug/edit/bills/:bill/import", ed.importCosponsors)
	org.POST("/campaigns/:slug/edit/talking-points", ed.editPoint)
	org.GET("/campaigns/:slug/edit/talking-points/:id", ed.editPoint)
	org.POST("/campaigns/:slug/edit/talking-points/:id", ed.editPoint)
	org.POST("/campaigns/:slug/edit/talking-points/:id/delete", ed.deletePoint)
	org.POST("/campaigns/:slug/edit/templates/:kind", ed.editTemplate)
	org.POST("/preview", ed.previewMarkdown)
}

// chamberOf gives a known member's chamber, for cosponsor checks.
func (ed *editor) chamberOf(id string) (advocacy.Chamber, bool) {
	if ed.members == nil {
		return "", false
	}
	m, ok := ed.members.Member(id)
	return m.Chamber, ok
}

// editorSection names the region a request is about.
type editorSection struct {
	text     *templates.CampaignTextForm
	bill     *templates.BillEditForm
	point    *templates.TalkingPointForm
	template *templates.TemplateForm
	// addBill is the add-a-bill form with its errors; lifeError a refused
	// change of status.
	addBill   *templates.AddBillForm
	lifeError string
}

// editView builds the editor with every section in display mode.
func (ed *editor) editView(c echo.Context, camp advocacy.Campaign) (templates.EditView, error) {
	ctx := c.Request().Context()
	v := templates.EditView{Slug: camp.Slug, Title: camp.Title, Text: campaignTextForm(camp.Slug, advocacy.TextOf(camp))}
	v.Text.Status = camp.Status.Label()
	for _, b := range camp.Bills {
		v.Bills = append(v.Bills, ed.campaignBillForm(camp, b))
	}
	if len(camp.Bills) < advocacy.CampaignMaxBills && ed.life != nil {
		v.AddBill = &templates.AddBillForm{Slug: camp.Slug, Values: map[string]string{"stance": "support"},
			Congress: advocacy.CongressAt(ed.clock()).Number}
	}
	tps, err := ed.campaigns.TalkingPoints(ctx, camp.ID)
	if err != nil {
		return v, err
	}
	for _, tp := range tps {
		v.TalkingPoints = append(v.TalkingPoints, ed.pointForm(camp.Slug, tp))
	}
	v.NewPoint = templates.TalkingPointForm{Slug: camp.Slug, Editing: true, Audience: string(advocacy.AudienceConstituents)}
	tpls, err := ed.store.LetterTemplates(ctx, camp.ID)
	if err != nil {
		return v, err
	}
	own := false
	for _, k := range advocacy.TemplateKindsOf(camp) {
		v.Templates = append(v.Templates, templateForm(camp, tpls[k]))
		own = own || tpls[k] != advocacy.DefaultLetterTemplates()[k]
	}
	if ed.life != nil {
		v.Life = ed.life.lifeView(ctx, camp, len(tps), own)
	}
	return v, nil
}

// campaignBillForm is billForm with what the campaign wants of the bill:
// its position (fixed once the campaign has been public), whether it died
// with its Congress, and the bills it replaced.
func (ed *editor) campaignBillForm(camp advocacy.Campaign, b advocacy.Bill) templates.BillEditForm {
	f := ed.billForm(camp.Slug, b)
	f.Stance = stanceOf(b.Position.OrSupport(), b.Goal)
	f.StanceLabel = stanceLabel(f.Stance)
	f.PositionLocked = camp.Status != advocacy.CampaignDraft
	if b.Expired(ed.clock()) {
		f.Died = b.Label() + " died when the " + b.Term().Ordinal() + " Congress ended on " + longDate(b.Term().EndDate()) +
			". When it is introduced again in the new Congress, replace it with the new bill: the campaign's asks, letters and progress move to it."
	}
	if ed.life != nil {
		f.ReplaceURL = orgCampaignURL(camp.Slug, "edit", "bills", b.ID, "replace")
	}
	for _, prev := range camp.Predecessors(b) {
		f.Past = append(f.Past, prev.LabelWithCongress()+": "+finalCount(prev))
	}
	return f
}

func formDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(advocacy.DateLayout)
}

func campaignTextForm(slug string, t advocacy.CampaignText) templates.CampaignTextForm {
	return templates.CampaignTextForm{Slug: slug, Title: t.Title, Summary: t.Summary, Ask: t.Ask,
		Why: strings.Join(t.Why, "\n"), StartsOn: formDate(t.StartsOn), EndsOn: formDate(t.EndsOn),
		SponsorName: t.Sponsor.Name, SponsorURL: t.Sponsor.URL, SponsorEmail: t.Sponsor.Email,
		SponsorAbout: t.Sponsor.About, PaidForBy: t.Sponsor.PaidForBy}
}

func (ed *editor) billForm(slug string, b advocacy.Bill) templates.BillEditForm {
	f := templates.BillEditForm{Slug: slug, BillID: b.ID, Label: b.Label(), Chamber: chamberWordCap(b.Chamber),
		Title: b.Title, Status: b.Status, Committees: b.Committees, Target: strconv.Itoa(b.Target),
		IntroducedOn: formDate(b.IntroducedOn)}
	if !b.CosponsorsAsOf.IsZero() {
		f.AsOf = longDate(b.CosponsorsAsOf)
	}
	f.Cosponsors = ed.cosponsorsRegion(slug, b)
	return f
}

func chamberWordCap(c advocacy.Chamber) string {
	if c == advocacy.Senate {
		return "Senate"
	}
	return "House"
}

func (ed *editor) cosponsorsRegion(slug string, b advocacy.Bill) templates.CosponsorsRegion {
	r := templates.CosponsorsRegion{Slug: slug, BillID: b.ID, Label: b.Label()}
	for _, cs := range b.Cosponsors {
		r.Rows = append(r.Rows, templates.CosponsorEditRow{Member: orgMember(ed.members, cs.BioguideID), Joined: formDate(cs.JoinedOn),
			Original: cs.Original, Withdrawn: formDate(cs.WithdrawnOn)})
	}
	return r
}

func (ed *editor) pointForm(slug string, tp advocacy.TalkingPoint) templates.TalkingPointForm {
	return templates.TalkingPointForm{Slug: slug, ID: tp.ID, Audience: string(tp.Audience), Title: tp.Title, BodyMD: tp.BodyMD,
		Sources: advocacy.FormatSources(tp.Sources), Objection: tp.Objection, PreviewHTML: ed.previewHTML(tp.BodyMD)}
}

// previewHTML renders Markdown through the same sanitising renderer as the
// public talking points page; a failure shows as no preview.
func (ed *editor) previewHTML(md string) string {
	html, err := ed.read.markdown().Render(md)
	if err != nil {
		return ""
	}
	return html
}

// sampleFields fill a template preview.
func sampleFields(camp advocacy.Campaign) advocacy.MergeFields {
	bill := "H.R. 1"
	if len(camp.Bills) > 0 {
		bill = camp.Bills[0].Label()
	}
	return advocacy.MergeFields{MemberTitle: "Representative", MemberName: "Jordan Example", MemberLastName: "Example", Bill: bill,
		ConstituentName: "Alex Sample", ConstituentCity: "Springfield"}
}

func templateForm(camp advocacy.Campaign, t advocacy.LetterTemplate) templates.TemplateForm {
	f := templates.TemplateForm{Slug: camp.Slug, Kind: string(t.Kind), Label: t.Kind.Label(), Subject: t.Subject, Body: t.Body,
		Default: t == advocacy.DefaultLetterTemplates()[t.Kind], Fields: "{{" + strings.Join(advocacy.MergeFieldNames(), "}}, {{") + "}}"}
	f.PreviewSubject, f.PreviewBody = t.Render(sampleFields(camp))
	return f
}

// renderEditor answers with the whole editor (sec's region in the state
// given) or, for htmx, with that region alone.
func (ed *editor) renderEditor(c echo.Context, status int, camp advocacy.Campaign, sec editorSection) error {
	v, err := ed.editView(c, camp)
	if err != nil {
		return err
	}
	var fragment templ.Component
	switch {
	case sec.text != nil:
		v.Text = *sec.text
		fragment = templates.CampaignTextRegion(v.Text)
	case sec.addBill != nil:
		v.AddBill = sec.addBill
		fragment = templates.AddBillRegion(*sec.addBill)
	case sec.lifeError != "":
		v.Life.Error = sec.lifeError
		fragment = templates.CampaignLifeRegion(v.Life)
	case sec.bill != nil:
		for i := range v.Bills {
			if v.Bills[i].BillID == sec.bill.BillID {
				v.Bills[i] = *sec.bill
			}
		}
		fragment = templates.BillRegion(*sec.bill)
	case sec.point != nil:
		if sec.point.ID == 0 {
			v.NewPoint = *sec.point
		}
		for i := range v.TalkingPoints {
			if v.TalkingPoints[i].ID == sec.point.ID {
				v.TalkingPoints[i] = *sec.point
			}
		}
		fragment = templates.TalkingPointRegion(*sec.point)
	case sec.template != nil:
		for i := range v.Templates {
			if v.Templates[i].Kind == sec.template.Kind {
				v.Templates[i] = *sec.template
			}
		}
		fragment = templates.TemplateRegion(*sec.template)
	}
	m := ed.ws.frame(c, camp.Title+": edit", orgCampaignURL(camp.Slug, "edit"), camp.Slug)
	page := templates.EditPage(m, v)
	if fragment == nil {
		fragment = page
	}
	return ed.view.render(c, status, page, fragment)
}

// editCampaign loads the campaign for an editing request.
func (ed *editor) editCampaign(c echo.Context) (orgAuth, advocacy.Campaign, error) {
	a, err := need(c, advocacy.PermEditContent)
	if err != nil {
		return a, advocacy.Campaign{}, err
	}
	camp, err := orgCampaign(c, ed.campaigns)
	return a, camp, err
}

// saved answers a successful change.
func (ed *editor) saved(c echo.Context, slug, anchor, code string, sec editorSection) error {
	if isFragment(c) {
		camp, err := orgCampaign(c, ed.campaigns)
		if err != nil {
			return err
		}
		return ed.renderEditor(c, http.StatusOK, camp, sec)
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(slug, "edit"), code)+"#"+anchor)
}

// fieldsOf returns an invalid-input error's field messages, or nil when err
// is something else.
func fieldsOf(err error) map[string]string {
	var de *advocacy.Error
	if errors.As(err, &de) && de.Code == advocacy.CodeInvalid {
		if len(de.Fields) == 0 {
			return map[string]string{"form": de.Message}
		}
		return de.Fields
	}
	return nil
}

// editPage shows the editor.
func (ed *editor) editPage(c echo.Context) error {
	_, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	return ed.renderEditor(c, http.StatusOK, camp, editorSection{})
}

// editText opens the campaign text form (GET) or saves it (POST).
func (ed *editor) editText(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	if c.Request().Method == http.MethodGet {
		f := campaignTextForm(camp.Slug, advocacy.TextOf(camp))
		f.Editing = true
		return ed.renderEditor(c, http.StatusOK, camp, editorSection{text: &f})
	}
	in := advocacy.CampaignText{Title: c.FormValue("title"), Summary: c.FormValue("summary"), Ask: c.FormValue("ask"),
		Why: advocacy.SplitLines(c.FormValue("why")), Sponsor: advocacy.Sponsor{Name: c.FormValue("sponsor_name"),
			URL: c.FormValue("sponsor_url"), Email: c.FormValue("sponsor_email"), About: c.FormValue("sponsor_about"),
			PaidForBy: c.FormValue("paid_for_by")}}
	t, err := advocacy.ValidateCampaignText(in, c.FormValue("starts_on"), c.FormValue("ends_on"))
	if fields := fieldsOf(err); fields != nil {
		f := campaignTextForm(camp.Slug, t)
		f.Why, f.StartsOn, f.EndsOn = c.FormValue("why"), c.FormValue("starts_on"), c.FormValue("ends_on")
		f.Editing, f.Errors = true, fields
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{text: &f})
	}
	if err != nil {
		return err
	}
	if err := ed.store.UpdateText(c.Request().Context(), camp.Slug, t, a.user.ID); err != nil {
		return err
	}
	// Every page's footer names the sponsor: no copy keeps the old one.
	ed.copies.forget()
	f := campaignTextForm(camp.Slug, t)
	f.Saved = true
	return ed.saved(c, camp.Slug, "campaign-text", "saved", editorSection{text: &f})
}

// findBill returns the campaign's bill of the :bill parameter.
func findBill(c echo.Context, camp advocacy.Campaign) (advocacy.Bill, error) {
	for _, b := range camp.Bills {
		if b.ID == c.Param("bill") {
			return b, nil
		}
	}
	return advocacy.Bill{}, advocacy.NotFound("The campaign has no such bill.")
}

// editBill opens a bill's form (GET) or saves it (POST).
func (ed *editor) editBill(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	b, err := findBill(c, camp)
	if err != nil {
		return err
	}
	f := ed.campaignBillForm(camp, b)
	if c.Request().Method == http.MethodGet {
		f.Editing = true
		return ed.renderEditor(c, http.StatusOK, camp, editorSection{bill: &f})
	}
	stance := c.FormValue("stance")
	if stance == "" {
		stance = f.Stance
	}
	position, goal := positionOfStance(stance)
	e, err := advocacy.ValidateBillEdit(advocacy.BillEdit{Title: c.FormValue("title"), Status: c.FormValue("status"),
		Committees: c.FormValue("committees"), Position: advocacy.Position(position), Goal: advocacy.Goal(goal)},
		c.FormValue("target"), c.FormValue("introduced_on"))
	if err == nil {
		err = ed.store.UpdateBill(c.Request().Context(), camp.Slug, b.ID, e, a.user.ID)
	}
	if fields := fieldsOf(err); fields != nil {
		f.Title, f.Status, f.Committees = c.FormValue("title"), c.FormValue("status"), c.FormValue("committees")
		f.Target, f.IntroducedOn = c.FormValue("target"), c.FormValue("introduced_on")
		if !f.PositionLocked {
			f.Stance = stance
		}
		f.Editing, f.Errors = true, stanceErrors(fields)
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{bill: &f})
	}
	if err != nil {
		return err
	}
	return ed.afterBillChange(c, camp.Slug, b.ID, "saved", "")
}

// afterBillChange answers a saved change to a bill or its cosponsors with
// the bill's region re-read from the store.
func (ed *editor) afterBillChange(c echo.Context, slug, billID, code, message string) error {
	if !isFragment(c) {
		return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(slug, "edit"), code)+"#bill-"+billID)
	}
	camp, err := orgCampaign(c, ed.campaigns)
	if err != nil {
		return err
	}
	for _, b := range camp.Bills {
		if b.ID == billID {
			f := ed.campaignBillForm(camp, b)
			f.Saved = true
			f.Cosponsors.Message = message
			return ed.renderEditor(c, http.StatusOK, camp, editorSection{bill: &f})
		}
	}
	return advocacy.NotFound("The campaign has no such bill.")
}

// saveCosponsor adds a cosponsor by hand or corrects one.
func (ed *editor) saveCosponsor(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	b, err := findBill(c, camp)
	if err != nil {
		return err
	}
	original := c.FormValue("original") != ""
	cs, err := advocacy.ValidateCosponsor(b, c.FormValue("bioguide"), c.FormValue("joined_on"), c.FormValue("withdrawn_on"), original, ed.chamberOf)
	if fields := fieldsOf(err); fields != nil {
		f := ed.campaignBillForm(camp, b)
		f.Cosponsors.Form = templates.CosponsorForm{Bioguide: c.FormValue("bioguide"), JoinedOn: c.FormValue("joined_on"),
			WithdrawnOn: c.FormValue("withdrawn_on"), Original: original, Errors: fields}
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{bill: &f})
	}
	if err != nil {
		return err
	}
	added, err := ed.store.SaveCosponsor(c.Request().Context(), camp.Slug, b.ID, cs, a.user.ID)
	if err != nil {
		return err
	}
	msg := orgMember(ed.members, cs.BioguideID).Label() + " was corrected."
	if added {
		msg = orgMember(ed.members, cs.BioguideID).Label() + " was added."
	}
	return ed.afterBillChange(c, camp.Slug, b.ID, "saved", msg)
}

// withdrawCosponsor records a withdrawal on the date given.
func (ed *editor) withdrawCosponsor(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	b, err := findBill(c, camp)
	if err != nil {
		return err
	}
	id := c.Param("bioguide")
	on, derr := advocacy.ParseFormDate(c.FormValue("withdrawn_on"))
	if derr == nil {
		err = ed.store.WithdrawCosponsor(c.Request().Context(), camp.Slug, b.ID, id, on, a.user.ID)
	} else {
		err = advocacy.Invalid("withdrawn_on", "Enter the day they withdrew, like 2026-01-31.")
	}
	if fields := fieldsOf(err); fields != nil {
		f := ed.campaignBillForm(camp, b)
		f.Cosponsors.WithdrawErrors = map[string]string{id: fields["withdrawn_on"]}
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{bill: &f})
	}
	if err != nil {
		return err
	}
	return ed.afterBillChange(c, camp.Slug, b.ID, "withdrawn", orgMember(ed.members, id).Label()+" withdrew on "+longDate(on)+".")
}

// importCosponsors reads an uploaded Congress.gov cosponsor file and makes
// the bill's list match it, like `whipcount cosponsors import`.
func (ed *editor) importCosponsors(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	b, err := findBill(c, camp)
	if err != nil {
		return err
	}
	invalid := func(msg string) error {
		f := ed.campaignBillForm(camp, b)
		f.Cosponsors.Import.Error = msg
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{bill: &f})
	}
	form, err := c.MultipartForm()
	if err != nil || len(form.File["file"]) == 0 {
		return invalid("Choose the cosponsor file (JSON from the Congress.gov API) to upload.")
	}
	// A list longer than one page of the API comes as several files, one
	// per page; they are read together as one list.
	var pages []io.Reader
	for _, fh := range form.File["file"] {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		pages = append(pages, f)
	}
	parsed, err := advocacy.ParseCosponsorFiles(pages...)
	if fields := fieldsOf(err); fields != nil {
		return invalid(firstMessage(fields))
	}
	if err != nil {
		return err
	}
	res, err := ed.store.ImportCosponsors(c.Request().Context(), camp.Slug, b.ID, parsed, ed.chamberOf, ed.clock(), a.user.ID)
	if fields := fieldsOf(err); fields != nil {
		return invalid(firstMessage(fields))
	}
	if err != nil {
		return err
	}
	msg := "Imported " + pluralN(res.InFile, "cosponsor", "cosponsors") + ": " + strconv.Itoa(res.Added) + " added, " +
		strconv.Itoa(res.Changed) + " corrected, " + strconv.Itoa(res.Withdrawn) + " withdrawn, " + strconv.Itoa(res.Removed) + " removed."
	if res.NoChange() {
		msg = "The list matches the file (" + pluralN(res.InFile, "cosponsor", "cosponsors") + "); it is now confirmed as of today."
	}
	return ed.afterBillChange(c, camp.Slug, b.ID, "imported", msg)
}

func firstMessage(fields map[string]string) string {
	for _, k := range []string{"file", "bill", "form"} {
		if m, ok := fields[k]; ok {
			return m
		}
	}
	for _, m := range fields {
		return m
	}
	return ""
}

// editPoint opens a talking point's form (GET) or saves it (POST); id 0 is
// a new one. The "Preview" button re-renders the form with the rendered
// Markdown, without saving: the live preview for browsers without
// JavaScript.
func (ed *editor) editPoint(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	var id int64
	if c.Param("id") != "" {
		if id, err = orgParamID(c, "id"); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	if c.Request().Method == http.MethodGet {
		tp, err := ed.store.TalkingPoint(ctx, camp.Slug, id)
		if err != nil {
			return err
		}
		f := ed.pointForm(camp.Slug, tp)
		f.Editing = c.QueryParam("cancel") == ""
		return ed.renderEditor(c, http.StatusOK, camp, editorSection{point: &f})
	}
	in := advocacy.TalkingPoint{ID: id, Audience: advocacy.Audience(c.FormValue("audience")), Title: c.FormValue("title"),
		BodyMD: c.FormValue("body_md"), Objection: c.FormValue("objection") != ""}
	tp, err := advocacy.ValidateTalkingPoint(in, c.FormValue("sources"))
	form := func(errs map[string]string) templates.TalkingPointForm {
		f := ed.pointForm(camp.Slug, tp)
		f.Title, f.BodyMD, f.Sources, f.Audience = in.Title, in.BodyMD, c.FormValue("sources"), string(in.Audience)
		f.PreviewHTML = ed.previewHTML(in.BodyMD)
		f.Editing, f.Errors = true, errs
		return f
	}
	if c.FormValue("action") == "preview" {
		f := form(fieldsOf(err))
		return ed.renderEditor(c, http.StatusOK, camp, editorSection{point: &f})
	}
	if fields := fieldsOf(err); fields != nil {
		f := form(fields)
		return ed.renderEditor(c, http.StatusUnprocessableEntity, camp, editorSection{point: &f})
	}
	if err != nil {
		return err
	}
	saved, err := ed.store.SaveTalkingPoint(ctx, camp.Slug, tp, a.user.ID)
	if err != nil {
		return err
	}
	if id == 0 {
		// A new point joins the list: the whole editor is the region.
		if isFragment(c) {
			c.Response().Header().Set("HX-Redirect", orgWithDone(orgCampaignURL(camp.Slug, "edit"), "saved")+"#tp-"+strconv.FormatInt(saved.ID, 10))
			return c.NoContent(http.StatusNoContent)
		}
		return c.Redirect(http.StatusSeeOther, orgWithDone(orgCampaignURL(camp.Slug, "edit"), "saved")+"#tp-"+strconv.FormatInt(saved.ID, 10))
	}
	f := ed.pointForm(camp.Slug, saved)
	f.Saved = true
	return ed.saved(c, camp.Slug, f.DomID(), "saved", editorSection{point: &f})
}

// deletePoint removes a talking point.
func (ed *editor) deletePoint(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	id, err := orgParamID(c, "id")
	if err != nil {
		return err
	}
	if err := ed.store.DeleteTalkingPoint(c.Request().Context(), camp.Slug, id, a.user.ID); err != nil {
		return err
	}
	return orgSeeOther(c, orgWithDone(orgCampaignURL(camp.Slug, "edit"), "deleted")+"#talking-points")
}

// previewMarkdown renders a talking point's Markdown for the live preview.
func (ed *editor) previewMarkdown(c echo.Context) error {
	if _, err := need(c, advocacy.PermEditContent); err != nil {
		return err
	}
	return ed.view.render(c, http.StatusOK, templates.MarkdownPreview(ed.previewHTML(c.FormValue("body_md"))), nil)
}

// editTemplate saves a letter template, or with action=preview shows it
// filled with sample values without saving.
func (ed *editor) editTemplate(c echo.Context) error {
	a, camp, err := ed.editCampaign(c)
	if err != nil {
		return err
	}
	kind := advocacy.TemplateKind(c.Param("kind"))
	if !kind.Valid() {
		return echo.ErrNotFound
	}
	t, err := advocacy.ValidateLetterTemplate(advocacy.LetterTemplate{Kind: kind, Subject: c.FormValue("subject"), Body: c.FormValue("body")})
	f := templateForm(camp, t)
	f.Subject, f.Body = c.FormValue("subject"), c.FormValue("body")
	if fields := fieldsOf(err); fields != nil {
		f.Errors = fields
		status := http.StatusUnprocessableEntity
		if c.FormValue("action") == "preview" {
			status = http.StatusOK
		}
		return ed.renderEditor(c, status, camp, editorSection{template: &f})
	}
	if err != nil {
		return err
	}
	if c.FormValue("action") == "preview" {
		return ed.renderEditor(c, http.StatusOK, camp, editorSection{template: &f})
	}
	if err := ed.store.SaveLetterTemplate(c.Request().Context(), camp.Slug, t, a.user.ID); err != nil {
		return err
	}
	// The next letter is written with the saved text.
	ed.forgetTemplates()
	f = templateForm(camp, t)
	f.Saved = true
	return ed.saved(c, camp.Slug, "template-"+string(kind), "saved", editorSection{template: &f})
}
