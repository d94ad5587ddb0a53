package calendar

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// VN is Vietnam's time zone. Vietnam has kept UTC+7 without daylight saving
// since 1975, so a fixed zone is exact and needs no zone database (Windows
// PCs often have none).
var VN = time.FixedZone("ICT", 7*3600)

// Unit is how a processing time is counted, as the procedure catalogue spells it. It is
// declared here, below domain, so that Due is typed and domain's ProcessingTime uses the
// same type (domain.TimeUnit is this type) without an import cycle.
type Unit string

// Units of a processing time.
const (
	UnitDays    Unit = "days"     // working days
	UnitHours   Unit = "hours"    // working hours
	UnitSameDay Unit = "same_day" // same working day, or the next one after the cut-off
	// UnitCalendarDays counts calendar days (e.g. marriage with a foreign element: 15
	// days); a last day that is a day off moves to the next working day.
	UnitCalendarDays Unit = "calendar_days"
)

// WorkingHours is an office's working day, in minutes after midnight: a
// morning and an afternoon slot, and the cut-off after which same-day
// procedures are due the next working day. One working day is as long as
// both slots together (PerDay); with DefaultHours that is 8 hours.
type WorkingHours struct {
	MorningStart, MorningEnd, AfternoonStart, AfternoonEnd, SameDayCutoff int
}

// DefaultHours is 07:00–11:30 and 13:30–17:00 (8 working hours = 1 working
// day), with the same-day cut-off at 15:00.
func DefaultHours() WorkingHours {
	return WorkingHours{
		MorningStart:   7 * 60,
		MorningEnd:     11*60 + 30,
		AfternoonStart: 13*60 + 30,
		AfternoonEnd:   17 * 60,
		SameDayCutoff:  15 * 60,
	}
}

// PerDay is the working time of one working day: both slots together.
func (h WorkingHours) PerDay() time.Duration {
	return time.Duration(h.MorningEnd-h.MorningStart+h.AfternoonEnd-h.AfternoonStart) * time.Minute
}

// Validate checks that the slots are in order within one day, the morning
// slot is not empty, and the cut-off falls inside the working day. An empty
// afternoon (AfternoonStart == AfternoonEnd) is allowed, and so is no lunch
// break (MorningEnd == AfternoonStart).
func (h WorkingHours) Validate() error {
	if !(0 <= h.MorningStart && h.MorningStart < h.MorningEnd && h.MorningEnd <= h.AfternoonStart &&
		h.AfternoonStart <= h.AfternoonEnd && h.AfternoonEnd <= 24*60) {
		return fmt.Errorf("calendar: working hours %s–%s, %s–%s are not in order within one day",
			hhmm(h.MorningStart), hhmm(h.MorningEnd), hhmm(h.AfternoonStart), hhmm(h.AfternoonEnd))
	}
	if h.SameDayCutoff < h.MorningStart || h.SameDayCutoff > h.AfternoonEnd {
		return fmt.Errorf("calendar: same-day cut-off %s outside the working day", hhmm(h.SameDayCutoff))
	}
	return nil
}

