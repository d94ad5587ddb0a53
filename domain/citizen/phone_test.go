package citizen

import (
	"regexp"
	"strings"
	"testing"
)

// mobileRE is the rule from DOMAIN.md; NormalisePhone must agree with it.
var mobileRE = regexp.MustCompile(`^(?:\+?84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$`)

func TestNormalisePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0912345678", "0912345678"},
		{"0912 345 678", "0912345678"},
		{"0912.345.678", "0912345678"},
		{"0912-345-678", "0912345678"},
		{"(091) 234-5678", "0912345678"},
		{"+84912345678", "0912345678"},
		{"+84 912 345 678", "0912345678"},
		{"(+84) 912 345 678", "0912345678"},
		{"84912345678", "0912345678"},
		{"84-912-345-678", "0912345678"},
		{"+84 (0) 912 345 678", "0912345678"},
		{"840912345678", "0912345678"},
		{" 0912345678\r\n", "0912345678"},
		{"0912\u00a0345\u00a0678", "0912345678"},
		{"0842345678", "0842345678"}, // 084 is a network prefix, not the country code
		{"84842345678", "0842345678"},
		{"0321234567", "0321234567"},
		{"0391234567", "0391234567"},
		{"0521234567", "0521234567"},
		{"0561234567", "0561234567"},
		{"0581234567", "0581234567"},
		{"0591234567", "0591234567"},
		{"0701234567", "0701234567"},
		{"0761234567", "0761234567"},
		{"0791234567", "0791234567"},
		{"0811234567", "0811234567"},
		{"0891234567", "0891234567"},
		{"0901234567", "0901234567"},
		{"0941234567", "0941234567"},
		{"0961234567", "0961234567"},
		{"0991234567", "0991234567"},
		// Landlines: 11 digits nationally, starting with 02.
		{"02253 123 456", "02253123456"},
		{"0225 3123 456", "02253123456"},
		{"024 3825 1234", "02438251234"},
		{"(028) 3822-4567", "02838224567"},
		{"+84 24 3825 1234", "02438251234"},
		{"84 225 3123 456", "02253123456"},
	}
	for _, tt := range tests {
		got, err := NormalisePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalisePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalisePhoneErrors(t *testing.T) {
	tests := []struct{ in, code string }{
		{"", CodePhoneEmpty},
		{"   ", CodePhoneEmpty},
		{"( )", CodePhoneEmpty},
		{"+", CodePhoneInvalid},
		{"0951234567", CodePhoneInvalid}, // 095 unassigned
		{"0311234567", CodePhoneInvalid},
		{"0301234567", CodePhoneInvalid},
		{"0511234567", CodePhoneInvalid},
		{"0531234567", CodePhoneInvalid},
		{"0541234567", CodePhoneInvalid},
		{"0571234567", CodePhoneInvalid},
		{"0711234567", CodePhoneInvalid},
		{"0751234567", CodePhoneInvalid},
		{"0801234567", CodePhoneInvalid},
		{"0112345678", CodePhoneInvalid},
		{"01234567890", CodePhoneInvalid}, // pre-2018 11-digit mobile
		{"091234567", CodePhoneInvalid},
		{"09123456789", CodePhoneInvalid},
		{"912345678", CodePhoneInvalid},
		{"0212345678", CodePhoneInvalid},
		{"022123456789", CodePhoneInvalid},
		{"+1 650 253 0000", CodePhoneInvalid},
		{"+840912", CodePhoneInvalid},
		{"+0912345678", CodePhoneInvalid},
		{"++84912345678", CodePhoneInvalid},
		{"0912+345678", CodePhoneInvalid},
		{"0912345678x", CodePhoneInvalid},
		{"0912345678 ext 12", CodePhoneInvalid},
		{"09１2345678", CodePhoneInvalid},
		{"0912345678/0987654321", CodePhoneInvalid},
		{strings.Repeat("0", 100000), CodePhoneInvalid},
		{"0912345678" + strings.Repeat(" ", 100000) + "1", CodePhoneInvalid},
	}
	for _, tt := range tests {
		got, err := NormalisePhone(tt.in)
		if code := errCode(t, err); code != tt.code || got != "" {
			t.Errorf("NormalisePhone(%.30q) = %q, code %q; want %q", tt.in, got, code, tt.code)
		}
	}
}

// TestNormalisePhoneAgreesWithRule checks every 3-digit mobile prefix against
// the regular expression in DOMAIN.md.
func TestNormalisePhoneAgreesWithRule(t *testing.T) {
	for p := 0; p < 100; p++ {
		s := "0" + string(rune('0'+p/10)) + string(rune('0'+p%10)) + "1234567"
		_, err := NormalisePhone(s)
		if (err == nil) != mobileRE.MatchString(s) {
			t.Errorf("%s: NormalisePhone err=%v, rule match=%v", s, err, mobileRE.MatchString(s))
		}
		if p/10 != 2 { // 02… of 10 digits is neither
			for _, pre := range []string{"+84", "84"} {
				in := pre + s[1:]
				_, err := NormalisePhone(in)
				if (err == nil) != mobileRE.MatchString(in) {
					t.Errorf("%s: NormalisePhone err=%v, rule match=%v", in, err, mobileRE.MatchString(in))
				}
			}
		}
	}
}

func TestInternationalPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0912 345 678", "+84912345678"},
		{"+84 912 345 678", "+84912345678"},
		{"02253 123 456", "+842253123456"},
		{"0951234567", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := InternationalPhone(tt.in); got != tt.want {
			t.Errorf("InternationalPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
