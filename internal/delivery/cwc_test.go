package delivery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var cwcDate = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func testAgent() Agent {
	return Agent{
		Name:                     "Whipcount Test Agent",
		AckEmail:                 "cwc-ack@example.org",
		ContactName:              "Pat Operator",
		ContactEmail:             "pat@example.org",
		ContactPhone:             "202-555-0142",
		Organization:             "Central Asia Trade Coalition",
		OrganizationAbout:        "Businesses for normal trade with Central Asia.",
		OrganizationContactName:  "Sam Organizer",
		OrganizationContactEmail: "sam@example.org",
		OrganizationContactPhone: "202-555-0143",
		MoreInfo:                 "https://whipcount.example.org/",
		ResponseRequested:        true,
	}
}

func testItem() advocacy.OutboxItem {
	return advocacy.OutboxItem{
		Letter: advocacy.Letter{
			ID: 1, PublicID: "AAAAAAAAAAAAAAAAAAAAAA", State: "NY", District: 12,
			Prefix: "Dr.", FirstName: "Ada", LastName: "Lovelace-O'Neil", Address1: "1 Riverside Dr", Address2: "Apt 4B",
			City: "New York", Zip: "10025-1234", Email: "ada@example.com", Phone: "212-555-0100",
			Title: "CEO", Organization: "Lovelace & Babbage <Exports>",
			PersonalMessage: "My shop ships to Almaty.\n\nRepeal would \"help\" us — a lot.",
			Topic:           TopicForeignTrade, Newsletter: true,
		},
		Delivery: advocacy.Delivery{
			ID: 7, BioguideID: "N000002", OfficeCode: "HNY12", Chamber: advocacy.House, Channel: advocacy.ChannelCWC,
			DeliveryID: "Abcdefghij0123456789KLMNOPqrstuv", Subject: "Please cosponsor H.R. 5917",
			TemplateText: "Dear Representative Jerrold Nadler,\n\nPlease cosponsor H.R. 5917.\n\nSincerely,\nAda Lovelace-O'Neil",
			Bill:         advocacy.LetterBill{Congress: 119, Type: "hr", Number: 5917},
			Attempts:     1,
		},
		CampaignSlug:  "jackson-vanik",
		CWCCampaignID: "jackson-vanik-2025",
	}
}

func minimalItem() advocacy.OutboxItem {
	it := testItem()
	it.Letter.Prefix, it.Letter.LastName, it.Letter.Address2, it.Letter.Zip = "Mx.", "Lovelace", "", "10025"
	it.Letter.Phone, it.Letter.Title, it.Letter.Organization, it.Letter.PersonalMessage = "", "", "", ""
	it.Letter.Topic, it.Letter.Newsletter = "", false
	it.Delivery.OfficeCode, it.Delivery.Chamber = "SNY02", advocacy.Senate
	it.Delivery.Bill = advocacy.LetterBill{}
	it.CWCCampaignID = ""
	return it
}

func minimalAgent() Agent {
	return Agent{Name: "Whipcount Test Agent", AckEmail: "cwc-ack@example.org", ContactName: "Pat Operator",
		ContactEmail: "pat@example.org", ContactPhone: "202-555-0142"}
}

func TestBuildCWCGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  CWCMessage
	}{
		{"house_full", MessageFor(testItem(), testAgent(), cwcDate)},
		{"senate_minimal", MessageFor(minimalItem(), minimalAgent(), cwcDate)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BuildCWC(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("XML differs from %s (run with -update after checking):\n%s", path, got)
			}
			assertWellFormed(t, got)
			var back CWCMessage
			if err := xml.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			back.XMLName = xml.Name{}
			tc.msg.XMLName = xml.Name{}
			if !reflect.DeepEqual(back, tc.msg) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, tc.msg)
			}
		})
	}
}

// assertWellFormed reads every token of doc with a strict decoder.
func assertWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name.Local != "CWC" {
					t.Fatalf("root is %s", tok.Name.Local)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 || depth != 0 {
		t.Fatalf("%d roots, depth %d at end", roots, depth)
	}
}

