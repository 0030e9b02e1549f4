package server

import (
	"strconv"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/mapdraw"
	"github.com/whipcount/whipcount/templates"
)

// The candidate-district map's view box, in SVG units.
const mapW, mapH = 400.0, 300.0

// districtMap draws the candidate districts of a split ZIP on one small map:
// each district is a link that settles the ZIP on it (keeping what the
// lookup v carries: the partner code and the campaign). It returns nil when no
// district has a shape (the list alone then does the job).
func (lu *lookup) districtMap(zip string, v templates.LookupView, ds []advocacy.DistrictResult) *templates.DistrictMap {
	shapes := make([]orb.MultiPolygon, len(ds))
	var drawn []orb.MultiPolygon
	for i, d := range ds {
		if mp, ok := lu.reps.DistrictShape(d.Key()); ok {
			shapes[i] = mp
			drawn = append(drawn, mp)
		}
	}
	if len(drawn) == 0 {
		return nil
	}
	bounds := mapdraw.ProjectedBound(drawn...)
	m := &templates.DistrictMap{ViewBox: "0 0 " + ftoa(mapW) + " " + ftoa(mapH)}
	for i, d := range ds {
		if shapes[i] == nil {
			continue
		}
		x, y := mapdraw.SVGPoint(labelPoint(shapes[i]), bounds, mapW, mapH)
		label := templates.DistrictLabel(d)
		if d.Likely {
			label += " (most likely)"
		}
		m.Areas = append(m.Areas, templates.MapArea{
			Href:   v.Carry(templates.PickURL(zip, d)),
			Label:  label,
			D:      mapdraw.SVGPath(shapes[i], bounds, mapW, mapH),
			Likely: d.Likely,
			LabelX: ftoa(x),
			LabelY: ftoa(y),
			Short:  d.Code(),
		})
	}
	return m
}

// labelPoint is the centre of the district's largest polygon, a good enough
// place for its short name.
func labelPoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := orb.Bound{}, -1.0
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		b := poly[0].Bound()
		if a := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); a > bestArea {
			best, bestArea = b, a
		}
	}
	return best.Center()
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
