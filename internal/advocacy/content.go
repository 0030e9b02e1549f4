package advocacy

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the rules for what organizers may write into a campaign:
// its text, bills, cosponsors, talking points and letter templates. Every
// Validate function returns the input normalised, or an *Error with Code
// CodeInvalid naming each bad form field.

// Limits on campaign content, in characters.
const (
	CampaignMaxTitle      = 120
	CampaignMaxSummary    = 600
	CampaignMaxAsk        = 300
	CampaignMaxWhy        = 5
	CampaignMaxWhyLen     = 400
	BillMaxTitle          = 300
	BillMaxStatus         = 100
	BillMaxCommittees     = 300
	BillMaxTarget         = 435
	TalkingPointMaxTitle  = 200
	TalkingPointMaxBody   = 10000
	TalkingPointMaxSource = 10
	TemplateMaxSubject    = 200
	TemplateMaxBody       = 5000
)

type fieldErrors map[string]string

func (f fieldErrors) add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: f}
}

// line checks a single-line field.
func (f fieldErrors) line(field, label, v string, maxLen int, required bool) {
	switch {
	case v == "" && required:
		f.add(field, "Enter the "+label+".")
	case HasControlChars(v, false):
		f.add(field, "The "+label+" contains characters that cannot be shown.")
	case utf8.RuneCountInString(v) > maxLen:
		f.add(field, fmt.Sprintf("Keep the %s to %d characters (it has %d).", label, maxLen, utf8.RuneCountInString(v)))
	}
}

// text checks a multi-line field.
func (f fieldErrors) text(field, label, v string, maxLen int, required bool) {
	switch {
	case v == "" && required:
		f.add(field, "Enter the "+label+".")
	case HasControlChars(v, true):
		f.add(field, "The "+label+" contains characters that cannot be shown.")
	case utf8.RuneCountInString(v) > maxLen:
		f.add(field, fmt.Sprintf("Keep the %s to %d characters (it has %d).", label, maxLen, utf8.RuneCountInString(v)))
	}
}

// ParseFormDate reads an optional date field: empty is the zero time.
func ParseFormDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return t, nil
}

// CampaignText is the part of a campaign an organizer edits as text. Its
// status changes only through StatusChange's rules.
type CampaignText struct {
	Title    string
	Summary  string
	Ask      string
	Why      []string
	StartsOn time.Time
	EndsOn   time.Time
	// Sponsor is the organisation that runs the campaign, shown in every
	// footer and named to the offices.
	Sponsor Sponsor
}

// TextOf returns the editable text of c.
func TextOf(c Campaign) CampaignText {
	return CampaignText{Title: c.Title, Summary: c.Summary, Ask: c.Ask, Why: c.Why,
		StartsOn: c.StartsOn, EndsOn: c.EndsOn, Sponsor: c.Sponsor}
}

// SplitLines splits a textarea into its non-blank lines, trimmed.
func SplitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ValidateCampaignText checks a campaign's text. Dates come in as form
// strings so a malformed one is reported against its field.
func ValidateCampaignText(t CampaignText, startsOn, endsOn string) (CampaignText, error) {
	bad := fieldErrors{}
	t.Title = letterCollapse(t.Title)
	t.Summary = letterText(t.Summary)
	t.Ask = letterCollapse(t.Ask)
	bad.line("title", "title", t.Title, CampaignMaxTitle, true)
	bad.text("summary", "summary", t.Summary, CampaignMaxSummary, false)
	bad.line("ask", "ask", t.Ask, CampaignMaxAsk, true)
	why := make([]string, 0, len(t.Why))
	for _, w := range t.Why {
		if w = letterCollapse(w); w != "" {
			why = append(why, w)
		}
	}
	t.Why = why
	switch {
	case len(why) > CampaignMaxWhy:
		bad.add("why", fmt.Sprintf("Give at most %d points, one per line.", CampaignMaxWhy))
	default:
		for i, w := range why {
			if utf8.RuneCountInString(w) > CampaignMaxWhyLen || HasControlChars(w, false) {
				bad.add("why", fmt.Sprintf("Point %d is longer than %d characters.", i+1, CampaignMaxWhyLen))
			}
		}
	}
	var err error
	if t.StartsOn, err = ParseFormDate(startsOn); err != nil {
		bad.add("starts_on", "Use a date like 2026-01-31.")
	}
	if t.EndsOn, err = ParseFormDate(endsOn); err != nil {
		bad.add("ends_on", "Use a date like 2026-12-31.")
	}
	if !t.StartsOn.IsZero() && !t.EndsOn.IsZero() && t.EndsOn.Before(t.StartsOn) {
		bad.add("ends_on", "The campaign cannot end before it starts.")
	}
	t.Sponsor = validateSponsor(t.Sponsor, bad)
	return t, bad.err()
}

