package congress

import (
	"maps"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db/reference"
)

// BenchmarkLookupZIP looks up a spread of ZIPs: every 37th ZIP of the data
// (single and split ones), territory prefixes and unknown ZIPs.
func BenchmarkLookupZIP(b *testing.B) {
	all := slices.Sorted(maps.Keys(testData.zips))
	var zips []string
	for i := 0; i < len(all); i += 37 {
		zips = append(zips, all[i])
	}
	zips = append(zips, "96910", "00802", "20500", "10025-1234")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = testData.LookupZIP(zips[i%len(zips)])
		i++
	}
}

// BenchmarkLookupPoint looks up every 37th ZIP centroid of uszips.csv,
// plus points in water.
func BenchmarkLookupPoint(b *testing.B) {
	var pts [][2]float64
	for i, r := range csvRows(b, fileUSZips) {
		if i%37 != 0 {
			continue
		}
		lat, _ := strconv.ParseFloat(r["lat"], 64)
		lon, _ := strconv.ParseFloat(r["lng"], 64)
		pts = append(pts, [2]float64{lat, lon})
	}
	pts = append(pts, [2]float64{40, -50}, [2]float64{42.5, -87.3})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		_, _ = testData.LookupPoint(p[0], p[1])
		i++
	}
}

// BenchmarkLoad loads the embedded data the way the server does: "ready"
// is Load alone (what start-up waits for), "with-boundaries" also waits
// for the detailed boundaries loaded in the background.
func BenchmarkLoad(b *testing.B) {
	b.Run("ready", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := Load(reference.FS)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			_ = d.WaitBoundaries() // do not let the background load overlap the next round
			runtime.GC()           // nor its garbage
			b.StartTimer()
		}
	})
	b.Run("with-boundaries", func(b *testing.B) {
		b.ReportAllocs()
		// heap-MiB is the live heap one loaded Data adds.
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var heap uint64
		for b.Loop() {
			d, err := Load(reference.FS)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.WaitBoundaries(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = ms.HeapAlloc - base.HeapAlloc
			runtime.KeepAlive(d)
			b.StartTimer()
		}
		b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	})
}

// BenchmarkWithMembers reads new member files over the geography in use,
// what a running server does on SIGHUP or after its own update, and checks
// them as the update does.
func BenchmarkWithMembers(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d, err := testData.WithMembers(reference.FS)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Check(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); err != nil {
			b.Fatal(err)
		}
	}
}
