package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/accounts"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// userAdmin is where admins manage the workspace's accounts and
// partners: the lists, the forms that add them, and disabling an account.
// It is mounted with the workspace, on the same account store.
type userAdmin struct {
	view *renderer
	ws   *workspace
	// users lists, disables and enables accounts and keeps partners;
	// accounts creates accounts with their passwords.
	users    UserStore
	accounts *accounts.Service
}

func newUserAdmin(s *Server, ws *workspace) *userAdmin {
	return &userAdmin{view: s.view, ws: ws, users: ws.users, accounts: ws.accounts}
}

// routes mounts the accounts and partners lists and their forms.
func (u *userAdmin) routes(org *echo.Group) {
	org.GET("/users", u.listUsers)
	org.POST("/users", u.createUser)
	org.POST("/users/:id/disable", u.setUserDisabled(true))
	org.POST("/users/:id/enable", u.setUserDisabled(false))
	org.GET("/partners", u.listPartners)
	org.POST("/partners", u.createPartner)
}

// listUsers lists the accounts with the form to add one (admins only).
func (u *userAdmin) listUsers(c echo.Context) error {
	if _, err := need(c, advocacy.PermManageUsers); err != nil {
		return err
	}
	return u.renderUsers(c, http.StatusOK, templates.UsersView{})
}

func (u *userAdmin) renderUsers(c echo.Context, status int, v templates.UsersView) error {
	a, _ := authFrom(c)
	ctx := c.Request().Context()
	list, err := u.users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, acct := range list {
		v.Users = append(v.Users, templates.UserRow{ID: strconv.FormatInt(acct.ID, 10), Email: acct.Email, Role: acct.Role.Label(),
			Partner: acct.PartnerName, Disabled: acct.Disabled(), Created: shortDate(acct.CreatedAt), Self: acct.ID == a.user.ID})
	}
	partners, err := u.users.Partners(ctx)
	if err != nil {
		return err
	}
	for _, p := range partners {
		v.Partners = append(v.Partners, templates.PartnerOption{Code: p.SourceCode, Name: p.Name})
	}
	if v.Form == nil {
		v.Form = map[string]string{"role": string(advocacy.RoleOrganizer)}
	}
	return u.view.render(c, status, templates.UsersPage(u.ws.frame(c, "Users", "/organizer/users", ""), v), nil)
}

// createUser adds an account. Without a password typed in, one is
// generated and shown once on the answer (never put in a URL), which is why
// success renders the page instead of redirecting.
func (u *userAdmin) createUser(c echo.Context) error {
	a, err := need(c, advocacy.PermManageUsers)
	if err != nil {
		return err
	}
	form := map[string]string{"email": c.FormValue("email"), "role": c.FormValue("role"), "partner": c.FormValue("partner")}
	nu := advocacy.NewUser{Email: form["email"], Role: advocacy.Role(form["role"]), PartnerCode: form["partner"]}
	if nu.Role != advocacy.RolePartner {
		nu.PartnerCode = ""
	}
	created, generated, err := u.accounts.CreateAccount(c.Request().Context(), nu, c.FormValue("password"), a.user.ID)
	if de := domainError(err); de != nil && (de.Code == advocacy.CodeInvalid || de.Code == advocacy.CodeConflict) {
		return u.renderUsers(c, http.StatusUnprocessableEntity, templates.UsersView{Form: form, Errors: de.Fields})
	}
	if err != nil {
		return err
	}
	v := templates.UsersView{NewEmail: created.Email, NewPassword: generated}
	return u.renderUsers(c, http.StatusOK, v)
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
func (u *userAdmin) setUserDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := need(c, advocacy.PermManageUsers)
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
		if _, err := u.users.SetDisabled(c.Request().Context(), id, disabled, a.user.ID); err != nil {
			return err
		}
		code := "enabled"
		if disabled {
			code = "disabled"
		}
		return orgSeeOther(c, orgWithDone("/organizer/users", code))
	}
}

// listPartners lists partners with the form to add one (admins only).
func (u *userAdmin) listPartners(c echo.Context) error {
	if _, err := need(c, advocacy.PermManagePartners); err != nil {
		return err
	}
	return u.renderPartners(c, http.StatusOK, templates.PartnersView{})
}

func (u *userAdmin) renderPartners(c echo.Context, status int, v templates.PartnersView) error {
	list, err := u.users.Partners(c.Request().Context())
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
	return u.view.render(c, status, templates.PartnersPage(u.ws.frame(c, "Partners", "/organizer/partners", ""), v), nil)
}

// createPartner adds a partner.
func (u *userAdmin) createPartner(c echo.Context) error {
	a, err := need(c, advocacy.PermManagePartners)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, f := range []string{"name", "slug", "source_code", "allowed_origins", "contact", "logo_text"} {
		form[f] = c.FormValue(f)
	}
	p := advocacy.Partner{Name: form["name"], Slug: form["slug"], SourceCode: form["source_code"],
		AllowedOrigins: strings.Fields(form["allowed_origins"]), Contact: form["contact"], LogoText: form["logo_text"]}
	_, err = u.users.CreatePartner(c.Request().Context(), p, a.user.ID)
	if de := domainError(err); de != nil && (de.Code == advocacy.CodeInvalid || de.Code == advocacy.CodeConflict) {
		return u.renderPartners(c, http.StatusUnprocessableEntity, templates.PartnersView{Form: form, Errors: de.Fields})
	}
	if err != nil {
		return err
	}
	return orgSeeOther(c, orgWithDone("/organizer/partners", "partner"))
}
