package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The bulk copy runs inside SQLite: Go only loads the seed letters and the
// word lists into temporary tables, and each batch of letters and their
// deliveries is one INSERT ... SELECT over a recursive counter. A Go loop
// of prepared inserts managed about 2,000 letters a second; this does
// several times that, which is what makes ten million letters a matter of
// minutes.

// sqlOrderedID is the SQL for orderedID: the milliseconds of the unix time
// in expression t written in n sorted digits.
func sqlOrderedID(t string, n int) string {
	const digits = "'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'"
	ms := "CAST(" + t + " * 1000 AS INTEGER)"
	var parts []string
	pow := int64(1)
	for i := 0; i < n; i++ {
		parts = append([]string{"substr(" + digits + ", (" + ms + " / " + strconv.FormatInt(pow, 10) + ") % 62 + 1, 1)"}, parts...)
		pow *= 62
	}
	return strings.Join(parts, " || ")
}

// sqlList is a temporary table of one text column.
func sqlList(ctx context.Context, db *sql.DB, name string, values []string) error {
	if _, err := db.ExecContext(ctx, "CREATE TEMP TABLE "+name+" (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		return err
	}
	for i, v := range values {
		if _, err := db.ExecContext(ctx, "INSERT INTO "+name+" VALUES (?, ?)", i, v); err != nil {
			return err
		}
	}
	return nil
}

