package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// CampaignEditor makes organizers' changes to campaign content: the
// campaign's text, its bills, cosponsors, talking points and letter
// templates. Each change runs in one writer transaction that also moves the
// campaign's updated_at (the public pages' Last-Modified and ETag) and
// writes the audit log, so a change, its audit entry and the caches'
// invalidation happen together or not at all. Input is validated by the
// advocacy rules before it gets here.
type CampaignEditor struct {
	db  *DB
	now func() time.Time
}

// NewCampaignEditor returns the editor over db; now is the clock.
func NewCampaignEditor(db *DB, now func() time.Time) *CampaignEditor {
	return &CampaignEditor{db: db, now: now}
}

// ListCampaigns returns every campaign, without bills, newest first.
func (e *CampaignEditor) ListCampaigns(ctx context.Context) ([]advocacy.Campaign, error) {
	return listCampaigns(ctx, e.db, "created_at DESC, id DESC")
}

// listCampaigns reads every campaign, without bills, in the order given
// (an ORDER BY clause written here, never from input).
func listCampaigns(ctx context.Context, db *DB, orderBy string) ([]advocacy.Campaign, error) {
	rows, err := db.R.QueryContext(ctx, "SELECT "+campaignColumns+" FROM campaigns ORDER BY "+orderBy)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return scanCampaigns(rows)
}

// scanCampaigns reads every row of campaignColumns and closes rows.
func scanCampaigns(rows *sql.Rows) ([]advocacy.Campaign, error) {
	defer rows.Close()
	var out []advocacy.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("list campaigns: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return out, nil
}

// editTx runs fn in a writer transaction on the campaign with slug, then
// touches the campaign and commits. fn gets the campaign and the time.
func (e *CampaignEditor) editTx(ctx context.Context, slug string, fn func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error) error {
	now := e.now().UTC()
	tx, err := e.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := scanCampaign(tx.QueryRowContext(ctx, campaignBySlugSQL, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.NotFound("We could not find that campaign.")
	}
	if err != nil {
		return err
	}
	if err := fn(tx, c, now); err != nil {
		return err
	}
	if err := touchCampaign(ctx, tx, c.ID, now); err != nil {
		return err
	}
	return tx.Commit()
}

// touchCampaign moves the campaign's updated_at to now, or one second past
// its current value when that is not earlier: two edits within one second
// must still change the pages' ETag, or a cache could keep the first.
func touchCampaign(ctx context.Context, tx *sql.Tx, campaignID int64, now time.Time) error {
	stamp := campaignTime(now)
	if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET updated_at = CASE WHEN ? > updated_at THEN ?
		ELSE strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, '+1 second') END WHERE id = ?`, stamp, stamp, campaignID); err != nil {
		return fmt.Errorf("touch campaign: %w", err)
	}
	return nil
}

// UpdateText replaces the campaign's text (validated with
// advocacy.ValidateCampaignText).
func (e *CampaignEditor) UpdateText(ctx context.Context, slug string, t advocacy.CampaignText, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error {
		why, err := json.Marshal(append([]string{}, t.Why...))
		if err != nil {
			return err
		}
		sp := t.Sponsor
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET title = ?, summary = ?, ask = ?, why_json = ?,
			starts_on = ?, ends_on = ?, sponsor_name = ?, sponsor_url = ?, sponsor_email = ?, sponsor_about = ?,
			paid_for_by = ? WHERE id = ?`, t.Title, t.Summary, t.Ask, string(why),
			campaignNullDate(t.StartsOn), campaignNullDate(t.EndsOn), sp.Name, sp.URL, sp.Email, sp.About, sp.PaidForBy, c.ID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "campaign.update", entity: "campaign", entityID: slug,
			before: advocacy.TextOf(c), after: t, at: now})
	})
	if err != nil {
		return fmt.Errorf("update campaign %q: %w", slug, err)
	}
	return nil
}

