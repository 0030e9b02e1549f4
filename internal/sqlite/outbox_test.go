package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
)

// A held chamber: its deliveries wait (held, not failed), new ones are held
// when the worker next looks, nothing is claimed, and Resume queues them
// all again with a fresh time budget and their DeliveryIds.
func TestHoldAndResume(t *testing.T) {
	ctx := context.Background()
	s, clock, _, cid := newTestLetters(t)
	for i := range 3 {
		if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("h%d@example.com", i), "", "N000002")); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.ClaimDue(ctx, advocacy.House, letterT0, 1, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %v", items, err)
	}
	n, err := s.Hold(ctx, advocacy.House, items[0].Delivery.ID, "CWC refused our API key (HTTP 401)", letterT0)
	if err != nil || n != 3 {
		t.Fatalf("held %d, %v", n, err)
	}
	// Holding again keeps the first time and reason.
	if _, err := s.Hold(ctx, advocacy.House, 0, "later", letterT0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	late, err := s.CreateLetter(ctx, sampleLetter(cid, "late@example.com", "", "N000002"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClaimDue(ctx, advocacy.House, letterT0.Add(time.Hour), 10, time.Minute); err != nil || len(c) != 0 {
		t.Fatalf("claimed from a held chamber: %v %v", c, err)
	}
	if d := letterDeliveryByID(t, s, late.Letter.PublicID, late.Letter.Deliveries[0].ID); d.Status != advocacy.DeliveryHeld {
		t.Fatalf("a new letter for a held chamber: %+v", d)
	}
	h, err := s.DeliveryHealth(ctx, letterT0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if h[0].Held != 4 || h[0].Queued != 0 || !h[0].HeldSince.Equal(letterT0) || h[0].HoldReason != "CWC refused our API key (HTTP 401)" ||
		!h[0].OldestWaiting.Equal(letterT0) || h[1].Held != 0 || !h[1].HeldSince.IsZero() {
		t.Fatalf("health %+v", h)
	}

	clock.Set(letterT0.Add(2 * time.Hour))
	n, err = s.Resume(ctx, advocacy.House, letterT0.Add(2*time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("resumed %d, %v", n, err)
	}
	c, err := s.ClaimDue(ctx, advocacy.House, letterT0.Add(2*time.Hour), 10, time.Minute)
	if err != nil || len(c) != 4 {
		t.Fatalf("claimed %d after resuming, %v", len(c), err)
	}
	for _, it := range c {
		if !it.Delivery.QueuedAt.Equal(letterT0.Add(2 * time.Hour)) {
			t.Fatalf("queued_at %v", it.Delivery.QueuedAt)
		}
		if it.Delivery.ID == items[0].Delivery.ID && it.Delivery.DeliveryID != items[0].Delivery.DeliveryID {
			t.Fatal("the DeliveryId changed")
		}
	}
	if h, _ := s.DeliveryHealth(ctx, letterT0.Add(2*time.Hour)); !h[0].HeldSince.IsZero() || h[0].Held != 0 {
		t.Fatalf("health after resume %+v", h[0])
	}
}

// Organizers re-send held and failed deliveries; the re-send is audited,
// never touches letters that were rejected or erased, and lifts the hold.
func TestRetryDeliveries(t *testing.T) {
	ctx := context.Background()
	s, _, d, cid := newTestLetters(t)
	mk := func(email string) advocacy.Letter {
		c, err := s.CreateLetter(ctx, sampleLetter(cid, email, "", "N000002"))
		if err != nil {
			t.Fatal(err)
		}
		return c.Letter
	}
	failed, held, erased := mk("f@example.com"), mk("h@example.com"), mk("e@example.com")
	items, _ := s.ClaimDue(ctx, advocacy.House, letterT0, 1, time.Minute)
	if err := s.MarkFailed(ctx, items[0].Delivery.ID, "CWC refused the message: Zip", letterT0); err != nil {
		t.Fatal(err)
	}
	if items[0].Letter.ID != failed.ID {
		t.Fatal("claimed out of order")
	}
	if _, err := s.Hold(ctx, advocacy.House, 0, "CWC refused our API key (HTTP 401)", letterT0); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseLetter(ctx, erased.PublicID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetryDeliveries(ctx, advocacy.RetryRequest{}, 0, letterT0); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Fatalf("an empty re-send: %v", err)
	}
	n, err := s.RetryDeliveries(ctx, advocacy.RetryRequest{Chamber: advocacy.House, Held: true, Failed: true}, 0, letterT0.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("re-sent %d, %v", n, err)
	}
	for _, l := range []advocacy.Letter{failed, held} {
		if dl := letterDeliveryByID(t, s, l.PublicID, l.Deliveries[0].ID); dl.Status != advocacy.DeliveryQueued ||
			dl.DeliveryID != l.Deliveries[0].DeliveryID || !dl.NextAttemptAt.Equal(letterT0.Add(time.Hour)) || dl.LastError != "" {
			t.Fatalf("re-sent: %+v", dl)
		}
	}
	if dl := letterDeliveryByID(t, s, erased.PublicID, erased.Deliveries[0].ID); dl.Status != advocacy.DeliveryFailed {
		t.Fatalf("erased letter's delivery: %+v", dl)
	}
	if h, _ := s.DeliveryHealth(ctx, letterT0.Add(time.Hour)); !h[0].HeldSince.IsZero() || h[0].Queued != 2 || h[0].Failed != 1 {
		t.Fatalf("health %+v", h[0])
	}
	entries, err := NewAudit(d).AuditLog(ctx, 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "deliveries.retry" || !strings.Contains(entries[0].After, `"deliveries":2`) {
		t.Fatalf("audit %+v %v", entries, err)
	}
}

// Health counts only a day of sent deliveries, and the chamber's last
// error and success.
func TestDeliveryHealthCounts(t *testing.T) {
	ctx := context.Background()
	s, _, _, cid := newTestLetters(t)
	for i := range 3 {
		if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("s%d@example.com", i), "", "N000002")); err != nil {
			t.Fatal(err)
		}
	}
	items, _ := s.ClaimDue(ctx, advocacy.House, letterT0, 3, time.Minute)
	s.MarkSent(ctx, items[0].Delivery.ID, letterT0.Add(-48*time.Hour))
	s.MarkSent(ctx, items[1].Delivery.ID, letterT0)
	s.Reschedule(ctx, items[2].Delivery.ID, letterT0.Add(time.Minute), "CWC answered 503: down", letterT0)
	h, err := s.DeliveryHealth(ctx, letterT0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if h[0].SentLastDay != 1 || h[0].Queued != 1 || h[0].LastError != "CWC answered 503: down" ||
		!h[0].LastErrorAt.Equal(letterT0) || !h[0].LastSentAt.Equal(letterT0) {
		t.Fatalf("health %+v", h[0])
	}
}

// A database that ran later migrations before the one that lets deliveries
// be held (as one upgraded from an earlier main would have) keeps every
// column they added, and takes held deliveries.
func TestHeldMigrationAfterLaterOnes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "upgrade.db")
	before := fstest.MapFS{}
	names, err := fs.Glob(db.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if strings.Contains(n, "0050_add_delivery_holds") {
			continue
		}
		b, _ := fs.ReadFile(db.Migrations, n)
		before[n] = &fstest.MapFile{Data: b}
	}
	d, err := Open(ctx, path, before)
	if err != nil {
		t.Fatal(err)
	}
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	// Written as the older code would have.
	if _, err := d.W.Exec(`INSERT INTO letters (public_id, campaign_id, state, district, settled_by, prefix, first_name,
		last_name, address1, city, zip, email, email_norm, consent_at, created_at)
		VALUES ('AAAAAAAAAAAAAAAAAAAAAA', ?, 'NY', 12, 'zip', 'Ms.', 'Ada', 'L', '1 Main St', 'New York', '10025', 'a@b.co', 'a@b.co', ?, ?)`,
		cid, letterTime(letterT0), letterTime(letterT0)); err != nil {
		t.Fatal(err)
	}
	var cols []string
	rows, _ := d.W.Query("SELECT name FROM pragma_table_info('deliveries')")
	for rows.Next() {
		var n string
		rows.Scan(&n)
		cols = append(cols, n)
	}
	rows.Close()
	extra, extraValue := "", ""
	for _, col := range cols {
		if col == "position" {
			extra, extraValue = ", position", ", 'oppose'"
		}
	}
	if _, err := d.W.Exec(`INSERT INTO deliveries (letter_id, bioguide_id, office_code, chamber, channel, delivery_id,
		subject, template_text, next_attempt_at, created_at, updated_at`+extra+`)
		SELECT id, 'N000002', 'HNY12', 'house', 'cwc', 'Abcdefghij0123456789KLMNOPqrstuv', 'S', 'T', ?, ?, ?`+
		extraValue+` FROM letters`, letterTime(letterT0), letterTime(letterT0), letterTime(letterT0)); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, err = Open(ctx, path, db.Migrations)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer d.Close()
	var queuedAt string
	if err := d.R.QueryRow("SELECT queued_at FROM deliveries").Scan(&queuedAt); err != nil || queuedAt != letterTime(letterT0) {
		t.Fatalf("queued_at %q %v", queuedAt, err)
	}
	if extra != "" {
		var pos string
		if err := d.R.QueryRow("SELECT position FROM deliveries").Scan(&pos); err != nil || pos != "oppose" {
			t.Fatalf("position %q %v", pos, err)
		}
	}
	if _, err := d.W.Exec("UPDATE deliveries SET status = 'held'"); err != nil {
		t.Fatalf("held refused: %v", err)
	}
	if _, err := d.W.Exec("UPDATE deliveries SET status = 'lost'"); err == nil {
		t.Fatal("the status check is gone")
	}
	var ok string
	if err := d.R.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity %q %v", ok, err)
	}
}
