package advocacy

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on letter fields, in characters (runes). The CWC validator in
// internal/delivery accepts at least these lengths, so a letter that passes
// ValidateLetter never fails CWC validation for length.
const (
	LetterMaxName         = 50
	LetterMaxAddress      = 100
	LetterMaxCity         = 50
	LetterMaxEmail        = 254
	LetterMaxTitle        = 100
	LetterMaxOrganization = 100
	LetterMaxPersonal     = 5000
	LetterMaxRecipients   = 3
	LetterMaxRef          = 64
	LetterMaxFormToken    = 100
	LetterMaxCampaign     = 100
)

// DedupeWindow is how long the same email writing to the same office in the
// same campaign counts as a duplicate.
const DedupeWindow = 30 * 24 * time.Hour

// letterPrefixes is the CWC list of salutations, in the order a form shows them.
var letterPrefixes = []string{
	"Mr.", "Mrs.", "Ms.", "Miss", "Mx.", "Dr.", "Rev.",
	"Hon.", "Prof.", "Sgt.", "Capt.", "Maj.", "Col.", "Gen.", "Lt.", "Cmdr.", "Adm.",
	"Fr.", "Sr.", "Br.", "Rabbi", "Imam", "Pastor",
}

// Prefixes returns a fresh copy of the salutations CWC accepts (Mr., Mrs.,
// Ms., Miss, Mx., Dr., Rev. and common military, academic and clerical
// ranks), in the order a form should offer them.
func Prefixes() []string { return slices.Clone(letterPrefixes) }

// ValidPrefix reports whether p is exactly one of Prefixes.
func ValidPrefix(p string) bool { return slices.Contains(letterPrefixes, p) }

// DeliveryStatus is where one delivery (one letter to one office) stands.
type DeliveryStatus string

// Delivery statuses. Queued deliveries on the CWC channel wait for the outbox
// worker; queued assisted deliveries wait for the constituent to send them.
// Held CWC deliveries wait for the operator: CWC refused the key or the
// server's address, or electronic delivery to the chamber is not set up.
const (
	DeliveryQueued          DeliveryStatus = "queued"
	DeliveryHeld            DeliveryStatus = "held"
	DeliverySent            DeliveryStatus = "sent"
	DeliveryDelivered       DeliveryStatus = "delivered"
	DeliveryFailed          DeliveryStatus = "failed"
	DeliveryConfirmedByUser DeliveryStatus = "confirmed_by_user"
)

// Channel is how a delivery reaches an office.
type Channel string

// Channels. CWC is chosen at submission when an endpoint is configured for the
// recipient's chamber (see delivery.ChannelFor); otherwise a delivery starts
// as Assisted, and becomes ContactForm, Print or Phone when the constituent
// marks it sent that way.
const (
	ChannelCWC         Channel = "cwc"
	ChannelAssisted    Channel = "assisted"
	ChannelContactForm Channel = "contact_form"
	ChannelPrint       Channel = "print"
	ChannelPhone       Channel = "phone"
)

// UserChannel reports whether c is a channel a constituent can say they used
// ("I sent it"): contact form, print or phone.
func UserChannel(c Channel) bool {
	return c == ChannelContactForm || c == ChannelPrint || c == ChannelPhone
}

// LetterStatus is a letter's moderation state.
type LetterStatus string

// Letter statuses. Only active letters are delivered and counted in public
// aggregates; held letters wait for an organizer.
const (
	LetterActive   LetterStatus = "active"
	LetterHeld     LetterStatus = "held"
	LetterRejected LetterStatus = "rejected"
)

// SettledBy says how a constituent's district was settled.
type SettledBy string

// Ways a district is settled.
const (
	SettledByZIP      SettledBy = "zip"
	SettledByLocation SettledBy = "location"
)

// Settlement is the constituent's settled district and how it was settled;
// ValidateLetter checks the letter against it.
type Settlement struct {
	District DistrictResult
	By       SettledBy
	// ZIP is the five-digit ZIP code that settled the district when By is
	// SettledByZIP: the letter's ZIP must start with it.
	ZIP string
	// ZIPInState, when set, reports whether a five-digit ZIP lies in a state.
	// It is consulted when the district was settled by location; without it
	// only the ZIP's format is checked in that case.
	ZIPInState func(zip5, state string) bool
}

