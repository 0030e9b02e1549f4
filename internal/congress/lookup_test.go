package congress

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// want describes one expected district of a lookup.
type want struct {
	state     string
	district  int
	likely    bool
	rep       string // bioguide id; "" for a vacant seat
	senators  []string
	atLarge   bool
	territory bool
}

func checkDistricts(t *testing.T, got []advocacy.DistrictResult, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d districts %v, want %d", len(got), keysOfResults(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		label := fmt.Sprintf("district %d (%s-%d)", i, g.State, g.District)
		if g.State != w.state || g.District != w.district {
			t.Errorf("%s: want %s-%d", label, w.state, w.district)
		}
		if g.Likely != w.likely || g.AtLarge != w.atLarge || g.Territory != w.territory {
			t.Errorf("%s: likely %v at-large %v territory %v; want %v %v %v", label,
				g.Likely, g.AtLarge, g.Territory, w.likely, w.atLarge, w.territory)
		}
		if w.rep == "" {
			if !g.Vacant || g.Representative != nil {
				t.Errorf("%s: want vacant with no representative, got vacant=%v rep=%v", label, g.Vacant, g.Representative)
			}
		} else if g.Vacant || g.Representative == nil || g.Representative.BioguideID != w.rep {
			t.Errorf("%s: representative %v vacant %v; want %s", label, g.Representative, g.Vacant, w.rep)
		}
		if g.Senators == nil {
			t.Errorf("%s: Senators is nil; want a slice, empty for territories", label)
		}
		var ids []string
		for _, s := range g.Senators {
			ids = append(ids, s.BioguideID)
			if s.State != g.State {
				t.Errorf("%s: senator %s is from %s", label, s.BioguideID, s.State)
			}
		}
		if !slices.Equal(ids, w.senators) {
			t.Errorf("%s: senators %v, want %v", label, ids, w.senators)
		}
	}
}

func keysOfResults(rs []advocacy.DistrictResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s-%d", r.State, r.District))
	}
	return out
}

var (
	nySenators = []string{"S000148", "G000555"}
	caSenators = []string{"P000145", "S001150"}
)

