package advocacy

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

// cheapParams keep the tests fast; the format and checks are the same.
var cheapParams = PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndCheckPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", cheapParams, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q does not carry its parameters", h)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{"", false},
	} {
		ok, err := CheckPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	h2, err := HashPassword("correct horse battery staple", cheapParams, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	// The default parameters verify too (read back from the string).
	hd, err := HashPassword("pw-for-defaults-1", DefaultPasswordParams, bytes.NewReader(make([]byte, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(hd, "pw-for-defaults-1"); !ok || err != nil {
		t.Errorf("default params: %v %v", ok, err)
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=100,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
	} {
		if ok, err := CheckPassword(h, "x"); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw, email string
		ok        bool
	}{
		{"short", "", false},
		{"twelve chars", "", true},
		{"            ", "", false},
		{"a@example.org", "a@example.org", false},
		{strings.Repeat("x", PasswordMaxLen+1), "", false},
		{"with\x00control!!", "", false},
		{"ünïcödé pässwörd", "", true},
	} {
		if err := ValidatePassword(tc.pw, tc.email); (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	a, err := GeneratePassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GeneratePassword(rand.Reader)
	if len(a) != 24 || a == b {
		t.Errorf("generated %q and %q", a, b)
	}
	if err := ValidatePassword(a, ""); err != nil {
		t.Errorf("a generated password fails validation: %v", err)
	}
	for _, c := range a {
		if !strings.ContainsRune(passwordAlphabet, c) {
			t.Errorf("character %q outside the alphabet", c)
		}
	}
}

func TestRolePermissions(t *testing.T) {
	for _, tc := range []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, PermManageUsers, true},
		{RoleAdmin, PermEditContent, true},
		{RoleAdmin, PermExport, true},
		{RoleOrganizer, PermManageUsers, false},
		{RoleOrganizer, PermManagePartners, false},
		{RoleOrganizer, PermViewAudit, false},
		{RoleOrganizer, PermEditContent, true},
		{RoleOrganizer, PermModerate, true},
		{RolePartner, PermViewStats, false},
		{RolePartner, PermViewPersonal, false},
		{RolePartner, PermExport, false},
		{RolePartner, PermViewPartnerStats, true},
		{Role("root"), PermViewStats, false},
	} {
		if got := tc.role.Can(tc.perm); got != tc.want {
			t.Errorf("%s can %s = %v, want %v", tc.role, tc.perm, got, tc.want)
		}
	}
	u := User{Role: RoleAdmin, DisabledAt: time.Now()}
	if u.Can(PermViewStats) {
		t.Error("a disabled admin keeps permissions")
	}
}

func TestValidateNewUser(t *testing.T) {
	for _, tc := range []struct {
		in    NewUser
		field string // "" for valid
	}{
		{NewUser{Email: " Ana@Example.ORG ", Role: RoleOrganizer}, ""},
		{NewUser{Email: "p@example.org", Role: RolePartner, PartnerCode: "bizco"}, ""},
		{NewUser{Email: "p@example.org", Role: RolePartner}, "partner"},
		{NewUser{Email: "o@example.org", Role: RoleOrganizer, PartnerCode: "bizco"}, "partner"},
		{NewUser{Email: "not an email", Role: RoleAdmin}, "email"},
		{NewUser{Email: "a@example.org", Role: "boss"}, "role"},
	} {
		out, err := ValidateNewUser(tc.in)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.in, err)
			}
			if out.Email != strings.ToLower(strings.TrimSpace(tc.in.Email)) {
				t.Errorf("email not normalised: %q", out.Email)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Fields[tc.field] == "" {
			t.Errorf("%+v: error %v, want one on %s", tc.in, err, tc.field)
		}
	}
}

func TestSessionPolicy(t *testing.T) {
	p := SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, TouchEvery: time.Minute}
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(p.Absolute)}
	for _, tc := range []struct {
		name     string
		lastSeen time.Time
		now      time.Time
		expired  bool
		touch    bool
	}{
		{"fresh", t0, t0.Add(10 * time.Second), false, false},
		{"touch after a minute", t0, t0.Add(2 * time.Minute), false, true},
		{"idle 29 minutes", t0, t0.Add(29 * time.Minute), false, true},
		{"idle 30 minutes", t0, t0.Add(30 * time.Minute), true, true},
		{"busy but past 12 hours", t0.Add(12*time.Hour - 30*time.Second), t0.Add(12 * time.Hour), true, false},
		{"busy within 12 hours", t0.Add(11 * time.Hour), t0.Add(11*time.Hour + 5*time.Minute), false, true},
	} {
		s.LastSeen = tc.lastSeen
		if got := p.Expired(s, tc.now); got != tc.expired {
			t.Errorf("%s: expired = %v", tc.name, got)
		}
		if got := p.NeedsTouch(s, tc.now); got != tc.touch {
			t.Errorf("%s: touch = %v", tc.name, got)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, err := NewSessionToken(rand.Reader)
	if err != nil || !ValidSessionToken(tok) {
		t.Fatalf("token %q: %v", tok, err)
	}
	if h := HashToken(tok); len(h) != 64 || h == tok {
		t.Errorf("hash %q", h)
	}
	csrf, _ := NewCSRFToken(rand.Reader)
	if len(csrf) != 43 {
		t.Errorf("csrf token %q", csrf)
	}
	if !TokensEqual(csrf, csrf) || TokensEqual(csrf, csrf[:42]+"x") || TokensEqual("", "") {
		t.Error("TokensEqual")
	}
	if ValidSessionToken("../../etc/passwd") || ValidSessionToken("") {
		t.Error("malformed token accepted")
	}
}

func TestThrottleRule(t *testing.T) {
	r := ThrottleRule{Limit: 3, Window: 15 * time.Minute}
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	fails := []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)}
	if ok, _ := r.Check(fails[:2], t0.Add(3*time.Minute)); !ok {
		t.Error("two failures block")
	}
	ok, wait := r.Check(fails, t0.Add(3*time.Minute))
	if ok || wait != 12*time.Minute {
		t.Errorf("three failures: ok=%v wait=%v, want blocked for 12m", ok, wait)
	}
	if ok, _ := r.Check(fails, t0.Add(15*time.Minute)); !ok {
		t.Error("the oldest failure should have left the window")
	}
	if got := r.Prune(fails, t0.Add(16*time.Minute)); len(got) != 1 {
		t.Errorf("prune kept %v", got)
	}
	if RetryMessage(12*time.Minute) != "in 12 minutes" || RetryMessage(20*time.Second) != "in a minute" {
		t.Error("RetryMessage")
	}
}

func TestValidatePartner(t *testing.T) {
	p, err := ValidatePartner(Partner{Name: " Business  Council ", Slug: "Business-Council", SourceCode: "bizco",
		AllowedOrigins: []string{"https://Example.org/", ""}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Business Council" || p.Slug != "business-council" || len(p.AllowedOrigins) != 1 || p.AllowedOrigins[0] != "https://example.org" {
		t.Errorf("normalised to %+v", p)
	}
	for _, bad := range []Partner{
		{Name: "", Slug: "a", SourceCode: "a"},
		{Name: "A", Slug: "a b", SourceCode: "a"},
		{Name: "A", Slug: "a", SourceCode: "a b"},
		{Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"https://example.org/path"}},
		{Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"javascript:alert(1)"}},
	} {
		if _, err := ValidatePartner(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