// LetterInput is a letter as submitted by the form or the JSON API; the tags
// are the public field names.
type LetterInput struct {
	Campaign        string   `json:"campaign" form:"campaign"`
	Recipients      []string `json:"recipients" form:"recipients"`
	Prefix          string   `json:"prefix" form:"prefix"`
	FirstName       string   `json:"first_name" form:"first_name"`
	LastName        string   `json:"last_name" form:"last_name"`
	Address1        string   `json:"address1" form:"address1"`
	Address2        string   `json:"address2" form:"address2"`
	City            string   `json:"city" form:"city"`
	State           string   `json:"state" form:"state"`
	Zip             string   `json:"zip" form:"zip"`
	Email           string   `json:"email" form:"email"`
	Phone           string   `json:"phone" form:"phone"`
	Title           string   `json:"title" form:"title"`
	Organization    string   `json:"organization" form:"organization"`
	PersonalMessage string   `json:"personal_message" form:"personal_message"`
	Consent         bool     `json:"consent" form:"consent"`
	Receipt         bool     `json:"receipt" form:"receipt"`
	Newsletter      bool     `json:"newsletter" form:"newsletter"`
	// CampaignUpdates asks the campaign itself for news by email; apart
	// from Newsletter, which asks the offices.
	CampaignUpdates bool   `json:"campaign_updates" form:"campaign_updates"`
	Ref             string `json:"ref" form:"ref"`
	FormToken       string `json:"form_token" form:"form_token"`
	// Letters are the constituent's own wording of some recipients' letters
	// (subject and text, with TokenName and TokenCity where their details
	// go); recipients without one get the campaign's letter.
	Letters []LetterEdit `json:"letters,omitempty" form:"-"`
}

