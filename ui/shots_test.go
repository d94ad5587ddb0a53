package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain/citizen"
	"motcua/localdb"
)

// TestScreens renders every main screen with demo data and checks each picture is a full
// window with content. With MOTCUA_SHOTS_DIR set (make screenshots), the PNGs are kept
// there for the README.
func TestScreens(t *testing.T) {
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	if _, err := h.store.Seed(context.Background(), localdb.SeedOptions{Dossiers: 300, Days: 45}); err != nil {
		t.Fatal(err)
	}
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.ui.Start()
	h.settle()
	shoot(t, h, dir, "01-dang-nhap.png")
	h.signIn(testAdmin)
	s := intakeOf(t, h)
	pick(t, h, s, "chung thuc ban sao")
	test.Type(s.idNumber, "031186012345||Phạm Thị Hồng Nhung|02051986|Nữ|Số 8 Trần Phú, phường Lê Chân, Hải Phòng|01022022")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Type(s.phone, "0904 123 456")
	s.copies.SetText("3")
	s.pages.SetText("5")
	for i := range s.docChecks {
		if !s.proc.Documents[i].Optional {
			test.Tap(s.docChecks[i])
		}
	}
	shoot(t, h, dir, "02-tiep-nhan.png")
	a := assistOf(t, h) // Hỗ trợ viết: a birth declaration from a scanned ID card, then a procedure where it is not allowed
	pickAssist(t, h, a, "khai sinh")
	scanInto(h, a.picker.entry, qrReal)
	for _, kv := range [][2]string{{"relationship", "Cha"}, {"child_name", "Nguyễn Minh Khôi"}, {"child_birth", "10/03/2026"}, {"child_ethnicity", "Kinh"}} {
		assistAnswer(t, a, kv[0], kv[1])
	}
	shoot(t, h, dir, "03-ho-tro-viet.png")
	pickAssist(t, h, a, "2.000884")
	shoot(t, h, dir, "04-ho-tro-viet-khong-dien-ho.png")
	for _, sc := range h.ui.screens {
		if sc == screen(s) {
			continue
		}
		h.ui.showScreen(sc)
		h.settle()
		shoot(t, h, dir, "screen-"+sanitize(sc.title())+".png")
	}
	shootDossierScreens(t, h, dir)
	shootSupervisorScreens(t, h, dir)
}

func shoot(t *testing.T, h *harness, dir, name string) {
	t.Helper()
	capture := h.ui.win.Canvas()
	relayout(capture.Content())
	for _, o := range capture.Overlays().List() {
		relayout(o)
	}
	img := capture.Capture()
	b := img.Bounds()
	if b.Dx() < 1000 || b.Dy() < 600 || blank(img) {
		t.Fatalf("%s: capture %v is empty", name, b)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// relayout lays every container and widget out again at its size, top down, as the real
// driver does before each frame for whatever changed its minimum size (the test canvas
// never does: a picture taken right after a card grew would show it over the next one).
func relayout(o fyne.CanvasObject) {
	switch x := o.(type) {
	case *fyne.Container:
		if x.Layout != nil {
			x.Layout.Layout(x.Objects, x.Size())
		}
		for _, c := range x.Objects {
			relayout(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		r.Layout(x.Size())
		for _, c := range r.Objects() {
			relayout(c)
		}
	}
}

// blank reports whether an image is one colour.
func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, _ := first.RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				return false
			}
		}
	}
	return true
}

// sanitize makes a file name of a tab title: ASCII, lower case, dashes.
func sanitize(s string) string {
	out := []rune{}
	for _, r := range citizen.Fold(s) {
		if r == ' ' || r == '/' {
			r = '-'
		}
		out = append(out, r)
	}
	return string(out)
}

// Counter PCs often have 1366×768 screens (728 pixels high above the Windows taskbar) or
// old 1280×1024 monitors: no screen may need a wider or taller window than that.
func TestWindowFitsSmallScreens(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	if _, err := h.store.Seed(context.Background(), localdb.SeedOptions{Dossiers: 50, Days: 45}); err != nil {
		t.Fatal(err)
	}
	h.signIn(testAdmin)
	for _, sc := range h.ui.screens {
		h.ui.showScreen(sc)
		h.settle()
		if m := h.ui.win.Content().MinSize(); m.Width > 1280 || m.Height > 728 {
			t.Errorf("screen %s needs a window of at least %.0f×%.0f", sc.title(), m.Width, m.Height)
		}
	}
}
