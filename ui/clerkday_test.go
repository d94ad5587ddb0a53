package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// fillBirthIntake picks the birth registration and fills a valid applicant and the papers.
func fillBirthIntake(t *testing.T, h *harness, s *intakeScreen) {
	t.Helper()
	pick(t, h, s, "khai sinh")
	test.Type(s.idNumber, "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Hà Nội|20042021")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Type(s.phone, "0912 345 678")
	for i, d := range s.proc.Documents {
		if !d.Optional {
			test.Tap(s.docChecks[i])
		}
	}
}

// After a save the form is back at the top, where the banner gives the code and the due
// date, and the cursor waits in the procedure box for the next citizen (issue 15, item 1).
func TestAfterSaveTheCodeIsInView(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	fillBirthIntake(t, h, s)
	s.scroll.ScrollToBottom() // Enter in the last field, as at the counter
	if s.scroll.Offset.Y == 0 {
		t.Fatal("the form does not scroll at 1280×720: the test shows nothing")
	}
	s.phone.TypedKey(&fyneKeyReturn)
	h.settle()
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 1 {
		t.Fatalf("not saved: %q", s.banner.label.Text)
	}
	if s.scroll.Offset.Y != 0 {
		t.Fatalf("still scrolled %.0f px down after the save", s.scroll.Offset.Y)
	}
	rows, _ := h.store.Search(context.Background(), "nguyen van an", 1)
	if len(rows) != 1 || !strings.Contains(s.banner.label.Text, rows[0].Code) || !strings.Contains(s.banner.label.Text, "Hẹn trả") {
		t.Fatalf("banner %q", s.banner.label.Text)
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.banner.label)
	if pos.Y < 0 || pos.Y+s.banner.label.Size().Height > 720 || !s.banner.box.Visible() {
		t.Fatalf("banner at y=%.0f, not in the window", pos.Y)
	}
	if f := h.ui.win.Canvas().Focused(); f != s.picker.entry {
		t.Fatalf("focus on %T, want the procedure box", f)
	}
}

// The fee explanation never runs over the due-date card below it (issue 15, item 4).
func TestFeeNoteDoesNotOverlapDueDate(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	for _, size := range []fyne.Size{{Width: 1280, Height: 720}, {Width: 1366, Height: 768}} {
		h.ui.win.Resize(size)
		h.settle()
		for _, q := range []string{"khai sinh", "chung thuc ban sao", "ket hon"} {
			pick(t, h, s, q)
			d := fyne.CurrentApp().Driver()
			noteBottom := d.AbsolutePositionForObject(s.feeNote).Y + s.feeNote.MinSize().Height
			dueTop := d.AbsolutePositionForObject(s.due).Y
			if s.feeNote.Text != "" && noteBottom > dueTop-40 /* the due card's heading */ {
				t.Errorf("%s at %.0f px: the fee note ends at %.0f, the due date starts at %.0f", q, size.Width, noteBottom, dueTop)
			}
		}
	}
}
