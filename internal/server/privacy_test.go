package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSenderDeletesTheirDetails follows the status page's "Delete my
// details" link: a confirmation, then the erasure, after which the page
// shows no personal data and the count stays.
func TestSenderDeletesTheirDetails(t *testing.T) {
	e := newEnv(t, letterFlow())
	id := e.sendOne(t, validForm(e.formToken(t)))
	status := e.get(t, "/letters/"+id, false)
	link := mustDoc(t, status).Find(`[data-testid="delete-link"]`).AttrOr("href", "")
	if link != "/letters/"+id+"/delete" {
		t.Fatalf("delete link = %q", link)
	}
	confirm := e.get(t, link, false)
	if confirm.Code != 200 || mustDoc(t, confirm).Find(`[data-testid="erase-form"]`).Length() != 1 {
		t.Fatalf("confirmation page: %d", confirm.Code)
	}
	if confirm.Header().Get("Cache-Control") != "no-store" {
		t.Error("confirmation page may be cached")
	}
	if e.count(t, "SELECT count(*) FROM letters WHERE erased_at IS NOT NULL") != 0 {
		t.Fatal("merely opening the confirmation erased the letter")
	}
	rec := e.post(t, link, url.Values{}, false)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/letters/"+id {
		t.Fatalf("erase: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	after := e.get(t, "/letters/"+id, false)
	body := after.Body.String()
	if mustDoc(t, after).Find(`[data-testid="erased"]`).Length() != 1 {
		t.Fatalf("status page after erasing: %s", body)
	}
	for _, personal := range []string{"Ada", "Lovelace", "Orchard", "ada@example.org", "import business"} {
		if strings.Contains(body, personal) {
			t.Errorf("the page still shows %q", personal)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM letters WHERE first_name <> '' OR email <> '' OR personal_message <> ''"); n != 0 {
		t.Errorf("%d letters keep personal fields", n)
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 1 {
		t.Errorf("the letter row is gone (%d): counts would change", n)
	}
	if rec := e.post(t, "/letters/NoSuchLetterAtAllXXXXX/delete", url.Values{}, false); rec.Code != http.StatusNotFound {
		t.Errorf("erasing an unknown letter: %d", rec.Code)
	}
}

func TestPrivacyPageStatesRetention(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.RetentionDays = 180 }))
	rec := e.get(t, "/privacy", false)
	if got := mustDoc(t, rec).Find(`[data-testid="retention"]`).Text(); !strings.Contains(got, "180 days") {
		t.Errorf("retention paragraph: %q", got)
	}
}
