package calendar

import (
	"fmt"
	"testing"
	"time"
)

func ymd(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

func TestTet(t *testing.T) {
	// Tết (lunar 1/1) in Vietnam. Where China (UTC+8) differs, it is noted.
	tests := []struct {
		year int
		want string
	}{
		{1968, "1968-01-29"}, // Tết Mậu Thân: the North (UTC+7 since 1967) on 29/1, the South on 30/1
		{1985, "1985-01-21"}, // China: 1985-02-20. The 11th month started a day earlier at UTC+7, which moved the leap month
		{1991, "1991-02-15"},
		{2000, "2000-02-05"},
		{2001, "2001-01-24"},
		{2004, "2004-01-22"},
		{2007, "2007-02-17"}, // China: 2007-02-18
		{2008, "2008-02-07"},
		{2010, "2010-02-14"},
		{2012, "2012-01-23"},
		{2015, "2015-02-19"},
		{2017, "2017-01-28"},
		{2018, "2018-02-16"},
		{2019, "2019-02-05"},
		{2020, "2020-01-25"},
		{2021, "2021-02-12"},
		{2022, "2022-02-01"},
		{2023, "2023-01-22"},
		{2024, "2024-02-10"},
		{2025, "2025-01-29"},
		{2026, "2026-02-17"},
		{2027, "2027-02-06"},
		{2028, "2028-01-26"},
		{2030, "2030-02-02"}, // China: 2030-02-03
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			y, m, d, ok := LunarToSolar(LunarDate{Year: tt.year, Month: 1, Day: 1})
			if got := ymd(y, m, d); !ok || got != tt.want {
				t.Errorf("LunarToSolar(%d/1/1) = %s, %v; want %s", tt.year, got, ok, tt.want)
			}
			day, _ := time.Parse(time.DateOnly, tt.want)
			want := LunarDate{Year: tt.year, Month: 1, Day: 1}
			if got := SolarToLunar(day.Year(), int(day.Month()), day.Day()); got != want {
				t.Errorf("SolarToLunar(%s) = %+v, want %+v", tt.want, got, want)
			}
		})
	}
}

func TestHungKingsDay(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2022, "2022-04-10"},
		{2023, "2023-04-29"}, // after the leap 2nd month
		{2024, "2024-04-18"},
		{2025, "2025-04-07"},
		{2026, "2026-04-26"},
		{2027, "2027-04-16"},
	}
	for _, tt := range tests {
		y, m, d, ok := LunarToSolar(LunarDate{Year: tt.year, Month: 3, Day: 10})
		if got := ymd(y, m, d); !ok || got != tt.want {
			t.Errorf("Giỗ Tổ %d = %s, %v; want %s", tt.year, got, ok, tt.want)
		}
	}
}

// leapMonth returns the year's leap month, or 0.
func leapMonth(year int) int {
	for m := 1; m <= 12; m++ {
		if _, _, _, ok := LunarToSolar(LunarDate{Year: year, Month: m, Day: 1, Leap: true}); ok {
			return m
		}
	}
	return 0
}

func TestLeapMonths(t *testing.T) {
	tests := []struct{ year, leap int }{
		{2001, 4}, {2004, 2}, {2006, 7}, {2009, 5}, {2012, 4}, {2014, 9},
		{2017, 6}, {2020, 4}, {2023, 2}, {2025, 6}, {2028, 5},
		{2021, 0}, {2022, 0}, {2024, 0}, {2026, 0}, {2027, 0},
	}
	for _, tt := range tests {
		if got := leapMonth(tt.year); got != tt.leap {
			t.Errorf("leap month of %d = %d, want %d", tt.year, got, tt.leap)
		}
	}
}

