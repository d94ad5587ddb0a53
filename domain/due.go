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
// A receipt promises a minute, not a millisecond: the result is rounded to the minute.
// An unknown unit gives the zero Time.
func (t ProcessingTime) Due(cal *calendar.Calendar, at time.Time) time.Time {
	due := cal.Due(at, string(t.Unit), t.Value)
	if due.IsZero() {
		return due
	}
	return due.Round(time.Minute)
}

// ResumedDue is the due date after a supplement pause: the clock stood still from
// pausedFrom (the request, Mẫu 02) until the citizen brought the papers at pausedTo, so
// the due date moves by the working time of the pause. Rounded to the minute like Due.
func ResumedDue(cal *calendar.Calendar, due, pausedFrom, pausedTo time.Time) time.Time {
	return cal.Paused(due, pausedFrom, pausedTo).Round(time.Minute)
}
