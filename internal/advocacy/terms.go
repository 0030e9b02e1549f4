package advocacy

import (
	"fmt"
	"strings"
	"time"
)

// CapitolSwitchboard is the U.S. Capitol switchboard, which connects a
// caller to any member's office in either chamber.
const CapitolSwitchboard = "202-224-3121"

// FindMemberURL is the chamber's own page for finding a member and their
// contact details: the fallback when our data cannot name or reach one.
func FindMemberURL(ch Chamber) string {
	if ch == Senate {
		return "https://www.senate.gov/senators/senators-contact.htm"
	}
	return "https://www.house.gov/representatives/find-your-representative"
}

// FindMemberLabel names the page FindMemberURL points to.
func FindMemberLabel(ch Chamber) string {
	if ch == Senate {
		return "the Senate’s “Contact your senators” page"
	}
	return "the House’s “Find your representative” page"
}

// TermEndsAt is the moment a term whose end date is date ("2027-01-03")
// ends: noon Eastern on that day, the hour the Twentieth Amendment sets (the
// end dates in the data fall in winter, when Eastern time is standard time).
// ok is false when date is not a date.
func TermEndsAt(date string) (time.Time, bool) {
	d, err := time.ParseInLocation(DateLayout, strings.TrimSpace(date), eastern)
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(12 * time.Hour), true
}

// TermEnded reports whether the member's current term (the last one in the
// data) has ended at now. A member without a readable end date counts as
// current: the data check reports such a member.
func (m Member) TermEnded(now time.Time) bool {
	end, ok := TermEndsAt(m.TermEnd)
	return ok && !now.Before(end)
}

// MissingContact reports whether the data gives no way to reach the
// member's office directly: no phone, or neither a website nor a contact
// form. Pages then point to the chamber's own directory and the Capitol
// switchboard as well.
func (m Member) MissingContact() bool {
	return m.Phone == "" || (m.URL == "" && m.ContactForm == "")
}

// EndedTerm is a seat whose member in our data has reached the end of their
// term: the data has not caught up with who holds the seat now, so the
// app names no current member for it and takes no letters to it. FindURL
// and Switchboard are where a constituent can find out instead.
type EndedTerm struct {
	BioguideID string  `json:"bioguide_id"`
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	Chamber    Chamber `json:"chamber"`
	State      string  `json:"state"`
	District   int     `json:"district"`
	Party      string  `json:"party"`
	// TermEnd is the day the term ended, "2027-01-03".
	TermEnd     string `json:"term_end"`
	FindURL     string `json:"find_url"`
	Switchboard string `json:"switchboard"`
}

// EndedTermOf describes m's seat once m's term has ended.
func EndedTermOf(m Member) EndedTerm {
	return EndedTerm{
		BioguideID: m.BioguideID, Name: m.Name, Role: m.Role, Chamber: m.Chamber, State: m.State,
		District: m.District, Party: m.Party, TermEnd: m.TermEnd,
		FindURL: FindMemberURL(m.Chamber), Switchboard: CapitolSwitchboard,
	}
}

// TermEndDate is the day the term ended, in words ("January 3, 2027"),
// or the data's text when it is not a date.
func (e EndedTerm) TermEndDate() string {
	d, err := time.Parse(DateLayout, e.TermEnd)
	if err != nil {
		return e.TermEnd
	}
	return d.Format("January 2, 2006")
}

// Notice says in plain words what happened to the seat and what to do.
func (e EndedTerm) Notice() string {
	return fmt.Sprintf("%s %s’s term ended on %s, and our member data has not caught up yet. "+
		"We cannot say who holds this seat now, so we cannot send letters to it. "+
		"Look it up on %s, or call the Capitol switchboard at %s.",
		e.Role, e.Name, e.TermEndDate(), FindMemberLabel(e.Chamber), e.Switchboard)
}

// AsOf returns the district as it stands at now: a member whose term has
// ended is no longer its representative or one of its senators, and is
// listed in EndedTerms instead. The seat is not called vacant: someone may
// hold it, the data just does not say who.
func (d DistrictResult) AsOf(now time.Time) DistrictResult {
	d.EndedTerms = nil
	if d.Representative != nil && d.Representative.TermEnded(now) {
		d.EndedTerms = append(d.EndedTerms, EndedTermOf(*d.Representative))
		d.Representative = nil
	}
	senators := make([]Member, 0, len(d.Senators))
	for _, s := range d.Senators {
		if s.TermEnded(now) {
			d.EndedTerms = append(d.EndedTerms, EndedTermOf(s))
			continue
		}
		senators = append(senators, s)
	}
	d.Senators = senators
	return d
}

// AsOf applies DistrictResult.AsOf to every district of the lookup.
func (l Lookup) AsOf(now time.Time) Lookup {
	ds := make([]DistrictResult, len(l.Districts))
	for i, d := range l.Districts {
		ds[i] = d.AsOf(now)
	}
	l.Districts = ds
	return l
}

// EndedTerm returns the seat of bioguide in d's ended terms.
func (d DistrictResult) EndedTerm(bioguide string) (EndedTerm, bool) {
	for _, e := range d.EndedTerms {
		if strings.EqualFold(e.BioguideID, bioguide) {
			return e, true
		}
	}
	return EndedTerm{}, false
}
