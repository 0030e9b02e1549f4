// Package delivery gets letters to congressional offices: it builds and
// validates CWC 2.0 XML, runs the durable outbox worker that posts it to the
// House (and, when configured, Senate) CWC endpoints, and sends constituents
// their receipt by SMTP.
package delivery

import (
	"encoding/xml"
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

// CWCMessage is one CWC 2.0 message, shaped like its XML. Element names and
// order follow the public CWC client that CWC.md cites (EFF's
// congress-forms cwc/lib/cwc/message.rb): bills are repeated Message/Bill
// elements and the constituent's organisation is Constituent/Organization.
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
	Prefix            string `xml:"Prefix"`
	FirstName         string `xml:"FirstName"`
	MiddleName        string `xml:"MiddleName,omitempty"`
	LastName          string `xml:"LastName"`
	Suffix            string `xml:"Suffix,omitempty"`
	Title             string `xml:"Title,omitempty"`
	Organization      string `xml:"Organization,omitempty"`
	Address1          string `xml:"Address1"`
	Address2          string `xml:"Address2,omitempty"`
	Address3          string `xml:"Address3,omitempty"`
	City              string `xml:"City"`
	StateAbbreviation string `xml:"StateAbbreviation"`
	Zip               string `xml:"Zip"`
	Phone             string `xml:"Phone,omitempty"`
	AddressValidation string `xml:"AddressValidation,omitempty"` // Y only when verified
	Email             string `xml:"Email"`
	EmailValidation   string `xml:"EmailValidation,omitempty"` // Y only when verified
}

// CWCBody is the Message block.
type CWCBody struct {
	Subject               string    `xml:"Subject"`
	Topics                []string  `xml:"LibraryOfCongressTopics>LibraryOfCongressTopic"`
	Bills                 []CWCBill `xml:"Bill"`
	ProOrCon              string    `xml:"ProOrCon,omitempty"`
	OrganizationStatement string    `xml:"OrganizationStatement,omitempty"`
	ConstituentMessage    string    `xml:"ConstituentMessage,omitempty"`
	MoreInfo              string    `xml:"MoreInfo,omitempty"`
}

// CWCBill is a bill the message is about.
type CWCBill struct {
	Congress         int    `xml:"BillCongress"`
	TypeAbbreviation string `xml:"BillTypeAbbreviation"`
	Number           int    `xml:"BillNumber"`
}

// TopicForeignTrade is the policy area of the Jackson-Vanik campaign.
const TopicForeignTrade = "Foreign Trade and International Finance"

// cwcTopics are the Library of Congress policy areas.
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
	"Geographic Areas, Entities, and Committees",
	"Government Operations and Politics",
	"Health",
	"Housing and Community Development",
	"Immigration",
	"International Affairs",
	"Labor and Employment",
	"Law",
	"Native Americans",
	"Private Legislation",
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

// cwcBillTypes are the bill type abbreviations a message may carry.
var cwcBillTypes = []string{"HR", "S", "HRES", "SRES", "HJRES", "SJRES", "HCONRES", "SCONRES"}

