package letters

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// fakeStore keeps what it was given and answers as told.
type fakeStore struct {
	got    []advocacy.NewLetter
	answer func(nl advocacy.NewLetter) (advocacy.CreatedLetter, error)
	// confirm answers ConfirmLetter.
	confirm func(publicID, token string) (advocacy.Letter, bool, error)
}

func (f *fakeStore) ConfirmLetter(_ context.Context, publicID, token string) (advocacy.Letter, bool, error) {
	return f.confirm(publicID, token)
}

func (f *fakeStore) CreateLetter(_ context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
	f.got = append(f.got, nl)
	if f.answer != nil {
		return f.answer(nl)
	}
	ds := make([]advocacy.Delivery, 0, len(nl.Recipients))
	for _, r := range nl.Recipients {
		ds = append(ds, advocacy.Delivery{BioguideID: r.BioguideID, Channel: r.Channel})
	}
	status := nl.Status
	if status == "" {
		status = advocacy.LetterActive
	}
	return advocacy.CreatedLetter{Letter: advocacy.Letter{ID: 7, PublicID: "pub7", Email: nl.Input.Email,
		Status: status, Deliveries: ds}}, nil
}

// fakeScreen records the allowances taken and given back.
type fakeScreen struct {
	senderErr              error
	addressHold, globalHld string
	calls                  []string
}

func (f *fakeScreen) Sender(email string) error {
	f.calls = append(f.calls, "sender "+email)
	return f.senderErr
}
func (f *fakeScreen) Refund(email string) { f.calls = append(f.calls, "refund "+email) }
func (f *fakeScreen) Address(key string) string {
	f.calls = append(f.calls, "address "+key)
	return f.addressHold
}
func (f *fakeScreen) Global() string {
	f.calls = append(f.calls, "global")
	return f.globalHld
}

// fakeMailer keeps the mail it was asked to send.
type fakeMailer struct {
	mu   sync.Mutex
	sent []string
	err  error
}

func (f *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, to+"|"+subject+"|"+body)
	return f.err
}

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func letterTo(email string, receipt bool, ch advocacy.Channel) advocacy.NewLetter {
	return advocacy.NewLetter{CampaignID: 1, Input: advocacy.LetterInput{Email: email, Receipt: receipt},
		Recipients: []advocacy.NewDelivery{{BioguideID: "A000001", Channel: ch}}}
}

type rig struct {
	store  *fakeStore
	screen *fakeScreen
	mail   *fakeMailer
	woken  int
	svc    *Service
}

func newRig(t *testing.T, mail bool, confirm bool) *rig {
	t.Helper()
	r := &rig{store: &fakeStore{}, screen: &fakeScreen{}}
	d := Deps{Store: r.store, Screen: r.screen, Wake: func() { r.woken++ },
		BaseURL: "https://whipcount.example",
		Clock:   func() time.Time { return now }, Rand: bytes.NewReader(bytes.Repeat([]byte{1}, 64)),
		RequireConfirmation: confirm}
	if mail {
		r.mail = &fakeMailer{}
		d.Mailer = r.mail
	}
	r.svc = New(d)
	return r
}

func (r *rig) submit(t *testing.T, sub Submission) (Result, error) {
	t.Helper()
	res, err := r.svc.Submit(context.Background(), sub)
	if werr := r.svc.Wait(context.Background()); werr != nil {
		t.Fatal(werr)
	}
	return res, err
}

func TestSubmitStoresAndWakesTheOutboxForCWCCopies(t *testing.T) {
	r := newRig(t, false, false)
	res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC), AddressKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicates || res.Created.Letter.PublicID != "pub7" {
		t.Fatalf("result %+v", res)
	}
	if len(r.store.got) != 1 || r.store.got[0].Status != "" || r.store.got[0].ConfirmToken != "" {
		t.Fatalf("stored %+v", r.store.got)
	}
	if r.woken != 1 {
		t.Fatalf("outbox woken %d times, want 1", r.woken)
	}
	want := []string{"sender a@example.org", "address k1", "global"}
	if strings.Join(r.screen.calls, ",") != strings.Join(want, ",") {
		t.Fatalf("screen calls %v, want %v", r.screen.calls, want)
	}

	// Copies the sender sends themselves wake nothing.
	r = newRig(t, false, false)
	if _, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelAssisted)}); err != nil {
		t.Fatal(err)
	}
	if r.woken != 0 {
		t.Fatalf("outbox woken for an assisted copy")
	}
}

