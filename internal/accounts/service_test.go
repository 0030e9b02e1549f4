package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

var fastPasswords = advocacy.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const goodPassword = "correct horse battery staple"

// fakeStore keeps accounts and sessions in memory.
type fakeStore struct {
	mu       sync.Mutex
	users    map[int64]advocacy.User
	hashes   map[int64]string
	sessions map[string]advocacy.Session
	// kept is the session a password change kept.
	kept string
}

func newFakeStore() *fakeStore {
	return &fakeStore{users: map[int64]advocacy.User{}, hashes: map[int64]string{}, sessions: map[string]advocacy.Session{}}
}

func (f *fakeStore) UserForLogin(_ context.Context, email string) (advocacy.User, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, u := range f.users {
		if u.Email == advocacy.NormalizeEmail(email) {
			return u, f.hashes[id], nil
		}
	}
	return advocacy.User{}, "", advocacy.NotFound("no such account")
}

func (f *fakeStore) User(_ context.Context, id int64) (advocacy.User, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return u, "", advocacy.NotFound("no such account")
	}
	return u, f.hashes[id], nil
}

func (f *fakeStore) CreateUser(_ context.Context, nu advocacy.NewUser, _ int64) (advocacy.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Email == nu.Email {
			return advocacy.User{}, &advocacy.Error{Code: advocacy.CodeConflict, Message: "taken", Fields: map[string]string{"email": "taken"}}
		}
	}
	u := advocacy.User{ID: int64(len(f.users) + 1), Email: nu.Email, Role: nu.Role}
	f.users[u.ID], f.hashes[u.ID] = u, nu.PasswordHash
	return u, nil
}

func (f *fakeStore) ChangePassword(_ context.Context, id int64, newHash, keep string, _ int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hashes[id], f.kept = newHash, keep
	for h, s := range f.sessions {
		if s.UserID == id && h != keep {
			delete(f.sessions, h)
		}
	}
	return nil
}

func (f *fakeStore) CreateSession(_ context.Context, s advocacy.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[s.TokenHash] = s
	return nil
}

func (f *fakeStore) Session(_ context.Context, hash string) (advocacy.Session, advocacy.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[hash]
	if !ok {
		return s, advocacy.User{}, advocacy.NotFound("no session")
	}
	return s, f.users[s.UserID], nil
}

func (f *fakeStore) TouchSession(_ context.Context, hash string, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sessions[hash]
	s.LastSeen = now
	f.sessions[hash] = s
	return nil
}

func (f *fakeStore) DeleteSession(_ context.Context, hash string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, hash)
	return nil
}

func (f *fakeStore) DeleteExpiredSessions(_ context.Context, now time.Time, idle time.Duration) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for h, s := range f.sessions {
		if now.After(s.ExpiresAt) || now.Sub(s.LastSeen) > idle {
			delete(f.sessions, h)
			n++
		}
	}
	return n, nil
}

type env struct {
	store *fakeStore
	now   time.Time
	svc   *Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: newFakeStore(), now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	cfg := Config{Sessions: advocacy.DefaultSessionPolicy, Passwords: fastPasswords,
		AccountThrottle: advocacy.ThrottleRule{Limit: 3, Window: 15 * time.Minute},
		IPThrottle:      advocacy.ThrottleRule{Limit: 10, Window: 15 * time.Minute},
		GlobalThrottle:  advocacy.ThrottleRule{Limit: 50, Window: time.Hour}}
	e.svc = New(e.store, e.store, cfg, func() time.Time { return e.now }, rand.Reader)
	if _, _, err := e.svc.CreateAccount(t.Context(), advocacy.NewUser{Email: "org@example.org", Role: advocacy.RoleOrganizer}, goodPassword, 0); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSignInStartsASessionTheTokenOpens(t *testing.T) {
	e := newEnv(t)
	tok, err := e.svc.SignIn(t.Context(), "ORG@example.org ", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if _, stored := e.store.sessions[tok]; stored {
		t.Error("the store keeps the token itself, not its hash")
	}
	sess, user, err := e.svc.Session(t.Context(), tok)
	if err != nil || user.Email != "org@example.org" || sess.CSRFToken == "" {
		t.Fatalf("session = %+v, %+v, %v", sess, user, err)
	}
	if err := e.svc.SignOut(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Session(t.Context(), tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("after sign-out: %v, want ErrNoSession", err)
	}
}

func TestSignInRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, email, password string
		disable               bool
		want                  error
	}{
		{"wrong password", "org@example.org", "not the password at all", false, ErrWrongCredentials},
		{"unknown email", "nobody@example.org", goodPassword, false, ErrWrongCredentials},
		{"disabled, right password", "org@example.org", goodPassword, true, ErrDisabled},
		{"disabled, wrong password", "org@example.org", "not the password at all", true, ErrDisabled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.disable {
				u := e.store.users[1]
				u.DisabledAt = e.now
				e.store.users[1] = u
			}
			tok, err := e.svc.SignIn(t.Context(), tc.email, tc.password, "192.0.2.1")
			if !errors.Is(err, tc.want) || tok != "" {
				t.Errorf("SignIn = %q, %v; want %v", tok, err, tc.want)
			}
			if len(e.store.sessions) != 0 {
				t.Error("a refused sign-in started a session")
			}
		})
	}
}

