package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

const eventColumns = sqlitex.EventColumns

func scanEvent(sc interface{ Scan(...any) error }, extra ...any) (domain.Event, error) {
	return sqlitex.ScanEvent(sc, extra...)
}

func insertEvent(ctx context.Context, tx *sql.Tx, e domain.Event, local bool) (bool, error) {
	state := SyncAcked
	if local {
		state = SyncWaiting
		if err := e.CheckLimits(); err != nil {
			return false, err // the city would refuse it: say so while the clerk can still shorten it
		}
	}
	prev, err := lastLink(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("insert event: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, link, local, sync_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit,
		e.At.UnixMilli(), int64(e.HLC), e.Sig, e.SigBy, domain.ChainLink(prev, e), local, state)
	if err != nil {
		return false, fmt.Errorf("insert event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// lastLink is the chain link of the last event stored ("" before the first).
func lastLink(ctx context.Context, tx *sql.Tx) (string, error) {
	var link string
	err := tx.QueryRowContext(ctx, `SELECT link FROM events ORDER BY seq DESC LIMIT 1`).Scan(&link)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return link, err
}

// streamEvents loads a stream's events in fold order.
func streamEvents(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, streamID string) ([]domain.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY hlc, device, id`, streamID)
	if err != nil {
		return nil, err
	}
	return sqlitex.ScanEvents(rows)
}

// currentDossier reads a dossier's projection inside a transaction (zero Dossier if none).
func currentDossier(ctx context.Context, tx *sql.Tx, id string) (domain.Dossier, bool, error) {
	return projected[domain.Dossier](ctx, tx, "dossiers", id)
}

// projected reads the JSON document of one row of a projection table (dossiers, handoffs,
// feedback) by its id; false when there is no such row. table is one of the store's own
// names, never input.
func projected[T any](ctx context.Context, q queryer, table, id string) (T, bool, error) {
	var v T
	var doc string
	err := q.QueryRowContext(ctx, `SELECT doc FROM `+table+` WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return v, false, fmt.Errorf("%s %s: %w", table, id, err)
	}
	return v, true, nil
}

// appendLocal is the heart of every use case: check the event against the dossier as it
// stands, append it to the log (waiting for sync), update the projection and the search
// index, and write the audit entry — all in the caller's transaction. A rule the event
// breaks is returned and nothing is written.
func (s *Store) appendLocal(ctx context.Context, tx *sql.Tx, e domain.Event) (domain.Dossier, error) {
	d, _, err := currentDossier(ctx, tx, e.StreamID)
	if err != nil {
		return d, err
	}
	var next domain.Dossier
	if e.HLC > d.LastHLC {
		next = d.Clone()
		if err := next.Apply(e); err != nil {
			return d, err
		}
	} else {
		// A local event never orders before what is stored (the clock observes every
		// pulled event), but if it does, refold everything rather than guess.
		evs, err := streamEvents(ctx, tx, e.StreamID)
		if err != nil {
			return d, err
		}
		next = domain.Fold(append(evs, e))
		for _, c := range next.Conflicts {
			if c.EventID == e.ID {
				return d, &domain.RuleError{Code: c.Code, Msg: c.Msg, Kind: domain.ErrConflict}
			}
		}
	}
	s.sign(&e)
	if _, err := insertEvent(ctx, tx, e, true); err != nil {
		return d, err
	}
	if err := s.project(ctx, tx, next, true); err != nil {
		return d, err
	}
	subject := next.Code
	if subject == "" {
		subject = next.ID
	}
	if err := s.audit(ctx, tx, e.Actor, string(e.Type), subject, e.ID); err != nil {
		return d, err
	}
	return next, nil
}
