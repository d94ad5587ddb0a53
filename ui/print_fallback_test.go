package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// notPrintedDialog checks the dialog on top names path and offers «Mở thư mục», then closes it.
func notPrintedDialog(t *testing.T, h *harness, what, path string) {
	t.Helper()
	top := h.ui.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("%s: no dialog", what)
	}
	var texts []string
	folder := false
	walkObjects(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *widget.Entry:
			texts = append(texts, x.Text)
		case *widget.Button:
			folder = folder || x.Text == "Mở thư mục"
		}
	})
	if !containsText(texts, path) || !folder {
		t.Fatalf("%s: dialog shows %q (Mở thư mục: %v), want %s", what, texts, folder, path)
	}
	tapOverlayButton(t, h, "Đóng")
}

// plainWords fails when a message claims what did not happen or shows the system's English.
func plainWords(t *testing.T, what, msg, path string) {
	t.Helper()
	if !strings.Contains(msg, path) {
		t.Errorf("%s: message %q does not name %s", what, msg, path)
	}
	for _, bad := range []string{"exec:", "xdg-open", "executable file", "Lỗi nội bộ", "Đã in ", "Đã mở bản in", "Đã gửi"} {
		if strings.Contains(msg, bad) {
			t.Errorf("%s: message %q says %q", what, msg, bad)
		}
	}
}

// On a PC with neither a print spooler nor a PDF viewer, every printout — the receipt after
// Enter, the declaration, the hand-off slip (issue 20) — and a scanned PDF opened from the
// dossier say in Vietnamese where the file is and offer «Mở thư mục»; none claims it was
// printed or opened (issue 15, item 2).
func TestEveryPrintoutSaysWhereWithoutPrinterOrViewer(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	systemTools(t, h) // nothing installed
	printouts := filepath.Join(h.store.Dir(), "printouts")

	// The receipt, on Enter.
	s := intakeOf(t, h)
	fillBirthIntake(t, h, s)
	s.phone.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.lastReceipt == "" || filepath.Dir(s.lastReceipt) != printouts {
		t.Fatalf("receipt not written: %q; banner %q", s.lastReceipt, s.banner.label.Text)
	}
	plainWords(t, "receipt", s.banner.label.Text, s.lastReceipt)
	notPrintedDialog(t, h, "receipt", s.lastReceipt)

	// The declaration on Hỗ trợ viết.
	a := assistOf(t, h)
	h.ui.showScreen(a)
	pickAssist(t, h, a, "khai sinh")
	scanInto(h, a.idNumber, qrReal)
	for key, v := range birthAnswers {
		assistAnswer(t, a, key, v)
	}
	test.Tap(a.print)
	h.settle()
	if a.lastPrinted == "" {
		t.Fatalf("declaration not written; banner %q", a.banner.label.Text)
	}
	plainWords(t, "declaration", a.banner.label.Text, a.lastPrinted)
	notPrintedDialog(t, h, "declaration", a.lastPrinted)

	// The hand-off slip.
	a, e := handOffBirth(t, h)
	a.numberDialog.Hide()
	a.printHandoffSlip(e)
	h.settle()
	slips, _ := filepath.Glob(filepath.Join(printouts, "*phieu-chuyen-quay.pdf"))
	if len(slips) != 1 {
		t.Fatalf("slip not written: %v; banner %q", slips, a.banner.label.Text)
	}
	plainWords(t, "hand-off slip", a.banner.label.Text, slips[0])
	notPrintedDialog(t, h, "hand-off slip", slips[0])

	// A scanned PDF attached to the dossier, opened with «Xem».
	d := receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	_, v := openDetail(t, h, d.ID)
	pdf := filepath.Join(t.TempDir(), "ban-sao.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v.attach(v.d.Documents[0].Code, []fyne.URI{storage.NewFileURI(pdf)}, nil)
	h.settle()
	got := getDossier(t, h, d.ID)
	if len(got.Documents[0].Files) != 1 {
		t.Fatalf("PDF not attached; banner %q", v.banner.label.Text)
	}
	f := got.Documents[0].Files[0]
	v.preview(f)
	h.settle()
	copyPath := filepath.Join(printouts, "xem-"+f.SHA256[:12]+".pdf")
	plainWords(t, "scan", v.banner.label.Text, copyPath)
	notPrintedDialog(t, h, "scan", copyPath)
}
