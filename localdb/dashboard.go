package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"motcua/domain"
)

// The supervisor's dashboard: what happened today, what is open and late, who carries
// what, and how the centre did against its targets month by month. Every figure of one
// dashboard is read in one read transaction, so the parts agree with each other, and the
// counts that the queue can also show use the queue's own filters (same definitions).

// receivedCond selects the dossiers really accepted at the counter (see reportColumns:
// received_at holds the registration time of an online dossier never accepted, which
// can only be registered or in a status where domain.Status.MayBeUnaccepted; the
// document tells for the latter).
var receivedCond = `status <> ` + sqlRegistered + ` AND (status NOT IN ` + sqlMaybeUnaccepted +
	` OR COALESCE(json_extract(doc, '$.received_at'), '') > '0002')`

// Dashboard reads today's picture; overdueLimit bounds OverdueRows.
func (s *Store) Dashboard(ctx context.Context, overdueLimit int) (Dashboard, error) {
	now := s.now()
	v := now.In(domain.VN())
	day := time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, domain.VN())
	from, to := day.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli()
	out := Dashboard{Day: day, AsOf: now, ByStatus: map[domain.Status]int{}}
	fail := func(err error) (Dashboard, error) { return Dashboard{}, fmt.Errorf("dashboard: %w", err) }

	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()

	staff := map[string]*StaffLoad{}
	load := func(username string) *StaffLoad {
		l := staff[username]
		if l == nil {
			l = &StaffLoad{Username: username}
			staff[username] = l
		}
		return l
	}
	// perStaff runs a query of (username, count) rows and adds each count where set says.
	perStaff := func(q string, set func(l *StaffLoad, n int), args ...any) (int, error) {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		total := 0
		for rows.Next() {
			var who string
			var n int
			if err := rows.Scan(&who, &n); err != nil {
				return 0, err
			}
			set(load(who), n)
			total += n
		}
		return total, rows.Err()
	}

	if out.Received, err = perStaff(`SELECT received_by, COUNT(*) FROM dossiers
		WHERE received_at >= ? AND received_at < ? AND `+receivedCond+` GROUP BY received_by`,
		func(l *StaffLoad, n int) { l.Received += n }, from, to); err != nil {
		return fail(err)
	}
	if out.HandedOver, err = perStaff(`SELECT COALESCE(json_extract(doc, '$.hand_over.by'), ''), COUNT(*) FROM dossiers
		WHERE returned_at >= ? AND returned_at < ? GROUP BY 1`,
		func(l *StaffLoad, n int) { l.HandedOver += n }, from, to); err != nil {
		return fail(err)
	}
	if out.Visits, err = perStaff(`SELECT staff, COUNT(*) FROM visits WHERE at >= ? AND at < ? GROUP BY staff`,
		func(l *StaffLoad, n int) { l.Visits += n }, from, to); err != nil {
		return fail(err)
	}
	if _, err = perStaff(`SELECT received_by, COUNT(*) FROM dossiers WHERE status IN `+sqlOpen+` GROUP BY received_by`,
		func(l *StaffLoad, n int) { l.Open += n }); err != nil {
		return fail(err)
	}

	rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM dossiers WHERE status IN `+sqlNotFinal+` GROUP BY status`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var st domain.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return fail(err)
		}
		out.ByStatus[st] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}

	count := func(f QueueFilter) (int, error) {
		w, args := s.where(f)
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers d`+w, args...).Scan(&n)
		return n, err
	}
	if out.DueToday, err = count(QueueFilter{DueToday: true}); err != nil {
		return fail(err)
	}
	if out.Overdue, err = count(QueueFilter{Overdue: true}); err != nil {
		return fail(err)
	}
	if overdueLimit > 0 {
		w, args := s.where(QueueFilter{Overdue: true})
		rows, err := tx.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d`+w+` ORDER BY d.due_at, d.rid LIMIT ?`,
			append(args, overdueLimit)...)
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			r, err := scanQueueRow(rows)
			if err != nil {
				rows.Close()
				return fail(err)
			}
			out.OverdueRows = append(out.OverdueRows, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	}

	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM events WHERE sync_state = 0),
		(SELECT COUNT(*) FROM events WHERE sync_state = 2),
		(SELECT COUNT(*) FROM dossiers WHERE conflicts > 0)`).Scan(&out.Outbox, &out.Quarantined, &out.Conflicts); err != nil {
		return fail(err)
	}

	for _, l := range staff {
		out.Staff = append(out.Staff, *l)
	}
	sort.Slice(out.Staff, func(i, j int) bool {
		a, b := out.Staff[i], out.Staff[j]
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		if a.Received+a.HandedOver != b.Received+b.HandedOver {
			return a.Received+a.HandedOver > b.Received+b.HandedOver
		}
		return a.Username < b.Username
	})
	return out, nil
}

// MonthlyIndicators computes the indicators of each of the months calendar months that end
// with the month of last (Vietnam time), oldest first, in one pass over the dossiers: the
// candidates of the whole span include those of every month in it.
func (s *Store) MonthlyIndicators(ctx context.Context, last time.Time, months int) ([]domain.Indicators, error) {
	if months <= 0 {
		return nil, nil
	}
	v := last.In(domain.VN())
	end := time.Date(v.Year(), v.Month(), 1, 0, 0, 0, 0, domain.VN())
	first := end.AddDate(0, -(months - 1), 0)
	opt := s.reportOptions(domain.ReportOptions{})
	builders := make([]*domain.ReportBuilder, months)
	for i := range builders {
		start := first.AddDate(0, i, 0)
		p, err := domain.NewPeriod(start, start.AddDate(0, 1, -1))
		if err != nil {
			return nil, err
		}
		builders[i] = domain.NewReportBuilder(p, opt)
	}
	span, err := domain.NewPeriod(first, end.AddDate(0, 1, -1))
	if err != nil {
		return nil, err
	}
	add := func(f domain.ReportFacts) {
		for _, b := range builders {
			b.Add(f)
		}
	}
	if err := s.ScanReportFacts(ctx, span, domain.FinishAtResult, add, nil); err != nil {
		return nil, err
	}
	out := make([]domain.Indicators, months)
	for i, b := range builders {
		out[i] = b.Indicators()
	}
	return out, nil
}