func TestMessageForFields(t *testing.T) {
	m := MessageFor(testItem(), testAgent(), cwcDate)
	if m.Delivery.DeliveryDate != "20260302" || m.Delivery.CampaignID != "jackson-vanik-2025" ||
		m.Recipient.MemberOffice != "HNY12" || m.Message.ProOrCon != "pro" ||
		!reflect.DeepEqual(m.Message.Topics, []string{TopicForeignTrade}) ||
		!reflect.DeepEqual(m.Message.Bills, &CWCBills{Bill: []CWCBill{{119, "hr", 5917}}}) ||
		m.Recipient.NewsletterOptIn != "Y" || m.Recipient.IsResponseRequested != "Y" ||
		m.Message.OrganizationStatement == "" || m.Message.ConstituentMessage == "" {
		t.Fatalf("message = %+v", m)
	}
	m = MessageFor(minimalItem(), Agent{Topic: "Commerce"}, cwcDate)
	if m.Delivery.CampaignID != "jackson-vanik" || m.Message.Topics[0] != "Commerce" || m.Message.Bills != nil ||
		m.Recipient.NewsletterOptIn != "N" || m.Recipient.IsResponseRequested != "" || m.Delivery.OrganizationContact != nil {
		t.Fatalf("minimal message = %+v", m)
	}
}

