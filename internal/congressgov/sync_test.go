package congressgov

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

const testKey = "test-key-0123456789"

// syncNow is the tests' clock: inside the 119th Congress.
var syncNow = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// chamberOf stands in for the reference data: H-numbers are House members,
// Q-numbers senators, plus the seeded bills' sponsors.
func chamberOf(id string) (advocacy.Chamber, bool) {
	switch {
	case id == "M001205" || strings.HasPrefix(id, "H"):
		return advocacy.House, true
	case id == "D000618" || strings.HasPrefix(id, "Q"):
		return advocacy.Senate, true
	}
	return "", false
}

// houseBill is H.R. 5917 with n cosponsors, the last three withdrawn.
func houseBill(n int) standin.CongressGovBill {
	b := standin.CongressGovBill{Congress: 119, Type: "hr", Number: 5917,
		Title:            "To authorize the extension of nondiscriminatory treatment (normal trade relations treatment) to products of certain countries.",
		LatestActionDate: "2025-11-04", LatestActionText: "Referred to the House Committee on Ways and Means.",
		Committees: []standin.CongressGovCommittee{{Name: "Ways and Means Committee", Chamber: "House", SystemCode: "hswm00"}}}
	for i := range n {
		cs := standin.CongressGovCosponsor{BioguideID: fmt.Sprintf("H%06d", i+1), Party: "D", State: "CA", Date: "2025-11-20"}
		if i >= n-3 {
			cs.WithdrawnDate = "2026-02-02"
		}
		b.Cosponsors = append(b.Cosponsors, cs)
	}
	return b
}

func senateBill() standin.CongressGovBill {
	return standin.CongressGovBill{Congress: 119, Type: "s", Number: 3103, Title: "Same title",
		LatestActionDate: "2025-11-04", LatestActionText: "Read twice and referred to the Committee on Finance.",
		Committees: []standin.CongressGovCommittee{{Name: "Finance Committee", Chamber: "Senate", SystemCode: "ssfi00"}},
		Cosponsors: []standin.CongressGovCosponsor{
			{BioguideID: "Q000001", Date: "2025-11-04", Original: true},
			{BioguideID: "Q000002", Date: "2025-11-04", Original: true},
		}}
}

type syncEnv struct {
	api    *standin.CongressGov
	store  *sqlite.CongressGov
	syncer *Syncer
	waits  *[]time.Duration
}

func newSyncEnv(t *testing.T, bills ...standin.CongressGovBill) *syncEnv {
	t.Helper()
	k := testkit.New(t, syncNow)
	k.SeedCampaign(t, syncNow.AddDate(0, -1, 0))
	api := standin.NewCongressGov(t, testKey, bills...)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	client := &Client{BaseURL: api.URL, Key: testKey, Clock: k.Clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*waits = append(*waits, d)
			return nil
		}}
	store := sqlite.NewCongressGov(k.DB)
	return &syncEnv{api: api, store: store, waits: waits,
		syncer: &Syncer{Client: client, Store: store, ChamberOf: chamberOf, Clock: k.Clock.Now}}
}

