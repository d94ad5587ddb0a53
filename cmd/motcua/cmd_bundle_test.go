package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// motcua bundle export/import as a clerk runs them on an island workstation.
func TestBundleCommands(t *testing.T) {
	ctx := context.Background()
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	dir := initStore(t) // slot 2 of 000.00.06.H56
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm Phục vụ hành chính công xã An Hưng", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appsync.Enroll(ctx, s, ts.URL, code, "Quầy 2"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ts.Close() // offline from here on
	if rc, _, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "3"); rc != 0 {
		t.Fatal(errs)
	}
	usb := t.TempDir()
	up := filepath.Join(usb, "gui-thanh-pho.motcua")
	rc, out, errs := runCmd(t, "", "bundle", "export", "--data", dir, "--to", up)
	if rc != 0 || !strings.Contains(out, "Đã xuất gói gửi thành phố") {
		t.Fatalf("export: %d %q %q", rc, out, errs)
	}
	f, err := os.Open(up)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := srv.Central().ImportBundle(ctx, f, central.BundleOptions{})
	f.Close()
	if err != nil || rep.Accepted == 0 {
		t.Fatalf("city import %+v %v", rep, err)
	}
	s, err = localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dev := s.Config().DeviceID
	s.Close()
	back := filepath.Join(usb, "ve-xa.motcua")
	if _, err := srv.Central().ExportBundle(ctx, "000.00.06.H56", dev, back, nil); err != nil {
		t.Fatal(err)
	}
	rc, out, errs = runCmd(t, "", "bundle", "import", "--data", dir, back)
	if rc != 0 || !strings.Contains(out, "Đã nhập gói của thành phố") {
		t.Fatalf("import: %d %q %q", rc, out, errs)
	}
	rc, out, _ = runCmd(t, "", "bundle", "import", "--data", dir, back)
	if rc != 0 || !strings.Contains(out, "không thay đổi gì") {
		t.Fatalf("second import: %d %q", rc, out)
	}
	// An up bundle is refused on a workstation, with the reason.
	rc, _, errs = runCmd(t, "", "bundle", "import", "--data", dir, up)
	if rc == 0 || !strings.Contains(errs, "không phải gói thành phố trả về") {
		t.Fatalf("up bundle imported on a workstation: %d %q", rc, errs)
	}

	// What the clerk reads when the file is damaged, cut short, missing, or the folder to
	// export into does not exist: plain Vietnamese; the raw cause goes to logs/motcua.log.
	raw, err := os.ReadFile(back)
	if err != nil {
		t.Fatal(err)
	}
	nl := bytes.IndexByte(raw, '\n')
	stanza := nl + 1 + bytes.Index(raw[nl+1:], []byte("-> ssh-ed25519 ")) + len("-> ssh-ed25519 ")
	flipped := append([]byte(nil), raw...)
	flipped[stanza+2] ^= 0x04
	damaged := filepath.Join(usb, "hong.motcua")
	const msgDamaged = "motcua: Không nhập: tệp gói bị hỏng hoặc không đầy đủ (có thể chép chưa xong): hãy chép lại từ máy gửi. Không có gì thay đổi trên máy này.\n"
	for what, b := range map[string][]byte{
		"a byte of the encryption header": flipped,
		"cut at half":                     raw[:len(raw)/2],
		"cut in the encryption header":    raw[:nl+50],
		"empty":                           nil,
	} {
		os.WriteFile(damaged, b, 0o600)
		rc, out, errs = runCmd(t, "", "bundle", "import", "--data", dir, damaged)
		if rc != 1 || errs != msgDamaged || out != "" {
			t.Fatalf("%s: %d %q %q", what, rc, out, errs)
		}
	}
	missing := filepath.Join(usb, "khong-co.motcua")
	rc, _, errs = runCmd(t, "", "bundle", "import", "--data", dir, missing)
	if rc != 1 || errs != "motcua: Không nhập: không tìm thấy tệp gói «"+missing+"»: hãy kiểm tra lại tên tệp và thư mục (ổ USB đã cắm chưa?).\n" {
		t.Fatalf("missing file: %d %q", rc, errs)
	}
	nowhere := filepath.Join(usb, "khong-co", "goi.motcua")
	rc, _, errs = runCmd(t, "", "bundle", "export", "--data", dir, "--to", nowhere)
	if rc != 1 || errs != "motcua: Không xuất được gói: thư mục «"+filepath.Dir(nowhere)+"» không tồn tại (ổ USB đã cắm chưa?): hãy chọn một thư mục có sẵn.\n" {
		t.Fatalf("export into a folder that does not exist: %d %q", rc, errs)
	}
	logged, err := os.ReadFile(filepath.Join(dir, "logs", "motcua.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cause := range []string{"no such file or directory", "incorrect identity", "failed to decrypt and authenticate", "cmd=\"bundle import\"", "cmd=\"bundle export\""} {
		if !strings.Contains(string(logged), cause) {
			t.Errorf("the log does not keep %q:\n%s", cause, logged)
		}
	}

	// -h shows each subcommand's own flags and is not an error.
	rc, errs, _ = runCmd(t, "", "bundle", "import", "-h")
	if rc != 0 || !strings.Contains(errs, "motcua bundle import --data") || strings.Contains(errs, "-to") || strings.Contains(errs, "help requested") {
		t.Fatalf("bundle import -h: %d %q", rc, errs)
	}
	rc, errs, _ = runCmd(t, "", "bundle", "export", "-h")
	if rc != 0 || !strings.Contains(errs, "-to") || strings.Contains(errs, "help requested") {
		t.Fatalf("bundle export -h: %d %q", rc, errs)
	}
}
