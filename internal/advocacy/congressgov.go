package advocacy

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// BillActivity is what Congress.gov says about where a bill stands: its
// latest action and the committees it was referred to.
type BillActivity struct {
	LatestActionOn time.Time
	LatestAction   string
	Committees     []Committee
	// FetchedAt is when this was read from Congress.gov.
	FetchedAt time.Time
}

// Committee is one committee a bill was referred to.
type Committee struct {
	Name    string `json:"name"`
	Chamber string `json:"chamber"` // "House", "Senate" or "Joint"
}

// CommitteeNames lists the committees as people read them:
// "Finance Committee (Senate); Ways and Means Committee (House)".
func (a BillActivity) CommitteeNames() string {
	names := make([]string, 0, len(a.Committees))
	for _, c := range a.Committees {
		if c.Chamber != "" {
			names = append(names, c.Name+" ("+c.Chamber+")")
		} else {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, "; ")
}

// ErrSyncBusy is the answer to a sync asked for while another runs.
var ErrSyncBusy = errors.New("a Congress.gov sync is already running; try again in a minute")

// SyncRun is the outcome of one sync of one bill from Congress.gov: what
// it changed, or why it failed (and then changed nothing).
type SyncRun struct {
	BillID     string
	StartedAt  time.Time
	FinishedAt time.Time
	OK         bool
	// Requests and Pages count the API requests made and the cosponsor
	// pages read.
	Requests, Pages int
	Result          ImportResult
	Error           string
}

// Summary says what the run did in a line.
func (r SyncRun) Summary() string {
	if !r.OK {
		return "failed: " + r.Error
	}
	res := r.Result
	of := fmt.Sprintf("%d %s, %d %s", res.InFile, plural(res.InFile, "cosponsor", "cosponsors"), r.Pages, plural(r.Pages, "page", "pages"))
	if res.NoChange() {
		return "no change (" + of + ")"
	}
	return fmt.Sprintf("%d added, %d withdrawn, %d corrected, %d removed (%s)", res.Added, res.Withdrawn, res.Changed, res.Removed, of)
}

// ListFinal reports whether the bill's cosponsor list can no longer
// change: its Congress has ended and the list was confirmed after the end.
func (b Bill) ListFinal(now time.Time) bool {
	return b.Expired(now) && !b.CosponsorsAsOf.IsZero() && !b.CosponsorsAsOf.Before(b.Term().End)
}
