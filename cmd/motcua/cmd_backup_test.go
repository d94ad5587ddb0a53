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
	code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to)
	if code != 0 || !strings.Contains(out, "Đã sao lưu và kiểm tra") || !strings.Contains(out, "12 hồ sơ") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	pf := filepath.Join(t.TempDir(), "pass.txt")
	// As Notepad saves it: a byte-order mark and CRLF.
	os.WriteFile(pf, []byte("\ufeffMật khẩu sao lưu xã An Hưng\r\n"), 0o600)
	code, out, errs = runCmd(t, "", "backup", "--data", dir, "--to", to, "--encrypt", "--passphrase-file", pf)
	if code != 0 || !strings.Contains(out, "đã mã hóa") {
		t.Fatalf("encrypted backup: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, "", "backups", "--dir", to)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[0], "mã hóa") || strings.Contains(lines[1], "mã hóa") {
		t.Fatalf("backups: %d %q", code, out)
	}
	encrypted := filepath.Join(to, strings.Fields(lines[0])[0])
	if code, out, errs := runCmd(t, "", "verify-backup", "--from", encrypted, "--passphrase-file", pf); code != 0 || !strings.Contains(out, "toàn vẹn") {
		t.Fatalf("verify-backup: %d %s %s", code, out, errs)
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
