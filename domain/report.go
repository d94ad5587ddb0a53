package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"motcua/domain/calendar"
)

// Reports of the centre: the report on receiving and resolving procedures by field, which
// the counters call Biểu II.06a (its number, title and basis line are data, forms.json), the
// service indicators a supervisor watches, the tracking book (Mẫu 06) and the electronic
// result-return book. Everything here is pure: the store feeds facts in, forms print out.

// Period is a reporting period: whole days in Vietnam time, From and To included.
// Build it with NewPeriod or ParsePeriod, which keep only the dates.
type Period struct {
	From, To time.Time // 00:00 in Vietnam of the first and of the last day
}

// NewPeriod makes the period from the date of from to the date of to (both read in
// Vietnam time), or fails when from is after to.
func NewPeriod(from, to time.Time) (Period, error) {
	p := Period{From: dayStart(from), To: dayStart(to)}
	if p.To.Before(p.From) {
		return Period{}, &RuleError{Code: "report.period", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Ngày bắt đầu (%s) sau ngày kết thúc (%s).", p.From.Format("02/01/2006"), p.To.Format("02/01/2006"))}
	}
	return p, nil
}

// ParsePeriod reads two dates written YYYY-MM-DD.
func ParsePeriod(from, to string) (Period, error) {
	f, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(from), VN())
	if err != nil {
		return Period{}, &RuleError{Code: "report.date", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Ngày bắt đầu «%s» không hợp lệ: cần dạng NĂM-THÁNG-NGÀY, ví dụ 2026-02-01.", from)}
	}
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(to), VN())
	if err != nil {
		return Period{}, &RuleError{Code: "report.date", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Ngày kết thúc «%s» không hợp lệ: cần dạng NĂM-THÁNG-NGÀY, ví dụ 2026-02-28.", to)}
	}
	return NewPeriod(f, t)
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.In(VN()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, VN())
}

// Start is the first instant of the period.
func (p Period) Start() time.Time { return p.From }

// End is the first instant after the period: 00:00 of the day after To.
func (p Period) End() time.Time { return p.To.AddDate(0, 0, 1) }

// Contains reports whether t (not zero) falls inside the period.
func (p Period) Contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(p.Start()) && t.Before(p.End())
}

// PeriodKind says which calendar span a period is: a day, a month, a quarter, a year, or
// just a range of days.
type PeriodKind int

const (
	PeriodRange   PeriodKind = iota // any other run of days
	PeriodDay                       // one day
	PeriodMonth                     // a whole calendar month
	PeriodQuarter                   // a whole calendar quarter (from January, April, July or October)
	PeriodYear                      // a whole calendar year
)

// Kind classifies the period: the one rule behind how screens name a period and how
// file names write it. A day is checked first, then month, quarter, year.
func (p Period) Kind() PeriodKind {
	from, to := p.From, p.To
	switch {
	case from.Equal(to):
		return PeriodDay
	case from.Day() == 1 && to.Equal(from.AddDate(0, 1, -1)):
		return PeriodMonth
	case from.Day() == 1 && (from.Month()-1)%3 == 0 && to.Equal(from.AddDate(0, 3, -1)):
		return PeriodQuarter
	case from.Day() == 1 && from.Month() == 1 && to.Equal(from.AddDate(1, 0, -1)):
		return PeriodYear
	}
	return PeriodRange
}

// Quarter is the quarter (1–4) the period starts in.
func (p Period) Quarter() int { return (int(p.From.Month())-1)/3 + 1 }

// String is the period as a report's subtitle gives it.
func (p Period) String() string {
	if p.From.Equal(p.To) {
		return "Ngày " + p.From.Format("02/01/2006")
	}
	return "Từ ngày " + p.From.Format("02/01/2006") + " đến ngày " + p.To.Format("02/01/2006")
}

// FinishRule says which moment ends a dossier's processing for the report.
type FinishRule int

const (
	// FinishAtResult (the default): resolved when the result is ready at the counter
	// (ResultAt, status 9), or when it was handed back if no result-ready time was
	// recorded. This is the national portal's NgayKetThucXuLy: a result the citizen has
	// not yet collected is not the centre's delay.
	FinishAtResult FinishRule = iota
	// FinishAtReturn: resolved only when the result was handed back (ReturnedAt); a
	// result waiting at the counter is still in progress. Some provinces count this way.
	FinishAtReturn
)

