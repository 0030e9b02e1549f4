package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// fakeCongressGov serves fixed sync results and counts sync requests.
type fakeCongressGov struct {
	mu       sync.Mutex
	activity map[string]advocacy.BillActivity
	last     map[string]advocacy.SyncRun
	synced   []string
	err      error
}

func (f *fakeCongressGov) BillActivity(_ context.Context, id string) (advocacy.BillActivity, bool, error) {
	a, ok := f.activity[id]
	return a, ok, nil
}

func (f *fakeCongressGov) LastSyncs(_ context.Context, ids []string) (map[string]advocacy.SyncRun, error) {
	out := map[string]advocacy.SyncRun{}
	for _, id := range ids {
		if r, ok := f.last[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

func (f *fakeCongressGov) SyncCampaign(_ context.Context, slug string) ([]advocacy.SyncRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.synced = append(f.synced, slug)
	return nil, f.err
}

func TestBillPageShowsCongressGovActivity(t *testing.T) {
	fetched := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	fake := &fakeCongressGov{activity: map[string]advocacy.BillActivity{"s3103-119": {
		LatestActionOn: time.Date(2025, 11, 4, 0, 0, 0, 0, time.UTC), LatestAction: "Read twice and referred to the Committee on Finance.",
		Committees: []advocacy.Committee{{Name: "Finance Committee", Chamber: "Senate"}}, FetchedAt: fetched}}}
	env := newEnv(t, campaignSite(nil), withDeps(func(d *Deps) { d.CongressGov.Reader = fake }))
	d := parseDoc(t, env.get(t, "/bills/s3103-119", false).Body.String())
	if got := squash(d.Find(`[data-testid="bill-latest-action"]`).Text()); got != "November 4, 2025: Read twice and referred to the Committee on Finance." {
		t.Errorf("latest action = %q", got)
	}
	if got := squash(d.Find(`[data-testid="bill-committee"]`).Text()); got != "Finance Committee (Senate)" {
		t.Errorf("committee = %q", got)
	}
	if got := squash(d.Find(`[data-testid="activity-as-of"]`).Text()); !strings.Contains(got, "from Congress.gov, as of December 2, 2026") {
		t.Errorf("as of = %q", got)
	}
	// Before a sync, the organizer's own text shows.
	d = parseDoc(t, env.get(t, "/bills/hr5917-119", false).Body.String())
	if d.Find(`[data-testid="bill-latest-action"]`).Length() != 0 || d.Find(`[data-testid="activity-as-of"]`).Length() != 0 {
		t.Error("activity shown for a bill never synced")
	}
}

func TestDashboardShowsSyncsAndSyncsOnRequest(t *testing.T) {
	fake := &fakeCongressGov{last: map[string]advocacy.SyncRun{
		"hr5917-119": {BillID: "hr5917-119", OK: false, FinishedAt: orgNow.Add(-time.Hour),
			Error: "Congress.gov answered 502 Bad Gateway (https://api.congress.gov/v3/bill/119/hr/5917)"},
		"s3103-119": {BillID: "s3103-119", OK: true, FinishedAt: orgNow.Add(-time.Hour), Pages: 1,
			Result: advocacy.ImportResult{InFile: 4, Added: 1, Unchanged: 3}},
	}}
	e := newEnv(t, organizerWorkspace(), withDeps(func(d *Deps) {
		d.CongressGov = CongressGovDeps{Reader: fake, Syncer: fake, Every: 6 * time.Hour}
	}))
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	e.addPartner(t, "Biz Co", "bizco")
	e.addUser(t, "viewer@example.org", advocacy.RolePartner, "bizco")
	cl := e.mustLogin(t, "org@example.org")
	doc := orgDoc(t, cl.get(t, "/organizer/campaigns/jackson-vanik"))
	rows := doc.Find(`[data-testid="sync-row"]`)
	if rows.Length() != 2 || !strings.Contains(rows.Eq(1).Text(), "1 added, 0 withdrawn, 0 corrected, 0 removed (4 cosponsors, 1 page)") {
		t.Errorf("sync rows = %q", squash(rows.Text()))
	}
	failed := squash(doc.Find(`[data-testid="stale-item"][data-kind="sync"]`).Text())
	if !strings.Contains(failed, "The last Congress.gov sync of H.R. 5917 failed") || !strings.Contains(failed, "502 Bad Gateway") ||
		!strings.Contains(failed, "whipcount cosponsors sync -campaign jackson-vanik") {
		t.Errorf("failed sync item = %q", failed)
	}
	if got := squash(doc.Find(`[data-testid="sync"] .hint`).First().Text()); !strings.Contains(got, "every 6h0m0s") {
		t.Errorf("schedule = %q", got)
	}

	rec := cl.post(t, "/organizer/campaigns/jackson-vanik/sync", nil)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=synced") || len(fake.synced) != 1 {
		t.Errorf("sync now: %d %s, synced %v", rec.Code, rec.Header().Get("Location"), fake.synced)
	}
	fake.err = advocacy.ErrSyncBusy
	if rec := cl.post(t, "/organizer/campaigns/jackson-vanik/sync", nil); !strings.Contains(rec.Header().Get("Location"), "done=sync-busy") {
		t.Errorf("busy: %s", rec.Header().Get("Location"))
	}
	// Without the CSRF token, or without the right to edit, nothing runs.
	if rec := cl.post(t, "/organizer/campaigns/jackson-vanik/sync", map[string][]string{"csrf": {"wrong"}}); rec.Code != http.StatusForbidden {
		t.Errorf("bad token: %d", rec.Code)
	}
	if rec := e.mustLogin(t, "viewer@example.org").post(t, "/organizer/campaigns/jackson-vanik/sync", nil); rec.Code != http.StatusForbidden {
		t.Errorf("partner viewer: %d", rec.Code)
	}
	if len(fake.synced) != 2 {
		t.Errorf("synced %v", fake.synced)
	}
}
