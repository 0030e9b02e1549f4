// Package templates holds Whipcount's templ components and the view models
// they render. It imports only internal/advocacy and templ, and never calls a
// store: handlers build these structs.
package templates

import (
	"strconv"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// LookupView is the ZIP form with whatever results it produced.
type LookupView struct {
	// Input is what the person typed, to refill the form.
	Input string
	// ZIP is the normalised five-digit ZIP, when the input parsed.
	ZIP string
	// FieldError is the message for the ZIP field (422).
	FieldError string
	// NoData is a message for a well-formed query with no districts (404).
	NoData string
	// Lookup holds the candidate districts; nil before a search.
	Lookup *advocacy.Lookup
	// Settled is the person's district once known: a single-district ZIP,
	// a district picked from the list or map, or a location.
	Settled *advocacy.DistrictResult
	// SettledBy says how: "zip", "pick" or "location".
	SettledBy string
	// Map draws the candidate districts of a split ZIP.
	Map *DistrictMap
	// LocationURL is where "Use my location" sends the coordinates.
	LocationURL string
	// Statuses maps a member's bioguide ID to their stance on their
	// chamber's campaign bill; empty when no campaign is running.
	Statuses map[string]MemberStatus
	// WriteURL opens the letter form for the settled district; empty when
	// letters are not available.
	WriteURL string
	// DistrictLetters counts letters from the settled district.
	DistrictLetters int
	// Ref is the partner or source code the visitor arrived with; the
	// form and links carry it on to the letter.
	Ref string
	// Freshness says as of when the members shown are known.
	Freshness DataFreshness
	// AddressOn offers the street-address lookup (the geocoder is on).
	AddressOn bool
	// Address is the street address typed; AddressError its field error;
	// AddressNote why it did not settle the district (not found, or the
	// service did not answer) when the ZIP code's answer is shown instead;
	// MatchedAddress how the geocoder wrote the address it found.
	Address        string
	AddressError   string
	AddressNote    string
	MatchedAddress string
	// Campaign is the slug of the campaign the lookup was opened from; the
	// form and links carry it on, so stances and letters are about it.
	// Empty means the site's default campaign.
	Campaign string
}

// Carry adds what the lookup carries from page to page (the partner code
// and the campaign) to one of its links.
func (v LookupView) Carry(url string) string {
	return WithParams(url, v.Ref, v.Campaign)
}

// WithParams adds a partner code and a campaign to a link of the lookup;
// empty values are left out.
func WithParams(url, ref, campaign string) string {
	url = WithRef(url, ref)
	if campaign == "" {
		return url
	}
	if strings.Contains(url, "?") {
		return url + "&campaign=" + campaign
	}
	return url + "?campaign=" + campaign
}

// WithRef adds a partner code to a link of the lookup.
func WithRef(url, ref string) string {
	if ref == "" {
		return url
	}
	if strings.Contains(url, "?") {
		return url + "&ref=" + ref
	}
	return url + "?ref=" + ref
}

// MemberStatus is a member's stance on the campaign bill of their chamber.
type MemberStatus struct {
	Bill    string // "H.R. 5917"
	BillURL string
	// Kind is "sponsor", "cosponsor", "withdrew" or "not_yet".
	Kind  string
	Since string // a date, for cosponsor and withdrew
	Ask   string // the matching ask, in plain words
	// AsOf is the date the bill's cosponsor list was last confirmed.
	AsOf string
	// Wanted is set when the member stands where the campaign wants them
	// (on a bill it supports, off one it opposes).
	Wanted bool
	// Died is set when the bill died with its Congress.
	Died bool
}

// Class is the status's colour: "yes" where the campaign wants the member,
// "no" otherwise.
func (st MemberStatus) Class() string {
	if st.Wanted {
		return "status yes"
	}
	return "status no"
}

// Candidate is one district of a split ZIP, with the link that settles it.
type Candidate struct {
	District advocacy.DistrictResult
	PickURL  string
}

// DistrictMap is a server-rendered SVG of candidate districts.
type DistrictMap struct {
	ViewBox string
	Areas   []MapArea
}

// MapArea is one clickable district shape on a DistrictMap.
type MapArea struct {
	Href   string
	Label  string
	D      string
	Likely bool
	LabelX string
	LabelY string
	Short  string
}

// DistrictLabel names a district in words: "New York's 12th district",
// "Wyoming (at-large)", "District of Columbia".
func DistrictLabel(d advocacy.DistrictResult) string {
	name := StateName(d.State)
	switch {
	case d.Territory:
		return name
	case d.AtLarge || d.District == 0:
		return name + " (at-large)"
	default:
		return name + "’s " + Ordinal(d.District) + " district"
	}
}

// Ordinal writes 1 as "1st", 12 as "12th", 22 as "22nd".
func Ordinal(n int) string {
	s := strconv.Itoa(n)
	if n%100 >= 11 && n%100 <= 13 {
		return s + "th"
	}
	switch n % 10 {
	case 1:
		return s + "st"
	case 2:
		return s + "nd"
	case 3:
		return s + "rd"
	}
	return s + "th"
}

// TelURL turns "202-224-3441" into "tel:+12022243441".
func TelURL(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	digits := b.String()
	if len(digits) == 10 {
		digits = "1" + digits
	}
	return "tel:+" + digits
}

// SiteName shortens a web address for display: "https://www.schumer.senate.gov/"
// becomes "schumer.senate.gov".
func SiteName(url string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimSuffix(s, "/")
}

// PartyLabel is "Democrat", or "Independent (caucuses with Democrats)".
func PartyLabel(m advocacy.Member) string {
	if m.Caucus != "" && m.Caucus != m.Party {
		return m.Party + " (caucuses with " + m.Caucus + "s)"
	}
	return m.Party
}

// RoleLine is "U.S. Senator for Ohio" or "Representative for New York’s 12th district".
func RoleLine(m advocacy.Member) string {
	switch m.Chamber {
	case advocacy.Senate:
		return "U.S. Senator for " + StateName(m.State)
	}
	if m.NonVoting() {
		return m.Role + " for " + StateName(m.State) + " (a non-voting member of the House)"
	}
	if m.District == 0 {
		return "Representative for " + StateName(m.State) + " (at-large)"
	}
	return "Representative for " + StateName(m.State) + "’s " + Ordinal(m.District) + " district"
}

// SocialLabel names a social service for people.
func SocialLabel(service string) string {
	switch service {
	case "x":
		return "X (Twitter)"
	case "facebook":
		return "Facebook"
	case "youtube":
		return "YouTube"
	case "instagram":
		return "Instagram"
	case "mastodon":
		return "Mastodon"
	}
	return service
}

var stateNames = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
	"HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
	"KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
	"MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
	"MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
	"NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
	"OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
	"SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
	"VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
	"DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
	"AS": "American Samoa", "MP": "Northern Mariana Islands",
}

// StateName is the full name of a postal code, or the code itself.
func StateName(code string) string {
	if n, ok := stateNames[code]; ok {
		return n
	}
	return code
}

// PercentText writes a share of a target for people: "12%", or "less than
// 1%" when some progress rounds down to nothing (1 of 218 is not 0%).
func PercentText(count, percent int) string {
	if count > 0 && percent == 0 {
		return "less than 1%"
	}
	return strconv.Itoa(percent) + "%"
}
