package main

import (
	"motcua/localdb"

	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// runCmd runs motcua with args and stdin, returning exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func initStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", dir, "--unit-code", "000.00.06.H56",
		"--unit-name", "Trung tâm Phục vụ hành chính công xã An Hưng", "--slot", "2", "--admin", "admin")
	if code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "Máy trạm: số 2") || !strings.Contains(out, "000.00.06.H56") {
		t.Errorf("init output %q", out)
	}
	return dir
}

func TestInitRefusesBadInputAndReinit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, _, errs := runCmd(t, "ngan\n", "init", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "X", "--slot", "1")
	if code == 0 || !strings.Contains(errs, "8 ký tự") {
		t.Fatalf("short password: %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "matkhau-quan-tri\n", "init", "--data", dir, "--unit-code", "bad code", "--unit-name", "X", "--slot", "12")
	if code == 0 || !strings.Contains(errs, "Mã định danh đơn vị") || !strings.Contains(errs, "1 đến 9") {
		t.Fatalf("bad unit: %d %s", code, errs)
	}
	// Nothing was half-set-up: a good init still works, and a second one is refused.
	initDir := initStore(t)
	code, _, errs = runCmd(t, "matkhau-quan-tri\n", "init", "--data", initDir, "--unit-code", "000.00.06.H56", "--unit-name", "X", "--slot", "1")
	if code == 0 || !strings.Contains(errs, "đã được cài đặt") {
		t.Fatalf("re-init: %d %s", code, errs)
	}
	code, _, _ = runCmd(t, "matkhau-quan-tri\n", "init", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "Xã Một", "--slot", "1")
	if code != 0 {
		t.Fatal("a good init after bad ones failed")
	}
}

func TestSeedStatsVerify(t *testing.T) {
	dir := initStore(t)
	code, out, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "150", "--days", "20")
	if code != 0 || !strings.Contains(out, "Đã tạo 150 hồ sơ mẫu") {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, "", "stats", "--data", dir, "--json")
	if code != 0 {
		t.Fatal("stats failed")
	}
	var st struct {
		Dossiers int            `json:"dossiers"`
		ByStatus map[string]int `json:"by_status"`
		Outbox   int            `json:"outbox"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("stats JSON %q: %v", out, err)
	}
	sum := 0
	for _, n := range st.ByStatus {
		sum += n
	}
	if st.Dossiers != 150 || sum != 150 || st.Outbox < 150 {
		t.Fatalf("stats %+v", st)
	}
	code, out, errs = runCmd(t, "", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "toàn vẹn") {
		t.Fatalf("verify: %d %s %s", code, out, errs)
	}
	// Tamper with the audit log: verify names the first broken entry and exits 1.
	db, err := sql.Open("sqlite", filepath.Join(dir, "motcua.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET detail = 'sửa lén' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, _, errs = runCmd(t, "", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errs, "mục 3") {
		t.Fatalf("tampered verify: %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "", "stats", "--data", filepath.Join(t.TempDir(), "none"))
	if code == 0 || !strings.Contains(errs, "chưa có dữ liệu") {
		t.Fatalf("stats on nothing: %d %s", code, errs)
	}
}

func TestHolidays(t *testing.T) {
	code, out, _ := runCmd(t, "", "holidays", "--year", "2026")
	if code != 0 {
		t.Fatal("holidays failed")
	}
	for _, want := range []string{"2026-02-16\toff\t", "2026-04-27\toff\t", "2026-08-22\twork\t", "2026-09-02\toff\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("2026 lacks %q:\n%s", want, out)
		}
	}
	code, out, errs := runCmd(t, "", "holidays", "--year", "2031")
	if code != 0 || !strings.Contains(out, "2031-01-01\toff\t") || !strings.Contains(errs, "chưa có thông báo chính thức") {
		t.Errorf("generated year: %d %s %s", code, out, errs)
	}
}

func TestDue(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--received", "2026-02-13T16:00", "--same-day"}, "2026-02-23T17:00"},
		{[]string{"--received", "2026-02-13T10:00", "--same-day"}, "2026-02-13T17:00"},
		{[]string{"--received", "2026-03-02T09:00", "--days", "3"}, "2026-03-05T09:00"},
		{[]string{"--received", "2026-03-02T10:00", "--hours", "4"}, "2026-03-02T16:00"},
		{[]string{"--received", "2026-04-24T10:00", "--days", "2"}, "2026-04-29T10:00"},
		{[]string{"--received", "2026-03-02T07:00", "--days", "1"}, "2026-03-03T07:00"},
		{[]string{"--received", "2026-01-30T09:00", "--calendar-days", "15"}, "2026-02-23T17:00"},
	}
	for _, c := range cases {
		code, out, errs := runCmd(t, "", append([]string{"due"}, c.args...)...)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("due %v = %q (%d %s), want %s", c.args, out, code, errs, c.want)
		}
	}
	for _, bad := range [][]string{{"--received", "13/02/2026", "--same-day"}, {"--received", "2026-02-13T16:00"},
		{"--received", "2026-02-13T16:00", "--days", "2", "--same-day"}} {
		if code, _, errs := runCmd(t, "", append([]string{"due"}, bad...)...); code == 0 || errs == "" {
			t.Errorf("due %v accepted", bad)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errs := runCmd(t, "", "frobnicate")
	if code != 2 || !strings.Contains(errs, "không có lệnh") || !strings.Contains(errs, "holidays") {
		t.Fatalf("%d %s", code, errs)
	}
}

// motcua enroll refuses plain http to another machine unless --allow-http is given, before
// sending anything, and says how to choose it.
func TestEnrollRefusesPlainHTTPWithoutTheFlag(t *testing.T) {
	dir := initStore(t)
	code, _, errs := runCmd(t, "", "enroll", "--data", dir, "--server", "http://10.0.0.5:8787", "--code", "AAAA-BBBB-CCCC")
	if code == 0 || !strings.Contains(errs, "không mã hóa") || !strings.Contains(errs, "--allow-http") {
		t.Fatalf("enroll over http: %d %q", code, errs)
	}
}

// Hints that name a command name the program as the clerk ran it: ./bin/motcua (as the
// README shows) when run by a path, motcua when found on PATH.
func TestHintsNameTheProgramAsInvoked(t *testing.T) {
	for arg0, want := range map[string]string{"./bin/motcua": "./bin/motcua", "motcua": "motcua", "/opt/motcua/motcua": "/opt/motcua/motcua", "": "motcua"} {
		if got := invokedName(arg0); got != want {
			t.Errorf("invokedName(%q) = %q, want %q", arg0, got, want)
		}
	}
	defer func(p string) { prog = p }(prog)
	prog = "./bin/motcua"
	dir := initStore(t)
	if code, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "2"); code != 0 {
		t.Fatal(errs)
	}
	to := filepath.Join(t.TempDir(), "usb")
	if code, _, errs := runCmd(t, "", "backup", "--data", dir, "--to", to, "--plain"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCmd(t, "", "restore", "--from", to, "--data", filepath.Join(t.TempDir(), "restored"))
	if code != 0 || !strings.Contains(out, "./bin/motcua verify --data") {
		t.Fatalf("restore's hint: %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{{"stats", "--data", t.TempDir()}, {"peers", "nothing"}, {"bundle"}} {
		if code, _, errs := runCmd(t, "", args...); code == 0 || !strings.Contains(errs, "./bin/motcua ") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
	if _, out, _ := runCmd(t, "", "help"); !strings.Contains(out, "Cách dùng: ./bin/motcua [--data") {
		t.Errorf("usage: %s", out)
	}
}

// Input that cannot be read, and a command stopped by Ctrl+C, are said in Vietnamese: no
// EOF, no OS words with the path, no «context canceled».
func TestUnreadableInputAndCtrlCInWords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, _, errs := runCmd(t, "", "init", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "Xã An Hưng")
	if code == 0 || !strings.Contains(errs, "không đọc được mật khẩu từ đầu vào chuẩn: không có dữ liệu") || strings.Contains(errs, "EOF") {
		t.Errorf("init with empty standard input: %d %q", code, errs)
	}
	data := initStore(t)
	missing := filepath.Join(t.TempDir(), "khong-co.txt")
	code, _, errs = runCmd(t, "", "backup", "--data", data, "--to", t.TempDir(), "--passphrase-file", missing)
	if code == 0 || !strings.Contains(errs, "không đọc được tệp mật khẩu") || !strings.Contains(errs, "tệp không tồn tại") ||
		strings.Contains(errs, "no such file") {
		t.Errorf("backup with a missing passphrase file: %d %q", code, errs)
	}
	// A backup folder that cannot be made: the OS's «mkdir …: not a directory» in words.
	file := filepath.Join(t.TempDir(), "tep")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "", "backup", "--data", data, "--to", filepath.Join(file, "sao-luu"), "--plain")
	if code == 0 || !strings.Contains(errs, "không phải thư mục") || strings.Contains(errs, "mkdir") || strings.Contains(errs, "not a directory") {
		t.Errorf("backup into a path under a file: %d %q", code, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code = run(ctx, []string{"enroll", "--data", data, "--server", "http://127.0.0.1:1", "--code", "AAAA-BBBB-CCCC", "--name", "Quầy"}, strings.NewReader(""), &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "dừng giữa chừng") || strings.Contains(errb.String(), "context canceled") || strings.Contains(errb.String(), "dial tcp") {
		t.Errorf("enroll stopped by Ctrl+C: %d %q %q", code, out.String(), errb.String())
	}
}

// seed refuses counts a clerk could not have meant (a negative or zero number of dossiers,
// no days to spread them over) in words, and makes nothing.
func TestSeedRefusesBadCounts(t *testing.T) {
	dir := initStore(t)
	for _, args := range [][]string{
		{"--dossiers", "-1"}, {"--dossiers", "0"}, {"--dossiers", "99999999"}, {"--days", "0"}, {"--days", "-3"},
	} {
		code, out, errs := runCmd(t, "", append([]string{"seed", "--data", dir}, args...)...)
		// A negative number is refused by the flag layer, before the store is opened.
		if code == 0 || !(strings.Contains(errs, "không tạo gì") || strings.Contains(errs, "không được là số âm")) || strings.Contains(out, "Đã tạo") {
			t.Fatalf("seed %v: rc %d, out %q, err %q", args, code, out, errs)
		}
	}
	code, out, _ := runCmd(t, "", "stats", "--data", dir, "--json")
	if code != 0 || !strings.Contains(out, `"dossiers": 0`) {
		t.Fatalf("stats after refused seeds: %d %s", code, out)
	}
}

// A refused init makes nothing: every input is checked before the folder is made, and a
// failure midway removes only what this init made, never what the folder held before.
func TestInitLeavesNoHalfMadeFolder(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "new", "data")
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"short\n", []string{"--unit-code", "000.00.06.H56", "--unit-name", "X"}, "8 ký tự"},
		{"matkhau-quan-tri\n", []string{"--unit-code", "abc", "--unit-name", "X"}, "Mã định danh đơn vị"},
		{"matkhau-quan-tri\n", []string{"--unit-code", "", "--unit-name", "X"}, "Vui lòng nhập mã định danh đơn vị"},
		{"matkhau-quan-tri\n", []string{"--unit-code", "000..06", "--unit-name", "X"}, "Mã định danh đơn vị"},
		{"matkhau-quan-tri\n", []string{"--unit-code", "000.00.06.H56", "--unit-name", ""}, "tên đơn vị"},
		{"matkhau-quan-tri\n", []string{"--unit-code", "000.00.06.H56", "--unit-name", "X", "--admin", "a b"}, ""},
		{"", []string{"--unit-code", "000.00.06.H56", "--unit-name", "X"}, "không đọc được mật khẩu"},
	} {
		code, out, errs := runCmd(t, c.stdin, append([]string{"init", "--data", dir}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) || strings.Contains(out, "Đã cài đặt") {
			t.Errorf("init %q: rc %d, out %q, err %q", c.args, code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(base, "new")); !os.IsNotExist(err) {
			t.Fatalf("init %q left %s behind: %v", c.args, filepath.Join(base, "new"), err)
		}
	}

	// An empty --data would make the store in the current folder.
	wd, _ := os.Getwd()
	if code, _, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", "", "--unit-code", "000.00.06.H56", "--unit-name", "X"); code != 2 || !strings.Contains(errs, "--data trống") {
		t.Errorf("init --data \"\": rc %d, err %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(wd, localdb.DBFile)); !os.IsNotExist(err) {
		t.Errorf("init --data \"\" made a store in %s", wd)
	}

	// A file named as the data folder: said in Vietnamese, the file untouched.
	file := filepath.Join(base, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{file, filepath.Join(file, "data")} {
		code, _, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", d, "--unit-code", "000.00.06.H56", "--unit-name", "X")
		if code == 0 || strings.Contains(errs, "open store") || !strings.Contains(errs, "thư mục") {
			t.Errorf("init --data %s: rc %d, err %q", d, code, errs)
		}
	}

	// A pre-existing folder whose device.key is damaged: the store fails after making
	// motcua.db and files/; those go, the folder's own files stay as they were.
	old := filepath.Join(base, "old")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"keep.txt": "giữ nguyên", localdb.KeyFile: "not a key"} {
		if err := os.WriteFile(filepath.Join(old, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := runCmd(t, "matkhau-quan-tri\n", "init", "--data", old, "--unit-code", "000.00.06.H56", "--unit-name", "X")
	if code == 0 || strings.Contains(errs, "open store") {
		t.Fatalf("init over a damaged key: rc %d, err %q", code, errs)
	}
	entries, err := os.ReadDir(old)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if strings.Join(names, ",") != localdb.KeyFile+",keep.txt" {
		t.Errorf("after a failed init the folder holds %v, want only what it held before", names)
	}
	if b, _ := os.ReadFile(filepath.Join(old, localdb.KeyFile)); string(b) != "not a key" {
		t.Errorf("the folder's own device.key was changed: %q", b)
	}
}

// Hints the layers below write with the bare name show the program as the clerk invoked it.
func TestLowerLayerHintsNameTheProgramAsInvoked(t *testing.T) {
	defer func(p string) { prog = p }(prog)
	prog = "./bin/motcua"
	for in, want := range map[string]string{
		"chạy «motcua verify» và khôi phục":                   "chạy «./bin/motcua verify» và khôi phục",
		"bị sửa. motcua verify --repair đưa":                  "bị sửa. ./bin/motcua verify --repair đưa",
		"(lệnh: motcua enroll --allow-http).":                 "(lệnh: ./bin/motcua enroll --allow-http).",
		"(chạy motcua init trước)":                            "(chạy ./bin/motcua init trước)",
		"hãy chạy motcua verify hoặc báo người quản trị":      "hãy chạy ./bin/motcua verify hoặc báo người quản trị",
		"chưa có dữ liệu motcua (chạy ./bin/motcua init hoặc": "chưa có dữ liệu motcua (chạy ./bin/motcua init hoặc",
		"phiên bản motcua này không đọc được":                 "phiên bản motcua này không đọc được",
		"thành phố: motcua-central bundle import x":           "thành phố: motcua-central bundle import x",
	} {
		if got := progHints(in); got != want {
			t.Errorf("progHints(%q) = %q, want %q", in, got, want)
		}
	}
	// As printed: the refusal of a plain-http city names the flag with the program as run.
	code, _, errs := runCmd(t, "", "enroll", "--data", initStore(t), "--server", "http://10.255.255.1:8787", "--code", "AAAA-BBBB-CCCC", "--name", "Quầy")
	if code == 0 || !strings.Contains(errs, "(lệnh: ./bin/motcua enroll --allow-http)") {
		t.Errorf("enroll over http: rc %d, err %q", code, errs)
	}
}