// LetterEdit is a constituent's own wording of one recipient's letter.
type LetterEdit struct {
	Recipient string `json:"recipient"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
}

// Edit returns the constituent's wording of the letter to bioguide, if any.
func (in LetterInput) Edit(bioguide string) (LetterEdit, bool) {
	for _, e := range in.Letters {
		if strings.EqualFold(e.Recipient, bioguide) {
			return e, true
		}
	}
	return LetterEdit{}, false
}

// FullName is the constituent's first and last name.
func (in LetterInput) FullName() string {
	return strings.TrimSpace(in.FirstName + " " + in.LastName)
}

var (
	letterZIPRe       = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
	letterStateRe     = regexp.MustCompile(`^[A-Z]{2}$`)
	letterTokenRe     = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	letterBioguideRe  = regexp.MustCompile(`^[A-Z][0-9]{6}$`)
	letterPhoneCharRe = regexp.MustCompile(`^[0-9 ()+.\-]+$`)
	// cwcEmailRe is the CWC grammar's email pattern.
	cwcEmailRe = regexp.MustCompile(`^[^@]+@[^.]+\..+$`)
)

// ValidateLetter checks a submitted letter against the settled district and
// returns it normalised: surrounding spaces trimmed, runs of spaces in single
// line fields collapsed, the state upper-cased, a nine-digit ZIP written
// 12345-6789, the phone written xxx-xxx-xxxx, line breaks in the personal
// message written \n, recipients upper-cased, and an unusable ref dropped (a
// bad partner code in a widget URL must not stop a constituent's letter).
//
// Every problem is reported at once in an *Error with Code CodeInvalid whose
// Fields map each public field name to a plain-language message.
func ValidateLetter(in LetterInput, s Settlement) (LetterInput, error) {
	out := in
	bad := map[string]string{}
	fail := func(field, msg string) {
		if _, ok := bad[field]; !ok {
			bad[field] = msg
		}
	}

	out.Campaign = strings.TrimSpace(in.Campaign)
	out.Prefix = letterCollapse(in.Prefix)
	out.FirstName = letterCollapse(in.FirstName)
	out.LastName = letterCollapse(in.LastName)
	out.Address1 = letterCollapse(in.Address1)
	out.Address2 = letterCollapse(in.Address2)
	out.City = letterCollapse(in.City)
	out.State = strings.ToUpper(strings.TrimSpace(in.State))
	out.Zip = strings.TrimSpace(in.Zip)
	out.Email = strings.TrimSpace(in.Email)
	out.Phone = strings.TrimSpace(in.Phone)
	out.Title = letterCollapse(in.Title)
	out.Organization = letterCollapse(in.Organization)
	out.PersonalMessage = letterText(in.PersonalMessage)
	out.Ref = strings.TrimSpace(in.Ref)
	out.FormToken = strings.TrimSpace(in.FormToken)

	if out.Campaign == "" {
		fail("campaign", "Choose a campaign.")
	} else if letterLen(out.Campaign) > LetterMaxCampaign || !letterTokenRe.MatchString(out.Campaign) {
		fail("campaign", "This campaign does not exist.")
	}

	// Single-line text fields: required or not, and their limits.
	lines := []struct {
		field, label string
		val          string
		max          int
		required     bool
	}{
		{"first_name", "first name", out.FirstName, LetterMaxName, true},
		{"last_name", "last name", out.LastName, LetterMaxName, true},
		{"address1", "street address", out.Address1, LetterMaxAddress, true},
		{"address2", "second address line", out.Address2, LetterMaxAddress, false},
		{"city", "city", out.City, LetterMaxCity, true},
		{"title", "title", out.Title, LetterMaxTitle, false},
		{"organization", "organization", out.Organization, LetterMaxOrganization, false},
	}
	for _, l := range lines {
		switch {
		case l.val == "" && l.required:
			fail(l.field, "Enter your "+l.label+".")
		case HasControlChars(l.val, false):
			fail(l.field, "Your "+l.label+" contains characters that can't be sent.")
		case l.val != "" && !HasVisibleText(l.val):
			fail(l.field, "Your "+l.label+" has no letters or numbers we can show. Please type it again.")
		case letterLen(l.val) > l.max:
			fail(l.field, fmt.Sprintf("Keep your %s to %d characters or fewer.", l.label, l.max))
		}
	}

	// CWC wants address lines and the city of three characters or more; a
	// short unit line is joined to the street (DeliveryAddress), but a short
	// street or city cannot be mended.
	if _, bad1 := bad["address1"]; !bad1 && bad["address2"] == "" {
		if line1, _ := DeliveryAddress(out.Address1, out.Address2); letterLen(line1) < CWCMinLine {
			fail("address1", fmt.Sprintf("Enter your full street address (at least %d characters).", CWCMinLine))
		}
	}
	if out.City != "" && letterLen(out.City) < CWCMinLine && bad["city"] == "" {
		fail("city", fmt.Sprintf("Enter your city’s full name (at least %d characters).", CWCMinLine))
	}

	if out.Prefix == "" {
		fail("prefix", "Choose how to address you (for example Ms. or Mr.).")
	} else if !ValidPrefix(out.Prefix) {
		fail("prefix", "Choose one of the listed prefixes.")
	}

	district := s.District
	switch {
	case out.State == "":
		fail("state", "Enter your state.")
	case !letterStateRe.MatchString(out.State):
		fail("state", "Use your state's two-letter code (for example NY).")
	case district.State != "" && out.State != district.State:
		fail("state", fmt.Sprintf("Your state must match the district you looked up (%s).", district.State))
	}

	if z, ok := NormalizeZIP(out.Zip); !ok {
		if out.Zip == "" {
			fail("zip", "Enter your ZIP code.")
		} else {
			fail("zip", "Use a five-digit ZIP code, or ZIP+4 like 10025-1234.")
		}
	} else {
		out.Zip = z
		switch {
		case s.By == SettledByZIP && s.ZIP != "" && z[:5] != s.ZIP:
			fail("zip", fmt.Sprintf("Use the ZIP code you looked up (%s), or look up your members again with this one.", s.ZIP))
		case s.By == SettledByLocation && s.ZIPInState != nil && district.State != "" && !s.ZIPInState(z[:5], district.State):
			fail("zip", fmt.Sprintf("This ZIP code is not in %s, the state you looked up.", district.State))
		}
	}

	switch {
	case out.Email == "":
		fail("email", "Enter your email address.")
	case !letterValidEmail(out.Email):
		fail("email", "Enter an email address like name@example.com.")
	}

	if out.Phone != "" {
		p, ok := NormalizePhone(out.Phone)
		if !ok {
			fail("phone", "Enter a 10-digit US phone number, or leave it blank.")
		} else {
			out.Phone = p
		}
	}

	switch {
	case HasControlChars(out.PersonalMessage, true):
		fail("personal_message", "Your message contains characters that can't be sent.")
	case out.PersonalMessage != "" && letterLen(out.PersonalMessage) < CWCMinText:
		fail("personal_message", fmt.Sprintf("Write at least %d characters in your own words, or leave this blank.", CWCMinText))
	case letterLen(out.PersonalMessage) > LetterMaxPersonal:
		fail("personal_message", fmt.Sprintf("Keep your message to %d characters or fewer (it has %d).",
			LetterMaxPersonal, letterLen(out.PersonalMessage)))
	}

	if !in.Consent {
		fail("consent", "Agree to the privacy terms to send your letter.")
	}

	if out.FormToken != "" && (letterLen(out.FormToken) > LetterMaxFormToken || !letterTokenRe.MatchString(out.FormToken)) {
		fail("form_token", "This form has expired. Reload the page and try again.")
	}
	if out.Ref != "" && (letterLen(out.Ref) > LetterMaxRef || !letterTokenRe.MatchString(out.Ref)) {
		out.Ref = ""
	}

	out.Recipients = nil
	allowed := letterAllowedRecipients(district)
	seen := map[string]bool{}
	for _, r := range in.Recipients {
		id := strings.ToUpper(strings.TrimSpace(r))
		if id == "" {
			continue
		}
		switch {
		case seen[id]:
			fail("recipients", "Each member can receive your letter only once.")
		case !letterBioguideRe.MatchString(id):
			fail("recipients", "You can write only to your own members of Congress.")
		case !allowed[id]:
			if e, ended := district.EndedTerm(id); ended {
				fail("recipients", fmt.Sprintf("%s %s’s term ended on %s, and our member data has not caught up yet, so we cannot send letters to that seat.",
					e.Role, e.Name, e.TermEndDate()))
			} else {
				fail("recipients", "You can write only to your own members of Congress.")
			}
		}
		if !seen[id] {
			seen[id] = true
			out.Recipients = append(out.Recipients, id)
		}
	}
	out.Letters = nil
	for _, e := range in.Letters {
		id := strings.ToUpper(strings.TrimSpace(e.Recipient))
		if !allowed[id] {
			// A wording for someone the letter does not go to is dropped.
			continue
		}
		if _, dup := out.Edit(id); dup || len(out.Letters) == LetterMaxRecipients {
			fail("recipients", "Each member can receive your letter only once.")
			continue
		}
		e = LetterEdit{Recipient: id, Subject: letterCollapse(e.Subject), Body: letterText(e.Body)}
		if HasControlChars(e.Subject, false) {
			fail(SubjectField(id), "The subject contains characters that can't be sent.")
		}
		if HasControlChars(e.Body, true) {
			fail(BodyField(id), "Your letter contains characters that can't be sent.")
		}
		out.Letters = append(out.Letters, e)
	}

	switch {
	case district.State == "":
		fail("recipients", "Look up your members with your ZIP code or location first.")
	case len(out.Recipients) == 0:
		fail("recipients", "Choose at least one member to write to.")
	case len(out.Recipients) > LetterMaxRecipients:
		fail("recipients", fmt.Sprintf("Choose at most %d members.", LetterMaxRecipients))
	}

	if len(bad) > 0 {
		return out, &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	return out, nil
}

// letterAllowedRecipients is the set of bioguide IDs a constituent of d may write to.
func letterAllowedRecipients(d DistrictResult) map[string]bool {
	ok := map[string]bool{}
	if d.Representative != nil && !d.Vacant && d.Representative.BioguideID != "" {
		ok[strings.ToUpper(d.Representative.BioguideID)] = true
	}
	for _, s := range d.Senators {
		if s.BioguideID != "" && (s.State == "" || s.State == d.State) {
			ok[strings.ToUpper(s.BioguideID)] = true
		}
	}
	return ok
}

// SubjectField and BodyField name the form fields holding a constituent's
// wording of the subject and text of the letter to bioguide.
func SubjectField(bioguide string) string { return "subject-" + bioguide }

// BodyField: see SubjectField.
func BodyField(bioguide string) string { return "body-" + bioguide }

// CheckLetterText checks one recipient's subject and letter text as they
// will be sent (the constituent may have written them), and returns a
// message for each that CWC would refuse.
func CheckLetterText(subject, body string) (subjectMsg, bodyMsg string) {
	switch n := letterLen(strings.TrimSpace(subject)); {
	case n < CWCMinSubject:
		subjectMsg = fmt.Sprintf("Write a subject of at least %d characters.", CWCMinSubject)
	case n > CWCMaxSubject:
		subjectMsg = fmt.Sprintf("Keep the subject to %d characters or fewer (it has %d).", CWCMaxSubject, n)
	}
	switch n := letterLen(strings.TrimSpace(body)); {
	case n < CWCMinText:
		bodyMsg = "Write your letter, or use the campaign’s wording again."
	case n > CWCMaxText:
		bodyMsg = fmt.Sprintf("Keep the letter to %d characters or fewer (it has %d).", CWCMaxText, n)
	}
	return subjectMsg, bodyMsg
}

// Where a constituent's details go in a letter they are editing: the form
// shows these in place of their name and city, which are filled in when the
// letter is previewed and sent.
const (
	TokenName = "[your name]"
	TokenCity = "[your city]"
)

// ForEditing returns f with the constituent's name and city replaced by
// TokenName and TokenCity, to render a letter the constituent may edit.
func (f MergeFields) ForEditing() MergeFields {
	f.ConstituentName, f.ConstituentCity = TokenName, TokenCity
	return f
}

// FillTokens puts the constituent's name and city from f where an edited
// letter has TokenName and TokenCity.
func FillTokens(s string, f MergeFields) string {
	s = strings.ReplaceAll(s, TokenName, f.ConstituentName)
	return strings.ReplaceAll(s, TokenCity, f.ConstituentCity)
}

// AddedWords counts the words of edited that original does not have (each
// word as often as it appears more often): how much of an edited letter is
// the constituent's own.
func AddedWords(original, edited string) int {
	have := map[string]int{}
	for _, w := range strings.Fields(strings.ToLower(original)) {
		have[w]++
	}
	n := 0
	for _, w := range strings.Fields(strings.ToLower(edited)) {
		if have[w] > 0 {
			have[w]--
		} else {
			n++
		}
	}
	return n
}

// NormalizeEmail is an address trimmed and lower-cased: how accounts and
// idempotency keys name an address. See SenderKey for recognising senders.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// dotlessDomains are mail providers that ignore dots in the local part
// (a.b@gmail.com reaches ab@gmail.com); googlemail.com is gmail.com.
var dotlessDomains = map[string]string{"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

// SenderKey is the form of an address that recognises one sender behind
// its variants, for the 30-day dedupe and the per-email limits: lower-cased,
// without a "+tag" (sub-addressing, which most providers offer), without
// dots for providers that ignore them, and without a trailing dot on the
// domain. The address itself is stored as given.
func SenderKey(s string) string {
	s = NormalizeEmail(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || strings.HasPrefix(s, `"`) {
		return s
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if d, ok := dotlessDomains[domain]; ok {
		domain = d
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// NormalizeZIP returns a ZIP as 12345 or 12345-6789, accepting nine digits
// without the hyphen; ok is false for anything else.
func NormalizeZIP(s string) (zip string, ok bool) {
	s = strings.TrimSpace(s)
	if allDigits(s, 9) {
		s = s[:5] + "-" + s[5:]
	}
	if !letterZIPRe.MatchString(s) {
		return "", false
	}
	return s, true
}

// NormalizePhone returns a US phone number in the CWC form xxx-xxx-xxxx. It
// accepts ten digits with any common punctuation, or eleven with a leading 1
// (optionally +1); the area code must not start with 0 or 1.
func NormalizePhone(s string) (phone string, ok bool) {
	s = strings.TrimSpace(s)
	if !letterPhoneCharRe.MatchString(s) {
		return "", false
	}
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 || d[0] < '2' {
		return "", false
	}
	return string(d[:3]) + "-" + string(d[3:6]) + "-" + string(d[6:]), true
}

func letterValidEmail(s string) bool {
	if len(s) > LetterMaxEmail || HasControlChars(s, false) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return at > 0 && dot > 0 && !strings.HasSuffix(domain, ".") && !strings.ContainsAny(domain, " []") && cwcEmailRe.MatchString(s)
}

// letterCollapse trims s and replaces every run of white space with one space.
func letterCollapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// letterText writes line breaks as \n and trims surrounding white space.
func letterText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}

// HasControlChars reports invalid UTF-8, control characters (other than \n
// and \t when multiline), the non-characters XML forbids, and the
// invisible bidirectional controls (embeddings, overrides, isolates) that
// make text read differently from what it is: none of them can travel in a
// CWC message.
func HasControlChars(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF || isBidiControl(r) {
			return true
		}
	}
	return false
}

