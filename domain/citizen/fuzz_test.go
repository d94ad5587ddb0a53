package citizen

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Seed corpora also live in testdata/fuzz/<FuzzName>/ so that plain `go test`
// runs them.

// checkErr fails unless err is nil or an *Error with a known code and a
// rendered message.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if _, ok := messagesVI[e.Code]; !ok || e.Msg == "" || strings.Contains(e.Msg, "{{") {
		t.Fatalf("bad error %+v", e)
	}
}

func isDigits(s string, n int) bool { return len(s) == n && allDigits(s) }

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"001099012345", "031 305 001 234", "079.200.123.456", "096-185-123456",
		"003099012345", "00109901234", "00109901234a", "", "123456789", "092999000000",
		"\ufeff001099012345\r\n", "００１０９９０１２３４５",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		checkErr(t, err)
		kind, n, anyErr := ParseAnyID(s)
		checkErr(t, anyErr)
		if err == nil {
			if !isDigits(id.Number, 12) || id.ProvinceCode != id.Number[:3] || id.ProvinceName == "" {
				t.Fatalf("bad ID %+v", id)
			}
			if id.Sex != Male && id.Sex != Female {
				t.Fatalf("bad sex %+v", id)
			}
			if y := id.BirthYear(); y < 1800 || y > 2299 || id.YearOfBirth2 != y%100 {
				t.Fatalf("bad birth year %+v", id)
			}
			// Round trips: the digits, and the digits in groups.
			for _, again := range []string{id.Number, id.Number[:3] + " " + id.Number[3:6] + "." + id.Number[6:]} {
				if id2, err := ParseID(again); err != nil || id2 != id {
					t.Fatalf("ParseID(%q) = %+v, %v; want %+v", again, id2, err, id)
				}
			}
			if id.CheckBirth(time.Date(id.BirthYear(), 6, 1, 0, 0, 0, 0, time.UTC)) != nil || id.CheckSex(id.Sex) != nil {
				t.Fatalf("ID %+v disagrees with itself", id)
			}
			if kind != KindPersonalID || n != id.Number || anyErr != nil {
				t.Fatalf("ParseAnyID = %v, %q, %v", kind, n, anyErr)
			}
		}
		old, oldErr := ParseOldID(s)
		checkErr(t, oldErr)
		if oldErr == nil {
			if !isDigits(old, 9) {
				t.Fatalf("bad old ID %q", old)
			}
			if kind != KindOldID || n != old {
				t.Fatalf("ParseAnyID = %v, %q; want old %q", kind, n, old)
			}
		}
		if anyErr == nil && err != nil && oldErr != nil {
			t.Fatalf("ParseAnyID accepted %q that neither parser accepts", s)
		}
	})
}

func FuzzParseCardQR(f *testing.F) {
	for _, s := range []string{
		qrAn, qrNgoc, qrAn + "\r\n", "\ufeff" + qrAn, nfd(qrAn), qrAn + "|x||y",
		"001099012345||Nguyễn Văn An|15031999|Nam|Hà Nội",
		"001099012345||Nguyễn Văn An|15031998|Nam|Hà Nội|20042021",
		"001225012345||Bé Na|01122025|Nam|Hà Nội|",
		"|||||", "", "001099012345|||||",
	} {
		f.Add(s)
	}
	now := time.Date(2025, 10, 27, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		looks := LooksLikeCardQR(s)
		q, err := ParseCardQR(s, now)
		checkErr(t, err)
		if err != nil {
			if !reflect.DeepEqual(q, CardQR{}) {
				t.Fatalf("non-zero result on error: %+v", q)
			}
			return
		}
		if !looks {
			// A payload that parses starts with 12 digits once trimmed… unless
			// the ID had separators in it, which scanners never produce.
			first, _, _ := strings.Cut(strings.TrimLeftFunc(s, isQRSpace), "|")
			if isDigits(strings.TrimSpace(first), 12) && strings.Count(s, "|") >= 5 {
				t.Fatalf("LooksLikeCardQR(%q) = false for a valid payload", s)
			}
		}
		id, err := q.PersonalID()
		if err != nil || id.CheckBirth(q.Birth) != nil || id.CheckSex(q.Sex) != nil {
			t.Fatalf("inconsistent result %+v", q)
		}
		if q.Birth.After(now) || q.Birth.Location() != time.UTC || q.Birth.Hour() != 0 {
			t.Fatalf("bad birth %v", q.Birth)
		}
		if q.Name == "" || q.Name != NormaliseName(q.Name) || q.Address != NormaliseAddress(q.Address) {
			t.Fatalf("not normalised: %+v", q)
		}
		for _, str := range append([]string{q.Name, q.Address, q.OldID}, q.Extra...) {
			if !norm.NFC.IsNormalString(str) || !utf8.ValidString(str) || strings.Contains(str, "|") {
				t.Fatalf("bad field %q", str)
			}
		}
		out := q.Format()
		if !LooksLikeCardQR(out) {
			t.Fatalf("LooksLikeCardQR(Format()) = false for %q", out)
		}
		q2, err := ParseCardQR(out, now)
		if err != nil || !reflect.DeepEqual(q2, q) {
			t.Fatalf("round trip of %q:\n got %+v, %v\nwant %+v", out, q2, err, q)
		}
	})
}

