package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// testDesk is the delivery desk over the real letter store, with the House
// set up and the Senate not.
type testDesk struct {
	letters *sqlite.Letters
	now     func() time.Time
	diffs   []advocacy.OfficeDisagreement
}

func (d *testDesk) Health(ctx context.Context) ([]advocacy.ChamberHealth, error) {
	hs, err := d.letters.DeliveryHealth(ctx, d.now())
	for i := range hs {
		hs[i].Enabled = hs[i].Chamber == advocacy.House
		if hs[i].Chamber == advocacy.Senate {
			hs[i].Offices = d.diffs
		}
	}
	return hs, err
}

func (d *testDesk) Retry(ctx context.Context, r advocacy.RetryRequest, actor int64) (int, error) {
	return d.letters.RetryDeliveries(ctx, r, actor, d.now())
}

func (d *testDesk) OfficesChecked() (time.Time, error) { return d.now().Add(-time.Hour), nil }

// houseLetter stores a letter to a House office over CWC.
func houseLetter(t *testing.T, letters *sqlite.Letters, campaignID int64, email string) advocacy.Letter {
	t.Helper()
	c, err := letters.CreateLetter(context.Background(), advocacy.NewLetter{CampaignID: campaignID, State: "NY", District: 10,
		SettledBy: advocacy.SettledByZIP,
		Input: advocacy.LetterInput{Prefix: "Ms.", FirstName: "Ada", LastName: "Lovelace", Address1: "12 Orchard Street",
			City: "New York", State: "NY", Zip: "10002", Email: email, Consent: true},
		Recipients: []advocacy.NewDelivery{{BioguideID: "G000599", OfficeCode: "HNY10", Chamber: advocacy.House,
			Channel: advocacy.ChannelCWC, Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative, please cosponsor.",
			Bill: advocacy.LetterBill{Congress: 119, Type: "HR", Number: 5917}}}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Letter
}

func TestDeliveryHealthPageAndResend(t *testing.T) {
	var desk *testDesk
	e := newEnv(t, organizerWorkspace(), withDeps(func(d *Deps) {
		desk = &testDesk{now: d.Clock, diffs: []advocacy.OfficeDisagreement{{BioguideID: "S000148", Derived: "SNY03", Listed: "SNY04"}}}
		d.Organizer.Deliveries = desk
	}))
	desk.letters = e.letters
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		houseLetter(t, e.letters, e.campaignID, email)
	}
	if _, err := e.letters.Hold(context.Background(), advocacy.House, 0,
		"CWC refused our API key or this server’s address (HTTP 401). Check the House key (-cwc-key, WHIPCOUNT_CWC_KEY).", orgNow); err != nil {
		t.Fatal(err)
	}
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	e.addPartner(t, "Partner", "P1")
	e.addUser(t, "partner@example.org", advocacy.RolePartner, "P1")

	org := e.mustLogin(t, "org@example.org")
	// Every workspace page tells of the held delivery.
	d := orgDoc(t, org.get(t, "/organizer"))
	alert := d.Find(`[data-testid="org-alert"]`)
	if !strings.Contains(alert.Text(), "Electronic delivery to the House is held since") || !strings.Contains(alert.Text(), "3 letters wait") ||
		alert.Find(`a[href="/organizer/deliveries"]`).Length() != 1 {
		t.Fatalf("alert %q", alert.Text())
	}
	d = orgDoc(t, org.get(t, "/organizer/deliveries"))
	for id, want := range map[string]string{"state-house": "Held", "held-house": "3", "queued-house": "0", "state-senate": "Not set up"} {
		if got := strings.TrimSpace(d.Find(`[data-testid="` + id + `"]`).Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(d.Find(`[data-testid="chamber-house"] [data-testid="hold-reason"]`).Text(), "WHIPCOUNT_CWC_KEY") {
		t.Error("no hold reason")
	}
	if d.Find(`[data-testid="office-check"]`).Length() != 0 {
		t.Error("an organizer sees the office check meant for admins")
	}
	if d.Find(`[data-testid="retry-held-house"]`).Length() != 1 || d.Find(`[data-testid="retry-held-senate"]`).Length() != 0 {
		t.Fatal("re-send buttons")
	}

	if rec := org.post(t, "/organizer/deliveries/retry", url.Values{"chamber": {"congress"}, "which": {"held"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("bad chamber: %d", rec.Code)
	}
	rec := org.post(t, "/organizer/deliveries/retry", url.Values{"chamber": {"house"}, "which": {"held"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("re-send: %d %s", rec.Code, rec.Body)
	}
	d = orgDoc(t, org.get(t, rec.Header().Get("Location")))
	if !strings.Contains(d.Find(`[data-testid="flash"]`).Text(), "queued again") || d.Find(`[data-testid="org-alert"]`).Length() != 0 ||
		strings.TrimSpace(d.Find(`[data-testid="queued-house"]`).Text()) != "3" {
		t.Fatalf("after re-send: %s", d.Find("main").Text())
	}
	entries, err := sqlite.NewAudit(e.db).AuditLog(context.Background(), 0, 10)
	if err != nil || len(entries) == 0 || entries[0].Action != "deliveries.retry" || entries[0].UserID == 0 {
		t.Fatalf("audit %+v %v", entries, err)
	}

	admin := e.mustLogin(t, "admin@example.org")
	d = orgDoc(t, admin.get(t, "/organizer/deliveries"))
	if row := d.Find(`[data-testid="office-disagreement"]`); row.Length() != 1 || !strings.Contains(row.Text(), "SNY04") {
		t.Errorf("office disagreements: %q", d.Find(`[data-testid="office-check"]`).Text())
	}

	partner := e.mustLogin(t, "partner@example.org")
	if rec := partner.get(t, "/organizer/deliveries"); rec.Code != http.StatusForbidden {
		t.Errorf("partner: %d", rec.Code)
	}

	hrec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(hrec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if hrec.Code != 200 || !strings.Contains(hrec.Body.String(), "cwc house: ok, 3 queued, 0 failed") ||
		!strings.Contains(hrec.Body.String(), "cwc senate: not configured") {
		t.Errorf("healthz: %d %q", hrec.Code, hrec.Body)
	}
}

// The status page and receipt say a held copy is held, not on its way.
func TestStatusPageOfAHeldCopy(t *testing.T) {
	e := newEnv(t, letterFlow())
	id := e.sendOne(t, validForm(e.formToken(t)))
	if _, err := e.db.W.Exec("UPDATE deliveries SET channel = 'cwc', status = 'held' WHERE bioguide_id = ?", goldman); err != nil {
		t.Fatal(err)
	}
	d := mustDoc(t, e.get(t, "/letters/"+id, false))
	card := d.Find(`[data-testid="delivery"][data-state="held"]`)
	if card.Length() != 1 || !strings.Contains(card.Find(`[data-testid="delivery-status"]`).Text(), "Held: not sent yet.") ||
		!strings.Contains(card.Text(), "you do not need to do anything") {
		t.Fatalf("held card: %q", card.Text())
	}
	if card.Find(`[data-testid="confirm-contact_form"]`).Length() != 1 {
		t.Error("a held copy cannot be sent by its sender instead")
	}
}
