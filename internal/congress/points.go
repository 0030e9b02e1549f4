package congress

import (
	"fmt"
	"io/fs"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Grid of 1°×1° cells over the globe. Each cell lists the polygons whose
// bounding box overlaps it, so a point lookup tests only a handful of
// polygons instead of all 441 districts. Polygons are indexed one by one,
// not per district, so Alaska's islands do not put Alaska in every cell
// between the Aleutians and the panhandle.
const (
	gridCols = 360
	gridRows = 180
)

// pointIndex answers which district contains a point.
type pointIndex struct {
	polys     []indexedPolygon
	cellStart []int32 // polygons of cell c are cellPolys[cellStart[c]:cellStart[c+1]]
	cellPolys []int32
	warnings  []string // for Check
	keys      map[string]bool
}

type indexedPolygon struct {
	district int // index into geo.districts
	bound    orb.Bound
	poly     orb.Polygon
}

// loadPointIndex reads the detailed boundaries and indexes them.
func (d *geo) loadPointIndex(fsys fs.FS) (*pointIndex, error) {
	feats, err := readTopoJSON(fsys, fileBoundaries, "")
	if err != nil {
		return nil, fmt.Errorf("load boundaries: %w", err)
	}
	idx := &pointIndex{keys: make(map[string]bool, len(feats))}
	for _, f := range feats {
		k, err := d.featureKey(f.Props)
		if err != nil {
			return nil, fmt.Errorf("load boundaries: %s: %w", fileBoundaries, err)
		}
		label := fmt.Sprintf("%s-%d", k.State, k.Number)
		if idx.keys[label] {
			return nil, fmt.Errorf("load boundaries: %s: district %s twice", fileBoundaries, label)
		}
		idx.keys[label] = true
		di, ok := d.byKey[k]
		if !ok {
			idx.warnings = append(idx.warnings, fmt.Sprintf("district %s is in %s but not in the ZIP data, the members or %s; point lookups skip it", label, fileBoundaries, fileShapes))
			continue
		}
		for _, p := range f.Shape {
			idx.polys = append(idx.polys, indexedPolygon{district: di, bound: p[0].Bound(), poly: p})
		}
	}
	idx.build()
	return idx, nil
}

// cellRange returns the grid columns and rows a bound covers.
func cellRange(b orb.Bound) (c0, c1, r0, r1 int) {
	return gridCol(b.Min[0]), gridCol(b.Max[0]), gridRow(b.Min[1]), gridRow(b.Max[1])
}

func gridCol(lon float64) int {
	return min(max(int(math.Floor(lon))+180, 0), gridCols-1)
}

func gridRow(lat float64) int {
	return min(max(int(math.Floor(lat))+90, 0), gridRows-1)
}

// build fills the grid in two passes (count, then place) into one flat
// slice, which keeps the index to two allocations.
func (x *pointIndex) build() {
	counts := make([]int32, gridCols*gridRows+1)
	for _, p := range x.polys {
		c0, c1, r0, r1 := cellRange(p.bound)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				counts[r*gridCols+c+1]++
			}
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	x.cellStart = counts
	x.cellPolys = make([]int32, counts[len(counts)-1])
	next := make([]int32, gridCols*gridRows)
	copy(next, counts[:len(counts)-1])
	for i, p := range x.polys {
		c0, c1, r0, r1 := cellRange(p.bound)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				cell := r*gridCols + c
				x.cellPolys[next[cell]] = int32(i)
				next[cell]++
			}
		}
	}
}

// find returns the district index containing the point. Points on a shared
// border go to the first polygon found, which is stable for given data.
func (x *pointIndex) find(lon, lat float64) (int, bool) {
	pt := orb.Point{lon, lat}
	cell := gridRow(lat)*gridCols + gridCol(lon)
	for _, pi := range x.cellPolys[x.cellStart[cell]:x.cellStart[cell+1]] {
		p := &x.polys[pi]
		if p.bound.Contains(pt) && planar.PolygonContains(p.poly, pt) {
			return p.district, true
		}
	}
	return 0, false
}
