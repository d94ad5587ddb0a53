package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
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

const queueColumns = `d.id, d.code, d.applicant, d.id_number, d.phone, d.procedure_code, d.procedure_name, d.field_code,
	d.channel, d.status, d.received_at, d.due_at, d.received_by, d.sync, d.conflicts, d.rid`

func scanQueueRow(rows *sql.Rows) (QueueRow, error) {
	var r QueueRow
	var recv, due sql.NullInt64
	err := rows.Scan(&r.ID, &r.Code, &r.Applicant, &r.IDNumber, &r.Phone, &r.ProcedureCode, &r.ProcedureName, &r.FieldCode,
		&r.Channel, &r.Status, &recv, &due, &r.ReceivedBy, &r.Sync, &r.Conflicts, &r.Key.RID)
	r.ReceivedAt, r.DueAt = fromMS(recv), fromMS(due)
	r.Key.Due = r.DueAt
	return r, err
}

func scanQueueRows(rows *sql.Rows, capacity int) ([]QueueRow, error) {
	defer rows.Close()
	out := make([]QueueRow, 0, capacity)
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// openStatuses are the statuses of a dossier still being worked on (domain.Status.Open;
// migration 0005 writes them out as 2, 4, 5, 6).
var openStatuses = func() []int {
	var out []int
	for _, st := range domain.AllStatuses() {
		if st.Open() {
			out = append(out, int(st))
		}
	}
	return out
}()

// statusIn is the SQL list of the statuses for which keep holds, such as "(2, 4, 5, 6)"
// for domain.Status.Open, so that queries name status sets by the domain's rule.
func statusIn(keep func(domain.Status) bool) string {
	var b strings.Builder
	for _, st := range domain.AllStatuses() {
		if keep(st) {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(int(st)))
		}
	}
	return "(" + b.String() + ")"
}

// statusSQL is one status as SQL.
func statusSQL(st domain.Status) string { return strconv.Itoa(int(st)) }

// Status sets the SQL names (see statusIn).
var (
	sqlRegistered  = statusSQL(domain.StatusRegistered)
	sqlSupplement  = statusSQL(domain.StatusSupplement)
	sqlResultReady = statusSQL(domain.StatusResultReady)
	sqlOpen        = statusIn(domain.Status.Open)
	sqlResolved    = statusIn(domain.Status.Resolved)
	// closed without a result: refused, withdrawn, stopped
	sqlClosedUnresolved = statusIn(func(s domain.Status) bool { return s.Final() && !s.Resolved() })
	// besides Registered, the statuses a dossier never accepted can be in
	sqlMaybeUnaccepted = statusIn(func(s domain.Status) bool { return s != domain.StatusRegistered && s.MayBeUnaccepted() })
	// a dossier not yet finished with: registered, open or its result waiting at the counter
	sqlNotFinal = statusIn(func(s domain.Status) bool { return !s.Final() })
)

// queueQuery is a filter turned into SQL. The plan matters at a million dossiers: every
// list is read in due-date order from an index whose leading columns the filter fixes
// (status; field or staff and status), one arm per status merged, so a page reads about
// its own 50 rows. A search text instead names its candidates (an exact code, ID number or
// phone from their indexes; at most TextMatchCap from the full-text index), which are
// then filtered and sorted; the other conditions are kept off the indexes (unary +) so
// that the planner does not walk a status index past a million rows to find them.
type queueQuery struct {
	statuses []int // nil: any
	none     bool  // the filter can select nothing
	conds    []string
	args     []any
	cands    string // a subquery of candidate rids (text search), "" without text
	candArgs []any
	ftsTable string // the search index the candidates come from
}

