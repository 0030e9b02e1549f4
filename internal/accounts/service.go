// Package accounts signs organizers in and looks after their sessions and
// passwords: the throttle on wrong passwords, checking and changing
// passwords, and starting, checking and ending sessions. It applies the
// rules of internal/advocacy and stores through small interfaces; it knows
// nothing of HTTP, so the workspace's handlers only map forms and cookies
// to it.
//
// Sessions live in the store by the SHA-256 of their token: the token
// itself goes only to the browser, so a copy of the database opens no
// session. A session ends after its idle or absolute time, at sign-out,
// when its account is disabled, and (for the others) when the password
// changes.
package accounts

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Users keeps the accounts (implemented by sqlite.Users). Changes are
// audited by the store.
type Users interface {
	// UserForLogin and User return the account with its password hash.
	UserForLogin(ctx context.Context, email string) (advocacy.User, string, error)
	User(ctx context.Context, id int64) (advocacy.User, string, error)
	CreateUser(ctx context.Context, u advocacy.NewUser, actor int64) (advocacy.User, error)
	// ChangePassword ends every session of the account but keep.
	ChangePassword(ctx context.Context, id int64, newHash, keep string, actor int64) error
}

// Sessions keeps sign-in sessions by the hash of their token (implemented
// by sqlite.Sessions).
type Sessions interface {
	CreateSession(ctx context.Context, s advocacy.Session) error
	Session(ctx context.Context, tokenHash string) (advocacy.Session, advocacy.User, error)
	TouchSession(ctx context.Context, tokenHash string, now time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)
}

// Config is how long sessions last, how passwords are hashed and how many
// wrong passwords are allowed; it must be complete (the server fills in
// the defaults).
type Config struct {
	Sessions  advocacy.SessionPolicy
	Passwords advocacy.PasswordParams
	// AccountThrottle counts wrong passwords per account and client
	// address; IPThrottle per address; GlobalThrottle per account from
	// every address.
	AccountThrottle advocacy.ThrottleRule
	IPThrottle      advocacy.ThrottleRule
	GlobalThrottle  advocacy.ThrottleRule
}

// The refusals of a sign-in. A throttled attempt is a *Throttled.
var (
	// ErrWrongCredentials: no account has that email, or the password is
	// not its own. The two are never told apart.
	ErrWrongCredentials = errors.New("accounts: wrong email or password")
	// ErrDisabled: the account is disabled (said whether or not the
	// password was right).
	ErrDisabled = errors.New("accounts: account disabled")
	// ErrNoSession: the token opens no session (unknown, expired, or its
	// account disabled); the browser should forget it.
	ErrNoSession = errors.New("accounts: no session")
)

// Throttled refuses an attempt made after too many wrong passwords.
type Throttled struct {
	// Wait is how long until the next attempt is allowed.
	Wait time.Duration
}

func (t *Throttled) Error() string { return "accounts: too many wrong passwords" }

// Service signs accounts in and keeps their sessions and passwords.
type Service struct {
	users    Users
	sessions Sessions
	cfg      Config
	clock    func() time.Time
	// rand is the source of tokens, salts and generated passwords.
	rand     io.Reader
	throttle *throttle

	dummyOnce sync.Once
	dummy     string
}

// New returns the service over its stores; clock is the time and rand the
// source of randomness (crypto/rand in production).
func New(users Users, sessions Sessions, cfg Config, clock func() time.Time, rand io.Reader) *Service {
	return &Service{users: users, sessions: sessions, cfg: cfg, clock: clock, rand: rand, throttle: newThrottle(cfg, clock)}
}

