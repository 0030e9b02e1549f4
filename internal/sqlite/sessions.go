package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Sessions stores login sessions by the SHA-256 of their token, never the
// token itself.
type Sessions struct {
	db *DB
}

// NewSessions returns the session store over db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

// CreateSession stores a new session.
func (s *Sessions) CreateSession(ctx context.Context, sess advocacy.Session) error {
	if len(sess.TokenHash) != 64 || sess.UserID == 0 || sess.CSRFToken == "" {
		return errors.New("create session: incomplete session")
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, sess.TokenHash, sess.UserID, sess.CSRFToken, orgTime(sess.CreatedAt),
		orgTime(sess.LastSeen), orgTime(sess.ExpiresAt)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the session with tokenHash and its account, read in one
// query. An unknown session is an *advocacy.Error with CodeNotFound; whether
// it has expired is for advocacy.SessionPolicy to say.
func (s *Sessions) Session(ctx context.Context, tokenHash string) (advocacy.Session, advocacy.User, error) {
	var (
		sess                      advocacy.Session
		created, seen, expiresAt  string
		createdErr, seenErr, eErr error
	)
	u, err := scanUser(s.db.R.QueryRowContext(ctx, "SELECT "+userColumns+`, s.token_hash, s.user_id, s.csrf_token,
		s.created_at, s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN partners p ON p.id = u.partner_id WHERE s.token_hash = ?`, tokenHash),
		&sess.TokenHash, &sess.UserID, &sess.CSRFToken, &created, &seen, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, u, advocacy.NotFound("There is no such session.")
	}
	if err != nil {
		return sess, u, fmt.Errorf("find session: %w", err)
	}
	sess.CreatedAt, createdErr = orgParseTime(created)
	sess.LastSeen, seenErr = orgParseTime(seen)
	sess.ExpiresAt, eErr = orgParseTime(expiresAt)
	if err := errors.Join(createdErr, seenErr, eErr); err != nil {
		return sess, u, fmt.Errorf("find session: %w", err)
	}
	return sess, u, nil
}

// TouchSession records that the session was used at now.
func (s *Sessions) TouchSession(ctx context.Context, tokenHash string, now time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?",
		orgTime(now), tokenHash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session; ending one that is gone is not an error.
func (s *Sessions) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.W.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their absolute end at now or
// idle since before now-idle, and says how many went.
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
		orgTime(now), orgTime(now.Add(-idle)))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
