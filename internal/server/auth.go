package server

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/accounts"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// Sign-in for the organizer workspace. The accounts service
// (internal/accounts) checks passwords, throttles wrong ones and keeps the
// sessions; here the session's token goes into a cookie and comes back
// from it. The cookie holds a 128-bit random token and the database only
// its SHA-256, so a copy of the database opens no session.
//
// CSRF: every state-changing request under /organizer and /logout must
// carry the session's synchronizer token, as the hidden form field "csrf"
// or the X-CSRF-Token header that htmx sends from the hx-headers attribute
// on the workspace's wrapper. The Origin and Sec-Fetch-Site headers are
// checked too. The login form, which has no session yet, uses a
// double-submit cookie.

const (
	sessionCookie = "whipcount_session"
	loginCookie   = "whipcount_login"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
	authKey       = "org.auth"
	// orgBodyLimit bounds organizer posts; the largest is a cosponsor file.
	orgBodyLimit = 10 << 20
)

// orgAuth is the signed-in account and its session.
type orgAuth struct {
	user advocacy.User
	sess advocacy.Session
}

// authFrom returns the request's account, set by requireSession.
func authFrom(c echo.Context) (orgAuth, bool) {
	a, ok := c.Get(authKey).(orgAuth)
	return a, ok
}

// isHTTPS reports whether the client reached us over HTTPS, directly or
// through a proxy that says so.
func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(c echo.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: isHTTPS(c.Request()), SameSite: sameSite,
	})
}

func clearSessionCookie(c echo.Context) {
	setCookie(c, sessionCookie, "", "/", -1, http.SameSiteLaxMode)
}

// currentSession reads and checks the session cookie. A cookie that opens
// no session (any more) is cleared.
func (w *workspace) currentSession(c echo.Context) (orgAuth, bool, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || !advocacy.ValidSessionToken(ck.Value) {
		return orgAuth{}, false, nil
	}
	sess, user, err := w.accounts.Session(c.Request().Context(), ck.Value)
	if errors.Is(err, accounts.ErrNoSession) {
		clearSessionCookie(c)
		return orgAuth{}, false, nil
	}
	if err != nil {
		return orgAuth{}, false, err
	}
	return orgAuth{user: user, sess: sess}, true, nil
}

// requireSession lets only signed-in accounts through; others go to the
// login page (htmx is told to go there). Nothing behind it may be cached.
func (w *workspace) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		orgNoStore(c)
		a, ok, err := w.currentSession(c)
		if err != nil {
			return err
		}
		if !ok {
			return w.toLogin(c)
		}
		c.Set(authKey, a)
		c.SetRequest(c.Request().WithContext(templates.WithCSRF(c.Request().Context(), a.sess.CSRFToken)))
		return next(c)
	}
}

// canEditContent reports whether the request comes from a signed-in
// account that may edit campaigns. Public pages use it to show staff
// their own notes; any doubt means no. Safe on nil (no workspace).
func (w *workspace) canEditContent(c echo.Context) bool {
	if w == nil {
		return false
	}
	if _, err := c.Cookie(sessionCookie); err != nil {
		return false
	}
	a, ok, err := w.currentSession(c)
	if err != nil {
		w.logger.WarnContext(c.Request().Context(), "read session on a public page", "err", err)
		return false
	}
	return ok && a.user.Can(advocacy.PermEditContent)
}

// toLogin sends a visitor without a session to the login page, coming back
// to the page they asked for when it was a plain GET.
func (w *workspace) toLogin(c echo.Context) error {
	target := "/login"
	r := c.Request()
	if r.Method == http.MethodGet && !isFragment(c) {
		target += "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
	}
	if isFragment(c) {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusUnauthorized)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return echo.NewHTTPError(http.StatusUnauthorized, "Your session has ended. Sign in again, then repeat what you were doing.")
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// safeMethod reports whether a request cannot change state.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

var errCSRF = echo.NewHTTPError(http.StatusForbidden,
	"This form has expired or did not come from this site, so nothing was changed. Reload the page and try again.")

// checkOrigin rejects a request a browser says came from another site:
// Sec-Fetch-Site other than same-origin, or an Origin that is not this
// host. Requests without either header (old browsers, curl) pass on to the
// token check.
func checkOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errCSRF
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return errCSRF
	}
	return nil
}

// sameOrigin refuses, with 403, a post that a browser says came from
// another site: a third-party page cannot send letters through its
// visitors' browsers. (Widgets, framed on partners' sites, post from
// Whipcount's own frame and carry signed tokens.)
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := checkOrigin(c.Request()); err != nil {
			return err
		}
		return next(c)
	}
}

// checkCSRF guards every state-changing request of a session: same origin,
// and the session's synchronizer token in the X-CSRF-Token header or the
// csrf form field. It also bounds the body's size.
func (w *workspace) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if safeMethod(r.Method) {
			return next(c)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, orgBodyLimit)
		if err := checkOrigin(r); err != nil {
			return err
		}
		a, ok := authFrom(c)
		if !ok {
			return errCSRF
		}
		token := r.Header.Get(csrfHeader)
		if token == "" {
			token = c.FormValue(csrfField)
		}
		if !advocacy.TokensEqual(token, a.sess.CSRFToken) {
			return errCSRF
		}
		return next(c)
	}
}

