// Package congress loads Whipcount's reference data (the members of the
// 119th Congress, ZIP-to-district candidates and district boundaries) into
// in-memory indexes, and answers ZIP and point lookups from them.
//
// Files are parsed once by Load; lookups never read files or scan every
// polygon. A *Data is read-only after Load and safe for concurrent use.
package congress

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Data is the parsed reference data with its indexes: the members, over
// the geography (districts, ZIP codes, boundaries) they sit for. The
// geography is shared between versions of the member data (see
// WithMembers), so that new members load without parsing the boundaries
// again.
type Data struct {
	*geo

	members  []advocacy.Member // sorted by compareMembers
	byID     map[string]int
	senators map[string][]int // state → indexes into members, senior first
	reps     []int            // per district: index into members; -1 when the seat is vacant
	termEnds []time.Time      // per member: when the current term ends; zero when unknown
	byState  map[string]int   // state → how many members the data lists for it

	dataDate string
	notes    memberNotes
	// unplaced are House members whose district the geography lacks.
	unplaced []string
}

// geo is the part of the reference data that changes only with
// redistricting: districts, ZIP codes and boundaries. It is immutable once
// built.
type geo struct {
	districts []district // sorted by state, then number
	byKey     map[advocacy.DistrictKey]int

	zips      map[string]zipEntry
	cands     []zipCand // zipEntry slices point into this
	splitZIPs int

	shapes     map[advocacy.DistrictKey]orb.MultiPolygon // simplified, for drawing
	states     map[string]orb.MultiPolygon               // simplified, for drawing
	stateNames map[string]string                         // postal code → name
	fips       map[string]string                         // STATEFP → postal code

	notes geoNotes

	// points returns the point-in-polygon index over the detailed
	// boundaries. It is built once, in the background from Load, because
	// the detailed file is the slowest part of start-up and only point
	// lookups need it.
	points func() (*pointIndex, error)
}

// district is one House district (or delegate district) as indexed.
type district struct {
	key         advocacy.DistrictKey
	atLarge     bool
	territory   bool
	hasBoundary bool // present in the drawing boundaries
}

// zipEntry is one ZIP's candidate districts, cands[first:first+n], already
// ordered likely first, then by state and number.
type zipEntry struct {
	first int32
	n     int32
	city  string
}

type zipCand struct {
	district int32 // index into districts
	likely   bool
}

// geoNotes are facts noticed while loading the geography that Check
// reports.
type geoNotes struct {
	zipNoBoundary []string // "12345 NY-27"
	zipMultiMark  []string // ZIPs with more than one centroid district
}

// zipRow is one row of the candidates file before indexing.
type zipRow struct {
	zip    string
	key    advocacy.DistrictKey
	marked bool
}

// LoadDir loads the reference data folder dir; see Load.
func LoadDir(dir string) (*Data, error) {
	d, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return d, nil
}

// Load parses the reference data files in fsys (the layout of db/reference)
// into in-memory indexes. Files are decoded concurrently. The detailed
// district boundaries used only by LookupPoint finish loading in the
// background; LookupPoint waits for them, and WaitBoundaries reports
// whether they loaded.
func Load(fsys fs.FS) (*Data, error) {
	fips, names, err := loadStateFIPS(fsys)
	if err != nil {
		return nil, err
	}
	g := &geo{fips: fips, stateNames: names}

	var (
		wg                    sync.WaitGroup
		memErr, zipErr, shErr error
		rows                  []zipRow
		cities                map[string]string
		members               []advocacy.Member
		notes                 memberNotes
	)
	wg.Go(func() { members, notes, memErr = loadMembers(fsys) })
	wg.Go(func() { rows, cities, zipErr = loadZIPs(fsys) })
	wg.Go(func() { shErr = g.loadShapes(fsys) })
	wg.Wait()
	if err := errors.Join(memErr, zipErr, shErr); err != nil {
		return nil, err
	}

	g.indexDistricts(rows, members)
	g.indexZIPs(rows, cities)
	g.points = sync.OnceValues(func() (*pointIndex, error) { return g.loadPointIndex(fsys) })
	go func() { _, _ = g.points() }() // OnceValues keeps the result for LookupPoint

	return g.withMembers(members, notes, readVersion(fsys))
}

// WithMembers loads the member files (and VERSION) from fsys over the same
// geography as d: the new data shares d's districts, ZIP codes and
// boundaries, which are not read again.
func (d *Data) WithMembers(fsys fs.FS) (*Data, error) {
	members, notes, err := loadMembers(fsys)
	if err != nil {
		return nil, err
	}
	return d.geo.withMembers(members, notes, readVersion(fsys))
}

// withMembers indexes members over the geography.
func (g *geo) withMembers(members []advocacy.Member, notes memberNotes, dataDate string) (*Data, error) {
	d := &Data{geo: g, members: members, notes: notes, dataDate: dataDate}
	if err := d.indexMembers(); err != nil {
		return nil, err
	}
	return d, nil
}