func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{
		"0912345678", "0912 345 678", "+84 912 345 678", "84912345678", "(091) 234-5678",
		"+84 (0) 912 345 678", "02253 123 456", "024 3825 1234", "0951234567", "", "+",
		"01234567890", "0842345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalisePhone(s)
		checkErr(t, err)
		intl := InternationalPhone(s)
		if err != nil {
			if n != "" || intl != "" {
				t.Fatalf("error with result %q / %q", n, intl)
			}
			return
		}
		if !(len(n) == 10 && mobileRE.MatchString(n)) && !(isDigits(n, 11) && strings.HasPrefix(n, "02")) {
			t.Fatalf("NormalisePhone(%q) = %q is neither mobile nor landline", s, n)
		}
		if n2, err := NormalisePhone(n); err != nil || n2 != n {
			t.Fatalf("not idempotent: %q → %q, %v", n, n2, err)
		}
		if intl != "+84"+n[1:] {
			t.Fatalf("InternationalPhone = %q for %q", intl, n)
		}
		if n2, err := NormalisePhone(intl); err != nil || n2 != n {
			t.Fatalf("round trip via %q: %q, %v", intl, n2, err)
		}
	})
}

// textSeeds are shared by the text fuzz targets.
var textSeeds = []string{
	"", "  ", "nguyễn  văn AN", "Nguyễn Thị Đào", "ĐẶNG VĂN ĐỨC", "h'hen niê", "y-moan",
	"Số 12 ,ngõ 3", "thôn Đông , xã An Lão ,", "a\x00b", "a\xffb", "e\x00\u0301",
	"Hà\u00a0Nội\t\r\n", "\ufeffHÒA HOÀ", "Ðào", "ǅemal", "ς Σ", "İstanbul",
}

func FuzzNormaliseText(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
		f.Add(nfd(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseText(s)
		if NormaliseText(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, NormaliseText(n))
		}
		if !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) {
			t.Fatalf("not valid NFC: %q", n)
		}
		if strings.TrimSpace(n) != n || strings.Contains(n, "  ") || strings.ContainsAny(n, "\t\r\n\u00a0\ufeff\u200b") {
			t.Fatalf("white space left in %q", n)
		}
		if utf8.ValidString(s) && NormaliseText(norm.NFD.String(s)) != n {
			t.Fatalf("NFD and NFC inputs differ: %q vs %q", NormaliseText(norm.NFD.String(s)), n)
		}
	})
}

func FuzzNormaliseName(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
		f.Add(nfd(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseName(s)
		if NormaliseName(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, NormaliseName(n))
		}
		if !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) || NormaliseText(n) != n {
			t.Fatalf("not normalised text: %q", n)
		}
		if utf8.ValidString(s) && NormaliseName(norm.NFD.String(s)) != n {
			t.Fatalf("NFD and NFC inputs differ: %q vs %q", NormaliseName(norm.NFD.String(s)), n)
		}
		err := ValidateName(s)
		checkErr(t, err)
		if err == nil {
			if err := ValidateName(n); err != nil {
				t.Fatalf("ValidateName(%q) ok but ValidateName(%q) = %v", s, n, err)
			}
		}
	})
}

func FuzzNormaliseAddress(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
		f.Add(nfd(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseAddress(s)
		if NormaliseAddress(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, NormaliseAddress(n))
		}
		if !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) || NormaliseText(n) != n {
			t.Fatalf("not normalised text: %q", n)
		}
		if strings.Contains(n, " ,") {
			t.Fatalf("space before comma in %q", n)
		}
		if utf8.ValidString(s) && NormaliseAddress(norm.NFD.String(s)) != n {
			t.Fatalf("NFD and NFC inputs differ: %q vs %q", NormaliseAddress(norm.NFD.String(s)), n)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
		f.Add(nfd(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if Fold(k) != k {
			t.Fatalf("not idempotent: %q → %q → %q", s, k, Fold(k))
		}
		if !utf8.ValidString(k) || !norm.NFC.IsNormalString(k) || NormaliseText(k) != k {
			t.Fatalf("not normalised text: %q", k)
		}
		if strings.ContainsAny(k, "đĐÐð") || strings.ToLower(k) != k {
			t.Fatalf("not folded: %q", k)
		}
		if utf8.ValidString(s) && Fold(norm.NFD.String(s)) != k {
			t.Fatalf("NFD and NFC inputs differ: %q vs %q", Fold(norm.NFD.String(s)), k)
		}
	})
}
