package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// Members of the test districts (reference data of the 119th Congress).
const (
	goldman    = "G000599" // NY-10, the one district of ZIP 10002
	schumer    = "S000148"
	gillibrand = "G000555"
	nadler     = "N000002" // NY-12, a district of the split ZIP 10025
	shaheen    = "S001181" // NH senator, an original cosponsor of S. 3103 in the seed
)

// formToken opens the form for ZIP 10002 and returns its token.
func (e *env) formToken(t testing.TB) string {
	t.Helper()
	rec := e.get(t, "/write?zip=10002", false)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /write = %d: %s", rec.Code, rec.Body)
	}
	d, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	tok := d.Find(`[data-testid="compose-form"] input[name="form_token"]`).AttrOr("value", "")
	if !advocacy.ValidLetterToken(tok) {
		t.Fatalf("form token %q", tok)
	}
	return tok
}

// validForm is a complete letter from ZIP 10002 to all three members.
func validForm(token string) url.Values {
	return url.Values{
		"campaign":         {sqlite.SeedSlug},
		"form_token":       {token},
		"lookup_zip":       {"10002"},
		"recipients":       {goldman, schumer, gillibrand},
		"prefix":           {"Ms."},
		"first_name":       {"Ada"},
		"last_name":        {"Lovelace"},
		"address1":         {"12 Orchard Street"},
		"address2":         {"Apt 3"},
		"city":             {"New York"},
		"state":            {"NY"},
		"zip":              {"10002"},
		"email":            {"ada@example.org"},
		"phone":            {"(212) 555-0134"},
		"personal_message": {"I run a small import business on Orchard Street.\nNormal trade would help us."},
		"consent":          {"true"},
	}
}

func with(f url.Values, key string, vals ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	if len(vals) == 0 {
		out.Del(key)
	} else {
		out[key] = vals
	}
	return out
}

func mustDoc(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func TestWritePage(t *testing.T) {
	e := newEnv(t, letterFlow())

	t.Run("single district", func(t *testing.T) {
		rec := e.get(t, "/write?zip=10002&ref=partner_1", false)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		d := mustDoc(t, rec)
		var ids, kinds []string
		d.Find(`[data-testid="recipient"]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-bioguide", ""))
			kinds = append(kinds, s.AttrOr("data-kind", ""))
			if _, ok := s.Find(`input[type=checkbox]`).Attr("checked"); !ok {
				t.Errorf("%s is not ticked by default", s.AttrOr("data-bioguide", ""))
			}
		})
		if strings.Join(ids, ",") != goldman+","+schumer+","+gillibrand {
			t.Errorf("recipients = %v", ids)
		}
		if strings.Join(kinds, ",") != "ask,ask,ask" {
			t.Errorf("kinds = %v", kinds)
		}
		form := d.Find(`[data-testid="compose-form"]`)
		for name, want := range map[string]string{"lookup_zip": "10002", "ref": "partner_1", "campaign": sqlite.SeedSlug} {
			if got := form.Find(`input[type=hidden][name="`+name+`"]`).AttrOr("value", ""); got != want {
				t.Errorf("hidden %s = %q, want %q", name, got, want)
			}
		}
		if d.Find(`#letter-state`).AttrOr("value", "") != "NY" || d.Find(`#letter-zip`).AttrOr("value", "") != "10002" {
			t.Error("state and ZIP are not prefilled from the lookup")
		}
		if n := d.Find(`#letter-prefix option`).Length(); n != len(advocacy.Prefixes())+1 {
			t.Errorf("prefix options = %d", n)
		}
		for _, name := range []string{"prefix", "first_name", "last_name", "address1", "address2", "city", "state", "zip", "email", "phone", "title", "organization", "personal_message", "consent", "newsletter"} {
			if d.Find(`label[for="letter-`+name+`"]`).Length() != 1 {
				t.Errorf("field %s has no label", name)
			}
		}
		if d.Find(`#letter-receipt`).Length() != 0 {
			t.Error("a copy by email is offered though the site cannot send email")
		}
		if d.Find(`fieldset legend`).Length() < 4 {
			t.Error("want the form grouped in fieldsets with legends")
		}
		if got := d.Find(`[data-testid="personal-label"]`).Text(); got != "Template only" {
			t.Errorf("personal label = %q", got)
		}
		if d.Find(`input#letter-consent[value="true"]`).Length() != 1 || d.Find(`a[href="/privacy"]`).Length() == 0 {
			t.Error("consent checkbox or privacy link missing")
		}
	})

	t.Run("htmx fragment", func(t *testing.T) {
		rec := e.get(t, "/write?zip=10002", true)
		if strings.Contains(rec.Body.String(), "<html") || !strings.Contains(rec.Body.String(), `id="letter-flow"`) {
			t.Error("htmx request did not get the fragment")
		}
	})

	t.Run("split ZIP goes back to pick a district", func(t *testing.T) {
		rec := e.get(t, "/write?zip=10025", false)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/reps?zip=10025" {
			t.Errorf("got %d to %q", rec.Code, rec.Header().Get("Location"))
		}
		// A district that is not one of the ZIP's is never taken on trust.
		rec = e.get(t, "/write?zip=10025&district=NY-10", false)
		if rec.Code != http.StatusSeeOther {
			t.Errorf("foreign district: status %d", rec.Code)
		}
		rec = e.get(t, "/write?zip=10025&district=NY-12", false)
		d := mustDoc(t, rec)
		if got := d.Find(`[data-testid="recipient"]`).First().AttrOr("data-bioguide", ""); got != nadler {
			t.Errorf("first recipient for NY-12 = %q", got)
		}
		if d.Find(`input[name="district"]`).AttrOr("value", "") != "NY-12" {
			t.Error("the picked district is not carried in the form")
		}
	})

	t.Run("cosponsor gets thanks", func(t *testing.T) {
		d := mustDoc(t, e.get(t, "/write?zip=03301", false))
		s := d.Find(`[data-testid="recipient"][data-bioguide="` + shaheen + `"]`)
		if s.AttrOr("data-kind", "") != "thank" || !strings.Contains(s.Text(), "Thank you for supporting S. 3103") {
			t.Errorf("Shaheen's option: kind %q, %q", s.AttrOr("data-kind", ""), s.Text())
		}
	})

	t.Run("bad lookups", func(t *testing.T) {
		for _, tc := range []struct {
			name, target string
			want         int
		}{
			{"bad ZIP", "/write?zip=12", http.StatusUnprocessableEntity},
			{"no lookup", "/write", http.StatusUnprocessableEntity},
			{"unknown campaign", "/write?zip=10002&campaign=nope", http.StatusNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if rec := e.get(t, tc.target, false); rec.Code != tc.want {
					t.Errorf("%s: %d, want %d", tc.target, rec.Code, tc.want)
				}
			})
		}
	})
}

