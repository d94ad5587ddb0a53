package domain

import (
	"fmt"
	"os"
	"testing"
	"time"

	"motcua/domain/calendar"
)

// officialCalendar is the working calendar with the official 2025 and 2026 tables (the
// same files the app embeds).
func officialCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	var tables []calendar.YearTable
	for _, y := range []int{2025, 2026} {
		data, err := os.ReadFile(fmt.Sprintf("../assets/calendar/%d.json", y))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := calendar.ParseYearTable(data)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	return calendar.New(calendar.DefaultHours(), tables...)
}

func vnClock(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, s, calendar.VN); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

// The edges of day counting (DOMAIN.md, "Time counting"), with the official 2025 and
// 2026 tables: Tết 2026 is off from Saturday 14/2 to Sunday 22/2, Tết 2025 from
// Saturday 25/1 to Sunday 2/2.
func TestDueEdges(t *testing.T) {
	cal := officialCalendar(t)
	days := func(n float64) ProcessingTime { return ProcessingTime{Unit: TimeWorkingDays, Value: n} }
	hours := func(n float64) ProcessingTime { return ProcessingTime{Unit: TimeWorkingHours, Value: n} }
	calDays := func(n float64) ProcessingTime { return ProcessingTime{Unit: TimeCalendarDays, Value: n} }
	sameDay := ProcessingTime{Unit: TimeSameDay}
	for _, tt := range []struct {
		name     string
		time     ProcessingTime
		received string
		want     string
	}{
		// A period of N working days never ends on the day of receipt.
		{"1 day received at 07:00 is due at the next opening", days(1), "2026-03-02 07:00", "2026-03-03 07:00"},
		{"1 day filed online overnight", days(1), "2026-03-02 05:30", "2026-03-03 07:00"},
		{"1 day filed just after midnight", days(1), "2026-03-02 00:10", "2026-03-03 07:00"},
		{"2 days received before opening", days(2), "2026-03-02 05:00", "2026-03-04 07:00"},
		{"1 day on Friday at opening: Monday", days(1), "2026-03-06 07:00", "2026-03-09 07:00"},
		{"1 day at opening before Tết: after Tết", days(1), "2026-02-13 07:00", "2026-02-23 07:00"},
		// Otherwise the same clock time N working days later.
		{"1 day from 09:00", days(1), "2026-03-02 09:00", "2026-03-03 09:00"},
		{"3 days from 09:00", days(3), "2026-03-02 09:00", "2026-03-05 09:00"},
		{"1 day from 13:30: 13:30, not 11:30", days(1), "2026-03-02 13:30", "2026-03-03 13:30"},
		{"received at lunch counts from 13:30", days(1), "2026-03-02 12:00", "2026-03-03 13:30"},
		{"received after closing counts from the next morning", days(1), "2026-03-02 18:00", "2026-03-04 07:00"},
		{"1 day over Tết", days(1), "2026-02-13 10:00", "2026-02-23 10:00"},
		{"half a day from opening", days(0.5), "2026-03-02 07:00", "2026-03-02 11:00"},
		{"half a day ending at 11:30 prints 13:30", days(0.5), "2026-03-02 07:30", "2026-03-02 13:30"},
		// A due time at closing prints as the next opening, for hours too.
		{"2 hours from 15:00 end at closing", hours(2), "2026-03-02 15:00", "2026-03-03 07:00"},
		{"1.5 hours from 10:00 end at lunch", hours(1.5), "2026-03-02 10:00", "2026-03-02 13:30"},
		{"4 hours across lunch", hours(4), "2026-03-02 10:00", "2026-03-02 16:00"},
		{"2 hours from 15:00 on Friday before Tết", hours(2), "2026-02-13 15:00", "2026-02-23 07:00"},
		// Rounded to the minute first: 16:59:58 is 17:00, so the next opening.
		{"rounding onto closing", hours(0.9995), "2026-03-02 16:00", "2026-03-03 07:00"},
		// Same-day procedures are due at closing: that is not moved.
		{"same day from 07:00", sameDay, "2026-03-02 07:00", "2026-03-02 17:00"},
		{"same day after 15:00 before Tết", sameDay, "2026-02-13 16:00", "2026-02-23 17:00"},
		// Calendar days: the last day at closing, or the next working day if it is off.
		{"15 calendar days ending on a working day", calDays(15), "2026-03-02 09:00", "2026-03-17 17:00"},
		{"15 calendar days ending on Saturday", calDays(15), "2026-03-06 09:00", "2026-03-23 17:00"},
		{"15 calendar days ending in Tết 2026", calDays(15), "2026-01-30 09:00", "2026-02-23 17:00"},
		{"15 calendar days across Tết 2026", calDays(15), "2026-02-09 09:00", "2026-02-24 17:00"},
		{"15 calendar days ending in Tết 2025", calDays(15), "2025-01-10 10:00", "2025-02-03 17:00"},
		{"calendar days received on Sunday count from Monday", calDays(15), "2026-03-08 10:00", "2026-03-24 17:00"},
		{"calendar days received after closing count from the next day", calDays(15), "2026-03-02 18:00", "2026-03-18 17:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.time.Due(cal, vnClock(t, tt.received))
			if want := vnClock(t, tt.want); !got.Equal(want) {
				t.Errorf("%s %v received %s: due %s, want %s", tt.time.Unit, tt.time.Value, tt.received,
					got.In(calendar.VN).Format("2006-01-02 15:04 Mon"), tt.want)
			}
			if !cal.IsWorkingDay(got) {
				t.Errorf("due %v falls on a day off", got)
			}
		})
	}
}

