package sqlite

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

var campaignT0 = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// campaignTestChambers stands in for the reference data: the seeded
// members and a few more, by chamber.
var campaignTestChambers = map[string]advocacy.Chamber{
	"M001205": advocacy.House, "P000613": advocacy.House, "A000370": advocacy.House,
	"B001281": advocacy.House, "C001120": advocacy.House,
	"D000618": advocacy.Senate, "M001169": advocacy.Senate, "S001181": advocacy.Senate, "R000584": advocacy.Senate,
}

func campaignTestChamberOf(id string) (advocacy.Chamber, bool) {
	c, ok := campaignTestChambers[id]
	return c, ok
}

func seededCampaigns(t *testing.T) (*Campaigns, *DB) {
	t.Helper()
	d := openTest(t)
	if err := SeedCampaign(context.Background(), d, campaignT0); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return NewCampaigns(d), d
}

func campaignDate(s string) time.Time {
	t, err := time.Parse(advocacy.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSeedCampaign(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	c, err := s.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatalf("Campaign: %v", err)
	}
	if c.Title != "Repeal Jackson-Vanik for Central Asia" || c.Status != advocacy.CampaignActive || c.Ask == "" || len(c.Why) != 3 {
		t.Errorf("campaign = %+v", c)
	}
	if c.CWCCampaignID == "" || !c.CreatedAt.Equal(campaignT0) || !c.UpdatedAt.Equal(campaignT0) {
		t.Errorf("cwc id %q, created %v, updated %v", c.CWCCampaignID, c.CreatedAt, c.UpdatedAt)
	}
	if len(c.Bills) != 2 {
		t.Fatalf("bills = %d, want 2", len(c.Bills))
	}
	type billWant struct {
		id, label, sponsor string
		chamber            advocacy.Chamber
		target             int
		cosponsors         []string
	}
	wants := []billWant{
		{"hr5917-119", "H.R. 5917", "M001205", advocacy.House, 218, []string{"P000613"}},
		{"s3103-119", "S. 3103", "D000618", advocacy.Senate, 51, []string{"M001169", "R000584", "S001181"}},
	}
	for i, w := range wants {
		b := c.Bills[i]
		if b.ID != w.id || b.Label() != w.label || b.SponsorID != w.sponsor || b.Chamber != w.chamber || b.Target != w.target {
			t.Errorf("bill %d = %+v; want %+v", i, b, w)
		}
		if !b.IntroducedOn.Equal(campaignDate("2025-11-04")) || b.Committees == "" || b.CosponsorsAsOf.IsZero() {
			t.Errorf("bill %s introduced %v, committees %q, as of %v", b.ID, b.IntroducedOn, b.Committees, b.CosponsorsAsOf)
		}
		var ids []string
		for _, cs := range b.Cosponsors {
			ids = append(ids, cs.BioguideID)
			if !cs.Original || !cs.JoinedOn.Equal(campaignDate("2025-11-04")) || !cs.Active() {
				t.Errorf("seeded cosponsor %+v is not an original from 2025-11-04", cs)
			}
		}
		if !reflect.DeepEqual(ids, w.cosponsors) {
			t.Errorf("bill %s cosponsors = %v; want %v", b.ID, ids, w.cosponsors)
		}
	}
	if !strings.Contains(c.Bills[0].Committees, "not confirmed") || !strings.Contains(c.Bills[1].Committees, "Finance") {
		t.Errorf("committees = %q / %q", c.Bills[0].Committees, c.Bills[1].Committees)
	}

	tps, err := s.TalkingPoints(ctx, c.ID)
	if err != nil {
		t.Fatalf("TalkingPoints: %v", err)
	}
	if len(tps) < 8 || len(tps) > 12 {
		t.Errorf("talking points = %d, want 8 to 12", len(tps))
	}
	audiences := map[advocacy.Audience]int{}
	objections := 0
	for _, tp := range tps {
		audiences[tp.Audience]++
		if tp.Objection {
			objections++
		}
		if tp.Title == "" || tp.BodyMD == "" || len(tp.Sources) == 0 {
			t.Errorf("talking point %+v lacks a title, body or sources", tp)
		}
		for _, src := range tp.Sources {
			if src.URL != "" && !strings.HasPrefix(src.URL, "https://") {
				t.Errorf("source %q has a non-https URL", src.URL)
			}
		}
		if strings.Contains(tp.BodyMD, "S3031") || strings.Contains(tp.BodyMD, "S. 3031") {
			t.Errorf("talking point %q names the wrong Senate bill", tp.Title)
		}
		if strings.Contains(tp.BodyMD, "reserves") {
			t.Errorf("talking point %q speaks of uranium reserves; Kazakhstan is the largest producer", tp.Title)
		}
	}
	for _, a := range advocacy.Audiences() {
		if audiences[a] == 0 {
			t.Errorf("no talking point for %s", a)
		}
	}
	if objections == 0 {
		t.Error("no common objections")
	}
	// Order: constituents, business, press.
	for i := 1; i < len(tps); i++ {
		if audienceRank(tps[i].Audience) < audienceRank(tps[i-1].Audience) {
			t.Errorf("talking points out of audience order at %d", i)
		}
	}

	// Seeding again changes nothing, even after an organizer's edit.
	if _, err := d.W.ExecContext(ctx, "UPDATE campaigns SET title = 'Edited' WHERE slug = ?", SeedSlug); err != nil {
		t.Fatal(err)
	}
	if err := SeedCampaign(ctx, d, campaignT0.Add(time.Hour)); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM bills) + (SELECT count(*) FROM cosponsors)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1+2+4 {
		t.Errorf("rows after second seed = %d, want 7", n)
	}
	again, _ := s.Campaign(ctx, SeedSlug)
	if again.Title != "Edited" {
		t.Errorf("second seed overwrote the title: %q", again.Title)
	}
}

