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

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// The city's bundle commands, run as the operator would, against an island workstation that
// enrolled once and then never connected.
func TestBundleCommands(t *testing.T) {
	ctx := context.Background()
	const unit = "000.00.06.H56"
	cdir := t.TempDir()
	srv, err := central.Open(ctx, central.Options{Dir: cdir, AdminToken: "admin-secret-0123456789", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	ws, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	code, _, err := srv.Central().IssueEnrollCode(ctx, unit, "Đặc khu Bạch Long Vĩ", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appsync.Enroll(ctx, ws, ts.URL, code, "Quầy 1"); err != nil {
		t.Fatal(err)
	}
	ts.Close()
	srv.Close() // the island is offline from here on

	clerk := domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	for range 2 {
		if _, err := ws.Receive(ctx, clerk, domain.Intake{ProcedureCode: "1.001193",
			Applicant: domain.Person{Name: "Trần Văn Biển", IDNumber: "031099012345", Birth: "15/03/1999", Sex: "Nam", Phone: "0912345678", Address: "Bạch Long Vĩ, Hải Phòng"},
			Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}}}); err != nil {
			t.Fatal(err)
		}
	}
	waiting, _ := ws.OutboxCount(ctx)
	dir := t.TempDir()
	up, back := filepath.Join(dir, "len-thanh-pho.motcua"), filepath.Join(dir, "ve-dao.motcua")
	if _, err := appsync.ExportBundle(ctx, ws, up, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Another unit's desk refuses it, changing nothing.
	var out strings.Builder
	err = run(ctx, []string{"bundle", "import", "--data", cdir, "--unit", "000.00.07.H56", up}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "Không nhận gói: gói của đơn vị "+unit) {
		t.Fatalf("another unit's import: %v", err)
	}
	if got := runCmd(t, "bundle", "import", "--data", cdir, "--unit", unit, up); !strings.Contains(got, "Đã nhập gói") || !strings.Contains(got, "mới") {
		t.Fatalf("import: %q", got)
	}
	if got := runCmd(t, "bundle", "import", "--data", cdir, up); !strings.Contains(got, "không thay đổi gì") {
		t.Fatalf("second import: %q", got)
	}
	if got := runCmd(t, "bundle", "export", "--data", cdir, "--unit", unit, "--device", ws.Config().DeviceID, "--to", back); !strings.Contains(got, "Đã lập gói trả về") {
		t.Fatalf("export: %q", got)
	}
	rep, err := appsync.ImportBundle(ctx, ws, back, nil, nil)
	if err != nil || rep.Acked != waiting {
		t.Fatalf("return import %+v %v (waiting %d)", rep, err, waiting)
	}
	if n, _ := ws.OutboxCount(ctx); n != 0 {
		t.Fatalf("%d events still waiting", n)
	}
	c, err := central.OpenCentral(ctx, central.Config{Dir: cdir})
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := c.Events(ctx)
	if len(evs) != waiting {
		t.Fatalf("city holds %d events, the island made %d", len(evs), waiting)
	}
	c.Close()

	// What the operator reads: plain Vietnamese, the raw cause in logs/motcua-central.log.
	fail := func(what, want string, args ...string) {
		t.Helper()
		var out strings.Builder
		err := run(ctx, append([]string{"bundle"}, args...), &out, io.Discard)
		if err == nil || err.Error() != want {
			t.Fatalf("%s: %v, want %q", what, err, want)
		}
	}
	raw, err := os.ReadFile(up)
	if err != nil {
		t.Fatal(err)
	}
	nl := bytes.IndexByte(raw, '\n')
	stanza := nl + 1 + bytes.Index(raw[nl+1:], []byte("-> ssh-ed25519 ")) + len("-> ssh-ed25519 ")
	const damaged = "Không nhận gói: tệp gói bị hỏng hoặc không đầy đủ (có thể chép chưa xong): hãy chép lại từ máy gửi."
	bad := filepath.Join(dir, "hong.motcua")
	for what, b := range map[string][]byte{
		"a byte of the key's stanza": flip(raw, stanza+1),
		"a byte of the stanza type":  flip(raw, stanza-4),
		"a byte of the payload":      flip(raw, len(raw)-30),
		"cut short":                  raw[:len(raw)*2/3],
		"cut in the header":          raw[:nl+40],
	} {
		os.WriteFile(bad, b, 0o600)
		fail(what, damaged, "import", "--data", cdir, bad)
	}
	// The return bundle brought to the city's desk by mistake.
	fail("a return bundle", "Không nhận gói: đây là gói trả về dành cho máy trạm "+ws.Config().DeviceID+" của đơn vị "+unit+", không phải gói máy trạm gửi lên thành phố.",
		"import", "--data", cdir, back)
	missing := filepath.Join(dir, "khong-co.motcua")
	fail("missing file", "Không nhận gói: không tìm thấy tệp gói «"+missing+"»: hãy kiểm tra lại tên tệp và thư mục (ổ USB đã cắm chưa?).", "import", "--data", cdir, missing)
	nowhere := filepath.Join(dir, "khong-co", "ve.motcua")
	fail("export into a folder that does not exist", "Không lập được gói trả về: thư mục «"+filepath.Dir(nowhere)+"» không tồn tại (ổ USB đã cắm chưa?): hãy chọn một thư mục có sẵn.",
		"export", "--data", cdir, "--unit", unit, "--device", ws.Config().DeviceID, "--to", nowhere)
	fail("export for a device the city does not know", "Không lập gói trả về: máy trạm khong-co chưa đăng ký với thành phố.",
		"export", "--data", cdir, "--unit", unit, "--device", "khong-co", "--to", filepath.Join(dir, "x.motcua"))
	logged, err := os.ReadFile(filepath.Join(cdir, "logs", LogFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, cause := range []string{"failed to decrypt and authenticate", "no such file or directory", "incorrect identity"} {
		if !strings.Contains(string(logged), cause) {
			t.Errorf("the log does not keep %q:\n%s", cause, logged)
		}
	}

	// -h: each subcommand's own flags, no "flag: help requested", not an error.
	help := func(sub string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"bundle", sub, "-h"}, &out, io.Discard); err != nil {
			t.Fatalf("bundle %s -h: %v", sub, err)
		}
		if strings.Contains(out.String(), "help requested") {
			t.Fatalf("bundle %s -h printed %q", sub, out.String())
		}
		return out.String()
	}
	if h := help("import"); !strings.Contains(h, "motcua-central bundle import --data") || !strings.Contains(h, "-unit") ||
		strings.Contains(h, "-device") || strings.Contains(h, "-to") {
		t.Fatalf("bundle import -h: %q", h)
	}
	if h := help("export"); !strings.Contains(h, "motcua-central bundle export --data") || !strings.Contains(h, "-device") || !strings.Contains(h, "-to") {
		t.Fatalf("bundle export -h: %q", h)
	}
}

func flip(b []byte, at int) []byte {
	b = append([]byte(nil), b...)
	b[at] ^= 0x04
	return b
}
