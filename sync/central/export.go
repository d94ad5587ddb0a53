package central

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"motcua/domain"
)

// ExportFilter selects the dossiers of an export: those whose city record changed at or
// after Since (zero: all), of one unit (empty: the whole city).
type ExportFilter struct {
	Unit  string
	Since time.Time
}

// exportPage is how many dossiers an export reads (and folds, and writes) at a time: the
// export holds one page, never the whole list.
var exportPage = 200

// ExportMargin is how far before an export's start its Until lies. A push folds its
// dossiers with the time it began and commits a moment later; an export that starts in
// between does not see the change yet, and the next export, starting from Until, must.
// A dossier in the margin is sent twice, which the receiver takes as the same record again.
const ExportMargin = time.Minute

// ExportUntil is the Since of the export after one starting now: a platform that asks
// again from there misses nothing (ExportMargin).
func (c *Central) ExportUntil() time.Time {
	return c.now().Add(-ExportMargin).UTC().Truncate(time.Millisecond)
}

// ExportPortal writes, as JSON lines (one PortalDossier a line, in the order they changed),
// every dossier f selects, reading them a page at a time, and returns how many it wrote.
// Take ExportUntil before calling it.
func (c *Central) ExportPortal(ctx context.Context, f ExportFilter, w io.Writer) (n int, err error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	unit := strings.ToUpper(strings.TrimSpace(f.Unit))
	var since int64
	if !f.Since.IsZero() {
		since = f.Since.UnixMilli()
	}
	afterAt, afterRID := since, int64(-1)
	for {
		q := `SELECT id, updated_at, rid FROM dossiers WHERE updated_at >= ? AND (updated_at > ? OR rid > ?)`
		args := []any{afterAt, afterAt, afterRID}
		if unit != "" {
			q, args = q+` AND unit = ?`, append(args, unit)
		}
		q += ` ORDER BY updated_at, rid LIMIT ?`
		args = append(args, exportPage)
		rows, err := c.db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return n, err
		}
		ids := make([]string, 0, exportPage)
		for rows.Next() {
			var id string
			if err := rows.Scan(&id, &afterAt, &afterRID); err != nil {
				rows.Close()
				return n, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		for _, id := range ids {
			d, err := c.Dossier(ctx, id)
			if err != nil {
				return n, fmt.Errorf("xuất hồ sơ %s: %w", id, err)
			}
			if err := enc.Encode(Portal(d)); err != nil {
				return n, err
			}
			n++
		}
		if err := bw.Flush(); err != nil {
			return n, err
		}
		if len(ids) < exportPage {
			return n, nil
		}
	}
}

// ParseSince reads the start of an export: RFC 3339 (2026-12-06T08:00:00+07:00), the
// portal's yyyyMMddHHmmss or a date yyyy-mm-dd (both in Vietnam's time), or empty (all).
func ParseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(portalDate, s, domain.VN()); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, domain.VN()); err == nil {
		return t, nil
	}
	return time.Time{}, invalid(fmt.Sprintf("Thời điểm %q không hợp lệ: dùng dạng 2026-12-06, 20261206080000 (giờ Việt Nam) hoặc 2026-12-06T08:00:00+07:00.", s))
}
