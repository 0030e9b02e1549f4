package advocacy

import (
	"strings"
	"testing"
	"time"
)

var newNow = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func newChecks() CampaignChecks {
	members := map[string]Chamber{"N000002": House, "S000148": Senate}
	return CampaignChecks{Now: newNow, Known: map[string]Bill{
		"hr5917-119": {ID: "hr5917-119", Title: "Known title", SponsorID: "M001205"},
	}, ChamberOf: func(id string) (Chamber, bool) { c, ok := members[id]; return c, ok }}
}

func TestValidateNewCampaign(t *testing.T) {
	in := NewCampaignInput{Title: "  Clean   Water 2027 ", Why: "one\n\ntwo", Bills: []NewBillInput{
		{ID: " HR5917-119 ", Target: "218", Title: "ignored for a known bill"},
		{ID: "s12-119", Position: "oppose", Target: "51", Title: "A Senate bill", SponsorID: "s000148", Introduced: "2025-02-01"},
		{}, // a blank row of the form
	}}
	nc, err := ValidateNewCampaign(in, newChecks())
	if err != nil {
		t.Fatal(err, fieldOf(err))
	}
	if nc.Slug != "clean-water-2027" || nc.Title != "Clean Water 2027" || nc.Status != CampaignDraft || len(nc.Why) != 2 {
		t.Errorf("normalised %+v", nc)
	}
	if nc.Ask != "Ask your members of Congress to cosponsor H.R. 5917, and not to support S. 12, and its cosponsors to withdraw." {
		t.Errorf("default ask %q", nc.Ask)
	}
	if len(nc.Bills) != 2 {
		t.Fatalf("bills %+v", nc.Bills)
	}
	if b := nc.Bills[0]; b.ID != "hr5917-119" || b.Position != PositionSupport || b.Goal != GoalCosponsors || b.Title != "Known title" || b.SponsorID != "M001205" {
		t.Errorf("known bill %+v", b)
	}
	if b := nc.Bills[1]; b.Goal != GoalNotCosponsoring || b.SponsorID != "S000148" || b.IntroducedOn.IsZero() {
		t.Errorf("new bill %+v", b)
	}

	tests := []struct {
		name  string
		edit  func(*NewCampaignInput)
		field string
		want  string
	}{
		{"no bill", func(in *NewCampaignInput) { in.Bills = nil }, "bill0_id", "Add the bill"},
		{"bad ID", func(in *NewCampaignInput) { in.Bills[0].ID = "HR 5917" }, "bill0_id", "not a bill ID"},
		{"future Congress", func(in *NewCampaignInput) { in.Bills[0].ID = "hr1-120" }, "bill0_id", "the 120th Congress begins on January 3, 2027"},
		{"dead bill", func(in *NewCampaignInput) { in.Bills[0].ID = "hr1-118" }, "bill0_id", "died when the 118th Congress ended on January 3, 2025"},
		{"two House bills", func(in *NewCampaignInput) { in.Bills[1].ID = "hres3-119" }, "bill1_id", "both House bills"},
		{"same bill twice", func(in *NewCampaignInput) { in.Bills[1].ID = "hr5917-119" }, "bill1_id", "listed twice"},
		{"position", func(in *NewCampaignInput) { in.Bills[0].Position = "neutral" }, "bill0_position", "support"},
		{"goal of support", func(in *NewCampaignInput) { in.Bills[0].Goal = "withdrawals" }, "bill0_goal", "counts its cosponsors"},
		{"missing target", func(in *NewCampaignInput) { in.Bills[0].Target = "" }, "bill0_target", "like 218 for a majority of the House"},
		{"Senate target", func(in *NewCampaignInput) { in.Bills[1].Target = "101" }, "bill1_target", "between 0 and 100"},
		{"sponsor of the other chamber", func(in *NewCampaignInput) { in.Bills[1].SponsorID = "N000002" }, "bill1_sponsor", "not a member of the Senate"},
		{"unknown sponsor", func(in *NewCampaignInput) { in.Bills[1].SponsorID = "Z999999" }, "bill1_sponsor", "not a member in the reference data"},
		{"introduced before its Congress", func(in *NewCampaignInput) { in.Bills[1].Introduced = "2024-12-01" }, "bill1_introduced", "between January 3, 2025 and today"},
		{"slug", func(in *NewCampaignInput) { in.Slug = "Clean_Water" }, "slug", "lowercase"},
		{"reserved slug", func(in *NewCampaignInput) { in.Slug = "new" }, "slug", "used by the site"},
		{"status", func(in *NewCampaignInput) { in.Status = "closed" }, "status", "draft"},
		{"sponsor without a name", func(in *NewCampaignInput) { in.Sponsor.URL = "https://example.org" }, "sponsor_name", "Name the organisation"},
		{"sponsor email", func(in *NewCampaignInput) { in.Sponsor = Sponsor{Name: "X", Email: "not mail"} }, "sponsor_email", "email address"},
		{"three bills", func(in *NewCampaignInput) { in.Bills = append(in.Bills, NewBillInput{ID: "s13-119", Target: "1"}) }, "bills", "at most 2"},
	}
	for _, tt := range tests {
		c := in
		c.Bills = append([]NewBillInput(nil), in.Bills...)
		tt.edit(&c)
		_, err := ValidateNewCampaign(c, newChecks())
		if got := fieldOf(err)[tt.field]; !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s = %q (all: %v); want %q", tt.name, tt.field, got, err, tt.want)
		}
	}

	// A campaign can start running only with a bill that takes letters.
	c := in
	c.Status = "running"
	if nc, err := ValidateNewCampaign(c, newChecks()); err != nil || nc.Status != CampaignActive {
		t.Errorf("running: %v %v", nc.Status, err)
	}
}

