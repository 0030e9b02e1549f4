package advocacy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DashboardWindows are the spans, in days, the organizer dashboard offers
// for letters per day.
func DashboardWindows() []int { return []int{7, 30, 90} }

// ParseWindow reads a ?days= value; anything but an offered window is 30.
func ParseWindow(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || !slices.Contains(DashboardWindows(), n) {
		return 30
	}
	return n
}

// DayCount is the number of letters written on one UTC day.
type DayCount struct {
	Day     time.Time
	Letters int
}

// Day truncates t to its UTC calendar day.
func Day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// WindowStart is the first instant of a window of days ending on now's day:
// a 7-day window on a Saturday starts at Sunday midnight UTC.
func WindowStart(now time.Time, days int) time.Time {
	return Day(now).AddDate(0, 0, -(days - 1))
}

// FillDays lays counts (keyed by "2006-01-02") out as one entry per day of
// the window of days ending on now's day, oldest first, with zeros where no
// letter was written.
func FillDays(counts map[string]int, now time.Time, days int) []DayCount {
	out := make([]DayCount, 0, days)
	for d := WindowStart(now, days); !d.After(Day(now)); d = d.AddDate(0, 0, 1) {
		out = append(out, DayCount{Day: d, Letters: counts[d.Format(DateLayout)]})
	}
	return out
}

// Conversion is how many lookups turned into letters over a window.
type Conversion struct {
	Lookups int
	Letters int
	// Percent is Letters/Lookups in percent with one decimal; 0 without
	// lookups.
	Percent float64
	// Known is false when no lookup was counted, so no rate can be given.
	Known bool
	// Over is set when more letters than lookups were counted: letters
	// from widgets, the API and links straight to the letter form start
	// without a lookup on the site, so no rate can be given either.
	Over bool
}

// NewConversion computes the lookup-to-letter conversion.
func NewConversion(lookups, letters int) Conversion {
	c := Conversion{Lookups: max(lookups, 0), Letters: max(letters, 0)}
	if c.Lookups == 0 {
		return c
	}
	c.Known = true
	if c.Letters > c.Lookups {
		c.Over = true
		return c
	}
	tenths := (c.Letters*1000 + c.Lookups/2) / c.Lookups
	c.Percent = float64(tenths) / 10
	return c
}

// String writes the rate: "12.5%", "no lookups counted" or "more letters
// than lookups".
func (c Conversion) String() string {
	switch {
	case !c.Known:
		return "no lookups counted"
	case c.Over:
		return "more letters than lookups"
	}
	return strconv.FormatFloat(c.Percent, 'f', 1, 64) + "%"
}

// PressureEntry is one office on the pressure list: a member who does not
// yet stand where the campaign wants them on their chamber's bill (not, or
// no longer, a cosponsor of a bill it supports; the sponsor or a cosponsor
// of one it opposes), with the letters their office received.
type PressureEntry struct {
	Member  Member
	Bill    Bill
	Stance  StanceKind
	Letters int
}

// PressureList ranks the offices whose member does not stand where the
// campaign wants them on their chamber's bill in c (see Bill.Wants) by
// letters received, most
// first; ties go by state, then chamber (Senate first), then district and
// name. letters maps a bioguide ID to its office's letters. Members of a
// chamber the campaign has no bill in are left out.
func PressureList(c Campaign, members []Member, letters map[string]int) []PressureEntry {
	var out []PressureEntry
	for _, m := range members {
		b, ok := c.BillFor(m.Chamber)
		if !ok {
			continue
		}
		if b.Wants(m.BioguideID) {
			continue
		}
		st := StanceOf(b, m.BioguideID)
		out = append(out, PressureEntry{Member: m, Bill: b, Stance: st.Kind, Letters: letters[m.BioguideID]})
	}
	slices.SortFunc(out, func(a, b PressureEntry) int {
		return cmp.Or(
			cmp.Compare(b.Letters, a.Letters),
			cmp.Compare(a.Member.State, b.Member.State),
			cmp.Compare(chamberOrder(a.Member.Chamber), chamberOrder(b.Member.Chamber)),
			cmp.Compare(a.Member.District, b.Member.District),
			cmp.Compare(a.Member.Name, b.Member.Name),
		)
	})
	return out
}

