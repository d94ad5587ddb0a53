package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SyncKeyChainHead is the head of the store's event chain (issue 13, item 1).
const SyncKeyChainHead = "chain.head"

// chainHead is the head of the event chain as the store (or a backup's snapshot, opened as
// a read-only view) holds it: written into each backup's manifest and compared on restore.
// It reads s.r only, so it works on the view describeDB makes over a copy. "" when the
// store keeps no chain yet.
func (s *Store) chainHead(ctx context.Context) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, SyncKeyChainHead).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("chain head: %w", err)
	}
	return v, nil
}
