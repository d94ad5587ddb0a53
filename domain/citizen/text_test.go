package citizen

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func nfd(s string) string { return norm.NFD.String(s) }

func TestNormaliseText(t *testing.T) {
	long := strings.Repeat("Nguyễn  ", 50000)
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"\t\r\n", ""},
		{"  Nguyễn\tVăn\n An  ", "Nguyễn Văn An"},
		{"Nguyễn\u00a0Văn\u3000An", "Nguyễn Văn An"},
		{"Nguyễn\r\nVăn\u2028An", "Nguyễn Văn An"},
		{nfd("Nguyễn Thị Đào"), "Nguyễn Thị Đào"},
		{"\ufeffHà Nội", "Hà Nội"},
		{"Hà\u200bNội", "HàNội"},
		{"Hà \u200b Nội", "Hà Nội"},
		{"a\x00b\x1bc\x7f", "abc"},
		{"a\xffb", "ab"},
		{"so\u00adft", "soft"},
		{"e\x00\u0301", "é"}, // a control between base and mark is removed before NFC
		{long, strings.TrimSpace(strings.Repeat("Nguyễn ", 50000))},
	}
	for _, tt := range tests {
		got := NormaliseText(tt.in)
		if got != tt.want {
			t.Errorf("NormaliseText(%.40q) = %.40q, want %.40q", tt.in, got, tt.want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("NormaliseText(%.40q) is not NFC", tt.in)
		}
	}
}

func TestNormaliseName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"nguyễn  văn AN", "Nguyễn Văn An"},
		{nfd("nguyễn  văn AN"), "Nguyễn Văn An"},
		{"NGUYỄN VĂN AN", "Nguyễn Văn An"},
		{"đỗ thị đào", "Đỗ Thị Đào"},
		{nfd("đỗ thị đào"), "Đỗ Thị Đào"},
		{"ĐẶNG VĂN ĐỨC", "Đặng Văn Đức"},
		{"LÊ THỊ  ÁNH\tNGUYỆT", "Lê Thị Ánh Nguyệt"},
		{"ưng ơn ỷ", "Ưng Ơn Ỷ"},
		{"h'hen niê", "H'Hen Niê"},
		{"H’HEN NIÊ", "H'Hen Niê"},
		{"ksor h'bơ", "Ksor H'Bơ"},
		{"y-moan", "Y-Moan"},
		{"nguyễn thị minh-khai", "Nguyễn Thị Minh-Khai"},
		{"o'brien", "O'Brien"},
		{"phan bội châu's", "Phan Bội Châu's"},
		{"trần\u00a0\u00a0hưng \u200bđạo", "Trần Hưng Đạo"},
	}
	for _, tt := range tests {
		got := NormaliseName(tt.in)
		if got != tt.want {
			t.Errorf("NormaliseName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if NormaliseName(got) != got {
			t.Errorf("NormaliseName not idempotent on %q", got)
		}
	}
	long := strings.Repeat("nguyễn ", 30000)
	if got := NormaliseName(long); got != strings.TrimSpace(strings.Repeat("Nguyễn ", 30000)) {
		t.Errorf("long name: %.40q", got)
	}
}

func TestNormaliseAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Số 12 ,ngõ 3", "Số 12, ngõ 3"},
		{"số 12,ngõ 34 phố Huế ,  Hà Nội", "Số 12, ngõ 34 phố Huế, Hà Nội"},
		{nfd("số 12,ngõ 34 phố Huế ,  Hà Nội"), "Số 12, ngõ 34 phố Huế, Hà Nội"},
		{"thôn Đông , xã An Lão ,", "Thôn Đông, xã An Lão,"},
		{"đường Lê Lợi, TP. Huế", "Đường Lê Lợi, TP. Huế"},
		{"12 ngõ 3,phường Láng Hạ", "12 ngõ 3, phường Láng Hạ"},
		{"Tổ 5\n,\tKhu 2,,Phường Hồng Gai", "Tổ 5, Khu 2,, Phường Hồng Gai"},
		{", xã An Hòa", ", xã An Hòa"},
		{"ấp 3", "Ấp 3"},
	}
	for _, tt := range tests {
		got := NormaliseAddress(tt.in)
		if got != tt.want {
			t.Errorf("NormaliseAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if NormaliseAddress(got) != got {
			t.Errorf("NormaliseAddress not idempotent on %q", got)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Nguyễn Thị Đào", "nguyen thi dao"},
		{nfd("Nguyễn Thị Đào"), "nguyen thi dao"},
		{"NGUYỄN  THỊ\tĐÀO", "nguyen thi dao"},
		{"HÒA", "hoa"},
		{"HOÀ", "hoa"}, // new-style tone placement
		{"Ðào", "dao"}, // eth instead of Đ
		{"Đặng Văn Đức", "dang van duc"},
		{"Ưng Ơn", "ung on"},
		{"Số 12, ngõ 3", "so 12, ngo 3"},
		{"0912 345 678", "0912 345 678"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLongInputs(t *testing.T) {
	long := strings.Repeat("Đặng  Văn , ", 100000)
	if got := Fold(long); !strings.HasPrefix(got, "dang van , dang") || strings.Contains(got, "  ") {
		t.Errorf("Fold(long) = %.40q", got)
	}
	if got := NormaliseAddress(long); !strings.HasPrefix(got, "Đặng Văn, Đặng Văn,") || NormaliseAddress(got) != got {
		t.Errorf("NormaliseAddress(long) = %.40q", got)
	}
	if LooksLikeCardQR(long) {
		t.Error("LooksLikeCardQR(long)")
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct{ in, code string }{
		{"Nguyễn Văn An", ""},
		{nfd("Nguyễn Văn An"), ""},
		{"  nguyễn   văn an ", ""},
		{"H'Hen Niê", ""},
		{"H’Hen Niê", ""},
		{"Y-Moan", ""},
		{strings.Repeat("a", MaxNameLength), ""},
		{strings.Repeat("ễ", MaxNameLength), ""},
		{nfd(strings.Repeat("ễ", MaxNameLength)), ""}, // counted in NFC
		{"", CodeNameEmpty},
		{" \t ", CodeNameEmpty},
		{strings.Repeat("a", MaxNameLength+1), CodeNameTooLong},
		{strings.Repeat("Nguyễn ", 100000), CodeNameTooLong},
		{"Nguyễn Văn 2", CodeNameDigits},
		{"Nguyễn Văn Ⅱ", CodeNameDigits},
		{"Nguyen_Van", CodeNameChars},
		{"An@", CodeNameChars},
		{"Nguyễn Văn An.", CodeNameChars},
		{"-", CodeNameChars},
		{"' -", CodeNameChars},
	}
	for _, tt := range tests {
		if code := errCode(t, ValidateName(tt.in)); code != tt.code {
			t.Errorf("ValidateName(%.30q) = %q, want %q", tt.in, code, tt.code)
		}
	}
	if got := ValidateName("A1").Error(); got != "Họ và tên không được chứa chữ số." {
		t.Errorf("message %q", got)
	}
}

func TestCheckLength(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		code string
	}{
		{"", 0, ""},
		{"abc", 3, ""},
		{"Đào", 3, ""},
		{nfd("Đào"), 3, ""}, // 3 characters although 6 runes in NFD
		{"abcd", 3, CodeTextTooLong},
		{"a", 0, CodeTextTooLong},
		{strings.Repeat("x", 1001), 1000, CodeTextTooLong},
	}
	for _, tt := range tests {
		if code := errCode(t, CheckLength("Địa chỉ", tt.s, tt.max)); code != tt.code {
			t.Errorf("CheckLength(%q, %d) = %q, want %q", tt.s, tt.max, code, tt.code)
		}
	}
	err := CheckLength("Địa chỉ", "Số 12", 3)
	want := "“Địa chỉ” không được dài quá 3 ký tự (hiện có 5 ký tự)."
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if got := err.(*Error).Localize(MessagesEN()); got != "“Địa chỉ” must not be longer than 3 characters (it has 5)." {
		t.Errorf("English %q", got)
	}
}