// The expected values were read from zip_cd119_candidates.csv, uszips.csv
// and the legislators YAML.
func TestLookupZIP(t *testing.T) {
	tests := []struct {
		name, zip, city string
		split           bool
		districts       []want
	}{
		{"single district", "10026", "New York", false, []want{
			{state: "NY", district: 13, likely: true, rep: "E000297", senators: nySenators}}},
		{"split, centroid first", "10025", "New York", true, []want{
			{state: "NY", district: 12, likely: true, rep: "N000002", senators: nySenators},
			{state: "NY", district: 13, rep: "E000297", senators: nySenators}}},
		{"zip+4", "10025-1234", "New York", true, []want{
			{state: "NY", district: 12, likely: true, rep: "N000002", senators: nySenators},
			{state: "NY", district: 13, rep: "E000297", senators: nySenators}}},
		{"four districts, likely then by number", "11238", "Brooklyn", true, []want{
			{state: "NY", district: 9, likely: true, rep: "C001067", senators: nySenators},
			{state: "NY", district: 7, rep: "V000081", senators: nySenators},
			{state: "NY", district: 8, rep: "J000294", senators: nySenators},
			{state: "NY", district: 10, rep: "G000599", senators: nySenators}}},
		{"split with centroid in water: none likely", "33715", "Saint Petersburg", true, []want{
			{state: "FL", district: 13, rep: "L000596", senators: []string{"S001217", "M001244"}},
			{state: "FL", district: 14, rep: "C001066", senators: []string{"S001217", "M001244"}}}},
		{"state line, own senators", "03579", "Errol", true, []want{
			{state: "ME", district: 2, likely: true, rep: "G000592", senators: []string{"C001035", "K000383"}},
			{state: "NH", district: 2, rep: "G000604", senators: []string{"S001181", "H001076"}}}},
		{"state line, repaired row, two at-large states", "57255", "New Effington", true, []want{
			{state: "SD", district: 0, likely: true, rep: "J000301", senators: []string{"T000250", "R000605"}, atLarge: true},
			{state: "ND", district: 0, rep: "F000482", senators: []string{"H001061", "C001096"}, atLarge: true}}},
		{"at-large WY", "82001", "Cheyenne", false, []want{
			{state: "WY", likely: true, rep: "H001096", senators: []string{"B001261", "L000571"}, atLarge: true}}},
		{"at-large AK", "99501", "Anchorage", false, []want{
			{state: "AK", likely: true, rep: "B001323", senators: []string{"M001153", "S001198"}, atLarge: true}}},
		{"DC", "20001", "Washington", false, []want{
			{state: "DC", likely: true, rep: "N000147", senators: []string{}, territory: true}}},
		{"PR from the candidates, no centroid", "00901", "", false, []want{
			{state: "PR", likely: true, rep: "H001103", senators: []string{}, territory: true}}},
		{"PR box ZIP by prefix", "00936", "", false, []want{
			{state: "PR", likely: true, rep: "H001103", senators: []string{}, territory: true}}},
		{"GU by prefix", "96910", "", false, []want{
			{state: "GU", likely: true, rep: "M001219", senators: []string{}, territory: true}}},
		{"GU last of range", "96932", "", false, []want{
			{state: "GU", likely: true, rep: "M001219", senators: []string{}, territory: true}}},
		{"MP by prefix", "96950", "", false, []want{
			{state: "MP", likely: true, rep: "K000404", senators: []string{}, territory: true}}},
		{"AS by prefix", "96799", "", false, []want{
			{state: "AS", likely: true, rep: "R000600", senators: []string{}, territory: true}}},
		{"VI by prefix", "00802", "", false, []want{
			{state: "VI", likely: true, rep: "P000610", senators: []string{}, territory: true}}},
		{"vacant CA-14", "94541", "Hayward", false, []want{
			{state: "CA", district: 14, likely: true, senators: caSenators}}},
		{"vacant TX-23", "76932", "Big Lake", false, []want{
			{state: "TX", district: 23, likely: true, senators: []string{"C001056", "C001098"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testData.LookupZIP(tt.zip)
			if err != nil {
				t.Fatalf("LookupZIP(%q): %v", tt.zip, err)
			}
			wantZIP, _ := advocacy.ParseZIP(tt.zip)
			if got.Query.Zip != wantZIP || got.Query.City != tt.city || got.Query.Lat != nil {
				t.Errorf("query = %+v; want zip %s city %q", got.Query, wantZIP, tt.city)
			}
			if got.Split != tt.split {
				t.Errorf("split = %v, want %v", got.Split, tt.split)
			}
			checkDistricts(t, got.Districts, tt.districts)
		})
	}
}

func TestLookupZIPErrors(t *testing.T) {
	tests := []struct {
		zip  string
		code advocacy.Code
		msg  string
	}{
		// The White House's own ZIP: a valid ZIP with no ZCTA.
		{"20500", advocacy.CodeNotFound, "We have no district data for ZIP 20500. Try using your location instead."},
		{"20500-0003", advocacy.CodeNotFound, "We have no district data for ZIP 20500. Try using your location instead."},
		// Palau uses a US ZIP but has no member of Congress.
		{"96940", advocacy.CodeNotFound, "We have no district data for ZIP 96940. Try using your location instead."},
		{"00000", advocacy.CodeNotFound, "We have no district data for ZIP 00000. Try using your location instead."},
		{"1002", advocacy.CodeInvalid, "Enter a 5-digit ZIP code, like 10025 or 10025-1234."},
		{"", advocacy.CodeInvalid, "Enter your 5-digit ZIP code, like 10025."},
	}
	for _, tt := range tests {
		t.Run(tt.zip, func(t *testing.T) {
			_, err := testData.LookupZIP(tt.zip)
			var e *advocacy.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Message != tt.msg {
				t.Errorf("LookupZIP(%q) error = %#v; want %s %q", tt.zip, err, tt.code, tt.msg)
			}
		})
	}
}

// TestLookupZIPMatchesCSV checks every ZIP of the candidates file against
// the file itself, read with encoding/csv.
func TestLookupZIPMatchesCSV(t *testing.T) {
	type cand struct {
		key    advocacy.DistrictKey
		marked bool
	}
	byZIP := map[string][]cand{}
	for _, r := range csvRows(t, fileCandidates) {
		n, _ := strconv.Atoi(r["cd"])
		byZIP[r["zcta"]] = append(byZIP[r["zcta"]], cand{advocacy.DistrictKey{State: r["state_abbr"], Number: n}, r["centroid_in_district"] == "1"})
	}
	cities := map[string]string{}
	for _, r := range csvRows(t, fileUSZips) {
		cities[fmt.Sprintf("%05s", r["zip"])] = r["city"]
	}
	atLarge := map[string]bool{"AK": true, "DE": true, "ND": true, "SD": true, "VT": true, "WY": true}
	for zip, cands := range byZIP {
		got, err := testData.LookupZIP(zip)
		if err != nil {
			t.Errorf("LookupZIP(%s): %v", zip, err)
			continue
		}
		if got.Query.City != cities[zip] || got.Split != (len(cands) > 1) || len(got.Districts) != len(cands) {
			t.Errorf("LookupZIP(%s): city %q split %v %d districts; want %q, %d candidates", zip, got.Query.City, got.Split, len(got.Districts), cities[zip], len(cands))
			continue
		}
		marked := 0
		for _, c := range cands {
			if c.marked {
				marked++
			}
		}
		for _, c := range cands {
			i := slices.IndexFunc(got.Districts, func(r advocacy.DistrictResult) bool { return r.Key() == c.key })
			if i < 0 {
				t.Errorf("LookupZIP(%s) misses %v", zip, c.key)
				continue
			}
			r := got.Districts[i]
			wantLikely := c.marked || (len(cands) == 1 && marked == 0)
			if r.Likely != wantLikely {
				t.Errorf("LookupZIP(%s) %v likely = %v, want %v", zip, c.key, r.Likely, wantLikely)
			}
			if wantLikely && i != 0 {
				t.Errorf("LookupZIP(%s): likely district is at %d, want first", zip, i)
			}
			if r.AtLarge != atLarge[r.State] || r.Territory != advocacy.IsTerritory(r.State) {
				t.Errorf("LookupZIP(%s) %v: at-large %v territory %v", zip, c.key, r.AtLarge, r.Territory)
			}
			wantSenators := 2
			if r.Territory {
				wantSenators = 0
			}
			if len(r.Senators) != wantSenators {
				t.Errorf("LookupZIP(%s) %v: %d senators", zip, c.key, len(r.Senators))
			}
		}
		rest := got.Districts
		if len(rest) > 0 && rest[0].Likely {
			rest = rest[1:]
		}
		if !slices.IsSortedFunc(rest, func(a, b advocacy.DistrictResult) int {
			return cmp.Or(cmp.Compare(a.State, b.State), cmp.Compare(a.District, b.District))
		}) {
			t.Errorf("LookupZIP(%s): districts after the likely one are not in state, number order: %v", zip, keysOfResults(got.Districts))
		}
	}
}

func TestTerritoryForZIP(t *testing.T) {
	tests := map[string]string{
		"96909": "", "96910": "GU", "96921": "GU", "96932": "GU", "96933": "",
		"96940": "", "96949": "", "96950": "MP", "96952": "MP", "96953": "",
		"96799": "AS", "96798": "",
		"00800": "", "00801": "VI", "00851": "VI", "00852": "",
		"00600": "PR", "00799": "PR", "00901": "PR", "00999": "PR",
		"01001": "", "99501": "",
	}
	for zip, want := range tests {
		if got := territoryForZIP(zip); got != want {
			t.Errorf("territoryForZIP(%s) = %q, want %q", zip, got, want)
		}
	}
}

func TestLookupPoint(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		want     *want // nil: not found
	}{
		{"US Capitol", 38.8899, -77.0091, &want{state: "DC", likely: true, rep: "N000147", senators: []string{}, territory: true}},
		{"Alabama capitol", 32.3777, -86.3006, &want{state: "AL", district: 2, likely: true, rep: "F000481", senators: []string{"T000278", "B001319"}}},
		{"Attu Island, past 180°", 52.85, 173.1, &want{state: "AK", likely: true, rep: "B001323", senators: []string{"M001153", "S001198"}, atLarge: true}},
		{"Hagåtña, Guam", 13.4745, 144.7504, &want{state: "GU", likely: true, rep: "M001219", senators: []string{}, territory: true}},
		{"Hayward, vacant CA-14", 37.6688, -122.0808, &want{state: "CA", district: 14, likely: true, senators: caSenators}},
		{"Atlantic Ocean", 40.0, -50.0, nil},
		{"Lake Michigan", 42.5, -87.3, nil},
		{"Toronto", 43.6532, -79.3832, nil},
		{"South Pole", -90, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testData.LookupPoint(tt.lat, tt.lon)
			if tt.want == nil {
				var e *advocacy.Error
				if !errors.As(err, &e) || e.Code != advocacy.CodeNotFound ||
					e.Message != "That location is not inside a US congressional district — it may be in water or outside the US." {
					t.Fatalf("LookupPoint error = %#v; want not found", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Split || got.Query.Lat == nil || *got.Query.Lat != tt.lat || *got.Query.Lon != tt.lon || got.Query.Zip != "" {
				t.Errorf("split %v query %+v", got.Split, got.Query)
			}
			checkDistricts(t, got.Districts, []want{*tt.want})
		})
	}
	for _, p := range [][2]float64{{91, 0}, {0, -181}, {math.NaN(), 0}, {0, math.Inf(1)}} {
		if _, err := testData.LookupPoint(p[0], p[1]); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
			t.Errorf("LookupPoint(%v, %v) error = %v; want invalid", p[0], p[1], err)
		}
	}
}

// TestLookupPointMatchesZIPCentroids tests every third ZIP centroid in
// uszips.csv (every one passes; a third keeps the race-detector run short):
// the candidates file marks the district that contains the centroid in the
// same detailed boundaries, so the point lookup must find that district
// (and nothing for the centroids it marks as in water).
func TestLookupPointMatchesZIPCentroids(t *testing.T) {
	marked := map[string]advocacy.DistrictKey{}
	for _, r := range csvRows(t, fileCandidates) {
		if r["centroid_in_district"] == "1" {
			n, _ := strconv.Atoi(r["cd"])
			marked[r["zcta"]] = advocacy.DistrictKey{State: r["state_abbr"], Number: n}
		}
	}
	rows := csvRows(t, fileUSZips)
	step := 3
	if testing.Short() {
		step = 25
	}
	mismatches := 0
	for i := 0; i < len(rows); i += step {
		r := rows[i]
		zip := fmt.Sprintf("%05s", r["zip"])
		lat, _ := strconv.ParseFloat(r["lat"], 64)
		lon, _ := strconv.ParseFloat(r["lng"], 64)
		got, err := testData.LookupPoint(lat, lon)
		want, ok := marked[zip]
		switch {
		case !ok && err == nil:
			t.Errorf("ZIP %s centroid (%v, %v): found %v, the data has it in water", zip, lat, lon, got.Districts[0].Key())
			mismatches++
		case ok && err != nil:
			t.Errorf("ZIP %s centroid (%v, %v): %v; want %v", zip, lat, lon, err, want)
			mismatches++
		case ok && got.Districts[0].Key() != want:
			t.Errorf("ZIP %s centroid (%v, %v): found %v, want %v", zip, lat, lon, got.Districts[0].Key(), want)
			mismatches++
		}
		if mismatches > 10 {
			t.Fatal("too many mismatches")
		}
	}
}

func TestDistrict(t *testing.T) {
	got, ok := testData.District(advocacy.DistrictKey{State: "NY", Number: 12})
	if !ok {
		t.Fatal("District(NY-12) not found")
	}
	checkDistricts(t, []advocacy.DistrictResult{got}, []want{{state: "NY", district: 12, rep: "N000002", senators: nySenators}})

	got, ok = testData.District(advocacy.DistrictKey{State: "GA", Number: 13})
	if !ok {
		t.Fatal("District(GA-13) not found")
	}
	checkDistricts(t, []advocacy.DistrictResult{got}, []want{{state: "GA", district: 13, senators: []string{"O000174", "W000790"}}})

	for _, k := range []advocacy.DistrictKey{{State: "NY", Number: 27}, {State: "WY", Number: 1}, {State: "ZZ"}} {
		if _, ok := testData.District(k); ok {
			t.Errorf("District(%v) found", k)
		}
	}
	keys := testData.Districts()
	if len(keys) != 441 {
		t.Errorf("Districts() has %d, want 441", len(keys))
	}
	var vacant []string
	for _, k := range keys {
		if r, _ := testData.District(k); r.Vacant {
			vacant = append(vacant, fmt.Sprintf("%s-%d", k.State, k.Number))
		}
	}
	if want := []string{"CA-14", "FL-20", "GA-13", "TX-23"}; !slices.Equal(vacant, want) {
		t.Errorf("vacant districts = %v, want %v", vacant, want)
	}
}
