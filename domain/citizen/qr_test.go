package citizen

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	qrAn   = "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội|20042021"
	qrNgoc = "031305001234|031234567|Trần Thị Bích Ngọc|02112005|Nữ|Thôn 3, Xã An Hòa, Huyện An Lão, Hải Phòng|10012022"
)

var testNow = time.Date(2025, 10, 27, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600))

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var wantAn = CardQR{
	ID:      "001099012345",
	Name:    "Nguyễn Văn An",
	Birth:   date(1999, 3, 15),
	Sex:     Male,
	Address: "Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội",
	Issued:  date(2021, 4, 20),
}

func TestParseCardQR(t *testing.T) {
	with := func(f func(*CardQR)) CardQR {
		q := wantAn
		f(&q)
		return q
	}
	tests := []struct {
		name string
		in   string
		want CardQR
	}{
		{"plain", qrAn, wantAn},
		{"scanner CR LF", qrAn + "\r\n", wantAn},
		{"scanner tab and spaces", "\t  " + qrAn + " \t\n", wantAn},
		{"BOM", "\ufeff" + qrAn, wantAn},
		{"NFD", nfd(qrAn), wantAn},
		{"lower-case sex", strings.Replace(qrAn, "|Nam|", "|nam|", 1), wantAn},
		{"upper-case sex and name", strings.Replace(strings.Replace(qrAn, "|Nam|", "|NAM|", 1), "Nguyễn Văn An", "NGUYỄN VĂN AN", 1), wantAn},
		{"spaces around fields", " 001099012345 | | Nguyễn  Văn An | 15031999 | Nam | Số 12 ngõ 34 phố Huế ,Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội | 20042021 ", wantAn},
		{"no issue date", "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội",
			with(func(q *CardQR) { q.Issued = time.Time{} })},
		{"empty issue date", "001099012345||Nguyễn Văn An|15031999|Nam|Hà Nội|",
			with(func(q *CardQR) { q.Issued, q.Address = time.Time{}, "Hà Nội" })},
		{"extra fields", qrAn + "|x y|| z ",
			with(func(q *CardQR) { q.Extra = []string{"x y", "", "z"} })},
		{"old CMND", strings.Replace(qrAn, "||", "|013456789|", 1),
			with(func(q *CardQR) { q.OldID = "013456789" })},
		{"old 12-digit number", strings.Replace(qrAn, "||", "|001099000001|", 1),
			with(func(q *CardQR) { q.OldID = "001099000001" })},
		{"dates with slashes", "001099012345||Nguyễn Văn An|15/03/1999|Nam|Hà Nội|20/4/2021",
			with(func(q *CardQR) { q.Address = "Hà Nội" })},
		{"female, Hải Phòng", qrNgoc, CardQR{
			ID: "031305001234", OldID: "031234567", Name: "Trần Thị Bích Ngọc",
			Birth: date(2005, 11, 2), Sex: Female,
			Address: "Thôn 3, Xã An Hòa, Huyện An Lão, Hải Phòng", Issued: date(2022, 1, 10),
		}},
		{"empty address", "001099012345||Nguyễn Văn An|15031999|Nam||20042021",
			with(func(q *CardQR) { q.Address = "" })},
	}
	for _, tt := range tests {
		got, err := ParseCardQR(tt.in, testNow)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		again, err := ParseCardQR(got.Format(), testNow)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%s: round trip via %q: %+v, %v", tt.name, got.Format(), again, err)
		}
	}
}

