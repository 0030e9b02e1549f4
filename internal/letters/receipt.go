package letters

import (
	"fmt"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// The receipt is the copy of their letter a sender asked for: it carries
// their own words, so it goes only to an address that proved itself, once
// the sender has followed the confirmation link (see Confirm).

// ReceiptSubject is the receipt's subject line.
func ReceiptSubject(r advocacy.Receipt) string {
	if r.CampaignTitle == "" {
		return "Your letter to Congress"
	}
	return "Your letter to Congress: " + r.CampaignTitle
}

// ReceiptText is the receipt's plain-text body: for each recipient, how and
// whether it is being delivered, the subject and the campaign text, then
// the constituent's own words, and the link to the status page.
func ReceiptText(r advocacy.Receipt) string {
	l := r.Letter
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", strings.TrimSpace(l.Prefix+" "+l.LastName))
	if r.CampaignTitle != "" {
		fmt.Fprintf(&b, "Thank you for writing to your members of Congress about %q.\n", r.CampaignTitle)
	} else {
		b.WriteString("Thank you for writing to your members of Congress.\n")
	}
	b.WriteString("This is a copy of your letter and of what happens to it next.\n\n")
	if r.StatusURL != "" {
		fmt.Fprintf(&b, "Follow your letter here: %s\n", r.StatusURL)
		b.WriteString("Keep this link to yourself: anyone who has it can see your letter.\n")
		fmt.Fprintf(&b, "To delete your details from Whipcount at any time: %s/delete\n", r.StatusURL)
	}
	for _, d := range l.Deliveries {
		name := r.Members[d.BioguideID]
		if name == "" {
			name = "the office " + d.OfficeCode
		}
		b.WriteString("\n----------------------------------------\n")
		fmt.Fprintf(&b, "To: %s\n", name)
		fmt.Fprintf(&b, "Status: %s\n", receiptStatus(l, d))
		fmt.Fprintf(&b, "Subject: %s\n\n", d.Subject)
		b.WriteString(strings.TrimSpace(d.TemplateText))
		b.WriteString("\n")
	}
	if strings.TrimSpace(l.PersonalMessage) != "" {
		b.WriteString("\n----------------------------------------\n")
		b.WriteString("In your own words, sent with each letter:\n\n")
		b.WriteString(strings.TrimSpace(l.PersonalMessage))
		b.WriteString("\n")
	}
	b.WriteString("\n----------------------------------------\n")
	fmt.Fprintf(&b, "From: %s %s %s\n%s\n", l.Prefix, l.FirstName, l.LastName, l.Address1)
	if l.Address2 != "" {
		fmt.Fprintf(&b, "%s\n", l.Address2)
	}
	fmt.Fprintf(&b, "%s, %s %s\n\n", l.City, l.State, l.Zip)
	b.WriteString("You get this email because you asked for a copy when you sent your letter.\n")
	return b.String()
}

// receiptStatus says in plain words where a copy stands when the receipt
// is written.
func receiptStatus(l advocacy.Letter, d advocacy.Delivery) string {
	chamber := "House"
	if d.Chamber == advocacy.Senate {
		chamber = "Senate"
	}
	switch advocacy.StateOf(l, d, false) {
	case advocacy.CopySent:
		if d.Status == advocacy.DeliveryDelivered {
			return "delivered to the office."
		}
		return "sent electronically to the office."
	case advocacy.CopyFailed:
		return "electronic delivery failed; you can still send it yourself from your letter's page."
	case advocacy.CopyYouSent:
		how := map[advocacy.Channel]string{
			advocacy.ChannelContactForm: "through the office's contact form",
			advocacy.ChannelPrint:       "by post",
			advocacy.ChannelPhone:       "by phone",
		}[d.Channel]
		return strings.TrimSpace("you sent it yourself " + how + ".")
	case advocacy.CopyRejected:
		return "not sent: the campaign decided not to send this letter."
	case advocacy.CopyAwaitingConfirmation:
		return "waiting for you: it goes out once you confirm your email address."
	case advocacy.CopyAwaitingCheck:
		return "not sent yet: it goes out electronically once the campaign has checked it."
	case advocacy.CopyHeld:
		return "held, not sent yet: electronic delivery to the " + chamber + " is paused while we fix a problem on our side. " +
			"It goes out as soon as it is fixed; you do not need to do anything."
	case advocacy.CopyQueued, advocacy.CopyRetrying:
		return "queued: we are sending it electronically through Communicating with Congress, usually within minutes."
	}
	return "not sent yet. This office takes letters only through its own contact form, by post or by phone: " +
		"your letter's page has the letter ready to copy, print or read out."
}
