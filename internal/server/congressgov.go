package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// CongressGovReader reads what the Congress.gov sync brought (implemented
// by sqlite.CongressGov).
type CongressGovReader interface {
	// BillActivity is the bill's latest action and committees; ok is false
	// before the first sync.
	BillActivity(ctx context.Context, billID string) (a advocacy.BillActivity, ok bool, err error)
	// LastSyncs is the latest sync outcome of each bill that has one.
	LastSyncs(ctx context.Context, billIDs []string) (map[string]advocacy.SyncRun, error)
}

// CosponsorSyncer runs the Congress.gov sync of a campaign (implemented by
// congressgov.Syncer).
type CosponsorSyncer interface {
	SyncCampaign(ctx context.Context, slug string) ([]advocacy.SyncRun, error)
}

// CongressGovDeps wires the Congress.gov sync; its zero value shows nothing
// of it.
type CongressGovDeps struct {
	Reader CongressGovReader
	// Syncer runs a sync when an organizer asks; nil without an API key.
	Syncer CosponsorSyncer
	// Every is how often the server syncs by itself; 0 when it does not.
	Every time.Duration
}

// manualSyncTimeout bounds a sync an organizer started from the page.
const manualSyncTimeout = 2 * time.Minute

// billActivity reads a bill's activity from reader, logging (not failing
// on) errors: the bill page shows without it. Without a reader it knows of
// none.
func billActivity(reader CongressGovReader, logger *slog.Logger) func(ctx context.Context, billID string) (advocacy.BillActivity, bool) {
	return func(ctx context.Context, billID string) (advocacy.BillActivity, bool) {
		if reader == nil {
			return advocacy.BillActivity{}, false
		}
		a, ok, err := reader.BillActivity(ctx, billID)
		if err != nil {
			logger.ErrorContext(ctx, "read bill activity", "bill", billID, "err", err)
			return advocacy.BillActivity{}, false
		}
		return a, ok
	}
}

// syncStatus says how far the Congress.gov sync has brought each bill, for
// the dashboard. Its zero value knows of no sync.
type syncStatus struct {
	// reader has each bill's last sync; nil before any sync is wired.
	reader CongressGovReader
	// canSync: the server has an API key, so syncs run (on request too).
	canSync bool
	every   time.Duration
	logger  *slog.Logger
}

func newSyncStatus(s *Server) syncStatus {
	g := s.deps.CongressGov
	return syncStatus{reader: g.Reader, canSync: g.Syncer != nil, every: g.Every, logger: s.deps.Logger}
}

// command is what brings a bill's cosponsor list up to date from the
// command line.
func (st syncStatus) command(slug, billID string) string {
	if st.canSync {
		return "whipcount cosponsors sync -campaign " + slug
	}
	return "whipcount cosponsors import -campaign " + slug + " -bill " + billID + " FILE.json (or set WHIPCOUNT_CONGRESS_API_KEY and run whipcount cosponsors sync -campaign " + slug + ")"
}

// rows describes each bill's last sync for the dashboard, and lists the
// failed ones as out of date.
func (st syncStatus) rows(ctx context.Context, camp advocacy.Campaign) ([]templates.SyncRow, []templates.StaleItem) {
	if st.reader == nil {
		return nil, nil
	}
	ids := make([]string, 0, len(camp.Bills))
	for _, b := range camp.Bills {
		ids = append(ids, b.ID)
	}
	last, err := st.reader.LastSyncs(ctx, ids)
	if err != nil {
		st.logger.ErrorContext(ctx, "read last syncs", "err", err)
		return nil, nil
	}
	var rows []templates.SyncRow
	var stale []templates.StaleItem
	for _, b := range camp.Bills {
		row := templates.SyncRow{Bill: b.Label(), Result: "Never synced from Congress.gov."}
		if r, ok := last[b.ID]; ok {
			row.When = r.FinishedAt.UTC().Format("January 2, 2006, 15:04 UTC")
			row.Result, row.Failed = r.Summary(), !r.OK
			if !r.OK {
				stale = append(stale, templates.StaleItem{Kind: "sync", What: "The last Congress.gov sync of " + b.Label() + " failed",
					Details: []string{row.When + ": " + r.Error, "The list stays as it was; the next sync tries again."},
					Command: st.command(camp.Slug, b.ID)})
			}
		}
		rows = append(rows, row)
	}
	return rows, stale
}

// describe says how the cosponsor lists are kept up to date.
func (st syncStatus) describe() string {
	switch {
	case !st.canSync:
		return "The server has no Congress.gov API key (WHIPCOUNT_CONGRESS_API_KEY): import cosponsor files on the edit page, or set the key."
	case st.every > 0:
		return "The server syncs every running campaign’s bills every " + st.every.String() + "."
	}
	return "The server does not sync by itself (-cosponsors-sync 0): sync by hand here or with whipcount cosponsors sync."
}

// congressSync is the button on the dashboard that syncs a campaign's
// bills from Congress.gov now. It is mounted when the sync is wired (the
// server has an API key).
type congressSync struct {
	ws        *workspace
	syncer    CosponsorSyncer
	campaigns CampaignStore
}

// newCongressSync builds the feature, or nil without a syncer or the
// campaigns.
func newCongressSync(s *Server, ws *workspace) *congressSync {
	if s.deps.CongressGov.Syncer == nil || s.deps.Campaigns == nil {
		return nil
	}
	return &congressSync{ws: ws, syncer: s.deps.CongressGov.Syncer, campaigns: s.deps.Campaigns}
}

func (cs *congressSync) routes(org *echo.Group) {
	org.POST("/campaigns/:slug/sync", cs.syncNow)
}

// syncNow serves POST /organizer/campaigns/{slug}/sync: an organizer asks
// for the campaign's bills from Congress.gov now.
func (cs *congressSync) syncNow(c echo.Context) error {
	if _, err := need(c, advocacy.PermEditContent); err != nil {
		return err
	}
	camp, err := orgCampaign(c, cs.campaigns)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), manualSyncTimeout)
	defer cancel()
	// Failures are recorded per bill and shown on the dashboard.
	_, err = cs.syncer.SyncCampaign(ctx, camp.Slug)
	done := "synced"
	switch {
	case errors.Is(err, advocacy.ErrSyncBusy):
		done = "sync-busy"
	case err != nil:
		done = "sync-failed"
	}
	return orgSeeOther(c, orgCampaignURL(camp.Slug)+"?done="+done+"#sync-heading")
}
