// Package delivery gets letters to congressional offices: it builds and
// validates CWC 2.0 XML, runs the durable outbox worker that posts it to the
// House (and, when configured, Senate) CWC endpoints, and sends constituents
// their receipt by SMTP.
package delivery

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/mail"

	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// CWCVersion is the version of the CWC XML this package writes.
const CWCVersion = "2.0"

// CWCMessage is one CWC 2.0 message, shaped like its XML. Element names,
// nesting and order follow the CWC 2.0 RELAX NG grammar
// (grammar/cwc_schema_v2.rng): bills are wrapped in Message/Bills, bill types
// are lower case, and the sender's organisation is
// Constituent/ConstituentOrganization.
type CWCMessage struct {
	XMLName     xml.Name       `xml:"CWC"`
	Version     string         `xml:"CWCVersion"`
	Delivery    CWCDelivery    `xml:"Delivery"`
	Recipient   CWCRecipient   `xml:"Recipient"`
	Constituent CWCConstituent `xml:"Constituent"`
	Message     CWCBody        `xml:"Message"`
}

// CWCDelivery is the Delivery block: who delivers the message, for which
// organisation and campaign.
type CWCDelivery struct {
	DeliveryID                   string                  `xml:"DeliveryId"`
	DeliveryDate                 string                  `xml:"DeliveryDate"` // YYYYMMDD
	DeliveryAgent                string                  `xml:"DeliveryAgent"`
	DeliveryAgentAckEmailAddress string                  `xml:"DeliveryAgentAckEmailAddress"`
	DeliveryAgentContact         CWCAgentContact         `xml:"DeliveryAgentContact"`
	Organization                 string                  `xml:"Organization,omitempty"`
	OrganizationContact          *CWCOrganizationContact `xml:"OrganizationContact,omitempty"`
	OrganizationAbout            string                  `xml:"OrganizationAbout,omitempty"`
	CampaignID                   string                  `xml:"CampaignId"`
}

// CWCAgentContact is the delivery agent's contact person.
type CWCAgentContact struct {
	Name  string `xml:"DeliveryAgentContactName"`
	Email string `xml:"DeliveryAgentContactEmail"`
	Phone string `xml:"DeliveryAgentContactPhone"`
}

// CWCOrganizationContact is the sponsoring organisation's contact person.
type CWCOrganizationContact struct {
	Name  string `xml:"OrganizationContactName,omitempty"`
	Email string `xml:"OrganizationContactEmail,omitempty"`
	Phone string `xml:"OrganizationContactPhone,omitempty"`
}

// CWCRecipient is the office the message goes to.
type CWCRecipient struct {
	MemberOffice        string `xml:"MemberOffice"`
	IsResponseRequested string `xml:"IsResponseRequested,omitempty"` // Y or N
	NewsletterOptIn     string `xml:"NewsletterOptIn,omitempty"`     // Y or N
}

// CWCConstituent is the sender.
type CWCConstituent struct {
	Prefix                  string `xml:"Prefix"`
	FirstName               string `xml:"FirstName"`
	MiddleName              string `xml:"MiddleName,omitempty"`
	LastName                string `xml:"LastName"`
	Suffix                  string `xml:"Suffix,omitempty"`
	Title                   string `xml:"Title,omitempty"`
	ConstituentOrganization string `xml:"ConstituentOrganization,omitempty"`
	Address1                string `xml:"Address1"`
	Address2                string `xml:"Address2,omitempty"`
	Address3                string `xml:"Address3,omitempty"`
	City                    string `xml:"City"`
	StateAbbreviation       string `xml:"StateAbbreviation"`
	Zip                     string `xml:"Zip"`
	Phone                   string `xml:"Phone,omitempty"`
	AddressValidation       string `xml:"AddressValidation,omitempty"` // Y only when verified
	Email                   string `xml:"Email"`
	EmailValidation         string `xml:"EmailValidation,omitempty"` // Y only when verified
}

// CWCBody is the Message block.
type CWCBody struct {
	Subject               string    `xml:"Subject"`
	Topics                []string  `xml:"LibraryOfCongressTopics>LibraryOfCongressTopic"`
	Bills                 *CWCBills `xml:"Bills"` // nil: no Bills element
	ProOrCon              string    `xml:"ProOrCon,omitempty"`
	OrganizationStatement string    `xml:"OrganizationStatement,omitempty"`
	ConstituentMessage    string    `xml:"ConstituentMessage,omitempty"`
	MoreInfo              string    `xml:"MoreInfo,omitempty"`
}

