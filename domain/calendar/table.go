package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of DayEntry.
const (
	KindOff  = "off"  // a day off: holiday, weekend day inside a holiday block, compensatory or swapped day
	KindWork = "work" // a make-up working day (ngày làm bù), usually a Saturday
)

// Holiday names (Labour Code 2019 art. 112), as printed for staff.
const (
	NameNewYear      = "Tết Dương lịch"
	NameTet          = "Tết Nguyên đán"
	NameHungKings    = "Giỗ Tổ Hùng Vương"
	NameVictoryDay   = "Ngày Chiến thắng"
	NameLabourDay    = "Ngày Quốc tế Lao động"
	NameNationalDay  = "Quốc khánh"
	compensatoryName = "Nghỉ bù "
)

// ErrInvalidTable is wrapped by every error ParseYearTable returns.
var ErrInvalidTable = errors.New("calendar: invalid year table")

// DayEntry is one day of a YearTable that departs from the ordinary week:
// a day off (holiday, weekend day inside an announced holiday block,
// compensatory or swapped day) or a make-up working day.
type DayEntry struct {
	Date         string `json:"date"` // YYYY-MM-DD
	Kind         string `json:"kind"` // KindOff or KindWork
	Name         string `json:"name"`
	Compensatory bool   `json:"compensatory,omitempty"` // nghỉ bù: a holiday fell on a weekend
}

// YearTable lists the days off and make-up working days of one year for
// civil servants. Official tables come from the Government's yearly notices;
// DefaultYearTable generates one from the Labour Code when none exists.
type YearTable struct {
	Year     int        `json:"year"`
	Official bool       `json:"official"`
	Source   string     `json:"source"`
	Notes    string     `json:"notes,omitempty"` // what was confirmed, and how
	Days     []DayEntry `json:"days"`
}

// ParseYearTable decodes and checks a JSON year table: every date is a valid
// YYYY-MM-DD inside the table's year and appears once, kinds are "off" or
// "work", make-up working days fall on a weekend, only days off are
// compensatory. Unknown JSON fields are ignored so that newer tables (from the
// central catalogue) still load. Days come back sorted by date.
func ParseYearTable(data []byte) (YearTable, error) {
	var t YearTable
	if err := json.Unmarshal(data, &t); err != nil {
		return YearTable{}, fmt.Errorf("%w: %v", ErrInvalidTable, err)
	}
	if err := t.validate(); err != nil {
		return YearTable{}, err
	}
	t.Days = sortedDays(t.Days)
	return t, nil
}

// minYear and maxYear bound the years a table may describe: far wider than
// the lunar calendar is checked for (1950–2100), narrow enough that date
// arithmetic never overflows.
const (
	minYear = 1900
	maxYear = 2200
)

func (t YearTable) validate() error {
	if t.Year < minYear || t.Year > maxYear {
		return fmt.Errorf("%w: year %d outside %d–%d", ErrInvalidTable, t.Year, minYear, maxYear)
	}
	seen := make(map[string]bool, len(t.Days))
	for i, e := range t.Days {
		day, err := time.Parse(time.DateOnly, e.Date)
		if err != nil || day.Format(time.DateOnly) != e.Date {
			return fmt.Errorf("%w: day %d: date %q is not YYYY-MM-DD", ErrInvalidTable, i+1, e.Date)
		}
		if day.Year() != t.Year {
			return fmt.Errorf("%w: %s is not in year %d", ErrInvalidTable, e.Date, t.Year)
		}
		if seen[e.Date] {
			return fmt.Errorf("%w: %s listed twice", ErrInvalidTable, e.Date)
		}
		seen[e.Date] = true
		switch e.Kind {
		case KindOff:
		case KindWork:
			if !isWeekend(day.Weekday()) {
				return fmt.Errorf("%w: %s: make-up working day on a %s, not a weekend", ErrInvalidTable, e.Date, day.Weekday())
			}
			if e.Compensatory {
				return fmt.Errorf("%w: %s: a working day cannot be compensatory", ErrInvalidTable, e.Date)
			}
		default:
			return fmt.Errorf("%w: %s: kind %q, want %q or %q", ErrInvalidTable, e.Date, e.Kind, KindOff, KindWork)
		}
		if strings.TrimSpace(e.Name) == "" {
			return fmt.Errorf("%w: %s has no name", ErrInvalidTable, e.Date)
		}
	}
	return nil
}

