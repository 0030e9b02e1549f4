package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchGET measures one GET through the whole handler stack.
func benchGET(b *testing.B, target string, htmx bool) {
	env := newEnv(b)
	h := env.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkRepsPage(b *testing.B)     { benchGET(b, "/reps?zip=10002", false) }
func BenchmarkRepsFragment(b *testing.B) { benchGET(b, "/reps?zip=10025", true) }
func BenchmarkRepsAPI(b *testing.B)      { benchGET(b, "/api/v1/representatives?zip=10025", false) }
