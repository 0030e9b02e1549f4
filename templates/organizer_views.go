package templates

import (
	"context"
	"strconv"
	"strings"
)

type csrfKey struct{}

// WithCSRF returns ctx carrying the session's CSRF token, which every
// workspace form then posts in its hidden "csrf" field.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

// CSRFFrom returns the token WithCSRF put in ctx, or "".
func CSRFFrom(ctx context.Context) string {
	t, _ := ctx.Value(csrfKey{}).(string)
	return t
}

// OrgMeta is the frame of every organizer page: the layout's data, who is
// signed in, what they may do, and their CSRF token.
type OrgMeta struct {
	Page PageMeta
	// Path marks the current link of the workspace's navigation.
	Path string
	// Slug is the campaign the page is about, if any.
	Slug  string
	Email string
	Role  string
	// Partner is the partner a partner viewer belongs to.
	Partner string
	// CSRF is the session's token for forms; HXHeaders the same as the JSON
	// htmx sends with every request from the workspace.
	CSRF      string
	HXHeaders string
	// Flash is a notice after a redirect ("Your change was saved.").
	Flash string

	CanEdit        bool
	CanModerate    bool
	CanExport      bool
	CanManageUsers bool
	CanViewAudit   bool
	CanManageData  bool
	CanDeliveries  bool
	// Alerts are warnings for every page, such as held delivery.
	Alerts []OrgAlert
}

// LoginView is the sign-in form.
type LoginView struct {
	Email string
	Next  string
	// CSRF is the login form's double-submit token.
	CSRF      string
	Error     string
	Notice    string
	Throttled bool
}

// PasswordForm is the change-password form with its field errors.
type PasswordForm struct {
	Errors map[string]string
}

// OrgHomeView lists the campaigns an organizer can open.
type OrgHomeView struct {
	Campaigns []OrgCampaignLink
	Held      int
	// CanCreate shows the link that starts a campaign.
	CanCreate bool
}

// OrgCampaignLink is one campaign in the workspace's list.
type OrgCampaignLink struct {
	Slug  string
	Title string
	// Status is in words: "Draft", "Running", "Closed".
	Status string
	URL    string
	// Featured marks the campaign the home page features.
	Featured bool
}

// DashboardView is a campaign's dashboard. For a partner viewer, Partner is
// set and every figure is that partner's share; the parts with personal or
// other partners' data are left empty.
type DashboardView struct {
	Slug    string
	Title   string
	Partner string
	// Stale warns that a bill's cosponsor list is older than the site's
	// limit: organizers should import a fresh one.
	Stale []StaleBill
	// StaleData lists the other things out of date (the member data, a
	// failed sync), each with the command that fixes it.
	StaleData []StaleItem
	// Sync is each bill's last sync from Congress.gov.
	Sync SyncView
	// Days is the window of the daily chart; Windows link to the others.
	Days    int
	Windows []WindowLink

	Total    int
	InWindow int
	Held     int
	Rejected int
	// Conversion is "12.5%", "no lookups counted" or "more letters than
	// lookups" (ConversionOver); Lookups over the window.
	Conversion     string
	ConversionOver bool
	Lookups        int

	Daily     BarChart
	Chambers  []CountRow
	Channels  []CountRow
	Statuses  []CountRow
	Map       *OrgMapView
	States    SortTable
	Districts SortTable
	Sources   []CountRow
	Pressure  []PressureRow
	// PressureMore counts offices past those shown; OfficesURL lists all.
	PressureMore int
	OfficesURL   string
	Joined       JoinedView
	// AsOf is when the figures were read, in words.
	AsOf string
}

// WindowLink is one choice of the daily chart's window.
type WindowLink struct {
	Days    int
	URL     string
	Current bool
}

// Label is "7 days".
func (w WindowLink) Label() string { return strconv.Itoa(w.Days) + " days" }

// BarChart is a server-rendered bar chart with its table equivalent.
type BarChart struct {
	ID      string // prefix for element ids
	ViewBox string
	Title   string
	Desc    string
	Bars    []Bar
	Labels  []ChartLabel
	AxisX   string
	AxisY   string
	// Rows say the same as the bars, for the table.
	Rows []BarRow
	// RowHeader names the table's first column ("Day", "Week of").
	RowHeader string
	Empty     bool
}