// CWCBills wraps the bills a message is about.
type CWCBills struct {
	Bill []CWCBill `xml:"Bill"`
}

// CWCBill is a bill the message is about.
type CWCBill struct {
	Congress         int    `xml:"BillCongress"`
	TypeAbbreviation string `xml:"BillTypeAbbreviation"` // lower case: hr, s, hres, ...
	Number           int    `xml:"BillNumber"`
}

// TopicForeignTrade is the policy area of the Jackson-Vanik campaign.
const TopicForeignTrade = "Foreign Trade and International Finance"

// cwcTopics are the Library of Congress policy areas the CWC grammar
// accepts as LibraryOfCongressTopic, exactly as it spells them.
var cwcTopics = []string{
	"Agriculture and Food",
	"Animals",
	"Armed Forces and National Security",
	"Arts, Culture, Religion",
	"Civil Rights and Liberties, Minority Issues",
	"Commerce",
	"Congress",
	"Crime and Law Enforcement",
	"Economics and Public Finance",
	"Education",
	"Emergency Management",
	"Energy",
	"Environmental Protection",
	"Families",
	"Finance and Financial Sector",
	TopicForeignTrade,
	"Government Operations and Politics",
	"Health",
	"Housing and Community Development",
	"Immigration",
	"International Affairs",
	"Labor and Employment",
	"Law",
	"Native Americans",
	"Public Lands and Natural Resources",
	"Science, Technology, Communications",
	"Social Sciences and History",
	"Social Welfare",
	"Sports and Recreation",
	"Taxation",
	"Transportation and Public Works",
	"Water Resources Development",
}

// Topics returns the Library of Congress policy areas CWC accepts as
// LibraryOfCongressTopic.
func Topics() []string { return slices.Clone(cwcTopics) }

// cwcBillTypes are the bill type abbreviations the grammar accepts.
var cwcBillTypes = []string{"hr", "s", "hres", "sres", "hjres", "sjres", "hconres", "sconres", "hamdt", "samdt"}

// cwcStates are the StateAbbreviation values the grammar accepts: the
// states, DC and the five territories.
var cwcStates = strings.Fields(`AK AL AR AS AZ CA CO CT DC DE FL GA GU HI IA ID IL IN KS KY LA MA MD ME MI MN
	MO MP MS MT NC ND NE NH NJ NM NV NY OH OK OR PA PR RI SC SD TN TX UT VA VI VT WA WI WV WY`)

// The grammar's patterns, anchored as RELAX NG anchors them.
var (
	cwcOfficeRe = regexp.MustCompile(`^[HS][A-Z]{2}[0-9]{2}$`)
	cwcZipRe    = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	cwcPhoneRe  = regexp.MustCompile(`^[0-9]{3}-[0-9]{3}-[0-9]{4}$`)
	cwcDateRe   = regexp.MustCompile(`^[0-9]{8}$`)
	cwcEmailRe  = regexp.MustCompile(`^[^@]+@[^.]+\..+$`)
)

// CWCProblem is one reason a message is not valid CWC: the element's path
// and what is wrong, without the element's value (values are personal data
// and must stay out of logs).
type CWCProblem struct {
	Path    string // e.g. "Constituent/Zip"
	Message string
}

// CWCValidationError lists every problem ValidateCWC found.
type CWCValidationError struct {
	Problems []CWCProblem
}

func (e *CWCValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
	}
	return "invalid CWC message: " + strings.Join(parts, "; ")
}

// Has reports whether a problem was found at path.
func (e *CWCValidationError) Has(path string) bool {
	return slices.ContainsFunc(e.Problems, func(p CWCProblem) bool { return p.Path == path })
}