func TestWriteDisabled(t *testing.T) {
	env := newEnv(t) // no letter store
	if rec := env.get(t, "/write?zip=10002", false); rec.Code != http.StatusNotFound {
		t.Errorf("GET /write without letters = %d", rec.Code)
	}
	d := doc(t, env.get(t, "/reps?zip=10002", false).Body.String())
	if d.Find(`[data-testid="write-link"]`).Length() != 0 {
		t.Error("write link shown while letters are off")
	}
}

// TestLetterValidation posts the form with one bad field at a time and
// expects 422, the message in the summary linking to the field, and the
// field marked invalid with its message.
func TestLetterValidation(t *testing.T) {
	e := newEnv(t, letterFlow())
	base := validForm(e.formToken(t))
	long := strings.Repeat("word ", advocacy.LetterMaxPersonal/5+1)
	tests := []struct {
		name  string
		form  url.Values
		field string // the field with the error
		link  string // where the summary links
		want  string // part of the message
	}{
		{"no prefix", with(base, "prefix"), "prefix", "#letter-prefix", "Choose how to address you"},
		{"unknown prefix", with(base, "prefix", "King"), "prefix", "#letter-prefix", "listed prefixes"},
		{"no first name", with(base, "first_name", " "), "first_name", "#letter-first_name", "first name"},
		{"no last name", with(base, "last_name"), "last_name", "#letter-last_name", "last name"},
		{"control character", with(base, "last_name", "Love\x07lace"), "last_name", "#letter-last_name", "can't be sent"},
		{"no street", with(base, "address1"), "address1", "#letter-address1", "street address"},
		{"no city", with(base, "city"), "city", "#letter-city", "city"},
		{"no state", with(base, "state"), "state", "#letter-state", "Enter your state"},
		{"other state", with(base, "state", "NJ"), "state", "#letter-state", "must match the district"},
		{"no ZIP", with(base, "zip"), "zip", "#letter-zip", "Enter your ZIP"},
		{"bad ZIP", with(base, "zip", "1002"), "zip", "#letter-zip", "five-digit"},
		{"ZIP not the one looked up", with(base, "zip", "10003"), "zip", "#letter-zip", "ZIP code you looked up (10002)"},
		{"no email", with(base, "email"), "email", "#letter-email", "Enter your email"},
		{"bad email", with(base, "email", "ada@"), "email", "#letter-email", "name@example.com"},
		{"bad phone", with(base, "phone", "555-01"), "phone", "#letter-phone", "10-digit"},
		{"long message", with(base, "personal_message", long), "personal_message", "#letter-personal_message", "5000 characters"},
		{"no consent", with(base, "consent"), "consent", "#letter-consent", "privacy terms"},
		{"no recipients", with(base, "recipients"), "recipients", "#letter-recipient-0", "at least one"},
		{"member of another district", with(base, "recipients", goldman, nadler), "recipients", "#letter-recipient-0", "your own members"},
		{"same member twice", with(base, "recipients", schumer, schumer), "recipients", "#letter-recipient-0", "only once"},
		{"bad form token", with(base, "form_token", "no spaces allowed"), "form_token", "#compose-form", "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/write/preview", "/write/send"} {
				rec := e.post(t, path, tt.form, false)
				if rec.Code != http.StatusUnprocessableEntity {
					t.Fatalf("%s: status %d, want 422", path, rec.Code)
				}
				d := mustDoc(t, rec)
				link := d.Find(`[data-testid="error-summary"] a[href="` + tt.link + `"]`)
				if link.Length() != 1 || !strings.Contains(link.Text(), tt.want) {
					t.Errorf("%s: summary = %q, want a link to %s saying %q", path,
						d.Find(`[data-testid="error-summary"]`).Text(), tt.link, tt.want)
				}
				if n := d.Find(`[data-testid="error-summary"] li`).Length(); n != 1 {
					t.Errorf("%s: %d errors in the summary, want 1", path, n)
				}
				if tt.field != "form_token" && tt.field != "recipients" {
					in := d.Find("#letter-" + tt.field)
					if in.AttrOr("aria-invalid", "") != "true" {
						t.Errorf("%s: #letter-%s not aria-invalid", path, tt.field)
					}
					errID := "letter-" + tt.field + "-error"
					if !strings.Contains(in.AttrOr("aria-describedby", ""), errID) || d.Find("#"+errID).Length() != 1 {
						t.Errorf("%s: field error not linked by aria-describedby", path)
					}
				}
				// What the person typed stays in the form.
				if got := d.Find(`#letter-first_name`).AttrOr("value", ""); tt.field != "first_name" && got != "Ada" {
					t.Errorf("%s: first name refilled as %q", path, got)
				}
			}
			if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
				t.Fatalf("an invalid letter was stored (%d)", n)
			}
		})
	}

	t.Run("every problem at once", func(t *testing.T) {
		rec := e.post(t, "/write/preview", url.Values{"campaign": {sqlite.SeedSlug}, "lookup_zip": {"10002"}}, true)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", rec.Code)
		}
		d := mustDoc(t, rec)
		if n := d.Find(`[data-testid="error-summary"] li`).Length(); n < 9 {
			t.Errorf("summary lists %d problems", n)
		}
		if strings.Contains(rec.Body.String(), "<html") {
			t.Error("htmx got the whole page")
		}
		if d.Find(`#error-summary[data-focus]`).Length() != 1 {
			t.Error("focus does not go to the error summary")
		}
	})
}

