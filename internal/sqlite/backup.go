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

// Restore checks the backup at in and installs it as dbPath. The server must
// be stopped. The current database, if any, is kept beside it as
// dbPath.before-restore-TIMESTAMP, and its WAL files are removed so that
// SQLite cannot replay them onto the restored file.
func Restore(ctx context.Context, in, dbPath string, now time.Time) (kept string, err error) {
	if err := Verify(ctx, in); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	tmp := dbPath + ".restoring"
	if err := copyFileSync(in, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(dbPath); err == nil {
		// Fold the WAL into the old file first so the kept copy is complete.
		if old, err := sql.Open("sqlite", dsn(dbPath, "")); err == nil {
			_, _ = old.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
			old.Close()
		}
		kept = dbPath + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dbPath, kept); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("restore: keep the current database: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, fmt.Errorf("restore: remove %s: %w", dbPath+suffix, err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return kept, fmt.Errorf("restore: install: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(dbPath)); err == nil {
		_ = dir.Sync()
		dir.Close()
	}
	return kept, nil
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
