package domain

import (
	"time"

	"motcua/domain/calendar"
)

// Due is the due date (ngày hẹn trả) of a dossier whose processing time is t, received —
// or, for an online registration, accepted — at at, on the working calendar cal. This is
// the one place the rule lives: the intake preview, the store, the receipt and the
// reports all take the due date from here, so the screen and the paper cannot disagree.
//
// The rule (DOMAIN.md, "Time counting"):
//
//   - intake outside working hours counts from the next working slot;
//   - working days and hours: the due time is the same clock time N working days (or
//     the working hours) later; a due time that lands on the end of a slot is printed
//     as the start of the next one — at closing, the next working morning. So a period
//     of N ≥ 1 working days never ends on the day of receipt: "1 working day" received
//     at or before opening on Monday is due at opening on Tuesday, not at 17:00 Monday
//     (Civil Code arts. 147–148: a period in days starts the next day);
//   - same day: closing time of the day of receipt, or of the next working day when
//     received after the cut-off (15:00) — a same-day result is due at closing, not moved;
//   - calendar days: closing time of the last day, moved to the next working day when
//     the last day is a day off.
//
// A receipt promises a minute, not a millisecond: the result is rounded to the minute
// before a slot end is moved on. An unknown unit gives the zero Time.
func (t ProcessingTime) Due(cal *calendar.Calendar, at time.Time) time.Time {
	due := cal.Due(at, t.Unit, t.Value)
	if due.IsZero() {
		return due
	}
	return t.settle(cal, due.Round(time.Minute))
}

// Resumed is the due date after a supplement pause: the clock stood still from
// pausedFrom (the request, Mẫu 02) until the citizen brought the papers at pausedTo, so
// the due date moves by the working time of the pause, and settles like Due.
func (t ProcessingTime) Resumed(cal *calendar.Calendar, due, pausedFrom, pausedTo time.Time) time.Time {
	return t.settle(cal, cal.Paused(due, pausedFrom, pausedTo).Round(time.Minute))
}

// settle moves a due time counted in working time off the end of a slot: a result due
// at 17:00 cannot be collected that day, so it is printed as the next opening.
func (t ProcessingTime) settle(cal *calendar.Calendar, due time.Time) time.Time {
	switch t.Unit {
	case TimeWorkingDays, TimeWorkingHours:
		return cal.NextWorkingStart(due)
	}
	return due.In(calendar.VN)
}

// WorkingDaysLate is how late a dossier due at due is at now, in working days: the working
// days after the due day up to today, in Vietnam. A dossier due yesterday is one day late;
// one due earlier today, 0 (late by hours, shown as "today"). Without a calendar every day
// counts. A zero due is never late.
func WorkingDaysLate(cal *calendar.Calendar, due, now time.Time) int {
	if due.IsZero() {
		return 0
	}
	d, today := civilDay(due), civilDay(now)
	n := 0
	for d = d.AddDate(0, 0, 1); !d.After(today); d = d.AddDate(0, 0, 1) {
		if cal == nil || cal.IsWorkingDay(d.Add(12*time.Hour)) {
			n++
		}
		if n > 10000 {
			break
		}
	}
	return n
}

// civilDay is midnight, in Vietnam, of t's date there.
func civilDay(t time.Time) time.Time {
	v := t.In(calendar.VN)
	return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, calendar.VN)
}

// ResumedDue is the due date of d once the papers asked for by its last supplement request
// arrive at at: the clock stood still from the request until then (ProcessingTime.Resumed).
// A dossier with no request or no due date keeps its due date.
func (d Dossier) ResumedDue(cal *calendar.Calendar, at time.Time) time.Time {
	n := len(d.Supplements)
	if n == 0 || d.DueAt.IsZero() {
		return d.DueAt
	}
	return d.Procedure.Time.Resumed(cal, d.DueAt, d.Supplements[n-1].RequestedAt, at)
}

// Overdue reports whether a dossier in status st, due at due, is overdue at now: still open
// and past its due time. A dossier without a due date (an online registration not yet
// accepted) is never overdue; one paused for a supplement past its due time is (the pause
// moves the due date only when the papers come). The store's queue filter and dashboard
// ask the same question in SQL (due_at < now), over the dossiers they list.
func Overdue(st Status, due, now time.Time) bool {
	return st.Open() && !due.IsZero() && due.Before(now)
}

// Overdue reports whether d is overdue at now (see Overdue).
func (d Dossier) Overdue(now time.Time) bool { return Overdue(d.Status, d.DueAt, now) }
