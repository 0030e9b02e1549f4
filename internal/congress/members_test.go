package congress

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// fullDecode decodes a YAML file the plain way, without the splitting and
// pruning Load does, as the reference for the tests.
func fullDecode[T any](t *testing.T, name string) []T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	if err := yaml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func fullLegislators(t *testing.T) []legislatorYAML {
	return fullDecode[legislatorYAML](t, fileLegislators)
}

// TestLegislatorsYAML compares the loaded data with a plain decode of the
// YAML files.
func TestLegislatorsYAML(t *testing.T) {
	fsys := os.DirFS(refDir)
	full := fullLegislators(t)
	t.Run(fileLegislators, func(t *testing.T) {
		fast, err := decodeYAMLList[legislatorYAML](fsys, fileLegislators, pruneLegislator)
		if err != nil {
			t.Fatal(err)
		}
		if len(fast) != len(full) {
			t.Fatalf("pruned decode has %d people, full %d", len(fast), len(full))
		}
		for i := range full {
			want, got := full[i], fast[i]
			if len(got.Terms) != 1 {
				t.Errorf("%s: pruned decode kept %d terms, want 1", want.ID.Bioguide, len(got.Terms))
				continue
			}
			if got.ID != want.ID || got.Name != want.Name || !reflect.DeepEqual(got.Terms[0], want.Terms[len(want.Terms)-1]) {
				t.Errorf("%s: pruned decode differs:\n got %+v\nwant %+v", want.ID.Bioguide, got, want)
			}
		}
	})
	t.Run("party from last term", func(t *testing.T) { partyFromLastTerm(t, full) })
	t.Run(fileOffices, func(t *testing.T) {
		full := fullDecode[officesYAML](t, fileOffices)
		fast, err := decodeYAMLList[officesYAML](fsys, fileOffices, pruneOffices)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, full) {
			t.Error("pruned decode differs from the full decode")
		}
	})
	t.Run(fileSocial, func(t *testing.T) {
		full := fullDecode[socialYAML](t, fileSocial)
		fast, err := decodeYAMLList[socialYAML](fsys, fileSocial, pruneSocial)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, full) {
			t.Error("pruned decode differs from the full decode")
		}
	})
}

func TestDropFields(t *testing.T) {
	in := "- id:\n    bioguide: X1\n    thomas: '1'\n  offices:\n  - id: X1-a\n    hours: M-F\n      9-5\n    city: A\n    latitude: 1.5\n"
	want := "- id:\n    bioguide: X1\n  offices:\n  - id: X1-a\n    city: A\n"
	if got := string(dropFields([]byte(in), "thomas", "hours", "latitude")); got != want {
		t.Errorf("dropFields:\n got %q\nwant %q", got, want)
	}
}

