package calendar

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// loadTable reads an official table from the assets folder (tests may do
// I/O; the package may not).
func loadTable(t testing.TB, year int) YearTable {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("../../assets/calendar/%d.json", year))
	if err != nil {
		t.Fatal(err)
	}
	table, err := ParseYearTable(data)
	if err != nil {
		t.Fatalf("%d.json: %v", year, err)
	}
	return table
}

// offDays is a compact view of a table: "MM-DD" of each entry of one kind.
func offDays(days []DayEntry, kind string) []string {
	var out []string
	for _, e := range days {
		if e.Kind == kind {
			out = append(out, e.Date[5:])
		}
	}
	return out
}

func TestOfficialTables(t *testing.T) {
	tests := []struct {
		year          int
		off, work     []string
		compensatory  []string
		namedHolidays map[string]string
	}{
		{
			year: 2025,
			off: []string{
				"01-01",
				"01-25", "01-26", "01-27", "01-28", "01-29", "01-30", "01-31", "02-01", "02-02",
				"04-07",
				"04-30", "05-01", "05-02", "05-03", "05-04",
				"08-30", "08-31", "09-01", "09-02",
			},
			work: []string{"04-26"},
			namedHolidays: map[string]string{
				"2025-01-29": NameTet, "2025-04-07": NameHungKings, "2025-04-30": NameVictoryDay,
				"2025-05-01": NameLabourDay, "2025-09-02": NameNationalDay,
			},
		},
		{
			year: 2026,
			off: []string{
				"01-01", "01-02", "01-03", "01-04",
				"02-14", "02-15", "02-16", "02-17", "02-18", "02-19", "02-20", "02-21", "02-22",
				"04-26", "04-27",
				"04-30", "05-01",
				"08-29", "08-30", "08-31", "09-01", "09-02",
			},
			work:         []string{"01-10", "08-22"},
			compensatory: []string{"04-27"},
			namedHolidays: map[string]string{
				"2026-01-01": NameNewYear, "2026-02-17": NameTet, "2026-04-26": NameHungKings,
				"2026-04-27": "Nghỉ bù Giỗ Tổ Hùng Vương", "2026-09-01": NameNationalDay,
			},
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			table := loadTable(t, tt.year)
			if !table.Official || table.Year != tt.year || table.Source == "" {
				t.Errorf("header: year %d official %v source %q", table.Year, table.Official, table.Source)
			}
			if got := offDays(table.Days, KindOff); !slices.Equal(got, tt.off) {
				t.Errorf("off days\n got %v\nwant %v", got, tt.off)
			}
			if got := offDays(table.Days, KindWork); !slices.Equal(got, tt.work) {
				t.Errorf("work days %v, want %v", got, tt.work)
			}
			var comp []string
			for _, e := range table.Days {
				if e.Compensatory {
					comp = append(comp, e.Date[5:])
				}
				if e.Kind == KindWork {
					if d, _ := time.Parse(time.DateOnly, e.Date); d.Weekday() != time.Saturday {
						t.Errorf("make-up day %s is a %s", e.Date, d.Weekday())
					}
				}
			}
			if !slices.Equal(comp, tt.compensatory) {
				t.Errorf("compensatory %v, want %v", comp, tt.compensatory)
			}
			for date, name := range tt.namedHolidays {
				i := slices.IndexFunc(table.Days, func(e DayEntry) bool { return e.Date == date })
				if i < 0 || table.Days[i].Name != name {
					t.Errorf("%s not named %q in %+v", date, name, table.Days)
				}
			}
		})
	}
}

// The generated 2026 table must agree with the official one on every
// holiday the law fixes: the official table only adds swaps and weekends.
func TestDefaultMatchesOfficial2026(t *testing.T) {
	official := loadTable(t, 2026)
	isOff := map[string]bool{}
	for _, e := range official.Days {
		isOff[e.Date] = e.Kind == KindOff
	}
	for _, e := range DefaultYearTable(2026).Days {
		if !isOff[e.Date] {
			t.Errorf("default day off %s (%s) is not off in the official table", e.Date, e.Name)
		}
	}
}

