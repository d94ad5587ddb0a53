package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// The outbox is the local events not yet acknowledged by the central system, in the order
// they were made. The sync engine reads a batch, pushes it, and acknowledges or quarantines
// each event by id; a quarantined event leaves the head of the queue so the rest go on.

// Outbox returns up to limit waiting events, oldest first.
func (s *Store) Outbox(ctx context.Context, limit int) ([]domain.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE sync_state = 0 ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return sqlitex.ScanEvents(rows)
}

// OutboxCount is the number of events waiting.
func (s *Store) OutboxCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE sync_state = 0`).Scan(&n)
	return n, err
}

// Ack marks events as held by the central system.
func (s *Store) Ack(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.setSyncState(ctx, "ack", ids, SyncAcked, "")
}

// Quarantine takes an event the central system rejected out of the queue, keeping it with
// the reason for a supervisor.
func (s *Store) Quarantine(ctx context.Context, id, reason string) error {
	return s.setSyncState(ctx, "quarantine", []string{id}, SyncQuarantined, reason)
}

// Requeue puts a quarantined event back in the queue (after the cause was fixed).
func (s *Store) Requeue(ctx context.Context, actor domain.Staff, id string) error {
	if !actor.Role.Can(domain.PermSupervise) {
		return denied("đưa lại sự kiện vào hàng đợi đồng bộ")
	}
	if err := s.setSyncState(ctx, "requeue", []string{id}, SyncWaiting, ""); err != nil {
		return err
	}
	s.written()
	return nil
}

func (s *Store) setSyncState(ctx context.Context, op string, ids []string, state int, reason string) error {
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		now := s.now().UnixMilli()
		streams := map[string]bool{}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			ph := strings.Repeat("?,", len(chunk))
			ph = ph[:len(ph)-1]
			args := make([]any, 0, len(chunk)+3)
			args = append(args, state, reason, now)
			for _, id := range chunk {
				args = append(args, id)
			}
			rows, err := tx.QueryContext(ctx, `UPDATE events SET sync_state = ?, sync_reason = ?, synced_at = ?
				WHERE local = 1 AND id IN (`+ph+`) RETURNING stream_id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var sid string
				if err := rows.Scan(&sid); err != nil {
					rows.Close()
					return err
				}
				streams[sid] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		// One statement per 500 dossiers, not one (parsed anew) per dossier.
		sids := make([]string, 0, len(streams))
		for sid := range streams {
			sids = append(sids, sid)
		}
		for start := 0; start < len(sids); start += 500 {
			chunk := sids[start:min(start+500, len(sids))]
			args := make([]any, len(chunk))
			for i, sid := range chunk {
				args[i] = sid
			}
			if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET sync = CASE
					WHEN EXISTS (SELECT 1 FROM events WHERE stream_id = dossiers.id AND sync_state = 2) THEN 2
					WHEN EXISTS (SELECT 1 FROM events WHERE stream_id = dossiers.id AND sync_state = 0) THEN 1
					ELSE 0 END
				WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...); err != nil {
				return err
			}
		}
		if state != SyncAcked {
			return s.audit(ctx, tx, "sync", "sync."+op, strings.Join(ids, ","), reason)
		}
		return nil
	})
}

