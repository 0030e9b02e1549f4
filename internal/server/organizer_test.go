package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/testkit"
)

// orgClient is a browser stand-in: it keeps cookies and the CSRF token.
type orgClient struct {
	env     *env
	cookies map[string]*http.Cookie
	csrf    string
	ip      string
}

func (e *env) client() *orgClient {
	return &orgClient{env: e, cookies: map[string]*http.Cookie{}, ip: "192.0.2.10"}
}

// do sends a request with the client's cookies and keeps the ones set.
func (cl *orgClient) do(t testing.TB, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	req.RemoteAddr = cl.ip + ":4321"
	for _, c := range cl.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	cl.env.srv.Handler().ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(cl.cookies, c.Name)
		} else {
			cl.cookies[c.Name] = c
		}
	}
	if tok := csrfOf(rec); tok != "" {
		cl.csrf = tok
	}
	return rec
}

// csrfOf reads the csrf field of an HTML answer.
func csrfOf(rec *httptest.ResponseRecorder) string {
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		return ""
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		return ""
	}
	v, _ := doc.Find(`input[name=csrf]`).First().Attr("value")
	return v
}

func (cl *orgClient) get(t testing.TB, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return cl.do(t, req)
}

// post sends a form with the client's CSRF token (unless the form has its
// own csrf value) from this site's origin.
func (cl *orgClient) post(t testing.TB, target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", cl.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return cl.do(t, req)
}

// login signs in through the form and returns the answer to the POST.
func (cl *orgClient) login(t testing.TB, email, password string) *httptest.ResponseRecorder {
	t.Helper()
	if rec := cl.get(t, "/login"); rec.Code != http.StatusOK {
		t.Fatalf("login page: %d", rec.Code)
	}
	return cl.post(t, "/login", url.Values{"email": {email}, "password": {password}, "next": {"/organizer"}})
}

