package standin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// CongressGovBill is a bill the Congress.gov stand-in knows.
type CongressGovBill struct {
	Congress int
	Type     string // "hr", "s"
	Number   int
	Title    string
	// LatestActionDate ("2025-11-04") and LatestActionText are the bill's
	// latest action.
	LatestActionDate string
	LatestActionText string
	Committees       []CongressGovCommittee
	Cosponsors       []CongressGovCosponsor
}

// CongressGovCommittee is one committee a bill was referred to.
type CongressGovCommittee struct {
	Name       string // "Finance Committee"
	Chamber    string // "Senate"
	SystemCode string // "ssfi00"
}

// CongressGovCosponsor is one cosponsor of a bill.
type CongressGovCosponsor struct {
	BioguideID    string
	FullName      string // "Sen. Murphy, Christopher [D-CT]"
	Party, State  string
	District      *int
	Date          string // sponsorshipDate
	Original      bool
	WithdrawnDate string // sponsorshipWithdrawnDate, "" when still a cosponsor
}

// CongressGov stands in for the Congress.gov API v3 bill endpoints:
// GET /v3/bill/{congress}/{type}/{number}, .../committees and
// .../cosponsors, in the API's JSON with its pagination (limit at most 250,
// offset, and pagination.next pointing back at the stand-in). Requests
// need the key in X-Api-Key (or api_key). Failures can be queued to test
// retries.
type CongressGov struct {
	// URL is the base to configure, ending in /v3.
	URL string

	srv   *httptest.Server
	key   string
	mu    sync.Mutex
	bills map[string]CongressGovBill
	fails []congressGovFailure
	reqs  []string
}

type congressGovFailure struct {
	status     int
	retryAfter string
}

// NewCongressGov starts the stand-in accepting key and stops it when the
// test ends.
func NewCongressGov(t testing.TB, key string, bills ...CongressGovBill) *CongressGov {
	t.Helper()
	c := StartCongressGov(key, bills...)
	t.Cleanup(c.Close)
	return c
}

// StartCongressGov starts the stand-in outside a test (to try the
// commands by hand); Close stops it.
func StartCongressGov(key string, bills ...CongressGovBill) *CongressGov {
	c := &CongressGov{key: key, bills: map[string]CongressGovBill{}}
	for _, b := range bills {
		c.SetBill(b)
	}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	c.URL = c.srv.URL + "/v3"
	return c
}

// Close stops the stand-in.
func (c *CongressGov) Close() { c.srv.Close() }

// SetBill adds or replaces a bill.
func (c *CongressGov) SetBill(b CongressGovBill) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bills[fmt.Sprintf("%d/%s/%d", b.Congress, strings.ToLower(b.Type), b.Number)] = b
}

// Fail makes the next n requests answer status, with a Retry-After header
// when retryAfter is set (seconds or an HTTP date).
func (c *CongressGov) Fail(n, status int, retryAfter string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range n {
		c.fails = append(c.fails, congressGovFailure{status: status, retryAfter: retryAfter})
	}
}

// Requests lists the requests so far, as path?query.
func (c *CongressGov) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.reqs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	enc.Encode(v)
}

