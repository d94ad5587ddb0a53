package domain

import (
	"testing"
	"time"

	"motcua/domain/calendar"
)

// The preview, the store and the receipt take the due date from ProcessingTime.Due, so
// its rounding to the minute is part of the rule: 0.01 working hours (36 s) after 09:00
// is printed, and stored, as 09:01.
func TestDueRoundsToTheMinute(t *testing.T) {
	cal := calendar.New(calendar.DefaultHours())
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, calendar.VN)
	got := ProcessingTime{Unit: TimeWorkingHours, Value: 0.01}.Due(cal, at)
	if want := time.Date(2026, 3, 10, 9, 1, 0, 0, calendar.VN); !got.Equal(want) {
		t.Fatalf("Due = %v, want %v", got, want)
	}
	if got := (ProcessingTime{Unit: "weeks", Value: 1}).Due(cal, at); !got.IsZero() {
		t.Fatalf("unknown unit: Due = %v, want the zero time", got)
	}
	// A pause of 2 h 30 min 40 s of working time moves 09:00 past the lunch break, to 13:31.
	due := time.Date(2026, 3, 12, 9, 0, 0, 0, calendar.VN)
	from := time.Date(2026, 3, 10, 14, 0, 0, 0, calendar.VN)
	got = ResumedDue(cal, due, from, from.Add(2*time.Hour+30*time.Minute+40*time.Second))
	if want := time.Date(2026, 3, 12, 13, 31, 0, 0, calendar.VN); !got.Equal(want) {
		t.Fatalf("ResumedDue = %v, want %v", got, want)
	}
}