func (s *Store) queueQuery(f QueueFilter) queueQuery {
	var q queueQuery
	col := func(c string) string {
		if q.cands != "" {
			return "+d." + c
		}
		return "d." + c
	}
	if len(f.Statuses) > 0 {
		seen := map[int]bool{}
		for _, st := range f.Statuses {
			if !seen[int(st)] {
				seen[int(st)] = true
				q.statuses = append(q.statuses, int(st))
			}
		}
		sort.Ints(q.statuses)
	}
	if f.DueToday || f.Overdue {
		if q.statuses == nil {
			q.statuses = append([]int(nil), openStatuses...)
		} else {
			var both []int
			for _, st := range q.statuses {
				if slices.Contains(openStatuses, st) {
					both = append(both, st)
				}
			}
			q.statuses = both
			if len(both) == 0 {
				q.none = true
			}
		}
	}
	// Only dossiers being worked on: their own search index answers.
	q.ftsTable = "dossier_fts"
	if len(q.statuses) > 0 && !slices.ContainsFunc(q.statuses, func(st int) bool { return !domain.Status(st).Open() }) {
		q.ftsTable = "dossier_open_fts"
	}
	q.cands, q.candArgs = textCandidates(f.Text, q.ftsTable)
	add := func(cond string, args ...any) {
		q.conds = append(q.conds, cond)
		q.args = append(q.args, args...)
	}
	now := s.now()
	if f.FieldCode != "" {
		add(col("field_code")+" = ?", f.FieldCode)
	}
	if f.ProcedureCode != "" {
		add(col("procedure_code")+" = ?", f.ProcedureCode)
	}
	if !f.DueBefore.IsZero() {
		add(col("due_at")+" < ?", f.DueBefore.UnixMilli())
	}
	if f.DueToday {
		day := now.In(domain.VN())
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, domain.VN())
		add(col("due_at")+" >= ? AND "+col("due_at")+" < ?", start.UnixMilli(), start.AddDate(0, 0, 1).UnixMilli())
	}
	if f.Overdue {
		add(col("due_at")+" < ?", now.UnixMilli())
	}
	if f.Staff != "" {
		add(col("received_by")+" = ?", f.Staff)
	}
	if f.Sync != 0 {
		// The second term lets SQLite use the partial index dossiers_sync.
		add(col("sync")+" = ? AND "+col("sync")+" <> 0", f.Sync)
	}
	if f.Conflicts {
		add(col("conflicts") + " > 0")
	}
	return q
}

// textCandidates is the subquery of the rids a search text can match in a search index
// (dossier_fts or dossier_open_fts), "" without text.
func textCandidates(text, table string) (string, []any) {
	fts, exact := searchQuery(text)
	switch {
	case exact != "":
		// One index each; the terms on empty values let SQLite use the partial indexes.
		return `SELECT rid FROM dossiers WHERE code = ? UNION ALL SELECT rid FROM dossiers WHERE id_number = ? AND id_number <> ''
			UNION ALL SELECT rid FROM dossiers WHERE phone = ? AND phone <> ''`, []any{exact, exact, exact}
	case fts != "":
		return `SELECT rowid FROM ` + table + ` WHERE ` + table + ` MATCH ? ORDER BY rowid DESC LIMIT ?`, []any{fts, TextMatchCap}
	}
	return "", nil
}

// where is a filter's WHERE clause, for callers that count or list inside their own
// transaction (the dashboard).
func (s *Store) where(f QueueFilter) (string, []any) {
	q := s.queueQuery(f)
	if q.none {
		return " WHERE 0", nil
	}
	st, args := q.statusIn(q.col("status"))
	w, wargs := q.where()
	return " WHERE " + st + w, append(args, wargs...)
}