// WaitBoundaries blocks until the detailed boundaries for LookupPoint are
// loaded and returns the error, if any, from loading them.
func (d *Data) WaitBoundaries() error {
	_, err := d.points()
	return err
}

// readVersion returns the first line of VERSION, the data's date, or
// "unknown" when the folder has none.
func readVersion(fsys fs.FS) string {
	b, err := fs.ReadFile(fsys, fileVersion)
	if err != nil {
		return "unknown"
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if v := string(bytes.TrimSpace(line)); v != "" {
		return v
	}
	return "unknown"
}

// loadStateFIPS reads state_fips.csv: STATEFP → postal code, and postal
// code → name.
func loadStateFIPS(fsys fs.FS) (fips, names map[string]string, err error) {
	fips = make(map[string]string, 64)
	names = make(map[string]string, 64)
	err = readCSV(fsys, fileStateFIPS, []string{"STATEFP", "STUSPS", "NAME"}, func(col func(string) string) error {
		fp, st := col("STATEFP"), col("STUSPS")
		if len(st) != 2 || fp == "" {
			return fmt.Errorf("bad row %q %q", fp, st)
		}
		if len(fp) == 1 {
			fp = "0" + fp
		}
		fips[fp] = st
		names[st] = col("NAME")
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return fips, names, nil
}

// districtNumber maps a Census CD119FP code to the legislators' numbering:
// "00" (at-large) and "98" (delegate) are district 0. ok is false for codes
// that are not districts, such as "ZZ" (water not in any district).
func districtNumber(cd string) (int, bool) {
	n, err := strconv.Atoi(cd)
	if err != nil || n < 0 || n > 99 || n == 99 {
		return 0, false
	}
	if n == 98 {
		return 0, true
	}
	return n, true
}

// featureKey is the district of one boundary feature.
func (d *geo) featureKey(p topoProps) (advocacy.DistrictKey, error) {
	st := p.StUSPS
	if st == "" {
		st = d.fips[p.StateFP]
	}
	if st == "" {
		return advocacy.DistrictKey{}, fmt.Errorf("unknown STATEFP %q", p.StateFP)
	}
	n, ok := districtNumber(p.CD119FP)
	if !ok {
		return advocacy.DistrictKey{}, fmt.Errorf("district code %q in %s is not a district", p.CD119FP, st)
	}
	return advocacy.DistrictKey{State: st, Number: n}, nil
}

// loadShapes reads the simplified district and state boundaries.
func (d *geo) loadShapes(fsys fs.FS) error {
	feats, err := readTopoJSON(fsys, fileShapes, "")
	if err != nil {
		return err
	}
	d.shapes = make(map[advocacy.DistrictKey]orb.MultiPolygon, len(feats))
	for _, f := range feats {
		k, err := d.featureKey(f.Props)
		if err != nil {
			return fmt.Errorf("read %s: %w", fileShapes, err)
		}
		if _, dup := d.shapes[k]; dup {
			return fmt.Errorf("read %s: district %s-%d twice", fileShapes, k.State, k.Number)
		}
		d.shapes[k] = f.Shape
	}
	states, err := readTopoJSON(fsys, fileStates, "")
	if err != nil {
		return err
	}
	d.states = make(map[string]orb.MultiPolygon, len(states))
	for _, f := range states {
		st := f.Props.StUSPS
		if st == "" {
			st = d.fips[f.Props.StateFP]
		}
		if st == "" {
			return fmt.Errorf("read %s: unknown STATEFP %q", fileStates, f.Props.StateFP)
		}
		d.states[st] = f.Shape
	}
	return nil
}

// loadZIPs reads the candidates file and the city names from uszips.csv.
func loadZIPs(fsys fs.FS) ([]zipRow, map[string]string, error) {
	rows := make([]zipRow, 0, 43000)
	err := readCSV(fsys, fileCandidates, []string{"zcta", "state_abbr", "cd", "centroid_in_district"}, func(col func(string) string) error {
		z, ok := padZIP(col("zcta"))
		if !ok {
			return fmt.Errorf("bad zcta %q", col("zcta"))
		}
		st := col("state_abbr")
		if len(st) != 2 {
			return fmt.Errorf("bad state %q", st)
		}
		n, ok := districtNumber(col("cd"))
		if !ok {
			return fmt.Errorf("bad cd %q", col("cd"))
		}
		rows = append(rows, zipRow{zip: z, key: advocacy.DistrictKey{State: st, Number: n}, marked: col("centroid_in_district") == "1"})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	cities := make(map[string]string, 34000)
	err = readCSV(fsys, fileUSZips, []string{"zip", "city"}, func(col func(string) string) error {
		z, ok := padZIP(col("zip"))
		if !ok {
			return fmt.Errorf("bad zip %q", col("zip"))
		}
		cities[z] = col("city")
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rows, cities, nil
}

// padZIP restores the leading zeros that spreadsheet exports strip.
func padZIP(s string) (string, bool) {
	if s == "" || len(s) > 5 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	if len(s) < 5 {
		s = "00000"[:5-len(s)] + s
	}
	return s, true
}

// indexMembers builds the member indexes and seats the House members in
// their districts.
func (d *Data) indexMembers() error {
	d.byID = make(map[string]int, len(d.members))
	d.termEnds = make([]time.Time, len(d.members))
	d.senators = make(map[string][]int, 56)
	d.byState = make(map[string]int, 56)
	d.reps = make([]int, len(d.districts))
	for i := range d.reps {
		d.reps[i] = -1
	}
	for i, m := range d.members {
		d.byID[m.BioguideID] = i
		d.byState[m.State]++
		d.termEnds[i], _ = advocacy.TermEndsAt(m.TermEnd)
		switch m.Chamber {
		case advocacy.Senate:
			if advocacy.IsTerritory(m.State) {
				return fmt.Errorf("index members: senator %s for %s, which has no senators", m.BioguideID, m.State)
			}
			d.senators[m.State] = append(d.senators[m.State], i)
		case advocacy.House:
			di, ok := d.byKey[advocacy.DistrictKey{State: m.State, Number: m.District}]
			switch {
			case !ok:
				d.unplaced = append(d.unplaced, m.BioguideID)
			case d.reps[di] < 0:
				// Two members for one seat would be a data error; the first
				// in member order wins and Check reports it.
				d.reps[di] = i
			}
		}
	}
	return nil
}

// indexDistricts builds the district list from the drawing boundaries, the
// ZIP rows and the House members the geography was first loaded with, so a
// district known to any of them can be shown; Check reports the ones
// missing from a source.
func (d *geo) indexDistricts(rows []zipRow, members []advocacy.Member) {
	d.byKey = make(map[advocacy.DistrictKey]int, 450)
	add := func(k advocacy.DistrictKey) int {
		if i, ok := d.byKey[k]; ok {
			return i
		}
		d.districts = append(d.districts, district{key: k})
		d.byKey[k] = len(d.districts) - 1
		return len(d.districts) - 1
	}
	for k := range d.shapes {
		d.districts[add(k)].hasBoundary = true
	}
	for _, r := range rows {
		add(r.key)
	}
	for _, m := range members {
		if m.Chamber == advocacy.House {
			add(advocacy.DistrictKey{State: m.State, Number: m.District})
		}
	}
	slices.SortFunc(d.districts, func(a, b district) int {
		return cmp.Or(cmp.Compare(a.key.State, b.key.State), cmp.Compare(a.key.Number, b.key.Number))
	})
	seats := make(map[string]int, 56)
	for i, ds := range d.districts {
		d.byKey[ds.key] = i
		seats[ds.key.State]++
	}
	for i := range d.districts {
		ds := &d.districts[i]
		ds.territory = advocacy.IsTerritory(ds.key.State)
		ds.atLarge = !ds.territory && ds.key.Number == 0 && seats[ds.key.State] == 1
	}
}

// indexZIPs groups the candidate rows by ZIP and decides the likely district.
func (d *geo) indexZIPs(rows []zipRow, cities map[string]string) {
	slices.SortFunc(rows, func(a, b zipRow) int {
		return cmp.Or(cmp.Compare(a.zip, b.zip), cmp.Compare(a.key.State, b.key.State), cmp.Compare(a.key.Number, b.key.Number))
	})
	rows = slices.CompactFunc(rows, func(a, b zipRow) bool { return a.zip == b.zip && a.key == b.key })
	d.zips = make(map[string]zipEntry, len(cities)+200)
	d.cands = make([]zipCand, 0, len(rows))
	for lo := 0; lo < len(rows); {
		hi := lo + 1
		for hi < len(rows) && rows[hi].zip == rows[lo].zip {
			hi++
		}
		group := rows[lo:hi]
		marked := 0
		for _, r := range group {
			if r.marked {
				marked++
			}
		}
		first := len(d.cands)
		for _, r := range group {
			di := d.byKey[r.key]
			if !d.districts[di].hasBoundary {
				d.notes.zipNoBoundary = append(d.notes.zipNoBoundary, fmt.Sprintf("%s %s-%d", r.zip, r.key.State, r.key.Number))
			}
			// The likely district is the one holding the ZIP's centroid. A ZIP
			// with one candidate is that district even without a centroid
			// (Puerto Rico, centroids in water). Several candidates and no
			// marked one, or several marked ones, leave none likely rather
			// than guessing.
			likely := (marked == 1 && r.marked) || (len(group) == 1 && marked == 0)
			d.cands = append(d.cands, zipCand{district: int32(di), likely: likely})
		}
		if marked > 1 {
			d.notes.zipMultiMark = append(d.notes.zipMultiMark, group[0].zip)
		}
		cs := d.cands[first:]
		slices.SortStableFunc(cs, func(a, b zipCand) int {
			if a.likely != b.likely {
				if a.likely {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.district, b.district) // districts are in state, number order
		})
		if len(group) > 1 {
			d.splitZIPs++
		}
		d.zips[group[0].zip] = zipEntry{first: int32(first), n: int32(len(group)), city: cities[group[0].zip]}
		lo = hi
	}
}