// Bar is one bar of a BarChart.
type Bar struct {
	X, Y, W, H string
	Title      string
}

// BarRow is one line of a bar chart's table.
type BarRow struct {
	Label   string
	ISO     string
	Letters int
}

// CountRow is a labelled count with its share.
type CountRow struct {
	Key     string
	Label   string
	N       int
	Percent string
}

// OrgMapView is the choropleth of letters by state.
type OrgMapView struct {
	ViewBox string
	Title   string
	Desc    string
	States  []MapState
	Tiles   []MapTile
	Legend  []LegendItem
}

// SortTable is a table sortable through links in its headings, which
// works without JavaScript; htmx swaps only the table.
type SortTable struct {
	ID      string
	Caption string
	Headers []SortHeader
	Rows    []SortRow
}

// SortRow is a row of a SortTable: a heading cell, numbers, and an
// optional link for the heading.
type SortRow struct {
	Key    string
	Header string
	URL    string
	Cells  []string
}

// PressureRow is an office on the pressure list.
type PressureRow struct {
	Rank      int
	Member    MemberRef
	Chamber   string
	Bill      string
	Stance    string
	Letters   int
	PacketURL string
}

// JoinedView says how many cosponsors joined after receiving letters.
type JoinedView struct {
	Count      int
	MedianDays string
	Rows       []JoinedRow
}

// JoinedRow is one cosponsor who joined after letters.
type JoinedRow struct {
	Member      MemberRef
	Bill        string
	FirstLetter string
	Joined      string
	Days        int
	Letters     int
	PacketURL   string
}

// OfficesView lists every office with its stance and letters.
type OfficesView struct {
	Slug   string
	Title  string
	Table  SortTable
	CSVURL string
}

// PacketView is an office's evidence packet.
type PacketView struct {
	Slug          string
	CampaignTitle string
	Member        MemberRef
	RoleLine      string
	Phone         string
	Address       string
	Bill          string
	BillTitle     string
	Stance        string
	Ask           string
	Letters       int
	FirstLetter   string
	LastLetter    string
	Weekly        BarChart
	Organizations []OrgRow
	Quotes        []QuoteRow
	QuoteLimit    int
	CSVURL        string
	BackURL       string
	Generated     string
}

// OrgRow is an organisation whose people wrote.
type OrgRow struct {
	Name    string
	Titles  string
	Cities  string
	Letters int
}

// QuoteRow is a constituent's own words with who and when, briefly.
type QuoteRow struct {
	Text  string
	Who   string
	Date  string
	ISO   string
	Index int
}

// ExportView is the exports page and its filter form.
type ExportView struct {
	Slug     string
	Title    string
	Form     map[string]string
	Errors   map[string]string
	Partners []CountRow
}

// ModerationView is the queue of held letters.
type ModerationView struct {
	Total   int
	Letters []HeldRow
	NextURL string
	// Errors holds a rejection form's problems, by letter ID.
	Errors map[string]string
}

// HeldRow is a held letter as an organizer sees it.
type HeldRow struct {
	ID         string
	Campaign   string
	Written    string
	WrittenISO string
	Name       string
	Email      string
	Place      string
	Ref        string
	Personal   string
	Recipients []string
	// Reason is why the abuse checks held it.
	Reason string
}

// UsersView lists accounts and the form to add one.
type UsersView struct {
	Users    []UserRow
	Partners []PartnerOption
	Form     map[string]string
	Errors   map[string]string
	// NewPassword is shown once after an account is created with a
	// generated password.
	NewPassword string
	NewEmail    string
}

// UserRow is an account in the list.
type UserRow struct {
	ID       string
	Email    string
	Role     string
	Partner  string
	Disabled bool
	Created  string
	Self     bool
}

// PartnerOption is a partner in a select.
type PartnerOption struct {
	Code string
	Name string
}

// PartnersView lists partners and the form to add one.
type PartnersView struct {
	Partners []PartnerRow
	Form     map[string]string
	Errors   map[string]string
}

// PartnerRow is a partner in the list.
type PartnerRow struct {
	Name    string
	Slug    string
	Code    string
	Origins string
	Contact string
	Created string
}

// AuditView is a page of the audit log.
type AuditView struct {
	Entries []AuditRow
	NextURL string
}

// AuditRow is one audit entry.
type AuditRow struct {
	ID       string
	When     string
	ISO      string
	Who      string
	Action   string
	Entity   string
	EntityID string
	Before   string
	After    string
}