// isBidiControl is U+202A..U+202E and U+2066..U+2069.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// HasVisibleText reports whether s has at least one letter or digit: a
// name made only of spaces, zero-width or other invisible characters is
// no name.
func HasVisibleText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

func letterLen(s string) int { return utf8.RuneCountInString(s) }

// TemplateKind names the letter a member gets for their status on their
// chamber's bill.
type TemplateKind string

// Template kinds. For a bill the campaign supports: ask a member to
// cosponsor, thank a sponsor or cosponsor, or ask one who withdrew why. For
// a bill it opposes: ask a member not to cosponsor, urge the sponsor and
// cosponsors to withdraw their support, or thank one who withdrew.
const (
	TemplateAsk             TemplateKind = "ask"
	TemplateThank           TemplateKind = "thank"
	TemplateWithdrew        TemplateKind = "withdrew"
	TemplateOppose          TemplateKind = "oppose"
	TemplateUrgeWithdraw    TemplateKind = "urge_withdraw"
	TemplateThankWithdrawal TemplateKind = "thank_withdrawal"
)

// TemplateKindOf picks the letter for the member with bioguide ID on bill
// b, following the campaign's position on it.
func TemplateKindOf(b Bill, bioguide string) TemplateKind {
	cs, isCosponsor := b.Cosponsor(bioguide)
	sponsor, withdrawn := b.SponsorID == bioguide, isCosponsor && !cs.Active()
	if b.Position == PositionOppose {
		switch {
		case sponsor || (isCosponsor && !withdrawn):
			return TemplateUrgeWithdraw
		case withdrawn:
			return TemplateThankWithdrawal
		default:
			return TemplateOppose
		}
	}
	return TemplateKindFor(sponsor, isCosponsor, withdrawn)
}

