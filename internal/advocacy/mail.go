package advocacy

// Receipt is what a constituent's receipt email reports.
type Receipt struct {
	Letter        Letter // with its deliveries
	CampaignTitle string
	// Members names each recipient by bioguide ID, as it should read in the
	// mail ("Senator Kirsten E. Gillibrand"); a missing name falls back to
	// the office code.
	Members map[string]string
	// StatusURL is the letter's status page (with its unguessable token).
	StatusURL string
}

// MailFailure is a failed email, classified so that logs can say what went
// wrong without quoting the mail server, whose answers can echo the
// recipient's address. The mailer's errors satisfy it.
type MailFailure interface {
	error
	// MailStage is where the conversation failed: "address" (a malformed
	// sender or recipient), "timeout", "connect", "tls", "auth",
	// "rejected" (the server refused the sender or recipient) or "smtp".
	MailStage() string
}
