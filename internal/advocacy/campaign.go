package advocacy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DateLayout is how calendar dates are written in storage and in the API.
const DateLayout = "2006-01-02"

// CampaignStatus is where a campaign is in its life.
type CampaignStatus string

// The campaign statuses.
const (
	CampaignDraft  CampaignStatus = "draft"
	CampaignActive CampaignStatus = "active"
	CampaignClosed CampaignStatus = "closed"
)

// Campaign is one advocacy campaign: what it asks of Congress, why, and the
// bills it counts cosponsors on.
type Campaign struct {
	ID      int64
	Slug    string
	Title   string
	Summary string
	// Ask is the campaign's request in one sentence.
	Ask    string
	Why    []string
	Status CampaignStatus
	// StartsOn and EndsOn are calendar dates; zero when open.
	StartsOn time.Time
	EndsOn   time.Time
	// CWCCampaignID identifies the campaign to the House's Communicating
	// with Congress service.
	CWCCampaignID string
	// Sponsor is the organisation that runs the campaign.
	Sponsor   Sponsor
	CreatedAt time.Time
	// UpdatedAt is when the campaign or anything under it last changed.
	UpdatedAt time.Time
	// Bills are the bills the campaign asks about now, in display order,
	// with cosponsors. A bill whose Congress ended stays here until an
	// organizer adds the bill reintroduced in its place.
	Bills []Bill
	// PastBills are bills the campaign asked about before they were
	// replaced by a reintroduced bill (each names it in SucceededBy), kept
	// with their cosponsors as the campaign's history.
	PastBills []Bill
}

// Running reports whether the campaign is open to the public and takes
// letters (its bills permitting).
func (c Campaign) Running() bool { return c.Status == CampaignActive }

// Public reports whether the campaign's pages are public: running or
// closed, never a draft.
func (c Campaign) Public() bool { return c.Status == CampaignActive || c.Status == CampaignClosed }

// Bill returns the campaign's bill with id, current or past.
func (c Campaign) Bill(id string) (Bill, bool) {
	for _, list := range [][]Bill{c.Bills, c.PastBills} {
		for _, b := range list {
			if b.ID == id {
				return b, true
			}
		}
	}
	return Bill{}, false
}

// LiveBills are the campaign's current bills whose Congress has not ended
// at now: the ones letters can be about.
func (c Campaign) LiveBills(now time.Time) []Bill {
	var out []Bill
	for _, b := range c.Bills {
		if !b.Expired(now) {
			out = append(out, b)
		}
	}
	return out
}

// Predecessors returns, newest first, the past bills that b replaced.
func (c Campaign) Predecessors(b Bill) []Bill {
	var out []Bill
	for id := b.Succeeds; id != ""; {
		prev, ok := c.Bill(id)
		if !ok || len(out) > len(c.PastBills) {
			break
		}
		out = append(out, prev)
		id = prev.Succeeds
	}
	return out
}

// Sponsor is the organisation behind a campaign: shown in the footer of its
// pages ("paid for by"), offered as its contact, and sent to Congress as the
// CWC Organization. Every field is empty until an organizer fills it in.
type Sponsor struct {
	Name  string
	URL   string
	Email string
	// About is one or two sentences on the organisation (CWC allows 500
	// characters).
	About string
	// PaidForBy is the disclaimer line, such as "Paid for by Example
	// Alliance"; empty shows no line.
	PaidForBy string
}

// BillFor returns the campaign's bill in a chamber, if it has one.
func (c Campaign) BillFor(ch Chamber) (Bill, bool) {
	for _, b := range c.Bills {
		if b.Chamber == ch {
			return b, true
		}
	}
	return Bill{}, false
}

// Bill is a bill of Congress as a campaign sees it: the bill's own facts
// (shared by every campaign that asks about it) with what this campaign
// wants of it (position, goal, target) and its place in the campaign's
// history of reintroductions.
type Bill struct {
	// ID is the stable public name, like "hr5917-119".
	ID string
	// CampaignID is the campaign the bill was read for.
	CampaignID int64
	Chamber    Chamber
	Congress   int
	// Type is "hr" or "s".
	Type   string
	Number int
	Title  string
	// SponsorID is the sponsor's bioguide ID.
	SponsorID    string
	IntroducedOn time.Time
	// Committees names the committee(s) the bill was referred to, in words.
	Committees string
	// Status is the bill's legislative status, in words ("Introduced").
	Status string
	// Position is what the campaign wants of the bill.
	Position Position
	// Goal is what the campaign's progress on the bill counts.
	Goal Goal
	// Target is the count the campaign aims for.
	Target int
	// SucceededBy is the ID of the bill that replaced this one in the
	// campaign (reintroduced in a later Congress); empty while it is current.
	SucceededBy string
	// Succeeds is the ID of the bill this one replaced, if any.
	Succeeds string
	// CosponsorsAsOf is when the cosponsor list was last known complete;
	// zero when never.
	CosponsorsAsOf time.Time
	// Cosponsors are everyone on record, withdrawn ones included.
	Cosponsors []Cosponsor
}