func TestSplitTopLevel(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []string
		wantOK bool
	}{
		{"items", "- a: 1\n  b: 2\n- a: 3\n", []string{"- a: 1\n  b: 2\n", "- a: 3\n"}, true},
		{"leading comments", "# note\n\n- a: 1\n# inner\n- a: 2", []string{"- a: 1\n# inner\n", "- a: 2"}, true},
		{"crlf", "- a: 1\r\n- a: 2\r\n", []string{"- a: 1\r\n", "- a: 2\r\n"}, true},
		{"flow style", "[{a: 1}, {a: 2}]\n", nil, false},
		{"document marker", "---\n- a: 1\n", nil, false},
		{"mapping", "a:\n  - 1\n", nil, false},
		{"indented first", "  - a: 1\n", nil, false},
		{"empty", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, ok := splitTopLevel([]byte(tt.in))
			var got []string
			for _, it := range items {
				got = append(got, string(it))
			}
			if ok != tt.wantOK || !slices.Equal(got, tt.want) {
				t.Errorf("splitTopLevel(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPruneLegislator(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "keeps bioguide, name, last term and what follows",
			in: "- id:\n    bioguide: X1\n    fec:\n    - H1\n    wikipedia: A B\n  name:\n    first: A\n  bio:\n    gender: F\n" +
				"  terms:\n  - type: rep\n    party: A\n\n  - type: sen\n    party: B\n" +
				"    party_affiliations:\n    - party: C\n  leadership_roles:\n  - title: Whip\n",
			want: "- id:\n    bioguide: X1\n  name:\n    first: A\n" +
				"  terms:\n  - type: sen\n    party: B\n" +
				"    party_affiliations:\n    - party: C\n  leadership_roles:\n  - title: Whip\n",
		},
		{
			name: "terms last, one term",
			in:   "- id:\n    thomas: '1'\n    bioguide: X1\n  terms:\n  - type: rep\n",
			want: "- id:\n    bioguide: X1\n  terms:\n  - type: rep\n",
		},
		{
			name: "other key first",
			in:   "- bio:\n    gender: F\n  id:\n    bioguide: X1\n",
			want: "- bio:\n  id:\n    bioguide: X1\n",
		},
		{
			name: "flow style unchanged",
			in:   "- id: {bioguide: X1}\n  terms: [{type: rep}, {type: sen}]\n",
			want: "- id: {bioguide: X1}\n  terms: [{type: rep}, {type: sen}]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(pruneLegislator([]byte(tt.in))); got != tt.want {
				t.Errorf("pruneLegislator:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMemberQuirks(t *testing.T) {
	tests := []struct {
		id, name, party, caucus, role, state string
		chamber                              advocacy.Chamber
		district                             int
		noOffices                            bool
	}{
		// No official_full yet: first + last.
		{id: "M001246", name: "Analilia Mejia", party: "Democrat", role: "Representative", state: "NJ", chamber: advocacy.House, district: 11},
		{id: "G000607", name: "James Gallagher", party: "Republican", role: "Representative", state: "CA", chamber: advocacy.House, district: 1, noOffices: true},
		// Left his party during the term: the last term's party, and the caucus.
		{id: "K000401", name: "Kevin Kiley", party: "Independent", caucus: "Republican", role: "Representative", state: "CA", chamber: advocacy.House, district: 3},
		// Independents caucusing with the Democrats.
		{id: "S000033", name: "Bernard Sanders", party: "Independent", caucus: "Democrat", role: "Senator", state: "VT", chamber: advocacy.Senate},
		{id: "K000383", name: "Angus S. King, Jr.", party: "Independent", caucus: "Democrat", role: "Senator", state: "ME", chamber: advocacy.Senate},
		{id: "C000127", name: "Maria Cantwell", party: "Democrat", role: "Senator", state: "WA", chamber: advocacy.Senate},
		// Non-voting members.
		{id: "N000147", name: "Eleanor Holmes Norton", party: "Democrat", role: "Delegate", state: "DC", chamber: advocacy.House},
		{id: "M001219", name: "James C. Moylan", party: "Republican", role: "Delegate", state: "GU", chamber: advocacy.House},
		{id: "P000610", name: "Stacey E. Plaskett", party: "Democrat", role: "Delegate", state: "VI", chamber: advocacy.House},
		{id: "R000600", name: "Aumua Amata Coleman Radewagen", party: "Republican", role: "Delegate", state: "AS", chamber: advocacy.House},
		{id: "K000404", name: "Kimberlyn King-Hinds", party: "Republican", role: "Delegate", state: "MP", chamber: advocacy.House},
		{id: "H001103", name: "Pablo José Hernández", party: "Democrat", role: "Resident Commissioner", state: "PR", chamber: advocacy.House},
		// At-large seats.
		{id: "H001096", name: "Harriet M. Hageman", party: "Republican", role: "Representative", state: "WY", chamber: advocacy.House},
		{id: "B001323", name: "Nicholas J. Begich III", party: "Republican", role: "Representative", state: "AK", chamber: advocacy.House},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, ok := testData.Member(tt.id)
			if !ok {
				t.Fatalf("Member(%s) not found", tt.id)
			}
			if m.Name != tt.name || m.Party != tt.party || m.Caucus != tt.caucus || m.Role != tt.role ||
				m.State != tt.state || m.Chamber != tt.chamber || m.District != tt.district {
				t.Errorf("Member(%s) = %q %q caucus %q %q %s %s-%d; want %q %q caucus %q %q %s %s-%d", tt.id,
					m.Name, m.Party, m.Caucus, m.Role, m.Chamber, m.State, m.District,
					tt.name, tt.party, tt.caucus, tt.role, tt.chamber, tt.state, tt.district)
			}
			if got := len(m.Offices) == 0; got != tt.noOffices {
				t.Errorf("Member(%s) has %d offices; want none: %v", tt.id, len(m.Offices), tt.noOffices)
			}
			if m.NonVoting() != (tt.role == "Delegate" || tt.role == "Resident Commissioner") {
				t.Errorf("Member(%s).NonVoting() = %v", tt.id, m.NonVoting())
			}
		})
	}
}

func TestMemberContactFields(t *testing.T) {
	m, _ := testData.Member("N000002")
	if m.Phone != "202-225-5635" || m.URL != "https://nadler.house.gov" ||
		m.Address != "2132 Rayburn House Office Building Washington DC 20515-3212" {
		t.Errorf("N000002 contact = %q %q %q", m.Phone, m.URL, m.Address)
	}
	s, _ := testData.Member("C000127")
	if s.StateRank != "junior" || s.ContactForm != "https://www.cantwell.senate.gov/public/index.cfm/email-maria" {
		t.Errorf("C000127 rank %q contact form %q", s.StateRank, s.ContactForm)
	}
	a, _ := testData.Member("A000055")
	want := []advocacy.Office{
		{City: "Cullman", Address: "205 4th Ave. NE", Suite: "Suite 104", State: "AL", Zip: "35055", Phone: "256-734-6043"},
		{City: "Jasper", Address: "1710 Alabama Ave.", Suite: "247, Carl Elliott Building", State: "AL", Zip: "35501", Phone: "205-221-2310"},
	}
	if len(a.Offices) != 3 || !reflect.DeepEqual(a.Offices[:2], want) {
		t.Errorf("A000055 offices = %+v", a.Offices)
	}
	g, _ := testData.Member("G000607")
	if g.Phone != "" || g.URL != "" {
		t.Errorf("G000607 has phone %q url %q; the data has none", g.Phone, g.URL)
	}
}

func TestSocialAccounts(t *testing.T) {
	tests := []struct {
		id   string
		want []advocacy.SocialAccount
	}{
		{"R000600", []advocacy.SocialAccount{
			{Service: "x", Handle: "RepAmata", URL: "https://x.com/RepAmata"},
			{Service: "facebook", Handle: "aumuaamata", URL: "https://www.facebook.com/aumuaamata"},
			{Service: "youtube", Handle: "UCGdrLQbt1PYDTPsampx4t1A", URL: "https://www.youtube.com/channel/UCGdrLQbt1PYDTPsampx4t1A"},
		}},
		{"T000460", []advocacy.SocialAccount{
			{Service: "x", Handle: "RepThompson", URL: "https://x.com/RepThompson"},
			{Service: "facebook", Handle: "RepMikeThompson", URL: "https://www.facebook.com/RepMikeThompson"},
			{Service: "youtube", Handle: "CongressmanMThompson", URL: "https://www.youtube.com/channel/UC6pGbtqHZYZmScFGSz5bbdg"},
			{Service: "mastodon", Handle: "@repthompson@mastodon.social", URL: "https://mastodon.social/@repthompson"},
		}},
		{"B001305", []advocacy.SocialAccount{
			{Service: "x", Handle: "RepTedBudd", URL: "https://x.com/RepTedBudd"},
			{Service: "facebook", Handle: "RepTedBudd", URL: "https://www.facebook.com/RepTedBudd"},
			{Service: "youtube", Handle: "@sentedbudd", URL: "https://www.youtube.com/@sentedbudd"},
			{Service: "instagram", Handle: "sentedbudd", URL: "https://www.instagram.com/sentedbudd"},
		}},
		{"G000607", nil}, // no entry in the social file
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, _ := testData.Member(tt.id)
			if !reflect.DeepEqual(m.Social, tt.want) {
				t.Errorf("social = %+v\nwant %+v", m.Social, tt.want)
			}
		})
	}
}

