package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"motcua/domain"
)

// Reports read the projection's columns, never the whole dossier document, except for the
// few rows whose columns cannot tell (see reportColumns), and only the dossiers that can
// matter to the period: received before its end and either received inside it, still
// open, or finished or closed at or after its start.
//
// The fast plan needs the indexes of migration 0003_report_indexes.sql: one covering index
// led by received_at for the dossiers received in the period, and one per end time
// (result, return, closure) to find those received earlier that were still open at its
// start. Without them (a database restored by an older build) the same answer comes from
// one scan of the table.

// reportIndexNames are the indexes the fast plan relies on.
var reportIndexNames = []string{"dossiers_report", "dossiers_result_at", "dossiers_returned_at", "dossiers_closed_at"}

// reportColumns are read for every candidate row. The projection's received_at holds the
// online registration time for a dossier never accepted, which a report must not count
// as received: only a dossier refused, withdrawn, stopped or waiting for a supplement
// (domain.Status.MayBeUnaccepted) can be in that state, so for those rows alone the
// document says whether it was accepted. For a dossier waiting for a supplement it also
// gives when the clock stopped.
var reportColumns = `status, channel, field_code, received_at, due_at, result_at, returned_at, closed_at, assisted, digitized, e_result,
	CASE WHEN status IN ` + sqlMaybeUnaccepted + ` THEN json_extract(doc, '$.received_at') END,
	CASE WHEN status = ` + sqlSupplement + ` THEN json_extract(doc, '$.supplements[#-1].requested_at') END`

// The candidate dossiers of a period [?1, ?2), as disjoint parts each forced onto its
// index (without statistics the planner would take the status index for the resolved
// dossiers, which is nearly all of them).
var reportIndexedQuery = `
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_report WHERE received_at >= ?1 AND received_at < ?2 AND status <> ` + sqlRegistered + `
UNION ALL
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_status_due WHERE status IN ` + sqlOpen + ` AND received_at < ?1
UNION ALL
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_result_at WHERE result_at >= ?1 AND received_at < ?1 AND status IN ` + sqlResolved + `
UNION ALL
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_returned_at WHERE returned_at >= ?1 AND received_at < ?1 AND status IN ` + sqlResolved + `
	AND (result_at IS NULL OR result_at < ?1)
UNION ALL
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_closed_at WHERE closed_at >= ?1 AND received_at < ?1 AND status IN ` + sqlClosedUnresolved

// reportWaitingQuery adds, when dossiers count as resolved only once handed back, the
// results received before the period that were still waiting at the counter at its start.
var reportWaitingQuery = `
UNION ALL
SELECT ` + reportColumns + ` FROM dossiers INDEXED BY dossiers_status_due WHERE status = ` + sqlResultReady + ` AND received_at < ?1 AND result_at < ?1
	AND returned_at IS NULL`

// reportScanQuery is the same selection in one pass over the table.
var reportScanQuery = `
SELECT ` + reportColumns + ` FROM dossiers NOT INDEXED
WHERE received_at < ?2 AND status <> ` + sqlRegistered + ` AND (received_at >= ?1 OR status IN ` + sqlOpen + `
	OR (status IN ` + sqlResolved + ` AND (result_at >= ?1 OR returned_at >= ?1)) OR (status IN ` + sqlClosedUnresolved + ` AND closed_at >= ?1)
	OR (?3 AND status = ` + sqlResultReady + ` AND returned_at IS NULL))`