// TemplateKindFor picks the letter for a member's status on the bill: thanks
// for a sponsor or current cosponsor, "why did you withdraw" for a member who
// withdrew (and has not rejoined), and the ask for everyone else.
func TemplateKindFor(sponsor, cosponsor, withdrawn bool) TemplateKind {
	switch {
	case sponsor || (cosponsor && !withdrawn):
		return TemplateThank
	case withdrawn:
		return TemplateWithdrew
	default:
		return TemplateAsk
	}
}

// LetterTemplate is a campaign's letter for one TemplateKind. Subject and Body
// may hold the merge fields of MergeFields.
type LetterTemplate struct {
	Kind    TemplateKind `json:"kind"`
	Subject string       `json:"subject"`
	Body    string       `json:"body"`
}

// Render fills the merge fields of the subject and body.
func (t LetterTemplate) Render(f MergeFields) (subject, body string) {
	return RenderTemplate(t.Subject, f), RenderTemplate(t.Body, f)
}

// DefaultLetterTemplates are generic letters for a campaign that has not
// written its own. They name the bill only through {{bill}}.
func DefaultLetterTemplates() map[TemplateKind]LetterTemplate {
	sign := "\n\nSincerely,\n{{constituent_name}}\n{{constituent_city}}"
	return map[TemplateKind]LetterTemplate{
		TemplateAsk: {
			Kind:    TemplateAsk,
			Subject: "Please cosponsor {{bill}}",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I ask you to cosponsor {{bill}}. " +
				"Adding your name is the clearest way to show that you support it, and I would be " +
				"grateful to hear that you have done so." + sign,
		},
		TemplateThank: {
			Kind:    TemplateThank,
			Subject: "Thank you for supporting {{bill}}",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I want to thank you for supporting {{bill}}. " +
				"Please keep working with your colleagues to bring it to a vote." + sign,
		},
		TemplateWithdrew: {
			Kind:    TemplateWithdrew,
			Subject: "Why did you withdraw from {{bill}}?",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I noticed that you withdrew as a cosponsor of {{bill}}. " +
				"I would like to understand why, and I ask you to sign on again." + sign,
		},
		TemplateOppose: {
			Kind:    TemplateOppose,
			Subject: "Please do not cosponsor {{bill}}",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I oppose {{bill}}, and I ask you not to cosponsor it " +
				"or support it if it comes to a vote." + sign,
		},
		TemplateUrgeWithdraw: {
			Kind:    TemplateUrgeWithdraw,
			Subject: "Please withdraw your support for {{bill}}",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I oppose {{bill}}, and I ask you to withdraw your support for it." + sign,
		},
		TemplateThankWithdrawal: {
			Kind:    TemplateThankWithdrawal,
			Subject: "Thank you for withdrawing from {{bill}}",
			Body: "Dear {{member_title}} {{member_last_name}},\n\n" +
				"As your constituent in {{constituent_city}}, I want to thank you for withdrawing as a cosponsor of {{bill}}. " +
				"I hope you will keep opposing it." + sign,
		},
	}
}

