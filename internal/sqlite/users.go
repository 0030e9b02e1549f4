package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Users stores the organizer workspace's accounts and the partners that
// partner viewers belong to. Every change is written to the audit log in
// the same transaction.
type Users struct {
	db  *DB
	now func() time.Time
}

// NewUsers returns the account store over db; now is the clock.
func NewUsers(db *DB, now func() time.Time) *Users { return &Users{db: db, now: now} }

const userColumns = `u.id, u.email, u.role, coalesce(u.partner_id, 0), coalesce(p.name, ''), coalesce(p.source_code, ''),
	u.disabled_at, u.created_at, u.password_changed_at`

const userFrom = ` FROM users u LEFT JOIN partners p ON p.id = u.partner_id `

func scanUser(sc interface{ Scan(...any) error }, extra ...any) (advocacy.User, error) {
	var (
		u                advocacy.User
		role             string
		disabled         sql.NullString
		created, changed string
	)
	dest := append([]any{&u.ID, &u.Email, &role, &u.PartnerID, &u.PartnerName, &u.PartnerCode, &disabled, &created, &changed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return u, err
	}
	u.Role = advocacy.Role(role)
	var e1, e2, e3 error
	u.DisabledAt, e1 = orgParseNullTime(disabled)
	u.CreatedAt, e2 = orgParseTime(created)
	u.PasswordChangedAt, e3 = orgParseTime(changed)
	return u, errors.Join(e1, e2, e3)
}

// auditUser is how an account appears in the audit log: never its hash.
type auditUser struct {
	Email    string `json:"email"`
	Role     string `json:"role"`
	Partner  string `json:"partner,omitempty"`
	Disabled bool   `json:"disabled"`
}

func userForAudit(u advocacy.User) auditUser {
	return auditUser{Email: u.Email, Role: string(u.Role), Partner: u.PartnerCode, Disabled: u.Disabled()}
}

// CreateUser validates and stores a new account; actor is the admin who
// creates it (0 for the command line). A taken email is an *advocacy.Error
// with CodeConflict, an unknown partner code one with CodeInvalid.
func (s *Users) CreateUser(ctx context.Context, nu advocacy.NewUser, actor int64) (advocacy.User, error) {
	u, err := s.createUser(ctx, nu, actor)
	if err != nil {
		return advocacy.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (s *Users) createUser(ctx context.Context, nu advocacy.NewUser, actor int64) (advocacy.User, error) {
	nu, err := advocacy.ValidateNewUser(nu)
	if err != nil {
		return advocacy.User{}, err
	}
	if !strings.HasPrefix(nu.PasswordHash, "$argon2id$") {
		return advocacy.User{}, errors.New("the password hash is not argon2id")
	}
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.User{}, err
	}
	defer tx.Rollback()
	var partnerID any
	if nu.PartnerCode != "" {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM partners WHERE source_code = ? OR slug = ?", nu.PartnerCode, nu.PartnerCode).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return advocacy.User{}, advocacy.Invalid("partner", fmt.Sprintf("There is no partner with the code %q.", nu.PartnerCode))
		}
		if err != nil {
			return advocacy.User{}, err
		}
		partnerID = id
	}
	var taken int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = ?", nu.Email).Scan(&taken); err != nil {
		return advocacy.User{}, err
	}
	if taken > 0 {
		return advocacy.User{}, &advocacy.Error{Code: advocacy.CodeConflict, Message: "An account with this email already exists.",
			Fields: map[string]string{"email": "An account with this email already exists."}}
	}
	ts := orgTime(now)
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, password_hash, role, partner_id, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, nu.Email, nu.PasswordHash, string(nu.Role), partnerID, ts, ts)
	if err != nil {
		return advocacy.User{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return advocacy.User{}, err
	}
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
	if err != nil {
		return advocacy.User{}, err
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "user.create", entity: "user", entityID: idString(id),
		after: userForAudit(u), at: now}); err != nil {
		return advocacy.User{}, err
	}
	return u, tx.Commit()
}

// UserForLogin returns the account with email (normalised here) and its
// password hash. An unknown email is an *advocacy.Error with CodeNotFound.
func (s *Users) UserForLogin(ctx context.Context, email string) (advocacy.User, string, error) {
	var hash string
	u, err := scanUser(s.db.R.QueryRowContext(ctx, "SELECT "+userColumns+", u.password_hash"+userFrom+"WHERE u.email = ?",
		advocacy.NormalizeEmail(email)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.User{}, "", advocacy.NotFound("There is no such account.")
	}
	if err != nil {
		return advocacy.User{}, "", fmt.Errorf("find user for login: %w", err)
	}
	return u, hash, nil
}

// User returns the account with id, with its password hash for checking the
// current password. A missing account is an *advocacy.Error with
// CodeNotFound.
func (s *Users) User(ctx context.Context, id int64) (advocacy.User, string, error) {
	var hash string
	u, err := scanUser(s.db.R.QueryRowContext(ctx, "SELECT "+userColumns+", u.password_hash"+userFrom+"WHERE u.id = ?", id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.User{}, "", advocacy.NotFound("There is no such account.")
	}
	if err != nil {
		return advocacy.User{}, "", fmt.Errorf("find user %d: %w", id, err)
	}
	return u, hash, nil
}

// ListUsers returns every account by email.
func (s *Users) ListUsers(ctx context.Context) ([]advocacy.User, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+userColumns+userFrom+"ORDER BY u.email")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []advocacy.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetDisabled turns an account off (ending all its sessions in the same
// transaction) or back on. The last enabled admin cannot be disabled: that
// would lock everyone out of user management.
func (s *Users) SetDisabled(ctx context.Context, id int64, disabled bool, actor int64) (advocacy.User, error) {
	u, err := s.setDisabled(ctx, id, disabled, actor)
	if err != nil {
		return advocacy.User{}, fmt.Errorf("set user %d disabled=%v: %w", id, disabled, err)
	}
	return u, nil
}

func (s *Users) setDisabled(ctx context.Context, id int64, disabled bool, actor int64) (advocacy.User, error) {
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.User{}, err
	}
	defer tx.Rollback()
	before, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.User{}, advocacy.NotFound("There is no such account.")
	}
	if err != nil {
		return advocacy.User{}, err
	}
	if before.Disabled() == disabled {
		return before, tx.Commit()
	}
	if disabled && before.Role == advocacy.RoleAdmin {
		var admins int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").Scan(&admins); err != nil {
			return advocacy.User{}, err
		}
		if admins <= 1 {
			return advocacy.User{}, &advocacy.Error{Code: advocacy.CodeConflict, Message: "This is the last admin account; create another admin before disabling it."}
		}
	}
	var at any
	action := "user.enable"
	if disabled {
		at, action = orgTime(now), "user.disable"
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return advocacy.User{}, fmt.Errorf("end sessions: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = ? WHERE id = ?", at, id); err != nil {
		return advocacy.User{}, err
	}
	after, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
	if err != nil {
		return advocacy.User{}, err
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: action, entity: "user", entityID: idString(id),
		before: userForAudit(before), after: userForAudit(after), at: now}); err != nil {
		return advocacy.User{}, err
	}
	return after, tx.Commit()
}

