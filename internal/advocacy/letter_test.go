package advocacy

import (
	"bytes"
	"crypto/rand"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"
)

func letterDistrict() DistrictResult {
	return DistrictResult{
		State:    "NY",
		District: 12,
		Representative: &Member{BioguideID: "N000002", Name: "Jerrold Nadler", Chamber: House,
			Role: "Representative", State: "NY", District: 12},
		Senators: []Member{
			{BioguideID: "S000148", Name: "Charles E. Schumer", Chamber: Senate, Role: "Senator", State: "NY", StateRank: "senior"},
			{BioguideID: "G000555", Name: "Kirsten E. Gillibrand", Chamber: Senate, Role: "Senator", State: "NY", StateRank: "junior"},
		},
	}
}

func goodLetter() LetterInput {
	return LetterInput{
		Campaign:        "jackson-vanik",
		Recipients:      []string{"N000002", "S000148", "G000555"},
		Prefix:          "Ms.",
		FirstName:       "Ada",
		LastName:        "Lovelace",
		Address1:        "1 Riverside Dr",
		City:            "New York",
		State:           "NY",
		Zip:             "10025",
		Email:           "ada@example.com",
		PersonalMessage: "My shop exports to Kazakhstan.",
		Consent:         true,
		FormToken:       "tok_123",
	}
}

func zipSettlement() Settlement {
	return Settlement{District: letterDistrict(), By: SettledByZIP, ZIP: "10025"}
}

