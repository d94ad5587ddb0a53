package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"motcua/domain"
	"motcua/domain/citizen"
)

// Get returns a dossier by id.
func (s *Store) Get(ctx context.Context, id string) (domain.Dossier, error) {
	return s.getBy(ctx, "id", id)
}

// ByCode returns a dossier by its code (as typed or scanned from a receipt's QR).
func (s *Store) ByCode(ctx context.Context, code string) (domain.Dossier, error) {
	return s.getBy(ctx, "code", strings.ToUpper(strings.TrimSpace(code)))
}

func (s *Store) getBy(ctx context.Context, col, v string) (domain.Dossier, error) {
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM dossiers WHERE `+col+` = ? ORDER BY last_hlc DESC LIMIT 1`, v).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Dossier{}, fmt.Errorf("hồ sơ %s: %w", v, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("get dossier: %w", err)
	}
	var d domain.Dossier
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return d, fmt.Errorf("get dossier %s: %w", v, err)
	}
	return d, nil
}

// QueueFilter selects dossiers for the queue. Zero values select everything.
type QueueFilter struct {
	Statuses      []domain.Status
	FieldCode     string
	ProcedureCode string
	DueBefore     time.Time // due strictly before
	DueToday      bool      // open and due today (Vietnam time)
	Overdue       bool      // open and past due
	Staff         string    // received by
	Sync          int       // 0 any, 1 waiting to sync, 2 quarantined
	Conflicts     bool      // with open conflicts
	Text          string    // search text (code, ID number, phone, name without diacritics)
}

// QueueRow is one line of the queue.
type QueueRow struct {
	ID            string
	Code          string
	Applicant     string
	IDNumber      string
	Phone         string
	ProcedureCode string
	ProcedureName string
	FieldCode     string
	Channel       domain.Channel
	Status        domain.Status
	ReceivedAt    time.Time
	DueAt         time.Time
	ReceivedBy    string
	Sync          int
	Conflicts     int
}

const queueColumns = `d.id, d.code, d.applicant, d.id_number, d.phone, d.procedure_code, d.procedure_name, d.field_code,
	d.channel, d.status, d.received_at, d.due_at, d.received_by, d.sync, d.conflicts`

func scanQueueRow(rows *sql.Rows) (QueueRow, error) {
	var r QueueRow
	var recv, due sql.NullInt64
	err := rows.Scan(&r.ID, &r.Code, &r.Applicant, &r.IDNumber, &r.Phone, &r.ProcedureCode, &r.ProcedureName, &r.FieldCode,
		&r.Channel, &r.Status, &recv, &due, &r.ReceivedBy, &r.Sync, &r.Conflicts)
	r.ReceivedAt, r.DueAt = fromMS(recv), fromMS(due)
	return r, err
}

// where builds the WHERE clause of a filter.
func (s *Store) where(f QueueFilter) (string, []any) {
	var conds []string
	var args []any
	now := s.now()
	openStatuses := "(2,4,5,6)"
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = "?"
			args = append(args, int(st))
		}
		conds = append(conds, "d.status IN ("+strings.Join(ph, ",")+")")
	}
	if f.FieldCode != "" {
		conds, args = append(conds, "d.field_code = ?"), append(args, f.FieldCode)
	}
	if f.ProcedureCode != "" {
		conds, args = append(conds, "d.procedure_code = ?"), append(args, f.ProcedureCode)
	}
	if !f.DueBefore.IsZero() {
		conds, args = append(conds, "d.due_at < ?"), append(args, f.DueBefore.UnixMilli())
	}
	if f.DueToday {
		day := now.In(domain.VN())
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, domain.VN())
		conds = append(conds, "d.status IN "+openStatuses+" AND d.due_at >= ? AND d.due_at < ?")
		args = append(args, start.UnixMilli(), start.AddDate(0, 0, 1).UnixMilli())
	}
	if f.Overdue {
		conds, args = append(conds, "d.status IN "+openStatuses+" AND d.due_at < ?"), append(args, now.UnixMilli())
	}
	if f.Staff != "" {
		conds, args = append(conds, "d.received_by = ?"), append(args, f.Staff)
	}
	if f.Sync != 0 {
		conds, args = append(conds, "d.sync = ?"), append(args, f.Sync)
	}
	if f.Conflicts {
		conds = append(conds, "d.conflicts > 0")
	}
	if q, exact := searchQuery(f.Text); exact != "" {
		conds = append(conds, "(d.code = ? OR d.id_number = ? OR d.phone = ?)")
		args = append(args, exact, exact, exact)
	} else if q != "" {
		conds = append(conds, "d.rid IN (SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH ?)")
		args = append(args, q)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Queue returns one page of the queue, sorted by due date (soonest first; dossiers without a
// due date last).
func (s *Store) Queue(ctx context.Context, f QueueFilter, offset, limit int) ([]QueueRow, error) {
	w, args := s.where(f)
	args = append(args, limit, offset)
	rows, err := s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d`+w+
		` ORDER BY d.due_at IS NULL, d.due_at, d.rid LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	defer rows.Close()
	out := make([]QueueRow, 0, limit)
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// QueueCount counts the dossiers a filter selects.
func (s *Store) QueueCount(ctx context.Context, f QueueFilter) (int, error) {
	w, args := s.where(f)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers d`+w, args...).Scan(&n)
	return n, err
}

