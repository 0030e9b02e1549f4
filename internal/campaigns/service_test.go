package campaigns

import (
	"context"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// fakeStore records what the service asks of the store.
type fakeStore struct {
	known   map[string]advocacy.Bill
	asked   []string
	created []advocacy.NewCampaign
	added   []advocacy.NewBill
	status  []advocacy.CampaignStatus
}

func (f *fakeStore) KnownBills(_ context.Context, ids []string) (map[string]advocacy.Bill, error) {
	f.asked = append(f.asked, ids...)
	return f.known, nil
}

func (f *fakeStore) CreateCampaign(_ context.Context, nc advocacy.NewCampaign, _ int64) (advocacy.Campaign, error) {
	f.created = append(f.created, nc)
	return advocacy.Campaign{Slug: nc.Slug}, nil
}

func (f *fakeStore) AddBill(_ context.Context, _ string, nb advocacy.NewBill, _ int64) error {
	f.added = append(f.added, nb)
	return nil
}

func (f *fakeStore) ReplaceBill(_ context.Context, _, _ string, nb advocacy.NewBill, _ int64) error {
	f.added = append(f.added, nb)
	return nil
}

func (f *fakeStore) SetStatus(_ context.Context, _ string, to advocacy.CampaignStatus, _ int64) error {
	f.status = append(f.status, to)
	return nil
}

func (f *fakeStore) SetFeatured(context.Context, string, int64) error { return nil }

func TestServiceChecksBeforeStoring(t *testing.T) {
	ctx := context.Background()
	store := &fakeStore{known: map[string]advocacy.Bill{"hr5917-119": {ID: "hr5917-119", Title: "Known", SponsorID: "M001205"}}}
	svc := New(store, func(string) (advocacy.Chamber, bool) { return "", false },
		func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) })

	// A known bill keeps its own record; IDs are asked for in their
	// normal form, malformed ones not at all.
	_, err := svc.Create(ctx, advocacy.NewCampaignInput{Title: "Again", Bills: []advocacy.NewBillInput{{ID: " HR5917-119", Target: "218"}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(store.created) != 1 || store.created[0].Bills[0].Title != "Known" || store.created[0].Slug != "again" {
		t.Errorf("created %+v", store.created)
	}
	if _, err := svc.Create(ctx, advocacy.NewCampaignInput{Title: "Bad", Bills: []advocacy.NewBillInput{{ID: "hr 1", Target: "1"}}}, 1); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("bad ID: %v", err)
	}
	if len(store.created) != 1 || len(store.asked) != 1 || store.asked[0] != "hr5917-119" {
		t.Errorf("store asked %v, created %d", store.asked, len(store.created))
	}
	if err := svc.AddBill(ctx, "again", advocacy.NewBillInput{ID: "s1-119", Target: "101"}, 1); advocacy.ErrorCode(err) != advocacy.CodeInvalid || len(store.added) != 0 {
		t.Errorf("a bad bill reached the store: %v", err)
	}
	if err := svc.ReplaceBill(ctx, "again", "HR5917-119", advocacy.NewBillInput{ID: "s1-119", Target: "51"}, 1); err != nil || len(store.added) != 1 {
		t.Errorf("replace: %v", err)
	}
	if err := svc.SetStatus(ctx, "again", "paused", 1); advocacy.ErrorCode(err) != advocacy.CodeInvalid || len(store.status) != 0 {
		t.Errorf("an unknown status: %v", err)
	}
	if err := svc.SetStatus(ctx, "again", "running", 1); err != nil || store.status[0] != advocacy.CampaignActive {
		t.Errorf("running: %v %v", err, store.status)
	}
}
