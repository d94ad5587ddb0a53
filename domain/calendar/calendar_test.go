package calendar

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// vn parses "2006-01-02 15:04" (or with seconds) in Vietnam time.
func vn(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if v, err := time.ParseInLocation(layout, s, VN); err == nil {
			return v
		}
	}
	t.Fatalf("bad test time %q", s)
	return time.Time{}
}

func official(t testing.TB) *Calendar {
	t.Helper()
	return New(DefaultHours(), loadTable(t, 2025), loadTable(t, 2026))
}

func TestDefaultHours(t *testing.T) {
	h := DefaultHours()
	if got := h.PerDay(); got != 8*time.Hour {
		t.Errorf("PerDay = %v, want 8h", got)
	}
	if err := h.Validate(); err != nil {
		t.Error(err)
	}
	// Hours per day follow the configuration.
	h.AfternoonEnd = 16*60 + 30
	if got := h.PerDay(); got != 7*time.Hour+30*time.Minute {
		t.Errorf("PerDay = %v, want 7h30m", got)
	}
}

func TestWorkingHoursValidate(t *testing.T) {
	ok := DefaultHours()
	tests := []struct {
		name string
		edit func(*WorkingHours)
		fine bool
	}{
		{"default", func(*WorkingHours) {}, true},
		{"no lunch break", func(h *WorkingHours) { h.AfternoonStart = h.MorningEnd }, true},
		{"mornings only", func(h *WorkingHours) { h.AfternoonStart, h.AfternoonEnd, h.SameDayCutoff = 720, 720, 600 }, true},
		{"empty morning", func(h *WorkingHours) { h.MorningEnd = h.MorningStart }, false},
		{"overlap", func(h *WorkingHours) { h.AfternoonStart = h.MorningEnd - 1 }, false},
		{"past midnight", func(h *WorkingHours) { h.AfternoonEnd = 24*60 + 1 }, false},
		{"negative", func(h *WorkingHours) { h.MorningStart = -1 }, false},
		{"cut-off after closing", func(h *WorkingHours) { h.SameDayCutoff = h.AfternoonEnd + 1 }, false},
		{"cut-off before opening", func(h *WorkingHours) { h.SameDayCutoff = h.MorningStart - 1 }, false},
	}
	for _, tt := range tests {
		h := ok
		tt.edit(&h)
		if err := h.Validate(); (err == nil) != tt.fine {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}

func TestNewPanicsOnBadInput(t *testing.T) {
	for name, f := range map[string]func(){
		"hours": func() { New(WorkingHours{MorningStart: 600, MorningEnd: 500}) },
		"table": func() {
			New(DefaultHours(), YearTable{Year: 2026, Days: []DayEntry{{Date: "2026-13-01", Kind: KindOff, Name: "x"}}})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with a bad %s did not panic", name)
				}
			}()
			f()
		}()
	}
	if got := New(WorkingHours{}).Hours(); got != DefaultHours() {
		t.Errorf("zero hours gave %+v, want the defaults", got)
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := official(t)
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-03-02 09:00", true},  // Monday
		{"2026-03-07 09:00", false}, // Saturday
		{"2026-03-08 09:00", false}, // Sunday
		{"2026-01-02 09:00", false}, // swapped for Sat 10/1
		{"2026-01-10 09:00", true},  // make-up Saturday
		{"2026-02-16 09:00", false}, // Tết
		{"2026-02-23 00:00", true},  // back after Tết
		{"2026-04-27 09:00", false}, // compensatory for Giỗ Tổ on Sunday
		{"2026-08-22 09:00", true},  // make-up Saturday for Mon 31/8
		{"2026-08-31 09:00", false},
		{"2026-09-03 09:00", true},
		{"2025-02-08 09:00", false}, // no make-up day after Tết 2025
		{"2025-04-26 09:00", true},  // make-up Saturday for Fri 2/5
		{"2025-05-02 09:00", false},
		{"2027-02-10 09:00", false}, // generated: compensatory for Tết 2027
		{"2027-02-12 09:00", true},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(vn(t, tt.at)); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
	// The date is taken in Vietnam, whatever the time's location:
	// Sunday 18:00 UTC is Monday 01:00 in Vietnam.
	if !c.IsWorkingDay(time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)) {
		t.Error("Sunday 18:00 UTC (Monday in Vietnam) not a working day")
	}
}

