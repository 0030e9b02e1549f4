package letters

import (
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func testReceipt() advocacy.Receipt {
	created := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	return advocacy.Receipt{
		CampaignTitle: "Repeal Jackson-Vanik for Central Asia",
		StatusURL:     "https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA",
		Members: map[string]string{
			"N000002": "Representative Jerrold Nadler",
			"S000148": "Senator Charles E. Schumer",
		},
		Letter: advocacy.Letter{
			PublicID: "AAAAAAAAAAAAAAAAAAAAAA", Prefix: "Dr.", FirstName: "Zoë", LastName: "Łukasiewicz",
			Address1: "1 Riverside Dr", City: "New York", State: "NY", Zip: "10025", Email: "zoe@example.com",
			PersonalMessage: "My company ships machine parts to Almaty.\nA permanent status would let us plan.",
			CreatedAt:       created,
			Deliveries: []advocacy.Delivery{
				{BioguideID: "N000002", OfficeCode: "HNY12", Channel: advocacy.ChannelCWC, Status: advocacy.DeliveryQueued,
					Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative Jerrold Nadler,\n\nPlease cosponsor H.R. 5917."},
				{BioguideID: "S000148", OfficeCode: "SNY01", Channel: advocacy.ChannelAssisted, Status: advocacy.DeliveryQueued,
					Subject: "Please cosponsor S. 3103", TemplateText: "Dear Senator Charles E. Schumer,\n\nPlease cosponsor S. 3103."},
				{BioguideID: "G000555", OfficeCode: "SNY02", Channel: advocacy.ChannelPhone, Status: advocacy.DeliveryConfirmedByUser,
					Subject: "Thank you", TemplateText: "Thank you."},
			},
		},
	}
}

func TestReceiptText(t *testing.T) {
	text := ReceiptText(testReceipt())
	for _, want := range []string{
		"Dear Dr. Łukasiewicz,",
		`about "Repeal Jackson-Vanik for Central Asia"`,
		"Follow your letter here: https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA",
		"To delete your details from Whipcount at any time: https://whipcount.example.org/letters/AAAAAAAAAAAAAAAAAAAAAA/delete",
		"To: Representative Jerrold Nadler\nStatus: queued: we are sending it electronically",
		"Subject: Please cosponsor H.R. 5917\n\nDear Representative Jerrold Nadler,",
		"To: Senator Charles E. Schumer\nStatus: not sent yet.",
		"To: the office SNY02\nStatus: you sent it yourself by phone.",
		"In your own words, sent with each letter:\n\nMy company ships machine parts to Almaty.\nA permanent status",
		"From: Dr. Zoë Łukasiewicz\n1 Riverside Dr\nNew York, NY 10025",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	// Each copy as it really stands: a letter held for moderation is not
	// queued, and a held copy says why it waits.
	r := testReceipt()
	r.Letter.Status = advocacy.LetterHeld
	if text := ReceiptText(r); !strings.Contains(text, "To: Representative Jerrold Nadler\nStatus: not sent yet: it goes out electronically once the campaign has checked it.") {
		t.Errorf("receipt of a letter held for moderation:\n%s", text)
	}
	r = testReceipt()
	r.Letter.Deliveries[0].Status = advocacy.DeliveryHeld
	if text := ReceiptText(r); !strings.Contains(text, "Status: held, not sent yet: electronic delivery to the House is paused") {
		t.Errorf("receipt with a held copy:\n%s", text)
	}
	r = testReceipt()
	r.Letter.PersonalMessage = ""
	r.CampaignTitle = ""
	if text := ReceiptText(r); strings.Contains(text, "own words") || !strings.Contains(text, "Thank you for writing to your members of Congress.") {
		t.Errorf("receipt without personal message or title:\n%s", text)
	}
	if ReceiptSubject(testReceipt()) != "Your letter to Congress: Repeal Jackson-Vanik for Central Asia" {
		t.Error(ReceiptSubject(testReceipt()))
	}
}
