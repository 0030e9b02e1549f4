package sqlite

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// rollBackSeed puts a seeded database back to what the first seed wrote:
// the old summary, "why" points and talking points, no letters and no
// revision mark.
func rollBackSeed(t *testing.T, d *DB) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := d.W.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE slug = ?", SeedSlug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	oldWhy, _ := json.Marshal(append([]string{seedWhy0V0}, seedWhy[1:]...))
	stmts := []struct {
		q    string
		args []any
	}{
		{"UPDATE campaigns SET summary = ?, why_json = ? WHERE id = ?", []any{seedSummaryV0, string(oldWhy), id}},
		{"DELETE FROM letter_templates WHERE campaign_id = ?", []any{id}},
		{"DELETE FROM settings WHERE key = ?", []any{seedRevisionKey}},
	}
	for _, r := range seedPointRevisionsV1 {
		old, err := r.oldBody()
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, struct {
			q    string
			args []any
		}{"UPDATE talking_points SET title = ?, body_md = ? WHERE campaign_id = ? AND title = ?", []any{r.oldTitle, old, id, r.title}})
	}
	for _, s := range stmts {
		if _, err := d.W.ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	return id
}

func TestSeedRevisionCorrectsUneditedText(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	id := rollBackSeed(t, d)
	// An organizer rewrote one of the points the revision corrects, and
	// their own ask letter: both must survive.
	if _, err := d.W.ExecContext(ctx, "UPDATE talking_points SET body_md = 'Our own words.' WHERE campaign_id = ? AND title = 'Only Congress can fix it'", id); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at)
		VALUES (?, 'ask', 'Our subject here', 'Our letter.', '2026-01-01T00:00:00Z')`, id); err != nil {
		t.Fatal(err)
	}
	later := campaignT0.Add(48 * time.Hour)
	if err := SeedCampaign(ctx, d, later); err != nil {
		t.Fatal(err)
	}
	c, err := s.Campaign(ctx, SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	if c.Summary != seedSummary || c.Why[0] != seedWhy[0] {
		t.Errorf("summary and why not corrected: %q / %q", c.Summary, c.Why[0])
	}
	if !c.UpdatedAt.Equal(later) {
		t.Errorf("updated_at = %v, want %v (pages must see the change)", c.UpdatedAt, later)
	}
	tps, err := s.TalkingPoints(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, tp := range tps {
		titles[tp.Title] = tp.BodyMD
	}
	if titles["Only Congress can fix it"] != "Our own words." {
		t.Errorf("an organizer's edit was overwritten: %q", titles["Only Congress can fix it"])
	}
	for _, r := range seedPointRevisionsV1[1:] {
		want, _ := seedPointBody(r.title)
		if titles[r.title] != want {
			t.Errorf("point %q not corrected: %q", r.title, titles[r.title])
		}
	}
	ed := NewCampaignEditor(d, func() time.Time { return later })
	tpl, err := ed.LetterTemplates(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tpl[advocacy.TemplateAsk].Body != "Our letter." || tpl[advocacy.TemplateThank] != seedLetterTemplates[1] {
		t.Errorf("letters after revision: %+v", tpl)
	}

	// A second start changes nothing, even when the text is put back.
	rollBackSeed(t, d)
	if err := SeedCampaign(ctx, d, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := d.R.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", seedRevisionKey).Scan(&v); err != nil || v != "1" {
		t.Errorf("revision mark = %q, %v", v, err)
	}
}

func TestSeedRevisionLeavesNewDatabaseAlone(t *testing.T) {
	ctx := context.Background()
	s, d := seededCampaigns(t)
	before, _ := s.Campaign(ctx, SeedSlug)
	if err := SeedCampaign(ctx, d, campaignT0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Campaign(ctx, SeedSlug)
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a current database was touched: %v -> %v", before.UpdatedAt, after.UpdatedAt)
	}
}

// TestSeedNamesTheWaiverOnlyForTurkmenistan checks every seeded sentence
// that mentions a waiver: only Turkmenistan depends on one.
func TestSeedNamesTheWaiverOnlyForTurkmenistan(t *testing.T) {
	texts := append([]string{seedSummary}, seedWhy...)
	for _, tp := range seedTalkingPoints {
		texts = append(texts, tp.Title, tp.BodyMD)
	}
	for _, lt := range seedLetterTemplates {
		texts = append(texts, lt.Subject, lt.Body)
	}
	sentence := regexp.MustCompile(`[^.!?]*[.!?]?`)
	for _, text := range texts {
		for _, s := range sentence.FindAllString(text, -1) {
			if strings.Contains(strings.ToLower(s), "waiver") && !strings.Contains(s, "Turkmenistan") {
				t.Errorf("a waiver without Turkmenistan: %q", strings.TrimSpace(s))
			}
		}
	}
}

// TestSeedLettersMakeTheCase checks that each seeded letter greets the
// member by surname, names the bill, Jackson-Vanik and Central Asia, and
// fits CWC's limits once merged.
func TestSeedLettersMakeTheCase(t *testing.T) {
	m := advocacy.Member{Name: "Deborah K. Ross", FirstName: "Deborah", LastName: "Ross", Role: "Representative", Chamber: advocacy.House}
	f := advocacy.MergeFieldsFor(m, "H.R. 5917", advocacy.LetterInput{FirstName: "Ada", LastName: "Lovelace", City: "Raleigh"})
	for _, lt := range seedLetterTemplates {
		if _, err := advocacy.ValidateLetterTemplate(lt); err != nil {
			t.Errorf("%s: %v", lt.Kind, err)
		}
		subject, body := lt.Render(f)
		for _, want := range []string{"Dear Representative Ross,", "H.R. 5917", "Jackson-Vanik", "Central Asia", "uranium", "Ada Lovelace"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s letter lacks %q", lt.Kind, want)
			}
		}
		if n := len([]rune(subject)); n < 6 || n > 250 || !strings.Contains(subject, "H.R. 5917") {
			t.Errorf("%s subject %q (%d characters)", lt.Kind, subject, n)
		}
		if n := len([]rune(body)); n < 6 || n > 10000 {
			t.Errorf("%s body has %d characters", lt.Kind, n)
		}
	}
}
