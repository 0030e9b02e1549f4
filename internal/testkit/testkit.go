// Package testkit is what the tests of several packages share to stand up
// the real parts: a migrated SQLite file in the test's temporary folder,
// the reference data of the 119th Congress, a clock the test moves by hand,
// the stores over that file, and accounts whose password hashes are cheap
// to compute. Stand-ins for outside services come from internal/standin.
//
// Only _test.go files import it (internal/layers checks that): it is not
// part of the app. It knows the adapters, never the HTTP layer, so the
// server's own tests can import it without a cycle and wire the server
// from what it builds.
package testkit

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// The reference data is read-only once loaded, so a test binary loads it
// once and every test shares it.
var (
	refOnce sync.Once
	refData *congress.Data
	refErr  error
)

// Reference is the reference data (members, districts, their boundaries)
// the app ships, loaded once per test binary.
func Reference(t testing.TB) *congress.Data {
	t.Helper()
	refOnce.Do(func() {
		refData, refErr = congress.Load(reference.FS)
		if refErr == nil {
			refErr = refData.WaitBoundaries()
		}
	})
	if refErr != nil {
		t.Fatalf("load reference data: %v", refErr)
	}
	return refData
}

// Clock is a clock the test sets and moves by hand; it is safe to read
// from the goroutines of a running server.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock that reads at until it is moved.
func NewClock(at time.Time) *Clock { return &Clock{now: at} }

// Now is the clock's time; pass the method where a func() time.Time goes.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d (back, when d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// OpenDB opens the SQLite file at path with every migration applied, and
// closes it when the test ends (closing it earlier is fine). An empty
// path is a new file in the test's temporary folder.
func OpenDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "test.db")
	}
	d, err := sqlite.Open(context.Background(), path, db.Migrations)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Passwords keep password hashing cheap in tests; the hashes have the
// real format.
var Passwords = advocacy.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password is the password of every account AddUser creates.
const Password = "correct horse battery staple"

// Kit is a migrated database in the test's temporary folder, the clock
// its stores read, the reference data, and the stores the app wires.
type Kit struct {
	DB    *sqlite.DB
	Clock *Clock
	Data  *congress.Data

	Campaigns  *sqlite.Campaigns
	Editor     *sqlite.CampaignEditor
	Letters    *sqlite.Letters
	Users      *sqlite.Users
	Partners   *sqlite.Partners
	Sessions   *sqlite.Sessions
	Audit      *sqlite.Audit
	Stats      *sqlite.Stats
	Exports    *sqlite.Exports
	Moderation *sqlite.Moderation

	// CampaignID is the seeded campaign's ID; 0 until SeedCampaign.
	CampaignID int64
}

// New is an empty, migrated database whose stores read a clock set at
// now; SeedCampaign adds the seeded campaign.
func New(t testing.TB, now time.Time) *Kit {
	t.Helper()
	d := OpenDB(t, "")
	c := NewClock(now)
	return &Kit{
		DB:         d,
		Clock:      c,
		Data:       Reference(t),
		Campaigns:  sqlite.NewCampaigns(d),
		Editor:     sqlite.NewCampaignEditor(d, c.Now),
		Letters:    sqlite.NewLetters(d, c.Now, rand.Reader),
		Users:      sqlite.NewUsers(d, c.Now),
		Partners:   sqlite.NewPartners(d, c.Now),
		Sessions:   sqlite.NewSessions(d),
		Audit:      sqlite.NewAudit(d),
		Stats:      sqlite.NewStats(d),
		Exports:    sqlite.NewExports(d, 0),
		Moderation: sqlite.NewModeration(d, c.Now),
	}
}

// SeedCampaign stores the seeded campaign (sqlite.SeedSlug) as of at and
// notes its ID.
func (k *Kit) SeedCampaign(t testing.TB, at time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := sqlite.SeedCampaign(ctx, k.DB, at); err != nil {
		t.Fatalf("seed: %v", err)
	}
	camp, err := k.Campaigns.Campaign(ctx, sqlite.SeedSlug)
	if err != nil {
		t.Fatalf("seeded campaign: %v", err)
	}
	k.CampaignID = camp.ID
}

// ChamberOf is the chamber of a member of the reference data, as the
// services that check sponsors and cosponsors ask for it.
func (k *Kit) ChamberOf(id string) (advocacy.Chamber, bool) {
	m, ok := k.Data.Member(id)
	return m.Chamber, ok
}

// AddUser creates an account with Password.
func (k *Kit) AddUser(t testing.TB, email string, role advocacy.Role, partner string) advocacy.User {
	t.Helper()
	h, err := advocacy.HashPassword(Password, Passwords, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	u, err := k.Users.CreateUser(context.Background(), advocacy.NewUser{Email: email, Role: role, PartnerCode: partner, PasswordHash: h}, 0)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// AddPartner creates a partner whose source code is code and whose page
// is the code in lower case.
func (k *Kit) AddPartner(t testing.TB, name, code string) {
	t.Helper()
	if _, err := k.Users.CreatePartner(context.Background(), advocacy.Partner{Name: name, Slug: strings.ToLower(code), SourceCode: code}, 0); err != nil {
		t.Fatal(err)
	}
}

// Count runs a query that counts rows.
func (k *Kit) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := k.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
