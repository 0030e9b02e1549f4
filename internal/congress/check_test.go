package congress

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/advocacy"
)

// refMapFS copies the shipped data folder into memory so a test can change
// or drop files.
func refMapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := os.ReadDir(refDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(refDir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	return m
}

func TestStats(t *testing.T) {
	want := Stats{Members: 537, House: 437, Senate: 100, NonVoting: 6, ZIPs: 33774, SplitZIPs: 7318,
		Districts: 441, Vacancies: 4, DataDate: "2026-06-15"}
	if got := testData.Stats(); got != want {
		t.Errorf("Stats() = %+v\nwant %+v", got, want)
	}
}

func TestCheckShippedData(t *testing.T) {
	// The embedded copy is what the binary ships; check that one.
	// As of the data's own date every term is current.
	rep, err := Check(reference.FS, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stats != testData.Stats() {
		t.Errorf("Check stats = %+v, want %+v", rep.Stats, testData.Stats())
	}
	if len(rep.Problems) > 0 {
		t.Errorf("problems in the shipped data: %q", rep.Problems)
	}
	warnings := rep.Warnings
	want := []string{
		`member M001246 has no official_full name; showing "Analilia Mejia"`,
		`member G000607 has no official_full name; showing "James Gallagher"`,
		`member G000607 (James Gallagher) has no district offices`,
		`member G000607 (James Gallagher) has no phone or url; pages point to the House’s directory and the Capitol switchboard`,
		// Quirks, in the file's order: repaired, or reported as left out.
		`member S001196 (Elise M. Stefanik): the office in Herkimer has no street address`,
		`member M001222 (Max L. Miller): the office in Parma has no street address`,
		`member M001222 (Max L. Miller): the office in Medina has no street address`,
		`member C001131 (Greg Casar): the office in San Antonio has no street address`,
		`member S001231 (Lateefah Simon): the office in Oakland has no street address`,
		`member F000484 (Randy Fine): contact_form "hhttps://fine.house.gov/address_authentication?form=/contact/email-me" repaired to "https://fine.house.gov/address_authentication?form=/contact/email-me"`,
		`district CA-14 is vacant`,
		`district FL-20 is vacant`,
		`district GA-13 is vacant`,
		`district TX-23 is vacant`,
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckReportsProblems(t *testing.T) {
	fsys := refMapFS(t)
	delete(fsys, fileVersion)
	cands := fsys[fileCandidates]
	cands.Data = append(slices.Clone(cands.Data), "99999,NY,27,test,1,1\n"...)
	rep, err := Check(fsys, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	stats, warnings := rep.Stats, rep.Warnings
	if stats.DataDate != "unknown" || stats.Districts != 442 || stats.Vacancies != 5 || stats.ZIPs != 33775 {
		t.Errorf("stats = %+v", stats)
	}
	for _, w := range []string{
		"no VERSION file: the data's date is unknown",
		"district NY-27 is vacant",
		"district NY-27 has no boundary in cd119_simplified10.topojson",
		"district NY-27 has no boundary in us-congressional-districts-119.topojson; point lookups cannot find it",
		"ZIP row 99999 NY-27 points at a district with no boundary",
		"NY has 27 districts, the 2020 apportionment gives 26",
		"436 voting and 6 non-voting districts, want 435 and 6",
	} {
		if !slices.Contains(warnings, w) {
			t.Errorf("no warning %q in:\n%s", w, strings.Join(warnings, "\n"))
		}
	}
}

func TestApportionmentTotal(t *testing.T) {
	total := 0
	for _, n := range apportionment2020() {
		total += n
	}
	if total != 435 || len(apportionment2020()) != 50 {
		t.Errorf("apportionment has %d seats in %d states", total, len(apportionment2020()))
	}
}

func TestLoadErrors(t *testing.T) {
	base := refMapFS(t)
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"no legislators", func(m fstest.MapFS) { delete(m, fileLegislators) }, fileLegislators},
		{"bad legislators", func(m fstest.MapFS) { m[fileLegislators] = &fstest.MapFile{Data: []byte("- id:\n    bioguide: [\n")} }, fileLegislators},
		{"no candidates", func(m fstest.MapFS) { delete(m, fileCandidates) }, fileCandidates},
		{"bad candidate row", func(m fstest.MapFS) {
			m[fileCandidates] = &fstest.MapFile{Data: []byte("zcta,state_abbr,cd,source,centroid_in_district,n_candidates\n10025,NY,x,osat,1,1\n")}
		}, `line 2: bad cd "x"`},
		{"no drawing shapes", func(m fstest.MapFS) { delete(m, fileShapes) }, fileShapes},
		{"no state codes", func(m fstest.MapFS) { delete(m, fileStateFIPS) }, fileStateFIPS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := fstest.MapFS{}
			for k, v := range base {
				m[k] = v
			}
			tt.change(m)
			_, err := Load(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// Without the detailed boundaries everything but point lookups works, and
// point lookups fail with an internal (not an advocacy) error.
func TestLoadWithoutDetailedBoundaries(t *testing.T) {
	m := refMapFS(t)
	delete(m, fileBoundaries)
	d, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.LookupZIP("10025"); err != nil {
		t.Errorf("LookupZIP: %v", err)
	}
	if err := d.WaitBoundaries(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WaitBoundaries = %v, want not exist", err)
	}
	_, err = d.LookupPoint(38.8899, -77.0091)
	if err == nil || advocacy.ErrorCode(err) != "" || !strings.Contains(err.Error(), "lookup point") {
		t.Errorf("LookupPoint error = %v; want an internal error", err)
	}
	if _, err := Check(m, time.Now()); err == nil {
		t.Error("Check passed without the detailed boundaries")
	}
}

func TestLoadDirMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadDir(dir)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
		t.Errorf("LoadDir(empty) = %v", err)
	}
}
