package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
)

// letterMigrations returns the real migrations, plus a stand-in campaigns
// table for as long as no real migration creates one (the campaigns issue
// owns it; its columns are the agreed ones).
func letterMigrations(t testing.TB) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(db.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	hasCampaigns := false
	re := regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?campaigns\b`)
	for _, n := range names {
		b, err := fs.ReadFile(db.Migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = &fstest.MapFile{Data: b}
		hasCampaigns = hasCampaigns || re.Match(b)
	}
	if !hasCampaigns {
		out["migrations/0002_create_campaigns.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE campaigns (
			id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
			ask TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('active','draft','closed')),
			starts_on TEXT, ends_on TEXT, cwc_campaign_id TEXT, created_at TEXT NOT NULL DEFAULT '') STRICT;`)}
	}
	return out
}

// openLetterDB opens a fresh database file with the migrations.
func openLetterDB(t testing.TB, path string) *DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "letters.db")
	}
	d, err := Open(context.Background(), path, letterMigrations(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	checkAggregatesAtEnd(t, d)
	return d
}

// insertLetterCampaign inserts a campaign, filling whatever required columns
// the campaigns table has, and returns its id.
func insertLetterCampaign(t testing.TB, d *DB, slug, cwcID string) int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := d.W.QueryContext(ctx, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('campaigns')")
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{}
	args := []any{}
	for rows.Next() {
		var name, typ string
		var notnull, pk int
		var dflt sql.NullString
		if err := rows.Scan(&name, &typ, &notnull, &dflt, &pk); err != nil {
			t.Fatal(err)
		}
		var v any
		switch name {
		case "id":
			continue
		case "slug":
			v = slug
		case "title":
			v = "Campaign " + slug
		case "status":
			v = "active"
		case "cwc_campaign_id":
			if cwcID == "" {
				continue
			}
			v = cwcID
		case "created_at", "updated_at":
			v = "2025-11-01T00:00:00Z"
		default:
			if notnull == 0 || dflt.Valid {
				continue
			}
			v = ""
			if strings.Contains(strings.ToUpper(typ), "INT") {
				v = 0
			}
		}
		cols = append(cols, name)
		args = append(args, v)
	}
	rows.Close()
	res, err := d.W.ExecContext(ctx, "INSERT INTO campaigns ("+strings.Join(cols, ", ")+") VALUES ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+")", args...)
	if err != nil {
		t.Fatalf("insert campaign: %v", err)
	}
	id, _ := res.LastInsertId()
	return id
}

// letterClock is a settable test clock.
type letterClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *letterClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *letterClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var letterT0 = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func newTestLetters(t testing.TB) (*Letters, *letterClock, *DB, int64) {
	t.Helper()
	d := openLetterDB(t, "")
	clock := &letterClock{t: letterT0}
	id := insertLetterCampaign(t, d, "jackson-vanik", "JV-2025")
	return NewLetters(d, clock.Now, rand.Reader), clock, d, id
}

// sampleLetter is a letter from NY-12 to its three members: the House member
// over CWC, the senators assisted.
func sampleLetter(campaignID int64, email, token string, recipients ...string) advocacy.NewLetter {
	if len(recipients) == 0 {
		recipients = []string{"N000002", "S000148", "G000555"}
	}
	nl := advocacy.NewLetter{
		CampaignID: campaignID,
		Input: advocacy.LetterInput{
			Campaign: "jackson-vanik", Recipients: recipients, Prefix: "Ms.", FirstName: "Ada", LastName: "Lovelace",
			Address1: "1 Riverside Dr", City: "New York", State: "NY", Zip: "10025", Email: email,
			Phone: "212-555-0100", PersonalMessage: "My shop exports to Kazakhstan.", Consent: true,
			Receipt: true, FormToken: token,
		},
		State: "NY", District: 12, SettledBy: advocacy.SettledByZIP, Topic: "Foreign Trade and International Finance",
	}
	for _, r := range recipients {
		nd := advocacy.NewDelivery{BioguideID: r, Subject: "Please cosponsor", TemplateText: "Dear member of " + r}
		switch r {
		case "S000148":
			nd.OfficeCode, nd.Chamber, nd.Channel = "SNY03", advocacy.Senate, advocacy.ChannelAssisted
			nd.Bill = advocacy.LetterBill{Congress: 119, Type: "s", Number: 3103}
		case "G000555":
			nd.OfficeCode, nd.Chamber, nd.Channel = "SNY01", advocacy.Senate, advocacy.ChannelAssisted
			nd.Bill = advocacy.LetterBill{Congress: 119, Type: "S", Number: 3103}
		default:
			nd.OfficeCode, nd.Chamber, nd.Channel = "HNY12", advocacy.House, advocacy.ChannelCWC
			nd.Bill = advocacy.LetterBill{Congress: 119, Type: "HR", Number: 5917}
		}
		nl.Recipients = append(nl.Recipients, nd)
	}
	return nl
}

func letterRowCounts(t testing.TB, d *DB) (letters, deliveries int) {
	t.Helper()
	if err := d.R.QueryRow("SELECT (SELECT count(*) FROM letters), (SELECT count(*) FROM deliveries)").Scan(&letters, &deliveries); err != nil {
		t.Fatal(err)
	}
	return letters, deliveries
}

func TestCreateLetterWritesLetterAndDeliveries(t *testing.T) {
	ctx := context.Background()
	s, _, d, cid := newTestLetters(t)
	got, err := s.CreateLetter(ctx, sampleLetter(cid, "Ada@Example.com", "tok1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Existing || len(got.AlreadyWrote) != 0 {
		t.Fatalf("fresh letter reported as existing/duplicate: %+v", got)
	}
	l := got.Letter
	if !advocacy.ValidLetterToken(l.PublicID) || l.Status != advocacy.LetterActive || !l.CreatedAt.Equal(letterT0) {
		t.Fatalf("letter = %+v", l)
	}
	if len(l.Deliveries) != 3 {
		t.Fatalf("%d deliveries", len(l.Deliveries))
	}
	ids := map[string]bool{}
	for _, dl := range l.Deliveries {
		if !advocacy.ValidDeliveryID(dl.DeliveryID) || ids[dl.DeliveryID] {
			t.Fatalf("bad or repeated delivery id %q", dl.DeliveryID)
		}
		ids[dl.DeliveryID] = true
		if dl.Status != advocacy.DeliveryQueued {
			t.Fatalf("status %s", dl.Status)
		}
		if (dl.Channel == advocacy.ChannelCWC) != !dl.NextAttemptAt.IsZero() {
			t.Fatalf("%s: channel %s next %v", dl.BioguideID, dl.Channel, dl.NextAttemptAt)
		}
	}
	if nl, nd := letterRowCounts(t, d); nl != 1 || nd != 3 {
		t.Fatalf("rows: %d letters, %d deliveries", nl, nd)
	}
	back, err := s.LetterByPublicID(ctx, l.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, l) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, l)
	}
	var norm string
	d.R.QueryRow("SELECT email_norm FROM letters").Scan(&norm)
	if norm != "ada@example.com" {
		t.Fatalf("email_norm = %q", norm)
	}
	ds, err := s.DeliveriesForLetter(ctx, l.ID)
	if err != nil || !reflect.DeepEqual(ds, l.Deliveries) {
		t.Fatalf("DeliveriesForLetter = %+v, %v", ds, err)
	}

	for _, bad := range []string{"", "nope", strings.Repeat("x", 22)} {
		if _, err := s.LetterByPublicID(ctx, bad); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
			t.Fatalf("LetterByPublicID(%q) = %v, want not found", bad, err)
		}
	}
}

func TestCreateLetterIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, _, d, cid := newTestLetters(t)
	nl := sampleLetter(cid, "ada@example.com", "tok1", "N000002", "S000148")
	nl.Recipients[1].BioguideID = "N000002" // violates UNIQUE (letter_id, bioguide_id) on the second insert
	if _, err := s.CreateLetter(ctx, nl); err == nil {
		t.Fatal("want error")
	}
	if nl, nd := letterRowCounts(t, d); nl != 0 || nd != 0 {
		t.Fatalf("a failed letter left %d letters and %d deliveries", nl, nd)
	}
	if _, err := s.CreateLetter(ctx, sampleLetter(cid+99, "ada@example.com", "tok2")); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Fatalf("unknown campaign: %v", err)
	}
	bad := sampleLetter(cid, "ada@example.com", "tok3")
	bad.Recipients = nil
	if _, err := s.CreateLetter(ctx, bad); err == nil {
		t.Fatal("no recipients accepted")
	}
}

func TestCreateLetterIdempotentOnFormToken(t *testing.T) {
	ctx := context.Background()
	s, clock, d, cid := newTestLetters(t)
	first, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "same-token"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(letterT0.Add(time.Minute))
	// A double click sends the same form again, possibly edited.
	again := sampleLetter(cid, "other@example.com", "same-token", "S000148")
	second, err := s.CreateLetter(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Existing || second.Letter.PublicID != first.Letter.PublicID || !reflect.DeepEqual(second.Letter, first.Letter) {
		t.Fatalf("second = %+v", second)
	}
	if nl, nd := letterRowCounts(t, d); nl != 1 || nd != 3 {
		t.Fatalf("rows: %d letters, %d deliveries", nl, nd)
	}
	// No token: no idempotency, but the dedupe rule still applies.
	a := sampleLetter(cid, "bob@example.com", "")
	if _, err := s.CreateLetter(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLetter(ctx, a); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Fatalf("resend without token: %v", err)
	}
}

func TestCreateLetterDedupe(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name      string
		age       time.Duration // how long ago the first letter was written
		email     string        // second letter's email
		otherCamp bool
		rejected  bool
		conflict  bool
	}{
		{name: "29 days later", age: 29 * day, email: "ada@example.com", conflict: true},
		{name: "same day, other case", age: time.Hour, email: " ADA@example.COM", conflict: true},
		{name: "just under 30 days", age: 30*day - time.Second, email: "ada@example.com", conflict: true},
		{name: "31 days later", age: 31 * day, email: "ada@example.com"},
		{name: "other email", age: time.Hour, email: "bob@example.com"},
		{name: "other campaign", age: time.Hour, email: "ada@example.com", otherCamp: true},
		{name: "first letter rejected", age: time.Hour, email: "ada@example.com", rejected: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, clock, d, cid := newTestLetters(t)
			first, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "t1"))
			if err != nil {
				t.Fatal(err)
			}
			if tc.rejected {
				d.W.Exec("UPDATE letters SET status = 'rejected' WHERE id = ?", first.Letter.ID)
			}
			second := cid
			if tc.otherCamp {
				second = insertLetterCampaign(t, d, "other", "")
			}
			clock.Set(letterT0.Add(tc.age))
			got, err := s.CreateLetter(ctx, sampleLetter(second, tc.email, "t2"))
			if tc.conflict {
				var e *advocacy.Error
				if !errors.As(err, &e) || e.Code != advocacy.CodeConflict || e.Message == "" {
					t.Fatalf("want conflict, got %v", err)
				}
				if !slices.Equal(got.AlreadyWrote, []string{"N000002", "S000148", "G000555"}) {
					t.Fatalf("AlreadyWrote = %v", got.AlreadyWrote)
				}
				if nl, nd := letterRowCounts(t, d); nl != 1 || nd != 3 {
					t.Fatalf("a duplicate wrote rows: %d letters, %d deliveries", nl, nd)
				}
				return
			}
			if err != nil || len(got.AlreadyWrote) != 0 || len(got.Letter.Deliveries) != 3 {
				t.Fatalf("want a new letter, got %+v, %v", got, err)
			}
		})
	}
}