// Search finds dossiers by code, ID number, phone or name/procedure without diacritics,
// most recently received first.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]QueueRow, error) {
	q, exact := searchQuery(text)
	if q == "" && exact == "" {
		return nil, nil
	}
	var rows *sql.Rows
	var err error
	if exact != "" {
		rows, err = s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d WHERE d.code = ?1 OR d.id_number = ?1 OR d.phone = ?1
			ORDER BY d.received_at DESC LIMIT ?2`, exact, limit)
	} else {
		rows, err = s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d
			WHERE d.rid IN (SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH ?) ORDER BY d.received_at DESC LIMIT ?`, q, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []QueueRow
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// searchQuery turns what a clerk typed into either an exact value (a whole dossier code, ID
// number or phone number, answered from an index) or an FTS5 query of prefix terms.
func searchQuery(text string) (fts, exact string) {
	text = citizen.NormaliseText(text)
	if text == "" {
		return "", ""
	}
	if c, err := domain.ParseDossierCode(text); err == nil {
		return "", c.String()
	}
	compact := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(text)
	if isDigits(compact) && (len(compact) == 12 || len(compact) == 9) {
		return "", compact
	}
	if p, err := citizen.NormalisePhone(text); err == nil {
		return "", p
	}
	folded := citizen.Fold(text)
	var terms []string
	for _, tok := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+tok+`"*`)
	}
	if len(terms) == 0 {
		return "", ""
	}
	return strings.Join(terms, " "), ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// TimelineEntry is one event of a dossier as the detail screen shows it.
type TimelineEntry struct {
	Event     domain.Event
	Local     bool
	SyncState int
	Reason    string // why it was quarantined
	Conflict  *domain.Conflict
}

// Timeline returns a dossier's events in fold order with their sync state.
func (s *Store) Timeline(ctx context.Context, id string) ([]TimelineEntry, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, local, sync_state, sync_reason FROM events WHERE stream_id = ? ORDER BY hlc, device, id`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		var t TimelineEntry
		e, err := scanEvent(rows, &t.Local, &t.SyncState, &t.Reason)
		if err != nil {
			return nil, err
		}
		t.Event = e
		for i := range d.Conflicts {
			if d.Conflicts[i].EventID == e.ID {
				c := d.Conflicts[i]
				t.Conflict = &c
			}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Stats are the store's counts.
type Stats struct {
	Dossiers     int            `json:"dossiers"`
	ByStatus     map[string]int `json:"by_status"`
	Events       int            `json:"events"`
	Outbox       int            `json:"outbox"`
	Quarantined  int            `json:"quarantined"`
	Conflicts    int            `json:"conflicts"`
	Files        int            `json:"files"`
	FilesWaiting int            `json:"files_waiting"`
}

// Stats counts dossiers by status, events, the outbox and files.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ByStatus: map[string]int{}}
	rows, err := s.r.QueryContext(ctx, `SELECT status, COUNT(*) FROM dossiers GROUP BY status ORDER BY status`)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	for rows.Next() {
		var status, n int
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.ByStatus[fmt.Sprint(status)] = n
		st.Dossiers += n
	}
	rows.Close()
	err = s.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM events),
		(SELECT COUNT(*) FROM events WHERE sync_state = 0),
		(SELECT COUNT(*) FROM events WHERE sync_state = 2),
		(SELECT COUNT(*) FROM dossiers WHERE conflicts > 0),
		(SELECT COUNT(*) FROM files),
		(SELECT COUNT(*) FROM files WHERE uploaded = 0)`).Scan(&st.Events, &st.Outbox, &st.Quarantined, &st.Conflicts, &st.Files, &st.FilesWaiting)
	return st, err
}

// ProcedureUsage counts dossiers per procedure received since a time, so pickers can put
// the procedures a counter handles most at the top.
func (s *Store) ProcedureUsage(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT procedure_code, COUNT(*) FROM dossiers WHERE received_at >= ? GROUP BY procedure_code`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("procedure usage: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}
