package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Corrections to the seeded campaign reach databases seeded before them
// through revisions: each one replaces text only where it still reads
// exactly as an earlier seed wrote it, so an organizer's edit is never
// overwritten. The revision a database has reached is kept in settings.

// seedRevision is the revision SeedCampaign writes into a new database.
const seedRevision = 1

// seedRevisionKey is the settings key holding the applied revision.
const seedRevisionKey = "seed-revision:" + SeedSlug

// Text the first seed wrote that revision 1 corrects: it said that every
// covered country depends on a yearly waiver (only Turkmenistan does) and
// left Azerbaijan out of the home page.
const (
	seedSummaryV0 = "A Cold War trade law still keeps Kazakhstan, Uzbekistan, Tajikistan and Turkmenistan from permanent normal trade with the United States. Two bills before the 119th Congress would let it end, and they need cosponsors."
	seedWhy0V0    = "A 1974 trade penalty written for the Soviet Union still applies to Kazakhstan, Uzbekistan, Tajikistan and Turkmenistan, so their normal trade with the United States hangs on a waiver renewed every year."
)

// pointRevision corrects one seeded talking point: its old title, and the
// fragments of its body that changed (old, new). The old body is the
// current one with each new fragment put back.
type pointRevision struct {
	title, oldTitle string
	frags           [][2]string
}

var seedPointRevisionsV1 = []pointRevision{
	{title: "Only Congress can fix it", oldTitle: "Only Congress can fix it", frags: [][2]string{{
		"Today these countries get normal trade terms only through a presidential waiver that has to be renewed every year. ",
		"Today these countries have normal trade terms only on conditions the President can withdraw: findings, kept up through regular reports to Congress, that they meet the law’s emigration rules, and for Turkmenistan a waiver that has to be renewed every year. ",
	}}},
	{title: "Certainty instead of conditional trade status", oldTitle: "Certainty instead of a yearly waiver", frags: [][2]string{{
		"the trade status of these countries is only ever secure for a year at a time.",
		"the trade status of these countries rests on executive findings and, for Turkmenistan, on a waiver renewed every 12 months. A later administration can withdraw either.",
	}}},
	{title: "The story so far: 1974, 2012, 2016", oldTitle: "The story so far: 1974, 2012, 2016", frags: [][2]string{{
		"Kazakhstan, Uzbekistan, Tajikistan and Turkmenistan were left under the 1974 law",
		"Kazakhstan, Uzbekistan, Tajikistan, Turkmenistan and Azerbaijan were left under the 1974 law",
	}}},
	{title: "“Repeal throws away leverage on human rights”", oldTitle: "“Repeal throws away leverage on human rights”", frags: [][2]string{{
		"and the waivers have been renewed year after year regardless.",
		"and the findings and Turkmenistan’s waiver have been kept up for more than twenty years regardless.",
	}}},
}

// seedPointBody is the current seed's body of the talking point titled title.
func seedPointBody(title string) (string, bool) {
	for _, tp := range seedTalkingPoints {
		if tp.Title == title {
			return tp.BodyMD, true
		}
	}
	return "", false
}

// oldBody puts the old fragments back into the current body.
func (r pointRevision) oldBody() (string, error) {
	body, ok := seedPointBody(r.title)
	if !ok {
		return "", fmt.Errorf("no seeded talking point %q", r.title)
	}
	for _, f := range r.frags {
		if !strings.Contains(body, f[1]) {
			return "", fmt.Errorf("talking point %q lacks %q", r.title, f[1])
		}
		body = strings.Replace(body, f[1], f[0], 1)
	}
	return body, nil
}

// reviseSeed brings an existing seeded campaign up to seedRevision inside
// tx. It reports whether any row changed.
func reviseSeed(ctx context.Context, tx *sql.Tx, campaignID int64, now time.Time) (bool, error) {
	var v string
	rev := 0
	switch err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", seedRevisionKey).Scan(&v); {
	case err == nil:
		if rev, err = strconv.Atoi(v); err != nil {
			return false, fmt.Errorf("seed revision %q: %w", v, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if rev >= seedRevision {
		return false, nil
	}
	changed, err := reviseSeedV1(ctx, tx, campaignID)
	if err != nil {
		return false, fmt.Errorf("revise seed to 1: %w", err)
	}
	if changed {
		if _, err := tx.ExecContext(ctx, "UPDATE campaigns SET updated_at = ? WHERE id = ?", campaignTime(now), campaignID); err != nil {
			return false, err
		}
	}
	return changed, setSeedRevision(ctx, tx, now)
}

func setSeedRevision(ctx context.Context, tx *sql.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		seedRevisionKey, strconv.Itoa(seedRevision), now.UTC().Format(time.RFC3339))
	return err
}

// reviseSeedV1 corrects the waiver claim and names Azerbaijan in the
// summary, the "why" points and four talking points, and adds the
// campaign's own letters where it has none of a kind.
func reviseSeedV1(ctx context.Context, tx *sql.Tx, campaignID int64) (bool, error) {
	n := int64(0)
	exec := func(query string, args ...any) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		n += k
		return err
	}
	if err := exec("UPDATE campaigns SET summary = ? WHERE id = ? AND summary = ?", seedSummary, campaignID, seedSummaryV0); err != nil {
		return false, err
	}
	oldWhy := append([]string{seedWhy0V0}, seedWhy[1:]...)
	oldJSON, err := json.Marshal(oldWhy)
	if err != nil {
		return false, err
	}
	newJSON, err := json.Marshal(seedWhy)
	if err != nil {
		return false, err
	}
	if err := exec("UPDATE campaigns SET why_json = ? WHERE id = ? AND why_json = ?", string(newJSON), campaignID, string(oldJSON)); err != nil {
		return false, err
	}
	for _, r := range seedPointRevisionsV1 {
		old, err := r.oldBody()
		if err != nil {
			return false, err
		}
		body, _ := seedPointBody(r.title)
		if err := exec(`UPDATE talking_points SET title = ?, body_md = ?
			WHERE campaign_id = ? AND title = ? AND body_md = ?`, r.title, body, campaignID, r.oldTitle, old); err != nil {
			return false, err
		}
	}
	if err := insertSeedTemplates(ctx, tx, campaignID, exec); err != nil {
		return false, err
	}
	return n > 0, nil
}

// insertSeedTemplates adds the seeded letters for every kind the campaign
// has no letter of.
func insertSeedTemplates(ctx context.Context, tx *sql.Tx, campaignID int64, exec func(string, ...any) error) error {
	var stamp string
	if err := tx.QueryRowContext(ctx, "SELECT updated_at FROM campaigns WHERE id = ?", campaignID).Scan(&stamp); err != nil {
		return err
	}
	for _, t := range seedLetterTemplates {
		if err := exec(`INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, kind) DO NOTHING`,
			campaignID, string(t.Kind), t.Subject, t.Body, stamp); err != nil {
			return fmt.Errorf("insert %s letter: %w", t.Kind, err)
		}
	}
	return nil
}
