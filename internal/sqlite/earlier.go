package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// EarlierLetters finds, for each of bioguides, the latest letter that the
// same (normalised) email wrote to that member in the campaign within the
// dedupe window and that was not rejected: the letter a duplicate repeats.
// Members without one are left out; each letter comes with its deliveries.
func (s *Letters) EarlierLetters(ctx context.Context, campaignID int64, email string, bioguides []string) (map[string]advocacy.Letter, error) {
	out := map[string]advocacy.Letter{}
	if len(bioguides) == 0 {
		return out, nil
	}
	args := []any{advocacy.NormalizeEmail(email), campaignID, letterTime(s.now().Add(-advocacy.DedupeWindow))}
	for _, b := range bioguides {
		args = append(args, b)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT d.bioguide_id, l.id
		FROM letters l JOIN deliveries d ON d.letter_id = l.id
		WHERE l.email_norm = ? AND l.campaign_id = ? AND l.created_at > ? AND l.status <> 'rejected'
		  AND d.bioguide_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(bioguides)), ", ")+`)
		ORDER BY l.created_at DESC, l.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find earlier letters: %w", err)
	}
	latest := map[string]int64{}
	for rows.Next() {
		var bioguide string
		var id int64
		if err := rows.Scan(&bioguide, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find earlier letters: %w", err)
		}
		if _, ok := latest[bioguide]; !ok {
			latest[bioguide] = id
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("find earlier letters: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find earlier letters: %w", err)
	}
	loaded := map[int64]advocacy.Letter{}
	for bioguide, id := range latest {
		l, ok := loaded[id]
		if !ok {
			if l, err = letterByQuery(ctx, s.db.R, "l.id = ?", id); err != nil {
				return nil, fmt.Errorf("find earlier letters: %w", err)
			}
			loaded[id] = l
		}
		out[bioguide] = l
	}
	return out, nil
}
