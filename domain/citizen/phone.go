package citizen

import "strings"

// NormalisePhone validates a Vietnamese phone number and returns its national
// form: "0" followed by the subscriber digits.
//
// Accepted, after removing spaces, dots, dashes and parentheses, with a
// "+84", "84" or "0" prefix (and the "+84 (0) …" habit of keeping the trunk 0):
//   - mobile numbers, 10 digits nationally, with the network prefixes in use
//     since the 2018 renumbering: 03[2-9], 05[25689], 07[06-9], 08[1-9],
//     09[0-46-9] — "0912 345 678", "+84 912 345 678", "84-912-345-678";
//   - landline numbers, 11 digits nationally since the 2017 renumbering: "02"
//     then the rest of the 2- or 3-digit area code and the subscriber number,
//     e.g. "0225 3123 456" (Hải Phòng), "024 3825 1234" (Hà Nội).
//
// Anything else — short codes, old 11-digit mobile numbers (01xx…), foreign
// numbers — is an *Error.
func NormalisePhone(s string) (string, error) {
	var b strings.Builder
	plus := false
	for i, r := range strings.TrimFunc(s, isPhoneSeparator) {
		switch {
		case r >= '0' && r <= '9':
			if b.Len() > 16 { // longer than any number we accept
				return "", newError(CodePhoneInvalid)
			}
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case isPhoneSeparator(r):
		default:
			return "", newError(CodePhoneInvalid)
		}
	}
	d := b.String()
	if d == "" {
		if plus {
			return "", newError(CodePhoneInvalid)
		}
		return "", newError(CodePhoneEmpty)
	}
	var rest string // subscriber digits without any prefix
	switch {
	case plus:
		var ok bool
		if rest, ok = strings.CutPrefix(d, "84"); !ok {
			return "", newError(CodePhoneInvalid)
		}
		rest = strings.TrimPrefix(rest, "0")
	case strings.HasPrefix(d, "0"):
		rest = d[1:]
	case strings.HasPrefix(d, "84"):
		rest = strings.TrimPrefix(d[2:], "0")
	default:
		return "", newError(CodePhoneInvalid)
	}
	if isMobile(rest) || isLandline(rest) {
		return "0" + rest, nil
	}
	return "", newError(CodePhoneInvalid)
}

// InternationalPhone returns the E.164 form ("+84912345678") of a number
// NormalisePhone accepts, and "" for anything else.
func InternationalPhone(s string) string {
	n, err := NormalisePhone(s)
	if err != nil {
		return ""
	}
	return "+84" + n[1:]
}

func isPhoneSeparator(r rune) bool {
	return r == '(' || r == ')' || isSeparator(r)
}

// isMobile matches the 9 subscriber digits of a mobile number:
// (3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}.
func isMobile(d string) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	second := d[1]
	switch d[0] {
	case '3':
		return second >= '2'
	case '5':
		return strings.IndexByte("25689", second) >= 0
	case '7':
		return second == '0' || second >= '6'
	case '8':
		return second >= '1'
	case '9':
		return second != '5'
	}
	return false
}

// isLandline matches the 10 digits after the trunk 0 of a fixed-line number:
// 2\d{9}.
func isLandline(d string) bool {
	return len(d) == 10 && d[0] == '2' && allDigits(d)
}

func allDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
