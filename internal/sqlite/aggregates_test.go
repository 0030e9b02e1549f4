package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// checkAggregatesAtEnd recounts every aggregate when the test ends (before
// the database closes): every store test that changes letters or deliveries
// also proves that the triggers kept the counts.
func checkAggregatesAtEnd(t testing.TB, d *DB) {
	t.Helper()
	t.Cleanup(func() {
		diffs, err := CheckAggregates(context.Background(), d)
		if err != nil {
			t.Errorf("check aggregates: %v", err)
			return
		}
		for _, diff := range diffs {
			t.Errorf("aggregate differs from a recount: %s", diff)
		}
		sqlDiffs, err := checkAggregatesSQL(context.Background(), d)
		if err != nil {
			t.Errorf("check aggregates with the recount queries: %v", err)
			return
		}
		for _, diff := range sqlDiffs {
			t.Errorf("aggregate differs from its recount query: %s", diff)
		}
	})
}

// mustAgree fails the test when an aggregate differs from a full recount.
func mustAgree(t *testing.T, d *DB, after string) {
	t.Helper()
	diffs, err := CheckAggregates(context.Background(), d)
	if err != nil {
		t.Fatalf("after %s: check: %v", after, err)
	}
	for _, diff := range diffs {
		t.Errorf("after %s: %s", after, diff)
	}
	sqlDiffs, err := checkAggregatesSQL(context.Background(), d)
	if err != nil {
		t.Fatalf("after %s: check with the recount queries: %v", after, err)
	}
	for _, diff := range sqlDiffs {
		t.Errorf("after %s: recount query: %s", after, diff)
	}
}

