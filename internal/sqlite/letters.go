package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Letters stores letters and their deliveries, answers the public counts, and
// is the durable outbox the CWC worker claims deliveries from. It writes
// through the DB's single writer connection, so its transactions never race
// each other inside one process, and BEGIN IMMEDIATE serialises them against
// other processes on the same file.
type Letters struct {
	db   *DB
	now  func() time.Time
	rand io.Reader

	mu       sync.Mutex
	queue    []*createJob
	draining bool
	closed   bool
	// drainers counts the group-commit goroutine (zero or one), so that
	// Close can wait for the transaction it is writing.
	drainers sync.WaitGroup
	stmts    stmtCache
	// counts are the public counts' queries, prepared on the reader handle.
	counts stmtCache
}

// errLettersClosed answers a letter that arrives after Close.
var errLettersClosed = errors.New("create letter: the letter store is closed (the server is stopping)")

// Close stops taking new letters and waits, until ctx ends, for the group
// commit to write and answer the letters already queued. Call it after the
// HTTP server has stopped and before the database closes.
func (s *Letters) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.drainers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close letters: waiting for the group commit: %w", ctx.Err())
	}
}

// NewLetters returns a letter store over db. now is the clock (letters'
// created_at, the dedupe window, confirmations); rand is the source of public
// IDs and CWC DeliveryIds (crypto/rand.Reader in production).
func NewLetters(db *DB, now func() time.Time, rand io.Reader) *Letters {
	return &Letters{db: db, now: now, rand: rand}
}

// letterTimeLayout is fixed-width so that stored times compare as text.
const letterTimeLayout = "2006-01-02T15:04:05.000Z"

func letterTime(t time.Time) string { return t.UTC().Format(letterTimeLayout) }

func letterParseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(letterTimeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s.String, err)
	}
	return t, nil
}

// letterQuerier is what both *sql.DB and *sql.Tx offer for reading.
type letterQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const letterColumns = `l.id, l.public_id, l.campaign_id, l.state, l.district, l.settled_by, l.prefix,
	l.first_name, l.last_name, l.address1, l.address2, l.city, l.zip, l.email, l.phone, l.title,
	l.organization, l.personal_message, l.topic, l.consent_at, l.receipt, l.newsletter, l.ref,
	l.status, l.created_at, l.erased_at, l.hold_reason, l.campaign_updates`

// letterRow holds the scan destinations of letterColumns.
type letterRow struct {
	l                 advocacy.Letter
	ref               sql.NullString
	consent, created  sql.NullString
	erased            sql.NullString
	receipt, newsletr int
	updates           int
}

func (r *letterRow) dest() []any {
	l := &r.l
	return []any{&l.ID, &l.PublicID, &l.CampaignID, &l.State, &l.District, &l.SettledBy, &l.Prefix,
		&l.FirstName, &l.LastName, &l.Address1, &l.Address2, &l.City, &l.Zip, &l.Email, &l.Phone, &l.Title,
		&l.Organization, &l.PersonalMessage, &l.Topic, &r.consent, &r.receipt, &r.newsletr, &r.ref,
		&l.Status, &r.created, &r.erased, &l.HoldReason, &r.updates}
}

func (r *letterRow) finish() (advocacy.Letter, error) {
	l := r.l
	l.Ref = r.ref.String
	l.Receipt, l.Newsletter, l.CampaignUpdates = r.receipt == 1, r.newsletr == 1, r.updates == 1
	var err error
	if l.ConsentAt, err = letterParseTime(r.consent); err != nil {
		return l, err
	}
	if l.CreatedAt, err = letterParseTime(r.created); err != nil {
		return l, err
	}
	if l.ErasedAt, err = letterParseTime(r.erased); err != nil {
		return l, err
	}
	return l, nil
}

func scanLetter(sc interface{ Scan(...any) error }) (advocacy.Letter, error) {
	var r letterRow
	if err := sc.Scan(r.dest()...); err != nil {
		return advocacy.Letter{}, err
	}
	return r.finish()
}

const deliveryColumns = `d.id, d.letter_id, d.bioguide_id, d.office_code, d.chamber, d.channel, d.status,
	d.delivery_id, d.subject, d.template_text, d.bill_congress, d.bill_type, d.bill_number, d.attempts,
	d.next_attempt_at, d.last_error, d.created_at, d.updated_at, d.sent_at, d.confirmed_at, d.position, d.queued_at`

// deliveryRow holds the scan destinations of deliveryColumns.
type deliveryRow struct {
	d                      advocacy.Delivery
	congress, number       sql.NullInt64
	billType               sql.NullString
	next, created, updated sql.NullString
	sent, confirmed        sql.NullString
	queued                 sql.NullString
}

func (r *deliveryRow) dest() []any {
	d := &r.d
	return []any{&d.ID, &d.LetterID, &d.BioguideID, &d.OfficeCode, &d.Chamber, &d.Channel, &d.Status,
		&d.DeliveryID, &d.Subject, &d.TemplateText, &r.congress, &r.billType, &r.number, &d.Attempts,
		&r.next, &d.LastError, &r.created, &r.updated, &r.sent, &r.confirmed, &d.Position, &r.queued}
}