func TestValidateCWCFailures(t *testing.T) {
	tests := []struct {
		name string
		edit func(*CWCMessage)
		path string
	}{
		{"version", func(m *CWCMessage) { m.Version = "1.0" }, "CWCVersion"},
		{"delivery id short", func(m *CWCMessage) { m.Delivery.DeliveryID = "abc" }, "Delivery/DeliveryId"},
		{"delivery id punctuation", func(m *CWCMessage) { m.Delivery.DeliveryID = strings.Repeat("a", 31) + "-" }, "Delivery/DeliveryId"},
		{"delivery id 33", func(m *CWCMessage) { m.Delivery.DeliveryID = strings.Repeat("a", 33) }, "Delivery/DeliveryId"},
		{"date format", func(m *CWCMessage) { m.Delivery.DeliveryDate = "2026-03-02" }, "Delivery/DeliveryDate"},
		{"date impossible", func(m *CWCMessage) { m.Delivery.DeliveryDate = "20261341" }, "Delivery/DeliveryDate"},
		{"agent missing", func(m *CWCMessage) { m.Delivery.DeliveryAgent = " " }, "Delivery/DeliveryAgent"},
		{"agent too long", func(m *CWCMessage) { m.Delivery.DeliveryAgent = strings.Repeat("a", 501) }, "Delivery/DeliveryAgent"},
		{"agent too short", func(m *CWCMessage) { m.Delivery.DeliveryAgent = "Abc" }, "Delivery/DeliveryAgent"},
		{"ack email missing", func(m *CWCMessage) { m.Delivery.DeliveryAgentAckEmailAddress = "" }, "Delivery/DeliveryAgentAckEmailAddress"},
		{"ack email bad", func(m *CWCMessage) { m.Delivery.DeliveryAgentAckEmailAddress = "nope" }, "Delivery/DeliveryAgentAckEmailAddress"},
		{"agent contact name", func(m *CWCMessage) { m.Delivery.DeliveryAgentContact.Name = "" }, "Delivery/DeliveryAgentContact/DeliveryAgentContactName"},
		{"agent contact name short", func(m *CWCMessage) { m.Delivery.DeliveryAgentContact.Name = "Pat O" }, "Delivery/DeliveryAgentContact/DeliveryAgentContactName"},
		{"agent contact email", func(m *CWCMessage) { m.Delivery.DeliveryAgentContact.Email = "a@b" }, "Delivery/DeliveryAgentContact/DeliveryAgentContactEmail"},
		{"agent contact phone", func(m *CWCMessage) { m.Delivery.DeliveryAgentContact.Phone = "2025550142" }, "Delivery/DeliveryAgentContact/DeliveryAgentContactPhone"},
		{"agent contact phone missing", func(m *CWCMessage) { m.Delivery.DeliveryAgentContact.Phone = "" }, "Delivery/DeliveryAgentContact/DeliveryAgentContactPhone"},
		{"organization too long", func(m *CWCMessage) { m.Delivery.Organization = strings.Repeat("o", 501) }, "Delivery/Organization"},
		{"organization too short", func(m *CWCMessage) { m.Delivery.Organization = "ACLU" }, "Delivery/Organization"},
		{"organization contact empty", func(m *CWCMessage) { m.Delivery.OrganizationContact = &CWCOrganizationContact{} }, "Delivery/OrganizationContact"},
		{"organization contact email", func(m *CWCMessage) { m.Delivery.OrganizationContact.Email = "x" }, "Delivery/OrganizationContact/OrganizationContactEmail"},
		{"organization contact phone", func(m *CWCMessage) { m.Delivery.OrganizationContact.Phone = "555" }, "Delivery/OrganizationContact/OrganizationContactPhone"},
		{"organization about too long", func(m *CWCMessage) { m.Delivery.OrganizationAbout = strings.Repeat("a", 501) }, "Delivery/OrganizationAbout"},
		{"campaign id missing", func(m *CWCMessage) { m.Delivery.CampaignID = "" }, "Delivery/CampaignId"},
		{"campaign id short", func(m *CWCMessage) { m.Delivery.CampaignID = "j" }, "Delivery/CampaignId"},
		{"office lower case", func(m *CWCMessage) { m.Recipient.MemberOffice = "hny12" }, "Recipient/MemberOffice"},
		{"office one digit", func(m *CWCMessage) { m.Recipient.MemberOffice = "HNY1" }, "Recipient/MemberOffice"},
		{"office chamber", func(m *CWCMessage) { m.Recipient.MemberOffice = "XNY12" }, "Recipient/MemberOffice"},
		{"response flag", func(m *CWCMessage) { m.Recipient.IsResponseRequested = "yes" }, "Recipient/IsResponseRequested"},
		{"newsletter flag", func(m *CWCMessage) { m.Recipient.NewsletterOptIn = "y" }, "Recipient/NewsletterOptIn"},
		{"prefix missing", func(m *CWCMessage) { m.Constituent.Prefix = "" }, "Constituent/Prefix"},
		{"prefix unknown", func(m *CWCMessage) { m.Constituent.Prefix = "Lord" }, "Constituent/Prefix"},
		{"first name missing", func(m *CWCMessage) { m.Constituent.FirstName = "" }, "Constituent/FirstName"},
		{"first name too long", func(m *CWCMessage) { m.Constituent.FirstName = strings.Repeat("a", 501) }, "Constituent/FirstName"},
		{"middle name too long", func(m *CWCMessage) { m.Constituent.MiddleName = strings.Repeat("a", 501) }, "Constituent/MiddleName"},
		{"last name missing", func(m *CWCMessage) { m.Constituent.LastName = "" }, "Constituent/LastName"},
		{"suffix too long", func(m *CWCMessage) { m.Constituent.Suffix = strings.Repeat("a", 501) }, "Constituent/Suffix"},
		{"title too long", func(m *CWCMessage) { m.Constituent.Title = strings.Repeat("a", 501) }, "Constituent/Title"},
		{"sender organization too long", func(m *CWCMessage) { m.Constituent.ConstituentOrganization = strings.Repeat("a", 501) }, "Constituent/ConstituentOrganization"},
		{"sender organization too short", func(m *CWCMessage) { m.Constituent.ConstituentOrganization = "EY" }, "Constituent/ConstituentOrganization"},
		{"address missing", func(m *CWCMessage) { m.Constituent.Address1 = "" }, "Constituent/Address1"},
		{"address2 too long", func(m *CWCMessage) { m.Constituent.Address2 = strings.Repeat("a", 501) }, "Constituent/Address2"},
		{"address1 too short", func(m *CWCMessage) { m.Constituent.Address1 = "1A" }, "Constituent/Address1"},
		{"address2 too short", func(m *CWCMessage) { m.Constituent.Address2 = "#2" }, "Constituent/Address2"},
		{"city too short", func(m *CWCMessage) { m.Constituent.City = "NY" }, "Constituent/City"},
		{"city missing", func(m *CWCMessage) { m.Constituent.City = "" }, "Constituent/City"},
		{"state lower", func(m *CWCMessage) { m.Constituent.StateAbbreviation = "ny" }, "Constituent/StateAbbreviation"},
		{"state missing", func(m *CWCMessage) { m.Constituent.StateAbbreviation = "" }, "Constituent/StateAbbreviation"},
		{"state unknown", func(m *CWCMessage) { m.Constituent.StateAbbreviation = "ZZ" }, "Constituent/StateAbbreviation"},
		{"zip short", func(m *CWCMessage) { m.Constituent.Zip = "1002" }, "Constituent/Zip"},
		{"zip plus4 without hyphen", func(m *CWCMessage) { m.Constituent.Zip = "100251234" }, "Constituent/Zip"},
		{"phone format", func(m *CWCMessage) { m.Constituent.Phone = "(212) 555-0100" }, "Constituent/Phone"},
		{"address validation", func(m *CWCMessage) { m.Constituent.AddressValidation = "true" }, "Constituent/AddressValidation"},
		{"email missing", func(m *CWCMessage) { m.Constituent.Email = "" }, "Constituent/Email"},
		{"email display name", func(m *CWCMessage) { m.Constituent.Email = "Ada <ada@example.com>" }, "Constituent/Email"},
		{"email validation", func(m *CWCMessage) { m.Constituent.EmailValidation = "1" }, "Constituent/EmailValidation"},
		{"subject missing", func(m *CWCMessage) { m.Message.Subject = "" }, "Message/Subject"},
		{"subject too short", func(m *CWCMessage) { m.Message.Subject = "Hello" }, "Message/Subject"},
		{"subject too long", func(m *CWCMessage) { m.Message.Subject = strings.Repeat("s", 251) }, "Message/Subject"},
		{"no topic", func(m *CWCMessage) { m.Message.Topics = nil }, "Message/LibraryOfCongressTopics"},
		{"unknown topic", func(m *CWCMessage) { m.Message.Topics = []string{"Trade"} }, "Message/LibraryOfCongressTopics/LibraryOfCongressTopic"},
		{"bill congress", func(m *CWCMessage) { m.Message.Bills.Bill[0].Congress = 0 }, "Message/Bills/Bill/BillCongress"},
		{"bill type", func(m *CWCMessage) { m.Message.Bills.Bill[0].TypeAbbreviation = "H.R." }, "Message/Bills/Bill/BillTypeAbbreviation"},
		{"bill type upper case", func(m *CWCMessage) { m.Message.Bills.Bill[0].TypeAbbreviation = "HR" }, "Message/Bills/Bill/BillTypeAbbreviation"},
		{"bill number", func(m *CWCMessage) { m.Message.Bills.Bill[0].Number = -1 }, "Message/Bills/Bill/BillNumber"},
		{"pro or con", func(m *CWCMessage) { m.Message.ProOrCon = "yes" }, "Message/ProOrCon"},
		{"no statement and no message", func(m *CWCMessage) {
			m.Message.OrganizationStatement, m.Message.ConstituentMessage = "", " \n"
		}, "Message"},
		{"statement too long", func(m *CWCMessage) { m.Message.OrganizationStatement = strings.Repeat("a", 10001) }, "Message/OrganizationStatement"},
		{"constituent message too long", func(m *CWCMessage) { m.Message.ConstituentMessage = strings.Repeat("a", 10001) }, "Message/ConstituentMessage"},
		{"constituent message too short", func(m *CWCMessage) { m.Message.ConstituentMessage = "Yes!" }, "Message/ConstituentMessage"},
		{"statement too short", func(m *CWCMessage) { m.Message.OrganizationStatement = "Hi" }, "Message/OrganizationStatement"},
		{"more info not a URL", func(m *CWCMessage) { m.Message.MoreInfo = "javascript:alert(1)" }, "Message/MoreInfo"},
		{"control char in name", func(m *CWCMessage) { m.Constituent.FirstName = "A\x01da" }, "Constituent/FirstName"},
		{"newline in city", func(m *CWCMessage) { m.Constituent.City = "New\nYork" }, "Constituent/City"},
		{"control char in message", func(m *CWCMessage) { m.Message.ConstituentMessage = "hi\x1b[31m" }, "Message/ConstituentMessage"},
		{"invalid utf8 in statement", func(m *CWCMessage) { m.Message.OrganizationStatement = "a\xffb" }, "Message/OrganizationStatement"},
		{"carriage return in statement", func(m *CWCMessage) { m.Message.OrganizationStatement = "a\r\nb" }, "Message/OrganizationStatement"},
		{"nul in campaign id", func(m *CWCMessage) { m.Delivery.CampaignID = "jv\x00" }, "Delivery/CampaignId"},
		{"noncharacter in subject", func(m *CWCMessage) { m.Message.Subject = "a\uFFFE" }, "Message/Subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MessageFor(testItem(), testAgent(), cwcDate)
			tc.edit(&m)
			err := ValidateCWC(m)
			var ve *CWCValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *CWCValidationError, got %v", err)
			}
			if !ve.Has(tc.path) {
				t.Fatalf("no problem at %s in %v", tc.path, err)
			}
			if out, err := BuildCWC(m); err == nil || out != nil {
				t.Fatal("BuildCWC built an invalid message")
			}
			// No value from the message may leak into the error.
			for _, secret := range []string{"Lovelace", "Riverside", "ada@example.com", "212-555-0100", "Almaty"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error leaks %q: %v", secret, err)
				}
			}
		})
	}
}

