package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
)

// migrationsBefore is db.Migrations without the migrations from version on.
func migrationsBefore(t *testing.T, version string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(db.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if strings.TrimPrefix(n, "migrations/") >= version {
			continue
		}
		body, err := fs.ReadFile(db.Migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = &fstest.MapFile{Data: body}
	}
	return out
}

// A database made before bills were shared between campaigns keeps every
// bill, cosponsor, target, template and letter when it is migrated.
func TestMigrateSharedBillsKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := Open(ctx, path, migrationsBefore(t, "0090"))
	if err != nil {
		t.Fatalf("open at the old schema: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO campaigns (id, slug, title, status, created_at, updated_at) VALUES
			(1, 'one', 'One', 'active', '2025-11-01T00:00:00Z', '2025-11-01T00:00:00Z'),
			(2, 'two', 'Two', 'closed', '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z')`,
		`INSERT INTO bills (id, campaign_id, position, chamber, congress, bill_type, number, title, sponsor_bioguide,
			introduced_on, committees, status, target, cosponsors_as_of) VALUES
			('hr5917-119', 1, 0, 'house', 119, 'hr', 5917, 'House title', 'M001205', '2025-11-04', 'Ways and Means', 'Introduced', 218, '2025-11-06T00:00:00Z'),
			('s3103-119', 1, 1, 'senate', 119, 's', 3103, 'Senate title', 'D000618', '2025-11-04', 'Finance', 'Introduced', 51, NULL),
			('hr7-119', 2, 0, 'house', 119, 'hr', 7, 'Other', 'A000370', NULL, '', '', 12, NULL)`,
		`INSERT INTO cosponsors (bill_id, bioguide, joined_on, original, withdrawn_on) VALUES
			('hr5917-119', 'P000613', '2025-11-04', 1, NULL),
			('hr5917-119', 'B001281', '2025-12-01', 0, '2026-01-20'),
			('s3103-119', 'M001169', '2025-11-04', 1, NULL)`,
		`INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at) VALUES
			(1, 'ask', 'Please', 'Body', '2025-11-02T00:00:00Z')`,
		`INSERT INTO letters (id, public_id, campaign_id, state, district, settled_by, prefix, first_name, last_name,
			address1, city, zip, email, email_norm, consent_at, created_at) VALUES
			(1, 'AAAAAAAAAAAAAAAAAAAAAA', 1, 'NY', 12, 'zip', 'Ms.', 'A', 'B', '1 Main St', 'New York', '10025', 'a@example.org', 'a@example.org',
			 '2025-11-05T00:00:00.000Z', '2025-11-05T00:00:00.000Z')`,
		`INSERT INTO deliveries (letter_id, bioguide_id, office_code, chamber, channel, delivery_id, subject, template_text,
			bill_congress, bill_type, bill_number, created_at, updated_at) VALUES
			(1, 'N000002', 'HNY12', 'house', 'assisted', 'abcdefghijklmnopqrstuvwxyz012345', 'S', 'T', 119, 'HR', 5917,
			 '2025-11-05T00:00:00.000Z', '2025-11-05T00:00:00.000Z')`,
	} {
		if _, err := old.W.ExecContext(ctx, q); err != nil {
			t.Fatalf("old data: %v\n%s", err, q)
		}
	}
	old.Close()

	d, err := Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	defer d.Close()
	s := NewCampaigns(d)
	one, err := s.Campaign(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Bills) != 2 || one.Bills[0].ID != "hr5917-119" || one.Bills[1].ID != "s3103-119" {
		t.Fatalf("bills of one = %+v", one.Bills)
	}
	hr := one.Bills[0]
	if hr.Title != "House title" || hr.SponsorID != "M001205" || hr.Target != 218 || hr.Committees != "Ways and Means" ||
		hr.Status != "Introduced" || hr.IntroducedOn.Format(advocacy.DateLayout) != "2025-11-04" ||
		hr.Position != advocacy.PositionSupport || hr.Goal != advocacy.GoalCosponsors || hr.CosponsorsAsOf.IsZero() {
		t.Errorf("House bill after migration = %+v", hr)
	}
	if len(hr.Cosponsors) != 2 || hr.Progress().Count != 1 || hr.Cosponsors[1].WithdrawnOn.IsZero() {
		t.Errorf("House cosponsors after migration = %+v", hr.Cosponsors)
	}
	if one.Bills[1].Target != 51 || len(one.Bills[1].Cosponsors) != 1 {
		t.Errorf("Senate bill after migration = %+v", one.Bills[1])
	}
	two, err := s.Campaign(ctx, "two")
	if err != nil || len(two.Bills) != 1 || two.Bills[0].Target != 12 {
		t.Errorf("campaign two after migration = %+v, %v", two.Bills, err)
	}
	tpls, err := NewCampaignEditor(d, nil).LetterTemplates(ctx, 1)
	if err != nil || tpls[advocacy.TemplateAsk].Subject != "Please" {
		t.Errorf("templates after migration = %v, %v", tpls[advocacy.TemplateAsk], err)
	}
	l, err := NewLetters(d, nil, nil).LetterByPublicID(ctx, "AAAAAAAAAAAAAAAAAAAAAA")
	if err != nil || len(l.Deliveries) != 1 || l.Deliveries[0].Position != advocacy.PositionSupport {
		t.Errorf("letter after migration = %+v, %v", l.Deliveries, err)
	}
	var fkProblems int
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&fkProblems); err != nil || fkProblems != 0 {
		t.Errorf("foreign key check after migration: %d problems, %v", fkProblems, err)
	}
	// The rebuilt tables' references follow the renamed bills table.
	var sql string
	if err := d.R.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE name = 'cosponsors'").Scan(&sql); err != nil ||
		!strings.Contains(sql, `REFERENCES "bills"`) && !strings.Contains(sql, "REFERENCES bills") {
		t.Errorf("cosponsors table after migration: %s, %v", sql, err)
	}
}