// ChangePassword stores a new password hash for account id and ends every
// other session of the account (all but the one whose token hash is keep),
// in one transaction.
func (s *Users) ChangePassword(ctx context.Context, id int64, newHash, keep string, actor int64) error {
	if !strings.HasPrefix(newHash, "$argon2id$") {
		return fmt.Errorf("change password of user %d: the hash is not argon2id", id)
	}
	now := s.now()
	err := func() error {
		tx, err := s.db.W.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?", newHash, orgTime(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return advocacy.NotFound("There is no such account.")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", id, keep); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "user.password", entity: "user", entityID: idString(id),
			after: map[string]string{"password_changed_at": orgTime(now)}, at: now}); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", id, err)
	}
	return nil
}

const partnerColumns = `id, slug, name, source_code, allowed_origins, allow_any_origin, contact, logo_text, created_at`

func scanPartner(sc interface{ Scan(...any) error }) (advocacy.Partner, error) {
	var (
		p        advocacy.Partner
		origins  string
		anyOrig  int
		created  string
		parseErr error
	)
	if err := sc.Scan(&p.ID, &p.Slug, &p.Name, &p.SourceCode, &origins, &anyOrig, &p.Contact, &p.LogoText, &created); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(origins), &p.AllowedOrigins); err != nil {
		return p, fmt.Errorf("decode allowed origins of partner %d: %w", p.ID, err)
	}
	p.AllowAnyOrigin = anyOrig == 1
	p.CreatedAt, parseErr = orgParseTime(created)
	return p, parseErr
}

// CreatePartner validates and stores a partner; a slug or source code in
// use is an *advocacy.Error with CodeConflict.
func (s *Users) CreatePartner(ctx context.Context, p advocacy.Partner, actor int64) (advocacy.Partner, error) {
	p, err := s.createPartner(ctx, p, actor)
	if err != nil {
		return advocacy.Partner{}, fmt.Errorf("create partner: %w", err)
	}
	return p, nil
}

func (s *Users) createPartner(ctx context.Context, p advocacy.Partner, actor int64) (advocacy.Partner, error) {
	p, err := advocacy.ValidatePartner(p)
	if err != nil {
		return p, err
	}
	origins, err := json.Marshal(p.AllowedOrigins)
	if err != nil {
		return p, err
	}
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return p, err
	}
	defer tx.Rollback()
	var slugTaken, codeTaken int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE slug = ?), count(*) FILTER (WHERE source_code = ?) FROM partners",
		p.Slug, p.SourceCode).Scan(&slugTaken, &codeTaken); err != nil {
		return p, err
	}
	if slugTaken+codeTaken > 0 {
		fields := map[string]string{}
		if slugTaken > 0 {
			fields["slug"] = "Another partner has this slug."
		}
		if codeTaken > 0 {
			fields["source_code"] = "Another partner has this source code."
		}
		return p, &advocacy.Error{Code: advocacy.CodeConflict, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO partners (slug, name, source_code, allowed_origins, allow_any_origin, contact, logo_text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.Slug, p.Name, p.SourceCode, string(origins), campaignBool(p.AllowAnyOrigin),
		p.Contact, p.LogoText, orgTime(now))
	if err != nil {
		return p, err
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return p, err
	}
	p.CreatedAt = now.UTC().Truncate(time.Millisecond)
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "partner.create", entity: "partner", entityID: idString(p.ID),
		after: p, at: now}); err != nil {
		return p, err
	}
	return p, tx.Commit()
}

// Partners lists every partner by name.
func (s *Users) Partners(ctx context.Context) ([]advocacy.Partner, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+partnerColumns+" FROM partners ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	defer rows.Close()
	var out []advocacy.Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, fmt.Errorf("list partners: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return out, nil
}

// PartnerByCode returns the partner with a source code; an unknown one is
// an *advocacy.Error with CodeNotFound.
func (s *Users) PartnerByCode(ctx context.Context, code string) (advocacy.Partner, error) {
	p, err := scanPartner(s.db.R.QueryRowContext(ctx, "SELECT "+partnerColumns+" FROM partners WHERE source_code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return p, advocacy.NotFound("There is no partner with that source code.")
	}
	if err != nil {
		return p, fmt.Errorf("find partner %q: %w", code, err)
	}
	return p, nil
}
