package advocacy

import "time"

// ChamberHealth is where electronic delivery to one chamber stands, for the
// organizers who answer for it.
type ChamberHealth struct {
	Chamber Chamber
	// Enabled is set when an endpoint and key are configured for the
	// chamber (the app fills it in; the store does not know).
	Enabled bool
	// Queued, Held and Failed count CWC deliveries in those states; Sent is
	// those CWC accepted in the last day.
	Queued, Held, Failed, SentLastDay int
	// OldestWaiting is when the oldest queued or held delivery was written;
	// zero when none waits.
	OldestWaiting time.Time
	// HeldSince and HoldReason are set while delivery to the chamber is
	// held.
	HeldSince  time.Time
	HoldReason string
	// LastError is CWC's last refusal or failure, with its time.
	LastError   string
	LastErrorAt time.Time
	// LastSentAt is when CWC last accepted a message.
	LastSentAt time.Time
	// Offices lists office codes in disagreement with the chamber's own
	// list of offices, for admins (the app fills it in).
	Offices []OfficeDisagreement
}

// Waiting is how many deliveries wait: queued or held.
func (h ChamberHealth) Waiting() int { return h.Queued + h.Held }

// OfficeDisagreement is a member whose CWC office code, as Whipcount
// derives it from the member data, differs from the chamber's published
// list of active offices.
type OfficeDisagreement struct {
	BioguideID string
	// Derived is the code from the member data; Listed the chamber's, ''
	// when the chamber does not list the member's office at all.
	Derived, Listed string
}

// RetryRequest says which deliveries to re-send: held ones, failed ones or
// both, of one chamber or both ("" for both), of one campaign or all (0).
type RetryRequest struct {
	Chamber    Chamber
	Held       bool
	Failed     bool
	CampaignID int64
}

// Valid reports whether the request names something to re-send.
func (r RetryRequest) Valid() bool {
	return (r.Held || r.Failed) && (r.Chamber == "" || r.Chamber == House || r.Chamber == Senate)
}

// CopyState is where one copy of a letter really stands, as its sender
// should be told.
type CopyState string

// The states of a copy.
const (
	// CopySent: CWC accepted it (or the office has it).
	CopySent CopyState = "sent"
	// CopyYouSent: the sender sent it themselves.
	CopyYouSent CopyState = "you_sent"
	// CopyQueued: on its way electronically, first try pending.
	CopyQueued CopyState = "queued"
	// CopyRetrying: on its way; Congress's system did not take the last
	// try and it is tried again.
	CopyRetrying CopyState = "retrying"
	// CopyHeld: electronic delivery is held on the operator's side.
	CopyHeld CopyState = "held"
	// CopyAwaitingCheck: the letter waits for moderation.
	CopyAwaitingCheck CopyState = "awaiting_check"
	// CopyAwaitingConfirmation: the letter waits for its sender to confirm
	// their email.
	CopyAwaitingConfirmation CopyState = "awaiting_confirmation"
	// CopyRejected: the campaign decided not to send the letter.
	CopyRejected CopyState = "rejected"
	// CopyFailed: electronic delivery failed for good; the sender can
	// still send it.
	CopyFailed CopyState = "failed"
	// CopyYours: the office takes no electronic letters from Whipcount; the
	// sender sends it.
	CopyYours CopyState = "yours"
)

// StateOf says where copy d of letter l stands; awaitingConfirmation is
// whether the letter waits for its sender to confirm their email.
func StateOf(l Letter, d Delivery, awaitingConfirmation bool) CopyState {
	switch d.Status {
	case DeliverySent, DeliveryDelivered:
		return CopySent
	case DeliveryConfirmedByUser:
		return CopyYouSent
	case DeliveryFailed:
		if l.Status == LetterRejected {
			return CopyRejected
		}
		return CopyFailed
	}
	switch {
	case l.Status == LetterRejected:
		return CopyRejected
	case awaitingConfirmation:
		return CopyAwaitingConfirmation
	case l.Status == LetterHeld && d.Channel == ChannelCWC:
		return CopyAwaitingCheck
	case d.Channel != ChannelCWC:
		return CopyYours
	case d.Status == DeliveryHeld:
		return CopyHeld
	case d.Attempts > 0 && d.LastError != "":
		return CopyRetrying
	}
	return CopyQueued
}
