package congress

import (
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/whipcount/whipcount/internal/advocacy"
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

func TestShapes(t *testing.T) {
	states := testData.StateShapes()
	if len(states) != 56 {
		t.Errorf("StateShapes has %d, want 56", len(states))
	}
	delete(states, "NY") // a copy: the next call still has it
	if _, ok := testData.StateShapes()["NY"]; !ok {
		t.Error("StateShapes is not a copy")
	}
	ak := ProjectedBound(testData.StateShapes()["AK"])
	if w := ak.Max[0] - ak.Min[0]; w > 60 {
		t.Errorf("Alaska spans %v° when projected; the Aleutians should join it", w)
	}
	for _, k := range testData.Districts() {
		if _, ok := testData.DistrictShape(k); !ok {
			t.Errorf("no shape for %v", k)
		}
	}
	if _, ok := testData.DistrictShape(advocacy.DistrictKey{State: "NY", Number: 27}); ok {
		t.Error("shape for NY-27")
	}

	// Draw New York's districts on the state's map: every coordinate must
	// land in the box.
	ny := testData.StateShapes()["NY"]
	b := ProjectedBound(ny)
	// Commands and numbers: M starts a ring at an absolute point, the
	// numbers after l are steps from the point before.
	tok := regexp.MustCompile(`[MlZ]|-?[0-9.]+`)
	for n := 1; n <= 26; n++ {
		shape, _ := testData.DistrictShape(advocacy.DistrictKey{State: "NY", Number: n})
		d := SVGPath(shape, b, 400, 300)
		if len(d) < 20 || d[0] != 'M' || d[len(d)-1] != 'Z' {
			t.Fatalf("NY-%d path %.40q", n, d)
		}
		var cmd string
		var x, y float64
		var nums []float64
		for _, s := range tok.FindAllString(d, -1) {
			switch s {
			case "M", "l", "Z":
				cmd, nums = s, nil
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("NY-%d path has %q", n, s)
			}
			nums = append(nums, f)
			if len(nums) < 2 {
				continue
			}
			if cmd == "M" {
				x, y = nums[0], nums[1]
			} else {
				x, y = x+nums[0], y+nums[1]
			}
			nums = nil
			for i, v := range []float64{x, y} {
				limit := 400.0
				if i == 1 {
					limit = 300
				}
				if v < -0.05 || v > limit+0.05 {
					t.Fatalf("NY-%d path reaches %v outside the box", n, v)
				}
			}
		}
	}
}
