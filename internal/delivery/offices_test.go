package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/standin"
)

func TestFetchActiveOfficesAndRoute(t *testing.T) {
	c := standin.NewCWC(t, "senate-key")
	c.SetActiveOffices(
		standin.CWCOffice{Code: "SNY03", BioguideID: "S000148", Name: "Charles E. Schumer"},
		standin.CWCOffice{Code: "SNY04", BioguideID: "G000555", Name: "Kirsten E. Gillibrand"}, // another code
		standin.CWCOffice{Code: "SVT01"},
	)
	offices, err := FetchActiveOffices(context.Background(), c.Client(), c.URL, "senate-key")
	if err != nil || len(offices) != 3 || offices[0] != (ActiveOffice{Code: "SNY03", BioguideID: "S000148"}) {
		t.Fatalf("offices %+v, %v", offices, err)
	}
	if _, err := FetchActiveOffices(context.Background(), c.Client(), c.URL, "secret-wrong-key"); err == nil ||
		!strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "secret-wrong-key") {
		t.Fatalf("wrong key: %v", err)
	}

	schumer := advocacy.Member{BioguideID: "S000148", Chamber: advocacy.Senate, State: "NY", Class: 3}
	gillibrand := advocacy.Member{BioguideID: "G000555", Chamber: advocacy.Senate, State: "NY", Class: 1}
	sanders := advocacy.Member{BioguideID: "S000033", Chamber: advocacy.Senate, State: "VT", Class: 1}
	welch := advocacy.Member{BioguideID: "W000800", Chamber: advocacy.Senate, State: "VT", Class: 3}
	rep := advocacy.Member{BioguideID: "G000599", Chamber: advocacy.House, State: "NY", District: 10}

	var d *Directory
	if code, ok := d.Route(schumer); code != "SNY03" || !ok {
		t.Fatalf("no directory: %s %v", code, ok)
	}
	d = &Directory{}
	if code, ok := d.Route(gillibrand); code != "SNY01" || !ok {
		t.Fatalf("no list yet: %s %v", code, ok)
	}
	d.Set(offices, t0)
	tests := []struct {
		m    advocacy.Member
		code string
		cwc  bool
	}{
		{schumer, "SNY03", true},
		{gillibrand, "SNY04", true}, // the Senate's code wins
		{sanders, "SVT01", true},    // listed without a name: by its code
		{welch, "SVT03", false},     // not listed: takes no CWC messages
		{rep, "HNY10", true},
	}
	for _, tc := range tests {
		if code, ok := d.Route(tc.m); code != tc.code || ok != tc.cwc {
			t.Errorf("%s: %s %v, want %s %v", tc.m.BioguideID, code, ok, tc.code, tc.cwc)
		}
	}
	if got := d.Office(advocacy.Senate, "G000555", "SNY01"); got != "SNY04" {
		t.Errorf("a queued copy keeps the old code: %s", got)
	}
	diffs := d.Check([]advocacy.Member{schumer, gillibrand, sanders, welch, rep})
	if len(diffs) != 2 || diffs[0] != (advocacy.OfficeDisagreement{BioguideID: "G000555", Derived: "SNY01", Listed: "SNY04"}) ||
		diffs[1] != (advocacy.OfficeDisagreement{BioguideID: "W000800", Derived: "SVT03"}) || len(d.Disagreements()) != 2 {
		t.Fatalf("disagreements %+v", diffs)
	}
	if at, err := d.Status(); !at.Equal(t0) || err != nil {
		t.Fatalf("status %v %v", at, err)
	}
}

func TestFetchActiveOfficesFormats(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []ActiveOffice
		err  bool
	}{
		{`["SNY03", "svt01"]`, []ActiveOffice{{Code: "SNY03"}, {Code: "SVT01"}}, false},
		{`[{"office_code": "SNY03", "bioguide_id": "S000148"}]`, []ActiveOffice{{Code: "SNY03", BioguideID: "S000148"}}, false},
		{`[{"office_code": "NY03"}]`, nil, true},
		{`[]`, nil, true},
		{`{"offices": []}`, nil, true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(tc.body)) }))
		got, err := FetchActiveOffices(context.Background(), srv.Client(), srv.URL, "k")
		srv.Close()
		if (err != nil) != tc.err || len(got) != len(tc.want) {
			t.Errorf("%s: %+v %v", tc.body, got, err)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %+v", tc.body, got)
			}
		}
	}
}
