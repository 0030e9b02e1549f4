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

// This file holds the writes of a campaign's life: creating it, adding a
// bill, replacing a bill that died with its Congress by the one
// reintroduced in the next, moving it between draft, running and closed,
// and choosing the campaign the home page features. Input arrives checked
// by the advocacy rules; what only the database can tell (a taken slug, a
// bill already in the campaign) is checked here, inside the transaction.

// featuredKey is the setting that names the featured campaign.
const featuredKey = "featured_campaign"

// KnownBills returns the bills among ids that the app already has, with
// their own facts (no campaign's position or target).
func (e *CampaignEditor) KnownBills(ctx context.Context, ids []string) (map[string]advocacy.Bill, error) {
	out := map[string]advocacy.Bill{}
	for _, id := range ids {
		var (
			b          advocacy.Bill
			chamber    string
			introduced sql.NullString
		)
		err := e.db.R.QueryRowContext(ctx, `SELECT id, chamber, congress, bill_type, number, title, sponsor_bioguide, introduced_on
			FROM bills WHERE id = ?`, id).Scan(&b.ID, &chamber, &b.Congress, &b.Type, &b.Number, &b.Title, &b.SponsorID, &introduced)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find bill %s: %w", id, err)
		}
		b.Chamber = advocacy.Chamber(chamber)
		if b.IntroducedOn, err = campaignParseDate(introduced); err != nil {
			return nil, fmt.Errorf("find bill %s: %w", id, err)
		}
		out[b.ID] = b
	}
	return out, nil
}

