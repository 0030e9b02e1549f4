package congress

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/mapdraw"
)

func TestShapes(t *testing.T) {
	states := testData.StateShapes()
	if len(states) != 56 {
		t.Errorf("StateShapes has %d, want 56", len(states))
	}
	delete(states, "NY") // a copy: the next call still has it
	if _, ok := testData.StateShapes()["NY"]; !ok {
		t.Error("StateShapes is not a copy")
	}
	ak := mapdraw.ProjectedBound(testData.StateShapes()["AK"])
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
	b := mapdraw.ProjectedBound(ny)
	// Commands and numbers: M starts a ring at an absolute point, the
	// numbers after l are steps from the point before.
	tok := regexp.MustCompile(`[MlZ]|-?[0-9.]+`)
	for n := 1; n <= 26; n++ {
		shape, _ := testData.DistrictShape(advocacy.DistrictKey{State: "NY", Number: n})
		d := mapdraw.SVGPath(shape, b, 400, 300)
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
