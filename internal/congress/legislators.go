package congress

import (
	"cmp"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// File names inside a reference data folder.
const (
	fileLegislators = "legislators-current.yaml"
	fileOffices     = "legislators-district-offices.yaml"
	fileSocial      = "legislators-social-media.yaml"
	fileCandidates  = "zip_cd119_candidates.csv"
	fileUSZips      = "uszips.csv"
	fileBoundaries  = "us-congressional-districts-119.topojson"
	fileShapes      = "cd119_simplified10.topojson"
	fileStates      = "us_states_cd119_simplified10.topojson"
	fileStateFIPS   = "state_fips.csv"
	fileVersion     = "VERSION"
)

// The structs below name only the YAML keys the app uses, so the decoder
// skips everything else (ids of other systems, bios, old terms' details).

type legislatorYAML struct {
	ID struct {
		Bioguide string `yaml:"bioguide"`
	} `yaml:"id"`
	Name struct {
		First        string `yaml:"first"`
		Last         string `yaml:"last"`
		Suffix       string `yaml:"suffix"`
		OfficialFull string `yaml:"official_full"`
	} `yaml:"name"`
	Terms []termYAML `yaml:"terms"`
}

type termYAML struct {
	Type        string `yaml:"type"`
	Start       string `yaml:"start"`
	End         string `yaml:"end"`
	State       string `yaml:"state"`
	District    *int   `yaml:"district"`
	Party       string `yaml:"party"`
	Caucus      string `yaml:"caucus"`
	StateRank   string `yaml:"state_rank"`
	Class       int    `yaml:"class"`
	URL         string `yaml:"url"`
	Address     string `yaml:"address"`
	Office      string `yaml:"office"`
	Phone       string `yaml:"phone"`
	ContactForm string `yaml:"contact_form"`
}

type officesYAML struct {
	ID struct {
		Bioguide string `yaml:"bioguide"`
	} `yaml:"id"`
	Offices []struct {
		Address  string `yaml:"address"`
		Suite    string `yaml:"suite"`
		Building string `yaml:"building"`
		City     string `yaml:"city"`
		State    string `yaml:"state"`
		Zip      string `yaml:"zip"`
		Phone    string `yaml:"phone"`
	} `yaml:"offices"`
}

type socialYAML struct {
	ID struct {
		Bioguide string `yaml:"bioguide"`
	} `yaml:"id"`
	Social struct {
		Twitter   string `yaml:"twitter"`
		Facebook  string `yaml:"facebook"`
		YouTube   string `yaml:"youtube"`
		YouTubeID string `yaml:"youtube_id"`
		Instagram string `yaml:"instagram"`
		Mastodon  string `yaml:"mastodon"`
	} `yaml:"social"`
}

// IsTerritory reports whether the postal code is DC or a territory (PR, GU,
// VI, AS, MP): a non-voting House member and no senators.
func IsTerritory(state string) bool {
	switch state {
	case "DC", "PR", "GU", "VI", "AS", "MP":
		return true
	}
	return false
}

// role names the member's office as the Capitol does.
func role(chamber advocacy.Chamber, state string) string {
	switch {
	case chamber == advocacy.Senate:
		return "Senator"
	case state == "PR":
		return "Resident Commissioner"
	case IsTerritory(state):
		return "Delegate"
	default:
		return "Representative"
	}
}

// memberFromYAML turns one person into a Member using their last term, which
// is the current one in legislators-current.yaml.
func memberFromYAML(l legislatorYAML) (advocacy.Member, error) {
	id := strings.TrimSpace(l.ID.Bioguide)
	if id == "" {
		return advocacy.Member{}, fmt.Errorf("legislator without a bioguide id (%s %s)", l.Name.First, l.Name.Last)
	}
	if len(l.Terms) == 0 {
		return advocacy.Member{}, fmt.Errorf("legislator %s has no terms", id)
	}
	t := l.Terms[len(l.Terms)-1]
	m := advocacy.Member{
		BioguideID:  id,
		Name:        strings.TrimSpace(l.Name.OfficialFull),
		FirstName:   strings.TrimSpace(l.Name.First),
		LastName:    strings.TrimSpace(l.Name.Last),
		Party:       t.Party,
		State:       strings.ToUpper(strings.TrimSpace(t.State)),
		StateRank:   t.StateRank,
		Phone:       strings.TrimSpace(t.Phone),
		URL:         webURL(t.URL),
		ContactForm: webURL(t.ContactForm),
		Address:     strings.TrimSpace(t.Address),
	}
	if m.Name == "" {
		// New members appear before the upstream data has their official name.
		m.Name = strings.TrimSpace(m.FirstName + " " + m.LastName)
		if s := strings.TrimSpace(l.Name.Suffix); s != "" {
			m.Name += " " + s
		}
	}
	if m.Address == "" {
		m.Address = strings.TrimSpace(t.Office)
	}
	if t.Caucus != "" && t.Caucus != t.Party {
		m.Caucus = t.Caucus
	}
	switch t.Type {
	case "sen":
		m.Chamber = advocacy.Senate
		if t.Class < 0 || t.Class > 3 {
			return advocacy.Member{}, fmt.Errorf("senator %s: election class %d (want 1, 2 or 3)", id, t.Class)
		}
		m.Class = t.Class
	case "rep":
		m.Chamber = advocacy.House
		if t.District == nil {
			return advocacy.Member{}, fmt.Errorf("representative %s has no district", id)
		}
		m.District = *t.District
	default:
		return advocacy.Member{}, fmt.Errorf("legislator %s: unknown term type %q", id, t.Type)
	}
	if len(m.State) != 2 {
		return advocacy.Member{}, fmt.Errorf("legislator %s: bad state %q", id, t.State)
	}
	m.Role = role(m.Chamber, m.State)
	return m, nil
}

// webURL keeps only http and https links, so a stray scheme in the data can
// never become a link on a page.
func webURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return s
}

