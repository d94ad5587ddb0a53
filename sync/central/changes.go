package central

import (
	"context"
	"fmt"
	"strings"

	"motcua/domain"
	"motcua/internal/sqlitex"
	"motcua/sync/api"
)

// Changes returns the next page of events of the device's unit that the device did not
// author, in server order, after cursor ("" = from the start). The cursor is opaque to the
// client: "<epoch>.<seq>", so a cursor from another database is answered with errGone.
func (c *Central) Changes(ctx context.Context, dev Device, cursor string, limit int) (api.ChangesResponse, error) {
	return c.ChangesOwn(ctx, dev, cursor, limit, false)
}

// ChangesOwn is Changes that, with own, also returns the device's own events: a workstation
// restored from a backup asks for them once, to get back what it pushed after the backup.
func (c *Central) ChangesOwn(ctx context.Context, dev Device, cursor string, limit int, own bool) (api.ChangesResponse, error) {
	after, err := c.parseCursor(cursor)
	if err != nil {
		return api.ChangesResponse{}, err
	}
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, 5000)
	// One read transaction: the page and the high-water marks come from the same snapshot.
	tx, err := c.db.r.BeginTx(ctx, c.db.readTx())
	if err != nil {
		return api.ChangesResponse{}, err
	}
	defer tx.Rollback()
	// top: the unit's last event in this snapshot. The cursor never moves past it, so an
	// event of the unit committed later is never skipped: the unit's events are committed in
	// seq order (lockFeed), while another unit's seq may be taken now and committed later.
	var top, highest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0), (SELECT COALESCE(MAX(seq), 0) FROM events) FROM events WHERE unit = ?`,
		dev.Unit).Scan(&top, &highest); err != nil {
		return api.ChangesResponse{}, err
	}
	if after > highest {
		return api.ChangesResponse{}, errGone
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`, seq FROM events WHERE unit = ? AND seq > ? AND (device <> ? OR ?) ORDER BY seq LIMIT ?`,
		dev.Unit, after, dev.ID, own, limit+1)
	if err != nil {
		return api.ChangesResponse{}, err
	}
	defer rows.Close()
	resp := api.ChangesResponse{Events: []domain.Event{}}
	var last int64
	size, maxSize := 0, c.pageLimit() // bytes too: a page of large events must not be huge
	for rows.Next() {
		var seq int64
		e, err := scanEvent(rows, &seq)
		if err != nil {
			return api.ChangesResponse{}, err
		}
		if len(resp.Events) == limit || len(resp.Events) > 0 && size+encodedSize(e) > maxSize {
			resp.More = true
			break
		}
		resp.Events = append(resp.Events, e)
		size += encodedSize(e)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return api.ChangesResponse{}, err
	}
	if !resp.More {
		// Nothing else for this device up to the snapshot's end: skip past its own events.
		last = max(top, after)
	}
	resp.Cursor = c.formatCursor(last)
	resp.ServerTime = c.now().UTC()
	return resp, nil
}

func (c *Central) formatCursor(seq int64) string { return fmt.Sprintf("%s.%d", c.epoch, seq) }

func (c *Central) parseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	epoch, seq, ok := strings.Cut(s, ".")
	if !ok || epoch != c.epoch {
		return 0, errGone
	}
	var n int64
	if _, err := fmt.Sscan(seq, &n); err != nil || n < 0 {
		return 0, errGone
	}
	return n, nil
}

// CursorSeq returns the server position a cursor stands for (tests and tools).
func CursorSeq(cursor string) int64 {
	_, seq, _ := strings.Cut(cursor, ".")
	var n int64
	fmt.Sscan(seq, &n)
	return n
}

// EventSeqs maps every stored event id to its server position (tests and tools).
func (c *Central) EventSeqs(ctx context.Context) (map[string]int64, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT id, seq FROM events`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

// Events returns every stored event in server order (tests and tools).
func (c *Central) Events(ctx context.Context) ([]domain.Event, error) {
	rows, err := c.db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	return sqlitex.ScanEvents(rows)
}
