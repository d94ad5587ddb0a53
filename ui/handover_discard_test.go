package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The hand-over screen follows the one "ask before discarding typed data" rule: a recipient
// the clerk typed is not thrown away by "Làm lại", by looking another dossier up or by
// signing out without asking; the prefilled applicant alone asks nothing; Ctrl+N leaves the
// hand-over as it is (the tab keeps it), so it asks nothing about it either.
func TestHandOverAsksBeforeDiscarding(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	other := readyFor(t, h, "Trần Văn Hùng", "031190054321")
	h.signIn(testClerk)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	s := handOverOf(t, h)
	open := func(code string) {
		t.Helper()
		s.code.SetText(code)
		s.code.TypedKey(&fyneKeyReturn)
		h.settle()
	}
	open(d.Code)
	if s.unsaved() {
		t.Fatal("the prefilled applicant counts as typed data")
	}
	open(other.Code) // nothing typed: moves on at once
	if dialogOpen(h) || s.d == nil || s.d.ID != other.ID {
		t.Fatal("looking another dossier up with nothing typed asked, or did not move on")
	}

	// An authorised person typed: looking the first dossier up again asks.
	s.who.SetSelected(whoAuthorised())
	test.Type(s.name, "Phạm Thị Hồng Nhung")
	open(d.Code)
	if !dialogOpen(h) {
		t.Fatal("looking another dossier up dropped the typed recipient without asking")
	}
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shoot(t, h, dir, "handover-discard.png")
	tapOverlayButton(t, h, "Hủy")
	if s.d.ID != other.ID || s.name.Text != "Phạm Thị Hồng Nhung" || s.code.Text != other.Code {
		t.Fatalf("cancelling changed the screen: %s %q %q", s.d.Code, s.name.Text, s.code.Text)
	}

	// Ctrl+N from the hand-over opens intake; the typed recipient stays on its tab.
	in := intakeOf(t, h)
	in.menuItems()[0].Action()
	if dialogOpen(h) {
		t.Fatal("Ctrl+N asked about the hand-over, which it does not clear")
	}
	s = handOverOf(t, h)
	if s.name.Text != "Phạm Thị Hồng Nhung" {
		t.Fatal("Ctrl+N cleared the hand-over")
	}

	// "Làm lại" asks; cancelling keeps everything.
	test.Tap(s.clear)
	if !dialogOpen(h) {
		t.Fatal("«Làm lại» cleared a typed recipient without asking")
	}
	tapOverlayButton(t, h, "Hủy")
	if s.d == nil || s.name.Text != "Phạm Thị Hồng Nhung" {
		t.Fatal("cancelled «Làm lại» cleared the screen")
	}

	// Signing out asks, naming the screen; confirmed, it signs out.
	h.ui.signOutAsking()
	if !dialogOpen(h) {
		t.Fatal("signing out with a typed recipient did not ask")
	}
	tapOverlayButton(t, h, "Hủy")
	if h.ui.User() == nil {
		t.Fatal("cancelled sign-out signed out")
	}

	// Confirmed: the other dossier is shown, prefilled afresh.
	open(d.Code)
	tapOverlayButton(t, h, "Bỏ thông tin đang nhập")
	h.settle()
	if s.d == nil || s.d.ID != d.ID || s.name.Text != "Nguyễn Thị Mai" || s.unsaved() {
		t.Fatalf("confirmed lookup: %v %q", s.d, s.name.Text)
	}
	h.ui.signOutAsking()
	if dialogOpen(h) || h.ui.User() != nil {
		t.Fatal("nothing typed: signing out should not ask")
	}
}
