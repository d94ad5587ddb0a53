package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"motcua/domain"
	"motcua/query"
)

// The hand-off queue (no-writing day across two desks): entries are event streams like
// feedback, appended here, synced like every event, and projected into the handoffs table.
// Expiry is not recorded: an entry not claimed by the end of its day is read as expired.

// handoffExpiredDays is how far back the queue shows entries that expired unclaimed.
const handoffExpiredDays = 7

// PrepareHandoff puts a filled declaration in the hand-off queue with the next short number
// of this workstation's day (its slot makes the number unique in the unit without asking
// anyone). The declaration must be complete and valid, as intake would require.
func (s *Store) PrepareHandoff(ctx context.Context, actor domain.Staff, p domain.HandoffPreparedPayload) (domain.Handoff, error) {
	if !actor.Role.Can(domain.PermAssist) {
		return domain.Handoff{}, denied("chuyển tờ khai sang quầy tiếp nhận")
	}
	cfg := s.Config()
	if !cfg.Configured() {
		return domain.Handoff{}, &domain.RuleError{Code: "unit.unconfigured", Msg: "Máy trạm chưa được cài đặt mã đơn vị và số máy.", Kind: domain.ErrInvalid}
	}
	now := s.now()
	proc, ok := s.Catalogue().Lookup(p.Procedure.Code)
	if !ok {
		return domain.Handoff{}, domain.ValidationError{{Field: domain.FieldProcedure, Code: "handoff.procedure", Msg: "Vui lòng chọn thủ tục hành chính."}}
	}
	p.Procedure = domain.ProcedureRef{Code: proc.Code, Name: proc.Name, FieldCode: proc.FieldCode, Field: proc.Field}
	var err error
	if p.Applicant, err = domain.PrepareHandoffApplicant(p.Applicant, now); err != nil {
		return domain.Handoff{}, err
	}
	if p.Template != "" {
		if p.Values, err = s.Declarations().Validate(p.Template, p.Values, now); err != nil {
			return domain.Handoff{}, err
		}
	} else {
		p.Values = nil
	}
	var h domain.Handoff
	err = s.tx(ctx, "handoff", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, 1)
			ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last`, domain.HandoffDayPrefix(cfg.UnitCode, now, cfg.Slot)).Scan(&n); err != nil {
			return err
		}
		if p.Number, err = domain.NewHandoffNumber(cfg.Slot, n); err != nil {
			return err
		}
		id := s.newID()
		h, err = s.appendHandoff(ctx, tx, actor, id, domain.EvHandoffPrepared, p)
		return err
	})
	if err != nil {
		return domain.Handoff{}, err
	}
	s.written()
	return h, nil
}

// ClaimHandoff takes an entry into intake at this counter. ref is the entry's id (the slip's
// QR code) or its number as typed ("H-1017", "1017"; today's). A second claim of an entry is
// refused with who took it and when; the clerk who took it may open it again until it has
// become a dossier. An entry whose day is over is refused as expired.
func (s *Store) ClaimHandoff(ctx context.Context, actor domain.Staff, ref string) (domain.Handoff, error) {
	if !actor.Role.Can(domain.PermIntake) {
		return domain.Handoff{}, denied("tiếp nhận hồ sơ")
	}
	cfg := s.Config()
	var h domain.Handoff
	fresh := false
	err := s.tx(ctx, "handoff claim", func(tx *sql.Tx) error {
		fresh = false
		now := s.now()
		id, err := s.handoffRef(ctx, tx, ref, now)
		if err != nil {
			return err
		}
		evs, err := streamEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		cur := domain.FoldHandoff(evs)
		again, err := cur.CheckClaim(actor.Username, cfg.DeviceID, now)
		if err != nil || again {
			h = cur // again: the clerk who holds it opens it again, nothing new to record
			return err
		}
		h, err = s.appendHandoff(ctx, tx, actor, id, domain.EvHandoffClaimed, domain.HandoffClaimedPayload{Number: cur.Number})
		fresh = err == nil
		return err
	})
	if err != nil {
		return domain.Handoff{}, err
	}
	if fresh {
		s.written()
	}
	return h, nil
}

// handoffRef resolves what the clerk typed or scanned to an entry's id.
func (s *Store) handoffRef(ctx context.Context, q interface {
	queryer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, ref string, now time.Time) (string, error) {
	id, number, _, ok := domain.ParseHandoffRef(ref)
	if id != "" {
		err := q.QueryRowContext(ctx, `SELECT id FROM handoffs WHERE id = ?`, id).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", &domain.RuleError{Code: "handoff.not_found", Kind: domain.ErrNotFound,
				Msg: "Mã QR này không phải của tờ khai nào trong hàng chờ (có thể máy chưa đồng bộ kịp): hãy nhập số phiếu."}
		}
		return id, err
	}
	if !ok {
		return "", &domain.RuleError{Code: "handoff.number", Kind: domain.ErrInvalid,
			Msg: "Số phiếu gồm chữ H và 4 chữ số, ví dụ H-1017: hãy nhập lại."}
	}
	day := domain.HandoffDay(now)
	rows, err := q.QueryContext(ctx, `SELECT id FROM handoffs WHERE day = ? AND number = ?`, day, number)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch len(ids) {
	case 0:
		return "", &domain.RuleError{Code: "handoff.not_found", Kind: domain.ErrNotFound, Msg: fmt.Sprintf(
			"Hôm nay chưa có tờ khai số %s trong hàng chờ (có thể máy chưa đồng bộ kịp): hãy kiểm tra lại số trên phiếu.", number)}
	case 1:
		return ids[0], nil
	}
	return "", &domain.RuleError{Code: "handoff.ambiguous", Kind: domain.ErrConflict, Msg: fmt.Sprintf(
		"Có %d tờ khai cùng số %s hôm nay (hai máy trạm được cài cùng số máy): hãy quét mã QR trên phiếu hoặc chọn trong danh sách.", len(ids), number)}
}

// Handoff reads one entry by its id.
func (s *Store) Handoff(ctx context.Context, id string) (domain.Handoff, error) {
	return handoffByID(ctx, s.r, id)
}

// Handoffs reads the queue at now: today's entries waiting and taken, and those of the last
// days that expired unclaimed or hold a conflict.
func (s *Store) Handoffs(ctx context.Context, now time.Time) (query.HandoffQueue, error) {
	var out query.HandoffQueue
	today := domain.HandoffDay(now)
	since := domain.HandoffDay(now.AddDate(0, 0, -handoffExpiredDays))
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM handoffs WHERE day >= ? ORDER BY prepared_at, number`, since)
	if err != nil {
		return out, fmt.Errorf("handoffs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc string
		var h domain.Handoff
		if err := rows.Scan(&doc); err != nil {
			return out, err
		}
		if err := json.Unmarshal([]byte(doc), &h); err != nil {
			return out, err
		}
		if len(h.Conflicts) > 0 {
			out.Conflicts = append([]domain.Handoff{h}, out.Conflicts...)
		}
		switch {
		case h.Expired(now):
			out.Expired = append([]domain.Handoff{h}, out.Expired...)
		case h.Day != today:
		case h.Claimed():
			out.Claimed = append([]domain.Handoff{h}, out.Claimed...)
		default:
			out.Waiting = append(out.Waiting, h)
		}
	}
	return out, rows.Err()
}

