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

// role names the member's office as the Capitol does.
func role(chamber advocacy.Chamber, state string) string {
	switch {
	case chamber == advocacy.Senate:
		return "Senator"
	case state == "PR":
		return "Resident Commissioner"
	case advocacy.IsTerritory(state):
		return "Delegate"
	default:
		return "Representative"
	}
}

// memberFromYAML turns one person into a Member using their last term, which
// is the current one in legislators-current.yaml. Values it had to repair or
// leave out are described in quirks, for the data check.
func memberFromYAML(l legislatorYAML) (m advocacy.Member, quirks []string, err error) {
	id := strings.TrimSpace(l.ID.Bioguide)
	if id == "" {
		return advocacy.Member{}, nil, fmt.Errorf("legislator without a bioguide id (%s %s)", l.Name.First, l.Name.Last)
	}
	if len(l.Terms) == 0 {
		return advocacy.Member{}, nil, fmt.Errorf("legislator %s has no terms", id)
	}
	t := l.Terms[len(l.Terms)-1]
	m = advocacy.Member{
		BioguideID: id,
		Name:       strings.TrimSpace(l.Name.OfficialFull),
		FirstName:  strings.TrimSpace(l.Name.First),
		LastName:   strings.TrimSpace(l.Name.Last),
		Party:      t.Party,
		State:      strings.ToUpper(strings.TrimSpace(t.State)),
		StateRank:  t.StateRank,
		Phone:      strings.TrimSpace(t.Phone),
		Address:    strings.TrimSpace(t.Address),
		TermStart:  strings.TrimSpace(t.Start),
		TermEnd:    strings.TrimSpace(t.End),
	}
	if m.Name == "" {
		// New members appear before the upstream data has their official name.
		m.Name = strings.TrimSpace(m.FirstName + " " + m.LastName)
		if s := strings.TrimSpace(l.Name.Suffix); s != "" {
			m.Name += " " + s
		}
	}
	who := fmt.Sprintf("member %s (%s)", id, m.Name)
	var note string
	if m.URL, note = repairURL(t.URL); note != "" {
		quirks = append(quirks, who+": url "+note)
	}
	if m.ContactForm, note = repairURL(t.ContactForm); note != "" {
		quirks = append(quirks, who+": contact_form "+note)
	}
	if _, ok := advocacy.TermEndsAt(m.TermEnd); !ok {
		quirks = append(quirks, fmt.Sprintf("%s: the current term's end %q is not a date; the member is shown as current", who, t.End))
	} else if m.TermStart > m.TermEnd {
		quirks = append(quirks, fmt.Sprintf("%s: the current term starts (%s) after it ends (%s)", who, m.TermStart, m.TermEnd))
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
			return advocacy.Member{}, nil, fmt.Errorf("senator %s: election class %d (want 1, 2 or 3)", id, t.Class)
		}
		m.Class = t.Class
	case "rep":
		m.Chamber = advocacy.House
		if t.District == nil {
			return advocacy.Member{}, nil, fmt.Errorf("representative %s has no district", id)
		}
		m.District = *t.District
	default:
		return advocacy.Member{}, nil, fmt.Errorf("legislator %s: unknown term type %q", id, t.Type)
	}
	if len(m.State) != 2 {
		return advocacy.Member{}, nil, fmt.Errorf("legislator %s: bad state %q", id, t.State)
	}
	m.Role = role(m.Chamber, m.State)
	return m, quirks, nil
}

// repairURL returns s as an http or https link, so that a stray scheme in
// the data never becomes a link on a page. A slip whose intent is
// certain is repaired: a scheme with a letter doubled or dropped
// ("hhttps://", "htps://"), a missing colon or slash ("https//",
// "https:/"), or a bare address of a .gov site ("www.house.gov/..."). Anything
// else that is not a web link (another scheme, no host) is left out. note
// says what was repaired or left out, and is empty when s was fine or empty.
func repairURL(s string) (fixed, note string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if isWebURL(s) {
		return s, ""
	}
	candidate := ""
	if scheme, rest, ok := strings.Cut(s, ":"); ok && isLetters(scheme) {
		switch squeeze(strings.ToLower(scheme)) {
		case "htps":
			candidate = "https://" + strings.TrimLeft(rest, "/")
		case "htp":
			candidate = "http://" + strings.TrimLeft(rest, "/")
		}
	} else {
		lower := strings.ToLower(s)
		switch {
		case strings.HasPrefix(lower, "https//"):
			candidate = "https://" + s[len("https//"):]
		case strings.HasPrefix(lower, "http//"):
			candidate = "http://" + s[len("http//"):]
		case !strings.ContainsAny(s, " :"):
			host, _, _ := strings.Cut(s, "/")
			if strings.HasSuffix(strings.ToLower(host), ".gov") && strings.Contains(host, ".") {
				candidate = "https://" + s
			}
		}
	}
	if candidate != "" && isWebURL(candidate) {
		return candidate, fmt.Sprintf("%q repaired to %q", s, candidate)
	}
	return "", fmt.Sprintf("%q is not a web address; it is not shown", s)
}

