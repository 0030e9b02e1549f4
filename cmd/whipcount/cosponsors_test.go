package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/testkit"
)

// The fixture is an illustrative list in the Congress.gov API v3 format
// (real members of the 119th House, invented dates): the seeded original
// cosponsor, two later ones and one who withdrew.
const cosponsorFixture = "testdata/hr5917-119-cosponsors.json"

type importRun struct {
	code           int
	stdout, stderr string
}

func runImport(t *testing.T, now time.Time, args ...string) importRun {
	t.Helper()
	var out, errb bytes.Buffer
	err := cosponsorsCmd(context.Background(), append([]string{"import"}, args...),
		func(string) string { return "" }, &out, &errb, func() time.Time { return now })
	code := 0
	if err != nil {
		code = 1
		errb.WriteString(err.Error())
	}
	return importRun{code: code, stdout: out.String(), stderr: errb.String()}
}

// cosponsorState dumps what the site would show of a bill: its rows and
// its as-of time.
func cosponsorState(t *testing.T, dbPath, billID string) string {
	t.Helper()
	d := testkit.OpenDB(t, dbPath)
	defer d.Close()
	var b strings.Builder
	rows, err := d.R.Query(`SELECT bioguide, joined_on, original, ifnull(withdrawn_on, '-') FROM cosponsors WHERE bill_id = ? ORDER BY bioguide`, billID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, joined, withdrawn string
		var original int
		if err := rows.Scan(&id, &joined, &original, &withdrawn); err != nil {
			t.Fatal(err)
		}
		b.WriteString(id + " " + joined + " " + map[int]string{0: "later", 1: "original"}[original] + " " + withdrawn + "\n")
	}
	var asOf string
	if err := d.R.QueryRow("SELECT ifnull(cosponsors_as_of, '-') FROM bills WHERE id = ?", billID).Scan(&asOf); err != nil {
		t.Fatal(err)
	}
	b.WriteString("as of " + asOf + "\n")
	return b.String()
}

func TestCosponsorsImport(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "w.db")
	t1 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	res := runImport(t, t1, "-campaign", "jackson-vanik", "-bill", "hr5917-119", "-db", dbPath, cosponsorFixture)
	if res.code != 0 {
		t.Fatalf("import failed: %s", res.stderr)
	}
	if !strings.Contains(res.stdout, "hr5917-119: 4 in the file; 3 added, 0 newly withdrawn, 0 corrected, 0 removed, 1 unchanged") {
		t.Errorf("stdout = %q", res.stdout)
	}
	want := "F000469 2025-12-02 later 2026-02-10\n" +
		"L000557 2025-12-02 later -\n" +
		"P000613 2025-11-04 original -\n" +
		"S001148 2026-01-13 later -\n" +
		"as of 2026-03-02T10:00:00Z\n"
	if got := cosponsorState(t, dbPath, "hr5917-119"); got != want {
		t.Fatalf("after import:\n%s\nwant\n%s", got, want)
	}
	senate := cosponsorState(t, dbPath, "s3103-119")

	// The same file again changes no row; only the as-of time moves on.
	t2 := t1.Add(26 * time.Hour)
	res = runImport(t, t2, "-bill", "hr5917-119", "-db", dbPath, cosponsorFixture)
	if res.code != 0 || !strings.Contains(res.stdout, "no change to the cosponsor list") {
		t.Errorf("re-import: code %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	want2 := strings.Replace(want, "as of 2026-03-02T10:00:00Z", "as of 2026-03-03T12:00:00Z", 1)
	if got := cosponsorState(t, dbPath, "hr5917-119"); got != want2 {
		t.Errorf("after re-import:\n%s\nwant\n%s", got, want2)
	}

	// Bad files: a clear error, and nothing changes.
	dir := t.TempDir()
	fixture, err := os.ReadFile(cosponsorFixture)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := []struct {
		name, file, bill, mention string
	}{
		{"unknown member", write("unknown.json", strings.Replace(string(fixture), `"S001148"`, `"Z999999"`, 1)), "hr5917-119", "Z999999"},
		{"malformed JSON", write("broken.json", string(fixture[:len(fixture)/2])), "hr5917-119", "not valid JSON"},
		{"not a cosponsor list", write("other.json", `{"bills": []}`), "hr5917-119", `no "cosponsors" list`},
		{"one page of many", write("page.json", `{"cosponsors": [], "pagination": {"count": 40, "next": "https://api.congress.gov/v3/bill/119/hr/5917/cosponsors?offset=20"}}`), "hr5917-119", "only one page"},
		{"file for the other bill", cosponsorFixture, "s3103-119", "is for hr5917-119"},
		{"missing file", filepath.Join(dir, "nope.json"), "hr5917-119", "nope.json"},
	}
	for _, tt := range bad {
		res := runImport(t, t2.Add(time.Hour), "-bill", tt.bill, "-db", dbPath, tt.file)
		if res.code == 0 || !strings.Contains(res.stderr, tt.mention) {
			t.Errorf("%s: code %d, stderr %q; want an error mentioning %q", tt.name, res.code, res.stderr, tt.mention)
		}
	}
	if got := cosponsorState(t, dbPath, "hr5917-119"); got != want2 {
		t.Errorf("a rejected import changed the House bill:\n%s", got)
	}
	if got := cosponsorState(t, dbPath, "s3103-119"); got != senate {
		t.Errorf("a rejected import changed the Senate bill:\n%s", got)
	}
}

func TestCosponsorsUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"whipcount", "cosponsors", "import", cosponsorFixture},
		func(string) string { return "" }, &out, &errb); code != 2 || !strings.Contains(errb.String(), "-bill ID") {
		t.Errorf("missing -bill: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"whipcount", "cosponsors"},
		func(string) string { return "" }, &out, &errb); code != 2 {
		t.Errorf("no subcommand: code %d", code)
	}
	errb.Reset()
	code := run(context.Background(), []string{"whipcount", "cosponsors", "import", "-bill", "hjr1-119", "-db", filepath.Join(t.TempDir(), "x.db"), cosponsorFixture},
		func(string) string { return "" }, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "not a bill ID") {
		t.Errorf("bad bill ID: code %d, stderr %q", code, errb.String())
	}
}