func TestValidateLetterMatrix(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		edit   func(*LetterInput)
		settle func(*Settlement)
		fields []string // fields expected in error; nil = valid
	}{
		{name: "valid", edit: func(*LetterInput) {}},
		{name: "campaign missing", edit: func(in *LetterInput) { in.Campaign = " " }, fields: []string{"campaign"}},
		{name: "campaign odd", edit: func(in *LetterInput) { in.Campaign = "a b" }, fields: []string{"campaign"}},
		{name: "prefix missing", edit: func(in *LetterInput) { in.Prefix = "" }, fields: []string{"prefix"}},
		{name: "prefix unknown", edit: func(in *LetterInput) { in.Prefix = "Lord" }, fields: []string{"prefix"}},
		{name: "prefix rank", edit: func(in *LetterInput) { in.Prefix = "Sgt." }},
		{name: "first name missing", edit: func(in *LetterInput) { in.FirstName = "  " }, fields: []string{"first_name"}},
		{name: "first name 50", edit: func(in *LetterInput) { in.FirstName = long(50) }},
		{name: "first name 51", edit: func(in *LetterInput) { in.FirstName = long(51) }, fields: []string{"first_name"}},
		{name: "first name multibyte 50", edit: func(in *LetterInput) { in.FirstName = strings.Repeat("é", 50) }},
		{name: "last name missing", edit: func(in *LetterInput) { in.LastName = "" }, fields: []string{"last_name"}},
		{name: "last name 51", edit: func(in *LetterInput) { in.LastName = long(51) }, fields: []string{"last_name"}},
		{name: "name control char", edit: func(in *LetterInput) { in.LastName = "Love\x00lace" }, fields: []string{"last_name"}},
		{name: "name invalid utf8", edit: func(in *LetterInput) { in.LastName = "Love\xfflace" }, fields: []string{"last_name"}},
		{name: "address missing", edit: func(in *LetterInput) { in.Address1 = "" }, fields: []string{"address1"}},
		{name: "address 101", edit: func(in *LetterInput) { in.Address1 = long(101) }, fields: []string{"address1"}},
		{name: "address2 101", edit: func(in *LetterInput) { in.Address2 = long(101) }, fields: []string{"address2"}},
		{name: "address2 short unit ok", edit: func(in *LetterInput) { in.Address2 = "#2" }},
		{name: "address1 short alone", edit: func(in *LetterInput) { in.Address1 = "1A"; in.Address2 = "" }, fields: []string{"address1"}},
		{name: "address1 short with a street", edit: func(in *LetterInput) { in.Address1 = "12"; in.Address2 = "Main St" }},
		{name: "address lines both short", edit: func(in *LetterInput) { in.Address1 = "1"; in.Address2 = "" }, fields: []string{"address1"}},
		{name: "city missing", edit: func(in *LetterInput) { in.City = "" }, fields: []string{"city"}},
		{name: "city 2", edit: func(in *LetterInput) { in.City = "Ai" }, fields: []string{"city"}},
		{name: "city 3", edit: func(in *LetterInput) { in.City = "Ely" }},
		{name: "organization 2 ok", edit: func(in *LetterInput) { in.Organization = "EY" }},
		{name: "city 51", edit: func(in *LetterInput) { in.City = long(51) }, fields: []string{"city"}},
		{name: "title 101", edit: func(in *LetterInput) { in.Title = long(101) }, fields: []string{"title"}},
		{name: "organization 101", edit: func(in *LetterInput) { in.Organization = long(101) }, fields: []string{"organization"}},
		{name: "title and organization", edit: func(in *LetterInput) { in.Title = "CEO"; in.Organization = "Acme Exports" }},
		{name: "state missing", edit: func(in *LetterInput) { in.State = "" }, fields: []string{"state"}},
		{name: "state lower case ok", edit: func(in *LetterInput) { in.State = " ny " }},
		{name: "state three letters", edit: func(in *LetterInput) { in.State = "NYC" }, fields: []string{"state"}},
		{name: "state other", edit: func(in *LetterInput) { in.State = "NJ" }, fields: []string{"state"}},
		{name: "zip missing", edit: func(in *LetterInput) { in.Zip = "" }, fields: []string{"zip"}},
		{name: "zip short", edit: func(in *LetterInput) { in.Zip = "1002" }, fields: []string{"zip"}},
		{name: "zip letters", edit: func(in *LetterInput) { in.Zip = "1002a" }, fields: []string{"zip"}},
		{name: "zip plus4", edit: func(in *LetterInput) { in.Zip = "10025-1234" }},
		{name: "zip nine digits", edit: func(in *LetterInput) { in.Zip = "100251234" }},
		{name: "zip bad plus4", edit: func(in *LetterInput) { in.Zip = "10025-12" }, fields: []string{"zip"}},
		{name: "zip not the settled one", edit: func(in *LetterInput) { in.Zip = "10027" }, fields: []string{"zip"}},
		{name: "location any zip in state",
			edit:   func(in *LetterInput) { in.Zip = "10027" },
			settle: func(s *Settlement) { s.By = SettledByLocation; s.ZIP = "" }},
		{name: "location zip in state via func",
			edit: func(in *LetterInput) { in.Zip = "10027" },
			settle: func(s *Settlement) {
				s.By = SettledByLocation
				s.ZIPInState = func(z, st string) bool { return z == "10027" && st == "NY" }
			}},
		{name: "location zip in other state",
			edit: func(in *LetterInput) { in.Zip = "07030" },
			settle: func(s *Settlement) {
				s.By = SettledByLocation
				s.ZIPInState = func(z, st string) bool { return strings.HasPrefix(z, "1") && st == "NY" }
			},
			fields: []string{"zip"}},
		{name: "email missing", edit: func(in *LetterInput) { in.Email = "" }, fields: []string{"email"}},
		{name: "email no at", edit: func(in *LetterInput) { in.Email = "ada.example.com" }, fields: []string{"email"}},
		{name: "email display name", edit: func(in *LetterInput) { in.Email = "Ada <ada@example.com>" }, fields: []string{"email"}},
		{name: "email no dot", edit: func(in *LetterInput) { in.Email = "ada@localhost" }, fields: []string{"email"}},
		{name: "email too long", edit: func(in *LetterInput) { in.Email = long(250) + "@example.com" }, fields: []string{"email"}},
		{name: "email quoted at", edit: func(in *LetterInput) { in.Email = `"a@b"@example.com` }, fields: []string{"email"}},
		{name: "email plus tag", edit: func(in *LetterInput) { in.Email = " Ada+jv@Example.com " }},
		{name: "phone blank ok", edit: func(in *LetterInput) { in.Phone = "" }},
		{name: "phone punctuated", edit: func(in *LetterInput) { in.Phone = "(212) 555-0100" }},
		{name: "phone leading 1", edit: func(in *LetterInput) { in.Phone = "+1 212.555.0100" }},
		{name: "phone short", edit: func(in *LetterInput) { in.Phone = "555-0100" }, fields: []string{"phone"}},
		{name: "phone letters", edit: func(in *LetterInput) { in.Phone = "212-555-CALL" }, fields: []string{"phone"}},
		{name: "phone area code 1", edit: func(in *LetterInput) { in.Phone = "112-555-0100" }, fields: []string{"phone"}},
		{name: "message empty ok", edit: func(in *LetterInput) { in.PersonalMessage = "" }},
		{name: "message 5000", edit: func(in *LetterInput) { in.PersonalMessage = long(5000) }},
		{name: "message 5001", edit: func(in *LetterInput) { in.PersonalMessage = long(5001) }, fields: []string{"personal_message"}},
		{name: "message newlines ok", edit: func(in *LetterInput) { in.PersonalMessage = "Line one\r\n\tline two\n" }},
		{name: "message 5 characters", edit: func(in *LetterInput) { in.PersonalMessage = " Yes! " }, fields: []string{"personal_message"}},
		{name: "message 6 characters", edit: func(in *LetterInput) { in.PersonalMessage = "Yes!!!" }},
		{name: "edit for another member dropped", edit: func(in *LetterInput) {
			in.Letters = []LetterEdit{{Recipient: "X000001", Subject: "s", Body: "b"}}
		}},
		{name: "edit control char", edit: func(in *LetterInput) {
			in.Letters = []LetterEdit{{Recipient: in.Recipients[0], Subject: "Subject line", Body: "a\x07b"}}
		}, fields: []string{"body-" + letterDistrict().Representative.BioguideID}},
		{name: "message control char", edit: func(in *LetterInput) { in.PersonalMessage = "a\x07b" }, fields: []string{"personal_message"}},
		{name: "consent missing", edit: func(in *LetterInput) { in.Consent = false }, fields: []string{"consent"}},
		{name: "recipients none", edit: func(in *LetterInput) { in.Recipients = nil }, fields: []string{"recipients"}},
		{name: "recipients blank", edit: func(in *LetterInput) { in.Recipients = []string{" "} }, fields: []string{"recipients"}},
		{name: "recipients one", edit: func(in *LetterInput) { in.Recipients = []string{"s000148"} }},
		{name: "recipients duplicate", edit: func(in *LetterInput) { in.Recipients = []string{"S000148", "S000148"} }, fields: []string{"recipients"}},
		{name: "recipients other member", edit: func(in *LetterInput) { in.Recipients = []string{"M001205"} }, fields: []string{"recipients"}},
		{name: "recipients four", edit: func(in *LetterInput) {
			in.Recipients = []string{"N000002", "S000148", "G000555", "M001205"}
		}, fields: []string{"recipients"}},
		{name: "recipients vacant seat",
			edit:   func(in *LetterInput) { in.Recipients = []string{"N000002"} },
			settle: func(s *Settlement) { s.District.Vacant = true },
			fields: []string{"recipients"}},
		{name: "no district settled", settle: func(s *Settlement) { s.District = DistrictResult{} }, edit: func(*LetterInput) {},
			fields: []string{"recipients"}},
		{name: "form token bad", edit: func(in *LetterInput) { in.FormToken = "a b" }, fields: []string{"form_token"}},
		{name: "form token empty ok", edit: func(in *LetterInput) { in.FormToken = "" }},
		{name: "many at once", edit: func(in *LetterInput) {
			in.FirstName, in.Email, in.Zip, in.Consent = "", "x", "1", false
		}, fields: []string{"first_name", "email", "zip", "consent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := goodLetter()
			tc.edit(&in)
			s := zipSettlement()
			if tc.settle != nil {
				tc.settle(&s)
			}
			_, err := ValidateLetter(in, s)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("want valid, got %v (%v)", err, fieldsOf(err))
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalid {
				t.Fatalf("want *Error invalid, got %v", err)
			}
			got := slices.Sorted(maps.Keys(e.Fields))
			want := slices.Sorted(slices.Values(tc.fields))
			if !slices.Equal(got, want) {
				t.Fatalf("fields = %v, want %v (%v)", got, want, e.Fields)
			}
			for f, msg := range e.Fields {
				if msg == "" || !strings.HasSuffix(msg, ".") {
					t.Errorf("field %s: message %q is not a sentence", f, msg)
				}
			}
		})
	}
}

func fieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func TestValidateLetterNormalises(t *testing.T) {
	in := goodLetter()
	in.FirstName = "  Ada   Augusta "
	in.State = "ny"
	in.Zip = " 100251234 "
	in.Email = " Ada@Example.com "
	in.Phone = "1 (212) 555 0100"
	in.PersonalMessage = "  Line one\r\nLine two  "
	in.Recipients = []string{" n000002 ", "s000148"}
	in.Ref = "bad ref!"
	out, err := ValidateLetter(in, zipSettlement())
	if err != nil {
		t.Fatal(err)
	}
	want := goodLetter()
	want.FirstName = "Ada Augusta"
	want.Zip = "10025-1234"
	want.Email = "Ada@Example.com"
	want.Phone = "212-555-0100"
	want.PersonalMessage = "Line one\nLine two"
	want.Recipients = []string{"N000002", "S000148"}
	if !equalInput(out, want) {
		t.Fatalf("normalised =\n%+v\nwant\n%+v", out, want)
	}
	if NormalizeEmail(out.Email) != "ada@example.com" {
		t.Fatalf("NormalizeEmail = %q", NormalizeEmail(out.Email))
	}
}

func equalInput(a, b LetterInput) bool {
	return reflect.DeepEqual(a, b)
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2125550100", "212-555-0100"},
		{"212-555-0100", "212-555-0100"},
		{"(212) 555-0100", "212-555-0100"},
		{"+1 212 555 0100", "212-555-0100"},
		{"12125550100", "212-555-0100"},
		{"212.555.0100", "212-555-0100"},
		{"555-0100", ""},
		{"02125550100", ""},
		{"212-555-0100 x12", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, ok := NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	f := MergeFields{MemberTitle: "Senator", MemberName: "Kirsten E. Gillibrand", MemberLastName: "Gillibrand", Bill: "S. 3103",
		ConstituentName: "Ada Lovelace", ConstituentCity: "New York"}
	tests := []struct{ name, tpl, want string }{
		{"all fields", "Dear {{member_title}} {{member_name}}, pass {{bill}}. {{constituent_name}}, {{constituent_city}}",
			"Dear Senator Kirsten E. Gillibrand, pass S. 3103. Ada Lovelace, New York"},
		{"spaces inside braces", "{{ bill }}", "S. 3103"},
		{"greeting by surname", "Dear {{member_title}} {{member_last_name}},", "Dear Senator Gillibrand,"},
		{"unknown left as is", "Hi {{nickname}} re {{bill}}", "Hi {{nickname}} re S. 3103"},
		{"unclosed", "{{bill} and {{bill", "{{bill} and {{bill"},
		{"repeated", "{{bill}}{{bill}}", "S. 3103S. 3103"},
		{"no fields", "plain", "plain"},
		{"no html escaping", "{{constituent_name}}", "Ada Lovelace"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		if got := RenderTemplate(tc.tpl, f); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := RenderTemplate("{{constituent_name}}", MergeFields{ConstituentName: "<b>&"}); got != "<b>&" {
		t.Errorf("values must be inserted as plain text, got %q", got)
	}
	if got := UnknownMergeFields("{{a}} {{bill}} {{ a }} {{b}}"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("UnknownMergeFields = %v", got)
	}
	for kind, tpl := range DefaultLetterTemplates() {
		if u := UnknownMergeFields(tpl.Subject + tpl.Body); len(u) != 0 {
			t.Errorf("default %s template has unknown fields %v", kind, u)
		}
		subj, body := tpl.Render(f)
		if strings.Contains(subj+body, "{{") || !strings.HasPrefix(body, "Dear Senator Gillibrand,\n") {
			t.Errorf("default %s template renders badly: %q", kind, body)
		}
	}
	d := letterDistrict()
	in := goodLetter()
	mf := MergeFieldsFor(d.Senators[0], "S. 3103", in)
	if mf != (MergeFields{MemberTitle: "Senator", MemberName: "Charles E. Schumer", MemberLastName: "Schumer", Bill: "S. 3103",
		ConstituentName: "Ada Lovelace", ConstituentCity: "New York"}) {
		t.Errorf("MergeFieldsFor = %+v", mf)
	}
	if mf := MergeFieldsFor(Member{FirstName: "A", LastName: "B", Chamber: House}, "", in); mf.MemberTitle != "Representative" || mf.MemberName != "A B" || mf.MemberLastName != "B" {
		t.Errorf("MergeFieldsFor fallback = %+v", mf)
	}
}

func TestTemplateKindFor(t *testing.T) {
	tests := []struct {
		sponsor, cosponsor, withdrawn bool
		want                          TemplateKind
	}{
		{false, false, false, TemplateAsk},
		{true, false, false, TemplateThank},
		{false, true, false, TemplateThank},
		{false, true, true, TemplateWithdrew},
		{false, false, true, TemplateWithdrew},
	}
	for _, tc := range tests {
		if got := TemplateKindFor(tc.sponsor, tc.cosponsor, tc.withdrawn); got != tc.want {
			t.Errorf("TemplateKindFor(%v,%v,%v) = %s, want %s", tc.sponsor, tc.cosponsor, tc.withdrawn, got, tc.want)
		}
	}
}

func TestPersonalScore(t *testing.T) {
	tests := []struct {
		text    string
		percent int
		label   string
	}{
		{"", 0, "Template only"},
		{"   \n ", 0, "Template only"},
		{"It matters to my family.", 5, "A little personal"},
		{strings.Repeat("word ", 29), 29, "A little personal"},
		{strings.Repeat("word ", 30), 30, "Personal"},
		{strings.Repeat("word ", 99), 99, "Personal"},
		{strings.Repeat("word ", 100), 100, "Very personal"},
		{strings.Repeat("word ", 400), 100, "Very personal"},
	}
	for _, tc := range tests {
		p, l := PersonalScore(tc.text)
		if p != tc.percent || l != tc.label {
			t.Errorf("PersonalScore(%d words) = %d, %q; want %d, %q", len(strings.Fields(tc.text)), p, l, tc.percent, tc.label)
		}
	}
}

func TestOfficeCodes(t *testing.T) {
	tests := []struct{ got, want string }{
		{HouseOfficeCode("NY", 12), "HNY12"},
		{HouseOfficeCode("ak", 0), "HAK00"},
		{HouseOfficeCode("CA", 5), "HCA05"},
		{HouseOfficeCode("DC", 0), "HDC00"},
		{SenateOfficeCode("NY", 1), "SNY01"},
		{SenateOfficeCode("ny", 2), "SNY02"},
		// The class names the office, whatever the rank: Schumer is the
		// senior senator in the class 3 seat, Gillibrand the junior in class 1.
		{OfficeCode(Member{Chamber: Senate, State: "NY", StateRank: "senior", Class: 3}), "SNY03"},
		{OfficeCode(Member{Chamber: Senate, State: "NY", StateRank: "junior", Class: 1}), "SNY01"},
		{OfficeCode(Member{Chamber: Senate, State: "NY", StateRank: "junior"}), ""},
		{OfficeCode(Member{Chamber: House, State: "WV", District: 1}), "HWV01"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%d: got %s, want %s", i, tc.got, tc.want)
		}
	}
	if (LetterBill{Congress: 119, Type: "HR", Number: 5917}).Label() != "H.R. 5917" ||
		(LetterBill{Congress: 119, Type: "s", Number: 3103}).Label() != "S. 3103" || (LetterBill{}).Label() != "" {
		t.Error("LetterBill.Label")
	}
}

func TestNewDeliveryID(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id, err := NewDeliveryID(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidDeliveryID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if seen[id] {
			t.Fatalf("repeated id %q", id)
		}
		seen[id] = true
	}
	// A source of only high bytes is rejected byte by byte, never biased.
	zeros := bytes.Repeat([]byte{0}, 48)
	id, err := NewDeliveryID(bytes.NewReader(append(bytes.Repeat([]byte{255}, 48), zeros...)))
	if err != nil || id != strings.Repeat("A", 32) {
		t.Fatalf("got %q, %v", id, err)
	}
	if _, err := NewDeliveryID(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Fatal("want error from a failing source")
	}
	for _, bad := range []string{"", strings.Repeat("a", 31), strings.Repeat("a", 33), strings.Repeat("a", 31) + "-"} {
		if ValidDeliveryID(bad) {
			t.Errorf("ValidDeliveryID(%q) = true", bad)
		}
	}
	tok, err := NewLetterToken(rand.Reader)
	if err != nil || len(tok) != 22 || !ValidLetterToken(tok) {
		t.Fatalf("NewLetterToken = %q, %v", tok, err)
	}
	if _, err := NewLetterToken(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Fatal("want error from a failing source")
	}
}

func TestPrefixesIsACopy(t *testing.T) {
	p := Prefixes()
	p[0] = "Lord"
	if ValidPrefix("Lord") || !ValidPrefix("Mr.") || !ValidPrefix("Mx.") || ValidPrefix("mr.") {
		t.Fatal("prefix list changed or case-insensitive")
	}
}

func TestSenderKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ada@Example.org", "ada@example.org"},
		{" ada+campaign@example.org ", "ada@example.org"},
		{"ada+1+2@example.org", "ada@example.org"},
		{"a.d.a@gmail.com", "ada@gmail.com"},
		{"A.Da+x@GoogleMail.com", "ada@gmail.com"},
		{"a.da@example.org", "a.da@example.org"}, // dots matter elsewhere
		{"ada@example.org.", "ada@example.org"},
		{"+ada@example.org", "+ada@example.org"}, // no local part left
		{`"a+b"@example.org`, `"a+b"@example.org`},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := SenderKey(tt.in); got != tt.want {
			t.Errorf("SenderKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNamesNeedVisibleText: a name of invisible characters, or text with
// bidi overrides, is refused; a name in any script is fine.
func TestNamesNeedVisibleText(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Zoë", true}, {"李", true}, {"O'Neil-Smith", true},
		{"\u200b\u200b", false}, {"\u2060\u00ad", false}, {"Ada\u202eecalevoL", false}, {"\u2066Ada\u2069", false},
		{"Ada\x00", false}, {"Ada\x1b[31m", false},
	} {
		valid := !HasControlChars(tt.name, false) && HasVisibleText(tt.name)
		if valid != tt.ok {
			t.Errorf("%q: valid=%v, want %v", tt.name, valid, tt.ok)
		}
	}
	p, err := ValidatePartner(Partner{Name: "Acme\x00\x1b[2J", Slug: "acme", SourceCode: "acme"})
	if err == nil || ErrorCode(err) != CodeInvalid {
		t.Errorf("a partner name with NUL and ESC: %+v %v", p, err)
	}
}

func TestDeliveryFoldings(t *testing.T) {
	addr := []struct{ a1, a2, w1, w2 string }{
		{"1 Riverside Dr", "", "1 Riverside Dr", ""},
		{"1 Riverside Dr", "Apt 4B", "1 Riverside Dr", "Apt 4B"},
		{"1 Riverside Dr", "#2", "1 Riverside Dr #2", ""},
		{"12", "Main Street", "12 Main Street", ""},
	}
	for _, tc := range addr {
		if l1, l2 := DeliveryAddress(tc.a1, tc.a2); l1 != tc.w1 || l2 != tc.w2 {
			t.Errorf("DeliveryAddress(%q, %q) = %q, %q", tc.a1, tc.a2, l1, l2)
		}
	}
	org := []struct{ title, org, wt, wo string }{
		{"", "", "", ""},
		{"CEO", "Acme", "CEO", "Acme"},
		{"", "EY", "EY", ""},
		{"Partner", "EY", "Partner, EY", ""},
	}
	for _, tc := range org {
		if ti, o := DeliveryTitle(tc.title, tc.org); ti != tc.wt || o != tc.wo {
			t.Errorf("DeliveryTitle(%q, %q) = %q, %q", tc.title, tc.org, ti, o)
		}
	}
	long := strings.Repeat("word ", 80)
	fit := FitSubject(long)
	if n := utf8.RuneCountInString(fit); n > CWCMaxSubject || !strings.HasSuffix(fit, "word…") {
		t.Errorf("FitSubject: %d runes, %q", n, fit)
	}
	if FitSubject("Please cosponsor H.R. 5917") != "Please cosponsor H.R. 5917" {
		t.Error("FitSubject changed a short subject")
	}
}

func TestDeliverable(t *testing.T) {
	name := func(id string) string { return "Senator " + id }
	base := func() NewLetter {
		return NewLetter{Input: LetterInput{PersonalMessage: ""}, Recipients: []NewDelivery{{BioguideID: "S000148",
			Subject: "Please cosponsor S. 3103", TemplateText: "Dear Senator, please cosponsor S. 3103."}}}
	}
	if err := base().Deliverable(name); err != nil {
		t.Fatal(err)
	}
	nl := base()
	nl.Recipients[0].TemplateText = strings.Repeat("x", CWCMaxText+1)
	if f := fieldsOf(nl.Deliverable(name)); !strings.Contains(f["recipients"], "Senator S000148") {
		t.Errorf("long text: %v", f)
	}
	nl = base()
	nl.Recipients[0].Subject = "Hi"
	if f := fieldsOf(nl.Deliverable(name)); f["recipients"] == "" {
		t.Errorf("short subject: %v", f)
	}
	nl = base()
	nl.Recipients[0].TemplateText = ""
	if f := fieldsOf(nl.Deliverable(name)); f["personal_message"] == "" {
		t.Errorf("no text at all: %v", f)
	}
	nl.Input.PersonalMessage = "My own letter, in full."
	if err := nl.Deliverable(name); err != nil {
		t.Errorf("own words only: %v", err)
	}
}

func TestOrderedIDsSortByTime(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	var prevTok, prevID string
	for i, at := range []time.Time{t0, t0.Add(time.Millisecond), t0.Add(time.Hour), t0.AddDate(30, 0, 0)} {
		tok, err := NewOrderedLetterToken(rand.Reader, at)
		if err != nil || len(tok) != 29 || !ValidLetterToken(tok) {
			t.Fatalf("NewOrderedLetterToken = %q, %v", tok, err)
		}
		id, err := NewOrderedDeliveryID(rand.Reader, at)
		if err != nil || !ValidDeliveryID(id) {
			t.Fatalf("NewOrderedDeliveryID = %q, %v", id, err)
		}
		if i > 0 && (tok[:7] <= prevTok[:7] || id[:8] <= prevID[:8]) {
			t.Errorf("at %v: %s, %s do not sort after %s, %s", at, tok, id, prevTok, prevID)
		}
		prevTok, prevID = tok, id
	}
	a, _ := NewOrderedLetterToken(rand.Reader, t0)
	b, _ := NewOrderedLetterToken(rand.Reader, t0)
	if a == b || a[7:] == b[7:] {
		t.Errorf("two tokens at the same time: %s, %s", a, b)
	}
}
