package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLogsCarryNoKeysOrPlaces: request logs name the route, never a
// letter's ID (the key to its page) or a query's ZIP or coordinates.
func TestLogsCarryNoKeysOrPlaces(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, letterFlow(), withDeps(func(d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(&buf, nil)) }))
	id := e.sendOne(t, validForm(e.formToken(t)))
	for _, target := range []string{"/letters/" + id, "/reps?zip=10025", "/reps?lat=38.8899&lon=-77.0091", "/no/such/" + id} {
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	}
	logs := buf.String()
	for _, secret := range []string{id, "10025", "38.8899", "-77.0091"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs carry %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"path":"/letters/:id"`) {
		t.Errorf("the logs do not name the route:\n%s", logs)
	}
}

func TestCoordinatesAreNotCached(t *testing.T) {
	e := newEnv(t, letterFlow())
	rec := e.get(t, "/api/v1/representatives?lat=38.8899&lon=-77.0091", false)
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "private, no-store" {
		t.Errorf("point lookup: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := e.get(t, "/api/v1/representatives?zip=10025", false); !strings.HasPrefix(rec.Header().Get("Cache-Control"), "public") {
		t.Errorf("ZIP lookup Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
}
