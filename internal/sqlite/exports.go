package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Exports reads letters for CSV exports in pages: each page is one short
// read transaction picking up after the last key of the one before (keyset
// pagination), and is handed to the caller before the next is read. Memory
// stays bounded by one page however many letters there are, and no read
// transaction stays open while the client is slow to take the bytes, so
// the WAL can be checkpointed while an export runs.
type Exports struct {
	db       *DB
	pageSize int
}

// DefaultExportPage is how many rows one page holds.
const DefaultExportPage = 1000

// NewExports returns the export reader over db; pageSize <= 0 means
// DefaultExportPage.
func NewExports(db *DB, pageSize int) *Exports {
	if pageSize <= 0 {
		pageSize = DefaultExportPage
	}
	return &Exports{db: db, pageSize: pageSize}
}

// exportWhere builds the filter on letters l and deliveries d.
func exportWhere(campaignID int64, f advocacy.ExportFilter) (string, []any) {
	var b strings.Builder
	args := []any{campaignID}
	b.WriteString(" l.campaign_id = ?")
	add := func(cond string, v any) {
		b.WriteString(" AND " + cond)
		args = append(args, v)
	}
	if !f.From.IsZero() {
		add("l.created_at >= ?", letterTime(f.From))
	}
	if !f.To.IsZero() {
		add("l.created_at < ?", letterTime(f.To))
	}
	if f.State != "" {
		add("l.state = ?", f.State)
	}
	if f.District >= 0 {
		add("l.district = ?", f.District)
	}
	if f.LetterStatus != "" {
		add("l.status = ?", string(f.LetterStatus))
	}
	if f.DeliveryStatus != "" {
		add("d.status = ?", string(f.DeliveryStatus))
	}
	if f.Ref != "" {
		add("l.ref = ?", f.Ref)
	}
	return b.String(), args
}

// Letters calls page with successive pages of the campaign's deliveries
// that match f, each with its letter (without Deliveries), in delivery
// order. The slice is reused for the next page: page must not keep it. An
// error from page stops the export and is returned as it is.
func (x *Exports) Letters(ctx context.Context, campaignID int64, f advocacy.ExportFilter, page func([]advocacy.ExportRow) error) error {
	where, args := exportWhere(campaignID, f)
	query := exportLettersQuery(where)
	var after int64
	buf := make([]advocacy.ExportRow, 0, x.pageSize)
	for {
		rows, err := readPage(x, ctx, query, append(append([]any{after}, args...), x.pageSize), buf[:0], scanExportRow)
		if err != nil {
			return fmt.Errorf("export letters: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		after = rows[len(rows)-1].Delivery.ID
		if err := page(rows); err != nil {
			return err
		}
		if len(rows) < x.pageSize {
			return nil
		}
		buf = rows
	}
}

// exportLettersQuery is one page of the letters export.
//
// CROSS JOIN fixes the join order in SQLite: walk deliveries by primary key
// from the last one sent and look each letter up. Left to itself the planner
// starts from the campaign's letters and sorts, which reads the whole
// campaign again for every page.
func exportLettersQuery(where string) string {
	return "SELECT " + letterColumns + ", " + deliveryColumns + ` FROM deliveries d CROSS JOIN letters l ON l.id = d.letter_id
		WHERE d.id > ? AND` + where + ` ORDER BY d.id LIMIT ?`
}

func scanExportRow(rows *sql.Rows) (advocacy.ExportRow, error) {
	var lr letterRow
	var dr deliveryRow
	if err := rows.Scan(append(lr.dest(), dr.dest()...)...); err != nil {
		return advocacy.ExportRow{}, err
	}
	l, err := lr.finish()
	if err != nil {
		return advocacy.ExportRow{}, err
	}
	d, err := dr.finish()
	if err != nil {
		return advocacy.ExportRow{}, err
	}
	return advocacy.ExportRow{Letter: l, Delivery: d}, nil
}

// readPage runs one page query in its own read transaction and collects
// its rows into buf.
func readPage[T any](x *Exports, ctx context.Context, query string, args []any, buf []T, scan func(*sql.Rows) (T, error)) ([]T, error) {
	tx, err := x.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		buf = append(buf, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return buf, nil
}

// Contacts calls page with successive pages of the constituents who asked
// the campaign for its news (the campaign opt-in on an active letter, not
// the offices' newsletter), one per
// email address (lower-cased) with the name and place of their latest
// letter, by address. Like Letters, page must not keep the slice.
func (x *Exports) Contacts(ctx context.Context, campaignID int64, page func([]advocacy.Contact) error) error {

	after := ""
	buf := make([]advocacy.Contact, 0, x.pageSize)
	for {
		rows, err := readPage(x, ctx, exportContactsQuery, []any{after, campaignID, x.pageSize}, buf[:0], scanContact)
		if err != nil {
			return fmt.Errorf("export contacts: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		after = rows[len(rows)-1].Email
		if err := page(rows); err != nil {
			return err
		}
		if len(rows) < x.pageSize {
			return nil
		}
		buf = rows
	}
}

// exportContactsQuery is one page of the contacts export. With max(l.id),
// SQLite takes the bare columns from the latest letter. The unary + keeps the planner off the campaign index, so it walks the
// email index from the last address sent instead of grouping the whole
// campaign again for every page.
const exportContactsQuery = `SELECT max(l.id), l.email_norm, l.first_name, l.last_name, l.zip, l.state, l.district, l.organization,
		count(*), min(l.created_at), max(l.created_at)
	FROM letters l WHERE l.email_norm > ? AND +l.campaign_id = ? AND l.campaign_updates = 1 AND l.status = 'active'
	GROUP BY l.email_norm ORDER BY l.email_norm LIMIT ?`

func scanContact(rows *sql.Rows) (advocacy.Contact, error) {
	var (
		c           advocacy.Contact
		id          int64
		first, last string
	)
	if err := rows.Scan(&id, &c.Email, &c.FirstName, &c.LastName, &c.Zip, &c.State, &c.District, &c.Organization,
		&c.Letters, &first, &last); err != nil {
		return c, err
	}
	var err error
	if c.FirstLetter, err = orgParseTime(first); err != nil {
		return c, err
	}
	c.LastLetter, err = orgParseTime(last)
	return c, err
}
