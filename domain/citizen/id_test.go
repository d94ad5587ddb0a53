package citizen

import (
	"strings"
	"testing"
	"time"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want ID
	}{
		{"001099012345", ID{"001099012345", "001", "Hà Nội", Male, 1900, 99}},
		{"031305001234", ID{"031305001234", "031", "Hải Phòng", Female, 2000, 5}},
		{"031 305 001 234", ID{"031305001234", "031", "Hải Phòng", Female, 2000, 5}},
		{"079.200.123.456", ID{"079200123456", "079", "TP. Hồ Chí Minh", Male, 2000, 0}},
		{"096-185-123456", ID{"096185123456", "096", "Cà Mau", Female, 1900, 85}},
		{" 030088000001\r\n", ID{"030088000001", "030", "Hải Dương", Male, 1900, 88}},
		{"\u00a0001\u2013099\u2013012345\t", ID{"001099012345", "001", "Hà Nội", Male, 1900, 99}},
		{"\ufeff001099012345", ID{"001099012345", "001", "Hà Nội", Male, 1900, 99}},
		{"002410000000", ID{"002410000000", "002", "Hà Giang", Male, 2100, 10}},
		{"004510000000", ID{"004510000000", "004", "Cao Bằng", Female, 2100, 10}},
		{"048600000000", ID{"048600000000", "048", "Đà Nẵng", Male, 2200, 0}},
		{"048700000000", ID{"048700000000", "048", "Đà Nẵng", Female, 2200, 0}},
		{"092899000000", ID{"092899000000", "092", "Cần Thơ", Male, 1800, 99}},
		{"092999000000", ID{"092999000000", "092", "Cần Thơ", Female, 1800, 99}},
	}
	for _, tt := range tests {
		got, err := ParseID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseID(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseIDErrors(t *testing.T) {
	tests := []struct{ in, code string }{
		{"", CodeIDEmpty},
		{"   ", CodeIDEmpty},
		{" . - ", CodeIDEmpty},
		{"00109901234", CodeIDLength},
		{"0010990123456", CodeIDLength},
		{"001 099 012 34", CodeIDLength},
		{"123456789", CodeIDLength},
		{strings.Repeat("1", 100000), CodeIDLength},
		{"00109901234a", CodeIDDigits},
		{"CCCD 001099012345", CodeIDDigits},
		{"001099012345|", CodeIDDigits},
		{"001/099/012345", CodeIDDigits},
		{"００１０９９０１２３４５", CodeIDDigits}, // full-width digits
		{"001099012345" + strings.Repeat("x", 100000), CodeIDDigits},
		{"003099012345", CodeIDProvince},
		{"000099012345", CodeIDProvince},
		{"097099012345", CodeIDProvince},
		{"999099012345", CodeIDProvince},
		{"047099012345", CodeIDProvince},
	}
	for _, tt := range tests {
		got, err := ParseID(tt.in)
		if code := errCode(t, err); code != tt.code || got != (ID{}) {
			t.Errorf("ParseID(%.40q) = %+v, code %q; want %q", tt.in, got, code, tt.code)
		}
	}
}

func TestIDCheckBirth(t *testing.T) {
	id, err := ParseID("001099012345")
	if err != nil {
		t.Fatal(err)
	}
	if id.BirthYear() != 1999 {
		t.Fatalf("BirthYear = %d", id.BirthYear())
	}
	tests := []struct {
		birth time.Time
		code  string
	}{
		{time.Date(1999, 3, 15, 0, 0, 0, 0, time.UTC), ""},
		{time.Date(1999, 12, 31, 23, 0, 0, 0, time.FixedZone("ICT", 7*3600)), ""},
		{time.Time{}, ""},
		{time.Date(1998, 3, 15, 0, 0, 0, 0, time.UTC), CodeIDBirthMismatch},
		{time.Date(2099, 3, 15, 0, 0, 0, 0, time.UTC), CodeIDBirthMismatch},
		{time.Date(1899, 3, 15, 0, 0, 0, 0, time.UTC), CodeIDBirthMismatch},
	}
	for _, tt := range tests {
		if code := errCode(t, id.CheckBirth(tt.birth)); code != tt.code {
			t.Errorf("CheckBirth(%v) = %q, want %q", tt.birth, code, tt.code)
		}
	}
	err = id.CheckBirth(time.Date(1998, 1, 1, 0, 0, 0, 0, time.UTC))
	want := "Năm sinh 1998 không khớp với số định danh cá nhân (số này ứng với năm sinh 1999)."
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestIDCheckSex(t *testing.T) {
	male, _ := ParseID("001099012345")
	female, _ := ParseID("001199012345")
	tests := []struct {
		id   ID
		sex  Sex
		code string
	}{
		{male, Male, ""},
		{male, SexUnknown, ""},
		{male, Female, CodeIDSexMismatch},
		{female, Female, ""},
		{female, Male, CodeIDSexMismatch},
	}
	for _, tt := range tests {
		if code := errCode(t, tt.id.CheckSex(tt.sex)); code != tt.code {
			t.Errorf("%s.CheckSex(%v) = %q, want %q", tt.id, tt.sex, code, tt.code)
		}
	}
	want := "Giới tính Nữ không khớp với số định danh cá nhân (số này ứng với giới tính Nam)."
	if err := male.CheckSex(Female); err.Error() != want {
		t.Errorf("message = %q", err)
	}
}

func TestParseOldID(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"123456789", "123456789", ""},
		{"123 456 789", "123456789", ""},
		{"123.456.789", "123456789", ""},
		{" 012-345-678\n", "012345678", ""},
		{"", "", CodeOldIDEmpty},
		{" ", "", CodeOldIDEmpty},
		{"12345678", "", CodeOldIDLength},
		{"1234567890", "", CodeOldIDLength},
		{"001099012345", "", CodeOldIDLength},
		{strings.Repeat("9", 50000), "", CodeOldIDLength},
		{"12345678x", "", CodeOldIDDigits},
		{"CMND123456789", "", CodeOldIDDigits},
	}
	for _, tt := range tests {
		got, err := ParseOldID(tt.in)
		if got != tt.want || errCode(t, err) != tt.code {
			t.Errorf("ParseOldID(%.30q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestParseAnyID(t *testing.T) {
	tests := []struct {
		in   string
		kind IDKind
		want string
		code string
	}{
		{"001099012345", KindPersonalID, "001099012345", ""},
		{"001 099 012 345", KindPersonalID, "001099012345", ""},
		{"123456789", KindOldID, "123456789", ""},
		{"123-456-789", KindOldID, "123456789", ""},
		{"", KindUnknown, "", CodeIDEmpty},
		{"1234567890", KindUnknown, "", CodeIDAnyLength},
		{"12345678", KindUnknown, "", CodeIDAnyLength},
		{"0010990123456", KindUnknown, "", CodeIDAnyLength},
		{strings.Repeat("1", 5000), KindUnknown, "", CodeIDAnyLength},
		{"12345678a", KindUnknown, "", CodeIDDigits},
		{"003099012345", KindUnknown, "", CodeIDProvince},
	}
	for _, tt := range tests {
		kind, got, err := ParseAnyID(tt.in)
		if kind != tt.kind || got != tt.want || errCode(t, err) != tt.code {
			t.Errorf("ParseAnyID(%.30q) = %v, %q, %v; want %v, %q, %q", tt.in, kind, got, err, tt.kind, tt.want, tt.code)
		}
	}
	if KindPersonalID.String() != "personal_id" || KindOldID.String() != "old_id" || KindUnknown.String() != "unknown" {
		t.Error("IDKind.String")
	}
}