// EditView is a campaign's content editor.
type EditView struct {
	Slug          string
	Title         string
	Life          CampaignLifeView
	AddBill       *AddBillForm
	Text          CampaignTextForm
	Bills         []BillEditForm
	TalkingPoints []TalkingPointForm
	NewPoint      TalkingPointForm
	Templates     []TemplateForm
}

// CampaignTextForm is the campaign's text, shown or being edited.
type CampaignTextForm struct {
	Slug     string
	Editing  bool
	Saved    bool
	Title    string
	Summary  string
	Ask      string
	Why      string
	Status   string
	StartsOn string
	EndsOn   string
	// The organisation that runs the campaign.
	SponsorName, SponsorURL, SponsorEmail, SponsorAbout, PaidForBy string
	Errors                                                         map[string]string
}

// WhyLines splits the why points for display.
func (f CampaignTextForm) WhyLines() []string {
	var out []string
	for _, l := range strings.Split(f.Why, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// BillEditForm is a bill's editable details and its cosponsors.
type BillEditForm struct {
	Slug         string
	BillID       string
	Label        string
	Chamber      string
	Editing      bool
	Saved        bool
	Title        string
	Status       string
	Committees   string
	Target       string
	IntroducedOn string
	AsOf         string
	Errors       map[string]string
	Cosponsors   CosponsorsRegion
	// Stance is the campaign's position with its goal, as the forms write
	// it ("support", "oppose", "oppose-withdrawals"); StanceLabel in words.
	// PositionLocked is set once the campaign has been public: letters
	// went out saying its position.
	Stance         string
	StanceLabel    string
	PositionLocked bool
	// Died says the bill died with its Congress; ReplaceURL is where the
	// bill reintroduced in the new Congress takes its place.
	Died       string
	ReplaceURL string
	// Past lists the bills this one replaced.
	Past []string
}

// CosponsorsRegion is a bill's cosponsor table with the add, withdraw and
// import forms.
type CosponsorsRegion struct {
	Slug    string
	BillID  string
	Label   string
	Rows    []CosponsorEditRow
	Form    CosponsorForm
	Import  ImportForm
	Message string
	// WithdrawErrors holds a withdraw form's problem, by bioguide ID.
	WithdrawErrors map[string]string
}

// CosponsorEditRow is one cosponsor in the editor.
type CosponsorEditRow struct {
	Member    MemberRef
	Joined    string
	Original  bool
	Withdrawn string
}

// CosponsorForm adds or corrects a cosponsor.
type CosponsorForm struct {
	Bioguide    string
	JoinedOn    string
	WithdrawnOn string
	Original    bool
	Errors      map[string]string
}

// ImportForm uploads a Congress.gov cosponsor file.
type ImportForm struct {
	Error string
}

// TalkingPointForm is a talking point, shown or being edited.
type TalkingPointForm struct {
	Slug        string
	ID          int64
	Editing     bool
	Saved       bool
	Audience    string
	Title       string
	BodyMD      string
	Sources     string
	Objection   bool
	PreviewHTML string
	Errors      map[string]string
}

// DomID is the region's id: "tp-12", or "tp-new".
func (f TalkingPointForm) DomID() string {
	if f.ID == 0 {
		return "tp-new"
	}
	return "tp-" + strconv.FormatInt(f.ID, 10)
}

// TemplateForm is one letter template with its preview.
type TemplateForm struct {
	Slug           string
	Kind           string
	Label          string
	Subject        string
	Body           string
	Default        bool
	Saved          bool
	PreviewSubject string
	PreviewBody    string
	Errors         map[string]string
	Fields         string
}

// AudienceOptions are the talking point audiences for a select.
func AudienceOptions() [][2]string {
	return [][2]string{{"constituents", "Constituents"}, {"business", "Business groups"}, {"press", "Press"}}
}

// AudienceLabel names an audience.
func AudienceLabel(a string) string {
	for _, o := range AudienceOptions() {
		if o[0] == a {
			return o[1]
		}
	}
	return a
}

// StaleBill is a bill whose cosponsor data is old.
type StaleBill struct {
	Bill    string // "H.R. 5917"
	AsOf    string // a date, or "never"
	EditURL string
	// Command brings it up to date from the command line.
	Command string
}
