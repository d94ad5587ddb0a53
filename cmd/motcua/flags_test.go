package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad flag says in one Vietnamese line which flag and what it expects, exits 2 and does
// nothing; -h lists the flags in Vietnamese.
func TestFlagErrorsInVietnamese(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--data", data, "--bogus"}, "motcua: Không có tùy chọn --bogus cho lệnh sync. Xem: motcua sync -h\n"},
		{[]string{"seed", "--data", data, "--dossiers", "abc"}, "motcua: Giá trị \"abc\" của --dossiers không hợp lệ: cần một số nguyên. Xem: motcua seed -h\n"},
		{[]string{"seed", "--dossiers", "1.5"}, "motcua: Giá trị \"1.5\" của --dossiers không hợp lệ: cần một số nguyên. Xem: motcua seed -h\n"},
		{[]string{"seed", "--seed", "-1"}, "motcua: Giá trị \"-1\" của --seed không hợp lệ: cần một số nguyên không âm. Xem: motcua seed -h\n"},
		{[]string{"due", "--received", "2026-02-13T16:00", "--days", "-5"}, "motcua: Giá trị -5 của --days không hợp lệ: không được là số âm. Xem: motcua due -h\n"},
		{[]string{"due", "--hours", "x"}, "motcua: Giá trị \"x\" của --hours không hợp lệ: cần một số (dấu chấm thập phân, ví dụ 1.5). Xem: motcua due -h\n"},
		{[]string{"verify", "--data"}, "motcua: Tùy chọn --data thiếu giá trị (--data GIÁ_TRỊ). Xem: motcua verify -h\n"},
		{[]string{"backup", "--data", data, "--plain=maybe"}, "motcua: Giá trị \"maybe\" của --plain không hợp lệ: cần true hoặc false. Xem: motcua backup -h\n"},
		{[]string{"report", "--nope=1"}, "motcua: Không có tùy chọn --nope cho lệnh report. Xem: motcua report -h\n"},
		{[]string{"enroll", "--code"}, "motcua: Tùy chọn --code thiếu giá trị (--code GIÁ_TRỊ). Xem: motcua enroll -h\n"},
		{[]string{"restore", "---from", "x"}, "motcua: Tham số \"---from\" không đúng dạng tùy chọn (--tên hoặc --tên=giá_trị). Xem: motcua restore -h\n"},
		{[]string{"stats", "--json", "--x"}, "motcua: Không có tùy chọn --x cho lệnh stats. Xem: motcua stats -h\n"},
		{[]string{"init", "--slot", "99999999999999999999"}, "motcua: Giá trị \"99999999999999999999\" của --slot không hợp lệ: cần một số nguyên (số đã cho quá lớn). Xem: motcua init -h\n"},
		{[]string{"holidays", "--year", "-2026"}, "motcua: Giá trị -2026 của --year không hợp lệ: không được là số âm. Xem: motcua holidays -h\n"},
		{[]string{"peer-serve", "--interval", "-1s"}, "motcua: Giá trị -1s của --interval không hợp lệ: không được là số âm. Xem: motcua peer-serve -h\n"},
		{[]string{"peer-serve", "--interval", "5"}, "motcua: Giá trị \"5\" của --interval không hợp lệ: cần một khoảng thời gian, ví dụ 30s, 5m, 1h. Xem: motcua peer-serve -h\n"},
		{[]string{"bundle", "export", "--data", data, "--bogus"}, "motcua: Không có tùy chọn --bogus cho lệnh bundle export. Xem: motcua bundle export -h\n"},
		{[]string{"--bogus"}, "motcua: Không có tùy chọn --bogus. Xem: motcua -h\n"},
	} {
		rc, out, errs := runCmd(t, "", c.args...)
		if rc != 2 || errs != c.want || out != "" {
			t.Errorf("%q: rc %d, stdout %q, stderr %q; want stderr %q", c.args, rc, out, errs, c.want)
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a bad flag made the data folder: %v", err)
	}
	for _, cmd := range []string{"seed", "sync", "verify", "backup", "report", "enroll", "restore", "stats", "due"} {
		rc, out, errs := runCmd(t, "", cmd, "-h")
		if rc != 0 || errs != "" || !strings.HasPrefix(out, "Cách dùng: motcua "+cmd+" [tham số]\n\nTham số:\n") || strings.Contains(out, "default") || strings.Contains(out, "Usage") {
			t.Errorf("%s -h: rc %d, stdout %q, stderr %q", cmd, rc, out, errs)
		}
	}
	if rc, out, _ := runCmd(t, "", "seed", "-h"); rc != 0 || !strings.Contains(out, "  --dossiers   số hồ sơ mẫu (mặc định: 1000)\n") {
		t.Errorf("seed -h does not list --dossiers: %q", out)
	}
}
