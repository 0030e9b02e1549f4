package advocacy

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the rules for starting a campaign and moving it through
// its life: draft (visible only in the workspace), running (public, taking
// letters) and closed (public as a record, taking none).

// Limits on a new campaign.
const (
	CampaignMaxSlug  = 60
	CampaignMaxBills = 2
	SponsorMaxName   = 120
	SponsorMaxURL    = 300
	SponsorMaxAbout  = 500
	SponsorMaxPaid   = 200
)

// Label is a campaign status in words: "Draft", "Running" or "Closed".
// Running campaigns are stored as "active".
func (s CampaignStatus) Label() string {
	switch s {
	case CampaignDraft:
		return "Draft"
	case CampaignActive:
		return "Running"
	case CampaignClosed:
		return "Closed"
	}
	return string(s)
}

// ParseCampaignStatus reads a status as people write it: "draft",
// "running" (or "active", as it is stored) and "closed".
func ParseCampaignStatus(s string) (CampaignStatus, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "draft":
		return CampaignDraft, true
	case "running", "active", "open":
		return CampaignActive, true
	case "closed":
		return CampaignClosed, true
	}
	return "", false
}

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// reservedSlugs would clash with the workspace's and the site's own paths.
var reservedSlugs = []string{"new", "map-shapes", "index", "all", "running"}

// ValidSlug reports whether s can name a campaign in URLs: lowercase
// letters, digits and single hyphens, starting with a letter.
func ValidSlug(s string) bool {
	return len(s) >= 3 && len(s) <= CampaignMaxSlug && slugPattern.MatchString(s) && !slices.Contains(reservedSlugs, s)
}

// SlugFrom suggests a slug for a title: its words in lowercase joined by
// hyphens, cut to a sensible length.
func SlugFrom(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	s := strings.Join(words, "-")
	for len(s) > 40 {
		i := strings.LastIndexByte(s, '-')
		if i < 0 {
			s = s[:40]
			break
		}
		s = s[:i]
	}
	if s != "" && (s[0] < 'a' || s[0] > 'z') {
		s = "c-" + s
	}
	return s
}

// NewBill is a bill a new campaign asks about, with what it wants of it.
type NewBill struct {
	ID       string
	Position Position
	Goal     Goal
	Target   int
	// Title, SponsorID and IntroducedOn describe a bill the app does not
	// know yet; for a known bill they are ignored (its record is shared by
	// every campaign that asks about it). All are optional: an organizer
	// or the cosponsor sync can fill them in later.
	Title        string
	SponsorID    string
	IntroducedOn time.Time
}

// NewCampaign is a campaign about to be created.
type NewCampaign struct {
	Slug    string
	Title   string
	Summary string
	Ask     string
	Why     []string
	// Status is CampaignDraft or CampaignActive.
	Status  CampaignStatus
	Sponsor Sponsor
	Bills   []NewBill
	// CopyFrom names a campaign whose talking points and letter templates
	// the new one starts with (and its sponsor, when none is given).
	CopyFrom string
}

// NewBillInput is one bill of the creation form or command line, as typed.
type NewBillInput struct {
	ID, Position, Goal, Target   string
	Title, SponsorID, Introduced string
}

// NewCampaignInput is the creation form or command line, as typed.
type NewCampaignInput struct {
	Slug, Title, Summary, Ask, Why, Status string
	Sponsor                                Sponsor
	Bills                                  []NewBillInput
	CopyFrom                               string
}

// CampaignChecks is what the rules need to know beyond the input.
type CampaignChecks struct {
	Now time.Time
	// Known are the bills the app already has, by ID.
	Known map[string]Bill
	// ChamberOf gives a member's chamber from the reference data.
	ChamberOf func(bioguide string) (Chamber, bool)
}

