package advocacy

import "testing"

func TestParseZIP(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"10025", "10025", true},
		{" 10025 ", "10025", true},
		{"\t10025-1234\n", "10025", true},
		{"00601", "00601", true},
		{"", "", false},
		{"1002", "", false},
		{"100251", "", false},
		{"10025-12", "", false},
		{"10025-", "", false},
		{"10025 1234", "", false},
		{"abcde", "", false},
		{"1002a", "", false},
		{"１００２５", "", false}, // full-width digits are not ASCII digits
		{"-1234", "", false},
	}
	for _, tt := range tests {
		got, err := ParseZIP(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseZIP(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil {
			if ErrorCode(err) != CodeInvalid || err.(*Error).Fields["zip"] == "" {
				t.Errorf("ParseZIP(%q): error %v lacks an invalid zip field", tt.in, err)
			}
		}
	}
}

func TestParseLatLon(t *testing.T) {
	tests := []struct {
		lat, lon string
		ok       bool
		field    string
	}{
		{"38.8899", "-77.0091", true, ""},
		{" 0 ", "0", true, ""},
		{"90", "180", true, ""},
		{"90.1", "0", false, "lat"},
		{"NaN", "0", false, "lat"},
		{"1", "Inf", false, "lon"},
		{"", "", false, "lat"},
		{"1", "-180.5", false, "lon"},
		{"1e1", "2", true, ""},
	}
	for _, tt := range tests {
		_, _, err := ParseLatLon(tt.lat, tt.lon)
		if (err == nil) != tt.ok {
			t.Errorf("ParseLatLon(%q,%q) err=%v want ok=%v", tt.lat, tt.lon, err, tt.ok)
			continue
		}
		if err != nil {
			if _, ok := err.(*Error).Fields[tt.field]; !ok {
				t.Errorf("ParseLatLon(%q,%q) = %v; want field %s", tt.lat, tt.lon, err, tt.field)
			}
		}
	}
}
