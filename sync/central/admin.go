package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// dossierByCode finds the one dossier with a code (in unit, when given). A code held by
// dossiers of several units is ambiguous: the operator must say which unit.
func (c *Central) dossierByCode(ctx context.Context, code, unit string) (string, error) {
	q, args := `SELECT id, unit FROM dossiers WHERE ma_ho_so = ?`, []any{code}
	if unit != "" {
		q, args = q+` AND unit = ?`, append(args, unit)
	}
	rows, err := c.db.r.QueryContext(ctx, q+` LIMIT 10`, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var id string
	var units, ids []string
	distinct := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return "", err
		}
		units, ids = append(units, u), append(ids, id)
		distinct[u] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("hồ sơ %s: %w", code, domain.ErrNotFound)
	case len(distinct) > 1:
		return "", invalid(fmt.Sprintf("Mã hồ sơ %s có ở nhiều đơn vị (%s); hãy chỉ rõ đơn vị (--unit).", code, strings.Join(units, ", ")))
	case len(ids) > 1:
		// Left by an older server: two dossiers of one unit with one code.
		return "", invalid(fmt.Sprintf("Mã hồ sơ %s được dùng cho %d hồ sơ của đơn vị %s (%s); hãy chỉ rõ hồ sơ (--dossier).", code, len(ids), units[0], strings.Join(ids, ", ")))
	}
	return id, nil
}

// Record stamps and stores a processing-side event recorded at the city (forwarded,
// progress, result ready, refused, code assigned…) so that pull carries it to the unit's
// counters. It must be allowed by the dossier's state as the city sees it now.
func (c *Central) Record(ctx context.Context, req api.AdminEventRequest) (domain.Event, domain.Dossier, error) {
	typ := domain.EventType(strings.TrimSpace(req.Type))
	if !strings.Contains(string(typ), ".") {
		typ = "dossier." + typ
	}
	actor := strings.TrimSpace(req.Actor)
	if actor == "" {
		actor = "tp.operator"
	}
	if !storable(actor, req.DossierID, req.Code, req.Unit) {
		return domain.Event{}, domain.Dossier{}, invalid("Yêu cầu chứa ký tự không hợp lệ (ký tự NUL hoặc chuỗi UTF-8 hỏng).")
	}
	payload := req.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	if !json.Valid(payload) {
		return domain.Event{}, domain.Dossier{}, invalid("Nội dung (payload) không phải JSON hợp lệ.")
	}
	id := strings.TrimSpace(req.DossierID)
	if id == "" {
		code := strings.ToUpper(strings.TrimSpace(req.Code))
		if code == "" {
			return domain.Event{}, domain.Dossier{}, invalid("Vui lòng cho biết mã hồ sơ hoặc mã định danh hồ sơ.")
		}
		var err error
		if id, err = c.dossierByCode(ctx, code, strings.ToUpper(strings.TrimSpace(req.Unit))); err != nil {
			return domain.Event{}, domain.Dossier{}, err
		}
	}
	var e domain.Event
	var d domain.Dossier
	err := c.db.tx(ctx, "record", func(tx *sql.Tx) error {
		// Another process (the CLI or the server) may have stored events since this clock
		// last looked: order after all of them.
		h, err := maxHLC(ctx, tx)
		if err != nil {
			return err
		}
		c.clock.Observe(h)
		// The dossier's unit's feed has one writer at a time (see lockFeed), from before
		// its events are read, so the rules below judge every event stored before this one.
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT unit FROM events WHERE stream_id = ? LIMIT 1`, id).Scan(&owner); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := c.db.lockFeed(ctx, tx, owner); err != nil {
			return err
		}
		f, err := newFolder(ctx, tx, c.now())
		if err != nil {
			return err
		}
		defer f.close()
		rows, err := f.load.QueryContext(ctx, id)
		if err != nil {
			return err
		}
		var evs []domain.Event
		for rows.Next() {
			ev, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, ev)
		}
		rows.Close()
		cur := domain.Fold(evs)
		if cur.ID == "" {
			return fmt.Errorf("hồ sơ %s: %w", id, domain.ErrNotFound)
		}
		e = domain.Event{ID: c.newID(), Stream: domain.StreamDossier, StreamID: id, Type: typ, Version: 1, Payload: payload,
			Actor: actor, Device: CentralDevice, Unit: cur.Unit, At: c.now().UTC().Truncate(time.Millisecond), HLC: c.clock.Now()}
		if err := e.Check(); err != nil {
			return invalid(err.Error())
		}
		if err := e.CheckLimits(); err != nil {
			return err
		}
		if _, err := domain.DecodePayload(e); err != nil {
			return invalid("Nội dung sự kiện không hợp lệ: " + err.Error())
		}
		if err := cur.Check(e); err != nil {
			return err
		}
		if e.Type == domain.EvCodeAssigned {
			var p domain.CodeAssignedPayload
			if err := json.Unmarshal(e.Payload, &p); err == nil && p.Code != "" {
				var other string
				err := tx.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE unit = ? AND ma_ho_so = ? AND id <> ?`, cur.Unit, p.Code, id).Scan(&other)
				if err == nil {
					return conflict(fmt.Sprintf("Mã hồ sơ %s đã được dùng cho một hồ sơ khác của đơn vị %s.", p.Code, cur.Unit))
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}
		e.Sign(c.key, "")
		if _, err := tx.ExecContext(ctx, `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload),
			e.Actor, e.Device, e.Unit, e.At.UnixMilli(), int64(e.HLC), e.Sig, e.SigBy, c.now().UnixMilli()); err != nil {
			return err
		}
		if err := f.refold(ctx, id); err != nil {
			return err
		}
		d = domain.Fold(append(evs, e))
		return nil
	})
	return e, d, err
}
