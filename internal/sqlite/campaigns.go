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

// Campaigns stores campaigns with their bills, cosponsors and talking points.
type Campaigns struct {
	db *DB
	// reads are the queries the public pages make on every visit that is
	// not answered from a cache, prepared once on the reader handle.
	reads stmtCache
}

// NewCampaigns returns the campaign store over db.
func NewCampaigns(db *DB) *Campaigns { return &Campaigns{db: db} }

// campaignTimeLayout is how timestamps are stored: UTC, to the second, so
// that text order is time order.
const campaignTimeLayout = "2006-01-02T15:04:05Z"

func campaignTime(t time.Time) string { return t.UTC().Format(campaignTimeLayout) }

func parseCampaignTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

func campaignParseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseCampaignTime(s.String)
}

// campaignNullDate stores a calendar date, or NULL for the zero time.
func campaignNullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(advocacy.DateLayout)
}

func campaignParseDate(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(advocacy.DateLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s.String, err)
	}
	return t, nil
}

func campaignBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// campaignQueryer is what reads need: a *sql.DB or a *sql.Tx.
type campaignQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const campaignColumns = `id, slug, title, summary, ask, why_json, status, starts_on, ends_on,
	cwc_campaign_id, created_at, updated_at, sponsor_name, sponsor_url, sponsor_email, sponsor_about, paid_for_by`

// The campaign reads' queries.
const (
	campaignBySlugSQL = "SELECT " + campaignColumns + " FROM campaigns WHERE slug = ?"
	campaignByIDSQL   = "SELECT " + campaignColumns + " FROM campaigns WHERE id = ?"
	campaignBillsSQL  = "SELECT " + billColumns + billFrom + " WHERE cb.campaign_id = ? ORDER BY cb.sort_order, b.congress, b.id"
	cosponsorsSQL     = `SELECT bioguide, joined_on, original, withdrawn_on
		FROM cosponsors WHERE bill_id = ? ORDER BY joined_on, bioguide`
	// publicCampaignsSQL lists campaigns running first, then closed ones,
	// then drafts, each newest first.
	publicCampaignsSQL = "SELECT " + campaignColumns + ` FROM campaigns
		ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'closed' THEN 1 ELSE 2 END, created_at DESC, id DESC`
	featuredSQL = "SELECT value FROM settings WHERE key = ?"
)

// prepareReads makes sure the reads' statements are prepared.
func (s *Campaigns) prepareReads(ctx context.Context) error {
	return s.reads.prepare(ctx, s.db.R, campaignBySlugSQL, campaignByIDSQL, campaignBillsSQL, cosponsorsSQL,
		publicCampaignsSQL, featuredSQL)
}

// Campaign returns the campaign with slug, its bills in order and every
// cosponsor on record, read in one transaction so the parts agree.
func (s *Campaigns) Campaign(ctx context.Context, slug string) (advocacy.Campaign, error) {
	c, err := s.readCampaign(ctx, campaignBySlugSQL, slug)
	if err != nil {
		return advocacy.Campaign{}, fmt.Errorf("find campaign %q: %w", slug, err)
	}
	return c, nil
}

// CampaignByID returns the campaign with id, like Campaign.
func (s *Campaigns) CampaignByID(ctx context.Context, id int64) (advocacy.Campaign, error) {
	c, err := s.readCampaign(ctx, campaignByIDSQL, id)
	if err != nil {
		return advocacy.Campaign{}, fmt.Errorf("find campaign %d: %w", id, err)
	}
	return c, nil
}

// CampaignsOfBill lists, without their bills, the campaigns that ask (or
// asked) about a bill: running ones first, then closed, then drafts, each
// oldest first. A bill no campaign has is an *advocacy.Error with
// CodeNotFound.
func (s *Campaigns) CampaignsOfBill(ctx context.Context, billID string) ([]advocacy.Campaign, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+campaignColumns+` FROM campaigns
		WHERE id IN (SELECT campaign_id FROM campaign_bills WHERE bill_id = ?)
		ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'closed' THEN 1 ELSE 2 END, created_at, id`, billID)
	if err != nil {
		return nil, fmt.Errorf("find campaigns of bill %q: %w", billID, err)
	}
	defer rows.Close()
	var out []advocacy.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("find campaigns of bill %q: %w", billID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find campaigns of bill %q: %w", billID, err)
	}
	if len(out) == 0 {
		return nil, advocacy.NotFound("We could not find that bill.")
	}
	return out, nil
}