// Bill types: Congress.gov's lowercase abbreviations. House bills and
// Senate bills are the usual ones; joint, concurrent and simple resolutions
// can be cosponsored too.
const (
	BillTypeHouse  = "hr"
	BillTypeSenate = "s"
)

// billTypes maps each bill type to its chamber and its written prefix.
var billTypes = map[string]struct {
	chamber Chamber
	prefix  string
}{
	"hr": {House, "H.R."}, "hjres": {House, "H.J.Res."}, "hconres": {House, "H.Con.Res."}, "hres": {House, "H.Res."},
	"s": {Senate, "S."}, "sjres": {Senate, "S.J.Res."}, "sconres": {Senate, "S.Con.Res."}, "sres": {Senate, "S.Res."},
}

// ChamberOfBillType is the chamber a bill of type t is introduced in.
func ChamberOfBillType(t string) (Chamber, bool) {
	bt, ok := billTypes[t]
	return bt.chamber, ok
}

// Label is the bill's usual written name: "H.R. 5917", "S. 3103", "H.J.Res. 12".
func (b Bill) Label() string {
	if bt, ok := billTypes[b.Type]; ok {
		return bt.prefix + " " + strconv.Itoa(b.Number)
	}
	return strings.ToUpper(b.Type) + " " + strconv.Itoa(b.Number)
}

// Term is the Congress the bill belongs to.
func (b Bill) Term() Congress { return CongressNumbered(b.Congress) }

// Expired reports whether the bill's Congress has ended at now: unless it
// was enacted, the bill died then and can gain or lose no cosponsors.
func (b Bill) Expired(now time.Time) bool { return b.Term().Ended(now) }

// LabelWithCongress is the label with its Congress: "H.R. 5917 (119th Congress)".
func (b Bill) LabelWithCongress() string {
	return b.Label() + " (" + Ordinal(b.Congress) + " Congress)"
}

// DisplayTitle is the bill's title, or its label while no title is recorded.
func (b Bill) DisplayTitle() string {
	if strings.TrimSpace(b.Title) == "" {
		return b.Label()
	}
	return b.Title
}

// Cosponsor returns the record of a member on the bill, if any.
func (b Bill) Cosponsor(bioguide string) (Cosponsor, bool) {
	for _, c := range b.Cosponsors {
		if c.BioguideID == bioguide {
			return c, true
		}
	}
	return Cosponsor{}, false
}

// Progress is the bill's progress towards its target, counting what its
// goal counts.
func (b Bill) Progress() Progress {
	return NewProgress(b.GoalCount(), b.Target)
}

// GoalCount is what the bill's goal counts: active cosponsors, withdrawals,
// or voting seats neither sponsoring nor cosponsoring.
func (b Bill) GoalCount() int {
	switch b.Goal {
	case GoalWithdrawals:
		return len(b.Cosponsors) - ActiveCount(b.Cosponsors)
	case GoalNotCosponsoring:
		taken := ActiveCount(b.Cosponsors)
		if b.SponsorID != "" {
			taken++
		}
		return max(ChamberSeats(b.Chamber)-taken, 0)
	}
	return ActiveCount(b.Cosponsors)
}

// MovedOn is the day the member with bioguide ID came to stand where the
// campaign wants them through their own act: the day an active cosponsor
// joined a bill the campaign supports, or the day a cosponsor withdrew
// from one it opposes. ok is false for everyone else (a sponsor, or a
// member who never acted on the bill).
func (b Bill) MovedOn(bioguide string) (day time.Time, ok bool) {
	c, found := b.Cosponsor(bioguide)
	switch {
	case !found:
		return time.Time{}, false
	case b.Position == PositionOppose:
		return c.WithdrawnOn, !c.Active()
	default:
		return c.JoinedOn, c.Active() && !c.JoinedOn.IsZero()
	}
}