// ParseFinishRule reads a finish rule by its name: "result" (or "") or "return".
func ParseFinishRule(name string) (FinishRule, error) {
	switch strings.TrimSpace(name) {
	case "", "result":
		return FinishAtResult, nil
	case "return":
		return FinishAtReturn, nil
	}
	return FinishAtResult, &RuleError{Code: "report.finish", Kind: ErrInvalid,
		Msg: fmt.Sprintf("Thời điểm tính là đã giải quyết «%s» không có: chọn result (có kết quả) hoặc return (đã trả kết quả).", name)}
}

// Name is the rule's name in settings and on the command line.
func (f FinishRule) Name() string {
	if f == FinishAtReturn {
		return "return"
	}
	return "result"
}

// Label is the rule as a setting offers it.
func (f FinishRule) Label() string {
	if f == FinishAtReturn {
		return "Khi đã trả kết quả cho người nộp hồ sơ"
	}
	return "Khi có kết quả giải quyết (kết quả đã về Bộ phận một cửa)"
}

// ReportOptions tune the definitions that are a matter of choice.
type ReportOptions struct {
	// Finish is the moment a dossier counts as resolved.
	Finish FinishRule
	// AsOf, when set and before the period's end, is the moment "in progress" is judged
	// at (a report of the running day or month): overdue means due before AsOf rather
	// than before the end of the last day.
	AsOf time.Time
	// Fields gives the order and names of the report's rows (the catalogue's fields);
	// fields not listed follow, by code.
	Fields []Field
	// Closed is how dossiers withdrawn, stopped or refused in the period are counted
	// (the province's choice; the zero value counts them apart). It changes Biểu II.06a
	// only: the indicators keep their own definitions.
	Closed ClosedTreatments
}

// ReportFacts is what the reports need of one dossier: the projection's columns, plus
// the start of the current supplement pause. FactsOf takes them from a folded dossier;
// the store reads them without unmarshalling the document.
type ReportFacts struct {
	FieldCode, Field string
	Channel          Channel
	Status           Status
	ReceivedAt       time.Time // accepted at the counter (zero: an online registration never accepted)
	DueAt            time.Time // with every supplement pause and reschedule folded in
	ResultAt         time.Time
	ReturnedAt       time.Time
	ClosedAt         time.Time // refused, withdrawn or stopped
	PausedSince      time.Time // status 5: when the current supplement request stopped the clock
	Assisted         bool      // forms filled in by an official
	Digitized        bool      // every component digitized
	EResult          bool      // an electronic result
}

// FactsOf extracts a dossier's report facts.
func FactsOf(d Dossier) ReportFacts {
	f := ReportFacts{FieldCode: d.Procedure.FieldCode, Field: d.Procedure.Field, Channel: d.Channel, Status: d.Status,
		ReceivedAt: d.ReceivedAt, DueAt: d.DueAt, ResultAt: d.ResultAt, ReturnedAt: d.ReturnedAt, ClosedAt: d.ClosedAt,
		Assisted: d.Assisted, Digitized: d.FullyDigitized(), EResult: d.EResult}
	if d.Status == StatusSupplement && len(d.Supplements) > 0 {
		f.PausedSince = d.Supplements[len(d.Supplements)-1].RequestedAt
	}
	return f
}

// II06aCounts are the figures of one row of Biểu II.06a (columns 3–13), and the
// dossiers closed without a result in the period, which the official form has no column
// for (how they are counted in the columns is ReportOptions.Closed).
type II06aCounts struct {
	Received       int // (3) = (4) + (5) + (6)
	ReceivedOnline int // (4) newly received online in the period
	ReceivedDirect int // (5) newly received in person or by post in the period
	CarriedOver    int // (6) received before the period, still open at its start

	Resolved int // (7) = (8) + (9) + (10)
	Early    int // (8)
	OnTime   int // (9)
	Late     int // (10)

	InProgress int // (11) = (12) + (13), at the end of the period
	InTime     int // (12)
	Overdue    int // (13)

	// Closed in the period without a result, however they were counted: they are never
	// in progress, so (3) = (7) + (11) + Apart(treatments).
	Withdrawn int // status 7
	Refused   int // status 3
	Stopped   int // status 8
}

// Closed is the number of dossiers closed without a result in the period.
func (c II06aCounts) Closed() int { return c.Withdrawn + c.Refused + c.Stopped }

// ClosedIn is the number of dossiers closed in status s in the period.
func (c II06aCounts) ClosedIn(s Status) int {
	switch s {
	case StatusWithdrawn:
		return c.Withdrawn
	case StatusStopped:
		return c.Stopped
	case StatusRefused:
		return c.Refused
	}
	return 0
}