func TestCreateLetterPartialDuplicate(t *testing.T) {
	ctx := context.Background()
	s, clock, d, cid := newTestLetters(t)
	if _, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "t1", "N000002")); err != nil {
		t.Fatal(err)
	}
	clock.Set(letterT0.Add(48 * time.Hour))
	got, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "t2", "N000002", "S000148"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.AlreadyWrote, []string{"N000002"}) || len(got.Letter.Deliveries) != 1 ||
		got.Letter.Deliveries[0].BioguideID != "S000148" {
		t.Fatalf("got %+v", got)
	}
	if nl, nd := letterRowCounts(t, d); nl != 2 || nd != 2 {
		t.Fatalf("rows: %d letters, %d deliveries", nl, nd)
	}
}

func TestLetterCounts(t *testing.T) {
	ctx := context.Background()
	s, clock, d, cid := newTestLetters(t)
	other := insertLetterCampaign(t, d, "other", "")
	add := func(camp int64, email, state string, district int, ref string, status advocacy.LetterStatus, at time.Time, recips ...string) {
		t.Helper()
		clock.Set(at)
		nl := sampleLetter(camp, email, "", recips...)
		nl.State, nl.District, nl.Status = state, district, status
		nl.Input.Ref = ref
		if _, err := s.CreateLetter(ctx, nl); err != nil {
			t.Fatal(err)
		}
	}
	old := letterT0.Add(-72 * time.Hour)
	add(cid, "a@example.com", "NY", 12, "", "", old)                                  // 3 deliveries
	add(cid, "b@example.com", "NY", 12, "acme", "", letterT0, "N000002")              // 1
	add(cid, "c@example.com", "NY", 10, "acme", "", letterT0, "S000148")              // 1
	add(cid, "d@example.com", "AK", 0, "", "", letterT0, "N000002")                   // 1 (codes don't matter here)
	add(cid, "e@example.com", "NY", 12, "acme", advocacy.LetterHeld, letterT0)        // held: not counted
	add(other, "a@example.com", "NY", 12, "acme", "", letterT0, "N000002", "S000148") // other campaign

	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
	}
	n, err := s.CountLetters(ctx, cid)
	check("CountLetters", n, 4, err)
	n, err = s.CountByRef(ctx, cid, "acme")
	check("CountByRef", n, 2, err)
	n, err = s.CountByDistrict(ctx, cid, "ny", 12)
	check("CountByDistrict", n, 2, err)
	n, err = s.CountByDistrict(ctx, cid, "AK", 0)
	check("CountByDistrict at-large", n, 1, err)
	n, err = s.CountSince(ctx, cid, letterT0.Add(-24*time.Hour))
	check("CountSince", n, 3, err)
	byOffice, err := s.CountByOffice(ctx, cid)
	check("CountByOffice", byOffice, map[string]int{"N000002": 3, "S000148": 2, "G000555": 1}, err)
	byChamber, err := s.CountByChamber(ctx, cid)
	check("CountByChamber", byChamber, map[advocacy.Chamber]int{advocacy.House: 3, advocacy.Senate: 3}, err)
	byState, err := s.CountByState(ctx, cid)
	check("CountByState", byState, map[string]int{"NY": 3, "AK": 1}, err)
	st, err := s.Stats(ctx, cid, letterT0.Add(-24*time.Hour))
	check("Stats", st, advocacy.LetterStats{Total: 4, Since: 3, ByChamber: byChamber, ByState: byState}, err)
	empty, err := s.Stats(ctx, cid+100, letterT0)
	check("Stats of empty campaign", empty, advocacy.LetterStats{
		ByChamber: map[advocacy.Chamber]int{advocacy.House: 0, advocacy.Senate: 0}, ByState: map[string]int{}}, err)
}

