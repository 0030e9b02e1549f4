package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The talking points of a campaign other than the site's default one end
// with a call to action that leads to that campaign's letters: the band's
// lookup carries the campaign, and the lookup's write link does too.
func TestTalkingPointsActionLeadsToTheirCampaign(t *testing.T) {
	e := newEnv(t, campaignLifecycle())
	cl := e.mustLogin(t, "org@example.org")
	e.createWidgetTax(t, cl)

	for _, tc := range []struct {
		page, campaign string
	}{
		{"/campaigns/widget-tax/talking-points", "widget-tax"},
		// The default campaign's pages need not name it.
		{"/talking-points", ""},
	} {
		rec := e.get(t, tc.page, false)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", tc.page, rec.Code)
		}
		form := mustDoc(t, rec).Find(`[data-testid="action-band-form"]`)
		if form.Length() != 1 || form.AttrOr("action", "") != "/reps" {
			t.Fatalf("%s: no action band lookup", tc.page)
		}
		if got := form.Find(`input[name=campaign]`).AttrOr("value", ""); got != tc.campaign {
			t.Errorf("%s: the action band carries campaign %q, want %q", tc.page, got, tc.campaign)
		}
		q := url.Values{"zip": {"10002"}}
		form.Find(`input[type=hidden]`).Each(func(_ int, in *goquery.Selection) {
			q.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
		})
		rec = e.get(t, "/reps?"+q.Encode(), false)
		write := mustDoc(t, rec).Find(`[data-testid="write-link"]`).AttrOr("href", "")
		if rec.Code != http.StatusOK || write == "" {
			t.Fatalf("%s: the lookup offers no letter: %d", tc.page, rec.Code)
		}
		if carries := strings.Contains(write, "campaign=widget-tax"); carries != (tc.campaign == "widget-tax") {
			t.Errorf("%s: the lookup's write link is %q", tc.page, write)
		}
	}
}
