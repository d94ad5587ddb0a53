package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupRestoreCommands(t *testing.T) {
	dir := initStore(t)
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "12"); code != 0 {
		t.Fatal(errs)
	}
	to := filepath.Join(t.TempDir(), "usb")
	// The first backup asks for a passphrase; without a terminal to type it, it says how.
	code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to)
	if code == 0 || !strings.Contains(errs, "chưa đặt mật khẩu sao lưu") || !strings.Contains(errs, "--plain") {
		t.Fatalf("first backup without a passphrase: %d %s %s", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "backup", "--data", dir, "--to", to, "--plain")
	if code != 0 || !strings.Contains(out, "Đã sao lưu và kiểm tra") || !strings.Contains(out, "12 hồ sơ") ||
		!strings.Contains(out, "KHÔNG mã hóa") || !strings.Contains(errs, "không chứng minh được") {
		t.Fatalf("plain backup: %d %s %s", code, out, errs)
	}
	pf := filepath.Join(t.TempDir(), "pass.txt")
	// As Notepad saves it: a byte-order mark and CRLF.
	os.WriteFile(pf, []byte("\ufeffMật khẩu sao lưu xã An Hưng\r\n"), 0o600)
	code, out, errs = runCmd(t, "", "backup", "--data", dir, "--to", to, "--passphrase-file", pf)
	if code != 0 || !strings.Contains(out, "đã mã hóa") {
		t.Fatalf("encrypted backup: %d %s %s", code, out, errs)
	}
	// The passphrase of the first encrypted backup is kept: the next one needs nothing.
	code, out, errs = runCmd(t, "", "backup", "--data", dir, "--to", to)
	if code != 0 || !strings.Contains(out, "đã mã hóa") {
		t.Fatalf("backup with the stored passphrase: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, "", "backups", "--dir", to)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || strings.Contains(lines[0], "KHÔNG") || strings.Contains(lines[1], "KHÔNG") ||
		!strings.Contains(lines[2], "KHÔNG mã hóa, không chống sửa đổi") {
		t.Fatalf("backups: %d %q", code, out)
	}
	encrypted := filepath.Join(to, strings.Fields(lines[0])[0])
	if code, out, errs := runCmd(t, "", "verify-backup", "--from", encrypted, "--passphrase-file", pf); code != 0 || !strings.Contains(out, "bản kê đã xác thực: toàn vẹn") {
		t.Fatalf("verify-backup: %d %s %s", code, out, errs)
	}
	plain := filepath.Join(to, strings.Fields(lines[2])[0])
	if code, out, errs := runCmd(t, "", "verify-backup", "--from", plain); code != 0 || !strings.Contains(out, "Cảnh báo") || !strings.Contains(out, "không chứng minh được") {
		t.Fatalf("verify-backup of a plain backup: %d %s %s", code, out, errs)
	}

	target := filepath.Join(t.TempDir(), "restored")
	code, _, errs = runCmd(t, "sai mật khẩu rồi\n", "restore", "--from", encrypted, "--data", target)
	if code == 0 || !strings.Contains(errs, "sai mật khẩu") {
		t.Fatalf("wrong passphrase: %d %s", code, errs)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatal("a refused restore wrote data")
	}
	code, out, errs = runCmd(t, "Mật khẩu sao lưu xã An Hưng\n", "restore", "--from", encrypted, "--data", target)
	if code != 0 || !strings.Contains(out, "12 hồ sơ") || !strings.Contains(out, "toàn vẹn") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	_, a, _ := runCmd(t, "", "stats", "--data", dir, "--json")
	_, b, _ := runCmd(t, "", "stats", "--data", target, "--json")
	if a != b {
		t.Errorf("stats differ:\n%s\n%s", a, b)
	}
	if code, _, errs := runCmd(t, "", "verify", "--data", target); code != 0 {
		t.Errorf("verify: %s", errs)
	}
	if code, _, errs := runCmd(t, "", "restore", "--from", encrypted, "--data", target); code == 0 || !strings.Contains(errs, "đã có dữ liệu") {
		t.Errorf("restore over data: %d %s", code, errs)
	}
}
