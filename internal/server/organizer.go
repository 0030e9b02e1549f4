package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/accounts"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// This file wires the organizer workspace: what it needs from the stores,
// its settings, its core (sign-in and the frame of its pages; the rest is
// in auth.go) and the features that add pages to it. The workspace lives
// under /organizer/, with /login and /logout; every page there needs a
// session, and every state-changing request a CSRF token.

// UserStore keeps accounts and partners. Changes are audited by the store.
type UserStore interface {
	CreateUser(ctx context.Context, u advocacy.NewUser, actor int64) (advocacy.User, error)
	// UserForLogin and User return the account with its password hash.
	UserForLogin(ctx context.Context, email string) (advocacy.User, string, error)
	User(ctx context.Context, id int64) (advocacy.User, string, error)
	ListUsers(ctx context.Context) ([]advocacy.User, error)
	// SetDisabled ends every session of a disabled account.
	SetDisabled(ctx context.Context, id int64, disabled bool, actor int64) (advocacy.User, error)
	// ChangePassword ends every session of the account but keep.
	ChangePassword(ctx context.Context, id int64, newHash, keep string, actor int64) error
	CreatePartner(ctx context.Context, p advocacy.Partner, actor int64) (advocacy.Partner, error)
	Partners(ctx context.Context) ([]advocacy.Partner, error)
}

// SessionStore keeps login sessions by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s advocacy.Session) error
	Session(ctx context.Context, tokenHash string) (advocacy.Session, advocacy.User, error)
	TouchSession(ctx context.Context, tokenHash string, now time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)
}

// AuditReader pages through the audit log, newest first.
type AuditReader interface {
	AuditLog(ctx context.Context, before int64, limit int) ([]advocacy.AuditEntry, error)
}

// DashboardStore answers the dashboard and office packets, and keeps the
// daily lookup counts.
type DashboardStore interface {
	Dashboard(ctx context.Context, campaignID int64, from, to time.Time, ref string) (advocacy.DashboardStats, error)
	OfficePacket(ctx context.Context, campaignID int64, bioguide string, quotes int) (advocacy.OfficePacket, error)
	AddLookups(ctx context.Context, counts map[advocacy.LookupKey]int) error
}

// ExportStore hands out export rows a page at a time; page must not keep
// the slice it is given.
type ExportStore interface {
	Letters(ctx context.Context, campaignID int64, f advocacy.ExportFilter, page func([]advocacy.ExportRow) error) error
	Contacts(ctx context.Context, campaignID int64, page func([]advocacy.Contact) error) error
}

// ModerationStore is the queue of held letters. Decisions are audited by
// the store.
type ModerationStore interface {
	Held(ctx context.Context, afterID int64, limit int) ([]advocacy.HeldLetter, int, error)
	Approve(ctx context.Context, letterID, actor int64) error
	Reject(ctx context.Context, letterID int64, reason string, actor int64) error
}

// ContentEditor changes campaign content, each change audited in its own
// transaction by the store.
type ContentEditor interface {
	ListCampaigns(ctx context.Context) ([]advocacy.Campaign, error)
	UpdateText(ctx context.Context, slug string, t advocacy.CampaignText, actor int64) error
	UpdateBill(ctx context.Context, slug, billID string, e advocacy.BillEdit, actor int64) error
	SaveCosponsor(ctx context.Context, slug, billID string, c advocacy.Cosponsor, actor int64) (bool, error)
	WithdrawCosponsor(ctx context.Context, slug, billID, bioguide string, on time.Time, actor int64) error
	ImportCosponsors(ctx context.Context, slug, billID string, f advocacy.CosponsorFile,
		chamberOf func(string) (advocacy.Chamber, bool), asOf time.Time, actor int64) (advocacy.ImportResult, error)
	TalkingPoint(ctx context.Context, slug string, id int64) (advocacy.TalkingPoint, error)
	SaveTalkingPoint(ctx context.Context, slug string, tp advocacy.TalkingPoint, actor int64) (advocacy.TalkingPoint, error)
	DeleteTalkingPoint(ctx context.Context, slug string, id int64, actor int64) error
	LetterTemplates(ctx context.Context, campaignID int64) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error)
	SaveLetterTemplate(ctx context.Context, slug string, t advocacy.LetterTemplate, actor int64) error
}

// OrganizerDeps are the organizer workspace's stores. The workspace's
// routes answer 404 while Users or Sessions is nil. Campaign content is read
// through Deps.Campaigns and members through Deps.Members.
type OrganizerDeps struct {
	Users      UserStore
	Sessions   SessionStore
	Audit      AuditReader
	Stats      DashboardStore
	Exports    ExportStore
	Moderation ModerationStore
	Editor     ContentEditor
	// Campaigns creates campaigns and moves them through their life; nil
	// leaves the workspace without them (the routes answer 404).
	Campaigns CampaignService
	// Deliveries shows delivery health and re-sends letters; nil hides
	// the delivery page.
	Deliveries DeliveryDesk
	// Rand is the source of session and CSRF tokens and password salts;
	// nil is crypto/rand.
	Rand io.Reader
}

