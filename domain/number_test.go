package domain

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1.000"}, {12345, "12.345"}, {999999, "999.999"},
		{1000000, "1.000.000"}, {-5, "-5"}, {-1234, "-1.234"}, {-123456, "-123.456"},
		{math.MaxInt64, "9.223.372.036.854.775.807"}, {math.MinInt64, "-9.223.372.036.854.775.808"},
	} {
		if got := FormatNumber(c.n); got != c.want {
			t.Errorf("FormatNumber(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0 byte"}, {1023, "1023 byte"}, {1 << 10, "1 KiB"}, {1536, "1,5 KiB"}, {5 << 20, "5,0 MiB"},
		{1023 << 20, "1023,0 MiB"}, {1 << 30, "1,0 GiB"}, {1_200_000_000, "1,1 GiB"},
	} {
		if got := FormatBytes(c.n); got != c.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
