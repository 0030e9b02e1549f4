package congress

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Changes is what a new version of the member data changes from the one
// in use.
type Changes struct {
	Added []advocacy.Member // in the new data only
	Gone  []advocacy.Member // in the old data only
	// Moved are members in both whose seat changed (another district, or
	// from the House to the Senate); From is the old seat.
	Moved []Move
	// Renewed counts members in the same seat with a new term.
	Renewed int
	// NowVacant and NowFilled are seats that lost or gained a member:
	// "CA-14", or "OH (Senate)".
	NowVacant []string
	NowFilled []string
	// Before is the number of members in the old data.
	Before int
}

// Move is a member whose seat changed.
type Move struct {
	Member advocacy.Member
	From   string
}

// Diff compares the members of old and new. old may be nil (no data in
// use): then every member is added.
func Diff(old, new *Data) Changes {
	var ch Changes
	oldBy := map[string]advocacy.Member{}
	if old != nil {
		ch.Before = len(old.members)
		for _, m := range old.members {
			oldBy[m.BioguideID] = m
		}
	}
	seen := map[string]bool{}
	for _, m := range new.members {
		seen[m.BioguideID] = true
		o, ok := oldBy[m.BioguideID]
		switch {
		case !ok:
			ch.Added = append(ch.Added, m)
		case seatLabel(o) != seatLabel(m) || o.Chamber != m.Chamber:
			ch.Moved = append(ch.Moved, Move{Member: m, From: seatName(o)})
		case o.TermEnd != m.TermEnd || o.TermStart != m.TermStart:
			ch.Renewed++
		}
	}
	if old != nil {
		for _, m := range old.members {
			if !seen[m.BioguideID] {
				ch.Gone = append(ch.Gone, m)
			}
		}
	}
	ch.NowVacant, ch.NowFilled = seatChanges(old, new)
	return ch
}

// seatChanges lists the House seats and Senate seats that lost or gained a
// member between old and new.
func seatChanges(old, new *Data) (vacant, filled []string) {
	houseSeats := func(d *Data) map[advocacy.DistrictKey]string {
		out := map[advocacy.DistrictKey]string{}
		if d == nil {
			return out
		}
		for i, ds := range d.districts {
			if rep := d.reps[i]; rep >= 0 {
				out[ds.key] = d.members[rep].BioguideID
			}
		}
		return out
	}
	senateSeats := func(d *Data) map[string]int {
		out := map[string]int{}
		if d == nil {
			return out
		}
		for st, idx := range d.senators {
			out[st] = len(idx)
		}
		return out
	}
	oh, nh := houseSeats(old), houseSeats(new)
	keys := maps.Clone(oh)
	maps.Copy(keys, nh)
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b advocacy.DistrictKey) int {
		return cmp.Or(cmp.Compare(a.State, b.State), cmp.Compare(a.Number, b.Number))
	})
	for _, k := range sorted {
		label := fmt.Sprintf("%s-%d", k.State, k.Number)
		_, had := oh[k]
		_, has := nh[k]
		switch {
		case had && !has:
			vacant = append(vacant, label)
		case !had && has:
			filled = append(filled, label)
		}
	}
	was, now := senateSeats(old), senateSeats(new)
	states := maps.Clone(was)
	maps.Copy(states, now)
	for _, st := range slices.Sorted(maps.Keys(states)) {
		label := st + " (Senate)"
		for i := now[st]; i < was[st]; i++ {
			vacant = append(vacant, label)
		}
		for i := was[st]; i < now[st]; i++ {
			filled = append(filled, label)
		}
	}
	return vacant, filled
}

// seatName is "Representative for CA-14" or "Senator for OH".
func seatName(m advocacy.Member) string {
	return m.Role + " for " + seatLabel(m)
}

// memberLine names a member with their seat: "Rep. Jane Doe (D, CA-14)".
func memberLine(m advocacy.Member) string {
	return fmt.Sprintf("%s %s (%s, %s)", m.Role, m.Name, m.PartyLetter(), seatLabel(m))
}

// Lines describes the changes for people, one fact a line.
func (c Changes) Lines() []string {
	var out []string
	list := func(label string, ms []advocacy.Member) {
		if len(ms) == 0 {
			out = append(out, label+": none")
			return
		}
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = memberLine(m)
		}
		out = append(out, fmt.Sprintf("%s: %d: %s", label, len(ms), strings.Join(names, "; ")))
	}
	list("members added", c.Added)
	list("members gone", c.Gone)
	if len(c.Moved) == 0 {
		out = append(out, "members moved: none")
	} else {
		names := make([]string, len(c.Moved))
		for i, mv := range c.Moved {
			names[i] = fmt.Sprintf("%s, was %s", memberLine(mv.Member), mv.From)
		}
		out = append(out, fmt.Sprintf("members moved: %d: %s", len(c.Moved), strings.Join(names, "; ")))
	}
	seats := func(label string, s []string) {
		if len(s) == 0 {
			out = append(out, label+": none")
			return
		}
		out = append(out, fmt.Sprintf("%s: %d: %s", label, len(s), strings.Join(s, ", ")))
	}
	seats("seats now vacant", c.NowVacant)
	seats("seats now filled", c.NowFilled)
	out = append(out, fmt.Sprintf("members in the same seat with a new term: %d", c.Renewed))
	return out
}

// Summary is the changes in one line of counts.
func (c Changes) Summary() string {
	return fmt.Sprintf("%d added, %d gone, %d moved, %d seats now vacant, %d now filled, %d new terms",
		len(c.Added), len(c.Gone), len(c.Moved), len(c.NowVacant), len(c.NowFilled), c.Renewed)
}
