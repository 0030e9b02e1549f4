package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// CongressGov stores what the Congress.gov sync brings: cosponsor lists
// (with the file import's rules), each bill's latest action and
// committees, and the outcome of every sync.
type CongressGov struct {
	db *DB
}

// NewCongressGov returns the sync store over db.
func NewCongressGov(db *DB) *CongressGov { return &CongressGov{db: db} }

// keepSyncRuns is how many sync outcomes are kept per bill.
const keepSyncRuns = 50

// Campaign reads a campaign with its bills and cosponsors.
func (s *CongressGov) Campaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	return NewCampaigns(s.db).Campaign(ctx, slug)
}

// ActiveCampaigns lists the slugs of the running campaigns.
func (s *CongressGov) ActiveCampaigns(ctx context.Context) ([]string, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT slug FROM campaigns WHERE status = ? ORDER BY id", string(advocacy.CampaignActive))
	if err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, fmt.Errorf("list active campaigns: %w", err)
		}
		out = append(out, slug)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	return out, nil
}

// ApplySync stores a bill's whole cosponsor list from Congress.gov and its
// activity in one transaction, with the file import's checks and counts
// (see Campaigns.ImportCosponsors). On any error nothing changes.
func (s *CongressGov) ApplySync(ctx context.Context, slug, billID string, f advocacy.CosponsorFile, act advocacy.BillActivity,
	chamberOf func(bioguide string) (advocacy.Chamber, bool), at time.Time) (advocacy.ImportResult, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.ImportResult{}, err
	}
	defer tx.Rollback()
	res, err := importCosponsorsTx(ctx, tx, slug, billID, f, chamberOf, at)
	if err != nil {
		return advocacy.ImportResult{}, fmt.Errorf("sync cosponsors of %s: %w", billID, err)
	}
	committees, err := json.Marshal(nonNilCommittees(act.Committees))
	if err != nil {
		return advocacy.ImportResult{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bill_activity (bill_id, latest_action_on, latest_action_text, committees, fetched_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (bill_id) DO UPDATE SET latest_action_on = excluded.latest_action_on,
		latest_action_text = excluded.latest_action_text, committees = excluded.committees, fetched_at = excluded.fetched_at`,
		billID, campaignNullDate(act.LatestActionOn), act.LatestAction, string(committees), campaignTime(act.FetchedAt)); err != nil {
		return advocacy.ImportResult{}, fmt.Errorf("store the activity of %s: %w", billID, err)
	}
	if err := tx.Commit(); err != nil {
		return advocacy.ImportResult{}, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

func nonNilCommittees(cs []advocacy.Committee) []advocacy.Committee {
	if cs == nil {
		return []advocacy.Committee{}
	}
	return cs
}

// RecordSync keeps the outcome of one bill's sync, and only the latest
// keepSyncRuns of each bill.
func (s *CongressGov) RecordSync(ctx context.Context, run advocacy.SyncRun) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r := run.Result
	if _, err := tx.ExecContext(ctx, `INSERT INTO cosponsor_syncs (bill_id, started_at, finished_at, ok, requests, pages,
		in_list, added, withdrawn, changed, removed, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		run.BillID, campaignTime(run.StartedAt), campaignTime(run.FinishedAt), campaignBool(run.OK), run.Requests, run.Pages,
		r.InFile, r.Added, r.Withdrawn, r.Changed, r.Removed, run.Error); err != nil {
		return fmt.Errorf("record the sync of %s: %w", run.BillID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cosponsor_syncs WHERE bill_id = ? AND id NOT IN
		(SELECT id FROM cosponsor_syncs WHERE bill_id = ? ORDER BY id DESC LIMIT ?)`, run.BillID, run.BillID, keepSyncRuns); err != nil {
		return fmt.Errorf("prune the syncs of %s: %w", run.BillID, err)
	}
	return tx.Commit()
}

// LastSyncs returns the latest sync outcome of each of the bills that has
// one.
func (s *CongressGov) LastSyncs(ctx context.Context, billIDs []string) (map[string]advocacy.SyncRun, error) {
	out := map[string]advocacy.SyncRun{}
	if len(billIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(billIDs))
	for i, id := range billIDs {
		args[i] = id
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT bill_id, started_at, finished_at, ok, requests, pages, in_list, added, withdrawn,
		changed, removed, error FROM cosponsor_syncs WHERE id IN (SELECT max(id) FROM cosponsor_syncs
		WHERE bill_id IN (?`+strings.Repeat(", ?", len(billIDs)-1)+`) GROUP BY bill_id)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read last syncs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                 advocacy.SyncRun
			started, finished string
			ok                int
		)
		if err := rows.Scan(&r.BillID, &started, &finished, &ok, &r.Requests, &r.Pages, &r.Result.InFile, &r.Result.Added,
			&r.Result.Withdrawn, &r.Result.Changed, &r.Result.Removed, &r.Error); err != nil {
			return nil, fmt.Errorf("read last syncs: %w", err)
		}
		var serr, ferr error
		r.StartedAt, serr = parseCampaignTime(started)
		r.FinishedAt, ferr = parseCampaignTime(finished)
		if err := errors.Join(serr, ferr); err != nil {
			return nil, fmt.Errorf("read last syncs: %w", err)
		}
		r.OK = ok == 1
		r.Result.Bill = r.BillID
		out[r.BillID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read last syncs: %w", err)
	}
	return out, nil
}

// BillActivity returns what Congress.gov last said about the bill; ok is
// false when it was never synced.
func (s *CongressGov) BillActivity(ctx context.Context, billID string) (a advocacy.BillActivity, ok bool, err error) {
	var (
		on         sql.NullString
		committees string
		fetched    string
	)
	err = s.db.R.QueryRowContext(ctx, `SELECT latest_action_on, latest_action_text, committees, fetched_at
		FROM bill_activity WHERE bill_id = ?`, billID).Scan(&on, &a.LatestAction, &committees, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.BillActivity{}, false, nil
	}
	if err != nil {
		return advocacy.BillActivity{}, false, fmt.Errorf("read the activity of %s: %w", billID, err)
	}
	var derr, ferr, jerr error
	a.LatestActionOn, derr = campaignParseDate(on)
	a.FetchedAt, ferr = parseCampaignTime(fetched)
	jerr = json.Unmarshal([]byte(committees), &a.Committees)
	if err := errors.Join(derr, ferr, jerr); err != nil {
		return advocacy.BillActivity{}, false, fmt.Errorf("read the activity of %s: %w", billID, err)
	}
	return a, true, nil
}