// Wants reports whether the member with bioguide ID already stands where
// the campaign wants them on b: a sponsor or active cosponsor of a bill it
// supports, or off a bill it opposes (never on it, or withdrawn).
func (b Bill) Wants(bioguide string) bool {
	on := b.SponsorID == bioguide
	if c, ok := b.Cosponsor(bioguide); ok && c.Active() {
		on = true
	}
	if b.Position == PositionOppose {
		return !on
	}
	return on
}

// BillID builds the public name of a bill: BillID("hr", 5917, 119) is "hr5917-119".
func BillID(billType string, number, congress int) string {
	return billType + strconv.Itoa(number) + "-" + strconv.Itoa(congress)
}

var billIDPattern = regexp.MustCompile(`^(hr|s|hjres|sjres|hconres|sconres|hres|sres)([1-9][0-9]{0,4})-([1-9][0-9]{0,2})$`)

// ParseBillID splits "hr5917-119" into its type, number and Congress. It
// accepts Congress.gov's bill types: hr and s (bills), hjres and sjres,
// hconres and sconres, hres and sres (resolutions).
func ParseBillID(id string) (billType string, number, congress int, err error) {
	m := billIDPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(id)))
	if m == nil {
		return "", 0, 0, Invalid("bill", fmt.Sprintf("%q is not a bill ID like hr5917-119 or s3103-119 (type, number, a hyphen, the Congress).", id))
	}
	number, _ = strconv.Atoi(m[2])
	congress, _ = strconv.Atoi(m[3])
	return m[1], number, congress, nil
}

// Cosponsor is a member's cosponsorship of a bill.
type Cosponsor struct {
	BioguideID string
	JoinedOn   time.Time
	// Original is true for cosponsors recorded on the day the bill was introduced.
	Original bool
	// WithdrawnOn is zero unless the member withdrew.
	WithdrawnOn time.Time
}

// Active reports whether the cosponsorship stands (was not withdrawn).
func (c Cosponsor) Active() bool { return c.WithdrawnOn.IsZero() }

// ActiveCount counts the cosponsors who have not withdrawn.
func ActiveCount(cs []Cosponsor) int {
	n := 0
	for _, c := range cs {
		if c.Active() {
			n++
		}
	}
	return n
}

// Progress is a count of cosponsors against a target.
type Progress struct {
	Count  int
	Target int
	// Percent is Count/Target in whole percent, rounded down; it can pass
	// 100 when the target is exceeded, and is 0 when there is no target.
	Percent int
	// Bar is Percent capped at 100, for drawing.
	Bar int
	// Remaining is how many more are needed; 0 once the target is reached.
	Remaining int
	// Reached is true once Count meets a positive Target.
	Reached bool
}

// NewProgress computes progress of count against target. A target of zero
// or less means "no target": nothing is reached and the bar stays empty.
func NewProgress(count, target int) Progress {
	count = max(count, 0)
	p := Progress{Count: count, Target: max(target, 0)}
	if p.Target == 0 {
		return p
	}
	p.Percent = count * 100 / p.Target
	p.Bar = min(p.Percent, 100)
	p.Remaining = max(p.Target-count, 0)
	p.Reached = count >= p.Target
	return p
}

// PartyCount is how many cosponsors belong to one party.
type PartyCount struct {
	// Party is "Republican", "Democrat", "Independent", or "Unknown" for a
	// member the reference data no longer lists.
	Party string
	Count int
}

// PartyUnknown labels cosponsors whose party is not known.
const PartyUnknown = "Unknown"

// PartyBreakdown counts the active cosponsors by party, largest first (ties
// by name). party looks a member's party up by bioguide ID.
func PartyBreakdown(cs []Cosponsor, party func(bioguide string) (string, bool)) []PartyCount {
	counts := map[string]int{}
	for _, c := range cs {
		if !c.Active() {
			continue
		}
		p, ok := party(c.BioguideID)
		if !ok || p == "" {
			p = PartyUnknown
		}
		counts[p]++
	}
	out := make([]PartyCount, 0, len(counts))
	for p, n := range counts {
		out = append(out, PartyCount{Party: p, Count: n})
	}
	slices.SortFunc(out, func(a, b PartyCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Party, b.Party)
	})
	return out
}

// TimelinePoint is the number of active cosponsors at the end of a day on
// which the count changed.
type TimelinePoint struct {
	Date    time.Time
	Joined  int // members who joined that day
	Left    int // members who withdrew that day
	Running int // active cosponsors at the end of the day
}

