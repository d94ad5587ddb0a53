package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
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
	defer c.Close()
	evs, _ := c.Events(ctx)
	if len(evs) != waiting {
		t.Fatalf("city holds %d events, the island made %d", len(evs), waiting)
	}
}