func TestValidateCWCListsEveryProblem(t *testing.T) {
	m := MessageFor(testItem(), testAgent(), cwcDate)
	m.Delivery.DeliveryID = "x"
	m.Constituent.Zip = "x"
	m.Constituent.Prefix = "x"
	m.Message.Topics = []string{"x"}
	err := ValidateCWC(m)
	var ve *CWCValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 4 {
		t.Fatalf("got %v", err)
	}
	for _, p := range []string{"Delivery/DeliveryId", "Constituent/Zip", "Constituent/Prefix", "Message/LibraryOfCongressTopics/LibraryOfCongressTopic"} {
		if !ve.Has(p) {
			t.Errorf("missing %s", p)
		}
	}
	if ValidateCWC(MessageFor(testItem(), testAgent(), cwcDate)) != nil {
		t.Fatal("the sample message should be valid")
	}
}

// Whatever a constituent types, the output is well-formed and reads back
// unchanged.
func TestBuildCWCEscapes(t *testing.T) {
	nasty := []string{
		`</ConstituentMessage><Injected>1</Injected>`,
		`<![CDATA[ x ]]> & &amp; "quotes" 'apostrophes'`,
		"émoji 🇺🇸 and ünïcödé\n\ttabbed",
		`]]> ]]>`,
	}
	for _, s := range nasty {
		m := MessageFor(testItem(), testAgent(), cwcDate)
		m.Message.ConstituentMessage = s
		m.Constituent.ConstituentOrganization = strings.ReplaceAll(s[:min(len(s), 40)], "\n", " ")
		m.Constituent.ConstituentOrganization = strings.ReplaceAll(m.Constituent.ConstituentOrganization, "\t", " ")
		out, err := BuildCWC(m)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		assertWellFormed(t, out)
		var back CWCMessage
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if back.Message.ConstituentMessage != s || back.Constituent.ConstituentOrganization != m.Constituent.ConstituentOrganization {
			t.Fatalf("round trip changed %q to %q", s, back.Message.ConstituentMessage)
		}
		if bytes.Contains(out, []byte("<Injected>")) {
			t.Fatal("markup injected")
		}
	}
}

