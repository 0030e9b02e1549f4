package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkSubmitLetter measures letters stored per second through the
// form handler (POST /write/send, 303 to the status page) on a real SQLite
// file with synchronous=FULL: each letter, with its three deliveries, is
// durable before the answer. Every submission has its own form token and
// email, so none is deduplicated. "parallel" submits from 8×GOMAXPROCS
// goroutines, like many people sending at once; they share the single
// writer connection, and the store commits letters that arrive together
// in one transaction.
func BenchmarkSubmitLetter(b *testing.B) {
	run := func(b *testing.B, parallel bool) {
		e := newEnv(b, letterFlow())
		base := validForm("")
		var seq atomic.Int64
		submit := func() {
			i := seq.Add(1)
			f := with(base, "form_token", "bench-"+strconv.FormatInt(i, 10))
			f.Set("email", "sender"+strconv.FormatInt(i, 10)+"@example.org")
			req := httptest.NewRequest(http.MethodPost, "/write/send", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			e.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		if parallel {
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					submit()
				}
			})
		} else {
			for b.Loop() {
				submit()
			}
		}
		b.ReportMetric(float64(seq.Load())/b.Elapsed().Seconds(), "letters/s")
		b.StopTimer()
		if n := e.count(b, "SELECT count(*) FROM letters"); int64(n) != seq.Load() {
			b.Errorf("stored %d letters of %d", n, seq.Load())
		}
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}
