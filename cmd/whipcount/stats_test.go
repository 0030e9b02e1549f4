package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/testkit"
)

func TestStatsCheckAndRebuild(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "w.db")
	env := func(k string) string {
		if k == "WHIPCOUNT_DB" {
			return dbPath
		}
		return ""
	}
	stats := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"whipcount", "stats"}, args...), env, &out, &errOut)
		return out.String() + errOut.String(), code
	}
	store := testkit.OpenDB(t, dbPath)
	if err := sqlite.SeedCampaign(ctx, store, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.W.Exec(`INSERT INTO agg_letters VALUES (1, '*', 'active', 7)`); err != nil {
		t.Fatal(err)
	}
	store.Close()

	out, code := stats("check")
	if code != 1 || !strings.Contains(out, "agg_letters campaign_id=1 ref=* status=active: kept n=7, recounted none") ||
		!strings.Contains(out, "stats rebuild") {
		t.Fatalf("check on damaged counts: exit %d\n%s", code, out)
	}
	if out, code := stats("rebuild"); code != 0 || !strings.Contains(out, "rebuilt the aggregates") {
		t.Fatalf("rebuild: exit %d\n%s", code, out)
	}
	if out, code := stats("check", "-db", dbPath); code != 0 || !strings.Contains(out, "agree with a full recount") {
		t.Fatalf("check after rebuild: exit %d\n%s", code, out)
	}
	if out, code := stats("recount"); code != 2 || !strings.Contains(out, "usage: whipcount stats check|rebuild") {
		t.Fatalf("unknown subcommand: exit %d\n%s", code, out)
	}
}
