package mapdraw_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/mapdraw"
)

// ExampleSVGPath draws two neighbouring districts on one map.
func ExampleSVGPath() {
	west := orb.MultiPolygon{{{{-101, 40}, {-100, 40}, {-100, 41}, {-101, 41}, {-101, 40}}}}
	east := orb.MultiPolygon{{{{-100, 40}, {-99, 40}, {-99, 41}, {-100, 41}, {-100, 40}}}}
	bounds := mapdraw.ProjectedBound(west, east)
	fmt.Println(mapdraw.SVGPath(west, bounds, 200, 100))
	fmt.Println(mapdraw.SVGPath(east, bounds, 200, 100))
	fmt.Println(mapdraw.SVGPoint(orb.Point{-100, 40.5}, bounds, 200, 100))
	// Output:
	// M24 100l76 0 0-100-76 0Z
	// M100 100l76 0 0-100-76 0Z
	// 100 50.2
}
