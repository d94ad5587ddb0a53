package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/sync/api"
	"motcua/sync/central"
)

// A USB bundle from the city refreshes an open dossier and the queue like a pull does,
// through the same OnPulled hook (the import feeds Engine.TellApplied): an island counter
// sees the city's forward without reopening the dossier.
func TestOpenScreensFollowABundleImport(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, testUnit.Slot)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	if _, err := appsync.Enroll(ctx, h.store, ts.URL, code, "Quầy 1 Bạch Long Vĩ"); err != nil {
		t.Fatal(err)
	}
	ts.Close() // the island: no network from here on
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")

	// The dossier reaches the city by bundle; the city forwards it and returns a bundle.
	usb := t.TempDir()
	up := filepath.Join(usb, "len.motcua")
	if _, err := appsync.ExportBundle(ctx, h.store, up, nil, quiet); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(up)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Central().ImportBundle(ctx, f, central.BundleOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, _, err := srv.Central().Record(ctx, api.AdminEventRequest{DossierID: d.ID, Type: "dossier.forwarded",
		Payload: json.RawMessage(`{"agency":"Công chức Tư pháp - Hộ tịch"}`), Actor: "tp.hotich"}); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(usb, "tra-ve.motcua")
	if _, err := srv.Central().ExportBundle(ctx, testUnit.UnitCode, h.store.Config().DeviceID, back, nil); err != nil {
		t.Fatal(err)
	}

	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	h.ui.opt.Sync = bundleSyncer{&engineSyncer{e: eng, store: h.store}}
	h.ui.followSync()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	q := queueOf(t, h)
	h.ui.openDossier(d.ID)
	h.settle()
	v := q.detail
	if v.d.Status != domain.StatusAccepted {
		t.Fatalf("before the bundle: %v", v.d.Status)
	}
	gen := q.gen

	// The clerk imports the bundle from Cài đặt → Đồng bộ; the dossier stays open behind.
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := findSyncPanel(t, s).bundles
	p.choose = func(save bool, name string, then func(string)) { then(back) }
	test.Tap(p.load)
	h.settle()
	if !strings.Contains(p.msg.Text, "Đã nhập gói của thành phố") {
		t.Fatalf("after import: %q", p.msg.Text)
	}
	if v.d.Status != domain.StatusProcessing || !strings.Contains(v.banner.label.Text, "vừa được cập nhật") {
		t.Fatalf("the open dossier did not follow the bundle: %v, banner %q", v.d.Status, v.banner.label.Text)
	}
	if q.gen == gen {
		t.Fatal("the queue did not reload after the bundle")
	}
	h.ui.showScreen(q)
	h.settle()
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shoot(t, h, dir, "follow-bundle-detail.png")
}
