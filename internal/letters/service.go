// Package letters is the letter submission workflow, apart from HTTP: it
// screens a built letter against the abuse controls, issues the token that
// proves the sender's email when one is needed, stores the letter, mails
// the confirmation link and wakes the outbox; when the sender confirms
// their address it releases the letter and mails the receipt. The site's
// form, the action widget and the JSON API all submit through one Service;
// they only turn requests into Submissions and Results or errors into
// answers. The words of both mails are here too.
package letters

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// MinFillTime is the least time a person takes to read the form and write
// a letter; letters sent faster wait for an organizer.
const MinFillTime = 5 * time.Second

// MaxFormAge is how long a form's start time stays good: an older one is
// replaced when the form is shown again, and a letter sent with one waits
// for an organizer, so a bot cannot keep one old stamp to skip the
// minimum fill time.
const MaxFormAge = 2 * time.Hour

// ConfirmationTTL is how long a sender has to confirm their email before
// the letter is deleted (or, when only the receipt waited, the receipt is
// dropped).
const ConfirmationTTL = 24 * time.Hour

// Store keeps letters (implemented by sqlite.Letters).
type Store interface {
	// CreateLetter stores a letter and its deliveries in one transaction,
	// idempotent on the input's form token, skipping recipients the same
	// email wrote to in the last 30 days.
	CreateLetter(ctx context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error)
	// ConfirmLetter records that a letter's sender confirmed their email,
	// releasing the letter when it waited for that; first is true for the
	// call that confirmed.
	ConfirmLetter(ctx context.Context, publicID, token string) (l advocacy.Letter, first bool, err error)
}

// Mailer sends a plain-text email (the confirmation link, the receipt).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Screen is the allowances a letter draws on before it is stored. The
// limits themselves (their buckets and keys) belong to the caller.
type Screen interface {
	// Sender takes one letter from the allowance of the sender with this
	// email; a spent allowance is a rate-limit error saying how long to
	// wait.
	Sender(email string) error
	// Refund gives back the letter Sender took, for one that turned out
	// not to count.
	Refund(email string)
	// Address takes one letter from the allowance of the client's network
	// address (a keyed hash); past it, hold says why the letter waits for
	// moderation. Many people share an address, so it never refuses.
	Address(key string) (hold string)
	// Global counts one letter against the cap across all senders; past
	// it, hold says why the letter waits.
	Global() (hold string)
}

// FormTiming is how long a letter's web form took, as its signed start
// time tells: Valid is false for a missing, forged, future or expired
// start time (Age is then how old it was, when known).
type FormTiming struct {
	Age   time.Duration
	Valid bool
}

// Deps are the service's collaborators and settings.
type Deps struct {
	Store  Store
	Screen Screen
	// Mailer mails confirmation links and receipts; nil when the site sends
	// no mail, and then no address is asked to prove itself.
	Mailer Mailer
	// Wake tells the outbox worker that CWC deliveries are waiting; nil when
	// no worker runs.
	Wake func()
	// BaseURL is the site's public address ("https://whipcount.example"),
	// which links in mail start with. Without it the confirmation link is a
	// bare path and the receipt carries no link: a request's Host header is
	// not to be trusted in mail.
	BaseURL string
	// MemberName names a member in the receipt ("Senator Kirsten E.
	// Gillibrand"), or "" for one it does not know; nil names none.
	MemberName func(bioguideID string) string
	// CampaignTitle is the title of the campaign with this ID for the
	// receipt, or "" when it is not known; nil gives none.
	CampaignTitle func(ctx context.Context, campaignID int64) string
	// RequireConfirmation holds each new letter until its sender follows
	// the mailed link.
	RequireConfirmation bool
	// MailTimeout bounds one mail's sending. Default 1 minute.
	MailTimeout time.Duration
	Clock       func() time.Time
	// Rand is the source of confirmation tokens; nil means crypto/rand.
	Rand   io.Reader
	Logger *slog.Logger
}

// Service submits letters. Its zero value is not usable: build it with New.
type Service struct {
	d  Deps
	bg sync.WaitGroup
}

// New builds the service, filling in the defaults.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Rand == nil {
		d.Rand = rand.Reader
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MemberName == nil {
		d.MemberName = func(string) string { return "" }
	}
	if d.CampaignTitle == nil {
		d.CampaignTitle = func(context.Context, int64) string { return "" }
	}
	if d.MailTimeout <= 0 {
		d.MailTimeout = time.Minute
	}
	return &Service{d: d}
}