func audienceRank(a advocacy.Audience) int {
	for i, x := range advocacy.Audiences() {
		if x == a {
			return i
		}
	}
	return 99
}

func TestCampaignNotFound(t *testing.T) {
	s, _ := seededCampaigns(t)
	ctx := context.Background()
	if _, err := s.Campaign(ctx, "nope"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("Campaign(nope) err = %v; want not found", err)
	}
	if _, err := s.CampaignsOfBill(ctx, "hr1-119"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("CampaignsOfBill(hr1-119) err = %v; want not found", err)
	}
	cs, err := s.CampaignsOfBill(ctx, "s3103-119")
	if err != nil || len(cs) != 1 || cs[0].Slug != SeedSlug {
		t.Errorf("CampaignsOfBill(s3103-119) = %v, %v", cs, err)
	}
	if _, err := s.CampaignByID(ctx, 999); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("CampaignByID(999) err = %v; want not found", err)
	}
	if c, err := s.CampaignByID(ctx, cs[0].ID); err != nil || c.Slug != SeedSlug || len(c.Bills) != 2 {
		t.Errorf("CampaignByID = %q with %d bills, %v", c.Slug, len(c.Bills), err)
	}
}

func TestCampaignSponsorIsRead(t *testing.T) {
	s, d := seededCampaigns(t)
	ctx := context.Background()
	if _, err := d.W.ExecContext(ctx, `UPDATE campaigns SET sponsor_name = 'Example Alliance',
		sponsor_url = 'https://example.org', sponsor_email = 'info@example.org',
		sponsor_about = 'A trade association.', paid_for_by = 'Paid for by Example Alliance' WHERE slug = ?`, SeedSlug); err != nil {
		t.Fatal(err)
	}
	want := advocacy.Sponsor{Name: "Example Alliance", URL: "https://example.org", Email: "info@example.org",
		About: "A trade association.", PaidForBy: "Paid for by Example Alliance"}
	c, err := s.Campaign(ctx, SeedSlug)
	if err != nil || c.Sponsor != want {
		t.Errorf("Campaign: sponsor %+v, %v; want %+v", c.Sponsor, err, want)
	}
	list, err := NewCampaignEditor(d, time.Now).ListCampaigns(ctx)
	if err != nil || len(list) != 1 || list[0].Sponsor != want {
		t.Errorf("ListCampaigns: %+v, %v", list, err)
	}
}

// cosponsorRows dumps a bill's rows for before/after comparisons.
func cosponsorRows(t *testing.T, d *DB, billID string) string {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(),
		"SELECT bioguide, joined_on, original, ifnull(withdrawn_on, '-') FROM cosponsors WHERE bill_id = ? ORDER BY bioguide", billID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, joined, withdrawn string
		var original int
		if err := rows.Scan(&id, &joined, &original, &withdrawn); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join([]string{id, joined, map[int]string{0: "later", 1: "original"}[original], withdrawn}, " ") + "\n")
	}
	return b.String()
}

