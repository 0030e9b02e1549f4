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

// FuzzValidateLetter: validation never panics, and what it accepts is
// normalised for good: validating its own output again accepts it unchanged.
func FuzzValidateLetter(f *testing.F) {
	f.Add("Ms.", "Ada", "Lovelace", "12 Orchard Street", "New York", "NY", "10002-1234", "ada@example.org", "(212) 555-0134", "Why it matters", "S000148")
	f.Add("", "", "", "", "", "", "", "", "", "", "")
	f.Add("Dr.", " A\tda ", "L\u0000", "x", "y", "ny", "10002", "A@B.C", "+1 212 555 0134", "\x1b[31m", "G000599")
	f.Add("Rev.", "Zoë", "Ñúñez", "1 Calle", "San Juan", "PR", "00901", "z@example.org", "1-787-555-0100", "🙂", "G000599")
	district := DistrictResult{State: "NY", District: 10,
		Representative: &Member{BioguideID: "G000599", Chamber: House, State: "NY", District: 10},
		Senators:       []Member{{BioguideID: "S000148", Chamber: Senate, State: "NY"}, {BioguideID: "G000555", Chamber: Senate, State: "NY"}}}
	settle := Settlement{District: district, By: SettledByZIP, ZIP: "10002"}
	f.Fuzz(func(t *testing.T, prefix, first, last, addr, city, state, zip, email, phone, personal, recipient string) {
		in := LetterInput{Campaign: "jackson-vanik", Recipients: []string{recipient}, Prefix: prefix, FirstName: first,
			LastName: last, Address1: addr, City: city, State: state, Zip: zip, Email: email, Phone: phone,
			PersonalMessage: personal, Consent: true}
		out, err := ValidateLetter(in, settle)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("error %v has no field messages", err)
			}
			return
		}
		again, err := ValidateLetter(out, settle)
		if err != nil {
			t.Fatalf("the normalised letter fails validation: %v\n%+v", err, out)
		}
		if again.FirstName != out.FirstName || again.Email != out.Email || again.Phone != out.Phone ||
			again.Zip != out.Zip || again.State != out.State || again.PersonalMessage != out.PersonalMessage {
			t.Fatalf("normalising twice changes the letter:\n%+v\n%+v", out, again)
		}
	})
}