func TestSubmitRefusesASenderOverTheLimitBeforeAnythingElse(t *testing.T) {
	r := newRig(t, true, false)
	r.screen.senderErr = &advocacy.Error{Code: advocacy.CodeRateLimit, Message: "wait"}
	_, err := r.submit(t, Submission{Letter: letterTo("a@example.org", true, advocacy.ChannelCWC), AddressKey: "k1"})
	if advocacy.ErrorCode(err) != advocacy.CodeRateLimit {
		t.Fatalf("err %v, want a rate limit", err)
	}
	if len(r.store.got) != 0 || len(r.mail.sent) != 0 || r.woken != 0 {
		t.Fatal("a refused letter was stored, mailed or woke the outbox")
	}
	// The address's and the global allowances are not drawn on.
	if len(r.screen.calls) != 1 {
		t.Fatalf("screen calls %v", r.screen.calls)
	}
}

func TestSubmitHoldsWithEveryReason(t *testing.T) {
	cases := []struct {
		name    string
		form    *FormTiming
		address string
		global  string
		want    string
	}{
		{"a person who took a minute", &FormTiming{Age: time.Minute, Valid: true}, "", "", ""},
		{"an API client", nil, "", "", ""},
		{"too fast", &FormTiming{Age: 2 * time.Second, Valid: true}, "", "", "sent 2 seconds after the form appeared"},
		{"no start time", &FormTiming{}, "", "", "the form's start time was missing or altered"},
		{"an old start time", &FormTiming{Age: 3 * time.Hour}, "", "", "the form's start time was 3 hours old"},
		{"a busy address and a full minute", nil, "busy address", "full minute", "busy address; full minute"},
		{"all at once", &FormTiming{Age: time.Second, Valid: true}, "busy address", "full minute",
			"busy address; sent 1 seconds after the form appeared; full minute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, false, false)
			r.screen.addressHold, r.screen.globalHld = tc.address, tc.global
			res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC), Form: tc.form})
			if err != nil {
				t.Fatal(err)
			}
			got := r.store.got[0]
			if got.HoldReason != tc.want {
				t.Fatalf("hold reason %q, want %q", got.HoldReason, tc.want)
			}
			held := tc.want != ""
			if (got.Status == advocacy.LetterHeld) != held {
				t.Fatalf("status %q, held %v", got.Status, held)
			}
			if held && (r.woken != 0 || res.Created.Letter.Status != advocacy.LetterHeld) {
				t.Fatal("a held letter woke the outbox")
			}
		})
	}
}

func TestSubmitAsksForConfirmation(t *testing.T) {
	t.Run("required: the letter waits and the mail says so", func(t *testing.T) {
		r := newRig(t, true, true)
		if _, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC), CampaignTitle: "End Jackson-Vanik"}); err != nil {
			t.Fatal(err)
		}
		got := r.store.got[0]
		if got.Status != advocacy.LetterHeld || got.ConfirmToken == "" || got.ConfirmForReceipt || !got.ConfirmBy.Equal(now.Add(ConfirmationTTL)) {
			t.Fatalf("stored %+v", got)
		}
		if r.woken != 0 {
			t.Fatal("an unconfirmed letter woke the outbox")
		}
		if len(r.mail.sent) != 1 {
			t.Fatalf("mail %v", r.mail.sent)
		}
		m := r.mail.sent[0]
		link := "https://whipcount.example/letters/pub7/confirm?t=" + got.ConfirmToken
		if !strings.HasPrefix(m, "a@example.org|Please confirm your letter to Congress|") || !strings.Contains(m, link) ||
			!strings.Contains(m, `"End Jackson-Vanik"`) || !strings.Contains(m, "the letter and the details in it are deleted") {
			t.Fatalf("mail %q", m)
		}
	})
	t.Run("a receipt: only the receipt waits", func(t *testing.T) {
		r := newRig(t, true, false)
		if _, err := r.submit(t, Submission{Letter: letterTo("a@example.org", true, advocacy.ChannelCWC)}); err != nil {
			t.Fatal(err)
		}
		got := r.store.got[0]
		if got.Status != "" || got.ConfirmToken == "" || !got.ConfirmForReceipt {
			t.Fatalf("stored %+v", got)
		}
		if r.woken != 1 || len(r.mail.sent) != 1 || !strings.Contains(r.mail.sent[0], "|Please confirm your email to get your copy|") {
			t.Fatalf("woken %d, mail %v", r.woken, r.mail.sent)
		}
	})
	t.Run("no mail: nothing asked, nothing promised", func(t *testing.T) {
		r := newRig(t, false, true)
		if _, err := r.submit(t, Submission{Letter: letterTo("a@example.org", true, advocacy.ChannelCWC)}); err != nil {
			t.Fatal(err)
		}
		if got := r.store.got[0]; got.Status != "" || got.ConfirmToken != "" {
			t.Fatalf("stored %+v", got)
		}
	})
	t.Run("a mail that fails loses nothing", func(t *testing.T) {
		r := newRig(t, true, true)
		r.mail.err = errors.New("554 refused")
		res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC)})
		if err != nil || res.Created.Letter.PublicID == "" {
			t.Fatalf("res %+v, err %v", res, err)
		}
	})
}

