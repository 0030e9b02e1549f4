package advocacy

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNewProgress(t *testing.T) {
	tests := []struct {
		name          string
		count, target int
		want          Progress
	}{
		{"zero of target", 0, 218, Progress{Count: 0, Target: 218, Percent: 0, Bar: 0, Remaining: 218}},
		{"partial rounds down", 1, 218, Progress{Count: 1, Target: 218, Percent: 0, Bar: 0, Remaining: 217}},
		{"partial", 26, 51, Progress{Count: 26, Target: 51, Percent: 50, Bar: 50, Remaining: 25}},
		{"one short", 50, 51, Progress{Count: 50, Target: 51, Percent: 98, Bar: 98, Remaining: 1}},
		{"reached exactly", 51, 51, Progress{Count: 51, Target: 51, Percent: 100, Bar: 100, Remaining: 0, Reached: true}},
		{"over target keeps real percent, caps bar", 300, 218, Progress{Count: 300, Target: 218, Percent: 137, Bar: 100, Remaining: 0, Reached: true}},
		{"zero target is no target", 5, 0, Progress{Count: 5}},
		{"negative target is no target", 5, -3, Progress{Count: 5}},
		{"zero count zero target", 0, 0, Progress{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewProgress(tt.count, tt.target); got != tt.want {
				t.Errorf("NewProgress(%d, %d) = %+v; want %+v", tt.count, tt.target, got, tt.want)
			}
		})
	}
}

func TestBillProgressExcludesWithdrawn(t *testing.T) {
	b := Bill{Target: 4, Cosponsors: []Cosponsor{
		{BioguideID: "A000001", JoinedOn: day("2025-11-04")},
		{BioguideID: "A000002", JoinedOn: day("2025-11-04"), WithdrawnOn: day("2025-12-01")},
		{BioguideID: "A000003", JoinedOn: day("2025-11-10")},
	}}
	got := b.Progress()
	if got.Count != 2 || got.Percent != 50 || got.Remaining != 2 || got.Reached {
		t.Errorf("Progress() = %+v; want 2 of 4, 50%%, 2 remaining", got)
	}
}