// mustLogin signs in and loads the workspace, so the client holds the
// session's CSRF token.
func (e *env) mustLogin(t testing.TB, email string) *orgClient {
	t.Helper()
	cl := e.client()
	rec := cl.login(t, email, testkit.Password)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/organizer" {
		t.Fatalf("login %s: %d %s %s", email, rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusOK {
		t.Fatalf("workspace after login: %d", rec.Code)
	}
	return cl
}

func orgDoc(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func sessionCount(t testing.TB, e *env) int {
	t.Helper()
	var n int
	if err := e.db.R.QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoginAndSessionCookie(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.client()

	// Without a session the workspace sends you to sign in, and back after.
	rec := cl.get(t, "/organizer/campaigns/jackson-vanik?days=7")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Forganizer%2Fcampaigns%2Fjackson-vanik%3Fdays%3D7" {
		t.Fatalf("anonymous: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := cl.get(t, "/organizer", "HX-Request", "true"); rec.Code != http.StatusUnauthorized || rec.Header().Get("HX-Redirect") != "/login" {
		t.Errorf("anonymous htmx: %d %q", rec.Code, rec.Header().Get("HX-Redirect"))
	}

	rec = cl.login(t, "ORG@example.org ", testkit.Password)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/organizer" {
		t.Fatalf("login: %d %s", rec.Code, rec.Body.String())
	}
	ck := cl.cookies[sessionCookie]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge != 0 {
		t.Fatalf("session cookie %+v", ck)
	}
	if !advocacy.ValidSessionToken(ck.Value) {
		t.Errorf("token %q is not 128 random bits in base64url", ck.Value)
	}
	// Only the token's hash is stored.
	var stored string
	if err := e.db.R.QueryRow("SELECT token_hash FROM sessions").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == ck.Value || stored != advocacy.HashToken(ck.Value) {
		t.Errorf("stored %q for token %q", stored, ck.Value)
	}
	rec = cl.get(t, "/organizer")
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("workspace: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if got := orgDoc(t, rec).Find(`[data-testid=org]`).AttrOr("hx-headers", ""); !strings.Contains(got, `"X-CSRF-Token":"`+cl.csrf+`"`) {
		t.Errorf("hx-headers %q lacks the CSRF token", got)
	}
	// Login always issues a new token: a token planted before login is
	// never adopted (no session fixation).
	planted := e.client()
	planted.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: "AAAAAAAAAAAAAAAAAAAAAA"}
	planted.login(t, "org@example.org", testkit.Password)
	if got := planted.cookies[sessionCookie]; got == nil || got.Value == "AAAAAAAAAAAAAAAAAAAAAA" || got.Value == ck.Value {
		t.Errorf("login kept a planted or shared token: %+v", got)
	}

	// Behind an HTTPS proxy the cookie is Secure.
	sec := e.client()
	sec.get(t, "/login")
	rec = sec.post(t, "/login", url.Values{"email": {"org@example.org"}, "password": {testkit.Password}}, "X-Forwarded-Proto", "https")
	if ck := sec.cookies[sessionCookie]; rec.Code != http.StatusSeeOther || ck == nil || !ck.Secure {
		t.Errorf("https login: %d cookie %+v", rec.Code, ck)
	}
	// A next outside the workspace is ignored.
	ext := e.client()
	ext.get(t, "/login")
	rec = ext.post(t, "/login", url.Values{"email": {"org@example.org"}, "password": {testkit.Password}, "next": {"//evil.example/"}})
	if rec.Header().Get("Location") != "/organizer" {
		t.Errorf("next redirect to %q", rec.Header().Get("Location"))
	}
}

func TestLoginWrongPasswordAndThrottling(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.client()
	rec := cl.login(t, "org@example.org", "wrong password!")
	if rec.Code != http.StatusUnauthorized || !strings.Contains(orgDoc(t, rec).Find(`[data-testid=login-error]`).Text(), "not right") {
		t.Fatalf("wrong password: %d", rec.Code)
	}
	if cl.cookies[sessionCookie] != nil || sessionCount(t, e) != 0 {
		t.Fatal("a wrong password started a session")
	}
	// An unknown account answers the same way.
	if rec := cl.login(t, "nobody@example.org", testkit.Password); rec.Code != http.StatusUnauthorized {
		t.Errorf("unknown account: %d", rec.Code)
	}
	// Five failures on one account from one address stop that address
	// for 15 minutes, even with the right password; the owner, elsewhere,
	// is not locked out.
	for range 4 {
		cl.login(t, "org@example.org", "wrong password!")
	}
	rec = cl.login(t, "org@example.org", testkit.Password)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if msg := orgDoc(t, rec).Find(`[data-testid=login-error]`).Text(); !strings.Contains(msg, "wait and try again in 15 minutes") {
		t.Errorf("throttle message %q", msg)
	}
	other := e.client()
	other.ip = "198.51.100.7"
	if rec := other.login(t, "org@example.org", testkit.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner from another address: %d", rec.Code)
	}
	e.clock.Add(15 * time.Minute)
	if rec := cl.login(t, "org@example.org", testkit.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: %d", rec.Code)
	}

	// Twenty failures from one address lock that address for every account.
	e.addUser(t, "second@example.org", advocacy.RoleOrganizer, "")
	spray := e.client()
	spray.ip = "203.0.113.9"
	for i := range 20 {
		spray.login(t, "guess"+string(rune('a'+i))+"@example.org", "whatever password")
	}
	if rec := spray.login(t, "second@example.org", testkit.Password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("address over its limit: %d", rec.Code)
	}
	if rec := e.client().login(t, "second@example.org", testkit.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("the account from a fresh address: %d", rec.Code)
	}
}

func TestLoginFormCSRF(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	// No login cookie: the form was not served to this browser.
	cl := e.client()
	rec := cl.post(t, "/login", url.Values{"email": {"org@example.org"}, "password": {testkit.Password}, "csrf": {"forged"}})
	if rec.Code != http.StatusForbidden || cl.cookies[sessionCookie] != nil {
		t.Errorf("login without the form's cookie: %d", rec.Code)
	}
	// A cross-site post is refused even with the token.
	cl.get(t, "/login")
	rec = cl.post(t, "/login", url.Values{"email": {"org@example.org"}, "password": {testkit.Password}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden || cl.cookies[sessionCookie] != nil {
		t.Errorf("cross-site login: %d", rec.Code)
	}
}

func TestCSRFRejection(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	form := func() url.Values {
		return url.Values{"title": {"Hijacked"}, "ask": {"Do it."}, "status": {"active"}}
	}
	target := "/organizer/campaigns/jackson-vanik/edit/text"
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no token", url.Values{"csrf": {""}}, nil},
		{"wrong token", url.Values{"csrf": {"not-the-token"}}, nil},
		{"another session's token", url.Values{"csrf": {e.mustLoginToken(t)}}, nil},
		{"cross-site", nil, []string{"Sec-Fetch-Site", "cross-site"}},
		{"foreign origin", nil, []string{"Origin", "https://evil.example"}},
	} {
		f := form()
		for k, v := range tc.form {
			f[k] = v
		}
		rec := cl.post(t, target, f, tc.header...)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d", tc.name, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "did not come from this site") {
			t.Errorf("%s: message %q", tc.name, orgDoc(t, rec).Find("main").Text())
		}
	}
	var title string
	if err := e.db.R.QueryRow("SELECT title FROM campaigns").Scan(&title); err != nil || title == "Hijacked" {
		t.Fatalf("a forged request changed the campaign: %q %v", title, err)
	}
	// The header htmx sends works like the field.
	f := form()
	f.Set("csrf", "")
	if rec := cl.post(t, target, f, "X-CSRF-Token", cl.csrf); rec.Code != http.StatusSeeOther {
		t.Errorf("with the header: %d %s", rec.Code, rec.Body.String())
	}
	// Logout is a state change too.
	before := sessionCount(t, e)
	if rec := cl.post(t, "/logout", url.Values{"csrf": {"x"}}); rec.Code != http.StatusForbidden || sessionCount(t, e) != before {
		t.Errorf("forged logout: %d", rec.Code)
	}
}

func TestLogoutAndDisableEndSessions(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	org := e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	token := cl.cookies[sessionCookie]
	rec := cl.post(t, "/logout", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?out=1" {
		t.Fatalf("logout: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if cl.cookies[sessionCookie] != nil || sessionCount(t, e) != 0 {
		t.Error("logout left the session")
	}
	// The old cookie, replayed, opens nothing.
	replay := e.client()
	replay.cookies[sessionCookie] = token
	if rec := replay.get(t, "/organizer"); rec.Code != http.StatusSeeOther {
		t.Errorf("replayed cookie after logout: %d", rec.Code)
	}

	cl = e.mustLogin(t, "org@example.org")
	admin := e.mustLogin(t, "admin@example.org")
	rec = admin.post(t, "/organizer/users/"+strconv.FormatInt(org.ID, 10)+"/disable", nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body.String())
	}
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusSeeOther {
		t.Errorf("disabled account's session still works: %d", rec.Code)
	}
	right := e.client().login(t, "org@example.org", testkit.Password)
	if right.Code != http.StatusForbidden {
		t.Errorf("disabled account signs in: %d", right.Code)
	}
	// A wrong password gets the very same answer: it does not tell
	// whether the password was right.
	wrong := e.client().login(t, "org@example.org", "not the password at all")
	if wrong.Code != right.Code || orgDoc(t, wrong).Find(`[data-testid=login-error]`).Text() != orgDoc(t, right).Find(`[data-testid=login-error]`).Text() {
		t.Errorf("a disabled account answers a wrong password differently: %d", wrong.Code)
	}
	// Admins cannot disable themselves.
	adminUser, _, _ := e.users.UserForLogin(context.Background(), "admin@example.org")
	if rec := admin.post(t, "/organizer/users/"+strconv.FormatInt(adminUser.ID, 10)+"/disable", nil); rec.Code != http.StatusConflict {
		t.Errorf("self-disable: %d", rec.Code)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")

	// Idle: 29 minutes is fine, and use restarts the clock; 30 idle ends it.
	cl := e.mustLogin(t, "org@example.org")
	e.clock.Add(29 * time.Minute)
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d", rec.Code)
	}
	e.clock.Add(29 * time.Minute)
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusOK {
		t.Fatalf("29 minutes after the last use: %d", rec.Code)
	}
	e.clock.Add(30 * time.Minute)
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("after 30 idle minutes: %d", rec.Code)
	}
	if sessionCount(t, e) != 0 {
		t.Error("the idle session was not deleted")
	}

	// Absolute: busy all day, still out after 12 hours.
	cl = e.mustLogin(t, "org@example.org")
	for range 12*3 - 1 {
		e.clock.Add(20 * time.Minute)
		if rec := cl.get(t, "/organizer"); rec.Code != http.StatusOK {
			t.Fatalf("busy session ended early at %v: %d", e.clock.Now(), rec.Code)
		}
	}
	e.clock.Add(20 * time.Minute)
	if rec := cl.get(t, "/organizer"); rec.Code != http.StatusSeeOther {
		t.Errorf("session outlived 12 hours: %d", rec.Code)
	}
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	elsewhere := e.mustLogin(t, "org@example.org")
	cl.get(t, "/organizer/account")
	rec := cl.post(t, "/organizer/account/password", url.Values{"current": {"wrong one"}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-current]`).Length() != 1 {
		t.Errorf("wrong current password: %d", rec.Code)
	}
	rec = cl.post(t, "/organizer/account/password", url.Values{"current": {testkit.Password}, "password": {"short"}, "confirm": {"short"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-password]`).Length() != 1 {
		t.Errorf("short password: %d", rec.Code)
	}
	rec = cl.post(t, "/organizer/account/password", url.Values{"current": {testkit.Password}, "password": {"a new long password"}, "confirm": {"a different one!!"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-confirm]`).Length() != 1 {
		t.Errorf("mismatch: %d", rec.Code)
	}
	rec = cl.post(t, "/organizer/account/password", url.Values{"current": {testkit.Password}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, rec.Body.String())
	}
	if rec := cl.get(t, "/organizer/account?done=password"); rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid=flash]`).Length() != 1 {
		t.Errorf("this session after the change: %d", rec.Code)
	}
	if rec := elsewhere.get(t, "/organizer"); rec.Code != http.StatusSeeOther {
		t.Errorf("the other session survived the change: %d", rec.Code)
	}
	if rec := e.client().login(t, "org@example.org", "a new long password"); rec.Code != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", rec.Code)
	}
}