func handoffByID(ctx context.Context, q queryer, id string) (domain.Handoff, error) {
	v, ok, err := projected[domain.Handoff](ctx, q, "handoffs", id)
	if err == nil && !ok {
		err = fmt.Errorf("tờ khai chuyển quầy %s: %w", id, domain.ErrNotFound)
	}
	return v, err
}

// projectHandoff folds an entry's events into the handoffs table.
func (s *Store) projectHandoff(ctx context.Context, tx *sql.Tx, streamID string) error {
	evs, err := streamEvents(ctx, tx, streamID)
	if err != nil {
		return err
	}
	h := domain.FoldHandoff(evs)
	if h.ID == "" {
		return nil // its opening event has not arrived yet
	}
	doc, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO handoffs(id, number, day, prepared_at, prepared_by, applicant, id_number, procedure_code,
			claimed_at, claimed_by, dossier_id, conflicts, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET number = excluded.number, day = excluded.day, prepared_at = excluded.prepared_at,
			prepared_by = excluded.prepared_by, applicant = excluded.applicant, id_number = excluded.id_number,
			procedure_code = excluded.procedure_code, claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by,
			dossier_id = excluded.dossier_id, conflicts = excluded.conflicts, doc = excluded.doc`,
		h.ID, h.Number, h.Day, h.PreparedAt.UnixMilli(), h.PreparedBy, h.Applicant.Name, h.Applicant.IDNumber, h.Procedure.Code,
		ms(h.ClaimedAt), h.ClaimedBy, h.DossierID, len(h.Conflicts), string(doc))
	return err
}

// receivedFromHandoff checks, inside Receive's transaction, that the entry an intake came
// from is the one this clerk claimed here and not yet a dossier; it returns its number.
func (s *Store) receivedFromHandoff(ctx context.Context, tx *sql.Tx, actor domain.Staff, id string) (domain.Handoff, error) {
	evs, err := streamEvents(ctx, tx, id)
	if err != nil {
		return domain.Handoff{}, err
	}
	h := domain.FoldHandoff(evs)
	return h, h.CheckIntake(actor.Username, s.Config().DeviceID)
}

// linkHandoff records, inside Receive's transaction, the dossier an entry became.
func (s *Store) linkHandoff(ctx context.Context, tx *sql.Tx, actor domain.Staff, id string, d domain.Dossier) error {
	e, err := s.newStreamEvent(actor, domain.StreamHandoff, id, domain.EvHandoffReceived, domain.HandoffReceivedPayload{DossierID: d.ID, Code: d.Code})
	if err != nil {
		return err
	}
	return s.appendStream(ctx, tx, e)
}

// appendHandoff records one event of an entry inside the caller's transaction and reads the
// entry back as it now folds.
func (s *Store) appendHandoff(ctx context.Context, tx *sql.Tx, actor domain.Staff, id string, typ domain.EventType, p any) (domain.Handoff, error) {
	e, err := s.newStreamEvent(actor, domain.StreamHandoff, id, typ, p)
	if err != nil {
		return domain.Handoff{}, err
	}
	if err := s.appendStream(ctx, tx, e); err != nil {
		return domain.Handoff{}, err
	}
	return handoffByID(ctx, tx, id)
}

// bumpHandoffCounter keeps this workstation's hand-off numbering past a number of its own
// that comes back from elsewhere (its events pulled again after a restore).
func (s *Store) bumpHandoffCounter(ctx context.Context, tx *sql.Tx, e domain.Event) error {
	var p domain.HandoffPreparedPayload
	if json.Unmarshal(e.Payload, &p) != nil {
		return nil
	}
	slot, n, ok := domain.HandoffSlot(p.Number)
	cfg := s.Config()
	if !ok || e.Unit != cfg.UnitCode || slot != cfg.Slot {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, ?)
		ON CONFLICT(prefix) DO UPDATE SET last = MAX(last, excluded.last)`, domain.HandoffDayPrefix(cfg.UnitCode, e.At, slot), n)
	return err
}

// ReleaseHandoff gives an entry this clerk took here back to the queue (the intake was left
// without saving), so another counter can take it. Releasing an entry not held here, or one
// already a dossier, is refused and writes nothing.
func (s *Store) ReleaseHandoff(ctx context.Context, actor domain.Staff, id string) (domain.Handoff, error) {
	if !actor.Role.Can(domain.PermIntake) {
		return domain.Handoff{}, denied("tiếp nhận hồ sơ")
	}
	var h domain.Handoff
	err := s.tx(ctx, "handoff release", func(tx *sql.Tx) error {
		cur, err := handoffByID(ctx, tx, id)
		if err != nil {
			return err
		}
		h, err = s.appendHandoff(ctx, tx, actor, id, domain.EvHandoffReleased, domain.HandoffReleasedPayload{Number: cur.Number})
		return err
	})
	if err != nil {
		return domain.Handoff{}, err
	}
	s.written()
	return h, nil
}
