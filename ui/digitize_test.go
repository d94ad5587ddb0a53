package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"motcua/domain"
)

// scanFile writes a small real PNG (a "scanned page") and returns its URI.
func scanFile(t *testing.T, name string, shade uint8) fyne.URI {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 60))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.SetGray(3, 3, color.Gray{Y: 0})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return storage.NewFileURI(path)
}

func TestDigitizeComponentsAndEResult(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	_, v := openDetail(t, h, d.ID)
	codes := []string{}
	for _, doc := range v.d.Documents {
		codes = append(codes, doc.Code)
	}
	if len(codes) < 2 || v.attachButtons[codes[0]] == nil || v.attachButtons[resultTarget] == nil {
		t.Fatalf("no attach buttons: %v", v.attachButtons)
	}
	page := scanFile(t, "trang-1.png", 200)
	v.attach(codes[0], []fyne.URI{page}, nil)
	h.settle()
	got := getDossier(t, h, d.ID)
	if !got.Documents[0].Digitized || len(got.Documents[0].Files) != 1 || got.Documents[0].Files[0].Mime != "image/png" {
		t.Fatalf("component not digitized: %+v", got.Documents[0])
	}
	// The same scan attached to a second component is stored once.
	v.attach(codes[1], []fyne.URI{page}, nil)
	h.settle()
	stored, _ := filepath.Glob(filepath.Join(h.store.Dir(), "files", "*", "*"))
	if len(stored) != 1 {
		t.Fatalf("stored files: %d", len(stored))
	}
	// A file that is not a scan is refused with a message; nothing recorded.
	bad := filepath.Join(t.TempDir(), "virus.pdf")
	os.WriteFile(bad, []byte("MZ this is not a PDF"), 0o600)
	before := len(getDossier(t, h, d.ID).Documents[0].Files)
	v.attach(codes[0], []fyne.URI{storage.NewFileURI(bad)}, nil)
	h.settle()
	if !strings.Contains(v.banner.label.Text, "PDF, JPEG hay PNG") || len(getDossier(t, h, d.ID).Documents[0].Files) != before {
		t.Fatalf("bad file: banner %q", v.banner.label.Text)
	}
	// Dropped files: the clerk picks the component (here: the electronic result).
	h.ui.win.Canvas() // the window exists
	v.onDropped([]fyne.URI{scanFile(t, "ket-qua.png", 90)})
	if v.dropChoice == nil {
		t.Fatal("no component chooser after a drop")
	}
	v.dropChoice.SetSelectedIndex(len(v.dropChoice.Options) - 1)
	v.attach(resultTarget, []fyne.URI{scanFile(t, "ket-qua.png", 90)}, nil)
	h.settle()
	got = getDossier(t, h, d.ID)
	if !got.EResult || len(got.Results) != 1 {
		t.Fatalf("e-result not attached: %+v", got.Results)
	}
	if share := got.DigitizedShare(); share <= 0 || share > 1 {
		t.Fatalf("digitized share %v", share)
	}
	texts := visibleTexts(v.root)
	if !containsText(texts, "Đã số hóa 2/") || !containsText(texts, "Kết quả điện tử: đã có") {
		t.Errorf("detail does not show the digitization: %v", texts)
	}
	// Files wait for upload.
	st, _ := h.store.Stats(context.Background())
	if st.FilesWaiting != 2 {
		t.Errorf("files waiting %d", st.FilesWaiting)
	}
	// A helper cannot attach.
	_ = domain.RoleHelper
}
