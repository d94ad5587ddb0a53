package citizen

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ID is a parsed 12-digit personal identification number (số định danh cá
// nhân), the number on CCCD and Căn cước cards.
//
// Layout (Circular 07/2016/TT-BCA, 59/2021/TT-BCA): digits 1–3 the province
// where the birth was registered; digit 4 the century of birth and sex; digits
// 5–6 the last two digits of the birth year; digits 7–12 random. There is no
// check digit, so a typo in the last six digits cannot be detected.
type ID struct {
	Number       string // the 12 digits
	ProvinceCode string // digits 1–3, e.g. "031"
	ProvinceName string // e.g. "Hải Phòng"
	Sex          Sex
	Century      int // first year of the century of birth: 1800, 1900, 2000, 2100 or 2200
	YearOfBirth2 int // digits 5–6: the birth year modulo 100
}

// BirthYear is the year of birth the number encodes.
func (id ID) BirthYear() int { return id.Century + id.YearOfBirth2 }

// String returns the 12 digits.
func (id ID) String() string { return id.Number }

// CheckBirth reports whether birth (its own calendar year) agrees with the
// birth year encoded in the number. A zero time means "unknown" and passes.
func (id ID) CheckBirth(birth time.Time) error {
	if birth.IsZero() || birth.Year() == id.BirthYear() {
		return nil
	}
	return newError(CodeIDBirthMismatch,
		"Year", strconv.Itoa(birth.Year()), "IDYear", strconv.Itoa(id.BirthYear()))
}

// CheckSex reports whether sex agrees with the sex encoded in the number.
// SexUnknown passes.
func (id ID) CheckSex(sex Sex) error {
	if sex == SexUnknown || sex == id.Sex {
		return nil
	}
	return newError(CodeIDSexMismatch, "Sex", sex.String(), "IDSex", id.Sex.String())
}

// isSeparator reports the characters people put between groups of digits:
// white space, dots and dashes (including the typographic ones).
func isSeparator(r rune) bool {
	switch r {
	case '.', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212',
		'\u200B', '\uFEFF': // zero-width space and BOM come with copy and paste
		return true
	}
	return unicode.IsSpace(r)
}

// digitsOnly strips separators from s. It reports false if anything else than
// ASCII digits remains. It stops early once the result exceeds limit digits
// (the caller only needs to know it is too long).
func digitsOnly(s string, limit int) (digits string, ok bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if b.Len() <= limit {
				b.WriteRune(r)
			}
		case isSeparator(r):
		default:
			return "", false
		}
	}
	return b.String(), true
}

// ParseID parses a 12-digit personal ID number. Spaces, dots and dashes between
// digits are ignored ("001 099 012 345", "001-099-012345"); any other
// character, a wrong length or an unknown province code is an *Error.
func ParseID(s string) (ID, error) {
	if strings.TrimFunc(s, isSeparator) == "" {
		return ID{}, newError(CodeIDEmpty)
	}
	d, ok := digitsOnly(s, 12)
	if !ok {
		return ID{}, newError(CodeIDDigits)
	}
	if len(d) != 12 {
		return ID{}, newError(CodeIDLength)
	}
	return parseID12(d)
}

// parseID12 decodes 12 ASCII digits.
func parseID12(d string) (ID, error) {
	code := d[:3]
	name, ok := provinces[code]
	if !ok {
		return ID{}, newError(CodeIDProvince, "Code", code)
	}
	g := int(d[3] - '0')
	sex := Male
	if g%2 == 1 {
		sex = Female
	}
	// 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s, 6/7 → 2200s, 8/9 → 1800s.
	century := 1900 + 100*(g/2)
	if g >= 8 {
		century = 1800
	}
	yy := int(d[4]-'0')*10 + int(d[5]-'0')
	return ID{
		Number:       d,
		ProvinceCode: code,
		ProvinceName: name,
		Sex:          sex,
		Century:      century,
		YearOfBirth2: yy,
	}, nil
}

// ParseOldID parses a 9-digit identity card number (chứng minh nhân dân,
// CMND) and returns its digits. Separators are ignored as in ParseID. The old
// number has no structure that can be checked beyond its length.
func ParseOldID(s string) (string, error) {
	if strings.TrimFunc(s, isSeparator) == "" {
		return "", newError(CodeOldIDEmpty)
	}
	d, ok := digitsOnly(s, 9)
	if !ok {
		return "", newError(CodeOldIDDigits)
	}
	if len(d) != 9 {
		return "", newError(CodeOldIDLength)
	}
	return d, nil
}

// IDKind says which identity number ParseAnyID recognised.
type IDKind int

const (
	KindUnknown    IDKind = iota
	KindPersonalID        // 12-digit personal ID number (CCCD / Căn cước)
	KindOldID             // 9-digit identity card number (CMND)
)

// String returns a short English name for logs.
func (k IDKind) String() string {
	switch k {
	case KindPersonalID:
		return "personal_id"
	case KindOldID:
		return "old_id"
	}
	return "unknown"
}

// ParseAnyID accepts either a 12-digit personal ID number (validated as by
// ParseID) or a 9-digit CMND number, and returns its kind and digits.
func ParseAnyID(s string) (IDKind, string, error) {
	if strings.TrimFunc(s, isSeparator) == "" {
		return KindUnknown, "", newError(CodeIDEmpty)
	}
	d, ok := digitsOnly(s, 12)
	if !ok {
		return KindUnknown, "", newError(CodeIDDigits)
	}
	switch len(d) {
	case 12:
		id, err := parseID12(d)
		if err != nil {
			return KindUnknown, "", err
		}
		return KindPersonalID, id.Number, nil
	case 9:
		return KindOldID, d, nil
	}
	return KindUnknown, "", newError(CodeIDAnyLength)
}