func TestRoleChecks(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addPartner(t, "Business Council", "bizco")
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	e.addUser(t, "viewer@biz.example", advocacy.RolePartner, "bizco")
	org := e.mustLogin(t, "org@example.org")
	for _, target := range []string{"/organizer/users", "/organizer/partners", "/organizer/audit"} {
		if rec := org.get(t, target); rec.Code != http.StatusForbidden {
			t.Errorf("organizer GET %s: %d", target, rec.Code)
		}
	}
	rec := org.post(t, "/organizer/users", url.Values{"email": {"new@example.org"}, "role": {"admin"}})
	if rec.Code != http.StatusForbidden {
		t.Errorf("organizer creates a user: %d", rec.Code)
	}
	if _, _, err := e.users.UserForLogin(context.Background(), "new@example.org"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Error("the organizer's account was created")
	}
	if rec := org.get(t, "/organizer"); orgDoc(t, rec).Find(`a[href="/organizer/users"]`).Length() != 0 {
		t.Error("organizers see the Users link")
	}

	viewer := e.mustLogin(t, "viewer@biz.example")
	for _, target := range []string{
		"/organizer/campaigns/jackson-vanik/edit", "/organizer/campaigns/jackson-vanik/exports",
		"/organizer/campaigns/jackson-vanik/exports/letters.csv", "/organizer/campaigns/jackson-vanik/exports/contacts.csv",
		"/organizer/campaigns/jackson-vanik/offices", "/organizer/campaigns/jackson-vanik/offices.csv",
		"/organizer/campaigns/jackson-vanik/offices/N000002", "/organizer/moderation", "/organizer/users", "/organizer/audit",
	} {
		if rec := viewer.get(t, target); rec.Code != http.StatusForbidden {
			t.Errorf("partner viewer GET %s: %d", target, rec.Code)
		}
	}
	if rec := viewer.post(t, "/organizer/campaigns/jackson-vanik/edit/text", url.Values{"title": {"x"}, "ask": {"y"}, "status": {"active"}}); rec.Code != http.StatusForbidden {
		t.Errorf("partner viewer edits: %d", rec.Code)
	}
	if rec := viewer.post(t, "/organizer/moderation/1/approve", nil); rec.Code != http.StatusForbidden {
		t.Errorf("partner viewer moderates: %d", rec.Code)
	}
}