func (r *deliveryRow) finish() (advocacy.Delivery, error) {
	d := r.d
	d.Bill = advocacy.LetterBill{Congress: int(r.congress.Int64), Type: r.billType.String, Number: int(r.number.Int64)}
	for _, p := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&d.NextAttemptAt, r.next}, {&d.CreatedAt, r.created}, {&d.UpdatedAt, r.updated},
		{&d.SentAt, r.sent}, {&d.ConfirmedAt, r.confirmed}, {&d.QueuedAt, r.queued}} {
		t, err := letterParseTime(p.src)
		if err != nil {
			return d, err
		}
		*p.dst = t
	}
	return d, nil
}

func scanDelivery(sc interface{ Scan(...any) error }) (advocacy.Delivery, error) {
	var r deliveryRow
	if err := sc.Scan(r.dest()...); err != nil {
		return advocacy.Delivery{}, err
	}
	return r.finish()
}

func letterNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func letterBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkNewLetter(nl advocacy.NewLetter) error {
	if nl.CampaignID <= 0 {
		return errors.New("no campaign")
	}
	if n := len(nl.Recipients); n == 0 || n > advocacy.LetterMaxRecipients {
		return fmt.Errorf("%d recipients", n)
	}
	for _, r := range nl.Recipients {
		if r.BioguideID == "" {
			return errors.New("recipient without bioguide ID")
		}
		if r.OfficeCode == "" && r.Channel == advocacy.ChannelCWC {
			return fmt.Errorf("recipient %s: CWC delivery without an office code", r.BioguideID)
		}
		if r.Chamber != advocacy.House && r.Chamber != advocacy.Senate {
			return fmt.Errorf("recipient %s: chamber %q", r.BioguideID, r.Chamber)
		}
		if r.Channel != advocacy.ChannelCWC && r.Channel != advocacy.ChannelAssisted {
			return fmt.Errorf("recipient %s: initial channel %q", r.BioguideID, r.Channel)
		}
	}
	return nil
}

// CreateLetter stores a validated letter and one queued delivery per
// recipient in a single IMMEDIATE transaction: when it returns nil, the
// letter is durable.
//
// It is idempotent on the input's form token: when a letter with that token
// exists, it returns that letter with Existing set and writes nothing. Within
// the same transaction it skips every recipient that the same (normalised)
// email wrote to in the same campaign within advocacy.DedupeWindow, listing
// them in AlreadyWrote; when every recipient is such a duplicate, nothing is
// written and the error is an *advocacy.Error with CodeConflict. A missing
// campaign is an *advocacy.Error with CodeNotFound; one that is not running
// (a draft, or closed) one with CodeConflict.
//
// CWC deliveries are due at once; assisted ones wait for the constituent.
func (s *Letters) CreateLetter(ctx context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
	job, err := s.newJob(nl)
	if err != nil {
		return advocacy.CreatedLetter{}, fmt.Errorf("create letter: %w", err)
	}
	job.ctx = ctx
	s.enqueue(job)
	select {
	case r := <-job.done:
		return r.created, r.err
	case <-ctx.Done():
		// The letter may still be written; the form token makes a retry safe.
		return advocacy.CreatedLetter{}, fmt.Errorf("create letter: %w", ctx.Err())
	}
}

// newJob checks a letter and makes its IDs, ready for the group commit.
func (s *Letters) newJob(nl advocacy.NewLetter) (*createJob, error) {
	if err := checkNewLetter(nl); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	publicID, err := advocacy.NewOrderedLetterToken(s.rand, now)
	if err != nil {
		return nil, err
	}
	deliveryIDs := make([]string, len(nl.Recipients))
	for i := range deliveryIDs {
		if deliveryIDs[i], err = advocacy.NewOrderedDeliveryID(s.rand, now); err != nil {
			return nil, err
		}
	}
	status := nl.Status
	if status == "" {
		status = advocacy.LetterActive
	}
	return &createJob{nl: nl, publicID: publicID, deliveryIDs: deliveryIDs, status: status,
		// The dedupe recognises one sender behind the variants of an address.
		emailNorm: advocacy.SenderKey(nl.Input.Email), now: now, ts: letterTime(now),
		ctx: context.Background(), done: make(chan createResult, 1)}, nil
}