func TestPartyBreakdown(t *testing.T) {
	parties := map[string]string{"R000001": "Republican", "R000002": "Republican", "D000001": "Democrat", "I000001": "Independent"}
	lookup := func(id string) (string, bool) { p, ok := parties[id]; return p, ok }
	cs := []Cosponsor{
		{BioguideID: "D000001"},
		{BioguideID: "R000001"},
		{BioguideID: "R000002"},
		{BioguideID: "I000001", WithdrawnOn: day("2025-12-01")},
		{BioguideID: "X000009"},
	}
	got := PartyBreakdown(cs, lookup)
	want := []PartyCount{{"Republican", 2}, {"Democrat", 1}, {PartyUnknown, 1}}
	if len(got) != len(want) {
		t.Fatalf("PartyBreakdown = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("PartyBreakdown[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
	if got := PartyBreakdown(nil, lookup); len(got) != 0 {
		t.Errorf("PartyBreakdown(nil) = %+v; want empty", got)
	}
}

func TestTimeline(t *testing.T) {
	cs := []Cosponsor{
		{BioguideID: "A000003", JoinedOn: day("2025-12-01")},
		{BioguideID: "A000001", JoinedOn: day("2025-11-04")},
		{BioguideID: "A000002", JoinedOn: day("2025-11-04"), WithdrawnOn: day("2026-01-05")},
		{BioguideID: "A000004", JoinedOn: day("2026-01-05")},
	}
	got := Timeline(cs)
	want := []TimelinePoint{
		{Date: day("2025-11-04"), Joined: 2, Running: 2},
		{Date: day("2025-12-01"), Joined: 1, Running: 3},
		{Date: day("2026-01-05"), Joined: 1, Left: 1, Running: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("Timeline = %+v; want %+v", got, want)
	}
	for i := range want {
		if !got[i].Date.Equal(want[i].Date) || got[i].Joined != want[i].Joined || got[i].Left != want[i].Left || got[i].Running != want[i].Running {
			t.Errorf("Timeline[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestCosponsorsStale(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		asOf time.Time
		days int
		want bool
	}{
		{"never imported", time.Time{}, 14, true},
		{"fresh", now.Add(-24 * time.Hour), 14, false},
		{"exactly 14 days", now.Add(-14 * 24 * time.Hour), 14, false},
		{"just over 14 days", now.Add(-14*24*time.Hour - time.Minute), 14, true},
		{"warning off", time.Time{}, 0, false},
	}
	for _, tt := range tests {
		if got := CosponsorsStale(tt.asOf, now, tt.days); got != tt.want {
			t.Errorf("%s: CosponsorsStale = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestStanceOf(t *testing.T) {
	b := Bill{Type: "hr", Number: 5917, SponsorID: "M001205", Cosponsors: []Cosponsor{
		{BioguideID: "P000613", JoinedOn: day("2025-11-04"), Original: true},
		{BioguideID: "W000001", JoinedOn: day("2025-11-20"), WithdrawnOn: day("2026-01-10")},
	}}
	tests := []struct {
		id    string
		kind  StanceKind
		since string
		ask   string
	}{
		{"M001205", StanceSponsor, "", "Thank them for leading H.R. 5917."},
		{"P000613", StanceCosponsor, "2025-11-04", "Thank them for cosponsoring H.R. 5917."},
		{"W000001", StanceWithdrew, "2026-01-10", "Ask them to sign on to H.R. 5917 again."},
		{"Z000099", StanceNotYet, "", "Ask them to cosponsor H.R. 5917."},
	}
	for _, tt := range tests {
		got := StanceOf(b, tt.id)
		since := ""
		if !got.Since.IsZero() {
			since = got.Since.Format(DateLayout)
		}
		if got.Kind != tt.kind || since != tt.since || got.Ask != tt.ask {
			t.Errorf("StanceOf(%s) = %+v; want %s since %q ask %q", tt.id, got, tt.kind, tt.since, tt.ask)
		}
	}
}

func TestBillIDs(t *testing.T) {
	for _, b := range []Bill{{Type: "hr", Number: 5917, Congress: 119}, {Type: "s", Number: 3103, Congress: 119}} {
		id := BillID(b.Type, b.Number, b.Congress)
		typ, n, c, err := ParseBillID(id)
		if err != nil || typ != b.Type || n != b.Number || c != b.Congress {
			t.Errorf("ParseBillID(%q) = %q %d %d %v", id, typ, n, c, err)
		}
	}
	for _, tc := range []struct {
		bill Bill
		want string
	}{
		{Bill{Type: "s", Number: 3103}, "S. 3103"},
		{Bill{Type: "hr", Number: 5917}, "H.R. 5917"},
	} {
		if got := tc.bill.Label(); got != tc.want {
			t.Errorf("Label = %q; want %s", got, tc.want)
		}
	}
	for id, label := range map[string]string{"hres5-119": "H.Res. 5", "sjres12-120": "S.J.Res. 12", "hconres3-118": "H.Con.Res. 3"} {
		typ, n, c, err := ParseBillID(id)
		if err != nil {
			t.Errorf("ParseBillID(%q): %v", id, err)
		}
		if got := (Bill{Type: typ, Number: n, Congress: c}).Label(); got != label {
			t.Errorf("Label of %s = %q; want %q", id, got, label)
		}
	}
	for _, bad := range []string{"", "hr", "hr5917", "hresx5-119", "s0-119", "hr5917-0", "x1-119", "hr5917-119-1", "hr-119", "hr5917_119"} {
		if _, _, _, err := ParseBillID(bad); ErrorCode(err) != CodeInvalid {
			t.Errorf("ParseBillID(%q) err = %v; want invalid", bad, err)
		}
	}
}

func TestParseCosponsorFile(t *testing.T) {
	good := `{"cosponsors":[
	  {"bioguideId":"P000613","fullName":"Rep. Panetta, Jimmy [D-CA-19]","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04","party":"D","state":"CA","district":19},
	  {"bioguideId":"K000001","isOriginalCosponsor":false,"sponsorshipDate":"2025-12-02","sponsorshipWithdrawnDate":"2026-01-15"}],
	  "pagination":{"count":1,"countIncludingWithdrawnCosponsors":2},
	  "request":{"billNumber":"5917","billType":"hr","congress":"119","contentType":"application/json","format":"json"}}`
	f, err := ParseCosponsorFile(strings.NewReader(good))
	if err != nil {
		t.Fatalf("ParseCosponsorFile: %v", err)
	}
	if f.Bill != "hr5917-119" || len(f.Cosponsors) != 2 {
		t.Fatalf("got %+v", f)
	}
	if c := f.Cosponsors[0]; c.BioguideID != "P000613" || !c.Original || !c.JoinedOn.Equal(day("2025-11-04")) || !c.Active() {
		t.Errorf("first cosponsor = %+v", c)
	}
	if c := f.Cosponsors[1]; c.Original || !c.WithdrawnOn.Equal(day("2026-01-15")) || c.Active() {
		t.Errorf("second cosponsor = %+v", c)
	}

	bad := map[string]string{
		"not json":           `{"cosponsors": [`,
		"trailing data":      `{"cosponsors": []} {}`,
		"no list":            `{"pagination": {"count": 0}}`,
		"list of wrong type": `{"cosponsors": {"bioguideId": "P000613"}}`,
		"bad id":             `{"cosponsors":[{"bioguideId":"p613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04"}]}`,
		"no date":            `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true}]}`,
		"bad date":           `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"11/04/2025"}]}`,
		"no original flag":   `{"cosponsors":[{"bioguideId":"P000613","sponsorshipDate":"2025-11-04"}]}`,
		"bad withdrawal":     `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04","sponsorshipWithdrawnDate":"soon"}]}`,
		"withdrew first":     `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04","sponsorshipWithdrawnDate":"2025-11-01"}]}`,
		"duplicate":          `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04"},{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04"}]}`,
		"one page only":      `{"cosponsors":[{"bioguideId":"P000613","isOriginalCosponsor":true,"sponsorshipDate":"2025-11-04"}],"pagination":{"count":30,"countIncludingWithdrawnCosponsors":30,"next":"https://api.congress.gov/v3/bill/119/hr/5917/cosponsors?offset=20"}}`,
		"count too high":     `{"cosponsors":[],"pagination":{"countIncludingWithdrawnCosponsors":3}}`,
		"bad request":        `{"cosponsors":[],"request":{"billType":"hr","billNumber":"x","congress":"119"}}`,
	}
	for name, in := range bad {
		if _, err := ParseCosponsorFile(strings.NewReader(in)); ErrorCode(err) != CodeInvalid {
			t.Errorf("%s: err = %v; want an invalid error", name, err)
		}
	}
}

func TestCheckCosponsors(t *testing.T) {
	chambers := map[string]Chamber{"P000613": House, "M001205": House, "M001169": Senate}
	chamberOf := func(id string) (Chamber, bool) { c, ok := chambers[id]; return c, ok }
	b := Bill{ID: "hr5917-119", Type: "hr", Number: 5917, Chamber: House, SponsorID: "M001205"}
	file := func(bill string, ids ...string) CosponsorFile {
		f := CosponsorFile{Bill: bill}
		for _, id := range ids {
			f.Cosponsors = append(f.Cosponsors, Cosponsor{BioguideID: id, JoinedOn: day("2025-11-04")})
		}
		return f
	}
	if err := CheckCosponsors(b, file("hr5917-119", "P000613"), chamberOf); err != nil {
		t.Errorf("valid file: %v", err)
	}
	if err := CheckCosponsors(b, file("", "P000613"), chamberOf); err != nil {
		t.Errorf("file without bill: %v", err)
	}
	tests := map[string]struct {
		f    CosponsorFile
		want string
	}{
		"unknown":       {file("", "P000613", "Z999999"), "Z999999"},
		"other bill":    {file("s3103-119", "P000613"), "s3103-119"},
		"sponsor":       {file("", "M001205"), "sponsor"},
		"wrong chamber": {file("", "M001169"), "House"},
	}
	for name, tt := range tests {
		err := CheckCosponsors(b, tt.f, chamberOf)
		if ErrorCode(err) != CodeInvalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want invalid mentioning %q", name, err, tt.want)
		}
	}
}
