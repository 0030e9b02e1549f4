package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func auditActions(t *testing.T, e *env) []string {
	t.Helper()
	rows, err := e.db.R.Query("SELECT action FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func firstPointID(t *testing.T, e *env) int64 {
	t.Helper()
	var id int64
	if err := e.db.R.QueryRow("SELECT id FROM talking_points ORDER BY CASE audience WHEN 'constituents' THEN 0 WHEN 'business' THEN 1 ELSE 2 END, position, id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestEditTalkingPoint(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	id := firstPointID(t, e)
	base := "/organizer/campaigns/jackson-vanik/edit/talking-points/" + strconv.FormatInt(id, 10)

	// Without JavaScript the Edit link opens the editor with the form open.
	rec := cl.get(t, base)
	doc := orgDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`#tp-`+strconv.FormatInt(id, 10)+` [data-testid=tp-form]`).Length() != 1 || doc.Find("h1").Length() != 1 {
		t.Fatalf("edit form page: %d", rec.Code)
	}
	// With htmx only the region comes back.
	rec = cl.get(t, base, "HX-Request", "true")
	frag := orgDoc(t, rec)
	if frag.Find("h1").Length() != 0 || frag.Find(`[data-testid=tp-form] textarea[name=body_md][hx-post="/organizer/preview"]`).Length() != 1 {
		t.Errorf("edit form fragment: %s", rec.Body.String()[:min(300, rec.Body.Len())])
	}
	if csrf := frag.Find(`input[name=csrf]`).AttrOr("value", ""); csrf != cl.csrf {
		t.Errorf("fragment's form carries token %q", csrf)
	}

	form := url.Values{"audience": {"constituents"}, "title": {""}, "body_md": {"Some **text**"}, "sources": {"Congress.gov | https://www.congress.gov/"}}
	rec = cl.post(t, base, form, "HX-Request", "true")
	frag = orgDoc(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || frag.Find(`[data-testid=error-title]`).Length() != 1 ||
		frag.Find(`input[name=title][aria-invalid=true]`).Length() != 1 || frag.Find("h1").Length() != 0 {
		t.Errorf("invalid save: %d", rec.Code)
	}
	if !strings.Contains(frag.Find(`[data-testid=tp-preview]`).Text(), "text") {
		t.Error("the form lost its preview")
	}
	// The preview button renders without saving.
	form.Set("title", "A preview only")
	form.Set("action", "preview")
	rec = cl.post(t, base, form)
	if rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid=tp-preview] strong`).Text() != "text" {
		t.Errorf("preview: %d", rec.Code)
	}
	form.Del("action")
	form.Set("title", "Trade, not a yearly waiver")
	form.Set("body_md", "Central Asia needs **certainty**.<script>alert(1)</script>")
	rec = cl.post(t, base, form, "HX-Request", "true")
	frag = orgDoc(t, rec)
	if rec.Code != http.StatusOK || frag.Find(`[data-testid=saved]`).Length() != 1 || frag.Find(`h3`).Text() != "Trade, not a yearly waiver" {
		t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "<script>alert") {
		t.Error("the saved point renders a script")
	}
	// The public page shows it at once.
	pub := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(pub, httptest.NewRequest(http.MethodGet, "/talking-points", nil))
	if !strings.Contains(pub.Body.String(), "Trade, not a yearly waiver") {
		t.Error("the public talking points page does not show the edit")
	}
	var before, after string
	if err := e.db.R.QueryRow("SELECT before_json, after_json FROM audit_log WHERE action = 'talking_point.update'").Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, "Trade, not a yearly waiver") || strings.Contains(before, "Trade, not") {
		t.Errorf("audit before %s after %s", before, after)
	}

	// Live preview: sanitised Markdown.
	rec = cl.post(t, "/organizer/preview", url.Values{"body_md": {"**bold** <img src=x onerror=alert(1)> <script>x()</script>"}}, "HX-Request", "true")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<strong>bold</strong>") || strings.Contains(rec.Body.String(), "onerror") ||
		strings.Contains(rec.Body.String(), "<script") {
		t.Errorf("preview: %d %s", rec.Code, rec.Body.String())
	}

	// A new point, then delete it.
	rec = cl.post(t, "/organizer/campaigns/jackson-vanik/edit/talking-points",
		url.Values{"audience": {"press"}, "title": {"New for the press"}, "body_md": {"Body"}})
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "#tp-") {
		t.Fatalf("create: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	newID := strings.SplitN(rec.Header().Get("Location"), "#tp-", 2)[1]
	if rec := cl.post(t, "/organizer/campaigns/jackson-vanik/edit/talking-points/"+newID+"/delete", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("delete: %d", rec.Code)
	}
	if got := strings.Join(auditActions(t, e), " "); got != "user.create talking_point.update talking_point.create talking_point.delete" {
		t.Errorf("audit %s", got)
	}
}

func TestEditCampaignBillsAndTemplates(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	base := "/organizer/campaigns/jackson-vanik/edit"
	rec := cl.get(t, base)
	doc := orgDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`[data-testid=bill-region]`).Length() != 2 || doc.Find(`[data-testid=template-region]`).Length() != 3 {
		t.Fatalf("editor: %d", rec.Code)
	}

	// Campaign text: invalid, then valid.
	rec = cl.post(t, base+"/text", url.Values{"title": {""}, "ask": {"Cosponsor."}, "status": {"active"}, "ends_on": {"someday"}})
	doc = orgDoc(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || doc.Find(`#campaign-text [data-testid=error-title]`).Length() != 1 || doc.Find(`#campaign-text [data-testid=error-ends_on]`).Length() != 1 {
		t.Errorf("invalid text: %d", rec.Code)
	}
	rec = cl.post(t, base+"/text", url.Values{"title": {"Repeal Jackson-Vanik now"}, "ask": {"Cosponsor the bills."}, "summary": {"Short."},
		"why": {"One\nTwo\nThree"}, "status": {"active"}}, "HX-Request", "true")
	if rec.Code != http.StatusOK || testIDText(orgDoc(t, rec), "ct-title") != "Repeal Jackson-Vanik now" {
		t.Errorf("save text: %d %s", rec.Code, rec.Body.String())
	}

	// A bill's target.
	rec = cl.post(t, base+"/bills/hr5917-119", url.Values{"title": {"A bill"}, "target": {"500"}})
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`#bill-hr5917-119 [data-testid=error-target]`).Length() != 1 {
		t.Errorf("bad target: %d", rec.Code)
	}
	rec = cl.post(t, base+"/bills/hr5917-119", url.Values{"title": {"A bill"}, "status": {"Introduced"}, "target": {"200"}, "introduced_on": {"2025-11-04"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != base+"?done=saved#bill-hr5917-119" {
		t.Errorf("save bill: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	// Cosponsors by hand: an unknown member, then a real one, then withdrawn.
	rec = cl.post(t, base+"/bills/hr5917-119/cosponsors", url.Values{"bioguide": {"Z999999"}, "joined_on": {"2026-01-05"}}, "HX-Request", "true")
	if rec.Code != http.StatusUnprocessableEntity || orgDoc(t, rec).Find(`[data-testid=error-bioguide]`).Length() != 1 {
		t.Errorf("unknown cosponsor: %d", rec.Code)
	}
	rec = cl.post(t, base+"/bills/hr5917-119/cosponsors", url.Values{"bioguide": {"N000002"}, "joined_on": {"2026-01-05"}}, "HX-Request", "true")
	if rec.Code != http.StatusOK || !strings.Contains(testIDText(orgDoc(t, rec), "cosponsor-message"), "was added") {
		t.Errorf("add cosponsor: %d %s", rec.Code, rec.Body.String())
	}
	rec = cl.post(t, base+"/bills/hr5917-119/cosponsors/N000002/withdraw", url.Values{"withdrawn_on": {"2025-12-01"}}, "HX-Request", "true")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("withdraw before joining: %d", rec.Code)
	}
	rec = cl.post(t, base+"/bills/hr5917-119/cosponsors/N000002/withdraw", url.Values{"withdrawn_on": {"2026-02-01"}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("withdraw: %d", rec.Code)
	}

	// The Congress.gov import as an upload: a bad file, then a good one.
	upload := func(name, body string) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", cl.csrf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(body))
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, base+"/bills/hr5917-119/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("HX-Request", "true")
		return cl.do(t, req)
	}
	rec = upload("bad.json", `{"cosponsors": [{"bioguideId": "Z999999", "sponsorshipDate": "2026-01-01", "isOriginalCosponsor": false}]}`)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(testIDText(orgDoc(t, rec), "import-error"), "Z999999") {
		t.Errorf("bad import: %d %s", rec.Code, rec.Body.String())
	}
	rec = upload("hr5917.json", `{"cosponsors": [
		{"bioguideId": "P000613", "sponsorshipDate": "2025-11-04", "isOriginalCosponsor": true},
		{"bioguideId": "A000370", "sponsorshipDate": "2026-01-10", "isOriginalCosponsor": false}],
		"pagination": {"count": 2, "countIncludingWithdrawnCosponsors": 2},
		"request": {"billNumber": "5917", "billType": "hr", "congress": "119"}}`)
	if rec.Code != http.StatusOK || !strings.Contains(testIDText(orgDoc(t, rec), "cosponsor-message"), "1 added") {
		t.Errorf("import: %d %s", rec.Code, rec.Body.String())
	}

	// Letter templates: an unknown merge field, then a good one.
	rec = cl.post(t, base+"/templates/ask", url.Values{"subject": {"Cosponsor {{bil}}"}, "body": {"Dear {{member_name}}"}}, "HX-Request", "true")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(testIDText(orgDoc(t, rec), "error-subject"), "{{bil}}") {
		t.Errorf("bad template: %d", rec.Code)
	}
	rec = cl.post(t, base+"/templates/ask", url.Values{"subject": {"Cosponsor {{bill}}"}, "body": {"Dear {{member_title}} {{member_name}}, please."}, "action": {"preview"}}, "HX-Request", "true")
	if rec.Code != http.StatusOK || !strings.Contains(testIDText(orgDoc(t, rec), "template-preview"), "Dear Representative Jordan Example, please.") {
		t.Errorf("template preview: %d %s", rec.Code, testIDText(orgDoc(t, rec), "template-preview"))
	}
	rec = cl.post(t, base+"/templates/ask", url.Values{"subject": {"Cosponsor {{bill}}"}, "body": {"Dear {{member_title}} {{member_name}}, please."}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("save template: %d", rec.Code)
	}
	tpls, err := e.kit.Editor.LetterTemplates(t.Context(), e.campaignID)
	if err != nil || tpls[advocacy.TemplateAsk].Subject != "Cosponsor {{bill}}" {
		t.Errorf("stored template %+v %v", tpls[advocacy.TemplateAsk], err)
	}
	want := "user.create campaign.update bill.update cosponsor.add cosponsor.withdraw cosponsor.import letter_template.update"
	if got := strings.Join(auditActions(t, e), " "); got != want {
		t.Errorf("audit:\n got %s\nwant %s", got, want)
	}
}

// TestEditCampaignSponsor: the organisation that runs a campaign is edited
// with its text; every public footer then names it, and a wrong address
// is refused with its field's message, saving nothing.
func TestEditCampaignSponsor(t *testing.T) {
	e := newEnv(t, organizerWorkspace())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	cl := e.mustLogin(t, "org@example.org")
	target := "/organizer/campaigns/jackson-vanik/edit/text"
	form := func(site string) url.Values {
		return url.Values{"title": {"Repeal Jackson-Vanik for Central Asia"}, "ask": {"Ask your members to cosponsor."},
			"why": {"It is out of date."}, "sponsor_name": {"Central Asia Trade Council"}, "sponsor_url": {site},
			"sponsor_email": {"hello@catc.example.org"}, "paid_for_by": {"Paid for by the Central Asia Trade Council"}}
	}
	rec := cl.post(t, target, form("catc.example.org"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(orgDoc(t, rec).Find(`#ct-sponsor-url-error`).Text(), "https://") {
		t.Fatalf("a web address without https://: %d %q", rec.Code, orgDoc(t, rec).Find(`#ct-sponsor-url-error`).Text())
	}
	var name string
	if err := e.db.R.QueryRow("SELECT sponsor_name FROM campaigns").Scan(&name); err != nil || name != "" {
		t.Fatalf("a refused edit saved the sponsor: %q %v", name, err)
	}
	if rec := cl.post(t, target, form("https://catc.example.org")); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	if got := squash(orgDoc(t, cl.get(t, "/organizer/campaigns/jackson-vanik/edit")).Find(`[data-testid="ct-sponsor"]`).Text()); got != "Central Asia Trade Council (Paid for by the Central Asia Trade Council)" {
		t.Errorf("workspace shows %q", got)
	}
	for _, path := range []string{"/talking-points", "/bills/hr5917-119"} {
		d := orgDoc(t, e.client().get(t, path))
		if got := d.Find(`[data-testid="paid-for-by"]`).Text(); got != "Paid for by the Central Asia Trade Council" {
			t.Errorf("%s: paid-for-by %q", path, got)
		}
		if got := squash(d.Find(`[data-testid="sponsor"] p`).First().Text()); got != "This campaign is run by Central Asia Trade Council. Contact: hello@catc.example.org" {
			t.Errorf("%s: sponsor line %q", path, got)
		}
		if d.Find(`[data-testid="sponsor"] a[href="https://catc.example.org"]`).Length() != 1 {
			t.Errorf("%s: no link to the organisation: %q", path, squash(d.Find(`[data-testid="sponsor"]`).Text()))
		}
	}
}

// TestSavedTemplateReachesTheNextLetter: letters keep their campaign's
// templates for a while, but a template an organizer saves is in the very
// next letter.
func TestSavedTemplateReachesTheNextLetter(t *testing.T) {
	// The campaign page cache stays on: the kept templates live as long.
	e := newEnv(t, organizerWorkspace(), withLetters(), withLetterTemplates())
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	subject := func() string {
		d := mustDoc(t, e.post(t, "/write/preview", validForm(e.formToken(t)), false))
		return d.Find(`[data-testid="preview-letter"][data-bioguide="` + goldman + `"] [data-testid="preview-subject"]`).Text()
	}
	if got := subject(); !strings.HasPrefix(got, "Please cosponsor") {
		t.Fatalf("before: subject %q", got)
	}
	cl := e.mustLogin(t, "org@example.org")
	rec := cl.post(t, "/organizer/campaigns/jackson-vanik/edit/templates/ask",
		url.Values{"subject": {"Sign on to {{bill}}"}, "body": {"Dear {{member_title}} {{member_name}}, please."}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save template: %d %s", rec.Code, rec.Body)
	}
	if got := subject(); got != "Sign on to H.R. 5917" {
		t.Errorf("after saving: subject %q", got)
	}
}