// ValidateNewCampaign checks a new campaign and returns it normalised, or an
// *Error with Code CodeInvalid naming every bad field: "slug", "title",
// "ask", "summary", "why", "status", "bills", "sponsor_*", and for bill i
// (from 0) "bill0_id", "bill0_position", "bill0_goal", "bill0_target",
// "bill0_title", "bill0_sponsor", "bill0_introduced".
func ValidateNewCampaign(in NewCampaignInput, ck CampaignChecks) (NewCampaign, error) {
	bad := fieldErrors{}
	bills := validateNewBills(in.Bills, ck, bad)
	if strings.TrimSpace(in.Ask) == "" {
		in.Ask = DefaultAsk(bills)
	}
	text, err := ValidateCampaignText(CampaignText{Title: in.Title, Summary: in.Summary, Ask: in.Ask, Why: SplitLines(in.Why)}, "", "")
	if de, ok := err.(*Error); ok {
		for f, m := range de.Fields {
			bad.add(f, m)
		}
	}
	out := NewCampaign{Title: text.Title, Summary: text.Summary, Ask: text.Ask, Why: text.Why,
		CopyFrom: strings.TrimSpace(in.CopyFrom)}

	out.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if out.Slug == "" {
		out.Slug = SlugFrom(out.Title)
	}
	switch {
	case out.Slug == "":
		bad.add("slug", "Enter a short name for the campaign's address, like clean-water.")
	case slices.Contains(reservedSlugs, out.Slug):
		bad.add("slug", fmt.Sprintf("%q is used by the site itself; choose another name.", out.Slug))
	case !ValidSlug(out.Slug):
		bad.add("slug", "Use 3 to 60 lowercase letters, digits and single hyphens, starting with a letter, like clean-water-2027.")
	}

	switch st, ok := ParseCampaignStatus(in.Status); {
	case strings.TrimSpace(in.Status) == "":
		out.Status = CampaignDraft
	case !ok || st == CampaignClosed:
		bad.add("status", "Start the campaign as a draft (visible only in the workspace) or running (public).")
	default:
		out.Status = st
	}

	out.Sponsor = validateSponsor(in.Sponsor, bad)
	out.Bills = bills
	if out.Status == CampaignActive && len(out.Bills) > 0 && len(bad) == 0 {
		live := false
		for _, b := range out.Bills {
			_, _, congress, _ := ParseBillID(b.ID)
			live = live || !CongressNumbered(congress).Ended(ck.Now)
		}
		if !live {
			bad.add("status", "None of the bills can take letters, so the campaign cannot run yet; start it as a draft.")
		}
	}
	return out, bad.err()
}

// DefaultAsk is the ask of a campaign whose organizers wrote none: what it
// wants of members on each bill, like "Ask your members of Congress to
// cosponsor H.R. 1 and S. 2." It is empty without bills.
func DefaultAsk(bills []NewBill) string {
	var support, oppose []string
	for _, nb := range bills {
		typ, n, _, err := ParseBillID(nb.ID)
		if err != nil {
			continue
		}
		label := Bill{Type: typ, Number: n}.Label()
		if nb.Position == PositionOppose {
			oppose = append(oppose, label)
		} else {
			support = append(support, label)
		}
	}
	var parts []string
	if len(support) > 0 {
		parts = append(parts, "to cosponsor "+strings.Join(support, " and "))
	}
	switch len(oppose) {
	case 0:
	case 1:
		parts = append(parts, "not to support "+oppose[0]+", and its cosponsors to withdraw")
	default:
		parts = append(parts, "not to support "+strings.Join(oppose, " and ")+", and their cosponsors to withdraw")
	}
	if len(parts) == 0 {
		return ""
	}
	return "Ask your members of Congress " + strings.Join(parts, ", and ") + "."
}

