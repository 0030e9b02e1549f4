package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func auditCount(t *testing.T, d *DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEditCampaignTextAndBill(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	before, _ := f.campaigns.Campaign(ctx, SeedSlug)
	text := advocacy.TextOf(before)
	text.Title, text.Why = "A new title", []string{"One", "Two"}
	if err := f.editor.UpdateText(ctx, SeedSlug, text, 0); err != nil {
		t.Fatal(err)
	}
	c, _ := f.campaigns.Campaign(ctx, SeedSlug)
	if c.Title != "A new title" || len(c.Why) != 2 || !c.UpdatedAt.Equal(orgT0) {
		t.Errorf("campaign %q %v updated %v", c.Title, c.Why, c.UpdatedAt)
	}
	// A second edit in the same second still moves updated_at, so ETags change.
	if err := f.editor.UpdateText(ctx, SeedSlug, text, 0); err != nil {
		t.Fatal(err)
	}
	c, _ = f.campaigns.Campaign(ctx, SeedSlug)
	if !c.UpdatedAt.Equal(orgT0.Add(time.Second)) {
		t.Errorf("second edit: updated %v", c.UpdatedAt)
	}

	be := advocacy.EditOf(c.Bills[0])
	be.Target, be.Status = 200, "Referred to committee"
	if err := f.editor.UpdateBill(ctx, SeedSlug, c.Bills[0].ID, be, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.editor.UpdateBill(ctx, SeedSlug, "hr1-119", be, 0); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown bill: %v", err)
	}
	if err := f.editor.UpdateText(ctx, "nope", text, 0); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown campaign: %v", err)
	}
	c, _ = f.campaigns.Campaign(ctx, SeedSlug)
	if c.Bills[0].Target != 200 || c.Bills[0].Status != "Referred to committee" {
		t.Errorf("bill %+v", c.Bills[0])
	}
	entries, _ := f.audit.AuditLog(ctx, 0, 10)
	if len(entries) != 3 || entries[0].Action != "bill.update" || !strings.Contains(entries[0].Before, `"Target":218`) ||
		!strings.Contains(entries[0].After, `"Target":200`) || !strings.Contains(entries[2].Before, "Repeal Jackson-Vanik") {
		t.Errorf("audit %+v", entries)
	}
	list, err := f.editor.ListCampaigns(ctx)
	if err != nil || len(list) != 1 || list[0].Slug != SeedSlug {
		t.Errorf("list %+v %v", list, err)
	}
}

