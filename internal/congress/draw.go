package congress

import (
	"maps"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// DistrictShape returns the simplified outline of a district, in degrees
// (longitude, latitude), for drawing (see package mapdraw). It is shared: callers must not modify
// it. Coastal points can fall outside it; use LookupPoint for containment.
func (d *Data) DistrictShape(key advocacy.DistrictKey) (orb.MultiPolygon, bool) {
	s, ok := d.shapes[key]
	return s, ok
}

// StateShapes returns the simplified outline of each state, DC and
// territory by postal code, for drawing. The map is a copy; the geometries
// are shared and must not be modified. The outlines are dissolved from the
// same districts, so they line up with DistrictShape.
func (d *Data) StateShapes() map[string]orb.MultiPolygon {
	return maps.Clone(d.states)
}
