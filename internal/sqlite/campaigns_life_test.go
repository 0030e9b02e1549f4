package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func newCampaign(slug string, bills ...advocacy.NewBill) advocacy.NewCampaign {
	return advocacy.NewCampaign{Slug: slug, Title: "Title of " + slug, Ask: "Ask.", Status: advocacy.CampaignDraft, Bills: bills}
}

func TestCreateCampaignSharesBills(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	now := campaignT0.Add(time.Hour)
	ed := NewCampaignEditor(d, func() time.Time { return now })

	// The new campaign opposes the seeded House bill: one bill row, two
	// campaigns, each with its own position and target.
	nc := newCampaign("oppose-it",
		advocacy.NewBill{ID: "hr5917-119", Position: advocacy.PositionOppose, Goal: advocacy.GoalWithdrawals, Target: 3},
		advocacy.NewBill{ID: "s77-119", Position: advocacy.PositionSupport, Goal: advocacy.GoalCosponsors, Target: 60, Title: "New"})
	nc.CopyFrom = SeedSlug
	nc.Sponsor = advocacy.Sponsor{Name: "Alliance"}
	c, err := ed.CreateCampaign(ctx, nc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != advocacy.CampaignDraft || c.CWCCampaignID != "whipcount-oppose-it" || c.Sponsor.Name != "Alliance" || len(c.Bills) != 2 {
		t.Errorf("created %+v", c)
	}
	if b := c.Bills[0]; b.Position != advocacy.PositionOppose || b.Target != 3 || len(b.Cosponsors) != 1 || b.Title == "" {
		t.Errorf("shared bill in the new campaign: %+v", b)
	}
	seed, _ := s.Campaign(ctx, SeedSlug)
	if b := seed.Bills[0]; b.Position != advocacy.PositionSupport || b.Target != 218 {
		t.Errorf("the seeded campaign's view of the bill changed: %+v", b)
	}
	tps, _ := s.TalkingPoints(ctx, c.ID)
	if len(tps) != len(seedTalkingPoints) {
		t.Errorf("copied %d talking points", len(tps))
	}
	camps, err := s.CampaignsOfBill(ctx, "hr5917-119")
	if err != nil || len(camps) != 2 || camps[0].Slug != SeedSlug {
		t.Errorf("campaigns of the shared bill: %v %v", camps, err)
	}

	// A cosponsor recorded through one campaign shows in both, and moves
	// both campaigns' Last-Modified.
	now = now.Add(time.Hour)
	if _, err := ed.SaveCosponsor(ctx, SeedSlug, "hr5917-119", advocacy.Cosponsor{BioguideID: "N000002", JoinedOn: campaignDate("2026-01-05")}, 0); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Campaign(ctx, "oppose-it")
	if len(c.Bills[0].Cosponsors) != 2 || !c.UpdatedAt.Equal(now) {
		t.Errorf("the other campaign after a cosponsor change: %d cosponsors, updated %v", len(c.Bills[0].Cosponsors), c.UpdatedAt)
	}

	if _, err := ed.CreateCampaign(ctx, newCampaign("oppose-it", advocacy.NewBill{ID: "hr1-119", Position: "support", Goal: "cosponsors"}), 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("a taken slug: %v", err)
	}
	bad := newCampaign("from-nowhere", advocacy.NewBill{ID: "hr1-119", Position: "support", Goal: "cosponsors"})
	bad.CopyFrom = "nowhere"
	if _, err := ed.CreateCampaign(ctx, bad, 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("copying from an unknown campaign: %v", err)
	}
	if _, err := s.Campaign(ctx, "from-nowhere"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("a refused campaign was stored: %v", err)
	}
}

func TestCampaignStatusAndFeatured(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ed := NewCampaignEditor(d, func() time.Time { return now })
	if _, err := ed.CreateCampaign(ctx, newCampaign("second", advocacy.NewBill{ID: "hr9-119", Position: "support", Goal: "cosponsors", Target: 10}), 7); err == nil {
		t.Fatal("an audit entry by an unknown user was accepted")
	}
	if _, err := ed.CreateCampaign(ctx, newCampaign("second", advocacy.NewBill{ID: "hr9-119", Position: "support", Goal: "cosponsors", Target: 10}), 0); err != nil {
		t.Fatal(err)
	}
	if err := ed.SetFeatured(ctx, "second", 0); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("featuring a draft: %v", err)
	}
	if err := ed.SetStatus(ctx, "second", advocacy.CampaignActive, 0); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Campaign(ctx, "second")
	if c.Status != advocacy.CampaignActive || c.StartsOn.Format(advocacy.DateLayout) != "2026-12-02" {
		t.Errorf("opened: %s from %v", c.Status, c.StartsOn)
	}
	if err := ed.SetFeatured(ctx, "second", 0); err != nil {
		t.Fatal(err)
	}
	if f, err := s.Featured(ctx); err != nil || f != "second" {
		t.Errorf("featured %q %v", f, err)
	}
	now = now.AddDate(0, 0, 3)
	if err := ed.SetStatus(ctx, "second", advocacy.CampaignClosed, 0); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Campaign(ctx, "second")
	if c.Status != advocacy.CampaignClosed || c.EndsOn.Format(advocacy.DateLayout) != "2026-12-05" {
		t.Errorf("closed: %s on %v", c.Status, c.EndsOn)
	}
	if f, _ := s.Featured(ctx); f != "" {
		t.Errorf("a closed campaign is still featured: %q", f)
	}
	if err := ed.SetStatus(ctx, "second", advocacy.CampaignDraft, 0); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("closed back to draft: %v", err)
	}
	list, err := s.Campaigns(ctx)
	if err != nil || len(list) != 2 || list[0].Slug != SeedSlug || list[1].Slug != "second" {
		t.Errorf("list: %v %v", list, err)
	}
}