func TestParseCardQRErrors(t *testing.T) {
	tests := []struct {
		name, in, code string
	}{
		{"empty", "", CodeQRFields},
		{"only spaces", " \r\n", CodeQRFields},
		{"ID only", "001099012345", CodeQRFields},
		{"five fields", "001099012345||Nguyễn Văn An|15031999|Nam", CodeQRFields},
		{"ID too short", "00109901234||Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeIDLength},
		{"ID with letters", "O01099012345||Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeIDDigits},
		{"unknown province", "003099012345||Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeIDProvince},
		{"empty ID", "||Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeIDEmpty},
		{"bad old ID", "001099012345|12345|Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeQROldID},
		{"empty name", "001099012345|| |15031999|Nam|Hà Nội|20042021", CodeQRName},
		{"short birth", "001099012345||Nguyễn Văn An|1503199|Nam|Hà Nội|20042021", CodeQRBirth},
		{"31 February", "001099012345||Nguyễn Văn An|31021999|Nam|Hà Nội|20042021", CodeQRBirth},
		{"month 13", "001099012345||Nguyễn Văn An|15131999|Nam|Hà Nội|20042021", CodeQRBirth},
		{"year-first birth", "001099012345||Nguyễn Văn An|19990315|Nam|Hà Nội|20042021", CodeQRBirth},
		{"empty birth", "001099012345||Nguyễn Văn An||Nam|Hà Nội|20042021", CodeQRBirth},
		{"fields shifted", "001099012345|Nguyễn Văn An|15031999|Nam|Hà Nội|20042021", CodeQROldID},
		{"birth mismatch", "001099012345||Nguyễn Văn An|15031998|Nam|Hà Nội|20042021", CodeIDBirthMismatch},
		{"birth future", "001225012345||Nguyễn Văn An|01122025|Nam|Hà Nội|", CodeQRBirthFuture},
		{"sex invalid", "001099012345||Nguyễn Văn An|15031999|X|Hà Nội|20042021", CodeQRSex},
		{"sex mismatch", "001099012345||Nguyễn Văn An|15031999|Nữ|Hà Nội|20042021", CodeIDSexMismatch},
		{"bad issue date", "001099012345||Nguyễn Văn An|15031999|Nam|Hà Nội|2004202", CodeQRIssued},
		{"issued before birth", "001099012345||Nguyễn Văn An|15031999|Nam|Hà Nội|20041998", CodeQRIssuedOrder},
		{"huge", "001099012345" + strings.Repeat("|", 3) + strings.Repeat("x", 1<<20), CodeQRFields},
	}
	for _, tt := range tests {
		got, err := ParseCardQR(tt.in, testNow)
		if code := errCode(t, err); code != tt.code {
			t.Errorf("%s: code %q (%v), want %q", tt.name, code, err, tt.code)
		}
		if !reflect.DeepEqual(got, CardQR{}) {
			t.Errorf("%s: non-zero result %+v on error", tt.name, got)
		}
	}
	_, err := ParseCardQR("001099012345||Nguyễn Văn An|15031999", testNow)
	if want := "Mã QR trên thẻ căn cước không đủ thông tin (cần ít nhất 6 mục, đọc được 4). Vui lòng quét lại."; err.Error() != want {
		t.Errorf("message %q", err)
	}
}

// TestParseCardQRToday checks that "today" is the date in Vietnam, whatever
// the location of now.
func TestParseCardQRToday(t *testing.T) {
	payload := "001225012345||Bé Na|15032025|Nam|Hà Nội|"
	tests := []struct {
		now  time.Time
		code string
	}{
		{time.Date(2025, 3, 14, 18, 0, 0, 0, time.UTC), ""}, // 01:00 on 15/3 in Vietnam
		{time.Date(2025, 3, 14, 16, 59, 0, 0, time.UTC), CodeQRBirthFuture},
		{time.Date(2025, 3, 15, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600)), ""},
		{time.Date(2025, 3, 14, 23, 59, 0, 0, time.FixedZone("ICT", 7*3600)), CodeQRBirthFuture},
		{time.Time{}, ""}, // zero now: not checked
	}
	for _, tt := range tests {
		_, err := ParseCardQR(payload, tt.now)
		if code := errCode(t, err); code != tt.code {
			t.Errorf("now %v: code %q, want %q", tt.now, code, tt.code)
		}
	}
}

func TestCardQRPersonalID(t *testing.T) {
	q, err := ParseCardQR(qrNgoc, testNow)
	if err != nil {
		t.Fatal(err)
	}
	id, err := q.PersonalID()
	if err != nil || id.ProvinceName != "Hải Phòng" || id.Sex != Female || id.BirthYear() != 2005 {
		t.Errorf("PersonalID = %+v, %v", id, err)
	}
}

func TestCardQRFormat(t *testing.T) {
	if got := wantAn.Format(); got != qrAn {
		t.Errorf("Format = %q, want %q", got, qrAn)
	}
	q := wantAn
	q.Issued = time.Time{}
	if got := q.Format(); strings.Count(got, "|") != 5 {
		t.Errorf("Format without issue date = %q", got)
	}
	q.Extra = []string{"a"}
	if got := q.Format(); !strings.HasSuffix(got, ", Hà Nội||a") {
		t.Errorf("Format with extra = %q", got)
	}
}

func TestLooksLikeCardScan(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{qrAn, true},
		{"001099012345|||||", true},
		{"00109901234||||||", true}, // malformed: read and reported, not typed in
		{"001099012345|Nguyễn Văn An|", true},
		{"", false},
		{"001099012345", false},
		{"Nguyễn Văn An", false},
		{"a|b", false},
	}
	for _, tt := range tests {
		if got := LooksLikeCardScan(tt.in); got != tt.want {
			t.Errorf("LooksLikeCardScan(%.40q) = %v, want %v", tt.in, got, tt.want)
		}
		if LooksLikeCardQR(tt.in) && !LooksLikeCardScan(tt.in) {
			t.Errorf("%.40q looks like a card but not like a scan", tt.in)
		}
	}
}

func TestLooksLikeCardQR(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{qrAn, true},
		{qrAn + "\r\n", true},
		{"\ufeff  " + qrAn, true},
		{"001099012345|||||", true},
		{"001099012345||Nguyễn Văn An|15031999|Nam|Hà Nội", true},
		{"", false},
		{"0912345678", false},
		{"001099012345", false},
		{"Nguyễn Văn An", false},
		{"001099012345|a|b|c|d", false},
		{"00109901234||||||", false},
		{"0010990123456||||||", false},
		{"abcdefghijkl||||||", false},
		{"001 099 012 345||||||", false},
		{"|001099012345|||||", false},
		{strings.Repeat("|", 1000), false},
	}
	for _, tt := range tests {
		if got := LooksLikeCardQR(tt.in); got != tt.want {
			t.Errorf("LooksLikeCardQR(%.40q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