func TestLetterLocationSettlement(t *testing.T) {
	e := newEnv(t, letterFlow())
	// A point on the Lower East Side, in NY-10.
	rec := e.get(t, "/write?lat=40.7150&lon=-73.9843", false)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	d := mustDoc(t, rec)
	if d.Find(`input[name="lat"]`).AttrOr("value", "") != "40.7150" {
		t.Error("location not carried in the form")
	}
	form := with(validForm(d.Find(`input[name="form_token"]`).AttrOr("value", "")), "lookup_zip")
	form.Set("lat", "40.7150")
	form.Set("lon", "-73.9843")
	// A ZIP in another state is refused; any New York ZIP is accepted.
	rec = e.post(t, "/write/preview", with(form, "zip", "07030"), false)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(mustDoc(t, rec).Find("#letter-zip-error").Text(), "not in NY") {
		t.Errorf("NJ ZIP with a NY location: %d", rec.Code)
	}
	if rec := e.post(t, "/write/preview", with(form, "zip", "10010"), false); rec.Code != http.StatusOK {
		t.Errorf("NY ZIP with a NY location: %d", rec.Code)
	}
}

func TestLetterPreview(t *testing.T) {
	e := newEnv(t, letterFlow())
	tok := e.formToken(t)
	form := validForm(tok)
	form.Set("ref", "news_1")
	form.Set("receipt", "true")
	rec := e.post(t, "/write/preview", form, false)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("preview may be cached")
	}
	d := mustDoc(t, rec)
	letters := d.Find(`[data-testid="preview-letter"]`)
	if letters.Length() != 3 {
		t.Fatalf("letters = %d", letters.Length())
	}
	house := letters.Filter(`[data-bioguide="` + goldman + `"]`)
	if got := house.Find(`[data-testid="preview-subject"]`).Text(); got != "Please cosponsor H.R. 5917" {
		t.Errorf("subject = %q", got)
	}
	wantBody := "Dear Representative Goldman,\n\n" +
		"As your constituent in New York, I ask you to cosponsor H.R. 5917. Adding your name is the clearest way " +
		"to show that you support it, and I would be grateful to hear that you have done so.\n\n" +
		"I run a small import business on Orchard Street.\nNormal trade would help us.\n\n" +
		"Sincerely,\nAda Lovelace\nNew York"
	if got := house.Find(`[data-testid="preview-body"]`).Text(); got != wantBody {
		t.Errorf("body =\n%s\nwant\n%s", got, wantBody)
	}
	senate := letters.Filter(`[data-bioguide="` + schumer + `"]`)
	if !strings.Contains(senate.Find(`[data-testid="preview-body"]`).Text(), "cosponsor S. 3103") {
		t.Error("the senator's letter is not about the Senate bill")
	}
	if !strings.Contains(house.Find(`[data-testid="how"]`).Text(), "Needs you: we cannot deliver to this office electronically") {
		t.Error("the preview does not say the letter goes by assisted channels")
	}
	if plan := d.Find(`[data-testid="send-plan"]`).Text(); !strings.Contains(plan, "you send them yourself") || !strings.Contains(plan, "about two minutes each") {
		t.Errorf("send plan = %q", plan)
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="send-button"]`).Text()); got != "Save and show me how to send them" {
		t.Errorf("send button = %q", got)
	}
	if strings.Contains(d.Find(`[data-testid="preview-sender"]`).Text(), "email you a copy") {
		t.Error("the preview promises an emailed copy though receipts are off")
	}
	if !strings.Contains(d.Find(`[data-testid="preview-sender"]`).Text(), "12 Orchard Street") {
		t.Error("sender address not shown")
	}
	// Every field travels on, as typed after normalising.
	hidden := map[string][]string{}
	d.Find(`[data-testid="preview-form"] input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
		hidden[s.AttrOr("name", "")] = append(hidden[s.AttrOr("name", "")], s.AttrOr("value", ""))
	})
	for k, want := range map[string]string{
		"form_token": tok, "ref": "news_1", "phone": "212-555-0134", "consent": "true",
		"lookup_zip": "10002", "address2": "Apt 3", "personal_message": "I run a small import business on Orchard Street.\nNormal trade would help us.",
	} {
		if len(hidden[k]) != 1 || hidden[k][0] != want {
			t.Errorf("hidden %s = %q, want %q", k, hidden[k], want)
		}
	}
	if len(hidden["recipients"]) != 3 {
		t.Errorf("hidden recipients = %v", hidden["recipients"])
	}
	if _, ok := hidden["newsletter"]; ok {
		t.Error("an unticked option is carried as ticked")
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Errorf("preview stored %d letters", n)
	}

	// Edit: the form again, with everything kept.
	back := url.Values{}
	for k, v := range hidden {
		back[k] = v
	}
	rec = e.post(t, "/write", back, false)
	if rec.Code != http.StatusOK {
		t.Fatalf("edit: %d", rec.Code)
	}
	d = mustDoc(t, rec)
	if d.Find(`#letter-phone`).AttrOr("value", "") != "212-555-0134" || d.Find(`input[name=form_token]`).AttrOr("value", "") != tok {
		t.Error("edit lost the values or the token")
	}
	if _, ok := hidden["receipt"]; ok {
		t.Error("a receipt is carried on though the site cannot send one")
	}
	if !strings.Contains(d.Find(`#letter-personal_message`).Text(), "Orchard Street") {
		t.Error("edit lost the personal message")
	}
	if d.Find(`[data-testid="personal-label"]`).Text() != "A little personal" {
		t.Error("personal score not rendered on the server")
	}

	// Unticking a member leaves them out of the preview.
	rec = e.post(t, "/write/preview", with(form, "recipients", schumer), false)
	if n := mustDoc(t, rec).Find(`[data-testid="preview-letter"]`).Length(); n != 1 {
		t.Errorf("one recipient ticked, %d letters previewed", n)
	}
}