func chamberOrder(c Chamber) int {
	if c == Senate {
		return 0
	}
	return 1
}

// JoinedAfter is a member who moved the campaign's way (joined a bill it
// supports, or withdrew from one it opposes) after their office started to
// get the campaign's letters.
type JoinedAfter struct {
	BioguideID  string
	Bill        string
	FirstLetter time.Time
	// JoinedOn is the day they moved (see Bill.MovedOn).
	JoinedOn time.Time
	// Days from the first letter's day to the day they joined (at least 1).
	Days int
	// Letters their office had received by the day they joined.
	Letters int
}

// JoinedAfterSummary counts the cosponsors who joined after receiving
// letters, and how long after.
type JoinedAfterSummary struct {
	Members []JoinedAfter
	// MedianDays is the median of Days; 0 when Members is empty.
	MedianDays float64
}

// CosponsorsAfterLetters finds the members who moved the campaign's way on
// c's bills (see Bill.MovedOn) on a later day than the first letter to their
// office (firstLetter maps a
// bioguide ID to that letter's time; lettersBefore, which may be nil, gives
// the letters received by a member up to a day). A member who joined the same
// day is not counted: the letter cannot be told apart from coincidence.
// Members come out by days, then by ID.
func CosponsorsAfterLetters(c Campaign, firstLetter map[string]time.Time,
	lettersBefore func(bioguide string, day time.Time) int) JoinedAfterSummary {
	var s JoinedAfterSummary
	for _, b := range c.Bills {
		for _, cs := range b.Cosponsors {
			first, ok := firstLetter[cs.BioguideID]
			moved, acted := b.MovedOn(cs.BioguideID)
			if !ok || !acted {
				continue
			}
			days := int(Day(moved).Sub(Day(first)).Hours() / 24)
			if days < 1 {
				continue
			}
			j := JoinedAfter{BioguideID: cs.BioguideID, Bill: b.ID, FirstLetter: first, JoinedOn: moved, Days: days}
			if lettersBefore != nil {
				j.Letters = lettersBefore(cs.BioguideID, moved)
			}
			s.Members = append(s.Members, j)
		}
	}
	slices.SortFunc(s.Members, func(a, b JoinedAfter) int {
		return cmp.Or(cmp.Compare(a.Days, b.Days), cmp.Compare(a.BioguideID, b.BioguideID))
	})
	days := make([]int, len(s.Members))
	for i, m := range s.Members {
		days[i] = m.Days
	}
	s.MedianDays = Median(days)
	return s
}

// Median is the middle of xs (the mean of the two middle values for an even
// count); 0 for none. xs is not changed.
func Median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid])
	}
	return float64(s[mid-1]+s[mid]) / 2
}

// Count is a labelled number in a breakdown table.
type Count struct {
	Key string
	N   int
}

// SortedCounts turns a map into counts, largest first, ties by key.
func SortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	return out
}

// SortSpec is a table's sort column and direction, as read from ?sort= and
// ?dir=.
type SortSpec struct {
	Key  string
	Desc bool
}

// ParseSort reads a sort column and direction, falling back to def when the
// column is not one of allowed.
func ParseSort(key, dir string, allowed []string, def SortSpec) SortSpec {
	if !slices.Contains(allowed, key) {
		return def
	}
	return SortSpec{Key: key, Desc: dir == "desc"}
}

// Dir is "asc" or "desc".
func (s SortSpec) Dir() string {
	if s.Desc {
		return "desc"
	}
	return "asc"
}

// DistrictCount is the letters from one House district.
type DistrictCount struct {
	District DistrictKey
	Letters  int
}

