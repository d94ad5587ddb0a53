package citizen

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestParseSex(t *testing.T) {
	tests := []struct {
		in   string
		want Sex
		code string
	}{
		{"Nam", Male, ""},
		{"nam", Male, ""},
		{" NAM ", Male, ""},
		{"M", Male, ""},
		{"m", Male, ""},
		{"Male", Male, ""},
		{"MALE", Male, ""},
		{"Nữ", Female, ""},
		{norm.NFD.String("Nữ"), Female, ""},
		{"NỮ", Female, ""},
		{norm.NFD.String("nữ"), Female, ""},
		{"nu", Female, ""},
		{"Nu", Female, ""},
		{"F", Female, ""},
		{"female", Female, ""},
		{"", SexUnknown, CodeSexInvalid},
		{"X", SexUnknown, CodeSexInvalid},
		{"Nam Nữ", SexUnknown, CodeSexInvalid},
		{"0", SexUnknown, CodeSexInvalid},
		{"Không rõ", SexUnknown, CodeSexInvalid},
	}
	for _, tt := range tests {
		got, err := ParseSex(tt.in)
		if got != tt.want || errCode(t, err) != tt.code {
			t.Errorf("ParseSex(%q) = %v, %v; want %v, %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestSexString(t *testing.T) {
	if Male.String() != "Nam" || Female.String() != "Nữ" || SexUnknown.String() != "" {
		t.Errorf("got %q %q %q", Male, Female, SexUnknown)
	}
	for _, s := range []Sex{Male, Female} {
		if got, err := ParseSex(s.String()); err != nil || got != s {
			t.Errorf("round trip %v: %v, %v", s, got, err)
		}
	}
}