// isWebURL reports whether s is an absolute http or https URL with a host.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(u.Host, " \t")
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// squeeze collapses runs of the same letter: "hhttps" becomes "htps".
func squeeze(s string) string {
	var b strings.Builder
	var last rune
	for i, r := range s {
		if i == 0 || r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
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
// a fixed order: x, facebook, youtube, instagram, mastodon. skipped names the
// values that are not handles of their service and are left out.
func socialFrom(s socialYAML) (out []advocacy.SocialAccount, skipped []string) {
	add := func(service, handle, link string) {
		out = append(out, advocacy.SocialAccount{Service: service, Handle: handle, URL: link})
	}
	skip := func(key, v string) {
		if strings.TrimSpace(v) != "" {
			skipped = append(skipped, fmt.Sprintf("%s %q", key, v))
		}
	}
	if h := strings.TrimPrefix(strings.TrimSpace(s.Social.Twitter), "@"); validHandle(h) {
		add("x", h, "https://x.com/"+h)
	} else {
		skip("twitter", s.Social.Twitter)
	}
	if h := strings.TrimSpace(s.Social.Facebook); validHandle(h) {
		add("facebook", h, "https://www.facebook.com/"+h)
	} else {
		skip("facebook", s.Social.Facebook)
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
	default:
		skip("youtube", yt)
		skip("youtube_id", ytID)
	}
	if h := strings.TrimPrefix(strings.TrimSpace(s.Social.Instagram), "@"); validHandle(h) {
		add("instagram", h, "https://www.instagram.com/"+h)
	} else {
		skip("instagram", s.Social.Instagram)
	}
	if user, host, ok := mastodonAccount(strings.TrimSpace(s.Social.Mastodon)); ok {
		add("mastodon", "@"+user+"@"+host, "https://"+host+"/@"+user)
	} else {
		skip("mastodon", s.Social.Mastodon)
	}
	return out, skipped
}

// memberNotes are facts about the members files that the data check
// reports: nothing in them stops the data from loading.
type memberNotes struct {
	noOfficialName []string // bioguide ids
	// quirks are values repaired or left out, and entries that match no
	// current member, each described for a person.
	quirks []string
}

// LoadMembers reads only the current members from a reference data folder
// (or the built-in copy), sorted by state, senators first: for tools and
// tests that need no lookups.
func LoadMembers(fsys fs.FS) ([]advocacy.Member, error) {
	ms, _, err := loadMembers(fsys)
	return ms, err
}

// loadMembers parses the three legislators files and returns the current
// members sorted by compareMembers, with notes for the data check.
func loadMembers(fsys fs.FS) ([]advocacy.Member, memberNotes, error) {
	people, err := decodeYAMLList[legislatorYAML](fsys, fileLegislators, pruneLegislator)
	if err != nil {
		return nil, memberNotes{}, err
	}
	offices, err := decodeYAMLList[officesYAML](fsys, fileOffices, pruneOffices)
	if err != nil {
		return nil, memberNotes{}, err
	}
	social, err := decodeYAMLList[socialYAML](fsys, fileSocial, pruneSocial)
	if err != nil {
		return nil, memberNotes{}, err
	}
	return buildMembers(people, offices, social)
}

func buildMembers(people []legislatorYAML, offices []officesYAML, social []socialYAML) ([]advocacy.Member, memberNotes, error) {
	var notes memberNotes
	officeBy := make(map[string][]advocacy.Office, len(offices))
	for _, o := range offices {
		officeBy[o.ID.Bioguide] = officesFrom(o)
	}
	socialBy := make(map[string][]advocacy.SocialAccount, len(social))
	skippedBy := make(map[string][]string)
	for _, s := range social {
		socialBy[s.ID.Bioguide], skippedBy[s.ID.Bioguide] = socialFrom(s)
	}
	members := make([]advocacy.Member, 0, len(people))
	seen := make(map[string]bool, len(people))
	for _, p := range people {
		m, quirks, err := memberFromYAML(p)
		if err != nil {
			return nil, memberNotes{}, fmt.Errorf("parse %s: %w", fileLegislators, err)
		}
		if seen[m.BioguideID] {
			return nil, memberNotes{}, fmt.Errorf("parse %s: duplicate bioguide id %s", fileLegislators, m.BioguideID)
		}
		if strings.TrimSpace(p.Name.OfficialFull) == "" {
			notes.noOfficialName = append(notes.noOfficialName, m.BioguideID)
		}
		notes.quirks = append(notes.quirks, quirks...)
		for _, sk := range skippedBy[m.BioguideID] {
			notes.quirks = append(notes.quirks, fmt.Sprintf("member %s (%s): social %s is not a valid account name; it is not shown", m.BioguideID, m.Name, sk))
		}
		seen[m.BioguideID] = true
		if o := officeBy[m.BioguideID]; len(o) > 0 {
			m.Offices = o
			for _, f := range o {
				if f.Address == "" {
					notes.quirks = append(notes.quirks, fmt.Sprintf("member %s (%s): the office in %s has no street address", m.BioguideID, m.Name, f.City))
				}
			}
		}
		m.Social = socialBy[m.BioguideID]
		members = append(members, m)
	}
	for _, o := range offices {
		if !seen[o.ID.Bioguide] {
			notes.quirks = append(notes.quirks, fmt.Sprintf("%s lists offices for %s, who is not a current member; they are not used", fileOffices, o.ID.Bioguide))
		}
	}
	for _, s := range social {
		if !seen[s.ID.Bioguide] {
			notes.quirks = append(notes.quirks, fmt.Sprintf("%s lists accounts for %s, who is not a current member; they are not used", fileSocial, s.ID.Bioguide))
		}
	}
	slices.SortFunc(members, compareMembers)
	return members, notes, nil
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
