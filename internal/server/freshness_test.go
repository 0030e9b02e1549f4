package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// afterCongress is the day after the 119th Congress ended: by the data's
// own dates every House term and a third of the Senate's have ended.
var afterCongress = time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)

// inNewCongress moves e's clock to afterCongress and puts the seeded
// campaign on bills reintroduced in the 120th Congress, as its organizers
// would: the 119th's bills died with it and take no letters.
func inNewCongress(t testing.TB, e *env) {
	t.Helper()
	e.clock.Set(afterCongress)
	ed := sqlite.NewCampaignEditor(e.db, e.clock.Now)
	for old, nb := range map[string]advocacy.NewBill{
		"hr5917-119": {ID: "hr40-120", Position: advocacy.PositionSupport, Goal: advocacy.GoalCosponsors, Target: 218, Title: "Central Asia Trade Act"},
		"s3103-119":  {ID: "s40-120", Position: advocacy.PositionSupport, Goal: advocacy.GoalCosponsors, Target: 51, Title: "Central Asia Trade Act"},
	} {
		if err := ed.ReplaceBill(context.Background(), sqlite.SeedSlug, old, nb, 0); err != nil {
			t.Fatalf("reintroduce %s as %s: %v", old, nb.ID, err)
		}
	}
}

func TestLookupOnceTermsHaveEnded(t *testing.T) {
	e := newEnv(t, letterFlow())
	inNewCongress(t, e)

	// NY-12: the representative's term has ended; both senators serve on.
	rec := e.get(t, "/reps?zip=10025&district=NY-12", false)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	d := parseDoc(t, rec.Body.String())
	ended := d.Find(`[data-testid="ended-seat"][data-chamber="house"]`)
	if ended.Length() != 1 || ended.AttrOr("data-bioguide", "") != nadler {
		t.Fatalf("ended House seat: %q", squash(d.Find(`[data-testid="members"]`).Text()))
	}
	text := squash(ended.Text())
	for _, want := range []string{"term ended January 3, 2027", "Representative Jerrold Nadler’s term ended on January 3, 2027",
		"our member data has not caught up", "cannot send letters to it", "202-224-3121"} {
		if !strings.Contains(text, want) {
			t.Errorf("ended seat lacks %q: %q", want, text)
		}
	}
	if ended.Find(`a[href="https://www.house.gov/representatives/find-your-representative"]`).Length() != 1 ||
		ended.Find(`a[href="tel:+12022243121"]`).Length() != 1 {
		t.Errorf("ended seat links: %q", ended.Find("a").Text())
	}
	if n := d.Find(`[data-testid="member"]`).Length(); n != 2 || d.Find(`[data-testid="member"][data-bioguide="`+nadler+`"]`).Length() != 0 {
		t.Errorf("%d member cards, or the ended member still offered", n)
	}
	if d.Find(`[data-testid="write-link"]`).Length() != 1 {
		t.Error("no letter link although both senators serve on")
	}
	if got := squash(d.Find(`[data-testid="data-note"]`).Text()); !strings.Contains(got, "Member data as of June 15, 2026") {
		t.Errorf("data note = %q", got)
	}

	// The letter form offers the senators only, and says why.
	w := parseDoc(t, e.get(t, "/write?zip=10025&district=NY-12", false).Body.String())
	if n := w.Find(`[data-testid="recipient"]`).Length(); n != 2 {
		t.Errorf("%d recipients offered, want the two senators", n)
	}
	if got := squash(w.Find(`[data-testid="ended-recipient"]`).Text()); !strings.Contains(got, "No letter to this seat") {
		t.Errorf("ended recipient = %q", got)
	}

	// The JSON API names no current representative and says why.
	var api struct {
		Districts []struct {
			Vacant         bool                 `json:"vacant"`
			Representative *advocacy.Member     `json:"representative"`
			Senators       []advocacy.Member    `json:"senators"`
			EndedTerms     []advocacy.EndedTerm `json:"ended_terms"`
		} `json:"districts"`
	}
	if err := json.Unmarshal(e.get(t, "/api/v1/representatives?zip=10002", false).Body.Bytes(), &api); err != nil {
		t.Fatal(err)
	}
	got := api.Districts[0]
	if got.Representative != nil || got.Vacant || len(got.Senators) != 2 || len(got.EndedTerms) != 1 ||
		got.EndedTerms[0].TermEnd != "2027-01-03" || got.EndedTerms[0].Switchboard != "202-224-3121" ||
		got.EndedTerms[0].FindURL != "https://www.house.gov/representatives/find-your-representative" {
		t.Errorf("API district = %+v", got)
	}

	// A letter to the ended seat is refused, clearly; to the senators it goes.
	rec = e.postJSON(t, letterJSONBody("grace@example.org", nadler, schumer), nil)
	var refused apiError
	if rec.Code != http.StatusUnprocessableEntity || json.Unmarshal(rec.Body.Bytes(), &refused) != nil ||
		!strings.Contains(refused.Fields["recipients"], "Jerrold Nadler’s term ended on January 3, 2027") {
		t.Errorf("letter to the ended seat: %d %s", rec.Code, rec.Body)
	}
	if rec := e.postJSON(t, letterJSONBody("grace@example.org", schumer, gillibrand), nil); rec.Code != http.StatusCreated {
		t.Errorf("letter to the senators: %d %s", rec.Code, rec.Body)
	}
	form := url.Values{"campaign": {"jackson-vanik"}, "lookup_zip": {"10025"}, "district": {"NY-12"}, "recipients": {nadler},
		"prefix": {"Ms."}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "address1": {"1 Riverside Dr"}, "city": {"New York"},
		"state": {"NY"}, "zip": {"10025"}, "email": {"ada@example.org"}, "consent": {"on"}, "form_token": {"tok_ended_1"}}
	rec = e.post(t, "/write/preview", form, false)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "term ended on January 3, 2027") {
		t.Errorf("form letter to the ended seat: %d", rec.Code)
	}

	// DC's delegate was its only member: nothing to write to, and no link.
	dc := parseDoc(t, e.get(t, "/reps?zip=20001", false).Body.String())
	if dc.Find(`[data-testid="ended-seat"]`).Length() != 1 || dc.Find(`[data-testid="write-link"]`).Length() != 0 {
		t.Errorf("DC: %q", squash(dc.Find(`[data-testid="results"]`).Text()))
	}
}