func (c *CongressGov) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.URL.RequestURI())
	var fail *congressGovFailure
	if len(c.fails) > 0 {
		fail = &c.fails[0]
		c.fails = c.fails[1:]
	}
	c.mu.Unlock()

	key := r.Header.Get("X-Api-Key")
	if key == "" {
		key = r.URL.Query().Get("api_key")
	}
	if key == "" || key != c.key {
		// api.data.gov answers for the API when the key is wrong.
		code := "API_KEY_MISSING"
		if key != "" {
			code = "API_KEY_INVALID"
		}
		writeJSON(w, http.StatusForbidden, map[string]any{"error": map[string]string{
			"code": code, "message": "An invalid api_key was supplied. Get one at https://api.congress.gov/sign-up/"}})
		return
	}
	if fail != nil {
		if fail.retryAfter != "" {
			w.Header().Set("Retry-After", fail.retryAfter)
		}
		if fail.status == http.StatusTooManyRequests {
			writeJSON(w, fail.status, map[string]any{"error": map[string]string{
				"code": "OVER_RATE_LIMIT", "message": "You have exceeded your rate limit. Try again later."}})
		} else {
			writeJSON(w, fail.status, map[string]any{"error": http.StatusText(fail.status)})
		}
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v3/"), "/"), "/")
	if len(parts) < 4 || len(parts) > 5 || parts[0] != "bill" {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Unknown resource: " + r.URL.Path})
		return
	}
	id := strings.Join(parts[1:4], "/")
	c.mu.Lock()
	b, ok := c.bills[id]
	c.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Unknown bill: " + id})
		return
	}
	base := "http://" + r.Host + "/v3/bill/" + id
	request := map[string]string{"billNumber": strconv.Itoa(b.Number), "billType": strings.ToLower(b.Type),
		"billUrl": base + "?format=json", "congress": strconv.Itoa(b.Congress), "contentType": "application/json", "format": "json"}
	if len(parts) == 4 {
		writeJSON(w, http.StatusOK, map[string]any{"bill": c.billJSON(b, base), "request": request})
		return
	}
	switch parts[4] {
	case "committees":
		list := []map[string]any{}
		for _, cm := range b.Committees {
			list = append(list, map[string]any{
				"activities": []map[string]string{{"date": b.LatestActionDate + "T15:00:00Z", "name": "Referred to"}},
				"chamber":    cm.Chamber, "name": cm.Name, "subcommittees": []any{}, "systemCode": cm.SystemCode, "type": "Standing",
				"url": "http://" + r.Host + "/v3/committee/" + strings.ToLower(cm.Chamber) + "/" + cm.SystemCode + "?format=json",
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"committees": list, "request": request})
	case "cosponsors":
		c.serveCosponsors(w, r, b, base, request)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Unknown resource: " + r.URL.Path})
	}
}

func (c *CongressGov) billJSON(b CongressGovBill, base string) map[string]any {
	active := 0
	for _, cs := range b.Cosponsors {
		if cs.WithdrawnDate == "" {
			active++
		}
	}
	return map[string]any{
		"actions":        map[string]any{"count": 2, "url": base + "/actions?format=json"},
		"committees":     map[string]any{"count": len(b.Committees), "url": base + "/committees?format=json"},
		"congress":       b.Congress,
		"cosponsors":     map[string]any{"count": active, "countIncludingWithdrawnCosponsors": len(b.Cosponsors), "url": base + "/cosponsors?format=json"},
		"introducedDate": "2025-11-04",
		"latestAction":   map[string]any{"actionDate": b.LatestActionDate, "links": []any{}, "text": b.LatestActionText},
		"number":         strconv.Itoa(b.Number),
		"originChamber":  map[bool]string{true: "Senate", false: "House"}[strings.HasPrefix(strings.ToLower(b.Type), "s")],
		"title":          b.Title,
		"type":           strings.ToUpper(b.Type),
		"updateDate":     b.LatestActionDate + "T12:00:00Z",
	}
}

func (c *CongressGov) serveCosponsors(w http.ResponseWriter, r *http.Request, b CongressGovBill, base string, request map[string]string) {
	q := r.URL.Query()
	limit, offset := 20, 0 // the API's defaults
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, 250)
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v >= 0 {
		offset = v
	}
	active := 0
	for _, cs := range b.Cosponsors {
		if cs.WithdrawnDate == "" {
			active++
		}
	}
	page := []map[string]any{}
	for i := offset; i < len(b.Cosponsors) && i < offset+limit; i++ {
		cs := b.Cosponsors[i]
		e := map[string]any{
			"bioguideId": cs.BioguideID, "fullName": cs.FullName, "party": cs.Party, "state": cs.State,
			"isOriginalCosponsor": cs.Original, "sponsorshipDate": cs.Date,
			"url": "http://" + r.Host + "/v3/member/" + cs.BioguideID + "?format=json",
		}
		if cs.District != nil {
			e["district"] = *cs.District
		}
		if cs.WithdrawnDate != "" {
			e["sponsorshipWithdrawnDate"] = cs.WithdrawnDate
		}
		page = append(page, e)
	}
	pagination := map[string]any{"count": active, "countIncludingWithdrawnCosponsors": len(b.Cosponsors)}
	if offset+limit < len(b.Cosponsors) {
		pagination["next"] = fmt.Sprintf("%s/cosponsors?offset=%d&limit=%d&format=json", base, offset+limit, limit)
	}
	if offset > 0 {
		pagination["prev"] = fmt.Sprintf("%s/cosponsors?offset=%d&limit=%d&format=json", base, max(0, offset-limit), limit)
	}
	writeJSON(w, http.StatusOK, map[string]any{"cosponsors": page, "pagination": pagination, "request": request})
}