func TestSocialFromHandles(t *testing.T) {
	var s socialYAML
	s.Social.Twitter = "@Rep_X"
	s.Social.Facebook = "bad handle/../x"
	s.Social.YouTube = "LegacyName"
	s.Social.Instagram = "javascript:alert(1)"
	s.Social.Mastodon = "@user@Example.ORG"
	want := []advocacy.SocialAccount{
		{Service: "x", Handle: "Rep_X", URL: "https://x.com/Rep_X"},
		{Service: "youtube", Handle: "LegacyName", URL: "https://www.youtube.com/user/LegacyName"},
		{Service: "mastodon", Handle: "@user@example.org", URL: "https://example.org/@user"},
	}
	got, skipped := socialFrom(s)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("socialFrom = %+v\nwant %+v", got, want)
	}
	// What is left out is reported, never dropped silently.
	wantSkipped := []string{`facebook "bad handle/../x"`, `instagram "javascript:alert(1)"`}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped = %q, want %q", skipped, wantSkipped)
	}
}

func TestRepairURL(t *testing.T) {
	tests := []struct {
		in, want string
		noted    bool
	}{
		{"https://a.house.gov", "https://a.house.gov", false},
		{" http://a.senate.gov/ ", "http://a.senate.gov/", false},
		{"", "", false},
		// Slips whose intent is certain are repaired, and noted.
		{"hhttps://fine.house.gov/contact", "https://fine.house.gov/contact", true},
		{"htps://a.house.gov", "https://a.house.gov", true},
		{"httpss://a.house.gov", "https://a.house.gov", true},
		{"HTTPS:/a.house.gov", "https://a.house.gov", true},
		{"hhttp://a.house.gov", "http://a.house.gov", true},
		{"https//a.senate.gov/x", "https://a.senate.gov/x", true},
		{"a.house.gov", "https://a.house.gov", true},
		{"www.senate.gov/contact", "https://www.senate.gov/contact", true},
		// Anything else is left out, and noted.
		{"javascript:alert(1)", "", true},
		{"mailto:rep@house.gov", "", true},
		{"example.com/contact", "", true},
		{"hxxps://a.house.gov", "", true},
		{"https://", "", true},
	}
	for _, tt := range tests {
		got, note := repairURL(tt.in)
		if got != tt.want || (note != "") != tt.noted {
			t.Errorf("repairURL(%q) = %q, %q; want %q, noted %v", tt.in, got, note, tt.want, tt.noted)
		}
	}
	if f, _ := testData.Member("F000484"); f.ContactForm != "https://fine.house.gov/address_authentication?form=/contact/email-me" {
		t.Errorf("F000484 contact form = %q, want the repaired link", f.ContactForm)
	}
}

