package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func TestEraseLetterKeepsAggregates(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	now := letterT0
	s := NewLetters(d, func() time.Time { return now }, rand.Reader)
	c, err := s.CreateLetter(ctx, sampleLetter(cid, "ada@example.com", "tok1"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.CountLetters(ctx, cid)
	if err := s.EraseLetter(ctx, c.Letter.PublicID); err != nil {
		t.Fatal(err)
	}
	var first, email, personal, state string
	var district int
	var erased *string
	d.R.QueryRow("SELECT first_name, email, personal_message, state, district, erased_at FROM letters WHERE public_id = ?", c.Letter.PublicID).
		Scan(&first, &email, &personal, &state, &district, &erased)
	if first != "" || email != "" || personal != "" || erased == nil {
		t.Errorf("personal data left: %q %q %q erased=%v", first, email, personal, erased)
	}
	if state != "NY" || district != 12 {
		t.Errorf("district lost: %s-%d", state, district)
	}
	var texts, queued int
	d.R.QueryRow("SELECT count(*) FROM deliveries WHERE template_text <> ''").Scan(&texts)
	d.R.QueryRow("SELECT count(*) FROM deliveries WHERE status = 'queued'").Scan(&queued)
	if texts != 0 || queued != 0 {
		t.Errorf("%d deliveries keep their text, %d still queued for sending", texts, queued)
	}
	if after, _ := s.CountLetters(ctx, cid); after != before {
		t.Errorf("count changed from %d to %d", before, after)
	}
	if err := s.EraseLetter(ctx, c.Letter.PublicID); err != nil {
		t.Errorf("erasing twice: %v", err)
	}
	if err := s.EraseLetter(ctx, "nosuchletter"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("unknown letter: %v", err)
	}
}

func TestEraseExpired(t *testing.T) {
	ctx := context.Background()
	d := openLetterDB(t, "")
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	now := letterT0
	s := NewLetters(d, func() time.Time { return now }, rand.Reader)
	old, err := s.CreateLetter(ctx, sampleLetter(cid, "old@example.com", "old", "S000148"))
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.CreateLetter(ctx, sampleLetter(cid, "pending@example.com", "pending", "N000002"))
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(100 * 24 * time.Hour)
	recent, err := s.CreateLetter(ctx, sampleLetter(cid, "recent@example.com", "recent", "S000148"))
	if err != nil {
		t.Fatal(err)
	}
	now = letterT0.Add(181 * 24 * time.Hour)
	n, err := s.EraseExpired(ctx, 180*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("erased %d letters, want 1 (the old assisted one)", n)
	}
	erased := func(id string) bool {
		var e *string
		d.R.QueryRow("SELECT erased_at FROM letters WHERE public_id = ?", id).Scan(&e)
		return e != nil
	}
	if !erased(old.Letter.PublicID) {
		t.Error("a letter past the window was kept")
	}
	if erased(pending.Letter.PublicID) {
		t.Error("a letter still in the CWC outbox was erased")
	}
	if erased(recent.Letter.PublicID) {
		t.Error("a letter inside the window was erased")
	}
	if n, _ := s.EraseExpired(ctx, 180*24*time.Hour); n != 0 {
		t.Errorf("second run erased %d more", n)
	}
}

// TestErasureLeavesNoCopy: after a sender deletes their letter, none of
// their details is anywhere in the database's files: not in the letter, not
// in its deliveries' rendered subject and text, not in a pending
// confirmation, not in freed pages or the write-ahead log.
func TestErasureLeavesNoCopy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "letters.db")
	d := openLetterDB(t, path)
	cid := insertLetterCampaign(t, d, "jackson-vanik", "")
	s := NewLetters(d, func() time.Time { return letterT0 }, rand.Reader)
	markers := []string{"Zyxwvutsname", "Qwertyville", "qazwsx@example.org", "Plughstreet", "Frobnicated words"}
	nl := sampleLetter(cid, markers[2], "tok-erase")
	nl.Input.FirstName, nl.Input.City, nl.Input.Address1, nl.Input.PersonalMessage = markers[0], markers[1], "1 "+markers[3], markers[4]
	for i := range nl.Recipients {
		nl.Recipients[i].Subject = "From " + markers[0] + " of " + markers[1]
		nl.Recipients[i].TemplateText = "Dear member, I, " + markers[0] + ", live in " + markers[1] + "."
	}
	nl.ConfirmToken, nl.ConfirmBy, nl.ConfirmForReceipt = "erase-token", letterT0.Add(time.Hour), true
	c, err := s.CreateLetter(ctx, nl)
	if err != nil {
		t.Fatal(err)
	}
	// Other letters keep the file busy around it.
	for i := range 20 {
		if _, err := s.CreateLetter(ctx, sampleLetter(cid, fmt.Sprintf("other%d@example.org", i), fmt.Sprintf("tok-o%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EraseLetter(ctx, c.Letter.PublicID); err != nil {
		t.Fatal(err)
	}
	var pending int
	d.R.QueryRow("SELECT count(*) FROM letter_confirmations WHERE letter_id = ?", c.Letter.ID).Scan(&pending)
	if pending != 0 {
		t.Error("the erased letter's confirmation is still pending")
	}
	if _, _, err := s.ConfirmLetter(ctx, c.Letter.PublicID, "erase-token"); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("confirming an erased letter: %v", err)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%q is still in %s", m, filepath.Base(path+suffix))
			}
		}
	}
	if n, err := s.CountLetters(ctx, cid); err != nil || n != 21 {
		t.Errorf("count after erasure = %d (%v), want 21", n, err)
	}
}
