package central

import (
	"context"
	"fmt"
	"strings"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// Dossier returns the city's fold of a dossier. The projection table holds the columns
// lists and reports need; the whole dossier is folded from its events when asked for (the
// push path stays lean).
func (c *Central) Dossier(ctx context.Context, id string) (domain.Dossier, error) {
	if !storable(id) { // no stored id has such text (PostgreSQL would refuse the query)
		return domain.Dossier{}, fmt.Errorf("hồ sơ %s: %w", strings.ToValidUTF8(id, "?"), domain.ErrNotFound)
	}
	rows, err := c.db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY hlc, device, id`, id)
	if err != nil {
		return domain.Dossier{}, err
	}
	evs, err := sqlitex.ScanEvents(rows)
	if err != nil {
		return domain.Dossier{}, err
	}
	d := domain.Fold(evs)
	if d.ID == "" {
		return domain.Dossier{}, fmt.Errorf("hồ sơ %s: %w", id, domain.ErrNotFound)
	}
	return d, nil
}

// DossierFilter selects dossiers for GET /dossiers.
type DossierFilter struct {
	Unit   string
	Status domain.Status
	Code   string
	Limit  int
	Offset int
}

// Dossiers lists dossiers, most recently changed first.
func (c *Central) Dossiers(ctx context.Context, f DossierFilter) ([]domain.Dossier, error) {
	if !storable(f.Unit, f.Code) { // no stored unit or code has such text
		return []domain.Dossier{}, nil
	}
	var conds []string
	var args []any
	if f.Unit != "" {
		conds, args = append(conds, "unit = ?"), append(args, f.Unit)
	}
	if f.Status != 0 {
		conds, args = append(conds, "trang_thai = ?"), append(args, int(f.Status))
	}
	if f.Code != "" {
		conds, args = append(conds, "ma_ho_so = ?"), append(args, strings.ToUpper(f.Code))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 10000)
	q := `SELECT id FROM dossiers`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	q += ` ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := c.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]domain.Dossier, 0, len(ids))
	for _, id := range ids {
		d, err := c.Dossier(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