func TestEditCosponsors(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	added, err := f.editor.SaveCosponsor(ctx, SeedSlug, "hr5917-119", advocacy.Cosponsor{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-01")}, 0)
	if err != nil || !added {
		t.Fatalf("add: %v %v", added, err)
	}
	added, err = f.editor.SaveCosponsor(ctx, SeedSlug, "hr5917-119", advocacy.Cosponsor{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-02")}, 0)
	if err != nil || added {
		t.Fatalf("edit: %v %v", added, err)
	}
	if err := f.editor.WithdrawCosponsor(ctx, SeedSlug, "hr5917-119", "A000370", campaignDate("2025-12-01"), 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("withdraw before joining: %v", err)
	}
	if err := f.editor.WithdrawCosponsor(ctx, SeedSlug, "hr5917-119", "A000370", campaignDate("2026-01-10"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.editor.WithdrawCosponsor(ctx, SeedSlug, "hr5917-119", "A000370", campaignDate("2026-01-11"), 0); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("withdraw twice: %v", err)
	}
	if err := f.editor.WithdrawCosponsor(ctx, SeedSlug, "hr5917-119", "B001281", campaignDate("2026-01-11"), 0); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("withdraw a non-cosponsor: %v", err)
	}
	// A bill of another campaign is out of reach.
	if _, err := f.editor.SaveCosponsor(ctx, SeedSlug, "s1-119", advocacy.Cosponsor{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-01")}, 0); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown bill: %v", err)
	}
	rows := cosponsorRows(t, f.db, "hr5917-119")
	if !strings.Contains(rows, "A000370 2025-12-02 later 2026-01-10") {
		t.Errorf("rows:\n%s", rows)
	}
	entries, _ := f.audit.AuditLog(ctx, 0, 10)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "cosponsor.withdraw cosponsor.update cosponsor.add" {
		t.Errorf("audit %v", actions)
	}
}

func TestEditImportCosponsorsAudited(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	file := advocacy.CosponsorFile{Bill: "hr5917-119", Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "P000613", JoinedOn: campaignDate("2025-11-04"), Original: true},
		{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-01")},
	}}
	asOf := orgT0.Add(-time.Hour)
	res, err := f.editor.ImportCosponsors(ctx, SeedSlug, "hr5917-119", file, campaignTestChamberOf, asOf, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Unchanged != 1 || res.InFile != 2 {
		t.Errorf("result %+v", res)
	}
	c, _ := f.campaigns.Campaign(ctx, SeedSlug)
	if !c.Bills[0].CosponsorsAsOf.Equal(asOf) || len(c.Bills[0].Cosponsors) != 2 {
		t.Errorf("bill after import %+v", c.Bills[0])
	}
	n := auditCount(t, f.db)
	// A bad file changes nothing and writes no audit entry.
	bad := advocacy.CosponsorFile{Cosponsors: []advocacy.Cosponsor{{BioguideID: "Z999999", JoinedOn: campaignDate("2025-12-01")}}}
	if _, err := f.editor.ImportCosponsors(ctx, SeedSlug, "hr5917-119", bad, campaignTestChamberOf, orgT0, 0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("bad file: %v", err)
	}
	if auditCount(t, f.db) != n {
		t.Error("a failed import wrote the audit log")
	}
	entries, _ := f.audit.AuditLog(ctx, 0, 1)
	if entries[0].Action != "cosponsor.import" || !strings.Contains(entries[0].After, `"Added":1`) {
		t.Errorf("audit %+v", entries[0])
	}
}

func TestEditTalkingPointsAndTemplates(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	tps, _ := f.campaigns.TalkingPoints(ctx, f.campaignID)
	first := tps[0]
	first.Title = "Edited title"
	first.Sources = []advocacy.Source{{Title: "A source", URL: "https://example.org"}}
	saved, err := f.editor.SaveTalkingPoint(ctx, SeedSlug, first, 0)
	if err != nil || saved.Title != "Edited title" || saved.Position != tps[0].Position || saved.Sources[0].URL != "https://example.org" {
		t.Fatalf("save %+v %v", saved, err)
	}
	got, err := f.editor.TalkingPoint(ctx, SeedSlug, first.ID)
	if err != nil || got.Title != "Edited title" {
		t.Errorf("read back %+v %v", got, err)
	}
	created, err := f.editor.SaveTalkingPoint(ctx, SeedSlug, advocacy.TalkingPoint{Audience: advocacy.AudiencePress, Title: "New", BodyMD: "Body"}, 0)
	if err != nil || created.ID == 0 {
		t.Fatalf("create %+v %v", created, err)
	}
	var maxPos int
	for _, tp := range tps {
		if tp.Audience == advocacy.AudiencePress {
			maxPos = max(maxPos, tp.Position)
		}
	}
	if created.Position != maxPos+1 {
		t.Errorf("new point at %d, want %d", created.Position, maxPos+1)
	}
	if _, err := f.editor.SaveTalkingPoint(ctx, SeedSlug, advocacy.TalkingPoint{ID: 9999, Audience: advocacy.AudiencePress, Title: "x", BodyMD: "y"}, 0); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("update a missing point: %v", err)
	}
	if err := f.editor.DeleteTalkingPoint(ctx, SeedSlug, created.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.editor.TalkingPoint(ctx, SeedSlug, created.ID); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("deleted point: %v", err)
	}

	tpl, err := f.editor.LetterTemplates(ctx, f.campaignID)
	if err != nil || tpl[advocacy.TemplateAsk] != seedLetterTemplates[0] {
		t.Fatalf("seeded letters %+v %v", tpl, err)
	}
	mine := advocacy.LetterTemplate{Kind: advocacy.TemplateAsk, Subject: "Cosponsor {{bill}}", Body: "Dear {{member_name}}, please."}
	if err := f.editor.SaveLetterTemplate(ctx, SeedSlug, mine, 0); err != nil {
		t.Fatal(err)
	}
	tpl, _ = f.editor.LetterTemplates(ctx, f.campaignID)
	if tpl[advocacy.TemplateAsk] != mine || tpl[advocacy.TemplateThank] != seedLetterTemplates[1] {
		t.Errorf("templates %+v", tpl)
	}
	entries, _ := f.audit.AuditLog(ctx, 0, 1)
	if entries[0].Action != "letter_template.update" || !strings.Contains(entries[0].Before, "Please cosponsor") {
		t.Errorf("audit %+v", entries[0])
	}
}

// TestEditIsAtomic: when the audit entry cannot be written, the change is
// rolled back with it.
func TestEditIsAtomic(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	if _, err := f.db.W.ExecContext(ctx, `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`); err != nil {
		t.Fatal(err)
	}
	c, _ := f.campaigns.Campaign(ctx, SeedSlug)
	text := advocacy.TextOf(c)
	text.Title = "Should not stick"
	if err := f.editor.UpdateText(ctx, SeedSlug, text, 0); err == nil {
		t.Fatal("the edit succeeded without its audit entry")
	}
	var title string
	if err := f.db.R.QueryRow("SELECT title FROM campaigns WHERE slug = ?", SeedSlug).Scan(&title); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	if title == "Should not stick" {
		t.Error("the change was kept although its audit entry failed")
	}
}
