package advocacy

import "time"

// CosponsorListStale reports whether the bill's cosponsor list needs
// fetching again at now: it is older than days (see CosponsorsStale), and
// not the final list of a bill whose Congress has ended (a list confirmed
// after the end can no longer change).
func (b Bill) CosponsorListStale(now time.Time, days int) bool {
	if b.ListFinal(now) {
		return false
	}
	return CosponsorsStale(b.CosponsorsAsOf, now, days)
}
