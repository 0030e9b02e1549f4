package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Moderation is the queue of letters held by the abuse and duplicate
// checks, and the organizers' decisions on them. A decision changes the
// letter's status, records who decided and why in letter_moderation, and
// writes the audit log, all in one transaction.
type Moderation struct {
	db  *DB
	now func() time.Time
}

// NewModeration returns the moderation store over db; now is the clock.
func NewModeration(db *DB, now func() time.Time) *Moderation { return &Moderation{db: db, now: now} }

// Held returns up to limit held letters with their deliveries, oldest
// first, after the letter with ID afterID (0 for the start), and how many
// are held in all.
func (m *Moderation) Held(ctx context.Context, afterID int64, limit int) ([]advocacy.HeldLetter, int, error) {
	out, total, err := m.held(ctx, afterID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list held letters: %w", err)
	}
	return out, total, nil
}

// The queue's size comes from the aggregates, less the held letters still
// waiting for their sender (a day's letters at most); its pages walk the
// index of letters that are not active, from the last one shown. Neither
// grows with the letters that passed.
const (
	heldCountSQL = `SELECT (SELECT coalesce(sum(n), 0) FROM agg_letters WHERE ref = '*' AND status = 'held')
		- (SELECT count(*) FROM letter_confirmations lc CROSS JOIN letters l ON l.id = lc.letter_id
		   WHERE lc.confirmed_at IS NULL AND l.status = 'held')`
	heldPageSQL = ` FROM letters l INDEXED BY letters_status JOIN campaigns c ON c.id = l.campaign_id
		WHERE l.status = 'held' AND l.status <> 'active' AND l.id > ?`
)

func (m *Moderation) held(ctx context.Context, afterID int64, limit int) ([]advocacy.HeldLetter, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	tx, err := m.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	// Letters still waiting for their sender's email confirmation are not
	// the moderators' to judge yet.
	const pending = ` AND NOT EXISTS (SELECT 1 FROM letter_confirmations lc WHERE lc.letter_id = l.id AND lc.confirmed_at IS NULL)`
	if err := tx.QueryRowContext(ctx, heldCountSQL).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+letterColumns+", c.slug"+heldPageSQL+pending+" ORDER BY l.id LIMIT ?", afterID, limit)
	if err != nil {
		return nil, 0, err
	}
	var out []advocacy.HeldLetter
	for rows.Next() {
		var lr letterRow
		var h advocacy.HeldLetter
		if err := rows.Scan(append(lr.dest(), &h.CampaignSlug)...); err != nil {
			rows.Close()
			return nil, 0, err
		}
		if h.Letter, err = lr.finish(); err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Letter.Deliveries, err = deliveriesFor(ctx, tx, out[i].Letter.ID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// auditModeration is how a decision appears in the audit log: no personal
// data, only what changed.
type auditModeration struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Approve releases a held letter: it becomes active, so it counts, and its
// queued deliveries go out like any other (CWC ones are due at once). A
// letter that is not held is an *advocacy.Error with CodeConflict.
func (m *Moderation) Approve(ctx context.Context, letterID, actor int64) error {
	if err := m.decide(ctx, letterID, advocacy.LetterActive, "", actor); err != nil {
		return fmt.Errorf("approve letter %d: %w", letterID, err)
	}
	return nil
}

// Reject refuses a held letter for a reason (checked with
// advocacy.ValidateRejectReason): it is never delivered or counted.
func (m *Moderation) Reject(ctx context.Context, letterID int64, reason string, actor int64) error {
	reason, err := advocacy.ValidateRejectReason(reason)
	if err == nil {
		err = m.decide(ctx, letterID, advocacy.LetterRejected, reason, actor)
	}
	if err != nil {
		return fmt.Errorf("reject letter %d: %w", letterID, err)
	}
	return nil
}

func (m *Moderation) decide(ctx context.Context, letterID int64, to advocacy.LetterStatus, reason string, actor int64) error {
	now := m.now()
	ts := letterTime(now)
	tx, err := m.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var status string
	err = tx.QueryRowContext(ctx, "SELECT status FROM letters WHERE id = ?", letterID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.NotFound("We could not find that letter.")
	}
	if err != nil {
		return err
	}
	if advocacy.LetterStatus(status) != advocacy.LetterHeld {
		return &advocacy.Error{Code: advocacy.CodeConflict, Message: "This letter is not waiting for moderation any more: someone decided on it already."}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE letters SET status = ? WHERE id = ?", string(to), letterID); err != nil {
		return err
	}
	decision, action := "approved", "letter.approve"
	if to == advocacy.LetterActive {
		// The wait in the queue is not a failed attempt: CWC deliveries are
		// due now, with a clean slate.
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
			WHERE letter_id = ? AND status = 'queued' AND channel = 'cwc'`, ts, ts, letterID); err != nil {
			return fmt.Errorf("release deliveries: %w", err)
		}
	} else {
		decision, action = "rejected", "letter.reject"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO letter_moderation (letter_id, decision, reason, user_id, decided_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (letter_id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
		user_id = excluded.user_id, decided_at = excluded.decided_at`, letterID, decision, reason, orgNullID(actor), orgTime(now)); err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: action, entity: "letter", entityID: idString(letterID),
		before: auditModeration{Status: status}, after: auditModeration{Status: string(to), Reason: reason}, at: now}); err != nil {
		return err
	}
	return tx.Commit()
}

// Decision is the record of an organizer's decision on a letter.
type Decision struct {
	Decision  string
	Reason    string
	UserEmail string
	DecidedAt time.Time
}

// DecisionOn returns the decision on a letter; a letter never decided on is
// an *advocacy.Error with CodeNotFound.
func (m *Moderation) DecisionOn(ctx context.Context, letterID int64) (Decision, error) {
	var d Decision
	var at string
	err := m.db.R.QueryRowContext(ctx, `SELECT m.decision, m.reason, coalesce(u.email, ''), m.decided_at
		FROM letter_moderation m LEFT JOIN users u ON u.id = m.user_id WHERE m.letter_id = ?`, letterID).
		Scan(&d.Decision, &d.Reason, &d.UserEmail, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return d, advocacy.NotFound("No one has decided on this letter.")
	}
	if err != nil {
		return d, fmt.Errorf("find decision on letter %d: %w", letterID, err)
	}
	d.DecidedAt, err = orgParseTime(at)
	return d, err
}
