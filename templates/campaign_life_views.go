package templates

import (
	"strconv"
)

// NewCampaignForm is the guided form that starts a campaign, with what was
// typed and its field errors (keyed by field name).
type NewCampaignForm struct {
	Values map[string]string
	Errors map[string]string
	Bills  []NewBillRow
	// CopyFrom lists the campaigns whose talking points, letters and sponsor
	// a new one can start from.
	CopyFrom []OrgCampaignLink
	// Congress is the current Congress, for the hints ("hr1234-119").
	Congress int
}

// Value is what was typed in field name.
func (f NewCampaignForm) Value(name string) string { return f.Values[name] }

// NewBillRow is one bill of the creation form.
type NewBillRow struct {
	Index      int
	ID         string
	Stance     string
	Target     string
	Title      string
	Sponsor    string
	Introduced string
}

// Field names this row's field: "bill0_id".
func (r NewBillRow) Field(name string) string { return "bill" + strconv.Itoa(r.Index) + "_" + name }

// StanceOption is one choice of what a campaign wants of a bill: a
// position with what its progress counts.
type StanceOption struct {
	Value string
	Label string
}

// StanceHint says what each position asks of members.
const StanceHint = "Support asks members to cosponsor and thanks the cosponsors. Oppose asks members not to cosponsor, asks the cosponsors to withdraw and thanks those who did."

// StanceOptions are the choices of the bill forms, in order.
func StanceOptions() []StanceOption {
	return []StanceOption{
		{"support", "Support it: progress counts cosponsors"},
		{"oppose", "Oppose it: progress counts members not cosponsoring"},
		{"oppose-withdrawals", "Oppose it: progress counts withdrawals"},
	}
}

// NewCampaignFieldOrder is the order of the form's fields, for the error
// summary.
var NewCampaignFieldOrder = []string{"title", "slug", "ask", "summary", "why",
	"bill0_id", "bill0_stance", "bill0_target", "bill0_title", "bill0_sponsor", "bill0_introduced",
	"bill1_id", "bill1_stance", "bill1_target", "bill1_title", "bill1_sponsor", "bill1_introduced", "bills",
	"sponsor_name", "sponsor_url", "sponsor_email", "paid_for_by", "sponsor_about", "copy_from", "status"}

// FormErrorLinks lists errs in the order of fields, each linking to the
// input with id prefix+name; messages of fields not in order link to the
// form, prefix+"form".
func FormErrorLinks(errs map[string]string, order []string, prefix string) []ErrorLink {
	var out []ErrorLink
	seen := map[string]bool{}
	for _, name := range order {
		if msg, ok := errs[name]; ok {
			out = append(out, ErrorLink{Href: "#" + prefix + name, Message: msg})
			seen[name] = true
		}
	}
	for name, msg := range errs {
		if !seen[name] {
			out = append(out, ErrorLink{Href: "#" + prefix + "form", Message: msg})
		}
	}
	return out
}

// CampaignLifeView is the status panel at the top of a campaign's editor:
// where the campaign is in its life, what is left to do before opening a
// draft, and the buttons that move it on.
type CampaignLifeView struct {
	Slug   string
	Status string // "draft", "active", "closed"
	Label  string // "Draft", "Running", "Closed"
	// PublicURL is the campaign's public page (running or closed).
	PublicURL string
	// PreviewURL shows the public page as it would look, in the workspace.
	PreviewURL string
	Featured   bool
	// CanFeature is set for a running campaign that is not featured.
	CanFeature bool
	// Checklist says what a draft has and lacks before it opens.
	Checklist []CheckItem
	// NoLiveBill is set when no bill can take letters: the campaign cannot
	// open, and a running one takes no letters.
	NoLiveBill bool
	Error      string
	Closed     string // the day it closed, in words
}

// CheckItem is one line of a draft's checklist.
type CheckItem struct {
	Done bool
	Text string
	// Href links to where the item is done.
	Href string
}

// AddBillForm adds a bill to a campaign, or (with Replaces set) puts the
// bill reintroduced in a new Congress in the place of one that died.
type AddBillForm struct {
	Slug   string
	Values map[string]string
	Errors map[string]string
	// Replaces is the bill being replaced, like "H.R. 5917 (119th Congress)";
	// ReplacesID its ID.
	Replaces   string
	ReplacesID string
	// Position is the replaced bill's position, kept by its successor.
	Position string
	Congress int
}

// Value is what was typed in field name.
func (f AddBillForm) Value(name string) string { return f.Values[name] }

// Action is where the form posts.
func (f AddBillForm) Action() string {
	if f.ReplacesID != "" {
		return editBase(f.Slug) + "/bills/" + f.ReplacesID + "/replace"
	}
	return editBase(f.Slug) + "/bills"
}

// ReplaceBillPageView is the page that replaces a dead bill.
type ReplaceBillPageView struct {
	Title string
	Form  AddBillForm
	// Died says when the bill died, or is empty while its Congress runs.
	Died string
}

// CampaignIndexView is the home page when several campaigns run and none is
// featured: each running campaign with its ask, and closed ones as records.
type CampaignIndexView struct {
	Running []CampaignCard
	Closed  []CampaignCard
	Lookup  LookupView
}

// CampaignCard is one campaign in the index.
type CampaignCard struct {
	Slug  string
	Title string
	Ask   string
	URL   string
	// Bills names the bills with the campaign's position: "Support H.R. 1".
	Bills []string
	// Closed is the day a closed campaign ended, in words.
	Closed string
}

// CampaignEndedView is what a closed campaign's pages and widgets say:
// when it ended, and where the running campaigns are.
type CampaignEndedView struct {
	Title      string
	Closed     string
	RunningURL string
	// Running lists the campaigns still taking letters.
	Running []CampaignCard
}
