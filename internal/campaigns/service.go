// Package campaigns runs the life of campaigns: creating one (from the
// workspace or the command line), adding and replacing its bills, opening,
// closing and featuring it. It applies the rules of internal/advocacy and
// stores through a small interface, so HTTP handlers and commands only map
// their input to it.
package campaigns

import (
	"context"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Store keeps campaigns (implemented by sqlite.CampaignEditor). Each write
// runs in one transaction with its audit entry.
type Store interface {
	KnownBills(ctx context.Context, ids []string) (map[string]advocacy.Bill, error)
	CreateCampaign(ctx context.Context, nc advocacy.NewCampaign, actor int64) (advocacy.Campaign, error)
	AddBill(ctx context.Context, slug string, nb advocacy.NewBill, actor int64) error
	ReplaceBill(ctx context.Context, slug, oldID string, nb advocacy.NewBill, actor int64) error
	SetStatus(ctx context.Context, slug string, to advocacy.CampaignStatus, actor int64) error
	SetFeatured(ctx context.Context, slug string, actor int64) error
}

// Service creates campaigns and moves them through their life.
type Service struct {
	store Store
	// chamberOf gives a current member's chamber, from the reference data.
	chamberOf func(bioguide string) (advocacy.Chamber, bool)
	now       func() time.Time
}

// New returns the service over store; chamberOf checks sponsors against the
// reference data and now is the clock.
func New(store Store, chamberOf func(string) (advocacy.Chamber, bool), now func() time.Time) *Service {
	return &Service{store: store, chamberOf: chamberOf, now: now}
}

// checks gathers what the rules need about the bills named in ids.
func (s *Service) checks(ctx context.Context, ids []string) (advocacy.CampaignChecks, error) {
	var clean []string
	for _, id := range ids {
		if t, n, c, err := advocacy.ParseBillID(id); err == nil {
			clean = append(clean, advocacy.BillID(t, n, c))
		}
	}
	known, err := s.store.KnownBills(ctx, clean)
	if err != nil {
		return advocacy.CampaignChecks{}, err
	}
	return advocacy.CampaignChecks{Now: s.now(), Known: known, ChamberOf: s.chamberOf}, nil
}

// Create checks and stores a new campaign. Invalid input is an
// *advocacy.Error with CodeInvalid naming each bad field.
func (s *Service) Create(ctx context.Context, in advocacy.NewCampaignInput, actor int64) (advocacy.Campaign, error) {
	ids := make([]string, 0, len(in.Bills))
	for _, b := range in.Bills {
		ids = append(ids, b.ID)
	}
	ck, err := s.checks(ctx, ids)
	if err != nil {
		return advocacy.Campaign{}, err
	}
	nc, err := advocacy.ValidateNewCampaign(in, ck)
	if err != nil {
		return advocacy.Campaign{}, err
	}
	return s.store.CreateCampaign(ctx, nc, actor)
}

// newBill checks one bill a campaign is to ask about.
func (s *Service) newBill(ctx context.Context, in advocacy.NewBillInput) (advocacy.NewBill, error) {
	ck, err := s.checks(ctx, []string{in.ID})
	if err != nil {
		return advocacy.NewBill{}, err
	}
	return advocacy.ValidateNewBill(in, ck)
}

// AddBill checks and adds a bill to campaign slug.
func (s *Service) AddBill(ctx context.Context, slug string, in advocacy.NewBillInput, actor int64) error {
	nb, err := s.newBill(ctx, in)
	if err != nil {
		return err
	}
	return s.store.AddBill(ctx, slug, nb, actor)
}

// ReplaceBill puts the bill described by in (typically the one
// reintroduced in a new Congress) in the place of campaign slug's bill
// oldID; the campaign's asks, letters and progress move to it, and oldID
// stays as history.
func (s *Service) ReplaceBill(ctx context.Context, slug, oldID string, in advocacy.NewBillInput, actor int64) error {
	nb, err := s.newBill(ctx, in)
	if err != nil {
		return err
	}
	return s.store.ReplaceBill(ctx, slug, strings.ToLower(strings.TrimSpace(oldID)), nb, actor)
}

// SetStatus opens, closes or reopens campaign slug; status is written as
// people write it ("running", "closed").
func (s *Service) SetStatus(ctx context.Context, slug, status string, actor int64) error {
	to, ok := advocacy.ParseCampaignStatus(status)
	if !ok {
		return advocacy.Invalid("status", "Choose draft, running or closed.")
	}
	return s.store.SetStatus(ctx, slug, to, actor)
}

// Feature makes campaign slug the one the home page shows, or none for "".
func (s *Service) Feature(ctx context.Context, slug string, actor int64) error {
	return s.store.SetFeatured(ctx, strings.TrimSpace(slug), actor)
}