func TestMembersAndSenators(t *testing.T) {
	ms := testData.Members()
	if len(ms) != 537 {
		t.Errorf("Members() has %d, want 537", len(ms))
	}
	if !slices.IsSortedFunc(ms, compareMembers) {
		t.Error("Members() is not sorted")
	}
	byState := map[string]int{}
	for _, m := range ms {
		byState[m.State]++
	}
	if got := testData.MembersByState(); !maps.Equal(got, byState) {
		t.Errorf("MembersByState() = %v, want the members counted by state: %v", got, byState)
	}
	if got := testData.MembersByState(); got["CA"] != 53 || got["DC"] != 1 {
		t.Errorf("MembersByState() gives CA %d and DC %d, want 53 (the House seats the test data fills, and 2 senators) and 1 (the delegate)", got["CA"], got["DC"])
	}
	// The answer is the caller's own: changing it changes nothing kept.
	testData.MembersByState()["CA"] = 0
	if got := testData.MembersByState()["CA"]; got != 53 {
		t.Errorf("after a caller changed its copy, MembersByState()[CA] = %d, want 53", got)
	}
	tests := []struct {
		state string
		want  []string
	}{
		{"ME", []string{"C001035", "K000383"}}, // senior first
		{"CA", []string{"P000145", "S001150"}},
		{"VT", []string{"S000033", "W000800"}},
		{"DC", []string{}},
		{"PR", []string{}},
		{"ZZ", []string{}},
	}
	for _, tt := range tests {
		got := testData.Senators(tt.state)
		if got == nil {
			t.Errorf("Senators(%s) is nil, want an empty slice", tt.state)
		}
		ids := []string{}
		for _, m := range got {
			ids = append(ids, m.BioguideID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Senators(%s) = %v, want %v", tt.state, ids, tt.want)
		}
	}
	if m, ok := testData.Member(" k000401 "); !ok || m.BioguideID != "K000401" {
		t.Errorf("Member is not forgiving about case and spaces: %v %v", m.BioguideID, ok)
	}
	if _, ok := testData.Member("X000000"); ok {
		t.Error("Member(X000000) found")
	}
	// Callers get copies.
	m, _ := testData.Member("A000055")
	m.Offices[0].City = "changed"
	if again, _ := testData.Member("A000055"); again.Offices[0].City != "Cullman" {
		t.Error("changing a returned member changed the index")
	}
}

// partyFromLastTerm finds the members whose party differs between their
// first and last terms in the raw YAML, and checks the last one is used.
func partyFromLastTerm(t *testing.T, full []legislatorYAML) {
	var changed []string
	for _, p := range full {
		first, last := p.Terms[0], p.Terms[len(p.Terms)-1]
		m, ok := testData.Member(p.ID.Bioguide)
		if !ok {
			t.Errorf("%s is in the YAML but not loaded", p.ID.Bioguide)
			continue
		}
		if m.Party != last.Party {
			t.Errorf("%s party = %q, want last term's %q", p.ID.Bioguide, m.Party, last.Party)
		}
		wantCaucus := ""
		if last.Caucus != last.Party {
			wantCaucus = last.Caucus
		}
		if m.Caucus != wantCaucus {
			t.Errorf("%s caucus = %q, want %q", p.ID.Bioguide, m.Caucus, wantCaucus)
		}
		if first.Party != last.Party {
			changed = append(changed, p.ID.Bioguide)
		}
	}
	if want := []string{"K000401"}; !slices.Equal(changed, want) {
		t.Errorf("members whose party changed = %v, want %v", changed, want)
	}
}
