package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/letters"
	"github.com/whipcount/whipcount/internal/ttlcache"
	"github.com/whipcount/whipcount/templates"
)

// LetterStore stores letters and their deliveries and answers the public
// counts (implemented by sqlite.Letters).
type LetterStore interface {
	// CreateLetter stores a letter and its deliveries in one transaction,
	// idempotent on the input's form token, skipping recipients the same
	// email wrote to in the last 30 days.
	CreateLetter(ctx context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error)
	// LetterByPublicID finds a letter with its deliveries.
	LetterByPublicID(ctx context.Context, publicID string) (advocacy.Letter, error)
	// ConfirmDelivery records that the constituent sent a delivery themselves.
	ConfirmDelivery(ctx context.Context, publicID, deliveryID string, ch advocacy.Channel) (advocacy.Delivery, error)
	// CountByDistrict counts a campaign's letters from one House district.
	CountByDistrict(ctx context.Context, campaignID int64, state string, district int) (int, error)
	// Stats are a campaign's public aggregates.
	Stats(ctx context.Context, campaignID int64, since time.Time) (advocacy.LetterStats, error)
	// EraseLetter deletes a letter's personal data at its sender's request.
	EraseLetter(ctx context.Context, publicID string) error
	// ConfirmLetter records that a letter's sender confirmed their email,
	// releasing the letter when it waited for that; first is true for the
	// call that confirmed.
	ConfirmLetter(ctx context.Context, publicID, token string) (l advocacy.Letter, first bool, err error)
	// AwaitingConfirmation reports whether a letter waits for that.
	AwaitingConfirmation(ctx context.Context, publicID string) (bool, error)
	// EarlierLetters finds, per member, the letter a duplicate repeats: the
	// latest from the same email to that member in the campaign within the
	// dedupe window.
	EarlierLetters(ctx context.Context, campaignID int64, email string, bioguides []string) (map[string]advocacy.Letter, error)
}

// LetterTemplateSource reads a campaign's own letter templates. Kinds it
// does not return fall back to advocacy.DefaultLetterTemplates.
type LetterTemplateSource interface {
	LetterTemplates(ctx context.Context, campaignID int64) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error)
}

// ReceiptSender mails a constituent the link that confirms their address
// and the copy of their letter, written by the letter service (implemented
// by delivery.Mailer, whose errors satisfy advocacy.MailFailure).
type ReceiptSender interface {
	// Send mails a plain-text message.
	Send(ctx context.Context, to, subject, body string) error
}

// LetterDeps wires the letter flow. With a nil Store there are no letters:
// the lookup shows no "Write to your members" link and the letter routes
// answer 404.
type LetterDeps struct {
	Store LetterStore
	// Templates reads campaigns' own letters; nil uses the defaults.
	Templates LetterTemplateSource
	// Route says how a copy to a member travels: the CWC office code it
	// carries, and its channel (CWC when an endpoint is configured for the
	// member's chamber and the office takes CWC messages, else assisted).
	// nil sends every copy through the assisted channels.
	Route func(advocacy.Member) (office string, ch advocacy.Channel)
	// Wake tells the outbox worker that CWC deliveries are waiting; nil when
	// no worker runs.
	Wake func()
	// Receipts sends receipts by email; nil when SMTP is not configured.
	Receipts ReceiptSender
	// ReceiptTimeout bounds one receipt's sending. Default 1 minute.
	ReceiptTimeout time.Duration
	// BaseURL is the site's public address ("https://whipcount.example"),
	// for the status link in receipts and the API. Receipts carry no link
	// without it: the request's Host header is not to be trusted in mail.
	BaseURL string
	// Rand is the source of form tokens; nil means crypto/rand.Reader.
	Rand io.Reader
}

// letterDesk is where constituents write: the letter form (/write, with
// its preview, send and inline checks), each letter's private pages (its
// status, printing a copy, saying a copy was sent, confirming the email,
// deleting the details) and POST /api/v1/letters; it also gives the lookup
// its "Write to your members" link and the action widget its letter steps.
// Handlers build the letter and hand it to the letter service. It is
// mounted when the letter store and the campaigns are wired.
type letterDesk struct {
	// view renders pages and answers errors; read reads campaigns and
	// members; find runs the lookups; stamps signs the forms' start times.
	view      *renderer
	read      *campaignReader
	find      finder
	stamps    formStamps
	service   *letters.Service
	store     LetterStore
	campaigns CampaignStore
	// templates reads campaigns' own letters; nil uses the defaults.
	// keptTemplates keeps them by campaign ID, with the defaults filled in.
	templates     LetterTemplateSource
	keptTemplates *ttlcache.Cache[int64, map[advocacy.TemplateKind]advocacy.LetterTemplate]
	// route says how a copy to a member travels; nil sends every copy
	// through the assisted channels.
	route func(advocacy.Member) (office string, ch advocacy.Channel)
	// receipts is set when a copy can be emailed (SMTP is configured);
	// requireConfirmation holds each letter until its sender confirms.
	receipts, requireConfirmation bool
	// baseURL is the site's public address, for the API's status links.
	baseURL string
	// rand is the source of form tokens.
	rand io.Reader
	// secret keys the clients' addresses for the service's screening.
	secret []byte
	clock  func() time.Time
	logger *slog.Logger
}