// Counted is the number of dossiers closed in the period under the given treatment.
func (c II06aCounts) Counted(t ClosedTreatments, as ClosedTreatment) int {
	n := 0
	for _, s := range ClosedStatuses() {
		if t.For(s) == as {
			n += c.ClosedIn(s)
		}
	}
	return n
}

// Cells are the 11 figures in the order of columns 3–13.
func (c II06aCounts) Cells() [11]int {
	return [11]int{c.Received, c.ReceivedOnline, c.ReceivedDirect, c.CarriedOver,
		c.Resolved, c.Early, c.OnTime, c.Late, c.InProgress, c.InTime, c.Overdue}
}

func (c *II06aCounts) add(o II06aCounts) {
	c.Received += o.Received
	c.ReceivedOnline += o.ReceivedOnline
	c.ReceivedDirect += o.ReceivedDirect
	c.CarriedOver += o.CarriedOver
	c.Resolved += o.Resolved
	c.Early += o.Early
	c.OnTime += o.OnTime
	c.Late += o.Late
	c.InProgress += o.InProgress
	c.InTime += o.InTime
	c.Overdue += o.Overdue
	c.Withdrawn += o.Withdrawn
	c.Refused += o.Refused
	c.Stopped += o.Stopped
}

// II06aRow is one field (lĩnh vực) of the report.
type II06aRow struct {
	FieldCode, Field string
	II06aCounts
}

// II06a is the report on the situation of receiving and resolving administrative
// procedures at the centre, for one period (Biểu số 06/VPCP/KSTT of Circular
// 01/2020/TT-VPCP, formerly numbered II.06a; the printed number is data).
//
// Definitions (DOMAIN.md "Reporting" and "Time counting"; the choices are ours where the
// form is silent):
//
//   - Received in the period: accepted at the counter (ReceivedAt) inside the period.
//     Online registrations not yet accepted (status 1, or closed before acceptance) were
//     never received and count nowhere. Online (4) is channel 2; in person and by post
//     (5) are channels 1 and 3.
//   - Carried over (6): received before the period and still open at its start, i.e. not
//     resolved, withdrawn, refused or stopped before it.
//   - Resolved (7): processing finished inside the period (see FinishRule: by default the
//     result-ready time, else the hand-over time). Early / on time / late compare that
//     day with the due day, by working day (calendar.Timeliness): the due day itself is on
//     time whatever the hour. The due date already includes every supplement pause and
//     every apology's new date.
//   - Withdrawn (7), refused (3) and stopped (8) dossiers leave the count of dossiers in
//     progress when closed. The official form has no column for them; how they are
//     counted is the province's choice (ReportOptions.Closed, see ClosedTreatment): by
//     default received but neither resolved nor in progress. Their numbers are kept here
//     (Withdrawn, Refused, Stopped) and the printed forms state them, with the treatment,
//     beside the columns and under the table, so that (3) = (7) + (11) + those counted
//     apart.
//   - In progress at the end (11): received or carried over and neither resolved nor
//     closed by the end of the period; in time (12) if due at or after the end of the
//     period (00:00 after its last day, or AsOf), otherwise overdue (13). A dossier waiting
//     for a supplement has its clock stopped: it is in time unless it was already past
//     due when the supplement was requested.
//   - A finish time recorded before the receipt time (clocks of two workstations
//     disagreeing) counts as the receipt time, so every dossier lands in exactly one of
//     resolved, closed or in progress.
type II06a struct {
	Period Period
	Rows   []II06aRow // one per field with any figure, in the order of ReportOptions.Fields
	Total  II06aCounts
	Finish FinishRule       // what counted as resolved
	Closed ClosedTreatments // how dossiers closed without a result were counted (every kind spelled out)
	Cutoff time.Time        // when "in progress" was judged: the period's end, or AsOf
}

// Apart is the number of dossiers received but counted neither resolved nor in progress
// (ClosedApart): (3) = (7) + (11) + Apart.
func (r II06a) Apart() int { return r.Total.Counted(r.Closed, ClosedApart) }

// Ratio is a share: Num out of Den.
type Ratio struct{ Num, Den int }

// Value is Num/Den, 0 when Den is 0.
func (r Ratio) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Percent is the share as Vietnamese text with one decimal: "62,5%"; "–" when Den is 0.
func (r Ratio) Percent() string {
	if r.Den == 0 {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*r.Value()), ".", ",", 1)
}

