package central

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// checkPayload decodes an event's payload with the rules every valid one must follow.
func checkPayload(e domain.Event) string {
	if _, err := domain.DecodePayload(e); err != nil {
		return "Nội dung sự kiện không hợp lệ: " + err.Error()
	}
	return ""
}

// checkTrust checks that a pushed event's clock is within bounds and that it is signed by
// one of the pushing device's keys ("" = trusted). A valid token only opens the door.
func checkTrust(e domain.Event, keys []ed25519.PublicKey, now time.Time) string {
	if err := domain.CheckClock(e, now, 0); err != nil {
		return err.Error()
	}
	if e.SigBy != "" {
		return "Máy trạm chỉ được gửi sự kiện do chính mình ký."
	}
	switch err := e.Verify(keys...); {
	case err == nil:
		return ""
	case errors.Is(err, domain.ErrUnknownKey):
		return "Máy trạm chưa đăng ký khóa ký số với máy chủ; hãy cập nhật phần mềm motcua rồi đồng bộ lại."
	default:
		return "Chữ ký số không hợp lệ: " + err.Error() + "."
	}
}

// checkEnvelope validates one pushed event's envelope and that it is the pushing device's
// own, for its own unit ("" = valid). The payload is checked separately (checkPayload).
func checkEnvelope(dev Device, e domain.Event) string {
	if err := e.CheckLimits(); err != nil {
		return err.Error()
	}
	if err := e.Check(); err != nil {
		return "Sự kiện không hợp lệ: " + err.Error()
	}
	if !storable(e.ID, e.Stream, e.StreamID, string(e.Type), e.Actor, e.Device, e.Unit, e.Sig, e.SigBy) {
		return "Sự kiện chứa ký tự không hợp lệ (ký tự NUL hoặc chuỗi UTF-8 hỏng)."
	}
	if e.Device != dev.ID {
		return fmt.Sprintf("Sự kiện ghi máy trạm %s nhưng được gửi từ máy %s.", e.Device, dev.ID)
	}
	if e.Unit != dev.Unit {
		return fmt.Sprintf("Sự kiện thuộc đơn vị %q nhưng máy trạm được đăng ký cho đơn vị %s.", e.Unit, dev.Unit)
	}
	if err := e.CheckStream(); err != nil {
		return err.Error()
	}
	if e.At.UnixMilli() <= 0 {
		return "Thời điểm của sự kiện không hợp lệ."
	}
	return ""
}