// BillEdit is what an organizer may change on a bill: not its identity
// (chamber, number, Congress) or sponsor, which come from Congress.
type BillEdit struct {
	Title        string
	Status       string
	Committees   string
	Target       int
	IntroducedOn time.Time
	// Position and Goal are what the campaign wants of the bill; the
	// position can change only while the campaign is a draft. Empty keeps
	// what the bill has.
	Position Position
	Goal     Goal
}

// EditOf returns the editable fields of b.
func EditOf(b Bill) BillEdit {
	return BillEdit{Title: b.Title, Status: b.Status, Committees: b.Committees, Target: b.Target, IntroducedOn: b.IntroducedOn,
		Position: b.Position, Goal: b.Goal}
}

// CheckBillEdit checks edit e of bill b in campaign c: the position of a
// bill is fixed once the campaign has been public (letters went out saying
// it), and the target fits the chamber.
func CheckBillEdit(c Campaign, b Bill, e BillEdit) error {
	if e.Position != "" && e.Position != b.Position.OrSupport() && c.Status != CampaignDraft {
		return Invalid("position", "The campaign's position on "+b.Label()+" cannot change once the campaign has been public: its letters said it. Start a new campaign instead.")
	}
	if seats := ChamberSeats(b.Chamber); e.Target > seats {
		return Invalid("target", fmt.Sprintf("The %s has %d seats: the target must be between 0 and %d.", chamberName(b.Chamber), seats, seats))
	}
	return nil
}

// ValidateBillEdit checks a bill edit; target and introduced come in as form
// strings.
func ValidateBillEdit(e BillEdit, target, introduced string) (BillEdit, error) {
	bad := fieldErrors{}
	e.Title = letterCollapse(e.Title)
	e.Status = letterCollapse(e.Status)
	e.Committees = letterCollapse(e.Committees)
	bad.line("title", "title", e.Title, BillMaxTitle, true)
	bad.line("status", "status", e.Status, BillMaxStatus, false)
	bad.line("committees", "committees", e.Committees, BillMaxCommittees, false)
	n, err := strconv.Atoi(strings.TrimSpace(target))
	switch {
	case err != nil:
		bad.add("target", "Enter the target as a whole number, like 218.")
	case n < 0 || n > BillMaxTarget:
		bad.add("target", fmt.Sprintf("The target must be between 0 and %d.", BillMaxTarget))
	default:
		e.Target = n
	}
	if e.IntroducedOn, err = ParseFormDate(introduced); err != nil {
		bad.add("introduced_on", "Use a date like 2025-11-04.")
	}
	if e.Position != "" || e.Goal != "" {
		switch {
		case !e.Position.Valid():
			bad.add("position", "Choose support or oppose.")
		case e.Goal == "":
			e.Goal = GoalsFor(e.Position)[0]
		case !e.Goal.ValidFor(e.Position):
			bad.add("goal", "Choose what progress counts for the bill's position.")
		}
	}
	return e, bad.err()
}

// ValidateCosponsor checks a cosponsor entered by hand for bill b: a known
// member (chamberOf gives a known member's chamber) of b's chamber who is
// not its sponsor, joined on a valid date not before the bill was
// introduced, and withdrawn (if at all) on or after joining.
func ValidateCosponsor(b Bill, bioguide, joined, withdrawn string, original bool,
	chamberOf func(string) (Chamber, bool)) (Cosponsor, error) {
	bad := fieldErrors{}
	c := Cosponsor{BioguideID: strings.ToUpper(strings.TrimSpace(bioguide)), Original: original}
	if !ValidBioguideID(c.BioguideID) {
		bad.add("bioguide", "Enter a bioguide ID: a capital letter and six digits, like M001205.")
	} else if ch, ok := chamberOf(c.BioguideID); !ok {
		bad.add("bioguide", c.BioguideID+" is not a member of the current Congress in the reference data.")
	} else if c.BioguideID == b.SponsorID {
		bad.add("bioguide", c.BioguideID+" is the sponsor of "+b.Label()+", not a cosponsor.")
	} else if ch != b.Chamber {
		bad.add("bioguide", fmt.Sprintf("%s is not a member of the %s, so cannot cosponsor %s.", c.BioguideID, chamberName(b.Chamber), b.Label()))
	}
	var err error
	if c.JoinedOn, err = ParseFormDate(joined); err != nil || c.JoinedOn.IsZero() {
		bad.add("joined_on", "Enter the date they joined, like 2025-11-04.")
	} else if !b.IntroducedOn.IsZero() && c.JoinedOn.Before(b.IntroducedOn) {
		bad.add("joined_on", "They cannot have joined before the bill was introduced ("+b.IntroducedOn.Format(DateLayout)+").")
	}
	if c.WithdrawnOn, err = ParseFormDate(withdrawn); err != nil {
		bad.add("withdrawn_on", "Use a date like 2026-01-31, or leave it empty.")
	} else if !c.WithdrawnOn.IsZero() && !c.JoinedOn.IsZero() && c.WithdrawnOn.Before(c.JoinedOn) {
		bad.add("withdrawn_on", "They cannot have withdrawn before they joined.")
	}
	return c, bad.err()
}

