package congress

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Every Senate office code the Senate itself published for a senator still
// in office must be the code Whipcount derives from the member data.
func TestSenateOfficeCodesMatchTheSenatesList(t *testing.T) {
	f, err := os.Open("testdata/senate-office-codes-2022.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 {
			t.Fatalf("bad line %q", sc.Text())
		}
		id, state, code := cols[0], cols[1], cols[2]
		m, ok := testData.Member(id)
		if !ok || m.Chamber != advocacy.Senate {
			continue // no longer a senator
		}
		checked++
		if m.State != state {
			t.Errorf("%s: state %s, the list says %s", id, m.State, state)
		}
		if got := advocacy.OfficeCode(m); got != code {
			t.Errorf("%s (%s, class %d, %s): office code %s, the Senate's list says %s", id, m.Name, m.Class, m.StateRank, got, code)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked != 34 {
		t.Fatalf("checked %d senators still in office, want 34", checked)
	}
}

// Every senator has a class, each state's two senators have different
// classes, and the rank would have named another office for most of them.
func TestSenateClasses(t *testing.T) {
	byRank := 0
	for _, m := range testData.Members() {
		if m.Chamber != advocacy.Senate {
			if m.Class != 0 {
				t.Errorf("%s: a representative with class %d", m.BioguideID, m.Class)
			}
			continue
		}
		if m.Class < 1 || m.Class > 3 {
			t.Errorf("%s: class %d", m.BioguideID, m.Class)
		}
		rank := map[string]int{"senior": 1, "junior": 2}[m.StateRank]
		if advocacy.SenateOfficeCode(m.State, rank) != advocacy.OfficeCode(m) {
			byRank++
		}
	}
	for _, st := range []string{"NY", "CA", "ME", "VT", "WY"} {
		ss := testData.Senators(st)
		if len(ss) != 2 || ss[0].Class == ss[1].Class {
			t.Errorf("%s: senators %+v", st, ss)
		}
	}
	if byRank != 73 {
		t.Errorf("the rank names another office for %d senators, want 73", byRank)
	}
}