func TestSubmitReplaysAndDuplicatesGiveTheAllowanceBack(t *testing.T) {
	t.Run("a replay by its own sender", func(t *testing.T) {
		r := newRig(t, true, true)
		r.store.answer = func(nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
			return advocacy.CreatedLetter{Existing: true, Letter: advocacy.Letter{PublicID: "old", Email: "A@Example.org"}}, nil
		}
		res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC)})
		if err != nil || !res.Created.Existing || res.Created.Letter.PublicID != "old" {
			t.Fatalf("res %+v, err %v", res, err)
		}
		if len(r.mail.sent) != 0 || r.woken != 0 {
			t.Fatal("a replay mailed again or woke the outbox")
		}
		if r.screen.calls[len(r.screen.calls)-1] != "refund a@example.org" {
			t.Fatalf("screen calls %v", r.screen.calls)
		}
	})
	t.Run("another sender's token", func(t *testing.T) {
		r := newRig(t, false, false)
		r.store.answer = func(nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
			return advocacy.CreatedLetter{Existing: true, Letter: advocacy.Letter{PublicID: "old", Email: "someone@example.org"}}, nil
		}
		res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC)})
		if advocacy.ErrorCode(err) != advocacy.CodeConflict || res.Created.Letter.PublicID != "" {
			t.Fatalf("res %+v, err %v: another sender's letter must not be answered", res, err)
		}
	})
	t.Run("every recipient already written to", func(t *testing.T) {
		r := newRig(t, false, false)
		r.store.answer = func(nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
			return advocacy.CreatedLetter{AlreadyWrote: []string{"A000001"}}, &advocacy.Error{Code: advocacy.CodeConflict}
		}
		res, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC)})
		if err != nil || !res.Duplicates || len(res.Created.AlreadyWrote) != 1 {
			t.Fatalf("res %+v, err %v", res, err)
		}
		if r.screen.calls[len(r.screen.calls)-1] != "refund a@example.org" {
			t.Fatalf("screen calls %v", r.screen.calls)
		}
	})
	t.Run("a database that does not take it", func(t *testing.T) {
		r := newRig(t, true, true)
		down := errors.New("database is locked")
		r.store.answer = func(nl advocacy.NewLetter) (advocacy.CreatedLetter, error) { return advocacy.CreatedLetter{}, down }
		_, err := r.submit(t, Submission{Letter: letterTo("a@example.org", false, advocacy.ChannelCWC)})
		if !errors.Is(err, down) {
			t.Fatalf("err %v, want the store's", err)
		}
		if len(r.mail.sent) != 0 || r.screen.calls[len(r.screen.calls)-1] != "refund a@example.org" {
			t.Fatalf("mail %v, screen calls %v", r.mail.sent, r.screen.calls)
		}
	})
}

