package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// The city's projections of the feedback and visit streams (migrations/0004), kept in the
// push path like the dossier projection: a feedback item is refolded with
// domain.FoldFeedback whenever one of its events arrives, a visit is one row per visit
// event. Payloads are decoded in Go, and the SQL is portable (no SQLite-only syntax): the
// PostgreSQL layer runs the same statements.
//
// Events do not decide who may read a file: naming a hash proves nothing about holding its
// bytes. Who may read one is recorded when a unit uploads it (file_units, files.go).

// streamsRev names the projection this build writes: a database whose meta
// "streams.projected" differs is rebuilt from its events when it opens.
const streamsRev = "1"

// projectStreams writes the projections of the feedback and visit events accepted in a
// push. fresh holds the streams that had no
// stored event before this push (folded from the batch alone).
func (f *folder) projectStreams(ctx context.Context, accepted []domain.Event, fresh map[string][]domain.Event) error {
	var feedbackIDs []string
	seen := map[string]bool{}
	for _, e := range accepted {
		switch e.Stream {
		case domain.StreamFeedback:
			if !seen[e.StreamID] {
				seen[e.StreamID] = true
				feedbackIDs = append(feedbackIDs, e.StreamID)
			}
		case domain.StreamVisit:
			if err := f.projectVisit(ctx, e); err != nil {
				return err
			}
		}
	}
	for _, id := range feedbackIDs {
		evs, ok := fresh[id]
		if !ok {
			var err error
			if evs, err = f.events(ctx, id); err != nil {
				return err
			}
		}
		if err := f.projectFeedback(ctx, id, evs); err != nil {
			return err
		}
	}
	return nil
}

// events loads every stored event of a stream.
func (f *folder) events(ctx context.Context, streamID string) ([]domain.Event, error) {
	rows, err := f.load.QueryContext(ctx, streamID)
	if err != nil {
		return nil, err
	}
	return sqlitex.ScanEvents(rows)
}

// projectFeedback writes (or, when its opening event is missing, removes) the fold of one
// feedback item from its events.
func (f *folder) projectFeedback(ctx context.Context, id string, evs []domain.Event) error {
	fb := domain.FoldFeedback(evs)
	if fb.ID == "" {
		// Its opening event has not arrived (or was quarantined): nothing to count yet.
		_, err := f.tx.ExecContext(ctx, `DELETE FROM feedback WHERE id = ?`, id)
		return err
	}
	unit := evs[0].Unit
	doc, err := json.Marshal(fb)
	if err != nil {
		return err
	}
	_, err = f.tx.ExecContext(ctx, `INSERT INTO feedback(id, unit, status, channel, citizen, dossier_code, received_at, received_by,
			assigned_to, resolved_at, published_at, conflicts, last_hlc, updated_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, status = excluded.status, channel = excluded.channel,
			citizen = excluded.citizen, dossier_code = excluded.dossier_code, received_at = excluded.received_at,
			received_by = excluded.received_by, assigned_to = excluded.assigned_to, resolved_at = excluded.resolved_at,
			published_at = excluded.published_at, conflicts = excluded.conflicts, last_hlc = excluded.last_hlc,
			updated_at = excluded.updated_at, doc = excluded.doc`,
		fb.ID, unit, int(fb.Status), fb.Channel, fb.Citizen.Name, fb.DossierCode, fb.ReceivedAt.UnixMilli(), fb.ReceivedBy,
		fb.AssignedTo, ms(fb.ResolvedAt), ms(fb.PublishedAt), len(fb.Conflicts), int64(fb.LastHLC), f.now.UnixMilli(), string(doc))
	return err
}

// projectVisit records one visit event (a visit stream holds one event; a second one with
// the same stream id changes nothing).
func (f *folder) projectVisit(ctx context.Context, e domain.Event) error {
	var p domain.VisitPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	_, err := f.tx.ExecContext(ctx, `INSERT INTO visits(id, unit, device, at, staff, kind, dossier_id) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, e.StreamID, e.Unit, e.Device, e.At.UnixMilli(), e.Actor, p.Kind, p.DossierID)
	return err
}

// refoldStream brings one stream's projection back in line with its stored events (after
// events were taken out of the log).
func (f *folder) refoldStream(ctx context.Context, stream, id string) error {
	evs, err := f.events(ctx, id)
	if err != nil {
		return err
	}
	switch stream {
	case domain.StreamFeedback:
		return f.projectFeedback(ctx, id, evs)
	case domain.StreamVisit:
		if _, err := f.tx.ExecContext(ctx, `DELETE FROM visits WHERE id = ?`, id); err != nil {
			return err
		}
		if len(evs) > 0 {
			return f.projectVisit(ctx, evs[0])
		}
	}
	return nil
}

// StreamRebuild is what RebuildStreams wrote.
type StreamRebuild struct {
	Feedback int
	Visits   int
}

// RebuildStreams rebuilds the feedback and visit projections from the stored
// events, in one transaction: the repair for projections found wrong, and the backfill of
// a database that held such events before migration 4.
func (c *Central) RebuildStreams(ctx context.Context) (StreamRebuild, error) {
	var rep StreamRebuild
	err := c.db.tx(ctx, "rebuild streams", func(tx *sql.Tx) error {
		rep = StreamRebuild{}
		for _, q := range []string{`DELETE FROM feedback`, `DELETE FROM visits`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		f, err := newFolder(ctx, tx, c.now())
		if err != nil {
			return err
		}
		defer f.close()
		// The streams first (a short list of ids), then each one's events: no cursor stays
		// open while the folder writes.
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream IN (?, ?) ORDER BY seq`,
			domain.StreamFeedback, domain.StreamVisit)
		if err != nil {
			return err
		}
		evs, err := sqlitex.ScanEvents(rows)
		if err != nil {
			return err
		}
		byFeedback := map[string][]domain.Event{}
		for _, e := range evs {
			if e.Stream == domain.StreamVisit {
				if err := f.projectVisit(ctx, e); err != nil {
					return err
				}
				continue
			}
			byFeedback[e.StreamID] = append(byFeedback[e.StreamID], e)
		}
		ids := make([]string, 0, len(byFeedback))
		for id := range byFeedback {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if err := f.projectFeedback(ctx, id, byFeedback[id]); err != nil {
				return err
			}
		}
		for _, q := range []struct {
			sql string
			n   *int
		}{{`SELECT COUNT(*) FROM feedback`, &rep.Feedback}, {`SELECT COUNT(*) FROM visits`, &rep.Visits}} {
			if err := tx.QueryRowContext(ctx, q.sql).Scan(q.n); err != nil {
				return err
			}
		}
		return putMeta(ctx, tx, "streams.projected", streamsRev)
	})
	return rep, err
}

// backfillStreams rebuilds the stream projections once, when the database was made or
// filled by a build that did not keep them.
func (c *Central) backfillStreams(ctx context.Context) error {
	v, err := c.db.meta(ctx, "streams.projected")
	if err != nil || v == streamsRev {
		return err
	}
	_, err = c.RebuildStreams(ctx)
	return err
}
