package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Secret returns the installation's secret named name, creating 32 random
// bytes on first use. It keys the hashes of IP addresses and emails and signs
// widget tokens, so it must survive restarts; it lives in the database, and
// a backup carries it along.
func (db *DB) Secret(ctx context.Context, name string, now time.Time) ([]byte, error) {
	key := "secret:" + name
	var v string
	err := db.W.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if err == nil {
		b, derr := base64.StdEncoding.DecodeString(v)
		if derr != nil || len(b) < 32 {
			return nil, fmt.Errorf("read secret %q: stored value is damaged", name)
		}
		return b, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read secret %q: %w", name, err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("create secret %q: %w", name, err)
	}
	// INSERT OR IGNORE, then read back: if another process raced us, both
	// end up with the same stored value.
	if _, err := db.W.ExecContext(ctx, "INSERT OR IGNORE INTO settings(key, value, updated_at) VALUES (?, ?, ?)",
		key, base64.StdEncoding.EncodeToString(b), now.UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("store secret %q: %w", name, err)
	}
	return db.Secret(ctx, name, now)
}