// Quarantined lists the quarantined events, oldest first.
func (s *Store) Quarantined(ctx context.Context) ([]QuarantinedEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+prefixed("e.", eventColumns)+`, e.sync_reason, COALESCE(e.synced_at, 0), COALESCE(d.code, '')
		FROM events e LEFT JOIN dossiers d ON d.id = e.stream_id WHERE e.sync_state = 2 ORDER BY e.seq`)
	if err != nil {
		return nil, fmt.Errorf("quarantined: %w", err)
	}
	defer rows.Close()
	var out []QuarantinedEvent
	for rows.Next() {
		var q QuarantinedEvent
		var at int64
		e, err := scanEvent(rows, &q.Reason, &at, &q.Code)
		if err != nil {
			return nil, err
		}
		q.Event, q.At = e, time.UnixMilli(at).UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// ApplyRemote stores events pulled from the central system and the cursor that covers them,
// in one transaction: the cursor can never run ahead of the data. Events already held (by
// id) are skipped; local events are never touched. Affected dossiers are refolded, so an
// event that conflicts with local history shows up as a conflict. It returns how many
// events were new.
func (s *Store) ApplyRemote(ctx context.Context, events []domain.Event, cursorKey, cursor string) (int, error) {
	return s.ApplyPulled(ctx, events, nil, cursorKey, cursor)
}

// ApplyPulled is ApplyRemote with the events of the page that the receiver refused (a
// signature that does not hold, a clock out of bounds): they are kept in the refused events
// with their reason, in the same transaction, and never applied.
func (s *Store) ApplyPulled(ctx context.Context, events []domain.Event, refused []Refused, cursorKey, cursor string) (int, error) {
	fresh, _, err := s.ApplyPulledKept(ctx, events, refused, cursorKey, cursor)
	return fresh, err
}

// ApplyPulledKept is ApplyPulled that also returns how many of the refused events were kept
// aside (a refused copy of an event held, or refused before, is not kept again).
func (s *Store) ApplyPulledKept(ctx context.Context, events []domain.Event, refused []Refused, cursorKey, cursor string) (int, int, error) {
	for _, e := range events {
		if err := e.Check(); err != nil {
			return 0, 0, fmt.Errorf("apply remote: %w", err)
		}
	}
	fresh, kept := 0, 0
	err := s.tx(ctx, "apply remote", func(tx *sql.Tx) error {
		fresh = 0
		now := s.now()
		kept = 0
		for _, r := range refused {
			// A copy of an event held already (the genuine one was applied) or refused
			// already adds nothing: the list holds each refused event once.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events WHERE id = ?1) + (SELECT COUNT(*) FROM inbound_quarantine WHERE id = ?1)`, r.Event.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if err := putRefused(ctx, tx, r, now); err != nil {
				return err
			}
			kept++
		}
		if kept > 0 {
			if err := s.audit(ctx, tx, "sync", "sync.refused", cursor, fmt.Sprintf("%d sự kiện bị từ chối", kept)); err != nil {
				return err
			}
		}
		streams := map[string]string{}
		for _, e := range events {
			// An event refused before that now checks out is no longer refused.
			if _, err := tx.ExecContext(ctx, `DELETE FROM inbound_quarantine WHERE id = ?`, e.ID); err != nil {
				return err
			}
			s.clock.Observe(e.HLC)
			ok, err := insertEvent(ctx, tx, e, false)
			if err != nil {
				return err
			}
			if ok {
				fresh++
				streams[e.StreamID] = e.Stream
				if err := s.bumpCounter(ctx, tx, e); err != nil {
					return err
				}
			}
		}
		for sid, kind := range streams {
			if err := s.refoldStream(ctx, tx, kind, sid); err != nil {
				return err
			}
		}
		if cursorKey != "" {
			if err := putSyncValue(ctx, tx, cursorKey, cursor); err != nil {
				return err
			}
		}
		if fresh > 0 {
			return s.audit(ctx, tx, "sync", "sync.pull", cursor, fmt.Sprintf("%d sự kiện mới", fresh))
		}
		return nil
	})
	return fresh, kept, err
}

// refoldStream rebuilds the projection of one stream of any kind.
func (s *Store) refoldStream(ctx context.Context, tx *sql.Tx, kind, streamID string) error {
	switch kind {
	case domain.StreamDossier:
		_, err := s.refold(ctx, tx, streamID)
		return err
	case domain.StreamFeedback:
		return s.projectFeedback(ctx, tx, streamID)
	case domain.StreamHandoff:
		return s.projectHandoff(ctx, tx, streamID)
	case domain.StreamVisit:
		evs, err := streamEvents(ctx, tx, streamID)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := s.projectVisit(ctx, tx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// bumpCounter keeps this workstation's day counter past a code of its own that comes back
// from elsewhere (its events pulled again after a restore): the next intake must not issue
// that number a second time.
func (s *Store) bumpCounter(ctx context.Context, tx *sql.Tx, e domain.Event) error {
	if e.Type == domain.EvHandoffPrepared {
		return s.bumpHandoffCounter(ctx, tx, e)
	}
	code, ok := domain.EventCode(e)
	if !ok {
		return nil
	}
	dc, err := domain.ParseDossierCode(code)
	cfg := s.Config()
	if err != nil || !dc.IssuedBy(cfg.UnitCode, cfg.Slot) {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, ?)
		ON CONFLICT(prefix) DO UPDATE SET last = MAX(last, excluded.last)`, domain.DayPrefix(dc.Unit, dc.Date, dc.Slot), dc.N)
	return err
}