// validateNewBills checks the bills of a new campaign: at least one, at
// most one per chamber, each valid by validateNewBill.
func validateNewBills(in []NewBillInput, ck CampaignChecks, bad fieldErrors) []NewBill {
	var out []NewBill
	chambers := map[Chamber]string{}
	rows := 0
	for i, bi := range in {
		if strings.TrimSpace(bi.ID) == "" && strings.TrimSpace(bi.Title) == "" && strings.TrimSpace(bi.SponsorID) == "" {
			continue // a row of the form left blank
		}
		rows++
		prefix := "bill" + strconv.Itoa(i) + "_"
		nb, ok := validateNewBill(bi, ck, bad, prefix)
		if !ok {
			continue
		}
		chamber := nb.chamber()
		switch {
		case slices.ContainsFunc(out, func(o NewBill) bool { return o.ID == nb.ID }):
			bad.add(prefix+"id", fmt.Sprintf("%s is listed twice.", nb.ID))
		case chambers[chamber] != "":
			bad.add(prefix+"id", fmt.Sprintf("%s and %s are both %s bills. A campaign asks about one bill in each chamber, so that each member gets one letter.",
				chambers[chamber], nb.ID, chamberName(chamber)))
		}
		chambers[chamber] = nb.ID
		out = append(out, nb)
	}
	if len(out) == 0 && !hasBillErrors(bad) {
		bad.add("bill0_id", "Add the bill the campaign is about, like hr1234-119.")
	}
	if rows > CampaignMaxBills {
		bad.add("bills", fmt.Sprintf("A campaign asks about at most %d bills, one in each chamber.", CampaignMaxBills))
	}
	return out
}

// chamber is the chamber of a checked bill.
func (nb NewBill) chamber() Chamber {
	typ, _, _, _ := ParseBillID(nb.ID)
	c, _ := ChamberOfBillType(typ)
	return c
}

// ValidateNewBill checks one bill added to a campaign, with its fields
// named "id", "position", "goal", "target", "title", "sponsor" and
// "introduced".
func ValidateNewBill(in NewBillInput, ck CampaignChecks) (NewBill, error) {
	bad := fieldErrors{}
	nb, _ := validateNewBill(in, ck, bad, "")
	return nb, bad.err()
}

