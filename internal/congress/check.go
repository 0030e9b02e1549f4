package congress

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Stats are counts over the loaded data, for the about page and the data
// check.
type Stats struct {
	Members   int // current members, both chambers
	House     int // House members, including the non-voting ones
	Senate    int
	NonVoting int // delegates and the resident commissioner
	ZIPs      int // ZIP codes with candidate districts (territory prefixes not counted)
	SplitZIPs int // ZIP codes with more than one candidate district
	Districts int // House districts, including the six delegate districts
	Vacancies int // districts without a current member
	DataDate  string
}

// Stats returns counts over the loaded data.
func (d *Data) Stats() Stats {
	s := Stats{
		Members:   len(d.members),
		ZIPs:      len(d.zips),
		SplitZIPs: d.splitZIPs,
		Districts: len(d.districts),
		DataDate:  d.dataDate,
	}
	for _, m := range d.members {
		if m.Chamber == advocacy.Senate {
			s.Senate++
			continue
		}
		s.House++
		if m.NonVoting() {
			s.NonVoting++
		}
	}
	for _, rep := range d.reps {
		if rep < 0 {
			s.Vacancies++
		}
	}
	return s
}

// apportionment2020 is the number of House seats per state from the 2020
// census, in force for the 118th to 122nd Congresses (435 in all).
func apportionment2020() map[string]int {
	return map[string]int{
		"AL": 7, "AK": 1, "AZ": 9, "AR": 4, "CA": 52, "CO": 8, "CT": 5, "DE": 1, "FL": 28, "GA": 14,
		"HI": 2, "ID": 2, "IL": 17, "IN": 9, "IA": 4, "KS": 4, "KY": 6, "LA": 6, "ME": 2, "MD": 8,
		"MA": 9, "MI": 13, "MN": 8, "MS": 4, "MO": 8, "MT": 2, "NE": 3, "NV": 4, "NH": 2, "NJ": 12,
		"NM": 3, "NY": 26, "NC": 14, "ND": 1, "OH": 15, "OK": 5, "OR": 6, "PA": 17, "RI": 2, "SC": 7,
		"SD": 1, "TN": 9, "TX": 38, "UT": 4, "VT": 1, "VA": 11, "WA": 10, "WV": 2, "WI": 8, "WY": 1,
	}
}

// Report is what Check finds in a reference data folder.
type Report struct {
	Stats Stats
	// Problems are reasons the data must not replace data already in use:
	// it loads, but looks partial or broken (a state without senators,
	// many House seats empty, two members for one seat).
	Problems []string
	// Warnings are facts worth knowing that do not make the data unusable:
	// vacant seats, terms that have ended, values repaired or left out.
	Warnings []string
}

// The smallest plausible membership: a download cut short can still be
// valid YAML, so data with fewer members than these is refused.
const (
	minHouseSeatsFilled = 400 // of the 435 voting seats
	minSenators         = 90
)

// Check loads a reference data folder, waiting for every file including
// the detailed boundaries, and reports on it as of now: problems that make
// it unfit to use, and warnings about members without an official name,
// district offices or contact details, values repaired or left out, terms
// that have ended, vacant seats, ZIP rows for districts without a boundary,
// boundary files that disagree, and district counts that differ from the
// apportionment (435 seats plus 6 delegate districts). The error is set
// only when the folder cannot be loaded at all.
func Check(fsys fs.FS, now time.Time) (Report, error) {
	d, err := Load(fsys)
	if err != nil {
		return Report{}, fmt.Errorf("check reference data: %w", err)
	}
	return d.Check(now)
}

