package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"motcua/domain"
	"motcua/domain/citizen"
)

// project writes a dossier's fold into the projection and the search index. waiting says
// whether the dossier now has local events not yet acknowledged.
func (s *Store) project(ctx context.Context, tx *sql.Tx, d domain.Dossier, waiting bool) error {
	if d.ID == "" {
		// Only events of a dossier that was never received (e.g. orphans whose opening
		// event has not arrived yet): nothing to show until it does.
		return nil
	}
	row, err := dossierRow(d, waiting)
	if err != nil {
		return err
	}
	wasOpen, err := s.wasOpen(ctx, tx, d.ID)
	if err != nil {
		return fmt.Errorf("project %s: %w", d.ID, err)
	}
	var rid int64
	err = tx.QueryRowContext(ctx, dossierUpsertSQL, row...).Scan(&rid)
	if err != nil {
		return fmt.Errorf("project %s: %w", d.ID, err)
	}
	f := searchFields(d)
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO dossier_fts(rowid, code, name, id_number, phone, procedure) VALUES (?, ?, ?, ?, ?, ?)`,
		rid, f[0], f[1], f[2], f[3], f[4]); err != nil {
		return fmt.Errorf("index %s: %w", d.ID, err)
	}
	switch {
	case d.Status.Open():
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO dossier_open_fts(rowid, code, name, id_number, phone, procedure) VALUES (?, ?, ?, ?, ?, ?)`,
			rid, f[0], f[1], f[2], f[3], f[4])
	case wasOpen:
		_, err = tx.ExecContext(ctx, `DELETE FROM dossier_open_fts WHERE rowid = ?`, rid)
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", d.ID, err)
	}
	return nil
}

// dossierColumns are the projection's columns, in the order of dossierRow. This list is the
// one writer of the projection: project upserts it one dossier at a time, the seed inserts
// it with prepared statements.
var dossierColumns = []string{"id", "code", "procedure_code", "procedure_name", "field_code", "applicant", "id_number", "phone", "channel", "status",
	"received_at", "due_at", "result_at", "returned_at", "closed_at", "received_by", "assisted", "digitized", "e_result", "conflicts", "sync", "last_hlc", "doc"}

// dossierRow is the projection's columns for a dossier, in the order of dossierColumns.
// waiting says whether the dossier has local events not yet acknowledged.
func dossierRow(d domain.Dossier, waiting bool) ([]any, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("project %s: %w", d.ID, err)
	}
	sync := 0
	if waiting {
		sync = 1
	}
	received := d.ReceivedAt
	if received.IsZero() {
		received = d.RegisteredAt
	}
	return []any{d.ID, d.Code, d.Procedure.Code, d.Procedure.Name, d.Procedure.FieldCode, d.Applicant.Name, d.Applicant.IDNumber, d.Applicant.Phone,
		int(d.Channel), int(d.Status), ms(received), ms(d.DueAt), ms(d.ResultAt), ms(d.ReturnedAt), ms(d.ClosedAt), d.ReceivedBy,
		d.Assisted, d.FullyDigitized(), d.EResult, len(d.OpenConflicts()), sync, int64(d.LastHLC), string(doc)}, nil
}

var (
	// dossierInsertSQL inserts one projection row.
	dossierInsertSQL = "INSERT INTO dossiers(" + strings.Join(dossierColumns, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(dossierColumns)), ", ") + ")"
	// dossierUpsertSQL inserts or replaces one projection row, keeping its rid (the search
	// index's rowid) and the sync flag at its highest: a refold does not clear "waiting".
	dossierUpsertSQL = func() string {
		set := make([]string, 0, len(dossierColumns))
		for _, c := range dossierColumns[1:] {
			if c == "sync" {
				set = append(set, "sync = MAX(dossiers.sync, excluded.sync)")
				continue
			}
			set = append(set, c+" = excluded."+c)
		}
		return dossierInsertSQL + " ON CONFLICT(id) DO UPDATE SET " + strings.Join(set, ", ") + " RETURNING rid"
	}()
)

// wasOpen says whether a dossier's projection, before this write, was in the index of
// open dossiers (dossier_open_fts).
func (s *Store) wasOpen(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var st int
	err := tx.QueryRowContext(ctx, `SELECT status FROM dossiers WHERE id = ?`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return domain.Status(st).Open(), err
}

// searchFields is what the search index holds for a dossier, folded to plain ASCII-ish
// lower case so "Nguyễn Thị Đào" is found by "nguyen thi dao".
func searchFields(d domain.Dossier) [5]string {
	names := []string{d.Applicant.Name}
	ids := []string{d.Applicant.IDNumber}
	phones := []string{d.Applicant.Phone}
	if d.Owner != nil {
		names = append(names, d.Owner.Name)
		ids = append(ids, d.Owner.IDNumber)
		phones = append(phones, d.Owner.Phone)
	}
	return [5]string{
		strings.ToLower(d.Code),
		citizen.Fold(strings.Join(names, " ")),
		strings.Join(ids, " "),
		strings.Join(phones, " "),
		citizen.Fold(d.Procedure.Name),
	}
}

// refold rebuilds a dossier's projection from all its stored events (after events from
// elsewhere arrived, which may order before local ones).
func (s *Store) refold(ctx context.Context, tx *sql.Tx, streamID string) (domain.Dossier, error) {
	evs, err := streamEvents(ctx, tx, streamID)
	if err != nil {
		return domain.Dossier{}, err
	}
	d := domain.Fold(evs)
	if err := s.project(ctx, tx, d, false); err != nil {
		return d, err
	}
	return d, s.updateSyncFlag(ctx, tx, streamID)
}

// updateSyncFlag recomputes a dossier's sync column from its events.
func (s *Store) updateSyncFlag(ctx context.Context, tx *sql.Tx, streamID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE dossiers SET sync = CASE
			WHEN EXISTS (SELECT 1 FROM events WHERE stream_id = ?1 AND sync_state = 2) THEN 2
			WHEN EXISTS (SELECT 1 FROM events WHERE stream_id = ?1 AND sync_state = 0) THEN 1
			ELSE 0 END
		WHERE id = ?1`, streamID)
	return err
}

// dropDossier removes a dossier's projection and its search entries (its events were all
// taken out of the log, e.g. quarantined by repair-clocks).
func (s *Store) dropDossier(ctx context.Context, tx *sql.Tx, rid int64, id string) error {
	for _, q := range []string{`DELETE FROM dossier_fts WHERE rowid = ?`, `DELETE FROM dossier_open_fts WHERE rowid = ?`, `DELETE FROM dossiers WHERE rid = ?`} {
		if _, err := tx.ExecContext(ctx, q, rid); err != nil {
			return fmt.Errorf("drop %s: %w", id, err)
		}
	}
	return nil
}
