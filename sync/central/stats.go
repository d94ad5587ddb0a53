package central

import (
	"context"
	"fmt"

	"motcua/sync/api"
)

// UnitStats is Stats for one unit: what a device of that unit may see of the city's
// figures (its dossiers, events, files and active devices), never another unit's.
func (c *Central) UnitStats(ctx context.Context, unit string) (api.StatsResponse, error) {
	st := api.StatsResponse{ByStatus: map[string]int{}, ByUnit: map[string]int{}}
	rows, err := c.db.r.QueryContext(ctx, `SELECT trang_thai, COUNT(*) FROM dossiers WHERE unit = ? GROUP BY trang_thai`, unit)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var status, n int
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.ByStatus[fmt.Sprint(status)] += n
		st.Dossiers += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if st.Dossiers > 0 {
		st.ByUnit[unit] = st.Dossiers
	}
	err = c.db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events WHERE unit = ?),
		(SELECT COUNT(*) FROM files WHERE device IN (SELECT id FROM devices WHERE unit = ?)),
		(SELECT COUNT(*) FROM devices WHERE active = 1 AND unit = ?)`, unit, unit, unit).Scan(&st.Events, &st.Files, &st.Devices)
	if err != nil {
		return st, err
	}
	return st, c.addStreamStats(ctx, &st, unit)
}

// Stats counts what the city holds.
func (c *Central) Stats(ctx context.Context) (api.StatsResponse, error) {
	st := api.StatsResponse{ByStatus: map[string]int{}, ByUnit: map[string]int{}}
	rows, err := c.db.r.QueryContext(ctx, `SELECT unit, trang_thai, COUNT(*) FROM dossiers GROUP BY unit, trang_thai`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var unit string
		var status, n int
		if err := rows.Scan(&unit, &status, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.ByStatus[fmt.Sprint(status)] += n
		st.ByUnit[unit] += n
		st.Dossiers += n
	}
	rows.Close()
	err = c.db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM files),
		(SELECT COUNT(*) FROM devices WHERE active = 1)`).Scan(&st.Events, &st.Files, &st.Devices)
	if err != nil {
		return st, err
	}
	return st, c.addStreamStats(ctx, &st, "")
}
