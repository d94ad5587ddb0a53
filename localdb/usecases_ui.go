package localdb

import (
	"context"

	"motcua/domain"
)

// Typed use cases the desktop screens need beside those in usecases.go, so that ui
// records every action through a method of its own (never Record with an untyped payload).

// Postpone sets a new due date with an apology (Mẫu 04), with all that the form records:
// the reason, the agency that asked for more time and the new date.
func (s *Store) Postpone(ctx context.Context, actor domain.Staff, id string, p domain.RescheduledPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvRescheduled, p)
}
