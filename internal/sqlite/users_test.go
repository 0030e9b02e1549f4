package sqlite

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// orgT0 is "now" in the organizer stores' tests.
var orgT0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// orgFixture is a database with the seeded campaign, a settable clock and
// the organizer stores over it.
type orgFixture struct {
	db         *DB
	clock      *letterClock
	campaignID int64
	letters    *Letters
	users      *Users
	sessions   *Sessions
	audit      *Audit
	stats      *Stats
	moderation *Moderation
	editor     *CampaignEditor
	campaigns  *Campaigns
}

func newOrgFixture(t testing.TB) *orgFixture {
	t.Helper()
	d := openLetterDB(t, "")
	ctx := context.Background()
	if err := SeedCampaign(ctx, d, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	clock := &letterClock{t: orgT0}
	f := &orgFixture{
		db: d, clock: clock,
		letters:    NewLetters(d, clock.Now, rand.Reader),
		users:      NewUsers(d, clock.Now),
		sessions:   NewSessions(d),
		audit:      NewAudit(d),
		stats:      NewStats(d),
		moderation: NewModeration(d, clock.Now),
		editor:     NewCampaignEditor(d, clock.Now),
		campaigns:  NewCampaigns(d),
	}
	c, err := f.campaigns.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	f.campaignID = c.ID
	return f
}

// recipient is one office a fixture letter goes to.
type recipient struct {
	id      string
	chamber advocacy.Chamber
	channel advocacy.Channel
}

var (
	toNY12  = recipient{"N000002", advocacy.House, advocacy.ChannelCWC}
	toNYSen = recipient{"S000148", advocacy.Senate, advocacy.ChannelAssisted}
	toWV1   = recipient{"M001205", advocacy.House, advocacy.ChannelCWC}
)

// fixtureLetter describes a letter to insert through the letters store.
type fixtureLetter struct {
	at           time.Time
	state        string
	district     int
	email        string
	first, last  string
	city         string
	ref          string
	organization string
	title        string
	personal     string
	newsletter   bool
	// updates asks the campaign for its news.
	updates bool
	status  advocacy.LetterStatus
	to      []recipient
}

// addLetter stores a letter at its time through Letters.CreateLetter.
func (f *orgFixture) addLetter(t testing.TB, fl fixtureLetter) advocacy.Letter {
	t.Helper()
	if fl.first == "" {
		fl.first, fl.last = "Ada", "Lovelace"
	}
	if fl.city == "" {
		fl.city = "Springfield"
	}
	nl := advocacy.NewLetter{
		CampaignID: f.campaignID,
		Input: advocacy.LetterInput{
			Campaign: SeedSlug, Prefix: "Ms.", FirstName: fl.first, LastName: fl.last, Address1: "1 Main St",
			City: fl.city, State: fl.state, Zip: "10025", Email: fl.email, PersonalMessage: fl.personal,
			Consent: true, Newsletter: fl.newsletter, CampaignUpdates: fl.updates, Ref: fl.ref, Organization: fl.organization, Title: fl.title,
		},
		State: fl.state, District: fl.district, SettledBy: advocacy.SettledByZIP, Status: fl.status,
	}
	for _, r := range fl.to {
		nl.Input.Recipients = append(nl.Input.Recipients, r.id)
		nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: r.id, OfficeCode: "X" + r.id,
			Chamber: r.chamber, Channel: r.channel, Subject: "Please cosponsor", TemplateText: "Dear member"})
	}
	f.clock.Set(fl.at)
	defer f.clock.Set(orgT0)
	res, err := f.letters.CreateLetter(context.Background(), nl)
	if err != nil {
		t.Fatalf("create letter %+v: %v", fl, err)
	}
	return res.Letter
}

