package templates

// HomeView is the home page: the campaign (when one runs) and the lookup.
type HomeView struct {
	Lookup LookupView
	// Campaign is nil when no campaign is configured; the page then shows
	// the lookup alone.
	Campaign *CampaignView
}

// CampaignView is a campaign's public face: the ask, why, and progress.
type CampaignView struct {
	Slug    string
	Title   string
	Summary string
	// Ask is the campaign's request in one sentence.
	Ask string
	// Why are the three short "why it matters" points.
	Why      []string
	Progress ProgressView
	// Map is the US map of supporters by state; nil when not drawable.
	Map *USMapView
	// TalkingPointsURL links to the talking points; empty hides the link.
	TalkingPointsURL string
	// Opposes is set when the campaign opposes all its bills.
	Opposes bool
	// Preview marks a draft shown in the workspace.
	Preview bool
	// Ended is set for a closed campaign: no lookup, a notice instead.
	Ended *CampaignEndedView
	// NextSteps is set when bills died with their Congress and no
	// reintroduced bill has replaced them yet.
	NextSteps *CampaignNextSteps
}

// CTAHeading is the call to action's heading, following the campaign's
// position.
func (v CampaignView) CTAHeading() string {
	switch {
	case v.Opposes && len(v.Progress.Bills) > 1:
		return "Find your members and tell them to oppose the bills"
	case v.Opposes:
		return "Find your members and tell them to oppose the bill"
	}
	return "Find your members and ask them to sign on"
}

// TakesLetters reports whether the campaign's page asks for letters: it
// has not ended, and not every one of its bills died with its Congress.
func (v CampaignView) TakesLetters() bool {
	return v.Ended == nil && (v.NextSteps == nil || v.NextSteps.Partial)
}

// CampaignNextSteps explains bills that died with their Congress.
type CampaignNextSteps struct {
	// Died says, per bill, that it died and when.
	Died []string
	// Explain says what happens now.
	Explain string
	// Partial is set when another of the campaign's bills still takes
	// letters.
	Partial bool
}

// ProgressView is the live region with each bill's progress. It refreshes
// itself from URL every minute and after a letter is sent.
type ProgressView struct {
	URL   string
	Bills []BillProgressView
	// HeadingLevel is the level of each bill's heading: 3 under the home
	// page's h2, 2 on a page of its own.
	HeadingLevel int
	// Letters is how many constituents have written; 0 hides the line
	// (also when letters are not counted yet).
	Letters int
}

// BillProgressView is one bill's progress towards its cosponsor target.
type BillProgressView struct {
	ID    string // "hr5917-119"
	Label string // "H.R. 5917"
	Title string
	URL   string
	// Chamber is "House" or "Senate".
	Chamber string
	Sponsor MemberRef

	Count     int
	Target    int
	Percent   int
	Remaining int
	Reached   bool
	// Withdrawn counts members who withdrew; they are not in Count.
	Withdrawn int

	Thermometer Thermometer
	Parties     PartyBreakdownView
	Timeline    TimelineChart

	// AsOf is when the cosponsor list was last confirmed, in words, and
	// AsOfISO the same as an RFC 3339 timestamp; both empty when never.
	AsOf    string
	AsOfISO string
	// Stale is set when AsOf is older than the configured number of days.
	Stale     bool
	StaleDays int

	// Position is "support" or "oppose"; Goal what Count counts:
	// "cosponsors", "not_cosponsoring" (of Seats) or "withdrawals".
	Position string
	Goal     string
	Seats    int
	// Died says the bill died with its Congress; its count is final.
	Died string
	// Final is set when the campaign has closed: nothing more is needed.
	Final bool
	// History lists the bills this one replaced, newest first.
	History []PastBillView
}

// Noun is what Count counts, in the plural.
func (b BillProgressView) Noun() string {
	switch b.Goal {
	case "withdrawals":
		return "withdrawals"
	case "not_cosponsoring":
		return "members not cosponsoring"
	}
	return "cosponsors"
}

// NounOne is Noun for one.
func (b BillProgressView) NounOne() string {
	switch b.Goal {
	case "withdrawals":
		return "withdrawal"
	case "not_cosponsoring":
		return "member not cosponsoring"
	}
	return "cosponsor"
}

// PastBillView is a bill a campaign asked about before a reintroduced bill
// replaced it, with its final count.
type PastBillView struct {
	Label string // "H.R. 5917 (119th Congress)"
	URL   string
	// Final is its final count in words: "died with 1 cosponsor of a target of 218".
	Final string
}

// MemberRef names a member briefly: "Rep. Carol D. Miller (R-WV-1)".
type MemberRef struct {
	BioguideID string
	Name       string
	// Short is "R-WV-1" or "D-CT".
	Short string
	Party string
	State string
	// District is "1", "At large" or "" for senators.
	District string
	// Known is false when the member is not in the reference data.
	Known bool
}

// Label is the member's name with title and party-state code.
func (m MemberRef) Label() string {
	if !m.Known {
		return m.Name
	}
	return m.Name + " (" + m.Short + ")"
}

