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

// refFilter narrows a query on letters l to one source code when ref is set.
func refFilter(ref string) (string, []any) {
	if ref == "" {
		return "", nil
	}
	return " AND l.ref = ?", []any{ref}
}

// Dashboard gathers a campaign's figures: totals and breakdowns over every
// active letter, and letters per day and lookups within [from, to). With ref
// set, every letter figure counts only letters with that source code.
func (s *Stats) Dashboard(ctx context.Context, campaignID int64, from, to time.Time, ref string) (advocacy.DashboardStats, error) {
	st, err := s.dashboard(ctx, campaignID, from, to, ref)
	if err != nil {
		return st, fmt.Errorf("dashboard of campaign %d: %w", campaignID, err)
	}
	return st, nil
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
	rf, rargs := refFilter(ref)
	args := func(head ...any) []any { return append(head, rargs...) }
	fromTS, toTS := letterTime(from), letterTime(to)

	if err := tx.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE l.status = 'active'),
			count(*) FILTER (WHERE l.status = 'active' AND l.created_at >= ? AND l.created_at < ?),
			count(*) FILTER (WHERE l.status = 'held'),
			count(*) FILTER (WHERE l.status = 'rejected')
		FROM letters l WHERE l.campaign_id = ?`+rf, args(fromTS, toTS, campaignID)...).
		Scan(&st.Total, &st.InWindow, &st.Held, &st.Rejected); err != nil {
		return st, fmt.Errorf("totals: %w", err)
	}

	each := func(op, query string, qargs []any, scan func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, query, qargs...)
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
	const active = ` l.campaign_id = ? AND l.status = 'active'`

	if err := each("per day", `SELECT substr(l.created_at, 1, 10), count(*) FROM letters l
		WHERE`+active+` AND l.created_at >= ? AND l.created_at < ?`+rf+` GROUP BY 1`,
		args(campaignID, fromTS, toTS), func(r *sql.Rows) error {
			var day string
			var n int
			err := r.Scan(&day, &n)
			st.PerDay[day] = n
			return err
		}); err != nil {
		return st, err
	}
	if err := each("deliveries", `SELECT d.chamber, d.channel, d.status, count(*)
		FROM deliveries d JOIN letters l ON l.id = d.letter_id
		WHERE`+active+rf+` GROUP BY 1, 2, 3`, args(campaignID), func(r *sql.Rows) error {
		var chamber, channel, status string
		var n int
		err := r.Scan(&chamber, &channel, &status, &n)
		st.ByChamber[chamber] += n
		st.ByChannel[channel] += n
		st.ByDeliveryStatus[advocacy.DeliveryStateKey(advocacy.Channel(channel), advocacy.DeliveryStatus(status))] += n
		return err
	}); err != nil {
		return st, err
	}
	if err := each("by district", `SELECT l.state, l.district, count(*) FROM letters l
		WHERE`+active+rf+` GROUP BY 1, 2`, args(campaignID), func(r *sql.Rows) error {
		var dc advocacy.DistrictCount
		err := r.Scan(&dc.District.State, &dc.District.Number, &dc.Letters)
		st.ByState[dc.District.State] += dc.Letters
		st.ByDistrict = append(st.ByDistrict, dc)
		return err
	}); err != nil {
		return st, err
	}
	if err := each("by source", `SELECT coalesce(l.ref, ''), count(*) FROM letters l
		WHERE`+active+rf+` GROUP BY 1`, args(campaignID), func(r *sql.Rows) error {
		var code string
		var n int
		err := r.Scan(&code, &n)
		st.ByRef[code] = n
		return err
	}); err != nil {
		return st, err
	}
	if err := each("by office", `SELECT d.bioguide_id, count(*), min(l.created_at)
		FROM deliveries d JOIN letters l ON l.id = d.letter_id
		WHERE`+active+rf+` GROUP BY 1`, args(campaignID), func(r *sql.Rows) error {
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
	// Letters each office got before the day its member moved the
	// campaign's way (see advocacy.Bill.MovedOn): joined a bill the campaign
	// supports, or withdrew from one it opposes. created_at sorts before a
	// bare date only on earlier days.
	if err := each("before joining", `SELECT c.bioguide, count(*)
		FROM cosponsors c JOIN campaign_bills cb ON cb.bill_id = c.bill_id
		JOIN deliveries d ON d.bioguide_id = c.bioguide
		JOIN letters l ON l.id = d.letter_id
		WHERE cb.campaign_id = ? AND cb.succeeded_by IS NULL
		  AND ((cb.position = 'support' AND c.withdrawn_on IS NULL AND l.created_at < c.joined_on)
		    OR (cb.position = 'oppose' AND c.withdrawn_on IS NOT NULL AND l.created_at < c.withdrawn_on)) AND`+active+rf+`
		GROUP BY 1`, args(campaignID, campaignID), func(r *sql.Rows) error {
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

func (s *Stats) officePacket(ctx context.Context, campaignID int64, bioguide string, quotes int) (advocacy.OfficePacket, error) {
	p := advocacy.OfficePacket{BioguideID: bioguide, PerWeek: map[string]int{}}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return p, err
	}
	defer tx.Rollback()
	const mine = ` FROM deliveries d JOIN letters l ON l.id = d.letter_id
		WHERE d.bioguide_id = ? AND l.campaign_id = ? AND l.status = 'active'`

	var first, last sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT count(*), min(l.created_at), max(l.created_at)"+mine, bioguide, campaignID).
		Scan(&p.Letters, &first, &last); err != nil {
		return p, fmt.Errorf("totals: %w", err)
	}
	if p.FirstLetter, err = orgParseNullTime(first); err != nil {
		return p, err
	}
	if p.LastLetter, err = orgParseNullTime(last); err != nil {
		return p, err
	}

	rows, err := tx.QueryContext(ctx, "SELECT substr(l.created_at, 1, 10), count(*)"+mine+" GROUP BY 1", bioguide, campaignID)
	if err != nil {
		return p, fmt.Errorf("per day: %w", err)
	}
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			rows.Close()
			return p, fmt.Errorf("per day: %w", err)
		}
		t, err := time.Parse(advocacy.DateLayout, day)
		if err != nil {
			rows.Close()
			return p, fmt.Errorf("per day: %w", err)
		}
		p.PerWeek[advocacy.WeekStart(t).Format(advocacy.DateLayout)] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("per day: %w", err)
	}

	// Organisations as typed, grouped without regard to case and spacing.
	rows, err = tx.QueryContext(ctx, `SELECT l.organization, l.title, l.city`+mine+` AND l.organization <> ''
		ORDER BY l.id`, bioguide, campaignID)
	if err != nil {
		return p, fmt.Errorf("organisations: %w", err)
	}
	orgs := map[string]*advocacy.OrgCount{}
	for rows.Next() {
		var name, title, city string
		if err := rows.Scan(&name, &title, &city); err != nil {
			rows.Close()
			return p, fmt.Errorf("organisations: %w", err)
		}
		key := strings.ToLower(strings.Join(strings.Fields(name), " "))
		o, ok := orgs[key]
		if !ok {
			o = &advocacy.OrgCount{Name: name}
			orgs[key] = o
		}
		o.Letters++
		if title != "" && !containsFold(o.Titles, title) && len(o.Titles) < 5 {
			o.Titles = append(o.Titles, title)
		}
		if city != "" && !containsFold(o.Cities, city) && len(o.Cities) < 5 {
			o.Cities = append(o.Cities, city)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("organisations: %w", err)
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
		// Scan newest first and keep the paragraphs long enough to quote;
		// the limit bounds the scan on a very busy office.
		rows, err = tx.QueryContext(ctx, `SELECT l.personal_message, l.first_name, l.last_name, l.city, l.created_at`+mine+`
			AND l.consent_at <> '' AND length(l.personal_message) >= 40
			ORDER BY l.created_at DESC, l.id DESC LIMIT ?`, bioguide, campaignID, quotes*20)
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

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
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