// Indicators are the city's ratios a supervisor watches against its targets (Decision
// 766/QĐ-TTg service index; the city's targets for 2025), for any period.
type Indicators struct {
	Period   Period
	Received int // received in the period (not counting carried over)
	Resolved int // resolved in the period
	// Online: received online / received in the period (target ≥ 60%).
	Online Ratio
	// OnTime: resolved early or on time / resolved in the period.
	OnTime Ratio
	// DigitizedEResult: resolved dossiers whose every component was digitized and whose
	// result was issued electronically / resolved in the period (target 100%). Counted
	// among resolved dossiers because only they can have a result.
	DigitizedEResult Ratio
	// FullyDigital: resolved dossiers that were filed online, fully digitized and given an
	// electronic result — processed without paper from end to end / resolved in the
	// period (target 80%).
	FullyDigital Ratio
	// Assisted: received dossiers whose forms an official filled in (no-writing day) /
	// received in the period; Num is the count the city asks for.
	Assisted Ratio
}

// ReportBuilder tallies report facts one dossier at a time, so a store can stream a
// million rows without holding them.
type ReportBuilder struct {
	p      Period
	opt    ReportOptions
	cutoff time.Time
	rows   map[string]*II06aRow
	ind    Indicators
}

// NewReportBuilder starts the reports of a period.
func NewReportBuilder(p Period, opt ReportOptions) *ReportBuilder {
	b := &ReportBuilder{p: p, opt: opt, cutoff: p.End(), rows: map[string]*II06aRow{}}
	if !opt.AsOf.IsZero() && opt.AsOf.Before(b.cutoff) {
		b.cutoff = opt.AsOf
	}
	b.ind.Period = p
	return b
}

// Add counts one dossier (it may be irrelevant to the period: it is then ignored).
func (b *ReportBuilder) Add(f ReportFacts) {
	if f.ReceivedAt.IsZero() || f.Status == StatusNone || f.Status == StatusRegistered {
		return
	}
	start, end := b.p.Start(), b.p.End()
	if !f.ReceivedAt.Before(end) {
		return
	}
	endAt, kind := b.ending(f)
	if kind != stillOpen && endAt.Before(f.ReceivedAt) {
		endAt = f.ReceivedAt
	}
	if kind != stillOpen && f.ReceivedAt.Before(start) && endAt.Before(start) {
		return // finished before the period
	}
	newly := !f.ReceivedAt.Before(start)
	if newly {
		// The indicators count every dossier received, whatever the report's treatment.
		b.ind.Received++
		if f.Channel == ChannelOnline {
			b.ind.Online.Num++
		}
		if f.Assisted {
			b.ind.Assisted.Num++
		}
	}
	var c II06aCounts
	treat := ClosedApart
	if kind == closed && endAt.Before(end) {
		switch f.Status {
		case StatusWithdrawn:
			c.Withdrawn = 1
		case StatusRefused:
			c.Refused = 1
		default:
			c.Stopped = 1
		}
		treat = b.opt.Closed.For(f.Status)
	}
	if treat != ClosedExcluded {
		switch {
		case !newly:
			c.CarriedOver = 1
		case f.Channel == ChannelOnline:
			c.ReceivedOnline = 1
		default:
			c.ReceivedDirect = 1
		}
		c.Received = 1
	}
	switch {
	case kind == resolved && endAt.Before(end):
		c.Resolved = 1
		b.countTimeliness(&c, endAt, f.DueAt)
		b.ind.Resolved++
		if c.Late == 0 {
			b.ind.OnTime.Num++
		}
		if f.Digitized && f.EResult {
			b.ind.DigitizedEResult.Num++
			if f.Channel == ChannelOnline {
				b.ind.FullyDigital.Num++
			}
		}
	case kind == closed && endAt.Before(end):
		switch treat {
		case ClosedResolvedOnTime:
			c.Resolved, c.OnTime = 1, 1
		case ClosedResolvedByDue:
			c.Resolved = 1
			b.countTimeliness(&c, endAt, f.DueAt)
		}
	default:
		c.InProgress = 1
		due := f.DueAt
		if f.Status == StatusSupplement && !f.PausedSince.IsZero() && f.PausedSince.Before(b.cutoff) {
			// The clock stopped at the request: judge the due date at that moment.
			if !due.Before(f.PausedSince) {
				c.InTime = 1
				break
			}
		}
		if due.IsZero() || !due.Before(b.cutoff) {
			c.InTime = 1
		} else {
			c.Overdue = 1
		}
	}
	row := b.rows[f.FieldCode]
	if row == nil {
		row = &II06aRow{FieldCode: f.FieldCode, Field: f.Field}
		b.rows[f.FieldCode] = row
	}
	if row.Field == "" {
		row.Field = f.Field
	}
	row.add(c)
}