func TestImportCosponsors(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	file := advocacy.CosponsorFile{Bill: "hr5917-119", Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "P000613", JoinedOn: campaignDate("2025-11-04"), Original: true},
		{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-02")},
		{BioguideID: "B001281", JoinedOn: campaignDate("2025-12-02"), WithdrawnOn: campaignDate("2026-01-20")},
	}}
	t1 := campaignT0.Add(48 * time.Hour)
	res, err := s.ImportCosponsors(ctx, SeedSlug, "hr5917-119", file, campaignTestChamberOf, t1)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Added != 2 || res.Unchanged != 1 || res.Changed != 0 || res.Removed != 0 || res.InFile != 3 {
		t.Errorf("first import = %+v", res)
	}
	c, err := s.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	hr := c.Bills[0]
	if got := hr.Progress().Count; got != 2 {
		t.Errorf("active cosponsors = %d, want 2 (one withdrew)", got)
	}
	if !hr.CosponsorsAsOf.Equal(t1) || !c.UpdatedAt.Equal(t1) {
		t.Errorf("as of %v, updated %v; want %v", hr.CosponsorsAsOf, c.UpdatedAt, t1)
	}
	if st := advocacy.StanceOf(hr, "B001281"); st.Kind != advocacy.StanceWithdrew || !st.Since.Equal(campaignDate("2026-01-20")) {
		t.Errorf("withdrawn member stance = %+v", st)
	}
	if !c.Bills[1].CosponsorsAsOf.Equal(seedAsOf) {
		t.Errorf("the Senate bill's as-of time moved: %v", c.Bills[1].CosponsorsAsOf)
	}

	// The same file again: no row changes, but the list is confirmed later.
	before := cosponsorRows(t, d, "hr5917-119")
	t2 := t1.Add(24 * time.Hour)
	res, err = s.ImportCosponsors(ctx, SeedSlug, "hr5917-119", file, campaignTestChamberOf, t2)
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if !res.NoChange() || res.Unchanged != 3 {
		t.Errorf("re-import = %+v; want no change", res)
	}
	if after := cosponsorRows(t, d, "hr5917-119"); after != before {
		t.Errorf("re-import changed rows:\n%s\nwas\n%s", after, before)
	}
	c, _ = s.Campaign(ctx, SeedSlug)
	if !c.Bills[0].CosponsorsAsOf.Equal(t2) {
		t.Errorf("as of after re-import = %v, want %v", c.Bills[0].CosponsorsAsOf, t2)
	}

	// A later list: one more withdraws, a date is corrected, one drops out.
	later := advocacy.CosponsorFile{Cosponsors: []advocacy.Cosponsor{
		{BioguideID: "P000613", JoinedOn: campaignDate("2025-11-04"), Original: true, WithdrawnOn: campaignDate("2026-02-01")},
		{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-03")},
		{BioguideID: "C001120", JoinedOn: campaignDate("2026-02-10")},
	}}
	res, err = s.ImportCosponsors(ctx, SeedSlug, "hr5917-119", later, campaignTestChamberOf, t2.Add(time.Hour))
	if err != nil {
		t.Fatalf("later import: %v", err)
	}
	if res.Withdrawn != 1 || res.Changed != 1 || res.Added != 1 || res.Removed != 1 {
		t.Errorf("later import = %+v; want 1 withdrawn, 1 changed, 1 added, 1 removed", res)
	}
	want := "A000370 2025-12-03 later -\nC001120 2026-02-10 later -\nP000613 2025-11-04 original 2026-02-01\n"
	if got := cosponsorRows(t, d, "hr5917-119"); got != want {
		t.Errorf("rows after later import:\n%s\nwant\n%s", got, want)
	}
}

func TestImportCosponsorsRejectsAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	before := cosponsorRows(t, d, "hr5917-119") + cosponsorRows(t, d, "s3103-119")
	good := advocacy.Cosponsor{BioguideID: "A000370", JoinedOn: campaignDate("2025-12-02")}
	tests := []struct {
		name, slug, bill string
		file             advocacy.CosponsorFile
		code             advocacy.Code
		mention          string
	}{
		{"unknown member after a good one", SeedSlug, "hr5917-119",
			advocacy.CosponsorFile{Cosponsors: []advocacy.Cosponsor{good, {BioguideID: "Z999999", JoinedOn: campaignDate("2025-12-02")}}},
			advocacy.CodeInvalid, "Z999999"},
		{"senator on the House bill", SeedSlug, "hr5917-119",
			advocacy.CosponsorFile{Cosponsors: []advocacy.Cosponsor{good, {BioguideID: "M001169", JoinedOn: campaignDate("2025-12-02")}}},
			advocacy.CodeInvalid, "House"},
		{"file for another bill", SeedSlug, "hr5917-119",
			advocacy.CosponsorFile{Bill: "s3103-119", Cosponsors: []advocacy.Cosponsor{good}},
			advocacy.CodeInvalid, "s3103-119"},
		{"unknown bill", SeedSlug, "hr1-119", advocacy.CosponsorFile{}, advocacy.CodeNotFound, "hr1-119"},
		{"unknown campaign", "other", "hr5917-119", advocacy.CosponsorFile{}, advocacy.CodeNotFound, "other"},
	}
	for _, tt := range tests {
		_, err := s.ImportCosponsors(ctx, tt.slug, tt.bill, tt.file, campaignTestChamberOf, campaignT0.Add(time.Hour))
		if advocacy.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("%s: err = %v; want %s mentioning %q", tt.name, err, tt.code, tt.mention)
		}
	}
	if after := cosponsorRows(t, d, "hr5917-119") + cosponsorRows(t, d, "s3103-119"); after != before {
		t.Errorf("a rejected import changed rows:\n%s\nwas\n%s", after, before)
	}
	c, _ := s.Campaign(ctx, SeedSlug)
	if !c.Bills[0].CosponsorsAsOf.Equal(seedAsOf) || !c.UpdatedAt.Equal(campaignT0) {
		t.Errorf("a rejected import moved the times: as of %v, updated %v", c.Bills[0].CosponsorsAsOf, c.UpdatedAt)
	}
}

