package congress

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// territoryForZIP maps ZIP codes of the territories that have no ZCTAs
// (and Puerto Rico's post-office-box ZIPs, which have none either) to their
// single delegate district, by the USPS prefix ranges.
func territoryForZIP(zip string) string {
	n, err := strconv.Atoi(zip)
	if err != nil {
		return ""
	}
	switch {
	case n >= 96910 && n <= 96932:
		return "GU"
	case n >= 96950 && n <= 96952:
		return "MP"
	case n == 96799:
		return "AS"
	case n >= 801 && n <= 851:
		return "VI"
	case n >= 600 && n <= 799, n >= 900 && n <= 999:
		return "PR"
	}
	return ""
}

// LookupZIP finds the districts for a ZIP code (5 digits or ZIP+4). A ZIP can
// touch several districts: the result lists each, the likely one (holding
// the ZIP's centroid) first, and Split is true. Each district carries its
// own state's senators, so a ZIP across a state line shows both states'.
// GU, VI, AS and MP have no ZIP data; their ZIPs (and Puerto Rico ZIPs
// missing from the data, such as post-office boxes) are placed by USPS
// prefix in the one delegate district. Errors are *advocacy.Error: invalid
// for a malformed ZIP, not found for a ZIP the data does not cover (such as
// a post-office-box ZIP elsewhere).
func (d *Data) LookupZIP(zip string) (advocacy.Lookup, error) {
	z, err := advocacy.ParseZIP(zip)
	if err != nil {
		return advocacy.Lookup{}, err
	}
	out := advocacy.Lookup{Query: advocacy.LookupQuery{Zip: z}}
	if e, ok := d.zips[z]; ok {
		out.Query.City = e.city
		out.Districts = make([]advocacy.DistrictResult, 0, e.n)
		for _, c := range d.cands[e.first : e.first+e.n] {
			out.Districts = append(out.Districts, d.result(int(c.district), c.likely))
		}
		out.Split = len(out.Districts) > 1
		return out, nil
	}
	if st := territoryForZIP(z); st != "" {
		if i, ok := d.byKey[advocacy.DistrictKey{State: st}]; ok {
			out.Districts = []advocacy.DistrictResult{d.result(i, true)}
			return out, nil
		}
	}
	return advocacy.Lookup{}, advocacy.NotFound(fmt.Sprintf("We have no district data for ZIP %s. Try using your location instead.", z))
}

// LookupPoint finds the district containing a point given in decimal
// degrees, using the detailed (1:500,000) boundaries. The result has one
// district, marked likely. A point in water or outside the US is not found.
func (d *Data) LookupPoint(lat, lon float64) (advocacy.Lookup, error) {
	if err := advocacy.CheckLatLon(lat, lon); err != nil {
		return advocacy.Lookup{}, err
	}
	idx, err := d.points()
	if err != nil {
		return advocacy.Lookup{}, fmt.Errorf("lookup point: %w", err)
	}
	out := advocacy.Lookup{Query: advocacy.LookupQuery{Lat: &lat, Lon: &lon}}
	i, ok := idx.find(lon, lat)
	if !ok {
		return advocacy.Lookup{}, advocacy.NotFound("That location is not inside a US congressional district — it may be in water or outside the US.")
	}
	out.Districts = []advocacy.DistrictResult{d.result(i, true)}
	return out, nil
}

// District returns a district with its members. Likely is false: it has a
// meaning only in a lookup.
func (d *Data) District(key advocacy.DistrictKey) (advocacy.DistrictResult, bool) {
	i, ok := d.byKey[key]
	if !ok {
		return advocacy.DistrictResult{}, false
	}
	return d.result(i, false), true
}

// Districts returns the keys of all districts, by state and number.
func (d *Data) Districts() []advocacy.DistrictKey {
	out := make([]advocacy.DistrictKey, len(d.districts))
	for i, ds := range d.districts {
		out[i] = ds.key
	}
	return out
}

// Member returns the current member with a bioguide id.
func (d *Data) Member(bioguide string) (advocacy.Member, bool) {
	i, ok := d.byID[strings.ToUpper(strings.TrimSpace(bioguide))]
	if !ok {
		return advocacy.Member{}, false
	}
	return cloneMember(d.members[i]), true
}

// Members returns every current member, ordered by state, then senators
// (senior first) before the House member(s) by district number.
func (d *Data) Members() []advocacy.Member {
	out := make([]advocacy.Member, len(d.members))
	for i, m := range d.members {
		out[i] = cloneMember(m)
	}
	return out
}

// MembersByState counts the members Members returns, by state: what a
// page that only needs the number of seats per state asks for, without a
// copy of every member.
func (d *Data) MembersByState() map[string]int {
	return maps.Clone(d.byState)
}

// Senators returns a state's senators, senior first. It is empty (not nil)
// for DC, the territories and unknown codes.
func (d *Data) Senators(state string) []advocacy.Member {
	idx := d.senators[state]
	out := make([]advocacy.Member, 0, len(idx))
	for _, i := range idx {
		out = append(out, cloneMember(d.members[i]))
	}
	return out
}

// StateName returns the full name of a state or territory by postal code.
func (d *Data) StateName(state string) (string, bool) {
	n, ok := d.stateNames[state]
	return n, ok
}

// result builds the answer for one district.
func (d *Data) result(i int, likely bool) advocacy.DistrictResult {
	ds := d.districts[i]
	r := advocacy.DistrictResult{
		State:     ds.key.State,
		District:  ds.key.Number,
		AtLarge:   ds.atLarge,
		Territory: ds.territory,
		Likely:    likely,
		Vacant:    d.reps[i] < 0,
		Senators:  d.Senators(ds.key.State),
	}
	if rep := d.reps[i]; rep >= 0 {
		m := cloneMember(d.members[rep])
		r.Representative = &m
	}
	return r
}

// cloneMember copies a member so callers cannot change the indexed data
// through the slices.
func cloneMember(m advocacy.Member) advocacy.Member {
	m.Offices = slices.Clone(m.Offices)
	m.Social = slices.Clone(m.Social)
	return m
}
