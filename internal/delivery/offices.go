package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// activeOfficesPath is the Senate's list of the offices that take CWC
// messages.
const activeOfficesPath = "/api/active_offices/"

// ActiveOffice is one office of the Senate's active office list.
type ActiveOffice struct {
	Code       string
	BioguideID string // '' when the list does not name the member
}

var bioguideInNameRe = regexp.MustCompile(`bioguide_id:\s*([A-Z][0-9]{6})`)

// FetchActiveOffices reads the Senate's active office list at base
// (GET {base}/api/active_offices/?apikey=KEY). The list is JSON: an array
// of objects with "office_code" and a "name" that ends "[bioguide_id:
// X000000]"; a "bioguide_id" field, or plain code strings, are read too.
// Errors never quote the URL, which holds the key.
func FetchActiveOffices(ctx context.Context, client *http.Client, base, key string) ([]ActiveOffice, error) {
	u := strings.TrimRight(base, "/") + activeOfficesPath + "?apikey=" + url.QueryEscape(key)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch Senate active offices: %s", redactURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch Senate active offices: %s", redactURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch Senate active offices: %s", redactURLError(err))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch Senate active offices: the Senate answered %d: %s", resp.StatusCode, bodyExcerpt(body))
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("fetch Senate active offices: not a JSON list: %w", err)
	}
	var out []ActiveOffice
	for _, r := range raw {
		var code string
		if json.Unmarshal(r, &code) == nil {
			out = append(out, ActiveOffice{Code: strings.ToUpper(strings.TrimSpace(code))})
			continue
		}
		var o struct {
			Code     string `json:"office_code"`
			Name     string `json:"name"`
			Bioguide string `json:"bioguide_id"`
		}
		if err := json.Unmarshal(r, &o); err != nil {
			return nil, fmt.Errorf("fetch Senate active offices: bad entry: %w", err)
		}
		a := ActiveOffice{Code: strings.ToUpper(strings.TrimSpace(o.Code)), BioguideID: strings.ToUpper(strings.TrimSpace(o.Bioguide))}
		if m := bioguideInNameRe.FindStringSubmatch(o.Name); a.BioguideID == "" && m != nil {
			a.BioguideID = m[1]
		}
		out = append(out, a)
	}
	for _, a := range out {
		if !cwcOfficeRe.MatchString(a.Code) {
			return nil, fmt.Errorf("fetch Senate active offices: %q is not an office code", a.Code)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("fetch Senate active offices: the list is empty")
	}
	return out, nil
}

// Directory routes copies to the Senate by the Senate's own list of active
// offices, when one was fetched: a senator the list names gets the list's
// code (whatever Whipcount derived from the member data), and an office the
// list does not name does not take CWC messages, so its copies go through
// the assisted channels. Without a list, the derived codes stand. It is
// safe for concurrent use.
type Directory struct {
	mu        sync.RWMutex
	byMember  map[string]string // bioguide -> listed code
	codes     map[string]bool
	fetchedAt time.Time
	lastErr   error
	diffs     []advocacy.OfficeDisagreement
}

// Set installs a fetched list at t.
func (d *Directory) Set(offices []ActiveOffice, t time.Time) {
	byMember, codes := map[string]string{}, map[string]bool{}
	for _, o := range offices {
		codes[o.Code] = true
		if o.BioguideID != "" {
			byMember[o.BioguideID] = o.Code
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.byMember, d.codes, d.fetchedAt, d.lastErr = byMember, codes, t, nil
}

// Failed records a failed refresh; the last list (if any) stays in use.
func (d *Directory) Failed(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastErr = err
}

// Status is when the list was last fetched (zero: never) and the last
// refresh's error.
func (d *Directory) Status() (fetched time.Time, err error) {
	if d == nil {
		return time.Time{}, nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.fetchedAt, d.lastErr
}

// Office is the code a copy to a member should carry: the Senate's listed
// code for the member when there is one, else stored (the code derived
// when the letter was written).
func (d *Directory) Office(ch advocacy.Chamber, bioguide, stored string) string {
	if d == nil || ch != advocacy.Senate {
		return stored
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if c, ok := d.byMember[bioguide]; ok {
		return c
	}
	return stored
}

// Route gives the office code of a copy to m and whether the office takes
// CWC messages, as far as the Senate's list says (always true for the
// House, and without a list).
func (d *Directory) Route(m advocacy.Member) (office string, takesCWC bool) {
	office = advocacy.OfficeCode(m)
	if d == nil || m.Chamber != advocacy.Senate {
		return office, office != ""
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.codes == nil {
		return office, office != ""
	}
	if c, ok := d.byMember[m.BioguideID]; ok {
		return c, true
	}
	return office, office != "" && d.codes[office]
}

// Check compares the codes derived from the member data for senators with
// the Senate's list, keeps the result for Disagreements and returns it:
// each senator the list gives another code, or whose office it does not
// list. Nil without a list.
func (d *Directory) Check(members []advocacy.Member) []advocacy.OfficeDisagreement {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.codes == nil {
		return nil
	}
	var out []advocacy.OfficeDisagreement
	for _, m := range members {
		if m.Chamber != advocacy.Senate {
			continue
		}
		derived := advocacy.OfficeCode(m)
		listed, named := d.byMember[m.BioguideID]
		switch {
		case named && listed != derived:
			out = append(out, advocacy.OfficeDisagreement{BioguideID: m.BioguideID, Derived: derived, Listed: listed})
		case !named && !d.codes[derived]:
			out = append(out, advocacy.OfficeDisagreement{BioguideID: m.BioguideID, Derived: derived})
		}
	}
	slices.SortFunc(out, func(a, b advocacy.OfficeDisagreement) int { return strings.Compare(a.Derived, b.Derived) })
	d.diffs = out
	return slices.Clone(out)
}

// Disagreements is the result of the last Check.
func (d *Directory) Disagreements() []advocacy.OfficeDisagreement {
	if d == nil {
		return nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return slices.Clone(d.diffs)
}