// Whenever a dossier is received, a period of 1–3 working days ends on a later day than
// the day its time starts, on a working day, never at the end of a slot.
func TestDueNeverOnTheDayOfReceipt(t *testing.T) {
	cal := officialCalendar(t)
	h := cal.Hours()
	for at := vnClock(t, "2026-02-09 00:00"); at.Before(vnClock(t, "2026-03-02 00:00")); at = at.Add(10 * time.Minute) {
		start := cal.NextWorkingStart(at)
		for _, n := range []float64{1, 2, 3} {
			due := ProcessingTime{Unit: TimeWorkingDays, Value: n}.Due(cal, at)
			if !dayAfter(due, start) || !cal.IsWorkingDay(due) {
				t.Fatalf("%v working days from %v (counted from %v): due %v", n, at, start, due)
			}
			if m := due.Hour()*60 + due.Minute(); m == h.MorningEnd || m == h.AfternoonEnd {
				t.Fatalf("%v working days from %v: due %v at the end of a slot", n, at, due)
			}
		}
	}
}

func dayAfter(a, b time.Time) bool {
	ay, am, ad := a.In(calendar.VN).Date()
	by, bm, bd := b.In(calendar.VN).Date()
	return time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC).After(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC))
}

func TestDueRoundsAndUnknownUnit(t *testing.T) {
	cal := calendar.New(calendar.DefaultHours())
	at := vnClock(t, "2026-03-10 09:00")
	// 0.01 working hours (36 s) after 09:00 is printed, and stored, as 09:01.
	if got, want := (ProcessingTime{Unit: TimeWorkingHours, Value: 0.01}).Due(cal, at), vnClock(t, "2026-03-10 09:01"); !got.Equal(want) {
		t.Fatalf("Due = %v, want %v", got, want)
	}
	if got := (ProcessingTime{Unit: "weeks", Value: 1}).Due(cal, at); !got.IsZero() {
		t.Fatalf("unknown unit: Due = %v, want the zero time", got)
	}
}

// A supplement pause moves the due date by the working time of the pause, rounded to the
// minute and settled like Due.
func TestResumed(t *testing.T) {
	cal := officialCalendar(t)
	days := ProcessingTime{Unit: TimeWorkingDays, Value: 3}
	for _, tt := range []struct {
		name                string
		time                ProcessingTime
		due, from, to, want string
	}{
		{"a pause past lunch", days, "2026-03-12 09:00", "2026-03-10 14:00", "2026-03-10 16:30:40", "2026-03-12 13:31"},
		{"a pause ending the due date at closing", days, "2026-03-04 15:00", "2026-03-02 09:00", "2026-03-02 11:00", "2026-03-05 07:00"},
		{"a pause over Tết", days, "2026-02-24 10:00", "2026-02-13 16:00", "2026-02-23 08:00", "2026-02-24 14:00"},
		{"same day: closing stays closing", ProcessingTime{Unit: TimeSameDay}, "2026-03-02 17:00", "2026-03-02 10:00", "2026-03-02 10:00", "2026-03-02 17:00"},
	} {
		got := tt.time.Resumed(cal, vnClock(t, tt.due), vnClock(t, tt.from), vnClock(t, tt.to))
		if want := vnClock(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: Resumed = %v, want %s", tt.name, got, tt.want)
		}
	}
}

