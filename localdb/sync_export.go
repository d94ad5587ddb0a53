package localdb

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"motcua/domain"
)

// SyncCounts are what the sync status shows: events waiting, quarantined, files waiting.
type SyncCounts struct {
	Waiting      int
	Quarantined  int
	FilesWaiting int
	Refused      int // received events refused (bad signature, clock out of bounds)
}

// SyncCounts counts the outbox, the quarantine and the files not yet uploaded (cheap: each
// count reads a partial index).
func (s *Store) SyncCounts(ctx context.Context) (SyncCounts, error) {
	var c SyncCounts
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM events WHERE sync_state = 0),
		(SELECT COUNT(*) FROM events WHERE sync_state = 2),
		(SELECT COUNT(*) FROM files WHERE uploaded = 0),
		(SELECT COUNT(DISTINCT id) FROM inbound_quarantine)`).Scan(&c.Waiting, &c.Quarantined, &c.FilesWaiting, &c.Refused)
	if err != nil {
		return c, fmt.Errorf("sync counts: %w", err)
	}
	return c, nil
}

// UnsentEvent is one event of an export of unsent items.
type UnsentEvent struct {
	Event   domain.Event `json:"event"`
	State   string       `json:"state"` // "waiting" or "quarantined"
	Reason  string       `json:"reason,omitempty"`
	Code    string       `json:"code,omitempty"`    // the dossier's code
	Damaged bool         `json:"damaged,omitempty"` // the payload was not JSON: exported as a string
}

// UnsentExport is the JSON document ExportUnsent writes: what this workstation holds that
// the central system does not, so it can be carried over by hand or handed to support.
type UnsentExport struct {
	ExportedAt time.Time        `json:"exported_at"`
	UnitCode   string           `json:"unit_code"`
	UnitName   string           `json:"unit_name"`
	Slot       int              `json:"slot"`
	DeviceID   string           `json:"device_id"`
	Events     []UnsentEvent    `json:"events"`
	Files      []domain.FileRef `json:"files"`
}

// ExportUnsent writes every event not yet acknowledged (waiting or quarantined, with the
// reason) and the files not yet uploaded as one JSON document. It returns the number of events.
func (s *Store) ExportUnsent(ctx context.Context, w io.Writer) (int, error) {
	cfg := s.Config()
	doc := UnsentExport{ExportedAt: s.now().UTC(), UnitCode: cfg.UnitCode, UnitName: cfg.UnitName, Slot: cfg.Slot,
		DeviceID: cfg.DeviceID, Events: []UnsentEvent{}, Files: []domain.FileRef{}}
	rows, err := s.r.QueryContext(ctx, `SELECT `+prefixed("e.", eventColumns)+`, e.sync_state, e.sync_reason, COALESCE(d.code, '')
		FROM events e LEFT JOIN dossiers d ON d.id = e.stream_id WHERE e.sync_state IN (0, 2) ORDER BY e.seq`)
	if err != nil {
		return 0, fmt.Errorf("export unsent: %w", err)
	}
	for rows.Next() {
		var u UnsentEvent
		var state int
		e, err := scanEvent(rows, &state, &u.Reason, &u.Code)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("export unsent: %w", err)
		}
		if !json.Valid(e.Payload) {
			// A damaged payload is exported as the text it holds, so the file stays readable.
			q, _ := json.Marshal(string(e.Payload))
			e.Payload, u.Damaged = q, true
		}
		u.Event, u.State = e, "waiting"
		if state == SyncQuarantined {
			u.State = "quarantined"
		}
		doc.Events = append(doc.Events, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("export unsent: %w", err)
	}
	files, err := s.PendingFiles(ctx, 1<<30)
	if err != nil {
		return 0, fmt.Errorf("export unsent: %w", err)
	}
	doc.Files = append(doc.Files, files...)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return 0, fmt.Errorf("export unsent: %w", err)
	}
	return len(doc.Events), nil
}

// OutboxAfter returns up to limit waiting events made after position after (0: from the
// start), oldest first, and the position of the last one. The sync engine reads ahead with
// it while earlier batches are still in flight: Outbox always starts at the head.
func (s *Store) OutboxAfter(ctx context.Context, after int64, limit int) ([]domain.Event, int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, seq FROM events WHERE sync_state = 0 AND seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, after, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	out := make([]domain.Event, 0, limit)
	last := after
	for rows.Next() {
		e, err := scanEvent(rows, &last)
		if err != nil {
			return nil, after, fmt.Errorf("outbox: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("outbox: %w", err)
	}
	return out, last, nil
}
