package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// fetchingSyncer is the test's engineSyncer that also fetches files, as cmd/motcua's
// adapter does.
type fetchingSyncer struct{ *engineSyncer }

func (f fetchingSyncer) FetchFile(ctx context.Context, ref domain.FileRef, progress func(done, total int64)) error {
	err := f.e.FetchFile(ctx, ref, progress)
	var se *appsync.Error
	if errors.As(err, &se) {
		return &StaffError{Msg: se.Msg, Err: err}
	}
	return err
}

// pagePNG draws a scanned page: a white sheet with dark lines.
func pagePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 420, 594))
	for y := 0; y < 594; y++ {
		for x := 0; x < 420; x++ {
			c := color.RGBA{250, 250, 245, 255}
			if y > 60 && y%24 < 3 && x > 40 && x < 380 {
				c = color.RGBA{40, 40, 60, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// buttonsLabelled finds the visible buttons with a text.
func buttonsLabelled(o fyne.CanvasObject, text string) []*widget.Button {
	var out []*widget.Button
	walkObjects(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			out = append(out, b)
		}
	})
	return out
}

// A scan attached at another counter of the unit shows in the detail as missing with
// «Tải về»; the download follows with a bar, is verified and kept, and the scan opens. When
// the city fails, the clerk is told and can try again.
func TestDetailFetchesAScanFromTheCity(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	enroll := func(s *localdb.Store, slot int) {
		code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, slot)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := appsync.Enroll(ctx, s, ts.URL, code, "Quầy"); err != nil {
			t.Fatal(err)
		}
	}
	enroll(h.store, 1)

	// The counter at the entrance (slot 2) receives the dossier and scans the birth certificate.
	other, err := localdb.Open(ctx, t.TempDir(), localdb.Options{Now: h.clock.Now, LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	enroll(other, 2)
	page := pagePNG(t)
	ref, err := other.StoreFile(ctx, bytes.NewReader(page), "giay-chung-sinh.png")
	if err != nil {
		t.Fatal(err)
	}
	d, err := other.Receive(ctx, testClerk, domain.Intake{ProcedureCode: "1.001193",
		Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "031099012345", Birth: "1999-03-15", Sex: "Nam", Phone: "0912345678", Address: "Thôn Đông, An Hưng"},
		Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}}, Summary: "Đăng ký khai sinh cho con"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AttachFile(ctx, testClerk, d.ID, domain.FileAttachedPayload{File: ref, Document: "GCS", Digitized: true}); err != nil {
		t.Fatal(err)
	}
	if rep, err := appsync.New(other, appsync.Options{Logger: quiet}).SyncOnce(ctx); err != nil || rep.Uploaded != 1 {
		t.Fatalf("the other counter synced %+v %v", rep, err)
	}
	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.ui.opt.Sync = fetchingSyncer{&engineSyncer{e: eng, store: h.store}}

	h.ui.win.Resize(fyne.NewSize(1280, 800))
	h.signIn(testClerk)
	h.ui.openDossier(d.ID)
	h.settle()
	v := queueOf(t, h).detail
	if !v.loaded || v.d.ID != d.ID {
		t.Fatalf("detail shows %q", v.d.ID)
	}
	texts := strings.Join(visibleTexts(v.root), " | ")
	if !strings.Contains(texts, "giay-chung-sinh.png") || !strings.Contains(texts, "Chưa có trên máy này") {
		t.Fatalf("the missing scan is not shown: %s", texts)
	}
	btns := buttonsLabelled(v.root, "Tải về")
	if len(btns) != 1 {
		t.Fatalf("%d «Tải về» buttons", len(btns))
	}
	dir := os.Getenv("MOTCUA_DETAIL_PNG")
	if dir == "" {
		dir = t.TempDir()
	}
	save := func(name string) {
		v.infoBox.ScrollToBottom() // the documents' card
		img := h.ui.win.Canvas().Capture()
		if b := img.Bounds(); b.Dx() < 1000 || blank(img) {
			t.Fatalf("%s: capture %v", name, b)
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		png.Encode(f, img)
	}
	save("detail-scan-missing.png")
	views := len(buttonsLabelled(v.root, "Xem")) // the forms' previews

	// The city fails the first time: the clerk is told, the button comes back.
	srv.SetFaults(central.FaultConfig{Hook: func(r *http.Request) central.Fault {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/files/") {
			return central.FaultServerError
		}
		return central.FaultNone
	}})
	test.Tap(btns[0])
	h.settle()
	if !strings.Contains(v.banner.label.Text, "Không tải được tệp «giay-chung-sinh.png»") || !strings.Contains(v.banner.label.Text, "hãy bấm «Tải về» lại") ||
		btns[0].Disabled() {
		t.Fatalf("after a failed download: banner %q, button disabled %v", v.banner.label.Text, btns[0].Disabled())
	}
	if _, err := os.Stat(h.store.FilePath(ref.SHA256)); err == nil {
		t.Fatal("a failed download left the file in the store")
	}

	// Then it works: the file is kept, the detail shows the picture, and it opens.
	srv.SetFaults(central.FaultConfig{})
	test.Tap(btns[0])
	// The bar shows at once (its progress comes through the UI goroutine's queue).
	bars := 0
	walkObjects(v.root, func(o fyne.CanvasObject) {
		if _, ok := o.(*widget.ProgressBar); ok {
			bars++
		}
	})
	if bars != 1 || !btns[0].Disabled() {
		t.Fatalf("while downloading: %d bars, button disabled %v", bars, btns[0].Disabled())
	}
	save("detail-scan-downloading.png")
	h.settle()
	held, err := os.ReadFile(h.store.FilePath(ref.SHA256))
	if err != nil || !bytes.Equal(held, page) {
		t.Fatalf("the scan is not in the store: %v", err)
	}
	if !strings.Contains(v.banner.label.Text, "Đã tải tệp «giay-chung-sinh.png»") {
		t.Errorf("banner %q", v.banner.label.Text)
	}
	if len(buttonsLabelled(v.root, "Tải về")) != 0 || len(buttonsLabelled(v.root, "Xem")) != views+1 {
		t.Errorf("after the download: %d «Tải về», %d «Xem»", len(buttonsLabelled(v.root, "Tải về")), len(buttonsLabelled(v.root, "Xem")))
	}
	if top := h.ui.win.Canvas().Overlays().Top(); top == nil {
		t.Error("the scan did not open")
	}
	save("detail-scan-downloaded.png")
	h.ui.win.Canvas().Overlays().Top().Hide()
	h.settle()
	save("detail-scan-held.png")
}
