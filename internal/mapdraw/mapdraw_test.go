package mapdraw

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestProject(t *testing.T) {
	tests := []struct {
		in, want orb.Point
	}{
		{orb.Point{0, 0}, orb.Point{0, 0}},
		{orb.Point{-77, 0}, orb.Point{-77, 0}},
		{orb.Point{-100, 45}, orb.Point{-100, 50.498987}},
		{orb.Point{-100, -45}, orb.Point{-100, -50.498987}},
		{orb.Point{173, 52}, orb.Point{-187, 61.086566}}, // the Aleutians join Alaska
		{orb.Point{144.8, 13.5}, orb.Point{-215.2, 13.626674}},
		{orb.Point{0, 90}, orb.Point{0, 179.410351}}, // clamped at 85°
	}
	for _, tt := range tests {
		got := Project(tt.in)
		if math.Abs(got[0]-tt.want[0]) > 1e-6 || math.Abs(got[1]-tt.want[1]) > 1e-5*math.Max(1, math.Abs(tt.want[1])) {
			t.Errorf("Project(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSVGPath(t *testing.T) {
	// Shapes around 100°W on the equator, where the projection is nearly
	// the identity.
	square := orb.MultiPolygon{{{{-101, -1}, {-99, -1}, {-99, 1}, {-101, 1}, {-101, -1}}}}
	wide := orb.MultiPolygon{{{{-102, -1}, {-98, -1}, {-98, 1}, {-102, 1}, {-102, -1}}}}
	withHole := orb.MultiPolygon{{
		{{-101, -1}, {-99, -1}, {-99, 1}, {-101, 1}, {-101, -1}},
		{{-100.5, -0.5}, {-100.5, 0.5}, {-99.5, 0.5}, {-99.5, -0.5}, {-100.5, -0.5}},
	}}
	tiny := orb.MultiPolygon{{{{-100, 0}, {-99.9999, 0}, {-100, 0.0001}, {-100, 0}}}}
	tests := []struct {
		name   string
		mp     orb.MultiPolygon
		bounds orb.Bound
		w, h   float64
		want   string
	}{
		{"square fills the box, y flipped", square, ProjectedBound(square), 100, 100, "M0 100l100 0 0-100-100 0Z"},
		{"wide shape centred vertically", wide, ProjectedBound(wide), 100, 100, "M0 75l100 0 0-50-100 0Z"},
		{"hole is a second subpath", withHole, ProjectedBound(withHole), 10, 10, "M0 10l10 0 0-10-10 0ZM2.5 7.5l0-5 5 0 0 5Z"},
		{"shape in a larger map", square, ProjectedBound(wide), 100, 100, "M25 75l50 0 0-50-50 0Z"},
		{"ring too small to see", tiny, ProjectedBound(square), 100, 100, ""},
		{"empty", nil, orb.Bound{}, 100, 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SVGPath(tt.mp, tt.bounds, tt.w, tt.h); got != tt.want {
				t.Errorf("SVGPath = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSVGPoint(t *testing.T) {
	wide := orb.MultiPolygon{{{{-102, -1}, {-98, -1}, {-98, 1}, {-102, 1}, {-102, -1}}}}
	b := ProjectedBound(wide)
	tests := []struct {
		in           orb.Point
		wantX, wantY float64
	}{
		{orb.Point{-100, 0}, 50, 50},
		{orb.Point{-102, -1}, 0, 75},
		{orb.Point{-98, 1}, 100, 25},
		{orb.Point{-99, 0.5}, 75, 37.5},
	}
	for _, tt := range tests {
		if x, y := SVGPoint(tt.in, b, 100, 100); x != tt.wantX || y != tt.wantY {
			t.Errorf("SVGPoint(%v) = %v, %v; want %v, %v", tt.in, x, y, tt.wantX, tt.wantY)
		}
	}
}