func TestNextWorkingStart(t *testing.T) {
	c := official(t)
	tests := []struct{ at, want string }{
		{"2026-03-02 06:00", "2026-03-02 07:00"},
		{"2026-03-02 07:00", "2026-03-02 07:00"},
		{"2026-03-02 11:29", "2026-03-02 11:29"},
		{"2026-03-02 11:30", "2026-03-02 13:30"}, // a slot's end is outside it
		{"2026-03-02 12:00", "2026-03-02 13:30"},
		{"2026-03-02 16:59", "2026-03-02 16:59"},
		{"2026-03-02 17:00", "2026-03-03 07:00"},
		{"2026-03-06 18:00", "2026-03-09 07:00"}, // Friday evening
		{"2026-08-22 08:00", "2026-08-22 08:00"}, // make-up Saturday
		{"2026-02-13 17:30", "2026-02-23 07:00"}, // over Tết
		{"2026-08-28 17:30", "2026-09-03 07:00"}, // over Quốc khánh
	}
	for _, tt := range tests {
		got := c.NextWorkingStart(vn(t, tt.at))
		if want := vn(t, tt.want); !got.Equal(want) || got.Location() != VN {
			t.Errorf("NextWorkingStart(%s) = %v, want %s", tt.at, got, tt.want)
		}
	}
}

func TestNextWorkingDay(t *testing.T) {
	c := official(t)
	tests := []struct{ at, want string }{
		{"2026-03-02 09:00", "2026-03-03 00:00"}, // Monday → Tuesday
		{"2026-03-06 16:00", "2026-03-09 00:00"}, // Friday → Monday
		{"2026-03-07 09:00", "2026-03-09 00:00"}, // from a day off too
		{"2026-08-21 17:00", "2026-08-22 00:00"}, // make-up Saturday
		{"2026-02-13 17:00", "2026-02-23 00:00"}, // over Tết
		{"2026-08-28 17:00", "2026-09-03 00:00"}, // over Quốc khánh
	}
	for _, tt := range tests {
		got := c.NextWorkingDay(vn(t, tt.at))
		if want := vn(t, tt.want); !got.Equal(want) || got.Location() != VN {
			t.Errorf("NextWorkingDay(%s) = %v, want %s", tt.at, got, tt.want)
		}
	}
	// The date is taken in Vietnam: Sunday 18:00 UTC is Monday in Vietnam.
	if got := c.NextWorkingDay(time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)); !got.Equal(vn(t, "2026-03-03 00:00")) {
		t.Errorf("NextWorkingDay(Sunday 18:00 UTC) = %v, want Tuesday", got)
	}
}

func TestAddWorkingDuration(t *testing.T) {
	c := official(t)
	tests := []struct {
		at   string
		d    time.Duration
		want string
	}{
		{"2026-03-02 07:00", 8 * time.Hour, "2026-03-02 17:00"}, // lands on a slot end and stays
		{"2026-03-02 07:00", 4*time.Hour + 30*time.Minute, "2026-03-02 11:30"},
		{"2026-03-02 07:00", 4*time.Hour + 31*time.Minute, "2026-03-02 13:31"},
		{"2026-03-02 11:00", 2 * time.Hour, "2026-03-02 15:00"}, // across lunch
		{"2026-03-02 12:00", time.Hour, "2026-03-02 14:30"},     // from lunch
		{"2026-03-02 16:00", 2 * time.Hour, "2026-03-03 08:00"},
		{"2026-03-02 09:00", 0, "2026-03-02 09:00"},
		{"2026-03-07 09:00", 0, "2026-03-07 09:00"}, // zero leaves t alone
		{"2026-03-02 09:00", -time.Hour, "2026-03-02 09:00"},
		{"2026-03-02 09:00", 90 * time.Second, "2026-03-02 09:01:30"},
		// 30 working days from Mon 2/3: whole weeks, no holidays in March.
		{"2026-03-02 07:00", 30 * 8 * time.Hour, "2026-04-10 17:00"},
		// Across Giỗ Tổ, 30/4 – 1/5: Mon 20/4 + 10 days skips 27/4, 30/4, 1/5.
		{"2026-04-20 07:00", 10 * 8 * time.Hour, "2026-05-06 17:00"},
	}
	for _, tt := range tests {
		got := c.AddWorkingDuration(vn(t, tt.at), tt.d)
		if want := vn(t, tt.want); !got.Equal(want) || got.Location() != VN {
			t.Errorf("AddWorkingDuration(%s, %v) = %v, want %s", tt.at, tt.d, got, tt.want)
		}
	}
}