// readCampaign reads the campaign that query (campaignBySlugSQL or
// campaignByIDSQL) finds with arg.
func (s *Campaigns) readCampaign(ctx context.Context, query string, arg any) (advocacy.Campaign, error) {
	if err := s.prepareReads(ctx); err != nil {
		return advocacy.Campaign{}, err
	}
	rawTx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return advocacy.Campaign{}, err
	}
	defer rawTx.Rollback()
	tx := s.reads.bind(rawTx)
	c, err := scanCampaign(tx.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Campaign{}, advocacy.NotFound("We could not find that campaign.")
	}
	if err != nil {
		return advocacy.Campaign{}, err
	}
	if err := readCampaignBills(ctx, tx, &c); err != nil {
		return advocacy.Campaign{}, err
	}
	return c, nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanCampaign reads campaignColumns from one row.
func scanCampaign(row rowScanner) (advocacy.Campaign, error) {
	var (
		c                    advocacy.Campaign
		why, status          string
		starts, ends         sql.NullString
		created, updated     string
		startsErr, endsErr   error
		createdErr, updError error
	)
	if err := row.Scan(&c.ID, &c.Slug, &c.Title, &c.Summary, &c.Ask, &why, &status, &starts, &ends,
		&c.CWCCampaignID, &created, &updated, &c.Sponsor.Name, &c.Sponsor.URL, &c.Sponsor.Email,
		&c.Sponsor.About, &c.Sponsor.PaidForBy); err != nil {
		return advocacy.Campaign{}, err
	}
	c.Status = advocacy.CampaignStatus(status)
	if err := json.Unmarshal([]byte(why), &c.Why); err != nil {
		return advocacy.Campaign{}, fmt.Errorf("decode why points: %w", err)
	}
	c.StartsOn, startsErr = campaignParseDate(starts)
	c.EndsOn, endsErr = campaignParseDate(ends)
	c.CreatedAt, createdErr = parseCampaignTime(created)
	c.UpdatedAt, updError = parseCampaignTime(updated)
	if err := errors.Join(startsErr, endsErr, createdErr, updError); err != nil {
		return advocacy.Campaign{}, err
	}
	return c, nil
}

// billColumns are a bill's own columns (alias b) and what its campaign
// wants of it (alias cb, from campaign_bills).
const billColumns = `b.id, cb.campaign_id, b.chamber, b.congress, b.bill_type, b.number, b.title, b.sponsor_bioguide,
	b.introduced_on, b.committees, b.status, cb.position, cb.goal, cb.target, coalesce(cb.succeeded_by, ''),
	coalesce((SELECT p.bill_id FROM campaign_bills p WHERE p.campaign_id = cb.campaign_id AND p.succeeded_by = b.id), ''),
	b.cosponsors_as_of`

// billFrom joins a bill to its campaign's row; add a WHERE on b and cb.
const billFrom = " FROM campaign_bills cb JOIN bills b ON b.id = cb.bill_id"

func scanCampaignBill(sc interface{ Scan(...any) error }) (advocacy.Bill, error) {
	var (
		b                 advocacy.Bill
		chamber           string
		position, goal    string
		introduced, asOf  sql.NullString
		introErr, asOfErr error
	)
	if err := sc.Scan(&b.ID, &b.CampaignID, &chamber, &b.Congress, &b.Type, &b.Number, &b.Title, &b.SponsorID,
		&introduced, &b.Committees, &b.Status, &position, &goal, &b.Target, &b.SucceededBy, &b.Succeeds, &asOf); err != nil {
		return advocacy.Bill{}, err
	}
	b.Chamber = advocacy.Chamber(chamber)
	b.Position, b.Goal = advocacy.Position(position), advocacy.Goal(goal)
	b.IntroducedOn, introErr = campaignParseDate(introduced)
	b.CosponsorsAsOf, asOfErr = campaignParseNullTime(asOf)
	return b, errors.Join(introErr, asOfErr)
}