// newLetterDesk builds the desk, or nil without a letter store or
// campaigns. It keeps campaigns' templates for ttl, like the campaigns.
func newLetterDesk(s *Server, ttl time.Duration) *letterDesk {
	if s.deps.Letters.Store == nil || s.deps.Campaigns == nil {
		return nil
	}
	ld := &letterDesk{view: s.view, read: s.read, find: s.find, stamps: s.stamps,
		service: s.letters, store: s.deps.Letters.Store, campaigns: s.deps.Campaigns,
		templates: s.deps.Letters.Templates, route: s.deps.Letters.Route, receipts: s.receiptsOn(),
		requireConfirmation: s.cfg.RequireConfirmation, baseURL: s.deps.Letters.BaseURL, rand: s.deps.Letters.Rand,
		secret: s.cfg.Secret, clock: s.deps.Clock, logger: s.deps.Logger,
		keptTemplates: ttlcache.New(ttl, s.deps.Clock, ttlcache.Options[int64, map[advocacy.TemplateKind]advocacy.LetterTemplate]{})}
	if ld.rand == nil {
		ld.rand = rand.Reader
	}
	return ld
}

// routes mounts the letter form, the letters' pages and the API's POST.
// Forms take posts only from this site's own pages; letterLimit refuses a
// flood from one address before any work is done (below that ceiling the
// per-address limit only sends letters to moderation, see letterScreen, so
// a busy shared network is never cut off); what writes waits for the
// database only so long (boundDB).
func (ld *letterDesk) routes(e *echo.Echo, api *echo.Group, letterLimit, bound echo.MiddlewareFunc) {
	e.GET("/write", ld.writePage)
	e.POST("/write", ld.editLetter, sameOrigin)
	e.POST("/write/preview", ld.previewLetter, sameOrigin)
	e.POST("/write/send", ld.sendLetter, sameOrigin, letterLimit, bound)
	e.POST("/write/validate", ld.validateField, sameOrigin)
	e.POST("/write/personal", ld.personalScore, sameOrigin)
	e.GET("/letters/:id", ld.letterStatus)
	e.GET("/letters/:id/print/:delivery", ld.printLetter)
	e.POST("/letters/:id/deliveries/:delivery/confirm", ld.confirmDelivery, bound)
	e.GET("/letters/:id/confirm", ld.confirmPage)
	e.POST("/letters/:id/confirm", ld.confirmLetter, bound)
	e.GET("/letters/:id/delete", ld.eraseConfirm)
	e.POST("/letters/:id/delete", ld.eraseLetter, bound)
	api.POST("/letters", ld.createLetterAPI, letterLimit, bound)
}

// WaitBackground waits until the mail being sent in the background is
// done, or ctx ends. Call it after the HTTP server has shut down and before
// the database closes.
func (s *Server) WaitBackground(ctx context.Context) error {
	return s.letters.Wait(ctx)
}

// noStore marks an answer that carries personal data: no cache may keep it.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}

// letterCampaign loads a campaign that takes letters; the default campaign
// when slug is empty. A draft is not found; a closed campaign, or one whose
// bills all died with their Congress, is a conflict that says so.
func (ld *letterDesk) letterCampaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	if slug == "" {
		slug = ld.read.defaultSlug(ctx)
	}
	if slug == "" {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign is taking letters.")
	}
	camp, err := ld.read.memoCampaign(ctx, slug)
	if err != nil {
		return camp, err
	}
	return camp, takesLetters(camp, ld.clock())
}

// takesLetters says why campaign c takes no letters at now, or nil when it
// does.
func takesLetters(c advocacy.Campaign, now time.Time) error {
	switch {
	case c.Status == advocacy.CampaignDraft:
		return advocacy.NotFound("This campaign is not taking letters.")
	case c.Status == advocacy.CampaignClosed:
		msg := "The campaign “" + c.Title + "” has ended"
		if !c.EndsOn.IsZero() {
			msg += " (on " + longDate(c.EndsOn) + ")"
		}
		return &advocacy.Error{Code: advocacy.CodeConflict, Message: msg + " and takes no more letters. Thank you to everyone who wrote."}
	case len(c.LiveBills(now)) == 0:
		return &advocacy.Error{Code: advocacy.CodeConflict, Message: "The bills of “" + c.Title + "” died when their Congress ended, so it takes no letters until the bills reintroduced in the new Congress are added."}
	}
	return nil
}