func TestWaitWaitsForBackgroundMail(t *testing.T) {
	r := newRig(t, true, false)
	release := make(chan struct{})
	r.svc.Mail("receipt", 9, func(ctx context.Context) error {
		<-release
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.svc.Wait(ctx); err == nil {
		t.Fatal("Wait returned before the mail was sent")
	}
	close(release)
	if err := r.svc.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Confirming sends what waited for the sender's address: the letter to the
// outbox, when it goes out, and the receipt, when asked for; once only.
func TestConfirmReleasesTheLetterAndMailsTheReceiptOnce(t *testing.T) {
	letter := func(status advocacy.LetterStatus, receipt bool) advocacy.Letter {
		return advocacy.Letter{ID: 7, PublicID: "pub7", CampaignID: 3, Email: "a@example.org", LastName: "Doe",
			Status: status, Receipt: receipt,
			Deliveries: []advocacy.Delivery{{BioguideID: "A000001", OfficeCode: "HNY12", Channel: advocacy.ChannelCWC,
				Status: advocacy.DeliveryQueued, Subject: "Please cosponsor", TemplateText: "Please cosponsor H.R. 1."}}}
	}
	for _, tc := range []struct {
		name      string
		l         advocacy.Letter
		first     bool
		wake      int
		receipted bool
	}{
		{name: "a letter that waited, with a receipt", l: letter(advocacy.LetterActive, true), first: true, wake: 1, receipted: true},
		{name: "a letter that waited, without a receipt", l: letter(advocacy.LetterActive, false), first: true, wake: 1},
		{name: "a letter held for moderation", l: letter(advocacy.LetterHeld, true), first: true, receipted: true},
		{name: "confirmed before", l: letter(advocacy.LetterActive, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, true, true)
			r.store.confirm = func(publicID, token string) (advocacy.Letter, bool, error) {
				if publicID != "pub7" || token != "tok" {
					t.Fatalf("confirmed %q with %q", publicID, token)
				}
				return tc.l, tc.first, nil
			}
			r.svc.d.MemberName = func(id string) string { return map[string]string{"A000001": "Representative Ann Able"}[id] }
			r.svc.d.CampaignTitle = func(_ context.Context, id int64) string {
				return map[int64]string{3: "Repeal Jackson-Vanik"}[id]
			}
			l, err := r.svc.Confirm(context.Background(), "pub7", "tok")
			if werr := r.svc.Wait(context.Background()); werr != nil {
				t.Fatal(werr)
			}
			if err != nil || l.PublicID != "pub7" {
				t.Fatalf("confirm: %v, %+v", err, l)
			}
			if r.woken != tc.wake {
				t.Errorf("outbox woken %d times, want %d", r.woken, tc.wake)
			}
			if !tc.receipted {
				if len(r.mail.sent) != 0 {
					t.Fatalf("mailed %v", r.mail.sent)
				}
				return
			}
			if len(r.mail.sent) != 1 {
				t.Fatalf("mailed %d messages, want the receipt", len(r.mail.sent))
			}
			to, rest, _ := strings.Cut(r.mail.sent[0], "|")
			subject, body, _ := strings.Cut(rest, "|")
			if to != "a@example.org" || subject != "Your letter to Congress: Repeal Jackson-Vanik" {
				t.Errorf("receipt to %q, subject %q", to, subject)
			}
			for _, want := range []string{"To: Representative Ann Able\n",
				"Follow your letter here: https://whipcount.example/letters/pub7\n"} {
				if !strings.Contains(body, want) {
					t.Errorf("receipt lacks %q:\n%s", want, body)
				}
			}
		})
	}

	t.Run("a wrong token", func(t *testing.T) {
		r := newRig(t, true, true)
		wrong := advocacy.Invalid("t", "This link is not valid.")
		r.store.confirm = func(string, string) (advocacy.Letter, bool, error) { return advocacy.Letter{}, false, wrong }
		if _, err := r.svc.Confirm(context.Background(), "pub7", "nope"); err != wrong {
			t.Fatalf("error %v, want the store's", err)
		}
		if err := r.svc.Wait(context.Background()); err != nil || r.woken != 0 || len(r.mail.sent) != 0 {
			t.Fatalf("a refused confirmation woke %d, mailed %v", r.woken, r.mail.sent)
		}
	})

	t.Run("without a base URL the receipt has no link", func(t *testing.T) {
		r := newRig(t, true, true)
		r.svc.d.BaseURL = ""
		r.store.confirm = func(string, string) (advocacy.Letter, bool, error) {
			return letter(advocacy.LetterActive, true), true, nil
		}
		if _, err := r.svc.Confirm(context.Background(), "pub7", "tok"); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(r.mail.sent) != 1 || strings.Contains(r.mail.sent[0], "/letters/pub7") || !strings.Contains(r.mail.sent[0], "To: the office HNY12") {
			t.Fatalf("mailed %v", r.mail.sent)
		}
	})
}
