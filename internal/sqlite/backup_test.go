package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db"
)

func TestBackupWhileWritingAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	d, err := Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// A writer keeps inserting while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := d.W.Exec("INSERT INTO settings(key, value, updated_at) VALUES (?, 'v', 'now')", fmt.Sprint("k", i)); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
		}
	}()
	for {
		var n int
		d.R.QueryRow("SELECT count(*) FROM settings").Scan(&n)
		if n >= 50 {
			break
		}
	}
	out := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, path, out); err != nil {
		t.Fatalf("backup: %v", err)
	}
	halt()

	if err := Backup(ctx, path, out); err == nil {
		t.Error("backup overwrote an existing file")
	}
	var inBackup, live int
	d.R.QueryRow("SELECT count(*) FROM settings").Scan(&live)
	b, err := Open(ctx, out, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	b.R.QueryRow("SELECT count(*) FROM settings").Scan(&inBackup)
	b.Close()
	if inBackup < 50 || inBackup > live {
		t.Fatalf("backup holds %d rows; live has %d (want a snapshot of at least 50)", inBackup, live)
	}

	// Restore onto a stopped database: the old file is kept aside.
	d.Close()
	kept, err := Restore(ctx, out, path, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("previous database not kept: %v", err)
	}
	r, err := Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var restored int
	r.R.QueryRow("SELECT count(*) FROM settings").Scan(&restored)
	if restored != inBackup {
		t.Errorf("restored %d rows, backup had %d", restored, inBackup)
	}
}

func TestRestoreRefusesABadFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(bad, []byte("this is not a database, just text pretending to be one"), 0o600)
	target := filepath.Join(dir, "target.db")
	d, err := Open(ctx, target, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	d.W.Exec("INSERT INTO settings(key, value, updated_at) VALUES ('keep', 'me', 'now')")
	d.Close()
	if _, err := Restore(ctx, bad, target, time.Now()); err == nil {
		t.Fatal("restored a file that is not a database")
	}
	d, err = Open(ctx, target, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var v string
	if err := d.R.QueryRow("SELECT value FROM settings WHERE key = 'keep'").Scan(&v); err != nil || v != "me" {
		t.Errorf("the current database was touched by a refused restore: %v", err)
	}
}
