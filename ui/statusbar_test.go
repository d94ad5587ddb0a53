package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Offline, with a skewed clock and a flash — or online, in the middle of a long pass on a
// thin link (what is left to send) — and with LAN peers, the status bar's texts are longer
// than 1280 px holds: they shorten with "…" and the bar does not widen the window, so
// "Đăng xuất" stays in view (issue 15, item 7).
func TestStatusBarWidthIsBounded(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	b := h.ui.status
	peers := PeersInfo{Enabled: true, Seen: 3, LastExchange: vnTime(2026, 3, 16, 9, 12)}
	b.who.SetText(b.who.Text + " — Trung tâm Phục vụ hành chính công xã An Hưng, máy trạm số 1")
	for _, c := range []struct {
		name    string
		info    SyncInfo
		network string
		waiting string
	}{
		{"offline", SyncInfo{Enrolled: true, Online: false, Waiting: 123456, Quarantined: 789,
			LastSuccess: vnTime(2026, 3, 16, 9, 0), Skew: 10 * time.Minute, Peers: peers},
			"Ngoại tuyến — vẫn làm việc bình thường", "Máy ngang hàng: 3"},
		{"sending", SyncInfo{Enrolled: true, Online: true, Syncing: true, Waiting: 1_000_000, Quarantined: 789,
			LeftEvents: 1_000_000, LeftFiles: 2_000, LeftBytes: 1_200_000_000, LeftTime: 62*time.Hour + 30*time.Minute,
			LastSuccess: vnTime(2026, 3, 16, 9, 0), Skew: 10 * time.Minute, Peers: peers},
			"Trực tuyến", "Đang gửi: còn 1.000.000 sự kiện, 2.000 tệp (1,1 GiB)"},
	} {
		b.apply(c.info)
		b.flash("Đã ghi nhận 1 lượt công dân đến hỏi, không nộp hồ sơ (tổng hôm nay: 6)")
		for _, size := range []fyne.Size{{Width: 1280, Height: 720}, {Width: 1366, Height: 768}} {
			h.ui.win.Resize(size)
			h.settle()
			if m := h.ui.win.Content().MinSize(); m.Width > 1280 {
				t.Fatalf("%s: the window needs %.0f px", c.name, m.Width)
			}
			if w := h.ui.win.Canvas().Size().Width; w != size.Width {
				t.Fatalf("%s: window %.0f px wide, want %.0f", c.name, w, size.Width)
			}
			var out *widget.Button
			walkObjects(b.box, func(o fyne.CanvasObject) {
				if bt, ok := o.(*widget.Button); ok && bt.Text == "Đăng xuất" {
					out = bt
				}
			})
			if out == nil {
				t.Fatal("no «Đăng xuất» button")
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(out)
			if right := pos.X + out.Size().Width; right > size.Width || out.Size().Width < out.MinSize().Width {
				t.Fatalf("%s at %.0f px: «Đăng xuất» ends at %.0f (width %.0f of %.0f)", c.name, size.Width, right, out.Size().Width, out.MinSize().Width)
			}
			if b.network.Text != c.network || !strings.Contains(b.waiting.Text, c.waiting) || !strings.Contains(b.waiting.Text, "bị giữ lại: 789") {
				t.Fatalf("%s: network %q, waiting %q", c.name, b.network.Text, b.waiting.Text)
			}
			if dir := os.Getenv("MOTCUA_SHOTS_DIR"); dir != "" {
				shoot(t, h, dir, fmt.Sprintf("statusbar-%s-%.0f.png", c.name, size.Width))
			}
		}
	}
	// A short text keeps its whole width.
	b.apply(SyncInfo{Enrolled: true, Online: true})
	h.settle()
	if w := b.network.Size().Width; w < b.network.MinSize().Width || w < (fitRow{}).natural(b.network) {
		t.Fatalf("«%s» squeezed to %.0f px", b.network.Text, w)
	}
}

// Ctrl+T's confirmation stays while sync updates the bar, and an open dashboard counts the
// visit at once (issue 15, item 10: the flash lasted a second, the tiles said 5 for 6).
func TestVisitFlashStaysAndDashboardCounts(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 18, 9, 30))
	h.setUp()
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	before := s.today.visits.value.Text
	h.ui.recordVisit()
	h.settle()
	b := h.ui.status
	if !strings.Contains(b.note.Text, "Đã ghi một lượt tiếp đón") {
		t.Fatalf("flash %q", b.note.Text)
	}
	b.apply(SyncInfo{Enrolled: true, Online: true}) // the write wakes sync, which updates the bar
	if !strings.Contains(b.note.Text, "Đã ghi một lượt tiếp đón") {
		t.Fatal("the flash went with the next sync update")
	}
	if after := s.today.visits.value.Text; after == before {
		t.Fatalf("visits tile still %q", after)
	}
	h.clock.Set(vnTime(2026, 3, 18, 9, 31))
	b.apply(SyncInfo{Enrolled: true, Online: true})
	if b.note.Text != "" {
		t.Fatalf("flash %q still there a minute later", b.note.Text)
	}
}

// The clerk's own lock (Khóa, Ctrl+Shift+L) does not claim the clerk was away.
func TestManualLockSaysLocked(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 18, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	h.ui.lock()
	h.settle()
	texts := visibleTexts(h.ui.win.Content())
	if !containsText(texts, "Màn hình đã khóa. Nhập mật khẩu") || containsText(texts, "lâu không thao tác") {
		t.Fatalf("lock page says %q", texts)
	}
}
