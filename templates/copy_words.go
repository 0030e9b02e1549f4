package templates

import (
	"fmt"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// CopyFacts are what the words about one copy of a letter are made from:
// where it stands and the facts that go into saying so. The status page,
// the action widget and the letter's fragments all say it the same way.
type CopyFacts struct {
	State advocacy.CopyState
	// Channel is how the copy goes, or how its sender says they sent it.
	Channel advocacy.Channel
	// Delivered is set when the office has received a copy sent to it.
	Delivered bool
	Chamber   advocacy.Chamber
	// SentOn is the day the office's system accepted it; ConfirmedOn the
	// day its sender told us they sent it (both as "March 1, 2026").
	SentOn, ConfirmedOn string
	// Ended is set when the member's term ended before the copy could go.
	Ended *EndedCopy
}

// EndedCopy is a copy whose member's term ended before it was sent.
type EndedCopy struct {
	Member  string // "Senator Kirsten E. Gillibrand"
	EndedOn string // "January 3, 2027"
	// FindLabel names where to find who holds the seat now.
	FindLabel string
}

// Headline is the copy's state in a few words.
func (f CopyFacts) Headline() string {
	if f.Ended != nil {
		return "Their term has ended."
	}
	switch f.State {
	case advocacy.CopyYouSent:
		return "You sent it."
	case advocacy.CopySent:
		if f.Delivered {
			return "Delivered."
		}
		return "Sent."
	case advocacy.CopyFailed:
		return "Not delivered."
	case advocacy.CopyRejected:
		return "Not sent."
	case advocacy.CopyAwaitingConfirmation:
		return "Waiting for you."
	case advocacy.CopyAwaitingCheck:
		return "Not sent yet: waiting for a check."
	case advocacy.CopyHeld:
		return "Held: not sent yet."
	case advocacy.CopyRetrying:
		return "Queued: trying again."
	case advocacy.CopyQueued:
		return "Queued."
	}
	return "Waiting for you to send it."
}

// Detail says what the state means for the sender and what, if anything,
// they should do.
func (f CopyFacts) Detail() string {
	if e := f.Ended; e != nil {
		return fmt.Sprintf("%s’s term ended on %s, before this copy was sent, so it can no longer reach them. "+
			"Find who holds the seat now on %s, or call the Capitol switchboard at %s.",
			e.Member, e.EndedOn, e.FindLabel, advocacy.CapitolSwitchboard)
	}
	switch f.State {
	case advocacy.CopyYouSent:
		how := map[advocacy.Channel]string{
			advocacy.ChannelContactForm: "through their website",
			advocacy.ChannelPrint:       "by post",
			advocacy.ChannelPhone:       "by phone",
		}[f.Channel]
		return strings.TrimSpace(fmt.Sprintf("You told us you sent it %s on %s. Thank you!", how, f.ConfirmedOn))
	case advocacy.CopySent:
		if f.Delivered {
			return "The office has received it. There is nothing more for you to do."
		}
		return "The office’s system accepted it on " + f.SentOn + ". There is nothing more for you to do."
	case advocacy.CopyFailed:
		return "Congress’s system did not accept it from us. Please send it yourself in one of these ways; it takes a minute."
	case advocacy.CopyRejected:
		return "The campaign decided not to send this letter."
	case advocacy.CopyAwaitingConfirmation:
		return "It goes out once you confirm your email address with the link we sent you."
	case advocacy.CopyAwaitingCheck:
		if f.Channel != advocacy.ChannelCWC {
			return "Once the campaign has checked it, this page shows you how to send it to the office."
		}
		return "It goes out electronically once the campaign has checked it."
	case advocacy.CopyHeld:
		chamber := "House"
		if f.Chamber == advocacy.Senate {
			chamber = "Senate"
		}
		return "Electronic delivery to the " + chamber + " is paused while we fix a problem on our side. Your letter is kept and goes out as soon as it is fixed: you do not need to do anything. If you would rather not wait, you can send it yourself instead; tell us if you do, so that it is not sent twice."
	case advocacy.CopyRetrying:
		return "Congress’s system did not take it at our last try, which happens during its maintenance. We keep trying, so you do not need to do anything; if it still cannot go after some days, this page will say so and show you how to send it yourself."
	case advocacy.CopyQueued:
		return "We are sending it to the office electronically through Communicating with Congress. This usually takes a few minutes; reload this page to check."
	}
	return "We cannot deliver to this office electronically. Send it in one of the ways below."
}

// Tone is the colour of the copy's notice: "ok", "warn", "error" or "".
func (f CopyFacts) Tone() string {
	if f.Ended != nil {
		return "warn"
	}
	switch f.State {
	case advocacy.CopyYouSent, advocacy.CopySent:
		return "ok"
	case advocacy.CopyFailed:
		return "error"
	case advocacy.CopyAwaitingConfirmation, advocacy.CopyHeld, advocacy.CopyYours:
		return "warn"
	case advocacy.CopyRejected, advocacy.CopyAwaitingCheck, advocacy.CopyRetrying, advocacy.CopyQueued:
		return ""
	}
	return "warn"
}