// readCampaignBills reads a campaign's bills with their cosponsors into c:
// the current ones into Bills, those a reintroduction replaced into
// PastBills.
func readCampaignBills(ctx context.Context, q campaignQueryer, c *advocacy.Campaign) error {
	rows, err := q.QueryContext(ctx, campaignBillsSQL, c.ID)
	if err != nil {
		return fmt.Errorf("read bills: %w", err)
	}
	var bills []advocacy.Bill
	for rows.Next() {
		b, err := scanCampaignBill(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read bills: %w", err)
		}
		bills = append(bills, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read bills: %w", err)
	}
	c.Bills, c.PastBills = nil, nil
	for i := range bills {
		if bills[i].Cosponsors, err = readBillCosponsors(ctx, q, bills[i].ID); err != nil {
			return err
		}
		if bills[i].SucceededBy != "" {
			c.PastBills = append(c.PastBills, bills[i])
		} else {
			c.Bills = append(c.Bills, bills[i])
		}
	}
	return nil
}

// readBillCosponsors reads a bill's cosponsors in the order they joined.
func readBillCosponsors(ctx context.Context, q campaignQueryer, billID string) ([]advocacy.Cosponsor, error) {
	rows, err := q.QueryContext(ctx, cosponsorsSQL, billID)
	if err != nil {
		return nil, fmt.Errorf("read cosponsors of %s: %w", billID, err)
	}
	defer rows.Close()
	var out []advocacy.Cosponsor
	for rows.Next() {
		var (
			c         advocacy.Cosponsor
			joined    string
			original  int
			withdrawn sql.NullString
		)
		if err := rows.Scan(&c.BioguideID, &joined, &original, &withdrawn); err != nil {
			return nil, fmt.Errorf("read cosponsors of %s: %w", billID, err)
		}
		var jerr, werr error
		c.JoinedOn, jerr = campaignParseDate(sql.NullString{String: joined, Valid: true})
		c.WithdrawnOn, werr = campaignParseDate(withdrawn)
		if err := errors.Join(jerr, werr); err != nil {
			return nil, fmt.Errorf("read cosponsors of %s: %w", billID, err)
		}
		c.Original = original == 1
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cosponsors of %s: %w", billID, err)
	}
	return out, nil
}

// TalkingPoints returns a campaign's talking points by audience order, then
// position.
func (s *Campaigns) TalkingPoints(ctx context.Context, campaignID int64) ([]advocacy.TalkingPoint, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, campaign_id, audience, position, title, body_md, sources, is_objection
		FROM talking_points WHERE campaign_id = ?
		ORDER BY CASE audience WHEN 'constituents' THEN 0 WHEN 'business' THEN 1 ELSE 2 END, position, id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("list talking points of campaign %d: %w", campaignID, err)
	}
	defer rows.Close()
	var out []advocacy.TalkingPoint
	for rows.Next() {
		var (
			tp        advocacy.TalkingPoint
			audience  string
			sources   string
			objection int
		)
		if err := rows.Scan(&tp.ID, &tp.CampaignID, &audience, &tp.Position, &tp.Title, &tp.BodyMD, &sources, &objection); err != nil {
			return nil, fmt.Errorf("list talking points of campaign %d: %w", campaignID, err)
		}
		tp.Audience = advocacy.Audience(audience)
		tp.Objection = objection == 1
		if err := json.Unmarshal([]byte(sources), &tp.Sources); err != nil {
			return nil, fmt.Errorf("decode sources of talking point %d: %w", tp.ID, err)
		}
		out = append(out, tp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list talking points of campaign %d: %w", campaignID, err)
	}
	return out, nil
}

// ImportCosponsors makes the stored cosponsors of bill billID in campaign
// slug match a complete list from Congress.gov, in one transaction: members
// new to the list are added, corrected dates and flags are updated,
// withdrawals recorded, and members no longer listed removed. The list is
// first checked with advocacy.CheckCosponsors (chamberOf gives a known
// member's chamber); on any error nothing changes. The bill's "as of" time
// becomes asOf, even when no row changed: the list was confirmed then.
func (s *Campaigns) ImportCosponsors(ctx context.Context, slug, billID string, f advocacy.CosponsorFile,
	chamberOf func(bioguide string) (advocacy.Chamber, bool), asOf time.Time) (advocacy.ImportResult, error) {
	res, err := s.importCosponsors(ctx, slug, billID, f, chamberOf, asOf)
	if err != nil {
		return advocacy.ImportResult{}, fmt.Errorf("import cosponsors of %s: %w", billID, err)
	}
	return res, nil
}

func (s *Campaigns) importCosponsors(ctx context.Context, slug, billID string, f advocacy.CosponsorFile,
	chamberOf func(string) (advocacy.Chamber, bool), asOf time.Time) (advocacy.ImportResult, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.ImportResult{}, err
	}
	defer tx.Rollback()
	res, err := importCosponsorsTx(ctx, tx, slug, billID, f, chamberOf, asOf)
	if err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// importCosponsorsTx is the import inside tx: the bill must be one of the
// campaign's, the list passes the same checks, and every campaign that
// shows the bill is touched.
func importCosponsorsTx(ctx context.Context, tx *sql.Tx, slug, billID string, f advocacy.CosponsorFile,
	chamberOf func(string) (advocacy.Chamber, bool), asOf time.Time) (advocacy.ImportResult, error) {
	res := advocacy.ImportResult{Bill: billID, InFile: len(f.Cosponsors), AsOf: asOf.UTC()}
	var campaignID int64
	var known int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM bills WHERE id = ?", billID).Scan(&known); err != nil {
		return res, err
	} else if known == 0 {
		return res, advocacy.NotFound(fmt.Sprintf("There is no bill %s.", billID))
	}
	if err := tx.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE slug = ?", slug).Scan(&campaignID); errors.Is(err, sql.ErrNoRows) {
		return res, advocacy.NotFound(fmt.Sprintf("There is no campaign %q.", slug))
	} else if err != nil {
		return res, err
	}
	b, err := campaignBill(ctx, tx, campaignID, billID)
	if advocacy.ErrorCode(err) == advocacy.CodeNotFound {
		return res, advocacy.NotFound(fmt.Sprintf("Bill %s is not part of campaign %q.", billID, slug))
	}
	if err != nil {
		return res, err
	}
	if _, err := applyCosponsorFile(ctx, tx, b, f, chamberOf, asOf, &res); err != nil {
		return res, err
	}
	stamp := campaignTime(asOf)

	// Every campaign that shows the bill shows its new cosponsors.
	if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET updated_at = max(updated_at, ?)
		WHERE id IN (SELECT campaign_id FROM campaign_bills WHERE bill_id = ?)`, stamp, billID); err != nil {
		return res, fmt.Errorf("touch campaigns: %w", err)
	}
	return res, nil
}

// applyCosponsorFile makes a bill's cosponsors in tx exactly the file's
// list, counting what changed in res, and records the file's as-of time. It
// returns the list as it was before, for the audit log.
func applyCosponsorFile(ctx context.Context, tx *sql.Tx, b advocacy.Bill, f advocacy.CosponsorFile,
	chamberOf func(string) (advocacy.Chamber, bool), asOf time.Time, res *advocacy.ImportResult) ([]advocacy.Cosponsor, error) {
	billID := b.ID
	if err := advocacy.CheckCosponsors(b, f, chamberOf); err != nil {
		return nil, err
	}
	existing, err := readBillCosponsors(ctx, tx, billID)
	if err != nil {
		return nil, err
	}
	have := make(map[string]advocacy.Cosponsor, len(existing))
	for _, c := range existing {
		have[c.BioguideID] = c
	}
	for _, c := range f.Cosponsors {
		old, ok := have[c.BioguideID]
		delete(have, c.BioguideID)
		switch {
		case !ok:
			res.Added++
		case old.JoinedOn.Equal(c.JoinedOn) && old.Original == c.Original && old.WithdrawnOn.Equal(c.WithdrawnOn):
			res.Unchanged++
			continue
		case old.Active() && !c.Active():
			res.Withdrawn++
		default:
			res.Changed++
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cosponsors (bill_id, bioguide, joined_on, original, withdrawn_on)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (bill_id, bioguide) DO UPDATE SET joined_on = excluded.joined_on,
			original = excluded.original, withdrawn_on = excluded.withdrawn_on`,
			billID, c.BioguideID, campaignNullDate(c.JoinedOn), campaignBool(c.Original), campaignNullDate(c.WithdrawnOn)); err != nil {
			return nil, fmt.Errorf("store %s: %w", c.BioguideID, err)
		}
	}
	for id := range have {
		if _, err := tx.ExecContext(ctx, "DELETE FROM cosponsors WHERE bill_id = ? AND bioguide = ?", billID, id); err != nil {
			return nil, fmt.Errorf("remove %s: %w", id, err)
		}
		res.Removed++
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bills SET cosponsors_as_of = ? WHERE id = ?", campaignTime(asOf), billID); err != nil {
		return nil, fmt.Errorf("record as-of time: %w", err)
	}
	return existing, nil
}
