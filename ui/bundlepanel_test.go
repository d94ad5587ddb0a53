package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// bundleSyncer is engineSyncer that also carries USB bundles (cmd/motcua's adapter does the
// same through the same appsync functions).
type bundleSyncer struct{ *engineSyncer }

func (b bundleSyncer) ExportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ExportBundle(ctx, b.store, path, func(done, total int64) {
		if total > 0 {
			progress(float64(done) / float64(total))
		}
	}, nil)
	return rep.Message(), clerkErr(err)
}

func (b bundleSyncer) ImportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ImportBundle(ctx, b.store, path, func(done, total int64) {
		if total > 0 {
			progress(float64(done) / float64(total))
		}
	}, nil)
	b.e.TellApplied(rep.Applied) // as cmd/motcua's adapter: open screens follow the import
	return rep.Message(), clerkErr(err)
}

// OnPulled: the engine's hook, which the bundle import above feeds too.
func (b bundleSyncer) OnPulled(f func([]string, bool)) {
	b.e.OnPulled(func(x appsync.Pulled) { f(x.Dossiers, x.Others) })
}

// clerkErr is what cmd/motcua's adapter does: the engine's message as a domain error.
func clerkErr(err error) error {
	var se *appsync.Error
	if errors.As(err, &se) {
		return &domain.RuleError{Code: "bundle", Kind: domain.ErrInvalid, Msg: se.Msg}
	}
	return err
}

// An island workstation exports its bundle from Cài đặt → Đồng bộ, the real city imports it
// and returns one, and the clerk imports that from the same panel.
func TestBundleButtonsInTheSyncPanel(t *testing.T) {
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
	receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	waiting, _ := h.store.OutboxCount(ctx)

	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	h.ui.opt.Sync = bundleSyncer{&engineSyncer{e: eng, store: h.store}}
	h.signIn(testClerk)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := findSyncPanel(t, s).bundles
	if p == nil {
		t.Fatal("no bundle buttons in the sync panel")
	}
	usb := t.TempDir()
	var asked []string
	next := ""
	p.choose = func(save bool, name string, then func(string)) {
		asked = append(asked, name)
		if save {
			next = filepath.Join(usb, name)
		}
		then(next)
	}

	test.Tap(p.export)
	h.settle()
	if len(asked) != 1 || !strings.HasSuffix(asked[0], ".motcua") || !strings.Contains(asked[0], "0000006H56-may1") {
		t.Fatalf("file name offered: %q", asked)
	}
	if p.msg.Hidden || !strings.Contains(p.msg.Text, "Đã xuất gói gửi thành phố") || !p.bar.Hidden || p.export.Disabled() {
		t.Fatalf("after export: %q (bar hidden %v)", p.msg.Text, p.bar.Hidden)
	}
	up := next
	f, err := os.Open(up)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := srv.Central().ImportBundle(ctx, f, central.BundleOptions{})
	f.Close()
	if err != nil || rep.Accepted != waiting {
		t.Fatalf("city import %+v %v", rep, err)
	}
	next = filepath.Join(usb, "tra-ve.motcua")
	if _, err := srv.Central().ExportBundle(ctx, testUnit.UnitCode, h.store.Config().DeviceID, next, nil); err != nil {
		t.Fatal(err)
	}
	test.Tap(p.load)
	h.settle()
	if !strings.Contains(p.msg.Text, "Đã nhập gói của thành phố") {
		t.Fatalf("after import: %q", p.msg.Text)
	}
	if n, _ := h.store.OutboxCount(ctx); n != 0 {
		t.Fatalf("%d events still waiting after the return bundle", n)
	}
	// The up bundle is not for a workstation: the panel says why.
	next = up
	test.Tap(p.load)
	h.settle()
	if !strings.HasPrefix(p.msg.Text, "Không nhập:") || !strings.Contains(p.msg.Text, "không phải gói thành phố trả về") {
		t.Fatalf("up bundle on the workstation: %q", p.msg.Text)
	}

	// The island's real state for the picture: the city unreachable, nothing waiting.
	eng.SyncOnce(ctx)
	findSyncPanel(t, s).refresh()
	dir := os.Getenv("MOTCUA_SYNCPANEL_PNG")
	if dir == "" {
		dir = t.TempDir()
	}
	w := test.NewWindow(findSyncPanel(t, s).card)
	w.Resize(fyne.NewSize(1000, 620))
	img := w.Canvas().Capture()
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
		t.Fatalf("capture %v", b)
	}
	out, err := os.Create(filepath.Join(dir, "syncpanel-bundles.png"))
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(out, img)
	out.Close()

	// A damaged file, cut short by a copy that did not finish, and a folder that does not
	// exist: the panel says so in the words the commands use, no library error text.
	raw, err := os.ReadFile(filepath.Join(usb, "tra-ve.motcua"))
	if err != nil {
		t.Fatal(err)
	}
	next = filepath.Join(usb, "chep-do.motcua")
	os.WriteFile(next, raw[:len(raw)/2], 0o600)
	test.Tap(p.load)
	h.settle()
	if want := "Không nhập: tệp gói bị hỏng hoặc không đầy đủ (có thể chép chưa xong): hãy chép lại từ máy gửi. Không có gì thay đổi trên máy này."; p.msg.Text != want {
		t.Fatalf("damaged bundle: %q, want %q", p.msg.Text, want)
	}
	gone := filepath.Join(usb, "o-usb-da-rut")
	p.choose = func(save bool, name string, then func(string)) { then(filepath.Join(gone, name)) }
	test.Tap(p.export)
	h.settle()
	if want := "Không xuất được gói: thư mục «" + gone + "» không tồn tại (ổ USB đã cắm chưa?): hãy chọn một thư mục có sẵn."; p.msg.Text != want || p.export.Disabled() {
		t.Fatalf("export into a folder that does not exist: %q, want %q", p.msg.Text, want)
	}
}