func sortedDays(days []DayEntry) []DayEntry {
	out := slices.Clone(days)
	slices.SortStableFunc(out, func(a, b DayEntry) int { return strings.Compare(a.Date, b.Date) })
	return out
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

// DefaultYearTable generates the days off of a year from the Labour Code 2019
// art. 111–112, for years the Government has not announced yet:
//
//   - 1/1 Tết Dương lịch;
//   - Tết Nguyên đán: 5 days, from the last day of the old lunar year to the
//     4th day of the 1st lunar month;
//   - Giỗ Tổ Hùng Vương: 10th day of the 3rd lunar month;
//   - 30/4 Ngày Chiến thắng and 1/5 Ngày Quốc tế Lao động;
//   - Quốc khánh: 2/9 and one adjacent day. The law lets the Government pick
//     1/9 or 3/9; the default takes the adjacent day that is a weekday and
//     joins the weekend (the longest break): 3/9 when 2/9 is a Sunday, Monday
//     or Thursday, otherwise 1/9 (when 2/9 is a Wednesday both give the same
//     break and 1/9 is taken). This reproduces the Government's choices of
//     2021–2026.
//
// Every holiday that falls on a Saturday or Sunday gives a compensatory day
// off (nghỉ bù) on the next working day after its holiday block. No make-up
// Saturdays are invented: swaps are a yearly Government decision. The result
// has Official false and a Source saying it was generated.
func DefaultYearTable(year int) YearTable {
	type holiday struct {
		day  int // Julian day number
		name string
	}
	var hs []holiday
	addDay := func(j int, name string) {
		if y, _, _ := fromJDN(j); y == year {
			hs = append(hs, holiday{j, name})
		}
	}
	add := func(y, m, d int, name string) { addDay(jdn(y, m, d), name) }
	add(year, 1, 1, NameNewYear)
	if y, m, d, ok := LunarToSolar(LunarDate{Year: year, Month: 1, Day: 1}); ok {
		first := jdn(y, m, d)
		for i := -1; i <= 3; i++ {
			addDay(first+i, NameTet)
		}
	}
	if y, m, d, ok := LunarToSolar(LunarDate{Year: year, Month: 3, Day: 10}); ok {
		add(y, m, d, NameHungKings)
	}
	add(year, 4, 30, NameVictoryDay)
	add(year, 5, 1, NameLabourDay)
	national := jdn(year, 9, 2)
	switch weekday(national) {
	case time.Sunday, time.Monday, time.Thursday:
		add(year, 9, 2, NameNationalDay)
		add(year, 9, 3, NameNationalDay)
	default:
		add(year, 9, 1, NameNationalDay)
		add(year, 9, 2, NameNationalDay)
	}
	slices.SortFunc(hs, func(a, b holiday) int { return a.day - b.day })

	off := make(map[int]bool, len(hs)+4)
	for _, h := range hs {
		off[h.day] = true
	}
	t := YearTable{
		Year:   year,
		Source: "Generated from the Labour Code 2019 (Bộ luật Lao động 2019) art. 111–112; no official notice loaded for this year",
	}
	for _, h := range hs {
		t.Days = append(t.Days, DayEntry{Date: dateString(h.day), Kind: KindOff, Name: h.name})
	}
	// Compensatory days are given in date order, so that two weekend holidays
	// in one block (e.g. Tết) get the two working days after it.
	for _, h := range hs {
		if !isWeekend(weekday(h.day)) {
			continue
		}
		d := h.day + 1
		for off[d] || isWeekend(weekday(d)) {
			d++
		}
		off[d] = true
		t.Days = append(t.Days, DayEntry{Date: dateString(d), Kind: KindOff, Name: compensatoryName + h.name, Compensatory: true})
	}
	t.Days = sortedDays(t.Days)
	return t
}

// weekday of a Julian day number (JDN 0 was a Monday).
func weekday(j int) time.Weekday {
	return time.Weekday((j%7 + 8) % 7)
}

func dateString(j int) string {
	y, m, d := fromJDN(j)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}