func TestSendLetter(t *testing.T) {
	var wakes int
	e := newEnv(t, letterFlow(func(d *LetterDeps) { d.Wake = func() { wakes++ } }))
	tok := e.formToken(t)
	form := validForm(tok)
	form.Set("ref", "news_1")

	rec := e.post(t, "/write/send", form, false)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
	if !strings.HasPrefix(loc, "/letters/") || !strings.HasSuffix(loc, "?sent=1") {
		t.Fatalf("Location = %q", loc)
	}
	publicID := strings.TrimSuffix(strings.TrimPrefix(loc, "/letters/"), "?sent=1")
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 1 {
		t.Errorf("letters = %d", n)
	}
	if n := e.count(t, "SELECT count(*) FROM deliveries d JOIN letters l ON l.id = d.letter_id WHERE l.public_id = ? AND d.channel = 'assisted' AND d.status = 'queued'", publicID); n != 3 {
		t.Errorf("queued assisted deliveries = %d, want 3", n)
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE ref = 'news_1' AND state = 'NY' AND district = 10 AND settled_by = 'zip' AND phone = '212-555-0134'"); n != 1 {
		t.Error("letter columns not stored as expected")
	}
	if n := e.count(t, "SELECT count(*) FROM deliveries WHERE office_code IN ('HNY10', 'SNY03', 'SNY01') AND bill_type IN ('HR', 'S')"); n != 3 {
		t.Error("office codes or bills not stored")
	}
	if wakes != 0 {
		t.Error("the outbox was woken for assisted deliveries")
	}

	// A double click or a refresh: the same token never sends twice.
	for range 2 {
		rec = e.post(t, "/write/send", form, false)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/letters/"+publicID {
			t.Errorf("resend: %d to %q", rec.Code, rec.Header().Get("Location"))
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 1 {
		t.Errorf("after resending, letters = %d", n)
	}
	// Someone else replaying the token gets nothing of this letter.
	rec = e.post(t, "/write/send", with(form, "email", "mallory@example.org"), false)
	if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), publicID) {
		t.Errorf("token replayed with another email: %d", rec.Code)
	}

	// The lookup now counts the district's letter.
	d := mustDoc(t, e.get(t, "/reps?zip=10002", false))
	if !strings.Contains(d.Find(`[data-testid="district-letters"]`).Text(), "1 constituent") {
		t.Errorf("district count = %q", d.Find(`[data-testid="district-letters"]`).Text())
	}
	if href := d.Find(`[data-testid="write-link"]`).AttrOr("href", ""); href != "/write?zip=10002" {
		t.Errorf("write link = %q", href)
	}
}

func TestSendLetterHTMX(t *testing.T) {
	e := newEnv(t, letterFlow())
	rec := e.post(t, "/write/send", validForm(e.formToken(t)), true)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	h := rec.Header()
	if h.Get("HX-Trigger") != "letter-sent" || !strings.HasPrefix(h.Get("HX-Push-Url"), "/letters/") {
		t.Errorf("HX-Trigger %q, HX-Push-Url %q", h.Get("HX-Trigger"), h.Get("HX-Push-Url"))
	}
	d := mustDoc(t, rec)
	if d.Find(`[data-testid="letter-flow"][data-step="status"]`).Length() != 1 || strings.Contains(rec.Body.String(), "<html") {
		t.Error("htmx did not get the status fragment")
	}
	if d.Find(`[data-testid="delivery"]`).Length() != 3 {
		t.Error("status fragment lacks the deliveries")
	}
}