// where is the WHERE clause without the status (the caller adds it) and, for a keyed
// part, without the key.
func (q queueQuery) where(extra ...string) (string, []any) {
	conds := append([]string(nil), q.conds...)
	args := append([]any(nil), q.args...)
	if q.cands != "" {
		conds = append([]string{"d.rid IN (" + q.cands + ")"}, conds...)
		args = append(append([]any(nil), q.candArgs...), args...)
	}
	conds = append(conds, extra...)
	if len(conds) == 0 {
		return "", args
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// statusIn is the status condition for several statuses.
func (q queueQuery) statusIn(col string) (string, []any) {
	if q.statuses == nil {
		return "1", nil
	}
	ph := make([]string, len(q.statuses))
	args := make([]any, len(q.statuses))
	for i, st := range q.statuses {
		ph[i], args[i] = "?", st
	}
	return col + " IN (" + strings.Join(ph, ",") + ")", args
}

// Queue returns one page of the queue, sorted by due date (soonest first; dossiers without a
// due date last). f.After, when set, starts the page after that row.
func (s *Store) Queue(ctx context.Context, f QueueFilter, offset, limit int) ([]QueueRow, error) {
	q := s.queueQuery(f)
	if q.none || limit <= 0 {
		return []QueueRow{}, nil
	}
	offset = max(offset, 0)
	if q.cands != "" {
		rows, err := s.queueCandidates(ctx, q, f.After, offset, limit)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		return rows, nil
	}
	var out []QueueRow
	if f.After == nil || !f.After.Due.IsZero() {
		rows, err := s.queueDue(ctx, q, f.After, offset, limit)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		out = rows
	}
	if len(out) == limit {
		return out, nil
	}
	// Past the dossiers with a due date: those without one, in the order they came.
	var after int64
	nullOffset := 0
	switch {
	case f.After != nil && f.After.Due.IsZero():
		after, nullOffset = f.After.RID, offset
	case len(out) == 0 && offset > 0:
		n, err := s.countDue(ctx, q, f.After)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		nullOffset = max(offset-n, 0)
	}
	rest, err := s.queueNoDue(ctx, q, after, nullOffset, limit-len(out))
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	if out == nil {
		return rest, nil
	}
	return append(out, rest...), nil
}

// queueCandidates is a page of a search: the candidates (a few, or at most TextMatchCap)
// filtered and sorted in one pass, those without a due date last.
func (s *Store) queueCandidates(ctx context.Context, q queueQuery, after *QueueKey, offset, limit int) ([]QueueRow, error) {
	var extra []string
	var keyArgs []any
	switch {
	case after != nil && after.Due.IsZero():
		extra, keyArgs = []string{"d.due_at IS NULL AND d.rid > ?"}, []any{after.RID}
	case after != nil:
		extra, keyArgs = []string{"(d.due_at IS NULL OR (d.due_at, d.rid) > (?, ?))"}, []any{after.Due.UnixMilli(), after.RID}
	}
	from, st, args, err := s.candidatePlan(ctx, q)
	if err != nil {
		return nil, err
	}
	w, wargs := q.where(extra...)
	args = append(append(append(args, wargs...), keyArgs...), limit, offset)
	rows, err := s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM `+from+` WHERE `+st+w+
		` ORDER BY d.due_at IS NULL, d.due_at, d.rid LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanQueueRows(rows, limit)
}

// statusDrivenMax: statuses holding fewer dossiers than this are walked in their index
// (20 ns an entry) rather than reading every candidate's row (5–10 µs each).
const statusDrivenMax = 10000

// candidatePlan picks how a search reads its candidates: when the statuses asked for hold
// fewer than statusDrivenMax dossiers (say, the results awaiting hand-over), it walks those
// in the status index keeping the ones in the search's list, and reads only the rows that
// match; otherwise, and always for candidates from the index of open dossiers, it reads
// each candidate's row. It returns the FROM clause and the status condition.
func (s *Store) candidatePlan(ctx context.Context, q queueQuery) (from, status string, args []any, err error) {
	// Candidates from the index of open dossiers are few: reading their rows is cheapest.
	if len(q.statuses) > 0 && q.ftsTable != "dossier_open_fts" {
		st, stArgs := q.statusIn("status")
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM dossiers INDEXED BY dossiers_status_due WHERE `+st+` LIMIT ?)`,
			append(stArgs, statusDrivenMax)...).Scan(&n); err != nil {
			return "", "", nil, err
		}
		if n < statusDrivenMax {
			st, stArgs := q.statusIn("d.status")
			return "dossiers d INDEXED BY dossiers_status_due", st, stArgs, nil
		}
	}
	st, stArgs := q.statusIn("+d.status")
	return "dossiers d", st, stArgs, nil
}

// keyAfter is the keyset condition on (due_at, rid).
func keyAfter(after *QueueKey) (string, []any) {
	if after == nil || after.Due.IsZero() {
		return "", nil
	}
	return "(d.due_at, d.rid) > (?, ?)", []any{after.Due.UnixMilli(), after.RID}
}

// queueDue is a page of the dossiers that have a due date.
func (s *Store) queueDue(ctx context.Context, q queueQuery, after *QueueKey, offset, limit int) ([]QueueRow, error) {
	extra := []string{"d.due_at IS NOT NULL"}
	key, keyArgs := keyAfter(after)
	if key != "" {
		extra = append(extra, key)
	}
	w, wargs := q.where(extra...)
	var keys string
	var args []any
	switch {
	case len(q.statuses) > 1:
		// One arm per status, each read in order from its index; SQLite merges them.
		arms := make([]string, len(q.statuses))
		for i, st := range q.statuses {
			arms[i] = `SELECT d.due_at AS du, d.rid AS r FROM dossiers d WHERE d.status = ?` + w
			args = append(append(append(args, st), wargs...), keyArgs...)
		}
		keys = strings.Join(arms, " UNION ALL ") + ` ORDER BY du, r LIMIT ? OFFSET ?`
	default:
		st, stArgs := q.statusIn("d.status")
		keys = `SELECT d.due_at AS du, d.rid AS r FROM dossiers d WHERE ` + st + w + ` ORDER BY du, r LIMIT ? OFFSET ?`
		args = append(append(stArgs, wargs...), keyArgs...)
	}
	args = append(args, limit, offset)
	rows, err := s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM (`+keys+`) k JOIN dossiers d ON d.rid = k.r ORDER BY k.du, k.r`, args...)
	if err != nil {
		return nil, err
	}
	return scanQueueRows(rows, limit)
}

// countDue counts the dossiers with a due date after a key.
func (s *Store) countDue(ctx context.Context, q queueQuery, after *QueueKey) (int, error) {
	extra := []string{"d.due_at IS NOT NULL"}
	key, keyArgs := keyAfter(after)
	if key != "" {
		extra = append(extra, key)
	}
	st, args := q.statusIn(q.col("status"))
	w, wargs := q.where(extra...)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers d WHERE `+st+w, append(append(args, wargs...), keyArgs...)...).Scan(&n)
	return n, err
}

func (q queueQuery) col(c string) string {
	if q.cands != "" {
		return "+d." + c
	}
	return "d." + c
}

// queueNoDue is a page of the dossiers without a due date (registered online, not yet
// accepted), after a rid.
func (s *Store) queueNoDue(ctx context.Context, q queueQuery, after int64, offset, limit int) ([]QueueRow, error) {
	st, args := q.statusIn(q.col("status"))
	w, wargs := q.where("d.due_at IS NULL", "d.rid > ?")
	args = append(append(args, wargs...), after, limit, offset)
	rows, err := s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d WHERE `+st+w+` ORDER BY d.rid LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanQueueRows(rows, limit)
}

// QueueCount counts the dossiers a filter selects. With a search text it counts among the
// TextMatchCap most recent dossiers the text matches (see QueueCountCapped).
func (s *Store) QueueCount(ctx context.Context, f QueueFilter) (int, error) {
	q := s.queueQuery(f)
	if q.none {
		return 0, nil
	}
	from, st, args := "dossiers d", "", []any(nil)
	if q.cands != "" {
		var err error
		if from, st, args, err = s.candidatePlan(ctx, q); err != nil {
			return 0, fmt.Errorf("queue count: %w", err)
		}
	} else {
		st, args = q.statusIn("d.status")
	}
	w, wargs := q.where()
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+st+w, append(args, wargs...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("queue count: %w", err)
	}
	return n, nil
}

// QueueCountCapped is QueueCount and whether the search text matched more than
// TextMatchCap dossiers, so that only the most recent TextMatchCap were considered (the
// screen then asks for a few more letters).
func (s *Store) QueueCountCapped(ctx context.Context, f QueueFilter) (n int, capped bool, err error) {
	if n, err = s.QueueCount(ctx, f); err != nil {
		return 0, false, err
	}
	if fts, _ := searchQuery(f.Text); fts != "" {
		q := s.queueQuery(f)
		var m int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM `+q.ftsTable+` WHERE `+q.ftsTable+` MATCH ? LIMIT ?)`,
			fts, TextMatchCap+1).Scan(&m); err != nil {
			return 0, false, fmt.Errorf("queue count: %w", err)
		}
		capped = m > TextMatchCap
	}
	return n, capped, nil
}