func TestCampaignSchemaRejectsBadRows(t *testing.T) {
	ctx := context.Background()
	_, d := seededCampaigns(t)
	bad := []string{
		`INSERT INTO campaigns (slug, title, status, created_at, updated_at) VALUES ('x', 'X', 'paused', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO campaigns (slug, title, status, created_at, updated_at) VALUES ('jackson-vanik', 'X', 'draft', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO bills (id, chamber, congress, bill_type, number, title, sponsor_bioguide) VALUES ('hr2-119', 'senate', 119, 'hr', 2, 'T', 'A000370')`,
		`INSERT INTO bills (id, chamber, congress, bill_type, number, title, sponsor_bioguide) VALUES ('hr3-118', 'house', 119, 'hr', 3, 'T', 'A000370')`,
		`INSERT INTO bills (id, chamber, congress, bill_type, number, title, sponsor_bioguide) VALUES ('hjres3-119', 'senate', 119, 'hjres', 3, 'T', 'A000370')`,
		`INSERT INTO bills (id, chamber, congress, bill_type, number, title, sponsor_bioguide) VALUES ('hx3-119', 'house', 119, 'hx', 3, 'T', 'A000370')`,
		`INSERT INTO campaign_bills (campaign_id, bill_id, position, goal, target, added_at) VALUES (999, 'hr5917-119', 'support', 'cosponsors', 1, '2026-01-01T00:00:00Z')`,
		`INSERT INTO campaign_bills (campaign_id, bill_id, position, goal, target, added_at) VALUES (1, 'hr1-119', 'support', 'cosponsors', 1, '2026-01-01T00:00:00Z')`,
		`INSERT INTO campaign_bills (campaign_id, bill_id, position, goal, target, added_at) VALUES (1, 'hr5917-119', 'support', 'cosponsors', 1, '2026-01-01T00:00:00Z')`,
		`UPDATE campaign_bills SET goal = 'withdrawals' WHERE bill_id = 'hr5917-119'`,
		`UPDATE campaign_bills SET position = 'oppose' WHERE bill_id = 'hr5917-119'`,
		`UPDATE campaign_bills SET target = -1 WHERE bill_id = 'hr5917-119'`,
		`UPDATE campaign_bills SET succeeded_by = 'hr5917-119' WHERE bill_id = 'hr5917-119'`,
		`UPDATE campaign_bills SET succeeded_by = 'hr9-120' WHERE bill_id = 'hr5917-119'`,
		`DELETE FROM bills WHERE id = 'hr5917-119'`,
		`INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at) VALUES (1, 'shout', 'S', 'B', '2026-01-01T00:00:00Z')`,
		`INSERT INTO cosponsors (bill_id, bioguide, joined_on) VALUES ('hr5917-119', 'P000613', '2025-11-04')`,
		`INSERT INTO cosponsors (bill_id, bioguide, joined_on) VALUES ('nope-1', 'A000370', '2025-11-04')`,
		`INSERT INTO cosponsors (bill_id, bioguide, joined_on, withdrawn_on) VALUES ('hr5917-119', 'A000370', '2025-11-04', '2025-11-01')`,
		`INSERT INTO talking_points (campaign_id, audience, title, body_md) VALUES (1, 'everyone', 'T', 'B')`,
		`INSERT INTO talking_points (campaign_id, audience, title, body_md, sources) VALUES (1, 'press', 'T', 'B', '{"not":"an array"}')`,
	}
	for _, q := range bad {
		if _, err := d.W.ExecContext(ctx, q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}
