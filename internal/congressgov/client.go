// Package congressgov fetches bills' cosponsors, latest actions and
// committees from the Congress.gov API v3, and keeps campaigns' bills in
// step with it (see Syncer). It is an adapter: the HTTP layer reaches it
// only through interfaces that cmd/whipcount wires.
package congressgov

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// DefaultBaseURL is the public API.
const DefaultBaseURL = "https://api.congress.gov/v3"

const (
	// pageSize is the most the API returns in one page.
	pageSize = 250
	// maxPages bounds one list: the House and Senate together have 541
	// members, so a list never needs more than three pages.
	maxPages = 10
	// maxBody bounds one answer.
	maxBody = 8 << 20
	// requestTimeout bounds one request.
	requestTimeout = 30 * time.Second
	// maxAttempts is how often one request is tried before giving up.
	maxAttempts = 5
	// maxWait is the longest the client waits before a retry; an API that
	// asks for longer is tried again at the next scheduled sync.
	maxWait = 10 * time.Minute
	// DefaultHourlyLimit leaves most of the API's 5,000 requests an hour to
	// other uses of the same key.
	DefaultHourlyLimit = 1000
)

// Client talks to the Congress.gov API. Its zero value is not usable; set
// Key at least.
type Client struct {
	// BaseURL is the API's base, like DefaultBaseURL (the default).
	BaseURL string
	// Key is the api.data.gov key; it goes in the X-Api-Key header, never
	// in a URL, so it appears in no log.
	Key string
	// HTTP makes the requests; nil uses a client with requestTimeout.
	HTTP *http.Client
	// Limit spreads requests over the hour; nil allows DefaultHourlyLimit.
	Limit *HourlyLimit
	// Sleep waits between attempts and for the hourly limit; nil sleeps
	// for real. Tests count the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Clock is the time for the hourly limit; nil is time.Now.
	Clock func() time.Time

	once     sync.Once
	requests atomic.Int64
}

