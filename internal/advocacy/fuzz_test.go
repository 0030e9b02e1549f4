package advocacy

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzParseZIP: whatever comes in, ParseZIP either returns five ASCII digits
// that begin the trimmed input, or an invalid error on the zip field.
func FuzzParseZIP(f *testing.F) {
	for _, s := range []string{"10025", " 10025-1234 ", "1002", "abcde", "", "10025-", "٠١٢٣٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		zip, err := ParseZIP(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalid || e.Fields["zip"] == "" {
				t.Fatalf("ParseZIP(%q): error %v is not a zip field error", in, err)
			}
			return
		}
		if !allDigits(zip, 5) || !strings.HasPrefix(strings.TrimSpace(in), zip) {
			t.Fatalf("ParseZIP(%q) = %q", in, zip)
		}
	})
}

// FuzzParseLatLon: an accepted point is always finite and in range.
func FuzzParseLatLon(f *testing.F) {
	f.Add("38.8899", "-77.0091")
	f.Add("NaN", "0")
	f.Add("1e400", "-0")
	f.Add("0x1p-2", "+inf")
	f.Fuzz(func(t *testing.T, lat, lon string) {
		la, lo, err := ParseLatLon(lat, lon)
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if math.IsNaN(la) || math.IsNaN(lo) || math.Abs(la) > 90 || math.Abs(lo) > 180 {
			t.Fatalf("ParseLatLon(%q, %q) = %v, %v", lat, lon, la, lo)
		}
	})
}

// FuzzParseCosponsorFile: the import never panics, and what it accepts is
// clean: valid, unique bioguide IDs and a join date for everyone.
func FuzzParseCosponsorFile(f *testing.F) {
	f.Add([]byte(`{"cosponsors":[{"bioguideId":"P000613","sponsorshipDate":"2025-11-04","isOriginalCosponsor":true}],"pagination":{"count":1}}`))
	f.Add([]byte(`{"cosponsors":[{"bioguideId":"P000613","sponsorshipDate":"2025-11-04","isOriginalCosponsor":false,"sponsorshipWithdrawnDate":"2026-01-02"}]}`))
	f.Add([]byte(`{"cosponsors":[]}`))
	f.Add([]byte(`{"cosponsors":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"cosponsors":[{"bioguideId":"x"}]} trailing`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseCosponsorFile(bytes.NewReader(data))
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error %v is not an invalid-file error", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range file.Cosponsors {
			if !ValidBioguideID(c.BioguideID) || seen[c.BioguideID] {
				t.Fatalf("accepted a bad or repeated ID %q", c.BioguideID)
			}
			seen[c.BioguideID] = true
			if c.JoinedOn.IsZero() {
				t.Fatalf("accepted %s without a join date", c.BioguideID)
			}
		}
	})
}
