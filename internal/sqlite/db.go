// Package sqlite implements Whipcount's stores over a SQLite file, with one
// writer connection and a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB holds the two handles on one SQLite file. Every write goes through W,
// which has a single connection and begins transactions IMMEDIATE, so writers
// queue in Go instead of failing with SQLITE_BUSY.
type DB struct {
	W *sql.DB
	R *sql.DB
	// lock is the shared lock on the database's lock file that tells
	// restore the database is in use.
	lock *os.File
}

// basePragmas are every connection's settings. secure_delete makes SQLite
// overwrite what it frees with zeros, so erased personal data does not
// linger in the file's free pages.
const basePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)"

func dsn(path string, extra string) string {
	u := url.URL{Scheme: "file", Opaque: path}
	return u.String() + "?" + basePragmas + extra
}

// Open opens (creating if needed) the database at path and applies the
// migrations in fsys before returning.
func Open(ctx context.Context, path string, migrations fs.FS) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("open database: a file path is required")
	}
	lock, err := lockFile(path, syscall.LOCK_SH)
	if err != nil {
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	db, err := open(ctx, path, migrations)
	if err != nil {
		lock.Close()
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// errInUse says another process holds the database's lock file.
var errInUse = errors.New("the database is in use by another whipcount process")

// lockFile takes a lock (shared for users of the database, exclusive for
// restore) on PATH.lock without waiting.
func lockFile(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errInUse
		}
		return nil, fmt.Errorf("lock file: %w", err)
	}
	return f, nil
}

func open(ctx context.Context, path string, migrations fs.FS) (*DB, error) {
	// temp_store(MEMORY) keeps the writer's statement and savepoint
	// journals in memory: written to a temporary file, they took a quarter
	// of a letter's CPU. It also keeps the writer's sorts in memory, which
	// only stats rebuild makes large.
	w, err := sql.Open("sqlite", dsn(path, "&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open writer %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open writer %q: %w", path, err)
	}
	if err := Migrate(ctx, w, migrations); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, "&_pragma=query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open readers %q: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{W: w, R: r}, nil
}

// Close closes both handles and lets go of the lock file.
func (db *DB) Close() error {
	err := errors.Join(db.R.Close(), db.W.Close())
	if db.lock != nil {
		db.lock.Close()
		db.lock = nil
	}
	return err
}

// Ping checks that the database answers a query on a reader connection.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Migrate applies, in name order and each in its own transaction, every
// *.sql file of fsys not yet recorded in schema_migrations.
func Migrate(ctx context.Context, w *sql.DB, fsys fs.FS) error {
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	applied := map[string]bool{}
	rows, err := w.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if applied[version] {
			continue
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", version, err)
		}
		if err := applyMigration(ctx, w, version, string(body)); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, w *sql.DB, version, body string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply migration %s: %w", version, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("apply migration %s: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)",
		version, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("record migration %s: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", version, err)
	}
	return nil
}