// MergeFields are the values a letter template can use.
type MergeFields struct {
	MemberTitle string // {{member_title}}: "Representative", "Senator", "Delegate", ...
	MemberName  string // {{member_name}}: "Deborah K. Ross"
	// MemberLastName is {{member_last_name}}, for the greeting: letters
	// open "Dear Representative Ross".
	MemberLastName  string
	Bill            string // {{bill}}: "H.R. 5917"
	ConstituentName string // {{constituent_name}}
	ConstituentCity string // {{constituent_city}}
}

// MergeFieldsFor builds the merge fields for a letter to m about bill (its
// label, such as "H.R. 5917") from a constituent's input.
func MergeFieldsFor(m Member, bill string, in LetterInput) MergeFields {
	title := m.Role
	if title == "" {
		title = "Representative"
		if m.Chamber == Senate {
			title = "Senator"
		}
	}
	name := m.Name
	if name == "" {
		name = strings.TrimSpace(m.FirstName + " " + m.LastName)
	}
	last := strings.TrimSpace(m.LastName)
	if last == "" {
		if f := strings.Fields(name); len(f) > 0 {
			last = f[len(f)-1]
		}
	}
	return MergeFields{
		MemberTitle:     title,
		MemberName:      name,
		MemberLastName:  last,
		Bill:            bill,
		ConstituentName: in.FullName(),
		ConstituentCity: in.City,
	}
}

func (f MergeFields) lookup(name string) (string, bool) {
	switch name {
	case "member_title":
		return f.MemberTitle, true
	case "member_name":
		return f.MemberName, true
	case "member_last_name":
		return f.MemberLastName, true
	case "bill":
		return f.Bill, true
	case "constituent_name":
		return f.ConstituentName, true
	case "constituent_city":
		return f.ConstituentCity, true
	}
	return "", false
}

// RenderTemplate replaces each {{name}} (spaces inside the braces allowed) of
// a known merge field with its value, as plain text: no escaping, no logic.
// Unknown fields and unmatched braces are left as they are, so an organizer
// sees the mistake in the preview.
func RenderTemplate(tpl string, f MergeFields) string {
	var b strings.Builder
	b.Grow(len(tpl))
	for {
		i := strings.Index(tpl, "{{")
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.Index(tpl[i+2:], "}}")
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		name := strings.TrimSpace(tpl[i+2 : i+2+j])
		if v, ok := f.lookup(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tpl[i : i+2+j+2])
		}
		tpl = tpl[i+2+j+2:]
	}
}

// UnknownMergeFields lists, once each and in order, the {{names}} in tpl that
// RenderTemplate does not know, for checking a template when it is edited.
func UnknownMergeFields(tpl string) []string {
	var out []string
	for {
		i := strings.Index(tpl, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(tpl[i+2:], "}}")
		if j < 0 {
			return out
		}
		name := strings.TrimSpace(tpl[i+2 : i+2+j])
		if _, ok := (MergeFields{}).lookup(name); !ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
		tpl = tpl[i+2+j+2:]
	}
}

// PersonalScore says how personal a letter is from the number of words in
// the constituent's own paragraph: one percent per word up to 100, labelled
// "Template only" (no words), "A little personal" (1 to 29), "Personal"
// (30 to 99) and "Very personal" (100 or more). Offices weigh letters in the
// sender's own words far above identical ones, so the form nudges for more.
func PersonalScore(personal string) (percent int, label string) {
	return PersonalScoreOf(len(strings.Fields(personal)))
}

// PersonalScoreOf is PersonalScore for n words of the constituent's own,
// counted however the caller counts them (their paragraph and the words
// they added to the campaign's text).
func PersonalScoreOf(n int) (percent int, label string) {
	switch {
	case n == 0:
		return 0, "Template only"
	case n < 30:
		return n, "A little personal"
	case n < 100:
		return n, "Personal"
	default:
		return 100, "Very personal"
	}
}

const deliveryIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewDeliveryID returns a CWC DeliveryId: 32 characters drawn uniformly from
// [A-Za-z0-9] using r (crypto/rand.Reader in production).
func NewDeliveryID(r io.Reader) (string, error) {
	out := make([]byte, 0, 32)
	buf := make([]byte, 48)
	for len(out) < 32 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("new delivery id: %w", err)
		}
		for _, c := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the choice uniform.
			if c < 248 && len(out) < 32 {
				out = append(out, deliveryIDAlphabet[int(c)%62])
			}
		}
	}
	return string(out), nil
}

