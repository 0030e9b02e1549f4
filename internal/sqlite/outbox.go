package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Held deliveries. When CWC refuses the API key or this server's address,
// or a chamber's endpoint is not set up, no letter is at fault: the
// chamber's deliveries are held, not failed, until the operator fixes the
// setting (and restarts) or re-sends them.

// holdQueued holds a held chamber's queued CWC deliveries that no worker is
// sending, recording why.
func holdQueued(ctx context.Context, tx *sql.Tx, ch advocacy.Chamber, reason, ts string) error {
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'held', last_error = ?, updated_at = ?,
		next_attempt_at = NULL, locked_until = NULL
		WHERE chamber = ? AND channel = 'cwc' AND status = 'queued' AND (locked_until IS NULL OR locked_until < ?)`,
		reason, ts, string(ch), ts)
	if err != nil {
		return fmt.Errorf("hold queued deliveries: %w", err)
	}
	return nil
}

// Hold stops electronic delivery to a chamber at now for reason: delivery
// id (the one whose answer showed the problem; 0 for none) and every other
// queued delivery to the chamber not being sent are held, and ClaimDue
// claims nothing for it until Resume or RetryDeliveries. Holding a held
// chamber keeps the first time and reason. It returns how many deliveries
// it held.
func (s *Letters) Hold(ctx context.Context, ch advocacy.Chamber, id int64, reason string, now time.Time) (int, error) {
	ts := letterTime(now)
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("hold %s deliveries: %w", ch, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE cwc_chambers SET held_since = ?, hold_reason = ?, last_error = ?, last_error_at = ?
		WHERE chamber = ? AND held_since IS NULL`, ts, reason, reason, ts, string(ch)); err != nil {
		return 0, fmt.Errorf("hold %s deliveries: %w", ch, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'held', last_error = ?, updated_at = ?,
		next_attempt_at = NULL, locked_until = NULL
		WHERE channel = 'cwc' AND status = 'queued' AND chamber = ?
		  AND (id = ? OR locked_until IS NULL OR locked_until < ?)`, reason, ts, string(ch), id, ts)
	if err != nil {
		return 0, fmt.Errorf("hold %s deliveries: %w", ch, err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("hold %s deliveries: %w", ch, err)
	}
	return int(n), nil
}

// Resume lifts a chamber's hold at now: its held deliveries are queued
// again, due at once, with a fresh time budget. The outbox worker calls it
// when it starts with the chamber configured. It returns how many it
// queued.
func (s *Letters) Resume(ctx context.Context, ch advocacy.Chamber, now time.Time) (int, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("resume %s deliveries: %w", ch, err)
	}
	defer tx.Rollback()
	n, err := requeue(ctx, tx, "d.chamber = ? AND d.status = 'held'", []any{string(ch)}, now)
	if err != nil {
		return 0, fmt.Errorf("resume %s deliveries: %w", ch, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cwc_chambers SET held_since = NULL, hold_reason = '' WHERE chamber = ?`, string(ch)); err != nil {
		return 0, fmt.Errorf("resume %s deliveries: %w", ch, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("resume %s deliveries: %w", ch, err)
	}
	return n, nil
}

// Expedite makes a chamber's deliveries that wait to retry after an
// outage due at now: CWC answered again, so they need not sit out the rest
// of their backoff. It returns how many it brought forward.
func (s *Letters) Expedite(ctx context.Context, ch advocacy.Chamber, now time.Time) (int, error) {
	ts := letterTime(now)
	res, err := s.db.W.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ?
		WHERE chamber = ? AND channel = 'cwc' AND status = 'queued' AND next_attempt_at > ? AND last_error <> ''
		  AND (locked_until IS NULL OR locked_until < ?)`, ts, string(ch), ts, ts)
	if err != nil {
		return 0, fmt.Errorf("expedite %s deliveries: %w", ch, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// requeue queues again, due at now with a fresh time budget and no error
// (the chamber keeps its last error), the CWC deliveries matching where (over deliveries d) of letters that are neither
// rejected nor erased.
func requeue(ctx context.Context, tx *sql.Tx, where string, args []any, now time.Time) (int, error) {
	ts := letterTime(now)
	res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'queued', next_attempt_at = ?, queued_at = ?,
		updated_at = ?, locked_until = NULL, last_error = ''
		WHERE id IN (SELECT d.id FROM deliveries d JOIN letters l ON l.id = d.letter_id
			WHERE d.channel = 'cwc' AND l.status <> 'rejected' AND l.erased_at IS NULL AND `+where+`)`,
		append([]any{ts, ts, ts}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// auditRetry is what the audit log keeps of a re-send.
type auditRetry struct {
	Chamber    string `json:"chamber,omitempty"`
	Held       bool   `json:"held"`
	Failed     bool   `json:"failed"`
	CampaignID int64  `json:"campaign_id,omitempty"`
	Deliveries int    `json:"deliveries"`
}

// RetryDeliveries re-sends the held or failed CWC deliveries r names, at
// now, for actor (0 for the command line): they are queued again, due at
// once, with their DeliveryId unchanged and a fresh time budget. Re-sending
// held deliveries lifts the chamber's hold. Letters rejected by moderators
// or erased by their senders are never re-sent. The re-send is audited in
// the same transaction; it returns how many were queued.
func (s *Letters) RetryDeliveries(ctx context.Context, r advocacy.RetryRequest, actor int64, now time.Time) (int, error) {
	if !r.Valid() {
		return 0, advocacy.Invalid("deliveries", "Choose held or failed deliveries to re-send.")
	}
	var conds []string
	var args []any
	var statuses []string
	if r.Held {
		statuses = append(statuses, "'held'")
	}
	if r.Failed {
		statuses = append(statuses, "'failed'")
	}
	conds = append(conds, "d.status IN ("+strings.Join(statuses, ", ")+")")
	if r.Chamber != "" {
		conds, args = append(conds, "d.chamber = ?"), append(args, string(r.Chamber))
	}
	if r.CampaignID != 0 {
		conds, args = append(conds, "l.campaign_id = ?"), append(args, r.CampaignID)
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("re-send deliveries: %w", err)
	}
	defer tx.Rollback()
	n, err := requeue(ctx, tx, strings.Join(conds, " AND "), args, now)
	if err != nil {
		return 0, fmt.Errorf("re-send deliveries: %w", err)
	}
	if r.Held {
		q, a := `UPDATE cwc_chambers SET held_since = NULL, hold_reason = ''`, []any{}
		if r.Chamber != "" {
			q, a = q+" WHERE chamber = ?", append(a, string(r.Chamber))
		}
		if _, err := tx.ExecContext(ctx, q, a...); err != nil {
			return 0, fmt.Errorf("re-send deliveries: %w", err)
		}
	}
	entity := string(r.Chamber)
	if entity == "" {
		entity = "all"
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "deliveries.retry", entity: "deliveries", entityID: entity,
		after: auditRetry{Chamber: string(r.Chamber), Held: r.Held, Failed: r.Failed, CampaignID: r.CampaignID, Deliveries: n},
		at:    now}); err != nil {
		return 0, fmt.Errorf("re-send deliveries: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("re-send deliveries: %w", err)
	}
	return n, nil
}

// DeliveryHealth reports, for each chamber, its CWC deliveries queued, held
// and failed, those sent in the day before now, the oldest waiting, its
// hold and its last error and success. It reads indexed counts of what
// waits or failed and a day of sent deliveries, never the whole history.
func (s *Letters) DeliveryHealth(ctx context.Context, now time.Time) ([]advocacy.ChamberHealth, error) {
	tx, err := s.db.R.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("delivery health: %w", err)
	}
	defer tx.Rollback()
	out := []advocacy.ChamberHealth{{Chamber: advocacy.House}, {Chamber: advocacy.Senate}}
	for i := range out {
		h := &out[i]
		ch := string(h.Chamber)
		var oldest, heldSince, errAt, sentAt sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND chamber = ?1 AND status = 'queued'),
			(SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND chamber = ?1 AND status = 'held'),
			(SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND chamber = ?1 AND status = 'failed'),
			(SELECT min(created_at) FROM deliveries WHERE channel = 'cwc' AND chamber = ?1 AND status IN ('queued', 'held')),
			(SELECT count(*) FROM deliveries WHERE status = 'sent' AND chamber = ?1 AND sent_at >= ?2)`,
			ch, letterTime(now.Add(-24*time.Hour))).Scan(&h.Queued, &h.Held, &h.Failed, &oldest, &h.SentLastDay)
		if err != nil {
			return nil, fmt.Errorf("delivery health: %s: %w", ch, err)
		}
		err = tx.QueryRowContext(ctx, `SELECT held_since, hold_reason, last_error, last_error_at, last_sent_at
			FROM cwc_chambers WHERE chamber = ?`, ch).Scan(&heldSince, &h.HoldReason, &h.LastError, &errAt, &sentAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("delivery health: %s: %w", ch, err)
		}
		for _, p := range []struct {
			dst *time.Time
			src sql.NullString
		}{{&h.OldestWaiting, oldest}, {&h.HeldSince, heldSince}, {&h.LastErrorAt, errAt}, {&h.LastSentAt, sentAt}} {
			if *p.dst, err = letterParseTime(p.src); err != nil {
				return nil, fmt.Errorf("delivery health: %w", err)
			}
		}
	}
	return out, nil
}