type ending int

const (
	stillOpen ending = iota
	resolved
	closed
)

// ending says how and when a dossier left the centre's hands, by its current status (a
// supervisor's override can leave stale times behind; the status is the truth).
func (b *ReportBuilder) ending(f ReportFacts) (time.Time, ending) {
	switch f.Status {
	case StatusResultReady, StatusReturned:
		at := f.ResultAt
		if b.opt.Finish == FinishAtReturn || at.IsZero() {
			at = f.ReturnedAt
		}
		if at.IsZero() {
			return time.Time{}, stillOpen
		}
		return at, resolved
	case StatusRefused, StatusWithdrawn, StatusStopped:
		if f.ClosedAt.IsZero() {
			return f.ReceivedAt, closed
		}
		return f.ClosedAt, closed
	}
	return time.Time{}, stillOpen
}

// countTimeliness puts a dossier finished at finished in early (8), on time (9) or late (10).
func (b *ReportBuilder) countTimeliness(c *II06aCounts, finished, due time.Time) {
	switch b.timeliness(finished, due) {
	case calendar.Early:
		c.Early = 1
	case calendar.Late:
		c.Late = 1
	default:
		c.OnTime = 1
	}
}

func (b *ReportBuilder) timeliness(finished, due time.Time) calendar.Timeliness {
	if due.IsZero() {
		return calendar.OnTime
	}
	return calendar.TimelinessOf(finished, due)
}

// II06a returns the report: rows in the order of ReportOptions.Fields, then by code.
func (b *ReportBuilder) II06a() II06a {
	out := II06a{Period: b.p, Finish: b.opt.Finish, Closed: b.opt.Closed.Normalized(), Cutoff: b.cutoff}
	rank := map[string]int{}
	names := map[string]string{}
	for i, f := range b.opt.Fields {
		if _, dup := rank[f.Code]; !dup {
			rank[f.Code] = i
			names[f.Code] = f.Name
		}
	}
	for _, r := range b.rows {
		row := *r
		out.Total.add(row.II06aCounts)
		if row.Cells() == ([11]int{}) {
			continue // only dossiers left out of the report: the total's note counts them
		}
		if n := strings.TrimSpace(names[row.FieldCode]); n != "" {
			row.Field = n
		}
		if strings.TrimSpace(row.Field) == "" {
			row.Field = "Lĩnh vực khác"
		}
		out.Rows = append(out.Rows, row)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		ri, iok := rank[out.Rows[i].FieldCode]
		rj, jok := rank[out.Rows[j].FieldCode]
		if iok != jok {
			return iok
		}
		if iok && ri != rj {
			return ri < rj
		}
		return out.Rows[i].FieldCode < out.Rows[j].FieldCode
	})
	return out
}

// Indicators returns the ratios of the period.
func (b *ReportBuilder) Indicators() Indicators {
	ind := b.ind
	ind.Online.Den = ind.Received
	ind.Assisted.Den = ind.Received
	ind.OnTime.Den = ind.Resolved
	ind.DigitizedEResult.Den = ind.Resolved
	ind.FullyDigital.Den = ind.Resolved
	return ind
}

// BuildReport computes Biểu II.06a and the indicators of a period over folded dossiers.
func BuildReport(p Period, ds []Dossier, opt ReportOptions) (II06a, Indicators) {
	b := NewReportBuilder(p, opt)
	for i := range ds {
		b.Add(FactsOf(ds[i]))
	}
	return b.II06a(), b.Indicators()
}

// TrackingEntry is one line of the tracking book (Mẫu 06, sổ theo dõi hồ sơ).
type TrackingEntry struct {
	No          int
	Code        string
	Procedure   string
	Sets        int
	Owner       string // tên cá nhân, tổ chức: the dossier's owner, else the applicant
	Address     string
	Phone       string
	Agency      string // cơ quan chủ trì giải quyết: where it was first forwarded, else who issued the result
	ReceivedAt  time.Time
	DueAt       time.Time
	ForwardedAt time.Time // first forwarded to the processing agency
	ResultAt    time.Time // result received from the agency
	ReturnedAt  time.Time // result handed back (the recipient signs the paper book)
	Note        string
}