// officesFrom converts one member's district offices.
func officesFrom(o officesYAML) []advocacy.Office {
	out := make([]advocacy.Office, 0, len(o.Offices))
	for _, f := range o.Offices {
		suite := strings.TrimSpace(f.Suite)
		if b := strings.TrimSpace(f.Building); b != "" {
			if suite != "" {
				suite += ", " + b
			} else {
				suite = b
			}
		}
		out = append(out, advocacy.Office{
			City:    strings.TrimSpace(f.City),
			Address: strings.TrimSpace(f.Address),
			Suite:   suite,
			State:   strings.TrimSpace(f.State),
			Zip:     strings.TrimSpace(f.Zip),
			Phone:   strings.TrimSpace(f.Phone),
		})
	}
	return out
}

// validHandle reports whether s is a plain user name of the kind the social
// services allow; anything else in the data is skipped rather than escaped
// into a link.
func validHandle(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !isAlnum(r) && r != '_' && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// mastodonAccount splits "@user@host" into its parts; ok is false unless both
// look like a user name and a domain name.
func mastodonAccount(s string) (user, host string, ok bool) {
	user, host, found := strings.Cut(strings.TrimPrefix(s, "@"), "@")
	if !found || user == "" || len(user) > 64 || host == "" || len(host) > 253 {
		return "", "", false
	}
	for _, r := range user {
		if !isAlnum(r) && r != '_' {
			return "", "", false
		}
	}
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", "", false
	}
	for _, r := range host {
		if !isAlnum(r) && r != '.' && r != '-' {
			return "", "", false
		}
	}
	return user, strings.ToLower(host), true
}

