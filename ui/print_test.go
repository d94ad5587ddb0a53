package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/internal/printer"
)

// systemTools puts a folder holding only the given fake tools (lp, xdg-open) on PATH and
// wires the UI to the real system printer, so printing goes through the exec path it takes
// at a counter. Each tool appends "name args" to the returned log.
func systemTools(t *testing.T, h *harness, tools ...string) (log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	for _, name := range tools {
		script := "#!/bin/sh\nprintf '%s %s\\n' '" + name + "' \"$*\" >> '" + log + "'\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	h.ui.opt.Printer = printer.System()
	return log
}

func readCalls(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", " | "))
}

func setPrintCopies(t *testing.T, h *harness, n int) {
	t.Helper()
	cfg := h.store.Config()
	cfg.Receipt.PrintCopies = n
	if err := h.store.UpdateConfig(context.Background(), testAdmin, cfg); err != nil {
		t.Fatal(err)
	}
}

// "In" sends the control slip to the default printer with the copies from the settings;
// "Xem" opens it in the viewer and prints nothing (issue 15, item 2).
func TestPrintGoesToTheDefaultPrinterAndViewOpens(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	setPrintCopies(t, h, 2)
	log := systemTools(t, h, "lp", "xdg-open")
	h.signIn(testClerk)
	d := receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	_, v := openDetail(t, h, d.ID)
	test.Tap(v.printButtons["control"])
	h.settle()
	want := filepath.Join(h.store.Dir(), "printouts", strings.ReplaceAll(d.Code, ".", "_")+"-phieu-kiem-soat.pdf")
	if got := strings.Join(readCalls(t, log), " "); got != "lp -n 2 -- "+want {
		t.Fatalf("calls %q, want lp -n 2 -- %s", got, want)
	}
	if !strings.Contains(v.banner.label.Text, "Đã gửi 2 bản tới máy in") {
		t.Fatalf("banner %q", v.banner.label.Text)
	}
	_ = os.Remove(log)
	test.Tap(v.printButtons["control/view"])
	h.settle()
	if got := strings.Join(readCalls(t, log), " "); got != "xdg-open "+want {
		t.Fatalf("Xem: calls %q", got)
	}
}

// Without lp the PDF opens in the viewer; without either, the clerk is told in Vietnamese
// where the file is and can open its folder.
func TestPrintWithoutPrinterOrViewerSaysWhereTheFileIs(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	log := systemTools(t, h, "xdg-open")
	h.signIn(testClerk)
	d := receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	_, v := openDetail(t, h, d.ID)
	test.Tap(v.printButtons["mau01"])
	h.settle()
	if calls := readCalls(t, log); len(calls) != 2 || calls[0] != "xdg-open" || !strings.HasSuffix(calls[1], "mau01-tiep-nhan.pdf") {
		t.Fatalf("no lp: calls %q", calls)
	}
	if !strings.Contains(v.banner.label.Text, "trình xem PDF") {
		t.Fatalf("banner %q", v.banner.label.Text)
	}

	systemTools(t, h) // nothing installed
	test.Tap(v.printButtons["mau01"])
	h.settle()
	path := filepath.Join(h.store.Dir(), "printouts", strings.ReplaceAll(d.Code, ".", "_")+"-mau01-tiep-nhan.pdf")
	if !strings.Contains(v.banner.label.Text, path) || strings.Contains(v.banner.label.Text, "exec:") {
		t.Fatalf("banner %q does not name %s in plain words", v.banner.label.Text, path)
	}
	top := h.ui.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	var texts []string
	walkObjects(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *widget.Entry:
			texts = append(texts, x.Text)
		}
	})
	if !containsText(texts, path) || !containsText(texts, "chưa in được") {
		t.Fatalf("dialog shows %q", texts)
	}
	log = systemTools(t, h, "xdg-open")
	tapOverlayButton(t, h, "Mở thư mục")
	if calls := readCalls(t, log); len(calls) != 2 || calls[1] != filepath.Dir(path) {
		t.Fatalf("Mở thư mục: calls %q", calls)
	}
}
