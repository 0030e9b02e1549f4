package main

import (
	"testing"
	"time"
)

func TestLimitFlag(t *testing.T) {
	tests := []struct {
		in        string
		perMinute float64
		burst     int
		ok        bool
	}{
		{"20/1h", 20.0 / 60, 20, true},
		{"600/1m", 600, 600, true},
		{" 5 / 30s ", 10, 5, true},
		{"0", 0, 0, true},
		{"20", 0, 0, false},
		{"x/1h", 0, 0, false},
		{"-1/1h", 0, 0, false},
		{"5/0s", 0, 0, false},
		{"5/soon", 0, 0, false},
	}
	for _, tt := range tests {
		var f limitFlag
		err := f.Set(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("Set(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err == nil && (f.l.Burst != tt.burst || f.l.PerMinute-tt.perMinute > 1e-9 || tt.perMinute-f.l.PerMinute > 1e-9) {
			t.Errorf("Set(%q) = %+v", tt.in, f.l)
		}
	}
	var f limitFlag
	f.Set("20/1h")
	if f.String() != "20/"+time.Hour.String() {
		t.Errorf("String() = %q", f.String())
	}
}
