package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/letters"
	"github.com/whipcount/whipcount/templates"
)

// letterRequest is a submitted letter with its campaign and the district
// settled again on the server.
type letterRequest struct {
	in     advocacy.LetterInput
	camp   advocacy.Campaign
	settle settlement
	recips []recipient
	// viaForm is set for letters from a web form, which carry the form's
	// start time; API clients are programs and are only rate-limited.
	viaForm bool
}

// formBool reads a checkbox: ticked when it sent "true" (or "on", what a
// checkbox without a value sends).
func formBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "1", "yes":
		return true
	}
	return false
}

// letterInputFromForm reads the letter form's fields.
func letterInputFromForm(f url.Values) advocacy.LetterInput {
	return advocacy.LetterInput{
		Campaign:        f.Get("campaign"),
		Recipients:      f["recipients"],
		Prefix:          f.Get("prefix"),
		FirstName:       f.Get("first_name"),
		LastName:        f.Get("last_name"),
		Address1:        f.Get("address1"),
		Address2:        f.Get("address2"),
		City:            f.Get("city"),
		State:           f.Get("state"),
		Zip:             f.Get("zip"),
		Email:           f.Get("email"),
		Phone:           f.Get("phone"),
		Title:           f.Get("title"),
		Organization:    f.Get("organization"),
		PersonalMessage: f.Get("personal_message"),
		Consent:         formBool(f.Get("consent")),
		Receipt:         formBool(f.Get("receipt")),
		Newsletter:      formBool(f.Get("newsletter")),
		CampaignUpdates: formBool(f.Get("campaign_updates")),
		Ref:             f.Get("ref"),
		FormToken:       f.Get("form_token"),
		Letters:         letterEditsFromForm(f),
	}
}

