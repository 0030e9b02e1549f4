package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
)

// requireXMLLint finds xmllint, or skips the test; in CI (CI=true) a
// missing xmllint is a failure, as the grammar tests must run there.
func requireXMLLint(t *testing.T) XMLLint {
	t.Helper()
	x, ok := FindXMLLint()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is not installed; CI must validate messages against the CWC grammar (.ci/run installs libxml2-utils)")
		}
		t.Skip("skipping grammar test: xmllint not found (apt-get install libxml2-utils)")
	}
	return x
}

// members is the shipped member data of the 119th Congress.
func members(t *testing.T) []advocacy.Member {
	t.Helper()
	ms, err := congress.LoadMembers(os.DirFS("../../db/reference"))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// sender is one way a constituent may fill in the letter form.
type sender struct {
	name string
	in   advocacy.LetterInput
}

// long repeats s to exactly n characters.
func long(s string, n int) string { return string([]rune(strings.Repeat(s, n))[:n]) }

// senders covers the shortest and longest accepted fields, accents and
// apostrophes, and the inputs CWC cannot take as they are (short unit
// lines, a two-letter company).
func senders() []sender {
	return []sender{
		{"shortest", advocacy.LetterInput{Prefix: "Mr.", FirstName: "A", LastName: "B", Address1: "1 A", City: "Ely",
			Zip: "00601", Email: "a@b.co"}},
		{"longest", advocacy.LetterInput{Prefix: "Pastor", FirstName: long("é", advocacy.LetterMaxName),
			LastName: long("Ñ", advocacy.LetterMaxName), Address1: long("1 Main Street ", advocacy.LetterMaxAddress),
			Address2: long("Suite 4B ", advocacy.LetterMaxAddress), City: long("Ü", advocacy.LetterMaxCity),
			Zip: "99501-1234", Email: long("x", 64) + "@" + long("d", 63) + ".example.com", Phone: "(907) 555-0100",
			Title: long("T", advocacy.LetterMaxTitle), Organization: long("O", advocacy.LetterMaxOrganization),
			PersonalMessage: long("My family's shop — “Ñandú & Sons” <since 1901>.\n\t", advocacy.LetterMaxPersonal)}},
		{"accents and apostrophes", advocacy.LetterInput{Prefix: "Ms.", FirstName: "Zoë", LastName: "O'Brien-Núñez",
			Address1: "12 Rue de l'Église", City: "Coeur d'Alene", Zip: "83814", Email: "zoe.obrien+jv@example.org",
			Title: "Owner", Organization: "Ben & Jerry's <Vermont>",
			PersonalMessage: "I export to Almaty & Tashkent; \"normal trade\" matters.\n\nThank you — 🙂"}},
		{"short unit and company", advocacy.LetterInput{Prefix: "Dr.", FirstName: "Sam", LastName: "Lee",
			Address1: "400 Main St", Address2: "#2", City: "San Juan", Zip: "00901", Email: "sam@example.com",
			Title: "Partner", Organization: "EY", PersonalMessage: "Yes!!!"}},
		{"house number apart", advocacy.LetterInput{Prefix: "Mx.", FirstName: "Kai", LastName: "Ng",
			Address1: "12", Address2: "Harbor Road", City: "Hagåtña", Zip: "96910", Email: "kai@example.net",
			Organization: "IBM"}},
	}
}

// sponsors are the campaign sponsors a message may name.
func sponsors() []advocacy.Sponsor {
	return []advocacy.Sponsor{
		{},
		{Name: "ACLU", URL: "https://www.aclu.org/", Email: "info@aclu.example", About: "Civil liberties."},
		{Name: "Central Asia Trade Coalition", Email: "not an email", About: long("Long about. ", 700)},
		{Name: long("S", 600), About: "Short"},
	}
}

// generatedMessages builds a CWC message for every current member of
// Congress (House, Senate, DC, Puerto Rico and the other territories,
// at-large seats), from letters that pass the same checks the site and the
// API apply, cycling through the senders, every stance's default template
// and the sponsors.
func generatedMessages(t *testing.T) (house, senate [][]byte) {
	t.Helper()
	all := members(t)
	senators := map[string][]advocacy.Member{}
	for _, m := range all {
		if m.Chamber == advocacy.Senate {
			senators[m.State] = append(senators[m.State], m)
		}
	}
	tpls := advocacy.DefaultLetterTemplates()
	kinds := slices.Sorted(func(yield func(advocacy.TemplateKind) bool) {
		for k := range tpls {
			if !yield(k) {
				return
			}
		}
	})
	ss, sps := senders(), sponsors()
	agent := testAgent()
	n := 0
	for _, rep := range all {
		if rep.Chamber != advocacy.House {
			continue
		}
		district := advocacy.DistrictResult{State: rep.State, District: rep.District, Representative: &rep,
			Senators: senators[rep.State]}
		s := ss[n%len(ss)]
		in := s.in
		in.Campaign, in.State, in.Consent = "jackson-vanik", rep.State, true
		in.Recipients = []string{rep.BioguideID}
		for _, sen := range district.Senators {
			in.Recipients = append(in.Recipients, sen.BioguideID)
		}
		in, err := advocacy.ValidateLetter(in, advocacy.Settlement{District: district, By: advocacy.SettledByLocation})
		if err != nil {
			t.Fatalf("%s, %s-%d: the generated letter is refused: %v", s.name, rep.State, rep.District, err)
		}
		nl := advocacy.NewLetter{Input: in}
		for i, m := range append([]advocacy.Member{rep}, district.Senators...) {
			bill := advocacy.LetterBill{Congress: 119, Type: "HR", Number: 5917}
			if m.Chamber == advocacy.Senate {
				bill = advocacy.LetterBill{Congress: 119, Type: "S", Number: 3103}
			}
			kind := kinds[(n+i)%len(kinds)]
			subject, body := tpls[kind].Render(advocacy.MergeFieldsFor(m, bill.Label(), in))
			position := advocacy.PositionSupport
			if slices.Contains(advocacy.TemplateKindsFor(advocacy.PositionOppose), kind) {
				position = advocacy.PositionOppose
			}
			nl.Recipients = append(nl.Recipients, advocacy.NewDelivery{BioguideID: m.BioguideID,
				OfficeCode: advocacy.OfficeCode(m), Chamber: m.Chamber, Channel: advocacy.ChannelCWC,
				Subject: advocacy.FitSubject(subject), TemplateText: body, Bill: bill, Position: position})
		}
		if err := nl.Deliverable(func(id string) string { return id }); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for i, d := range nl.Recipients {
			it := advocacy.OutboxItem{
				Letter: advocacy.Letter{PublicID: "AAAAAAAAAAAAAAAAAAAAAA", State: in.State, Prefix: in.Prefix,
					FirstName: in.FirstName, LastName: in.LastName, Address1: in.Address1, Address2: in.Address2,
					City: in.City, Zip: in.Zip, Email: in.Email, Phone: in.Phone, Title: in.Title,
					Organization: in.Organization, PersonalMessage: in.PersonalMessage, Newsletter: n%2 == 0},
				Delivery: advocacy.Delivery{OfficeCode: d.OfficeCode, Chamber: d.Chamber, Channel: d.Channel,
					DeliveryID: fmt.Sprintf("%032d", n*10+i), Subject: d.Subject, TemplateText: d.TemplateText, Bill: d.Bill,
					Position: d.Position},
				CampaignSlug: "jackson-vanik", Sponsor: sps[(n+i)%len(sps)],
			}
			doc, err := BuildCWC(MessageFor(it, agent, cwcDate))
			if err != nil {
				t.Fatalf("%s to %s: %v", s.name, d.OfficeCode, err)
			}
			if d.Chamber == advocacy.Senate {
				senate = append(senate, doc)
			} else {
				house = append(house, doc)
			}
		}
		n++
	}
	return house, senate
}

// Every letter the site accepts builds a message that validates against
// the CWC grammar, for every member of Congress.
func TestGeneratedMessagesValidateAgainstTheGrammar(t *testing.T) {
	x := requireXMLLint(t)
	house, senate := generatedMessages(t)
	if len(house) < 430 || len(senate) < 800 {
		t.Fatalf("generated %d House and %d Senate messages", len(house), len(senate))
	}
	docs := map[advocacy.Chamber][][]byte{advocacy.House: house, advocacy.Senate: senate}
	for _, ch := range []advocacy.Chamber{advocacy.House, advocacy.Senate} {
		bad, err := x.Validate(context.Background(), t.TempDir(), ch, docs[ch])
		if err != nil {
			t.Fatal(err)
		}
		for i, msg := range bad {
			t.Errorf("%s message %d does not validate:\n%s\n%s", ch, i, msg, docs[ch][i])
			break
		}
		t.Logf("%d %s messages validate against the CWC grammar", len(docs[ch])-len(bad), ch)
	}
	cons := 0
	for _, d := range append(slices.Clone(house), senate...) {
		if strings.Contains(string(d), "<ProOrCon>con</ProOrCon>") {
			cons++
		}
	}
	if cons == 0 {
		t.Error("no message opposes a bill")
	}
	// The offices are the right ones: every House seat, DC and the
	// territories at 00, and every senator by class.
	codes := map[string]bool{}
	for _, d := range append(slices.Clone(house), senate...) {
		i := strings.Index(string(d), "<MemberOffice>")
		codes[string(d[i+14:i+19])] = true
	}
	senators := 0
	for c := range codes {
		if c[0] == 'S' {
			senators++
		}
	}
	if senators != 100 {
		t.Errorf("messages went to %d Senate offices, want 100", senators)
	}
	for _, want := range []string{"HNY12", "HAK00", "HDC00", "HPR00", "HGU00", "HVI00", "HAS00", "HMP00", "SNY03", "SNY01", "SVT01", "SVT03"} {
		if !codes[want] {
			t.Errorf("no message to %s", want)
		}
	}
}

// The grammar check itself works: the 2014 House sample validates, and
// today's messages would have failed the old way (bills unwrapped, upper
// case types, Organization in Constituent).
func TestXMLLintCatchesInvalidMessages(t *testing.T) {
	x := requireXMLLint(t)
	sample, err := os.ReadFile("testdata/sample-house-message-2014.xml")
	if err != nil {
		t.Fatal(err)
	}
	good, err := BuildCWC(MessageFor(testItem(), testAgent(), cwcDate))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.NewReplacer("<BillTypeAbbreviation>hr<", "<BillTypeAbbreviation>HR<").Replace(string(good))
	senateInHouse := strings.Replace(string(good), "<MemberOffice>HNY12<", "<MemberOffice>SNY03<", 1)
	bad, err := x.Validate(context.Background(), t.TempDir(), advocacy.House, [][]byte{sample, good, []byte(broken), []byte(senateInHouse)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := bad[0]; ok {
		t.Errorf("the 2014 sample does not validate: %s", bad[0])
	}
	if _, ok := bad[1]; ok {
		t.Errorf("a built message does not validate: %s", bad[1])
	}
	if _, ok := bad[2]; !ok {
		t.Error("an upper-case bill type validated")
	}
	if _, ok := bad[3]; !ok {
		t.Error("a Senate office validated against the House grammar")
	}
	bad, err = x.Validate(context.Background(), t.TempDir(), advocacy.Senate, [][]byte{[]byte(senateInHouse)})
	if err != nil || len(bad) != 0 {
		t.Errorf("a Senate office fails the Senate grammar: %v %v", bad, err)
	}
}

// FuzzLetterToCWC: whatever a constituent types, a letter that passes the
// submission checks builds a message that passes ValidateCWC.
func FuzzLetterToCWC(f *testing.F) {
	for _, s := range senders() {
		f.Add(s.in.FirstName, s.in.LastName, s.in.Address1, s.in.Address2, s.in.City, s.in.Title, s.in.Organization, s.in.Email, s.in.PersonalMessage)
	}
	f.Add("A", "B", "1", "2 Elm", "Ai", "", "X", "a@b.c", "Hi")
	f.Fuzz(func(t *testing.T, first, last, a1, a2, city, title, org, email, personal string) {
		rep := advocacy.Member{BioguideID: "N000002", Name: "Jerrold Nadler", Chamber: advocacy.House, State: "NY", District: 12, Role: "Representative"}
		district := advocacy.DistrictResult{State: "NY", District: 12, Representative: &rep}
		in := advocacy.LetterInput{Campaign: "jv", Recipients: []string{"N000002"}, Prefix: "Ms.", FirstName: first,
			LastName: last, Address1: a1, Address2: a2, City: city, State: "NY", Zip: "10025", Email: email,
			Title: title, Organization: org, PersonalMessage: personal, Consent: true}
		in, err := advocacy.ValidateLetter(in, advocacy.Settlement{District: district, By: advocacy.SettledByLocation})
		if err != nil {
			return
		}
		tpl := advocacy.DefaultLetterTemplates()[advocacy.TemplateAsk]
		subject, body := tpl.Render(advocacy.MergeFieldsFor(rep, "H.R. 5917", in))
		it := testItem()
		it.Letter = advocacy.Letter{State: "NY", Prefix: in.Prefix, FirstName: in.FirstName, LastName: in.LastName,
			Address1: in.Address1, Address2: in.Address2, City: in.City, Zip: in.Zip, Email: in.Email,
			Title: in.Title, Organization: in.Organization, PersonalMessage: in.PersonalMessage}
		it.Delivery.Subject, it.Delivery.TemplateText = subject, body
		err = ValidateCWC(MessageFor(it, testAgent(), cwcDate))
		var ve *CWCValidationError
		if errors.As(err, &ve) {
			t.Fatalf("accepted letter builds an invalid message: %v\n%+v", err, in)
		}
	})
}
