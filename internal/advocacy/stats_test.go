package advocacy

import (
	"slices"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFillDaysAndWindows(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 30, 0, 0, time.UTC)
	got := FillDays(map[string]int{"2026-11-22": 3, "2026-11-28": 1, "2026-11-21": 99}, now, 7)
	if len(got) != 7 || !got[0].Day.Equal(date("2026-11-22")) || !got[6].Day.Equal(date("2026-11-28")) {
		t.Fatalf("days %v", got)
	}
	if got[0].Letters != 3 || got[6].Letters != 1 || got[3].Letters != 0 {
		t.Errorf("counts %v", got)
	}
	for in, want := range map[string]int{"7": 7, "30": 30, "90": 90, "": 30, "365": 30, "x": 30} {
		if ParseWindow(in) != want {
			t.Errorf("ParseWindow(%q) = %d", in, ParseWindow(in))
		}
	}
}

func TestNewConversion(t *testing.T) {
	for _, tc := range []struct {
		lookups, letters int
		want             string
	}{
		{0, 5, "no lookups counted"},
		{200, 25, "12.5%"},
		{3, 1, "33.3%"},
		{10, 0, "0.0%"},
		{10, 10, "100.0%"},
		{10, 12, "more letters than lookups"},
		{100, 22694, "more letters than lookups"},
	} {
		if got := NewConversion(tc.lookups, tc.letters).String(); got != tc.want {
			t.Errorf("%d lookups, %d letters: %s, want %s", tc.lookups, tc.letters, got, tc.want)
		}
	}
}

func testCampaign() Campaign {
	return Campaign{Bills: []Bill{
		{ID: "hr1-119", Chamber: House, Type: "hr", Number: 1, SponsorID: "H000001", Cosponsors: []Cosponsor{
			{BioguideID: "H000002", JoinedOn: date("2026-10-01")},
			{BioguideID: "H000003", JoinedOn: date("2026-10-01"), WithdrawnOn: date("2026-10-20")},
			{BioguideID: "H000005", JoinedOn: date("2026-11-10")},
			{BioguideID: "H000006", JoinedOn: date("2026-11-20")},
			{BioguideID: "H000007", JoinedOn: date("2026-11-05")},
		}},
		{ID: "s1-119", Chamber: Senate, Type: "s", Number: 1, SponsorID: "S000001"},
	}}
}

func TestPressureList(t *testing.T) {
	members := []Member{
		{BioguideID: "H000001", Chamber: House, State: "WV", District: 1, Name: "Sponsor"},
		{BioguideID: "H000002", Chamber: House, State: "NY", District: 2, Name: "Cosponsor"},
		{BioguideID: "H000003", Chamber: House, State: "NY", District: 3, Name: "Withdrew"},
		{BioguideID: "H000004", Chamber: House, State: "AK", District: 0, Name: "Not yet"},
		{BioguideID: "S000001", Chamber: Senate, State: "ID", Name: "Senate sponsor"},
		{BioguideID: "S000002", Chamber: Senate, State: "AK", Name: "Senator"},
		{BioguideID: "S000003", Chamber: Senate, State: "NY", Name: "Busy senator"},
	}
	got := PressureList(testCampaign(), members, map[string]int{"H000003": 4, "S000003": 9, "H000002": 50})
	var ids []string
	for _, e := range got {
		ids = append(ids, e.Member.BioguideID)
	}
	want := []string{"S000003", "H000003", "S000002", "H000004"}
	if !slices.Equal(ids, want) {
		t.Errorf("pressure list %v, want %v", ids, want)
	}
	if got[1].Stance != StanceWithdrew || got[0].Letters != 9 || got[3].Stance != StanceNotYet {
		t.Errorf("entries %+v", got)
	}
}

