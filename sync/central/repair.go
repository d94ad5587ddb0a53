package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"

	"motcua/domain"
)

// ClockRepair is what RepairClocks moved: each event taken out of the log and why, and the
// clock before and after.
type ClockRepair struct {
	Events      []domain.Event
	Reasons     []string
	ClockBefore domain.HLC
	ClockAfter  domain.HLC
}

// RepairClocks finds stored events whose clock is out of bounds (more than
// domain.ClockAhead past the city's clock, or before 2020) — accepted before the bounds
// existed — moves each whole into the quarantine table with the reason, refolds the dossiers
// they touched, and brings the city's clock back to the latest event left. Workstations that
// pulled such events quarantine them themselves (motcua repair-clocks).
func (c *Central) RepairClocks(ctx context.Context) (ClockRepair, error) {
	var rep ClockRepair
	rep.ClockBefore = c.clock.Last()
	now := c.now()
	b := domain.ClockBounds(now)
	err := c.db.tx(ctx, "repair clocks", func(tx *sql.Tx) error {
		rep.Events, rep.Reasons = nil, nil
		// The physical part of an hlc is its value shifted right by 16 bits; compare
		// the hlc itself with the bounds shifted left (no arithmetic on the column).
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
			WHERE hlc >= ? OR hlc < ? OR at > ? OR at < ? ORDER BY seq`,
			b.HLCAbove, b.HLCBelow, b.AtAbove, b.AtBelow)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			rep.Events = append(rep.Events, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		streams := map[string]bool{}
		others := map[string]string{} // feedback and visit streams touched: id → stream
		for _, e := range rep.Events {
			reason := "Thời điểm của sự kiện nằm ngoài giới hạn."
			if err := domain.CheckClock(e, now, 0); err != nil {
				reason = err.Error()
			}
			rep.Reasons = append(rep.Reasons, reason)
			raw, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine(id, event, reason, at) VALUES (?, ?, ?, ?)`, e.ID, string(raw), reason, now.UnixMilli()); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id = ?`, e.ID); err != nil {
				return err
			}
			if e.Stream == domain.StreamDossier {
				streams[e.StreamID] = true
			} else {
				others[e.StreamID] = e.Stream
			}
		}
		f, err := newFolder(ctx, tx, now)
		if err != nil {
			return err
		}
		defer f.close()
		for sid := range streams {
			d, err := f.fold(ctx, sid)
			if err != nil {
				return err
			}
			if d.ID == "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM dossiers WHERE id = ?`, sid); err != nil {
					return err
				}
				continue
			}
			if err := f.projectAll(ctx, []domain.Dossier{d}); err != nil {
				return err
			}
		}
		for sid, stream := range others {
			if err := f.refoldStream(ctx, stream, sid); err != nil {
				return err
			}
		}
		h, err := maxHLC(ctx, tx)
		if err != nil {
			return err
		}
		c.clock.Reset(h)
		rep.ClockAfter = h
		return nil
	})
	return rep, err
}

// Print writes the report for the operator, in Vietnamese.
func (r ClockRepair) Print(w io.Writer) {
	if len(r.Events) == 0 {
		fmt.Fprintf(w, "Không có sự kiện nào có thời điểm ngoài giới hạn. Đồng hồ máy chủ: %s.\n", r.ClockAfter.Time().In(domain.VN()).Format("15:04:05 02/01/2006"))
		return
	}
	fmt.Fprintf(w, "Đã cách ly %d sự kiện có thời điểm ngoài giới hạn (bảng quarantine):\n", len(r.Events))
	for i, e := range r.Events {
		fmt.Fprintf(w, "  %s  %s  hồ sơ %s  máy %s: %s\n", e.ID, e.Type, e.StreamID, e.Device, r.Reasons[i])
	}
	if r.ClockBefore > 0 && r.ClockBefore != r.ClockAfter {
		fmt.Fprintf(w, "Đồng hồ máy chủ: trước %s, sau %s.\n", hlcText(r.ClockBefore), hlcText(r.ClockAfter))
	} else {
		fmt.Fprintf(w, "Đồng hồ máy chủ theo sự kiện mới nhất còn lại: %s.\n", hlcText(r.ClockAfter))
	}
}

func hlcText(h domain.HLC) string {
	t := h.Time()
	if t.Year() > 9999 || h <= 0 {
		return fmt.Sprintf("%d (không hợp lệ)", int64(h))
	}
	return t.In(domain.VN()).Format("15:04:05 02/01/2006")
}
