package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/testkit"
)

func chartDay(s string) time.Time {
	t, err := time.Parse(advocacy.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestThermometer(t *testing.T) {
	tests := []struct {
		count, target int
		goal          advocacy.Goal
		width, title  string
	}{
		{0, 218, "", "0", "H.R. 1: 0 cosponsors of a target of 218 (0%)"},
		{109, 218, "", "50", "H.R. 1: 109 cosponsors of a target of 218 (50%)"},
		{1, 51, "", "1", "H.R. 1: 1 cosponsor of a target of 51 (1%)"},
		{300, 218, "", "100", "H.R. 1: 300 cosponsors of a target of 218 (137%)"},
		{4, 0, "", "0", "H.R. 1: 4 cosponsors (no target set)"},
		{1, 5, advocacy.GoalWithdrawals, "20", "H.R. 1: 1 withdrawal of a target of 5 (20%)"},
		{4, 218, advocacy.GoalNotCosponsoring, "100", "H.R. 1: 430 of 435 seats not on the bill; the goal is to keep at least 218 off it"},
	}
	for _, tt := range tests {
		b := advocacy.Bill{Type: "hr", Number: 1, Chamber: advocacy.House, SponsorID: "A000001", Target: tt.target, Goal: tt.goal}
		if tt.goal != "" {
			b.Position = advocacy.PositionOppose
		}
		for i := range tt.count {
			cs := advocacy.Cosponsor{BioguideID: fmt.Sprintf("B%06d", i), JoinedOn: chartDay("2025-11-04")}
			if tt.goal == advocacy.GoalWithdrawals {
				cs.WithdrawnOn = chartDay("2025-12-01")
			}
			b.Cosponsors = append(b.Cosponsors, cs)
		}
		got := thermometer(b)
		if got.Width != tt.width || got.Title != tt.title {
			t.Errorf("thermometer(%d/%d %s) = %+v; want width %s, title %q", tt.count, tt.target, tt.goal, got, tt.width, tt.title)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 5: 5, 6: 10, 11: 20, 51: 100, 218: 500, 1000: 1000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestTimelineChart(t *testing.T) {
	b := advocacy.Bill{IntroducedOn: chartDay("2025-11-04"), Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "A000001", JoinedOn: chartDay("2025-11-04")},
		{BioguideID: "A000002", JoinedOn: chartDay("2025-12-04"), WithdrawnOn: chartDay("2026-01-03")},
	}}
	c := timelineChart("H.R. 1", b, chartDay("2026-02-02"))
	if c.Empty || len(c.Dots) != 3 {
		t.Fatalf("chart = %+v", c)
	}
	// Three days of change across 90 days: x at 0, 30 and 60 of 90 days
	// of a 540-unit plot starting at 44; y at 1, 2, 1 of a 2-unit axis.
	wantPath := "M44 150H44V82H224V14H404V82H584"
	if c.Path != wantPath {
		t.Errorf("path = %q, want %q", c.Path, wantPath)
	}
	if !strings.HasSuffix(c.Area, "V150Z") {
		t.Errorf("area = %q", c.Area)
	}
	if c.Dots[2].Title != "January 3, 2026: 1 withdrew; 1 in total" {
		t.Errorf("last dot = %q", c.Dots[2].Title)
	}
	if c.Summary != "1 member cosponsors H.R. 1. The first joined on November 4, 2025; the count last changed on January 3, 2026. 1 member withdrew along the way." {
		t.Errorf("summary = %q", c.Summary)
	}
	if c.Labels[0].Text != "Nov 4, 2025" || c.Labels[1].Text != "Feb 2, 2026" || c.Labels[3].Text != "2" {
		t.Errorf("labels = %+v", c.Labels)
	}

	one := timelineChart("S. 1", advocacy.Bill{IntroducedOn: chartDay("2025-11-04"), Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "A000001", JoinedOn: chartDay("2025-11-04")}, {BioguideID: "A000002", JoinedOn: chartDay("2025-11-04")},
	}}, chartDay("2025-11-06"))
	if one.Summary != "2 members cosponsor S. 1. All of them joined on November 4, 2025, the day it was introduced, and no one has joined since." {
		t.Errorf("summary = %q", one.Summary)
	}
	if empty := timelineChart("S. 2", advocacy.Bill{}, time.Now()); !empty.Empty || empty.Summary != "No one has cosponsored S. 2 yet." {
		t.Errorf("empty chart = %+v", empty)
	}
}

func TestMapBin(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 1, 2: 2, 3: 3, 5: 3, 6: 4, 40: 4} {
		if got := mapBin(n); got != want {
			t.Errorf("mapBin(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestUSMapBaseIsCompact(t *testing.T) {
	data := testkit.Reference(t)
	base := buildUSMapBase(data.StateShapes())
	size := 0
	codes := map[string]bool{}
	for _, s := range base.states {
		size += len(s.D)
		codes[s.Code] = true
		if !strings.HasPrefix(s.D, "M") || !strings.HasSuffix(s.D, "Z") {
			t.Errorf("%s path is malformed: %.40s", s.Code, s.D)
		}
	}
	for _, c := range []string{"CA", "TX", "NY", "AK", "HI", "DC"} {
		if !codes[c] {
			t.Errorf("map lacks %s", c)
		}
	}
	for _, c := range mapTileCodes[1:] {
		if codes[c] {
			t.Errorf("%s should be a tile, not an outline", c)
		}
	}
	// The home page carries the map; it must stay small.
	if size > 50_000 {
		t.Errorf("map outlines are %d bytes; want under 50 kB", size)
	}
}

func TestContentETag(t *testing.T) {
	a := contentETag([]byte(`<p>x</p>`))
	if a != contentETag([]byte(`<p>x</p>`)) {
		t.Error("the same content has two ETags")
	}
	if a == contentETag([]byte(`<p>y</p>`)) {
		t.Error("different content has the same ETag")
	}
	if !strings.HasPrefix(a, `"`) || !strings.HasSuffix(a, `"`) || len(a) < 10 {
		t.Errorf("ETag %s is not a quoted strong tag", a)
	}
}

func TestNotModified(t *testing.T) {
	lm := time.Date(2026, 3, 1, 12, 0, 0, 500, time.UTC)
	tag := `W/"abc"`
	tests := []struct {
		name    string
		method  string
		headers map[string]string
		want    bool
	}{
		{"no validators", "GET", nil, false},
		{"same tag", "GET", map[string]string{"If-None-Match": `W/"abc"`}, true},
		{"strong form of the tag", "GET", map[string]string{"If-None-Match": `"abc"`}, true},
		{"star", "GET", map[string]string{"If-None-Match": `*`}, true},
		{"other tag", "GET", map[string]string{"If-None-Match": `W/"xyz"`}, false},
		{"same second", "GET", map[string]string{"If-Modified-Since": lm.Format(http.TimeFormat)}, true},
		{"later", "GET", map[string]string{"If-Modified-Since": lm.Add(time.Hour).Format(http.TimeFormat)}, true},
		{"earlier", "GET", map[string]string{"If-Modified-Since": lm.Add(-time.Second).Format(http.TimeFormat)}, false},
		{"bad date", "GET", map[string]string{"If-Modified-Since": "yesterday"}, false},
		{"tag wins over date", "GET", map[string]string{"If-None-Match": `W/"xyz"`, "If-Modified-Since": lm.Format(http.TimeFormat)}, false},
		{"not for POST", "POST", map[string]string{"If-None-Match": `W/"abc"`}, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/", nil)
		for k, v := range tt.headers {
			r.Header.Set(k, v)
		}
		if got := notModified(r, tag, lm); got != tt.want {
			t.Errorf("%s: notModified = %v, want %v", tt.name, got, tt.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-Modified-Since", lm.Format(http.TimeFormat))
	if notModified(r, tag, time.Time{}) {
		t.Error("If-Modified-Since without a Last-Modified time must not match")
	}
}