func TestSendLetterDedupe(t *testing.T) {
	e := newEnv(t, letterFlow())
	first := validForm(e.formToken(t))
	first["recipients"] = []string{goldman, schumer}
	if rec := e.post(t, "/write/send", first, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("first: %d", rec.Code)
	}

	// A new form, the same email (in other case), within 30 days: Goldman
	// and Schumer are skipped, Gillibrand gets hers.
	e.clock.Add(10 * 24 * time.Hour)
	second := with(validForm(e.formToken(t)), "email", "ADA@example.org")
	rec := e.post(t, "/write/send", second, false)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.Contains(loc, "already="+url.QueryEscape(goldman+","+schumer)) {
		t.Fatalf("second: %d to %q", rec.Code, loc)
	}
	d := mustDoc(t, e.get(t, loc, false))
	copies := d.Find(`[data-testid="already-wrote"] [data-testid="earlier-copy"]`)
	if copies.Length() != 2 || !strings.Contains(copies.First().Text(), "Representative Daniel S. Goldman on March 2, 2026") ||
		!strings.Contains(copies.First().Text(), "still waiting for you to send it") {
		t.Errorf("earlier copies = %q", copies.Text())
	}
	firstID := strings.TrimPrefix(copies.First().Find(`[data-testid="earlier-link"]`).AttrOr("href", ""), "/letters/")
	if e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND created_at < '2026-03-03'", firstID) != 1 {
		t.Errorf("the duplicate links to %q, not the first letter", firstID)
	}
	if n := d.Find(`[data-testid="delivery"]`).Length(); n != 1 {
		t.Errorf("deliveries on the second letter = %d", n)
	}

	// Everyone already written to: nothing is stored, and the page says so.
	third := validForm(e.formToken(t))
	rec = e.post(t, "/write/send", third, false)
	if rec.Code != http.StatusConflict {
		t.Fatalf("third: %d", rec.Code)
	}
	dup := mustDoc(t, rec)
	if n := dup.Find(`[data-testid="earlier-copy"] [data-testid="earlier-link"]`).Length(); n != 3 {
		t.Errorf("links to the earlier letters = %d, want 3", n)
	}
	if strings.Contains(dup.Text(), "did not send it again") {
		t.Error("the answer claims a copy was sent that may never have been")
	}
	// The same email with someone else's name and address gets no link:
	// an email address alone is no key to another person's letter.
	other := with(with(with(validForm(e.formToken(t)), "last_name", "Byron"), "address1", "1 Other Street"), "recipients", goldman)
	rec = e.post(t, "/write/send", other, false)
	od := mustDoc(t, rec)
	if rec.Code != http.StatusConflict || od.Find(`[data-testid="earlier-link"]`).Length() != 0 || od.Find(`[data-testid="earlier-private"]`).Length() != 1 {
		t.Errorf("stranger with the same email: %d, links %d", rec.Code, od.Find(`[data-testid="earlier-link"]`).Length())
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 2 {
		t.Errorf("letters = %d", n)
	}
	if rec := e.post(t, "/write/send", validForm(e.formToken(t)), true); rec.Code != http.StatusOK {
		t.Errorf("htmx duplicate: %d, want 200 so htmx swaps it", rec.Code)
	}

	// After 30 days the same person may write again.
	e.clock.Add(21 * 24 * time.Hour)
	if rec := e.post(t, "/write/send", validForm(e.formToken(t)), false); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: %d", rec.Code)
	}
}

// sendOne stores a letter through the form and returns its public ID.
func (e *env) sendOne(t testing.TB, form url.Values) string {
	t.Helper()
	rec := e.post(t, "/write/send", form, false)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/letters/")
}

func TestLetterStatusPage(t *testing.T) {
	e := newEnv(t, letterFlow())
	id := e.sendOne(t, validForm(e.formToken(t)))

	rec := e.get(t, "/letters/"+id+"?sent=1", false)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	d := mustDoc(t, rec)
	if got := d.Find(`[data-testid="status-heading"]`).Text(); got != "Thank you: one more step" {
		t.Errorf("heading = %q", got)
	}
	cards := d.Find(`[data-testid="delivery"]`)
	if cards.Length() != 3 {
		t.Fatalf("deliveries = %d", cards.Length())
	}
	card := cards.Filter(`[data-channel="assisted"]`).Last() // Gillibrand
	if !strings.Contains(card.Find("h2").Text(), "Gillibrand") {
		t.Fatalf("last card is %q", card.Find("h2").Text())
	}
	if href := card.Find(`[data-testid="contact-link"]`).AttrOr("href", ""); href != "https://www.gillibrand.senate.gov/contact/email-me" {
		t.Errorf("contact link = %q", href)
	}
	text := card.Find(`textarea[readonly][data-testid="letter-copy"]`).Text()
	if !strings.HasPrefix(text, "Subject: Please cosponsor S. 3103\n\nDear Senator Gillibrand,") || !strings.Contains(text, "Orchard Street") {
		t.Errorf("letter to copy = %q", text)
	}
	if card.Find(`label[for="`+card.Find("textarea").AttrOr("id", "")+`"]`).Length() != 1 {
		t.Error("the letter's text area has no label")
	}
	if card.Find(`[data-testid="copy-button"][data-copy]`).Length() != 1 {
		t.Error("no copy button")
	}
	if card.Find(`[data-testid="tel-link"]`).AttrOr("href", "") != "tel:+12022244451" {
		t.Error("no tel: link to the DC office")
	}
	script := card.Find(`[data-testid="phone-script"]`).Text()
	if !strings.Contains(script, "Ada Lovelace") || !strings.Contains(script, "ask Senator Kirsten E. Gillibrand to cosponsor S. 3103") {
		t.Errorf("phone script = %q", script)
	}
	for _, ch := range []string{"contact_form", "print", "phone"} {
		if card.Find(`[data-testid="confirm-`+ch+`"]`).Length() != 1 {
			t.Errorf("no %q confirmation", ch)
		}
	}
	// House members without a contact form link to their website.
	house := cards.First()
	if house.Find(`[data-testid="contact-link"]`).AttrOr("href", "") != "https://goldman.house.gov" {
		t.Errorf("Goldman's link = %q", house.Find(`[data-testid="contact-link"]`).AttrOr("href", ""))
	}

	if rec := e.get(t, "/letters/"+id, false); mustDoc(t, rec).Find(`[data-testid="status-heading"]`).Text() != "Your letter" {
		t.Error("a later visit still thanks for sending")
	}
	for _, bad := range []string{"/letters/AAAAAAAAAAAAAAAAAAAAAA", "/letters/short", "/letters/" + id + "/print/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if rec := e.get(t, bad, false); rec.Code != http.StatusNotFound {
			t.Errorf("%s = %d", bad, rec.Code)
		}
	}
}