// SortDistricts orders district counts by "district" (state, then number)
// or "letters", in the spec's direction; ties go by district.
func SortDistricts(ds []DistrictCount, s SortSpec) {
	byDistrict := func(a, b DistrictCount) int {
		return cmp.Or(cmp.Compare(a.District.State, b.District.State), cmp.Compare(a.District.Number, b.District.Number))
	}
	slices.SortFunc(ds, func(a, b DistrictCount) int {
		var c int
		if s.Key == "letters" {
			c = cmp.Compare(a.Letters, b.Letters)
		} else {
			c = byDistrict(a, b)
		}
		if s.Desc {
			c = -c
		}
		return cmp.Or(c, byDistrict(a, b))
	})
}

// SortStates orders state counts by "state" or "letters" like SortDistricts.
func SortStates(cs []Count, s SortSpec) {
	slices.SortFunc(cs, func(a, b Count) int {
		var c int
		if s.Key == "letters" {
			c = cmp.Compare(a.N, b.N)
		} else {
			c = cmp.Compare(a.Key, b.Key)
		}
		if s.Desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Key, b.Key))
	})
}

// LookupKey is one row of the daily lookup counts: a UTC day
// ("2006-01-02") and the kind of lookup ("zip", "location", "api").
type LookupKey struct {
	Day  string
	Kind string
}

// DashboardStats are the organizer's figures for one campaign, counted over
// active letters unless said otherwise. When Ref is set every figure is
// that partner's share only.
type DashboardStats struct {
	Ref string
	// Total is every active letter; InWindow those in the window.
	Total    int
	InWindow int
	// PerDay maps "2006-01-02" to letters that day, within the window.
	PerDay map[string]int
	// Deliveries per chamber, channel and status (a letter to three offices
	// counts three times).
	ByChamber map[string]int
	ByChannel map[string]int
	// ByDeliveryStatus is keyed by DeliveryStateKey: a queued copy that
	// waits for its sender is told apart from one the outbox will send.
	ByDeliveryStatus map[string]int
	ByState          map[string]int
	ByDistrict       []DistrictCount
	// ByRef maps a source code to letters; "" is letters without one.
	ByRef map[string]int
	// ByOffice maps a member's bioguide ID to letters their office got.
	ByOffice map[string]int
	// FirstLetter maps a member's bioguide ID to the first letter their
	// office got.
	FirstLetter map[string]time.Time
	// LettersBeforeJoining maps each current cosponsor's bioguide ID to the
	// letters their office got before the day they joined.
	LettersBeforeJoining map[string]int
	// Held and Rejected count letters by moderation status.
	Held     int
	Rejected int
	// Lookups counts lookups answered within the window (all partners:
	// lookups carry no source code).
	Lookups int
}

// ExportFilter narrows an export of letters and deliveries.
type ExportFilter struct {
	// From and To bound created_at: From inclusive, To exclusive. Zero is open.
	From, To time.Time
	State    string
	// District is -1 for any; 0 is an at-large seat or a delegate.
	District       int
	LetterStatus   LetterStatus
	DeliveryStatus DeliveryStatus
	Ref            string
}

// ParseExportFilter reads the export form: from and to as dates (to is
// inclusive: the whole day), state as a two-letter code, district as a
// number or "AL", status and delivery as known statuses, partner as a source
// code.
func ParseExportFilter(get func(string) string) (ExportFilter, error) {
	f := ExportFilter{District: -1}
	bad := map[string]string{}
	date := func(field string) time.Time {
		v := strings.TrimSpace(get(field))
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(DateLayout, v)
		if err != nil {
			bad[field] = "Use a date like 2026-11-01."
		}
		return t
	}
	f.From = date("from")
	if to := date("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad["to"] = "The end date must not be before the start date."
	}
	f.State = strings.ToUpper(strings.TrimSpace(get("state")))
	if f.State != "" && !letterStateRe.MatchString(f.State) {
		bad["state"] = "Use a two-letter state code like NY."
	}
	switch d := strings.ToUpper(strings.TrimSpace(get("district"))); d {
	case "":
	case "AL", "0":
		f.District = 0
	default:
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 53 {
			bad["district"] = "Use a district number from 1 to 53, or AL for at-large."
		} else {
			f.District = n
		}
	}
	if f.District >= 0 && f.State == "" {
		bad["district"] = "Choose a state to filter by district."
	}
	switch s := LetterStatus(strings.TrimSpace(get("status"))); s {
	case "", LetterActive, LetterHeld, LetterRejected:
		f.LetterStatus = s
	default:
		bad["status"] = "Choose active, held or rejected."
	}
	switch s := DeliveryStatus(strings.TrimSpace(get("delivery"))); s {
	case "", DeliveryQueued, DeliveryHeld, DeliverySent, DeliveryDelivered, DeliveryFailed, DeliveryConfirmedByUser:
		f.DeliveryStatus = s
	default:
		bad["delivery"] = "Choose a delivery status from the list."
	}
	f.Ref = strings.TrimSpace(get("partner"))
	if f.Ref != "" && (len(f.Ref) > LetterMaxRef || !letterTokenRe.MatchString(f.Ref)) {
		bad["partner"] = "That is not a source code."
	}
	if len(bad) > 0 {
		return f, &Error{Code: CodeInvalid, Message: "Please correct the export filters.", Fields: bad}
	}
	return f, nil
}