func TestConfirmDelivery(t *testing.T) {
	ctx := context.Background()
	s, clock, d, cid := newTestLetters(t)
	got, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "t1"))
	if err != nil {
		t.Fatal(err)
	}
	l := got.Letter
	house, senior := l.Deliveries[0], l.Deliveries[1]
	clock.Set(letterT0.Add(time.Hour))

	c, err := s.ConfirmDelivery(ctx, l.PublicID, senior.DeliveryID, advocacy.ChannelContactForm)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != advocacy.DeliveryConfirmedByUser || c.Channel != advocacy.ChannelContactForm || !c.ConfirmedAt.Equal(letterT0.Add(time.Hour)) {
		t.Fatalf("confirmed = %+v", c)
	}
	clock.Set(letterT0.Add(2 * time.Hour))
	again, err := s.ConfirmDelivery(ctx, l.PublicID, senior.DeliveryID, advocacy.ChannelPhone)
	if err != nil || !reflect.DeepEqual(again, c) {
		t.Fatalf("second confirm = %+v, %v", again, err)
	}

	tests := []struct {
		name       string
		publicID   string
		deliveryID string
		channel    advocacy.Channel
		code       advocacy.Code
	}{
		{"cwc still queued", l.PublicID, house.DeliveryID, advocacy.ChannelPrint, advocacy.CodeConflict},
		{"channel not a user channel", l.PublicID, l.Deliveries[2].DeliveryID, advocacy.ChannelCWC, advocacy.CodeInvalid},
		{"other letter's token", "AAAAAAAAAAAAAAAAAAAAAA", senior.DeliveryID, advocacy.ChannelPrint, advocacy.CodeNotFound},
		{"malformed token", "x", senior.DeliveryID, advocacy.ChannelPrint, advocacy.CodeNotFound},
		{"unknown delivery", l.PublicID, strings.Repeat("A", 32), advocacy.ChannelPrint, advocacy.CodeNotFound},
	}
	for _, tc := range tests {
		if _, err := s.ConfirmDelivery(ctx, tc.publicID, tc.deliveryID, tc.channel); advocacy.ErrorCode(err) != tc.code {
			t.Errorf("%s: err = %v, want code %s", tc.name, err, tc.code)
		}
	}

	// A CWC delivery that failed may be sent by hand.
	if err := s.MarkFailed(ctx, house.ID, "CWC rejected it", letterT0); err != nil {
		t.Fatal(err)
	}
	c, err = s.ConfirmDelivery(ctx, l.PublicID, house.DeliveryID, advocacy.ChannelPrint)
	if err != nil || c.Status != advocacy.DeliveryConfirmedByUser || c.Channel != advocacy.ChannelPrint {
		t.Fatalf("confirm failed cwc = %+v, %v", c, err)
	}
	_ = d
}

