package domain

import "strconv"

// FormatNumber writes n the Vietnamese way, a dot between thousands: 1.234.567. It is the
// one place numbers are grouped (counts on screens, reports, amounts through FormatVND).
func FormatNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	out := make([]byte, 0, len(sign)+len(s)+len(s)/3)
	out = append(out, sign...)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out)
}
