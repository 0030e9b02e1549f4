package congress

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Live is the reference data a running server answers from. It holds one
// *Data at a time; Swap replaces it whole, so every call sees one complete
// version and never a mix of two. Answers are the data's own: callers judge
// whose terms have ended (advocacy.Lookup.AsOf); the clock serves Status
// and Reload. Live is safe for concurrent use.
type Live struct {
	cur   atomic.Pointer[liveVersion]
	clock func() time.Time
}

// liveVersion is one loaded version with what the site says about it.
type liveVersion struct {
	data *Data
	info VersionInfo
}

// VersionInfo describes where the loaded member data came from.
type VersionInfo struct {
	// Name is the installed version's folder name, or "built-in".
	Name string
	// Source is where its member files were downloaded from; empty for the
	// data built into the binary.
	Source string
	// FetchedAt is when they were downloaded; zero for the built-in data.
	FetchedAt time.Time
}

// NewLive starts with d as the current data; clock is the time answers are
// given at.
func NewLive(d *Data, info VersionInfo, clock func() time.Time) *Live {
	if clock == nil {
		clock = time.Now
	}
	l := &Live{clock: clock}
	l.cur.Store(&liveVersion{data: d, info: info})
	return l
}

// Swap makes d the current data. Requests already under way finish on the
// data they started with.
func (l *Live) Swap(d *Data, info VersionInfo) {
	l.cur.Store(&liveVersion{data: d, info: info})
}

// Data returns the current data and its description.
func (l *Live) Data() (*Data, VersionInfo) {
	v := l.cur.Load()
	return v.data, v.info
}

// LookupZIP is Data.LookupZIP on the current data.
func (l *Live) LookupZIP(zip string) (advocacy.Lookup, error) {
	return l.cur.Load().data.LookupZIP(zip)
}

// LookupPoint is Data.LookupPoint on the current data.
func (l *Live) LookupPoint(lat, lon float64) (advocacy.Lookup, error) {
	return l.cur.Load().data.LookupPoint(lat, lon)
}

// District is Data.District on the current data.
func (l *Live) District(key advocacy.DistrictKey) (advocacy.DistrictResult, bool) {
	return l.cur.Load().data.District(key)
}

// DistrictShape is Data.DistrictShape.
func (l *Live) DistrictShape(key advocacy.DistrictKey) (orb.MultiPolygon, bool) {
	return l.cur.Load().data.DistrictShape(key)
}

// StateShapes is Data.StateShapes.
func (l *Live) StateShapes() map[string]orb.MultiPolygon {
	return l.cur.Load().data.StateShapes()
}

// Member is Data.Member: a member whose term has ended is still found, so
// that letters and cosponsor lists can name them; Member.TermEnded tells.
func (l *Live) Member(bioguide string) (advocacy.Member, bool) {
	return l.cur.Load().data.Member(bioguide)
}

// Members is Data.Members, every member in the data whatever their term.
func (l *Live) Members() []advocacy.Member {
	return l.cur.Load().data.Members()
}

// MembersByState is Data.MembersByState on the current data.
func (l *Live) MembersByState() map[string]int {
	return l.cur.Load().data.MembersByState()
}

// Status describes the current data as of now: its counts, where it came
// from, and the members whose terms have ended.
func (l *Live) Status() Status {
	v := l.cur.Load()
	return v.data.status(v.info, l.clock())
}

// Status is what the site says about the member data it runs on.
type Status struct {
	Stats
	Version VersionInfo
	// Ended are the seats whose member's term has ended, by state.
	Ended []advocacy.EndedTerm
}

func (d *Data) status(info VersionInfo, now time.Time) Status {
	st := Status{Stats: d.Stats(), Version: info}
	for i, end := range d.termEnds {
		if !end.IsZero() && !now.Before(end) {
			st.Ended = append(st.Ended, advocacy.EndedTermOf(d.members[i]))
		}
	}
	return st
}

// Reload reads the member files of the data folder dir again (its current
// version, see LoadFolder) over the geography in use, checks them as of
// now and swaps them in. Data that does not load or fails the checks is
// refused and the data in use stays. The ZIP codes and boundaries are read
// only at start.
func (l *Live) Reload(dir string, base fs.FS) (VersionInfo, error) {
	if dir == "" {
		return VersionInfo{}, errors.New("reload: the server runs on the built-in data; start it with -data DIR to update it")
	}
	fsys, info, err := Folder{Dir: dir}.source(base)
	if err != nil {
		return info, fmt.Errorf("reload %s: %w", dir, err)
	}
	cur, _ := l.Data()
	d, err := cur.WithMembers(fsys)
	if err != nil {
		return info, fmt.Errorf("reload %s (version %s): %w", dir, info.Name, err)
	}
	rep, err := d.Check(l.clock())
	if err != nil {
		return info, fmt.Errorf("reload %s (version %s): %w", dir, info.Name, err)
	}
	if len(rep.Problems) > 0 {
		return info, fmt.Errorf("reload %s (version %s): refused: %s", dir, info.Name, strings.Join(rep.Problems, "; "))
	}
	l.Swap(d, info)
	return info, nil
}
