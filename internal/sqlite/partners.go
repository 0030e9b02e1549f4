package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Partners stores the organisations that embed the widgets. It extends the
// account store's partner methods (create, list, find by code) with stricter
// checks, edits and lookups by slug, and answers the widgets' public counts.
// Every change is written to the audit log in the same transaction.
type Partners struct {
	*Users
	db  *DB
	now func() time.Time
}

// NewPartners returns the partner store over db; now is the clock.
func NewPartners(db *DB, now func() time.Time) *Partners {
	return &Partners{Users: NewUsers(db, now), db: db, now: now}
}

// CreatePartner checks p with advocacy.CheckPartner (allowed origins must
// be https origins, or http on localhost) and stores it. A slug or source
// code in use is an *advocacy.Error with CodeConflict.
func (s *Partners) CreatePartner(ctx context.Context, p advocacy.Partner, actor int64) (advocacy.Partner, error) {
	p, err := advocacy.CheckPartner(p)
	if err != nil {
		return advocacy.Partner{}, fmt.Errorf("create partner: %w", err)
	}
	return s.Users.CreatePartner(ctx, p, actor)
}

// PartnerBySlug returns the partner with slug; an unknown one is an
// *advocacy.Error with CodeNotFound.
func (s *Partners) PartnerBySlug(ctx context.Context, slug string) (advocacy.Partner, error) {
	p, err := scanPartner(s.db.R.QueryRowContext(ctx, "SELECT "+partnerColumns+" FROM partners WHERE slug = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return p, advocacy.NotFound("There is no such partner.")
	}
	if err != nil {
		return p, fmt.Errorf("find partner %q: %w", slug, err)
	}
	return p, nil
}

// UpdatePartner changes the partner with slug: its name, allowed origins,
// any-origin flag, contact and logo text. The slug and the source code stay:
// letters, viewer accounts and the snippets on partners' sites carry them.
func (s *Partners) UpdatePartner(ctx context.Context, slug string, p advocacy.Partner, actor int64) (advocacy.Partner, error) {
	out, err := s.updatePartner(ctx, slug, p, actor)
	if err != nil {
		return advocacy.Partner{}, fmt.Errorf("update partner %q: %w", slug, err)
	}
	return out, nil
}

func (s *Partners) updatePartner(ctx context.Context, slug string, p advocacy.Partner, actor int64) (advocacy.Partner, error) {
	now := s.now()
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return advocacy.Partner{}, err
	}
	defer tx.Rollback()
	before, err := scanPartner(tx.QueryRowContext(ctx, "SELECT "+partnerColumns+" FROM partners WHERE slug = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return advocacy.Partner{}, advocacy.NotFound("There is no such partner.")
	}
	if err != nil {
		return advocacy.Partner{}, err
	}
	p.ID, p.Slug, p.SourceCode, p.CreatedAt = before.ID, before.Slug, before.SourceCode, before.CreatedAt
	p, err = advocacy.CheckPartner(p)
	if err != nil {
		return advocacy.Partner{}, err
	}
	origins, err := json.Marshal(p.AllowedOrigins)
	if err != nil {
		return advocacy.Partner{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE partners SET name = ?, allowed_origins = ?, allow_any_origin = ?,
		contact = ?, logo_text = ? WHERE id = ?`, p.Name, string(origins), campaignBool(p.AllowAnyOrigin),
		p.Contact, p.LogoText, p.ID); err != nil {
		return advocacy.Partner{}, err
	}
	if err := writeAudit(ctx, tx, auditChange{actor: actor, action: "partner.update", entity: "partner",
		entityID: idString(p.ID), before: before, after: p, at: now}); err != nil {
		return advocacy.Partner{}, err
	}
	return p, tx.Commit()
}

// WidgetCounts gives count.json its figures in one read transaction from
// the aggregates: a campaign's active letters, those created in the hour
// that holds since or later, and those that came through ref (0 when ref is
// empty).
func (s *Partners) WidgetCounts(ctx context.Context, campaignID int64, since time.Time, ref string) (advocacy.WidgetCounts, error) {
	var c advocacy.WidgetCounts
	err := func() error {
		tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := tx.QueryRowContext(ctx, countLettersSQL, campaignID, allRefs).Scan(&c.Letters); err != nil {
			return fmt.Errorf("total: %w", err)
		}
		if err := tx.QueryRowContext(ctx, countSinceSQL, campaignID, allRefs, aggHour(since)).Scan(&c.Last24h); err != nil {
			return fmt.Errorf("recent: %w", err)
		}
		if ref == "" {
			return nil
		}
		if err := tx.QueryRowContext(ctx, countLettersSQL, campaignID, ref).Scan(&c.RefLetters); err != nil {
			return fmt.Errorf("partner's letters: %w", err)
		}
		return nil
	}()
	if err != nil {
		return c, fmt.Errorf("widget counts of campaign %d: %w", campaignID, err)
	}
	return c, nil
}
