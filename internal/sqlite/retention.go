package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// eraseLetterSQL blanks every personal field of the letters selected by the
// WHERE clause that follows it. Campaign, state, district, partner code,
// status and times stay, so counts and maps do not change.
const eraseLetterSQL = `UPDATE letters SET prefix = '', first_name = '', last_name = '', address1 = '',
	address2 = '', city = '', zip = '', email = '', email_norm = '', phone = '', title = '',
	organization = '', personal_message = '', receipt = 0, newsletter = 0, campaign_updates = 0, erased_at = ?`

// eraseDeliveriesSQL blanks the subject and text of the letters'
// deliveries (templates render the sender's name and town into both) and
// the CWC answers, which may quote them. Deliveries still queued or held
// are closed as failed with the reason given.
const eraseDeliveriesSQL = `UPDATE deliveries SET subject = '', template_text = '', last_error = CASE
	WHEN status IN ('queued', 'held') THEN ? ELSE '' END,
	status = CASE WHEN status IN ('queued', 'held') THEN 'failed' ELSE status END,
	next_attempt_at = NULL, locked_until = NULL, updated_at = ?
	WHERE letter_id IN (SELECT id FROM letters WHERE erased_at = ?)`

// EraseLetter erases the personal data of the letter with this public ID at
// its sender's request. Deliveries not yet sent are withdrawn. Erasing an
// erased letter again is harmless.
func (s *Letters) EraseLetter(ctx context.Context, publicID string) error {
	ts := letterTime(s.now())
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("erase letter: %w", err)
	}
	defer tx.Rollback()
	var id int64
	var erased sql.NullString
	err = tx.QueryRowContext(ctx, "SELECT id, erased_at FROM letters WHERE public_id = ?", publicID).Scan(&id, &erased)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.NotFound("We could not find that letter. It may have been deleted already.")
	}
	if err != nil {
		return fmt.Errorf("erase letter: %w", err)
	}
	if erased.Valid {
		return nil
	}
	if _, err := tx.ExecContext(ctx, eraseLetterSQL+" WHERE id = ?", ts, id); err != nil {
		return fmt.Errorf("erase letter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, eraseDeliveriesSQL, "withdrawn: the sender deleted the letter", ts, ts); err != nil {
		return fmt.Errorf("erase letter deliveries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, eraseConfirmationsSQL, ts); err != nil {
		return fmt.Errorf("erase letter confirmation: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("erase letter: %w", err)
	}
	s.dropOldPages(ctx)
	return nil
}

// eraseConfirmationsSQL drops the pending email confirmations of the
// erased letters: nothing is sent for them any more.
const eraseConfirmationsSQL = `DELETE FROM letter_confirmations WHERE letter_id IN (SELECT id FROM letters WHERE erased_at = ?)`

// dropOldPages empties the write-ahead log after an erasure. With
// secure_delete on (see dsn) SQLite zeroes what it frees in the database
// file, but the log still holds earlier copies of the changed pages until
// it is checkpointed and truncated. It is best effort: a busy checkpoint
// is finished by a later one.
func (s *Letters) dropOldPages(ctx context.Context) {
	_, _ = s.db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
}

// EraseExpired erases the personal data of letters older than the retention
// window whose deliveries are all finished (none queued), and returns how
// many it erased. It works in batches so the writer is never held for long.
func (s *Letters) EraseExpired(ctx context.Context, retention time.Duration) (int, error) {
	now := s.now()
	cutoff := letterTime(now.Add(-retention))
	total := 0
	for {
		ts := letterTime(now)
		tx, err := s.db.W.BeginTx(ctx, nil)
		if err != nil {
			return total, fmt.Errorf("erase expired letters: %w", err)
		}
		// The window runs from the last delivery change (sent, confirmed or
		// failed), or from the letter's creation when it had no delivery. A
		// CWC delivery still in the outbox (queued or held) holds the letter
		// back; an assisted copy the sender never confirmed does not.
		res, err := tx.ExecContext(ctx, eraseLetterSQL+` WHERE id IN (
			SELECT l.id FROM letters l
			WHERE l.erased_at IS NULL AND l.created_at < ?
			  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.letter_id = l.id
			                  AND ((d.status IN ('queued', 'held') AND d.channel = 'cwc') OR d.updated_at >= ?))
			LIMIT 500)`, ts, cutoff, cutoff)
		if err != nil {
			tx.Rollback()
			return total, fmt.Errorf("erase expired letters: %w", err)
		}
		n, _ := res.RowsAffected()
		if n > 0 {
			if _, err := tx.ExecContext(ctx, eraseDeliveriesSQL, "never confirmed as sent; erased after the retention window", ts, ts); err != nil {
				tx.Rollback()
				return total, fmt.Errorf("erase expired deliveries: %w", err)
			}
			if _, err := tx.ExecContext(ctx, eraseConfirmationsSQL, ts); err != nil {
				tx.Rollback()
				return total, fmt.Errorf("erase expired confirmations: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return total, fmt.Errorf("erase expired letters: %w", err)
		}
		total += int(n)
		if n < 500 {
			if total > 0 {
				s.dropOldPages(ctx)
			}
			return total, nil
		}
		// Later batches need a distinct erased_at so their deliveries are
		// found: step the stamp by a millisecond.
		now = now.Add(time.Millisecond)
	}
}