// Timeline lists, in date order, each day on which cosponsors joined or
// withdrew, with the running count.
func Timeline(cs []Cosponsor) []TimelinePoint {
	type delta struct{ joined, left int }
	days := map[time.Time]*delta{}
	get := func(t time.Time) *delta {
		d, ok := days[t]
		if !ok {
			d = &delta{}
			days[t] = d
		}
		return d
	}
	for _, c := range cs {
		if c.JoinedOn.IsZero() {
			continue
		}
		get(c.JoinedOn).joined++
		if !c.WithdrawnOn.IsZero() {
			get(c.WithdrawnOn).left++
		}
	}
	dates := make([]time.Time, 0, len(days))
	for t := range days {
		dates = append(dates, t)
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]TimelinePoint, 0, len(dates))
	running := 0
	for _, t := range dates {
		d := days[t]
		running += d.joined - d.left
		out = append(out, TimelinePoint{Date: t, Joined: d.joined, Left: d.left, Running: running})
	}
	return out
}

// CosponsorsStale reports whether cosponsor data last confirmed at asOf is
// older than days at now. Data never confirmed is stale; days <= 0 turns
// the warning off.
func CosponsorsStale(asOf, now time.Time, days int) bool {
	if days <= 0 {
		return false
	}
	if asOf.IsZero() {
		return true
	}
	return now.Sub(asOf) > time.Duration(days)*24*time.Hour
}

// StanceKind is where a member stands on their chamber's campaign bill.
type StanceKind string

// The stances.
const (
	StanceSponsor   StanceKind = "sponsor"
	StanceCosponsor StanceKind = "cosponsor"
	StanceWithdrew  StanceKind = "withdrew"
	StanceNotYet    StanceKind = "not_yet"
)

// Stance is a member's position on a bill and what to ask of them.
type Stance struct {
	Kind StanceKind
	// Since is the date they joined (cosponsor) or withdrew (withdrew).
	Since time.Time
	// Ask is the matching request, in plain words.
	Ask string
}

// StanceOf says where the member with bioguide ID stands on b, with the ask
// that follows from the campaign's position on it.
func StanceOf(b Bill, bioguide string) Stance {
	label := b.Label()
	if b.Position == PositionOppose {
		return opposeStance(b, bioguide, label)
	}
	if b.SponsorID == bioguide {
		return Stance{Kind: StanceSponsor, Ask: "Thank them for leading " + label + "."}
	}
	if c, ok := b.Cosponsor(bioguide); ok {
		if c.Active() {
			return Stance{Kind: StanceCosponsor, Since: c.JoinedOn, Ask: "Thank them for cosponsoring " + label + "."}
		}
		return Stance{Kind: StanceWithdrew, Since: c.WithdrawnOn, Ask: "Ask them to sign on to " + label + " again."}
	}
	return Stance{Kind: StanceNotYet, Ask: "Ask them to cosponsor " + label + "."}
}

// Audience is who a talking point is written for.
type Audience string

// The audiences, in the order pages show them.
const (
	AudienceConstituents Audience = "constituents"
	AudienceBusiness     Audience = "business"
	AudiencePress        Audience = "press"
)

// Audiences lists every audience in display order.
func Audiences() []Audience {
	return []Audience{AudienceConstituents, AudienceBusiness, AudiencePress}
}

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return slices.Contains(Audiences(), a) }

// Source is a reference a talking point rests on. URL may be empty for a
// print source.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// TalkingPoint is one argument a campaign gives its supporters.
type TalkingPoint struct {
	ID         int64
	CampaignID int64
	Audience   Audience
	Position   int
	Title      string
	// BodyMD is the text in Markdown; render it only through a sanitiser.
	BodyMD  string
	Sources []Source
	// Objection marks an answer to a common objection.
	Objection bool
}

// opposeStance is StanceOf for a bill the campaign opposes.
func opposeStance(b Bill, bioguide, label string) Stance {
	if b.SponsorID == bioguide {
		return Stance{Kind: StanceSponsor, Ask: "Tell them you oppose " + label + " and ask them to withdraw their support."}
	}
	if c, ok := b.Cosponsor(bioguide); ok {
		if c.Active() {
			return Stance{Kind: StanceCosponsor, Since: c.JoinedOn, Ask: "Ask them to withdraw as a cosponsor of " + label + "."}
		}
		return Stance{Kind: StanceWithdrew, Since: c.WithdrawnOn, Ask: "Thank them for withdrawing from " + label + "."}
	}
	return Stance{Kind: StanceNotYet, Ask: "Ask them not to cosponsor " + label + "."}
}
