package delivery

import (
	"encoding/xml"
	"testing"
)

// FuzzBuildCWC: for any constituent text, BuildCWC either refuses with an
// error or produces well-formed XML that passes validation and carries the
// text back unchanged.
func FuzzBuildCWC(f *testing.F) {
	f.Add("Ada", "Lovelace", "New York", "My shop ships to Almaty.", "Acme & Sons <Exports>")
	f.Add("", "", "", "", "")
	f.Add("A\x00da", "L]]>x", "C\rity", "line\r\nbreak\ttab", "\uFFFE")
	f.Add("Zoë", "Ñúñez", "São Paulo", "🙂 <script>alert(1)</script>", "&amp;")
	f.Fuzz(func(t *testing.T, first, last, city, personal, org string) {
		it := testItem()
		it.Letter.FirstName, it.Letter.LastName, it.Letter.City = first, last, city
		it.Letter.PersonalMessage, it.Letter.Organization = personal, org
		msg := MessageFor(it, testAgent(), cwcDate)
		out, err := BuildCWC(msg)
		if err != nil {
			return
		}
		assertWellFormed(t, out)
		if err := ValidateCWC(msg); err != nil {
			t.Fatalf("built XML for a message that does not validate: %v", err)
		}
		var back CWCMessage
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-read the XML: %v", err)
		}
		if back.Constituent.FirstName != msg.Constituent.FirstName ||
			back.Constituent.LastName != msg.Constituent.LastName ||
			back.Constituent.City != msg.Constituent.City ||
			back.Message.ConstituentMessage != msg.Message.ConstituentMessage {
			t.Fatalf("text changed in the XML:\n got %+v\nwant %+v", back.Constituent, msg.Constituent)
		}
	})
}
