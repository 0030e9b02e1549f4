package advocacy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// What a letter must be for Communicating with Congress (CWC 2.0) to take
// it, in characters, from the CWC grammar. A letter that passes
// ValidateLetter and Deliverable builds a message that validates; the
// builder in internal/delivery applies the same foldings (DeliveryAddress,
// DeliveryTitle) so that what was checked is what is sent.
const (
	// CWCMinLine is the shortest address line, city or sender organisation.
	CWCMinLine = 3
	// CWCMinText and CWCMaxText bound the campaign's text
	// (OrganizationStatement) and the constituent's own words
	// (ConstituentMessage).
	CWCMinText = 6
	CWCMaxText = 10000
	// CWCMinSubject is the grammar's shortest subject; CWCMaxSubject is the
	// longest CWC takes (the grammar allows 500, the House's field limit is
	// 250).
	CWCMinSubject = 6
	CWCMaxSubject = 250
	// CWCMaxField is the grammar's longest value for every other text.
	CWCMaxField = 500
)

// DeliveryAddress is how a letter's two address lines travel to CWC, whose
// lines must each have CWCMinLine characters: a short line (a unit such as
// "#2", or a house number alone) is joined to the other one on the first
// line.
func DeliveryAddress(address1, address2 string) (line1, line2 string) {
	if address2 == "" {
		return address1, ""
	}
	if runeLen(address1) < CWCMinLine || runeLen(address2) < CWCMinLine {
		return strings.TrimSpace(address1 + " " + address2), ""
	}
	return address1, address2
}

// DeliveryTitle is how a sender's title and organisation travel to CWC,
// whose ConstituentOrganization must have CWCMinLine characters: a shorter
// name (such as "EY") goes with the title ("Partner, EY"), which has no
// minimum.
func DeliveryTitle(title, organization string) (t, org string) {
	if organization == "" || runeLen(organization) >= CWCMinLine {
		return title, organization
	}
	if title == "" {
		return organization, ""
	}
	return title + ", " + organization, ""
}

// FitSubject shortens a merged subject to CWCMaxSubject characters (see
// Clip).
func FitSubject(s string) string { return Clip(s, CWCMaxSubject) }

// Clip shortens s to at most n characters, at a word boundary where one
// falls in the second half, ending it with an ellipsis.
func Clip(s string, n int) string {
	if runeLen(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-") + "…"
}

// Deliverable checks a letter ready to store against what CWC takes, once
// the merge fields are filled in: each copy's subject (CWCMinSubject or
// more; a longer one than CWCMaxSubject is shortened by FitSubject when the
// letter is built), the campaign's text and the constituent's own words
// (CWCMinText to CWCMaxText when present, at least one of them; the
// sender's own words are checked by ValidateLetter). Problems are field
// errors in plain words under "recipients" (the campaign's text, which the
// sender cannot change) or "personal_message"; name gives each recipient's
// name for the message.
func (nl NewLetter) Deliverable(name func(bioguide string) string) error {
	bad := map[string]string{}
	personal := runeLen(nl.Input.PersonalMessage)
	for _, d := range nl.Recipients {
		text := runeLen(strings.TrimSpace(d.TemplateText))
		switch {
		case runeLen(d.Subject) < CWCMinSubject:
			bad["recipients"] = fmt.Sprintf("The campaign’s letter to %s has no usable subject, so it cannot be sent. Please tell the campaign.", name(d.BioguideID))
		case text > CWCMaxText:
			bad["recipients"] = fmt.Sprintf("The campaign’s letter to %s is %d characters long once your details are filled in; at most %d can be sent. Please tell the campaign.", name(d.BioguideID), text, CWCMaxText)
		case text > 0 && text < CWCMinText:
			bad["recipients"] = fmt.Sprintf("The campaign’s letter to %s is too short to send. Please tell the campaign.", name(d.BioguideID))
		case text == 0 && personal == 0:
			bad["personal_message"] = "Write your letter: the campaign has no text for this member."
		}
	}
	if len(bad) > 0 {
		return &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	return nil
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
