package sqlite

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func confirmHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ConfirmLetter releases a letter that waits for its sender's email
// confirmation: with the right token, before it expires, the letter becomes
// active (it counts, and its copies go out). Confirming twice is harmless.
func (s *Letters) ConfirmLetter(ctx context.Context, publicID, token string) (advocacy.Letter, error) {
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.Letter{}, fmt.Errorf("confirm letter: %w", err)
	}
	defer tx.Rollback()
	var id int64
	var hash, expires string
	var confirmed sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT l.id, c.token_hash, c.expires_at, c.confirmed_at
		FROM letters l JOIN letter_confirmations c ON c.letter_id = l.id WHERE l.public_id = ?`, publicID).
		Scan(&id, &hash, &expires, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Letter{}, advocacy.NotFound("We could not find a letter waiting for confirmation at this address.")
	}
	if err != nil {
		return advocacy.Letter{}, fmt.Errorf("confirm letter: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(confirmHash(token))) != 1 {
		return advocacy.Letter{}, advocacy.Invalid("token", "This confirmation link is not right. Please use the link from the email exactly as it was sent.")
	}
	if !confirmed.Valid {
		if expires < letterTime(now) {
			return advocacy.Letter{}, advocacy.Invalid("token", "This confirmation link has expired and the letter was not sent. You are welcome to write again.")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE letter_confirmations SET confirmed_at = ? WHERE letter_id = ?", letterTime(now), id); err != nil {
			return advocacy.Letter{}, fmt.Errorf("confirm letter: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE letters SET status = 'active' WHERE id = ? AND status = 'held'", id); err != nil {
			return advocacy.Letter{}, fmt.Errorf("confirm letter: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return advocacy.Letter{}, fmt.Errorf("confirm letter: %w", err)
	}
	return s.LetterByPublicID(ctx, publicID)
}

// AwaitingConfirmation reports whether a letter still waits for its
// sender's email confirmation.
func (s *Letters) AwaitingConfirmation(ctx context.Context, publicID string) (bool, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM letter_confirmations c JOIN letters l ON l.id = c.letter_id
		WHERE l.public_id = ? AND c.confirmed_at IS NULL`, publicID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check confirmation: %w", err)
	}
	return n > 0, nil
}

// DeleteUnconfirmed deletes the letters whose confirmation expired unused,
// with their deliveries; it returns how many.
func (s *Letters) DeleteUnconfirmed(ctx context.Context) (int, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM letters WHERE id IN (
		SELECT letter_id FROM letter_confirmations WHERE confirmed_at IS NULL AND expires_at < ?)`, letterTime(s.now()))
	if err != nil {
		return 0, fmt.Errorf("delete unconfirmed letters: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