// Search finds dossiers by code, ID number, phone or name/procedure without diacritics:
// an exact code, ID number or phone most recently received first; words the dossiers most
// recently recorded in this store first (the full-text index reads them in that order and
// stops at limit, however many match).
func (s *Store) Search(ctx context.Context, text string, limit int) ([]QueueRow, error) {
	q, exact := searchQuery(text)
	if q == "" && exact == "" {
		return nil, nil
	}
	var rows *sql.Rows
	var err error
	if exact != "" {
		rows, err = s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d
			WHERE d.code = ?1 OR (d.id_number = ?1 AND d.id_number <> '') OR (d.phone = ?1 AND d.phone <> '')
			ORDER BY +d.received_at DESC LIMIT ?2`, exact, limit)
	} else {
		rows, err = s.r.QueryContext(ctx, `SELECT `+queueColumns+` FROM dossiers d
			JOIN (SELECT rowid AS r FROM dossier_fts WHERE dossier_fts MATCH ? ORDER BY rowid DESC LIMIT ?) k ON d.rid = k.r
			ORDER BY k.r DESC`, q, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out, err := scanQueueRows(rows, 0)
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// searchQuery turns what a clerk typed into either an exact value (a whole dossier code, ID
// number or phone number, answered from an index) or an FTS5 query: whole words, and the
// last one as a prefix, since it may still be being typed ("nguyen van a" finds "Nguyễn
// Văn An"). Only the last word is a prefix: a prefix longer than the index's prefixes (1–6
// letters) makes FTS5 merge the lists of every word it starts, which for "nguyen" is four
// dossiers in ten.
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
		terms = append(terms, `"`+tok+`"`)
	}
	if len(terms) == 0 {
		return "", ""
	}
	terms[len(terms)-1] += "*"
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
		(SELECT COUNT(*) FROM files WHERE uploaded = 0),
		(SELECT COUNT(DISTINCT id) FROM inbound_quarantine)`).Scan(&st.Events, &st.Outbox, &st.Quarantined, &st.Conflicts, &st.Files, &st.FilesWaiting, &st.Refused)
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