// letterEditsFromForm reads the constituent's wording of each recipient's
// letter: subject-ID and body-ID fields, in a stable order. Malformed IDs
// are ignored; ValidateLetter drops wordings for anyone else.
func letterEditsFromForm(f url.Values) []advocacy.LetterEdit {
	var ids []string
	for k := range f {
		id, ok := strings.CutPrefix(k, "body-")
		if !ok {
			id, ok = strings.CutPrefix(k, "subject-")
		}
		if ok && bioguideRe.MatchString(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > advocacy.LetterMaxRecipients {
		ids = ids[:advocacy.LetterMaxRecipients]
	}
	var out []advocacy.LetterEdit
	for _, id := range ids {
		if id == f.Get("reset") {
			// "Use the campaign's wording again".
			continue
		}
		out = append(out, advocacy.LetterEdit{Recipient: id, Subject: f.Get(advocacy.SubjectField(id)), Body: f.Get(advocacy.BodyField(id))})
	}
	return out
}

// readLetterForm parses a posted letter form, loads its campaign and
// settles its district again.
func (ld *letterDesk) readLetterForm(c echo.Context) (letterRequest, error) {
	f, err := c.FormParams()
	if err != nil {
		return letterRequest{}, advocacy.Invalid("form", "We could not read the form. Please try again.")
	}
	in := letterInputFromForm(f)
	camp, err := ld.letterCampaign(c.Request().Context(), strings.TrimSpace(in.Campaign))
	if err != nil {
		return letterRequest{}, err
	}
	in.Campaign = camp.Slug
	if f.Get("website") != "" {
		// The honeypot: no person sees that field.
		return letterRequest{}, advocacy.Invalid("form", "We could not accept this form. Please reload the page and write your letter again.")
	}
	st, err := ld.settle(settleQuery{zip: f.Get("lookup_zip"), district: f.Get("district"), lat: f.Get("lat"), lon: f.Get("lon"),
		started: f.Get("started")})
	if err != nil {
		if errors.As(err, new(errNotSettled)) {
			return letterRequest{}, advocacy.Invalid("district", "Choose your district on the lookup page first.")
		}
		return letterRequest{}, err
	}
	return letterRequest{in: in, camp: camp, settle: st, recips: recipientsFor(camp, st.District, ld.clock()), viaForm: true}, nil
}

// validate checks the letter against the settled district, and each
// chosen recipient's subject and text as they will be sent; it keeps the
// normalised input in r and returns the field errors, if any.
func (ld *letterDesk) validate(ctx context.Context, r *letterRequest) (map[string]string, error) {
	out, err := advocacy.ValidateLetter(r.in, r.settle.Settlement)
	var de *advocacy.Error
	if errors.As(err, &de) {
		return de.Fields, nil
	}
	tpls, err := ld.letterTemplates(ctx, r.camp)
	if err != nil {
		return nil, err
	}
	r.in = out
	r.in.Letters = plainEdits(tpls, r.recips, r.in)
	if !ld.receipts {
		// No copy can be emailed: none is promised or recorded.
		r.in.Receipt = false
	}
	errs := map[string]string{}
	for _, id := range r.in.Recipients {
		i := slices.IndexFunc(r.recips, func(rc recipient) bool { return rc.member.BioguideID == id })
		if i < 0 {
			continue
		}
		subject, body := recipientLetter(tpls, r.recips[i], r.in)
		sm, bm := advocacy.CheckLetterText(subject, body)
		if sm != "" {
			errs[advocacy.SubjectField(id)] = sm
		}
		if bm != "" {
			errs[advocacy.BodyField(id)] = bm
		}
	}
	if len(errs) > 0 {
		return errs, nil
	}
	return nil, nil
}

// recipientLetter is the subject and text of rc's letter as it will be
// sent: the constituent's wording when they changed it, else the
// campaign's letter for rc's stance.
func recipientLetter(tpls map[advocacy.TemplateKind]advocacy.LetterTemplate, rc recipient, in advocacy.LetterInput) (subject, body string) {
	f := advocacy.MergeFieldsFor(rc.member, rc.bill.Label(), in)
	if e, ok := in.Edit(rc.member.BioguideID); ok {
		return advocacy.FillTokens(e.Subject, f), advocacy.FillTokens(e.Body, f)
	}
	return tpls[rc.kind].Render(f)
}

// editableLetter is rc's letter as the form offers it for editing, with
// the constituent's details as tokens.
func editableLetter(tpls map[advocacy.TemplateKind]advocacy.LetterTemplate, rc recipient) (subject, body string) {
	return tpls[rc.kind].Render(advocacy.MergeFieldsFor(rc.member, rc.bill.Label(), advocacy.LetterInput{}).ForEditing())
}

// plainEdits drops the wordings that are just the campaign's letter
// unchanged: those recipients get the campaign's letter, rendered afresh.
func plainEdits(tpls map[advocacy.TemplateKind]advocacy.LetterTemplate, recips []recipient, in advocacy.LetterInput) []advocacy.LetterEdit {
	var out []advocacy.LetterEdit
	for _, e := range in.Letters {
		i := slices.IndexFunc(recips, func(rc recipient) bool { return rc.member.BioguideID == e.Recipient })
		if i >= 0 {
			subject, body := editableLetter(tpls, recips[i])
			if strings.TrimSpace(e.Subject) == strings.TrimSpace(subject) && strings.TrimSpace(e.Body) == strings.TrimSpace(body) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// ownWords counts the constituent's own words: their paragraph, and the
// most they added to the campaign's text of any one letter.
func ownWords(tpls map[advocacy.TemplateKind]advocacy.LetterTemplate, recips []recipient, in advocacy.LetterInput) int {
	added := 0
	for _, e := range in.Letters {
		i := slices.IndexFunc(recips, func(rc recipient) bool { return rc.member.BioguideID == e.Recipient })
		if i < 0 {
			continue
		}
		subject, body := editableLetter(tpls, recips[i])
		added = max(added, advocacy.AddedWords(subject+"\n"+body, e.Subject+"\n"+e.Body))
	}
	return len(strings.Fields(in.PersonalMessage)) + added
}

// writePage serves GET /write: the letter form for a settled district.
func (ld *letterDesk) writePage(c echo.Context) error {
	noStore(c)
	ctx := c.Request().Context()
	camp, err := ld.letterCampaign(ctx, c.QueryParam("campaign"))
	if err != nil {
		return err
	}
	q := settleQuery{zip: c.QueryParam("zip"), district: c.QueryParam("district"), lat: c.QueryParam("lat"), lon: c.QueryParam("lon")}
	st, err := ld.settle(q)
	var ns errNotSettled
	if errors.As(err, &ns) {
		// A split ZIP: the person picks their district on the lookup first.
		return c.Redirect(http.StatusSeeOther, "/reps?zip="+url.QueryEscape(ns.zip))
	}
	if err != nil {
		return err
	}
	token, err := advocacy.NewLetterToken(ld.rand)
	if err != nil {
		return err
	}
	r := letterRequest{camp: camp, settle: st, recips: recipientsFor(camp, st.District, ld.clock())}
	r.in = advocacy.LetterInput{
		Campaign: camp.Slug, State: st.District.State, Zip: st.query.zip, City: st.city,
		Ref: cleanRef(c.QueryParam("ref")), FormToken: token,
	}
	for _, rc := range r.recips {
		r.in.Recipients = append(r.in.Recipients, rc.member.BioguideID)
	}
	v, err := ld.composeView(ctx, r, nil)
	if err != nil {
		return err
	}
	m := ld.view.meta(c, "Write to your members", "/write")
	return ld.view.render(c, http.StatusOK, templates.ComposePage(m, v), titled(m, templates.ComposeFlow(v)))
}

// editLetter serves POST /write: the form again with what was sent ("Edit"
// on the preview).
func (ld *letterDesk) editLetter(c echo.Context) error {
	noStore(c)
	r, err := ld.readLetterForm(c)
	if err != nil {
		return err
	}
	return ld.renderCompose(c, http.StatusOK, r, nil)
}

// renderCompose renders the form with r's values and errs.
func (ld *letterDesk) renderCompose(c echo.Context, status int, r letterRequest, errs map[string]string) error {
	v, err := ld.composeView(c.Request().Context(), r, errs)
	if err != nil {
		return err
	}
	title := "Write to your members"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	m := ld.view.meta(c, title, "/write")
	return ld.view.render(c, status, templates.ComposePage(m, v), titled(m, templates.ComposeFlow(v)))
}

// composeView builds the letter form.
func (ld *letterDesk) composeView(ctx context.Context, r letterRequest, errs map[string]string) (templates.ComposeView, error) {
	tpls, err := ld.letterTemplates(ctx, r.camp)
	if err != nil {
		return templates.ComposeView{}, err
	}
	d := r.settle.District
	v := templates.ComposeView{
		CampaignTitle: r.camp.Title,
		Ask:           r.camp.Ask,
		DistrictLabel: templates.DistrictLabel(d),
		Settle:        ld.stamps.withStamp(r.settle.query.fields()),
		Input:         r.in,
		Errors:        errs,
		Prefixes:      advocacy.Prefixes(),
		Ended:         d.EndedTerms,
	}
	if r.settle.query.zip != "" {
		v.ChangeURL = "/reps?zip=" + url.QueryEscape(r.settle.query.zip)
	} else {
		v.ChangeURL = "/reps"
	}
	v.Personal = personalScoreOf(ownWords(tpls, r.recips, r.in))
	v.ReceiptsOn = ld.receipts
	v.CampaignFrom = "The campaign’s organizers"
	if r.camp.Sponsor.Name != "" {
		v.CampaignFrom = r.camp.Sponsor.Name
	}
	for _, rc := range r.recips {
		id := rc.member.BioguideID
		o := templates.RecipientOption{
			BioguideID: id,
			Name:       memberName(rc.member),
			Role:       templates.RoleLine(rc.member),
			Kind:       string(rc.kind),
			Why:        kindReason(rc),
			Checked:    slices.ContainsFunc(r.in.Recipients, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), id) }),
		}
		o.Subject, o.Body = editableLetter(tpls, rc)
		if e, ok := r.in.Edit(id); ok && (e.Subject != o.Subject || e.Body != o.Body) {
			o.Subject, o.Body, o.Edited = e.Subject, e.Body, true
		}
		v.Recipients = append(v.Recipients, o)
	}
	return v, nil
}

// kindReason says why a member gets their letter.
func kindReason(rc recipient) string {
	label := rc.bill.Label()
	switch rc.kind {
	case advocacy.TemplateThank:
		if rc.bill.SponsorID == rc.member.BioguideID {
			return "Sponsor of " + label + ": your letter thanks them."
		}
		return "Cosponsor of " + label + ": your letter thanks them."
	case advocacy.TemplateWithdrew:
		return "Withdrew from " + label + ": your letter asks them why, and to sign on again."
	case advocacy.TemplateOppose:
		return "Not a cosponsor of " + label + ": your letter asks them not to sign on."
	case advocacy.TemplateUrgeWithdraw:
		if rc.bill.SponsorID == rc.member.BioguideID {
			return "Sponsor of " + label + ": your letter asks them to withdraw their support."
		}
		return "Cosponsor of " + label + ": your letter asks them to withdraw."
	case advocacy.TemplateThankWithdrawal:
		return "Withdrew from " + label + ": your letter thanks them."
	}
	return "Not yet a cosponsor of " + label + ": your letter asks them to sign on."
}

// personalScoreOf is the "how personal" indicator for n words of the
// constituent's own.
func personalScoreOf(n int) templates.PersonalScoreView {
	p, label := advocacy.PersonalScoreOf(n)
	return templates.PersonalScoreView{Percent: p, Label: label, Words: n}
}

// previewLetter serves POST /write/preview: each recipient's exact letter,
// or the form again with its errors (422).
func (ld *letterDesk) previewLetter(c echo.Context) error {
	noStore(c)
	r, err := ld.readLetterForm(c)
	if err != nil {
		return err
	}
	if errs, err := ld.validate(c.Request().Context(), &r); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return ld.renderCompose(c, http.StatusUnprocessableEntity, r, errs)
	}
	return ld.renderPreview(c, http.StatusOK, r, nil)
}

// renderPreview renders the preview of r, with alert above it when set.
func (ld *letterDesk) renderPreview(c echo.Context, status int, r letterRequest, alert *templates.AlertView) error {
	nl, err := ld.newLetter(c.Request().Context(), r)
	if errs, ok := fieldErrors(err); ok {
		return ld.renderCompose(c, http.StatusUnprocessableEntity, r, errs)
	}
	if err != nil {
		return err
	}
	v, err := ld.previewView(c.Request().Context(), r, nl)
	if err != nil {
		return err
	}
	v.Alert = alert
	title := "Check your letter"
	if alert != nil {
		title = "Not sent: " + title
	}
	m := ld.view.meta(c, title, "/write")
	return ld.view.render(c, status, templates.PreviewPage(m, v), titled(m, templates.PreviewFlow(v)))
}

// sendFailed answers a send that could not be stored (too many letters,
// a database fault). With htmx the error handler puts its notice inside
// the preview, which stays as it was; without JavaScript the preview
// comes back with the notice and every value, so nothing typed is lost
// and the person can press Send again when the notice says.
func (ld *letterDesk) sendFailed(c echo.Context, r letterRequest, err error) error {
	if isFragment(c) || advocacy.ErrorCode(err) == advocacy.CodeInvalid {
		return err
	}
	// The preview is rendered even when the request's time for the
	// database ran out.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	a := ld.view.answerFor(c, err)
	if a.retryAfter != "" {
		c.Response().Header().Set("Retry-After", a.retryAfter)
	}
	alert := a.alert()
	if rerr := ld.renderPreview(c, a.status, r, &alert); rerr != nil {
		return err
	}
	return nil
}

// previewView shows each recipient's letter exactly as it will be sent, for
// the site's preview step and the action widget's.
func (ld *letterDesk) previewView(ctx context.Context, r letterRequest, nl advocacy.NewLetter) (templates.PreviewView, error) {
	in := r.in
	tpls, err := ld.letterTemplates(ctx, r.camp)
	if err != nil {
		return templates.PreviewView{}, err
	}
	v := templates.PreviewView{
		Hidden: templates.LetterHiddenFields(in, ld.stamps.withStamp(r.settle.query.fields())),
		Sender: senderLines(advocacy.Letter{Prefix: in.Prefix, FirstName: in.FirstName, LastName: in.LastName,
			Title: in.Title, Organization: in.Organization, Address1: in.Address1, Address2: in.Address2,
			City: in.City, State: in.State, Zip: in.Zip}),
		Email:    in.Email,
		Phone:    in.Phone,
		Personal: personalScoreOf(ownWords(tpls, r.recips, in)),
	}
	if in.Receipt && ld.receipts {
		v.Extras = append(v.Extras, "We will email you a link to confirm your address, then a copy with a link to your letter’s page.")
	}
	if in.Newsletter {
		v.Extras = append(v.Extras, "The offices may add you to their newsletters.")
	}
	if in.CampaignUpdates {
		from := "The campaign’s organizers"
		if r.camp.Sponsor.Name != "" {
			from = r.camp.Sponsor.Name
		}
		v.Extras = append(v.Extras, from+" may email you news of this campaign.")
	}
	for _, d := range nl.Recipients {
		l := templates.PreviewLetter{
			BioguideID: d.BioguideID, To: ld.read.memberLabel(d.BioguideID), Subject: d.Subject,
			Body:       letterText(d.TemplateText, in.PersonalMessage),
			Electronic: d.Channel == advocacy.ChannelCWC,
		}
		for _, rc := range r.recips {
			if rc.member.BioguideID == d.BioguideID {
				l.To, l.Role = memberName(rc.member), templates.RoleLine(rc.member)
			}
		}
		v.Letters = append(v.Letters, l)
	}
	v.Summary, v.SendLabel = ld.sendPlan(v.Letters)
	return v, nil
}

// receiptsOn reports whether a copy can be emailed (SMTP is configured).
func (s *Server) receiptsOn() bool { return s.deps.Letters.Receipts != nil }

// sendPlan says, before anything is sent, what pressing the button will
// do: which copies go electronically at once, which the sender then sends
// themselves and how long that takes; and names the button for it.
func (ld *letterDesk) sendPlan(letters []templates.PreviewLetter) (summary, button string) {
	auto, yours := 0, 0
	for _, l := range letters {
		if l.Electronic {
			auto++
		} else {
			yours++
		}
	}
	n := len(letters)
	switch {
	case ld.requireConfirmation && ld.receipts:
		summary = "We will email you a link to confirm your address. Nothing goes out until you follow it."
		if yours > 0 {
			summary += fmt.Sprintf(" Then %s %s you to send %s yourself: about two minutes each.",
				countWord(yours, "copy", "copies"), pluralWord(yours, "needs", "need"), pluralWord(yours, "it", "them"))
		}
		return summary, "Save and email me the link"
	case yours == 0:
		return fmt.Sprintf("%s electronically as soon as you press the button.", capitalize(countWord(n, "copy goes", "copies go"))),
			"Send my " + pluralWord(n, "letter", "letters")
	case auto == 0:
		return fmt.Sprintf("We cannot deliver to %s electronically, so you send %s yourself: the next page has each letter to paste into the office’s website, print or read out on the phone. It takes about two minutes each.",
				pluralWord(n, "this office", "these offices"), pluralWord(n, "it", "them")),
			"Save and show me how to send " + pluralWord(n, "it", "them")
	}
	return fmt.Sprintf("%s electronically as soon as you press the button. %s %s you to send %s yourself on the next page: about two minutes each.",
			capitalize(countWord(auto, "copy goes", "copies go")), countWord(yours, "copy", "copies"), pluralWord(yours, "needs", "need"), pluralWord(yours, "it", "them")),
		fmt.Sprintf("Send %d and show me how to send the other %s", auto, pluralWord(yours, "one", strconv.Itoa(yours)))
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// newLetter turns a validated request into the letter to store: one
// delivery per chosen recipient, with the template of their stance
// rendered, their chamber's bill and their channel.
func (ld *letterDesk) newLetter(ctx context.Context, r letterRequest) (advocacy.NewLetter, error) {
	tpls, err := ld.letterTemplates(ctx, r.camp)
	if err != nil {
		return advocacy.NewLetter{}, err
	}
	d := r.settle.District
	nl := advocacy.NewLetter{
		CampaignID: r.camp.ID, Input: r.in, State: d.State, District: d.District, SettledBy: r.settle.By,
	}
	for _, id := range r.in.Recipients {
		i := slices.IndexFunc(r.recips, func(rc recipient) bool { return rc.member.BioguideID == id })
		if i < 0 {
			// ValidateLetter allowed a member of the district that the
			// campaign has no bill for.
			return advocacy.NewLetter{}, advocacy.Invalid("recipients", "This campaign has no letter for one of the members you chose.")
		}
		rc := r.recips[i]
		subject, body := recipientLetter(tpls, rc, r.in)
		office, ch := advocacy.OfficeCode(rc.member), advocacy.ChannelAssisted
		if ld.route != nil {
			office, ch = ld.route(rc.member)
		}
		if office == "" {
			// Without an office code CWC cannot route it: the sender sends it.
			ch = advocacy.ChannelAssisted
		}
		nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{
			BioguideID:   rc.member.BioguideID,
			OfficeCode:   office,
			Chamber:      rc.member.Chamber,
			Channel:      ch,
			Subject:      advocacy.FitSubject(subject),
			TemplateText: body,
			Bill:         advocacy.LetterBill{Congress: rc.bill.Congress, Type: strings.ToUpper(rc.bill.Type), Number: rc.bill.Number},
			Position:     rc.bill.Position.OrSupport(),
		})
	}
	// What the merge fields made of the campaign's text must still be
	// something Congress's system takes.
	if err := nl.Deliverable(ld.read.memberLabel); err != nil {
		return advocacy.NewLetter{}, err
	}
	return nl, nil
}

// fieldErrors are the field errors of a refused letter, if err is one.
func fieldErrors(err error) (map[string]string, bool) {
	var de *advocacy.Error
	if errors.As(err, &de) && de.Code == advocacy.CodeInvalid && len(de.Fields) > 0 {
		return de.Fields, true
	}
	return nil, false
}

// submit hands a validated letter from the client at address ip to the
// submission service: the letter is built as its preview showed it, and
// the form's start time and the keyed address go along for screening.
func (ld *letterDesk) submit(ctx context.Context, r letterRequest, ip string) (letters.Result, error) {
	nl, err := ld.newLetter(ctx, r)
	if err != nil {
		return letters.Result{}, err
	}
	sub := letters.Submission{Letter: nl, CampaignTitle: r.camp.Title, AddressKey: keyedHash(ld.secret, "letter", ip)}
	if r.viaForm {
		age, ok := ld.stamps.stampAge(r.settle.query.started)
		sub.Form = &letters.FormTiming{Age: age, Valid: ok}
	}
	return ld.service.Submit(ctx, sub)
}

// newLetterService builds the submission service on the letter store and
// the abuse controls.
func (s *Server) newLetterService() *letters.Service {
	var mailer letters.Mailer
	if s.deps.Letters.Receipts != nil {
		mailer = s.deps.Letters.Receipts
	}
	read := s.read
	return letters.New(letters.Deps{
		Store: s.deps.Letters.Store,
		Screen: letterScreen{secret: s.cfg.Secret, email: s.limits.letterEmail, address: s.limits.letterIP,
			addressLimit: s.cfg.Limits.LetterIP, global: s.limits.global},
		Mailer:  mailer,
		Wake:    s.deps.Letters.Wake,
		BaseURL: s.deps.Letters.BaseURL,
		MemberName: func(id string) string {
			if m, ok := read.member(id); ok {
				return memberName(m)
			}
			return ""
		},
		CampaignTitle: func(ctx context.Context, id int64) string {
			camp, _ := read.campaignOfLetter(ctx, advocacy.Letter{CampaignID: id})
			return camp.Title
		},
		RequireConfirmation: s.cfg.RequireConfirmation,
		MailTimeout:         s.deps.Letters.ReceiptTimeout,
		Clock:               s.deps.Clock,
		Rand:                s.deps.Letters.Rand,
		Logger:              s.deps.Logger,
	})
}

// sendLetter serves POST /write/send: store the letter (idempotent on the
// form token), then 303 to its status page. With htmx, the status page is
// swapped in and pushed to the address bar, and letter-sent is triggered so
// the campaign progress refreshes.
func (ld *letterDesk) sendLetter(c echo.Context) error {
	noStore(c)
	ctx := c.Request().Context()
	r, err := ld.readLetterForm(c)
	if err != nil {
		return err
	}
	if errs, err := ld.validate(ctx, &r); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return ld.renderCompose(c, http.StatusUnprocessableEntity, r, errs)
	}
	res, err := ld.submit(ctx, r, c.RealIP())
	if errs, ok := fieldErrors(err); ok {
		return ld.renderCompose(c, http.StatusUnprocessableEntity, r, errs)
	}
	if err != nil {
		return ld.sendFailed(c, r, err)
	}
	if res.Duplicates {
		v := templates.AlreadyWroteView{CampaignURL: campaignURL(r.camp.Slug),
			Copies: ld.earlierCopies(ctx, r.camp.ID, r.in, res.Created.AlreadyWrote)}
		status := http.StatusConflict
		if isFragment(c) {
			// A duplicate is an answer, not an error: htmx swaps it as one.
			status = http.StatusOK
		}
		m := ld.view.meta(c, "You have already written", "/write")
		return ld.view.render(c, status, templates.AlreadyWrotePage(m, v), titled(m, templates.AlreadyWroteFlow(v)))
	}
	l := res.Created.Letter
	fresh := !res.Created.Existing
	path := statusPath(l.PublicID, fresh, res.Created.AlreadyWrote)
	if !isFragment(c) {
		return c.Redirect(http.StatusSeeOther, path)
	}
	h := c.Response().Header()
	h.Set("HX-Push-Url", path)
	if fresh {
		h.Set("HX-Trigger", "letter-sent")
	}
	if res.Created.Existing {
		// The stored letter, not what this request carried.
		if l, err = ld.store.LetterByPublicID(ctx, l.PublicID); err != nil {
			return err
		}
	}
	v := ld.statusView(c, l, fresh, res.Created.AlreadyWrote)
	m := ld.view.meta(c, v.Heading, "")
	return ld.view.render(c, http.StatusOK, templates.LetterStatusPage(m, v), titled(m, templates.LetterStatusFlow(v)))
}