// sqlGenerate writes opt.letters letters in batches, copying the templates
// picked in proportion to cum (cumulative weights).
func sqlGenerate(ctx context.Context, db *sql.DB, tpls []template, cum []float64, campaignID int64, opt genOptions,
	progress func(done int)) error {
	for _, q := range []string{
		`CREATE TEMP TABLE tpl (k INTEGER PRIMARY KEY, lo REAL, hi REAL, state TEXT, district INTEGER, city TEXT, zip TEXT)`,
		`CREATE TEMP TABLE tpld (k INTEGER, pos INTEGER, bioguide TEXT, office TEXT, chamber TEXT, channel TEXT,
			subject TEXT, text TEXT, congress INTEGER, btype TEXT, bnumber INTEGER)`,
		`CREATE TEMP TABLE gl (id INTEGER PRIMARY KEY, k INTEGER, t REAL, tp TEXT, st TEXT, org TEXT)`,
		`CREATE INDEX temp.tpl_hi ON tpl (hi)`,
		`CREATE INDEX temp.tpld_k ON tpld (k, pos)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	lo, total := 0.0, cum[len(cum)-1]
	for i, t := range tpls {
		if _, err := db.ExecContext(ctx, "INSERT INTO tpl VALUES (?, ?, ?, ?, ?, ?, ?)", i, lo/total, cum[i]/total,
			t.state, t.district, t.city, t.zip); err != nil {
			return err
		}
		lo = cum[i]
		for p, d := range t.deliveries {
			if _, err := db.ExecContext(ctx, "INSERT INTO tpld VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", i, p, d.bioguide, d.office,
				d.chamber, d.channel, d.subject, d.text, d.congress, d.billType, d.number); err != nil {
				return err
			}
		}
	}
	for name, list := range map[string][]string{"fnames": firstNames, "lnames": lastNames, "orgs": orgNames,
		"titles": titles, "sentences": sentences, "refs": partnerCodes} {
		if err := sqlList(ctx, db, name, list); err != nil {
			return err
		}
	}
	var firstID int64
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM letters").Scan(&firstID); err != nil {
		return err
	}
	start := float64(opt.end.Add(-time.Duration(opt.days)*24*time.Hour).UnixMilli()) / 1000
	span := float64(opt.days * 24 * 3600)
	pick := func(list string, n int, r string) string {
		return "(SELECT v FROM " + list + " WHERE k = abs(" + r + ") % " + strconv.Itoa(n) + ")"
	}
	ts := `strftime('%Y-%m-%dT%H:%M:%fZ', g.t, 'unixepoch')`
	const batch = 100_000
	for done := 0; done < opt.letters; done += batch {
		n := min(batch, opt.letters-done)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		steps := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM gl`, nil},
			// Each letter: its template (by weight), time (in order, more
			// lately), status and organisation.
			{`WITH RECURSIVE s(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM s WHERE i < ?)
				INSERT INTO gl (id, k, t, st, org)
				SELECT ? + i, (SELECT k FROM tpl WHERE hi > u ORDER BY hi LIMIT 1),
					? + ? * sqrt(i * 1.0 / ?),
					CASE WHEN r % 1000 < 5 THEN 'held' WHEN r % 1000 < 8 THEN 'rejected' ELSE 'active' END,
					CASE WHEN (r / 1000) % 100 < 4 THEN ` + pick("orgs", len(orgNames), "r / 100000") + ` ELSE '' END
				FROM (SELECT i, (abs(random()) % 1000000) / 1000000.0 AS u, abs(random()) AS r FROM s)`,
				[]any{done, done + n - 1, firstID, start, span, opt.letters}},
			// The time prefix of its IDs, worked out once: the delivery IDs
			// take 8 digits of it, the public ID the last 7.
			{`UPDATE gl SET tp = ` + sqlOrderedID("t", 8), nil},
			{`INSERT INTO letters (id, public_id, campaign_id, state, district, settled_by, prefix, first_name, last_name,
					address1, address2, city, zip, email, email_norm, phone, title, organization, personal_message, topic,
					consent_at, receipt, newsletter, ref, status, hold_reason, created_at)
				SELECT g.id, substr(g.tp, 2) || substr(hex(randomblob(11)), 1, 21) || 'A', ?, p.state, p.district, 'zip',
					'Mx.', ` + pick("fnames", len(firstNames), "random()") + `, ` + pick("lnames", len(lastNames), "random()") + ` || g.id,
					(abs(random()) % 9999 + 1) || ' Main St', '', p.city, p.zip, 'writer' || g.id || '@example.org', 'writer' || g.id || '@example.org',
					'', CASE WHEN g.org <> '' THEN ` + pick("titles", len(titles), "random()") + ` ELSE '' END, g.org,
					CASE WHEN abs(random()) % 100 < 45 THEN ` + pick("sentences", len(sentences), "random()") + ` || ' ' || ` + pick("sentences", len(sentences), "random()") + ` ELSE '' END,
					'', ` + ts + `, 0, abs(random()) % 10 = 0,
					CASE WHEN abs(random()) % 100 < 15 THEN ` + pick("refs", len(partnerCodes), "random()") + ` END,
					g.st, CASE g.st WHEN 'held' THEN 'Sent within 5 seconds of the form appearing.' ELSE '' END, ` + ts + `
				FROM gl g JOIN tpl p ON p.k = g.k ORDER BY g.id`, []any{campaignID}},
			// Each delivery: CWC copies mostly sent, assisted ones a third
			// confirmed by the sender; nothing sent for letters not active.
			// Its outcome is drawn from a hash of its letter and place.
			{`INSERT INTO deliveries (letter_id, bioguide_id, office_code, chamber, channel, status, delivery_id, subject,
					template_text, bill_congress, bill_type, bill_number, attempts, next_attempt_at, created_at, updated_at,
					sent_at, confirmed_at)
				SELECT g.id, d.bioguide, d.office, d.chamber,
					CASE WHEN g.st = 'active' AND d.channel <> 'cwc' AND ((g.id * 7919 + d.pos * 104729) % 100) < 35
						THEN (SELECT v FROM (SELECT 0 AS k, 'contact_form' AS v UNION ALL SELECT 1, 'phone' UNION ALL SELECT 2, 'print') WHERE k = ((g.id * 7919 + d.pos * 104729) % 3))
						ELSE d.channel END,
					CASE WHEN g.st <> 'active' THEN 'queued'
						WHEN d.channel = 'cwc' AND ((g.id * 7919 + d.pos * 104729) % 100) < 97 THEN 'sent'
						WHEN d.channel = 'cwc' THEN 'failed'
						WHEN ((g.id * 7919 + d.pos * 104729) % 100) < 35 THEN 'confirmed_by_user' ELSE 'queued' END,
					g.tp || substr(hex(randomblob(12)), 1, 24), d.subject,
					replace(d.text, 'Seed Writer', l.first_name || ' ' || l.last_name), d.congress, d.btype, d.bnumber,
					CASE WHEN g.st = 'active' AND d.channel = 'cwc' THEN 1 ELSE 0 END, NULL, l.created_at, l.created_at,
					CASE WHEN g.st = 'active' AND d.channel = 'cwc' AND ((g.id * 7919 + d.pos * 104729) % 100) < 97 THEN l.created_at END,
					CASE WHEN g.st = 'active' AND d.channel <> 'cwc' AND ((g.id * 7919 + d.pos * 104729) % 100) < 35 THEN l.created_at END
				FROM gl g JOIN letters l ON l.id = g.id JOIN tpld d ON d.k = g.k
				ORDER BY g.id, d.pos`, nil},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				tx.Rollback()
				return fmt.Errorf("generate: %w\n%s", err, st.q)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		progress(done + n)
	}
	return nil
}
