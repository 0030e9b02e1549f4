package advocacy

import (
	"testing"
	"time"
)

func TestCosponsorListStale(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name string
		asOf string
		now  string
		want bool
	}{
		{"fresh", "2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z", false},
		{"old", "2026-10-01T00:00:00Z", "2026-12-02T00:00:00Z", true},
		// After the 119th Congress: a list confirmed before its end may
		// still lack the last days; one confirmed after it is final.
		{"dead bill, last confirmed before the end", "2026-12-01T00:00:00Z", "2027-02-01T00:00:00Z", true},
		{"dead bill, final list", "2027-01-04T00:00:00Z", "2027-06-01T00:00:00Z", false},
	}
	for _, tt := range tests {
		b := Bill{Congress: 119, CosponsorsAsOf: at(tt.asOf)}
		if got := b.CosponsorListStale(at(tt.now), 14); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if !(Bill{Congress: 119}).CosponsorListStale(at("2026-12-02T00:00:00Z"), 14) {
		t.Error("a list never confirmed is not stale")
	}
}