func TestWorkingDuration(t *testing.T) {
	c := official(t)
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-03-02 07:00", "2026-03-02 17:00", 8 * time.Hour},
		{"2026-03-02 11:00", "2026-03-02 14:00", time.Hour},
		{"2026-03-02 12:00", "2026-03-02 13:00", 0},
		{"2026-03-02 06:00", "2026-03-02 07:30", 30 * time.Minute},
		{"2026-03-06 16:00", "2026-03-09 08:00", 2 * time.Hour},  // over a weekend
		{"2026-02-13 16:00", "2026-02-23 08:00", 2 * time.Hour},  // over Tết
		{"2026-08-21 16:00", "2026-08-24 08:00", 10 * time.Hour}, // over a make-up Saturday
		{"2026-03-02 09:00", "2026-03-02 09:00", 0},
		{"2026-03-09 08:00", "2026-03-06 16:00", -2 * time.Hour}, // reversed
		{"2026-03-02 07:00", "2026-04-10 17:00", 30 * 8 * time.Hour},
	}
	for _, tt := range tests {
		if got := c.WorkingDuration(vn(t, tt.from), vn(t, tt.to)); got != tt.want {
			t.Errorf("WorkingDuration(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestDue(t *testing.T) {
	c := official(t)
	tests := []struct {
		name     string
		received string
		unit     Unit
		value    float64
		want     string
	}{
		// same_day
		{"same day before cut-off", "2026-03-02 10:00", UnitSameDay, 0, "2026-03-02 17:00"},
		{"same day at cut-off", "2026-03-02 15:00", UnitSameDay, 0, "2026-03-02 17:00"},
		{"same day just after cut-off", "2026-03-02 15:00:01", UnitSameDay, 0, "2026-03-03 17:00"},
		{"same day before opening", "2026-03-02 06:30", UnitSameDay, 0, "2026-03-02 17:00"},
		{"same day at lunch", "2026-03-02 12:00", UnitSameDay, 0, "2026-03-02 17:00"},
		{"same day at closing", "2026-03-02 17:00", UnitSameDay, 0, "2026-03-03 17:00"},
		{"same day Friday evening", "2026-03-06 18:00", UnitSameDay, 0, "2026-03-09 17:00"},
		{"same day on Sunday", "2026-03-08 10:00", UnitSameDay, 0, "2026-03-09 17:00"},
		{"same day before Tết", "2026-02-13 16:00", UnitSameDay, 0, "2026-02-23 17:00"},
		{"same day during Tết", "2026-02-14 09:00", UnitSameDay, 0, "2026-02-23 17:00"},
		{"same day on a make-up Saturday", "2026-08-22 10:00", UnitSameDay, 0, "2026-08-22 17:00"},
		{"same day late Friday before a make-up Saturday", "2026-08-21 16:00", UnitSameDay, 0, "2026-08-22 17:00"},
		{"same day before Quốc khánh", "2026-08-28 16:00", UnitSameDay, 0, "2026-09-03 17:00"},
		{"same day value ignored", "2026-03-02 10:00", UnitSameDay, 5, "2026-03-02 17:00"},
		// days
		{"1 day from opening", "2026-03-02 07:00", UnitDays, 1, "2026-03-02 17:00"},
		{"3 days from 09:00", "2026-03-02 09:00", UnitDays, 3, "2026-03-05 09:00"},
		{"half a day", "2026-03-02 07:00", UnitDays, 0.5, "2026-03-02 11:00"},
		{"0.1 day is 48 min", "2026-03-02 07:00", UnitDays, 0.1, "2026-03-02 07:48"},
		{"received at lunch counts from 13:30", "2026-03-02 12:00", UnitDays, 1, "2026-03-03 11:30"},
		{"received in the evening counts from the morning", "2026-03-02 18:00", UnitDays, 1, "2026-03-03 17:00"},
		{"received before opening", "2026-03-02 05:00", UnitDays, 2, "2026-03-03 17:00"},
		{"received on Saturday", "2026-03-07 10:00", UnitDays, 1, "2026-03-09 17:00"},
		{"make-up Saturday from opening", "2026-08-22 07:00", UnitDays, 1, "2026-08-22 17:00"},
		{"make-up Saturday from 09:00", "2026-08-22 09:00", UnitDays, 1, "2026-08-24 09:00"},
		{"over a make-up Saturday", "2026-08-21 14:00", UnitDays, 3, "2026-08-25 14:00"},
		{"over the Giỗ Tổ compensatory day", "2026-04-24 10:00", UnitDays, 1, "2026-04-28 10:00"},
		{"2 days over the Giỗ Tổ compensatory day", "2026-04-24 10:00", UnitDays, 2, "2026-04-29 10:00"},
		{"over Quốc khánh", "2026-08-26 09:00", UnitDays, 5, "2026-09-07 09:00"},
		{"over Tết", "2026-02-13 10:00", UnitDays, 1, "2026-02-23 10:00"},
		{"over Tết Dương lịch and its make-up Saturday", "2025-12-31 09:00", UnitDays, 2, "2026-01-06 09:00"},
		{"onto a make-up Saturday", "2026-01-09 09:00", UnitDays, 1, "2026-01-10 09:00"},
		{"2025 make-up Saturday 26/4", "2025-04-25 09:00", UnitDays, 1, "2025-04-26 09:00"},
		{"2025 no make-up Saturday 8/2", "2025-02-07 09:00", UnitDays, 1, "2025-02-10 09:00"},
		{"15 days", "2026-03-02 09:00", UnitDays, 15, "2026-03-23 09:00"},
		{"zero days on Sunday", "2026-03-08 10:00", UnitDays, 0, "2026-03-09 07:00"},
		{"negative days count as zero", "2026-03-02 10:00", UnitDays, -3, "2026-03-02 10:00"},
		// hours
		{"4 hours across lunch", "2026-03-02 10:00", UnitHours, 4, "2026-03-02 16:00"},
		{"hours ending on the morning's end", "2026-03-02 10:00", UnitHours, 1.5, "2026-03-02 11:30"},
		{"hours across the night", "2026-03-02 16:00", UnitHours, 2, "2026-03-03 08:00"},
		{"8 hours is a day", "2026-03-02 09:00", UnitHours, 8, "2026-03-03 09:00"},
		{"hours in the evening", "2026-03-02 20:00", UnitHours, 3, "2026-03-03 10:00"},
		{"hours over a weekend", "2026-03-06 16:30", UnitHours, 1, "2026-03-09 07:30"},
		// calendar days
		{"15 calendar days", "2026-03-02 09:00", UnitCalendarDays, 15, "2026-03-17 17:00"},
		{"15 calendar days ending in Tết", "2026-01-30 09:00", UnitCalendarDays, 15, "2026-02-23 17:00"},
		{"calendar days round up", "2026-03-02 09:00", UnitCalendarDays, 1.5, "2026-03-04 17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Due(vn(t, tt.received), tt.unit, tt.value)
			if want := vn(t, tt.want); !got.Equal(want) || got.Location() != VN {
				t.Errorf("Due(%s, %s, %v) = %v, want %s", tt.received, tt.unit, tt.value, got, tt.want)
			}
			if !c.IsWorkingDay(got) {
				t.Errorf("due %v on a day off", got)
			}
		})
	}
}

func TestDueOtherZonesAndUnits(t *testing.T) {
	c := official(t)
	// 02:00 UTC is 09:00 in Vietnam.
	got := c.Due(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), UnitDays, 3)
	if want := vn(t, "2026-03-05 09:00"); !got.Equal(want) || got.Location() != VN {
		t.Errorf("Due from UTC = %v, want %v in VN", got, want)
	}
	if got := c.Due(vn(t, "2026-03-02 09:00"), "weeks", 1); !got.IsZero() {
		t.Errorf("unknown unit gave %v, want the zero Time", got)
	}
}

