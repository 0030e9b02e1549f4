package advocacy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CosponsorFile is a bill's cosponsor list as read from a Congress.gov API
// v3 "bill cosponsors" answer (GET /v3/bill/{congress}/{type}/{number}/cosponsors).
type CosponsorFile struct {
	// Bill is the file's bill ID ("hr5917-119") when the file names it.
	Bill       string
	Cosponsors []Cosponsor
}

// congressGovCosponsors names only the fields the import reads.
type congressGovCosponsors struct {
	Cosponsors *[]struct {
		BioguideID               string `json:"bioguideId"`
		SponsorshipDate          string `json:"sponsorshipDate"`
		IsOriginalCosponsor      *bool  `json:"isOriginalCosponsor"`
		SponsorshipWithdrawnDate string `json:"sponsorshipWithdrawnDate"`
	} `json:"cosponsors"`
	Pagination struct {
		// Count excludes withdrawn cosponsors; the other count includes
		// them. Some answers say total instead.
		Count                   *int   `json:"count"`
		CountIncludingWithdrawn *int   `json:"countIncludingWithdrawnCosponsors"`
		Total                   *int   `json:"total"`
		Next                    string `json:"next"`
	} `json:"pagination"`
	Request struct {
		BillNumber string `json:"billNumber"`
		BillType   string `json:"billType"`
		Congress   string `json:"congress"`
	} `json:"request"`
}

var bioguidePattern = regexp.MustCompile(`^[A-Z][0-9]{6}$`)

// ValidBioguideID reports whether s has the shape of a bioguide ID (a
// capital letter and six digits).
func ValidBioguideID(s string) bool { return bioguidePattern.MatchString(s) }

// maxCosponsorFile bounds what the import reads: a full list of the House
// is a few hundred kilobytes.
const maxCosponsorFile = 8 << 20

// CosponsorPage is one page of a Congress.gov bill-cosponsors answer: the
// API gives at most 250 cosponsors a page and links to the next.
type CosponsorPage struct {
	// Bill is the page's bill ID ("hr5917-119") when the page names it.
	Bill       string
	Cosponsors []Cosponsor
	// All is how many cosponsors the whole list holds, withdrawn ones
	// included (countIncludingWithdrawnCosponsors, or total); Active is the
	// count of those not withdrawn (count). -1 when the page does not say.
	All, Active int
	// Next is the address of the next page; empty on the last.
	Next string
}

// ParseCosponsorFile reads a bill's whole cosponsor list from Congress.gov
// bill-cosponsors JSON: one answer, or every page of a longer list (see
// ParseCosponsorPages and MergeCosponsorPages). Every problem is an invalid
// *Error that names the page and entry.
func ParseCosponsorFile(r io.Reader) (CosponsorFile, error) {
	pages, err := ParseCosponsorPages(r)
	if err != nil {
		return CosponsorFile{}, err
	}
	return MergeCosponsorPages(pages)
}

// ParseCosponsorFiles reads the pages in several files (one or more pages
// each) and merges them into the bill's whole list.
func ParseCosponsorFiles(files ...io.Reader) (CosponsorFile, error) {
	var pages []CosponsorPage
	for i, f := range files {
		ps, err := ParseCosponsorPages(f)
		if err != nil {
			if len(files) > 1 {
				return CosponsorFile{}, prefixInvalid(fmt.Sprintf("File %d: ", i+1), err)
			}
			return CosponsorFile{}, err
		}
		pages = append(pages, ps...)
	}
	return MergeCosponsorPages(pages)
}

// prefixInvalid puts where before an invalid error's message.
func prefixInvalid(where string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeInvalid {
		return Invalid("file", where+e.Fields["file"])
	}
	return err
}

