package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// users lists the accounts with the form to add one (admins only).
func (s *Server) users(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermManageUsers); err != nil {
		return err
	}
	return s.renderUsers(c, http.StatusOK, templates.UsersView{})
}

func (s *Server) renderUsers(c echo.Context, status int, v templates.UsersView) error {
	a, _ := authFrom(c)
	ctx := c.Request().Context()
	list, err := s.deps.Organizer.Users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range list {
		v.Users = append(v.Users, templates.UserRow{ID: strconv.FormatInt(u.ID, 10), Email: u.Email, Role: u.Role.Label(),
			Partner: u.PartnerName, Disabled: u.Disabled(), Created: shortDate(u.CreatedAt), Self: u.ID == a.user.ID})
	}
	partners, err := s.deps.Organizer.Users.Partners(ctx)
	if err != nil {
		return err
	}
	for _, p := range partners {
		v.Partners = append(v.Partners, templates.PartnerOption{Code: p.SourceCode, Name: p.Name})
	}
	if v.Form == nil {
		v.Form = map[string]string{"role": string(advocacy.RoleOrganizer)}
	}
	return s.render(c, status, templates.UsersPage(s.orgMeta(c, "Users", "/organizer/users", ""), v), nil)
}

// createUser adds an account. Without a password typed in, one is
// generated and shown once on the answer (never put in a URL), which is why
// success renders the page instead of redirecting.
func (s *Server) createUser(c echo.Context) error {
	a, err := s.need(c, advocacy.PermManageUsers)
	if err != nil {
		return err
	}
	form := map[string]string{"email": c.FormValue("email"), "role": c.FormValue("role"), "partner": c.FormValue("partner")}
	nu := advocacy.NewUser{Email: form["email"], Role: advocacy.Role(form["role"]), PartnerCode: form["partner"]}
	if nu.Role != advocacy.RolePartner {
		nu.PartnerCode = ""
	}
	password := c.FormValue("password")
	generated := password == ""
	if generated {
		if password, err = advocacy.GeneratePassword(s.orgRand()); err != nil {
			return err
		}
	}
	invalid := func(fields map[string]string) error {
		return s.renderUsers(c, http.StatusUnprocessableEntity, templates.UsersView{Form: form, Errors: fields})
	}
	if err := advocacy.ValidatePassword(password, nu.Email); err != nil {
		return invalid(map[string]string{"password": err.Error()})
	}
	if nu.PasswordHash, err = advocacy.HashPassword(password, s.orgConfig().Passwords, s.orgRand()); err != nil {
		return err
	}
	u, err := s.deps.Organizer.Users.CreateUser(c.Request().Context(), nu, a.user.ID)
	if de := domainError(err); de != nil && (de.Code == advocacy.CodeInvalid || de.Code == advocacy.CodeConflict) {
		return invalid(de.Fields)
	}
	if err != nil {
		return err
	}
	v := templates.UsersView{NewEmail: u.Email}
	if generated {
		v.NewPassword = password
	}
	return s.renderUsers(c, http.StatusOK, v)
}

// domainError returns err's *advocacy.Error, if it is one.
func domainError(err error) *advocacy.Error {
	var de *advocacy.Error
	if errors.As(err, &de) {
		return de
	}
	return nil
}

// setUserDisabled disables or enables an account; disabling ends its
// sessions at once. Admins cannot disable themselves.
func (s *Server) setUserDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.need(c, advocacy.PermManageUsers)
		if err != nil {
			return err
		}
		id, err := orgParamID(c, "id")
		if err != nil {
			return err
		}
		if disabled && id == a.user.ID {
			return &advocacy.Error{Code: advocacy.CodeConflict, Message: "You cannot disable your own account; ask another admin."}
		}
		if _, err := s.deps.Organizer.Users.SetDisabled(c.Request().Context(), id, disabled, a.user.ID); err != nil {
			return err
		}
		code := "enabled"
		if disabled {
			code = "disabled"
		}
		return orgSeeOther(c, orgWithDone("/organizer/users", code))
	}
}

// partners lists partners with the form to add one (admins only).
func (s *Server) partners(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermManagePartners); err != nil {
		return err
	}
	return s.renderPartners(c, http.StatusOK, templates.PartnersView{})
}

func (s *Server) renderPartners(c echo.Context, status int, v templates.PartnersView) error {
	list, err := s.deps.Organizer.Users.Partners(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range list {
		v.Partners = append(v.Partners, templates.PartnerRow{Name: p.Name, Slug: p.Slug, Code: p.SourceCode,
			Origins: strings.Join(p.AllowedOrigins, " "), Contact: p.Contact, Created: shortDate(p.CreatedAt)})
	}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	return s.render(c, status, templates.PartnersPage(s.orgMeta(c, "Partners", "/organizer/partners", ""), v), nil)
}

// createPartner adds a partner.
func (s *Server) createPartner(c echo.Context) error {
	a, err := s.need(c, advocacy.PermManagePartners)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, f := range []string{"name", "slug", "source_code", "allowed_origins", "contact", "logo_text"} {
		form[f] = c.FormValue(f)
	}
	p := advocacy.Partner{Name: form["name"], Slug: form["slug"], SourceCode: form["source_code"],
		AllowedOrigins: strings.Fields(form["allowed_origins"]), Contact: form["contact"], LogoText: form["logo_text"]}
	_, err = s.deps.Organizer.Users.CreatePartner(c.Request().Context(), p, a.user.ID)
	if de := domainError(err); de != nil && (de.Code == advocacy.CodeInvalid || de.Code == advocacy.CodeConflict) {
		return s.renderPartners(c, http.StatusUnprocessableEntity, templates.PartnersView{Form: form, Errors: de.Fields})
	}
	if err != nil {
		return err
	}
	return orgSeeOther(c, orgWithDone("/organizer/partners", "partner"))
}

// auditPage shows the audit log, newest first, a page at a time (admins).
func (s *Server) auditPage(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermViewAudit); err != nil {
		return err
	}
	if s.deps.Organizer.Audit == nil {
		return echo.ErrNotFound
	}
	const pageSize = 50
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	entries, err := s.deps.Organizer.Audit.AuditLog(c.Request().Context(), before, pageSize)
	if err != nil {
		return err
	}
	v := templates.AuditView{}
	for _, e := range entries {
		who := e.UserEmail
		if e.UserID == 0 {
			who = "command line"
		}
		v.Entries = append(v.Entries, templates.AuditRow{ID: strconv.FormatInt(e.ID, 10), When: e.CreatedAt.UTC().Format("Jan 2, 2006 15:04:05 UTC"),
			ISO: csvTime(e.CreatedAt), Who: who, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Before: e.Before, After: e.After})
	}
	if len(entries) == pageSize {
		v.NextURL = "/organizer/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return s.render(c, http.StatusOK, templates.AuditPage(s.orgMeta(c, "Audit log", "/organizer/audit", ""), v), nil)
}
