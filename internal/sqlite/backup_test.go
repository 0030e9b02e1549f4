package sqlite

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	rep, err := Restore(ctx, out, path, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), RestoreOptions{})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := os.Stat(rep.Kept); err != nil {
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
	if _, err := Restore(ctx, bad, target, time.Now(), RestoreOptions{}); err == nil {
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

// TestRestoreRefusesADatabaseInUse: while the server (or any command) has
// the database open, restore changes nothing.
func TestRestoreRefusesADatabaseInUse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	d, err := Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, path, out); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, out, path, time.Now(), RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore onto an open database: %v", err)
	}
	if _, err := os.Stat(path + ".restoring"); err == nil {
		t.Error("a half restore was left behind")
	}
	d.Close()
	if _, err := Restore(ctx, out, path, time.Now(), RestoreOptions{}); err != nil {
		t.Fatalf("restore once closed: %v", err)
	}
}

// TestRestoreNeverSendsTwice: deliveries still queued in the backup but
// sent since keep their state after the restore, so the outbox does not
// post them to CWC again; without the current database to tell, restore
// refuses unless told to resend.
func TestRestoreNeverSendsTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	// Not openLetterDB: this test closes the database itself.
	d, err := Open(ctx, path, letterMigrations(t))
	if err != nil {
		t.Fatal(err)
	}
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	for i := range 5 {
		if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("r%d@example.org", i), fmt.Sprintf("tok-r%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, path, out); err != nil {
		t.Fatal(err)
	}
	// After the backup: the outbox sends three of the five CWC copies, and
	// a new letter arrives.
	if _, err := d.W.Exec(`UPDATE deliveries SET status = 'sent', sent_at = updated_at
		WHERE channel = 'cwc' AND id IN (SELECT id FROM deliveries WHERE channel = 'cwc' ORDER BY id LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLetter(ctx, sampleLetter(cid, "late@example.org", "tok-late")); err != nil {
		t.Fatal(err)
	}
	d.Close()

	rep, err := Restore(ctx, out, path, time.Now(), RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.AlreadySent != 3 || rep.NewerLetters != 0 && rep.NewerLetters != 1 {
		t.Errorf("report %+v, want 3 already sent", rep)
	}
	r, err := Open(ctx, path, letterMigrations(t))
	if err != nil {
		t.Fatal(err)
	}
	var queued, sent int
	r.R.QueryRow("SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND status = 'queued'").Scan(&queued)
	r.R.QueryRow("SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND status = 'sent'").Scan(&sent)
	if queued != 2 || sent != 3 {
		t.Errorf("after restore: %d CWC copies queued, %d sent; want 2 and 3", queued, sent)
	}
	r.Close()

	// The current database is gone: nobody can tell what was sent.
	os.Remove(path)
	if _, err := Restore(ctx, out, path, time.Now(), RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "-resend") {
		t.Fatalf("restore without the current database: %v", err)
	}
	if _, err := Restore(ctx, out, path, time.Now(), RestoreOptions{Resend: true}); err != nil {
		t.Fatalf("restore with -resend: %v", err)
	}
}