// ValidateCWC checks msg against the CWC 2.0 grammar before it is sent,
// element by element, with the grammar's patterns and lengths (in
// characters): the version, a DeliveryId of 32 letters and digits, a real
// YYYYMMDD date, the MemberOffice pattern (H or S, a state, two digits), a
// prefix from the list, the state list, ZIP, phone and email patterns,
// topics from the policy-area list, lower-case bill types, pro or con, at
// least one of OrganizationStatement and ConstituentMessage, Y/N flags; on
// top of the grammar, a subject of at most advocacy.CWCMaxSubject and no
// control characters other than newline and tab (only in the long texts).
// It returns a *CWCValidationError listing every problem, or nil.
func ValidateCWC(msg CWCMessage) error {
	var ps []CWCProblem
	add := func(path, format string, args ...any) {
		ps = append(ps, CWCProblem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	// text checks a string element of min..max characters; optional ones
	// may be absent (empty).
	text := func(path, v string, minLen, maxLen int, required bool) bool {
		n := utf8.RuneCountInString(v)
		switch {
		case v == "" && !required:
			return false
		case strings.TrimSpace(v) == "":
			add(path, "is required")
			return false
		case n < minLen:
			add(path, "must have at least %d characters", minLen)
			return false
		case n > maxLen:
			add(path, "must have at most %d characters", maxLen)
			return false
		}
		return true
	}
	pattern := func(path, v string, re *regexp.Regexp, required bool, want string) {
		if v == "" && !required {
			return
		}
		if !re.MatchString(v) {
			add(path, "must be %s", want)
		}
	}
	email := func(path, v string, required bool) {
		if (v != "" || required) && !cwcEmail(v) {
			add(path, "must be an email address (name@host.tld)")
		}
	}
	phone := func(path, v string, required bool) {
		pattern(path, v, cwcPhoneRe, required, "written xxx-xxx-xxxx")
	}
	yn := func(path, v string) {
		if v != "" && v != "Y" && v != "N" {
			add(path, "must be Y or N")
		}
	}
	const short, long = advocacy.CWCMinLine, advocacy.CWCMaxField

	if msg.Version != CWCVersion {
		add("CWCVersion", "must be %s", CWCVersion)
	}

	d := msg.Delivery
	if !advocacy.ValidDeliveryID(d.DeliveryID) {
		add("Delivery/DeliveryId", "must be exactly 32 letters and digits")
	}
	if _, err := time.Parse("20060102", d.DeliveryDate); err != nil || !cwcDateRe.MatchString(d.DeliveryDate) {
		add("Delivery/DeliveryDate", "must be a date written YYYYMMDD")
	}
	text("Delivery/DeliveryAgent", d.DeliveryAgent, 4, long, true)
	email("Delivery/DeliveryAgentAckEmailAddress", d.DeliveryAgentAckEmailAddress, true)
	text("Delivery/DeliveryAgentContact/DeliveryAgentContactName", d.DeliveryAgentContact.Name, 6, long, true)
	email("Delivery/DeliveryAgentContact/DeliveryAgentContactEmail", d.DeliveryAgentContact.Email, true)
	phone("Delivery/DeliveryAgentContact/DeliveryAgentContactPhone", d.DeliveryAgentContact.Phone, true)
	text("Delivery/Organization", d.Organization, 6, long, false)
	if oc := d.OrganizationContact; oc != nil {
		if oc.Name == "" && oc.Email == "" && oc.Phone == "" {
			add("Delivery/OrganizationContact", "is empty")
		}
		text("Delivery/OrganizationContact/OrganizationContactName", oc.Name, 2, long, false)
		email("Delivery/OrganizationContact/OrganizationContactEmail", oc.Email, false)
		phone("Delivery/OrganizationContact/OrganizationContactPhone", oc.Phone, false)
	}
	text("Delivery/OrganizationAbout", d.OrganizationAbout, 6, long, false)
	text("Delivery/CampaignId", d.CampaignID, 2, long, true)

	r := msg.Recipient
	pattern("Recipient/MemberOffice", r.MemberOffice, cwcOfficeRe, true, "H or S, a state and two digits, like HNY12")
	yn("Recipient/IsResponseRequested", r.IsResponseRequested)
	yn("Recipient/NewsletterOptIn", r.NewsletterOptIn)

	c := msg.Constituent
	if text("Constituent/Prefix", c.Prefix, 1, long, true) && !advocacy.ValidPrefix(c.Prefix) {
		add("Constituent/Prefix", "is not in the CWC prefix list")
	}
	text("Constituent/FirstName", c.FirstName, 1, long, true)
	text("Constituent/MiddleName", c.MiddleName, 1, long, false)
	text("Constituent/LastName", c.LastName, 1, long, true)
	text("Constituent/Suffix", c.Suffix, 1, long, false)
	text("Constituent/Title", c.Title, 1, long, false)
	text("Constituent/ConstituentOrganization", c.ConstituentOrganization, short, long, false)
	text("Constituent/Address1", c.Address1, short, long, true)
	text("Constituent/Address2", c.Address2, short, long, false)
	text("Constituent/Address3", c.Address3, short, long, false)
	text("Constituent/City", c.City, short, long, true)
	if !slices.Contains(cwcStates, c.StateAbbreviation) {
		add("Constituent/StateAbbreviation", "must be a state, DC or territory code")
	}
	pattern("Constituent/Zip", c.Zip, cwcZipRe, true, "written 12345 or 12345-6789")
	phone("Constituent/Phone", c.Phone, false)
	yn("Constituent/AddressValidation", c.AddressValidation)
	email("Constituent/Email", c.Email, true)
	yn("Constituent/EmailValidation", c.EmailValidation)

	m := msg.Message
	text("Message/Subject", m.Subject, advocacy.CWCMinSubject, advocacy.CWCMaxSubject, true)
	if len(m.Topics) == 0 {
		add("Message/LibraryOfCongressTopics", "needs at least one topic")
	}
	for _, t := range m.Topics {
		if !slices.Contains(cwcTopics, t) {
			add("Message/LibraryOfCongressTopics/LibraryOfCongressTopic", "is not a Library of Congress policy area")
		}
	}
	if m.Bills != nil && len(m.Bills.Bill) == 0 {
		add("Message/Bills", "is empty")
	}
	for _, b := range m.bills() {
		if b.Congress < 1 {
			add("Message/Bills/Bill/BillCongress", "must be a positive number")
		}
		if !slices.Contains(cwcBillTypes, b.TypeAbbreviation) {
			add("Message/Bills/Bill/BillTypeAbbreviation", "must be one of %s", strings.Join(cwcBillTypes, ", "))
		}
		if b.Number < 1 {
			add("Message/Bills/Bill/BillNumber", "must be a positive number")
		}
	}
	if m.ProOrCon != "" && !slices.Contains([]string{"pro", "con"}, strings.ToLower(m.ProOrCon)) {
		add("Message/ProOrCon", "must be pro or con")
	}
	if strings.TrimSpace(m.OrganizationStatement) == "" && strings.TrimSpace(m.ConstituentMessage) == "" {
		add("Message", "needs an OrganizationStatement or a ConstituentMessage")
	} else {
		text("Message/OrganizationStatement", m.OrganizationStatement, advocacy.CWCMinText, advocacy.CWCMaxText, false)
		text("Message/ConstituentMessage", m.ConstituentMessage, advocacy.CWCMinText, advocacy.CWCMaxText, false)
	}
	if m.MoreInfo != "" {
		if u, err := url.Parse(m.MoreInfo); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsAny(m.MoreInfo, " <>\"{}|\\^`") {
			add("Message/MoreInfo", "must be an http or https URL")
		}
	}

	for _, f := range msg.textFields() {
		if advocacy.HasControlChars(f.value, f.multiline) {
			add(f.path, "contains control characters or invalid UTF-8")
		}
	}

	if len(ps) > 0 {
		return &CWCValidationError{Problems: ps}
	}
	return nil
}

// cwcEmail checks an address the way CWC's grammar does (something@host.tld)
// and that it is a bare address, not "Name <address>".
func cwcEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && cwcEmailRe.MatchString(s)
}

// bills lists the message's bills.
func (m CWCBody) bills() []CWCBill {
	if m.Bills == nil {
		return nil
	}
	return m.Bills.Bill
}

type cwcField struct {
	path, value string
	multiline   bool
}

// textFields lists every text value of the message.
func (msg CWCMessage) textFields() []cwcField {
	d, r, c, m := msg.Delivery, msg.Recipient, msg.Constituent, msg.Message
	fs := []cwcField{
		{"CWCVersion", msg.Version, false},
		{"Delivery/DeliveryId", d.DeliveryID, false},
		{"Delivery/DeliveryDate", d.DeliveryDate, false},
		{"Delivery/DeliveryAgent", d.DeliveryAgent, false},
		{"Delivery/DeliveryAgentAckEmailAddress", d.DeliveryAgentAckEmailAddress, false},
		{"Delivery/DeliveryAgentContact/DeliveryAgentContactName", d.DeliveryAgentContact.Name, false},
		{"Delivery/DeliveryAgentContact/DeliveryAgentContactEmail", d.DeliveryAgentContact.Email, false},
		{"Delivery/DeliveryAgentContact/DeliveryAgentContactPhone", d.DeliveryAgentContact.Phone, false},
		{"Delivery/Organization", d.Organization, false},
		{"Delivery/OrganizationAbout", d.OrganizationAbout, true},
		{"Delivery/CampaignId", d.CampaignID, false},
		{"Recipient/MemberOffice", r.MemberOffice, false},
		{"Recipient/IsResponseRequested", r.IsResponseRequested, false},
		{"Recipient/NewsletterOptIn", r.NewsletterOptIn, false},
		{"Constituent/Prefix", c.Prefix, false},
		{"Constituent/FirstName", c.FirstName, false},
		{"Constituent/MiddleName", c.MiddleName, false},
		{"Constituent/LastName", c.LastName, false},
		{"Constituent/Suffix", c.Suffix, false},
		{"Constituent/Title", c.Title, false},
		{"Constituent/ConstituentOrganization", c.ConstituentOrganization, false},
		{"Constituent/Address1", c.Address1, false},
		{"Constituent/Address2", c.Address2, false},
		{"Constituent/Address3", c.Address3, false},
		{"Constituent/City", c.City, false},
		{"Constituent/StateAbbreviation", c.StateAbbreviation, false},
		{"Constituent/Zip", c.Zip, false},
		{"Constituent/Phone", c.Phone, false},
		{"Constituent/AddressValidation", c.AddressValidation, false},
		{"Constituent/Email", c.Email, false},
		{"Constituent/EmailValidation", c.EmailValidation, false},
		{"Message/Subject", m.Subject, false},
		{"Message/ProOrCon", m.ProOrCon, false},
		{"Message/OrganizationStatement", m.OrganizationStatement, true},
		{"Message/ConstituentMessage", m.ConstituentMessage, true},
		{"Message/MoreInfo", m.MoreInfo, false},
	}
	if oc := d.OrganizationContact; oc != nil {
		fs = append(fs,
			cwcField{"Delivery/OrganizationContact/OrganizationContactName", oc.Name, false},
			cwcField{"Delivery/OrganizationContact/OrganizationContactEmail", oc.Email, false},
			cwcField{"Delivery/OrganizationContact/OrganizationContactPhone", oc.Phone, false})
	}
	for _, t := range m.Topics {
		fs = append(fs, cwcField{"Message/LibraryOfCongressTopics/LibraryOfCongressTopic", t, false})
	}
	for _, b := range m.bills() {
		fs = append(fs, cwcField{"Message/Bills/Bill/BillTypeAbbreviation", b.TypeAbbreviation, false})
	}
	return fs
}

// BuildCWC validates msg (setting CWCVersion when empty) and returns its XML
// document, UTF-8 with an XML declaration. encoding/xml escapes every text,
// so nothing a constituent types can change the document's structure.
func BuildCWC(msg CWCMessage) ([]byte, error) {
	if msg.Version == "" {
		msg.Version = CWCVersion
	}
	if err := ValidateCWC(msg); err != nil {
		return nil, err
	}
	out, err := xml.MarshalIndent(msg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("build CWC message: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// Agent is the delivery agent that every message names (the operator who
// holds the CWC API key), and the organisation named when a campaign has no
// sponsor of its own.
type Agent struct {
	Name                     string // DeliveryAgent: the API key's owner
	AckEmail                 string // DeliveryAgentAckEmailAddress
	ContactName              string
	ContactEmail             string
	ContactPhone             string // xxx-xxx-xxxx
	Organization             string // optional sponsoring organisation
	OrganizationAbout        string
	OrganizationContactName  string
	OrganizationContactEmail string
	OrganizationContactPhone string
	// Topic is the Library of Congress policy area used when a letter has
	// none; empty means TopicForeignTrade.
	Topic string
	// MoreInfo is an optional URL about the campaign.
	MoreInfo string
	// ResponseRequested sets IsResponseRequested=Y on every message; when
	// false the element is left out and the office decides.
	ResponseRequested bool
}

// Check reports every agent setting the grammar would refuse in a message,
// as the CWC element it fills and what is wrong (see ValidateCWC). Call it
// at start-up: a bad setting would otherwise fail every message.
func (a Agent) Check() []CWCProblem {
	msg := MessageFor(sampleItem(), a, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	// The organisation is left out of a message when it is too short to
	// send; a setting that is never sent is still a mistake.
	msg.Delivery.Organization = a.Organization
	msg.Delivery.OrganizationAbout = a.OrganizationAbout
	var out []CWCProblem
	var ve *CWCValidationError
	if err := ValidateCWC(msg); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if strings.HasPrefix(p.Path, "Delivery/") || p.Path == "Message/MoreInfo" ||
				strings.HasPrefix(p.Path, "Message/LibraryOfCongressTopics") {
				out = append(out, p)
			}
		}
	}
	if a.Topic != "" && !slices.Contains(cwcTopics, a.Topic) && !slices.ContainsFunc(out, func(p CWCProblem) bool {
		return strings.HasPrefix(p.Path, "Message/LibraryOfCongressTopics")
	}) {
		out = append(out, CWCProblem{Path: "Message/LibraryOfCongressTopics/LibraryOfCongressTopic", Message: "is not a Library of Congress policy area"})
	}
	return out
}

// SampleMessage is a complete message from a made-up constituent to office
// (a House or Senate code), from agent, dated date: what "whipcount cwc
// check" sends to CWC's validate or testing route.
func SampleMessage(office string, a Agent, date time.Time) CWCMessage {
	it := sampleItem()
	it.Delivery.OfficeCode = office
	if strings.HasPrefix(office, "S") {
		it.Delivery.Chamber = advocacy.Senate
		it.Delivery.Bill = advocacy.LetterBill{Congress: 119, Type: "s", Number: 3103}
	}
	return MessageFor(it, a, date)
}

// sampleItem is a letter that is valid in every respect, for checking
// settings and for the set-up check.
func sampleItem() advocacy.OutboxItem {
	return advocacy.OutboxItem{
		Letter: advocacy.Letter{PublicID: "SampleSampleSampleSamp", State: "DC", Prefix: "Ms.", FirstName: "Sample",
			LastName: "Constituent", Address1: "1 Sample Street NW", City: "Washington", Zip: "20001",
			Email:           "sample.constituent@example.org",
			PersonalMessage: "This is a sample message that Whipcount builds to check its CWC settings."},
		Delivery: advocacy.Delivery{OfficeCode: "HDC00", Chamber: advocacy.House, Channel: advocacy.ChannelCWC,
			DeliveryID: "SAMPLE000000000000000000000CHECK", Subject: "Sample message from Whipcount",
			TemplateText: "Dear Delegate, this is a sample letter that checks the sender's settings.",
			Bill:         advocacy.LetterBill{Congress: 119, Type: "hr", Number: 5917}},
		CampaignSlug: "sample",
	}
}

// MessageFor builds the CWC message of a claimed delivery: the agent's
// Delivery block dated date (UTC), the campaign's sponsor as the
// organisation (the agent's -cwc-organization when the campaign has none),
// the campaign's stable CampaignId, the office, the constituent, the
// rendered template as OrganizationStatement and the constituent's own
// words as ConstituentMessage, the bill of the recipient's chamber, and
// ProOrCon from the campaign's position on it ("con" when it opposes the
// bill).
//
// It folds what CWC cannot take as it is into forms it can: a short address
// line joins the other (advocacy.DeliveryAddress), a short organisation name
// joins the title (advocacy.DeliveryTitle), a long subject is shortened
// (advocacy.FitSubject), a sponsor's name shorter than the grammar's
// minimum is followed by its web site, and a description longer than 500
// characters is shortened.
func MessageFor(it advocacy.OutboxItem, a Agent, date time.Time) CWCMessage {
	l, d := it.Letter, it.Delivery
	topic := l.Topic
	if topic == "" {
		topic = a.Topic
	}
	if topic == "" {
		topic = TopicForeignTrade
	}
	campaignID := it.CWCCampaignID
	if campaignID == "" {
		campaignID = it.CampaignSlug
	}
	address1, address2 := advocacy.DeliveryAddress(l.Address1, l.Address2)
	title, org := advocacy.DeliveryTitle(l.Title, l.Organization)
	statement, personal := strings.TrimSpace(d.TemplateText), strings.TrimSpace(l.PersonalMessage)
	if n := utf8.RuneCountInString(personal); n > 0 && n < advocacy.CWCMinText && statement != "" {
		// Too short to stand alone (only letters stored before the rule
		// was checked at submission): it ends the campaign's text instead.
		statement, personal = statement+"\n\n"+personal, ""
	}
	msg := CWCMessage{
		Version: CWCVersion,
		Delivery: CWCDelivery{
			DeliveryID:                   d.DeliveryID,
			DeliveryDate:                 date.UTC().Format("20060102"),
			DeliveryAgent:                a.Name,
			DeliveryAgentAckEmailAddress: a.AckEmail,
			DeliveryAgentContact:         CWCAgentContact{Name: a.ContactName, Email: a.ContactEmail, Phone: a.ContactPhone},
			CampaignID:                   campaignID,
		},
		Recipient: CWCRecipient{MemberOffice: d.OfficeCode, NewsletterOptIn: "N"},
		Constituent: CWCConstituent{
			Prefix:                  l.Prefix,
			FirstName:               l.FirstName,
			LastName:                l.LastName,
			Title:                   title,
			ConstituentOrganization: org,
			Address1:                address1,
			Address2:                address2,
			City:                    l.City,
			StateAbbreviation:       l.State,
			Zip:                     l.Zip,
			Phone:                   l.Phone,
			Email:                   l.Email,
		},
		Message: CWCBody{
			Subject:               advocacy.FitSubject(d.Subject),
			Topics:                []string{topic},
			ProOrCon:              d.Position.ProOrCon(),
			OrganizationStatement: statement,
			ConstituentMessage:    personal,
			MoreInfo:              a.MoreInfo,
		},
	}
	msg.Delivery.Organization, msg.Delivery.OrganizationAbout, msg.Delivery.OrganizationContact = organization(it.Sponsor, a)
	if a.ResponseRequested {
		msg.Recipient.IsResponseRequested = "Y"
	}
	if l.Newsletter {
		msg.Recipient.NewsletterOptIn = "Y"
	}
	if b := d.Bill; b.Congress > 0 && b.Number > 0 && slices.Contains(cwcBillTypes, strings.ToLower(b.Type)) {
		msg.Message.Bills = &CWCBills{Bill: []CWCBill{{Congress: b.Congress, TypeAbbreviation: strings.ToLower(b.Type), Number: b.Number}}}
	}
	return msg
}

// organization is the Delivery block's organisation: the campaign's
// sponsor when it has a name, else the agent's settings.
func organization(sp advocacy.Sponsor, a Agent) (name, about string, contact *CWCOrganizationContact) {
	const minName, minAbout = 6, 6
	var c CWCOrganizationContact
	if strings.TrimSpace(sp.Name) != "" {
		name, about = strings.TrimSpace(sp.Name), strings.TrimSpace(sp.About)
		if utf8.RuneCountInString(name) < minName {
			if u, err := url.Parse(sp.URL); err == nil && u.Host != "" {
				name += " (" + strings.TrimPrefix(u.Hostname(), "www.") + ")"
			}
		}
		if cwcEmail(sp.Email) {
			c.Email = sp.Email
		}
	} else {
		name, about = a.Organization, a.OrganizationAbout
		c = CWCOrganizationContact{Name: a.OrganizationContactName, Email: a.OrganizationContactEmail, Phone: a.OrganizationContactPhone}
	}
	name, about = advocacy.Clip(name, advocacy.CWCMaxField), advocacy.Clip(about, advocacy.CWCMaxField)
	if utf8.RuneCountInString(name) < minName || advocacy.HasControlChars(name, false) {
		// Too short for the grammar: the message goes without it.
		return "", "", nil
	}
	if utf8.RuneCountInString(about) < minAbout {
		about = ""
	}
	if c != (CWCOrganizationContact{}) {
		contact = &c
	}
	return name, about, contact
}
