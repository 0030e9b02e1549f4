package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/whipcount/whipcount/db"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), db.Migrations)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	checkAggregatesAtEnd(t, d)
	return d
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	for i := range 2 {
		d, err := Open(ctx, path, db.Migrations)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("no migrations recorded")
		}
		var mode string
		if err := d.R.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := d.W.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys = %d, %v", fk, err)
		}
		var sync int
		if err := d.W.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
			t.Fatalf("writer synchronous = %d, %v; want 2 (FULL)", sync, err)
		}
		d.Close()
	}
}

func TestReaderIsQueryOnly(t *testing.T) {
	d := openTest(t)
	if _, err := d.R.Exec("INSERT INTO settings(key, value, updated_at) VALUES ('a','b','c')"); err == nil {
		t.Fatal("reader handle accepted a write")
	}
	if _, err := d.W.Exec("INSERT INTO settings(key, value, updated_at) VALUES ('a','b','c')"); err != nil {
		t.Fatalf("writer: %v", err)
	}
}

func TestFailedMigrationLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bad.db")
	bad := fstest.MapFS{
		"migrations/0001_create_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"migrations/0002_break.sql":    {Data: []byte("CREATE TABLE b (x INTEGER); CREATE TABLE a (y);")},
	}
	if _, err := Open(ctx, path, bad); err == nil {
		t.Fatal("want error from a broken migration")
	}
	good := fstest.MapFS{"migrations/0001_create_a.sql": bad["migrations/0001_create_a.sql"]}
	d, err := Open(ctx, path, good)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	d.R.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'b'").Scan(&n)
	if n != 0 {
		t.Fatal("table b from the failed migration survived")
	}
}