func hhmm(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// Timeliness compares a finished dossier's return date with its due date.
type Timeliness int

const (
	Early  Timeliness = iota + 1 // trước hạn
	OnTime                       // đúng hạn
	Late                         // quá hạn
)

func (t Timeliness) String() string {
	switch t {
	case Early:
		return "early"
	case OnTime:
		return "on_time"
	case Late:
		return "late"
	}
	return fmt.Sprintf("Timeliness(%d)", int(t))
}

// Calendar answers working-day questions for one office: which days are
// worked, and due dates counted in working time. It is safe for concurrent
// use; years without a table get DefaultYearTable, generated once on first
// use. Build it with New: the zero Calendar is not usable.
type Calendar struct {
	hours WorkingHours
	slots [][2]int // working slots as [start, end) minutes; an empty afternoon is dropped

	mu    sync.RWMutex
	years map[int]*yearIndex
}

type yearIndex struct {
	table YearTable
	kind  map[int]string // Julian day number → KindOff or KindWork
}

// New builds a calendar from working hours and the official year tables
// (normally from ParseYearTable). The zero WorkingHours means DefaultHours.
// When two tables have the same year the later one wins.
//
// New panics if hours or a table is invalid: user settings should be checked
// with WorkingHours.Validate, and data parsed with ParseYearTable, first.
func New(hours WorkingHours, tables ...YearTable) *Calendar {
	if hours == (WorkingHours{}) {
		hours = DefaultHours()
	}
	if err := hours.Validate(); err != nil {
		panic(err)
	}
	c := &Calendar{hours: hours, years: make(map[int]*yearIndex, len(tables))}
	c.slots = [][2]int{{hours.MorningStart, hours.MorningEnd}}
	if hours.AfternoonStart < hours.AfternoonEnd {
		c.slots = append(c.slots, [2]int{hours.AfternoonStart, hours.AfternoonEnd})
	}
	for _, t := range tables {
		if err := t.validate(); err != nil {
			panic(err)
		}
		c.years[t.Year] = indexTable(t)
	}
	return c
}

func indexTable(t YearTable) *yearIndex {
	t.Days = sortedDays(t.Days)
	ix := &yearIndex{table: t, kind: make(map[int]string, len(t.Days))}
	for _, e := range t.Days {
		if day, err := time.Parse(time.DateOnly, e.Date); err == nil {
			ix.kind[jdn(day.Year(), int(day.Month()), day.Day())] = e.Kind
		}
	}
	return ix
}

// Hours returns the calendar's working hours.
func (c *Calendar) Hours() WorkingHours { return c.hours }

func (c *Calendar) year(y int) *yearIndex {
	c.mu.RLock()
	ix := c.years[y]
	c.mu.RUnlock()
	if ix != nil {
		return ix
	}
	// Generate outside the lock; if two goroutines race, the first stored wins
	// (both computed the same table).
	gen := indexTable(DefaultYearTable(y))
	c.mu.Lock()
	defer c.mu.Unlock()
	if ix = c.years[y]; ix == nil {
		ix = gen
		c.years[y] = ix
	}
	return ix
}

// Table returns the year's table: the official one given to New, or the
// generated default (Official false).
func (c *Calendar) Table(year int) YearTable {
	t := c.year(year).table
	t.Days = slices.Clone(t.Days)
	return t
}

// Days lists the year's special days sorted by date: every day off (holidays,
// weekend days inside an announced block, compensatory and swapped days) and
// every make-up working day. This is what `motcua holidays --year Y` prints.
func (c *Calendar) Days(year int) []DayEntry {
	return slices.Clone(c.year(year).table.Days)
}

// isWorkingDay reports whether the day with Julian day number j is worked.
func (c *Calendar) isWorkingDay(j int) bool {
	y, _, _ := fromJDN(j)
	switch c.year(y).kind[j] {
	case KindOff:
		return false
	case KindWork:
		return true
	}
	return !isWeekend(weekday(j))
}

// IsWorkingDay reports whether t's date, in Vietnam, is a working day:
// Monday to Friday unless the year's table makes it a day off, and weekend
// days the table makes a make-up working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return c.isWorkingDay(dayOf(t))
}

// dayOf is the Julian day number of t's date in Vietnam.
func dayOf(t time.Time) int {
	y, m, d := t.In(VN).Date()
	return jdn(y, int(m), d)
}

// at is the instant minute minutes after midnight (Vietnam) of day j.
func at(j, minute int) time.Time {
	y, m, d := fromJDN(j)
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, VN).Add(time.Duration(minute) * time.Minute)
}

// nextWorkingDay is the first working day after day j.
func (c *Calendar) nextWorkingDay(j int) int {
	for j++; !c.isWorkingDay(j); j++ {
	}
	return j
}

// NextWorkingDay is the first working day after t's date (in Vietnam), at
// midnight Vietnam time.
func (c *Calendar) NextWorkingDay(t time.Time) time.Time {
	return at(c.nextWorkingDay(dayOf(t)), 0)
}

// slotAt returns the working slot that contains t (start ≤ t < end), or the
// next one to start, and its end. Results are in Vietnam time.
func (c *Calendar) slotAt(t time.Time) (start, end time.Time) {
	t = t.In(VN)
	j := dayOf(t)
	if c.isWorkingDay(j) {
		for _, s := range c.slots {
			from, to := at(j, s[0]), at(j, s[1])
			if t.Before(to) {
				return later(t, from), to
			}
		}
	}
	j = c.nextWorkingDay(j)
	s := c.slots[0]
	return at(j, s[0]), at(j, s[1])
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// NextWorkingStart returns t (in Vietnam time) if it falls inside a working
// slot, else the start of the next working slot. Slot ends are outside:
// 11:30 gives 13:30 and 17:00 the next working morning.
func (c *Calendar) NextWorkingStart(t time.Time) time.Time {
	start, _ := c.slotAt(t)
	return start
}

// AddWorkingDuration returns the instant d of working time after t, counting
// only minutes inside working slots of working days. A result that lands
// exactly on the end of a slot stays there (17:00, not the next 07:00).
// d ≤ 0 returns t unchanged (in Vietnam time).
func (c *Calendar) AddWorkingDuration(t time.Time, d time.Duration) time.Time {
	t = t.In(VN)
	if d <= 0 {
		return t
	}
	perDay := c.hours.PerDay()
	closing := c.slots[len(c.slots)-1][1]
	for {
		start, end := c.slotAt(t)
		avail := end.Sub(start)
		if d <= avail {
			return start.Add(d)
		}
		d -= avail
		t = end
		// Whole working days at once keeps long durations cheap.
		if j := dayOf(end); d > perDay && end.Equal(at(j, closing)) {
			for d > perDay {
				j = c.nextWorkingDay(j)
				d -= perDay
			}
			t = at(j, closing)
		}
	}
}

// WorkingDuration is the working time between from and to: the part of
// [from, to) inside working slots. It is negative when to is before from.
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	if to.Before(from) {
		return -c.WorkingDuration(to, from)
	}
	from, to = from.In(VN), to.In(VN)
	var total time.Duration
	for j, last := dayOf(from), dayOf(to); j <= last; j++ {
		if !c.isWorkingDay(j) {
			continue
		}
		for _, s := range c.slots {
			a, b := later(from, at(j, s[0])), at(j, s[1])
			if to.Before(b) {
				b = to
			}
			if b.After(a) {
				total += b.Sub(a)
			}
		}
	}
	return total
}

