package advocacy

import "testing"

func TestStateOf(t *testing.T) {
	active, held, rejected := Letter{Status: LetterActive}, Letter{Status: LetterHeld}, Letter{Status: LetterRejected}
	cwc := func(s DeliveryStatus) Delivery { return Delivery{Channel: ChannelCWC, Status: s} }
	tests := []struct {
		name    string
		l       Letter
		d       Delivery
		waiting bool
		want    CopyState
	}{
		{"queued", active, cwc(DeliveryQueued), false, CopyQueued},
		{"retrying", active, Delivery{Channel: ChannelCWC, Status: DeliveryQueued, Attempts: 2, LastError: "CWC answered 503"}, false, CopyRetrying},
		{"held delivery", active, cwc(DeliveryHeld), false, CopyHeld},
		{"sent", active, cwc(DeliverySent), false, CopySent},
		{"delivered", active, cwc(DeliveryDelivered), false, CopySent},
		{"failed", active, cwc(DeliveryFailed), false, CopyFailed},
		{"sender sent it", active, Delivery{Channel: ChannelPhone, Status: DeliveryConfirmedByUser}, false, CopyYouSent},
		{"assisted", active, Delivery{Channel: ChannelAssisted, Status: DeliveryQueued}, false, CopyYours},
		{"held for moderation", held, cwc(DeliveryQueued), false, CopyAwaitingCheck},
		{"held for moderation, assisted", held, Delivery{Channel: ChannelAssisted, Status: DeliveryQueued}, false, CopyYours},
		{"awaiting confirmation", held, cwc(DeliveryQueued), true, CopyAwaitingConfirmation},
		{"awaiting confirmation, assisted", held, Delivery{Channel: ChannelAssisted, Status: DeliveryQueued}, true, CopyAwaitingConfirmation},
		{"rejected", rejected, cwc(DeliveryQueued), false, CopyRejected},
		{"rejected and closed", rejected, cwc(DeliveryFailed), false, CopyRejected},
	}
	for _, tc := range tests {
		if got := StateOf(tc.l, tc.d, tc.waiting); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