// Lateness counts the working days after the due day, on the official calendar: Tết and
// weekends do not count, a make-up Saturday does.
func TestWorkingDaysLate(t *testing.T) {
	cal := officialCalendar(t)
	for _, tt := range []struct {
		name     string
		cal      *calendar.Calendar
		due, now string
		want     int
	}{
		{"due earlier today", cal, "2026-03-02 10:00", "2026-03-02 16:00", 0},
		{"not due yet", cal, "2026-03-05 10:00", "2026-03-02 16:00", 0},
		{"due yesterday", cal, "2026-03-02 17:00", "2026-03-03 07:00", 1},
		{"over a weekend", cal, "2026-03-06 10:00", "2026-03-09 08:00", 1},
		{"over Tết 2026", cal, "2026-02-13 16:00", "2026-02-23 09:00", 1},
		{"over Tết 2025", cal, "2025-01-24 16:00", "2025-02-04 09:00", 2},
		{"a make-up Saturday counts", cal, "2026-01-09 10:00", "2026-01-12 10:00", 2},
		{"the day swapped away does not", cal, "2025-12-31 10:00", "2026-01-05 10:00", 1},
		{"without a calendar every day counts", nil, "2026-03-06 10:00", "2026-03-09 08:00", 3},
	} {
		if got := WorkingDaysLate(tt.cal, vnClock(t, tt.due), vnClock(t, tt.now)); got != tt.want {
			t.Errorf("%s: WorkingDaysLate = %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := WorkingDaysLate(cal, time.Time{}, vnClock(t, "2026-03-02 10:00")); got != 0 {
		t.Errorf("no due date: %d days late", got)
	}
}

// The due date after a supplement: the clock stood still from the last request until the
// papers came; no request or no due date leaves it as it was.
func TestResumedDue(t *testing.T) {
	cal := officialCalendar(t)
	days := ProcessingTime{Unit: TimeWorkingDays, Value: 3}
	dossier := func(due string, requests ...string) Dossier {
		d := Dossier{Procedure: ProcedureRef{Time: days}}
		if due != "" {
			d.DueAt = vnClock(t, due)
		}
		for _, r := range requests {
			d.Supplements = append(d.Supplements, SupplementRound{RequestedAt: vnClock(t, r)})
		}
		return d
	}
	for _, tt := range []struct {
		name string
		d    Dossier
		at   string
		want string // "" = zero
	}{
		{"no request", dossier("2026-03-12 09:00"), "2026-03-10 16:00", "2026-03-12 09:00"},
		{"no due date", dossier("", "2026-03-10 14:00"), "2026-03-10 16:00", ""},
		{"a pause past lunch, rounded to the minute", dossier("2026-03-12 09:00", "2026-03-10 14:00"), "2026-03-10 16:30:40", "2026-03-12 13:31"},
		{"only the last request pauses", dossier("2026-03-12 09:00", "2026-03-02 08:00", "2026-03-10 14:00"), "2026-03-10 16:30:40", "2026-03-12 13:31"},
		{"a pause over Tết counts only the working time", dossier("2026-02-24 10:00", "2026-02-13 16:00"), "2026-02-23 08:00", "2026-02-24 14:00"},
		// Fri 16–17, the make-up Saturday 10/1 (8 h) and Mon 7–8: 10 working hours.
		{"a pause over a make-up Saturday", dossier("2026-01-12 10:00", "2026-01-09 16:00"), "2026-01-12 08:00", "2026-01-13 14:00"},
		// A pause that ends the due date at closing prints it at the next opening.
		{"settled off closing", dossier("2026-03-04 15:00", "2026-03-02 09:00"), "2026-03-02 11:00", "2026-03-05 07:00"},
	} {
		got := tt.d.ResumedDue(cal, vnClock(t, tt.at))
		if tt.want == "" {
			if !got.IsZero() {
				t.Errorf("%s: ResumedDue = %v, want zero", tt.name, got)
			}
			continue
		}
		if want := vnClock(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: ResumedDue = %v, want %s", tt.name, got, tt.want)
		}
	}
}

// Overdue: open and past the due time; closed, undated or not yet due is not.
func TestOverdue(t *testing.T) {
	now := vnClock(t, "2026-03-05 10:00")
	for _, tt := range []struct {
		name string
		st   Status
		due  string
		want bool
	}{
		{"open, past due", StatusProcessing, "2026-03-05 09:59", true},
		{"paused past due", StatusSupplement, "2026-03-04 09:00", true},
		{"due now", StatusAccepted, "2026-03-05 10:00", false},
		{"not yet due", StatusAccepted, "2026-03-06 10:00", false},
		{"result ready late", StatusResultReady, "2026-03-04 09:00", false},
		{"returned late", StatusReturned, "2026-03-04 09:00", false},
		{"registered online, no due date", StatusRegistered, "", false},
	} {
		var due time.Time
		if tt.due != "" {
			due = vnClock(t, tt.due)
		}
		if got := Overdue(tt.st, due, now); got != tt.want {
			t.Errorf("%s: Overdue = %v", tt.name, got)
		}
		if got := (Dossier{Status: tt.st, DueAt: due}).Overdue(now); got != tt.want {
			t.Errorf("%s: Dossier.Overdue = %v", tt.name, got)
		}
	}
}