// need checks that the signed-in account has permission p.
func need(c echo.Context, p advocacy.Permission) (orgAuth, error) {
	a, ok := authFrom(c)
	if !ok {
		return a, echo.NewHTTPError(http.StatusUnauthorized, "Sign in first.")
	}
	if !a.user.Can(p) {
		return a, echo.NewHTTPError(http.StatusForbidden, "Your account cannot do this. Ask an admin if you need to.")
	}
	return a, nil
}

// clientIP is the address login throttling counts by: the connection's peer,
// unless echo was told how to read a trusted proxy's header.
func clientIP(c echo.Context) string {
	if c.Echo().IPExtractor != nil {
		return c.RealIP()
	}
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

// safeNext keeps a post-login redirect inside the workspace.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/organizer") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/organizer"
}

// loginPage shows the sign-in form with a fresh double-submit token.
func (w *workspace) loginPage(c echo.Context) error {
	orgNoStore(c)
	if _, ok, err := w.currentSession(c); err != nil {
		return err
	} else if ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	v := templates.LoginView{Next: safeNext(c.QueryParam("next"))}
	if c.QueryParam("out") == "1" {
		v.Notice = "You are signed out."
	}
	return w.renderLogin(c, http.StatusOK, v)
}

// renderLogin renders the form with a new login token in its cookie.
func (w *workspace) renderLogin(c echo.Context, status int, v templates.LoginView) error {
	tok, err := advocacy.NewCSRFToken(w.rand)
	if err != nil {
		return err
	}
	setCookie(c, loginCookie, tok, "/login", 3600, http.SameSiteStrictMode)
	v.CSRF = tok
	return w.view.render(c, status, templates.LoginPage(w.view.meta(c, "Sign in", "/login"), v), nil)
}

// login checks the credentials and starts a session with a new token.
func (w *workspace) login(c echo.Context) error {
	orgNoStore(c)
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, 64<<10)
	if err := checkOrigin(r); err != nil {
		return err
	}
	ck, err := c.Cookie(loginCookie)
	if err != nil || !advocacy.TokensEqual(c.FormValue(csrfField), ck.Value) {
		return echo.NewHTTPError(http.StatusForbidden,
			"The sign-in form has expired, or your browser does not keep cookies for this site. Reload the page and try again.")
	}
	email := strings.TrimSpace(c.FormValue("email"))
	v := templates.LoginView{Email: email, Next: safeNext(c.FormValue("next"))}
	token, err := w.accounts.SignIn(r.Context(), email, c.FormValue("password"), clientIP(c))
	var throttled *accounts.Throttled
	switch {
	case errors.As(err, &throttled):
		setRetryAfter(c, throttled.Wait)
		v.Error = "Too many failed sign-ins. For your security, please wait and try again " + advocacy.RetryMessage(throttled.Wait) + "."
		v.Throttled = true
		return w.renderLogin(c, http.StatusTooManyRequests, v)
	case errors.Is(err, accounts.ErrDisabled):
		v.Error = "This account is disabled. Ask an admin to enable it."
		return w.renderLogin(c, http.StatusForbidden, v)
	case errors.Is(err, accounts.ErrWrongCredentials):
		v.Error = "The email or password is not right. Check them and try again."
		return w.renderLogin(c, http.StatusUnauthorized, v)
	case err != nil:
		return err
	}
	// A session cookie (no Max-Age): the server ends the session anyway.
	setCookie(c, sessionCookie, token, "/", 0, http.SameSiteLaxMode)
	setCookie(c, loginCookie, "", "/login", -1, http.SameSiteStrictMode)
	return c.Redirect(http.StatusSeeOther, v.Next)
}

// setRetryAfter says, in whole seconds, when to try again.
func setRetryAfter(c echo.Context, wait time.Duration) {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)))
}

// logout ends the session.
func (w *workspace) logout(c echo.Context) error {
	a, _ := authFrom(c)
	if err := w.accounts.SignOut(c.Request().Context(), a.sess); err != nil {
		return err
	}
	clearSessionCookie(c)
	return orgSeeOther(c, "/login?out=1")
}

// accountPage shows the signed-in account and the password form.
func (w *workspace) accountPage(c echo.Context) error {
	return w.renderAccount(c, http.StatusOK, templates.PasswordForm{})
}

func (w *workspace) renderAccount(c echo.Context, status int, f templates.PasswordForm) error {
	m := w.frame(c, "Your account", "/organizer/account", "")
	page := templates.AccountPage(m, f)
	return w.view.render(c, status, page, templates.PasswordFormRegion(m, f))
}

// changePassword checks the current password, then stores the new one and
// ends the account's other sessions.
func (w *workspace) changePassword(c echo.Context) error {
	a, _ := authFrom(c)
	err := w.accounts.ChangePassword(c.Request().Context(), a.user, a.sess,
		c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm"), clientIP(c))
	var throttled *accounts.Throttled
	if errors.As(err, &throttled) {
		setRetryAfter(c, throttled.Wait)
		return w.renderAccount(c, http.StatusTooManyRequests, templates.PasswordForm{Errors: map[string]string{
			"current": "Too many wrong passwords. Try again " + advocacy.RetryMessage(throttled.Wait) + "."}})
	}
	if de := domainError(err); de != nil && de.Code == advocacy.CodeInvalid {
		return w.renderAccount(c, http.StatusUnprocessableEntity, templates.PasswordForm{Errors: de.Fields})
	}
	if err != nil {
		return err
	}
	return orgSeeOther(c, orgWithDone("/organizer/account", "password"))
}
