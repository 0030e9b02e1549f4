package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the same driver as the app
)

// The scale benchmark's data: the real server writes one letter per House
// district through the JSON API (so every field, template and office code
// is the app's own), then the generator copies those letters in bulk, with
// new senders, times, partners, organisations, statuses and delivery
// outcomes, straight into the same tables. The aggregates are then rebuilt
// with `whipcount stats rebuild`, as after any import.

// district is a House district with a ZIP in it and its share of people.
type district struct {
	state  string
	number int
	zip    string
	code   string // "NY-12", "AK-AL", or "" when the ZIP is in it alone
	weight float64
	city   string
}

// readDistricts lists the districts of the ZIP candidates file with their
// population (a split ZIP's people shared among its districts).
func readDistricts(refDir string) ([]district, error) {
	pop := map[string]float64{}
	city := map[string]string{}
	if err := eachCSV(filepath.Join(refDir, "uszips.csv"), func(r map[string]string) {
		z := fmt.Sprintf("%05s", r["zip"])
		p, _ := strconv.ParseFloat(r["population"], 64)
		pop[z], city[z] = p, r["city"]
	}); err != nil {
		return nil, err
	}
	byKey := map[string]*district{}
	if err := eachCSV(filepath.Join(refDir, "zip_cd119_candidates.csv"), func(r map[string]string) {
		cd, _ := strconv.Atoi(r["cd"])
		n, _ := strconv.Atoi(r["n_candidates"])
		z := r["zcta"]
		key := r["state_abbr"] + "-" + strconv.Itoa(cd)
		d, ok := byKey[key]
		if !ok {
			d = &district{state: r["state_abbr"], number: cd, zip: z, code: "?"}
			byKey[key] = d
		}
		if n == 1 && d.code != "" {
			d.zip, d.code, d.city = z, "", city[z]
		}
		if n > 0 {
			d.weight += pop[z] / float64(n)
		}
	}); err != nil {
		return nil, err
	}
	out := make([]district, 0, len(byKey))
	for _, d := range byKey {
		if d.code == "?" {
			d.code = d.state + "-" + strconv.Itoa(d.number)
			if d.number == 0 {
				d.code = d.state + "-AL"
			}
			d.city = city[d.zip]
		}
		if d.city == "" {
			d.city = "Springfield"
		}
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].state+strconv.Itoa(out[i].number) < out[j].state+strconv.Itoa(out[j].number)
	})
	return out, nil
}

func eachCSV(path string, row func(map[string]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = rec[i]
		}
		row(m)
	}
}