// sortedDigits are the alphanumerics in byte order: a number written in them
// sorts as text the way it sorts as a number.
const sortedDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// timePrefix writes t's milliseconds since 1970 in n sortedDigits (seven of
// them last until 2081), so that IDs made later sort later.
func timePrefix(t time.Time, n int) []byte {
	ms := uint64(max(t.UnixMilli(), 0))
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = sortedDigits[ms%62]
		ms /= 62
	}
	return out
}

// NewOrderedDeliveryID returns a CWC DeliveryId whose first 8 characters
// are the time now and whose other 24 are drawn uniformly from [A-Za-z0-9]
// (142 random bits). IDs made one after another sort together, so the
// unique index on them grows at its end instead of at a random page for
// every delivery, which is most of what a letter costs to write.
func NewOrderedDeliveryID(r io.Reader, now time.Time) (string, error) {
	id, err := NewDeliveryID(r)
	if err != nil {
		return "", err
	}
	return string(timePrefix(now, 8)) + id[8:], nil
}

// ValidDeliveryID reports whether s has the form of a CWC DeliveryId.
func ValidDeliveryID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(deliveryIDAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// NewLetterToken returns an unguessable token of 128 random bits from r,
// written as 22 base64url characters. Letters use one as the public ID in
// their status URL, and forms as the idempotency token.
func NewLetterToken(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("new letter token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewOrderedLetterToken returns a letter's public ID: 7 characters of the
// time now, then the 22 of NewLetterToken (128 random bits). Like
// NewOrderedDeliveryID, IDs made together sort together, so the unique
// index on them grows at its end.
func NewOrderedLetterToken(r io.Reader, now time.Time) (string, error) {
	tok, err := NewLetterToken(r)
	if err != nil {
		return "", err
	}
	return string(timePrefix(now, 7)) + tok, nil
}

// ValidLetterToken reports whether s has the form NewLetterToken or
// NewOrderedLetterToken produces.
func ValidLetterToken(s string) bool {
	return (len(s) == 22 || len(s) == 29) && letterTokenRe.MatchString(s)
}

// HouseOfficeCode is the CWC MemberOffice of a House seat: "H", the state and
// the two-digit district, 00 for at-large seats and delegates (HNY12, HAK00).
func HouseOfficeCode(state string, district int) string {
	return fmt.Sprintf("H%s%02d", strings.ToUpper(state), district)
}

// SenateOfficeCode is the CWC MemberOffice of a Senate office: "S", the
// state and the senator's election class as two digits (SNY03 for the
// class 3 seat). The class, not the senior/junior rank, is what the Senate's
// own office list uses; the rank changes when a colleague leaves, the class
// never does.
func SenateOfficeCode(state string, class int) string {
	return fmt.Sprintf("S%s%02d", strings.ToUpper(state), class)
}

// OfficeCode is the CWC MemberOffice of m's office, or "" for a senator
// whose election class the member data does not give (their copies then go
// through the assisted channels).
func OfficeCode(m Member) string {
	if m.Chamber == Senate {
		if m.Class < 1 || m.Class > 3 {
			return ""
		}
		return SenateOfficeCode(m.State, m.Class)
	}
	return HouseOfficeCode(m.State, m.District)
}

// LetterBill identifies the bill a delivery is about, as CWC wants it.
type LetterBill struct {
	Congress int    `json:"congress"`
	Type     string `json:"type"` // CWC type abbreviation: HR, S, HRES, SRES, HJRES, SJRES, HCONRES, SCONRES
	Number   int    `json:"number"`
}

// IsZero reports whether no bill is set.
func (b LetterBill) IsZero() bool { return b == LetterBill{} }

// Label writes the bill the usual way: "H.R. 5917", "S. 3103".
func (b LetterBill) Label() string {
	if b.IsZero() {
		return ""
	}
	names := map[string]string{
		"HR": "H.R.", "S": "S.", "HRES": "H.Res.", "SRES": "S.Res.",
		"HJRES": "H.J.Res.", "SJRES": "S.J.Res.", "HCONRES": "H.Con.Res.", "SCONRES": "S.Con.Res.",
	}
	t := strings.ToUpper(b.Type)
	if n, ok := names[t]; ok {
		t = n
	}
	return fmt.Sprintf("%s %d", t, b.Number)
}

// NewLetter is a validated letter ready to store, with one NewDelivery per
// recipient office.
type NewLetter struct {
	CampaignID int64
	Input      LetterInput // as returned by ValidateLetter
	State      string
	District   int
	SettledBy  SettledBy
	// Status is LetterActive when empty; LetterHeld sends it to moderation.
	Status LetterStatus
	// HoldReason says, for moderators, why a held letter was held.
	HoldReason string
	// Topic is the campaign's Library of Congress policy area for CWC; empty
	// lets the outbox worker use its configured default.
	Topic      string
	Recipients []NewDelivery
	// ConfirmToken, when set, asks the sender to confirm their email with
	// this token before ConfirmBy; the store keeps only its hash. The letter
	// waits (held) for it, unless ConfirmForReceipt says that only the
	// receipt the sender asked for waits: receipts go only to addresses that
	// proved themselves.
	ConfirmToken      string
	ConfirmBy         time.Time
	ConfirmForReceipt bool
}

// NewDelivery is one recipient office of a NewLetter.
type NewDelivery struct {
	BioguideID string
	OfficeCode string
	Chamber    Chamber
	Channel    Channel // ChannelCWC or ChannelAssisted
	Subject    string  // rendered subject
	// TemplateText is the rendered template for this recipient (CWC
	// OrganizationStatement); the constituent's own paragraph stays in the
	// letter's PersonalMessage.
	TemplateText string
	Bill         LetterBill
	// Position is the campaign's position on the bill (CWC ProOrCon).
	Position Position
}

// Letter is one stored submission.
type Letter struct {
	ID              int64        `json:"-"`
	PublicID        string       `json:"id"`
	CampaignID      int64        `json:"-"`
	State           string       `json:"state"`
	District        int          `json:"district"`
	SettledBy       SettledBy    `json:"settled_by"`
	Prefix          string       `json:"prefix"`
	FirstName       string       `json:"first_name"`
	LastName        string       `json:"last_name"`
	Address1        string       `json:"address1"`
	Address2        string       `json:"address2,omitempty"`
	City            string       `json:"city"`
	Zip             string       `json:"zip"`
	Email           string       `json:"email"`
	Phone           string       `json:"phone,omitempty"`
	Title           string       `json:"title,omitempty"`
	Organization    string       `json:"organization,omitempty"`
	PersonalMessage string       `json:"personal_message"`
	Topic           string       `json:"-"`
	Receipt         bool         `json:"receipt"`
	Newsletter      bool         `json:"newsletter"`
	CampaignUpdates bool         `json:"campaign_updates"`
	Ref             string       `json:"ref,omitempty"`
	Status          LetterStatus `json:"status"`
	ConsentAt       time.Time    `json:"consent_at"`
	CreatedAt       time.Time    `json:"created_at"`
	// HoldReason says why the abuse checks held the letter ('' if not).
	HoldReason string `json:"hold_reason,omitempty"`
	// ErasedAt is when the sender's personal data was erased (at their
	// request or after the retention window); zero while it is kept.
	ErasedAt   time.Time  `json:"erased_at,omitzero"`
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is one letter to one office. Times that have not happened are zero.
type Delivery struct {
	ID            int64          `json:"-"`
	LetterID      int64          `json:"-"`
	BioguideID    string         `json:"bioguide_id"`
	OfficeCode    string         `json:"office_code"`
	Chamber       Chamber        `json:"chamber"`
	Channel       Channel        `json:"channel"`
	Status        DeliveryStatus `json:"status"`
	DeliveryID    string         `json:"delivery_id"`
	Subject       string         `json:"subject"`
	TemplateText  string         `json:"template_text"`
	Bill          LetterBill     `json:"bill"`
	Position      Position       `json:"position"`
	Attempts      int            `json:"attempts"`
	NextAttemptAt time.Time      `json:"-"`
	LastError     string         `json:"-"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	SentAt        time.Time      `json:"sent_at,omitzero"`
	ConfirmedAt   time.Time      `json:"confirmed_at,omitzero"`
	// QueuedAt is when the delivery was last queued (written, or re-sent by
	// an organizer): the time budget of retries runs from it.
	QueuedAt time.Time `json:"-"`
}

// CreatedLetter is the result of storing a NewLetter.
type CreatedLetter struct {
	Letter Letter
	// Existing is true when the form token had already been used: Letter is
	// the one stored then, and nothing new was written.
	Existing bool
	// AlreadyWrote lists the recipients skipped because the same email wrote
	// to them in the same campaign within DedupeWindow.
	AlreadyWrote []string
}

// OutboxItem is a claimed CWC delivery with everything needed to build its
// message. Letter.Deliveries is empty.
type OutboxItem struct {
	Letter        Letter
	Delivery      Delivery
	CampaignSlug  string
	CWCCampaignID string // the campaign's stable CWC CampaignId (its slug when unset)
	// Sponsor is the campaign's sponsor, named as the CWC Organization.
	Sponsor Sponsor
}

// LetterStats are a campaign's public aggregates: no personal data.
type LetterStats struct {
	Total     int             `json:"total"`
	ByChamber map[Chamber]int `json:"by_chamber"` // deliveries per chamber
	Since     int             `json:"last_24h"`   // letters since the asked time
	ByState   map[string]int  `json:"by_state"`
}