// Push stores a device's events exactly once: accepted (new), duplicate (same id, same
// content) or rejected (invalid, another device's or unit's, or the id reused with other
// content). Accepted events are folded into their dossiers in the same transaction. Events
// that break a status rule are kept and show up as conflicts: they are facts.
func (c *Central) Push(ctx context.Context, dev Device, events []domain.Event) (api.PushResponse, error) {
	if len(events) > api.MaxBatch {
		return api.PushResponse{}, invalid(fmt.Sprintf("Mỗi lần gửi tối đa %d sự kiện.", api.MaxBatch))
	}
	results := make([]api.PushResult, len(events))
	bad := make([]string, len(events)) // why an event is invalid on its own; "" = valid
	keys, err := c.keysFor(ctx, dev.ID)
	if err != nil {
		return api.PushResponse{}, err
	}
	now := c.now()
	codes := map[int]string{} // event index → the dossier code it gives
	for i, e := range events {
		bad[i] = checkEnvelope(dev, e)
		if bad[i] == "" {
			bad[i] = checkTrust(e, keys, now)
		}
		if bad[i] == "" {
			var code string
			// The dossier code and hand-off number must be the device's own (unit and
			// slot): the one rule workstations also apply to what they receive.
			code, bad[i] = domain.CheckIssuer(e, dev.Unit, dev.Slot)
			if code != "" {
				codes[i] = code
			}
		}
	}
	// Fold the batch's dossiers now, outside the writer's lock, as if each were new: the
	// common case (a dossier pushed with its events). The transaction uses a fold only when
	// that holds, and folds from the database otherwise. An event the fold applied has a
	// valid payload already; the others are decoded to find out.
	byStream := map[string][]domain.Event{}
	seen := make(map[string]int, len(events))
	for i, e := range events {
		seen[e.ID]++
		if bad[i] == "" && e.Stream == domain.StreamDossier {
			byStream[e.StreamID] = append(byStream[e.StreamID], e)
		}
	}
	prefold := make(map[string]domain.Dossier, len(byStream))
	applied := make(map[string]bool, len(events))
	for sid, evs := range byStream {
		d := domain.Fold(evs)
		prefold[sid] = d
		for _, e := range evs {
			applied[e.ID] = true
		}
		for _, cf := range d.Conflicts {
			applied[cf.EventID] = false
		}
	}
	for i, e := range events {
		if bad[i] == "" && (!applied[e.ID] || seen[e.ID] > 1) {
			bad[i] = checkPayload(e)
		}
	}
	received := c.now().UnixMilli()
	ids := make([]string, 0, len(events))
	sids := make([]string, 0, len(events))
	seenSID := map[string]bool{}
	for i, e := range events {
		if bad[i] == "" {
			ids = append(ids, e.ID)
			if !seenSID[e.StreamID] {
				seenSID[e.StreamID] = true
				sids = append(sids, e.StreamID)
			}
		}
	}
	if len(ids) > 0 && c.db.dialect == postgresDialect {
		// Pushes of one unit take turns in the database (lockFeed); they wait for each other
		// here first, without holding one of the few connections while they wait.
		defer c.units.lock(dev.Unit)()
	}
	err = c.db.tx(ctx, "push", func(tx *sql.Tx) error {
		if len(ids) > 0 {
			// The unit's feed has one writer at a time (PostgreSQL; SQLite has one anyway),
			// from before the lookups below, so they see every event of the unit stored
			// before this one. Another unit's writer runs alongside: it could meet this one
			// only on an event id (errRace below) or a stream id not yet committed here,
			// which only this unit's workstations know (random UUIDs).
			if err := c.db.lockFeed(ctx, tx, dev.Unit); err != nil {
				return err
			}
		}
		// Set-wise lookups: which ids are held already, which streams exist and whose they are.
		held := map[string]domain.Event{}
		if err := inPieces(ids, 500, c.db.pieces(), func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanEvent(rows)
				if err != nil {
					return err
				}
				held[e.ID] = e
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		owners := map[string]string{} // stream → unit, for streams with stored events
		if err := inPieces(sids, 500, c.db.pieces(), func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT stream_id, MIN(unit) FROM events WHERE stream_id IN (`+placeholders(len(chunk))+`) GROUP BY stream_id`, anys(chunk)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var sid, unit string
				if err := rows.Scan(&sid, &unit); err != nil {
					return err
				}
				owners[sid] = unit
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		// Which dossier of the unit holds each code the batch gives (codes are unique per unit).
		// (ma_ho_so <> '' lets both stores use the partial UNIQUE index on (unit, ma_ho_so).)
		codeOwner := map[string]string{}
		claimed := make([]string, 0, len(codes))
		for i, code := range codes {
			if bad[i] == "" {
				claimed = append(claimed, code)
			}
		}
		if err := inPieces(claimed, 500, c.db.pieces(), func(chunk []string) error {
			rows, err := tx.QueryContext(ctx, `SELECT ma_ho_so, id FROM dossiers WHERE unit = ? AND ma_ho_so <> '' AND ma_ho_so IN (`+placeholders(len(chunk))+`)`,
				append([]any{dev.Unit}, anys(chunk)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var code, id string
				if err := rows.Scan(&code, &id); err != nil {
					return err
				}
				codeOwner[code] = id
			}
			return rows.Err()
		}); err != nil {
			return err
		}
		var accepted []domain.Event
		batch := map[string]domain.Event{}   // accepted in this batch, by id
		fresh := map[string][]domain.Event{} // streams new with this batch: their events, folded without a query
		var order []string
		ordered := map[string]bool{}
		streamOf := map[string]string{} // stream id → its stream (dossier, feedback, visit)
		for i, e := range events {
			// The closure may run again after a busy retry: start every result afresh.
			results[i] = api.PushResult{ID: e.ID}
			if bad[i] != "" {
				results[i].Status, results[i].Reason = api.Rejected, bad[i]
				continue
			}
			prev, ok := held[e.ID]
			if !ok {
				prev, ok = batch[e.ID]
			}
			if ok {
				if prev.SameContent(e) {
					results[i].Status = api.Duplicate
				} else {
					results[i].Status, results[i].Reason = api.Rejected, "Mã sự kiện đã được dùng cho một sự kiện khác."
				}
				continue
			}
			if u, ok := owners[e.StreamID]; ok && u != e.Unit {
				results[i].Status, results[i].Reason = api.Rejected, fmt.Sprintf("Hồ sơ %s thuộc đơn vị khác.", e.StreamID)
				continue
			}
			if code, ok := codes[i]; ok {
				if holder, held := codeOwner[code]; held && holder != e.StreamID {
					results[i].Status, results[i].Reason = api.Rejected, fmt.Sprintf("Mã hồ sơ %s đã được dùng cho một hồ sơ khác của đơn vị.", code)
					continue
				}
				codeOwner[code] = e.StreamID
			}
			results[i].Status = api.Accepted
			accepted = append(accepted, e)
			batch[e.ID] = e
			if !ordered[e.StreamID] {
				ordered[e.StreamID] = true
				order = append(order, e.StreamID)
				streamOf[e.StreamID] = e.Stream
			}
			if _, existed := owners[e.StreamID]; !existed {
				fresh[e.StreamID] = append(fresh[e.StreamID], e)
			}
		}
		const cols = 14
		var stored int64
		chunk, _ := c.db.chunks()
		if err := inPieces(accepted, chunk, c.db.pieces(), func(chunk []domain.Event) error {
			args := make([]any, 0, len(chunk)*cols)
			for _, e := range chunk {
				args = append(args, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit,
					e.At.UnixMilli(), int64(e.HLC), e.Sig, e.SigBy, received)
			}
			n, err := c.exec(ctx, tx, insertEventsSQL(len(chunk)), args...)
			stored += n
			return err
		}); err != nil {
			return err
		}
		if stored != int64(len(accepted)) {
			// An id held by another unit's event committed after the lookup above (only
			// a hostile or broken workstation reuses another's ids): look again.
			return errRace
		}
		f, err := newFolder(ctx, tx, c.now())
		if err != nil {
			return err
		}
		f.c = c
		_, f.chunk = c.db.chunks()
		f.pow2 = c.db.pieces()
		defer f.close()
		var folded []domain.Dossier
		for _, sid := range order {
			if streamOf[sid] != domain.StreamDossier {
				continue // feedback and visits: projectStreams
			}
			if evs, ok := fresh[sid]; ok {
				switch {
				case evs[0].Stream != domain.StreamDossier:
				case len(evs) == len(byStream[sid]):
					folded = append(folded, prefold[sid])
				default:
					folded = append(folded, domain.Fold(evs))
				}
				continue
			}
			d, err := f.fold(ctx, sid)
			if err != nil {
				return err
			}
			folded = append(folded, d)
		}
		if err := f.projectAll(ctx, folded); err != nil {
			return err
		}
		return f.projectStreams(ctx, accepted, fresh)
	})
	if err != nil {
		return api.PushResponse{}, err
	}
	for i, e := range events {
		if results[i].Status == api.Accepted {
			c.clock.Observe(e.HLC)
		}
	}
	return api.PushResponse{Results: results, ServerTime: c.now().UTC()}, nil
}