// The queries of the letter write path, prepared once (see stmtCache).
const (
	qLetterByToken  = "SELECT id FROM letters WHERE form_token = ?"
	qCampaignExists = "SELECT status FROM campaigns WHERE id = ?"
	qInsertLetter   = `INSERT INTO letters (public_id, form_token, campaign_id, state, district,
		settled_by, prefix, first_name, last_name, address1, address2, city, zip, email, email_norm, phone,
		title, organization, personal_message, topic, consent_at, receipt, newsletter, ref, status, hold_reason, created_at,
		campaign_updates)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertDelivery = `INSERT INTO deliveries (letter_id, bioguide_id, office_code, chamber,
			channel, status, delivery_id, subject, template_text, bill_congress, bill_type, bill_number,
			next_attempt_at, created_at, updated_at, position, queued_at)
			VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// qAlreadyWrote finds which of n recipients an email wrote to lately.
func qAlreadyWrote(n int) string {
	return `SELECT DISTINCT d.bioguide_id
		FROM letters l JOIN deliveries d ON d.letter_id = l.id
		WHERE l.email_norm = ? AND l.campaign_id = ? AND l.created_at > ? AND l.status <> 'rejected'
		  AND d.bioguide_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)`
}

// writeQueries are the statements prepared for the group commit.
func writeQueries() []string {
	qs := []string{qLetterByToken, qCampaignExists, qInsertLetter, qInsertDelivery, qGroupCountsBegin, qGroupCountsEnd}
	for _, g := range groupCounts {
		qs = append(qs, g.query)
	}
	for n := 1; n <= advocacy.LetterMaxRecipients; n++ {
		qs = append(qs, qAlreadyWrote(n))
	}
	return qs
}

// createJob is one letter waiting for the group commit.
type createJob struct {
	// ctx is the requester's. When its deadline passed, the requester was
	// told the letter could not be stored (503): it is then not written.
	// A requester who went away (cancelled) was told nothing, and the
	// letter is written as usual.
	ctx         context.Context
	nl          advocacy.NewLetter
	publicID    string
	deliveryIDs []string
	status      advocacy.LetterStatus
	emailNorm   string
	now         time.Time
	ts          string
	done        chan createResult
}

// toldFailed reports whether the job's requester was answered that the
// letter could not be stored: its deadline passed.
func toldFailed(j *createJob) bool {
	return errors.Is(j.ctx.Err(), context.DeadlineExceeded)
}

type createResult struct {
	created advocacy.CreatedLetter
	err     error
}

// maxGroupCommit bounds how many letters share one transaction.
const maxGroupCommit = 128

// enqueue adds job to the queue and, if no writer goroutine is draining it,
// starts one. Letters that arrive while a transaction is being committed
// wait and then go in together: one fsync acknowledges the whole group,
// which is what lets a single SQLite file take thousands of durable letters
// a second. Under light load a group is one letter and nothing waits.
func (s *Letters) enqueue(job *createJob) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		job.done <- createResult{err: errLettersClosed}
		return
	}
	s.queue = append(s.queue, job)
	start := !s.draining
	s.draining = true
	if start {
		s.drainers.Add(1)
	}
	s.mu.Unlock()
	if start {
		go s.drain()
	}
}

func (s *Letters) drain() {
	defer s.drainers.Done()
	for {
		// Let the requests that are running reach the queue first: on a
		// busy server they join this group instead of waiting for the next
		// commit, and with nothing else to run this returns at once.
		runtime.Gosched()
		s.mu.Lock()
		n := min(len(s.queue), maxGroupCommit)
		if n == 0 {
			s.draining = false
			s.mu.Unlock()
			return
		}
		batch := slices.Clone(s.queue[:n])
		s.queue = slices.Delete(s.queue, 0, n)
		s.mu.Unlock()
		s.commitGroup(batch)
	}
}

// errPartialLetter stops a group written without savepoints when one of
// its letters failed after it had started to write.
var errPartialLetter = errors.New("a letter failed half-written")

// commitGroup writes a group of letters in one IMMEDIATE transaction.
// Nobody is answered before the commit: an acknowledged letter is on disk.
//
// A letter that is refused (a duplicate, a replayed form, an unknown
// campaign) is refused before it writes anything, so the group first goes
// without a savepoint per letter, which would copy every page each letter
// touches. Should a letter fail half-written (a healthy database never
// does this), the group is rolled back and written again with each letter
// in its own savepoint, so that it is rolled back alone while the others
// commit.
func (s *Letters) commitGroup(batch []*createJob) {
	// The statements must not be cut short by one requester's context: they
	// share the transaction with everyone else in the group.
	ctx := context.Background()
	results, err := s.writeGroup(ctx, batch, false)
	if errors.Is(err, errPartialLetter) {
		results, err = s.writeGroup(ctx, batch, true)
	}
	for i, j := range batch {
		if err != nil {
			j.done <- createResult{err: err}
		} else {
			j.done <- results[i]
		}
	}
}