// SignIn checks an email and password, tried from the client address ip,
// and starts a session: it answers the session's token, for the browser
// only. Wrong passwords count against the account from
// that address, the address, and the account from everywhere; past a
// rule's limit the answer is *Throttled whatever the password.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (token string, err error) {
	keys := throttleKeys(email, ip)
	if ok, wait := s.throttle.allowed(keys...); !ok {
		return "", &Throttled{Wait: wait}
	}
	user, hash, err := s.users.UserForLogin(ctx, email)
	found := err == nil
	if err != nil && advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		return "", err
	}
	if !found {
		// A wrong email takes as long as a wrong password.
		hash = s.dummyHash()
	}
	match, err := advocacy.CheckPassword(hash, password)
	if err != nil && found {
		return "", err
	}
	if found && user.Disabled() {
		if !match {
			s.throttle.fail(keys...)
		}
		return "", ErrDisabled
	}
	if !found || !match {
		s.throttle.fail(keys...)
		return "", ErrWrongCredentials
	}
	s.throttle.clear(keys[0])
	return s.startSession(ctx, user.ID)
}

// startSession stores a new session for the account. Expired sessions are
// swept on the way, so the table stays small.
func (s *Service) startSession(ctx context.Context, userID int64) (string, error) {
	now := s.clock()
	if _, err := s.sessions.DeleteExpiredSessions(ctx, now, s.cfg.Sessions.Idle); err != nil {
		return "", err
	}
	tok, err := advocacy.NewSessionToken(s.rand)
	if err != nil {
		return "", err
	}
	csrf, err := advocacy.NewCSRFToken(s.rand)
	if err != nil {
		return "", err
	}
	if err := s.sessions.CreateSession(ctx, advocacy.Session{
		TokenHash: advocacy.HashToken(tok), UserID: userID, CSRFToken: csrf,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.cfg.Sessions.Absolute),
	}); err != nil {
		return "", err
	}
	return tok, nil
}

// Session finds the session a token opens and its account, and notes that
// it was used. An expired session, or one whose account was disabled, is
// deleted; it and an unknown token answer ErrNoSession.
func (s *Service) Session(ctx context.Context, token string) (advocacy.Session, advocacy.User, error) {
	if !advocacy.ValidSessionToken(token) {
		return advocacy.Session{}, advocacy.User{}, ErrNoSession
	}
	hash := advocacy.HashToken(token)
	sess, user, err := s.sessions.Session(ctx, hash)
	if advocacy.ErrorCode(err) == advocacy.CodeNotFound {
		return sess, user, ErrNoSession
	}
	if err != nil {
		return sess, user, err
	}
	now := s.clock()
	if s.cfg.Sessions.Expired(sess, now) || user.Disabled() {
		if err := s.sessions.DeleteSession(ctx, hash); err != nil {
			return sess, user, err
		}
		return sess, user, ErrNoSession
	}
	if s.cfg.Sessions.NeedsTouch(sess, now) {
		if err := s.sessions.TouchSession(ctx, hash, now); err != nil {
			return sess, user, err
		}
		sess.LastSeen = now
	}
	return sess, user, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, sess advocacy.Session) error {
	return s.sessions.DeleteSession(ctx, sess.TokenHash)
}

// ChangePassword checks the account's current password (wrong ones count
// like wrong sign-ins, from ip), then stores the new one and ends the
// account's other sessions. Wrong input is an *advocacy.Error naming the
// field: current, password or confirm.
func (s *Service) ChangePassword(ctx context.Context, user advocacy.User, sess advocacy.Session, current, next, confirm, ip string) error {
	keys := throttleKeys(user.Email, ip)
	if ok, wait := s.throttle.allowed(keys...); !ok {
		return &Throttled{Wait: wait}
	}
	_, hash, err := s.users.User(ctx, user.ID)
	if err != nil {
		return err
	}
	if ok, err := advocacy.CheckPassword(hash, current); err != nil {
		return err
	} else if !ok {
		s.throttle.fail(keys...)
		return advocacy.Invalid("current", "That is not your current password.")
	}
	if err := advocacy.ValidatePassword(next, user.Email); err != nil {
		var de *advocacy.Error
		if errors.As(err, &de) {
			return advocacy.Invalid("password", de.Message)
		}
		return err
	}
	if next != confirm {
		return advocacy.Invalid("confirm", "The two new passwords differ. Type the same one twice.")
	}
	newHash, err := advocacy.HashPassword(next, s.cfg.Passwords, s.rand)
	if err != nil {
		return err
	}
	return s.users.ChangePassword(ctx, user.ID, newHash, sess.TokenHash, user.ID)
}