func TestClaimDue(t *testing.T) {
	ctx := context.Background()
	s, _, d, cid := newTestLetters(t)
	other := insertLetterCampaign(t, d, "no-cwc-id", "")
	a, err := s.CreateLetter(ctx, sampleLetter(cid, "a@example.com", "")) // 1 cwc + 2 assisted
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateLetter(ctx, sampleLetter(other, "b@example.com", "", "N000002"))
	if err != nil {
		t.Fatal(err)
	}
	held := sampleLetter(cid, "c@example.com", "", "N000002")
	held.Status = advocacy.LetterHeld
	if _, err := s.CreateLetter(ctx, held); err != nil {
		t.Fatal(err)
	}
	lease := 5 * time.Minute

	// Not due before its time.
	items, err := s.ClaimDue(ctx, advocacy.House, letterT0.Add(-time.Second), 10, lease)
	if err != nil || len(items) != 0 {
		t.Fatalf("early claim = %d items, %v", len(items), err)
	}
	items, err = s.ClaimDue(ctx, advocacy.House, letterT0, 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("claimed %d, want the two active CWC deliveries", len(items))
	}
	first := items[0]
	if first.Delivery.ID != a.Letter.Deliveries[0].ID || first.Delivery.Attempts != 1 || first.CWCCampaignID != "JV-2025" ||
		first.CampaignSlug != "jackson-vanik" || first.Letter.Email != "a@example.com" || first.Letter.Topic == "" ||
		first.Delivery.Bill != (advocacy.LetterBill{Congress: 119, Type: "HR", Number: 5917}) || len(first.Letter.Deliveries) != 0 {
		t.Fatalf("item = %+v", first)
	}
	if items[1].Delivery.ID != b.Letter.Deliveries[0].ID || items[1].CWCCampaignID != "no-cwc-id" {
		t.Fatalf("second item = %+v", items[1])
	}

	// Leased: nobody else gets them until the lease runs out.
	if again, _ := s.ClaimDue(ctx, advocacy.House, letterT0.Add(lease-time.Second), 10, lease); len(again) != 0 {
		t.Fatalf("claimed %d leased deliveries", len(again))
	}
	again, err := s.ClaimDue(ctx, advocacy.House, letterT0.Add(lease+time.Second), 1, lease)
	if err != nil || len(again) != 1 || again[0].Delivery.Attempts != 2 {
		t.Fatalf("after lease: %+v, %v", again, err)
	}

	// Outcomes.
	if err := s.MarkFailed(ctx, b.Letter.Deliveries[0].ID, "CWC answered 400: bad zip", letterT0); err != nil {
		t.Fatal(err)
	}
	dl := letterDeliveryByID(t, s, b.Letter.PublicID, b.Letter.Deliveries[0].ID)
	if dl.Status != advocacy.DeliveryFailed || dl.LastError != "CWC answered 400: bad zip" {
		t.Fatalf("failed = %+v", dl)
	}
	id := first.Delivery.ID
	next := letterT0.Add(time.Hour)
	if err := s.Reschedule(ctx, id, next, "CWC answered 503", letterT0); err != nil {
		t.Fatal(err)
	}
	dl = letterDeliveryByID(t, s, a.Letter.PublicID, id)
	if !dl.NextAttemptAt.Equal(next) || dl.LastError != "CWC answered 503" || dl.Status != advocacy.DeliveryQueued {
		t.Fatalf("rescheduled = %+v", dl)
	}
	if c, _ := s.ClaimDue(ctx, advocacy.House, next.Add(-time.Second), 10, lease); len(c) != 0 {
		t.Fatalf("claimed before the rescheduled time")
	}
	c, err := s.ClaimDue(ctx, advocacy.House, next, 10, lease)
	if err != nil || len(c) != 1 || c[0].Delivery.ID != id {
		t.Fatalf("claim at rescheduled time = %+v, %v", c, err)
	}
	if err := s.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	if dl := letterDeliveryByID(t, s, a.Letter.PublicID, id); dl.Attempts != 2 {
		t.Fatalf("release kept the attempt: %d", dl.Attempts)
	}
	c, _ = s.ClaimDue(ctx, advocacy.House, next, 10, lease)
	if len(c) != 1 {
		t.Fatal("released delivery not claimable")
	}
	if err := s.MarkSent(ctx, id, next.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	dl = letterDeliveryByID(t, s, a.Letter.PublicID, id)
	if dl.Status != advocacy.DeliverySent || !dl.SentAt.Equal(next.Add(time.Second)) || dl.LastError != "" {
		t.Fatalf("sent = %+v", dl)
	}
	if err := s.MarkSent(ctx, id, next); err == nil {
		t.Fatal("marking a sent delivery again should fail")
	}
	if c, _ := s.ClaimDue(ctx, advocacy.House, next.Add(24*time.Hour), 10, lease); len(c) != 0 {
		t.Fatalf("claimed %d finished deliveries", len(c))
	}
}

func letterDeliveryByID(t *testing.T, s *Letters, publicID string, id int64) advocacy.Delivery {
	t.Helper()
	l, err := s.LetterByPublicID(context.Background(), publicID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.Deliveries {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("delivery %d not in letter", id)
	return advocacy.Delivery{}
}

// Two processes on one file (two DB handles) claiming concurrently never get
// the same delivery.
func TestClaimDueNeverTwice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	d1 := openLetterDB(t, path)
	d2 := openLetterDB(t, path)
	cid := insertLetterCampaign(t, d1, "jackson-vanik", "")
	clock := &letterClock{t: letterT0}
	s1 := NewLetters(d1, clock.Now, rand.Reader)
	s2 := NewLetters(d2, clock.Now, rand.Reader)
	const n = 60
	for i := range n {
		if _, err := s1.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("p%d@example.com", i), "", "N000002")); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 6 {
		s := []*Letters{s1, s2}[w%2]
		wg.Go(func() {
			for {
				items, err := s.ClaimDue(ctx, advocacy.House, letterT0, 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					seen[it.Delivery.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct deliveries, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("delivery %d claimed %d times", id, c)
		}
	}
}

// BenchmarkCreateLetter measures durable letter submissions (one IMMEDIATE
// transaction with synchronous=FULL, three deliveries each) against a real
// file.
func BenchmarkCreateLetter(b *testing.B) {
	ctx := context.Background()
	d := openLetterDB(b, "")
	cid := insertLetterCampaign(b, d, "jackson-vanik", "")
	var i int
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		i++
		if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("tok%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "letters/s")
}

// BenchmarkCreateLetterParallel has many requests writing at once, as a busy
// server does: their letters share group commits.
func BenchmarkCreateLetterParallel(b *testing.B) {
	ctx := context.Background()
	d := openLetterDB(b, "")
	cid := insertLetterCampaign(b, d, "jackson-vanik", "")
	var n atomic.Int64
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("tok%d", i))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "letters/s")
}

// TestGroupCommitKeepsLettersApart sends many letters at once, some of them
// duplicates of each other: each gets its own answer, and a failing letter
// in a group does not take the others down.
func TestGroupCommitKeepsLettersApart(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	const senders = 40
	var wg sync.WaitGroup
	var created, existing, conflicts atomic.Int64
	for i := range senders * 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Two submissions per sender: the same form token twice (a double
			// click) for even i, or a second form from the same email for odd i.
			who := i % senders
			token := fmt.Sprintf("tok%d", who)
			if i >= senders && who%2 == 1 {
				token = fmt.Sprintf("other%d", who)
			}
			res, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("g%d@example.com", who), token))
			switch {
			case advocacy.ErrorCode(err) == advocacy.CodeConflict:
				conflicts.Add(1)
			case err != nil:
				t.Error(err)
			case res.Existing:
				existing.Add(1)
			default:
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	if created.Load() != senders || existing.Load() != senders/2 || conflicts.Load() != senders/2 {
		t.Errorf("created %d, existing %d, conflicts %d; want %d, %d, %d",
			created.Load(), existing.Load(), conflicts.Load(), senders, senders/2, senders/2)
	}
	var rows int
	d.R.QueryRow("SELECT count(*) FROM letters").Scan(&rows)
	if rows != senders {
		t.Errorf("%d letters stored, want %d", rows, senders)
	}
}

// TestCloseWaitsForTheGroupCommit: letters whose senders went away (their
// requests' contexts ended) are still being written; Close returns only once
// they are, and refuses letters after that.
func TestCloseWaitsForTheGroupCommit(t *testing.T) {
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	const n = 300
	for i := range n {
		// The answer may come first, or the end of the context.
		if _, err := s.CreateLetter(gone, sampleLetter(cid, fmt.Sprintf("w%d@example.com", i), "")); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("letter %d: %v", i, err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if letters, _ := letterRowCounts(t, d); letters != n {
		t.Errorf("%d letters written when Close returned, want %d", letters, n)
	}
	if _, err := s.CreateLetter(context.Background(), sampleLetter(cid, "late@example.com", "")); !errors.Is(err, errLettersClosed) {
		t.Errorf("letter after Close: %v", err)
	}
}

// TestGroupCommitRollsBackAHalfWrittenLetter: a letter that fails after it
// started to write (here its second delivery breaks the one-copy-per-office
// rule) takes nothing else down: the group is written again with a
// savepoint per letter, and only that letter is missing.
func TestGroupCommitRollsBackAHalfWrittenLetter(t *testing.T) {
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	bad := sampleLetter(cid, "bad@example.com", "", "N000002", "S000148")
	bad.Recipients[1] = bad.Recipients[0]
	var batch []*createJob
	for _, nl := range []advocacy.NewLetter{sampleLetter(cid, "a@example.com", ""), bad, sampleLetter(cid, "b@example.com", "")} {
		j, err := s.newJob(nl)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, j)
	}
	s.commitGroup(batch)
	for i, j := range batch {
		r := <-j.done
		if (r.err != nil) != (i == 1) {
			t.Errorf("letter %d: %v", i, r.err)
		}
	}
	if letters, deliveries := letterRowCounts(t, d); letters != 2 || deliveries != 6 {
		t.Errorf("%d letters and %d deliveries stored, want 2 and 6", letters, deliveries)
	}
}

// BenchmarkCommitGroup writes groups of 32 letters (three deliveries each),
// as a busy server's group commit does, and reports the CPU time per letter
// of writing and committing them (process CPU, so it holds on a busy
// machine better than wall time does).
func BenchmarkCommitGroup(b *testing.B) {
	d := openLetterDB(b, "")
	cid := insertLetterCampaign(b, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	const size = 32
	n := 0
	var cpu time.Duration
	for b.Loop() {
		batch := make([]*createJob, size)
		for i := range batch {
			n++
			j, err := s.newJob(sampleLetter(cid, fmt.Sprintf("p%d@example.com", n), fmt.Sprintf("tok%d", n)))
			if err != nil {
				b.Fatal(err)
			}
			batch[i] = j
		}
		before := processCPU(b)
		s.commitGroup(batch)
		cpu += processCPU(b) - before
		for _, j := range batch {
			if r := <-j.done; r.err != nil {
				b.Fatal(r.err)
			}
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/letter")
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
