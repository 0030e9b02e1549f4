package sqlite

import (
	"context"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable reports whether err means the database cannot take a write,
// or answer, right now, for a reason outside the request: another process
// holds the write lock, the files or the disk are read-only, the disk is
// full, or the file system failed. Such errors are worth a "try again
// later" answer, unlike a broken query or a constraint.
func Unavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}

// CheckWrites reports whether the database accepts writes now: it takes
// the write lock and writes one row, growing it by a few pages and freeing
// them again in the same transaction (so that read-only files, and a disk
// with no room for a letter, show too), within ctx's deadline. It is what
// /healthz asks.
func (db *DB) CheckWrites(ctx context.Context, stamp string) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("check writes: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO health_checks (id, checked_at, room) VALUES (1, ?, zeroblob(16384))
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, room = excluded.room`, stamp); err != nil {
		return fmt.Errorf("check writes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE health_checks SET room = NULL WHERE id = 1"); err != nil {
		return fmt.Errorf("check writes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("check writes: %w", err)
	}
	return nil
}
