package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The aggregate tables (migration 0100) are kept by triggers in the same
// transaction as every change to letters and deliveries. This file holds
// what they mean in plain SQL (the recount queries), the full comparison
// behind `whipcount stats check`, the rebuild behind `whipcount stats
// rebuild`, and the small helpers the readers share.

// allRefs is the ref of the aggregate rows that count every letter; a
// partner's rows carry its source code, which can never be "*".
const allRefs = "*"

// aggRef is the aggregate ref for a filter: every letter, or one code.
func aggRef(ref string) string {
	if ref == "" {
		return allRefs
	}
	return ref
}

// aggHour is the aggregate's hour bucket of t ("2006-01-02T15").
func aggHour(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

// refAxis joins a letter l to the refs it counts under: "*" always, and its
// own source code when it has one. coalesce(r.k, l.ref) is the ref.
const refAxis = ` (SELECT '*' AS k UNION ALL SELECT NULL) r`
const refCol = `coalesce(r.k, l.ref)`
const refKept = ` AND ` + refCol + ` IS NOT NULL`

// orgKeySQL groups the ways one organisation is typed: the name lower-cased,
// trimmed, with runs of spaces made one (the triggers use the same).
const orgKeySQL = `lower(trim(replace(replace(replace(l.organization, '  ', ' '), '  ', ' '), '  ', ' ')))`

// aggTable is one aggregate table: its key and value columns, and the
// recount that defines it. Values compared by check are vals minus ignore.
type aggTable struct {
	name    string
	keys    []string
	vals    []string
	ignore  map[string]bool
	recount string
	// perDelivery: the table counts deliveries (its recount reads the
	// deliveries source) rather than letters.
	perDelivery bool
	// merge is how a row that exists takes more counts (the SET of an
	// upsert whose new values are excluded.*).
	merge string
}

// aggTables lists every aggregate with its definition as a full recount.
// The triggers must always agree with these queries; check proves it.
func aggTables() []aggTable { return aggTablesOver("letters", "deliveries") }

// aggTablesOver is aggTables counting only the letters of the letters
// source and the deliveries of the deliveries source (a table, or a
// parenthesised SELECT of some of its rows).
func aggTablesOver(letters, deliveries string) []aggTable {
	const active = ` l.status = 'active'`
	dl := ` FROM ` + deliveries + ` d JOIN letters l ON l.id = d.letter_id,` + refAxis + ` WHERE` + active + refKept
	const count = `n = n + excluded.n`
	return []aggTable{
		{name: "agg_letters", keys: []string{"campaign_id", "ref", "status"}, vals: []string{"n"}, merge: count,
			recount: `SELECT l.campaign_id, ` + refCol + `, l.status, count(*) FROM ` + letters + ` l,` + refAxis +
				` WHERE true` + refKept + ` GROUP BY 1, 2, 3`},
		{name: "agg_letter_hours", keys: []string{"campaign_id", "ref", "hour"}, vals: []string{"n"}, merge: count,
			recount: `SELECT l.campaign_id, ` + refCol + `, substr(l.created_at, 1, 13), count(*) FROM ` + letters + ` l,` + refAxis +
				` WHERE` + active + refKept + ` GROUP BY 1, 2, 3`},
		{name: "agg_letter_districts", keys: []string{"campaign_id", "ref", "state", "district"}, vals: []string{"n"}, merge: count,
			recount: `SELECT l.campaign_id, ` + refCol + `, l.state, l.district, count(*) FROM ` + letters + ` l,` + refAxis +
				` WHERE` + active + refKept + ` GROUP BY 1, 2, 3, 4`},
		{name: "agg_deliveries", keys: []string{"campaign_id", "ref", "chamber", "channel", "status"}, vals: []string{"n"},
			perDelivery: true, merge: count,
			recount: `SELECT l.campaign_id, ` + refCol + `, d.chamber, d.channel, d.status, count(*)` + dl + ` GROUP BY 1, 2, 3, 4, 5`},
		{name: "agg_offices", keys: []string{"campaign_id", "ref", "bioguide_id"}, vals: []string{"n", "first_at", "last_at"},
			perDelivery: true,
			merge:       count + `, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
			recount: `SELECT l.campaign_id, ` + refCol + `, d.bioguide_id, count(*), min(l.created_at), max(l.created_at)` + dl +
				` GROUP BY 1, 2, 3`},
		{name: "agg_office_days", keys: []string{"campaign_id", "ref", "bioguide_id", "day"}, vals: []string{"n"},
			perDelivery: true, merge: count,
			recount: `SELECT l.campaign_id, ` + refCol + `, d.bioguide_id, substr(l.created_at, 1, 10), count(*)` + dl +
				` GROUP BY 1, 2, 3, 4`},
		// The name shown is one of the ways the organisation was typed;
		// which one is not part of the definition (a row keeps its first).
		{name: "agg_office_orgs", keys: []string{"campaign_id", "bioguide_id", "org_key"}, vals: []string{"name", "n"},
			ignore: map[string]bool{"name": true}, perDelivery: true, merge: count,
			recount: `SELECT l.campaign_id, d.bioguide_id, ` + orgKeySQL + `, min(l.organization), count(*)
				FROM ` + deliveries + ` d JOIN letters l ON l.id = d.letter_id
				WHERE` + active + ` AND l.organization <> '' GROUP BY 1, 2, 3`},
		{name: "agg_office_org_facts", keys: []string{"campaign_id", "bioguide_id", "org_key", "kind", "value"}, vals: []string{"n"},
			perDelivery: true, merge: count,
			recount: `SELECT l.campaign_id, d.bioguide_id, ` + orgKeySQL + `, f.kind,
					CASE f.kind WHEN 'title' THEN l.title ELSE l.city END, count(*)
				FROM ` + deliveries + ` d JOIN letters l ON l.id = d.letter_id, (SELECT 'title' AS kind UNION ALL SELECT 'city') f
				WHERE` + active + ` AND l.organization <> '' AND (CASE f.kind WHEN 'title' THEN l.title ELSE l.city END) <> ''
				GROUP BY 1, 2, 3, 4, 5`},
	}
}

// AggregateDiff is one row where an aggregate and the full recount differ.
type AggregateDiff struct {
	Table string
	// Key names the row ("campaign_id=1 ref=* status=active").
	Key string
	// Kept is what the aggregate holds, Recounted what a full count
	// finds ("n=3 first_at=..."); "none" when there is no such row.
	Kept, Recounted string
}

func (d AggregateDiff) String() string {
	return fmt.Sprintf("%s %s: kept %s, recounted %s", d.Table, d.Key, d.Kept, d.Recounted)
}

// CheckAggregates recounts every aggregate from the letters and deliveries
// in one read transaction and returns each row that differs (a missing row
// and a row of zero are the same). It reads every letter once: it is for
// the command line and tests, never for a request.
func CheckAggregates(ctx context.Context, db *DB) ([]AggregateDiff, error) {
	tx, err := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("check aggregates: %w", err)
	}
	defer tx.Rollback()
	rc, err := recountAll(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("check aggregates: %w", err)
	}
	var out []AggregateDiff
	for _, t := range aggTables() {
		diffs, err := compareTable(ctx, tx, t, rc.rows(t.name))
		if err != nil {
			return nil, fmt.Errorf("check aggregates: %s: %w", t.name, err)
		}
		out = append(out, diffs...)
	}
	return out, nil
}

// compareTable compares the rows of t that are not zero with recounted,
// key by key, and returns the rows that differ in key order.
func compareTable(ctx context.Context, tx *sql.Tx, t aggTable, recounted [][]any) ([]AggregateDiff, error) {
	var vals []string
	var valAt []int // where each compared value is in a row
	for i, v := range t.vals {
		if !t.ignore[v] {
			vals = append(vals, v)
			valAt = append(valAt, len(t.keys)+i)
		}
	}
	format := func(row []any) (key, val string) {
		var k, v []string
		for i, name := range t.keys {
			k = append(k, name+"="+aggText(row[i]))
		}
		for i, name := range vals {
			v = append(v, name+"="+aggText(row[valAt[i]]))
		}
		return strings.Join(k, " "), strings.Join(v, " ")
	}
	kept := map[string]string{}
	cols := strings.Join(append(append([]string{}, t.keys...), t.vals...), ", ")
	rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM `+t.name+` WHERE n <> 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		row := make([]any, len(t.keys)+len(t.vals))
		dest := make([]any, len(row))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		k, v := format(row)
		kept[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byKey := map[string]*AggregateDiff{}
	for _, row := range recounted {
		k, v := format(row)
		if kv, ok := kept[k]; !ok || kv != v {
			byKey[k] = &AggregateDiff{Table: t.name, Key: k, Kept: "none", Recounted: v}
			if ok {
				byKey[k].Kept = kv
			}
		}
		delete(kept, k)
	}
	for k, v := range kept {
		byKey[k] = &AggregateDiff{Table: t.name, Key: k, Kept: v, Recounted: "none"}
	}
	out := make([]AggregateDiff, 0, len(byKey))
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, *byKey[k])
	}
	return out, nil
}

// aggText writes a value of an aggregate row as check prints it.
func aggText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}

// RebuildAggregates recomputes every aggregate from the letters and
// deliveries in one write transaction, for after an import or a repair. It
// holds the writer while it reads every letter once (about a minute of CPU
// per million letters): letters sent meanwhile wait for it.
func RebuildAggregates(ctx context.Context, db *DB) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	defer tx.Rollback()
	rc, err := recountAll(ctx, tx)
	if err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	for _, t := range aggTables() {
		if err := writeTable(ctx, tx, t, rc.rows(t.name)); err != nil {
			return fmt.Errorf("rebuild aggregates: %s: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	return nil
}

// writeTable replaces the rows of t with rows.
func writeTable(ctx context.Context, tx *sql.Tx, t aggTable, rows [][]any) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.name); err != nil {
		return err
	}
	cols := append(append([]string{}, t.keys...), t.vals...)
	ins, err := tx.PrepareContext(ctx, "INSERT INTO "+t.name+" ("+strings.Join(cols, ", ")+") VALUES (?"+
		strings.Repeat(", ?", len(cols)-1)+")")
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, row := range rows {
		if _, err := ins.ExecContext(ctx, row...); err != nil {
			return err
		}
	}
	return nil
}

// aggTriggers names the triggers that keep the aggregates. A migration that
// rebuilds letters or deliveries drops the triggers on them with the old
// table and must create them again; TestAggregateTriggers notices.
var aggTriggers = []string{
	"agg_letter_change_apply", "agg_letter_change_deliveries", "agg_delivery_change_apply",
	"agg_delivery_change_add_office", "agg_delivery_change_remove_office",
	"agg_delivery_change_add_orgs", "agg_delivery_change_remove_orgs",
	"agg_letters_insert", "agg_letters_update", "agg_letters_update_orgs", "agg_letters_delete",
	"agg_deliveries_insert", "agg_deliveries_update", "agg_deliveries_delete",
}

// MissingAggregateTriggers lists the triggers that keep the aggregates and
// are not in the database.
func MissingAggregateTriggers(ctx context.Context, db *DB) ([]string, error) {
	var missing []string
	for _, name := range aggTriggers {
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?", name).Scan(&n); err != nil {
			return nil, fmt.Errorf("list aggregate triggers: %w", err)
		}
		if n == 0 {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// The group commit counts its own new letters. While its transaction holds
// the row of agg_group_commit (migration 0102), the triggers on new letters
// and deliveries leave them alone; before it commits, the group adds what
// its letters contribute with one statement per aggregate table: the
// table's recount narrowed to the group's new rows, added to what the table
// holds. Letters arriving together share aggregate rows (their campaign,
// hour, district, offices), so a group of many letters touches each row
// once instead of once per letter. Every other change (moderation,
// confirmation, erasure, deletion, a delivery's status, seeds, imports)
// goes through the triggers as before, and no other transaction can see the
// row: the group deletes it before committing.
const (
	qGroupCountsBegin = "INSERT INTO agg_group_commit (id) VALUES (1)"
	qGroupCountsEnd   = "DELETE FROM agg_group_commit"
)

// groupCount is one aggregate table's statement for a group: ?1 and ?2 are
// the first and last ID of the group's new letters, or of its new
// deliveries when perDelivery.
type groupCount struct {
	query       string
	perDelivery bool
}

// groupCounts are the statements that add a group's new letters to the
// aggregates. The IDs between the first and last of a group are all the
// group's (one writer holds the database, and new rows take IDs above every
// existing one); letters a group refused or rolled back are not there.
var groupCounts = func() []groupCount {
	var out []groupCount
	for _, t := range aggTablesOver("(SELECT * FROM letters WHERE id BETWEEN ?1 AND ?2)",
		"(SELECT * FROM deliveries WHERE id BETWEEN ?1 AND ?2)") {
		cols := strings.Join(append(append([]string{}, t.keys...), t.vals...), ", ")
		out = append(out, groupCount{perDelivery: t.perDelivery,
			query: "INSERT INTO " + t.name + " (" + cols + ") " + t.recount + " ON CONFLICT DO UPDATE SET " + t.merge})
	}
	return out
}()

// idRange is the first and last of a set of row IDs; empty while last is 0.
type idRange struct{ first, last int64 }

func (r *idRange) add(id int64) {
	if r.last == 0 {
		r.first, r.last = id, id
		return
	}
	r.first, r.last = min(r.first, id), max(r.last, id)
}

// addGroupCounts adds the letters and deliveries of the two ranges, all
// written by the current transaction, to the aggregates.
func addGroupCounts(ctx context.Context, tx *stmtTx, letters, deliveries idRange) error {
	for _, g := range groupCounts {
		r := letters
		if g.perDelivery {
			r = deliveries
		}
		if r.last == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, g.query, r.first, r.last); err != nil {
			return fmt.Errorf("count the group's letters: %w", err)
		}
	}
	return nil
}