// seedLetters sends one letter per district through the running server's
// API, to all of the district's members, and returns the districts that
// took one.
func seedLetters(base string, ds []district) ([]district, error) {
	var ok []district
	client := &http.Client{Timeout: 10 * time.Second}
	for i, d := range ds {
		// Ask which members represent the ZIP, then write to all of them.
		res, err := client.Get(base + "/api/v1/representatives?zip=" + d.zip)
		if err != nil {
			return nil, err
		}
		var lookup struct {
			Districts []struct {
				State          string `json:"state"`
				District       int    `json:"district"`
				Representative *struct {
					ID string `json:"bioguide_id"`
				} `json:"representative"`
				Senators []struct {
					ID string `json:"bioguide_id"`
				} `json:"senators"`
			} `json:"districts"`
		}
		err = json.NewDecoder(res.Body).Decode(&lookup)
		res.Body.Close()
		if err != nil {
			continue
		}
		var to []string
		for _, ld := range lookup.Districts {
			if ld.State == d.state && ld.District == d.number {
				if ld.Representative != nil {
					to = append(to, ld.Representative.ID)
				}
				for _, s := range ld.Senators {
					to = append(to, s.ID)
				}
			}
		}
		if len(to) == 0 {
			continue // a vacant seat in a territory
		}
		body, _ := json.Marshal(map[string]any{
			"campaign": "jackson-vanik", "recipients": to, "district": d.code,
			"prefix": "Ms.", "first_name": "Seed", "last_name": "Writer", "address1": "1 Main St", "city": d.city,
			"state": d.state, "zip": d.zip, "email": fmt.Sprintf("seed%d@example.org", i), "consent": true,
			"personal_message": "Trade with Central Asia matters to my family's business and to our town.",
		})
		res, err = client.Post(base+"/api/v1/letters", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusCreated {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("the server took none of the seed letters")
	}
	return ok, nil
}

// template is a seed letter (by its district) with its deliveries.
type template struct {
	state      string
	district   int
	city, zip  string
	deliveries []templateDelivery
}

type templateDelivery struct {
	bioguide, office, chamber, channel, subject, text string
	congress, number                                  sql.NullInt64
	billType                                          sql.NullString
}

func readTemplates(ctx context.Context, db *sql.DB) ([]template, error) {
	rows, err := db.QueryContext(ctx, `SELECT l.id, l.state, l.district, l.city, l.zip, d.bioguide_id, d.office_code,
		d.chamber, d.channel, d.subject, d.template_text, d.bill_congress, d.bill_type, d.bill_number
		FROM letters l JOIN deliveries d ON d.letter_id = l.id ORDER BY l.id, d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []template
	last := int64(-1)
	for rows.Next() {
		var id int64
		var t template
		var d templateDelivery
		if err := rows.Scan(&id, &t.state, &t.district, &t.city, &t.zip, &d.bioguide, &d.office, &d.chamber, &d.channel,
			&d.subject, &d.text, &d.congress, &d.billType, &d.number); err != nil {
			return nil, err
		}
		if id != last {
			out = append(out, t)
			last = id
		}
		out[len(out)-1].deliveries = append(out[len(out)-1].deliveries, d)
	}
	return out, rows.Err()
}

// genOptions shape the generated letters.
type genOptions struct {
	letters int
	// days is how far back the letters go from end.
	days int
	end  time.Time
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Katherine", "Dorothy", "Edsger", "Barbara", "Donald", "Frances", "John",
		"Margaret", "Ken", "Radia", "Dennis", "Lynn", "Whitfield", "Sophie", "Leslie", "Mary", "Niklaus"}
	lastNames = []string{"Lovelace", "Hopper", "Turing", "Johnson", "Vaughan", "Dijkstra", "Liskov", "Knuth", "Allen",
		"Backus", "Hamilton", "Thompson", "Perlman", "Ritchie", "Conway", "Diffie", "Wilson", "Lamport", "Keller", "Wirth"}
	orgNames = []string{"Acme Imports", "Great Plains Grain Co", "Silk Road Logistics", "Tashkent Trading House",
		"Midwest Machine Tools", "Harbor Freight Forwarders", "Almaty Partners LLC", "Prairie Cotton Cooperative",
		"Blue Sky Aviation Parts", "Caspian Energy Services", "Main Street Bakery", "Summit Pharmaceuticals"}
	titles    = []string{"Owner", "CEO", "Director of Trade", "Export Manager", "President", "CFO"}
	sentences = []string{
		"My company ships machine parts to Kazakhstan and the trade restrictions cost us orders every year.",
		"Our farm cooperative would sell more grain to Uzbekistan if trade were normal.",
		"The Jackson-Vanik amendment was written for a country that no longer exists.",
		"I grew up in Almaty and now live here; normal trade would help both of my homes.",
		"Please cosponsor this bill: it is long overdue and it costs the taxpayer nothing.",
		"Small businesses in our district need predictable trade rules to plan their investments.",
		"I teach economics and every year my students ask why this law is still on the books.",
	}
	partnerCodes = []string{"bizco", "farmers", "exporters", "diaspora", "chamber"}
)

// generate adds opt.letters letters modelled on the templates, in large
// transactions, with the triggers of letters and deliveries set aside
// while it writes and made again at the end (the aggregates are then
// rebuilt from the letters).
// The indexes stay: the letters come in id and time order, so each index
// grows at its end or at a few hundred places (one per office), and
// keeping them costs less than building them again after, which read the
// deliveries (most of the file) once per index.
func generate(ctx context.Context, path string, opt genOptions, ds []district, out io.Writer) error {
	// The database is thrown away if anything fails, so it is written
	// without a journal, without syncing and under an exclusive lock: every
	// page is written once, straight into the file. (In WAL mode each page
	// went to the log and then again to the file, which was most of the
	// generator's time.) The app's WAL mode is set again at the end. The
	// page cache is kept small: the tables and indexes grow at their ends,
	// and every page the cache holds is a separate allocation to make and
	// free (a cache of a gigabyte took longer to free than to fill).
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(OFF)"+
		"&_pragma=synchronous(OFF)&_pragma=locking_mode(EXCLUSIVE)&_pragma=cache_size(-65536)&_pragma=temp_store(FILE)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "off" {
		return fmt.Errorf("journal mode %q, want off: %v", mode, err)
	}
	tpls, err := readTemplates(ctx, db)
	if err != nil {
		return fmt.Errorf("read seed letters: %w", err)
	}
	// Each template is picked in proportion to its district's people.
	weight := map[string]float64{}
	for _, d := range ds {
		weight[d.state+"-"+strconv.Itoa(d.number)] = d.weight
	}
	cum := make([]float64, len(tpls))
	total := 0.0
	for i, t := range tpls {
		total += max(weight[t.state+"-"+strconv.Itoa(t.district)], 1)
		cum[i] = total
	}
	var campaignID int64
	if err := db.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE slug = 'jackson-vanik'").Scan(&campaignID); err != nil {
		return err
	}
	for i, code := range partnerCodes {
		if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO partners (slug, name, source_code, created_at)
			VALUES (?, ?, ?, ?)`, code, "Partner "+strconv.Itoa(i+1), code, opt.end.Add(-time.Duration(opt.days)*24*time.Hour).Format(timeLayout)); err != nil {
			return fmt.Errorf("partners: %w", err)
		}
	}

	// Set the triggers aside.
	type schemaItem struct{ kind, name, sql string }
	var aside []schemaItem
	rows, err := db.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_schema
		WHERE type = 'trigger' AND tbl_name IN ('letters', 'deliveries') ORDER BY name`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var it schemaItem
		if err := rows.Scan(&it.kind, &it.name, &it.sql); err != nil {
			rows.Close()
			return err
		}
		aside = append(aside, it)
	}
	rows.Close()
	for _, it := range aside {
		if _, err := db.ExecContext(ctx, "DROP "+it.kind+" "+it.name); err != nil {
			return err
		}
	}

	start := time.Now()
	last := 0
	if err := sqlGenerate(ctx, db, tpls, cum, campaignID, opt, func(done int) {
		if done-last >= 1_000_000 || done == opt.letters {
			fmt.Fprintf(out, "  generated %d letters (%s)\n", done, time.Since(start).Round(time.Second))
			last = done
		}
	}); err != nil {
		return err
	}
	for _, it := range aside {
		if _, err := db.ExecContext(ctx, it.sql); err != nil {
			return fmt.Errorf("restore %s %s: %w", it.kind, it.name, err)
		}
	}
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil || mode != "wal" {
		return fmt.Errorf("journal mode %q, want wal: %v", mode, err)
	}
	return nil
}

const timeLayout = "2006-01-02T15:04:05.000Z"
