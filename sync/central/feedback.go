package central

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// What the city reads of the feedback and visit projections (streams.go): the figures in
// /stats, the /feedback listing and the period report of `motcua-central report`.

// addStreamStats fills the feedback and visit figures of st, for one unit or ("") the city.
func (c *Central) addStreamStats(ctx context.Context, st *api.StatsResponse, unit string) error {
	st.FeedbackByUnit = map[string]api.FeedbackStats{}
	st.VisitsByUnit = map[string]int{}
	st.VisitsByKind = map[string]int{}
	st.Feedback.ByChannel = map[string]int{}
	where, args := "", []any{}
	if unit != "" {
		where, args = ` WHERE unit = ?`, []any{unit}
	}
	rows, err := c.db.r.QueryContext(ctx, `SELECT unit, status, channel, COUNT(*) FROM feedback`+where+` GROUP BY unit, status, channel`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var u, channel string
		var status, n int
		if err := rows.Scan(&u, &status, &channel, &n); err != nil {
			rows.Close()
			return err
		}
		fs := st.FeedbackByUnit[u]
		if fs.ByChannel == nil {
			fs.ByChannel = map[string]int{}
		}
		addFeedback(&fs, domain.FeedbackStatus(status), channel, n)
		st.FeedbackByUnit[u] = fs
		addFeedback(&st.Feedback, domain.FeedbackStatus(status), channel, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = c.db.r.QueryContext(ctx, `SELECT unit, kind, COUNT(*) FROM visits`+where+` GROUP BY unit, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u, kind string
		var n int
		if err := rows.Scan(&u, &kind, &n); err != nil {
			return err
		}
		st.VisitsByUnit[u] += n
		st.VisitsByKind[kind] += n
		st.Visits += n
	}
	return rows.Err()
}

func addFeedback(fs *api.FeedbackStats, status domain.FeedbackStatus, channel string, n int) {
	fs.Received += n
	switch status {
	case domain.FeedbackNew, domain.FeedbackInProgress:
		fs.InProgress += n
	case domain.FeedbackResolved:
		fs.Resolved += n
	case domain.FeedbackPublished:
		fs.Resolved += n
		fs.Published += n
	}
	if fs.ByChannel != nil {
		fs.ByChannel[channel] += n
	}
}

// FeedbackFilter selects feedback for GET /feedback: received in [From, To) (zero: no
// bound), of a unit, in a status (0: any).
type FeedbackFilter struct {
	Unit     string
	Status   domain.FeedbackStatus
	From, To time.Time
	Limit    int
	Offset   int
}

// MaxFeedbackPage is the largest page GET /feedback returns.
const MaxFeedbackPage = 500

// Feedback lists feedback items, newest received first, with the number that match.
func (c *Central) Feedback(ctx context.Context, f FeedbackFilter) (api.FeedbackPage, error) {
	var conds []string
	var args []any
	if f.Unit != "" {
		conds, args = append(conds, "unit = ?"), append(args, f.Unit)
	}
	if f.Status != 0 {
		conds, args = append(conds, "status = ?"), append(args, int(f.Status))
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "received_at >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "received_at < ?"), append(args, f.To.UnixMilli())
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit, f.Offset = min(f.Limit, MaxFeedbackPage), max(f.Offset, 0)
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, " AND ")
	}
	page := api.FeedbackPage{Items: []api.FeedbackItem{}, Offset: f.Offset, Limit: f.Limit}
	if err := c.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback`+where, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	rows, err := c.db.r.QueryContext(ctx, `SELECT unit, doc FROM feedback`+where+` ORDER BY received_at DESC, id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		var it api.FeedbackItem
		var doc string
		if err := rows.Scan(&it.Unit, &doc); err != nil {
			return page, err
		}
		if err := json.Unmarshal([]byte(doc), &it.Feedback); err != nil {
			return page, err
		}
		page.Items = append(page.Items, it)
	}
	return page, rows.Err()
}

// UnitFigures are one centre's figures for a period.
type UnitFigures struct {
	Unit, Name string
	// Feedback received in the period, by where it stands now.
	FeedbackReceived, FeedbackResolved, FeedbackPublished, FeedbackInProgress int
	// Visits in the period, in all and per kind (intake, hand_over, consult).
	Visits int
	ByKind map[string]int
	// Dossiers received in the period, and dossiers whose processing ended in it (result
	// ready, or refused).
	DossiersReceived, DossiersResolved int
}

// CityReport is the city's figures for a period, per centre and in all.
type CityReport struct {
	From, To time.Time // [From, To)
	Units    []UnitFigures
	Total    UnitFigures
}

// Report gathers the city's figures for [from, to), for every unit or only one.
func (c *Central) Report(ctx context.Context, from, to time.Time, unit string) (CityReport, error) {
	rep := CityReport{From: from, To: to}
	byUnit := map[string]*UnitFigures{}
	get := func(u string) *UnitFigures {
		f, ok := byUnit[u]
		if !ok {
			f = &UnitFigures{Unit: u, ByKind: map[string]int{}}
			byUnit[u] = f
		}
		return f
	}
	unitCond, unitArgs := "", []any{}
	if unit != "" {
		unitCond, unitArgs = ` AND unit = ?`, []any{unit}
	}
	lo, hi := from.UnixMilli(), to.UnixMilli()
	scan := func(q string, args []any, fn func(u string, a, b int) error) error {
		rows, err := c.db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u string
			var a, b int
			if err := rows.Scan(&u, &a, &b); err != nil {
				return err
			}
			if err := fn(u, a, b); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := scan(`SELECT unit, status, COUNT(*) FROM feedback WHERE received_at >= ? AND received_at < ?`+unitCond+` GROUP BY unit, status`,
		append([]any{lo, hi}, unitArgs...), func(u string, status, n int) error {
			var fs api.FeedbackStats
			addFeedback(&fs, domain.FeedbackStatus(status), "", n)
			f := get(u)
			f.FeedbackReceived += fs.Received
			f.FeedbackResolved += fs.Resolved
			f.FeedbackPublished += fs.Published
			f.FeedbackInProgress += fs.InProgress
			return nil
		}); err != nil {
		return rep, err
	}
	rows, err := c.db.r.QueryContext(ctx, `SELECT unit, kind, COUNT(*) FROM visits WHERE at >= ? AND at < ?`+unitCond+` GROUP BY unit, kind`,
		append([]any{lo, hi}, unitArgs...)...)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var u, kind string
		var n int
		if err := rows.Scan(&u, &kind, &n); err != nil {
			rows.Close()
			return rep, err
		}
		f := get(u)
		f.Visits += n
		f.ByKind[kind] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	if err := scan(`SELECT unit, 0, COUNT(*) FROM dossiers WHERE ngay_tiep_nhan >= ? AND ngay_tiep_nhan < ?`+unitCond+` GROUP BY unit`,
		append([]any{lo, hi}, unitArgs...), func(u string, _, n int) error {
			get(u).DossiersReceived += n
			return nil
		}); err != nil {
		return rep, err
	}
	if err := scan(`SELECT unit, 0, COUNT(*) FROM dossiers WHERE ((ngay_ket_thuc >= ? AND ngay_ket_thuc < ?)
		OR (ngay_ket_thuc IS NULL AND ngay_tu_choi >= ? AND ngay_tu_choi < ?))`+unitCond+` GROUP BY unit`,
		append([]any{lo, hi, lo, hi}, unitArgs...), func(u string, _, n int) error {
			get(u).DossiersResolved += n
			return nil
		}); err != nil {
		return rep, err
	}
	// Every enrolled unit has a line, even one with nothing in the period.
	uq, uargs := `SELECT code, name FROM units`, []any{}
	if unit != "" {
		uq, uargs = uq+` WHERE code = ?`, unitArgs
	}
	rows, err = c.db.r.QueryContext(ctx, uq, uargs...)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			rows.Close()
			return rep, err
		}
		get(code).Name = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	if unit != "" {
		get(unit)
	}
	rep.Total.ByKind = map[string]int{}
	for _, f := range byUnit {
		rep.Units = append(rep.Units, *f)
		t := &rep.Total
		t.FeedbackReceived += f.FeedbackReceived
		t.FeedbackResolved += f.FeedbackResolved
		t.FeedbackPublished += f.FeedbackPublished
		t.FeedbackInProgress += f.FeedbackInProgress
		t.Visits += f.Visits
		for k, n := range f.ByKind {
			t.ByKind[k] += n
		}
		t.DossiersReceived += f.DossiersReceived
		t.DossiersResolved += f.DossiersResolved
	}
	sort.Slice(rep.Units, func(i, j int) bool { return rep.Units[i].Unit < rep.Units[j].Unit })
	return rep, nil
}

// Print writes the report for the city's staff, in Vietnamese.
func (r CityReport) Print(w io.Writer) {
	vn := domain.VN()
	last := r.To.Add(-time.Millisecond)
	fmt.Fprintf(w, "Số liệu của thành phố từ %s đến %s\n\n", r.From.In(vn).Format("02/01/2006"), last.In(vn).Format("02/01/2006"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The numbers right-aligned in columns, the centre's name last (left-aligned).
	fmt.Fprintln(tw, "Phản ánh tiếp nhận\tĐã giải quyết\tĐã công khai\tĐang xử lý\tLượt tiếp đón\tHồ sơ tiếp nhận\tHồ sơ đã giải quyết\t  Trung tâm")
	line := func(name string, f UnitFigures) {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t  %s\n", f.FeedbackReceived, f.FeedbackResolved, f.FeedbackPublished,
			f.FeedbackInProgress, f.Visits, f.DossiersReceived, f.DossiersResolved, name)
	}
	for _, f := range r.Units {
		name := f.Unit
		if f.Name != "" {
			name = f.Name + " (" + f.Unit + ")"
		}
		line(name, f)
	}
	if len(r.Units) != 1 {
		line("Cộng", r.Total)
	}
	tw.Flush()
	t := r.Total
	fmt.Fprintf(w, "\nPhản ánh, kiến nghị: tiếp nhận %d; đã giải quyết %d (trong đó đã công khai %d); đang xử lý %d.\n",
		t.FeedbackReceived, t.FeedbackResolved, t.FeedbackPublished, t.FeedbackInProgress)
	fmt.Fprintf(w, "Lượt tiếp đón: %d (tiếp nhận hồ sơ %d, trả kết quả %d, hướng dẫn %d).\n",
		t.Visits, t.ByKind[domain.VisitIntake], t.ByKind[domain.VisitHandOver], t.ByKind[domain.VisitConsult])
	fmt.Fprintf(w, "Hồ sơ: tiếp nhận %d; đã giải quyết %d.\n", t.DossiersReceived, t.DossiersResolved)
}

// handleFeedback lists feedback for the city's viewers (every unit, or ?unit=) and for a
// device (its own unit only): ?status=1..4, ?from=&to= (dates, received), ?limit=&offset=.
func (s *Server) handleFeedback(w http.ResponseWriter, r *http.Request, dev *Device) {
	q := r.URL.Query()
	f := FeedbackFilter{Unit: q.Get("unit")}
	var err error
	if f.From, f.To, err = feedbackPeriod(q.Get("from"), q.Get("to")); err != nil {
		s.fail(w, r, err)
		return
	}
	if v := q.Get("status"); v != "" {
		st, err := strconv.Atoi(v)
		if err != nil || st < int(domain.FeedbackNew) || st > int(domain.FeedbackPublished) {
			s.writeError(w, http.StatusBadRequest, "invalid", "Trạng thái phản ánh (status) phải từ 1 đến 4.")
			return
		}
		f.Status = domain.FeedbackStatus(st)
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if dev != nil {
		if f.Unit != "" && f.Unit != dev.Unit {
			s.writeError(w, http.StatusForbidden, "denied", "Máy trạm chỉ xem được phản ánh của đơn vị mình.")
			return
		}
		f.Unit = dev.Unit
	}
	page, err := s.c.Feedback(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.mem.note(int64(s.writeJSON(w, http.StatusOK, page)))
}

// feedbackPeriod reads from/to (dates, YYYY-MM-DD, Vietnam time; to inclusive).
func feedbackPeriod(from, to string) (time.Time, time.Time, error) {
	var lo, hi time.Time
	if from != "" {
		d, err := time.ParseInLocation("2006-01-02", from, domain.VN())
		if err != nil {
			return lo, hi, invalid("Ngày bắt đầu (from) phải có dạng YYYY-MM-DD.")
		}
		lo = d
	}
	if to != "" {
		d, err := time.ParseInLocation("2006-01-02", to, domain.VN())
		if err != nil {
			return lo, hi, invalid("Ngày kết thúc (to) phải có dạng YYYY-MM-DD.")
		}
		hi = d.AddDate(0, 0, 1)
	}
	if !lo.IsZero() && !hi.IsZero() && !lo.Before(hi) {
		return lo, hi, invalid("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
	}
	return lo, hi, nil
}