func TestLunarDates(t *testing.T) {
	tests := []struct {
		lunar LunarDate
		solar string // "" when the date does not exist
	}{
		{LunarDate{2025, 6, 1, true}, "2025-07-25"}, // leap 6th month of Ất Tỵ
		{LunarDate{2025, 6, 1, false}, "2025-06-25"},
		{LunarDate{2025, 7, 1, false}, "2025-08-23"},
		{LunarDate{2023, 2, 1, true}, "2023-03-22"},
		{LunarDate{2020, 4, 1, true}, "2020-05-23"},
		{LunarDate{2025, 12, 29, false}, "2026-02-16"}, // last day of Ất Tỵ: no "30 Tết"
		{LunarDate{2025, 12, 30, false}, ""},
		{LunarDate{2024, 12, 29, false}, "2025-01-28"},
		{LunarDate{2024, 12, 30, false}, ""},
		{LunarDate{2026, 6, 1, true}, ""}, // 2026 has no leap month
		{LunarDate{2025, 5, 1, true}, ""}, // 2025's leap month is the 6th
		{LunarDate{2026, 13, 1, false}, ""},
		{LunarDate{2026, 0, 1, false}, ""},
		{LunarDate{2026, 1, 0, false}, ""},
		{LunarDate{2026, 1, 31, false}, ""},
		{LunarDate{2026, 11, 15, false}, "2026-12-23"},
		{LunarDate{2054, 3, 30, false}, "2054-05-07"}, // the next new moon lags the mean one: see SolarToLunar
	}
	for _, tt := range tests {
		y, m, d, ok := LunarToSolar(tt.lunar)
		if tt.solar == "" {
			if ok {
				t.Errorf("LunarToSolar(%+v) = %s, want no such date", tt.lunar, ymd(y, m, d))
			}
			continue
		}
		if got := ymd(y, m, d); !ok || got != tt.solar {
			t.Errorf("LunarToSolar(%+v) = %s, %v; want %s", tt.lunar, got, ok, tt.solar)
		}
	}
}

// TestLunarRoundTrip walks every day of 1950–2100: converting to the lunar
// calendar and back gives the same day, and lunar days run 1, 2, … 29 or 30
// then 1 of the next month (or of its leap twin), years turning at month 12.
func TestLunarRoundTrip(t *testing.T) {
	first, last := jdn(1950, 1, 1), jdn(2100, 12, 31)
	y, m, d := fromJDN(first)
	prev := SolarToLunar(y, m, d)
	for j := first; j <= last; j++ {
		y, m, d := fromJDN(j)
		ld := SolarToLunar(y, m, d)
		gy, gm, gd, ok := LunarToSolar(ld)
		if !ok || gy != y || gm != m || gd != d {
			t.Fatalf("%s → %+v → %s, %v", ymd(y, m, d), ld, ymd(gy, gm, gd), ok)
		}
		if j == first {
			continue
		}
		switch {
		case ld.Day == prev.Day+1:
			if ld.Year != prev.Year || ld.Month != prev.Month || ld.Leap != prev.Leap || ld.Day > 30 {
				t.Fatalf("%s: %+v does not follow %+v", ymd(y, m, d), ld, prev)
			}
		case ld.Day == 1:
			if prev.Day != 29 && prev.Day != 30 {
				t.Fatalf("%s: month after %+v had %d days", ymd(y, m, d), prev, prev.Day)
			}
			next := LunarDate{Year: prev.Year, Month: prev.Month + 1, Day: 1}
			if prev.Month == 12 {
				next = LunarDate{Year: prev.Year + 1, Month: 1, Day: 1}
			}
			if ld != next && (prev.Leap || ld != LunarDate{Year: prev.Year, Month: prev.Month, Day: 1, Leap: true}) {
				t.Fatalf("%s: %+v does not follow %+v", ymd(y, m, d), ld, prev)
			}
		default:
			t.Fatalf("%s: %+v does not follow %+v", ymd(y, m, d), ld, prev)
		}
		prev = ld
	}
}

func TestJDN(t *testing.T) {
	for _, tt := range []struct {
		y, m, d, jdn int
		wd           time.Weekday
	}{
		{2000, 1, 1, 2451545, time.Saturday},
		{1970, 1, 1, 2440588, time.Thursday},
		{2026, 2, 17, 2461089, time.Tuesday},
		{1, 1, 1, 1721426, time.Monday},
	} {
		if got := jdn(tt.y, tt.m, tt.d); got != tt.jdn {
			t.Errorf("jdn(%s) = %d, want %d", ymd(tt.y, tt.m, tt.d), got, tt.jdn)
		}
		if y, m, d := fromJDN(tt.jdn); y != tt.y || m != tt.m || d != tt.d {
			t.Errorf("fromJDN(%d) = %s", tt.jdn, ymd(y, m, d))
		}
		if got := weekday(tt.jdn); got != tt.wd {
			t.Errorf("weekday(%s) = %s, want %s", ymd(tt.y, tt.m, tt.d), got, tt.wd)
		}
	}
}
