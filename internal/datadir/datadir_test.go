package datadir

import (
	"path/filepath"
	"testing"
)

func TestDefaultFor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		goos string
		env  map[string]string
		home string
		want string
	}{
		{"windows", map[string]string{"LOCALAPPDATA": `C:\Users\lan\AppData\Local`, "APPDATA": `C:\Users\lan\AppData\Roaming`}, `C:\Users\lan`,
			filepath.Join(`C:\Users\lan\AppData\Local`, "motcua")},
		{"windows", map[string]string{"APPDATA": `C:\Users\lan\AppData\Roaming`}, `C:\Users\lan`, filepath.Join(`C:\Users\lan\AppData\Roaming`, "motcua")},
		{"linux", nil, "/home/lan", "/home/lan/.local/share/motcua"},
		{"linux", map[string]string{"XDG_DATA_HOME": "/data/lan"}, "/home/lan", "/data/lan/motcua"},
		{"linux", map[string]string{"XDG_DATA_HOME": "relative"}, "/home/lan", "/home/lan/.local/share/motcua"},
		{"darwin", nil, "/Users/lan", "/Users/lan/Library/Application Support/motcua"},
		{"linux", nil, "", "motcua-data"},
	}
	for _, c := range cases {
		if got := defaultFor(c.goos, env(c.env), c.home); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.goos, c.env, got, c.want)
		}
	}
}

func TestChooseKeepsExistingData(t *testing.T) {
	has := map[string]bool{}
	exists := func(p string) bool { return has[p] }
	newDir, oldDir := "/home/lan/.local/share/motcua", "/home/lan/.config/motcua"
	if got := choose(newDir, oldDir, exists); got != newDir {
		t.Errorf("fresh install: %s", got)
	}
	has[filepath.Join(oldDir, "motcua.db")] = true
	if got := choose(newDir, oldDir, exists); got != oldDir {
		t.Errorf("data at the old place: %s", got)
	}
	has[filepath.Join(newDir, "motcua.db")] = true
	if got := choose(newDir, oldDir, exists); got != newDir {
		t.Errorf("data at both: %s", got)
	}
}