// maxDueDays bounds a processing time so that durations cannot overflow;
// real procedures are counted in tens of days.
const maxDueDays = 10000

// Due is the due date of a dossier received at received whose processing
// time is value in unit (UnitDays, UnitHours or UnitSameDay):
//
//   - intake outside working time counts from the next working slot;
//   - days: value × the working day (Hours().PerDay()) of working time, so
//     Monday 07:00 + 1 day is Monday 17:00, Monday 09:00 + 3 days is
//     Thursday 09:00;
//   - hours: value working hours;
//   - calendar_days: the period starts the day after the (next working) day of
//     receipt and ends at closing time of its last day, value calendar days later
//     (fractions round up); a last day that is a day off moves to the next working
//     day (Civil Code arts. 147–148);
//   - same_day (value ignored): received at or before the cut-off of a
//     working day, due at the end of that day; received after the cut-off,
//     due at the end of the next working day. Intake on a day off or before
//     opening counts from the next working morning, which is before the
//     cut-off.
//
// The result, in Vietnam time, is always inside or at the end of a working
// slot of a working day. Negative or NaN values count as 0; values above
// 10,000 days are capped. An unknown unit gives the zero Time.
func (c *Calendar) Due(received time.Time, unit Unit, value float64) time.Time {
	start := c.NextWorkingStart(received)
	if math.IsNaN(value) || value < 0 {
		value = 0
	}
	var per time.Duration
	switch unit {
	case UnitDays:
		per = c.hours.PerDay()
	case UnitHours:
		per = time.Hour
	case UnitSameDay:
		j := dayOf(start)
		if start.After(at(j, c.hours.SameDayCutoff)) {
			j = c.nextWorkingDay(j)
		}
		return at(j, c.slots[len(c.slots)-1][1])
	case UnitCalendarDays:
		j := dayOf(start) + int(math.Ceil(min(value, maxDueDays)))
		if !c.isWorkingDay(j) {
			j = c.nextWorkingDay(j)
		}
		return at(j, c.slots[len(c.slots)-1][1])
	default:
		return time.Time{}
	}
	maxValue := float64(maxDueDays*c.hours.PerDay()) / float64(per)
	value = min(value, maxValue)
	// Rounded to the second: 0.1 × 8 h should be 48 min, not 47:59.999999999.
	d := time.Duration(math.Round(value*float64(per)/float64(time.Second))) * time.Second
	return c.AddWorkingDuration(start, d)
}

// Paused moves a due date by the working time of a pause: a supplement
// request stops the clock from pausedFrom until the citizen brings the
// missing papers at pausedTo. An empty or reversed pause leaves due as is.
func (c *Calendar) Paused(due, pausedFrom, pausedTo time.Time) time.Time {
	return c.AddWorkingDuration(due, c.WorkingDuration(pausedFrom, pausedTo))
}

// Timeliness compares the day a dossier was finished with its due day; see
// TimelinessOf (the rule needs no holiday table, so callers without a
// calendar use that).
func (c *Calendar) Timeliness(finished, due time.Time) Timeliness {
	return TimelinessOf(finished, due)
}

// TimelinessOf compares the day a dossier (or a step of it) was finished with
// its due day, both in Vietnam: an earlier day is Early, the same day OnTime
// (whatever the hour: due dates never fall on a day off), a later day Late.
func TimelinessOf(finished, due time.Time) Timeliness {
	f, d := dayOf(finished), dayOf(due)
	switch {
	case f < d:
		return Early
	case f == d:
		return OnTime
	}
	return Late
}
