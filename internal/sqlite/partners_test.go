package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func TestPartnersCreateUpdate(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	ps := NewPartners(f.db, f.clock.Now)
	admin := f.addUser(t, "admin@example.org", advocacy.RoleAdmin, "")

	if _, err := ps.CreatePartner(ctx, advocacy.Partner{Name: "Shop", Slug: "shop", SourceCode: "shop",
		AllowedOrigins: []string{"http://shop.example"}}, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Fatalf("plain-http origin: err = %v, want invalid", err)
	}
	p, err := ps.CreatePartner(ctx, advocacy.Partner{Name: "Business Council", Slug: "business-council", SourceCode: "bizco",
		AllowedOrigins: []string{"https://Council.example/", "http://127.0.0.2:8080"}, Contact: "ops@council.example"}, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.AllowedOrigins, " ") != "https://council.example http://127.0.0.2:8080" {
		t.Errorf("stored origins %v", p.AllowedOrigins)
	}

	got, err := ps.PartnerBySlug(ctx, "business-council")
	if err != nil || got.SourceCode != "bizco" || len(got.AllowedOrigins) != 2 {
		t.Fatalf("by slug = %+v, %v", got, err)
	}
	if _, err := ps.PartnerBySlug(ctx, "nobody"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown slug: err = %v", err)
	}

	f.clock.Set(orgT0.Add(time.Hour))
	up, err := ps.UpdatePartner(ctx, "business-council", advocacy.Partner{Name: "The Business Council",
		SourceCode: "changed", Slug: "changed", AllowAnyOrigin: true, LogoText: "TBC"}, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if up.SourceCode != "bizco" || up.Slug != "business-council" || !up.AllowAnyOrigin || len(up.AllowedOrigins) != 0 || up.Name != "The Business Council" {
		t.Errorf("updated = %+v", up)
	}
	byCode, err := ps.PartnerByCode(ctx, "bizco")
	if err != nil || byCode.Name != "The Business Council" || !byCode.AllowAnyOrigin || byCode.LogoText != "TBC" {
		t.Errorf("reread = %+v, %v", byCode, err)
	}
	if _, err := ps.UpdatePartner(ctx, "business-council", advocacy.Partner{Name: "X",
		AllowedOrigins: []string{"https://a.example/path"}}, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("bad origin on update: err = %v", err)
	}
	if _, err := ps.UpdatePartner(ctx, "nobody", advocacy.Partner{Name: "X"}, admin.ID); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("update unknown: err = %v", err)
	}

	var n int
	var before, after string
	if err := f.db.R.QueryRow(`SELECT count(*), max(before_json), max(after_json) FROM audit_log
		WHERE entity = 'partner' AND action = 'partner.update' AND user_id = ?`, admin.ID).Scan(&n, &before, &after); err != nil {
		t.Fatal(err)
	}
	if n != 1 || !strings.Contains(before, "Business Council") || !strings.Contains(after, "The Business Council") {
		t.Errorf("audit: %d rows, before %s, after %s", n, before, after)
	}
}

func TestWidgetCounts(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	ps := NewPartners(f.db, f.clock.Now)
	day := 24 * time.Hour
	for _, fl := range []fixtureLetter{
		{at: orgT0.Add(-3 * day), state: "NY", district: 12, email: "a@example.org", ref: "bizco", to: []recipient{toNY12}},
		{at: orgT0.Add(-2 * time.Hour), state: "NY", district: 12, email: "b@example.org", ref: "bizco", to: []recipient{toNY12, toNYSen}},
		{at: orgT0.Add(-time.Hour), state: "WV", district: 1, email: "c@example.org", to: []recipient{toWV1}},
		{at: orgT0.Add(-time.Hour), state: "WV", district: 1, email: "d@example.org", ref: "other", to: []recipient{toWV1}},
		{at: orgT0.Add(-time.Hour), state: "WV", district: 1, email: "e@example.org", ref: "bizco", status: advocacy.LetterHeld, to: []recipient{toWV1}},
	} {
		f.addLetter(t, fl)
	}
	since := orgT0.Add(-day)
	c, err := ps.WidgetCounts(ctx, f.campaignID, since, "bizco")
	if err != nil {
		t.Fatal(err)
	}
	if c != (advocacy.WidgetCounts{Letters: 4, Last24h: 3, RefLetters: 2}) {
		t.Errorf("counts = %+v", c)
	}
	c, err = ps.WidgetCounts(ctx, f.campaignID, since, "")
	if err != nil || c != (advocacy.WidgetCounts{Letters: 4, Last24h: 3}) {
		t.Errorf("counts without ref = %+v, %v", c, err)
	}
	c, err = ps.WidgetCounts(ctx, f.campaignID+100, since, "bizco")
	if err != nil || c != (advocacy.WidgetCounts{}) {
		t.Errorf("other campaign = %+v, %v", c, err)
	}
}
