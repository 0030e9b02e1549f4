package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// The full recount behind `whipcount stats check` and `stats rebuild`. The
// recount queries of aggTables say what each aggregate means; run one by
// one, each would read and sort every letter or delivery again (eight
// sorts of up to twice the deliveries, because each counts under "*" and
// its source code). This reads every letter with its deliveries once, in
// one query, and counts all eight aggregates in memory as it goes, so its
// cost is one pass over the tables and a few hundred thousand map entries
// at most, whatever the number of letters. The tests hold it to the
// queries of aggTables after every kind of change.

type letterKey struct {
	campaign    int64
	ref, status string
}

type hourKey struct {
	campaign  int64
	ref, hour string
}

type districtKey struct {
	campaign   int64
	ref, state string
	district   int64
}

type deliveryKey struct {
	campaign                       int64
	ref, chamber, channel, dstatus string
}

type officeKey struct {
	campaign      int64
	ref, bioguide string
}

type officeCount struct {
	n           int64
	first, last string
}

type officeDayKey struct {
	campaign           int64
	ref, bioguide, day string
}

type orgKey struct {
	campaign      int64
	bioguide, key string
}

type orgCount struct {
	name string
	n    int64
}

type orgFactKey struct {
	campaign                   int64
	bioguide, key, kind, value string
}

// recount is every aggregate counted afresh.
type recount struct {
	letters    map[letterKey]int64
	hours      map[hourKey]int64
	districts  map[districtKey]int64
	deliveries map[deliveryKey]int64
	offices    map[officeKey]*officeCount
	officeDays map[officeDayKey]int64
	orgs       map[orgKey]*orgCount
	orgFacts   map[orgFactKey]int64
}

// recountQuery is every letter (in id order, so a letter's rows come
// together) with each of its deliveries when it is active, and the parts
// of it the aggregates group by, worked out by SQLite as the recount
// queries do.
const recountQuery = `SELECT l.id, l.campaign_id, l.ref, l.status, substr(l.created_at, 1, 13), substr(l.created_at, 1, 10),
	l.created_at, l.state, l.district, CASE WHEN l.organization <> '' THEN ` + orgKeySQL + ` END, l.organization, l.title, l.city,
	d.bioguide_id, d.chamber, d.channel, d.status
	FROM letters l LEFT JOIN deliveries d ON d.letter_id = l.id AND l.status = 'active'
	ORDER BY l.id`