func TestUsersAndPartnersAdmin(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	admin := e.mustLogin(t, "admin@example.org")
	rec := admin.post(t, "/organizer/partners", url.Values{"name": {"Business Council"}, "slug": {"business-council"}, "source_code": {"bizco"},
		"allowed_origins": {"https://biz.example"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create partner: %d %s", rec.Code, rec.Body.String())
	}
	rec = admin.post(t, "/organizer/partners", url.Values{"name": {"Copy"}, "slug": {"copy"}, "source_code": {"bizco"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-source_code]`).Length() != 1 {
		t.Errorf("duplicate code: %d", rec.Code)
	}
	rec = admin.post(t, "/organizer/users", url.Values{"email": {"viewer@biz.example"}, "role": {"partner"}, "partner": {"bizco"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("create viewer: %d %s", rec.Code, rec.Body.String())
	}
	pw := orgDoc(t, rec).Find(`[data-testid=new-password]`).Text()
	if len(pw) != 24 {
		t.Fatalf("generated password %q", pw)
	}
	if rec := e.client().login(t, "viewer@biz.example", pw); rec.Code != http.StatusSeeOther {
		t.Errorf("login with the generated password: %d", rec.Code)
	}
	rec = admin.post(t, "/organizer/users", url.Values{"email": {"x@example.org"}, "role": {"partner"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-partner]`).Length() != 1 {
		t.Errorf("partner viewer without a partner: %d", rec.Code)
	}
	if rec := admin.get(t, "/organizer/users"); orgDoc(t, rec).Find(`[data-testid=user-row]`).Length() != 2 || strings.Contains(rec.Body.String(), pw) {
		t.Error("users list: wrong rows, or the password shown again")
	}
	rec = admin.get(t, "/organizer/audit")
	if rec.Code != http.StatusOK {
		t.Fatalf("audit: %d", rec.Code)
	}
	actions := orgDoc(t, rec).Find(`[data-testid=audit-entry]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-action", "") })
	if strings.Join(actions, " ") != "user.create partner.create user.create" {
		t.Errorf("audit actions %v", actions)
	}
}

func TestCountLookupFlushes(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.srv.lookupCounts.count("zip")
	e.srv.lookupCounts.count("zip")
	e.srv.lookupCounts.count("api")
	if err := e.srv.FlushLookups(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv.lookupCounts.count("zip")
	if err := e.srv.FlushLookups(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := e.db.R.Query("SELECT day, kind, n FROM lookup_counts ORDER BY kind")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var day, kind string
		var n int
		if err := rows.Scan(&day, &kind, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, day+" "+kind+" "+strconv.Itoa(n))
	}
	if strings.Join(got, ", ") != "2026-11-28 api 1, 2026-11-28 zip 3" {
		t.Errorf("lookup counts: %v", got)
	}

	// A failed flush keeps the counts for the next one.
	failing := &failingStats{}
	f := newEnv(t, organizerWorkspace(), withDeps(func(d *Deps) { failing.DashboardStore = d.Organizer.Stats; d.Organizer.Stats = failing }))
	f.srv.lookupCounts.count("zip")
	failing.fail = true
	if err := f.srv.FlushLookups(context.Background()); err == nil {
		t.Fatal("flush did not report the failure")
	}
	failing.fail = false
	f.srv.lookupCounts.count("zip")
	if err := f.srv.FlushLookups(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.db.R.QueryRow("SELECT n FROM lookup_counts").Scan(&n); err != nil || n != 2 {
		t.Errorf("after a failed flush: %d %v", n, err)
	}

	// RunLookupFlusher flushes when its context ends.
	g := newEnv(t, organizerWorkspace())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.srv.RunLookupFlusher(ctx, time.Hour); close(done) }()
	g.srv.lookupCounts.count("location")
	cancel()
	<-done
	if err := g.db.R.QueryRow("SELECT n FROM lookup_counts WHERE kind = 'location'").Scan(&n); err != nil || n != 1 {
		t.Errorf("final flush: %d %v", n, err)
	}
}

func TestCountLookupsMiddleware(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	invalid := func(c echo.Context) error { return advocacy.Invalid("zip", "bad") }
	for _, tc := range []struct {
		target string
		h      echo.HandlerFunc
	}{
		{"/reps?zip=10025", ok},
		{"/reps?zip=10025&district=NY-12", ok}, // settling: the same lookup
		{"/reps?lat=40.8&lon=-73.96", ok},
		{"/api/v1/representatives?zip=10025", ok},
		{"/reps?zip=1", invalid}, // not answered
	} {
		c := e.srv.echo.NewContext(httptest.NewRequest(http.MethodGet, tc.target, nil), httptest.NewRecorder())
		_ = e.srv.lookupCounts.middleware(tc.h)(c)
	}
	if err := e.srv.FlushLookups(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	rows, err := e.db.R.Query("SELECT kind, n FROM lookup_counts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		got[k] = n
	}
	if len(got) != 3 || got["zip"] != 1 || got["location"] != 1 || got["api"] != 1 {
		t.Errorf("counted %v", got)
	}
}

type failingStats struct {
	DashboardStore
	fail bool
}

func (f *failingStats) AddLookups(ctx context.Context, m map[advocacy.LookupKey]int) error {
	if f.fail {
		return io.ErrUnexpectedEOF
	}
	return f.DashboardStore.AddLookups(ctx, m)
}

// TestBillPageStaffNote: a stale cosponsor list tells signed-in staff how
// to refresh it, in an answer no cache keeps; partners and the public see
// no such note.
func TestBillPageStaffNote(t *testing.T) {
	e := newEnv(t, organizerWorkspace(), withConfig(func(c *Config) { c.CosponsorsStaleDays = 14 }))
	e.addUser(t, "staff@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "staff@example.org")
	rec := cl.get(t, "/bills/hr5917-119")
	d := orgDoc(t, rec)
	if href := d.Find(`[data-testid="stale-warning"] [data-testid="import-link"]`).AttrOr("href", ""); href != "/organizer/campaigns/jackson-vanik/edit#bill-hr5917-119" {
		t.Errorf("staff import link = %q", href)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("staff page Cache-Control = %q", cc)
	}
	anon := e.client().get(t, "/bills/hr5917-119")
	if orgDoc(t, anon).Find(`[data-testid="stale-warning"]`).Length() != 0 || anon.Header().Get("ETag") == "" {
		t.Error("the public page shows the staff note or lost its validators")
	}
}
