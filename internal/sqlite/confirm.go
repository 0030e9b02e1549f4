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

// ConfirmLetter records that a letter's sender confirmed their email: with
// the right token, before it expires, a letter that waited for it becomes
// active (it counts, and its copies go out) unless the abuse checks also
// hold it for moderation. first is true only for the call that confirmed,
// so that what follows (the receipt) happens once; confirming again is
// harmless. An erased letter cannot be confirmed.
func (s *Letters) ConfirmLetter(ctx context.Context, publicID, token string) (l advocacy.Letter, first bool, err error) {
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.Letter{}, false, fmt.Errorf("confirm letter: %w", err)
	}
	defer tx.Rollback()
	var id int64
	var hash, expires string
	var holds int
	var confirmed sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT l.id, c.token_hash, c.expires_at, c.confirmed_at, c.holds_letter
		FROM letters l JOIN letter_confirmations c ON c.letter_id = l.id
		WHERE l.public_id = ? AND l.erased_at IS NULL`, publicID).
		Scan(&id, &hash, &expires, &confirmed, &holds)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Letter{}, false, advocacy.NotFound("We could not find a letter waiting for confirmation at this address.")
	}
	if err != nil {
		return advocacy.Letter{}, false, fmt.Errorf("confirm letter: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(confirmHash(token))) != 1 {
		return advocacy.Letter{}, false, advocacy.Invalid("token", "This confirmation link is not right. Please use the link from the email exactly as it was sent.")
	}
	if !confirmed.Valid {
		if expires < letterTime(now) {
			msg := "This confirmation link has expired and the letter was not sent. You are welcome to write again."
			if holds == 0 {
				msg = "This confirmation link has expired, so we will not email you a copy. Your letter itself was not affected."
			}
			return advocacy.Letter{}, false, advocacy.Invalid("token", msg)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE letter_confirmations SET confirmed_at = ? WHERE letter_id = ?", letterTime(now), id); err != nil {
			return advocacy.Letter{}, false, fmt.Errorf("confirm letter: %w", err)
		}
		// A letter the abuse checks held keeps waiting for a moderator.
		if _, err := tx.ExecContext(ctx, "UPDATE letters SET status = 'active' WHERE id = ? AND status = 'held' AND hold_reason = ''", id); err != nil {
			return advocacy.Letter{}, false, fmt.Errorf("confirm letter: %w", err)
		}
		first = true
	}
	if err := tx.Commit(); err != nil {
		return advocacy.Letter{}, false, fmt.Errorf("confirm letter: %w", err)
	}
	l, err = s.LetterByPublicID(ctx, publicID)
	return l, first, err
}

// AwaitingConfirmation reports whether a letter still waits for its
// sender's email confirmation.
func (s *Letters) AwaitingConfirmation(ctx context.Context, publicID string) (bool, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM letter_confirmations c JOIN letters l ON l.id = c.letter_id
		WHERE l.public_id = ? AND c.confirmed_at IS NULL AND c.holds_letter = 1`, publicID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check confirmation: %w", err)
	}
	return n > 0, nil
}

// DeleteUnconfirmed deletes the letters whose confirmation expired unused,
// with their deliveries, and returns how many; a confirmation that held only
// a receipt is dropped (the receipt is never sent), the letter stays.
func (s *Letters) DeleteUnconfirmed(ctx context.Context) (int, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("delete unconfirmed letters: %w", err)
	}
	defer tx.Rollback()
	cutoff := letterTime(s.now())
	res, err := tx.ExecContext(ctx, `DELETE FROM letters WHERE id IN (
		SELECT letter_id FROM letter_confirmations WHERE confirmed_at IS NULL AND holds_letter = 1 AND expires_at < ?)`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("delete unconfirmed letters: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM letter_confirmations
		WHERE confirmed_at IS NULL AND holds_letter = 0 AND expires_at < ?`, cutoff); err != nil {
		return 0, fmt.Errorf("drop expired receipt confirmations: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), tx.Commit()
}