// campaignBill reads one of the campaign's bills inside tx.
func campaignBill(ctx context.Context, tx *sql.Tx, campaignID int64, billID string) (advocacy.Bill, error) {
	b, err := scanCampaignBill(tx.QueryRowContext(ctx, "SELECT "+billColumns+billFrom+" WHERE b.id = ? AND cb.campaign_id = ?", billID, campaignID))
	if errors.Is(err, sql.ErrNoRows) {
		return b, advocacy.NotFound(fmt.Sprintf("The campaign has no bill %s.", billID))
	}
	return b, err
}

// touchBillCampaigns moves updated_at of every campaign other than except
// that shows bill billID: a change to the bill's own facts or cosponsors changes
// all their pages.
func touchBillCampaigns(ctx context.Context, tx *sql.Tx, billID string, except int64, now time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT campaign_id FROM campaign_bills WHERE bill_id = ? AND campaign_id <> ?", billID, except)
	if err != nil {
		return fmt.Errorf("touch campaigns of %s: %w", billID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("touch campaigns of %s: %w", billID, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("touch campaigns of %s: %w", billID, err)
	}
	for _, id := range ids {
		if err := touchCampaign(ctx, tx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// UpdateBill changes what organizers may edit on a bill (validated with
// advocacy.ValidateBillEdit).
func (e *CampaignEditor) UpdateBill(ctx context.Context, slug, billID string, be advocacy.BillEdit, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error {
		b, err := campaignBill(ctx, tx, c.ID, billID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bills SET title = ?, status = ?, committees = ?, introduced_on = ?
			WHERE id = ?`, be.Title, be.Status, be.Committees, campaignNullDate(be.IntroducedOn), billID); err != nil {
			return err
		}
		if err := advocacy.CheckBillEdit(c, b, be); err != nil {
			return err
		}
		if be.Position == "" {
			be.Position, be.Goal = b.Position.OrSupport(), b.Goal
		}
		if be.Goal == "" {
			be.Goal = advocacy.GoalsFor(be.Position)[0]
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaign_bills SET target = ?, position = ?, goal = ? WHERE campaign_id = ? AND bill_id = ?",
			be.Target, string(be.Position), string(be.Goal), c.ID, billID); err != nil {
			return err
		}
		if err := touchBillCampaigns(ctx, tx, billID, c.ID, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "bill.update", entity: "bill", entityID: billID,
			before: advocacy.EditOf(b), after: be, at: now})
	})
	if err != nil {
		return fmt.Errorf("update bill %s: %w", billID, err)
	}
	return nil
}

// auditCosponsor is how a cosponsor appears in the audit log.
type auditCosponsor struct {
	Bioguide  string `json:"bioguide"`
	JoinedOn  string `json:"joined_on"`
	Original  bool   `json:"original"`
	Withdrawn string `json:"withdrawn_on,omitempty"`
}

func cosponsorForAudit(c advocacy.Cosponsor) auditCosponsor {
	a := auditCosponsor{Bioguide: c.BioguideID, JoinedOn: c.JoinedOn.Format(advocacy.DateLayout), Original: c.Original}
	if !c.WithdrawnOn.IsZero() {
		a.Withdrawn = c.WithdrawnOn.Format(advocacy.DateLayout)
	}
	return a
}

func findCosponsor(cs []advocacy.Cosponsor, id string) (advocacy.Cosponsor, bool) {
	for _, c := range cs {
		if c.BioguideID == id {
			return c, true
		}
	}
	return advocacy.Cosponsor{}, false
}

// SaveCosponsor adds a cosponsor entered by hand, or corrects one on record
// (validated with advocacy.ValidateCosponsor). It reports whether the
// member was new to the bill.
func (e *CampaignEditor) SaveCosponsor(ctx context.Context, slug, billID string, c advocacy.Cosponsor, actor int64) (bool, error) {
	added := false
	err := e.editTx(ctx, slug, func(tx *sql.Tx, camp advocacy.Campaign, now time.Time) error {
		if _, err := campaignBill(ctx, tx, camp.ID, billID); err != nil {
			return err
		}
		existing, err := readBillCosponsors(ctx, tx, billID)
		if err != nil {
			return err
		}
		old, ok := findCosponsor(existing, c.BioguideID)
		added = !ok
		if _, err := tx.ExecContext(ctx, `INSERT INTO cosponsors (bill_id, bioguide, joined_on, original, withdrawn_on)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (bill_id, bioguide) DO UPDATE SET joined_on = excluded.joined_on,
			original = excluded.original, withdrawn_on = excluded.withdrawn_on`,
			billID, c.BioguideID, campaignNullDate(c.JoinedOn), campaignBool(c.Original), campaignNullDate(c.WithdrawnOn)); err != nil {
			return err
		}
		if err := touchBillCampaigns(ctx, tx, billID, camp.ID, now); err != nil {
			return err
		}
		ch := auditChange{actor: actor, action: "cosponsor.add", entity: "cosponsor", entityID: billID + "/" + c.BioguideID,
			after: cosponsorForAudit(c), at: now}
		if ok {
			ch.action, ch.before = "cosponsor.update", cosponsorForAudit(old)
		}
		return writeAudit(ctx, tx, ch)
	})
	if err != nil {
		return false, fmt.Errorf("save cosponsor %s of %s: %w", c.BioguideID, billID, err)
	}
	return added, nil
}

// WithdrawCosponsor records that an active cosponsor withdrew on a day (not
// before they joined).
func (e *CampaignEditor) WithdrawCosponsor(ctx context.Context, slug, billID, bioguide string, on time.Time, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, camp advocacy.Campaign, now time.Time) error {
		if _, err := campaignBill(ctx, tx, camp.ID, billID); err != nil {
			return err
		}
		existing, err := readBillCosponsors(ctx, tx, billID)
		if err != nil {
			return err
		}
		old, ok := findCosponsor(existing, bioguide)
		switch {
		case !ok:
			return advocacy.NotFound(fmt.Sprintf("%s is not a cosponsor of %s.", bioguide, billID))
		case !old.Active():
			return &advocacy.Error{Code: advocacy.CodeConflict, Message: fmt.Sprintf("%s already withdrew on %s.", bioguide, old.WithdrawnOn.Format(advocacy.DateLayout))}
		case on.IsZero() || on.Before(old.JoinedOn):
			return advocacy.Invalid("withdrawn_on", "Enter the day they withdrew, not before they joined ("+old.JoinedOn.Format(advocacy.DateLayout)+").")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cosponsors SET withdrawn_on = ? WHERE bill_id = ? AND bioguide = ?",
			campaignNullDate(on), billID, bioguide); err != nil {
			return err
		}
		if err := touchBillCampaigns(ctx, tx, billID, camp.ID, now); err != nil {
			return err
		}
		after := old
		after.WithdrawnOn = on
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "cosponsor.withdraw", entity: "cosponsor",
			entityID: billID + "/" + bioguide, before: cosponsorForAudit(old), after: cosponsorForAudit(after), at: now})
	})
	if err != nil {
		return fmt.Errorf("withdraw cosponsor %s of %s: %w", bioguide, billID, err)
	}
	return nil
}

// ImportCosponsors is Campaigns.ImportCosponsors (the same checks, the same
// result) made from the organizer workspace: the import and its audit entry
// share one transaction, which the campaign store's own import cannot offer
// because it opens its transaction itself.
func (e *CampaignEditor) ImportCosponsors(ctx context.Context, slug, billID string, f advocacy.CosponsorFile,
	chamberOf func(bioguide string) (advocacy.Chamber, bool), asOf time.Time, actor int64) (advocacy.ImportResult, error) {
	res := advocacy.ImportResult{Bill: billID, InFile: len(f.Cosponsors), AsOf: asOf.UTC()}
	err := e.editTx(ctx, slug, func(tx *sql.Tx, camp advocacy.Campaign, now time.Time) error {
		b, err := campaignBill(ctx, tx, camp.ID, billID)
		if err != nil {
			return err
		}
		existing, err := applyCosponsorFile(ctx, tx, b, f, chamberOf, asOf, &res)
		if err != nil {
			return err
		}
		if err := touchBillCampaigns(ctx, tx, billID, camp.ID, now); err != nil {
			return err
		}
		before := make([]auditCosponsor, len(existing))
		for i, c := range existing {
			before[i] = cosponsorForAudit(c)
		}
		after := make([]auditCosponsor, len(f.Cosponsors))
		for i, c := range f.Cosponsors {
			after[i] = cosponsorForAudit(c)
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "cosponsor.import", entity: "bill", entityID: billID,
			before: map[string]any{"cosponsors": before},
			after:  map[string]any{"cosponsors": after, "result": res}, at: now})
	})
	if err != nil {
		return advocacy.ImportResult{}, fmt.Errorf("import cosponsors of %s: %w", billID, err)
	}
	return res, nil
}

const talkingPointColumns = `id, campaign_id, audience, position, title, body_md, sources, is_objection`

func scanTalkingPoint(sc interface{ Scan(...any) error }) (advocacy.TalkingPoint, error) {
	var (
		tp        advocacy.TalkingPoint
		audience  string
		sources   string
		objection int
	)
	if err := sc.Scan(&tp.ID, &tp.CampaignID, &audience, &tp.Position, &tp.Title, &tp.BodyMD, &sources, &objection); err != nil {
		return tp, err
	}
	tp.Audience = advocacy.Audience(audience)
	tp.Objection = objection == 1
	if err := json.Unmarshal([]byte(sources), &tp.Sources); err != nil {
		return tp, fmt.Errorf("decode sources of talking point %d: %w", tp.ID, err)
	}
	return tp, nil
}

// TalkingPoint returns one of the campaign's talking points; one that does
// not exist or belongs to another campaign is an *advocacy.Error with
// CodeNotFound.
func (e *CampaignEditor) TalkingPoint(ctx context.Context, slug string, id int64) (advocacy.TalkingPoint, error) {
	tp, err := scanTalkingPoint(e.db.R.QueryRowContext(ctx, "SELECT "+talkingPointColumns+
		" FROM talking_points WHERE id = ? AND campaign_id = (SELECT id FROM campaigns WHERE slug = ?)", id, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return tp, advocacy.NotFound("We could not find that talking point.")
	}
	if err != nil {
		return tp, fmt.Errorf("find talking point %d: %w", id, err)
	}
	return tp, nil
}

// SaveTalkingPoint stores a talking point (validated with
// advocacy.ValidateTalkingPoint): a new one (ID 0) goes at the end of its
// audience, as does one moved to another audience. It returns the point as
// stored.
func (e *CampaignEditor) SaveTalkingPoint(ctx context.Context, slug string, tp advocacy.TalkingPoint, actor int64) (advocacy.TalkingPoint, error) {
	var saved advocacy.TalkingPoint
	err := e.editTx(ctx, slug, func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error {
		sources, err := json.Marshal(append([]advocacy.Source{}, tp.Sources...))
		if err != nil {
			return err
		}
		var old *advocacy.TalkingPoint
		if tp.ID != 0 {
			o, err := scanTalkingPoint(tx.QueryRowContext(ctx, "SELECT "+talkingPointColumns+" FROM talking_points WHERE id = ? AND campaign_id = ?", tp.ID, c.ID))
			if errors.Is(err, sql.ErrNoRows) {
				return advocacy.NotFound("We could not find that talking point.")
			}
			if err != nil {
				return err
			}
			old = &o
		}
		position := 0
		if old != nil && old.Audience == tp.Audience {
			position = old.Position
		} else if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position), -1) + 1 FROM talking_points WHERE campaign_id = ? AND audience = ?",
			c.ID, string(tp.Audience)).Scan(&position); err != nil {
			return err
		}
		id := tp.ID
		if old == nil {
			res, err := tx.ExecContext(ctx, `INSERT INTO talking_points (campaign_id, audience, position, title, body_md, sources, is_objection)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, string(tp.Audience), position, tp.Title, tp.BodyMD, string(sources), campaignBool(tp.Objection))
			if err != nil {
				return err
			}
			if id, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE talking_points SET audience = ?, position = ?, title = ?, body_md = ?, sources = ?,
			is_objection = ? WHERE id = ?`, string(tp.Audience), position, tp.Title, tp.BodyMD, string(sources), campaignBool(tp.Objection), id); err != nil {
			return err
		}
		if saved, err = scanTalkingPoint(tx.QueryRowContext(ctx, "SELECT "+talkingPointColumns+" FROM talking_points WHERE id = ?", id)); err != nil {
			return err
		}
		ch := auditChange{actor: actor, action: "talking_point.create", entity: "talking_point", entityID: idString(id), after: saved, at: now}
		if old != nil {
			ch.action, ch.before = "talking_point.update", *old
		}
		return writeAudit(ctx, tx, ch)
	})
	if err != nil {
		return advocacy.TalkingPoint{}, fmt.Errorf("save talking point: %w", err)
	}
	return saved, nil
}

// DeleteTalkingPoint removes one of the campaign's talking points.
func (e *CampaignEditor) DeleteTalkingPoint(ctx context.Context, slug string, id int64, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error {
		old, err := scanTalkingPoint(tx.QueryRowContext(ctx, "SELECT "+talkingPointColumns+" FROM talking_points WHERE id = ? AND campaign_id = ?", id, c.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return advocacy.NotFound("We could not find that talking point.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM talking_points WHERE id = ?", id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "talking_point.delete", entity: "talking_point",
			entityID: idString(id), before: old, at: now})
	})
	if err != nil {
		return fmt.Errorf("delete talking point %d: %w", id, err)
	}
	return nil
}

// LetterTemplates returns the campaign's letter for every template kind:
// the organizers' own where they wrote one, advocacy.DefaultLetterTemplates
// otherwise. The letter form reads its templates here.
func (e *CampaignEditor) LetterTemplates(ctx context.Context, campaignID int64) (map[advocacy.TemplateKind]advocacy.LetterTemplate, error) {
	out := advocacy.DefaultLetterTemplates()
	rows, err := e.db.R.QueryContext(ctx, "SELECT kind, subject, body FROM letter_templates WHERE campaign_id = ?", campaignID)
	if err != nil {
		return nil, fmt.Errorf("read letter templates of campaign %d: %w", campaignID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t advocacy.LetterTemplate
		if err := rows.Scan(&t.Kind, &t.Subject, &t.Body); err != nil {
			return nil, fmt.Errorf("read letter templates of campaign %d: %w", campaignID, err)
		}
		out[t.Kind] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read letter templates of campaign %d: %w", campaignID, err)
	}
	return out, nil
}

// SaveLetterTemplate stores the campaign's letter of one kind (validated
// with advocacy.ValidateLetterTemplate).
func (e *CampaignEditor) SaveLetterTemplate(ctx context.Context, slug string, t advocacy.LetterTemplate, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, c advocacy.Campaign, now time.Time) error {
		before := advocacy.DefaultLetterTemplates()[t.Kind]
		err := tx.QueryRowContext(ctx, "SELECT kind, subject, body FROM letter_templates WHERE campaign_id = ? AND kind = ?",
			c.ID, string(t.Kind)).Scan(&before.Kind, &before.Subject, &before.Body)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, kind) DO UPDATE SET subject = excluded.subject,
			body = excluded.body, updated_at = excluded.updated_at`, c.ID, string(t.Kind), t.Subject, t.Body, orgTime(now)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "letter_template.update", entity: "letter_template",
			entityID: slug + "/" + string(t.Kind), before: before, after: t, at: now})
	})
	if err != nil {
		return fmt.Errorf("save %s letter template: %w", t.Kind, err)
	}
	return nil
}
