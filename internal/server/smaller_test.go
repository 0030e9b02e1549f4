package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/testkit"
)

// TestHeadWhereverGet: HEAD answers like GET, without a body.
func TestHeadWhereverGet(t *testing.T) {
	e := newEnv(t, letterFlow())
	srv := httptest.NewServer(e.srv.Handler())
	defer srv.Close()
	for _, path := range []string{"/healthz", "/livez", "/", "/reps?zip=10002", "/api/v1/campaigns/jackson-vanik", "/privacy"} {
		req, _ := http.NewRequest(http.MethodHead, srv.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d %q", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

// TestAPIMethodsAndPreflight: a wrong method is 405 with Allow, not 404,
// and the public GETs answer a CORS preflight.
func TestAPIMethodsAndPreflight(t *testing.T) {
	e := newEnv(t, letterFlow())
	for _, tc := range []struct{ method, path string }{
		{http.MethodDelete, "/api/v1/campaigns/jackson-vanik"},
		{http.MethodPost, "/api/v1/representatives?zip=10002"},
		{http.MethodGet, "/api/v1/letters"},
	} {
		rec := e.do(t, httptest.NewRequest(tc.method, tc.path, nil), false)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") == "" {
			t.Errorf("%s %s: %d, Allow %q", tc.method, tc.path, rec.Code, rec.Header().Get("Allow"))
		}
	}
	req := httptest.NewRequest(http.MethodOptions, "/api/v1/representatives?zip=10002", nil)
	req.Header.Set("Origin", "https://partner.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := e.do(t, req, false)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
}

// TestPanicLoggedWithStack: a recovered panic is a 500 for the client and
// a log line with its stack for the operator.
func TestPanicLoggedWithStack(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{}, Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	s.echo.GET("/boom", func(echo.Context) error { panic("kaboom") })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "kaboom") {
		t.Errorf("answer %d %q", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), `"panic":"kaboom"`) || !strings.Contains(logs.String(), "smaller_test.go") {
		t.Errorf("log lacks the panic's stack: %s", logs.String())
	}
}

// TestAcceptsGzip: gzip is picked when it is offered alone and the request
// accepts it.
func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"gzip": true, "gzip, br": true, "br;q=1, gzip;q=0.5": true, "gzip;q=0": false, "gzip;q=0.0": false,
		"GZIP; Q=0.000": false, "br": false, "": false, "gzip;q=bad": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", in)
		if got := pickCoding(r, "gzip") == "gzip"; got != want {
			t.Errorf("gzip picked for %q: %v", in, got)
		}
	}
}

func TestLoneSurrogate(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a": "\ud83d\ude00"}`: false, `{"a": "\ud83d"}`: true, `{"a": "\ude00x"}`: true,
		`{"a": "\ud83d\u0041"}`: true, `{"a": "\\ud83d"}`: false, `{"a": "\u00e9"}`: false, `{"a": "x\\\ud800"}`: true,
	} {
		if got := loneSurrogate([]byte(in)); got != want {
			t.Errorf("loneSurrogate(%s) = %v", in, got)
		}
	}
}

// TestAPIRefusesBrokenText: invalid UTF-8 and lone surrogates are refused,
// not stored as U+FFFD.
func TestAPIRefusesBrokenText(t *testing.T) {
	e := newEnv(t, letterFlow())
	for _, name := range []string{"Ada\xff", `Ada\ud800`} {
		body := `{"campaign": "jackson-vanik", "recipients": ["G000599"], "prefix": "Ms.", "first_name": "` + name + `",
			"last_name": "Lovelace", "address1": "1 Main St", "city": "New York", "state": "NY", "zip": "10002",
			"email": "ada@example.org", "consent": true}`
		if rec := e.postJSON(t, body, nil); rec.Code != http.StatusBadRequest {
			t.Errorf("first name %q: %d %s", name, rec.Code, rec.Body)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Errorf("%d letters stored", n)
	}
}

// slowPartners is a partner store whose reload blocks until released.
type slowPartners struct {
	PartnerStore
	calls   chan struct{}
	release chan struct{}
}

func (p *slowPartners) Partners(ctx context.Context) ([]advocacy.Partner, error) {
	p.calls <- struct{}{}
	<-p.release
	return []advocacy.Partner{{Name: "Business Council", Slug: "business-council", SourceCode: "bizco"}}, nil
}

// TestPartnerReloadStallsNobody: while one request reloads the partner
// directory from a slow database, the others answer from the directory
// they have.
func TestPartnerReloadStallsNobody(t *testing.T) {
	clock := testkit.NewClock(orgNow)
	p := &slowPartners{calls: make(chan struct{}, 4), release: make(chan struct{})}
	s := New(Config{}, Deps{Clock: clock.Now, Partners: p})
	close(p.release) // the first load is quick
	if _, ok, err := s.partnerDir.partner(context.Background(), "bizco"); !ok || err != nil {
		t.Fatalf("first load: %v %v", ok, err)
	}
	<-p.calls
	p.release = make(chan struct{})
	clock.Add(time.Minute) // the directory is stale now
	reloading := make(chan struct{})
	go func() {
		defer close(reloading)
		s.partnerDir.partner(context.Background(), "bizco")
	}()
	<-p.calls // the reload is in progress and stuck
	if _, ok, err := s.partnerDir.partner(context.Background(), "bizco"); !ok || err != nil {
		t.Errorf("a lookup during the reload: %v %v", ok, err)
	}
	close(p.release)
	<-reloading
}