// ParseCosponsorPages reads one or more Congress.gov bill-cosponsors
// answers from r: a single answer, several one after another (as
// "cat page1.json page2.json" writes them), or a JSON array of answers.
func ParseCosponsorPages(r io.Reader) ([]CosponsorPage, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxCosponsorFile+1))
	if err != nil {
		return nil, fmt.Errorf("read cosponsor file: %w", err)
	}
	if len(body) > maxCosponsorFile {
		return nil, Invalid("file", "The cosponsor file is larger than 8 MB; it is not a Congress.gov cosponsor list.")
	}
	var raws []json.RawMessage
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, Invalid("file", "The cosponsor file is not valid JSON: "+jsonProblem(err)+".")
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(body))
		for {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if errors.Is(err, io.EOF) && len(raws) > 0 {
				break
			}
			if err != nil {
				return nil, Invalid("file", "The cosponsor file is not valid JSON: "+jsonProblem(err)+".")
			}
			raws = append(raws, raw)
		}
	}
	if len(raws) == 0 {
		return nil, Invalid("file", "The cosponsor file holds no pages.")
	}
	pages := make([]CosponsorPage, 0, len(raws))
	for i, raw := range raws {
		p, err := ParseCosponsorPage(raw)
		if err != nil {
			if len(raws) > 1 {
				return nil, prefixInvalid(fmt.Sprintf("Page %d: ", i+1), err)
			}
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// ParseCosponsorPage reads one page: one Congress.gov bill-cosponsors JSON
// answer. It refuses one that lacks the cosponsors list, repeats a member,
// or has a malformed ID or date.
func ParseCosponsorPage(body []byte) (CosponsorPage, error) {
	var doc congressGovCosponsors
	if err := json.Unmarshal(body, &doc); err != nil {
		return CosponsorPage{}, Invalid("file", "The cosponsor file is not valid JSON: "+jsonProblem(err)+".")
	}
	if doc.Cosponsors == nil {
		return CosponsorPage{}, Invalid("file", `The cosponsor file has no "cosponsors" list; download it from the Congress.gov API (bill cosponsors, JSON).`)
	}
	list := *doc.Cosponsors
	out := CosponsorPage{Cosponsors: make([]Cosponsor, 0, len(list)), All: -1, Active: -1, Next: strings.TrimSpace(doc.Pagination.Next)}
	switch {
	case doc.Pagination.CountIncludingWithdrawn != nil:
		out.All = *doc.Pagination.CountIncludingWithdrawn
	case doc.Pagination.Total != nil:
		out.All = *doc.Pagination.Total
	}
	if doc.Pagination.Count != nil {
		out.Active = *doc.Pagination.Count
	}
	if doc.Request.BillType != "" || doc.Request.BillNumber != "" || doc.Request.Congress != "" {
		n, nerr := strconv.Atoi(doc.Request.BillNumber)
		c, cerr := strconv.Atoi(doc.Request.Congress)
		if nerr != nil || cerr != nil {
			return CosponsorPage{}, Invalid("file", "The cosponsor file's request names no valid bill number and Congress.")
		}
		out.Bill = BillID(strings.ToLower(doc.Request.BillType), n, c)
	}
	seen := map[string]bool{}
	for i, e := range list {
		where := fmt.Sprintf("cosponsor %d", i+1)
		id := strings.TrimSpace(e.BioguideID)
		if !ValidBioguideID(id) {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has a bioguide ID %q that is not a letter and six digits.", where, e.BioguideID))
		}
		where += " (" + id + ")"
		if seen[id] {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file lists %s more than once.", id))
		}
		seen[id] = true
		joined, err := parseAPIDate(e.SponsorshipDate)
		if err != nil || joined.IsZero() {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has no valid sponsorshipDate (%q).", where, e.SponsorshipDate))
		}
		if e.IsOriginalCosponsor == nil {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s lacks isOriginalCosponsor.", where))
		}
		withdrawn, err := parseAPIDate(e.SponsorshipWithdrawnDate)
		if err != nil {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has a malformed sponsorshipWithdrawnDate (%q).", where, e.SponsorshipWithdrawnDate))
		}
		if !withdrawn.IsZero() && withdrawn.Before(joined) {
			return CosponsorPage{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s withdrew before joining.", where))
		}
		out.Cosponsors = append(out.Cosponsors, Cosponsor{
			BioguideID:  id,
			JoinedOn:    joined,
			Original:    *e.IsOriginalCosponsor,
			WithdrawnOn: withdrawn,
		})
	}
	return out, nil
}

// MergeCosponsorPages joins the pages of one bill's cosponsor list, in any
// order, into the whole list. It refuses pages of different bills, pages
// that overlap (a member on two pages), and a list with pages missing: fewer
// cosponsors than the pages' counts say, or, when the pages give no count,
// more than one page without a next page.
func MergeCosponsorPages(pages []CosponsorPage) (CosponsorFile, error) {
	if len(pages) == 0 {
		return CosponsorFile{}, Invalid("file", "The cosponsor file holds no pages.")
	}
	var out CosponsorFile
	where := map[string]int{}
	all, active, last := -1, -1, 0
	for i, p := range pages {
		if p.Bill != "" {
			if out.Bill != "" && out.Bill != p.Bill {
				return CosponsorFile{}, Invalid("file", fmt.Sprintf("The pages are of different bills (%s and %s).", out.Bill, p.Bill))
			}
			out.Bill = p.Bill
		}
		for _, c := range p.Cosponsors {
			if j, dup := where[c.BioguideID]; dup {
				return CosponsorFile{}, Invalid("file", fmt.Sprintf("The pages overlap: %s is on page %d and page %d.", c.BioguideID, j+1, i+1))
			}
			where[c.BioguideID] = i
			out.Cosponsors = append(out.Cosponsors, c)
		}
		all, active = max(all, p.All), max(active, p.Active)
		if p.Next == "" {
			last++
		}
	}
	got := len(out.Cosponsors)
	missing := false
	switch {
	case all >= 0:
		if got > all {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The pages list %d cosponsors, more than the %d they say the bill has.", got, all))
		}
		missing = got < all
	case active >= 0:
		// Whether count leaves withdrawn cosponsors out or not, a whole
		// list holds at least that many.
		missing = got < active
	default:
		missing = last != 1
	}
	if missing || last == 0 {
		total := max(all, active)
		if len(pages) == 1 {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf(
				"The cosponsor file holds only one page (%d of %d cosponsors). Download every page (limit=250, then each pagination.next) and import them together.", got, max(total, got)))
		}
		return CosponsorFile{}, Invalid("file", fmt.Sprintf(
			"The %d pages hold %d of %d cosponsors: a page is missing. Download every page (pagination.next) and import them together.", len(pages), got, max(total, got)))
	}
	return out, nil
}

// parseAPIDate reads "2025-11-04", or a timestamp that starts with one. An
// empty string is the zero time.
func parseAPIDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > len(DateLayout) && s[len(DateLayout)] == 'T' {
		s = s[:len(DateLayout)]
	}
	return time.Parse(DateLayout, s)
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%q should be %s, not %s", te.Field, te.Type, te.Value)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends too early"
	}
	return err.Error()
}

