package main

import (
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
}