// recountAll reads every letter and delivery once, in tx, and counts them.
func recountAll(ctx context.Context, tx *sql.Tx) (*recount, error) {
	rc := &recount{
		letters: map[letterKey]int64{}, hours: map[hourKey]int64{}, districts: map[districtKey]int64{},
		deliveries: map[deliveryKey]int64{}, offices: map[officeKey]*officeCount{}, officeDays: map[officeDayKey]int64{},
		orgs: map[orgKey]*orgCount{}, orgFacts: map[orgFactKey]int64{},
	}
	rows, err := tx.QueryContext(ctx, recountQuery)
	if err != nil {
		return nil, fmt.Errorf("recount: %w", err)
	}
	defer rows.Close()
	var (
		id, campaign, district                               int64
		ref, orgKeyText, bioguide, chamber, channel, dstatus sql.NullString
		status, hour, day, created, state, org, title, city  string
	)
	last := int64(-1)
	// refs are what a letter counts under: "*" and its source code.
	refs := make([]string, 0, 2)
	for rows.Next() {
		if err := rows.Scan(&id, &campaign, &ref, &status, &hour, &day, &created, &state, &district, &orgKeyText,
			&org, &title, &city, &bioguide, &chamber, &channel, &dstatus); err != nil {
			return nil, fmt.Errorf("recount: %w", err)
		}
		active := status == "active"
		if id != last {
			last = id
			refs = append(refs[:0], allRefs)
			if ref.Valid {
				refs = append(refs, ref.String)
			}
			for _, r := range refs {
				rc.letters[letterKey{campaign, r, status}]++
				if active {
					rc.hours[hourKey{campaign, r, hour}]++
					rc.districts[districtKey{campaign, r, state, district}]++
				}
			}
		}
		if !active || !bioguide.Valid {
			continue
		}
		b := bioguide.String
		for _, r := range refs {
			rc.deliveries[deliveryKey{campaign, r, chamber.String, channel.String, dstatus.String}]++
			o := rc.offices[officeKey{campaign, r, b}]
			if o == nil {
				o = &officeCount{first: created, last: created}
				rc.offices[officeKey{campaign, r, b}] = o
			}
			o.n++
			o.first, o.last = min(o.first, created), max(o.last, created)
			rc.officeDays[officeDayKey{campaign, r, b, day}]++
		}
		if !orgKeyText.Valid {
			continue
		}
		k := orgKey{campaign, b, orgKeyText.String}
		if o := rc.orgs[k]; o == nil {
			rc.orgs[k] = &orgCount{name: org, n: 1}
		} else {
			o.n++
			o.name = min(o.name, org)
		}
		if title != "" {
			rc.orgFacts[orgFactKey{campaign, b, k.key, "title", title}]++
		}
		if city != "" {
			rc.orgFacts[orgFactKey{campaign, b, k.key, "city", city}]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recount: %w", err)
	}
	return rc, nil
}

// rows returns the recount of the aggregate table named, one row per key
// in key order, with the columns of aggTables (keys, then values).
func (rc *recount) rows(table string) [][]any {
	switch table {
	case "agg_letters":
		return sortedRows(rc.letters, func(k letterKey, n int64) []any { return []any{k.campaign, k.ref, k.status, n} })
	case "agg_letter_hours":
		return sortedRows(rc.hours, func(k hourKey, n int64) []any { return []any{k.campaign, k.ref, k.hour, n} })
	case "agg_letter_districts":
		return sortedRows(rc.districts, func(k districtKey, n int64) []any {
			return []any{k.campaign, k.ref, k.state, k.district, n}
		})
	case "agg_deliveries":
		return sortedRows(rc.deliveries, func(k deliveryKey, n int64) []any {
			return []any{k.campaign, k.ref, k.chamber, k.channel, k.dstatus, n}
		})
	case "agg_offices":
		return sortedRows(rc.offices, func(k officeKey, o *officeCount) []any {
			return []any{k.campaign, k.ref, k.bioguide, o.n, o.first, o.last}
		})
	case "agg_office_days":
		return sortedRows(rc.officeDays, func(k officeDayKey, n int64) []any {
			return []any{k.campaign, k.ref, k.bioguide, k.day, n}
		})
	case "agg_office_orgs":
		return sortedRows(rc.orgs, func(k orgKey, o *orgCount) []any { return []any{k.campaign, k.bioguide, k.key, o.name, o.n} })
	case "agg_office_org_facts":
		return sortedRows(rc.orgFacts, func(k orgFactKey, n int64) []any {
			return []any{k.campaign, k.bioguide, k.key, k.kind, k.value, n}
		})
	}
	panic("recount: no aggregate table " + table)
}

// sortedRows turns a map of counts into rows ordered by their key columns,
// which is the order of the tables' primary keys.
func sortedRows[K comparable, V any](m map[K]V, row func(K, V) []any) [][]any {
	out := make([][]any, 0, len(m))
	for k, v := range m {
		out = append(out, row(k, v))
	}
	slices.SortFunc(out, compareRows)
	return out
}

// compareRows orders rows by their columns in turn (int64 or string).
func compareRows(a, b []any) int {
	for i := range min(len(a), len(b)) {
		var c int
		switch x := a[i].(type) {
		case int64:
			c = cmp.Compare(x, b[i].(int64))
		case string:
			c = cmp.Compare(x, b[i].(string))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
