package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain"
)

// The messages after an action and after a hand-over say what became of the form: sent to
// the printer with N copies, opened in the viewer, or saved at a path with «Mở thư mục» —
// never "đã mở để in" when it went straight to the printer.
func TestPrintMessagesSayWhatHappened(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	setPrintCopies(t, h, 2)
	d := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	other := readyFor(t, h, "Trần Văn Hùng", "031190054321")
	refused := receiveFor(t, h, testClerk, "Trần Văn Bình", "031090012345")
	h.signIn(testClerk)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	stale := func(what, msg string) {
		t.Helper()
		if strings.Contains(msg, "đã mở để in") {
			t.Errorf("%s still says «đã mở để in»: %q", what, msg)
		}
	}

	// A default printer: the return slip goes to it, two copies, and the message says so.
	log := systemTools(t, h, "lp", "xdg-open")
	s := handOverOf(t, h)
	s.code.SetText(d.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Tap(s.save)
	h.settle()
	msg := s.banner.label.Text
	if !strings.Contains(msg, "Đã gửi 2 bản tới máy in") || !strings.Contains(msg, d.Code) {
		t.Fatalf("hand-over sent to the printer: banner %q", msg)
	}
	stale("hand-over", msg)
	if calls := readCalls(t, log); len(calls) == 0 || calls[0] != "lp" {
		t.Fatalf("hand-over: calls %q", calls)
	}
	shoot(t, h, dir, "print-handover-printer.png")

	// The refusal, with a printer: its message says the copies too.
	_, v := openDetail(t, h, refused.ID)
	f := startAction(t, v, domain.EvRefused)
	f.entries["reason"].SetText("Hồ sơ không thuộc thẩm quyền giải quyết của xã")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	msg = v.banner.label.Text
	if !strings.Contains(msg, "Đã từ chối hồ sơ") || !strings.Contains(msg, "Mẫu 03") || !strings.Contains(msg, "Đã gửi 2 bản tới máy in") {
		t.Fatalf("refusal sent to the printer: banner %q", msg)
	}
	stale("refusal", msg)
	shoot(t, h, dir, "print-refusal-printer.png")

	// No printer, a viewer: the message says it was opened for viewing.
	systemTools(t, h, "xdg-open")
	s = handOverOf(t, h)
	s.code.SetText(other.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Tap(s.save)
	h.settle()
	msg = s.banner.label.Text
	if !strings.Contains(msg, "trình xem PDF") || strings.Contains(msg, "máy in.") && strings.Contains(msg, "Đã gửi") {
		t.Fatalf("hand-over opened in the viewer: banner %q", msg)
	}
	stale("hand-over (viewer)", msg)
}

// Neither a printer nor a viewer: the hand-over's message names the saved file and the
// dialog offers «Mở thư mục».
func TestHandOverPrintSavedOnlySaysWhere(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testClerk)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	systemTools(t, h) // nothing installed
	s := handOverOf(t, h)
	s.code.SetText(d.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Tap(s.save)
	h.settle()
	path := filepath.Join(h.store.Dir(), "printouts", strings.ReplaceAll(d.Code, ".", "_")+"-phieu-tra-ket-qua.pdf")
	msg := s.banner.label.Text
	if !strings.Contains(msg, path) || strings.Contains(msg, "đã mở để in") || strings.Contains(msg, "exec:") {
		t.Fatalf("banner %q does not name %s", msg, path)
	}
	if getDossier(t, h, d.ID).Status != domain.StatusReturned {
		t.Fatal("the hand-over was not recorded")
	}
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shoot(t, h, dir, "print-handover-saved.png")
	log := systemTools(t, h, "xdg-open")
	tapOverlayButton(t, h, "Mở thư mục")
	if calls := readCalls(t, log); len(calls) != 2 || calls[1] != filepath.Dir(path) {
		t.Fatalf("Mở thư mục: calls %q", calls)
	}
}
