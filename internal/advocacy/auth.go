package advocacy

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Role is what an organizer-workspace account may do.
type Role string

// The roles. Admins do everything organizers do and manage users and
// partners; organizers run campaigns; partner viewers see only their own
// partner's aggregates.
const (
	RoleAdmin     Role = "admin"
	RoleOrganizer Role = "organizer"
	RolePartner   Role = "partner"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{RoleAdmin, RoleOrganizer, RolePartner} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Label names the role for people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleOrganizer:
		return "Organizer"
	case RolePartner:
		return "Partner viewer"
	}
	return string(r)
}

// Permission is one thing the workspace guards.
type Permission string

// The permissions.
const (
	// PermManageUsers: create, disable and enable accounts.
	PermManageUsers Permission = "manage_users"
	// PermManagePartners: create partners.
	PermManagePartners Permission = "manage_partners"
	// PermViewAudit: read the audit log.
	PermViewAudit Permission = "view_audit"
	// PermEditContent: campaign text, bills, cosponsors, talking points and
	// letter templates.
	PermEditContent Permission = "edit_content"
	// PermViewStats: every campaign figure, across all partners.
	PermViewStats Permission = "view_stats"
	// PermViewPersonal: anything that names or quotes a constituent
	// (office packets, moderation queue, exports).
	PermViewPersonal Permission = "view_personal"
	// PermExport: download CSV exports.
	PermExport Permission = "export"
	// PermModerate: approve or reject held letters.
	PermModerate Permission = "moderate"
	// PermViewPartnerStats: one partner's own aggregates.
	PermViewPartnerStats Permission = "view_partner_stats"
	// PermDeliveries: see electronic delivery's health and re-send held or
	// failed letters.
	PermDeliveries Permission = "deliveries"
	// PermViewOffices: see where Whipcount's office codes disagree with a
	// chamber's own office list.
	PermViewOffices Permission = "view_offices"
	// PermManageData: see the reference data's versions, the outcome of
	// each update and why one was refused.
	PermManageData Permission = "manage_data"
)

var rolePermissions = map[Role][]Permission{
	RoleAdmin: {PermManageUsers, PermManagePartners, PermViewAudit, PermEditContent, PermViewStats,
		PermViewPersonal, PermExport, PermModerate, PermDeliveries, PermViewOffices, PermManageData},
	RoleOrganizer: {PermEditContent, PermViewStats, PermViewPersonal, PermExport, PermModerate, PermDeliveries},
	RolePartner:   {PermViewPartnerStats},
}

// Can reports whether role r has permission p. Unknown roles have none.
func (r Role) Can(p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// User is an account of the organizer workspace.
type User struct {
	ID    int64
	Email string
	Role  Role
	// PartnerID is the partner a partner viewer belongs to; 0 otherwise.
	PartnerID   int64
	PartnerName string
	// PartnerCode is the partner's source code (letters.ref).
	PartnerCode string
	// DisabledAt is zero for an account that may log in.
	DisabledAt        time.Time
	CreatedAt         time.Time
	PasswordChangedAt time.Time
}

// Disabled reports whether an admin turned the account off.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Can reports whether the user's role has permission p.
func (u User) Can(p Permission) bool { return !u.Disabled() && u.Role.Can(p) }

// NewUser is an account to create; PasswordHash comes from HashPassword.
type NewUser struct {
	Email        string
	Role         Role
	PartnerCode  string
	PasswordHash string
}

// Limits on account fields.
const (
	PasswordMinLen = 12
	PasswordMaxLen = 256
	emailMaxLen    = 254
)

// ValidateNewUser checks an account before it is created and returns it with
// the email normalised. A partner viewer must name a partner; other roles
// must not.
func ValidateNewUser(u NewUser) (NewUser, error) {
	bad := map[string]string{}
	u.Email = NormalizeEmail(u.Email)
	u.PartnerCode = strings.TrimSpace(u.PartnerCode)
	if u.Email == "" {
		bad["email"] = "Enter the person's email address."
	} else if !letterValidEmail(u.Email) || len(u.Email) > emailMaxLen {
		bad["email"] = "Enter an email address like name@example.org."
	}
	switch {
	case !u.Role.Valid():
		bad["role"] = "Choose admin, organizer or partner."
	case u.Role == RolePartner && u.PartnerCode == "":
		bad["partner"] = "A partner viewer needs a partner: choose one."
	case u.Role != RolePartner && u.PartnerCode != "":
		bad["partner"] = "Only partner viewers belong to a partner."
	}
	if len(bad) > 0 {
		return u, &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	return u, nil
}

// ValidatePassword checks a new password: at least PasswordMinLen
// characters (length matters more than symbols), at most PasswordMaxLen,
// not only spaces, and not the account's email.
func ValidatePassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password) || HasControlChars(password, false):
		return Invalid("password", "The password contains characters that cannot be typed.")
	case n < PasswordMinLen:
		return Invalid("password", fmt.Sprintf("Use at least %d characters; a few unrelated words work well.", PasswordMinLen))
	case n > PasswordMaxLen:
		return Invalid("password", fmt.Sprintf("Use at most %d characters.", PasswordMaxLen))
	case strings.TrimSpace(password) == "":
		return Invalid("password", "The password cannot be only spaces.")
	case email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return Invalid("password", "Do not use your email address as your password.")
	}
	return nil
}

