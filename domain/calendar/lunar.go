package calendar

import "math"

// The Vietnamese lunar calendar, after Hồ Ngọc Đức's published algorithm
// ("Thuật toán tính âm lịch", https://www.informatik.uni-leipzig.de/~duc/amlich/),
// evaluated in UTC+7. Vietnam's calendar differs from China's (UTC+8) in
// some years: Tết 1985 (21/1 in Vietnam, 20/2 in China), 2007 (17/2 vs 18/2)
// and 2030 (2/2 vs 3/2).
//
// Day numbers are Julian day numbers of the proleptic Gregorian calendar. The
// original switches to the Julian calendar before 15 October 1582; that only
// matters long before the range this package is tested on (1950–2100).

// lunarTZ is the time zone of the Vietnamese lunar calendar, in hours.
const lunarTZ = 7.0

// LunarDate is a date of the Vietnamese lunar calendar. Year is the lunar
// year that begins (Tết) in the solar year of the same number; Leap marks the
// intercalary month (tháng nhuận) that follows the regular month Month.
type LunarDate struct {
	Year, Month, Day int
	Leap             bool
}

// SolarToLunar converts a Gregorian date to the Vietnamese lunar calendar.
func SolarToLunar(y, m, d int) LunarDate {
	dayNumber := jdn(y, m, d)
	k := int(math.Floor((float64(dayNumber) - 2415021.076998695) / 29.530588853))
	monthStart := newMoonDay(k + 1)
	// The original falls back once, to newMoonDay(k). When the true new moon
	// lags the mean one, k itself can be a lunation too high (2054-05-07 would
	// get lunar day 0), so step back until the month has started.
	for monthStart > dayNumber {
		monthStart = newMoonDay(k)
		k--
	}
	a11 := lunarMonth11(y)
	b11 := a11
	var lunarYear int
	if a11 >= monthStart {
		lunarYear = y
		a11 = lunarMonth11(y - 1)
	} else {
		lunarYear = y + 1
		b11 = lunarMonth11(y + 1)
	}
	ld := LunarDate{Day: dayNumber - monthStart + 1}
	diff := (monthStart - a11) / 29
	ld.Month = diff + 11
	if b11-a11 > 365 {
		leapDiff := leapMonthOffset(a11)
		if diff >= leapDiff {
			ld.Month = diff + 10
			ld.Leap = diff == leapDiff
		}
	}
	if ld.Month > 12 {
		ld.Month -= 12
	}
	if ld.Month >= 11 && diff < 4 {
		lunarYear--
	}
	ld.Year = lunarYear
	return ld
}

// LunarToSolar converts a lunar date to the Gregorian calendar. ok is false
// when the date does not exist: a month out of range, a leap month in a year
// where that month is not doubled, or day 30 of a 29-day month.
func LunarToSolar(ld LunarDate) (y, m, d int, ok bool) {
	if ld.Month < 1 || ld.Month > 12 || ld.Day < 1 || ld.Day > 30 {
		return 0, 0, 0, false
	}
	var a11, b11 int
	if ld.Month < 11 {
		a11 = lunarMonth11(ld.Year - 1)
		b11 = lunarMonth11(ld.Year)
	} else {
		a11 = lunarMonth11(ld.Year)
		b11 = lunarMonth11(ld.Year + 1)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853))
	off := ld.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if ld.Leap && ld.Month != leapMonth {
			return 0, 0, 0, false
		}
		if ld.Leap || off >= leapOff {
			off++
		}
	} else if ld.Leap {
		return 0, 0, 0, false
	}
	y, m, d = fromJDN(newMoonDay(k+off) + ld.Day - 1)
	// Day 30 of a short month spills into the next month: reject it.
	if SolarToLunar(y, m, d) != ld {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// jdn is the Julian day number of a proleptic Gregorian date.
func jdn(y, m, d int) int {
	a := (14 - m) / 12
	yy := y + 4800 - a
	mm := m + 12*a - 3
	return d + (153*mm+2)/5 + 365*yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
}

// fromJDN is the proleptic Gregorian date of a Julian day number.
func fromJDN(j int) (y, m, d int) {
	a := j + 32044
	b := floorDiv(4*a+3, 146097)
	c := a - floorDiv(146097*b, 4)
	dd := floorDiv(4*c+3, 1461)
	e := c - floorDiv(1461*dd, 4)
	mm := (5*e + 2) / 153
	d = e - (153*mm+2)/5 + 1
	m = mm + 3 - 12*(mm/10)
	y = 100*b + dd - 4800 + mm/10
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// newMoon is the Julian date (UTC) of the k-th new moon after 1900-01-01 13:51.
func newMoon(k int) float64 {
	const dr = math.Pi / 180
	kf := float64(k)
	t := kf / 1236.85
	t2 := t * t
	t3 := t2 * t
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3
	jd1 += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*dr)
	m := 359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3    // sun's mean anomaly
	mpr := 306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3 // moon's mean anomaly
	f := 21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3    // moon's argument of latitude
	// Written term by term as in the original: c1 = c1 - a + b, not c1 - (a + b).
	c1 := (0.1734-0.000393*t)*math.Sin(m*dr) + 0.0021*math.Sin(2*dr*m)
	c1 = c1 - 0.4068*math.Sin(mpr*dr) + 0.0161*math.Sin(dr*2*mpr)
	c1 = c1 - 0.0004*math.Sin(dr*3*mpr)
	c1 = c1 + 0.0104*math.Sin(dr*2*f) - 0.0051*math.Sin(dr*(m+mpr))
	c1 = c1 - 0.0074*math.Sin(dr*(m-mpr)) + 0.0004*math.Sin(dr*(2*f+m))
	c1 = c1 - 0.0004*math.Sin(dr*(2*f-m)) - 0.0006*math.Sin(dr*(2*f+mpr))
	c1 = c1 + 0.0010*math.Sin(dr*(2*f-mpr)) + 0.0005*math.Sin(dr*(2*mpr+m))
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd1 + c1 - deltaT
}

// sunLongitude is the sun's apparent longitude, in radians [0, 2π), at the
// Julian date jdn (UTC).
func sunLongitude(jdn float64) float64 {
	const dr = math.Pi / 180
	t := (jdn - 2451545.0) / 36525
	t2 := t * t
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	l := (l0 + dl) * dr
	return l - 2*math.Pi*math.Floor(l/(2*math.Pi))
}

// sunSector is the sun's longitude at the start of local day dayNumber, as
// one of 12 sectors of 30° (0 = from the spring equinox).
func sunSector(dayNumber int) int {
	return int(math.Floor(sunLongitude(float64(dayNumber)-0.5-lunarTZ/24) / math.Pi * 6))
}

// newMoonDay is the local day number on which the k-th new moon falls.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + lunarTZ/24))
}

// lunarMonth11 is the day number on which the 11th lunar month (the one that
// contains the winter solstice) of solar year y begins.
func lunarMonth11(y int) int {
	off := jdn(y, 12, 31) - 2415021
	k := int(math.Floor(float64(off) / 29.530588853))
	nm := newMoonDay(k)
	if sunSector(nm) >= 9 {
		nm = newMoonDay(k - 1)
	}
	return nm
}

// leapMonthOffset is the position, counted from the 11th month starting on
// day a11, of the first month without a major solar term: the leap month.
func leapMonthOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k + i))
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}