func (e *syncEnv) bill(t *testing.T, id string) advocacy.Bill {
	t.Helper()
	camp, err := e.store.Campaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range camp.Bills {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("no bill %s", id)
	return advocacy.Bill{}
}

func TestSyncFollowsEveryPage(t *testing.T) {
	e := newSyncEnv(t, houseBill(600), senateBill())
	runs, err := e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	hr := runs[0]
	if hr.BillID != "hr5917-119" || !hr.OK || hr.Pages != 3 || hr.Requests != 5 || hr.Result.InFile != 600 || hr.Result.Added != 600 {
		// The seed holds one House cosponsor (P000613), whom the list
		// does not name: removed.
		t.Errorf("house run = %+v", hr)
	}
	if hr.Result.Removed != 1 {
		t.Errorf("removed %d, want the seeded cosponsor Congress.gov does not list", hr.Result.Removed)
	}
	var pages []string
	for _, r := range e.api.Requests() {
		if strings.Contains(r, "/hr/5917/cosponsors") {
			pages = append(pages, r)
		}
	}
	want := []string{"/v3/bill/119/hr/5917/cosponsors?format=json&limit=250",
		"/v3/bill/119/hr/5917/cosponsors?offset=250&limit=250&format=json",
		"/v3/bill/119/hr/5917/cosponsors?offset=500&limit=250&format=json"}
	if !slices.Equal(pages, want) {
		t.Errorf("pages requested:\n%s", strings.Join(pages, "\n"))
	}

	b := e.bill(t, "hr5917-119")
	if len(b.Cosponsors) != 600 || b.Progress().Count != 597 || !b.CosponsorsAsOf.Equal(syncNow) {
		t.Errorf("stored: %d cosponsors, %d active, as of %v", len(b.Cosponsors), b.Progress().Count, b.CosponsorsAsOf)
	}
	act, ok, err := e.store.BillActivity(context.Background(), "s3103-119")
	if err != nil || !ok || act.LatestAction != "Read twice and referred to the Committee on Finance." ||
		!act.LatestActionOn.Equal(time.Date(2025, 11, 4, 0, 0, 0, 0, time.UTC)) || act.CommitteeNames() != "Finance Committee (Senate)" {
		t.Errorf("activity = %+v %v %v", act, ok, err)
	}
	last, err := e.store.LastSyncs(context.Background(), []string{"hr5917-119", "s3103-119"})
	if err != nil || len(last) != 2 || !last["s3103-119"].OK || last["hr5917-119"].Pages != 3 {
		t.Errorf("last syncs = %+v %v", last, err)
	}

	// Congress.gov changes: one new cosponsor, one withdrawal, one
	// corrected date. The same rules as the file import count each.
	h := houseBill(600)
	h.Cosponsors = append(h.Cosponsors, standin.CongressGovCosponsor{BioguideID: "H000999", Date: "2026-11-30"})
	h.Cosponsors[0].WithdrawnDate = "2026-11-29"
	h.Cosponsors[1].Date = "2025-11-21"
	e.api.SetBill(h)
	runs, err = e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	if r := runs[0].Result; r.Added != 1 || r.Withdrawn != 1 || r.Changed != 1 || r.Removed != 0 || r.Unchanged != 598 {
		t.Errorf("second run = %+v", r)
	}
	if r := runs[1]; !r.Result.NoChange() || r.Summary() != "no change (2 cosponsors, 1 page)" {
		t.Errorf("senate second run = %q", r.Summary())
	}
}

func TestSyncRetriesPolitely(t *testing.T) {
	e := newSyncEnv(t, houseBill(10), senateBill())
	e.api.Fail(2, http.StatusTooManyRequests, "7")
	e.api.Fail(1, http.StatusServiceUnavailable, "")
	runs, err := e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	// Twice what the API asked for, then the client's own pause.
	if want := []time.Duration{7 * time.Second, 7 * time.Second, 8 * time.Second}; !slices.Equal(*e.waits, want) {
		t.Errorf("waits = %v, want %v", *e.waits, want)
	}
	if runs[0].Requests != 3+3 {
		t.Errorf("requests = %d, want 3 refused and 3 answered", runs[0].Requests)
	}
}

func TestSyncFailuresChangeNothing(t *testing.T) {
	e := newSyncEnv(t, houseBill(10), senateBill())
	before := e.bill(t, "hr5917-119")

	// The API stays down: five attempts, then the run fails, is recorded,
	// and the stored list stays as it was.
	e.api.Fail(5, http.StatusBadGateway, "")
	runs, err := e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if err == nil || runs[0].OK || !strings.Contains(runs[0].Error, "after 5 attempts") || !strings.Contains(runs[0].Error, "502 Bad Gateway") {
		t.Errorf("run = %+v, err %v", runs[0], err)
	}
	if !runs[1].OK {
		t.Errorf("the other bill did not sync: %+v", runs[1])
	}
	after := e.bill(t, "hr5917-119")
	if len(after.Cosponsors) != len(before.Cosponsors) || !after.CosponsorsAsOf.Equal(before.CosponsorsAsOf) {
		t.Error("a failed sync changed the list")
	}
	last, _ := e.store.LastSyncs(context.Background(), []string{"hr5917-119"})
	if last["hr5917-119"].OK || last["hr5917-119"].Error != runs[0].Error {
		t.Errorf("recorded = %+v", last["hr5917-119"])
	}

	// A member the reference data does not know: refused like the file
	// import, nothing changes.
	h := houseBill(10)
	h.Cosponsors[0].BioguideID = "Z999999"
	e.api.SetBill(h)
	runs, _ = e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if runs[0].OK || !strings.Contains(runs[0].Error, "Unknown bioguide ID in the cosponsor file: Z999999") {
		t.Errorf("unknown member: %+v", runs[0])
	}

	// A wrong key is not retried.
	e.syncer.Client = &Client{BaseURL: e.api.URL, Key: "wrong", Sleep: e.syncer.Client.Sleep}
	n := len(e.api.Requests())
	runs, _ = e.syncer.SyncCampaign(context.Background(), sqlite.SeedSlug)
	if runs[0].OK || !strings.Contains(runs[0].Error, "Congress.gov refused the API key") || !strings.Contains(runs[0].Error, "API_KEY_INVALID") ||
		len(e.api.Requests())-n != 2 {
		t.Errorf("wrong key: %+v after %d requests", runs[0], len(e.api.Requests())-n)
	}
	if strings.Contains(runs[0].Error, "wrong") {
		t.Error("the key appears in the error")
	}
}

func TestSyncAllSharesBillsAndSkipsFinalLists(t *testing.T) {
	e := newSyncEnv(t, houseBill(10), senateBill())
	// After the 119th Congress: a list confirmed after the end is final.
	after := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	e.syncer.Clock = func() time.Time { return after }
	runs, err := e.syncer.SyncAll(context.Background())
	if err != nil || len(runs) != 2 {
		t.Fatalf("first run after the end: %d runs, %v", len(runs), err)
	}
	runs, err = e.syncer.SyncAll(context.Background())
	if err != nil || len(runs) != 0 {
		t.Errorf("final lists synced again: %d runs, %v", len(runs), err)
	}
}

func TestHourlyLimit(t *testing.T) {
	l := NewHourlyLimit(3)
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w := l.take(at.Add(time.Duration(i) * time.Minute)); w != 0 {
			t.Fatalf("request %d waits %v", i+1, w)
		}
	}
	if w := l.take(at.Add(10 * time.Minute)); w != 50*time.Minute {
		t.Errorf("the fourth request waits %v, want until the first is an hour old", w)
	}
	if w := l.take(at.Add(time.Hour + time.Second)); w != 0 {
		t.Errorf("an hour later: waits %v", w)
	}

	// A client over its hourly limit gives up rather than wait for long.
	api := standin.NewCongressGov(t, testKey, senateBill())
	c := &Client{BaseURL: api.URL, Key: testKey, Limit: NewHourlyLimit(1), Clock: func() time.Time { return at },
		Sleep: func(context.Context, time.Duration) error { t.Error("slept"); return nil }}
	if _, err := c.Activity(context.Background(), advocacy.Bill{ID: "s3103-119", Congress: 119, Type: "s", Number: 3103}); err == nil ||
		!strings.Contains(err.Error(), "hourly request limit is used up") {
		t.Errorf("err = %v", err)
	}
}

func TestClientStaysOnItsHost(t *testing.T) {
	c := &Client{BaseURL: "https://api.congress.gov/v3", Key: testKey}
	c.init()
	for u, want := range map[string]bool{
		"https://api.congress.gov/v3/bill/119/hr/5917/cosponsors?offset=250": true,
		"http://api.congress.gov/v3/bill/119/hr/5917":                        false,
		"https://evil.example/v3/bill/119/hr/5917":                           false,
		"https://api.congress.gov/v2/bill":                                   false,
	} {
		if got := c.ownURL(u); got != want {
			t.Errorf("ownURL(%s) = %v", u, got)
		}
	}
	if _, err := c.get(context.Background(), "https://evil.example/v3/bill"); err == nil {
		t.Error("followed a link to another host")
	}
	if got := withJSON("https://api.congress.gov/v3/bill/119/hr/1/cosponsors?offset=250&limit=250"); !strings.Contains(got, "format=json") {
		t.Errorf("withJSON = %s", got)
	}
}
