// Package calendar is the working-day calendar of a commune one-stop counter:
// the Vietnamese lunar calendar (for Tết and Giỗ Tổ Hùng Vương), the yearly
// tables of days off, compensatory days and make-up working Saturdays, the
// office's working hours, and the due-date arithmetic built on them (due
// dates, pauses for supplements, early / on time / late).
//
// Everything is computed in Vietnam time (UTC+7, see VN) and never depends on
// the operating system's time zone database.
//
// The package is pure Go with no I/O: it must not import any other project
// package, and it does not read files. The official yearly tables live in
// assets/calendar/YYYY.json; whoever embeds or downloads them parses them with
// ParseYearTable and hands them to New.
package calendar