// validateNewBill checks a bill of a Congress that has begun and not ended,
// with a position, a goal that fits it and a target within its chamber's
// seats. Field errors go to bad under prefix+name; ok is false when the ID
// itself is unusable.
func validateNewBill(bi NewBillInput, ck CampaignChecks, bad fieldErrors, prefix string) (nb NewBill, ok bool) {
	f := func(name string) string { return prefix + name }
	current := CongressAt(ck.Now)
	typ, number, congress, err := ParseBillID(bi.ID)
	if err != nil {
		bad.add(f("id"), fmt.Sprintf("%q is not a bill ID. Write the type, the number, a hyphen and the Congress, like hr1234-119 or s3103-119.", strings.TrimSpace(bi.ID)))
		return NewBill{}, false
	}
	nb.ID = BillID(typ, number, congress)
	chamber, _ := ChamberOfBillType(typ)
	term := CongressNumbered(congress)
	label := Bill{Type: typ, Number: number}.Label()
	switch {
	case congress > current.Number:
		bad.add(f("id"), fmt.Sprintf("%s cannot exist yet: the %s Congress begins on %s.", nb.ID, term.Ordinal(), term.Start.In(eastern).Format("January 2, 2006")))
	case term.Ended(ck.Now):
		bad.add(f("id"), fmt.Sprintf("%s died when the %s Congress ended on %s. Ask about the bill reintroduced in the %s Congress instead.",
			label, term.Ordinal(), term.EndDate().Format("January 2, 2006"), current.Ordinal()))
	}

	nb.Position = Position(strings.ToLower(strings.TrimSpace(bi.Position)))
	if nb.Position == "" {
		nb.Position = PositionSupport
	}
	if !nb.Position.Valid() {
		bad.add(f("position"), "Choose support (ask members to cosponsor) or oppose (ask them not to, or to withdraw).")
	}
	nb.Goal = Goal(strings.ToLower(strings.TrimSpace(bi.Goal)))
	if nb.Goal == "" && nb.Position.Valid() {
		nb.Goal = GoalsFor(nb.Position)[0]
	}
	if nb.Position.Valid() && !nb.Goal.ValidFor(nb.Position) {
		if nb.Position == PositionOppose {
			bad.add(f("goal"), "For a bill the campaign opposes, count the members not cosponsoring or the withdrawals.")
		} else {
			bad.add(f("goal"), "For a bill the campaign supports, progress counts its cosponsors.")
		}
	}
	seats := ChamberSeats(chamber)
	n, err := strconv.Atoi(strings.TrimSpace(bi.Target))
	switch {
	case strings.TrimSpace(bi.Target) == "":
		bad.add(f("target"), fmt.Sprintf("Enter a target, like %d for a majority of the %s.", seats/2+1, chamberName(chamber)))
	case err != nil:
		bad.add(f("target"), "Enter the target as a whole number, like 218.")
	case n < 0 || n > seats:
		bad.add(f("target"), fmt.Sprintf("The %s has %d seats: the target must be between 0 and %d.", chamberName(chamber), seats, seats))
	default:
		nb.Target = n
	}

	if known, ok := ck.Known[nb.ID]; ok {
		nb.Title, nb.SponsorID, nb.IntroducedOn = known.Title, known.SponsorID, known.IntroducedOn
		return nb, true
	}
	nb.Title = letterCollapse(bi.Title)
	bad.line(f("title"), "bill's title", nb.Title, BillMaxTitle, false)
	nb.SponsorID = strings.ToUpper(strings.TrimSpace(bi.SponsorID))
	if nb.SponsorID != "" {
		var ch Chamber
		known := false
		if ck.ChamberOf != nil {
			ch, known = ck.ChamberOf(nb.SponsorID)
		}
		switch {
		case !ValidBioguideID(nb.SponsorID):
			bad.add(f("sponsor"), "Enter the sponsor's bioguide ID: a capital letter and six digits, like M001205.")
		case !known:
			bad.add(f("sponsor"), nb.SponsorID+" is not a member in the reference data.")
		case ch != chamber:
			bad.add(f("sponsor"), fmt.Sprintf("%s is not a member of the %s, so cannot sponsor %s.", nb.SponsorID, chamberName(chamber), label))
		}
	}
	if nb.IntroducedOn, err = ParseFormDate(bi.Introduced); err != nil {
		bad.add(f("introduced"), "Use a date like 2025-11-04, or leave it empty.")
	} else if !nb.IntroducedOn.IsZero() && (nb.IntroducedOn.Before(term.Start.Truncate(24*time.Hour)) || nb.IntroducedOn.After(ck.Now)) {
		bad.add(f("introduced"), fmt.Sprintf("A bill of the %s Congress is introduced between %s and today.", term.Ordinal(), term.Start.In(eastern).Format("January 2, 2006")))
	}
	return nb, true
}

// CheckAddBill checks that bill nb can join campaign c: not already one of
// its bills, and in a chamber where c has no current bill still alive (a
// bill that died is replaced, not added beside).
func CheckAddBill(c Campaign, nb NewBill) error {
	if _, ok := c.Bill(nb.ID); ok {
		return Invalid("id", fmt.Sprintf("%s is already one of the campaign's bills.", nb.ID))
	}
	for _, b := range c.Bills {
		if b.Chamber == nb.chamber() {
			return Invalid("id", fmt.Sprintf("The campaign already asks about %s in the %s, and each member gets one letter. "+
				"To move the campaign to a bill reintroduced in a new Congress, replace %s with it.", b.Label(), chamberName(b.Chamber), b.Label()))
		}
	}
	if len(c.Bills) >= CampaignMaxBills {
		return Invalid("id", fmt.Sprintf("A campaign asks about at most %d bills, one in each chamber.", CampaignMaxBills))
	}
	return nil
}

