package congress

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// refDir is the shipped data folder.
const refDir = "../../db/reference"

// testData is loaded once for the whole test binary: loading is the
// expensive part and every test only reads it.
var testData *Data

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	start := time.Now()
	testData, err = LoadDir(refDir)
	if err == nil {
		err = testData.WaitBoundaries()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load reference data:", err)
		os.Exit(1)
	}
	if testing.Verbose() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("loaded reference data with boundaries in %v; live heap %.1f MiB, heap obtained from the OS %.1f MiB\n",
			time.Since(start).Round(time.Millisecond), float64(ms.HeapAlloc)/(1<<20), float64(ms.HeapSys)/(1<<20))
	}
	os.Exit(m.Run())
}

// csvRows reads a shipped CSV with encoding/csv, independently of the
// package's own reader, as a list of maps from column to value.
func csvRows(t testing.TB, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}
