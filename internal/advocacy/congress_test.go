package advocacy

import (
	"testing"
	"time"
)

func TestCongressTerms(t *testing.T) {
	c := CongressNumbered(119)
	if want := time.Date(2025, 1, 3, 17, 0, 0, 0, time.UTC); !c.Start.Equal(want) {
		t.Errorf("119th starts %v; want %v", c.Start, want)
	}
	if want := time.Date(2027, 1, 3, 17, 0, 0, 0, time.UTC); !c.End.Equal(want) {
		t.Errorf("119th ends %v; want %v", c.End, want)
	}
	if got := c.EndDate().Format(DateLayout); got != "2027-01-03" {
		t.Errorf("119th end date %s", got)
	}
	if got := CongressNumbered(73).End; !got.Equal(CongressNumbered(74).Start) || got.Month() != time.January {
		t.Errorf("73rd ends %v; want the Twentieth Amendment's 3 January 1935", got)
	}
	if got := CongressNumbered(1).Start; got.Year() != 1789 || got.Month() != time.March {
		t.Errorf("1st starts %v", got)
	}
	tests := []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 119},
		{time.Date(2027, 1, 3, 16, 59, 59, 0, time.UTC), 119},
		{time.Date(2027, 1, 3, 17, 0, 0, 0, time.UTC), 120},
		{time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC), 120},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 118},
		{time.Date(1990, 6, 1, 0, 0, 0, 0, time.UTC), 101},
	}
	for _, tt := range tests {
		if got := CongressAt(tt.at).Number; got != tt.want {
			t.Errorf("CongressAt(%v) = %d; want %d", tt.at, got, tt.want)
		}
	}
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 11: "11th", 12: "12th", 13: "13th", 101: "101st", 112: "112th", 119: "119th", 120: "120th", 122: "122nd"} {
		if got := Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q; want %q", n, got, want)
		}
	}
	b := Bill{Congress: 119}
	if b.Expired(time.Date(2027, 1, 3, 16, 0, 0, 0, time.UTC)) || !b.Expired(time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)) {
		t.Error("a 119th Congress bill expires at noon Eastern on 3 January 2027")
	}
}

func TestPositionsAndGoals(t *testing.T) {
	cs := []Cosponsor{
		{BioguideID: "A000001", JoinedOn: day("2025-11-04")},
		{BioguideID: "A000002", JoinedOn: day("2025-11-05")},
		{BioguideID: "A000003", JoinedOn: day("2025-11-05"), WithdrawnOn: day("2026-02-01")},
	}
	tests := []struct {
		name   string
		bill   Bill
		count  int
		stance map[string]string // bioguide -> ask
		kinds  map[string]TemplateKind
		wants  map[string]bool
	}{
		{
			name:  "support counts active cosponsors",
			bill:  Bill{Type: "hr", Number: 1, Chamber: House, SponsorID: "S000001", Cosponsors: cs, Target: 218},
			count: 2,
			stance: map[string]string{
				"S000001": "Thank them for leading H.R. 1.", "A000001": "Thank them for cosponsoring H.R. 1.",
				"A000003": "Ask them to sign on to H.R. 1 again.", "Z000001": "Ask them to cosponsor H.R. 1.",
			},
			kinds: map[string]TemplateKind{"S000001": TemplateThank, "A000001": TemplateThank, "A000003": TemplateWithdrew, "Z000001": TemplateAsk},
			wants: map[string]bool{"S000001": true, "A000001": true, "A000003": false, "Z000001": false},
		},
		{
			name:  "oppose counts seats off the bill",
			bill:  Bill{Type: "s", Number: 9, Chamber: Senate, SponsorID: "S000001", Cosponsors: cs, Position: PositionOppose, Goal: GoalNotCosponsoring, Target: 51},
			count: 100 - 2 - 1,
			stance: map[string]string{
				"S000001": "Tell them you oppose S. 9 and ask them to withdraw their support.",
				"A000001": "Ask them to withdraw as a cosponsor of S. 9.",
				"A000003": "Thank them for withdrawing from S. 9.", "Z000001": "Ask them not to cosponsor S. 9.",
			},
			kinds: map[string]TemplateKind{"S000001": TemplateUrgeWithdraw, "A000001": TemplateUrgeWithdraw, "A000003": TemplateThankWithdrawal, "Z000001": TemplateOppose},
			wants: map[string]bool{"S000001": false, "A000001": false, "A000003": true, "Z000001": true},
		},
		{
			name:  "oppose counts withdrawals",
			bill:  Bill{Type: "hr", Number: 2, Chamber: House, SponsorID: "S000001", Cosponsors: cs, Position: PositionOppose, Goal: GoalWithdrawals, Target: 5},
			count: 1,
		},
	}
	for _, tt := range tests {
		if got := tt.bill.Progress(); got.Count != tt.count || got.Target != tt.bill.Target {
			t.Errorf("%s: progress %+v; want count %d", tt.name, got, tt.count)
		}
		for id, ask := range tt.stance {
			if got := StanceOf(tt.bill, id).Ask; got != ask {
				t.Errorf("%s: ask of %s = %q; want %q", tt.name, id, got, ask)
			}
		}
		for id, k := range tt.kinds {
			if got := TemplateKindOf(tt.bill, id); got != k {
				t.Errorf("%s: letter for %s = %s; want %s", tt.name, id, got, k)
			}
		}
		for id, w := range tt.wants {
			if got := tt.bill.Wants(id); got != w {
				t.Errorf("%s: Wants(%s) = %v; want %v", tt.name, id, got, w)
			}
		}
	}
	if PositionOppose.ProOrCon() != "con" || PositionSupport.ProOrCon() != "pro" || Position("").ProOrCon() != "pro" {
		t.Error("ProOrCon: support is pro, oppose is con")
	}
	if !GoalWithdrawals.ValidFor(PositionOppose) || GoalWithdrawals.ValidFor(PositionSupport) || !GoalCosponsors.ValidFor(PositionSupport) {
		t.Error("goals must follow the position")
	}
	opp := Bill{Position: PositionOppose, Cosponsors: cs}
	if d, ok := opp.MovedOn("A000003"); !ok || d.Format(DateLayout) != "2026-02-01" {
		t.Errorf("MovedOn of a withdrawal from an opposed bill = %v %v", d, ok)
	}
	if _, ok := opp.MovedOn("A000001"); ok {
		t.Error("an active cosponsor of an opposed bill has not moved the campaign's way")
	}
}