// settleQuery is how a constituent's district was settled: a looked-up
// ZIP, with the district they picked when the ZIP is split, or a location.
type settleQuery struct {
	zip, district, lat, lon string
	// started is the form's signed start time, carried along (see abuse.go).
	started string
}

func (q settleQuery) fields() templates.SettleFields {
	return templates.SettleFields{ZIP: q.zip, District: q.district, Lat: q.lat, Lon: q.lon, Started: q.started}
}

// settlement is a district settled again on the server.
type settlement struct {
	advocacy.Settlement
	query settleQuery
	// city is the ZIP's main city, to prefill the form.
	city string
}

// errNotSettled says a split ZIP came without a district that matches it.
type errNotSettled struct{ zip string }

func (e errNotSettled) Error() string { return "district not settled for ZIP " + e.zip }

// settle works out the constituent's district from what settled it: the
// district a client names is only ever used to pick among the ZIP's own
// candidate districts.
func (ld *letterDesk) settle(q settleQuery) (settlement, error) {
	rq := repsQuery{zip: q.zip, district: q.district, lat: strings.TrimSpace(q.lat), lon: strings.TrimSpace(q.lon)}
	rq.hasCoords = rq.lat != "" || rq.lon != ""
	if !rq.hasCoords && strings.TrimSpace(q.zip) == "" {
		return settlement{}, advocacy.Invalid("zip", "Look up your members with your ZIP code or location first.")
	}
	l, d, by, err := ld.find.runLookup(rq)
	if err != nil {
		return settlement{}, err
	}
	if d == nil {
		return settlement{}, errNotSettled{zip: l.Query.Zip}
	}
	out := settlement{city: l.Query.City}
	out.District = *d
	out.ZIPInState = ld.find.zipInState
	out.query = settleQuery{zip: l.Query.Zip, started: q.started}
	switch by {
	case "location":
		out.By = advocacy.SettledByLocation
		out.query.lat, out.query.lon = rq.lat, rq.lon
	case "pick":
		out.By = advocacy.SettledByZIP
		out.ZIP = l.Query.Zip
		out.query.district = d.Code()
	default:
		out.By = advocacy.SettledByZIP
		out.ZIP = l.Query.Zip
	}
	return out, nil
}

// zipInState reports whether any part of a ZIP code lies in a state,
// according to the reference data. A ZIP the data does not know is not
// taken to be in the state.
func (f finder) zipInState(zip5, state string) bool {
	l, err := f.reps.LookupZIP(zip5)
	if err != nil {
		return false
	}
	for _, d := range l.Districts {
		if d.State == state {
			return true
		}
	}
	return false
}

// recipient is a member a constituent may write to, with their letter.
type recipient struct {
	member advocacy.Member
	bill   advocacy.Bill
	kind   advocacy.TemplateKind
}

// recipientsFor lists the district's members that the campaign has a
// live bill for at now (one whose Congress has not ended): the
// representative (unless the seat is vacant), then the senators.
func recipientsFor(camp advocacy.Campaign, d advocacy.DistrictResult, now time.Time) []recipient {
	var ms []advocacy.Member
	if d.Representative != nil && !d.Vacant {
		ms = append(ms, *d.Representative)
	}
	ms = append(ms, d.Senators...)
	var out []recipient
	for _, m := range ms {
		b, ok := camp.BillFor(m.Chamber)
		if !ok || b.Expired(now) {
			continue
		}
		out = append(out, recipient{member: m, bill: b, kind: letterKind(b, m.BioguideID)})
	}
	return out
}

// letterKind picks the letter for a member's record on a bill, following
// the campaign's position on it.
func letterKind(b advocacy.Bill, bioguide string) advocacy.TemplateKind {
	return advocacy.TemplateKindOf(b, bioguide)
}