func TestConfirmDelivery(t *testing.T) {
	e := newEnv(t, letterFlow())
	id := e.sendOne(t, validForm(e.formToken(t)))
	d := mustDoc(t, e.get(t, "/letters/"+id, false))
	cards := d.Find(`[data-testid="delivery"]`)
	first := strings.TrimPrefix(cards.Eq(0).AttrOr("id", ""), "delivery-")
	second := strings.TrimPrefix(cards.Eq(1).AttrOr("id", ""), "delivery-")
	confirmURL := func(did string) string { return "/letters/" + id + "/deliveries/" + did + "/confirm" }
	if got := cards.Eq(0).Find(`form[action]`).First().AttrOr("action", ""); got != confirmURL(first) {
		t.Fatalf("confirm form posts to %q", got)
	}

	rec := e.post(t, confirmURL(first), url.Values{"channel": {"phone"}}, false)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/letters/"+id+"#delivery-"+first {
		t.Fatalf("confirm: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if n := e.count(t, "SELECT count(*) FROM deliveries WHERE delivery_id = ? AND status = 'confirmed_by_user' AND channel = 'phone' AND confirmed_at IS NOT NULL", first); n != 1 {
		t.Error("confirmation not stored")
	}

	rec = e.post(t, confirmURL(second), url.Values{"channel": {"contact_form"}}, true)
	if rec.Code != http.StatusOK {
		t.Fatalf("htmx confirm: %d", rec.Code)
	}
	card := mustDoc(t, rec).Find(`[data-testid="delivery"]`)
	if card.AttrOr("data-status", "") != "confirmed_by_user" || !strings.Contains(card.Text(), "through their website") {
		t.Errorf("card after confirming: %q %q", card.AttrOr("data-status", ""), card.Find(`[data-testid="delivery-status"]`).Text())
	}
	if card.Find(`[data-testid="confirm"]`).Length() != 0 {
		t.Error("a confirmed card still asks for confirmation")
	}

	if rec := e.post(t, confirmURL(first), url.Values{"channel": {"pigeon"}}, false); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("unknown channel: %d", rec.Code)
	}
	if rec := e.post(t, "/letters/AAAAAAAAAAAAAAAAAAAAAA/deliveries/"+first+"/confirm", url.Values{"channel": {"phone"}}, false); rec.Code != http.StatusNotFound {
		t.Errorf("another letter's delivery: %d", rec.Code)
	}
}

func TestPrintLetter(t *testing.T) {
	e := newEnv(t, letterFlow())
	id := e.sendOne(t, validForm(e.formToken(t)))
	d := mustDoc(t, e.get(t, "/letters/"+id, false))
	href := d.Find(`[data-testid="delivery"]`).Eq(1).Find(`[data-testid="print-link"]`).AttrOr("href", "")
	rec := e.get(t, href, false)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("print %q: %d", href, rec.Code)
	}
	p := mustDoc(t, rec).Find(`[data-testid="print-letter"]`)
	to := p.Find(`[data-testid="print-to"]`).Text()
	if !strings.Contains(to, "Senator Charles E. Schumer") || !strings.Contains(to, "322 Hart Senate Office Building") || !strings.Contains(to, "Washington, DC 20510") {
		t.Errorf("addressed to %q", to)
	}
	if !strings.Contains(p.Find(".from").Text(), "12 Orchard Street") || !strings.Contains(p.Find(`[data-testid="print-body"]`).Text(), "Dear Senator Schumer,") {
		t.Error("print lacks the sender or the letter")
	}
	if p.Find(`[data-testid="signature-space"]`).Length() != 1 || !strings.HasPrefix(p.Find(`[data-testid="print-signer"]`).Text(), "Ada Lovelace") ||
		strings.Contains(p.Find(`[data-testid="print-body"]`).Text(), "Sincerely") {
		t.Error("the printed letter leaves no room to sign before the name")
	}
}

func TestLetterInlineChecks(t *testing.T) {
	e := newEnv(t, letterFlow())
	form := validForm(e.formToken(t))
	rec := e.post(t, "/write/validate?field=email", with(form, "email", "nope"), true)
	if rec.Code != http.StatusOK {
		t.Fatalf("validate: %d", rec.Code)
	}
	d := mustDoc(t, rec)
	if d.Find(`#field-email [data-testid="field-error"]`).Length() != 1 || d.Find(`#letter-email[aria-invalid="true"]`).Length() != 1 {
		t.Error("bad email not flagged")
	}
	if d.Find(`#letter-email`).AttrOr("value", "") != "nope" {
		t.Error("the typed value is not kept")
	}
	if d.Find(`[data-testid="field-error"]`).Length() != 1 {
		t.Error("an inline check shows other fields' errors")
	}
	d = mustDoc(t, e.post(t, "/write/validate?field=zip", with(form, "zip", "10003"), true))
	if !strings.Contains(d.Find(`#letter-zip-error`).Text(), "10002") {
		t.Error("the ZIP check does not use the settled district")
	}
	d = mustDoc(t, e.post(t, "/write/validate?field=email", form, true))
	if d.Find(`[data-testid="field-error"]`).Length() != 0 || d.Find(`#letter-email[aria-invalid]`).Length() != 0 {
		t.Error("a good email is flagged")
	}
	if rec := e.post(t, "/write/validate?field=consent", form, true); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown field: %d", rec.Code)
	}

	rec = e.post(t, "/write/personal", url.Values{"personal_message": {strings.Repeat("because ", 40)}}, true)
	if got := mustDoc(t, rec).Find(`[data-testid="personal-label"]`).Text(); got != "Personal" {
		t.Errorf("40 words: %q", got)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("the personal score may be cached")
	}
}