// cheapHash is a real argon2id hash with tiny parameters, for speed.
func cheapHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := advocacy.HashPassword(pw, advocacy.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (f *orgFixture) addUser(t testing.TB, email string, role advocacy.Role, partner string) advocacy.User {
	t.Helper()
	u, err := f.users.CreateUser(context.Background(), advocacy.NewUser{Email: email, Role: role, PartnerCode: partner,
		PasswordHash: cheapHash(t, "a long test password")}, 0)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func TestUsersCreateAndLogin(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	admin := f.addUser(t, " Admin@Example.ORG ", advocacy.RoleAdmin, "")
	if admin.Email != "admin@example.org" || admin.Role != advocacy.RoleAdmin || admin.Disabled() || !admin.CreatedAt.Equal(orgT0) {
		t.Errorf("admin %+v", admin)
	}
	_, err := f.users.CreateUser(ctx, advocacy.NewUser{Email: "admin@example.org", Role: advocacy.RoleOrganizer,
		PasswordHash: cheapHash(t, "another password")}, admin.ID)
	if advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("duplicate email: %v", err)
	}
	_, err = f.users.CreateUser(ctx, advocacy.NewUser{Email: "p@example.org", Role: advocacy.RolePartner,
		PartnerCode: "nobody", PasswordHash: cheapHash(t, "another password")}, admin.ID)
	if advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("unknown partner: %v", err)
	}
	_, err = f.users.CreateUser(ctx, advocacy.NewUser{Email: "x@example.org", Role: advocacy.RoleOrganizer, PasswordHash: "plain"}, 0)
	if err == nil {
		t.Error("a plain password was stored")
	}

	p, err := f.users.CreatePartner(ctx, advocacy.Partner{Name: "Business Council", Slug: "business-council", SourceCode: "bizco",
		AllowedOrigins: []string{"https://biz.example"}}, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.CreatePartner(ctx, advocacy.Partner{Name: "Other", Slug: "other", SourceCode: "bizco"}, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("duplicate code: %v", err)
	}
	viewer := f.addUser(t, "viewer@biz.example", advocacy.RolePartner, "bizco")
	if viewer.PartnerID != p.ID || viewer.PartnerCode != "bizco" || viewer.PartnerName != "Business Council" {
		t.Errorf("viewer %+v", viewer)
	}
	got, err := f.users.PartnerByCode(ctx, "bizco")
	if err != nil || got.AllowedOrigins[0] != "https://biz.example" {
		t.Errorf("partner %+v %v", got, err)
	}
	if _, err := f.users.PartnerByCode(ctx, "none"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("missing partner: %v", err)
	}

	u, hash, err := f.users.UserForLogin(ctx, "VIEWER@biz.example")
	if err != nil || u.ID != viewer.ID {
		t.Fatalf("login lookup: %+v %v", u, err)
	}
	if ok, _ := advocacy.CheckPassword(hash, "a long test password"); !ok {
		t.Error("stored hash does not verify")
	}
	if _, _, err := f.users.UserForLogin(ctx, "nobody@example.org"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown email: %v", err)
	}
	all, err := f.users.ListUsers(ctx)
	if err != nil || len(all) != 2 {
		t.Errorf("list %v %v", all, err)
	}

	entries, err := f.audit.AuditLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].Action != "user.create" || entries[1].Action != "partner.create" {
		t.Fatalf("audit %+v", entries)
	}
	if strings.Contains(entries[0].After, "argon2") || !strings.Contains(entries[0].After, "viewer@biz.example") {
		t.Errorf("audit entry of a user: %s", entries[0].After)
	}
	if entries[2].UserID != 0 || entries[1].UserEmail != "admin@example.org" {
		t.Errorf("actors: %+v", entries)
	}
	older, err := f.audit.AuditLog(ctx, entries[1].ID, 10)
	if err != nil || len(older) != 1 || older[0].ID != entries[2].ID {
		t.Errorf("page after %d: %+v %v", entries[1].ID, older, err)
	}
}

func newSession(t testing.TB, f *orgFixture, userID int64, now time.Time) (string, advocacy.Session) {
	t.Helper()
	tok, err := advocacy.NewSessionToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := advocacy.Session{TokenHash: advocacy.HashToken(tok), UserID: userID, CSRFToken: "csrf-" + tok,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(12 * time.Hour)}
	if err := f.sessions.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return tok, s
}

