package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/testkit"
)

// runCampaign runs "whipcount campaign ..." through run, at 2026-12-02.
func runCampaign(t *testing.T, args ...string) importRun {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "WHIPCOUNT_NOW" {
			return "2026-12-02T12:00:00Z"
		}
		return ""
	}
	code := run(context.Background(), append([]string{"whipcount", "campaign"}, args...), env, &out, &errb)
	return importRun{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestCampaignCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "c.db")

	// Wrong input: every problem named by its flag, nothing stored.
	r := runCampaign(t, "create", "-slug", "Bad Slug", "-title", "", "-bill", "hr5-118,hres9-121", "-position", "oppose,maybe", "-target", "500,1", "-db", dbPath)
	if r.code != 1 {
		t.Fatalf("invalid campaign: code %d", r.code)
	}
	for _, want := range []string{"-slug: Use 3 to 60 lowercase", "-title: Enter the title", "-bill (bill 1): H.R. 5 died when the 118th Congress ended",
		"-bill (bill 2): hres9-121 cannot exist yet", "-position (bill 2): Choose support", "-target (bill 1): The House has 435 seats"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := runCampaign(t, "create", "-slug", "x-y-z", "-title", "T", "-bill", "hr1-119,s1-119", "-target", "1,2,3", "-db", dbPath); r.code != 1 || !strings.Contains(r.stderr, "-target has 3 values for 2 bills") {
		t.Errorf("too many targets: %d %s", r.code, r.stderr)
	}

	r = runCampaign(t, "create", "-slug", "stop-widget-tax", "-title", "Stop the Widget Tax", "-bill", "hr1234-119,s99-119",
		"-position", "oppose", "-goal", "not_cosponsoring,withdrawals", "-target", "218,5", "-sponsor-name", "Workshops Alliance", "-db", dbPath)
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"created campaign stop-widget-tax (draft)", "hr1234-119 H.R. 1234: Oppose, members not cosponsoring, target 218",
		"s99-119 S. 99: Oppose, withdrawals, target 5", "preview at /organizer/campaigns/stop-widget-tax/preview"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCampaign(t, "create", "-slug", "stop-widget-tax", "-title", "Again", "-bill", "hr2-119", "-target", "1", "-db", dbPath); r.code != 1 || !strings.Contains(r.stderr, "-slug: There is already a campaign") {
		t.Errorf("same slug: %d %s", r.code, r.stderr)
	}
	if r := runCampaign(t, "close", "-slug", "stop-widget-tax", "-db", dbPath); r.code != 1 || !strings.Contains(r.stderr, "A draft has never been public") {
		t.Errorf("closing a draft: %d %s", r.code, r.stderr)
	}
	if r := runCampaign(t, "open", "-slug", "stop-widget-tax", "-db", dbPath); r.code != 0 || r.stdout != "campaign stop-widget-tax is now running\n" {
		t.Errorf("open: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := runCampaign(t, "feature", "-slug", "stop-widget-tax", "-db", dbPath); r.code != 0 {
		t.Errorf("feature: %d %s", r.code, r.stderr)
	}
	r = runCampaign(t, "list", "-db", dbPath)
	if r.code != 0 || !strings.Contains(r.stdout, "stop-widget-tax\trunning [featured]\tStop the Widget Tax\thr1234-119 (oppose, target 218), s99-119 (oppose, target 5)") ||
		!strings.Contains(r.stdout, "jackson-vanik\trunning\tRepeal Jackson-Vanik") {
		t.Errorf("list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCampaign(t, "create", "-slug", "live-now", "-title", "Live", "-bill", "s5-119", "-target", "51", "-status", "running", "-from", "stop-widget-tax", "-db", dbPath); r.code != 0 || !strings.Contains(r.stdout, "public at /campaigns/live-now") {
		t.Errorf("create running: %d %s %s", r.code, r.stdout, r.stderr)
	}

	d := testkit.OpenDB(t, dbPath)
	defer d.Close()
	c, err := sqlite.NewCampaigns(d).Campaign(context.Background(), "live-now")
	if err != nil || c.Status != advocacy.CampaignActive || c.Sponsor.Name != "Workshops Alliance" {
		t.Errorf("created running from another campaign: %+v %v", c, err)
	}
	if r := runCampaign(t, "bogus"); r.code != 2 {
		t.Errorf("unknown subcommand: %d", r.code)
	}
}
