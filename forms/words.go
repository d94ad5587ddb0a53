package forms

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var digitWords = [...]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// NumberWords writes n in Vietnamese words, the way documents spell amounts and dates:
// 15 "mười lăm", 21 "hai mươi mốt", 105 "một trăm linh năm", 2026 "hai nghìn không trăm
// hai mươi sáu", 1000000 "một triệu", 10^12 "một nghìn tỷ". Negative numbers get "âm".
func NumberWords(n int64) string {
	if n == 0 {
		return digitWords[0]
	}
	if n < 0 {
		return "âm " + strings.Join(numberWords(uint64(-(n+1))+1, false), " ")
	}
	return strings.Join(numberWords(uint64(n), false), " ")
}

// numberWords reads n > 0; full reads its first group in full ("không trăm linh năm"), as
// a part that follows a higher one.
func numberWords(n uint64, full bool) []string {
	if n >= 1_000_000_000 {
		w := append(numberWords(n/1_000_000_000, full), "tỷ")
		if lo := n % 1_000_000_000; lo > 0 {
			w = append(w, numberWords(lo, true)...)
		}
		return w
	}
	var w []string
	for i, scale := range []string{"triệu", "nghìn", ""} {
		div := uint64(1)
		for range 2 - i {
			div *= 1000
		}
		g := int(n / div % 1000)
		if g == 0 {
			continue
		}
		w = append(w, groupWords(g, full || len(w) > 0)...)
		if scale != "" {
			w = append(w, scale)
		}
	}
	return w
}

// groupWords reads 0 < g < 1000; full reads the hundreds even when zero.
func groupWords(g int, full bool) []string {
	h, t, u := g/100, g/10%10, g%10
	var w []string
	if h > 0 || full {
		w = append(w, digitWords[h], "trăm")
	}
	switch {
	case t == 0:
		if u > 0 {
			if len(w) > 0 {
				w = append(w, "linh")
			}
			w = append(w, digitWords[u])
		}
	case t == 1:
		w = append(w, "mười")
		switch u {
		case 0:
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	default:
		w = append(w, digitWords[t], "mươi")
		switch u {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	}
	return w
}

// monthWords names months as dates are written out: "tháng tư", not "tháng bốn".
var monthWords = [...]string{"", "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"}

// DateWords writes a calendar date in words: "ngày mười lăm tháng ba năm hai nghìn không
// trăm hai mươi sáu". The date is taken as it is (no time zone conversion).
func DateWords(t time.Time) string {
	y, m, d := t.Date()
	return "ngày " + NumberWords(int64(d)) + " tháng " + monthWords[m] + " năm " + NumberWords(int64(y))
}

// capitalise upper-cases the first letter.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