func TestTopicsIncludeCampaignTopic(t *testing.T) {
	ts := Topics()
	found := false
	for _, x := range ts {
		found = found || x == "Foreign Trade and International Finance"
	}
	if !found || len(ts) < 30 {
		t.Fatalf("topics = %v", ts)
	}
	ts[0] = "changed"
	if Topics()[0] == "changed" {
		t.Fatal("Topics returned the package's own slice")
	}
}

func TestAgentCheck(t *testing.T) {
	if ps := testAgent().Check(); len(ps) != 0 {
		t.Fatalf("a good agent: %v", ps)
	}
	a := minimalAgent()
	a.Name, a.ContactName, a.Organization, a.Topic = "Bob", "Pat", "ACLU", "Trade"
	got := map[string]bool{}
	for _, p := range a.Check() {
		got[p.Path] = true
	}
	for _, want := range []string{"Delivery/DeliveryAgent", "Delivery/DeliveryAgentContact/DeliveryAgentContactName",
		"Delivery/Organization", "Message/LibraryOfCongressTopics/LibraryOfCongressTopic"} {
		if !got[want] {
			t.Errorf("no problem at %s: %v", want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("problems %v", got)
	}
	if err := ValidateCWC(SampleMessage("SNY03", testAgent(), cwcDate)); err != nil {
		t.Fatal(err)
	}
}