func TestRepsWriteLink(t *testing.T) {
	e := newEnv(t, letterFlow())
	tests := []struct{ url, want string }{
		{"/reps?zip=10002", "/write?zip=10002"},
		{"/reps?zip=10025&district=NY-12&ref=club-7", "/write?district=NY-12&ref=club-7&zip=10025"},
		{"/reps?lat=40.7150&lon=-73.9843", "/write?lat=40.715&lon=-73.9843"},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{false, true} {
			d := mustDoc(t, e.get(t, tt.url, htmx))
			if got := d.Find(`[data-testid="write-link"]`).AttrOr("href", ""); got != tt.want {
				t.Errorf("%s (htmx %v): write link %q, want %q", tt.url, htmx, got, tt.want)
			}
		}
	}
	if d := mustDoc(t, e.get(t, "/reps?zip=10025", false)); d.Find(`[data-testid="write-link"]`).Length() != 0 {
		t.Error("write link before the split ZIP is settled")
	}
	if rec := e.get(t, "/write?lat=40.715&lon=-73.9843", false); rec.Code != http.StatusOK {
		t.Errorf("the location write link does not open the form: %d", rec.Code)
	}
}

func TestPrivacyPage(t *testing.T) {
	e := newEnv(t, letterFlow())
	rec := e.get(t, "/privacy", false)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "What we store") {
		t.Errorf("privacy: %d", rec.Code)
	}
}

func TestCampaignHomeCountsLetters(t *testing.T) {
	e := newEnv(t, letterFlow())
	e.sendOne(t, validForm(e.formToken(t)))
	d := mustDoc(t, e.get(t, "/", false))
	if got := d.Find(`[data-testid="letters-count"]`).Text(); !strings.Contains(got, "1 constituent has written") {
		t.Errorf("home count = %q", got)
	}
}

// letterJSONBody is a valid API letter from ZIP 10025, settled on NY-12.
func letterJSONBody(email string, recipients ...string) string {
	b, _ := json.Marshal(map[string]any{
		"campaign": sqlite.SeedSlug, "recipients": recipients, "district": "NY-12",
		"prefix": "Dr.", "first_name": "Grace", "last_name": "Hopper", "address1": "1 Riverside Drive",
		"city": "New York", "state": "NY", "zip": "10025", "email": email, "consent": true,
		"personal_message": "Trade matters to my students.", "ref": "api_partner",
	})
	return string(b)
}

func TestLettersAPI(t *testing.T) {
	e := newEnv(t, letterFlow(func(d *LetterDeps) { d.BaseURL = "https://whipcount.example/" }))

	rec := e.postJSON(t, letterJSONBody("grace@example.org", nadler, schumer), map[string]string{"Idempotency-Key": "order-1"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var got struct {
		LetterID   string `json:"letter_id"`
		StatusURL  string `json:"status_url"`
		Deliveries []struct {
			BioguideID, Office, Channel, Status string
		} `json:"deliveries"`
		AlreadyWrote []string `json:"already_wrote"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !advocacy.ValidLetterToken(got.LetterID) || got.StatusURL != "https://whipcount.example/letters/"+got.LetterID {
		t.Errorf("letter %q at %q", got.LetterID, got.StatusURL)
	}
	if len(got.Deliveries) != 2 || got.Deliveries[0].Office != "HNY12" || got.Deliveries[0].Channel != "assisted" || got.Deliveries[0].Status != "queued" {
		t.Errorf("deliveries = %+v", got.Deliveries)
	}
	if got.AlreadyWrote == nil || len(got.AlreadyWrote) != 0 || !strings.Contains(rec.Body.String(), `"already_wrote":[]`) {
		t.Errorf("already_wrote = %v", got.AlreadyWrote)
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE public_id = ? AND district = 12 AND ref = 'api_partner'", got.LetterID); n != 1 {
		t.Error("letter not stored in NY-12")
	}

	// The same Idempotency-Key: the same letter, nothing new.
	rec = e.postJSON(t, letterJSONBody("grace@example.org", nadler, schumer), map[string]string{"Idempotency-Key": "order-1"})
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), got.LetterID) || rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %s", rec.Code, rec.Body)
	}
	// Another sender with the same key is a different letter.
	rec = e.postJSON(t, letterJSONBody("alan@example.org", nadler), map[string]string{"Idempotency-Key": "order-1"})
	if rec.Code != http.StatusCreated || strings.Contains(rec.Body.String(), got.LetterID) {
		t.Errorf("same key, other sender: %d %s", rec.Code, rec.Body)
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 2 {
		t.Errorf("letters = %d", n)
	}

	// Partly and wholly duplicate.
	rec = e.postJSON(t, letterJSONBody("GRACE@example.org", nadler, schumer, gillibrand), nil)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"already_wrote":["N000002","S000148"]`) {
		t.Errorf("partial duplicate: %d %s", rec.Code, rec.Body)
	}
	rec = e.postJSON(t, letterJSONBody("grace@example.org", schumer), nil)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `"already_wrote":["S000148"]`) {
		t.Errorf("duplicate: %d %s", rec.Code, rec.Body)
	}

	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		fields []string
	}{
		{"missing fields", `{"campaign":"jackson-vanik","zip":"10002","recipients":["G000599"]}`, "", 422,
			[]string{"prefix", "first_name", "last_name", "address1", "city", "state", "email", "consent"}},
		{"split ZIP without district", strings.Replace(letterJSONBody("x@example.org", nadler), `"district":"NY-12",`, "", 1), "", 422, []string{"district"}},
		{"foreign district", strings.Replace(letterJSONBody("x@example.org", nadler), `"NY-12"`, `"NY-10"`, 1), "", 422, []string{"district"}},
		{"member of another district", letterJSONBody("x@example.org", goldman), "", 422, []string{"recipients"}},
		{"bad ZIP and more", `{"campaign":"jackson-vanik","zip":"1","email":"x"}`, "", 422, []string{"zip", "email", "first_name"}},
		{"unknown campaign", strings.Replace(letterJSONBody("x@example.org", nadler), sqlite.SeedSlug, "nope", 1), "", 422, []string{"campaign"}},
		{"lat without lon", strings.Replace(letterJSONBody("x@example.org", nadler), `"district":"NY-12"`, `"lat":40.8`, 1), "", 422, []string{"lat"}},
		{"malformed JSON", `{"campaign":`, "", 400, nil},
		{"two objects", letterJSONBody("x@example.org", nadler) + "{}", "", 400, nil},
		{"unknown field", `{"campaign":"jackson-vanik","firstname":"Grace"}`, "", 400, nil},
		{"wrong type", `{"consent":"yes"}`, "", 400, nil},
		{"form content type", letterJSONBody("x@example.org", nadler), "application/x-www-form-urlencoded", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(tt.body))
			ct := tt.ctype
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			req.Header.Set("Content-Type", ct)
			rec := e.do(t, req, false)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var body apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
			for _, f := range tt.fields {
				if body.Fields[f] == "" {
					t.Errorf("no message for %s in %v", f, body.Fields)
				}
			}
		})
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 3 {
		t.Errorf("letters after the bad requests = %d", n)
	}
}

