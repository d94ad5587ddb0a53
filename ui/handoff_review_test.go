package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// sectionTexts is every label's text in the hand-off panel's folded section whose title
// starts with title.
func sectionTexts(t *testing.T, p *handoffPanel, title string) []string {
	t.Helper()
	for _, it := range p.more.Items {
		if !strings.HasPrefix(it.Title, title) {
			continue
		}
		var texts []string
		for _, o := range it.Detail.(*fyne.Container).Objects {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
		}
		return texts
	}
	t.Fatalf("no section %q", title)
	return nil
}

// The hand-off queue names staff by their full names, as the rest of the app does: who
// prepared an entry (the banner after taking it, the expired section) and who took it (the
// taken section); a username not on the staff list is shown as it is.
func TestHandoffQueueShowsFullNames(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testHelper)
	a, e := handOffBirth(t, h)
	a.numberDialog.Hide()
	pickAssist(t, h, a, "khai sinh") // a second entry, which nobody takes today
	scanInto(h, a.idNumber, "001191054321||Lê Thị Bình|02021991|Nữ|Thôn Tây, xã An Hưng|01012022")
	for key, v := range birthAnswers {
		assistAnswer(t, a, key, v)
	}
	test.Tap(a.handoffBtn)
	h.settle()
	a.numberDialog.Hide()
	h.ui.signOut()
	h.settle()

	h.signIn(testClerk)
	it := intakeOf(t, h)
	h.ui.showScreen(it)
	h.settle()
	p := it.handoff
	p.claim(e.Number)
	h.settle()
	if b := it.banner.label.Text; !strings.Contains(b, "cán bộ hỗ trợ Trần Thị Hoa chuẩn bị") || strings.Contains(b, "hỗ trợ hoa ") {
		t.Errorf("banner after taking the entry: %q", b)
	}
	taken := sectionTexts(t, p, "Đã nhận hôm nay")
	if !containsText(taken, "Nguyễn Thị Lan nhận lúc") || containsText(taken, ": lan nhận") {
		t.Errorf("taken today: %q", taken)
	}
	p.more.OpenAll()
	it.relayoutSide()
	h.settle()
	shot(t, h, "handoff-names-taken.png")

	h.clock.Set(vnTime(2026, 3, 17, 7, 30))
	p.load()
	h.settle()
	expired := sectionTexts(t, p, "Đã hết hạn")
	if !containsText(expired, "(cán bộ hỗ trợ: Trần Thị Hoa)") {
		t.Errorf("expired: %q", expired)
	}
	if got := p.staffName("nguoi-la"); got != "nguoi-la" {
		t.Errorf("an account not on the staff list shows as %q", got)
	}
}

// After «Chuyển sang quầy» the number dialog is alone on screen: the procedure list that
// the cleared form would open is closed behind it, and comes back once it is closed.
func TestHandoffNumberAloneOnScreen(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testHelper)
	a, _ := handOffBirth(t, h)
	if n := len(h.ui.win.Canvas().Overlays().List()); n != 1 {
		t.Errorf("%d overlays over the number, want only the number dialog", n)
	}
	if a.picker.listBox.Visible() {
		t.Error("the procedure list is open behind the number dialog")
	}
	shot(t, h, "handoff-number-alone.png")
	tapOverlayButton(t, h, "Đóng")
	h.settle()
	if !a.picker.listBox.Visible() || dialogOpen(h) {
		t.Errorf("after the dialog closed: list shown %v, dialog open %v", a.picker.listBox.Visible(), dialogOpen(h))
	}
	shot(t, h, "handoff-number-closed.png")
}

// Taking again the entry the intake holds asks first when the clerk changed something
// since it filled the form (a paper ticked), by the rule Ctrl+N and taking another entry
// use; unchanged, it fills the form anew without asking.
func TestTakingTheHeldEntryAgainAsksWhenChanged(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testHelper)
	a, e := handOffBirth(t, h)
	a.numberDialog.Hide()
	h.ui.signOut()
	h.settle()
	h.signIn(testClerk)
	it := intakeOf(t, h)
	h.ui.showScreen(it)
	h.settle()
	p := it.handoff
	p.claim(e.Number)
	h.settle()
	checkIntakeFromHandoff(t, it, e)

	p.claim(e.Number) // nothing changed: filled anew at once
	h.settle()
	if dialogOpen(h) {
		t.Fatal("taking the held entry again, unchanged, asks")
	}
	if len(it.docChecks) == 0 {
		t.Fatal("no papers to tick")
	}
	test.Tap(it.docChecks[0])
	p.claim(e.Number)
	h.settle()
	if !dialogOpen(h) {
		t.Fatal("taking the held entry again dropped the ticked paper without asking")
	}
	shot(t, h, "handoff-again-asks.png")
	tapOverlayButton(t, h, "Hủy")
	h.settle()
	if !it.docChecks[0].Checked {
		t.Fatal("cancelled, yet the ticked paper is gone")
	}
	p.claim(e.ID) // by the QR code too
	h.settle()
	tapOverlayButton(t, h, "Thay")
	h.settle()
	if dialogOpen(h) || it.docChecks[0].Checked || it.handoffID != e.ID {
		t.Fatalf("replaced: dialog %v, paper ticked %v, entry %q", dialogOpen(h), it.docChecks[0].Checked, it.handoffID)
	}
	checkIntakeFromHandoff(t, it, e)
}

// An intake left open across midnight reads the hand-off queue again when the day
// changes: yesterday's entry moves from «Đang chờ» to «Đã hết hạn» without a reload.
func TestHandoffQueueRefreshedAtMidnight(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 23, 40))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testHelper)
	a, e := handOffBirth(t, h)
	a.numberDialog.Hide()
	h.ui.signOut()
	h.settle()
	h.signIn(testClerk)
	it := intakeOf(t, h)
	h.ui.showScreen(it)
	h.settle()
	p := it.handoff
	if len(p.data.Waiting) != 1 {
		t.Fatalf("%d waiting before midnight", len(p.data.Waiting))
	}
	h.ui.tick(SyncInfo{}) // the same day: nothing to read again
	h.settle()
	h.clock.Set(vnTime(2026, 3, 17, 0, 5))
	h.ui.tick(SyncInfo{})
	h.settle()
	if len(p.data.Waiting) != 0 || len(p.data.Expired) != 1 || p.data.Expired[0].ID != e.ID {
		t.Fatalf("after midnight: %d waiting, expired %+v", len(p.data.Waiting), p.data.Expired)
	}
	if !strings.Contains(p.title.Text, "(0)") {
		t.Errorf("title %q", p.title.Text)
	}
	p.more.OpenAll()
	it.relayoutSide()
	h.settle()
	shot(t, h, "handoff-after-midnight.png")
}
