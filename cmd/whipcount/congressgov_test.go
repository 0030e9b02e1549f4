package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/standin"
)

// apiBill is H.R. 5917 as the Congress.gov stand-in serves it: three real
// members of the House, one of whom withdrew.
func apiBill() standin.CongressGovBill {
	return standin.CongressGovBill{Congress: 119, Type: "hr", Number: 5917, Title: "To authorize the extension of nondiscriminatory treatment.",
		LatestActionDate: "2025-11-04", LatestActionText: "Referred to the House Committee on Ways and Means.",
		Committees: []standin.CongressGovCommittee{{Name: "Ways and Means Committee", Chamber: "House", SystemCode: "hswm00"}},
		Cosponsors: []standin.CongressGovCosponsor{
			{BioguideID: "P000613", FullName: "Rep. Panetta, Jimmy [D-CA-19]", Party: "D", State: "CA", Date: "2025-11-04", Original: true},
			{BioguideID: "L000557", FullName: "Rep. Larson, John B. [D-CT-1]", Party: "D", State: "CT", Date: "2025-12-02"},
			{BioguideID: "F000469", Party: "R", State: "ID", Date: "2025-12-02", WithdrawnDate: "2026-02-10"},
		}}
}

func senateAPIBill() standin.CongressGovBill {
	return standin.CongressGovBill{Congress: 119, Type: "s", Number: 3103, Title: "Same title",
		LatestActionDate: "2025-11-04", LatestActionText: "Read twice and referred to the Committee on Finance.",
		Committees: []standin.CongressGovCommittee{{Name: "Finance Committee", Chamber: "Senate", SystemCode: "ssfi00"}},
		Cosponsors: []standin.CongressGovCosponsor{{BioguideID: "M001169", Date: "2025-11-04", Original: true}}}
}

func TestCosponsorsSyncCommand(t *testing.T) {
	api := standin.NewCongressGov(t, "k-123", apiBill(), senateAPIBill())
	dbPath := filepath.Join(t.TempDir(), "w.db")
	env := map[string]string{"WHIPCOUNT_NOW": "2026-12-02T12:00:00Z", "WHIPCOUNT_CONGRESS_API_URL": api.URL}

	code, _, errOut := runCmd(t, env, "cosponsors", "sync", "-db", dbPath)
	if code != 1 || !strings.Contains(errOut, "needs a Congress.gov API key: set WHIPCOUNT_CONGRESS_API_KEY") {
		t.Errorf("without a key: exit %d, %q", code, errOut)
	}
	env["WHIPCOUNT_CONGRESS_API_KEY"] = "k-123"
	code, out, errOut := runCmd(t, env, "cosponsors", "sync", "-campaign", "jackson-vanik", "-db", dbPath)
	if code != 0 {
		t.Fatalf("sync: exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{
		"hr5917-119: 2 added, 0 withdrawn, 0 corrected, 0 removed (3 cosponsors, 1 page); 3 requests",
		"s3103-119: 0 added, 0 withdrawn, 0 corrected, 2 removed (1 cosponsor, 1 page); 3 requests",
		"cosponsor data as of 2026-12-02T12:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// WHIPCOUNT_NOW starts the clock; it runs on from there.
	rows := "F000469 2025-12-02 later 2026-02-10\nL000557 2025-12-02 later -\nP000613 2025-11-04 original -\nas of 2026-12-02T12:"
	want := cosponsorState(t, dbPath, "hr5917-119")
	if !strings.HasPrefix(want, rows) {
		t.Errorf("stored:\n%s\nwant\n%s", want, rows)
	}
	for _, r := range api.Requests() {
		if strings.Contains(r, "k-123") {
			t.Errorf("the key went into a URL: %s", r)
		}
	}

}

func TestCosponsorsImportSeveralPages(t *testing.T) {
	fixture, err := os.ReadFile(cosponsorFixture)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the four cosponsors into two pages, as the API would with
	// limit=2.
	s := string(fixture)
	start := strings.Index(s, "[") + 1
	var items []string
	depth, from := 0, start
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '{':
			if depth == 0 {
				from = i
			}
			depth++
		case '}':
			depth--
			if depth == 0 {
				items = append(items, s[from:i+1])
			}
		}
		if depth == 0 && s[i] == ']' {
			break
		}
	}
	if len(items) != 4 {
		t.Fatalf("fixture has %d items", len(items))
	}
	page := func(its []string, next string) string {
		p := `{"cosponsors": [` + strings.Join(its, ",") + `], "pagination": {"count": 3, "countIncludingWithdrawnCosponsors": 4`
		if next != "" {
			p += `, "next": "` + next + `"`
		}
		return p + `}, "request": {"billNumber": "5917", "billType": "hr", "congress": "119", "format": "json"}}`
	}
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "p1.json"), filepath.Join(dir, "p2.json")
	os.WriteFile(p1, []byte(page(items[:2], "https://api.congress.gov/v3/bill/119/hr/5917/cosponsors?offset=2&limit=2&format=json")), 0o600)
	os.WriteFile(p2, []byte(page(items[2:], "")), 0o600)
	dbPath := filepath.Join(dir, "w.db")
	testNow := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	if res := runImport(t, testNow, "-bill", "hr5917-119", "-db", dbPath, p1); res.code == 0 || !strings.Contains(res.stderr, "only one page (2 of 4 cosponsors)") {
		t.Errorf("first page alone: %+v", res)
	}
	res := runImport(t, testNow, "-bill", "hr5917-119", "-db", dbPath, p1, p2)
	if res.code != 0 || !strings.Contains(res.stdout, "hr5917-119: 4 in the file; 3 added") {
		t.Errorf("two files: %+v", res)
	}
}
