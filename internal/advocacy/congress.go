package advocacy

import (
	"fmt"
	"strconv"
	"time"
)

// Congress is one two-year Congress. Bills live only as long as the
// Congress they were introduced in: one that is not enacted by its end dies,
// and its supporters must introduce it again, with a new number, in the next.
type Congress struct {
	Number int
	// Start and End are the instants the Congress's term begins and ends.
	Start, End time.Time
}

// eastern is Washington's clock in January and March, the months Congresses
// begin in: Eastern Standard Time, never daylight time then.
var eastern = time.FixedZone("EST", -5*60*60)

// congressStart is when the Congress numbered n begins. Since the Twentieth
// Amendment (from the 74th Congress, 1935) every term begins at noon on
// 3 January of an odd year; before it, terms began on 4 March.
func congressStart(n int) time.Time {
	year := 1787 + 2*n
	if n >= 74 {
		return time.Date(year, time.January, 3, 12, 0, 0, 0, eastern)
	}
	return time.Date(year, time.March, 4, 12, 0, 0, 0, eastern)
}

// CongressNumbered returns the Congress numbered n (n >= 1), with its term.
// The 119th runs from noon on 3 January 2025 to noon on 3 January 2027.
func CongressNumbered(n int) Congress {
	return Congress{Number: n, Start: congressStart(n), End: congressStart(n + 1)}
}

// CongressAt returns the Congress whose term includes t.
func CongressAt(t time.Time) Congress {
	// A first guess from the year, then a step either way settles it.
	n := max((t.Year()-1787)/2, 1)
	for n > 1 && t.Before(congressStart(n)) {
		n--
	}
	for !t.Before(congressStart(n + 1)) {
		n++
	}
	return CongressNumbered(n)
}

// Ended reports whether the Congress's term is over at now.
func (c Congress) Ended(now time.Time) bool { return !now.Before(c.End) }

// Begun reports whether the Congress's term has begun at now.
func (c Congress) Begun(now time.Time) bool { return !now.Before(c.Start) }

// Ordinal names the Congress the usual way: "119th", "121st", "122nd".
func (c Congress) Ordinal() string { return Ordinal(c.Number) }

// Ordinal writes n with its English suffix: 1st, 2nd, 3rd, 4th, 11th, 112th.
func Ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// EndDate is the calendar day the Congress ends, in Washington.
func (c Congress) EndDate() time.Time {
	y, m, d := c.End.In(eastern).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// String is "the 119th Congress (2025-2027)".
func (c Congress) String() string {
	return fmt.Sprintf("the %s Congress (%d-%d)", c.Ordinal(), c.Start.Year(), c.End.Year())
}
