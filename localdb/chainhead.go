package localdb

import (
	"context"
	"fmt"
)

// chainHead is the head of the event chain as the store (or a backup's snapshot, opened as
// a read-only view) holds it, "<seq>:<link>" of the last event: written into each backup's
// manifest and compared on restore. It reads s.r only, so it works on the view describeDB
// makes over a copy. "" when the store holds no event.
func (s *Store) chainHead(ctx context.Context) (string, error) {
	// A copy made before the chain existed (an older backup) has no links.
	var linked int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('events') WHERE name = 'link'`).Scan(&linked); err != nil {
		return "", fmt.Errorf("chain head: %w", err)
	}
	if linked == 0 {
		return "", nil
	}
	seq, link, err := eventHead(ctx, s.r)
	if err != nil {
		return "", fmt.Errorf("chain head: %w", err)
	}
	if seq == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d:%s", seq, link), nil
}
