package congress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/paulmach/orb"
)

// This file decodes the TopoJSON subset the boundary files use: one
// GeometryCollection of Polygon and MultiPolygon geometries over shared,
// optionally quantized and delta-encoded arcs. orb reads GeoJSON only.

// topoFeature is one decoded geometry with the properties the app needs.
type topoFeature struct {
	Props topoProps
	Shape orb.MultiPolygon
}

// topoProps are the Census properties the app reads; the files carry more.
type topoProps struct {
	StateFP string `json:"STATEFP"`
	CD119FP string `json:"CD119FP"`
	GEOID   string `json:"GEOID"`
	StUSPS  string `json:"STUSPS"`
	Name    string `json:"NAME"`
}

type topoGeometry struct {
	Type       string          `json:"type"`
	Arcs       json.RawMessage `json:"arcs"`
	Properties topoProps       `json:"properties"`
}

type topoObject struct {
	Type       string         `json:"type"`
	Geometries []topoGeometry `json:"geometries"`
}

type topoTransform struct {
	Scale     [2]float64 `json:"scale"`
	Translate [2]float64 `json:"translate"`
}

type topology struct {
	Type      string                `json:"type"`
	Transform *topoTransform        `json:"transform"`
	Objects   map[string]topoObject `json:"objects"`
	// Arcs hold most of the bytes; they are read by parseArcs, which is
	// much faster than decoding nested slices through reflection.
	Arcs json.RawMessage `json:"arcs"`
}

// readTopoJSON decodes the named object of a TopoJSON file in fsys. With an
// empty object name the file must hold exactly one object.
func readTopoJSON(fsys fs.FS, name, object string) ([]topoFeature, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	feats, err := decodeTopoJSON(b, object)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return feats, nil
}

// decodeTopoJSON decodes a TopoJSON document; see readTopoJSON.
func decodeTopoJSON(b []byte, object string) ([]topoFeature, error) {
	var topo topology
	if err := json.Unmarshal(b, &topo); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	if topo.Type != "Topology" {
		return nil, fmt.Errorf("type is %q, want Topology", topo.Type)
	}
	var obj topoObject
	switch {
	case object != "":
		o, ok := topo.Objects[object]
		if !ok {
			return nil, fmt.Errorf("no object %q", object)
		}
		obj = o
	case len(topo.Objects) == 1:
		for _, o := range topo.Objects {
			obj = o
		}
	default:
		return nil, fmt.Errorf("%d objects, want one", len(topo.Objects))
	}
	if obj.Type != "GeometryCollection" {
		return nil, fmt.Errorf("object type is %q, want GeometryCollection", obj.Type)
	}
	arcs, err := parseArcs(topo.Arcs, topo.Transform)
	if err != nil {
		return nil, fmt.Errorf("parse arcs: %w", err)
	}
	feats := make([]topoFeature, 0, len(obj.Geometries))
	for i, g := range obj.Geometries {
		var mp orb.MultiPolygon
		switch g.Type {
		case "Polygon":
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, fmt.Errorf("geometry %d: arcs: %w", i, err)
			}
			p, err := buildPolygon(arcs, rings)
			if err != nil {
				return nil, fmt.Errorf("geometry %d: %w", i, err)
			}
			mp = orb.MultiPolygon{p}
		case "MultiPolygon":
			var polys [][][]int
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, fmt.Errorf("geometry %d: arcs: %w", i, err)
			}
			mp = make(orb.MultiPolygon, 0, len(polys))
			for _, rings := range polys {
				p, err := buildPolygon(arcs, rings)
				if err != nil {
					return nil, fmt.Errorf("geometry %d: %w", i, err)
				}
				mp = append(mp, p)
			}
		default:
			return nil, fmt.Errorf("geometry %d: type %q is not supported", i, g.Type)
		}
		feats = append(feats, topoFeature{Props: g.Properties, Shape: mp})
	}
	return feats, nil
}

