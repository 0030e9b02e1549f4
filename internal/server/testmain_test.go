package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// The reference data is read-only after loading, so the test binary loads it
// once and shares it.
var (
	refOnce sync.Once
	refData *congress.Data
	refErr  error
)

func testData(t testing.TB) *congress.Data {
	t.Helper()
	refOnce.Do(func() {
		refData, refErr = congress.Load(reference.FS)
		if refErr == nil {
			refErr = refData.WaitBoundaries()
		}
	})
	if refErr != nil {
		t.Fatalf("load reference data: %v", refErr)
	}
	return refData
}

// testEnv is a server over the real reference data and a real SQLite file.
type testEnv struct {
	srv   *Server
	store *sqlite.DB
	clock func() time.Time
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), db.Migrations)
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	data := testData(t)
	clock := func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	st := data.Stats()
	srv := New(Config{DataDate: st.DataDate}, Deps{
		Logger: slog.New(slog.DiscardHandler),
		Clock:  clock,
		Reps:   data,
		Health: store.Ping,
	})
	return &testEnv{srv: srv, store: store, clock: clock}
}

// get performs a GET through the handler; htmx adds the HX-Request header.
func (e *testEnv) get(t testing.TB, target string, htmx bool) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}