func TestLookupAppointedSenatorsTermEnded(t *testing.T) {
	// By the data's own dates the appointed senators of Ohio and Florida
	// served until 2026-11-03.
	e := newEnv(t, letterFlow())
	e.clock.Set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	d := parseDoc(t, e.get(t, "/reps?zip=43215&district=OH-3", false).Body.String())
	ended := d.Find(`[data-testid="ended-seat"][data-chamber="senate"]`)
	if ended.Length() != 1 || ended.AttrOr("data-bioguide", "") != "H001104" ||
		!strings.Contains(ended.Text(), "term ended on November 3, 2026") ||
		ended.Find(`a[href="https://www.senate.gov/senators/senators-contact.htm"]`).Length() != 1 {
		t.Errorf("Ohio's ended Senate seat: %q", squash(ended.Text()))
	}
	if d.Find(`[data-testid="member"][data-chamber="senate"]`).Length() != 1 {
		t.Error("want one serving senator for Ohio")
	}
}

func TestMemberWithoutContactDetails(t *testing.T) {
	// G000607 (CA-1) joined in June 2026; the data has no phone, website,
	// Capitol address or district office for him yet.
	e := newEnv(t, letterFlow())
	e.clock.Set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	d := parseDoc(t, e.get(t, "/reps?zip=95926", false).Body.String())
	card := d.Find(`[data-testid="member"][data-bioguide="G000607"]`)
	fb := card.Find(`[data-testid="missing-contact"]`)
	if fb.Length() != 1 || !strings.Contains(squash(fb.Text()), "no phone number or website for James Gallagher’s office") ||
		fb.Find(`a[href="https://www.house.gov/representatives/find-your-representative"]`).Length() != 1 ||
		!strings.Contains(squash(fb.Text()), "202-224-3121 and ask for James Gallagher’s office") {
		t.Errorf("fallback = %q", squash(fb.Text()))
	}
	if d.Find(`[data-testid="member"] [data-testid="missing-contact"]`).Length() != 1 {
		t.Error("members with their details got the fallback too")
	}

	// His constituents can still write: the status page gives the
	// switchboard to call and the House's address to post to.
	rec := e.postJSON(t, strings.NewReplacer(`"NY-12"`, `"CA-1"`, `"New York"`, `"Chico"`, `"NY"`, `"CA"`, `"10025"`, `"95926"`).
		Replace(letterJSONBody("grace@example.org", "G000607")), nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("letter: %d %s", rec.Code, rec.Body)
	}
	var created struct {
		LetterID   string `json:"letter_id"`
		Deliveries []struct {
			DeliveryID string `json:"delivery_id"`
		} `json:"deliveries"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	page := parseDoc(t, e.get(t, "/letters/"+created.LetterID, false).Body.String())
	if tel := page.Find(`[data-testid="tel-link"]`); tel.AttrOr("href", "") != "tel:+12022243121" ||
		!strings.Contains(page.Find(`[data-testid="phone-script"]`).Text(), "Ask the Capitol switchboard for the office of Representative James Gallagher") {
		t.Errorf("phone: %q, script %q", tel.AttrOr("href", ""), page.Find(`[data-testid="phone-script"]`).Text())
	}
	print := page.Find(`a[href^="/letters/`+created.LetterID+`/print/"]`).AttrOr("href", "")
	if body := e.get(t, print, false).Body.String(); !strings.Contains(body, "U.S. House of Representatives") || !strings.Contains(body, "Washington, DC 20515") {
		t.Errorf("printed letter is not addressed to the House (%s)", print)
	}
}

// fakeReference reports a fixed status.
type fakeReference struct{ st DataStatus }

func (f fakeReference) DataStatus() DataStatus { return f.st }

func staleStatus() DataStatus {
	return DataStatus{
		DataDate: "2026-06-15", AsOf: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), Version: "20260615T000000Z",
		Source: "https://raw.githubusercontent.com/unitedstates/congress-legislators/main", Folder: "/srv/whipcount-data",
		Members: 537, House: 437, Senate: 100,
		Ended: []advocacy.EndedTerm{{BioguideID: "H001104", Name: "Jon Husted", Role: "Senator", Chamber: advocacy.Senate,
			State: "OH", TermEnd: "2026-11-03"}},
		LastUpdate: &DataUpdate{At: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC), OK: false,
			Reason: "download https://example/legislators-current.yaml: cut short: 540734 of 1081468 bytes"},
	}
}

func TestAboutSaysHowFreshTheDataIs(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.DataStaleDays = 30 }))
	e.clock.Set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	e.srv.data.ref = fakeReference{staleStatus()}
	d := parseDoc(t, e.get(t, "/about", false).Body.String())
	warn := squash(d.Find(`[data-testid="data-warning"]`).Text())
	for _, want := range []string{"Our member data is from June 15, 2026, 170 days ago", "1 member’s term has ended",
		"Senator Jon Husted (Ohio): term ended November 3, 2026"} {
		if !strings.Contains(warn, want) {
			t.Errorf("about warning lacks %q: %q", want, warn)
		}
	}
	if got := squash(d.Find(`[data-testid="data-source"]`).Text()); !strings.Contains(got, "downloaded from https://raw.githubusercontent.com") {
		t.Errorf("source = %q", got)
	}
	// The footer of every page says as of when.
	if got := squash(d.Find("footer").Text()); !strings.Contains(got, "data as of June 15, 2026") {
		t.Errorf("footer = %q", got)
	}

	// Fresh data, no ended terms: no warning.
	fresh := staleStatus()
	fresh.AsOf, fresh.Ended = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), nil
	e.srv.data.ref = fakeReference{fresh}
	if n := parseDoc(t, e.get(t, "/about", false).Body.String()).Find(`[data-testid="data-warning"]`).Length(); n != 0 {
		t.Error("fresh data flagged")
	}
}

func TestDashboardListsStaleMemberData(t *testing.T) {
	e := newEnv(t, organizerWorkspace(), withConfig(func(c *Config) { c.DataStaleDays = 30 }),
		withDeps(func(d *Deps) { d.Reference = fakeReference{staleStatus()} }))
	e.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")
	e.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")

	doc := orgDoc(t, e.mustLogin(t, "org@example.org").get(t, "/organizer/campaigns/jackson-vanik"))
	item := doc.Find(`[data-testid="stale-item"][data-kind="members"]`)
	text := squash(item.Text())
	for _, want := range []string{"Member data", "past the 30-day limit", "Senator Jon Husted (OH)",
		"whipcount data update -data /srv/whipcount-data, then send the server SIGHUP"} {
		if !strings.Contains(text, want) {
			t.Errorf("stale item lacks %q: %q", want, text)
		}
	}
	if doc.Find(`[data-testid="stale-item"][data-kind="members-update"]`).Length() != 0 {
		t.Error("an organizer sees the refused update's details, meant for admins")
	}
	if rec := e.mustLogin(t, "org@example.org").get(t, "/organizer/data"); rec.Code != http.StatusForbidden {
		t.Errorf("organizer on the data page: %d", rec.Code)
	}

	admin := e.mustLogin(t, "admin@example.org")
	doc = orgDoc(t, admin.get(t, "/organizer/campaigns/jackson-vanik"))
	if got := squash(doc.Find(`[data-testid="stale-item"][data-kind="members-update"]`).Text()); !strings.Contains(got, "cut short: 540734 of 1081468 bytes") {
		t.Errorf("admin's refused-update item = %q", got)
	}
	page := orgDoc(t, admin.get(t, "/organizer/data"))
	if got := squash(page.Find(`[data-testid="data-last-update"]`).Text()); !strings.Contains(got, "not installed") || !strings.Contains(got, "cut short") {
		t.Errorf("last update = %q", got)
	}
	if got := page.Find(`[data-testid="data-version"]`).Text(); got != "20260615T000000Z" {
		t.Errorf("version = %q", got)
	}
	if page.Find(`nav a[href="/organizer/data"]`).Length() != 1 {
		t.Error("no link to the data page for admins")
	}
}