func TestCosponsorsAfterLetters(t *testing.T) {
	first := map[string]time.Time{
		"H000002": time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC),   // joined Oct 1: 30 days after
		"H000003": time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC),   // withdrew: not counted
		"H000005": time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC),  // same day: not counted
		"H000006": time.Date(2026, 11, 10, 23, 0, 0, 0, time.UTC), // 10 days
		"H000007": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),   // 4 days
	}
	s := CosponsorsAfterLetters(testCampaign(), first, func(id string, day time.Time) int { return len(id) })
	var ids []string
	for _, m := range s.Members {
		ids = append(ids, m.BioguideID)
	}
	if !slices.Equal(ids, []string{"H000007", "H000006", "H000002"}) {
		t.Errorf("members %v", ids)
	}
	if s.MedianDays != 10 {
		t.Errorf("median %v, want 10", s.MedianDays)
	}
	if s.Members[0].Days != 4 || s.Members[0].Letters != 7 {
		t.Errorf("first %+v", s.Members[0])
	}
	if empty := CosponsorsAfterLetters(testCampaign(), nil, nil); len(empty.Members) != 0 || empty.MedianDays != 0 {
		t.Errorf("no letters: %+v", empty)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want float64
	}{{nil, 0}, {[]int{5}, 5}, {[]int{9, 1}, 5}, {[]int{3, 1, 2}, 2}, {[]int{4, 1, 3, 2}, 2.5}} {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v", tc.in, got)
		}
	}
}

func TestSorts(t *testing.T) {
	ds := []DistrictCount{
		{DistrictKey{"NY", 12}, 5}, {DistrictKey{"AK", 0}, 5}, {DistrictKey{"NY", 2}, 9},
	}
	SortDistricts(ds, SortSpec{Key: "letters", Desc: true})
	if ds[0].District.Number != 2 || ds[1].District.State != "AK" {
		t.Errorf("by letters desc: %v", ds)
	}
	SortDistricts(ds, SortSpec{Key: "district"})
	if ds[0].District.State != "AK" || ds[1].District.Number != 2 || ds[2].District.Number != 12 {
		t.Errorf("by district: %v", ds)
	}
	cs := SortedCounts(map[string]int{"b": 1, "a": 1, "c": 3})
	if cs[0].Key != "c" || cs[1].Key != "a" {
		t.Errorf("sorted counts %v", cs)
	}
	SortStates(cs, SortSpec{Key: "state", Desc: true})
	if cs[0].Key != "c" || cs[2].Key != "a" {
		t.Errorf("states desc %v", cs)
	}
	if s := ParseSort("evil", "desc", []string{"letters"}, SortSpec{Key: "letters", Desc: true}); s.Key != "letters" || !s.Desc {
		t.Errorf("fallback %v", s)
	}
}

func TestParseExportFilter(t *testing.T) {
	form := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	f, err := ParseExportFilter(form("from", "2026-11-01", "to", "2026-11-30", "state", "ny", "district", "12",
		"status", "active", "delivery", "sent", "partner", "bizco"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.To.Equal(date("2026-12-01")) || f.State != "NY" || f.District != 12 || f.Ref != "bizco" || f.DeliveryStatus != DeliverySent {
		t.Errorf("filter %+v", f)
	}
	if f, err := ParseExportFilter(form()); err != nil || f.District != -1 || !f.From.IsZero() {
		t.Errorf("empty filter %+v %v", f, err)
	}
	if f, _ := ParseExportFilter(form("state", "WY", "district", "AL")); f.District != 0 {
		t.Errorf("at-large %+v", f)
	}
	for _, bad := range [][]string{
		{"from", "yesterday"},
		{"from", "2026-11-30", "to", "2026-11-01"},
		{"state", "New York"},
		{"district", "3"},
		{"state", "NY", "district", "99"},
		{"status", "deleted"},
		{"delivery", "lost"},
		{"partner", "a b"},
	} {
		if _, err := ParseExportFilter(form(bad...)); ErrorCode(err) != CodeInvalid {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestPacketHelpers(t *testing.T) {
	if got := WeekStart(time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)); !got.Equal(date("2026-11-23")) {
		t.Errorf("week of Saturday Nov 28 starts %v", got)
	}
	if got := WeekStart(date("2026-11-23")); !got.Equal(date("2026-11-23")) {
		t.Errorf("Monday's week starts %v", got)
	}
	if got := QuoteInitials("ana maría", " Pérez"); got != "A. P." {
		t.Errorf("initials %q", got)
	}
	if Quotable("too short to quote") || !Quotable("this paragraph has more than eight words in it, so quote it") {
		t.Error("Quotable")
	}
	if Percent(1, 3) != "33%" || Percent(0, 0) != "–" {
		t.Error("Percent")
	}
}