func TestLetterStatsAPI(t *testing.T) {
	e := newEnv(t, letterFlow())
	e.sendOne(t, validForm(e.formToken(t)))
	if rec := e.postJSON(t, letterJSONBody("grace@example.org", nadler), nil); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	e.clock.Add(25 * time.Hour)
	if rec := e.postJSON(t, letterJSONBody("alan@example.org", schumer), nil); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	rec := e.get(t, "/api/v1/campaigns/"+sqlite.SeedSlug+"/stats", false)
	if rec.Code != http.StatusOK {
		t.Fatalf("stats: %d", rec.Code)
	}
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("stats are not open to other origins")
	}
	want := `{"campaign":"jackson-vanik","total":3,"by_chamber":{"house":2,"senate":3},"last_24h":1,"by_state":{"NY":3}}` + "\n"
	if rec.Body.String() != want {
		t.Errorf("stats = %s, want %s", rec.Body, want)
	}
	for _, personal := range []string{"Lovelace", "example.org", "Orchard"} {
		if strings.Contains(rec.Body.String(), personal) {
			t.Errorf("stats leak %q", personal)
		}
	}
	if rec := e.get(t, "/api/v1/campaigns/nope/stats", false); rec.Code != http.StatusNotFound {
		t.Errorf("unknown campaign: %d", rec.Code)
	}
}

func TestLetterStatusHeld(t *testing.T) {
	e := newEnv(t, letterFlow())
	ctx := context.Background()
	camp, err := sqlite.NewCampaigns(e.db).Campaign(ctx, sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	created, err := e.letters.CreateLetter(ctx, advocacy.NewLetter{
		CampaignID: camp.ID, State: "NY", District: 10, SettledBy: advocacy.SettledByZIP, Status: advocacy.LetterHeld,
		Input: advocacy.LetterInput{Prefix: "Ms.", FirstName: "Ada", LastName: "Lovelace", Address1: "12 Orchard Street",
			City: "New York", State: "NY", Zip: "10002", Email: "ada@example.org", Consent: true},
		Recipients: []advocacy.NewDelivery{{BioguideID: goldman, OfficeCode: "HNY10", Chamber: advocacy.House,
			Channel: advocacy.ChannelCWC, Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative,",
			Bill: advocacy.LetterBill{Congress: 119, Type: "HR", Number: 5917}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDoc(t, e.get(t, "/letters/"+created.Letter.PublicID, false))
	if !strings.Contains(d.Find(`[data-testid="moderation"]`).Text(), "waiting for a check") {
		t.Error("a held letter does not say it waits for review")
	}
	if got := d.Find(`[data-testid="delivery-status"]`).Text(); !strings.Contains(got, "waiting for a check") {
		t.Errorf("held CWC delivery: %q", got)
	}
}

// stubTemplates is a campaign's own letters, as the organizer sets them.
type stubTemplates map[advocacy.TemplateKind]advocacy.LetterTemplate

func (s stubTemplates) LetterTemplates(context.Context, int64) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error) {
	return s, nil
}

func TestLetterUsesCampaignTemplates(t *testing.T) {
	e := newEnv(t, letterFlow(func(d *LetterDeps) {
		d.Templates = stubTemplates{advocacy.TemplateAsk: {Kind: advocacy.TemplateAsk,
			Subject: "Sign on to {{bill}}", Body: "Dear {{member_title}} {{member_name}},\n\nJoin {{bill}} today.\n\nSincerely,\n{{constituent_name}}"}}
	}))
	d := mustDoc(t, e.post(t, "/write/preview", validForm(e.formToken(t)), false))
	house := d.Find(`[data-testid="preview-letter"][data-bioguide="` + goldman + `"]`)
	if got := house.Find(`[data-testid="preview-subject"]`).Text(); got != "Sign on to H.R. 5917" {
		t.Errorf("subject = %q", got)
	}
	want := "Dear Representative Daniel S. Goldman,\n\nJoin H.R. 5917 today.\n\n" +
		"I run a small import business on Orchard Street.\nNormal trade would help us.\n\nSincerely,\nAda Lovelace"
	if got := house.Find(`[data-testid="preview-body"]`).Text(); got != want {
		t.Errorf("body = %q", got)
	}
	// Kinds the campaign did not write fall back to the defaults.
	d = mustDoc(t, e.get(t, "/write?zip=03301", false))
	if s := d.Find(`[data-testid="recipient"][data-bioguide="` + shaheen + `"]`).Text(); !strings.Contains(s, "Thank you for supporting S. 3103") {
		t.Errorf("thank letter = %q", s)
	}
}
