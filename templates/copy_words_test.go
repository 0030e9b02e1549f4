package templates

import (
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func TestCopyWords(t *testing.T) {
	tests := []struct {
		f                      CopyFacts
		headline, detail, tone string
	}{
		{CopyFacts{State: advocacy.CopySent, SentOn: "March 1, 2026"}, "Sent.", "accepted it on March 1, 2026.", "ok"},
		{CopyFacts{State: advocacy.CopySent, Delivered: true}, "Delivered.", "The office has received it.", "ok"},
		{CopyFacts{State: advocacy.CopyYouSent, Channel: advocacy.ChannelPrint, ConfirmedOn: "March 2, 2026"}, "You sent it.", "You told us you sent it by post on March 2, 2026. Thank you!", "ok"},
		{CopyFacts{State: advocacy.CopyFailed}, "Not delivered.", "Please send it yourself", "error"},
		{CopyFacts{State: advocacy.CopyHeld, Chamber: advocacy.Senate}, "Held: not sent yet.", "Electronic delivery to the Senate is paused", "warn"},
		{CopyFacts{State: advocacy.CopyHeld, Chamber: advocacy.House}, "Held: not sent yet.", "Electronic delivery to the House is paused", "warn"},
		{CopyFacts{State: advocacy.CopyAwaitingCheck, Channel: advocacy.ChannelCWC}, "Not sent yet: waiting for a check.", "goes out electronically once", ""},
		{CopyFacts{State: advocacy.CopyAwaitingCheck, Channel: advocacy.ChannelContactForm}, "Not sent yet: waiting for a check.", "this page shows you how to send it", ""},
		{CopyFacts{State: advocacy.CopyAwaitingConfirmation}, "Waiting for you.", "confirm your email address", "warn"},
		{CopyFacts{State: advocacy.CopyRejected}, "Not sent.", "decided not to send", ""},
		{CopyFacts{State: advocacy.CopyRetrying}, "Queued: trying again.", "We keep trying", ""},
		{CopyFacts{State: advocacy.CopyQueued}, "Queued.", "Communicating with Congress", ""},
		{CopyFacts{State: advocacy.CopyYours}, "Waiting for you to send it.", "Send it in one of the ways below.", "warn"},
		{CopyFacts{State: advocacy.CopyYours, Ended: &EndedCopy{Member: "Senator Ada Lovelace", EndedOn: "January 3, 2027", FindLabel: "senate.gov"}},
			"Their term has ended.", "Senator Ada Lovelace’s term ended on January 3, 2027, before this copy was sent", "warn"},
	}
	for _, tt := range tests {
		if got := tt.f.Headline(); got != tt.headline {
			t.Errorf("%s: headline %q, want %q", tt.f.State, got, tt.headline)
		}
		if got := tt.f.Detail(); !strings.Contains(got, tt.detail) {
			t.Errorf("%s: detail %q, want it to say %q", tt.f.State, got, tt.detail)
		}
		if got := tt.f.Tone(); got != tt.tone {
			t.Errorf("%s: tone %q, want %q", tt.f.State, got, tt.tone)
		}
	}
}