func (c *Client) init() {
	c.once.Do(func() {
		if c.BaseURL == "" {
			c.BaseURL = DefaultBaseURL
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		if c.HTTP == nil {
			c.HTTP = &http.Client{Timeout: requestTimeout}
		}
		if c.Clock == nil {
			c.Clock = time.Now
		}
		if c.Limit == nil {
			c.Limit = NewHourlyLimit(DefaultHourlyLimit)
		}
		if c.Sleep == nil {
			c.Sleep = sleep
		}
	})
}

// Requests counts the requests made so far (retries included).
func (c *Client) Requests() int { return int(c.requests.Load()) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// HourlyLimit keeps requests under a number per rolling hour. It is safe
// for concurrent use and may be shared by clients using the same key.
type HourlyLimit struct {
	mu    sync.Mutex
	max   int
	times []time.Time // of the requests in the last hour, oldest first
}

// NewHourlyLimit allows n requests in any hour.
func NewHourlyLimit(n int) *HourlyLimit { return &HourlyLimit{max: max(n, 1)} }

// take records a request at now, or says how long to wait for a slot.
func (l *HourlyLimit) take(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for i < len(l.times) && !l.times[i].After(now.Add(-time.Hour)) {
		i++
	}
	l.times = l.times[i:]
	if len(l.times) >= l.max {
		return l.times[0].Add(time.Hour).Sub(now)
	}
	l.times = append(l.times, now)
	return 0
}

// APIError is an answer the API gave instead of the data.
type APIError struct {
	URL    string
	Status int
	// Message is the API's own explanation, when it gave one.
	Message string
}

func (e *APIError) Error() string {
	var what string
	switch e.Status {
	case http.StatusForbidden, http.StatusUnauthorized:
		what = "refused the API key"
	case http.StatusNotFound:
		what = "has no such item"
	case http.StatusTooManyRequests:
		what = "says the key is over its hourly limit"
	default:
		what = "answered " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	}
	msg := fmt.Sprintf("Congress.gov %s (%s)", what, e.URL)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// retryable reports whether a status is worth another attempt.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// backoff is the wait before attempt n+1 when the API says nothing: 2, 4,
// 8, 16 seconds.
func backoff(n int) time.Duration { return time.Duration(1<<n) * time.Second }

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// get fetches an API address, within the hourly limit, retrying politely:
// after the time the API asks for (Retry-After), else with a growing
// pause. Only addresses under BaseURL are fetched, so the key never goes
// to another host.
func (c *Client) get(ctx context.Context, address string) ([]byte, error) {
	c.init()
	if !c.ownURL(address) {
		return nil, fmt.Errorf("congress.gov: refusing to follow %q, which is not under %s", address, c.BaseURL)
	}
	var lastErr error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if wait := c.Limit.take(c.Clock()); wait > 0 {
			if wait > maxWait {
				return nil, fmt.Errorf("congress.gov: the hourly request limit is used up for %s more", wait.Round(time.Minute))
			}
			if err := c.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			attempt--
			continue
		}
		body, wait, err := c.try(ctx, address)
		if err == nil {
			return body, nil
		}
		lastErr = err
		var apiErr *APIError
		if errors.As(err, &apiErr) && !retryable(apiErr.Status) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt == maxAttempts {
			break
		}
		if wait < 0 {
			wait = backoff(attempt)
		}
		if wait > maxWait {
			return nil, fmt.Errorf("%w; it asks to wait %s, so the next sync will try again", err, wait.Round(time.Second))
		}
		if err := c.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("after %d attempts: %w", maxAttempts, lastErr)
}

// try makes one request. wait is how long the API asked to wait before
// trying again, or -1 when it did not say.
func (c *Client) try(ctx context.Context, address string) (body []byte, wait time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("X-Api-Key", c.Key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "whipcount cosponsors sync")
	c.requests.Add(1)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, -1, fmt.Errorf("congress.gov: %w", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, -1, fmt.Errorf("congress.gov: read %s: %w", address, err)
	}
	if resp.StatusCode != http.StatusOK {
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), c.Clock())
		if !ok {
			wait = -1
		}
		return nil, wait, &APIError{URL: address, Status: resp.StatusCode, Message: apiMessage(body)}
	}
	if len(body) > maxBody {
		return nil, -1, fmt.Errorf("congress.gov: %s is larger than %d MB", address, maxBody>>20)
	}
	return body, -1, nil
}

// apiMessage reads the explanation in an error answer: api.data.gov writes
// {"error": {"code": ..., "message": ...}}, Congress.gov {"error": "..."}.
func apiMessage(body []byte) string {
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Error) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(doc.Error, &s) == nil {
		return s
	}
	var obj struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(doc.Error, &obj) == nil {
		return strings.TrimSpace(obj.Code + " " + obj.Message)
	}
	return ""
}

// ownURL reports whether address lies under the base URL (same scheme,
// host and path prefix).
func (c *Client) ownURL(address string) bool {
	u, err := url.Parse(address)
	b, berr := url.Parse(c.BaseURL)
	return err == nil && berr == nil && u.Scheme == b.Scheme && u.Host == b.Host && strings.HasPrefix(u.Path, b.Path+"/")
}

// billPath is "/bill/119/hr/5917".
func billPath(b advocacy.Bill) string {
	return fmt.Sprintf("/bill/%d/%s/%d", b.Congress, strings.ToLower(b.Type), b.Number)
}

