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
		// Count excludes withdrawn cosponsors; the other count includes them.
		Count                   *int   `json:"count"`
		CountIncludingWithdrawn *int   `json:"countIncludingWithdrawnCosponsors"`
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

// ParseCosponsorFile reads a Congress.gov bill-cosponsors JSON document. It
// refuses a file that is not JSON, lacks the cosponsors list, holds only one
// page of a longer list, repeats a member, or has a malformed ID or date;
// every problem is an invalid *Error naming the entry.
func ParseCosponsorFile(r io.Reader) (CosponsorFile, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxCosponsorFile+1))
	if err != nil {
		return CosponsorFile{}, fmt.Errorf("read cosponsor file: %w", err)
	}
	if len(body) > maxCosponsorFile {
		return CosponsorFile{}, Invalid("file", "The cosponsor file is larger than 8 MB; it is not a Congress.gov cosponsor list.")
	}
	var doc congressGovCosponsors
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return CosponsorFile{}, Invalid("file", "The cosponsor file is not valid JSON: "+jsonProblem(err)+".")
	}
	if _, err := dec.Token(); err != io.EOF {
		return CosponsorFile{}, Invalid("file", "The cosponsor file has data after its JSON document.")
	}
	if doc.Cosponsors == nil {
		return CosponsorFile{}, Invalid("file", `The cosponsor file has no "cosponsors" list; download it from the Congress.gov API (bill cosponsors, JSON).`)
	}
	list := *doc.Cosponsors
	if doc.Pagination.Next != "" ||
		(doc.Pagination.CountIncludingWithdrawn != nil && *doc.Pagination.CountIncludingWithdrawn > len(list)) {
		total := len(list)
		if doc.Pagination.CountIncludingWithdrawn != nil {
			total = *doc.Pagination.CountIncludingWithdrawn
		}
		return CosponsorFile{}, Invalid("file", fmt.Sprintf(
			"The cosponsor file holds only one page (%d of %d cosponsors). Download the whole list with limit=250.", len(list), total))
	}

	out := CosponsorFile{Cosponsors: make([]Cosponsor, 0, len(list))}
	if doc.Request.BillType != "" || doc.Request.BillNumber != "" || doc.Request.Congress != "" {
		n, nerr := strconv.Atoi(doc.Request.BillNumber)
		c, cerr := strconv.Atoi(doc.Request.Congress)
		if nerr != nil || cerr != nil {
			return CosponsorFile{}, Invalid("file", "The cosponsor file's request names no valid bill number and Congress.")
		}
		out.Bill = BillID(strings.ToLower(doc.Request.BillType), n, c)
	}
	seen := map[string]bool{}
	for i, e := range list {
		where := fmt.Sprintf("cosponsor %d", i+1)
		id := strings.TrimSpace(e.BioguideID)
		if !ValidBioguideID(id) {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has a bioguide ID %q that is not a letter and six digits.", where, e.BioguideID))
		}
		where += " (" + id + ")"
		if seen[id] {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file lists %s more than once.", id))
		}
		seen[id] = true
		joined, err := parseAPIDate(e.SponsorshipDate)
		if err != nil || joined.IsZero() {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has no valid sponsorshipDate (%q).", where, e.SponsorshipDate))
		}
		if e.IsOriginalCosponsor == nil {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s lacks isOriginalCosponsor.", where))
		}
		withdrawn, err := parseAPIDate(e.SponsorshipWithdrawnDate)
		if err != nil {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s has a malformed sponsorshipWithdrawnDate (%q).", where, e.SponsorshipWithdrawnDate))
		}
		if !withdrawn.IsZero() && withdrawn.Before(joined) {
			return CosponsorFile{}, Invalid("file", fmt.Sprintf("The cosponsor file's %s withdrew before joining.", where))
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
