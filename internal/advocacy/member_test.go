package advocacy

import "testing"

func TestDistrictCode(t *testing.T) {
	tests := []struct {
		d    DistrictResult
		want string
	}{
		{DistrictResult{State: "NY", District: 12}, "NY-12"},
		{DistrictResult{State: "WY", District: 0, AtLarge: true}, "WY-AL"},
		{DistrictResult{State: "AK"}, "AK-AL"},
		{DistrictResult{State: "DC", Territory: true}, "DC"},
		{DistrictResult{State: "PR", AtLarge: true, Territory: true}, "PR"},
	}
	for _, tt := range tests {
		if got := tt.d.Code(); got != tt.want {
			t.Errorf("%+v.Code() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestIsTerritory(t *testing.T) {
	for _, s := range []string{"DC", "PR", "GU", "VI", "AS", "MP"} {
		if !IsTerritory(s) {
			t.Errorf("IsTerritory(%q) = false", s)
		}
	}
	for _, s := range []string{"NY", "AK", "WY", "", "dc"} {
		if IsTerritory(s) {
			t.Errorf("IsTerritory(%q) = true", s)
		}
	}
}