// OrganizerConfig tunes the workspace; zero fields take the defaults.
type OrganizerConfig struct {
	Sessions  advocacy.SessionPolicy
	Passwords advocacy.PasswordParams
	// AccountThrottle counts wrong passwords per account and client
	// address; IPThrottle per address; GlobalThrottle per account from
	// every address.
	AccountThrottle advocacy.ThrottleRule
	IPThrottle      advocacy.ThrottleRule
	GlobalThrottle  advocacy.ThrottleRule
}

// withDefaults fills the zero fields.
func (c OrganizerConfig) withDefaults() OrganizerConfig {
	if c.Sessions.Idle == 0 || c.Sessions.Absolute == 0 {
		c.Sessions = advocacy.DefaultSessionPolicy
	}
	if c.Passwords.Memory == 0 {
		c.Passwords = advocacy.DefaultPasswordParams
	}
	if c.AccountThrottle.Limit == 0 {
		c.AccountThrottle = advocacy.DefaultAccountThrottle
	}
	if c.IPThrottle.Limit == 0 {
		c.IPThrottle = advocacy.DefaultIPThrottle
	}
	if c.GlobalThrottle.Limit == 0 {
		c.GlobalThrottle = advocacy.DefaultGlobalThrottle
	}
	return c
}

// workspaceFeatures are the organizer workspace's core and the features
// that add pages to it. Each is nil, and routes.go does not mount it, when
// what it needs is not wired; without accounts and sessions there is no
// workspace at all.
type workspaceFeatures struct {
	ws         *workspace
	home       *workspaceHome
	dashboard  *dashboard
	offices    *officePackets
	editor     *editor
	life       *campaignLife
	exports    *exports
	moderation *moderationDesk
	users      *userAdmin
	partners   *partnerPages
	audit      *auditLog
	data       *memberData
	sync       *congressSync
}

// newWorkspaceFeatures builds the workspace and each feature it has the
// dependencies for.
func newWorkspaceFeatures(s *Server, ws *workspace) workspaceFeatures {
	if ws == nil {
		return workspaceFeatures{}
	}
	f := workspaceFeatures{ws: ws, editor: newEditor(s, ws), exports: newExports(s, ws),
		offices: newOfficePackets(s, ws), moderation: newModerationDesk(s, ws), users: newUserAdmin(s, ws),
		partners: newPartnerPages(s, ws), audit: newAuditLog(s, ws), data: newMemberData(s, ws), sync: newCongressSync(s, ws)}
	// A campaign's life shows in its editor, and the editor links to it.
	f.life = newCampaignLife(s, ws, f.editor)
	if f.editor != nil {
		f.editor.life = f.life
	}
	f.home = newWorkspaceHome(s, ws, f.life != nil)
	f.dashboard = newDashboard(s, ws, f.data)
	return f
}

// workspace is the core of the organizer workspace: sign-in, sessions,
// CSRF and roles (auth.go), and the frame every workspace page shares. It
// is built only when accounts and sessions are wired; the features that add
// pages to the workspace receive it, to find the signed-in account and to
// frame their pages.
type workspace struct {
	// view renders pages and gives the site-wide page metadata.
	view *renderer
	// accounts signs in, keeps sessions and changes passwords; users lists
	// the accounts and partners.
	accounts *accounts.Service
	users    UserStore
	// rand is the source of the sign-in form's tokens.
	rand   io.Reader
	logger *slog.Logger
	// desk gives the warning above every page while delivery is held; nil
	// when no delivery desk is wired.
	desk DeliveryDesk
}

// newWorkspace builds the workspace's core, or nil without accounts or
// sessions.
func newWorkspace(s *Server) *workspace {
	o := s.deps.Organizer
	if o.Users == nil || o.Sessions == nil {
		return nil
	}
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	cfg := s.cfg.Organizer.withDefaults()
	svc := accounts.New(o.Users, o.Sessions, accounts.Config{Sessions: cfg.Sessions, Passwords: cfg.Passwords,
		AccountThrottle: cfg.AccountThrottle, IPThrottle: cfg.IPThrottle, GlobalThrottle: cfg.GlobalThrottle}, s.deps.Clock, r)
	return &workspace{view: s.view, accounts: svc, users: o.Users, rand: r, logger: s.deps.Logger, desk: o.Deliveries}
}

// routes mounts sign-in and the account page; everything under /organizer
// needs a session, and every POST its CSRF token. It returns the
// /organizer group, for the features that add their pages.
func (w *workspace) routes(e *echo.Echo) *echo.Group {
	e.GET("/login", w.loginPage)
	e.POST("/login", w.login)
	e.POST("/logout", w.logout, w.requireSession, w.checkCSRF)
	org := e.Group("/organizer", w.requireSession, w.checkCSRF)
	org.GET("/account", w.accountPage)
	org.POST("/account/password", w.changePassword)
	return org
}

