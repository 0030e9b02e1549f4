package sqlite

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// dashboardFixture inserts the letters the dashboard tests count:
//
//	A  Nov 27  NY-12  to N000002 (House, CWC) and S000148 (Senate)  ref bizco
//	B  Nov 20  NY-12  to N000002                                   organisation, personal paragraph
//	C  Oct  1  WV-1   to M001205 (the sponsor)
//	D  Nov 28  NY-12  to N000002, held for moderation
//	E  Nov 26  NY-12  to N000002, rejected
//
// and makes N000002 a cosponsor of H.R. 5917 from Nov 25.
func dashboardFixture(t *testing.T) *orgFixture {
	t.Helper()
	f := newOrgFixture(t)
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	f.addLetter(t, fixtureLetter{at: at(11, 27, 10), state: "NY", district: 12, email: "a@example.org", ref: "bizco",
		to: []recipient{toNY12, toNYSen}})
	f.addLetter(t, fixtureLetter{at: at(11, 20, 9), state: "NY", district: 12, email: "b@example.org", city: "New York",
		organization: "Acme Imports", title: "Owner", first: "Bea", last: "Kim",
		personal: "Our family business ships machine parts to Almaty and the yearly waiver makes every contract uncertain.",
		to:       []recipient{toNY12}})
	f.addLetter(t, fixtureLetter{at: at(10, 1, 15), state: "WV", district: 1, email: "c@example.org", to: []recipient{toWV1}})
	f.addLetter(t, fixtureLetter{at: at(11, 28, 11), state: "NY", district: 12, email: "d@example.org",
		status: advocacy.LetterHeld, to: []recipient{toNY12}})
	f.addLetter(t, fixtureLetter{at: at(11, 26, 11), state: "NY", district: 12, email: "e@example.org",
		status: advocacy.LetterRejected, to: []recipient{toNY12}})
	if _, err := f.editor.SaveCosponsor(context.Background(), SeedSlug, "hr5917-119",
		advocacy.Cosponsor{BioguideID: "N000002", JoinedOn: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}, 0); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDashboardFigures(t *testing.T) {
	f := dashboardFixture(t)
	ctx := context.Background()
	from := advocacy.WindowStart(orgT0, 30)
	to := advocacy.Day(orgT0).AddDate(0, 0, 1)
	if err := f.stats.AddLookups(ctx, map[advocacy.LookupKey]int{
		{Day: "2026-11-27", Kind: "zip"}: 10, {Day: "2026-11-27", Kind: "api"}: 5, {Day: "2026-09-01", Kind: "zip"}: 100,
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.stats.AddLookups(ctx, map[advocacy.LookupKey]int{{Day: "2026-11-27", Kind: "zip"}: 5}); err != nil {
		t.Fatal(err)
	}

	st, err := f.stats.Dashboard(ctx, f.campaignID, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("total", st.Total, 3)
	check("in window", st.InWindow, 2)
	check("held", st.Held, 1)
	check("rejected", st.Rejected, 1)
	check("per day", st.PerDay, map[string]int{"2026-11-27": 1, "2026-11-20": 1})
	check("by chamber", st.ByChamber, map[string]int{"house": 3, "senate": 1})
	check("by channel", st.ByChannel, map[string]int{"cwc": 3, "assisted": 1})
	check("by delivery status", st.ByDeliveryStatus, map[string]int{"queued": 4})
	check("by state", st.ByState, map[string]int{"NY": 2, "WV": 1})
	advocacy.SortDistricts(st.ByDistrict, advocacy.SortSpec{Key: "district"})
	check("by district", st.ByDistrict, []advocacy.DistrictCount{{District: advocacy.DistrictKey{State: "NY", Number: 12}, Letters: 2},
		{District: advocacy.DistrictKey{State: "WV", Number: 1}, Letters: 1}})
	check("by ref", st.ByRef, map[string]int{"bizco": 1, "": 2})
	check("by office", st.ByOffice, map[string]int{"N000002": 2, "S000148": 1, "M001205": 1})
	check("first letter to NY-12", st.FirstLetter["N000002"], time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	check("letters before joining", st.LettersBeforeJoining, map[string]int{"N000002": 1})
	check("lookups", st.Lookups, 20)

	// The pure rule on top: N000002 joined five days after the first letter.
	c, err := f.campaigns.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	after := advocacy.CosponsorsAfterLetters(c, st.FirstLetter, func(id string, _ time.Time) int { return st.LettersBeforeJoining[id] })
	if len(after.Members) != 1 || after.Members[0].Days != 5 || after.Members[0].Letters != 1 || after.MedianDays != 5 {
		t.Errorf("joined after letters: %+v", after)
	}

	// A partner's view counts only its own letters.
	pst, err := f.stats.Dashboard(ctx, f.campaignID, from, to, "bizco")
	if err != nil {
		t.Fatal(err)
	}
	check("partner total", pst.Total, 1)
	check("partner held", pst.Held, 0)
	check("partner by ref", pst.ByRef, map[string]int{"bizco": 1})
	check("partner by chamber", pst.ByChamber, map[string]int{"house": 1, "senate": 1})
	check("partner per day", pst.PerDay, map[string]int{"2026-11-27": 1})
	check("partner letters before joining", pst.LettersBeforeJoining, map[string]int{})
}

func TestOfficePacket(t *testing.T) {
	f := dashboardFixture(t)
	ctx := context.Background()
	// A second letter from Acme (typed differently) and a short paragraph.
	f.addLetter(t, fixtureLetter{at: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), state: "NY", district: 12, email: "f@example.org",
		organization: " acme  imports", title: "CFO", city: "Brooklyn", personal: "Too short.", to: []recipient{toNY12}})
	p, err := f.stats.OfficePacket(ctx, f.campaignID, "N000002", 5)
	if err != nil {
		t.Fatal(err)
	}
	if p.Letters != 3 || !p.FirstLetter.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) || !p.LastLetter.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("totals %+v", p)
	}
	if !reflect.DeepEqual(p.PerWeek, map[string]int{"2026-11-16": 1, "2026-11-23": 2}) {
		t.Errorf("per week %v", p.PerWeek)
	}
	// Titles and towns: the most frequent first, then A to Z.
	if len(p.Organizations) != 1 || p.Organizations[0].Letters != 2 || p.Organizations[0].Name != "Acme Imports" ||
		strings.Join(p.Organizations[0].Titles, ",") != "CFO,Owner" || strings.Join(p.Organizations[0].Cities, ",") != "Brooklyn,New York" {
		t.Errorf("organisations %+v", p.Organizations)
	}
	if len(p.Quotes) != 1 || p.Quotes[0].Initials != "B. K." || p.Quotes[0].City != "New York" || !strings.HasPrefix(p.Quotes[0].Text, "Our family") {
		t.Errorf("quotes %+v", p.Quotes)
	}
	// Held and rejected letters never show up in a packet.
	empty, err := f.stats.OfficePacket(ctx, f.campaignID, "A000370", 5)
	if err != nil || empty.Letters != 0 || !empty.FirstLetter.IsZero() || len(empty.Quotes) != 0 {
		t.Errorf("office with no letters: %+v %v", empty, err)
	}
}