// Check is the package's Check on data already loaded; it waits for the
// detailed boundaries.
func (d *Data) Check(now time.Time) (Report, error) {
	idx, err := d.points()
	if err != nil {
		return Report{}, fmt.Errorf("check reference data: %w", err)
	}
	var rep Report
	add := func(format string, args ...any) { rep.Warnings = append(rep.Warnings, fmt.Sprintf(format, args...)) }
	problem := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }

	if d.dataDate == "unknown" {
		add("no %s file: the data's date is unknown", fileVersion)
	}
	for _, id := range d.notes.noOfficialName {
		m := d.members[d.byID[id]]
		add("member %s has no official_full name; showing %q", id, m.Name)
	}
	for _, m := range d.members {
		if len(m.Offices) == 0 {
			add("member %s (%s) has no district offices", m.BioguideID, m.Name)
		}
		var missing []string
		if m.Phone == "" {
			missing = append(missing, "phone")
		}
		if m.URL == "" {
			missing = append(missing, "url")
		}
		if len(missing) > 0 {
			add("member %s (%s) has no %s; pages point to the %s directory and the Capitol switchboard", m.BioguideID, m.Name,
				strings.Join(missing, " or "), chamberWord(m.Chamber))
		}
	}
	rep.Warnings = append(rep.Warnings, d.notes.quirks...)
	for _, m := range d.members {
		if m.TermEnded(now) {
			add("member %s (%s %s, %s) has a term that ended on %s; the site no longer offers them as current: update the data",
				m.BioguideID, m.Role, m.Name, seatLabel(m), m.TermEnd)
		}
	}
	want := apportionment2020()
	senators := 0
	for _, st := range slices.Sorted(maps.Keys(want)) {
		n := len(d.senators[st])
		senators += n
		switch {
		case n == 0 || n > 2:
			problem("%s has %d senators", st, n)
		case n != 2:
			add("%s has %d senators", st, n)
		}
	}
	if senators < minSenators {
		problem("only %d senators, fewer than %d: the members file looks cut short", senators, minSenators)
	}
	for _, id := range d.unplaced {
		m := d.members[d.byID[id]]
		add("member %s (%s) sits for %s, a district the ZIP and boundary data do not have; lookups cannot find them", id, m.Name, seatLabel(m))
	}
	seen := make(map[advocacy.DistrictKey]string)
	for _, m := range d.members {
		if m.Chamber != advocacy.House {
			continue
		}
		k := advocacy.DistrictKey{State: m.State, Number: m.District}
		if other, dup := seen[k]; dup {
			problem("district %s-%d has two members, %s and %s", k.State, k.Number, other, m.BioguideID)
		}
		seen[k] = m.BioguideID
	}
	filled := 0
	for i, ds := range d.districts {
		label := fmt.Sprintf("%s-%d", ds.key.State, ds.key.Number)
		if d.reps[i] < 0 {
			add("district %s is vacant", label)
		} else if !ds.territory {
			filled++
		}
		if !ds.hasBoundary {
			add("district %s has no boundary in %s", label, fileShapes)
		}
		if !idx.keys[label] {
			add("district %s has no boundary in %s; point lookups cannot find it", label, fileBoundaries)
		}
	}
	if filled < minHouseSeatsFilled {
		problem("only %d of 435 House seats have a member, fewer than %d: the members file looks cut short", filled, minHouseSeatsFilled)
	}
	for _, s := range d.geo.notes.zipNoBoundary {
		add("ZIP row %s points at a district with no boundary", s)
	}
	for _, z := range d.geo.notes.zipMultiMark {
		add("ZIP %s has more than one district marked as holding its centroid; none is shown as likely", z)
	}
	rep.Warnings = append(rep.Warnings, idx.warnings...)

	seats := make(map[string]int)
	voting, nonVoting := 0, 0
	for _, ds := range d.districts {
		if ds.territory {
			nonVoting++
			continue
		}
		voting++
		seats[ds.key.State]++
	}
	states := maps.Clone(want)
	maps.Copy(states, seats)
	for _, st := range slices.Sorted(maps.Keys(states)) {
		if seats[st] != want[st] {
			add("%s has %d districts, the 2020 apportionment gives %d", st, seats[st], want[st])
		}
	}
	if voting != 435 || nonVoting != 6 {
		add("%d voting and %d non-voting districts, want 435 and 6", voting, nonVoting)
	}
	rep.Stats = d.Stats()
	return rep, nil
}

func chamberWord(c advocacy.Chamber) string {
	if c == advocacy.Senate {
		return "Senate’s"
	}
	return "House’s"
}

// seatLabel is "OH" for a senator, "CA-1" for a House member.
func seatLabel(m advocacy.Member) string {
	if m.Chamber == advocacy.Senate {
		return m.State
	}
	return fmt.Sprintf("%s-%d", m.State, m.District)
}
