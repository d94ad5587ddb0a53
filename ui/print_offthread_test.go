package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/internal/printer"
)

// blockingLp puts an `lp` on PATH that records its call and waits until release is called:
// a printer spooler that takes its time.
func blockingLp(t *testing.T, h *harness) (log string, release func()) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	gate := filepath.Join(dir, "release")
	script := "#!/bin/sh\nprintf 'lp %s\\n' \"$*\" >> '" + log + "'\nwhile [ ! -e '" + gate + "' ]; do /bin/sleep 0.05; done\n"
	if err := os.WriteFile(filepath.Join(dir, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	h.ui.opt.Printer = printer.System()
	release = func() {
		if err := os.WriteFile(gate, nil, 0o600); err != nil && !os.IsExist(err) {
			t.Error(err)
		}
	}
	t.Cleanup(release) // before the harness waits for its jobs (cleanups run last first)
	return log, release
}

// callLines is the tools' log, a call a line.
func callLines(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// waitCalls polls the tools' log until it has n calls, with a generous deadline: the UI
// goroutine (the test's) does nothing meanwhile, so only work off it can get there.
func waitCalls(t *testing.T, log string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		calls := callLines(t, log)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls of the printer, want %d, without the UI goroutine doing anything: printing waits for it", len(calls), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// «In» of the declaration hands the PDF to the printer off the UI goroutine (lp may take
// seconds); «In» stays disabled meanwhile, so a second click prints nothing more; the
// result comes back to the banner.
func TestDeclarationPrintsOffTheUIGoroutine(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	log, release := blockingLp(t, h)
	a := assistOf(t, h)
	h.ui.showScreen(a)
	pickAssist(t, h, a, "khai sinh")
	scanInto(h, a.idNumber, qrReal)
	for key, v := range birthAnswers {
		assistAnswer(t, a, key, v)
	}
	test.Tap(a.print)
	waitCalls(t, log, 1) // the spooler is busy, the window is not
	if !a.print.Disabled() {
		t.Error("«In» is enabled while printing")
	}
	test.Tap(a.print) // a double click
	a.onPrint()
	test.Type(a.phone, "0") // typing meanwhile does not bring «In» back
	if !a.print.Disabled() {
		t.Error("«In» came back while printing")
	}
	shot(t, h, "declaration-printing.png")
	release()
	h.settle()
	if calls := callLines(t, log); len(calls) != 1 {
		t.Errorf("printed %d times: %q", len(calls), calls)
	}
	if a.print.Disabled() || a.lastPrinted == "" || !strings.Contains(a.banner.label.Text, "Đã gửi 1 bản tới máy in") {
		t.Errorf("after printing: «In» disabled %v, file %q, banner %q", a.print.Disabled(), a.lastPrinted, a.banner.label.Text)
	}
	shot(t, h, "declaration-printed.png")
}

// Save on Tiếp nhận prints the receipt off the UI goroutine too; «Lưu» stays disabled until
// it is done, and the banner says it was sent.
func TestReceiptPrintsOffTheUIGoroutine(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	log, release := blockingLp(t, h)
	s := intakeOf(t, h)
	fillBirthIntake(t, h, s)
	s.phone.TypedKey(&fyneKeyReturn)
	waitCalls(t, log, 1)
	if !s.save.Disabled() {
		t.Error("«Lưu» is enabled while the receipt prints")
	}
	s.phone.TypedKey(&fyneKeyReturn) // Enter again
	release()
	h.settle()
	if calls := callLines(t, log); len(calls) != 1 {
		t.Errorf("printed %d times: %q", len(calls), calls)
	}
	if s.lastReceipt == "" || !strings.Contains(s.banner.label.Text, "Đã tiếp nhận hồ sơ") || !strings.Contains(s.banner.label.Text, "Đã gửi 1 bản tới máy in") {
		t.Errorf("receipt %q, banner %q", s.lastReceipt, s.banner.label.Text)
	}
	shot(t, h, "intake-receipt-printed.png")
}

// The dossier's print buttons wait while one form is with the printer: a double click on
// «In phiếu kiểm soát» prints it once, and the buttons come back when it is done.
func TestDetailPrintButtonsWaitForThePrinter(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	d := receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	log, release := blockingLp(t, h)
	_, v := openDetail(t, h, d.ID)
	test.Tap(v.printButtons["control"])
	waitCalls(t, log, 1)
	for key, b := range v.printButtons {
		if !b.Disabled() {
			t.Errorf("«%s» enabled while printing", key)
		}
	}
	test.Tap(v.printButtons["control"]) // the second click of a double click
	test.Tap(v.printButtons["mau01"])
	shot(t, h, "detail-printing.png")
	release()
	h.settle()
	if calls := callLines(t, log); len(calls) != 1 {
		t.Errorf("printed %d times: %q", len(calls), calls)
	}
	for key, b := range v.printButtons {
		if b.Disabled() {
			t.Errorf("«%s» still disabled after printing", key)
		}
	}
	if !strings.Contains(v.banner.label.Text, "Đã gửi 1 bản tới máy in") {
		t.Errorf("banner %q", v.banner.label.Text)
	}
}