// validateField serves POST /write/validate?field=NAME: the inline check of
// one field as the person leaves it, answered with that field re-rendered.
func (ld *letterDesk) validateField(c echo.Context) error {
	noStore(c)
	name := c.QueryParam("field")
	if !slices.Contains(templates.ComposeTextFields, name) {
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown field.")
	}
	r, err := ld.readLetterForm(c)
	if err != nil {
		return err
	}
	errs, err := ld.validate(c.Request().Context(), &r)
	if err != nil {
		return err
	}
	msg := errs[name]
	v := templates.ComposeView{Input: r.in, Prefixes: advocacy.Prefixes()}
	if msg != "" {
		v.Errors = map[string]string{name: msg}
	}
	return ld.view.render(c, http.StatusOK, templates.ComposeField(name, v), templates.ComposeField(name, v))
}

// personalScore serves POST /write/personal: the "how personal" indicator
// for the text typed so far.
func (ld *letterDesk) personalScore(c echo.Context) error {
	noStore(c)
	v := personalScoreOf(len(strings.Fields(c.FormValue("personal_message"))))
	if r, err := ld.readLetterForm(c); err == nil {
		// With the whole form, the words added to the letters count too.
		if tpls, err := ld.letterTemplates(c.Request().Context(), r.camp); err == nil {
			v = personalScoreOf(ownWords(tpls, r.recips, r.in))
		}
	}
	return ld.view.render(c, http.StatusOK, templates.PersonalScore(v), templates.PersonalScore(v))
}
