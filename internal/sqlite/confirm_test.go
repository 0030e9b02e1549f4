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
	if _, err := s.ConfirmLetter(ctx, id, "wrong-token"); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("wrong token: %v", err)
	}
	l, err := s.ConfirmLetter(ctx, id, "secret-token")
	if err != nil || l.Status != advocacy.LetterActive {
		t.Fatalf("confirm: %v %s", err, l.Status)
	}
	if n, _ := s.CountLetters(ctx, cid); n != 1 {
		t.Errorf("a confirmed letter does not count: %d", n)
	}
	if _, err := s.ConfirmLetter(ctx, id, "secret-token"); err != nil {
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
	if _, err := s.ConfirmLetter(ctx, late.Letter.PublicID, "late-token"); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
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
