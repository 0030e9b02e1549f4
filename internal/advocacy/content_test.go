package advocacy

import (
	"strings"
	"testing"
)

func fieldOf(err error) map[string]string {
	if e, ok := err.(*Error); ok {
		return e.Fields
	}
	return nil
}

func TestValidateCampaignText(t *testing.T) {
	in := CampaignText{Title: "  Repeal   it ", Ask: "Cosponsor.", Why: []string{" one ", "", "two"}, Status: CampaignActive}
	out, err := ValidateCampaignText(in, "2026-01-01", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Title != "Repeal it" || len(out.Why) != 2 || out.StartsOn.IsZero() || !out.EndsOn.IsZero() {
		t.Errorf("normalised %+v", out)
	}
	for _, tc := range []struct {
		t            CampaignText
		starts, ends string
		field        string
	}{
		{CampaignText{Ask: "a", Status: CampaignActive}, "", "", "title"},
		{CampaignText{Title: "t", Status: CampaignActive}, "", "", "ask"},
		{CampaignText{Title: "t", Ask: "a", Status: "paused"}, "", "", "status"},
		{CampaignText{Title: "t", Ask: "a", Status: CampaignDraft}, "Jan 1", "", "starts_on"},
		{CampaignText{Title: "t", Ask: "a", Status: CampaignDraft}, "2026-02-01", "2026-01-01", "ends_on"},
		{CampaignText{Title: "t", Ask: "a", Status: CampaignDraft, Why: []string{"1", "2", "3", "4", "5", "6"}}, "", "", "why"},
		{CampaignText{Title: strings.Repeat("x", CampaignMaxTitle+1), Ask: "a", Status: CampaignDraft}, "", "", "title"},
	} {
		_, err := ValidateCampaignText(tc.t, tc.starts, tc.ends)
		if fieldOf(err)[tc.field] == "" {
			t.Errorf("%+v: %v, want an error on %s", tc.t, err, tc.field)
		}
	}
}

func TestValidateBillEdit(t *testing.T) {
	e, err := ValidateBillEdit(BillEdit{Title: " A  bill "}, " 218 ", "2025-11-04")
	if err != nil || e.Target != 218 || e.Title != "A bill" || e.IntroducedOn.IsZero() {
		t.Errorf("%+v %v", e, err)
	}
	for _, target := range []string{"", "-1", "436", "many"} {
		if _, err := ValidateBillEdit(BillEdit{Title: "t"}, target, ""); fieldOf(err)["target"] == "" {
			t.Errorf("target %q accepted", target)
		}
	}
}

func TestValidateCosponsor(t *testing.T) {
	b := Bill{ID: "hr1-119", Type: "hr", Number: 1, Chamber: House, SponsorID: "M001205", IntroducedOn: date("2025-11-04")}
	chamberOf := func(id string) (Chamber, bool) {
		switch id {
		case "A000001", "M001205":
			return House, true
		case "S000001":
			return Senate, true
		}
		return "", false
	}
	c, err := ValidateCosponsor(b, " a000001 ", "2025-11-05", "", true, chamberOf)
	if err != nil || c.BioguideID != "A000001" || !c.Original {
		t.Fatalf("%+v %v", c, err)
	}
	for _, tc := range []struct {
		id, joined, withdrawn, field string
	}{
		{"X1", "2025-11-05", "", "bioguide"},
		{"Z999999", "2025-11-05", "", "bioguide"},
		{"M001205", "2025-11-05", "", "bioguide"},
		{"S000001", "2025-11-05", "", "bioguide"},
		{"A000001", "", "", "joined_on"},
		{"A000001", "2025-01-01", "", "joined_on"},
		{"A000001", "2025-11-05", "2025-11-01", "withdrawn_on"},
		{"A000001", "2025-11-05", "soon", "withdrawn_on"},
	} {
		if _, err := ValidateCosponsor(b, tc.id, tc.joined, tc.withdrawn, false, chamberOf); fieldOf(err)[tc.field] == "" {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}

func TestValidateTalkingPoint(t *testing.T) {
	tp, err := ValidateTalkingPoint(TalkingPoint{Audience: AudiencePress, Title: "T", BodyMD: "Body\r\n"},
		"Congress.gov | https://www.congress.gov/\nA book\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Sources) != 2 || tp.Sources[1].URL != "" || tp.BodyMD != "Body" {
		t.Errorf("%+v", tp)
	}
	if FormatSources(tp.Sources) != "Congress.gov | https://www.congress.gov/\nA book\n" {
		t.Errorf("format %q", FormatSources(tp.Sources))
	}
	for _, tc := range []struct {
		tp      TalkingPoint
		sources string
		field   string
	}{
		{TalkingPoint{Audience: "voters", Title: "T", BodyMD: "B"}, "", "audience"},
		{TalkingPoint{Audience: AudiencePress, BodyMD: "B"}, "", "title"},
		{TalkingPoint{Audience: AudiencePress, Title: "T"}, "", "body_md"},
		{TalkingPoint{Audience: AudiencePress, Title: "T", BodyMD: "B"}, "x | javascript:alert(1)", "sources"},
		{TalkingPoint{Audience: AudiencePress, Title: "T", BodyMD: "B"}, " | https://example.org", "sources"},
	} {
		if _, err := ValidateTalkingPoint(tc.tp, tc.sources); fieldOf(err)[tc.field] == "" {
			t.Errorf("%+v %q: %v", tc.tp, tc.sources, err)
		}
	}
	for _, tc := range []struct{ sources, want string }{
		{"A\x07title | https://example.org", "cannot be shown"},
		{strings.Repeat("a", 401), "longer than 400"},
	} {
		_, err := ValidateTalkingPoint(TalkingPoint{Audience: AudiencePress, Title: "T", BodyMD: "B"}, tc.sources)
		if msg := fieldOf(err)["sources"]; !strings.Contains(msg, tc.want) {
			t.Errorf("sources %q: got %q, want it to say %q", tc.sources, msg, tc.want)
		}
	}
}

func TestValidateLetterTemplate(t *testing.T) {
	for _, def := range DefaultLetterTemplates() {
		if _, err := ValidateLetterTemplate(def); err != nil {
			t.Errorf("default %s: %v", def.Kind, err)
		}
	}
	_, err := ValidateLetterTemplate(LetterTemplate{Kind: TemplateAsk, Subject: "Hi {{member_nam}}", Body: "x {{ bill }}"})
	if msg := fieldOf(err)["subject"]; !strings.Contains(msg, "{{member_nam}}") {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := ValidateLetterTemplate(LetterTemplate{Kind: "other", Subject: "s", Body: "b"}); fieldOf(err)["kind"] == "" {
		t.Error("unknown kind accepted")
	}
	// Limits are checked after merging, with the longest and shortest names.
	merged := []struct {
		name          string
		subject, body string
		field         string
	}{
		{"subject fits", strings.Repeat("s", 140) + " {{constituent_name}}", "Dear {{member_name}}, please.", ""},
		{"subject grows past 250", strings.Repeat("s", 160) + " {{constituent_name}}", "Dear {{member_name}}, please.", "subject"},
		{"subject too short once merged", "{{bill}}", "Dear {{member_name}}, please.", "subject"},
		{"body grows past 10000", "Please cosponsor {{bill}}", strings.Repeat("{{constituent_name}} ", 200), "body"},
		{"body too short once merged", "Please cosponsor {{bill}}", "{{bill}}", "body"},
	}
	for _, tc := range merged {
		_, err := ValidateLetterTemplate(LetterTemplate{Kind: TemplateAsk, Subject: tc.subject, Body: tc.body})
		got := fieldOf(err)
		if tc.field == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.field != "" && !strings.Contains(got[tc.field], "Congress’s system") {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	if _, err := ValidateRejectReason("  "); fieldOf(err)["reason"] == "" {
		t.Error("empty reason accepted")
	}
}