func TestReplaceBillKeepsHistory(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	now := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	ed := NewCampaignEditor(d, func() time.Time { return now })
	nb := advocacy.NewBill{ID: "s40-120", Position: advocacy.PositionSupport, Goal: advocacy.GoalCosponsors, Target: 55, Title: "Again"}
	if err := ed.ReplaceBill(ctx, SeedSlug, "s3103-119", nb, 0); err != nil {
		t.Fatal(err)
	}
	c, err := s.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bills) != 2 || c.Bills[1].ID != "s40-120" || c.Bills[1].Succeeds != "s3103-119" || c.Bills[1].Target != 55 {
		t.Fatalf("current bills %+v", c.Bills)
	}
	if len(c.PastBills) != 1 || c.PastBills[0].SucceededBy != "s40-120" || len(c.PastBills[0].Cosponsors) != 3 {
		t.Fatalf("past bills %+v", c.PastBills)
	}
	if b, ok := c.BillFor(advocacy.Senate); !ok || b.ID != "s40-120" {
		t.Errorf("the Senate's bill is %s", b.ID)
	}
	if p := c.Predecessors(c.Bills[1]); len(p) != 1 || p[0].ID != "s3103-119" {
		t.Errorf("predecessors %v", p)
	}
	if err := ed.ReplaceBill(ctx, SeedSlug, "s3103-119", advocacy.NewBill{ID: "s41-120", Position: advocacy.PositionSupport}, 0); advocacy.ErrorCode(err) == "" {
		t.Errorf("replacing a replaced bill: %v", err)
	}
	if err := ed.ReplaceBill(ctx, SeedSlug, "hr5917-119", advocacy.NewBill{ID: "s40-120", Position: advocacy.PositionSupport}, 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("replacing with a bill of the other chamber: %v", err)
	}
	if err := ed.AddBill(ctx, SeedSlug, advocacy.NewBill{ID: "s41-120", Position: advocacy.PositionSupport, Goal: advocacy.GoalCosponsors}, 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("adding a second Senate bill: %v", err)
	}
}