// ExportRow is one delivery of one letter, as the letters export writes it.
type ExportRow struct {
	Letter   Letter // without Deliveries
	Delivery Delivery
}

// Contact is a constituent who asked for the campaign's news.
type Contact struct {
	Email        string
	FirstName    string
	LastName     string
	Zip          string
	State        string
	District     int
	Organization string
	// Letters is how many letters the address sent; First and Last when.
	Letters     int
	FirstLetter time.Time
	LastLetter  time.Time
}

// OfficePacket is the evidence an organizer brings to a meeting with one
// member's office: its letters over time, the organisations that wrote, and
// constituents' own words.
type OfficePacket struct {
	BioguideID string
	Letters    int
	// FirstLetter and LastLetter are zero without letters.
	FirstLetter time.Time
	LastLetter  time.Time
	// PerWeek maps the Monday of each week (2006-01-02) to letters.
	PerWeek map[string]int
	// Organizations are the businesses and organisations whose people wrote,
	// with how many letters each.
	Organizations []OrgCount
	// Quotes are a sample of personal paragraphs, newest first.
	Quotes []Quote
}

// OrgCount is an organisation whose people wrote, as they typed it.
type OrgCount struct {
	Name    string
	Titles  []string
	Letters int
	// Cities are where its writers live, for staff who know the district.
	Cities []string
}

// Quote is a constituent's own paragraph: only their first name's initial,
// city and date go with it.
type Quote struct {
	Text     string
	Initials string
	City     string
	Date     time.Time
}

// WeekStart is the Monday (UTC) of t's week.
func WeekStart(t time.Time) time.Time {
	d := Day(t)
	offset := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -offset)
}

// QuoteInitials shortens a name for a quote: "Ana María Pérez" is "A. P.".
func QuoteInitials(first, last string) string {
	var parts []string
	for _, n := range []string{first, last} {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		r := []rune(n)
		parts = append(parts, strings.ToUpper(string(r[0]))+".")
	}
	return strings.Join(parts, " ")
}

// MinQuoteWords is how long a personal paragraph must be to be worth quoting.
const MinQuoteWords = 8

// Quotable reports whether a personal paragraph is long enough to quote.
func Quotable(text string) bool { return len(strings.Fields(text)) >= MinQuoteWords }

// Percent writes n of total as a whole percentage: "25%", or "–" with no total.
func Percent(n, total int) string {
	if total <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (n*100+total/2)/total)
}

// StateWaitingForSender is the DeliveryStateKey of a copy that waits for
// its sender to send it themselves.
const StateWaitingForSender = "waiting_for_sender"

// DeliveryStateKey names where a delivery stands for the dashboard: its
// status, except that a queued copy on the assisted channel is
// StateWaitingForSender (nothing will send it but the person).
func DeliveryStateKey(ch Channel, st DeliveryStatus) string {
	if st == DeliveryQueued && ch == ChannelAssisted {
		return StateWaitingForSender
	}
	return string(st)
}
