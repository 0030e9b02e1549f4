package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Stats answers the organizer dashboard's questions about letters, and
// keeps the daily lookup counts. It only reads letters; each answer comes
// from one short read transaction so its figures agree with each other.
type Stats struct {
	db *DB
}

// NewStats returns the statistics store over db.
func NewStats(db *DB) *Stats { return &Stats{db: db} }

// The dashboard's and the packet's queries. Each reads aggregate rows by
// their key, or (the quotes) a bounded slice of one office's newest letters;
// TestReadPlansUseIndexes proves it with EXPLAIN QUERY PLAN.
const (
	dashTotalsSQL = `SELECT status, n FROM agg_letters WHERE campaign_id = ? AND ref = ?`
	dashPerDaySQL = `SELECT substr(hour, 1, 10), sum(n) FROM agg_letter_hours
		WHERE campaign_id = ? AND ref = ? AND hour >= ? AND hour < ? GROUP BY 1`
	dashDeliveriesSQL = `SELECT chamber, channel, status, n FROM agg_deliveries WHERE campaign_id = ? AND ref = ? AND n <> 0`
	dashDistrictsSQL  = `SELECT state, district, n FROM agg_letter_districts WHERE campaign_id = ? AND ref = ? AND n <> 0`
	dashSourcesSQL    = `SELECT ref, n FROM agg_letters WHERE campaign_id = ? AND ref <> ? AND status = 'active' AND n <> 0`
	dashOfficesSQL    = `SELECT bioguide_id, n, first_at FROM agg_offices WHERE campaign_id = ? AND ref = ? AND n > 0`
	// Letters each office got before the day its member moved the
	// campaign's way (see advocacy.Bill.MovedOn): joined a bill the campaign
	// supports, or withdrew from one it opposes. The days before that day
	// are a bounded range of one office's rows (CROSS JOIN keeps that order
	// whatever the planner thinks).
	dashBeforeJoiningSQL = `SELECT c.bioguide, sum(o.n)
		FROM campaign_bills cb CROSS JOIN cosponsors c ON c.bill_id = cb.bill_id
		CROSS JOIN agg_office_days o ON o.campaign_id = cb.campaign_id AND o.ref = ? AND o.bioguide_id = c.bioguide
			AND o.day < CASE cb.position WHEN 'support' THEN c.joined_on ELSE c.withdrawn_on END
		WHERE cb.campaign_id = ? AND cb.succeeded_by IS NULL
		  AND ((cb.position = 'support' AND c.withdrawn_on IS NULL) OR (cb.position = 'oppose' AND c.withdrawn_on IS NOT NULL))
		GROUP BY 1 HAVING sum(o.n) <> 0`

	packetOfficeSQL = `SELECT n, first_at, last_at FROM agg_offices WHERE campaign_id = ? AND ref = ? AND bioguide_id = ? AND n > 0`
	packetDaysSQL   = `SELECT day, n FROM agg_office_days WHERE campaign_id = ? AND ref = ? AND bioguide_id = ? AND n <> 0`
	packetOrgsSQL   = `SELECT org_key, name, n FROM agg_office_orgs WHERE campaign_id = ? AND bioguide_id = ? AND n > 0`
	packetFactsSQL  = `SELECT org_key, kind, value FROM agg_office_org_facts
		WHERE campaign_id = ? AND bioguide_id = ? AND n > 0 ORDER BY n DESC, value`
	// The office's most recent letters, newest first: a walk down the
	// office's deliveries that stops after packetScan of them.
	packetQuotesSQL = `SELECT l.personal_message, l.first_name, l.last_name, l.city, l.created_at
		FROM (SELECT letter_id FROM deliveries WHERE bioguide_id = ? ORDER BY id DESC LIMIT ?) d
		CROSS JOIN letters l ON l.id = d.letter_id
		WHERE l.campaign_id = ? AND l.status = 'active' AND l.consent_at <> '' AND length(l.personal_message) >= 40
		ORDER BY l.created_at DESC, l.id DESC LIMIT ?`
)

// Dashboard gathers a campaign's figures: totals and breakdowns over every
// active letter, and letters per day and lookups within [from, to) (by the
// hour: from and to are whole days on the dashboard). With ref set, every
// letter figure counts only letters with that source code. It reads only
// aggregates, in one read transaction: its cost does not grow with the
// letters.
func (s *Stats) Dashboard(ctx context.Context, campaignID int64, from, to time.Time, ref string) (advocacy.DashboardStats, error) {
	st, err := s.dashboard(ctx, campaignID, from, to, ref)
	if err != nil {
		return st, fmt.Errorf("dashboard of campaign %d: %w", campaignID, err)
	}
	return st, nil
}