// CheckReplacement checks that nb can take the place of old in campaign c:
// old is one of c's current bills, nb is a different bill of the same
// chamber, of old's Congress or a later one, not already in the campaign,
// and keeps old's position.
func CheckReplacement(c Campaign, old Bill, nb NewBill) error {
	_, _, congress, err := ParseBillID(nb.ID)
	switch {
	case err != nil:
		return err
	case old.SucceededBy != "":
		return &Error{Code: CodeConflict, Message: fmt.Sprintf("%s was already replaced by %s.", old.Label(), old.SucceededBy)}
	case nb.ID == old.ID:
		return Invalid("id", "Enter the new bill's ID: the reintroduced bill has a new number, in a new Congress.")
	case nb.chamber() != old.Chamber:
		return Invalid("id", fmt.Sprintf("%s is a %s bill; the bill that replaces it must be a %s bill too, so the same members are asked.",
			old.Label(), chamberName(old.Chamber), chamberName(old.Chamber)))
	case congress < old.Congress:
		return Invalid("id", fmt.Sprintf("The bill that replaces %s must be of the %s Congress or a later one.", old.Label(), Ordinal(old.Congress)))
	case nb.Position != old.Position.OrSupport():
		return Invalid("position", "The bill that replaces another keeps its position.")
	}
	if _, ok := c.Bill(nb.ID); ok {
		return Invalid("id", fmt.Sprintf("%s is already one of the campaign's bills.", nb.ID))
	}
	return nil
}

func hasBillErrors(bad fieldErrors) bool {
	for f := range bad {
		if strings.HasPrefix(f, "bill") {
			return true
		}
	}
	return false
}

// validateSponsor checks the organisation behind a campaign. Every field
// is optional; what is given must be usable: a web address that starts
// with https:// or http://, an email address, and short lines.
func validateSponsor(s Sponsor, bad fieldErrors) Sponsor {
	s.Name = letterCollapse(s.Name)
	s.URL = strings.TrimSpace(s.URL)
	s.Email = strings.TrimSpace(s.Email)
	s.About = letterCollapse(s.About)
	s.PaidForBy = letterCollapse(s.PaidForBy)
	bad.line("sponsor_name", "organisation's name", s.Name, SponsorMaxName, false)
	bad.line("sponsor_about", "description", s.About, SponsorMaxAbout, false)
	bad.line("paid_for_by", "paid-for-by line", s.PaidForBy, SponsorMaxPaid, false)
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || utf8.RuneCountInString(s.URL) > SponsorMaxURL {
			bad.add("sponsor_url", "Enter the organisation's web address, starting with https://.")
		}
	}
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || a.Name != "" {
			bad.add("sponsor_email", "Enter an email address like info@example.org.")
		}
	}
	if (s.URL != "" || s.Email != "" || s.About != "" || s.PaidForBy != "") && s.Name == "" {
		bad.add("sponsor_name", "Name the organisation that runs the campaign.")
	}
	return s
}

// StatusChange checks a move of campaign c to status to at now: a draft
// opens (running) once it has a bill that can take letters; a running
// campaign closes; a closed one may run again; nothing that has been
// public goes back to draft, which would hide its record.
func StatusChange(c Campaign, to CampaignStatus, now time.Time) error {
	if to != CampaignDraft && to != CampaignActive && to != CampaignClosed {
		return Invalid("status", "Choose draft, running or closed.")
	}
	switch {
	case to == c.Status:
		return &Error{Code: CodeConflict, Message: "The campaign is already " + strings.ToLower(to.Label()) + "."}
	case to == CampaignDraft:
		return &Error{Code: CodeConflict, Message: "A campaign that has been public cannot become a draft again; close it instead, and its pages stay as a record."}
	case to == CampaignClosed && c.Status == CampaignDraft:
		return &Error{Code: CodeConflict, Message: "A draft has never been public, so there is nothing to close. Open it, or leave it as a draft."}
	case to == CampaignActive && len(c.LiveBills(now)) == 0:
		return Invalid("status", "The campaign has no bill that can take letters (a bill of a Congress that has not ended). Add one before opening it.")
	}
	return nil
}