// socialFrom builds the accounts with https links made from the handles, in
// a fixed order: x, facebook, youtube, instagram, mastodon.
func socialFrom(s socialYAML) []advocacy.SocialAccount {
	var out []advocacy.SocialAccount
	add := func(service, handle, link string) {
		out = append(out, advocacy.SocialAccount{Service: service, Handle: handle, URL: link})
	}
	if h := strings.TrimPrefix(strings.TrimSpace(s.Social.Twitter), "@"); validHandle(h) {
		add("x", h, "https://x.com/"+h)
	}
	if h := strings.TrimSpace(s.Social.Facebook); validHandle(h) {
		add("facebook", h, "https://www.facebook.com/"+h)
	}
	yt, ytID := strings.TrimSpace(s.Social.YouTube), strings.TrimSpace(s.Social.YouTubeID)
	switch {
	case strings.HasPrefix(yt, "@") && validHandle(yt[1:]):
		add("youtube", yt, "https://www.youtube.com/"+yt)
	case validHandle(ytID):
		// The channel id is the stable address; show the name when known.
		h := ytID
		if validHandle(yt) {
			h = yt
		}
		add("youtube", h, "https://www.youtube.com/channel/"+ytID)
	case validHandle(yt):
		add("youtube", yt, "https://www.youtube.com/user/"+yt)
	}
	if h := strings.TrimPrefix(strings.TrimSpace(s.Social.Instagram), "@"); validHandle(h) {
		add("instagram", h, "https://www.instagram.com/"+h)
	}
	if user, host, ok := mastodonAccount(strings.TrimSpace(s.Social.Mastodon)); ok {
		add("mastodon", "@"+user+"@"+host, "https://"+host+"/@"+user)
	}
	return out
}

// LoadMembers reads only the current members from a reference data folder
// (or the built-in copy), sorted by state, senators first: for tools and
// tests that need no lookups.
func LoadMembers(fsys fs.FS) ([]advocacy.Member, error) {
	ms, _, err := loadMembers(fsys)
	return ms, err
}

// loadMembers parses the three legislators files and returns the current
// members sorted by compareMembers, with the ids of those who have no
// official name in the data.
func loadMembers(fsys fs.FS) ([]advocacy.Member, []string, error) {
	people, err := decodeYAMLList[legislatorYAML](fsys, fileLegislators, pruneLegislator)
	if err != nil {
		return nil, nil, err
	}
	offices, err := decodeYAMLList[officesYAML](fsys, fileOffices, pruneOffices)
	if err != nil {
		return nil, nil, err
	}
	social, err := decodeYAMLList[socialYAML](fsys, fileSocial, pruneSocial)
	if err != nil {
		return nil, nil, err
	}
	return buildMembers(people, offices, social)
}

func buildMembers(people []legislatorYAML, offices []officesYAML, social []socialYAML) ([]advocacy.Member, []string, error) {
	officeBy := make(map[string][]advocacy.Office, len(offices))
	for _, o := range offices {
		officeBy[o.ID.Bioguide] = officesFrom(o)
	}
	socialBy := make(map[string][]advocacy.SocialAccount, len(social))
	for _, s := range social {
		socialBy[s.ID.Bioguide] = socialFrom(s)
	}
	members := make([]advocacy.Member, 0, len(people))
	seen := make(map[string]bool, len(people))
	var noName []string
	for _, p := range people {
		m, err := memberFromYAML(p)
		if err != nil {
			return nil, nil, fmt.Errorf("parse %s: %w", fileLegislators, err)
		}
		if seen[m.BioguideID] {
			return nil, nil, fmt.Errorf("parse %s: duplicate bioguide id %s", fileLegislators, m.BioguideID)
		}
		if strings.TrimSpace(p.Name.OfficialFull) == "" {
			noName = append(noName, m.BioguideID)
		}
		seen[m.BioguideID] = true
		if o := officeBy[m.BioguideID]; len(o) > 0 {
			m.Offices = o
		}
		m.Social = socialBy[m.BioguideID]
		members = append(members, m)
	}
	slices.SortFunc(members, compareMembers)
	return members, noName, nil
}

// compareMembers orders by state, then senators (senior first) before House
// members, then district, then name.
func compareMembers(a, b advocacy.Member) int {
	if c := cmp.Compare(a.State, b.State); c != 0 {
		return c
	}
	if a.Chamber != b.Chamber {
		if a.Chamber == advocacy.Senate {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(rankOrder(a.StateRank), rankOrder(b.StateRank)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.District, b.District); c != 0 {
		return c
	}
	if c := cmp.Compare(a.LastName, b.LastName); c != 0 {
		return c
	}
	return cmp.Compare(a.BioguideID, b.BioguideID)
}

func rankOrder(r string) int {
	switch r {
	case "senior":
		return 0
	case "junior":
		return 1
	}
	return 2
}