// eachRow runs query in tx and calls scan for every row.
func eachRow(ctx context.Context, tx *sql.Tx, op, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (s *Stats) dashboard(ctx context.Context, campaignID int64, from, to time.Time, ref string) (advocacy.DashboardStats, error) {
	st := advocacy.DashboardStats{
		Ref: ref, PerDay: map[string]int{}, ByChamber: map[string]int{}, ByChannel: map[string]int{},
		ByDeliveryStatus: map[string]int{}, ByState: map[string]int{}, ByRef: map[string]int{},
		ByOffice: map[string]int{}, FirstLetter: map[string]time.Time{}, LettersBeforeJoining: map[string]int{},
	}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	key := []any{campaignID, aggRef(ref)}
	if err := eachRow(ctx, tx, "totals", dashTotalsSQL, key, func(r *sql.Rows) error {
		var status string
		var n int
		err := r.Scan(&status, &n)
		switch advocacy.LetterStatus(status) {
		case advocacy.LetterActive:
			st.Total = n
		case advocacy.LetterHeld:
			st.Held = n
		case advocacy.LetterRejected:
			st.Rejected = n
		}
		return err
	}); err != nil {
		return st, err
	}
	if err := eachRow(ctx, tx, "per day", dashPerDaySQL, append(key, aggHour(from), aggHour(to)), func(r *sql.Rows) error {
		var day string
		var n int
		err := r.Scan(&day, &n)
		if n != 0 {
			st.PerDay[day] = n
			st.InWindow += n
		}
		return err
	}); err != nil {
		return st, err
	}
	if err := eachRow(ctx, tx, "deliveries", dashDeliveriesSQL,
		key, func(r *sql.Rows) error {
			var chamber, channel, status string
			var n int
			err := r.Scan(&chamber, &channel, &status, &n)
			st.ByChamber[chamber] += n
			st.ByChannel[channel] += n
			st.ByDeliveryStatus[status] += n
			return err
		}); err != nil {
		return st, err
	}
	if err := eachRow(ctx, tx, "by district", dashDistrictsSQL,
		key, func(r *sql.Rows) error {
			var dc advocacy.DistrictCount
			err := r.Scan(&dc.District.State, &dc.District.Number, &dc.Letters)
			st.ByState[dc.District.State] += dc.Letters
			st.ByDistrict = append(st.ByDistrict, dc)
			return err
		}); err != nil {
		return st, err
	}
	if ref != "" {
		st.ByRef[ref] = st.Total
	} else {
		// Letters without a source code are those of every letter that no
		// partner's rows hold.
		direct := st.Total
		if err := eachRow(ctx, tx, "by source", dashSourcesSQL, key, func(r *sql.Rows) error {
			var code string
			var n int
			err := r.Scan(&code, &n)
			st.ByRef[code] = n
			direct -= n
			return err
		}); err != nil {
			return st, err
		}
		if direct != 0 {
			st.ByRef[""] = direct
		}
	}
	if err := eachRow(ctx, tx, "by office", dashOfficesSQL,
		key, func(r *sql.Rows) error {
			var id, first string
			var n int
			if err := r.Scan(&id, &n, &first); err != nil {
				return err
			}
			t, err := orgParseTime(first)
			st.ByOffice[id], st.FirstLetter[id] = n, t
			return err
		}); err != nil {
		return st, err
	}
	if err := eachRow(ctx, tx, "before joining", dashBeforeJoiningSQL, []any{aggRef(ref), campaignID}, func(r *sql.Rows) error {
		var id string
		var n int
		err := r.Scan(&id, &n)
		st.LettersBeforeJoining[id] = n
		return err
	}); err != nil {
		return st, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM lookup_counts WHERE day >= ? AND day < ?",
		from.UTC().Format(advocacy.DateLayout), to.UTC().Format(advocacy.DateLayout)).Scan(&st.Lookups); err != nil {
		return st, fmt.Errorf("lookups: %w", err)
	}
	return st, nil
}

// AddLookups adds a batch of lookup counts in one write transaction.
func (s *Stats) AddLookups(ctx context.Context, counts map[advocacy.LookupKey]int) error {
	if len(counts) == 0 {
		return nil
	}
	err := func() error {
		tx, err := s.db.W.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO lookup_counts (day, kind, n) VALUES (?, ?, ?)
			ON CONFLICT (day, kind) DO UPDATE SET n = n + excluded.n`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for k, n := range counts {
			if n <= 0 {
				continue
			}
			if _, err := stmt.ExecContext(ctx, k.Day, k.Kind, n); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	if err != nil {
		return fmt.Errorf("add lookup counts: %w", err)
	}
	return nil
}

// OfficePacket gathers the letters a campaign sent one member's office:
// counts per week, the organisations their writers named, and up to quotes
// personal paragraphs (newest first, long enough to quote) from
// constituents who gave consent. Only active letters count.
func (s *Stats) OfficePacket(ctx context.Context, campaignID int64, bioguide string, quotes int) (advocacy.OfficePacket, error) {
	p, err := s.officePacket(ctx, campaignID, bioguide, quotes)
	if err != nil {
		return p, fmt.Errorf("office packet of %s: %w", bioguide, err)
	}
	return p, nil
}

// packetScan bounds how many of an office's most recent letters the packet
// looks through for quotable paragraphs.
const packetScan = 500

func (s *Stats) officePacket(ctx context.Context, campaignID int64, bioguide string, quotes int) (advocacy.OfficePacket, error) {
	p := advocacy.OfficePacket{BioguideID: bioguide, PerWeek: map[string]int{}}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return p, err
	}
	defer tx.Rollback()
	key := []any{campaignID, allRefs, bioguide}
	var first, last sql.NullString
	err = tx.QueryRowContext(ctx, packetOfficeSQL, key...).
		Scan(&p.Letters, &first, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("totals: %w", err)
	}
	if p.FirstLetter, err = orgParseNullTime(first); err != nil {
		return p, err
	}
	if p.LastLetter, err = orgParseNullTime(last); err != nil {
		return p, err
	}

	if err := eachRow(ctx, tx, "per day", packetDaysSQL, key, func(r *sql.Rows) error {
		var day string
		var n int
		if err := r.Scan(&day, &n); err != nil {
			return err
		}
		t, err := time.Parse(advocacy.DateLayout, day)
		p.PerWeek[advocacy.WeekStart(t).Format(advocacy.DateLayout)] += n
		return err
	}); err != nil {
		return p, err
	}

	// Organisations as typed, grouped without regard to case, with up to
	// five job titles and towns each, the most frequent first.
	orgs := map[string]*advocacy.OrgCount{}
	if err := eachRow(ctx, tx, "organisations", packetOrgsSQL, []any{campaignID, bioguide}, func(r *sql.Rows) error {
		var k string
		o := &advocacy.OrgCount{}
		err := r.Scan(&k, &o.Name, &o.Letters)
		orgs[k] = o
		return err
	}); err != nil {
		return p, err
	}
	if err := eachRow(ctx, tx, "organisation details", packetFactsSQL, []any{campaignID, bioguide}, func(r *sql.Rows) error {
		var k, kind, value string
		if err := r.Scan(&k, &kind, &value); err != nil {
			return err
		}
		o, ok := orgs[k]
		switch {
		case !ok:
		case kind == "title" && len(o.Titles) < 5:
			o.Titles = append(o.Titles, value)
		case kind == "city" && len(o.Cities) < 5:
			o.Cities = append(o.Cities, value)
		}
		return nil
	}); err != nil {
		return p, err
	}
	for _, o := range orgs {
		p.Organizations = append(p.Organizations, *o)
	}
	sort.Slice(p.Organizations, func(i, j int) bool {
		a, b := p.Organizations[i], p.Organizations[j]
		if a.Letters != b.Letters {
			return a.Letters > b.Letters
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})

	if quotes > 0 {
		// Keep the paragraphs long enough to quote.
		rows, err := tx.QueryContext(ctx, packetQuotesSQL, bioguide, packetScan, campaignID, quotes*20)
		if err != nil {
			return p, fmt.Errorf("quotes: %w", err)
		}
		defer rows.Close()
		for rows.Next() && len(p.Quotes) < quotes {
			var q advocacy.Quote
			var firstName, lastName, created string
			if err := rows.Scan(&q.Text, &firstName, &lastName, &q.City, &created); err != nil {
				return p, fmt.Errorf("quotes: %w", err)
			}
			if !advocacy.Quotable(q.Text) {
				continue
			}
			if q.Date, err = orgParseTime(created); err != nil {
				return p, fmt.Errorf("quotes: %w", err)
			}
			q.Initials = advocacy.QuoteInitials(firstName, lastName)
			p.Quotes = append(p.Quotes, q)
		}
		if err := rows.Err(); err != nil {
			return p, fmt.Errorf("quotes: %w", err)
		}
	}
	return p, nil
}

// CampaignID returns the ID of the campaign with slug; an unknown slug is
// an *advocacy.Error with CodeNotFound.
func (s *Stats) CampaignID(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE slug = ?", slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, advocacy.NotFound("We could not find that campaign.")
	}
	if err != nil {
		return 0, fmt.Errorf("find campaign %q: %w", slug, err)
	}
	return id, nil
}
