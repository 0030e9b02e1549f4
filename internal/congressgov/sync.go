package congressgov

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Store is where synced lists go (implemented by sqlite.CongressGov).
type Store interface {
	// Campaign reads a campaign with its bills and their cosponsors.
	Campaign(ctx context.Context, slug string) (advocacy.Campaign, error)
	// ActiveCampaigns lists the slugs of the running campaigns.
	ActiveCampaigns(ctx context.Context) ([]string, error)
	// ApplySync stores a bill's whole cosponsor list and its activity in
	// one transaction, with the file import's checks; on error nothing
	// changes.
	ApplySync(ctx context.Context, slug, billID string, f advocacy.CosponsorFile, act advocacy.BillActivity,
		chamberOf func(bioguide string) (advocacy.Chamber, bool), at time.Time) (advocacy.ImportResult, error)
	// RecordSync keeps the outcome of one bill's sync.
	RecordSync(ctx context.Context, run advocacy.SyncRun) error
}

// Syncer keeps campaigns' bills in step with Congress.gov: for each bill
// whose list can still change it fetches the latest action, the committees
// and every page of cosponsors, then stores them in one transaction with
// the same rules as the file import, and records the outcome. One sync
// runs at a time: another asked for meanwhile answers advocacy.ErrSyncBusy.
type Syncer struct {
	Client *Client
	Store  Store
	// ChamberOf gives a member's chamber in the reference data in use;
	// members it does not know are refused, as in the file import.
	ChamberOf func(bioguide string) (advocacy.Chamber, bool)
	Clock     func() time.Time
	Logger    *slog.Logger

	mu sync.Mutex
}

func (s *Syncer) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock()
}

func (s *Syncer) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// SyncCampaign syncs the campaign's bills: the current ones, and earlier
// ones whose final list is not in yet. A bill that fails is recorded and
// the others still sync; the error joins the failures.
func (s *Syncer) SyncCampaign(ctx context.Context, slug string) ([]advocacy.SyncRun, error) {
	if !s.mu.TryLock() {
		return nil, advocacy.ErrSyncBusy
	}
	defer s.mu.Unlock()
	camp, err := s.Store.Campaign(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.syncBills(ctx, slug, s.billsToSync(camp, nil))
}

// SyncAll syncs the bills of every running campaign, each bill once even
// when campaigns share it.
func (s *Syncer) SyncAll(ctx context.Context) ([]advocacy.SyncRun, error) {
	if !s.mu.TryLock() {
		return nil, advocacy.ErrSyncBusy
	}
	defer s.mu.Unlock()
	slugs, err := s.Store.ActiveCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var runs []advocacy.SyncRun
	var errs []error
	for _, slug := range slugs {
		camp, err := s.Store.Campaign(ctx, slug)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r, err := s.syncBills(ctx, slug, s.billsToSync(camp, seen))
		runs = append(runs, r...)
		errs = append(errs, err)
	}
	return runs, errors.Join(errs...)
}

// billsToSync lists the campaign's bills whose list can still change,
// leaving out those in seen (and adding the rest to it).
func (s *Syncer) billsToSync(camp advocacy.Campaign, seen map[string]bool) []advocacy.Bill {
	now := s.now()
	var out []advocacy.Bill
	for _, b := range append(append([]advocacy.Bill(nil), camp.Bills...), camp.PastBills...) {
		if b.ListFinal(now) || seen[b.ID] {
			continue
		}
		if seen != nil {
			seen[b.ID] = true
		}
		out = append(out, b)
	}
	return out
}

func (s *Syncer) syncBills(ctx context.Context, slug string, bills []advocacy.Bill) ([]advocacy.SyncRun, error) {
	var runs []advocacy.SyncRun
	var errs []error
	for _, b := range bills {
		run := s.syncBill(ctx, slug, b)
		if err := s.Store.RecordSync(context.WithoutCancel(ctx), run); err != nil {
			errs = append(errs, err)
		}
		if run.OK {
			s.logger().Info("cosponsors sync", "campaign", slug, "bill", b.ID, "result", run.Summary(), "requests", run.Requests)
		} else {
			s.logger().Error("cosponsors sync failed; the stored list stays", "campaign", slug, "bill", b.ID, "err", run.Error, "requests", run.Requests)
			errs = append(errs, fmt.Errorf("%s: %s", b.ID, run.Error))
		}
		runs = append(runs, run)
	}
	return runs, errors.Join(errs...)
}

// syncBill fetches and stores one bill.
func (s *Syncer) syncBill(ctx context.Context, slug string, b advocacy.Bill) advocacy.SyncRun {
	run := advocacy.SyncRun{BillID: b.ID, StartedAt: s.now().UTC()}
	before := s.Client.Requests()
	finish := func(err error) advocacy.SyncRun {
		run.FinishedAt = s.now().UTC()
		run.Requests = s.Client.Requests() - before
		run.OK = err == nil
		if err != nil {
			run.Error = err.Error()
		}
		return run
	}
	act, err := s.Client.Activity(ctx, b)
	if err != nil {
		return finish(err)
	}
	f, pages, err := s.Client.Cosponsors(ctx, b)
	run.Pages = pages
	if err != nil {
		return finish(err)
	}
	res, err := s.Store.ApplySync(ctx, slug, b.ID, f, act, s.ChamberOf, s.now())
	run.Result = res
	return finish(err)
}

// Run syncs every running campaign at once and then every interval, until
// ctx ends. Failures are recorded and logged; the next run tries again.
func (s *Syncer) Run(ctx context.Context, every time.Duration) {
	for {
		if _, err := s.SyncAll(ctx); err != nil && ctx.Err() == nil {
			s.logger().Warn("cosponsors sync: some bills did not sync", "err", err)
		}
		if err := sleep(ctx, every); err != nil {
			return
		}
	}
}