// CheckCosponsors checks an imported list against bill b before it is
// stored: every member must be known (known reports whether a bioguide ID
// is a member in the reference data), in b's chamber, and not b's sponsor.
// chamberOf gives a known member's chamber.
func CheckCosponsors(b Bill, f CosponsorFile, chamberOf func(bioguide string) (Chamber, bool)) error {
	if f.Bill != "" && f.Bill != b.ID {
		return Invalid("bill", fmt.Sprintf("The cosponsor file is for %s, not %s.", f.Bill, b.ID))
	}
	var unknown []string
	for _, c := range f.Cosponsors {
		ch, ok := chamberOf(c.BioguideID)
		if !ok {
			unknown = append(unknown, c.BioguideID)
			continue
		}
		if c.BioguideID == b.SponsorID {
			return Invalid("file", fmt.Sprintf("%s is the sponsor of %s, not a cosponsor.", c.BioguideID, b.Label()))
		}
		if ch != b.Chamber {
			return Invalid("file", fmt.Sprintf("%s is not a member of the %s, so cannot cosponsor %s.", c.BioguideID, chamberName(b.Chamber), b.Label()))
		}
	}
	if len(unknown) > 0 {
		return Invalid("file", fmt.Sprintf("Unknown bioguide %s in the cosponsor file: %s. They are not members in the reference data; check the file is for the current Congress.",
			plural(len(unknown), "ID", "IDs"), strings.Join(unknown, ", ")))
	}
	return nil
}

func chamberName(c Chamber) string {
	if c == Senate {
		return "Senate"
	}
	return "House"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ImportResult says what an import changed.
type ImportResult struct {
	Bill      string
	InFile    int
	Added     int
	Changed   int // joined date or original flag corrected
	Withdrawn int // newly recorded withdrawals
	Removed   int // rows not in the (complete) file any more
	Unchanged int
	AsOf      time.Time
}

// NoChange reports whether the import left every cosponsor row as it was.
func (r ImportResult) NoChange() bool {
	return r.Added == 0 && r.Changed == 0 && r.Withdrawn == 0 && r.Removed == 0
}
