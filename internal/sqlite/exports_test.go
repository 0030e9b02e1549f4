package sqlite

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// bulkLetters inserts n active letters to campaignID quickly: one
// transaction and prepared statements. Letter i was written i seconds after
// start from state states[i%len], has i%3+1 deliveries, ref "bizco" on
// every fourth, and asks for news on every fifth.
func bulkLetters(t testing.TB, d *DB, campaignID int64, n int, start time.Time) (deliveries int) {
	t.Helper()
	ctx := context.Background()
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	letter, err := tx.PrepareContext(ctx, `INSERT INTO letters (public_id, campaign_id, state, district, settled_by, prefix,
		first_name, last_name, address1, city, zip, email, email_norm, personal_message, consent_at, newsletter, ref, status, created_at)
		VALUES (?, ?, ?, ?, 'zip', 'Ms.', ?, 'Tester', '1 Main St', 'Springfield', '10025', ?, ?, ?, ?, ?, ?, 'active', ?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer letter.Close()
	delivery, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (letter_id, bioguide_id, office_code, chamber, channel,
		status, delivery_id, subject, template_text, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'assisted', ?, ?, 'Please cosponsor H.R. 5917', ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer delivery.Close()
	states := []string{"NY", "WV", "CA", "TX", "WY"}
	offices := []struct{ id, code, chamber string }{{"N000002", "HNY12", "house"}, {"S000148", "SNY01", "senate"}, {"G000555", "SNY02", "senate"}}
	body := "Dear Representative, as your constituent I ask you to cosponsor H.R. 5917 and end the Jackson-Vanik restrictions for Central Asia."
	for i := range n {
		ts := letterTime(start.Add(time.Duration(i) * time.Second))
		email := fmt.Sprintf("person%06d@example.org", i)
		var ref any
		if i%4 == 0 {
			ref = "bizco"
		}
		res, err := letter.ExecContext(ctx, fmt.Sprintf("pub%019d", i), campaignID, states[i%len(states)], i%3+1,
			"Person"+strconv.Itoa(i), email, email, "I care about trade with Central Asia.", ts, letterBool(i%5 == 0), ref, ts)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		for j := range i%3 + 1 {
			status := "queued"
			if j == 1 {
				status = "confirmed_by_user"
			}
			o := offices[j]
			if _, err := delivery.ExecContext(ctx, id, o.id, o.code, o.chamber, status, fmt.Sprintf("%08d%024d", j, i), body, ts, ts); err != nil {
				t.Fatal(err)
			}
			deliveries++
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return deliveries
}

func TestExportLettersInPages(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	total := bulkLetters(t, f.db, f.campaignID, 1500, start)
	x := NewExports(f.db, 400)

	var sizes []int
	var last int64
	seen := 0
	err := x.Letters(ctx, f.campaignID, advocacy.ExportFilter{District: -1}, func(rows []advocacy.ExportRow) error {
		sizes = append(sizes, len(rows))
		for _, r := range rows {
			if r.Delivery.ID <= last {
				t.Fatalf("delivery %d after %d: not in key order", r.Delivery.ID, last)
			}
			last = r.Delivery.ID
			if r.Delivery.LetterID != r.Letter.ID || r.Letter.Email == "" {
				t.Fatalf("row %+v", r)
			}
		}
		seen += len(rows)
		// Between pages no read transaction is open: a full checkpoint
		// succeeds, so an export never holds the WAL against writers.
		if _, err := f.db.W.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'x', 'x')",
			fmt.Sprintf("export-%d", len(sizes))); err != nil {
			return err
		}
		var busy, logFrames, done int
		if err := f.db.W.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
			return err
		}
		if busy != 0 {
			t.Errorf("checkpoint blocked during the export (page %d)", len(sizes))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != total || len(sizes) != (total+399)/400 || sizes[0] != 400 {
		t.Errorf("pages %v for %d rows", sizes, total)
	}

	count := func(fl advocacy.ExportFilter) int {
		n := 0
		if err := x.Letters(ctx, f.campaignID, fl, func(rows []advocacy.ExportRow) error {
			for _, r := range rows {
				if fl.State != "" && r.Letter.State != fl.State || fl.Ref != "" && r.Letter.Ref != fl.Ref ||
					fl.DeliveryStatus != "" && r.Delivery.Status != fl.DeliveryStatus {
					t.Errorf("row outside filter %+v: %+v", fl, r.Letter)
				}
			}
			n += len(rows)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Letters 0..1499: i%5==0 is NY; deliveries are i%3+1 per letter.
	want := func(keep func(i int) bool, perLetter func(i int) int) int {
		n := 0
		for i := range 1500 {
			if keep(i) {
				n += perLetter(i)
			}
		}
		return n
	}
	all := func(i int) int { return i%3 + 1 }
	for _, tc := range []struct {
		name string
		f    advocacy.ExportFilter
		want int
	}{
		{"state", advocacy.ExportFilter{State: "NY", District: -1}, want(func(i int) bool { return i%5 == 0 }, all)},
		{"district", advocacy.ExportFilter{State: "NY", District: 2, LetterStatus: advocacy.LetterActive},
			want(func(i int) bool { return i%5 == 0 && i%3+1 == 2 }, all)},
		{"partner", advocacy.ExportFilter{Ref: "bizco", District: -1}, want(func(i int) bool { return i%4 == 0 }, all)},
		{"delivery status", advocacy.ExportFilter{DeliveryStatus: advocacy.DeliveryConfirmedByUser, District: -1},
			want(func(i int) bool { return i%3 >= 1 }, func(int) int { return 1 })},
		{"dates", advocacy.ExportFilter{From: start.Add(100 * time.Second), To: start.Add(200 * time.Second), District: -1},
			want(func(i int) bool { return i >= 100 && i < 200 }, all)},
		{"held", advocacy.ExportFilter{LetterStatus: advocacy.LetterHeld, District: -1}, 0},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, tc.want)
		}
	}

	// An error from the consumer stops the export.
	stop := fmt.Errorf("client went away")
	calls := 0
	if err := x.Letters(ctx, f.campaignID, advocacy.ExportFilter{District: -1}, func([]advocacy.ExportRow) error {
		calls++
		return stop
	}); err != stop || calls != 1 {
		t.Errorf("stop: %v after %d pages", err, calls)
	}
}

func TestExportContacts(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-3 * time.Hour), state: "NY", district: 12, email: "Zed@Example.org", first: "Old", updates: true, to: []recipient{toNY12}})
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-2 * time.Hour), state: "NY", district: 12, email: "zed@example.org", first: "Zed", updates: true, to: []recipient{toNYSen}})
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-2 * time.Hour), state: "WV", district: 1, email: "amy@example.org", first: "Amy", updates: true, to: []recipient{toWV1}})
	// The offices' newsletter is not the campaign's news.
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-2 * time.Hour), state: "WV", district: 1, email: "no@example.org", newsletter: true, to: []recipient{toWV1}})
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-time.Hour), state: "WV", district: 1, email: "held@example.org", updates: true,
		status: advocacy.LetterHeld, to: []recipient{toWV1}})
	x := NewExports(f.db, 1)
	var got []advocacy.Contact
	pages := 0
	if err := x.Contacts(ctx, f.campaignID, func(cs []advocacy.Contact) error {
		pages++
		got = append(got, cs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || pages != 2 {
		t.Fatalf("contacts %+v in %d pages", got, pages)
	}
	if got[0].Email != "amy@example.org" || got[1].Email != "zed@example.org" || got[1].FirstName != "Zed" || got[1].Letters != 2 ||
		!got[1].FirstLetter.Equal(orgT0.Add(-3*time.Hour)) {
		t.Errorf("contacts %+v", got)
	}
}

// BenchmarkExportLetters streams the CSV of 100,000 letters (about 200,000
// deliveries) to io.Discard, and reports the peak heap in use while it runs
// (sampled after every page) and the bytes allocated per export.
func BenchmarkExportLetters(b *testing.B) {
	const n = 100_000
	f := newOrgFixture(b)
	rows := bulkLetters(b, f.db, f.campaignID, n, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	x := NewExports(f.db, DefaultExportPage)
	ctx := context.Background()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline := ms.HeapInuse
	var peak uint64
	var allocated uint64
	b.ResetTimer()
	for range b.N {
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		w := csv.NewWriter(io.Discard)
		written := 0
		record := make([]string, 0, 12)
		err := x.Letters(ctx, f.campaignID, advocacy.ExportFilter{District: -1}, func(page []advocacy.ExportRow) error {
			for _, r := range page {
				record = append(record[:0], r.Letter.PublicID, r.Letter.CreatedAt.Format(time.RFC3339), r.Letter.FirstName,
					r.Letter.LastName, r.Letter.Email, r.Letter.State, strconv.Itoa(r.Letter.District), r.Letter.Ref,
					r.Delivery.BioguideID, string(r.Delivery.Channel), string(r.Delivery.Status), r.Letter.PersonalMessage)
				if err := w.Write(record); err != nil {
					return err
				}
				written++
			}
			w.Flush()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			return w.Error()
		})
		if err != nil {
			b.Fatal(err)
		}
		if written != rows {
			b.Fatalf("wrote %d rows, want %d", written, rows)
		}
		runtime.ReadMemStats(&ms)
		allocated += ms.TotalAlloc - before
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, baseline))/(1<<20), "peak-over-baseline-MiB")
	b.ReportMetric(float64(allocated)/float64(b.N)/(1<<20), "alloc-MiB/op")
	b.ReportMetric(float64(rows), "rows/op")
}

// TestExportQueriesWalkKeys checks the query plans: each page must walk an
// index from the last key, never sort or group the whole campaign again.
func TestExportQueriesWalkKeys(t *testing.T) {
	f := newOrgFixture(t)
	bulkLetters(t, f.db, f.campaignID, 50, orgT0)
	where, args := exportWhere(f.campaignID, advocacy.ExportFilter{State: "NY", District: -1, Ref: "bizco"})
	for name, q := range map[string]struct {
		query string
		args  []any
	}{
		"letters":  {exportLettersQuery(where), append(append([]any{0}, args...), 10)},
		"contacts": {exportContactsQuery, []any{"", f.campaignID, 10}},
	} {
		rows, err := f.db.R.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q.query, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") || !strings.Contains(plan[0], "SEARCH") {
			t.Errorf("%s export plan: %s", name, joined)
		}
	}
}
