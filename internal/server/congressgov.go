package server

import (
	"context"
	"errors"
	"net/http"
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

// billActivity reads a bill's activity, logging (not failing on) errors:
// the bill page shows without it.
func (s *Server) billActivity(ctx context.Context, billID string) (advocacy.BillActivity, bool) {
	if s.deps.CongressGov.Reader == nil {
		return advocacy.BillActivity{}, false
	}
	a, ok, err := s.deps.CongressGov.Reader.BillActivity(ctx, billID)
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "read bill activity", "bill", billID, "err", err)
		return advocacy.BillActivity{}, false
	}
	return a, ok
}

// cosponsorsCommand is what brings a bill's cosponsor list up to date from
// the command line.
func (s *Server) cosponsorsCommand(slug, billID string) string {
	if s.deps.CongressGov.Syncer != nil {
		return "whipcount cosponsors sync -campaign " + slug
	}
	return "whipcount cosponsors import -campaign " + slug + " -bill " + billID + " FILE.json (or set WHIPCOUNT_CONGRESS_API_KEY and run whipcount cosponsors sync -campaign " + slug + ")"
}

// syncRows describes each bill's last sync for the dashboard, and lists the
// failed ones as out of date.
func (s *Server) syncRows(ctx context.Context, camp advocacy.Campaign) ([]templates.SyncRow, []templates.StaleItem) {
	if s.deps.CongressGov.Reader == nil {
		return nil, nil
	}
	ids := make([]string, 0, len(camp.Bills))
	for _, b := range camp.Bills {
		ids = append(ids, b.ID)
	}
	last, err := s.deps.CongressGov.Reader.LastSyncs(ctx, ids)
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "read last syncs", "err", err)
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
					Command: s.cosponsorsCommand(camp.Slug, b.ID)})
			}
		}
		rows = append(rows, row)
	}
	return rows, stale
}

// syncNow serves POST /organizer/campaigns/{slug}/sync: an organizer asks
// for the campaign's bills from Congress.gov now.
func (s *Server) syncNow(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermEditContent); err != nil {
		return err
	}
	if s.deps.CongressGov.Syncer == nil {
		return echo.NewHTTPError(http.StatusConflict, "Syncing from Congress.gov needs an API key: start the server with WHIPCOUNT_CONGRESS_API_KEY.")
	}
	camp, err := s.orgCampaign(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), manualSyncTimeout)
	defer cancel()
	// Failures are recorded per bill and shown on the dashboard.
	_, err = s.deps.CongressGov.Syncer.SyncCampaign(ctx, camp.Slug)
	done := "synced"
	switch {
	case errors.Is(err, advocacy.ErrSyncBusy):
		done = "sync-busy"
	case err != nil:
		done = "sync-failed"
	}
	return orgSeeOther(c, orgCampaignURL(camp.Slug)+"?done="+done+"#sync-heading")
}

// syncEvery says how the cosponsor lists are kept up to date.
func (s *Server) syncEvery() string {
	switch {
	case s.deps.CongressGov.Syncer == nil:
		return "The server has no Congress.gov API key (WHIPCOUNT_CONGRESS_API_KEY): import cosponsor files on the edit page, or set the key."
	case s.deps.CongressGov.Every > 0:
		return "The server syncs every running campaign’s bills every " + s.deps.CongressGov.Every.String() + "."
	}
	return "The server does not sync by itself (-cosponsors-sync 0): sync by hand here or with whipcount cosponsors sync."
}
