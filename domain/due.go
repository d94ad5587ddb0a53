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
	due := cal.Due(at, string(t.Unit), t.Value)
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