// hasReportIndexes reports whether the fast plan's indexes exist.
func (s *Store) hasReportIndexes(ctx context.Context) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?, ?)`,
		reportIndexNames[0], reportIndexNames[1], reportIndexNames[2], reportIndexNames[3]).Scan(&n)
	return n == len(reportIndexNames), err
}

// ScanReportFacts calls fn with the report facts of every dossier that can matter to the
// period under the finish rule (a superset: domain.ReportBuilder ignores the rest).
// progress, when not nil, is called every 10,000 rows with the count so far.
func (s *Store) ScanReportFacts(ctx context.Context, p domain.Period, finish domain.FinishRule, fn func(domain.ReportFacts), progress func(rows int)) error {
	fast, err := s.hasReportIndexes(ctx)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	q := reportScanQuery
	if fast {
		q = reportIndexedQuery
		if finish == domain.FinishAtReturn {
			q += reportWaitingQuery
		}
	}
	rows, err := s.r.QueryContext(ctx, q, p.Start().UnixMilli(), p.End().UnixMilli(), finish == domain.FinishAtReturn)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for _, f := range s.Catalogue().Fields() {
		names[f.Code] = f.Name
	}
	var (
		f                                     domain.ReportFacts
		recv, due, result, returned, closedAt sql.NullInt64
		docReceived, pausedSince              sql.NullString
		n                                     int
	)
	for rows.Next() {
		if err := rows.Scan(&f.Status, &f.Channel, &f.FieldCode, &recv, &due, &result, &returned, &closedAt,
			&f.Assisted, &f.Digitized, &f.EResult, &docReceived, &pausedSince); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		f.ReceivedAt, f.DueAt, f.ResultAt = fromMS(recv), fromMS(due), fromMS(result)
		f.ReturnedAt, f.ClosedAt = fromMS(returned), fromMS(closedAt)
		f.PausedSince = time.Time{}
		switch f.Status {
		case domain.StatusRefused, domain.StatusSupplement, domain.StatusWithdrawn, domain.StatusStopped:
			f.ReceivedAt = jsonTime(docReceived)
			f.PausedSince = jsonTime(pausedSince)
		}
		name, ok := names[f.FieldCode]
		if !ok {
			if name, err = s.fieldName(ctx, f.FieldCode); err != nil {
				return err
			}
			names[f.FieldCode] = name
		}
		f.Field = name
		fn(f)
		n++
		if progress != nil && n%10000 == 0 {
			progress(n)
		}
		if n%10000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if progress != nil {
		progress(n)
	}
	return nil
}

// jsonTime reads a time the dossier document holds (RFC 3339; Go writes the zero time
// as year 1).
func jsonTime(v sql.NullString) time.Time {
	if !v.Valid || v.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v.String)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t.UTC()
}

// fieldName names a field the catalogue no longer lists, from a dossier received under it.
func (s *Store) fieldName(ctx context.Context, code string) (string, error) {
	var name sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT json_extract(doc, '$.procedure.field') FROM dossiers WHERE field_code = ? LIMIT 1`, code).Scan(&name)
	if err != nil && err != sql.ErrNoRows {
		return "", fmt.Errorf("report: field %s: %w", code, err)
	}
	return strings.TrimSpace(name.String), nil
}

// reportOptions fills in the catalogue's field order.
func (s *Store) reportOptions(opt domain.ReportOptions) domain.ReportOptions {
	if opt.Fields == nil {
		opt.Fields = s.Catalogue().Fields()
	}
	return opt
}

// Report computes Biểu II.06a and the dashboard's indicators for a period. The calendar
// and the field order default to the store's.
func (s *Store) Report(ctx context.Context, p domain.Period, opt domain.ReportOptions, progress func(rows int)) (domain.II06a, domain.Indicators, error) {
	b := domain.NewReportBuilder(p, s.reportOptions(opt))
	if err := s.ScanReportFacts(ctx, p, opt.Finish, b.Add, progress); err != nil {
		return domain.II06a{}, domain.Indicators{}, err
	}
	return b.II06a(), b.Indicators(), nil
}

// Indicators computes only the dashboard's ratios for a period.
func (s *Store) Indicators(ctx context.Context, p domain.Period) (domain.Indicators, error) {
	_, ind, err := s.Report(ctx, p, domain.ReportOptions{}, nil)
	return ind, err
}

// periodDossiers unmarshals the documents a query selects, with progress (done, total).
func (s *Store) periodDossiers(ctx context.Context, op, where string, p domain.Period, progress func(done, total int)) ([]domain.Dossier, error) {
	args := []any{p.Start().UnixMilli(), p.End().UnixMilli()}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers WHERE `+where, args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM dossiers WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	out := make([]domain.Dossier, 0, total)
	var doc []byte
	for rows.Next() {
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		var d domain.Dossier
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, d)
		if len(out)%2000 == 0 {
			if progress != nil {
				progress(len(out), total)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if progress != nil {
		progress(len(out), max(total, len(out)))
	}
	return out, nil
}

// TrackingBook returns the tracking book (Mẫu 07) of a period: the dossiers received in it.
func (s *Store) TrackingBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.TrackingEntry, error) {
	ds, err := s.periodDossiers(ctx, "tracking book", `received_at >= ?1 AND received_at < ?2 AND status <> `+sqlRegistered, p, progress)
	if err != nil {
		return nil, err
	}
	return domain.TrackingBook(p, ds), nil
}

// ReturnBook returns the electronic result-return book of a period: the results handed back in it.
func (s *Store) ReturnBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.ReturnEntry, error) {
	ds, err := s.periodDossiers(ctx, "return book", `returned_at >= ?1 AND returned_at < ?2`, p, progress)
	if err != nil {
		return nil, err
	}
	return domain.ReturnBook(p, ds), nil
}