// ValidateTalkingPoint checks a talking point; sources come as a textarea
// with one "Title | https://address" per line (the address is optional).
func ValidateTalkingPoint(tp TalkingPoint, sources string) (TalkingPoint, error) {
	bad := fieldErrors{}
	tp.Title = letterCollapse(tp.Title)
	tp.BodyMD = letterText(tp.BodyMD)
	if !tp.Audience.Valid() {
		bad.add("audience", "Choose constituents, business groups or press.")
	}
	bad.line("title", "title", tp.Title, TalkingPointMaxTitle, true)
	bad.text("body_md", "text", tp.BodyMD, TalkingPointMaxBody, true)
	srcs, err := ParseSources(sources)
	if err != nil {
		bad.add("sources", err.Error())
	}
	tp.Sources = srcs
	return tp, bad.err()
}

// ParseSources reads one source per line: "Title | https://address" or just
// "Title" for a print source.
func ParseSources(s string) ([]Source, error) {
	out := []Source{}
	for i, l := range SplitLines(s) {
		title, link, _ := strings.Cut(l, "|")
		src := Source{Title: letterCollapse(title), URL: strings.TrimSpace(link)}
		if src.Title == "" {
			return nil, Invalid("sources", fmt.Sprintf("Source %d needs a title before the |.", i+1))
		}
		if HasControlChars(src.Title, false) {
			return nil, Invalid("sources", fmt.Sprintf("Source %d's title has a character that cannot be shown (such as a tab or a control code).", i+1))
		}
		if utf8.RuneCountInString(src.Title) > 400 {
			return nil, Invalid("sources", fmt.Sprintf("Source %d's title is longer than 400 characters.", i+1))
		}
		if src.URL != "" {
			u, err := url.Parse(src.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(src.URL) > 2000 {
				return nil, Invalid("sources", fmt.Sprintf("Source %d's address must start with https:// or http://.", i+1))
			}
		}
		out = append(out, src)
	}
	if len(out) > TalkingPointMaxSource {
		return nil, Invalid("sources", fmt.Sprintf("Give at most %d sources.", TalkingPointMaxSource))
	}
	return out, nil
}

// FormatSources writes sources back in the form ParseSources reads.
func FormatSources(ss []Source) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Title)
		if s.URL != "" {
			b.WriteString(" | ")
			b.WriteString(s.URL)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TemplateKinds lists every letter template kind in the order the editor
// shows them: the three for a supported bill, then the three for an
// opposed one.
func TemplateKinds() []TemplateKind {
	return []TemplateKind{TemplateAsk, TemplateThank, TemplateWithdrew, TemplateOppose, TemplateUrgeWithdraw, TemplateThankWithdrawal}
}

// TemplateKindsFor lists the template kinds a bill with position p uses.
func TemplateKindsFor(p Position) []TemplateKind {
	if p == PositionOppose {
		return []TemplateKind{TemplateOppose, TemplateUrgeWithdraw, TemplateThankWithdrawal}
	}
	return []TemplateKind{TemplateAsk, TemplateThank, TemplateWithdrew}
}

// TemplateKindsOf lists the template kinds campaign c's current bills use,
// in editor order.
func TemplateKindsOf(c Campaign) []TemplateKind {
	used := map[Position]bool{}
	for _, b := range c.Bills {
		used[b.Position.OrSupport()] = true
	}
	if len(used) == 0 {
		used[PositionSupport] = true
	}
	var out []TemplateKind
	for _, p := range Positions() {
		if used[p] {
			out = append(out, TemplateKindsFor(p)...)
		}
	}
	return out
}

// Valid reports whether k is a known template kind.
func (k TemplateKind) Valid() bool {
	return slices.Contains(TemplateKinds(), k)
}

// Label describes when a kind of letter is used.
func (k TemplateKind) Label() string {
	switch k {
	case TemplateAsk:
		return "Ask: to members who have not cosponsored"
	case TemplateThank:
		return "Thanks: to the sponsor and cosponsors"
	case TemplateWithdrew:
		return "Withdrew: to members who withdrew"
	case TemplateOppose:
		return "Oppose: to members who have not cosponsored a bill the campaign opposes"
	case TemplateUrgeWithdraw:
		return "Withdraw: to the sponsor and cosponsors of a bill the campaign opposes"
	case TemplateThankWithdrawal:
		return "Thanks for withdrawing: to members who withdrew from a bill the campaign opposes"
	}
	return string(k)
}

// MergeFieldNames lists the merge fields templates may use.
func MergeFieldNames() []string {
	return []string{"member_title", "member_name", "member_last_name", "bill", "constituent_name", "constituent_city"}
}

// ValidateLetterTemplate checks a letter template: a one-line subject, a
// body, and only known merge fields in either.
func ValidateLetterTemplate(t LetterTemplate) (LetterTemplate, error) {
	bad := fieldErrors{}
	t.Subject = letterCollapse(t.Subject)
	t.Body = letterText(t.Body)
	if !t.Kind.Valid() {
		bad.add("kind", "Choose one of the letter kinds: ask, thank, withdrew, oppose, urge_withdraw or thank_withdrawal.")
	}
	bad.line("subject", "subject", t.Subject, TemplateMaxSubject, true)
	bad.text("body", "letter", t.Body, TemplateMaxBody, true)
	for _, f := range []struct{ field, v string }{{"subject", t.Subject}, {"body", t.Body}} {
		if unknown := UnknownMergeFields(f.v); len(unknown) > 0 {
			bad.add(f.field, fmt.Sprintf("Unknown merge field {{%s}}. Use only {{%s}}.",
				strings.Join(unknown, "}}, {{"), strings.Join(MergeFieldNames(), "}}, {{")))
		}
	}
	checkMergedLengths(bad, t)
	return t, bad.err()
}

// MergeNameMax is the longest member name the merge-field checks assume;
// the longest in the 119th Congress has 30 characters.
const MergeNameMax = 50

// mergeShortest and mergeLongest are the extreme values the merge fields
// can take, for checking a template against CWC's limits before any letter
// uses it.
var (
	mergeShortest = MergeFields{MemberTitle: "Senator", MemberName: "Al", Bill: "S. 1",
		ConstituentName: "A B", ConstituentCity: "Ely"}
	mergeLongest = MergeFields{MemberTitle: "Resident Commissioner", MemberName: strings.Repeat("m", MergeNameMax),
		Bill: "H.Con.Res. 99999", ConstituentName: strings.Repeat("n", 2*LetterMaxName+1),
		ConstituentCity: strings.Repeat("c", LetterMaxCity)}
)

// checkMergedLengths checks that a template stays within what CWC takes
// once its merge fields are filled in, with the shortest and the longest
// names: a subject of CWCMinSubject to CWCMaxSubject characters and a
// letter of CWCMinText to CWCMaxText.
func checkMergedLengths(bad fieldErrors, t LetterTemplate) {
	for _, f := range []struct {
		field, noun, text string
		minLen, maxLen    int
	}{
		{"subject", "subject", t.Subject, CWCMinSubject, CWCMaxSubject},
		{"body", "letter", t.Body, CWCMinText, CWCMaxText},
	} {
		if _, ok := bad[f.field]; ok || f.text == "" {
			continue
		}
		short := utf8.RuneCountInString(RenderTemplate(f.text, mergeShortest))
		long := utf8.RuneCountInString(RenderTemplate(f.text, mergeLongest))
		switch {
		case long > f.maxLen:
			bad.add(f.field, fmt.Sprintf("With the longest names filled in, this %s reaches %d characters; Congress’s system takes at most %d. Shorten it or use fewer merge fields.", f.noun, long, f.maxLen))
		case short < f.minLen:
			bad.add(f.field, fmt.Sprintf("With short names filled in, this %s has only %d characters; Congress’s system needs at least %d.", f.noun, short, f.minLen))
		}
	}
}

// ValidateRejectReason checks the reason an organizer gives for rejecting a
// held letter: required, one short paragraph.
func ValidateRejectReason(reason string) (string, error) {
	bad := fieldErrors{}
	reason = letterText(reason)
	bad.text("reason", "reason", reason, 500, true)
	return reason, bad.err()
}

// HeldLetter is a letter waiting for moderation, with its campaign's slug.
type HeldLetter struct {
	Letter       Letter
	CampaignSlug string
}