func TestDefaultYearTable(t *testing.T) {
	tests := []struct {
		year         int
		off          []string // every entry, holidays and compensatory days
		compensatory []string
	}{
		{
			// Matches the Government's 2022 days off apart from its Tết swaps.
			year: 2022,
			off: []string{"01-01", "01-03", "01-31", "02-01", "02-02", "02-03", "02-04",
				"04-10", "04-11", "04-30", "05-01", "05-02", "05-03", "09-01", "09-02"},
			compensatory: []string{"01-03", "04-11", "05-02", "05-03"},
		},
		{
			// 2023: Giỗ Tổ Sat 29/4 and 30/4 Sun give two compensatory days
			// after 1/5 (the Government's 29/4 – 3/5); 2/9 Sat: 1/9 + Mon 4/9.
			year: 2023,
			off: []string{"01-01", "01-02", "01-21", "01-22", "01-23", "01-24", "01-25", "01-26", "01-27",
				"04-29", "04-30", "05-01", "05-02", "05-03", "09-01", "09-02", "09-04"},
			compensatory: []string{"01-02", "01-26", "01-27", "05-02", "05-03", "09-04"},
		},
		{
			year: 2026,
			off: []string{"01-01", "02-16", "02-17", "02-18", "02-19", "02-20",
				"04-26", "04-27", "04-30", "05-01", "09-01", "09-02"},
			compensatory: []string{"04-27"},
		},
		{
			// Tết 2027 (mùng 1 on Sat 6/2): 5/2 – 9/2, the weekend gives Wed 10/2
			// and Thu 11/2; 1/5 Sat gives Mon 3/5; 2/9 Thu takes Fri 3/9.
			year: 2027,
			off: []string{"01-01", "02-05", "02-06", "02-07", "02-08", "02-09", "02-10", "02-11",
				"04-16", "04-30", "05-01", "05-03", "09-02", "09-03"},
			compensatory: []string{"02-10", "02-11", "05-03"},
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			table := DefaultYearTable(tt.year)
			if table.Official || table.Year != tt.year || !strings.Contains(table.Source, "Generated") {
				t.Errorf("header: year %d official %v source %q", table.Year, table.Official, table.Source)
			}
			if err := table.validate(); err != nil {
				t.Error(err)
			}
			if got := offDays(table.Days, KindOff); !slices.Equal(got, tt.off) {
				t.Errorf("off days\n got %v\nwant %v", got, tt.off)
			}
			if got := offDays(table.Days, KindWork); len(got) != 0 {
				t.Errorf("generated make-up days %v", got)
			}
			var comp []string
			for _, e := range table.Days {
				if e.Compensatory {
					comp = append(comp, e.Date[5:])
					if !strings.HasPrefix(e.Name, "Nghỉ bù ") {
						t.Errorf("compensatory %s named %q", e.Date, e.Name)
					}
				}
			}
			if !slices.Equal(comp, tt.compensatory) {
				t.Errorf("compensatory %v, want %v", comp, tt.compensatory)
			}
		})
	}
}

// The adjacent Quốc khánh day reproduces the Government's choices since the
// Labour Code 2019 made it two days.
func TestNationalDayAdjacent(t *testing.T) {
	want := map[int]string{
		2021: "09-03", // Thu → Fri
		2022: "09-01", // Fri → Thu
		2023: "09-01", // Sat → Fri
		2024: "09-03", // Mon → Tue
		2025: "09-01", // Tue → Mon
		2026: "09-01", // Wed → Tue
		2029: "09-03", // Sun → Mon
	}
	for year, adj := range want {
		var got []string
		for _, e := range DefaultYearTable(year).Days {
			if e.Name == NameNationalDay {
				got = append(got, e.Date[5:])
			}
		}
		if !slices.Contains(got, "09-02") || !slices.Contains(got, adj) || len(got) != 2 {
			t.Errorf("%d: Quốc khánh days %v, want 09-02 and %s", year, got, adj)
		}
	}
}

// Every generated year 1950–2100 has the 11 statutory holidays, each
// compensatory day on a weekday, and nothing outside the year.
func TestDefaultYearTableAllYears(t *testing.T) {
	for year := 1950; year <= 2100; year++ {
		table := DefaultYearTable(year)
		if err := table.validate(); err != nil {
			t.Fatalf("%d: %v", year, err)
		}
		holidays := 0
		for _, e := range table.Days {
			d, _ := time.Parse(time.DateOnly, e.Date)
			switch {
			case e.Compensatory:
				if isWeekend(d.Weekday()) {
					t.Errorf("%d: compensatory day %s on a %s", year, e.Date, d.Weekday())
				}
			default:
				holidays++
			}
		}
		if holidays != 11 {
			t.Errorf("%d: %d holidays, want 11: %v", year, holidays, table.Days)
		}
	}
}

func TestParseYearTableErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not json", `{`, "unexpected end"},
		{"year", `{"year": 1800, "days": []}`, "year 1800"},
		{"date format", `{"year": 2026, "days": [{"date": "2026-2-16", "kind": "off", "name": "x"}]}`, "not YYYY-MM-DD"},
		{"no such date", `{"year": 2026, "days": [{"date": "2026-02-30", "kind": "off", "name": "x"}]}`, "not YYYY-MM-DD"},
		{"other year", `{"year": 2026, "days": [{"date": "2025-02-16", "kind": "off", "name": "x"}]}`, "not in year 2026"},
		{"twice", `{"year": 2026, "days": [{"date": "2026-02-16", "kind": "off", "name": "x"}, {"date": "2026-02-16", "kind": "off", "name": "y"}]}`, "twice"},
		{"kind", `{"year": 2026, "days": [{"date": "2026-02-16", "kind": "holiday", "name": "x"}]}`, `kind "holiday"`},
		{"work on weekday", `{"year": 2026, "days": [{"date": "2026-08-21", "kind": "work", "name": "x"}]}`, "not a weekend"},
		{"compensatory work", `{"year": 2026, "days": [{"date": "2026-08-22", "kind": "work", "name": "x", "compensatory": true}]}`, "cannot be compensatory"},
		{"no name", `{"year": 2026, "days": [{"date": "2026-02-16", "kind": "off", "name": " "}]}`, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYearTable([]byte(tt.json))
			if !errors.Is(err, ErrInvalidTable) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalidTable mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseYearTableSortsAndIgnoresUnknownFields(t *testing.T) {
	table, err := ParseYearTable([]byte(`{"year": 2030, "official": true, "source": "test", "future": 1,
		"days": [{"date": "2030-09-02", "kind": "off", "name": "Quốc khánh"},
		         {"date": "2030-01-01", "kind": "off", "name": "Tết Dương lịch", "extra": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := offDays(table.Days, KindOff); !slices.Equal(got, []string{"01-01", "09-02"}) {
		t.Errorf("days %v not sorted", got)
	}
}