// frame builds the frame every workspace page shares: who is signed in,
// what their role lets them reach, the CSRF token, the warnings and the
// notice a redirect carries.
func (w *workspace) frame(c echo.Context, title, path, slug string) templates.OrgMeta {
	m := templates.OrgMeta{Page: w.view.meta(c, title, path), Slug: slug, Path: path}
	if a, ok := authFrom(c); ok {
		m.Email = a.user.Email
		m.Role = a.user.Role.Label()
		m.CSRF = a.sess.CSRFToken
		h, _ := json.Marshal(map[string]string{csrfHeader: a.sess.CSRFToken})
		m.HXHeaders = string(h)
		m.CanEdit = a.user.Can(advocacy.PermEditContent)
		m.CanModerate = a.user.Can(advocacy.PermModerate)
		m.CanExport = a.user.Can(advocacy.PermExport)
		m.CanManageUsers = a.user.Can(advocacy.PermManageUsers)
		m.CanViewAudit = a.user.Can(advocacy.PermViewAudit)
		m.CanManageData = a.user.Can(advocacy.PermManageData)
		m.CanDeliveries = a.user.Can(advocacy.PermDeliveries) && w.desk != nil
		m.Alerts = deliveryAlerts(c.Request().Context(), w.desk, w.logger, a)
		m.Partner = a.user.PartnerName
	}
	m.Flash = orgFlash(c.QueryParam("done"))
	return m
}

// orgFlash turns the ?done= code a redirect carries into a notice; only
// known codes show, so the URL cannot put words on the page.
func orgFlash(code string) string {
	return map[string]string{
		"password":  "Your password was changed. Other sessions of your account were signed out.",
		"approved":  "The letter was approved and goes to delivery.",
		"rejected":  "The letter was rejected.",
		"user":      "The account was created.",
		"disabled":  "The account was disabled and its sessions ended.",
		"enabled":   "The account was enabled.",
		"partner":   "The partner was created.",
		"saved":     "Your change was saved.",
		"deleted":   "The talking point was deleted.",
		"imported":  "The cosponsor list was imported.",
		"withdrawn": "The withdrawal was recorded.",
		"created":   "The campaign was created as a draft: only the workspace sees it. Add talking points and letters, preview it, then open it.",
		"opened":    "The campaign is open: its pages are public and it takes letters.",
		"closed":    "The campaign is closed: it takes no more letters, and its pages stay public with their final figures.",
		"featured":  "The home page was updated.",
		"bill":      "The bill was added to the campaign.",
		"replaced":  "The campaign moved to the new bill; the old one stays in its history.",
		"resent":    "The letters were queued again and go out within a minute. The delivery IDs stay the same.",
		// The Congress.gov sync; each bill's outcome shows on the dashboard.
		"synced":      "The bills were synced from Congress.gov: each bill’s result is below.",
		"sync-failed": "The sync from Congress.gov did not finish for every bill: see each bill’s result below.",
		"sync-busy":   "A sync from Congress.gov is already running; its results show below when it ends.",
	}[code]
}

// orgNoStore marks a response as never to be cached: organizer pages carry
// personal data or depend on who is signed in.
func orgNoStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie")
}

// orgSeeOther answers a plain form post with a 303 to target, or tells htmx to
// go there.
func orgSeeOther(c echo.Context, target string) error {
	if isFragment(c) {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// orgWithDone appends ?done=code to a path, before any #fragment.
func orgWithDone(path, code string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	q.Set("done", code)
	u.RawQuery = q.Encode()
	return u.String()
}

// orgCampaignURL is the dashboard of a campaign, and its sub-pages.
func orgCampaignURL(slug string, parts ...string) string {
	u := "/organizer/campaigns/" + url.PathEscape(slug)
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

// orgParamID reads a positive integer path parameter.
func orgParamID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// orgCampaign loads the campaign of the :slug parameter from store (nil:
// there is none).
func orgCampaign(c echo.Context, store CampaignStore) (advocacy.Campaign, error) {
	if store == nil {
		return advocacy.Campaign{}, advocacy.NotFound("No campaign store is configured.")
	}
	return store.Campaign(c.Request().Context(), c.Param("slug"))
}

// orgMember names a member for organizer tables, or gives the ID of one
// the reference data (dir, which may be nil) does not know.
func orgMember(dir MemberDirectory, id string) templates.MemberRef {
	if dir != nil {
		if m, ok := dir.Member(id); ok {
			return orgMemberRef(m)
		}
	}
	return templates.MemberRef{BioguideID: id, Name: id}
}

func orgMemberRef(m advocacy.Member) templates.MemberRef {
	short := m.PartyLetter() + "-" + m.State
	district := ""
	if m.Chamber == advocacy.House {
		if m.District == 0 {
			short += "-AL"
			district = "At large"
		} else {
			short += "-" + strconv.Itoa(m.District)
			district = strconv.Itoa(m.District)
		}
	}
	prefix := "Rep. "
	switch {
	case m.Chamber == advocacy.Senate:
		prefix = "Sen. "
	case m.NonVoting():
		prefix = "Del. "
	}
	return templates.MemberRef{BioguideID: m.BioguideID, Name: prefix + m.Name, Short: short, Party: m.Party,
		State: m.State, District: district, Known: true}
}