func TestSlugFrom(t *testing.T) {
	for in, want := range map[string]string{
		"Repeal Jackson-Vanik for Central Asia":              "repeal-jackson-vanik-for-central-asia",
		"  Stop the Widget Tax!! ":                           "stop-the-widget-tax",
		"2027: a year for clean water and better roads, too": "c-2027-a-year-for-clean-water-and-better",
		"": "",
	} {
		if got := SlugFrom(in); got != want {
			t.Errorf("SlugFrom(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestStatusChange(t *testing.T) {
	live := []Bill{{Congress: 119}}
	dead := []Bill{{Congress: 118}}
	tests := []struct {
		from CampaignStatus
		to   CampaignStatus
		bill []Bill
		code Code
	}{
		{CampaignDraft, CampaignActive, live, ""},
		{CampaignDraft, CampaignActive, dead, CodeInvalid},
		{CampaignDraft, CampaignActive, nil, CodeInvalid},
		{CampaignDraft, CampaignClosed, live, CodeConflict},
		{CampaignActive, CampaignClosed, live, ""},
		{CampaignActive, CampaignClosed, dead, ""},
		{CampaignActive, CampaignDraft, live, CodeConflict},
		{CampaignActive, CampaignActive, live, CodeConflict},
		{CampaignClosed, CampaignActive, live, ""},
		{CampaignClosed, "paused", live, CodeInvalid},
	}
	for _, tt := range tests {
		err := StatusChange(Campaign{Status: tt.from, Bills: tt.bill}, tt.to, newNow)
		if ErrorCode(err) != tt.code {
			t.Errorf("%s to %s with %d bills: %v; want %q", tt.from, tt.to, len(tt.bill), err, tt.code)
		}
	}
}

func TestReplacementAndAddedBills(t *testing.T) {
	old := Bill{ID: "s3103-119", Type: "s", Number: 3103, Congress: 119, Chamber: Senate, Position: PositionSupport}
	c := Campaign{Bills: []Bill{old}}
	tests := []struct {
		nb   NewBill
		want string
	}{
		{NewBill{ID: "s40-120", Position: PositionSupport}, ""},
		{NewBill{ID: "s3103-119", Position: PositionSupport}, "new number"},
		{NewBill{ID: "hr40-120", Position: PositionSupport}, "must be a Senate bill too"},
		{NewBill{ID: "s40-118", Position: PositionSupport}, "119th Congress or a later one"},
		{NewBill{ID: "s40-120", Position: PositionOppose}, "keeps its position"},
	}
	for _, tt := range tests {
		err := CheckReplacement(c, old, tt.nb)
		if got := errorMessage(err); !strings.Contains(got, tt.want) || (tt.want == "") != (err == nil) {
			t.Errorf("replace with %+v: %v; want %q", tt.nb, err, tt.want)
		}
	}
	replaced := old
	replaced.SucceededBy = "s40-120"
	if err := CheckReplacement(Campaign{PastBills: []Bill{replaced}}, replaced, NewBill{ID: "s41-120", Position: PositionSupport}); ErrorCode(err) != CodeConflict {
		t.Errorf("replacing a bill twice: %v", err)
	}
	if err := CheckAddBill(c, NewBill{ID: "hr1-119"}); err != nil {
		t.Errorf("add a House bill to a Senate campaign: %v", err)
	}
	if err := CheckAddBill(c, NewBill{ID: "s1-119"}); !strings.Contains(errorMessage(err), "replace S. 3103") {
		t.Errorf("add a second Senate bill: %v", err)
	}
}

func errorMessage(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
