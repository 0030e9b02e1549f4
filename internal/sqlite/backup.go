package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Backup writes a consistent copy of the database at dbPath to out while
// other processes keep writing: VACUUM INTO reads one snapshot of the WAL
// database and writes a compact, self-contained file. out must not exist.
// The copy is checked with PRAGMA integrity_check before Backup returns.
func Backup(ctx context.Context, dbPath, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup to %s: the file exists; choose a new name", out)
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("backup %s: %w", dbPath, err)
	}
	src, err := sql.Open("sqlite", dsn(dbPath, ""))
	if err != nil {
		return fmt.Errorf("backup %s: %w", dbPath, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		os.Remove(out)
		return fmt.Errorf("backup %s: %w", dbPath, err)
	}
	if err := Verify(ctx, out); err != nil {
		return fmt.Errorf("backup %s: %w", dbPath, err)
	}
	return nil
}

// Verify opens a database file read-only and checks that it is intact and
// is a Whipcount database (it has applied migrations).
func Verify(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	// No journal_mode pragma here: changing it would be a write.
	u := (&url.URL{Scheme: "file", Opaque: path}).String() + "?mode=ro&_pragma=busy_timeout(5000)"
	d, err := sql.Open("sqlite", u)
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	defer d.Close()
	var result string
	if err := d.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("verify %s: integrity check says %q", path, result)
	}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("verify %s: not a Whipcount database: %w", path, err)
	}
	if n == 0 {
		return fmt.Errorf("verify %s: no migrations recorded", path)
	}
	return nil
}

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// Resend queues the backup's unsent deliveries even when the current
	// database cannot say which of them were sent after the backup.
	Resend bool
}

// RestoreReport says what a restore did.
type RestoreReport struct {
	// Kept is where the previous database was kept ("" when there was none).
	Kept string
	// AlreadySent counts deliveries queued in the backup that the previous
	// database had sent (or settled) since: they keep that state and are
	// not sent again.
	AlreadySent int
	// NewerLetters counts letters in the previous database that the backup
	// does not have; they stay in the kept file.
	NewerLetters int
}

// Restore checks the backup at in and installs it as dbPath. It refuses
// while any whipcount process has the database open (the server, a
// command). The current database, if any, is kept beside it as
// dbPath.before-restore-TIMESTAMP, and its WAL files are removed so that
// SQLite cannot replay them onto the restored file.
//
// The outbox must not send twice: every delivery still queued in the
// backup that the current database has since sent, delivered, failed or
// seen confirmed keeps that state. Without a readable current database
// nobody can tell, and Restore refuses to queue the backup's unsent CWC
// deliveries again unless opts.Resend says to.
func Restore(ctx context.Context, in, dbPath string, now time.Time, opts RestoreOptions) (RestoreReport, error) {
	var rep RestoreReport
	if err := Verify(ctx, in); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	lock, err := lockFile(dbPath, syscall.LOCK_EX)
	if errors.Is(err, errInUse) {
		return rep, fmt.Errorf("restore: %w: stop the server (and any other whipcount command on it) first", err)
	}
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	defer lock.Close()
	tmp := dbPath + ".restoring"
	if err := copyFileSync(in, tmp); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("restore: %w", err)
	}
	_, statErr := os.Stat(dbPath)
	current := statErr == nil && Verify(ctx, dbPath) == nil
	if err := reconcileOutbox(ctx, tmp, dbPath, current, opts, &rep); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("restore: %w", err)
	}
	if statErr == nil {
		// Fold the WAL into the old file first so the kept copy is complete.
		if old, err := sql.Open("sqlite", dsn(dbPath, "")); err == nil {
			_, _ = old.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
			old.Close()
		}
		rep.Kept = dbPath + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dbPath, rep.Kept); err != nil {
			os.Remove(tmp)
			return rep, fmt.Errorf("restore: keep the current database: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("restore: remove %s: %w", dbPath+suffix, err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return rep, fmt.Errorf("restore: install: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(dbPath)); err == nil {
		_ = dir.Sync()
		dir.Close()
	}
	return rep, nil
}

// reconcileOutbox carries the outbox state of the current database over
// to the backup's copy at tmp, before it is installed.
func reconcileOutbox(ctx context.Context, tmp, dbPath string, current bool, opts RestoreOptions, rep *RestoreReport) error {
	dst, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Opaque: tmp}).String()+"?_pragma=busy_timeout(5000)&_pragma=secure_delete(1)")
	if err != nil {
		return err
	}
	defer dst.Close()
	if !current {
		var queued int
		if err := dst.QueryRowContext(ctx, "SELECT count(*) FROM deliveries WHERE status = 'queued' AND channel = 'cwc'").Scan(&queued); err != nil {
			return fmt.Errorf("count queued deliveries: %w", err)
		}
		if queued > 0 && !opts.Resend {
			return fmt.Errorf("the backup has %d CWC deliveries waiting to be sent, and without a readable current database "+
				"nobody can tell which were sent after the backup was taken; restore with -resend to queue them all again "+
				"(offices may get some twice)", queued)
		}
		return nil
	}
	src, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Opaque: dbPath}).String()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer src.Close()
	var newest sql.NullString
	if err := dst.QueryRowContext(ctx, "SELECT max(created_at) FROM letters").Scan(&newest); err != nil {
		return fmt.Errorf("read the backup's letters: %w", err)
	}
	if err := src.QueryRowContext(ctx, "SELECT count(*) FROM letters WHERE created_at > ?", newest.String).Scan(&rep.NewerLetters); err != nil {
		return fmt.Errorf("read the current letters: %w", err)
	}
	rows, err := src.QueryContext(ctx, `SELECT delivery_id, status, attempts, last_error, updated_at, sent_at, confirmed_at
		FROM deliveries WHERE status <> 'queued'`)
	if err != nil {
		return fmt.Errorf("read the current outbox: %w", err)
	}
	defer rows.Close()
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for rows.Next() {
		var id, status, lastErr, updated string
		var attempts int
		var sent, confirmed sql.NullString
		if err := rows.Scan(&id, &status, &attempts, &lastErr, &updated, &sent, &confirmed); err != nil {
			return fmt.Errorf("read the current outbox: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, updated_at = ?,
			sent_at = ?, confirmed_at = ?, next_attempt_at = NULL, locked_until = NULL
			WHERE delivery_id = ? AND status = 'queued'`, status, attempts, lastErr, updated, sent, confirmed, id)
		if err != nil {
			return fmt.Errorf("carry over delivery state: %w", err)
		}
		n, _ := res.RowsAffected()
		rep.AlreadySent += int(n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the current outbox: %w", err)
	}
	return tx.Commit()
}

func copyFileSync(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