func TestSessionsAndDisable(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	admin := f.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	org := f.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")

	tok1, _ := newSession(t, f, org.ID, orgT0)
	tok2, _ := newSession(t, f, org.ID, orgT0)
	sess, u, err := f.sessions.Session(ctx, advocacy.HashToken(tok1))
	if err != nil || u.ID != org.ID || sess.CSRFToken != "csrf-"+tok1 || !sess.LastSeen.Equal(orgT0) {
		t.Fatalf("session %+v %+v %v", sess, u, err)
	}
	if _, _, err := f.sessions.Session(ctx, advocacy.HashToken("nope")); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown session: %v", err)
	}
	if err := f.sessions.TouchSession(ctx, sess.TokenHash, orgT0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if sess, _, _ = f.sessions.Session(ctx, sess.TokenHash); !sess.LastSeen.Equal(orgT0.Add(5 * time.Minute)) {
		t.Errorf("touched to %v", sess.LastSeen)
	}

	// A password change keeps the session that made it and ends the others.
	if err := f.users.ChangePassword(ctx, org.ID, cheapHash(t, "a brand new password"), advocacy.HashToken(tok1), org.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.sessions.Session(ctx, advocacy.HashToken(tok2)); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("other session survived a password change: %v", err)
	}
	if _, _, err := f.sessions.Session(ctx, advocacy.HashToken(tok1)); err != nil {
		t.Errorf("current session ended by a password change: %v", err)
	}
	_, hash, _ := f.users.UserForLogin(ctx, org.Email)
	if ok, _ := advocacy.CheckPassword(hash, "a brand new password"); !ok {
		t.Error("new password not stored")
	}

	// Disabling ends every session in the same transaction.
	disabled, err := f.users.SetDisabled(ctx, org.ID, true, admin.ID)
	if err != nil || !disabled.Disabled() {
		t.Fatalf("disable: %+v %v", disabled, err)
	}
	if _, _, err := f.sessions.Session(ctx, advocacy.HashToken(tok1)); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("session survived disabling: %v", err)
	}
	if u, err := f.users.SetDisabled(ctx, org.ID, false, admin.ID); err != nil || u.Disabled() {
		t.Errorf("enable: %+v %v", u, err)
	}
	if _, err := f.users.SetDisabled(ctx, admin.ID, true, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("disabling the last admin: %v", err)
	}
	if _, err := f.users.SetDisabled(ctx, 999, true, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("disabling nobody: %v", err)
	}

	// Expired sessions are swept: one idle too long, one past its end.
	newSession(t, f, admin.ID, orgT0.Add(-time.Hour))
	tokLive, _ := newSession(t, f, admin.ID, orgT0)
	n, err := f.sessions.DeleteExpiredSessions(ctx, orgT0.Add(time.Minute), 30*time.Minute)
	if err != nil || n != 1 {
		t.Errorf("swept %d, %v", n, err)
	}
	if err := f.sessions.DeleteSession(ctx, advocacy.HashToken(tokLive)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.sessions.Session(ctx, advocacy.HashToken(tokLive)); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("deleted session still there: %v", err)
	}

	actions := []string{}
	entries, _ := f.audit.AuditLog(ctx, 0, 50)
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "user.enable user.disable user.password user.create user.create" {
		t.Errorf("audit actions: %s", got)
	}
}

func TestSchemaRejectsBadAccounts(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO users (email, password_hash, role, created_at, password_changed_at) VALUES ('a@b.c', 'plain', 'admin', 'x', 'x')`,
		`INSERT INTO users (email, password_hash, role, created_at, password_changed_at) VALUES ('a@b.c', '$argon2id$x', 'root', 'x', 'x')`,
		`INSERT INTO users (email, password_hash, role, created_at, password_changed_at) VALUES ('a@b.c', '$argon2id$x', 'partner', 'x', 'x')`,
		`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('short', 1, 'c', 'x', 'x', 'x')`,
		`INSERT INTO letter_moderation (letter_id, decision, reason, decided_at) VALUES (1, 'rejected', '', 'x')`,
		`INSERT INTO audit_log (action, entity, entity_id, before_json, created_at) VALUES ('a', 'b', 'c', '{bad', 'x')`,
	} {
		if _, err := f.db.W.ExecContext(ctx, q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}