// TrackingBook lists the dossiers received in the period in order of receipt (online
// registrations never accepted are not in the book).
func TrackingBook(p Period, ds []Dossier) []TrackingEntry {
	var sel []*Dossier
	for i := range ds {
		if p.Contains(ds[i].ReceivedAt) && ds[i].Status != StatusRegistered {
			sel = append(sel, &ds[i])
		}
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if !sel[i].ReceivedAt.Equal(sel[j].ReceivedAt) {
			return sel[i].ReceivedAt.Before(sel[j].ReceivedAt)
		}
		return sel[i].Code < sel[j].Code
	})
	out := make([]TrackingEntry, 0, len(sel))
	for i, d := range sel {
		owner := d.OwnerOrApplicant()
		e := TrackingEntry{No: i + 1, Code: d.Code, Procedure: d.Procedure.Name, Sets: d.Sets, Owner: owner.Name,
			Address: owner.Address, Phone: owner.Phone, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt,
			ForwardedAt: d.ForwardedAt, ResultAt: d.ResultAt, ReturnedAt: d.ReturnedAt, Note: trackingNote(d)}
		if e.Phone == "" {
			e.Phone = d.Applicant.Phone
		}
		for _, s := range d.Steps {
			if s.Kind == EvForwarded && strings.TrimSpace(s.Agency) != "" {
				e.Agency = s.Agency
				break
			}
		}
		if e.Agency == "" {
			e.Agency = d.ResultFrom
		}
		out = append(out, e)
	}
	return out
}

// trackingNote is the "Ghi chú" of a book line: what a reader of the book needs beyond
// the dates.
func trackingNote(d *Dossier) string {
	var parts []string
	switch d.Channel {
	case ChannelOnline:
		parts = append(parts, "Nộp trực tuyến")
	case ChannelPost:
		parts = append(parts, "Nộp qua bưu chính")
	}
	for _, s := range d.Supplements {
		n := "Yêu cầu bổ sung " + s.RequestedAt.In(VN()).Format("02/01")
		if !s.ReceivedAt.IsZero() {
			n += ", nhận bổ sung " + s.ReceivedAt.In(VN()).Format("02/01")
		}
		parts = append(parts, n)
	}
	for _, r := range d.Reschedules {
		parts = append(parts, "Hẹn lại ngày trả "+r.NewDueAt.In(VN()).Format("02/01/2006"))
	}
	reason := strings.TrimSpace(d.CloseReason)
	switch d.Status {
	case StatusRefused:
		parts = append(parts, strings.TrimSpace("Từ chối: "+reason))
	case StatusWithdrawn:
		parts = append(parts, strings.TrimSpace("Rút hồ sơ: "+reason))
	case StatusStopped:
		parts = append(parts, strings.TrimSpace("Dừng xử lý: "+reason))
	}
	if !d.ResultAt.IsZero() && !d.DueAt.IsZero() && calendar.TimelinessOf(d.ResultAt, d.DueAt) == calendar.Late {
		parts = append(parts, "Quá hạn")
	}
	return strings.Join(parts, "; ")
}

// ReturnEntry is one line of the electronic result-return book (sổ trả kết quả).
type ReturnEntry struct {
	No          int
	At          time.Time // returned
	Code        string
	Procedure   string
	Giver       string // staff username; the printer turns it into a name
	Recipient   string
	RecipientID string
	Authorized  bool   // an authorised person, not the applicant or owner
	Authority   string // the authorisation paper
	Documents   string // what was returned
	Method      string // HandOverCounter, HandOverPost or HandOverElectronic
}

// ReturnBook lists the results handed back in the period, in order.
func ReturnBook(p Period, ds []Dossier) []ReturnEntry {
	var out []ReturnEntry
	for i := range ds {
		d := &ds[i]
		h := d.HandOver
		if h == nil || !p.Contains(h.At) {
			continue
		}
		docs := strings.TrimSpace(h.Documents)
		if docs == "" {
			docs = d.Procedure.ResultType
		}
		out = append(out, ReturnEntry{At: h.At, Code: d.Code, Procedure: d.Procedure.Name, Giver: h.By,
			Recipient: h.Recipient.Name, RecipientID: h.Recipient.IDNumber, Authorized: h.Authorized,
			Authority: h.Authority, Documents: docs, Method: h.Method})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Code < out[j].Code
	})
	for i := range out {
		out[i].No = i + 1
	}
	return out
}
