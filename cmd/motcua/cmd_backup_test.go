package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/localdb"
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
	if code != 0 || !strings.Contains(out, "12 hồ sơ") || !strings.Contains(out, "kiểm tra nhanh") || !strings.Contains(out, "motcua verify --data") {
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

// `motcua verify-backup` and `motcua restore` refuse an encrypted backup whose manifest was
// edited; an edited plain backup passes its own checks, and the command says that proves
// nothing.
func TestVerifyBackupEditedBackups(t *testing.T) {
	dir := initStore(t)
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "3"); code != 0 {
		t.Fatal(errs)
	}
	to := filepath.Join(t.TempDir(), "usb")
	pf := filepath.Join(t.TempDir(), "pass.txt")
	os.WriteFile(pf, []byte("Mật khẩu sao lưu xã An Hưng\n"), 0o600)
	if code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--passphrase-file", pf); code != 0 {
		t.Fatalf("backup: %s %s", out, errs)
	}
	list, _ := localdb.ListBackups(to)
	enc := list[0].Dir
	m, _ := os.ReadFile(filepath.Join(enc, "manifest.json"))
	os.WriteFile(filepath.Join(enc, "manifest.json"), bytes.Replace(m, []byte(`"dossiers": 3`), []byte(`"dossiers": 4`), 1), 0o600)
	if code, out, errs := runCmd(t, "", "verify-backup", "--from", enc, "--passphrase-file", pf); code == 0 || !strings.Contains(errs, "không khớp mã xác thực") {
		t.Errorf("verify-backup of an edited manifest: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCmd(t, "", "restore", "--from", enc, "--data", filepath.Join(t.TempDir(), "r"), "--passphrase-file", pf); code == 0 || !strings.Contains(errs, "đã bị sửa đổi") {
		t.Errorf("restore of an edited manifest: %d %s %s", code, out, errs)
	}

	// A plain backup, its citizen's name and ID changed and the checksum recomputed.
	os.RemoveAll(to)
	if code, out, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--plain"); code != 0 {
		t.Fatalf("plain backup: %s %s", out, errs)
	}
	list, _ = localdb.ListBackups(to)
	plain := list[0].Dir
	db, err := sql.Open("sqlite", filepath.Join(plain, localdb.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE dossiers SET applicant = 'Trần Văn Giả', id_number = '001099099999'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := os.ReadFile(filepath.Join(plain, localdb.DBFile))
	sum := sha256.Sum256(raw)
	var man localdb.BackupManifest
	b, _ := os.ReadFile(filepath.Join(plain, "manifest.json"))
	json.Unmarshal(b, &man)
	man.Database.SHA256, man.Database.Size = hex.EncodeToString(sum[:]), int64(len(raw))
	b, _ = json.MarshalIndent(man, "", "  ")
	os.WriteFile(filepath.Join(plain, "manifest.json"), b, 0o600)
	code, out, errs := runCmd(t, "", "verify-backup", "--from", plain)
	if code != 0 || !strings.Contains(out, "KHÔNG mã hóa") || !strings.Contains(out, "không chứng minh được là chưa bị sửa") {
		t.Errorf("verify-backup of an edited plain backup: %d %s %s", code, out, errs)
	}
}

// `restore --from` and `verify-backup --from` given the folder `backup --to` writes into list
// the backups inside and use the newest, saying which (issue 15, item 12).
func TestRestoreFromTheBackupFolder(t *testing.T) {
	dir := initStore(t)
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "3"); code != 0 {
		t.Fatal(errs)
	}
	to := filepath.Join(t.TempDir(), "usb")
	if code, _, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--plain"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "2"); code != 0 {
		t.Fatal(errs)
	}
	time.Sleep(1100 * time.Millisecond) // backups are named by the second
	if code, _, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--plain"); code != 0 {
		t.Fatal(errs)
	}
	list, err := localdb.ListBackups(to)
	if err != nil || len(list) != 2 {
		t.Fatalf("backups %v %v", list, err)
	}
	newest := list[0].Name
	target := filepath.Join(t.TempDir(), "restored")
	code, out, errs := runCmd(t, "", "restore", "--from", to, "--data", target)
	if code != 0 || !strings.Contains(out, "chứa 2 bản sao lưu") || !strings.Contains(out, "Dùng bản mới nhất: "+newest) ||
		!strings.Contains(out, list[1].Name) || !strings.Contains(out, "5 hồ sơ") {
		t.Fatalf("restore from the folder: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCmd(t, "", "verify-backup", "--from", to); code != 0 || !strings.Contains(out, "Dùng bản mới nhất: "+newest) {
		t.Fatalf("verify-backup from the folder: %d %s %s", code, out, errs)
	}
	// A folder with no backup at all is still "not a backup".
	if code, _, errs := runCmd(t, "", "restore", "--from", t.TempDir(), "--data", filepath.Join(t.TempDir(), "r")); code == 0 || !strings.Contains(errs, "không phải bản sao lưu") {
		t.Fatalf("empty folder: %d %s", code, errs)
	}
}
