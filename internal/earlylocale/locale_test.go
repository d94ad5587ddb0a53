package locale

import "testing"

func TestFix(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LC_ALL": "C.utf8", "LANG": "vi_VN.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX@euro"}, true},
		{map[string]string{"LANG": "C"}, false}, // go-locale already reads no locale
		{map[string]string{"LANG": "vi_VN.UTF-8"}, false},
		{map[string]string{"LC_MESSAGES": "en_US.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "vi"}, false},
		{map[string]string{}, false},
	} {
		set := map[string]string{}
		got := Fix(func(k string) string { return c.env[k] }, func(k, v string) error { set[k] = v; return nil })
		if got != c.want || (got && set["LANGUAGE"] != "en") || (!got && len(set) != 0) {
			t.Errorf("%v: changed %v %v", c.env, got, set)
		}
	}
}
