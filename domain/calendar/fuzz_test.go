package calendar

import (
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"
)

var (
	fuzzCalOnce sync.Once
	fuzzCal     *Calendar
)

// fuzzCalendar is shared by fuzz iterations so generated years are cached.
func fuzzCalendar(t testing.TB) *Calendar {
	fuzzCalOnce.Do(func() { fuzzCal = official(t) })
	return fuzzCal
}

// isWorkingInstant: on a working day, inside a slot or exactly at its end.
func isWorkingInstant(c *Calendar, t time.Time) bool {
	if !c.IsWorkingDay(t) {
		return false
	}
	t = t.In(VN)
	j := dayOf(t)
	for _, s := range c.slots {
		if !t.Before(at(j, s[0])) && !t.After(at(j, s[1])) {
			return true
		}
	}
	return false
}

// FuzzDue checks, for any intake time 2000–2099 and any value: the due date
// is never before intake, is a working instant in Vietnam time, counts
// exactly the requested working time, and does not decrease when the value
// grows.
func FuzzDue(f *testing.F) {
	seed := func(s string, unit uint8, value, more float64) {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, VN)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(t.Unix(), unit, value, more)
	}
	seed("2026-02-13 16:00", 2, 0, 1)    // same day before Tết
	seed("2026-08-22 09:00", 0, 1, 0.5)  // make-up Saturday
	seed("2026-04-24 10:00", 0, 2, 3)    // over the Giỗ Tổ compensatory day
	seed("2026-03-02 12:00", 1, 4, 0.25) // lunch, hours
	seed("2026-03-02 18:00", 0, 1, 0)    // evening
	seed("2026-08-26 09:00", 0, 5, 10)   // over Quốc khánh
	seed("2025-12-31 16:59", 1, 0.1, 7)  // over Tết Dương lịch 2026
	seed("2030-01-31 11:30", 0, 0.5, 45) // generated year, slot end
	seed("2026-03-02 15:00", 2, 0, 0)    // exactly at the cut-off
	seed("2026-03-02 07:00", 0, 365, 1)  // long procedure
	f.Fuzz(func(t *testing.T, unix int64, unitIdx uint8, value, more float64) {
		c := fuzzCalendar(t)
		lo := time.Date(2000, 1, 1, 0, 0, 0, 0, VN).Unix()
		hi := time.Date(2099, 12, 1, 0, 0, 0, 0, VN).Unix()
		unix = lo + int64(math.Abs(float64(unix%(hi-lo))))
		received := time.Unix(unix, 0)
		unit := []Unit{UnitDays, UnitHours, UnitSameDay}[int(unitIdx)%3]
		clean := func(v float64) float64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0
			}
			return math.Mod(math.Abs(v), 400)
		}
		value, more = clean(value), clean(more)

		due := c.Due(received, unit, value)
		if due.Location() != VN {
			t.Errorf("due %v not in VN", due)
		}
		if due.Before(received) {
			t.Fatalf("Due(%v, %s, %v) = %v, before intake", received, unit, value, due)
		}
		if !isWorkingInstant(c, due) {
			t.Fatalf("Due(%v, %s, %v) = %v, not a working instant", received, unit, value, due)
		}
		if unit != UnitSameDay {
			per := c.Hours().PerDay()
			if unit == UnitHours {
				per = time.Hour
			}
			want := time.Duration(math.Round(value*float64(per)/float64(time.Second))) * time.Second
			if got := c.WorkingDuration(c.NextWorkingStart(received), due); got != want {
				t.Fatalf("Due(%v, %s, %v) = %v counts %v of working time, want %v", received, unit, value, due, got, want)
			}
		}
		if later := c.Due(received, unit, value+more); later.Before(due) {
			t.Fatalf("Due(%v, %s, %v) = %v before Due(…, %v) = %v", received, unit, value+more, later, value, due)
		}
	})
}

// FuzzParseYearTable: any input either fails with ErrInvalidTable or gives a
// table that survives a JSON round trip and that New accepts.
func FuzzParseYearTable(f *testing.F) {
	for _, s := range []string{
		`{"year": 2026, "official": true, "source": "x", "days": [{"date": "2026-08-22", "kind": "work", "name": "Làm bù"}]}`,
		`{"year": 2026, "days": [{"date": "2026-02-30", "kind": "off", "name": "x"}]}`,
		`{"year": 2026, "days": [{"date": "2026-04-27", "kind": "off", "name": "Nghỉ bù", "compensatory": true}]}`,
		`{"year": 1899}`,
		`[]`,
		`{"days": null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := ParseYearTable(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(table)
		if err != nil {
			t.Fatal(err)
		}
		table2, err := ParseYearTable(again)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", again, err)
		}
		if len(table2.Days) != len(table.Days) || table2.Year != table.Year {
			t.Fatalf("round trip changed the table: %+v → %+v", table, table2)
		}
		c := New(DefaultHours(), table)
		if got := c.Days(table.Year); len(got) != len(table.Days) {
			t.Fatalf("Days(%d) has %d entries, table %d", table.Year, len(got), len(table.Days))
		}
	})
}