func TestDueOtherHours(t *testing.T) {
	// A 7.5-hour day (closing 16:30): 1 day from opening ends at closing.
	h := DefaultHours()
	h.AfternoonEnd = 16*60 + 30
	c := New(h, loadTable(t, 2026))
	for _, tt := range []struct {
		received string
		unit     Unit
		value    float64
		want     string
	}{
		{"2026-03-02 07:00", UnitDays, 1, "2026-03-02 16:30"},
		{"2026-03-02 09:00", UnitDays, 1, "2026-03-03 09:00"},
		{"2026-03-02 10:00", UnitSameDay, 0, "2026-03-02 16:30"},
		{"2026-03-02 16:45", UnitHours, 1, "2026-03-03 08:00"},
	} {
		if got := c.Due(vn(t, tt.received), tt.unit, tt.value); !got.Equal(vn(t, tt.want)) {
			t.Errorf("Due(%s, %s, %v) = %v, want %s", tt.received, tt.unit, tt.value, got, tt.want)
		}
	}
}

func TestPaused(t *testing.T) {
	c := official(t)
	tests := []struct {
		name, due, from, to, want string
	}{
		{"over a weekend", "2026-03-11 17:00", "2026-03-06 16:00", "2026-03-09 08:00", "2026-03-12 09:00"},
		{"weekend only", "2026-03-11 17:00", "2026-03-07 10:00", "2026-03-08 16:00", "2026-03-11 17:00"},
		{"from Friday afternoon to Monday morning", "2026-03-09 17:00", "2026-03-06 15:00", "2026-03-09 09:00", "2026-03-10 11:00"},
		{"a whole working day", "2026-03-04 10:00", "2026-03-02 07:00", "2026-03-02 17:00", "2026-03-05 10:00"},
		{"over Tết", "2026-02-24 17:00", "2026-02-13 16:00", "2026-02-23 08:00", "2026-02-25 09:00"},
		{"moves the due date over Quốc khánh", "2026-08-28 16:00", "2026-08-26 07:00", "2026-08-26 11:30", "2026-09-03 10:30"},
		{"empty", "2026-03-11 17:00", "2026-03-06 16:00", "2026-03-06 16:00", "2026-03-11 17:00"},
		{"reversed", "2026-03-11 17:00", "2026-03-09 08:00", "2026-03-06 16:00", "2026-03-11 17:00"},
	}
	for _, tt := range tests {
		got := c.Paused(vn(t, tt.due), vn(t, tt.from), vn(t, tt.to))
		if want := vn(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: Paused = %v, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTimeliness(t *testing.T) {
	c := official(t)
	due := vn(t, "2026-03-03 17:00")
	tests := []struct {
		finished time.Time
		want     Timeliness
	}{
		{vn(t, "2026-03-02 10:00"), Early},
		{vn(t, "2026-02-27 10:00"), Early},
		{vn(t, "2026-03-03 07:00"), OnTime},
		{vn(t, "2026-03-03 16:59"), OnTime},
		{vn(t, "2026-03-03 17:30"), OnTime}, // same day, after the due hour
		{vn(t, "2026-03-04 07:00"), Late},
		{time.Date(2026, 3, 3, 16, 30, 0, 0, time.UTC), OnTime}, // 3/3 23:30 in Vietnam
		{time.Date(2026, 3, 3, 17, 30, 0, 0, time.UTC), Late},   // 3/3 in UTC, 4/3 00:30 in Vietnam
		{time.Date(2026, 3, 2, 17, 30, 0, 0, time.UTC), OnTime}, // 2/3 in UTC, 3/3 00:30 in Vietnam
	}
	for _, tt := range tests {
		if got := c.Timeliness(tt.finished, due); got != tt.want {
			t.Errorf("Timeliness(%v) = %v, want %v", tt.finished, got, tt.want)
		}
	}
	for tl, s := range map[Timeliness]string{Early: "early", OnTime: "on_time", Late: "late", 0: "Timeliness(0)"} {
		if tl.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(tl), tl.String(), s)
		}
	}
}

func TestDays(t *testing.T) {
	c := official(t)
	if got, want := c.Days(2026), loadTable(t, 2026).Days; !slices.Equal(got, want) {
		t.Errorf("Days(2026) differs from the official table")
	}
	got := c.Days(2027)
	if want := DefaultYearTable(2027).Days; !slices.Equal(got, want) {
		t.Errorf("Days(2027) = %v, want the generated table", got)
	}
	if !slices.IsSortedFunc(got, func(a, b DayEntry) int { return compareDates(a.Date, b.Date) }) {
		t.Error("Days(2027) not sorted")
	}
	// Callers get a copy.
	got[0].Kind = KindWork
	if c.Days(2027)[0].Kind != KindOff {
		t.Error("Days returned the cached slice")
	}
	if tb := c.Table(2027); tb.Official {
		t.Error("Table(2027) claims to be official")
	}
	if tb := c.Table(2026); !tb.Official || tb.Source == "" {
		t.Error("Table(2026) lost its header")
	}
}

func compareDates(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestConcurrentDefaults runs with -race: years without a table are
// generated lazily from many goroutines at once.
func TestConcurrentDefaults(t *testing.T) {
	c := New(DefaultHours())
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for year := 2030; year < 2040; year++ {
				due := c.Due(time.Date(year, 2, 1, 9, 0, 0, 0, VN), UnitDays, 10)
				results[g] = append(results[g], fmt.Sprint(due, len(c.Days(year))))
			}
		}()
	}
	wg.Wait()
	for g := range results {
		if !slices.Equal(results[g], results[0]) {
			t.Fatalf("goroutine %d saw %v, goroutine 0 saw %v", g, results[g], results[0])
		}
	}
}