// insertBill records a bill the app did not know, or leaves the record of
// one it knows as it is (it is shared by every campaign that asks about it).
func insertBill(ctx context.Context, tx *sql.Tx, nb advocacy.NewBill) error {
	typ, number, congress, err := advocacy.ParseBillID(nb.ID)
	if err != nil {
		return err
	}
	chamber, _ := advocacy.ChamberOfBillType(typ)
	if _, err := tx.ExecContext(ctx, `INSERT INTO bills (id, chamber, congress, bill_type, number, title, sponsor_bioguide, introduced_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		nb.ID, string(chamber), congress, typ, number, nb.Title, nb.SponsorID, campaignNullDate(nb.IntroducedOn)); err != nil {
		return fmt.Errorf("record bill %s: %w", nb.ID, err)
	}
	return nil
}

// addCampaignBill links a bill to a campaign with what it wants of it.
func addCampaignBill(ctx context.Context, tx *sql.Tx, campaignID int64, nb advocacy.NewBill, order int, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_bills (campaign_id, bill_id, sort_order, position, goal, target, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, campaignID, nb.ID, order, string(nb.Position), string(nb.Goal), nb.Target, campaignTime(now)); err != nil {
		return fmt.Errorf("add bill %s to the campaign: %w", nb.ID, err)
	}
	return nil
}

// auditCampaign is how a new campaign appears in the audit log.
type auditCampaign struct {
	Slug     string             `json:"slug"`
	Title    string             `json:"title"`
	Ask      string             `json:"ask"`
	Status   string             `json:"status"`
	Sponsor  advocacy.Sponsor   `json:"sponsor"`
	Bills    []advocacy.NewBill `json:"bills"`
	CopyFrom string             `json:"copy_from,omitempty"`
}

// CreateCampaign stores a new campaign (checked by
// advocacy.ValidateNewCampaign) with its bills in one transaction, copying
// the talking points and letter templates of nc.CopyFrom when it names a
// campaign. A taken slug is an *advocacy.Error with CodeInvalid on "slug";
// an unknown CopyFrom one on "copy_from".
func (e *CampaignEditor) CreateCampaign(ctx context.Context, nc advocacy.NewCampaign, actor int64) (advocacy.Campaign, error) {
	if err := e.createCampaign(ctx, nc, actor); err != nil {
		return advocacy.Campaign{}, fmt.Errorf("create campaign %q: %w", nc.Slug, err)
	}
	return NewCampaigns(e.db).Campaign(ctx, nc.Slug)
}

func (e *CampaignEditor) createCampaign(ctx context.Context, nc advocacy.NewCampaign, actor int64) error {
	now := e.now().UTC()
	stamp := campaignTime(now)
	tx, err := e.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var taken int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM campaigns WHERE slug = ?", nc.Slug).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return advocacy.Invalid("slug", fmt.Sprintf("There is already a campaign at /campaigns/%s; choose another name.", nc.Slug))
	}
	var from int64
	sponsor := nc.Sponsor
	if nc.CopyFrom != "" {
		src, err := scanCampaign(tx.QueryRowContext(ctx, "SELECT "+campaignColumns+" FROM campaigns WHERE slug = ?", nc.CopyFrom))
		if errors.Is(err, sql.ErrNoRows) {
			return advocacy.Invalid("copy_from", fmt.Sprintf("There is no campaign %q to start from.", nc.CopyFrom))
		}
		if err != nil {
			return err
		}
		from = src.ID
		if sponsor == (advocacy.Sponsor{}) {
			sponsor = src.Sponsor
		}
	}
	why, err := json.Marshal(append([]string{}, nc.Why...))
	if err != nil {
		return err
	}
	var startsOn any
	if nc.Status == advocacy.CampaignActive {
		startsOn = now.Format(advocacy.DateLayout)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (slug, title, summary, ask, why_json, status, starts_on, cwc_campaign_id,
		created_at, updated_at, sponsor_name, sponsor_url, sponsor_email, sponsor_about, paid_for_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nc.Slug, nc.Title, nc.Summary, nc.Ask, string(why), string(nc.Status), startsOn, "whipcount-"+nc.Slug,
		stamp, stamp, sponsor.Name, sponsor.URL, sponsor.Email, sponsor.About, sponsor.PaidForBy)
	if err != nil {
		return fmt.Errorf("insert campaign: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i, nb := range nc.Bills {
		if err := insertBill(ctx, tx, nb); err != nil {
			return err
		}
		if err := addCampaignBill(ctx, tx, id, nb, i, now); err != nil {
			return err
		}
	}
	if from != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO talking_points (campaign_id, audience, position, title, body_md, sources, is_objection)
			SELECT ?, audience, position, title, body_md, sources, is_objection FROM talking_points WHERE campaign_id = ? ORDER BY id`, id, from); err != nil {
			return fmt.Errorf("copy talking points: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO letter_templates (campaign_id, kind, subject, body, updated_at)
			SELECT ?, kind, subject, body, ? FROM letter_templates WHERE campaign_id = ?`, id, orgTime(now), from); err != nil {
			return fmt.Errorf("copy letter templates: %w", err)
		}
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "campaign.create", entity: "campaign", entityID: nc.Slug,
		after: auditCampaign{Slug: nc.Slug, Title: nc.Title, Ask: nc.Ask, Status: string(nc.Status), Sponsor: sponsor,
			Bills: nc.Bills, CopyFrom: nc.CopyFrom}, at: now}); err != nil {
		return err
	}
	return tx.Commit()
}

// readCampaignTx reads a campaign with its bills inside tx.
func readCampaignTx(ctx context.Context, tx *sql.Tx, slug string) (advocacy.Campaign, error) {
	c, err := scanCampaign(tx.QueryRowContext(ctx, campaignBySlugSQL, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, advocacy.NotFound("We could not find that campaign.")
	}
	if err != nil {
		return c, err
	}
	return c, readCampaignBills(ctx, tx, &c)
}

// SetStatus moves a campaign to status to, by advocacy.StatusChange's
// rules checked against the campaign as it is inside the transaction.
// Opening sets the start date when none was set; closing sets the end date
// to today unless it already ended earlier; closing the featured campaign
// stops featuring it.
func (e *CampaignEditor) SetStatus(ctx context.Context, slug string, to advocacy.CampaignStatus, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, _ advocacy.Campaign, now time.Time) error {
		c, err := readCampaignTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := advocacy.StatusChange(c, to, now); err != nil {
			return err
		}
		today := now.Format(advocacy.DateLayout)
		switch to {
		case advocacy.CampaignActive:
			_, err = tx.ExecContext(ctx, `UPDATE campaigns SET status = 'active', starts_on = coalesce(starts_on, ?),
				ends_on = CASE WHEN ends_on < ? THEN NULL ELSE ends_on END WHERE id = ?`, today, today, c.ID)
		case advocacy.CampaignClosed:
			_, err = tx.ExecContext(ctx, `UPDATE campaigns SET status = 'closed',
				ends_on = CASE WHEN ends_on IS NULL OR ends_on > ? THEN ? ELSE ends_on END WHERE id = ?`, today, today, c.ID)
			if err == nil {
				_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ? AND value = ?", featuredKey, slug)
			}
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "campaign.status", entity: "campaign", entityID: slug,
			before: map[string]string{"status": string(c.Status)}, after: map[string]string{"status": string(to)}, at: now})
	})
	if err != nil {
		return fmt.Errorf("set status of campaign %q: %w", slug, err)
	}
	return nil
}

// Featured returns the slug of the campaign the home page features, or ""
// when none is chosen.
func (e *CampaignEditor) Featured(ctx context.Context) (string, error) {
	return readFeatured(ctx, e.db.R)
}

func readFeatured(ctx context.Context, q campaignQueryer) (string, error) {
	return scanFeatured(q.QueryRowContext(ctx, featuredSQL, featuredKey))
}

// scanFeatured reads the featured campaign's slug from featuredSQL's row.
func scanFeatured(row *sql.Row) (string, error) {
	var slug string
	err := row.Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read featured campaign: %w", err)
	}
	return slug, nil
}

// SetFeatured makes the running campaign slug the one the home page
// features, or features none when slug is empty.
func (e *CampaignEditor) SetFeatured(ctx context.Context, slug string, actor int64) error {
	now := e.now().UTC()
	tx, err := e.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("feature campaign %q: %w", slug, err)
	}
	defer tx.Rollback()
	before, err := readFeatured(ctx, tx)
	if err != nil {
		return err
	}
	if slug == "" {
		_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", featuredKey)
	} else {
		var status string
		switch err := tx.QueryRowContext(ctx, "SELECT status FROM campaigns WHERE slug = ?", slug).Scan(&status); {
		case errors.Is(err, sql.ErrNoRows):
			return advocacy.NotFound("We could not find that campaign.")
		case err != nil:
			return fmt.Errorf("feature campaign %q: %w", slug, err)
		case status != string(advocacy.CampaignActive):
			return &advocacy.Error{Code: advocacy.CodeConflict, Message: "Only a running campaign can be featured on the home page."}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, featuredKey, slug, now.Format(time.RFC3339))
	}
	if err != nil {
		return fmt.Errorf("feature campaign %q: %w", slug, err)
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "campaign.feature", entity: "setting", entityID: featuredKey,
		before: before, after: slug, at: now}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("feature campaign %q: %w", slug, err)
	}
	return nil
}

// AddBill adds a bill (checked by advocacy.ValidateNewBill) to a
// campaign, after its current bills.
func (e *CampaignEditor) AddBill(ctx context.Context, slug string, nb advocacy.NewBill, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, _ advocacy.Campaign, now time.Time) error {
		c, err := readCampaignTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := advocacy.CheckAddBill(c, nb); err != nil {
			return err
		}
		if err := insertBill(ctx, tx, nb); err != nil {
			return err
		}
		if err := addCampaignBill(ctx, tx, c.ID, nb, len(c.Bills)+len(c.PastBills), now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "bill.add", entity: "campaign", entityID: slug, after: nb, at: now})
	})
	if err != nil {
		return fmt.Errorf("add bill %s to campaign %q: %w", nb.ID, slug, err)
	}
	return nil
}

// ReplaceBill puts nb (checked by advocacy.CheckReplacement) in the place
// of the campaign's bill oldID, typically the bill reintroduced in a new
// Congress after oldID died with the last: the campaign's asks and
// progress move to nb, with oldID's position and order, while oldID and
// its cosponsors stay as the campaign's history.
func (e *CampaignEditor) ReplaceBill(ctx context.Context, slug, oldID string, nb advocacy.NewBill, actor int64) error {
	err := e.editTx(ctx, slug, func(tx *sql.Tx, _ advocacy.Campaign, now time.Time) error {
		c, err := readCampaignTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		old, ok := c.Bill(oldID)
		if !ok {
			return advocacy.NotFound(fmt.Sprintf("The campaign has no bill %s.", oldID))
		}
		if err := advocacy.CheckReplacement(c, old, nb); err != nil {
			return err
		}
		var order int
		if err := tx.QueryRowContext(ctx, "SELECT sort_order FROM campaign_bills WHERE campaign_id = ? AND bill_id = ?", c.ID, oldID).Scan(&order); err != nil {
			return err
		}
		if err := insertBill(ctx, tx, nb); err != nil {
			return err
		}
		if err := addCampaignBill(ctx, tx, c.ID, nb, order, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaign_bills SET succeeded_by = ? WHERE campaign_id = ? AND bill_id = ?", nb.ID, c.ID, oldID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, auditChange{actor: actor, action: "bill.replace", entity: "bill", entityID: oldID,
			before: map[string]any{"bill": oldID, "target": old.Target}, after: nb, at: now})
	})
	if err != nil {
		return fmt.Errorf("replace bill %s of campaign %q: %w", oldID, slug, err)
	}
	return nil
}

// Campaigns lists every campaign without its bills: running ones first,
// then closed ones, then drafts, each newest first.
func (s *Campaigns) Campaigns(ctx context.Context) ([]advocacy.Campaign, error) {
	if err := s.prepareReads(ctx); err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	rows, err := s.reads.get(publicCampaignsSQL).QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return scanCampaigns(rows)
}

// Featured returns the slug of the featured campaign, or "" for none.
func (s *Campaigns) Featured(ctx context.Context) (string, error) {
	if err := s.prepareReads(ctx); err != nil {
		return "", fmt.Errorf("read featured campaign: %w", err)
	}
	return scanFeatured(s.reads.get(featuredSQL).QueryRowContext(ctx, featuredKey))
}
