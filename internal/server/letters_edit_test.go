package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// TestComposeOffersWholeLetter: the form shows each member's whole letter,
// greeted by surname, with tokens where the sender's details go.
func TestComposeOffersWholeLetter(t *testing.T) {
	e := newEnv(t, letterFlow())
	d := mustDoc(t, e.get(t, "/write?zip=10002", false))
	edits := d.Find(`[data-testid="letter-edit"]`)
	if edits.Length() != 3 {
		t.Fatalf("letters to edit = %d, want 3", edits.Length())
	}
	schumerEdit := edits.Filter(`[data-bioguide="` + schumer + `"]`)
	body := schumerEdit.Find(`textarea[name="body-` + schumer + `"]`).Text()
	if !strings.HasPrefix(body, "Dear Senator Schumer,\n") || !strings.Contains(body, advocacy.TokenName) || !strings.Contains(body, "S. 3103") {
		t.Errorf("editable letter = %q", body)
	}
	if schumerEdit.AttrOr("open", "none") != "none" {
		t.Error("an unchanged letter is folded away")
	}
	if got := schumerEdit.Find(`input[name="subject-`+schumer+`"]`).AttrOr("maxlength", ""); got != "250" {
		t.Errorf("subject maxlength = %q", got)
	}
	if d.Find(`label[for="letter-body-`+schumer+`"]`).Length() != 1 {
		t.Error("the letter's text area has no label")
	}
}

// TestEditedLetterIsSent: a changed letter goes to that member with the
// sender's details filled in; the others keep the campaign's letter.
func TestEditedLetterIsSent(t *testing.T) {
	e := newEnv(t, letterFlow())
	form := validForm(e.formToken(t))
	form = with(form, "subject-"+schumer, "Jackson-Vanik and my business in [your city]")
	form = with(form, "body-"+schumer, "Dear Senator Schumer,\n\nMy own letter about S. 3103 and the uranium trade.\n\nSincerely,\n[your name]\n[your city]")

	d := mustDoc(t, e.post(t, "/write/preview", form, false))
	pre := d.Find(`[data-testid="preview-letter"][data-bioguide="` + schumer + `"]`)
	if got := pre.Find(`[data-testid="preview-subject"]`).Text(); got != "Jackson-Vanik and my business in New York" {
		t.Errorf("subject = %q", got)
	}
	body := pre.Find(`[data-testid="preview-body"]`).Text()
	if !strings.Contains(body, "uranium trade") || !strings.Contains(body, "Sincerely,\nAda Lovelace\nNew York") || !strings.Contains(body, "Orchard Street") {
		t.Errorf("edited body = %q", body)
	}
	// The preview carries the wording on to Send.
	if v := d.Find(`[data-testid="preview-form"] input[name="body-`+schumer+`"]`).AttrOr("value", ""); !strings.Contains(v, "uranium") {
		t.Errorf("hidden body = %q", v)
	}
	if d.Find(`[data-testid="preview-form"] input[name="body-`+goldman+`"]`).Length() != 0 {
		t.Error("an unchanged letter is carried as an edit")
	}

	id := e.sendOne(t, form)
	l, err := e.letters.LetterByPublicID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range l.Deliveries {
		switch dl.BioguideID {
		case schumer:
			if dl.Subject != "Jackson-Vanik and my business in New York" || !strings.Contains(dl.TemplateText, "uranium trade") {
				t.Errorf("Schumer's copy: %q / %q", dl.Subject, dl.TemplateText)
			}
		default:
			if !strings.HasPrefix(dl.Subject, "Please cosponsor") || strings.Contains(dl.TemplateText, "uranium") {
				t.Errorf("%s got %q", dl.BioguideID, dl.Subject)
			}
		}
	}
}

// TestEditedLetterLimits: a letter or subject CWC would refuse comes back
// to its field with everything typed kept.
func TestEditedLetterLimits(t *testing.T) {
	e := newEnv(t, letterFlow())
	form := validForm(e.formToken(t))
	form = with(form, "subject-"+schumer, "Hi")
	form = with(form, "body-"+schumer, "Dear Senator Schumer, please cosponsor.")
	form = with(form, "subject-"+gillibrand, "Please cosponsor S. 3103")
	form = with(form, "body-"+gillibrand, strings.Repeat("word ", 2001))
	rec := e.post(t, "/write/preview", form, true)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	d := mustDoc(t, rec)
	if msg := d.Find(`#field-subject-` + schumer + ` [data-testid="field-error"]`).Text(); !strings.Contains(msg, "at least 6") {
		t.Errorf("subject error = %q", msg)
	}
	if msg := d.Find(`#field-body-` + gillibrand + ` [data-testid="field-error"]`).Text(); !strings.Contains(msg, "10000 characters or fewer") {
		t.Errorf("body error = %q", msg)
	}
	if d.Find(`[data-testid="letter-edit"][data-bioguide="`+schumer+`"]`).AttrOr("open", "none") == "none" {
		t.Error("a letter with an error stays folded")
	}
	if href := d.Find(`#error-summary a`).First().AttrOr("href", ""); href != "#letter-subject-"+schumer {
		t.Errorf("first error links to %q", href)
	}
	if got := d.Find(`textarea[name="personal_message"]`).Text(); !strings.Contains(got, "Orchard Street") {
		t.Errorf("the paragraph was lost: %q", got)
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Errorf("letters stored = %d", n)
	}

	// "Use the campaign's wording again" drops the edit.
	d = mustDoc(t, e.post(t, "/write", with(form, "reset", schumer), false))
	if got := d.Find(`input[name="subject-`+schumer+`"]`).AttrOr("value", ""); got != "Please cosponsor S. 3103" {
		t.Errorf("after reset the subject is %q", got)
	}
}

// TestPersonalScoreCountsEdits: words a sender adds to the campaign's
// letter count towards "how personal", as their paragraph does.
func TestPersonalScoreCountsEdits(t *testing.T) {
	e := newEnv(t, letterFlow())
	form := with(validForm(e.formToken(t)), "personal_message")
	d := mustDoc(t, e.post(t, "/write/personal", form, true))
	if got := d.Find(`[data-testid="personal-label"]`).Text(); got != "Template only" {
		t.Errorf("no words of one's own: %q", got)
	}
	tpl := advocacy.DefaultLetterTemplates()[advocacy.TemplateAsk]
	f := advocacy.MergeFields{MemberTitle: "Senator", MemberName: "Charles E. Schumer", MemberLastName: "Schumer", Bill: "S. 3103"}.ForEditing()
	subject, body := tpl.Render(f)
	form = with(form, "subject-"+schumer, subject)
	form = with(form, "body-"+schumer, body+"\n\nMy family has traded with Almaty for thirty years and we would hire more people here.")
	d = mustDoc(t, e.post(t, "/write/personal", form, true))
	if got := d.Find(`[data-testid="personal-label"]`).Text(); got != "A little personal" {
		t.Errorf("with added words: %q", got)
	}
}
