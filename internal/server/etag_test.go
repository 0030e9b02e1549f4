package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestAnswerConditional(t *testing.T) {
	lm := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("EST", -5*3600))
	tag := `"abc"`
	tests := []struct {
		name     string
		status   int
		tag      string
		lm       time.Time
		header   [2]string
		wantDone bool
	}{
		{"no validators in the request", http.StatusOK, tag, lm, [2]string{}, false},
		{"same tag", http.StatusOK, tag, lm, [2]string{"If-None-Match", tag}, true},
		{"other tag", http.StatusOK, tag, lm, [2]string{"If-None-Match", `"xyz"`}, false},
		{"same time", http.StatusOK, tag, lm, [2]string{"If-Modified-Since", lm.UTC().Format(http.TimeFormat)}, true},
		{"not a 200", http.StatusNotFound, tag, lm, [2]string{"If-None-Match", tag}, false},
		{"no time to compare", http.StatusOK, tag, time.Time{}, [2]string{"If-Modified-Since", lm.UTC().Format(http.TimeFormat)}, false},
	}
	e := echo.New()
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.header[0] != "" {
			req.Header.Set(tt.header[0], tt.header[1])
		}
		rec := httptest.NewRecorder()
		done, err := answerConditional(e.NewContext(req, rec), tt.status, tt.tag, tt.lm)
		if done != tt.wantDone || err != nil {
			t.Errorf("%s: done %v err %v, want done %v", tt.name, done, err, tt.wantDone)
		}
		if done && (rec.Code != http.StatusNotModified || rec.Body.Len() != 0) {
			t.Errorf("%s: answered %d with %d bytes, want a bare 304", tt.name, rec.Code, rec.Body.Len())
		}
		if got := rec.Header().Get("ETag"); got != tag {
			t.Errorf("%s: ETag %q", tt.name, got)
		}
		wantLM := ""
		if !tt.lm.IsZero() {
			wantLM = "Sun, 01 Mar 2026 17:00:00 GMT"
		}
		if got := rec.Header().Get("Last-Modified"); got != wantLM {
			t.Errorf("%s: Last-Modified %q, want %q", tt.name, got, wantLM)
		}
	}
}