// buildPolygon joins arcs into rings. A negative index ~i means arc i
// reversed. Consecutive arcs share their joining point, so it is kept once.
func buildPolygon(arcs [][]orb.Point, rings [][]int) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, errors.New("polygon without rings")
	}
	poly := make(orb.Polygon, 0, len(rings))
	for _, idxs := range rings {
		n := 0
		for _, ix := range idxs {
			a, err := arcAt(arcs, ix)
			if err != nil {
				return nil, err
			}
			n += len(a)
		}
		ring := make(orb.Ring, 0, n)
		for _, ix := range idxs {
			a, _ := arcAt(arcs, ix)
			start := 0
			if len(ring) > 0 {
				start = 1
			}
			if ix >= 0 {
				ring = append(ring, a[start:]...)
				continue
			}
			for j := len(a) - 1 - start; j >= 0; j-- {
				ring = append(ring, a[j])
			}
		}
		if len(ring) < 4 {
			return nil, fmt.Errorf("ring with %d points", len(ring))
		}
		if ring[0] != ring[len(ring)-1] {
			// Quantized rings close exactly; close any that do not, so the
			// containment test sees a proper ring.
			ring = append(ring, ring[0])
		}
		poly = append(poly, ring)
	}
	return poly, nil
}

func arcAt(arcs [][]orb.Point, ix int) ([]orb.Point, error) {
	if ix < 0 {
		ix = ^ix
	}
	if ix >= len(arcs) {
		return nil, fmt.Errorf("arc index %d out of range (%d arcs)", ix, len(arcs))
	}
	return arcs[ix], nil
}

// parseArcs reads the "arcs" array: arcs of positions of two or more numbers.
// With a transform the positions are quantized and delta-encoded.
func parseArcs(b []byte, tr *topoTransform) ([][]orb.Point, error) {
	p := arcParser{b: b}
	var arcs [][]orb.Point
	if err := p.expect('['); err != nil {
		return nil, err
	}
	if p.peek() == ']' {
		p.i++
		return arcs, nil
	}
	// One backing array for all points keeps the allocations few.
	pool := make([]orb.Point, 0, len(b)/8)
	for {
		if err := p.expect('['); err != nil {
			return nil, err
		}
		start := len(pool)
		var x, y float64
		for p.peek() != ']' {
			if err := p.expect('['); err != nil {
				return nil, err
			}
			px, err := p.number()
			if err != nil {
				return nil, err
			}
			if err := p.expect(','); err != nil {
				return nil, err
			}
			py, err := p.number()
			if err != nil {
				return nil, err
			}
			// Skip any extra dimensions.
			for p.peek() == ',' {
				p.i++
				if _, err := p.number(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(']'); err != nil {
				return nil, err
			}
			if tr != nil {
				x += px
				y += py
				px = x*tr.Scale[0] + tr.Translate[0]
				py = y*tr.Scale[1] + tr.Translate[1]
			}
			if len(pool) == cap(pool) {
				// Moving the pool would break the arcs already cut from it,
				// so start a new backing array and move this arc along.
				grown := make([]orb.Point, len(pool)-start, 2*cap(pool)+16)
				copy(grown, pool[start:])
				pool, start = grown, 0
			}
			pool = append(pool, orb.Point{px, py})
			if p.peek() == ',' {
				p.i++
			}
		}
		p.i++ // ']'
		if len(pool)-start < 2 {
			return nil, fmt.Errorf("arc %d has %d positions", len(arcs), len(pool)-start)
		}
		arcs = append(arcs, pool[start:len(pool):len(pool)])
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return arcs, nil
		default:
			return nil, p.errorf("expected , or ]")
		}
	}
}

// arcParser scans JSON arrays of numbers.
type arcParser struct {
	b []byte
	i int
}

func (p *arcParser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *arcParser) peek() byte {
	p.skipSpace()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *arcParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.i++
	return nil
}

func (p *arcParser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

// number reads a JSON number; plain integers, the common case in quantized
// files, skip strconv.
func (p *arcParser) number() (float64, error) {
	p.skipSpace()
	start := p.i
	neg := false
	if p.i < len(p.b) && p.b[p.i] == '-' {
		neg = true
		p.i++
	}
	var n int64
	digits := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' && digits < 18 {
		n = n*10 + int64(p.b[p.i]-'0')
		p.i++
		digits++
	}
	if digits == 0 {
		return 0, p.errorf("expected a number")
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			for p.i < len(p.b) && isNumberByte(p.b[p.i]) {
				p.i++
			}
			f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
			if err != nil {
				return 0, p.errorf("bad number: %v", err)
			}
			return f, nil
		}
	}
	if neg {
		n = -n
	}
	return float64(n), nil
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}
