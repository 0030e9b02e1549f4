// Package advocacy holds Whipcount's domain types and pure rules. It imports
// nothing else from the project.
package advocacy

import "strconv"

// Chamber is a chamber of Congress.
type Chamber string

// The two chambers.
const (
	House  Chamber = "house"
	Senate Chamber = "senate"
)

// Office is one district or state office of a member.
type Office struct {
	City    string `json:"city"`
	Address string `json:"address"`
	Suite   string `json:"suite,omitempty"`
	State   string `json:"state"`
	Zip     string `json:"zip"`
	Phone   string `json:"phone,omitempty"`
}

// SocialAccount is one official social media account of a member.
type SocialAccount struct {
	Service string `json:"service"` // "x", "facebook", "youtube", "instagram", ...
	Handle  string `json:"handle"`
	URL     string `json:"url"`
}

// Member is a member of Congress as the reference data lists them; whether
// they still sit depends on the date (see TermEnded).
type Member struct {
	BioguideID string  `json:"bioguide_id"`
	Name       string  `json:"name"` // official full name, or first + last when missing
	FirstName  string  `json:"first_name"`
	LastName   string  `json:"last_name"`
	Party      string  `json:"party"`            // party of the current (last) term
	Caucus     string  `json:"caucus,omitempty"` // set only when it differs from Party
	Chamber    Chamber `json:"chamber"`
	// Role is "Senator", "Representative", "Delegate" or "Resident Commissioner".
	Role      string `json:"role"`
	State     string `json:"state"`
	District  int    `json:"district"` // 0 for at-large seats, delegates and senators
	StateRank string `json:"state_rank,omitempty"`
	// Class is a senator's election class (1, 2 or 3), which names their
	// office in CWC; 0 for representatives and when the data lacks it.
	Class       int    `json:"senate_class,omitempty"`
	Phone       string `json:"phone"`
	URL         string `json:"url"`
	ContactForm string `json:"contact_form"`
	Address     string `json:"address"`
	// TermStart and TermEnd are the first and last day of the current
	// (last) term in the data, "2025-01-03" and "2027-01-03"; see TermEnded.
	TermStart string `json:"term_start,omitempty"`
	TermEnd   string `json:"term_end,omitempty"`
	// Offices are district or state offices.
	Offices []Office        `json:"offices,omitempty"`
	Social  []SocialAccount `json:"social,omitempty"`
}

// NonVoting reports whether the member is a delegate or resident commissioner.
func (m Member) NonVoting() bool {
	return m.Role == "Delegate" || m.Role == "Resident Commissioner"
}

// PartyLetter is the one-letter party code used in labels like "R-WV-1".
func (m Member) PartyLetter() string {
	if m.Party == "" {
		return "?"
	}
	return m.Party[:1]
}

// Initials are the avatar letters for the member.
func (m Member) Initials() string {
	out := ""
	if m.FirstName != "" {
		out += string([]rune(m.FirstName)[:1])
	}
	if m.LastName != "" {
		out += string([]rune(m.LastName)[:1])
	}
	return out
}

// DistrictKey identifies a House district: a state and its number, 0 for
// at-large seats and the non-voting delegates' districts.
type DistrictKey struct {
	State  string `json:"state"`
	Number int    `json:"district"`
}

// DistrictResult is one candidate district of a lookup with its members.
type DistrictResult struct {
	State    string `json:"state"`
	District int    `json:"district"`
	AtLarge  bool   `json:"at_large"`
	// Territory is true for DC, PR, GU, VI, AS and MP: a non-voting member, no senators.
	Territory      bool     `json:"territory"`
	Likely         bool     `json:"likely"`
	Vacant         bool     `json:"vacant"`
	Representative *Member  `json:"representative"`
	Senators       []Member `json:"senators"`
	// EndedTerms are the seats whose member's term has ended by the time of
	// the answer (see AsOf); they take no letters.
	EndedTerms []EndedTerm `json:"ended_terms,omitempty"`
}

// Key is the district's key.
func (d DistrictResult) Key() DistrictKey { return DistrictKey{State: d.State, Number: d.District} }

// Code is the district's short code: "NY-12", "WY-AL", "DC".
func (d DistrictResult) Code() string {
	switch {
	case d.Territory:
		return d.State
	case d.AtLarge || d.District == 0:
		return d.State + "-AL"
	default:
		return d.State + "-" + strconv.Itoa(d.District)
	}
}

// IsTerritory reports whether the postal code is DC or a territory (PR, GU,
// VI, AS, MP): a non-voting House member and no senators.
func IsTerritory(state string) bool {
	switch state {
	case "DC", "PR", "GU", "VI", "AS", "MP":
		return true
	}
	return false
}

// Lookup is the answer to a ZIP or point query.
type Lookup struct {
	Query     LookupQuery      `json:"query"`
	Split     bool             `json:"split"`
	Districts []DistrictResult `json:"districts"`
}

// LookupQuery echoes what was asked.
type LookupQuery struct {
	Zip  string   `json:"zip,omitempty"`
	Lat  *float64 `json:"lat,omitempty"`
	Lon  *float64 `json:"lon,omitempty"`
	City string   `json:"city,omitempty"`
	// Address is the street address asked about, and MatchedAddress the
	// one the geocoder found for it.
	Address        string `json:"address,omitempty"`
	MatchedAddress string `json:"matched_address,omitempty"`
}

// GeocodeMatch is the point a geocoder found for a street address.
type GeocodeMatch struct {
	Lat, Lon       float64
	MatchedAddress string
	Zip            string
	State          string
	City           string
}
