package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/delivery"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// widgetTax is the creation form of an oppose campaign about a House and a
// Senate bill of the 119th Congress.
func widgetTax() url.Values {
	return url.Values{
		"title": {"Stop the Widget Tax"}, "slug": {"widget-tax"}, "why": {"It taxes every small workshop.\nIt was written for another century."},
		"bill0_id": {"hr1234-119"}, "bill0_stance": {"oppose"}, "bill0_target": {"218"}, "bill0_title": {"Widget Tax Act"},
		"bill0_sponsor": {"N000002"}, "bill0_introduced": {"2026-03-01"},
		"bill1_id": {"S99-119"}, "bill1_stance": {"oppose-withdrawals"}, "bill1_target": {"5"},
		"sponsor_name": {"Small Workshops Alliance"}, "sponsor_url": {"https://workshops.example.org"},
		"paid_for_by": {"Paid for by the Small Workshops Alliance"}, "copy_from": {sqlite.SeedSlug},
	}
}

func TestCreateCampaignForm(t *testing.T) {
	e := newEnv(t, campaignLifecycle())
	e.addPartner(t, "Business Council", "bizco")
	e.addUser(t, "partner@example.org", advocacy.RolePartner, "bizco")
	cl := e.mustLogin(t, "org@example.org")

	rec := cl.get(t, "/organizer")
	if href := orgDoc(t, rec).Find(`[data-testid="new-campaign"]`).AttrOr("href", ""); href != "/organizer/campaigns/new" {
		t.Errorf("the workspace links to %q to start a campaign", href)
	}
	rec = cl.get(t, "/organizer/campaigns/new")
	if rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid="new-bill-row"]`).Length() != 2 {
		t.Fatalf("new campaign form: %d", rec.Code)
	}

	// Wrong input: every problem at once, each tied to its field, nothing stored.
	bad := widgetTax()
	bad.Set("title", "")
	bad.Set("slug", "Widget Tax!")
	bad.Set("bill0_id", "hr1234-121")
	bad.Set("bill0_sponsor", "S000148") // a senator cannot sponsor a House bill
	bad.Set("bill1_id", "hr12-119")     // a second House bill
	bad.Set("bill1_target", "500")
	bad.Set("sponsor_url", "workshops.example.org")
	rec = cl.post(t, "/organizer/campaigns/new", bad)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid campaign: %d", rec.Code)
	}
	doc := orgDoc(t, rec)
	for field, want := range map[string]string{
		"title": "Enter the title", "slug": "lowercase letters", "bill0_id": "the 121st Congress begins on January 3, 2029",
		"bill0_sponsor": "not a member of the House", "bill1_target": "between 0 and 435", "sponsor_url": "https://",
	} {
		if got := testIDText(doc, "error-"+field); !strings.Contains(got, want) {
			t.Errorf("error on %s = %q; want %q", field, got, want)
		}
		if doc.Find("#nc-"+field).AttrOr("aria-invalid", "") != "true" {
			t.Errorf("field %s is not marked invalid", field)
		}
	}
	if n := doc.Find(`[data-testid="error-summary"] a`).Length(); n < 6 {
		t.Errorf("error summary lists %d problems", n)
	}
	if v := doc.Find("#nc-bill0_id").AttrOr("value", ""); v != "hr1234-121" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	if n := e.count(t, "SELECT count(*) FROM campaigns"); n != 1 {
		t.Fatalf("an invalid campaign was stored: %d campaigns", n)
	}
	// A dead bill and an unknown member.
	bad = widgetTax()
	bad.Set("bill0_id", "hr5-118")
	bad.Set("bill0_sponsor", "Z999999")
	bad.Set("bill1_id", "")
	rec = cl.post(t, "/organizer/campaigns/new", bad)
	doc = orgDoc(t, rec)
	if got := testIDText(doc, "error-bill0_id"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(got, "died when the 118th Congress ended") {
		t.Errorf("dead bill: %d %q", rec.Code, got)
	}

	rec = cl.post(t, "/organizer/campaigns/new", widgetTax())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/organizer/campaigns/widget-tax/edit?done=created" {
		t.Fatalf("create: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	camp, err := e.campaigns.Campaign(context.Background(), "widget-tax")
	if err != nil {
		t.Fatal(err)
	}
	if camp.Status != advocacy.CampaignDraft || camp.Sponsor.Name != "Small Workshops Alliance" || len(camp.Bills) != 2 ||
		camp.Ask != "Ask your members of Congress not to support H.R. 1234 and S. 99, and their cosponsors to withdraw." {
		t.Errorf("created %+v", camp)
	}
	hr, s := camp.Bills[0], camp.Bills[1]
	if hr.Position != advocacy.PositionOppose || hr.Goal != advocacy.GoalNotCosponsoring || hr.Target != 218 || hr.Title != "Widget Tax Act" ||
		s.ID != "s99-119" || s.Goal != advocacy.GoalWithdrawals || s.Target != 5 {
		t.Errorf("bills %+v %+v", hr, s)
	}
	tps, _ := e.campaigns.TalkingPoints(context.Background(), camp.ID)
	if len(tps) != 11 {
		t.Errorf("copied %d talking points from the seeded campaign", len(tps))
	}
	if rec := cl.post(t, "/organizer/campaigns/new", widgetTax()); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(testIDText(orgDoc(t, rec), "error-slug"), "already a campaign") {
		t.Errorf("same slug twice: %d", rec.Code)
	}

	// The editor shows a draft's checklist and the letters of its position.
	rec = cl.get(t, "/organizer/campaigns/widget-tax/edit?done=created")
	doc = orgDoc(t, rec)
	if doc.Find(`[data-testid="campaign-life"]`).AttrOr("data-status", "") != "draft" || doc.Find(`[data-testid="checklist"] li`).Length() != 5 {
		t.Errorf("status panel of a draft: %s", doc.Find(`[data-testid="campaign-life"]`).Text())
	}
	kinds := doc.Find(`[data-testid="template-region"]`).Map(func(_ int, sel *goquery.Selection) string { return sel.AttrOr("data-kind", "") })
	if strings.Join(kinds, ",") != "oppose,urge_withdraw,thank_withdrawal" {
		t.Errorf("letter templates of an oppose campaign: %v", kinds)
	}

	// Drafts are not public; the workspace previews them.
	for what, target := range map[string]string{"public page": "/campaigns/widget-tax", "widget": "/widgets/widget-tax/progress"} {
		if rec := e.get(t, target, false); rec.Code != http.StatusNotFound {
			t.Errorf("%s of a draft: %d", what, rec.Code)
		}
	}
	rec = cl.get(t, "/organizer/campaigns/widget-tax/preview")
	if rec.Code != http.StatusOK || orgDoc(t, rec).Find(`[data-testid="preview-banner"]`).Length() != 1 ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("preview: %d", rec.Code)
	}
	if got := testIDText(orgDoc(t, rec), "campaign-ask"); got != camp.Ask {
		t.Errorf("preview ask %q", got)
	}

	// Partner viewers cannot start campaigns.
	pc := e.mustLogin(t, "partner@example.org")
	if rec := pc.get(t, "/organizer/campaigns/new"); rec.Code != http.StatusForbidden {
		t.Errorf("partner viewer: %d", rec.Code)
	}
}

// createWidgetTax creates and opens the second campaign.
func (e *env) createWidgetTax(t *testing.T, cl *orgClient) {
	t.Helper()
	if rec := cl.post(t, "/organizer/campaigns/new", widgetTax()); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec := cl.post(t, "/organizer/campaigns/widget-tax/status", url.Values{"status": {"running"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d %s", rec.Code, rec.Body)
	}
}

func TestSecondCampaignLife(t *testing.T) {
	e := newEnv(t, campaignLifecycle())
	cl := e.mustLogin(t, "org@example.org")
	e.createWidgetTax(t, cl)

	// Two campaigns run and none is featured: the home page lists both,
	// and the old addresses still mean the seeded campaign.
	rec := e.get(t, "/", false)
	doc := mustDoc(t, rec)
	if n := doc.Find(`[data-testid="campaign-card"]`).Length(); rec.Code != http.StatusOK || n != 2 {
		t.Fatalf("home with two running campaigns: %d, %d cards", rec.Code, n)
	}
	if rec := e.get(t, "/talking-points", false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Repeal Jackson-Vanik") {
		t.Errorf("/talking-points: %d", rec.Code)
	}
	if rec := e.get(t, "/campaigns/widget-tax/talking-points", false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Stop the Widget Tax") {
		t.Errorf("the new campaign's talking points: %d", rec.Code)
	}

	// The campaign's own page, lookup and stances follow its position.
	rec = e.get(t, "/campaigns/widget-tax", false)
	doc = mustDoc(t, rec)
	if got := doc.Find(`[data-testid="call-to-action"] h2`).First().Text(); rec.Code != http.StatusOK || got != "Find your members and tell them to oppose the bills" {
		t.Errorf("campaign page: %d, call to action %q", rec.Code, got)
	}
	if v := doc.Find(`[data-testid="zip-form"] input[name=campaign]`).AttrOr("value", ""); v != "widget-tax" {
		t.Errorf("the lookup does not carry the campaign: %q", v)
	}
	if got := squash(doc.Find(`[data-bill="hr1234-119"] [data-testid="progress-text"]`).Text()); !strings.HasPrefix(got, "434 of 435 seats are not on the bill; the goal is to keep at least 218 off it. Goal met.") {
		t.Errorf("oppose progress = %q", got)
	}
	rec = e.get(t, "/reps?zip=10002&campaign=widget-tax", false)
	doc = mustDoc(t, rec)
	if got := squash(doc.Find(`[data-testid="lookup"]`).Text()); !strings.Contains(got, "Ask them not to cosponsor H.R. 1234.") || !strings.Contains(got, "Ask them not to cosponsor S. 99.") {
		t.Errorf("stances in the lookup: %s", got)
	}
	write := doc.Find(`[data-testid="write-link"]`).AttrOr("href", "")
	if !strings.Contains(write, "campaign=widget-tax") {
		t.Fatalf("write link %q does not carry the campaign", write)
	}

	// A letter through the form: the oppose letter, stored with its position.
	tok := e.formToken(t)
	form := with(validForm(tok), "campaign", "widget-tax")
	rec = e.get(t, write, false)
	if got := squash(mustDoc(t, rec).Find(`[data-testid="recipient"]`).First().Text()); !strings.Contains(got, "your letter asks them not to sign on") {
		t.Errorf("compose: %s", got)
	}
	id := e.sendOne(t, form)
	l, err := e.letters.LetterByPublicID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if l.CampaignID == e.campaignID || len(l.Deliveries) != 3 {
		t.Fatalf("letter in campaign %d with %d deliveries", l.CampaignID, len(l.Deliveries))
	}
	for _, d := range l.Deliveries {
		if d.Position != advocacy.PositionOppose || !strings.HasPrefix(d.Subject, "Please do not cosponsor") {
			t.Errorf("delivery to %s: %s %q", d.BioguideID, d.Position, d.Subject)
		}
		msg := delivery.MessageFor(advocacy.OutboxItem{Letter: l, Delivery: d, CampaignSlug: "widget-tax"}, delivery.Agent{Name: "Whipcount"}, e.clock.Now())
		if msg.Message.ProOrCon != "con" {
			t.Errorf("CWC ProOrCon for an oppose campaign = %q", msg.Message.ProOrCon)
		}
	}
	// One person may write in both campaigns; the dedupe is per campaign.
	if rec := e.post(t, "/write/send", validForm(e.formToken(t)), false); rec.Code != http.StatusSeeOther {
		t.Errorf("the same person in the seeded campaign: %d", rec.Code)
	}
	if rec := e.post(t, "/write/send", with(validForm(e.formToken(t)), "campaign", "widget-tax"), false); rec.Code != http.StatusConflict {
		t.Errorf("the same person again in the new campaign: %d", rec.Code)
	}
	// The API takes letters for the new campaign too.
	body := `{"campaign":"widget-tax","recipients":["S000148"],"prefix":"Mr.","first_name":"Alan","last_name":"Turing",
		"address1":"5 Orchard Street","city":"New York","state":"NY","zip":"10002","email":"alan@example.org","consent":true}`
	if rec := e.postJSON(t, body, nil); rec.Code != http.StatusCreated {
		t.Fatalf("API letter: %d %s", rec.Code, rec.Body)
	}

	// Figures are per campaign.
	var api campaignJSON
	rec = e.get(t, "/api/v1/campaigns/widget-tax", false)
	if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || api.Letters.Total != 2 || api.URL != "/campaigns/widget-tax" {
		t.Errorf("campaign API: %+v %v", api, err)
	}
	rec = e.get(t, "/api/v1/campaigns/jackson-vanik", false)
	if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || api.Letters.Total != 1 {
		t.Errorf("seeded campaign API: %+v %v", api, err)
	}
	rec = cl.get(t, "/organizer/campaigns/widget-tax")
	if got := testIDText(orgDoc(t, rec), "total"); got != "2" {
		t.Errorf("dashboard total of the new campaign = %q", got)
	}
	rec = cl.get(t, "/organizer/campaigns/widget-tax/exports/letters.csv")
	if rows, err := csv.NewReader(rec.Body).ReadAll(); rec.Code != http.StatusOK || err != nil || len(rows) != 1+4 {
		t.Errorf("letters export of the new campaign: %d, %d rows, %v", rec.Code, len(rows), err)
	}
	rec = e.get(t, "/widgets/widget-tax/progress", false)
	if got := squash(mustDoc(t, rec).Find(`[data-bill="s99-119"] [data-testid="widget-progress-text"]`).Text()); rec.Code != http.StatusOK || !strings.HasPrefix(got, "0 of 5 withdrawals") {
		t.Errorf("progress widget: %d %q", rec.Code, got)
	}

	// Featuring a campaign puts it on the home page.
	if rec := cl.post(t, "/organizer/featured", url.Values{"slug": {"widget-tax"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("feature: %d", rec.Code)
	}
	if got := testIDText(mustDoc(t, e.get(t, "/", false)), "campaign-ask"); !strings.Contains(got, "H.R. 1234") {
		t.Errorf("home page with the new campaign featured: %q", got)
	}

	// Closing stops letters everywhere and keeps the pages as a record.
	if rec := cl.post(t, "/organizer/campaigns/widget-tax/status", url.Values{"status": {"closed"}}); rec.Code != http.StatusSeeOther ||
		rec.Header().Get("Location") != "/organizer/campaigns/widget-tax/edit?done=closed" {
		t.Fatalf("close: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = e.get(t, "/campaigns/widget-tax", false)
	doc = mustDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`[data-testid="campaign-ended"]`).Length() != 1 || doc.Find(`[data-testid="zip-form"]`).Length() != 0 {
		t.Errorf("closed campaign page: %d\n%s", rec.Code, squash(doc.Find("main").Text()))
	}
	if got := squash(testIDText(doc, "campaign-ended")); !strings.Contains(got, "This campaign ended on November 28, 2026.") || !strings.Contains(got, "Repeal Jackson-Vanik") {
		t.Errorf("ended notice: %q", got)
	}
	if got := testIDText(doc, "letters-count"); !strings.HasPrefix(squash(got), "2 constituents have written") {
		t.Errorf("final letter count: %q", got)
	}
	if got := testIDText(mustDoc(t, e.get(t, "/", false)), "campaign-ask"); !strings.Contains(got, "H.R. 5917") {
		t.Errorf("home page after the featured campaign closed: %q", got)
	}
	if rec := e.get(t, "/write?zip=10002&campaign=widget-tax", false); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "has ended") {
		t.Errorf("letter form of a closed campaign: %d", rec.Code)
	}
	if rec := e.post(t, "/write/send", with(validForm(e.formToken(t)), "campaign", "widget-tax", "email", "new@example.org"), false); rec.Code != http.StatusConflict {
		t.Errorf("sending to a closed campaign: %d", rec.Code)
	}
	rec = e.postJSON(t, strings.Replace(body, "alan@", "grace@", 1), nil)
	var apiErr apiError
	if json.Unmarshal(rec.Body.Bytes(), &apiErr); rec.Code != http.StatusConflict || !strings.Contains(apiErr.Error, "has ended") {
		t.Errorf("API letter to a closed campaign: %d %s", rec.Code, rec.Body)
	}
	// The store refuses too, in the letter's own transaction.
	camp, _ := e.campaigns.Campaign(context.Background(), "widget-tax")
	_, err = e.letters.CreateLetter(context.Background(), advocacy.NewLetter{CampaignID: camp.ID, Input: advocacy.LetterInput{Email: "x@example.org"},
		State: "NY", District: 10, SettledBy: advocacy.SettledByZIP, Recipients: []advocacy.NewDelivery{{BioguideID: "S000148", OfficeCode: "SNY01",
			Chamber: advocacy.Senate, Channel: advocacy.ChannelAssisted, Subject: "S", TemplateText: "T"}}})
	if advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("store letter for a closed campaign: %v", err)
	}
	rec = e.get(t, "/widgets/widget-tax/action", false)
	if got := testIDText(mustDoc(t, rec), "widget-ended"); rec.Code != http.StatusOK || !strings.Contains(got, "This campaign ended on November 28, 2026. It takes no more letters") {
		t.Errorf("action widget of a closed campaign: %d %q", rec.Code, got)
	}
	rec = e.get(t, "/widgets/widget-tax/progress", false)
	doc = mustDoc(t, rec)
	if doc.Find(`[data-testid="widget-ended"]`).Length() != 1 || doc.Find(`[data-testid="widget-cta"]`).Length() != 0 ||
		doc.Find(`[data-testid="widget-running"]`).AttrOr("href", "") != "/" {
		t.Errorf("progress widget of a closed campaign:\n%s", squash(doc.Text()))
	}
	if rec := e.get(t, "/api/v1/campaigns/widget-tax/count.json", false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"letters":2`) {
		t.Errorf("count.json of a closed campaign: %d %s", rec.Code, rec.Body)
	}

	var list struct {
		Campaigns []campaignListJSON `json:"campaigns"`
	}
	if err := json.Unmarshal(e.get(t, "/api/v1/campaigns", false).Body.Bytes(), &list); err != nil || len(list.Campaigns) != 2 ||
		list.Campaigns[0].Slug != "jackson-vanik" || list.Campaigns[1].Status != "closed" || list.Campaigns[1].URL != "/campaigns/widget-tax" {
		t.Errorf("campaign list: %+v %v", list, err)
	}

	// A closed campaign cannot be featured or go back to draft; it can reopen.
	if rec := cl.post(t, "/organizer/featured", url.Values{"slug": {"widget-tax"}}); rec.Code != http.StatusConflict {
		t.Errorf("featuring a closed campaign: %d", rec.Code)
	}
	rec = cl.post(t, "/organizer/campaigns/widget-tax/status", url.Values{"status": {"draft"}})
	if rec.Code != http.StatusConflict || !strings.Contains(testIDText(orgDoc(t, rec), "life-error"), "cannot become a draft") {
		t.Errorf("back to draft: %d", rec.Code)
	}
	if rec := cl.post(t, "/organizer/campaigns/widget-tax/status", url.Values{"status": {"running"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("reopen: %d", rec.Code)
	}
	if n := e.count(t, "SELECT count(*) FROM audit_log WHERE action IN ('campaign.create', 'campaign.status', 'campaign.feature')"); n != 5 {
		t.Errorf("audit entries for the campaign's life: %d", n)
	}
}

// After the 119th Congress ends its bills are dead: the site says so and
// what happens next, takes no letters for them, and moves on once an
// organizer adds the bill reintroduced in the 120th.
func TestBillsAcrossCongresses(t *testing.T) {
	e := newEnv(t, campaignLifecycle())
	e.clock.Add(time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
	cl := e.mustLogin(t, "org@example.org")

	rec := e.get(t, "/", false)
	doc := mustDoc(t, rec)
	next := squash(testIDText(doc, "next-steps"))
	for _, want := range []string{"H.R. 5917 died when the 119th Congress ended on January 3, 2027", "S. 3103 died",
		"introduce it again, with a new number, in the 120th Congress", "takes no letters until then"} {
		if !strings.Contains(next, want) {
			t.Errorf("next steps lack %q: %s", want, next)
		}
	}
	if doc.Find(`[data-testid="zip-form"]`).Length() != 0 {
		t.Error("the home page still offers to write about dead bills")
	}
	if got := squash(doc.Find(`[data-bill="hr5917-119"] [data-testid="bill-died"]`).Text()); got != "Died at the end of the 119th Congress on January 3, 2027. Its count is final." {
		t.Errorf("House bill: %q", got)
	}
	if got := squash(doc.Find(`[data-bill="s3103-119"] [data-testid="progress-text"]`).Text()); !strings.HasPrefix(got, "3 of 51 cosponsors") {
		t.Errorf("Senate bill's final count: %q", got)
	}
	rec = e.get(t, "/reps?zip=10002", false)
	if got := squash(mustDoc(t, rec).Find(`[data-testid="lookup"]`).Text()); !strings.Contains(got, "S. 3103 died at the end of the 119th Congress") ||
		mustDoc(t, rec).Find(`[data-testid="write-link"]`).Length() != 0 {
		t.Errorf("lookup after the Congress ended: %s", got)
	}
	if rec := e.get(t, "/write?zip=10002", false); rec.Code != http.StatusConflict {
		t.Errorf("letter form for dead bills: %d", rec.Code)
	}
	body := `{"campaign":"jackson-vanik","recipients":["S000148"],"prefix":"Mr.","first_name":"Alan","last_name":"Turing",
		"address1":"5 Orchard Street","city":"New York","state":"NY","zip":"10002","email":"alan@example.org","consent":true}`
	if rec := e.postJSON(t, body, nil); rec.Code != http.StatusConflict {
		t.Errorf("API letter about a dead bill: %d %s", rec.Code, rec.Body)
	}

	// The organizer adds the reintroduced Senate bill; wrong input first.
	rec = cl.get(t, "/organizer/campaigns/jackson-vanik/edit")
	if href := orgDoc(t, rec).Find(`[data-bill="s3103-119"] [data-testid="replace-link"]`).AttrOr("href", ""); href != "/organizer/campaigns/jackson-vanik/edit/bills/s3103-119/replace" {
		t.Fatalf("replace link %q", href)
	}
	replace := "/organizer/campaigns/jackson-vanik/edit/bills/s3103-119/replace"
	for id, want := range map[string]string{
		"hr40-120": "must be a Senate bill too", "s40-121": "the 121st Congress begins", "s3103-119": "died when the 119th Congress ended", "s-40": "is not a bill ID",
	} {
		rec = cl.post(t, replace, url.Values{"id": {id}, "stance": {"support"}, "target": {"51"}})
		if got := testIDText(orgDoc(t, rec), "error-id"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(got, want) {
			t.Errorf("replace with %s: %d %q; want %q", id, rec.Code, got, want)
		}
	}
	rec = cl.post(t, replace, url.Values{"id": {"s40-120"}, "stance": {"support"}, "target": {"55"}, "title": {"Central Asia Trade Act"},
		"sponsor": {"D000618"}, "introduced": {"2027-01-04"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("replace: %d %s", rec.Code, rec.Body)
	}

	// The campaign now asks about S. 40 of the 120th, with S. 3103's record kept.
	doc = mustDoc(t, e.get(t, "/", false))
	if got := squash(doc.Find(`[data-bill="s40-120"] [data-testid="bill-history"]`).Text()); !strings.Contains(got, "S. 3103 (119th Congress): ended with 3 cosponsors of a target of 51") {
		t.Errorf("history of the new bill: %q", got)
	}
	if got := squash(doc.Find(`[data-bill="s40-120"] [data-testid="progress-text"]`).Text()); !strings.HasPrefix(got, "0 of 55 cosponsors") {
		t.Errorf("new bill's progress: %q", got)
	}
	if got := squash(testIDText(doc, "next-steps")); !strings.Contains(got, "H.R. 5917 died") || strings.Contains(got, "S. 3103") || !strings.Contains(got, "Letters to the other chamber") {
		t.Errorf("next steps with one bill replaced: %q", got)
	}
	if rec := e.get(t, "/bills/s3103-119", false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Died at the end of the 119th Congress") {
		t.Errorf("the dead bill's page: %d", rec.Code)
	}
	rec = e.postJSON(t, body, nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("API letter about the new bill: %d %s", rec.Code, rec.Body)
	}
	var created letterCreatedJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	l, err := e.letters.LetterByPublicID(context.Background(), created.LetterID)
	if err != nil || len(l.Deliveries) != 1 || l.Deliveries[0].Bill != (advocacy.LetterBill{Congress: 120, Type: "S", Number: 40}) ||
		!strings.Contains(l.Deliveries[0].Subject, "S. 40") {
		t.Errorf("letter about the new bill: %+v %v", l.Deliveries, err)
	}
	var api campaignJSON
	if err := json.Unmarshal(e.get(t, "/api/v1/campaigns/jackson-vanik", false).Body.Bytes(), &api); err != nil ||
		api.Letters.Total != 1 || len(api.Bills) != 2 || api.Bills[1].ID != "s40-120" || api.Bills[1].Target != 55 {
		t.Errorf("campaign API after the replacement: %+v %v", api, err)
	}
}

func TestEditCampaignBills(t *testing.T) {
	e := newEnv(t, campaignLifecycle())
	cl := e.mustLogin(t, "org@example.org")
	form := widgetTax()
	for _, k := range []string{"bill1_id", "bill1_stance", "bill1_target"} {
		form.Del(k)
	}
	if rec := cl.post(t, "/organizer/campaigns/new", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", rec.Code)
	}
	rec := cl.get(t, "/organizer/campaigns/widget-tax/edit")
	if orgDoc(t, rec).Find(`[data-testid="add-bill"]`).Length() != 1 {
		t.Fatal("a campaign with one bill offers no form to add another")
	}
	// A second House bill is refused; a Senate bill is added.
	rec = cl.post(t, "/organizer/campaigns/widget-tax/edit/bills", url.Values{"id": {"hr77-119"}, "stance": {"oppose"}, "target": {"218"}})
	if got := testIDText(orgDoc(t, rec), "error-id"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(got, "already asks about H.R. 1234 in the House") {
		t.Errorf("second House bill: %d %q", rec.Code, got)
	}
	rec = cl.post(t, "/organizer/campaigns/widget-tax/edit/bills", url.Values{"id": {"s77-119"}, "stance": {"oppose-withdrawals"}, "target": {"3"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add a Senate bill: %d %s", rec.Code, rec.Body)
	}
	// A draft's position can change; a running campaign's cannot.
	rec = cl.post(t, "/organizer/campaigns/widget-tax/edit/bills/hr1234-119", url.Values{"title": {"Widget Tax Act"}, "stance": {"support"}, "target": {"200"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change a draft's position: %d %s", rec.Code, rec.Body)
	}
	camp, _ := e.campaigns.Campaign(context.Background(), "widget-tax")
	if len(camp.Bills) != 2 || camp.Bills[0].Position != advocacy.PositionSupport || camp.Bills[0].Target != 200 ||
		camp.Bills[1].ID != "s77-119" || camp.Bills[1].Goal != advocacy.GoalWithdrawals {
		t.Errorf("bills after editing: %+v", camp.Bills)
	}
	rec = cl.post(t, "/organizer/campaigns/jackson-vanik/edit/bills/hr5917-119", url.Values{"title": {"T"}, "stance": {"oppose"}, "target": {"218"}})
	if got := testIDText(orgDoc(t, rec), "error-stance"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(got, "cannot change once the campaign has been public") {
		t.Errorf("changing a running campaign's position: %d %q", rec.Code, got)
	}
	rec = cl.post(t, "/organizer/campaigns/jackson-vanik/edit/bills/s3103-119", url.Values{"title": {"T"}, "target": {"101"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(testIDText(orgDoc(t, rec), "error-target"), "between 0 and 100") {
		t.Errorf("a Senate target of 101: %d", rec.Code)
	}
}