// Cosponsors fetches the bill's whole cosponsor list, following
// pagination.next from page to page, and merges the pages with the file
// import's rules (advocacy.MergeCosponsorPages). pages is how many were
// read.
func (c *Client) Cosponsors(ctx context.Context, b advocacy.Bill) (f advocacy.CosponsorFile, pages int, err error) {
	c.init()
	next := c.BaseURL + billPath(b) + "/cosponsors?format=json&limit=" + strconv.Itoa(pageSize)
	var all []advocacy.CosponsorPage
	seen := map[string]bool{}
	for next != "" {
		if len(all) == maxPages || seen[next] {
			return advocacy.CosponsorFile{}, len(all), fmt.Errorf("congress.gov: the cosponsors of %s do not end after %d pages", b.ID, len(all))
		}
		seen[next] = true
		body, err := c.get(ctx, withJSON(next))
		if err != nil {
			return advocacy.CosponsorFile{}, len(all), err
		}
		page, err := advocacy.ParseCosponsorPage(body)
		if err != nil {
			return advocacy.CosponsorFile{}, len(all), fmt.Errorf("congress.gov: page %d of the cosponsors of %s: %w", len(all)+1, b.ID, err)
		}
		all = append(all, page)
		next = page.Next
	}
	f, err = advocacy.MergeCosponsorPages(all)
	if err != nil {
		return advocacy.CosponsorFile{}, len(all), fmt.Errorf("congress.gov: the cosponsors of %s: %w", b.ID, err)
	}
	if f.Bill != "" && f.Bill != b.ID {
		return advocacy.CosponsorFile{}, len(all), fmt.Errorf("congress.gov: asked for the cosponsors of %s, got %s", b.ID, f.Bill)
	}
	return f, len(all), nil
}

// withJSON makes sure a next-page address asks for JSON: the API's links
// keep the query of the first request, but only if it had one.
func withJSON(address string) string {
	u, err := url.Parse(address)
	if err != nil {
		return address
	}
	q := u.Query()
	if q.Get("format") == "" {
		q.Set("format", "json")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// billAnswer names the fields of a bill answer that the sync reads.
type billAnswer struct {
	Bill *struct {
		Title        string `json:"title"`
		LatestAction *struct {
			ActionDate string `json:"actionDate"`
			Text       string `json:"text"`
		} `json:"latestAction"`
		Committees *struct {
			Count int `json:"count"`
		} `json:"committees"`
	} `json:"bill"`
}

// committeesAnswer names the fields of a bill-committees answer that the
// sync reads.
type committeesAnswer struct {
	Committees *[]struct {
		Name    string `json:"name"`
		Chamber string `json:"chamber"`
	} `json:"committees"`
	Pagination struct {
		Next string `json:"next"`
	} `json:"pagination"`
}

// Activity fetches the bill's latest action and the committees it was
// referred to.
func (c *Client) Activity(ctx context.Context, b advocacy.Bill) (advocacy.BillActivity, error) {
	c.init()
	body, err := c.get(ctx, c.BaseURL+billPath(b)+"?format=json")
	if err != nil {
		return advocacy.BillActivity{}, err
	}
	var ans billAnswer
	if err := json.Unmarshal(body, &ans); err != nil || ans.Bill == nil {
		return advocacy.BillActivity{}, fmt.Errorf("congress.gov: the answer for %s is not a bill", b.ID)
	}
	act := advocacy.BillActivity{FetchedAt: c.Clock().UTC()}
	if la := ans.Bill.LatestAction; la != nil {
		act.LatestAction = strings.TrimSpace(la.Text)
		if d, err := time.Parse(advocacy.DateLayout, strings.TrimSpace(la.ActionDate)); err == nil {
			act.LatestActionOn = d
		}
	}
	if ans.Bill.Committees == nil || ans.Bill.Committees.Count == 0 {
		return act, nil
	}
	next := c.BaseURL + billPath(b) + "/committees?format=json&limit=" + strconv.Itoa(pageSize)
	for pages := 0; next != ""; pages++ {
		if pages == maxPages {
			return advocacy.BillActivity{}, fmt.Errorf("congress.gov: the committees of %s do not end after %d pages", b.ID, pages)
		}
		body, err := c.get(ctx, withJSON(next))
		if err != nil {
			return advocacy.BillActivity{}, err
		}
		var cs committeesAnswer
		if err := json.Unmarshal(body, &cs); err != nil || cs.Committees == nil {
			return advocacy.BillActivity{}, fmt.Errorf("congress.gov: the answer for the committees of %s is not a committee list", b.ID)
		}
		for _, cm := range *cs.Committees {
			if name := strings.TrimSpace(cm.Name); name != "" {
				act.Committees = append(act.Committees, advocacy.Committee{Name: name, Chamber: strings.TrimSpace(cm.Chamber)})
			}
		}
		next = cs.Pagination.Next
	}
	return act, nil
}