// writeGroup writes and commits batch, each letter in a savepoint when
// savepoints is set.
func (s *Letters) writeGroup(ctx context.Context, batch []*createJob, savepoints bool) ([]createResult, error) {
	if err := s.stmts.prepare(ctx, s.db.W, writeQueries()...); err != nil {
		return nil, fmt.Errorf("create letter: prepare: %w", err)
	}
	// Waiting for the write lock (held by another process, say) ends when
	// every requester of the group has been told it failed.
	begin, cancel := context.WithCancel(ctx)
	defer cancel()
	var waiting atomic.Int32
	waiting.Store(int32(len(batch)))
	for _, j := range batch {
		stop := context.AfterFunc(j.ctx, func() {
			if toldFailed(j) && waiting.Add(-1) == 0 {
				cancel()
			}
		})
		defer stop()
	}
	rawTx, err := s.db.W.BeginTx(begin, nil)
	if err != nil {
		return nil, fmt.Errorf("create letter: begin: %w", err)
	}
	defer rawTx.Rollback()
	tx := s.stmts.bind(rawTx)
	// The group counts its letters itself, after writing them.
	if _, err := tx.ExecContext(ctx, qGroupCountsBegin); err != nil {
		return nil, fmt.Errorf("create letter: %w", err)
	}
	var newLetters, newDeliveries idRange
	exec := func(q string) error {
		if !savepoints {
			return nil
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create letter: %s: %w", q, err)
		}
		return nil
	}
	results := make([]createResult, len(batch))
	ok := 0
	for i, j := range batch {
		if toldFailed(j) {
			// The requester's deadline passed (while the write lock was
			// held elsewhere, say) and it was told so.
			results[i] = createResult{err: fmt.Errorf("create letter: %w", j.ctx.Err())}
			continue
		}
		if err := exec("SAVEPOINT letter"); err != nil {
			return nil, err
		}
		created, wrote, err := s.createInTx(ctx, tx, j)
		switch {
		case err == nil:
			ok++
			if !created.Existing {
				newLetters.add(created.Letter.ID)
				for _, d := range created.Letter.Deliveries {
					newDeliveries.add(d.ID)
				}
			}
		case Unavailable(err):
			// A full disk or an I/O error ends the whole transaction
			// (SQLite rolls it back): nobody in the group is stored.
			return nil, err
		case wrote && !savepoints:
			return nil, errPartialLetter
		default:
			if err := exec("ROLLBACK TO letter"); err != nil {
				return nil, err
			}
		}
		if err := exec("RELEASE letter"); err != nil {
			return nil, err
		}
		results[i] = createResult{created: created, err: err}
	}
	if ok > 0 {
		if err := addGroupCounts(ctx, tx, newLetters, newDeliveries); err != nil {
			return nil, fmt.Errorf("create letter: %w", err)
		}
		if _, err := tx.ExecContext(ctx, qGroupCountsEnd); err != nil {
			return nil, fmt.Errorf("create letter: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("create letter: commit: %w", err)
		}
	}
	return results, nil
}

// createInTx writes one letter and its deliveries inside tx, after the
// idempotency and dedupe checks. When it fails, wrote tells whether it had
// started to write (a refusal never has).
func (s *Letters) createInTx(ctx context.Context, tx *stmtTx, j *createJob) (advocacy.CreatedLetter, bool, error) {
	nl, in := j.nl, j.nl.Input
	publicID, deliveryIDs, status, emailNorm, now, ts := j.publicID, j.deliveryIDs, j.status, j.emailNorm, j.now, j.ts

	if in.FormToken != "" {
		var id int64
		err := tx.QueryRowContext(ctx, qLetterByToken, in.FormToken).Scan(&id)
		switch {
		case err == nil:
			l, err := letterByQuery(ctx, tx, "l.id = ?", id)
			if err != nil {
				return advocacy.CreatedLetter{}, false, fmt.Errorf("create letter: existing: %w", err)
			}
			return advocacy.CreatedLetter{Letter: l, Existing: true}, false, nil
		case !errors.Is(err, sql.ErrNoRows):
			return advocacy.CreatedLetter{}, false, fmt.Errorf("create letter: find form token: %w", err)
		}
	}

	var campaignStatus string
	if err := tx.QueryRowContext(ctx, qCampaignExists, nl.CampaignID).Scan(&campaignStatus); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return advocacy.CreatedLetter{}, false, advocacy.NotFound("This campaign does not exist.")
		}
		return advocacy.CreatedLetter{}, false, fmt.Errorf("create letter: find campaign %d: %w", nl.CampaignID, err)
	}
	// Checked in the transaction that writes the letter: once a campaign's
	// closing has committed, no letter can slip in after it.
	if campaignStatus != string(advocacy.CampaignActive) {
		return advocacy.CreatedLetter{}, false, &advocacy.Error{Code: advocacy.CodeConflict,
			Message: "This campaign is not taking letters: it has ended, or has not opened yet."}
	}

	dupes, err := s.alreadyWrote(ctx, tx, nl, emailNorm, now)
	if err != nil {
		return advocacy.CreatedLetter{}, false, fmt.Errorf("create letter: %w", err)
	}
	var todo []int
	var already []string
	for i, r := range nl.Recipients {
		if dupes[r.BioguideID] {
			already = append(already, r.BioguideID)
		} else {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return advocacy.CreatedLetter{AlreadyWrote: already}, false, &advocacy.Error{
			Code:    advocacy.CodeConflict,
			Message: "You have already written to these members in this campaign in the last 30 days. Thank you!",
		}
	}

	res, err := tx.ExecContext(ctx, qInsertLetter,
		publicID, letterNullString(in.FormToken), nl.CampaignID, nl.State, nl.District, string(nl.SettledBy),
		in.Prefix, in.FirstName, in.LastName, in.Address1, in.Address2, in.City, in.Zip, in.Email, emailNorm,
		in.Phone, in.Title, in.Organization, in.PersonalMessage, nl.Topic, ts, letterBool(in.Receipt),
		letterBool(in.Newsletter), letterNullString(in.Ref), string(status), nl.HoldReason, ts,
		letterBool(in.CampaignUpdates))
	if err != nil {
		return advocacy.CreatedLetter{}, true, fmt.Errorf("create letter: insert letter: %w", err)
	}
	letterID, err := res.LastInsertId()
	if err != nil {
		return advocacy.CreatedLetter{}, true, fmt.Errorf("create letter: letter id: %w", err)
	}
	if nl.ConfirmToken != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO letter_confirmations (letter_id, token_hash, expires_at, holds_letter)
			VALUES (?, ?, ?, ?)`, letterID, confirmHash(nl.ConfirmToken), letterTime(nl.ConfirmBy), letterBool(!nl.ConfirmForReceipt)); err != nil {
			return advocacy.CreatedLetter{}, true, fmt.Errorf("create letter: confirmation: %w", err)
		}
	}
	l := advocacy.Letter{
		ID: letterID, PublicID: publicID, CampaignID: nl.CampaignID, State: nl.State, District: nl.District,
		SettledBy: nl.SettledBy, Prefix: in.Prefix, FirstName: in.FirstName, LastName: in.LastName,
		Address1: in.Address1, Address2: in.Address2, City: in.City, Zip: in.Zip, Email: in.Email,
		Phone: in.Phone, Title: in.Title, Organization: in.Organization, PersonalMessage: in.PersonalMessage,
		Topic: nl.Topic, Receipt: in.Receipt, Newsletter: in.Newsletter, CampaignUpdates: in.CampaignUpdates, Ref: in.Ref, Status: status, HoldReason: nl.HoldReason,
		ConsentAt: now.Truncate(time.Millisecond), CreatedAt: now.Truncate(time.Millisecond),
	}
	for _, i := range todo {
		r := nl.Recipients[i]
		var next any
		if r.Channel == advocacy.ChannelCWC {
			next = ts
		}
		var congress, billType, number any
		if !r.Bill.IsZero() {
			congress, billType, number = r.Bill.Congress, strings.ToUpper(r.Bill.Type), r.Bill.Number
		}
		res, err := tx.ExecContext(ctx, qInsertDelivery,
			letterID, r.BioguideID, r.OfficeCode, string(r.Chamber), string(r.Channel), deliveryIDs[i],
			r.Subject, r.TemplateText, congress, billType, number, next, ts, ts, string(r.Position.OrSupport()), ts)
		if err != nil {
			return advocacy.CreatedLetter{}, true, fmt.Errorf("create letter: insert delivery: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return advocacy.CreatedLetter{}, true, fmt.Errorf("create letter: delivery id: %w", err)
		}
		d := advocacy.Delivery{
			ID: id, LetterID: letterID, BioguideID: r.BioguideID, OfficeCode: r.OfficeCode, Chamber: r.Chamber,
			Channel: r.Channel, Status: advocacy.DeliveryQueued, DeliveryID: deliveryIDs[i], Subject: r.Subject,
			TemplateText: r.TemplateText, Bill: r.Bill, Position: r.Position.OrSupport(), CreatedAt: l.CreatedAt, UpdatedAt: l.CreatedAt,
			QueuedAt: l.CreatedAt,
		}
		d.Bill.Type = strings.ToUpper(d.Bill.Type)
		if r.Channel == advocacy.ChannelCWC {
			d.NextAttemptAt = l.CreatedAt
		}
		l.Deliveries = append(l.Deliveries, d)
	}
	return advocacy.CreatedLetter{Letter: l, AlreadyWrote: already}, true, nil
}

// alreadyWrote returns the recipients of nl that emailNorm wrote to in the
// same campaign within the dedupe window before now. Rejected letters do not
// count.
func (s *Letters) alreadyWrote(ctx context.Context, q letterQuerier, nl advocacy.NewLetter, emailNorm string, now time.Time) (map[string]bool, error) {
	args := []any{emailNorm, nl.CampaignID, letterTime(now.Add(-advocacy.DedupeWindow))}
	for _, r := range nl.Recipients {
		args = append(args, r.BioguideID)
	}
	rows, err := q.QueryContext(ctx, qAlreadyWrote(len(nl.Recipients)), args...)
	if err != nil {
		return nil, fmt.Errorf("check earlier letters: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("check earlier letters: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check earlier letters: %w", err)
	}
	return out, nil
}

// letterByQuery loads one letter matching where (on alias l) with its
// deliveries.
func letterByQuery(ctx context.Context, q letterQuerier, where string, args ...any) (advocacy.Letter, error) {
	l, err := scanLetter(q.QueryRowContext(ctx, "SELECT "+letterColumns+" FROM letters l WHERE "+where, args...))
	if err != nil {
		return l, err
	}
	l.Deliveries, err = deliveriesFor(ctx, q, l.ID)
	return l, err
}

func deliveriesFor(ctx context.Context, q letterQuerier, letterID int64) ([]advocacy.Delivery, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+deliveryColumns+" FROM deliveries d WHERE d.letter_id = ? ORDER BY d.id", letterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []advocacy.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// LetterByPublicID returns the letter with the given public ID, with its
// deliveries; an unknown ID is an *advocacy.Error with CodeNotFound.
func (s *Letters) LetterByPublicID(ctx context.Context, publicID string) (advocacy.Letter, error) {
	notFound := advocacy.NotFound("We could not find that letter.")
	if !advocacy.ValidLetterToken(publicID) {
		return advocacy.Letter{}, notFound
	}
	tx, err := s.db.R.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.Letter{}, fmt.Errorf("find letter: %w", err)
	}
	defer tx.Rollback()
	l, err := letterByQuery(ctx, tx, "l.public_id = ?", publicID)
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Letter{}, notFound
	}
	if err != nil {
		return advocacy.Letter{}, fmt.Errorf("find letter: %w", err)
	}
	return l, nil
}

// DeliveriesForLetter returns a letter's deliveries in the order they were
// created.
func (s *Letters) DeliveriesForLetter(ctx context.Context, letterID int64) ([]advocacy.Delivery, error) {
	ds, err := deliveriesFor(ctx, s.db.R, letterID)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of letter %d: %w", letterID, err)
	}
	return ds, nil
}

// ConfirmDelivery records that the constituent sent one of their letter's
// deliveries themselves through channel (contact form, print or phone): the
// delivery becomes confirmed_by_user. It is allowed for assisted deliveries
// and for CWC deliveries that failed or are held (a held copy the sender
// sent is never sent again when delivery resumes); confirming again changes
// nothing. The
// letter is found by its public ID, so only the holder of the status link
// can confirm.
func (s *Letters) ConfirmDelivery(ctx context.Context, publicID, deliveryID string, channel advocacy.Channel) (advocacy.Delivery, error) {
	if !advocacy.UserChannel(channel) {
		return advocacy.Delivery{}, advocacy.Invalid("channel", "Say how you sent it: contact form, print or phone.")
	}
	notFound := advocacy.NotFound("We could not find that letter.")
	if !advocacy.ValidLetterToken(publicID) || !advocacy.ValidDeliveryID(deliveryID) {
		return advocacy.Delivery{}, notFound
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.Delivery{}, fmt.Errorf("confirm delivery: begin: %w", err)
	}
	defer tx.Rollback()
	d, err := scanDelivery(tx.QueryRowContext(ctx, "SELECT "+deliveryColumns+` FROM deliveries d
		JOIN letters l ON l.id = d.letter_id WHERE l.public_id = ? AND d.delivery_id = ?`, publicID, deliveryID))
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Delivery{}, notFound
	}
	if err != nil {
		return advocacy.Delivery{}, fmt.Errorf("confirm delivery: %w", err)
	}
	switch {
	case d.Status == advocacy.DeliveryConfirmedByUser:
		return d, nil
	case d.Channel == advocacy.ChannelCWC && d.Status != advocacy.DeliveryFailed && d.Status != advocacy.DeliveryHeld:
		return d, &advocacy.Error{Code: advocacy.CodeConflict,
			Message: "This letter is being delivered electronically; there is nothing for you to send."}
	}
	now := letterTime(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'confirmed_by_user', channel = ?,
		confirmed_at = ?, updated_at = ?, next_attempt_at = NULL, locked_until = NULL WHERE id = ?`,
		string(channel), now, now, d.ID); err != nil {
		return advocacy.Delivery{}, fmt.Errorf("confirm delivery: %w", err)
	}
	d, err = scanDelivery(tx.QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM deliveries d WHERE d.id = ?", d.ID))
	if err != nil {
		return advocacy.Delivery{}, fmt.Errorf("confirm delivery: reread: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return advocacy.Delivery{}, fmt.Errorf("confirm delivery: commit: %w", err)
	}
	return d, nil
}

// Public counts. They count only active letters (not those held for
// moderation or rejected), expose no personal data, and read only the
// aggregates (aggregates.go): their cost does not grow with the letters.

func (s *Letters) countOne(ctx context.Context, op, query string, args ...any) (int, error) {
	if err := s.counts.prepare(ctx, s.db.R, countLettersSQL, countSinceSQL, countDistrictSQL); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	row := s.db.R.QueryRowContext
	if st := s.counts.get(query); st != nil {
		row = func(ctx context.Context, _ string, args ...any) *sql.Row { return st.QueryRowContext(ctx, args...) }
	}
	var n int
	if err := row(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return n, nil
}

const (
	countLettersSQL = `SELECT coalesce(sum(n), 0) FROM agg_letters
		WHERE campaign_id = ? AND ref = ? AND status = 'active'`
	countSinceSQL = `SELECT coalesce(sum(n), 0) FROM agg_letter_hours
		WHERE campaign_id = ? AND ref = ? AND hour >= ?`
	countDistrictSQL = `SELECT coalesce(sum(n), 0) FROM agg_letter_districts
		WHERE campaign_id = ? AND ref = ? AND state = ? AND district = ?`
)

// CountLetters is the number of letters in a campaign.
func (s *Letters) CountLetters(ctx context.Context, campaignID int64) (int, error) {
	return s.countOne(ctx, "count letters", countLettersSQL, campaignID, allRefs)
}

// CountByRef is the number of letters in a campaign that came through a
// partner or source code.
func (s *Letters) CountByRef(ctx context.Context, campaignID int64, ref string) (int, error) {
	return s.countOne(ctx, "count letters by ref", countLettersSQL, campaignID, aggRef(ref))
}

// CountByDistrict is the number of letters in a campaign from constituents of
// one House district (district 0 for at-large seats and delegates).
func (s *Letters) CountByDistrict(ctx context.Context, campaignID int64, state string, district int) (int, error) {
	return s.countOne(ctx, "count letters by district", countDistrictSQL, campaignID, allRefs, strings.ToUpper(state), district)
}

// CountSince is the number of letters in a campaign created in the hour
// that holds t or later: recent counts are kept by the hour.
func (s *Letters) CountSince(ctx context.Context, campaignID int64, t time.Time) (int, error) {
	return s.countOne(ctx, "count recent letters", countSinceSQL, campaignID, allRefs, aggHour(t))
}

func (s *Letters) countMap(ctx context.Context, q letterQuerier, op, query string, args ...any) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

const (
	countByOfficeSQL = `SELECT bioguide_id, n FROM agg_offices
		WHERE campaign_id = ? AND ref = ? AND n > 0`
	countByChamberSQL = `SELECT chamber, sum(n) FROM agg_deliveries
		WHERE campaign_id = ? AND ref = ? GROUP BY chamber HAVING sum(n) > 0`
	countByStateSQL = `SELECT state, sum(n) FROM agg_letter_districts
		WHERE campaign_id = ? AND ref = ? GROUP BY state HAVING sum(n) > 0`
)

// CountByOffice maps each member's bioguide ID to the number of letters
// their office got in a campaign.
func (s *Letters) CountByOffice(ctx context.Context, campaignID int64) (map[string]int, error) {
	return s.countMap(ctx, s.db.R, "count letters by office", countByOfficeSQL, campaignID, allRefs)
}

// CountByChamber maps each chamber to the number of letters its offices got
// in a campaign: a letter to two senators counts twice.
func (s *Letters) CountByChamber(ctx context.Context, campaignID int64) (map[advocacy.Chamber]int, error) {
	m, err := s.countMap(ctx, s.db.R, "count letters by chamber", countByChamberSQL, campaignID, allRefs)
	return letterChamberMap(m), err
}

func letterChamberMap(m map[string]int) map[advocacy.Chamber]int {
	out := map[advocacy.Chamber]int{advocacy.House: 0, advocacy.Senate: 0}
	for k, n := range m {
		out[advocacy.Chamber(k)] = n
	}
	return out
}

// CountByState maps each state to the number of letters its constituents
// wrote in a campaign.
func (s *Letters) CountByState(ctx context.Context, campaignID int64) (map[string]int, error) {
	return s.countMap(ctx, s.db.R, "count letters by state", countByStateSQL, campaignID, allRefs)
}

// Stats gathers a campaign's public aggregates in one read transaction:
// total letters, letters per chamber, letters since since (by the hour: the
// caller passes now minus 24 hours), and letters per state.
func (s *Letters) Stats(ctx context.Context, campaignID int64, since time.Time) (advocacy.LetterStats, error) {
	var st advocacy.LetterStats
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("letter stats: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, countLettersSQL, campaignID, allRefs).Scan(&st.Total); err != nil {
		return st, fmt.Errorf("letter stats: total: %w", err)
	}
	if err := tx.QueryRowContext(ctx, countSinceSQL, campaignID, allRefs, aggHour(since)).Scan(&st.Since); err != nil {
		return st, fmt.Errorf("letter stats: recent: %w", err)
	}
	byChamber, err := s.countMap(ctx, tx, "letter stats: by chamber", countByChamberSQL, campaignID, allRefs)
	if err != nil {
		return st, err
	}
	st.ByChamber = letterChamberMap(byChamber)
	if st.ByState, err = s.countMap(ctx, tx, "letter stats: by state", countByStateSQL, campaignID, allRefs); err != nil {
		return st, err
	}
	return st, nil
}

// The outbox. Deliveries on the CWC channel are claimed with a lease, so that
// a worker that dies mid-send gives its claim back when the lease runs out,
// and two workers never hold the same delivery.

const outboxColumns = letterColumns + ", " + deliveryColumns + `, c.slug, COALESCE(NULLIF(c.cwc_campaign_id, ''), c.slug),
	c.sponsor_name, c.sponsor_url, c.sponsor_email, c.sponsor_about`

// ClaimDue claims up to limit queued CWC deliveries to one chamber, of
// active letters, that are due (next_attempt_at <= now) and not leased to
// anyone (locked_until unset or before now), in one writer transaction: it
// leases them until now+lease and counts an attempt on each. The items carry
// the letter, the delivery (with Attempts already incremented) and the
// campaign's CWC ID and sponsor.
//
// While delivery to the chamber is held (see Hold), it claims nothing and
// holds the chamber's queued deliveries instead, so that every copy waiting
// on the operator says so.
func (s *Letters) ClaimDue(ctx context.Context, ch advocacy.Chamber, now time.Time, limit int, lease time.Duration) ([]advocacy.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	ts := letterTime(now)
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: begin: %w", err)
	}
	defer tx.Rollback()
	var held sql.NullString
	var reason string
	if err := tx.QueryRowContext(ctx, "SELECT held_since, hold_reason FROM cwc_chambers WHERE chamber = ?", string(ch)).
		Scan(&held, &reason); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if held.Valid {
		if err := holdQueued(ctx, tx, ch, reason, ts); err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		return nil, tx.Commit()
	}
	rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET locked_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (
			SELECT d.id FROM deliveries d JOIN letters l ON l.id = d.letter_id
			WHERE d.status = 'queued' AND d.next_attempt_at <= ? AND d.channel = 'cwc' AND d.chamber = ?
			  AND (d.locked_until IS NULL OR d.locked_until < ?) AND l.status = 'active'
			ORDER BY d.next_attempt_at, d.id LIMIT ?)
		RETURNING id`, letterTime(now.Add(lease)), ts, ts, string(ch), ts, limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if len(ids) == 0 {
		return nil, tx.Commit()
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err = tx.QueryContext(ctx, "SELECT "+outboxColumns+` FROM deliveries d
		JOIN letters l ON l.id = d.letter_id JOIN campaigns c ON c.id = l.campaign_id
		WHERE d.id IN (`+marks+`) ORDER BY d.next_attempt_at, d.id`, ids...)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: load: %w", err)
	}
	defer rows.Close()
	var items []advocacy.OutboxItem
	for rows.Next() {
		it, err := scanOutboxItem(rows)
		if err != nil {
			return nil, fmt.Errorf("claim deliveries: load: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: load: %w", err)
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim deliveries: commit: %w", err)
	}
	return items, nil
}

// scanOutboxItem reads one row of outboxColumns.
func scanOutboxItem(rows *sql.Rows) (advocacy.OutboxItem, error) {
	var (
		lr letterRow
		dr deliveryRow
		it advocacy.OutboxItem
	)
	dest := append(lr.dest(), dr.dest()...)
	sp := &it.Sponsor
	dest = append(dest, &it.CampaignSlug, &it.CWCCampaignID, &sp.Name, &sp.URL, &sp.Email, &sp.About)
	if err := rows.Scan(dest...); err != nil {
		return it, err
	}
	var err error
	if it.Letter, err = lr.finish(); err != nil {
		return it, err
	}
	if it.Delivery, err = dr.finish(); err != nil {
		return it, err
	}
	return it, nil
}

// outboxUpdate runs one guarded UPDATE of a queued delivery and reports an
// error when the delivery is not queued any more.
func (s *Letters) outboxUpdate(ctx context.Context, op string, query string, args ...any) error {
	res, err := s.db.W.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: delivery is not queued", op)
	}
	return nil
}

// MarkSent records that CWC accepted delivery id at now.
func (s *Letters) MarkSent(ctx context.Context, id int64, now time.Time) error {
	ts := letterTime(now)
	return s.outboxChange(ctx, fmt.Sprintf("mark delivery %d sent", id), `UPDATE deliveries
		SET status = 'sent', sent_at = ?, updated_at = ?, locked_until = NULL, next_attempt_at = NULL, last_error = ''
		WHERE id = ? AND status = 'queued'`, []any{ts, ts, id},
		`UPDATE cwc_chambers SET last_sent_at = ? WHERE chamber = (SELECT chamber FROM deliveries WHERE id = ?)`, ts, id)
}

// MarkFailed records that delivery id failed for good at now, with the
// reason (shown to organizers; it holds no API key).
func (s *Letters) MarkFailed(ctx context.Context, id int64, reason string, now time.Time) error {
	ts := letterTime(now)
	return s.outboxChange(ctx, fmt.Sprintf("mark delivery %d failed", id), `UPDATE deliveries
		SET status = 'failed', last_error = ?, updated_at = ?, locked_until = NULL, next_attempt_at = NULL
		WHERE id = ? AND status = 'queued'`, []any{reason, ts, id}, chamberErrorSQL, reason, ts, id)
}

// Reschedule releases delivery id's lease and makes it due again at next,
// recording at now why the last attempt did not succeed.
func (s *Letters) Reschedule(ctx context.Context, id int64, next time.Time, reason string, now time.Time) error {
	ts := letterTime(now)
	return s.outboxChange(ctx, fmt.Sprintf("reschedule delivery %d", id), `UPDATE deliveries
		SET next_attempt_at = ?, last_error = ?, updated_at = ?, locked_until = NULL
		WHERE id = ? AND status = 'queued'`, []any{letterTime(next), reason, ts, id}, chamberErrorSQL, reason, ts, id)
}

// chamberErrorSQL records a delivery's error as its chamber's last one.
const chamberErrorSQL = `UPDATE cwc_chambers SET last_error = ?, last_error_at = ?
	WHERE chamber = (SELECT chamber FROM deliveries WHERE id = ?)`

// outboxChange runs a guarded UPDATE of a queued delivery and the update of
// its chamber's state in one transaction; it reports an error when the
// delivery is not queued any more.
func (s *Letters) outboxChange(ctx context.Context, op, query string, args []any, chamberQuery string, chamberArgs ...any) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("%s: delivery is not queued", op)
	}
	if _, err := tx.ExecContext(ctx, chamberQuery, chamberArgs...); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Release gives back a claim that was never attempted (the worker is
// stopping): the lease ends and the attempt counted by ClaimDue is undone.
func (s *Letters) Release(ctx context.Context, id int64) error {
	return s.outboxUpdate(ctx, fmt.Sprintf("release delivery %d", id), `UPDATE deliveries
		SET locked_until = NULL, attempts = max(attempts - 1, 0), updated_at = ?
		WHERE id = ? AND status = 'queued'`, letterTime(s.now()), id)
}
