package citizen

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLength is the longest full name ValidateName accepts, in characters.
const MaxNameLength = 100

// NormaliseText is the form every free text is stored in: valid UTF-8 in NFC,
// without control or invisible format characters (zero-width space, BOM, soft
// hyphen), with every run of white space (tabs, newlines, no-break spaces, …)
// turned into one ASCII space, and trimmed.
//
// Vietnamese input methods deliver precomposed (NFC) or decomposed (NFD) text;
// after NormaliseText both compare equal byte for byte. It does not unify the
// old and new tone-mark placement ("hòa" / "hoà"): those are different
// strings, which only [Fold] treats as equal.
func NormaliseText(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			// Dropped before NFC: removing them afterwards could leave a
			// base letter next to a mark that NFC would have composed.
		default:
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// isApostrophe reports the apostrophes people type in names: ASCII ' and the
// typographic ones word processors substitute.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02BC'
}

// NormaliseName normalises a person's full name: [NormaliseText], then each
// word starts with a capital letter and the rest is lower case, the way names
// are printed on Vietnamese papers ("nguyễn  văn AN" → "Nguyễn Văn An",
// "đỗ" → "Đỗ"). A letter after a hyphen also starts a word ("Y-Moan"), and so
// does a letter after an apostrophe that follows a single letter, as in
// Ê Đê and Gia Rai names ("h'hen niê" → "H'Hen Niê"). Typographic apostrophes
// become ASCII '.
func NormaliseName(s string) string {
	s = NormaliseText(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	wordStart := true
	// initial: the word so far is a single letter, so an apostrophe after it
	// starts a new word (H'Hen), unlike one after a longer word (Châu's).
	initial := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune(r)
			wordStart, initial = true, false
		case isApostrophe(r):
			b.WriteByte('\'')
			if initial {
				wordStart, initial = true, false
			}
		case unicode.IsLetter(r):
			if wordStart {
				b.WriteRune(unicode.ToTitle(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			initial = wordStart
			wordStart = false
		case unicode.Is(unicode.M, r):
			b.WriteRune(r) // a mark NFC could not compose stays with its letter
		default:
			b.WriteRune(r)
			wordStart, initial = false, false
		}
	}
	return norm.NFC.String(b.String())
}

// NormaliseAddress normalises an address: [NormaliseText], no space before a
// comma and one space after it ("Số 12 ,ngõ 3" → "Số 12, ngõ 3"), and the first
// character in upper case. Nothing else changes: addresses mix proper names,
// abbreviations ("TP.", "P.") and house numbers that must be kept as written.
func NormaliseAddress(s string) string {
	s = NormaliseText(s)
	if s == "" {
		return ""
	}
	rs := []rune(s)
	out := make([]rune, 0, len(rs)+8)
	for i, r := range rs {
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == ' ' && next == ',':
			continue
		case r == ',':
			out = append(out, r)
			if next != 0 && next != ' ' && next != ',' {
				out = append(out, ' ')
			}
		default:
			out = append(out, r)
		}
	}
	if len(out) > 0 && unicode.IsLower(out[0]) {
		out[0] = unicode.ToTitle(out[0])
	}
	return norm.NFC.String(string(out))
}

// Fold returns the search key of s: [NormaliseText], lower case, without
// diacritics, with đ/Đ as d ("Nguyễn Thị Đào" → "nguyen thi dao"). NFC and NFD
// inputs fold the same, and so do the old and new tone-mark placements.
func Fold(s string) string {
	s = strings.ToLower(NormaliseText(s))
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð':
			// Ð/ð (eth) is what some fonts and keyboards give for Đ.
			r = 'd'
		}
		b.WriteRune(r)
	}
	// Again: removing a mark that stood alone can leave a double or
	// trailing space ("a \u0300 b").
	return NormaliseText(b.String())
}

// ValidateName checks a full name as the clerk typed it (it is normalised
// with NormaliseText first): not empty, at most [MaxNameLength] characters,
// only letters, spaces, apostrophes and hyphens, no digits.
func ValidateName(s string) error {
	n := NormaliseText(s)
	if n == "" {
		return newError(CodeNameEmpty)
	}
	if utf8.RuneCountInString(n) > MaxNameLength {
		return newError(CodeNameTooLong, "Max", strconv.Itoa(MaxNameLength))
	}
	if strings.IndexFunc(n, unicode.IsNumber) >= 0 {
		return newError(CodeNameDigits)
	}
	hasLetter := false
	for _, r := range n {
		switch {
		case unicode.IsLetter(r):
			hasLetter = true
		case unicode.Is(unicode.M, r), r == ' ', r == '-', isApostrophe(r):
		default:
			return newError(CodeNameChars)
		}
	}
	if !hasLetter {
		return newError(CodeNameChars)
	}
	return nil
}

// CheckLength reports an error when s has more than max characters (runes of
// its NFC form, as it will be stored). field is the label the clerk sees, in
// the UI's language; it appears in the message.
func CheckLength(field, s string, max int) error {
	n := utf8.RuneCountInString(norm.NFC.String(s))
	if n <= max {
		return nil
	}
	return newError(CodeTextTooLong, "Field", field, "Max", strconv.Itoa(max), "Len", strconv.Itoa(n))
}
