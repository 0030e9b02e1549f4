package advocacy

// Position is what a campaign wants of a bill.
type Position string

// The positions.
const (
	// PositionSupport asks members to cosponsor the bill and thanks those
	// who do.
	PositionSupport Position = "support"
	// PositionOppose asks members not to cosponsor the bill, asks its
	// cosponsors to withdraw, and thanks those who withdrew.
	PositionOppose Position = "oppose"
)

// Positions lists the positions in the order forms offer them.
func Positions() []Position { return []Position{PositionSupport, PositionOppose} }

// Valid reports whether p is a known position.
func (p Position) Valid() bool { return p == PositionSupport || p == PositionOppose }

// OrSupport is p, or PositionSupport when p is empty (records made before
// campaigns could oppose a bill).
func (p Position) OrSupport() Position {
	if p == "" {
		return PositionSupport
	}
	return p
}

// ProOrCon is CWC's word for the position: "pro" or "con".
func (p Position) ProOrCon() string {
	if p == PositionOppose {
		return "con"
	}
	return "pro"
}

// Label is the position in words: "Support" or "Oppose".
func (p Position) Label() string {
	if p == PositionOppose {
		return "Oppose"
	}
	return "Support"
}

// Goal is what a campaign's progress on a bill counts.
type Goal string

// The goals. A supported bill counts its active cosponsors; an opposed one
// counts either the seats not cosponsoring (to keep a majority off the
// bill) or the cosponsors who withdrew, as its organizers choose.
const (
	GoalCosponsors      Goal = "cosponsors"
	GoalNotCosponsoring Goal = "not_cosponsoring"
	GoalWithdrawals     Goal = "withdrawals"
)

// GoalsFor lists the goals a bill with position p may have, the default
// first.
func GoalsFor(p Position) []Goal {
	if p == PositionOppose {
		return []Goal{GoalNotCosponsoring, GoalWithdrawals}
	}
	return []Goal{GoalCosponsors}
}

// ValidFor reports whether g is a goal a bill with position p may have.
func (g Goal) ValidFor(p Position) bool {
	for _, ok := range GoalsFor(p) {
		if g == ok {
			return true
		}
	}
	return false
}

// Noun is what the goal counts, in the plural: "cosponsors", "members not
// cosponsoring", "withdrawals".
func (g Goal) Noun() string {
	switch g {
	case GoalNotCosponsoring:
		return "members not cosponsoring"
	case GoalWithdrawals:
		return "withdrawals"
	}
	return "cosponsors"
}

// Singular is Noun for one: "cosponsor", "member not cosponsoring",
// "withdrawal".
func (g Goal) Singular() string {
	switch g {
	case GoalNotCosponsoring:
		return "member not cosponsoring"
	case GoalWithdrawals:
		return "withdrawal"
	}
	return "cosponsor"
}

// Describe says what the goal counts and when the target is met, for
// organizers choosing it.
func (g Goal) Describe() string {
	switch g {
	case GoalNotCosponsoring:
		return "Members not cosponsoring: the seats that are neither the sponsor nor a cosponsor. The target is met while at least that many stay off the bill."
	case GoalWithdrawals:
		return "Withdrawals: cosponsors who took their name off the bill. The target is met once that many have withdrawn."
	}
	return "Cosponsors: members who have signed on and not withdrawn."
}

// ChamberSeats is the number of voting seats in a chamber: 435 in the
// House, 100 in the Senate. Progress towards keeping members off a bill
// counts seats; a delegate who cosponsors is counted as a cosponsor.
func ChamberSeats(c Chamber) int {
	if c == Senate {
		return 100
	}
	return 435
}