var (
	cwcOfficeRe = regexp.MustCompile(`^[HS][A-Z]{2}\d{2}$`)
	cwcStateRe  = regexp.MustCompile(`^[A-Z]{2}$`)
	cwcZipRe    = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
	cwcPhoneRe  = regexp.MustCompile(`^\d{3}-\d{3}-\d{4}$`)
	cwcDateRe   = regexp.MustCompile(`^\d{8}$`)
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

// Length limits, in characters. Letter fields are bounded tighter by
// advocacy.ValidateLetter; these are the outer bounds a message may reach.
const (
	cwcMaxShort    = 100   // names of agents and contacts, campaign id
	cwcMaxSubject  = 250   // subject
	cwcMaxAbout    = 2000  // OrganizationAbout, MoreInfo
	cwcMaxLongText = 10000 // OrganizationStatement, ConstituentMessage
)

// ValidateCWC checks msg against the CWC rules before it is sent: required
// elements, DeliveryId of 32 letters and digits, a real YYYYMMDD date, the
// MemberOffice form, the prefix list, two-letter state, ZIP and phone
// formats, email syntax, topics from the policy-area list, bill types, pro or
// con, at least one of OrganizationStatement and ConstituentMessage, Y/N
// flags, lengths, and no control characters other than newline and tab (only
// in the long texts) anywhere. It returns a *CWCValidationError listing every
// problem, or nil.
func ValidateCWC(msg CWCMessage) error {
	var ps []CWCProblem
	add := func(path, format string, args ...any) {
		ps = append(ps, CWCProblem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	required := func(path, v string, max int) bool {
		if strings.TrimSpace(v) == "" {
			add(path, "is required")
			return false
		}
		if utf8.RuneCountInString(v) > max {
			add(path, "is longer than %d characters", max)
			return false
		}
		return true
	}
	optional := func(path, v string, max int) bool {
		if v == "" {
			return false
		}
		if utf8.RuneCountInString(v) > max {
			add(path, "is longer than %d characters", max)
			return false
		}
		return true
	}
	email := func(path, v string, req bool) {
		if (req && required(path, v, advocacy.LetterMaxEmail)) || (!req && optional(path, v, advocacy.LetterMaxEmail)) {
			if !cwcEmail(v) {
				add(path, "is not an email address")
			}
		}
	}
	phone := func(path, v string, req bool) {
		if (req && required(path, v, 12)) || (!req && optional(path, v, 12)) {
			if !cwcPhoneRe.MatchString(v) {
				add(path, "must be written xxx-xxx-xxxx")
			}
		}
	}
	yn := func(path, v string) {
		if v != "" && v != "Y" && v != "N" {
			add(path, "must be Y or N")
		}
	}

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
	required("Delivery/DeliveryAgent", d.DeliveryAgent, cwcMaxShort)
	email("Delivery/DeliveryAgentAckEmailAddress", d.DeliveryAgentAckEmailAddress, true)
	required("Delivery/DeliveryAgentContact/DeliveryAgentContactName", d.DeliveryAgentContact.Name, cwcMaxShort)
	email("Delivery/DeliveryAgentContact/DeliveryAgentContactEmail", d.DeliveryAgentContact.Email, true)
	phone("Delivery/DeliveryAgentContact/DeliveryAgentContactPhone", d.DeliveryAgentContact.Phone, true)
	optional("Delivery/Organization", d.Organization, cwcMaxShort)
	if oc := d.OrganizationContact; oc != nil {
		if oc.Name == "" && oc.Email == "" && oc.Phone == "" {
			add("Delivery/OrganizationContact", "is empty")
		}
		optional("Delivery/OrganizationContact/OrganizationContactName", oc.Name, cwcMaxShort)
		email("Delivery/OrganizationContact/OrganizationContactEmail", oc.Email, false)
		phone("Delivery/OrganizationContact/OrganizationContactPhone", oc.Phone, false)
	}
	optional("Delivery/OrganizationAbout", d.OrganizationAbout, cwcMaxAbout)
	required("Delivery/CampaignId", d.CampaignID, cwcMaxShort)

	r := msg.Recipient
	if !cwcOfficeRe.MatchString(r.MemberOffice) {
		add("Recipient/MemberOffice", "must be H or S, a state and two digits, like HNY12")
	}
	yn("Recipient/IsResponseRequested", r.IsResponseRequested)
	yn("Recipient/NewsletterOptIn", r.NewsletterOptIn)

	c := msg.Constituent
	if c.Prefix == "" {
		add("Constituent/Prefix", "is required")
	} else if !advocacy.ValidPrefix(c.Prefix) {
		add("Constituent/Prefix", "is not in the CWC prefix list")
	}
	required("Constituent/FirstName", c.FirstName, advocacy.LetterMaxName)
	optional("Constituent/MiddleName", c.MiddleName, advocacy.LetterMaxName)
	required("Constituent/LastName", c.LastName, advocacy.LetterMaxName)
	optional("Constituent/Suffix", c.Suffix, 20)
	optional("Constituent/Title", c.Title, advocacy.LetterMaxTitle)
	optional("Constituent/Organization", c.Organization, advocacy.LetterMaxOrganization)
	required("Constituent/Address1", c.Address1, advocacy.LetterMaxAddress)
	optional("Constituent/Address2", c.Address2, advocacy.LetterMaxAddress)
	optional("Constituent/Address3", c.Address3, advocacy.LetterMaxAddress)
	required("Constituent/City", c.City, advocacy.LetterMaxCity)
	if !cwcStateRe.MatchString(c.StateAbbreviation) {
		add("Constituent/StateAbbreviation", "must be two capital letters")
	}
	if !cwcZipRe.MatchString(c.Zip) {
		add("Constituent/Zip", "must be written 12345 or 12345-6789")
	}
	phone("Constituent/Phone", c.Phone, false)
	yn("Constituent/AddressValidation", c.AddressValidation)
	email("Constituent/Email", c.Email, true)
	yn("Constituent/EmailValidation", c.EmailValidation)

	m := msg.Message
	required("Message/Subject", m.Subject, cwcMaxSubject)
	if len(m.Topics) == 0 {
		add("Message/LibraryOfCongressTopics", "needs at least one topic")
	}
	for _, t := range m.Topics {
		if !slices.Contains(cwcTopics, t) {
			add("Message/LibraryOfCongressTopics/LibraryOfCongressTopic", "is not a Library of Congress policy area")
		}
	}
	for _, b := range m.Bills {
		if b.Congress < 1 || b.Congress > 999 {
			add("Message/Bill/BillCongress", "must be a Congress number")
		}
		if !slices.Contains(cwcBillTypes, b.TypeAbbreviation) {
			add("Message/Bill/BillTypeAbbreviation", "must be one of %s", strings.Join(cwcBillTypes, ", "))
		}
		if b.Number < 1 {
			add("Message/Bill/BillNumber", "must be a positive number")
		}
	}
	if m.ProOrCon != "" && m.ProOrCon != "pro" && m.ProOrCon != "con" {
		add("Message/ProOrCon", "must be pro or con")
	}
	optional("Message/OrganizationStatement", m.OrganizationStatement, cwcMaxLongText)
	optional("Message/ConstituentMessage", m.ConstituentMessage, cwcMaxLongText)
	if strings.TrimSpace(m.OrganizationStatement) == "" && strings.TrimSpace(m.ConstituentMessage) == "" {
		add("Message", "needs an OrganizationStatement or a ConstituentMessage")
	}
	if optional("Message/MoreInfo", m.MoreInfo, cwcMaxAbout) {
		if u, err := url.Parse(m.MoreInfo); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
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
		{"Constituent/Organization", c.Organization, false},
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
	for _, b := range m.Bills {
		fs = append(fs, cwcField{"Message/Bill/BillTypeAbbreviation", b.TypeAbbreviation, false})
	}
	return fs
}

// cwcEmail checks an address the way CWC's schema does (something@host.tld)
// and that it is a bare address, not "Name <address>".
func cwcEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
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

// Agent is the delivery agent and sponsoring organisation that every
// message names: the operator who holds the CWC API key.
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

// MessageFor builds the CWC message of a claimed delivery: the agent's
// Delivery block dated date (UTC), the campaign's stable CampaignId, the
// office, the constituent, the rendered template as OrganizationStatement and
// the constituent's own words as ConstituentMessage, the bill of the
// recipient's chamber, and ProOrCon from the campaign's position on it
// ("con" when it opposes the bill).
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
	msg := CWCMessage{
		Version: CWCVersion,
		Delivery: CWCDelivery{
			DeliveryID:                   d.DeliveryID,
			DeliveryDate:                 date.UTC().Format("20060102"),
			DeliveryAgent:                a.Name,
			DeliveryAgentAckEmailAddress: a.AckEmail,
			DeliveryAgentContact:         CWCAgentContact{Name: a.ContactName, Email: a.ContactEmail, Phone: a.ContactPhone},
			Organization:                 a.Organization,
			OrganizationAbout:            a.OrganizationAbout,
			CampaignID:                   campaignID,
		},
		Recipient: CWCRecipient{MemberOffice: d.OfficeCode, NewsletterOptIn: "N"},
		Constituent: CWCConstituent{
			Prefix:            l.Prefix,
			FirstName:         l.FirstName,
			LastName:          l.LastName,
			Title:             l.Title,
			Organization:      l.Organization,
			Address1:          l.Address1,
			Address2:          l.Address2,
			City:              l.City,
			StateAbbreviation: l.State,
			Zip:               l.Zip,
			Phone:             l.Phone,
			Email:             l.Email,
		},
		Message: CWCBody{
			Subject:               d.Subject,
			Topics:                []string{topic},
			ProOrCon:              d.Position.ProOrCon(),
			OrganizationStatement: d.TemplateText,
			ConstituentMessage:    l.PersonalMessage,
			MoreInfo:              a.MoreInfo,
		},
	}
	if a.OrganizationContactName != "" || a.OrganizationContactEmail != "" || a.OrganizationContactPhone != "" {
		msg.Delivery.OrganizationContact = &CWCOrganizationContact{
			Name: a.OrganizationContactName, Email: a.OrganizationContactEmail, Phone: a.OrganizationContactPhone,
		}
	}
	if a.ResponseRequested {
		msg.Recipient.IsResponseRequested = "Y"
	}
	if l.Newsletter {
		msg.Recipient.NewsletterOptIn = "Y"
	}
	if !d.Bill.IsZero() {
		msg.Message.Bills = []CWCBill{{Congress: d.Bill.Congress, TypeAbbreviation: strings.ToUpper(d.Bill.Type), Number: d.Bill.Number}}
	}
	return msg
}