// Submission is one letter to store: built from a validated request, with
// what the screening needs to know of where it came from.
type Submission struct {
	Letter advocacy.NewLetter
	// CampaignTitle names the campaign in the confirmation mail.
	CampaignTitle string
	// AddressKey is the keyed hash of the client's network address.
	AddressKey string
	// Form is how long the web form took; nil for API clients, which are
	// programs and only rate-limited.
	Form *FormTiming
}

// Result is what storing a letter led to.
type Result struct {
	Created advocacy.CreatedLetter
	// Duplicates is set when every recipient was a duplicate and nothing
	// was stored.
	Duplicates bool
}

// Submit screens and stores a letter and starts what follows: the
// confirmation mail goes out in the background and the outbox worker is
// woken for CWC deliveries. The letter is durable before Submit returns.
// Errors are advocacy.Errors (a spent allowance, a reused form token) or
// the store's.
func (s *Service) Submit(ctx context.Context, sub Submission) (Result, error) {
	nl := sub.Letter
	hold, err := s.screen(sub)
	if err != nil {
		return Result{}, err
	}
	if hold != "" {
		nl.Status, nl.HoldReason = advocacy.LetterHeld, hold
	}
	// Mail goes only to addresses that proved themselves: with confirmation
	// required every letter waits for it; otherwise a sender who asked for
	// a receipt confirms their address first, and only the receipt waits.
	proof := s.d.Mailer != nil && (s.d.RequireConfirmation || nl.Input.Receipt)
	if proof {
		tok, err := advocacy.NewLetterToken(s.d.Rand)
		if err != nil {
			return Result{}, err
		}
		nl.ConfirmToken, nl.ConfirmBy = tok, s.d.Clock().Add(ConfirmationTTL)
		if s.d.RequireConfirmation {
			nl.Status = advocacy.LetterHeld
		} else {
			nl.ConfirmForReceipt = true
		}
	}
	created, err := s.d.Store.CreateLetter(ctx, nl)
	if err != nil || created.Existing {
		// A replay, or a letter the database did not take, does not use
		// up the sender's allowance.
		s.d.Screen.Refund(nl.Input.Email)
	}
	if advocacy.ErrorCode(err) == advocacy.CodeConflict && len(created.AlreadyWrote) > 0 {
		return Result{Created: created, Duplicates: true}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if created.Existing {
		// A token is a capability only together with the email it was
		// first used with: another sender never gets someone's letter.
		if advocacy.NormalizeEmail(created.Letter.Email) != advocacy.NormalizeEmail(nl.Input.Email) {
			return Result{}, &advocacy.Error{Code: advocacy.CodeConflict,
				Message: "This form was already used to send a different letter. Reload the page and start again."}
		}
		return Result{Created: created}, nil
	}
	if proof {
		s.sendConfirmation(created.Letter, nl.ConfirmToken, sub.CampaignTitle, nl.ConfirmForReceipt)
	}
	if created.Letter.Status == advocacy.LetterActive {
		s.Wake(created.Letter)
	}
	return Result{Created: created}, nil
}

// screen applies the abuse controls to a letter before it is stored. It
// refuses a sender over the per-email limit, and says whether the letter
// must wait for moderation, and why: more letters from one address than
// the per-address limit (an office, a campus or an event shares one
// address, so they are held, not refused), sent faster than a person
// writes, without the form's start time, or past the global cap.
func (s *Service) screen(sub Submission) (hold string, err error) {
	if err := s.d.Screen.Sender(sub.Letter.Input.Email); err != nil {
		return "", err
	}
	var reasons []string
	if r := s.d.Screen.Address(sub.AddressKey); r != "" {
		reasons = append(reasons, r)
	}
	if f := sub.Form; f != nil {
		switch {
		case !f.Valid && f.Age > MaxFormAge:
			reasons = append(reasons, fmt.Sprintf("the form's start time was %.0f hours old", f.Age.Hours()))
		case !f.Valid:
			reasons = append(reasons, "the form's start time was missing or altered")
		case f.Age < MinFillTime:
			reasons = append(reasons, fmt.Sprintf("sent %.0f seconds after the form appeared", f.Age.Seconds()))
		}
	}
	if r := s.d.Screen.Global(); r != "" {
		reasons = append(reasons, r)
	}
	return strings.Join(reasons, "; "), nil
}

// Wake tells the outbox worker when a letter has copies for CWC.
func (s *Service) Wake(l advocacy.Letter) {
	if s.d.Wake == nil {
		return
	}
	for _, d := range l.Deliveries {
		if d.Channel == advocacy.ChannelCWC {
			s.d.Wake()
			return
		}
	}
}

// Confirm records that the sender of the letter publicID followed the link
// mailed to them with token: a letter that waited for it is released (and
// the outbox woken for its CWC copies), and the receipt the sender asked
// for goes out in the background. Confirming again changes nothing and
// sends nothing. A wrong token is an advocacy.Error.
func (s *Service) Confirm(ctx context.Context, publicID, token string) (advocacy.Letter, error) {
	l, first, err := s.d.Store.ConfirmLetter(ctx, publicID, token)
	if err != nil || !first {
		return l, err
	}
	if l.Status == advocacy.LetterActive {
		s.Wake(l)
	}
	if l.Receipt && s.d.Mailer != nil {
		// The copy the sender asked for waited for the confirmation.
		s.sendReceipt(ctx, l)
	}
	return l, nil
}

// sendReceipt mails the copy of l in the background: the person never
// waits for the mail server. Call it only for a confirmed address.
func (s *Service) sendReceipt(ctx context.Context, l advocacy.Letter) {
	r := advocacy.Receipt{Letter: l, CampaignTitle: s.d.CampaignTitle(ctx, l.CampaignID), Members: map[string]string{}}
	if s.d.BaseURL != "" {
		r.StatusURL = s.link("/letters/" + l.PublicID)
	}
	for _, d := range l.Deliveries {
		if name := s.d.MemberName(d.BioguideID); name != "" {
			r.Members[d.BioguideID] = name
		}
	}
	subject, body := ReceiptSubject(r), ReceiptText(r)
	s.Mail("receipt", l.ID, func(ctx context.Context) error {
		return s.d.Mailer.Send(ctx, l.Email, subject, body)
	})
}

// link is a site path as a link in mail.
func (s *Service) link(path string) string {
	if s.d.BaseURL == "" {
		return path
	}
	return strings.TrimRight(s.d.BaseURL, "/") + path
}

// ConfirmationText is the confirmation email. It carries nothing the
// sender typed (the address is not yet proved to be theirs, so the mail
// must be useless to anyone who would send text to a stranger's inbox):
// only the campaign's title, set by its organizers, and the link.
func ConfirmationText(link, campaignTitle string, receiptOnly bool) string {
	body := "Someone, we hope you, wrote to their members of Congress on Whipcount"
	if campaignTitle != "" {
		body += " about \"" + campaignTitle + "\""
	}
	body += " and gave this email address.\n\n"
	if receiptOnly {
		body += "To get the copy of the letter you asked for, confirm that this is your address:\n\n" + link +
			"\n\nIf you do not confirm within a day, no copy is sent.\n"
	} else {
		body += "To send the letter, confirm that this is your address:\n\n" + link +
			"\n\nIf you do not confirm within a day, the letter and the details in it are deleted.\n"
	}
	return body + "If you did not write this letter, ignore this message: we will not write to you again about it.\n"
}

// sendConfirmation mails the link that proves the sender's address, in the
// background.
func (s *Service) sendConfirmation(l advocacy.Letter, token, campaignTitle string, receiptOnly bool) {
	link := s.link("/letters/" + l.PublicID + "/confirm?t=" + token)
	subject := "Please confirm your letter to Congress"
	if receiptOnly {
		subject = "Please confirm your email to get your copy"
	}
	body := ConfirmationText(link, campaignTitle, receiptOnly)
	s.Mail("confirmation", l.ID, func(ctx context.Context) error {
		return s.d.Mailer.Send(ctx, l.Email, subject, body)
	})
}

// Mail sends one email of a kind ("receipt") about a letter without
// holding up the answer, bounded by the mail time-out. Failures are logged
// by kind and letter, never with the address or the mail server's words.
func (s *Service) Mail(kind string, letterID int64, send func(ctx context.Context) error) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), s.d.MailTimeout)
		defer cancel()
		if err := send(ctx); err != nil {
			s.d.Logger.Warn(kind+" not sent", "letter_id", letterID, "reason", mailFailure(err))
		}
	}()
}

// Wait waits until the mail being sent in the background is done, or ctx
// ends.
func (s *Service) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for background work: %w", ctx.Err())
	}
}

// mailFailure is the class of a mail error that the mailer gives (see
// advocacy.MailFailure), or "timeout" or "smtp".
func mailFailure(err error) string {
	var classified advocacy.MailFailure
	switch {
	case errors.As(err, &classified):
		return classified.MailStage()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "smtp"
}