// The progress bar shows while a bundle is written, at what the writer has done, and the
// buttons wait; captured as syncpanel-bundle-progress.png with MOTCUA_SYNCPANEL_PNG=DIR.
func TestBundleProgressBar(t *testing.T) {
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
	ts.Close()
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	// A scanned page of noise: a PNG of some size, so the scan is most of the bundle.
	img := image.NewGray(image.Rect(0, 0, 500, 500))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rnd.IntN(256))
	}
	var page bytes.Buffer
	png.Encode(&page, img)
	ref, err := h.store.StoreFile(ctx, &page, "giay-khai-sinh.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.AttachFile(ctx, testClerk, d.ID, domain.FileAttachedPayload{File: ref, Document: d.Documents[0].Code}); err != nil {
		t.Fatal(err)
	}

	// The writer stops at its first step (the events written, the scan not yet) until the
	// test has looked.
	reached, release := make(chan float64, 1), make(chan struct{})
	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	h.ui.opt.Sync = gatedBundles{bundleSyncer{&engineSyncer{e: eng, store: h.store}}, reached, release}
	h.signIn(testClerk)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	eng.SyncOnce(ctx) // the island's real state: the city unreachable, the work waiting
	findSyncPanel(t, s).refresh()
	p := findSyncPanel(t, s).bundles
	usb := t.TempDir()
	p.choose = func(save bool, name string, then func(string)) { then(filepath.Join(usb, name)) }
	test.Tap(p.export)
	var at float64
	select {
	case at = <-reached:
	case <-time.After(2 * time.Minute):
		t.Fatal("the export never reported progress")
	}
	// Run what the export handed to the UI so far (the bar's value), without waiting for it.
	h.mu.Lock()
	q := h.queue
	h.queue = nil
	h.mu.Unlock()
	for _, f := range q {
		f()
	}
	if p.bar.Hidden || p.bar.Value != at || at <= 0 || at >= 1 || !p.export.Disabled() || !p.load.Disabled() {
		t.Errorf("while writing: bar hidden %v at %v (writer at %v), buttons disabled %v %v", p.bar.Hidden, p.bar.Value, at, p.export.Disabled(), p.load.Disabled())
	}
	if dir := os.Getenv("MOTCUA_SYNCPANEL_PNG"); dir != "" {
		w := test.NewWindow(findSyncPanel(t, s).card)
		w.Resize(fyne.NewSize(1000, 620))
		out, err := os.Create(filepath.Join(dir, "syncpanel-bundle-progress.png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(out, w.Canvas().Capture())
		out.Close()
	}
	close(release)
	h.settle()
	if !p.bar.Hidden || p.export.Disabled() || !strings.Contains(p.msg.Text, "1 tệp chưa gửi") {
		t.Fatalf("after export: %q (bar hidden %v)", p.msg.Text, p.bar.Hidden)
	}
}

// gatedBundles holds an export at its first step of progress until released.
type gatedBundles struct {
	bundleSyncer
	reached chan float64
	release chan struct{}
}

func (g gatedBundles) ExportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	first := true
	return g.bundleSyncer.ExportBundle(ctx, path, func(f float64) {
		progress(f)
		if first && f < 1 {
			first = false
			g.reached <- f
			<-g.release
		}
	})
}
