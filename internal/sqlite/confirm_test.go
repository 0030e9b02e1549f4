package sqlite

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func TestEmailConfirmation(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	now := letterT0
	s := NewLetters(d, func() time.Time { return now }, rand.Reader)
	mod := NewModeration(d, func() time.Time { return now })

	nl := sampleLetter(cid, "c@example.org", "tok-c")
	nl.Status, nl.ConfirmToken, nl.ConfirmBy = advocacy.LetterHeld, "secret-token", now.Add(24*time.Hour)
	c, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	id := c.Letter.PublicID
	if n, _ := s.CountLetters(ctx, cid); n != 0 {
		t.Errorf("an unconfirmed letter counts: %d", n)
	}
	if _, total, err := mod.Held(ctx, 0, 10); err != nil || total != 0 {
		t.Errorf("an unconfirmed letter is in the moderation queue (%d, %v)", total, err)
	}
	if waiting, _ := s.AwaitingConfirmation(ctx, id); !waiting {
		t.Error("not awaiting confirmation")
	}
	if _, _, err := s.ConfirmLetter(ctx, id, "wrong-token"); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("wrong token: %v", err)
	}
	l, _, err := s.ConfirmLetter(ctx, id, "secret-token")
	if err != nil || l.Status != advocacy.LetterActive {
		t.Fatalf("confirm: %v %s", err, l.Status)
	}
	if n, _ := s.CountLetters(ctx, cid); n != 1 {
		t.Errorf("a confirmed letter does not count: %d", n)
	}
	if _, _, err := s.ConfirmLetter(ctx, id, "secret-token"); err != nil {
		t.Errorf("confirming twice: %v", err)
	}

	// An unconfirmed letter expires and is deleted with its deliveries.
	nl = sampleLetter(cid, "late@example.org", "tok-late")
	nl.Status, nl.ConfirmToken, nl.ConfirmBy = advocacy.LetterHeld, "late-token", now.Add(24*time.Hour)
	late, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(25 * time.Hour)
	if _, _, err := s.ConfirmLetter(ctx, late.Letter.PublicID, "late-token"); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("expired link: %v", err)
	}
	if n, err := s.DeleteUnconfirmed(ctx); err != nil || n != 1 {
		t.Errorf("deleted %d unconfirmed letters (%v), want 1", n, err)
	}
	var rows int
	d.R.QueryRow("SELECT count(*) FROM deliveries d JOIN letters l ON l.id = d.letter_id WHERE l.public_id = ?", late.Letter.PublicID).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d deliveries of the expired letter remain", rows)
	}
	if _, err := s.LetterByPublicID(ctx, id); err != nil {
		t.Errorf("the confirmed letter was deleted: %v", err)
	}
}

// TestConfirmationForReceiptOnly: when only the receipt waits for the
// address to be proved, the letter is active at once, confirming reports
// the first time only, and an expired confirmation drops the receipt but
// keeps the letter.
func TestConfirmationForReceiptOnly(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	now := letterT0
	s := NewLetters(d, func() time.Time { return now }, rand.Reader)

	nl := sampleLetter(cid, "r@example.org", "tok-r")
	nl.ConfirmToken, nl.ConfirmBy, nl.ConfirmForReceipt = "receipt-token", now.Add(24*time.Hour), true
	c, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	if c.Letter.Status != advocacy.LetterActive {
		t.Fatalf("status %s: the letter waits for a receipt's confirmation", c.Letter.Status)
	}
	if waiting, _ := s.AwaitingConfirmation(ctx, c.Letter.PublicID); waiting {
		t.Error("the letter is said to wait for confirmation")
	}
	if _, first, err := s.ConfirmLetter(ctx, c.Letter.PublicID, "receipt-token"); err != nil || !first {
		t.Fatalf("confirm: first=%v %v", first, err)
	}
	if _, first, err := s.ConfirmLetter(ctx, c.Letter.PublicID, "receipt-token"); err != nil || first {
		t.Fatalf("confirm again: first=%v %v", first, err)
	}

	nl = sampleLetter(cid, "s@example.org", "tok-s")
	nl.ConfirmToken, nl.ConfirmBy, nl.ConfirmForReceipt = "slow-token", now.Add(24*time.Hour), true
	slow, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(25 * time.Hour)
	if n, err := s.DeleteUnconfirmed(ctx); err != nil || n != 0 {
		t.Fatalf("deleted %d letters (%v): a letter that did not wait is never deleted", n, err)
	}
	if _, _, err := s.ConfirmLetter(ctx, slow.Letter.PublicID, "slow-token"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("an expired receipt confirmation: %v", err)
	}
	if _, err := s.LetterByPublicID(ctx, slow.Letter.PublicID); err != nil {
		t.Errorf("the letter went with its receipt's confirmation: %v", err)
	}
}

// TestConfirmingKeepsModerationHold: a letter held by the abuse checks
// still waits for a moderator after its sender confirms.
func TestConfirmingKeepsModerationHold(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	nl := sampleLetter(cid, "b@example.org", "tok-b")
	nl.Status, nl.HoldReason = advocacy.LetterHeld, "sent 1 seconds after the form appeared"
	nl.ConfirmToken, nl.ConfirmBy = "bot-token", letterT0.Add(time.Hour)
	c, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	l, first, err := s.ConfirmLetter(ctx, c.Letter.PublicID, "bot-token")
	if err != nil || !first || l.Status != advocacy.LetterHeld {
		t.Fatalf("confirm a bot-held letter: %s first=%v %v", l.Status, first, err)
	}
}