// passwordAlphabet leaves out look-alike characters (0/O, 1/l/I) so a
// generated password can be read off a screen.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random 24-character password (about 140 bits)
// drawn uniformly from a readable alphabet using r.
func GeneratePassword(r io.Reader) (string, error) {
	const n = 24
	limit := byte(256 - 256%len(passwordAlphabet))
	out := make([]byte, 0, n)
	buf := make([]byte, 32)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		for _, c := range buf {
			if c < limit && len(out) < n {
				out = append(out, passwordAlphabet[int(c)%len(passwordAlphabet)])
			}
		}
	}
	return string(out), nil
}

// PasswordParams are argon2id's cost parameters. They are written into
// every hash, so raising them later leaves old hashes readable.
type PasswordParams struct {
	// Memory in KiB.
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultPasswordParams follow OWASP's argon2id advice (19 MiB, two passes,
// one lane): about 30 ms per login on a small server.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// HashPassword derives an argon2id hash of password with a fresh random salt
// from r and returns it in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func HashPassword(password string, p PasswordParams, r io.Reader) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.SaltLen < 8 || p.KeyLen < 16 {
		return "", errors.New("hash password: unusable argon2id parameters")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

// Bounds on parameters read back from a stored hash, so a corrupted or
// planted row cannot make one login allocate gigabytes.
const (
	maxHashMemory = 1 << 20 // 1 GiB in KiB
	maxHashTime   = 16
)

// CheckPassword reports whether password matches an encoded hash from
// HashPassword, comparing in constant time. A malformed hash is an error.
func CheckPassword(encoded, password string) (bool, error) {
	m := phcPattern.FindStringSubmatch(encoded)
	if m == nil {
		return false, errors.New("check password: not an argon2id hash")
	}
	version, _ := strconv.Atoi(m[1])
	mem, err1 := strconv.ParseUint(m[2], 10, 32)
	tm, err2 := strconv.ParseUint(m[3], 10, 32)
	th, err3 := strconv.ParseUint(m[4], 10, 8)
	if version != argon2.Version || errors.Join(err1, err2, err3) != nil ||
		mem == 0 || mem > maxHashMemory || tm == 0 || tm > maxHashTime || th == 0 {
		return false, errors.New("check password: unsupported argon2id parameters")
	}
	salt, err := base64.RawStdEncoding.DecodeString(m[5])
	if err != nil {
		return false, fmt.Errorf("check password: salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(m[6])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errors.New("check password: malformed hash")
	}
	got := argon2.IDKey([]byte(password), salt, uint32(tm), uint32(mem), uint8(th), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// SessionPolicy bounds a login session's life.
type SessionPolicy struct {
	// Idle ends a session nobody used for this long.
	Idle time.Duration
	// Absolute ends every session this long after login, used or not.
	Absolute time.Duration
	// TouchEvery is how stale the recorded last use may get before a request
	// records it again; it saves a write on every request.
	TouchEvery time.Duration
}

// DefaultSessionPolicy: 30 minutes idle, 12 hours at most.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, TouchEvery: time.Minute}

// Session is a login session as stored: never the token itself.
type Session struct {
	TokenHash string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// Expired reports whether the session has ended at now: past its absolute
// end, or idle for longer than the policy allows.
func (p SessionPolicy) Expired(s Session, now time.Time) bool {
	return !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= p.Idle
}

// NeedsTouch reports whether a request at now should record the session's
// use.
func (p SessionPolicy) NeedsTouch(s Session, now time.Time) bool {
	return now.Sub(s.LastSeen) >= p.TouchEvery
}

// NewSessionToken returns a session token of 128 random bits from r as 22
// base64url characters. Only its hash (HashToken) is stored.
func NewSessionToken(r io.Reader) (string, error) { return randomToken(r, 16, "new session token") }

// NewCSRFToken returns a 256-bit synchronizer token from r, in base64url.
func NewCSRFToken(r io.Reader) (string, error) { return randomToken(r, 32, "new csrf token") }

func randomToken(r io.Reader, n int, op string) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidSessionToken reports whether s has the shape NewSessionToken makes,
// so malformed cookies never reach the database.
func ValidSessionToken(s string) bool { return ValidLetterToken(s) }

// HashToken is the SHA-256 of a token in hex: what the sessions table keys on.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokensEqual compares two secrets in constant time.
func TokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ThrottleRule allows Limit failures within Window.
type ThrottleRule struct {
	Limit  int
	Window time.Duration
}

// Default login throttles: five wrong passwords per account from one
// client address, and twenty per client address, in fifteen minutes; an
// account's own password keeps working from other addresses. Only a
// hundred wrong passwords for one account from everywhere in an hour slow
// everyone down on it (the slower global back-off against a spread-out
// guesser).
var (
	DefaultAccountThrottle = ThrottleRule{Limit: 5, Window: 15 * time.Minute}
	DefaultIPThrottle      = ThrottleRule{Limit: 20, Window: 15 * time.Minute}
	DefaultGlobalThrottle  = ThrottleRule{Limit: 100, Window: time.Hour}
)

// Check decides, from the times of earlier failures, whether another attempt
// at now is allowed; when not, retryAfter is how long until the oldest
// failure that still counts leaves the window.
func (r ThrottleRule) Check(failures []time.Time, now time.Time) (allowed bool, retryAfter time.Duration) {
	from := now.Add(-r.Window)
	var recent []time.Time
	for _, t := range failures {
		if t.After(from) && !t.After(now) {
			recent = append(recent, t)
		}
	}
	if len(recent) < r.Limit {
		return true, 0
	}
	slices.SortFunc(recent, func(a, b time.Time) int { return a.Compare(b) })
	// Once the oldest failures age out, fewer than Limit remain.
	oldest := recent[len(recent)-r.Limit]
	wait := oldest.Add(r.Window).Sub(now)
	return false, max(wait, time.Second)
}

// Prune drops failures that left the window at now.
func (r ThrottleRule) Prune(failures []time.Time, now time.Time) []time.Time {
	from := now.Add(-r.Window)
	return slices.DeleteFunc(failures, func(t time.Time) bool { return !t.After(from) })
}

// RetryMessage says in words when to try again: "in 4 minutes".
func RetryMessage(d time.Duration) string {
	mins := int((d + time.Minute - 1) / time.Minute)
	if mins <= 1 {
		return "in a minute"
	}
	return "in " + strconv.Itoa(mins) + " minutes"
}

// Partner is an organisation that brings supporters to a campaign through
// its own links and widgets, and whose viewers see only its aggregates.
type Partner struct {
	ID   int64
	Slug string
	Name string
	// SourceCode is what ?ref= links and widgets carry; letters store it.
	SourceCode string
	// AllowedOrigins are the sites that may embed the widgets.
	AllowedOrigins []string
	// AllowAnyOrigin lets any site embed them; only an admin sets it.
	AllowAnyOrigin bool
	Contact        string
	LogoText       string
	CreatedAt      time.Time
}

var (
	partnerSlugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	partnerCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// ValidatePartner checks a partner before it is stored and returns it
// trimmed. Allowed origins must be bare origins (scheme and host, no path).
func ValidatePartner(p Partner) (Partner, error) {
	bad := map[string]string{}
	p.Name = letterCollapse(p.Name)
	p.Slug = strings.ToLower(strings.TrimSpace(p.Slug))
	p.SourceCode = strings.TrimSpace(p.SourceCode)
	p.Contact = strings.TrimSpace(p.Contact)
	p.LogoText = letterCollapse(p.LogoText)
	switch {
	case p.Name == "":
		bad["name"] = "Enter the partner's name."
	case HasControlChars(p.Name, false) || !HasVisibleText(p.Name):
		bad["name"] = "The name has characters that cannot be shown (control or invisible characters)."
	case utf8.RuneCountInString(p.Name) > 100:
		bad["name"] = "Keep the name to 100 characters."
	}
	if !partnerSlugRe.MatchString(p.Slug) || len(p.Slug) > 60 {
		bad["slug"] = "Use lower-case letters, digits and hyphens, like business-council."
	}
	if !partnerCodeRe.MatchString(p.SourceCode) || len(p.SourceCode) > LetterMaxRef {
		bad["source_code"] = fmt.Sprintf("Use up to %d letters, digits, hyphens or underscores.", LetterMaxRef)
	}
	if utf8.RuneCountInString(p.Contact) > 200 || HasControlChars(p.Contact, false) {
		bad["contact"] = "Keep the contact to one line of 200 characters."
	}
	if utf8.RuneCountInString(p.LogoText) > 60 {
		bad["logo_text"] = "Keep the logo text to 60 characters."
	} else if HasControlChars(p.LogoText, false) {
		bad["logo_text"] = "The logo text has characters that cannot be shown (control or invisible characters)."
	}
	origins := make([]string, 0, len(p.AllowedOrigins))
	for _, o := range p.AllowedOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			bad["allowed_origins"] = fmt.Sprintf("%q is not an origin like https://example.org.", o)
			break
		}
		origins = append(origins, strings.ToLower(o))
	}
	p.AllowedOrigins = origins
	if len(bad) > 0 {
		return p, &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	return p, nil
}

// AuditEntry is one change recorded in the audit log. Before and After hold
// the entity as JSON ("null" when it did not exist).
type AuditEntry struct {
	ID        int64
	UserID    int64 // 0 for the command line
	UserEmail string
	Action    string
	Entity    string
	EntityID  string
	Before    string
	After     string
	CreatedAt time.Time
}
