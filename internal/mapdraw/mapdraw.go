// Package mapdraw draws outlines given in degrees as SVG: a projection that
// keeps shapes true at any latitude, a fit into a view box, and compact
// path data. It knows nothing of Congress or of where the shapes come from.
package mapdraw

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// Project maps a point in degrees to plane coordinates for drawing: a
// spherical Mercator in degree units (x is the longitude, y grows north). It
// keeps every district's shape true at any latitude, which suits maps of one
// district or one state. Longitudes east of 0 (Guam, the Northern Mariana
// Islands and the Aleutians past 180°) are shifted by -360°, so Alaska stays
// in one piece.
func Project(p orb.Point) orb.Point {
	lon, lat := p[0], p[1]
	if lon > 0 {
		lon -= 360
	}
	// Clamp short of the poles, where Mercator diverges.
	lat = math.Max(-85, math.Min(85, lat))
	phi := lat * math.Pi / 180
	y := math.Log(math.Tan(math.Pi/4+phi/2)) * 180 / math.Pi
	return orb.Point{lon, y}
}

// ProjectedBound returns the bounds, in projected coordinates (see
// Project), of all the shapes; pass it to SVGPath for each shape to draw
// them on one map.
func ProjectedBound(shapes ...orb.MultiPolygon) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, mp := range shapes {
		for _, poly := range mp {
			for _, ring := range poly {
				for _, pt := range ring {
					b = b.Extend(Project(pt))
				}
			}
		}
	}
	if math.IsInf(b.Min[0], 1) {
		return orb.Bound{}
	}
	return b
}

// svgFit maps projected coordinates into a w×h box: bounds fitted keeping
// the aspect ratio, centred, y flipped so north is up.
type svgFit struct {
	minX, minY, scale, offX, offY, h float64
}

func newSVGFit(bounds orb.Bound, w, h float64) svgFit {
	bw, bh := bounds.Max[0]-bounds.Min[0], bounds.Max[1]-bounds.Min[1]
	var scale float64
	switch {
	case bw > 0 && bh > 0:
		scale = math.Min(w/bw, h/bh)
	case bw > 0:
		scale = w / bw
	case bh > 0:
		scale = h / bh
	default:
		scale = 1
	}
	return svgFit{
		minX: bounds.Min[0], minY: bounds.Min[1], scale: scale,
		offX: (w - bw*scale) / 2, offY: (h - bh*scale) / 2, h: h,
	}
}

// at returns the box coordinates of a point in degrees, rounded to one
// decimal.
func (f svgFit) at(p orb.Point) (x, y float64) {
	q := Project(p)
	return round1(f.offX + (q[0]-f.minX)*f.scale), round1(f.h - f.offY - (q[1]-f.minY)*f.scale)
}

// SVGPoint places one point (in degrees) in the same w×h box as SVGPath with
// the same bounds, for labels and pins. Coordinates are rounded to one
// decimal.
func SVGPoint(p orb.Point, bounds orb.Bound, w, h float64) (x, y float64) {
	return newSVGFit(bounds, w, h).at(p)
}

// SVGPath draws mp (in degrees) as the d attribute of an SVG path in a w×h
// view box. bounds, in projected coordinates (see ProjectedBound), is fitted
// into the box keeping the aspect ratio and centred; y is flipped so north
// is up. Coordinates are rounded to one decimal; points that round to the
// previous one, and rings left with fewer than three points, are dropped.
// After each ring's first point the path uses relative linetos, which are
// about half as long and compress far better than absolute ones.
// Holes are separate subpaths: draw with fill-rule="evenodd".
func SVGPath(mp orb.MultiPolygon, bounds orb.Bound, w, h float64) string {
	fit := newSVGFit(bounds, w, h)
	var buf []byte
	for _, poly := range mp {
		for _, ring := range poly {
			n := len(ring)
			if n > 1 && ring[0] == ring[n-1] {
				n-- // Z closes the ring
			}
			var lastX, lastY float64
			drawn, start := 0, len(buf)
			for i := 0; i < n; i++ {
				x, y := fit.at(ring[i])
				if drawn > 0 && x == lastX && y == lastY {
					continue
				}
				switch drawn {
				case 0:
					buf = append(buf, 'M')
					buf = appendPair(buf, x, y)
				case 1:
					buf = append(buf, 'l')
					buf = appendPair(buf, round1(x-lastX), round1(y-lastY))
				default:
					// Later points repeat the relative lineto implicitly.
					if dx := round1(x - lastX); dx >= 0 {
						buf = append(buf, ' ')
					}
					buf = appendPair(buf, round1(x-lastX), round1(y-lastY))
				}
				lastX, lastY = x, y
				drawn++
			}
			if drawn < 3 {
				buf = buf[:start] // too small to see at this size
				continue
			}
			buf = append(buf, 'Z')
		}
	}
	return string(buf)
}

// appendPair writes "x y" (the space is left out before a minus sign,
// which separates the numbers by itself).
func appendPair(buf []byte, x, y float64) []byte {
	buf = strconv.AppendFloat(buf, x, 'f', -1, 64)
	if y >= 0 {
		buf = append(buf, ' ')
	}
	return strconv.AppendFloat(buf, y, 'f', -1, 64)
}

// round1 rounds to one decimal, without a negative zero.
func round1(v float64) float64 {
	r := math.Round(v*10) / 10
	if r == 0 {
		return 0
	}
	return r
}