// CreateAccount adds an account for actor. Without a password one is
// generated and answered, to be shown once. A password the rules refuse is
// an *advocacy.Error on the field "password"; the store's own refusals
// (a taken email, a partner that does not exist) come as it gives them.
func (s *Service) CreateAccount(ctx context.Context, nu advocacy.NewUser, password string, actor int64) (u advocacy.User, generated string, err error) {
	if password == "" {
		if password, err = advocacy.GeneratePassword(s.rand); err != nil {
			return u, "", err
		}
		generated = password
	}
	if err := advocacy.ValidatePassword(password, nu.Email); err != nil {
		return u, "", advocacy.Invalid("password", err.Error())
	}
	if nu.PasswordHash, err = advocacy.HashPassword(password, s.cfg.Passwords, s.rand); err != nil {
		return u, "", err
	}
	u, err = s.users.CreateUser(ctx, nu, actor)
	if err != nil {
		return u, "", err
	}
	return u, generated, nil
}

// dummyHash is checked against when no account matches, so that a wrong
// email takes as long as a wrong password and does not reveal accounts.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		h, err := advocacy.HashPassword("whipcount-no-such-account", s.cfg.Passwords, s.rand)
		if err == nil {
			s.dummy = h
		}
	})
	return s.dummy
}

// The throttle's counters: "p:" an account from one client address, "i:"
// a client address, "a:" an account from everywhere. Counting an account
// per address means a stranger's guesses never lock its owner out.
func throttleKeys(email, ip string) []string {
	e := advocacy.NormalizeEmail(email)
	return []string{"p:" + e + "\x00" + ip, "i:" + ip, "a:" + e}
}

// maxThrottleKeys bounds the failure table; past it, keys whose failures
// all left their window are swept.
const maxThrottleKeys = 10000

// throttle counts wrong passwords in memory, by the counters above.
type throttle struct {
	account, ip, global advocacy.ThrottleRule
	clock               func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

func newThrottle(cfg Config, clock func() time.Time) *throttle {
	return &throttle{account: cfg.AccountThrottle, ip: cfg.IPThrottle, global: cfg.GlobalThrottle, clock: clock,
		failures: map[string][]time.Time{}}
}

func (t *throttle) ruleFor(key string) advocacy.ThrottleRule {
	switch {
	case strings.HasPrefix(key, "i:"):
		return t.ip
	case strings.HasPrefix(key, "a:"):
		return t.global
	}
	return t.account
}

// allowed reports whether another attempt on every key is allowed now,
// and if not how long to wait.
func (t *throttle) allowed(keys ...string) (bool, time.Duration) {
	now := t.clock()
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := time.Duration(0)
	for _, k := range keys {
		if ok, d := t.ruleFor(k).Check(t.failures[k], now); !ok {
			wait = max(wait, d)
		}
	}
	return wait == 0, wait
}

// fail counts a failed attempt against every key.
func (t *throttle) fail(keys ...string) {
	now := t.clock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.failures) >= maxThrottleKeys {
		for k, fs := range t.failures {
			if fs = t.ruleFor(k).Prune(fs, now); len(fs) == 0 {
				delete(t.failures, k)
			} else {
				t.failures[k] = fs
			}
		}
	}
	for _, k := range keys {
		t.failures[k] = append(t.ruleFor(k).Prune(t.failures[k], now), now)
	}
}

// clear forgets an account's failures from one address after it signs in.
func (t *throttle) clear(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
