package congress

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

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
	for _, ds := range d.districts {
		if ds.rep < 0 {
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

// Check loads a reference data folder, waiting for every file including
// the detailed boundaries, and returns its counts with warnings about the
// data: members without an official name or without district offices,
// vacant seats, ZIP rows for districts without a boundary, boundary files
// that disagree, and district counts that differ from the apportionment
// (435 seats plus 6 delegate districts). The error is set only when the
// folder cannot be loaded at all.
func Check(fsys fs.FS) (Stats, []string, error) {
	d, err := Load(fsys)
	if err != nil {
		return Stats{}, nil, fmt.Errorf("check reference data: %w", err)
	}
	idx, err := d.points()
	if err != nil {
		return Stats{}, nil, fmt.Errorf("check reference data: %w", err)
	}
	var warn []string
	add := func(format string, args ...any) { warn = append(warn, fmt.Sprintf(format, args...)) }

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
			add("member %s (%s) has no %s", m.BioguideID, m.Name, strings.Join(missing, " or "))
		}
	}
	want := apportionment2020()
	for _, st := range slices.Sorted(maps.Keys(want)) {
		if n := len(d.senators[st]); n != 2 {
			add("%s has %d senators", st, n)
		}
	}
	seen := make(map[advocacy.DistrictKey]string)
	for _, m := range d.members {
		if m.Chamber != advocacy.House {
			continue
		}
		k := advocacy.DistrictKey{State: m.State, Number: m.District}
		if other, dup := seen[k]; dup {
			add("district %s-%d has two members, %s and %s", k.State, k.Number, other, m.BioguideID)
		}
		seen[k] = m.BioguideID
	}
	for _, ds := range d.districts {
		label := fmt.Sprintf("%s-%d", ds.key.State, ds.key.Number)
		if ds.rep < 0 {
			add("district %s is vacant", label)
		}
		if !ds.hasBoundary {
			add("district %s has no boundary in %s", label, fileShapes)
		}
		if !idx.keys[label] {
			add("district %s has no boundary in %s; point lookups cannot find it", label, fileBoundaries)
		}
	}
	for _, s := range d.notes.zipNoBoundary {
		add("ZIP row %s points at a district with no boundary", s)
	}
	for _, z := range d.notes.zipMultiMark {
		add("ZIP %s has more than one district marked as holding its centroid; none is shown as likely", z)
	}
	warn = append(warn, idx.warnings...)

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
	return d.Stats(), warn, nil
}