// Thermometer is the progress bar: a bar Width units long in a 100-unit
// view box, so no inline style is needed.
type Thermometer struct {
	Width string
	// Title describes the bar for assistive technology.
	Title string
}

// PartyBreakdownView counts a bill's active cosponsors by party.
type PartyBreakdownView struct {
	Total int
	Parts []PartySlice
	// Title describes the bar.
	Title string
}

// PartySlice is one party's segment of the breakdown bar.
type PartySlice struct {
	Party string // "Republican"
	// Letter picks the colour class: "R", "D", "I" or "U" (unknown).
	Letter string
	Count  int
	// Label is "2 Republicans".
	Label string
	X     string
	Width string
}

// TimelineChart is a step chart of the running count of cosponsors.
type TimelineChart struct {
	ViewBox string
	// Path is the step line; Area the same, closed to the axis.
	Path string
	Area string
	// Dots mark the days the count changed.
	Dots []ChartDot
	// Axis lines and labels.
	AxisX, AxisY string
	Labels       []ChartLabel
	Title        string
	Desc         string
	// Summary says in words what the chart shows.
	Summary string
	// Empty is set when nobody has cosponsored yet: no chart is drawn.
	Empty bool
}

// ChartDot is a marked point with a tooltip.
type ChartDot struct {
	X, Y  string
	Title string
}

// ChartLabel is a text label in a chart.
type ChartLabel struct {
	X, Y   string
	Anchor string // "start", "middle" or "end"
	Text   string
}

// USMapView is the map of the United States coloured by how many of each
// state's members support the campaign, with its legend and table.
type USMapView struct {
	// ImageURL is the drawn map, an image of its own that browsers keep
	// while its colours stay the same; Width and Height are its size.
	ImageURL      string
	Width, Height string
	Title         string
	Desc          string
	Legend        []LegendItem
	// Rows list the states with at least one supporter; Others counts the
	// states and territories with none.
	Rows   []MapRow
	Others int
}

// Alt is the map image's text: what it shows and where the table is.
func (v USMapView) Alt() string { return v.Title + ". " + v.Desc }

// MapState is one state's outline.
type MapState struct {
	Code  string
	D     string
	Class string // "bin-0" … "bin-4"
	Title string
}

// MapTile is a small labelled square for DC or a territory.
type MapTile struct {
	Code         string
	X, Y         string
	TextX, TextY string
	Size         string
	Class        string
	// TextClass keeps the label readable on dark and light fills.
	TextClass string
	Title     string
}

// LegendItem is one colour of the map's legend.
type LegendItem struct {
	Class string
	Label string
}

// MapRow is one line of the map's table.
type MapRow struct {
	State    string
	House    int
	Senate   int
	Total    int
	Members  int // members the state has in Congress
	BinClass string
}

// BillPageView is a bill's own page.
type BillPageView struct {
	CampaignTitle string
	CampaignURL   string
	Sponsor       MemberRef
	// Bill is the progress card, shown without its own sponsor line.
	Bill          BillProgressView
	Introduced    string
	IntroducedISO string
	Status        string
	Committees    string
	// LatestAction is the bill's latest action from Congress.gov, with its
	// date; ActivityAsOf is when that was fetched. Empty before a sync.
	LatestAction     string
	LatestActionDate string
	LatestActionISO  string
	ActivityAsOf     string
	Cosponsors       []CosponsorRow
	Headers          []SortHeader
	// Districts shows the District column: House bills only.
	Districts bool
	// SortLabel describes the current order in words, for the caption.
	SortLabel string
	// ImportURL, set only for signed-in staff when the cosponsor list is
	// stale, is where they import the current list.
	ImportURL string
}

// CosponsorRow is one line of a bill's cosponsor table.
type CosponsorRow struct {
	Member       MemberRef
	Joined       string
	JoinedISO    string
	Original     bool
	Withdrawn    string
	WithdrawnISO string
}

// SortHeader is a sortable column heading: a link that sorts by it.
type SortHeader struct {
	Label string
	Key   string
	URL   string
	// AriaSort is "ascending", "descending" or "" (not sorted by it).
	AriaSort string
	// Next describes what following the link does, for screen readers.
	Next string
}

// TalkingPointsView is the talking points page.
type TalkingPointsView struct {
	CampaignTitle string
	CampaignURL   string
	Ask           string
	// Campaign is the campaign's slug when it is not the site's default
	// one, so that the closing call to action leads to its letters.
	Campaign   string
	Groups     []TalkingPointGroup
	Objections []TalkingPointItem
}

// TalkingPointGroup is the talking points for one audience.
type TalkingPointGroup struct {
	ID      string // anchor and data-audience, "constituents"
	Heading string
	Intro   string
	Items   []TalkingPointItem
}

// TalkingPointItem is one talking point, its body already rendered and
// sanitised.
type TalkingPointItem struct {
	ID       string
	Title    string
	BodyHTML string
	Sources  []SourceLink
}

// SourceLink is a cited source; URL is empty for print sources.
type SourceLink struct {
	Title string
	URL   string
}
