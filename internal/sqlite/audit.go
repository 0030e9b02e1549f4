package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// The organizer workspace's tables (users, sessions, partners, audit log,
// moderation) store times like the letters table: fixed-width UTC text that
// compares as text.
const orgTimeLayout = "2006-01-02T15:04:05.000Z"

func orgTime(t time.Time) string { return t.UTC().Format(orgTimeLayout) }

func orgParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(orgTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	return t, nil
}

func orgParseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return orgParseTime(s.String)
}

// orgNullID stores an actor's user ID, NULL for the command line (0).
func orgNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// auditJSON encodes an entity for the audit log; nil is "null".
func auditJSON(v any) (string, error) {
	if v == nil {
		return "null", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode audit entity: %w", err)
	}
	return string(b), nil
}

// auditChange is one change to record with writeAudit.
type auditChange struct {
	actor    int64
	action   string
	entity   string
	entityID string
	before   any
	after    any
	at       time.Time
}

// writeAudit records a change inside the transaction that makes it, so the
// log and the data can never disagree.
func writeAudit(ctx context.Context, tx *sql.Tx, c auditChange) error {
	before, err := auditJSON(c.before)
	if err != nil {
		return err
	}
	after, err := auditJSON(c.after)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (user_id, action, entity, entity_id, before_json, after_json, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, orgNullID(c.actor), c.action, c.entity, c.entityID, before, after, orgTime(c.at)); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// idString writes a numeric entity ID for the audit log.
func idString(id int64) string { return strconv.FormatInt(id, 10) }

// Audit reads the audit log.
type Audit struct {
	db *DB
}

// NewAudit returns the audit log reader over db.
func NewAudit(db *DB) *Audit { return &Audit{db: db} }

// AuditLog returns a page of the audit log, newest first: at most limit
// entries older than the one with ID before (0 for the newest), with each
// actor's email ("" for the command line).
func (a *Audit) AuditLog(ctx context.Context, before int64, limit int) ([]advocacy.AuditEntry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := a.db.R.QueryContext(ctx, `SELECT a.id, coalesce(a.user_id, 0), coalesce(u.email, ''), a.action, a.entity,
		a.entity_id, a.before_json, a.after_json, a.created_at
		FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var out []advocacy.AuditEntry
	for rows.Next() {
		var (
			e       advocacy.AuditEntry
			created string
		)
		if err := rows.Scan(&e.ID, &e.UserID, &e.UserEmail, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &created); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		if e.CreatedAt, err = orgParseTime(created); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return out, nil
}
