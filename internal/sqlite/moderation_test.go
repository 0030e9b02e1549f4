package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

func TestModerationApproveAndReject(t *testing.T) {
	f := newOrgFixture(t)
	ctx := context.Background()
	org := f.addUser(t, "org@example.org", advocacy.RoleOrganizer, "")
	held1 := f.addLetter(t, fixtureLetter{at: orgT0.Add(-2 * time.Hour), state: "NY", district: 12, email: "h1@example.org",
		status: advocacy.LetterHeld, to: []recipient{toNY12, toNYSen}})
	held2 := f.addLetter(t, fixtureLetter{at: orgT0.Add(-time.Hour), state: "NY", district: 12, email: "h2@example.org",
		status: advocacy.LetterHeld, to: []recipient{toNY12}})
	f.addLetter(t, fixtureLetter{at: orgT0.Add(-time.Hour), state: "WV", district: 1, email: "ok@example.org", to: []recipient{toWV1}})

	queue, total, err := f.moderation.Held(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(queue) != 2 || queue[0].Letter.ID != held1.ID || len(queue[0].Letter.Deliveries) != 2 || queue[0].CampaignSlug != SeedSlug {
		t.Fatalf("queue %d %+v", total, queue)
	}
	if page, _, _ := f.moderation.Held(ctx, held1.ID, 10); len(page) != 1 || page[0].Letter.ID != held2.ID {
		t.Errorf("second page %+v", page)
	}

	// Held CWC deliveries are not claimed; once approved they are, at once.
	if items, err := f.letters.ClaimDue(ctx, advocacy.House, orgT0, 10, time.Minute); err != nil || len(items) != 1 || items[0].Letter.State != "WV" {
		t.Fatalf("claimed before approval: %+v %v", items, err)
	}
	f.clock.Set(orgT0.Add(time.Minute))
	if err := f.moderation.Approve(ctx, held1.ID, org.ID); err != nil {
		t.Fatal(err)
	}
	items, err := f.letters.ClaimDue(ctx, advocacy.House, orgT0.Add(time.Minute), 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Letter.ID != held1.ID {
		t.Errorf("claimed after approval: %+v %v", items, err)
	}
	if err := f.moderation.Approve(ctx, held1.ID, org.ID); advocacy.ErrorCode(err) != advocacy.CodeConflict {
		t.Errorf("approving twice: %v", err)
	}

	if err := f.moderation.Reject(ctx, held2.ID, "  ", org.ID); advocacy.ErrorCode(err) != advocacy.CodeInvalid {
		t.Errorf("reject without a reason: %v", err)
	}
	if err := f.moderation.Reject(ctx, held2.ID, "Same text sent 400 times from one address.", org.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.moderation.Reject(ctx, 9999, "x", org.ID); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
		t.Errorf("reject a missing letter: %v", err)
	}
	d, err := f.moderation.DecisionOn(ctx, held2.ID)
	if err != nil || d.Decision != "rejected" || !strings.HasPrefix(d.Reason, "Same text") || d.UserEmail != "org@example.org" {
		t.Errorf("decision %+v %v", d, err)
	}
	l, err := f.letters.LetterByPublicID(ctx, held2.PublicID)
	if err != nil || l.Status != advocacy.LetterRejected {
		t.Errorf("rejected letter %+v %v", l.Status, err)
	}
	if _, total, _ := f.moderation.Held(ctx, 0, 10); total != 0 {
		t.Errorf("%d still held", total)
	}
	n, err := f.letters.CountLetters(ctx, f.campaignID)
	if err != nil || n != 2 {
		t.Errorf("public count %d %v: the approved letter counts, the rejected one does not", n, err)
	}

	entries, _ := f.audit.AuditLog(ctx, 0, 10)
	if len(entries) < 2 || entries[0].Action != "letter.reject" || entries[1].Action != "letter.approve" ||
		!strings.Contains(entries[0].After, "Same text") || strings.Contains(entries[0].After, "h2@example.org") {
		t.Errorf("audit %+v", entries[:2])
	}
}