// letterTemplates returns the campaign's templates, falling back to the
// defaults for kinds it has none of. They are kept as long as the campaign
// itself (every letter reads them twice) and forgotten when an organizer
// saves a template or changes a campaign.
func (ld *letterDesk) letterTemplates(ctx context.Context, camp advocacy.Campaign) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error) {
	if ld.templates == nil {
		return advocacy.DefaultLetterTemplates(), nil
	}
	tpls, err := ld.keptTemplates.Get(ctx, camp.ID, func(ctx context.Context) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error) {
		out := advocacy.DefaultLetterTemplates()
		own, err := ld.templates.LetterTemplates(ctx, camp.ID)
		if err != nil {
			return nil, err
		}
		for k, t := range own {
			if strings.TrimSpace(t.Subject) != "" && strings.TrimSpace(t.Body) != "" {
				out[k] = t
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("letter templates of %q: %w", camp.Slug, err)
	}
	// A copy: the kept map is shared by every request.
	return maps.Clone(tpls), nil
}

// forgetTemplates drops the kept templates, so that the next letter is
// written with what an organizer just saved. Safe on nil (no desk mounted).
func (ld *letterDesk) forgetTemplates() {
	if ld == nil {
		return
	}
	ld.keptTemplates.Clear()
}

// memberName is how a letter names a member: "Representative Jerrold Nadler".
func memberName(m advocacy.Member) string {
	f := advocacy.MergeFieldsFor(m, "", advocacy.LetterInput{})
	return f.MemberTitle + " " + f.MemberName
}

// letterClosings start the sign-off paragraph of a letter; the
// constituent's own words go before it.
var letterClosings = []string{"sincerely", "respectfully", "thank you", "with thanks", "best regards",
	"kind regards", "regards", "yours", "best wishes", "warm regards"}

// letterText is one recipient's letter as a person reads it: the campaign's
// text with the constituent's own paragraph before the sign-off (or at the
// end when the template has no recognisable sign-off). CWC gets the two
// parts separately, as OrganizationStatement and ConstituentMessage.
func letterText(templateText, personal string) string {
	templateText = strings.TrimSpace(templateText)
	personal = strings.TrimSpace(personal)
	if personal == "" {
		return templateText
	}
	if i := strings.LastIndex(templateText, "\n\n"); i >= 0 {
		tail := strings.ToLower(strings.TrimSpace(templateText[i+2:]))
		for _, c := range letterClosings {
			if strings.HasPrefix(tail, c) {
				return templateText[:i] + "\n\n" + personal + templateText[i:]
			}
		}
	}
	return templateText + "\n\n" + personal
}

// signOff splits a letter at its sign-off for printing: the body, the
// closing line ("Sincerely,") and what follows it (the name), so that the
// printed letter leaves room to sign between them. A letter without a
// recognisable closing is all body.
func signOff(text string) (body, closing, signer string) {
	i := strings.LastIndex(text, "\n\n")
	if i < 0 {
		return text, "", ""
	}
	tail := text[i+2:]
	first, rest, _ := strings.Cut(tail, "\n")
	low := strings.ToLower(strings.TrimSpace(first))
	for _, c := range letterClosings {
		if strings.HasPrefix(low, c) {
			return strings.TrimRight(text[:i], "\n"), strings.TrimSpace(first), strings.TrimSpace(rest)
		}
	}
	return text, "", ""
}

var bioguideRe = regexp.MustCompile(`^[A-Z][0-9]{6}$`)

// statusPath is a letter's status page; already lists members skipped as
// duplicates, and fresh thanks the person for sending.
func statusPath(publicID string, fresh bool, already []string) string {
	q := url.Values{}
	if fresh {
		q.Set("sent", "1")
	}
	if len(already) > 0 {
		q.Set("already", strings.Join(already, ","))
	}
	p := "/letters/" + publicID
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// absoluteURL prefixes a path with the configured base URL, if any.
func (ld *letterDesk) absoluteURL(path string) string {
	if ld.baseURL == "" {
		return path
	}
	return strings.TrimRight(ld.baseURL, "/") + path
}

// letterFromPath loads the letter named by the route's :id, the
// unguessable public ID.
func (ld *letterDesk) letterFromPath(c echo.Context) (advocacy.Letter, error) {
	return ld.store.LetterByPublicID(c.Request().Context(), c.Param("id"))
}

// letterStatus serves GET /letters/{id}: the letter's private status page.
func (ld *letterDesk) letterStatus(c echo.Context) error {
	noStore(c)
	l, err := ld.letterFromPath(c)
	if err != nil {
		return err
	}
	var already []string
	for _, id := range strings.Split(c.QueryParam("already"), ",") {
		if bioguideRe.MatchString(id) && len(already) < advocacy.LetterMaxRecipients {
			already = append(already, id)
		}
	}
	v := ld.statusView(c, l, c.QueryParam("sent") == "1", already)
	m := ld.view.meta(c, v.Heading, "")
	return ld.view.render(c, http.StatusOK, templates.LetterStatusPage(m, v), titled(m, templates.LetterStatusFlow(v)))
}

// statusView builds the status page of a letter.
func (ld *letterDesk) statusView(c echo.Context, l advocacy.Letter, fresh bool, already []string) templates.LetterStatusView {
	ctx := c.Request().Context()
	v := templates.LetterStatusView{
		PublicID:   l.PublicID,
		Fresh:      fresh,
		SenderName: strings.TrimSpace(l.FirstName + " " + l.LastName),
		Date:       longDate(l.CreatedAt),
	}
	camp, ok := ld.read.campaignOfLetter(ctx, l)
	if ok {
		v.CampaignTitle = camp.Title
		v.CampaignURL = campaignURL(camp.Slug)
	}
	if !l.ErasedAt.IsZero() {
		v.Erased = longDate(l.ErasedAt)
		v.Heading = "Your details were deleted"
		return v
	}
	if ok && l.Status != advocacy.LetterRejected {
		v.Share = ld.view.shareView(c, camp, l.Ref)
	}
	if len(already) > 0 {
		v.AlreadyWrote = ld.earlierCopies(ctx, l.CampaignID, advocacy.LetterInput{Email: l.Email, LastName: l.LastName,
			Address1: l.Address1, Zip: l.Zip}, already)
	}
	waiting, err := ld.store.AwaitingConfirmation(ctx, l.PublicID)
	if err != nil {
		ld.logger.Error("check letter confirmation", "err", err)
	}
	yours, going := 0, 0
	for _, d := range l.Deliveries {
		dv := ld.deliveryView(l, d, camp, waiting)
		// A held copy may be sent by hand, but need not be.
		if dv.SelfSend && dv.State != string(advocacy.CopyHeld) {
			yours++
		}
		if dv.State == string(advocacy.CopyQueued) || dv.State == string(advocacy.CopyRetrying) {
			going++
		}
		v.Deliveries = append(v.Deliveries, dv)
	}
	switch {
	case waiting:
		v.Moderation = "Please confirm your email address: we sent you a link. Your letter goes out once you follow it, and is deleted if you do not within a day."
	case l.Status == advocacy.LetterHeld:
		v.Moderation = "Your letter is waiting for a check by the campaign before anything goes out. Come back to this page: it shows what happens next."
	case l.Status == advocacy.LetterRejected:
		v.Moderation = "The campaign did not send this letter."
	case fresh && l.Receipt && ld.receipts:
		v.Moderation = "We emailed you a link to confirm your address. Your copy of the letter follows once you do."
	}
	v.Summary = deliverySummary(yours, going)
	switch {
	case !fresh:
		v.Heading = "Your letter"
	case yours > 0:
		v.Heading = "Thank you: one more step"
	case going > 0:
		v.Heading = "Thank you: your letter is on its way"
	default:
		v.Heading = "Thank you for writing"
	}
	return v
}

// deliverySummary says in one sentence what happens to the copies: how
// many the sender must send themselves, and how many go automatically.
func deliverySummary(yours, going int) string {
	var parts []string
	if yours > 0 {
		parts = append(parts, fmt.Sprintf("%s %s you to send %s yourself, through the office’s website, by post or by phone: about two minutes each.",
			countWord(yours, "copy", "copies"), pluralWord(yours, "needs", "need"), pluralWord(yours, "it", "them")))
	}
	if going > 0 {
		parts = append(parts, fmt.Sprintf("%s %s electronically, usually within minutes: nothing to do.",
			countWord(going, "copy goes", "copies go"), pluralWord(going, "to its office", "to their offices")))
	}
	return strings.Join(parts, " ")
}

// countWord writes "One copy" or "3 copies".
func countWord(n int, one, many string) string {
	if n == 1 {
		return "One " + one
	}
	return strconv.Itoa(n) + " " + many
}

// campaignOfLetter finds the campaign a letter belongs to.
func (r *campaignReader) campaignOfLetter(ctx context.Context, l advocacy.Letter) (advocacy.Campaign, bool) {
	if r.store == nil || l.CampaignID == 0 {
		return advocacy.Campaign{}, false
	}
	camp, err := r.store.CampaignByID(ctx, l.CampaignID)
	if err != nil {
		if advocacy.ErrorCode(err) != advocacy.CodeNotFound {
			r.logger.ErrorContext(ctx, "find campaign of letter", "err", err)
		}
		return advocacy.Campaign{}, false
	}
	return camp, true
}

// member finds a current member by bioguide ID.
func (r *campaignReader) member(id string) (advocacy.Member, bool) {
	if r.members == nil {
		return advocacy.Member{}, false
	}
	return r.members.Member(id)
}

// memberLabel names a member for people, or gives the ID of one the data
// no longer lists.
func (r *campaignReader) memberLabel(id string) string {
	if m, ok := r.member(id); ok {
		return memberName(m)
	}
	return id
}

// deliveryView says where one delivery stands and, when the constituent
// must (or may) send it themselves, gives them everything to do so. camp is
// the letter's campaign, for the phone script (its zero value when not
// known); waiting is whether the letter waits for its sender's email
// confirmation.
func (ld *letterDesk) deliveryView(l advocacy.Letter, d advocacy.Delivery, camp advocacy.Campaign, waiting bool) templates.DeliveryView {
	v := templates.DeliveryView{
		ID: d.DeliveryID, To: "the office " + d.OfficeCode, Channel: string(d.Channel), Status: string(d.Status),
		Subject:    d.Subject,
		Text:       "Subject: " + d.Subject + "\n\n" + letterText(d.TemplateText, l.PersonalMessage),
		PrintURL:   "/letters/" + l.PublicID + "/print/" + d.DeliveryID,
		ConfirmURL: "/letters/" + l.PublicID + "/deliveries/" + d.DeliveryID + "/confirm",
	}
	if d.OfficeCode == "" {
		v.To = "the office"
	}
	m, known := ld.read.member(d.BioguideID)
	if known {
		v.To = memberName(m)
		v.Role = templates.RoleLine(m)
		v.ContactURL, v.ContactLabel = m.ContactForm, "Open their contact form"
		if v.ContactURL == "" {
			v.ContactURL, v.ContactLabel = m.URL, "Open their website"
		}
		if m.Phone != "" {
			v.Phone, v.TelURL = m.Phone, templates.TelURL(m.Phone)
			v.PhoneScript = phoneScript(l, d, m, camp)
		} else {
			// No number in the data: the Capitol switchboard puts callers
			// through to any office.
			v.Phone, v.TelURL = advocacy.CapitolSwitchboard, templates.TelURL(advocacy.CapitolSwitchboard)
			v.PhoneScript = "Ask the Capitol switchboard for the office of " + memberName(m) + ". Then: " + phoneScript(l, d, m, camp)
		}
	}
	state := advocacy.StateOf(l, d, waiting)
	v.State = string(state)
	v.Copy = templates.CopyFacts{State: state, Channel: d.Channel, Delivered: d.Status == advocacy.DeliveryDelivered,
		Chamber: d.Chamber, SentOn: longDate(d.SentAt), ConfirmedOn: longDate(d.ConfirmedAt)}
	// The sender sends it themselves when the site cannot (or, for a held
	// copy, when they would rather not wait).
	v.SelfSend = state == advocacy.CopyFailed || state == advocacy.CopyHeld || state == advocacy.CopyYours
	if v.SelfSend && v.ContactURL == "" {
		ch := advocacy.House
		if known {
			ch = m.Chamber
		}
		v.ContactURL, v.ContactLabel = advocacy.FindMemberURL(ch), "Find their office on the chamber’s own directory"
	}
	if known && v.SelfSend && m.TermEnded(ld.clock()) {
		// Copies not sent before the term ended would reach an office that
		// has closed.
		v.SelfSend = false
		v.Copy.Ended = &templates.EndedCopy{Member: memberName(m), EndedOn: advocacy.EndedTermOf(m).TermEndDate(),
			FindLabel: advocacy.FindMemberLabel(m.Chamber)}
	}
	return v
}

// phoneScript is what to say when calling m's office: the ask that fits
// the member's stance today (they may have signed on since the letter was
// written), or the letter's subject when the campaign is not known.
func phoneScript(l advocacy.Letter, d advocacy.Delivery, m advocacy.Member, camp advocacy.Campaign) string {
	where := l.City
	if l.Zip != "" {
		where += ", ZIP code " + l.Zip[:min(5, len(l.Zip))]
	}
	script := fmt.Sprintf("Hello, my name is %s %s and I am a constituent from %s. ", l.FirstName, l.LastName, where)
	name := memberName(m)
	ask := "I am calling about " + d.Bill.Label() + ": " + strings.TrimSpace(d.Subject)
	if b, ok := camp.BillFor(m.Chamber); ok {
		switch letterKind(b, m.BioguideID) {
		case advocacy.TemplateThank:
			ask = "I am calling to thank " + name + " for supporting " + b.Label()
		case advocacy.TemplateWithdrew:
			ask = "I saw that " + name + " withdrew as a cosponsor of " + b.Label() + ". I would like to know why, and I ask them to sign on again"
		case advocacy.TemplateOppose:
			ask = "I oppose " + b.Label() + ", and I ask " + name + " not to cosponsor it"
		case advocacy.TemplateUrgeWithdraw:
			ask = "I oppose " + b.Label() + ", and I ask " + name + " to withdraw their support for it"
		case advocacy.TemplateThankWithdrawal:
			ask = "I am calling to thank " + name + " for withdrawing from " + b.Label()
		default:
			ask = "I am calling to ask " + name + " to cosponsor " + b.Label()
		}
	}
	if !strings.HasSuffix(ask, "?") && !strings.HasSuffix(ask, ".") {
		ask += "."
	}
	return script + ask + " Could you please pass my message on? Thank you."
}

// confirmDelivery serves POST /letters/{id}/deliveries/{delivery}/confirm:
// the constituent says they sent a copy themselves, and how.
func (ld *letterDesk) confirmDelivery(c echo.Context) error {
	if err := checkOrigin(c.Request()); err != nil {
		return err
	}
	noStore(c)
	ctx := c.Request().Context()
	publicID := c.Param("id")
	if _, err := ld.store.ConfirmDelivery(ctx, publicID, c.Param("delivery"),
		advocacy.Channel(c.FormValue("channel"))); err != nil {
		return err
	}
	if !isFragment(c) {
		return c.Redirect(http.StatusSeeOther, "/letters/"+publicID+"#delivery-"+c.Param("delivery"))
	}
	l, err := ld.store.LetterByPublicID(ctx, publicID)
	if err != nil {
		return err
	}
	for _, d := range l.Deliveries {
		if d.DeliveryID == c.Param("delivery") {
			c.Response().Header().Set("HX-Trigger", "letter-confirmed")
			camp, _ := ld.read.campaignOfLetter(ctx, l)
			return ld.view.render(c, http.StatusOK, nil, templates.DeliveryCard(ld.deliveryView(l, d, camp, false)))
		}
	}
	return advocacy.NotFound("We could not find that letter.")
}

// printLetter serves GET /letters/{id}/print/{delivery}: one copy laid out
// as a letter to the member's Washington office.
func (ld *letterDesk) printLetter(c echo.Context) error {
	noStore(c)
	l, err := ld.letterFromPath(c)
	if err != nil {
		return err
	}
	for _, d := range l.Deliveries {
		if d.DeliveryID != c.Param("delivery") {
			continue
		}
		v := templates.PrintLetterView{
			BackURL:     "/letters/" + l.PublicID,
			SenderLines: senderLines(l),
			Date:        longDate(ld.clock()),
			Subject:     d.Subject,
		}
		v.Body, v.Closing, v.Signer = signOff(letterText(d.TemplateText, l.PersonalMessage))
		if m, ok := ld.read.member(d.BioguideID); ok {
			v.RecipientLines = append([]string{memberName(m)}, officeLines(m.Address, m.Chamber)...)
		} else {
			v.RecipientLines = []string{"The office " + d.OfficeCode}
		}
		return ld.view.render(c, http.StatusOK, templates.PrintLetterPage(ld.view.meta(c, "Print your letter", ""), v), nil)
	}
	return advocacy.NotFound("We could not find that letter.")
}

// senderLines are the constituent's name and postal address.
func senderLines(l advocacy.Letter) []string {
	out := []string{strings.TrimSpace(l.Prefix + " " + l.FirstName + " " + l.LastName)}
	if l.Title != "" || l.Organization != "" {
		out = append(out, strings.Trim(l.Title+", "+l.Organization, ", "))
	}
	out = append(out, l.Address1)
	if l.Address2 != "" {
		out = append(out, l.Address2)
	}
	return append(out, l.City+", "+l.State+" "+l.Zip)
}

// officeLines splits a Washington office address as the reference data
// writes it ("2132 Rayburn House Office Building Washington DC 20515-3212")
// into postal lines. Without an address in the data, the chamber's own
// address for its members' mail is used.
func officeLines(addr string, ch advocacy.Chamber) []string {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndex(addr, " Washington DC "); i > 0 {
		return []string{addr[:i], "Washington, DC " + strings.TrimSpace(addr[i+len(" Washington DC "):])}
	}
	if addr == "" {
		if ch == advocacy.Senate {
			return []string{"United States Senate", "Washington, DC 20510"}
		}
		return []string{"U.S. House of Representatives", "Washington, DC 20515"}
	}
	return []string{addr}
}

// privacy serves the privacy page.
func (s *Server) privacy(c echo.Context) error {
	return s.view.render(c, http.StatusOK, templates.PrivacyPage(s.view.meta(c, "Privacy", "/privacy"),
		templates.PrivacyView{RetentionDays: s.cfg.RetentionDays, GeocoderHost: s.cfg.GeocoderHost, Receipts: s.receiptsOn()}), nil)
}

// confirmPage serves GET /letters/{id}/confirm?t=TOKEN, the link in the
// confirmation email. It asks for a click rather than confirming at once:
// mail scanners follow links, people press buttons.
func (ld *letterDesk) confirmPage(c echo.Context) error {
	noStore(c)
	return ld.view.render(c, http.StatusOK, templates.ConfirmEmailPage(ld.view.meta(c, "Confirm your email address", ""), c.Param("id"), c.QueryParam("t")), nil)
}

// confirmLetter serves POST /letters/{id}/confirm: the sender confirmed
// their email, so the letter counts and goes out.
func (ld *letterDesk) confirmLetter(c echo.Context) error {
	noStore(c)
	if err := checkOrigin(c.Request()); err != nil {
		return err
	}
	id := c.Param("id")
	if _, err := ld.service.Confirm(c.Request().Context(), id, c.FormValue("t")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/letters/"+id+"?sent=1")
}

// eraseConfirm serves GET /letters/{id}/delete: are you sure?
func (ld *letterDesk) eraseConfirm(c echo.Context) error {
	noStore(c)
	l, err := ld.letterFromPath(c)
	if err != nil {
		return err
	}
	return ld.view.render(c, http.StatusOK, templates.EraseConfirmPage(ld.view.meta(c, "Delete your details", ""), l.PublicID), nil)
}

// eraseLetter serves POST /letters/{id}/delete: the sender deletes their
// details. The unguessable letter ID is the only credential, as for the
// status page itself.
func (ld *letterDesk) eraseLetter(c echo.Context) error {
	noStore(c)
	if err := checkOrigin(c.Request()); err != nil {
		return err
	}
	id := c.Param("id")
	if err := ld.store.EraseLetter(c.Request().Context(), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/letters/"+id)
}

// fillLetters adds the "Write to your members" link and the district's
// letter count to a lookup with a settled district. Errors are logged: the
// lookup works without them. Safe on nil (no letters: nothing to add).
func (ld *letterDesk) fillLetters(ctx context.Context, v *templates.LookupView, ref string) {
	if ld == nil || v.Settled == nil {
		return
	}
	camp, err := ld.letterCampaign(ctx, v.Campaign)
	if err != nil {
		if code := advocacy.ErrorCode(err); code != advocacy.CodeNotFound && code != advocacy.CodeConflict {
			ld.logger.ErrorContext(ctx, "letters for lookup", "err", err)
		}
		return
	}
	if len(recipientsFor(camp, *v.Settled, ld.clock())) > 0 {
		v.WriteURL = writeURL(*v, ref)
	}
	n, err := ld.store.CountByDistrict(ctx, camp.ID, v.Settled.State, v.Settled.District)
	if err != nil {
		ld.logger.ErrorContext(ctx, "count district letters", "err", err)
		return
	}
	v.DistrictLetters = n
}

// writeURL opens the letter form for a lookup's settled district, saying
// how it was settled so the form can settle it again.
func writeURL(v templates.LookupView, ref string) string {
	q := url.Values{}
	if v.ZIP != "" {
		q.Set("zip", v.ZIP)
	}
	switch v.SettledBy {
	case "location", "address":
		if v.Lookup != nil && v.Lookup.Query.Lat != nil && v.Lookup.Query.Lon != nil {
			q.Set("lat", strconv.FormatFloat(*v.Lookup.Query.Lat, 'f', -1, 64))
			q.Set("lon", strconv.FormatFloat(*v.Lookup.Query.Lon, 'f', -1, 64))
		}
	case "pick":
		q.Set("district", v.Settled.Code())
	}
	if ref = cleanRef(ref); ref != "" {
		q.Set("ref", ref)
	}
	if v.Campaign != "" {
		q.Set("campaign", v.Campaign)
	}
	return "/write?" + q.Encode()
}

var refRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// cleanRef keeps a partner or source code only when it is well formed.
func cleanRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if !refRe.MatchString(ref) {
		return ""
	}
	return ref
}

// earlierCopies describes the letters a duplicate repeats, member by
// member: when it was written, where that copy stands, and the link to its
// page when the new letter proves to come from the same person (same
// last name, street address and ZIP as well as email: an email alone is
// no key to someone's letter).
func (ld *letterDesk) earlierCopies(ctx context.Context, campaignID int64, in advocacy.LetterInput, ids []string) []templates.EarlierCopy {
	earlier, err := ld.store.EarlierLetters(ctx, campaignID, in.Email, ids)
	if err != nil {
		ld.logger.ErrorContext(ctx, "find earlier letters", "err", err)
	}
	var out []templates.EarlierCopy
	for _, id := range ids {
		ec := templates.EarlierCopy{Name: ld.read.memberLabel(id)}
		if l, ok := earlier[id]; ok {
			ec.Date = longDate(l.CreatedAt)
			for _, d := range l.Deliveries {
				if d.BioguideID == id {
					ec.State = copyState(l, d)
				}
			}
			if l.ErasedAt.IsZero() && sameSender(l, in) {
				ec.URL = "/letters/" + l.PublicID
			}
		}
		out = append(out, ec)
	}
	return out
}

// sameSender reports whether in carries the details of l's sender, beyond
// the email: last name, street address and ZIP code.
func sameSender(l advocacy.Letter, in advocacy.LetterInput) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	zip5 := func(s string) string { return s[:min(5, len(s))] }
	return norm(l.LastName) == norm(in.LastName) && norm(l.Address1) == norm(in.Address1) &&
		zip5(strings.TrimSpace(l.Zip)) == zip5(strings.TrimSpace(in.Zip)) && l.LastName != ""
}

// copyState says in a few words where an earlier copy stands.
func copyState(l advocacy.Letter, d advocacy.Delivery) string {
	switch {
	case !l.ErasedAt.IsZero():
		return "You have since deleted your details from it."
	case d.Status == advocacy.DeliveryConfirmedByUser:
		return "You told us you sent it on " + longDate(d.ConfirmedAt) + "."
	case d.Status == advocacy.DeliverySent || d.Status == advocacy.DeliveryDelivered:
		return "It reached the office on " + longDate(d.SentAt) + "."
	case l.Status == advocacy.LetterHeld:
		return "It is waiting for a check by the campaign."
	case d.Status == advocacy.DeliveryFailed:
		return "It could not be delivered electronically and is waiting for you to send it."
	case d.Channel == advocacy.ChannelCWC:
		return "It is on its way to the office electronically."
	}
	return "It is still waiting for you to send it yourself."
}
