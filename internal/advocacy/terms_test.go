package advocacy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTermEnded(t *testing.T) {
	house := Member{BioguideID: "N000002", TermEnd: "2027-01-03"}
	appointee := Member{BioguideID: "H001104", TermEnd: "2026-11-03"}
	tests := []struct {
		name string
		m    Member
		now  time.Time
		want bool
	}{
		{"a day before", house, time.Date(2027, 1, 2, 12, 0, 0, 0, time.UTC), false},
		// Terms end at noon Eastern (17:00 UTC in January), not at midnight.
		{"the morning of the last day", house, time.Date(2027, 1, 3, 16, 59, 59, 0, time.UTC), false},
		{"noon Eastern on the last day", house, time.Date(2027, 1, 3, 17, 0, 0, 0, time.UTC), true},
		{"the day after", house, time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC), true},
		{"an appointee after the special election", appointee, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), true},
		{"no end date counts as current", Member{}, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"a malformed end date counts as current", Member{TermEnd: "soon"}, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := tt.m.TermEnded(tt.now); got != tt.want {
			t.Errorf("%s: TermEnded(%s) = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}
}

func TestMissingContact(t *testing.T) {
	tests := []struct {
		m    Member
		want bool
	}{
		{Member{Phone: "202-225-5635", URL: "https://nadler.house.gov"}, false},
		{Member{Phone: "202-225-5635", ContactForm: "https://nadler.house.gov/contact"}, false},
		{Member{URL: "https://nadler.house.gov"}, true},
		{Member{Phone: "202-225-5635"}, true},
		{Member{}, true},
	}
	for _, tt := range tests {
		if got := tt.m.MissingContact(); got != tt.want {
			t.Errorf("MissingContact(%+v) = %v, want %v", tt.m, got, tt.want)
		}
	}
}

// endedDistrict is NY-12 on 2027-01-04 by data dated 2026: the
// representative's term and one senator's have ended.
func endedDistrict() DistrictResult {
	d := letterDistrict()
	d.Representative.TermEnd = "2027-01-03"
	d.Senators[0].TermEnd = "2029-01-03"
	d.Senators[1].TermEnd = "2027-01-03"
	return d.AsOf(time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC))
}

func TestDistrictAsOf(t *testing.T) {
	d := endedDistrict()
	if d.Representative != nil || d.Vacant {
		t.Errorf("representative = %v, vacant = %v; want none, and not called vacant", d.Representative, d.Vacant)
	}
	if len(d.Senators) != 1 || d.Senators[0].BioguideID != "S000148" {
		t.Errorf("senators = %+v, want only S000148", d.Senators)
	}
	if len(d.EndedTerms) != 2 || d.EndedTerms[0].BioguideID != "N000002" || d.EndedTerms[1].BioguideID != "G000555" {
		t.Fatalf("ended = %+v", d.EndedTerms)
	}
	e := d.EndedTerms[0]
	if e.FindURL != "https://www.house.gov/representatives/find-your-representative" || e.Switchboard != "202-224-3121" ||
		d.EndedTerms[1].FindURL != "https://www.senate.gov/senators/senators-contact.htm" {
		t.Errorf("fallbacks = %+v", d.EndedTerms)
	}
	notice := e.Notice()
	for _, want := range []string{"Representative Jerrold Nadler’s term ended on January 3, 2027", "not caught up", "202-224-3121", "Find your representative"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q lacks %q", notice, want)
		}
	}
	// Applying it again at the same time changes nothing; before the end,
	// nothing has ended.
	if again := d.AsOf(time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)); len(again.EndedTerms) != 0 || len(again.Senators) != 1 {
		t.Errorf("AsOf twice: %+v", again)
	}
	fresh := letterDistrict()
	fresh.Representative.TermEnd = "2027-01-03"
	if early := fresh.AsOf(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); early.Representative == nil || len(early.EndedTerms) != 0 {
		t.Errorf("before the end: %+v", early)
	}
}

func TestValidateLetterRefusesEndedTerm(t *testing.T) {
	in := goodLetter()
	in.Recipients = []string{"N000002", "S000148"}
	_, err := ValidateLetter(in, Settlement{District: endedDistrict(), By: SettledByZIP, ZIP: "10025"})
	var e *Error
	if !errors.As(err, &e) || e.Fields["recipients"] == "" {
		t.Fatalf("err = %v, want a recipients field error", err)
	}
	if msg := e.Fields["recipients"]; !strings.Contains(msg, "Jerrold Nadler’s term ended on January 3, 2027") ||
		!strings.Contains(msg, "cannot send letters to that seat") {
		t.Errorf("message = %q", msg)
	}
	in.Recipients = []string{"S000148"}
	if _, err := ValidateLetter(in, Settlement{District: endedDistrict(), By: SettledByZIP, ZIP: "10025"}); err != nil {
		t.Errorf("the senator still in office: %v", err)
	}
}