// checkAggregatesSQL compares every aggregate with its recount query in
// aggTables, the plain-SQL definition that CheckAggregates's one-pass
// recount must match: together with CheckAggregates after every kind of
// change, it holds the triggers, the one-pass recount and the definitions
// to the same counts.
func checkAggregatesSQL(ctx context.Context, db *DB) ([]AggregateDiff, error) {
	tx, err := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var out []AggregateDiff
	for _, t := range aggTables() {
		var vals []string
		for _, v := range t.vals {
			if !t.ignore[v] {
				vals = append(vals, v)
			}
		}
		cols := strings.Join(append(append([]string{}, t.keys...), vals...), ", ")
		all := strings.Join(append(append([]string{}, t.keys...), t.vals...), ", ")
		kept := `SELECT ` + cols + ` FROM ` + t.name + ` WHERE n <> 0`
		recount := `SELECT ` + cols + ` FROM r WHERE n <> 0`
		rows, err := tx.QueryContext(ctx, `WITH r (`+all+`) AS MATERIALIZED (`+t.recount+`)
			SELECT 0, * FROM (`+kept+` EXCEPT `+recount+`)
			UNION ALL SELECT 1, * FROM (`+recount+` EXCEPT `+kept+`)`)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		for rows.Next() {
			var side int
			v := make([]sql.NullString, len(t.keys)+len(vals))
			dest := []any{&side}
			for i := range v {
				dest = append(dest, &v[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			var parts []string
			for i, c := range append(append([]string{}, t.keys...), vals...) {
				parts = append(parts, c+"="+v[i].String)
			}
			d := AggregateDiff{Table: t.name, Key: strings.Join(parts, " "), Kept: "this row", Recounted: "not"}
			if side == 1 {
				d.Kept, d.Recounted = "not", "this row"
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestAggregatesFollowEveryChange makes each kind of change that moves a
// count, through the stores, and recounts after each.
func TestAggregatesFollowEveryChange(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	d := f.db
	mustAgree(t, d, "seeding")

	a := f.addLetter(t, fixtureLetter{at: orgT0.Add(-50 * time.Hour), state: "NY", district: 12, email: "a@example.org",
		organization: "Acme Imports", title: "Owner", city: "New York", to: []recipient{toNY12, toNYSen}})
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-time.Hour), state: "NY", district: 12, email: "b@example.org", ref: "bizco",
		organization: "ACME imports", title: "CFO", to: []recipient{toNY12}})
	mustAgree(t, d, "new letters")

	held := f.addLetter(t, fixtureLetter{at: orgT0, state: "WV", district: 1, email: "c@example.org", ref: "bizco",
		organization: "Coal Co", status: advocacy.LetterHeld, to: []recipient{toWV1}})
	rejected := f.addLetter(t, fixtureLetter{at: orgT0, state: "WV", district: 1, email: "d@example.org",
		status: advocacy.LetterHeld, to: []recipient{toWV1}})
	mustAgree(t, d, "held letters")
	if err := f.moderation.Approve(ctx, held.ID, 0); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "approval")
	if err := f.moderation.Reject(ctx, rejected.ID, "Spam from a bot.", 0); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "rejection")

	// Delivery status: sent, failed, confirmed by the constituent.
	if err := f.letters.MarkSent(ctx, a.Deliveries[0].ID, orgT0); err != nil {
		t.Fatal(err)
	}
	if err := f.letters.MarkFailed(ctx, held.Deliveries[0].ID, "office closed", orgT0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.letters.ConfirmDelivery(ctx, a.PublicID, a.Deliveries[1].DeliveryID, advocacy.ChannelPhone); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "delivery status changes")

	// Erasure at the sender's request, then by the retention window.
	if err := f.letters.EraseLetter(ctx, a.PublicID); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "erasure")
	var orgs int
	if err := d.R.QueryRow("SELECT count(*) FROM agg_office_org_facts WHERE value IN ('Owner', 'New York')").Scan(&orgs); err != nil || orgs != 0 {
		t.Errorf("erased letter's title and town still in the aggregates: %d rows, %v", orgs, err)
	}
	f.clock.Set(orgT0.Add(400 * 24 * time.Hour))
	if _, err := f.letters.EraseExpired(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "erasure after the retention window")

	// A letter that waited for its sender's email, confirmed; one that
	// expired and was deleted.
	for i, email := range []string{"e@example.org", "f@example.org"} {
		nl := sampleLetter(f.campaignID, email, "", "N000002")
		nl.Status, nl.ConfirmToken, nl.ConfirmBy = advocacy.LetterHeld, "token"+email, f.clock.Now().Add(time.Hour)
		res, err := f.letters.CreateLetter(ctx, nl)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, _, err := f.letters.ConfirmLetter(ctx, res.Letter.PublicID, "token"+email); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustAgree(t, d, "confirmation")
	f.clock.Set(f.clock.Now().Add(2 * time.Hour))
	if n, err := f.letters.DeleteUnconfirmed(ctx); err != nil || n != 1 {
		t.Fatalf("delete unconfirmed = %d, %v", n, err)
	}
	mustAgree(t, d, "deletion of an unconfirmed letter")

	// Changes no store makes today, straight in SQL: an active letter
	// leaving the counts, a delivery moved to another office or deleted,
	// and an active letter deleted with its deliveries.
	for _, q := range []string{
		"UPDATE letters SET status = 'rejected' WHERE id = " + idString(a.ID),
		"UPDATE deliveries SET bioguide_id = 'G000555' WHERE letter_id = " + idString(held.ID),
		"DELETE FROM deliveries WHERE id = (SELECT max(id) FROM deliveries)",
		"UPDATE letters SET created_at = '2026-01-01T00:00:00.000Z', state = 'AK', district = 0 WHERE id = " + idString(held.ID),
		"DELETE FROM letters WHERE id = " + idString(held.ID),
	} {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		mustAgree(t, d, q)
	}
}

// TestCheckReportsAndRebuildRepairs damages the aggregates and expects check
// to name every damaged row, and rebuild to make them right again.
func TestCheckReportsAndRebuildRepairs(t *testing.T) {
	f := dashboardFixture(t)
	ctx := context.Background()
	before, err := f.stats.Dashboard(ctx, f.campaignID, orgT0.Add(-30*24*time.Hour), orgT0.Add(24*time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE agg_letters SET n = n + 5 WHERE ref = '*' AND status = 'active'",
		"DELETE FROM agg_offices WHERE bioguide_id = 'N000002'",
		"INSERT INTO agg_letter_districts VALUES (1, '*', 'ZZ', 9, 4)",
	} {
		if _, err := f.db.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	diffs, err := CheckAggregates(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{"agg_letters campaign_id=1 ref=* status=active: kept n=8, recounted n=3",
		"agg_offices campaign_id=1 ref=* bioguide_id=N000002: kept none, recounted n=2",
		"agg_letter_districts campaign_id=1 ref=* state=ZZ district=9: kept n=4, recounted none"} {
		if !strings.Contains(text, want) {
			t.Errorf("check did not report %q; it said:\n%s", want, text)
		}
	}
	if err := RebuildAggregates(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, f.db, "rebuild")
	after, err := f.stats.Dashboard(ctx, f.campaignID, orgT0.Add(-30*24*time.Hour), orgT0.Add(24*time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total || after.ByOffice["N000002"] != before.ByOffice["N000002"] {
		t.Errorf("after rebuild: %+v, before %+v", after, before)
	}
}

// TestAggregateTriggers fails when a migration dropped a trigger that keeps
// the aggregates (rebuilding letters or deliveries drops the triggers on
// them: such a migration must create them again).
func TestAggregateTriggers(t *testing.T) {
	d := openTest(t)
	missing, err := MissingAggregateTriggers(context.Background(), d)
	if err != nil || len(missing) > 0 {
		t.Fatalf("missing triggers %v, %v", missing, err)
	}
}

// baseTables finds letters and deliveries (not the aggregates named after
// them) in a plan.
var baseTables = regexp.MustCompile(`\b(letters|deliveries)\b`)

// queryPlan is EXPLAIN QUERY PLAN's steps for query.
func queryPlan(t *testing.T, d *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := d.R.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestReadPlansUseIndexes: every query behind a public answer, the
// dashboard and the evidence packet reads by an index key (SEARCH), never
// scans a table whole, and never touches letters or deliveries except for
// the packet's bounded walk down one office's newest deliveries.
func TestReadPlansUseIndexes(t *testing.T) {
	f := dashboardFixture(t)
	bulkLetters(t, f.db, f.campaignID, 200, orgT0)
	if _, err := f.db.W.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	cid, ref, hour := f.campaignID, allRefs, aggHour(orgT0)
	for _, q := range []struct {
		name  string
		query string
		args  []any
		base  bool // may read letters and deliveries
	}{
		{"count letters", countLettersSQL, []any{cid, ref}, false},
		{"count since", countSinceSQL, []any{cid, ref, hour}, false},
		{"count district", countDistrictSQL, []any{cid, ref, "NY", 12}, false},
		{"count by office", countByOfficeSQL, []any{cid, ref}, false},
		{"count by chamber", countByChamberSQL, []any{cid, ref}, false},
		{"count by state", countByStateSQL, []any{cid, ref}, false},
		{"dashboard totals", dashTotalsSQL, []any{cid, ref}, false},
		{"dashboard per day", dashPerDaySQL, []any{cid, ref, hour, hour}, false},
		{"dashboard deliveries", dashDeliveriesSQL, []any{cid, ref}, false},
		{"dashboard districts", dashDistrictsSQL, []any{cid, ref}, false},
		{"dashboard sources", dashSourcesSQL, []any{cid, ref}, false},
		{"dashboard offices", dashOfficesSQL, []any{cid, ref}, false},
		{"dashboard before joining", dashBeforeJoiningSQL, []any{ref, cid}, false},
		{"packet office", packetOfficeSQL, []any{cid, ref, "N000002"}, false},
		{"packet days", packetDaysSQL, []any{cid, ref, "N000002"}, false},
		{"packet organisations", packetOrgsSQL, []any{cid, "N000002"}, false},
		{"packet organisation facts", packetFactsSQL, []any{cid, "N000002"}, false},
		{"packet quotes", packetQuotesSQL, []any{"N000002", packetScan, cid, 200}, true},
		{"moderation count", heldCountSQL, nil, true},
		{"moderation page", "SELECT l.id" + heldPageSQL + " ORDER BY l.id LIMIT 50", []any{0}, true},
	} {
		plan := queryPlan(t, f.db, q.query, q.args...)
		joined := strings.Join(plan, "; ")
		t.Logf("%s: %s", q.name, joined)
		for _, step := range plan {
			// A SCAN is allowed only of a subquery's own rows (the
			// office's bounded slice, or a constant list), of the letter
			// totals (a row per campaign, source and status), and of the
			// confirmations still pending (a day's letters at most).
			if table, ok := strings.CutPrefix(step, "SCAN "); ok && table != "d" && !strings.HasPrefix(table, "CONSTANT ROW") &&
				table != "agg_letters" && table != "lc USING INDEX letter_confirmations_pending" {
				t.Errorf("%s: scans a table whole: %s", q.name, joined)
			}
		}
		if baseTables.MatchString(joined) && !q.base {
			t.Errorf("%s reads letters or deliveries: %s", q.name, joined)
		}
		for _, step := range plan {
			// Letters only by their key; deliveries only down one office's.
			if (strings.HasPrefix(step, "SEARCH l ") && !strings.Contains(step, "INTEGER PRIMARY KEY") &&
				!strings.Contains(step, "letters_status (status=? AND rowid>?)")) ||
				(strings.HasPrefix(step, "SEARCH deliveries ") && !strings.Contains(step, "(bioguide_id=?)")) ||
				strings.Contains(step, "AUTOMATIC") {
				t.Errorf("%s: unbounded step %q in %s", q.name, step, joined)
			}
		}
		if !strings.Contains(joined, "SEARCH") {
			t.Errorf("%s: no index search: %s", q.name, joined)
		}
	}
}

// TestAggregatesBackfillLettersWrittenBefore: a database that had letters
// before the aggregates existed gets them counted by the migration that
// creates them.
func TestAggregatesBackfillLettersWrittenBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	all := letterMigrations(t)
	before := fstest.MapFS{}
	for name, f := range all.(fstest.MapFS) {
		if name < "migrations/0100" {
			before[name] = f
		}
	}
	// The letters are written by this version's store into a database of
	// its own, then copied into one that stops before the aggregates.
	src := openLetterDB(t, "")
	cid := insertLetterCampaign(t, src, "jackson-vanik", "")
	s := NewLetters(src, func() time.Time { return letterT0 }, rand.Reader)
	for i, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		nl := sampleLetter(cid, email, "")
		if i == 1 {
			nl.Input.Ref, nl.Input.Organization, nl.Input.Title = "bizco", "Acme", "Owner"
		}
		if i == 2 {
			nl.Status = advocacy.LetterHeld
		}
		if _, err := s.CreateLetter(ctx, nl); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var srcPath string
	if err := src.R.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&srcPath); err != nil {
		t.Fatal(err)
	}
	old, err := Open(ctx, path, before)
	if err != nil {
		t.Fatal(err)
	}
	if oldCID := insertLetterCampaign(t, old, "jackson-vanik", ""); oldCID != cid {
		t.Fatalf("campaign %d, want %d", oldCID, cid)
	}
	conn, err := old.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ATTACH DATABASE '" + srcPath + "' AS src",
		"INSERT INTO letters SELECT * FROM src.letters", "INSERT INTO deliveries SELECT * FROM src.deliveries",
		"DETACH DATABASE src"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	old.Close()

	d, err := Open(ctx, path, all)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mustAgree(t, d, "the migration that creates the aggregates")
	n, err := NewLetters(d, time.Now, rand.Reader).CountLetters(ctx, cid)
	if err != nil || n != 2 {
		t.Errorf("letters counted after the upgrade = %d, %v; want 2", n, err)
	}
}

// TestGroupCommitCountsItsLetters writes one group of letters of every kind
// (two campaigns, partner codes, held letters, organisations typed two ways,
// different hours and days; a refused duplicate, a replayed form and a
// letter that fails half-written among them), which the group counts
// itself, then changes them through the other paths, which the triggers
// count, and recounts after each step.
func TestGroupCommitCountsItsLetters(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	d, s := f.db, f.letters
	other := insertLetterCampaign(t, d, "other-campaign", "")
	letter := func(cid int64, fl fixtureLetter) advocacy.NewLetter {
		nl := advocacy.NewLetter{CampaignID: cid, Status: fl.status, State: fl.state, District: fl.district,
			SettledBy: advocacy.SettledByZIP, Input: advocacy.LetterInput{Campaign: SeedSlug, FirstName: "Ada",
				LastName: "Lovelace", Address1: "1 Main St", City: fl.city, State: fl.state, Zip: "10025", Email: fl.email,
				Consent: true, Ref: fl.ref, Organization: fl.organization, Title: fl.title, FormToken: fl.personal}}
		for _, r := range fl.to {
			nl.Input.Recipients = append(nl.Input.Recipients, r.id)
			nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: r.id, OfficeCode: "X" + r.id,
				Chamber: r.chamber, Channel: r.channel, Subject: "Please cosponsor", TemplateText: "Dear member"})
		}
		return nl
	}
	// A letter from before, whose form is sent again in the group.
	earlier := f.addLetter(t, fixtureLetter{at: orgT0.Add(-72 * time.Hour), state: "NY", district: 12, email: "z@example.org",
		to: []recipient{toNY12}})
	if _, err := d.W.Exec("UPDATE letters SET form_token = 'form-z' WHERE id = ?", earlier.ID); err != nil {
		t.Fatal(err)
	}
	halfWritten := letter(f.campaignID, fixtureLetter{state: "NY", district: 12, email: "half@example.org", to: []recipient{toNY12, toNYSen}})
	halfWritten.Recipients[1] = halfWritten.Recipients[0]
	kinds := []struct {
		at   time.Time
		nl   advocacy.NewLetter
		fail bool
	}{
		{orgT0.Add(-50 * time.Hour), letter(f.campaignID, fixtureLetter{state: "NY", district: 12, email: "a@example.org",
			organization: "Acme Imports", title: "Owner", city: "New York", to: []recipient{toNY12, toNYSen}}), false},
		{orgT0.Add(-time.Hour), letter(f.campaignID, fixtureLetter{state: "NY", district: 12, email: "b@example.org", ref: "bizco",
			organization: "ACME  imports", title: "CFO", city: "Albany", to: []recipient{toNY12}}), false},
		{orgT0, letter(f.campaignID, fixtureLetter{state: "WV", district: 1, email: "c@example.org", ref: "bizco",
			organization: "Coal Co", status: advocacy.LetterHeld, to: []recipient{toWV1}}), false},
		{orgT0, letter(f.campaignID, fixtureLetter{state: "NY", district: 12, email: "a@example.org", to: []recipient{toNY12}}), true},
		{orgT0, halfWritten, true},
		{orgT0, letter(other, fixtureLetter{state: "WV", district: 1, email: "a@example.org", ref: "bizco",
			organization: "Coal Co", title: "Miner", to: []recipient{toWV1}}), false},
		{orgT0, letter(f.campaignID, fixtureLetter{state: "NY", district: 12, email: "z@example.org", personal: "form-z",
			to: []recipient{toNY12}}), false},
	}
	var batch []*createJob
	for _, k := range kinds {
		f.clock.Set(k.at)
		j, err := s.newJob(k.nl)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, j)
	}
	f.clock.Set(orgT0)
	s.commitGroup(batch)
	var got []advocacy.CreatedLetter
	for i, j := range batch {
		r := <-j.done
		if (r.err != nil) != kinds[i].fail {
			t.Fatalf("letter %d: %v", i, r.err)
		}
		got = append(got, r.created)
	}
	if !got[6].Existing || got[6].Letter.ID != earlier.ID {
		t.Fatalf("the replayed form was written again: %+v", got[6])
	}
	mustAgree(t, d, "a group of letters")
	var flags int
	if err := d.R.QueryRow("SELECT count(*) FROM agg_group_commit").Scan(&flags); err != nil || flags != 0 {
		t.Fatalf("agg_group_commit holds %d rows after the group, %v", flags, err)
	}
	for _, c := range []struct {
		cid  int64
		ref  string
		want int
	}{{f.campaignID, "", 3}, {f.campaignID, "bizco", 1}, {other, "", 1}, {other, "bizco", 1}} {
		n, err := s.CountByRef(ctx, c.cid, c.ref)
		if err != nil || n != c.want {
			t.Errorf("campaign %d, code %q: %d letters, %v; want %d", c.cid, c.ref, n, err, c.want)
		}
	}

	// The other paths, through the triggers.
	if err := f.moderation.Approve(ctx, got[2].Letter.ID, 0); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "approval")
	if err := s.MarkSent(ctx, got[0].Letter.Deliveries[0].ID, orgT0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmDelivery(ctx, got[0].Letter.PublicID, got[0].Letter.Deliveries[1].DeliveryID, advocacy.ChannelPhone); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "delivery status changes")
	if err := s.EraseLetter(ctx, got[1].Letter.PublicID); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, d, "erasure")

	// A letter and its deliveries written outside the group commit are
	// counted by the insert triggers.
	for _, q := range []string{
		"CREATE TEMP TABLE copy_letter AS SELECT * FROM letters WHERE id = " + idString(got[0].Letter.ID),
		"UPDATE copy_letter SET id = (SELECT max(id) + 1 FROM letters), public_id = public_id || 'x', form_token = NULL, email_norm = 'copy'",
		"CREATE TEMP TABLE copy_deliveries AS SELECT * FROM deliveries WHERE letter_id = " + idString(got[0].Letter.ID),
		"UPDATE copy_deliveries SET id = id + 1000, letter_id = (SELECT id FROM copy_letter), delivery_id = 'copy' || substr(delivery_id, 5)",
		"INSERT INTO letters SELECT * FROM copy_letter",
		"INSERT INTO deliveries SELECT * FROM copy_deliveries",
	} {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustAgree(t, d, "a letter written outside the group commit")
	if n, err := s.CountLetters(ctx, f.campaignID); err != nil || n != 5 {
		t.Errorf("%d letters after the copy, %v; want 5", n, err)
	}
}