func TestWrongPasswordsThrottleOneAddressOnly(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		if _, err := e.svc.SignIn(t.Context(), "org@example.org", "not the password at all", "192.0.2.1"); !errors.Is(err, ErrWrongCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	_, err := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "192.0.2.1")
	var th *Throttled
	if !errors.As(err, &th) || th.Wait <= 0 || th.Wait > 15*time.Minute {
		t.Fatalf("fourth attempt: %v, want *Throttled with a wait up to the window", err)
	}
	// The owner, from elsewhere, is not locked out.
	if _, err := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "198.51.100.7"); err != nil {
		t.Errorf("from another address: %v", err)
	}
	// The window passes.
	e.now = e.now.Add(16 * time.Minute)
	if _, err := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestSessionsEnd(t *testing.T) {
	e := newEnv(t)
	tok, err := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Session(t.Context(), "not-a-token"); !errors.Is(err, ErrNoSession) {
		t.Errorf("malformed token: %v", err)
	}
	// Used within the idle time, the session lives on and is touched.
	e.now = e.now.Add(20 * time.Minute)
	if sess, _, err := e.svc.Session(t.Context(), tok); err != nil || !sess.LastSeen.Equal(e.now) {
		t.Fatalf("used after 20 minutes: %+v, %v", sess, err)
	}
	// Idle past the limit, it ends and is deleted.
	e.now = e.now.Add(31 * time.Minute)
	if _, _, err := e.svc.Session(t.Context(), tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle 31 minutes: %v, want ErrNoSession", err)
	}
	if len(e.store.sessions) != 0 {
		t.Error("the idle session was not deleted")
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	tok, _ := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "192.0.2.1")
	other, _ := e.svc.SignIn(t.Context(), "org@example.org", goodPassword, "198.51.100.7")
	sess, user, err := e.svc.Session(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	const next = "a much better passphrase here"
	for _, tc := range []struct{ current, next, confirm, field string }{
		{"wrong current password", next, next, "current"},
		{goodPassword, "short", "short", "password"},
		{goodPassword, next, next + "x", "confirm"},
	} {
		err := e.svc.ChangePassword(t.Context(), user, sess, tc.current, tc.next, tc.confirm, "192.0.2.1")
		var de *advocacy.Error
		if !errors.As(err, &de) || de.Code != advocacy.CodeInvalid || de.Fields[tc.field] == "" {
			t.Errorf("%q/%q/%q: %v, want an error on %s", tc.current, tc.next, tc.confirm, err, tc.field)
		}
	}
	if err := e.svc.ChangePassword(t.Context(), user, sess, goodPassword, next, next, "192.0.2.1"); err != nil {
		t.Fatalf("change: %v", err)
	}
	if _, _, err := e.svc.Session(t.Context(), tok); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, _, err := e.svc.Session(t.Context(), other); !errors.Is(err, ErrNoSession) {
		t.Errorf("another session survived the change: %v", err)
	}
	if _, err := e.svc.SignIn(t.Context(), "org@example.org", next, "203.0.113.9"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
}

func TestCreateAccountGeneratesAPasswordThatWorks(t *testing.T) {
	e := newEnv(t)
	u, generated, err := e.svc.CreateAccount(t.Context(), advocacy.NewUser{Email: "new@example.org", Role: advocacy.RoleOrganizer}, "", 1)
	if err != nil || generated == "" || u.Email != "new@example.org" {
		t.Fatalf("CreateAccount = %+v, %q, %v", u, generated, err)
	}
	if _, err := e.svc.SignIn(t.Context(), "new@example.org", generated, "192.0.2.1"); err != nil {
		t.Errorf("sign in with the generated password: %v", err)
	}
	_, generated, err = e.svc.CreateAccount(t.Context(), advocacy.NewUser{Email: "weak@example.org", Role: advocacy.RoleOrganizer}, "short", 1)
	if de := (*advocacy.Error)(nil); !errors.As(err, &de) || de.Fields["password"] == "" || generated != "" {
		t.Errorf("a weak password: %v", err)
	}
}
