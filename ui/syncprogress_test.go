package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"
)

// progressSyncer is a Syncer in the middle of a pass on a thin link.
type progressSyncer struct {
	mu   gosync.Mutex
	info SyncInfo
	subs Listeners
}

func (p *progressSyncer) Info() SyncInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.info
}
func (p *progressSyncer) set(info SyncInfo) {
	p.mu.Lock()
	p.info = info
	p.mu.Unlock()
	p.subs.Notify()
}
func (p *progressSyncer) OnChange(f func()) func()                                   { return p.subs.Add(f) }
func (p *progressSyncer) SyncNow()                                                   {}
func (p *progressSyncer) Enroll(context.Context, string, string, string, bool) error { return nil }

// While a pass sends, the status bar says what is left — events, files, bytes — and about
// how long it takes; once done it counts what waits again.
func TestStatusBarShowsSyncProgress(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	sy := &progressSyncer{}
	h.ui.opt.Sync = sy
	h.signIn(testAdmin)
	base := SyncInfo{Enrolled: true, Online: true, Syncing: true, Waiting: 17505}
	for _, c := range []struct {
		left SyncInfo
		want string
		shot string
	}{
		{SyncInfo{LeftEvents: 17505, LeftFiles: 20, LeftBytes: 2_050_000 + 20*180_000}, "Đang gửi: còn 17.505 sự kiện, 20 tệp (5,4 MiB)", ""},
		{SyncInfo{LeftEvents: 9000, LeftFiles: 20, LeftBytes: 1_050_000 + 20*180_000, LeftTime: 145 * time.Second}, "Đang gửi: còn 9.000 sự kiện, 20 tệp (4,4 MiB) · khoảng 3 phút", "syncprogress.png"},
		{SyncInfo{LeftFiles: 2, LeftBytes: 360_000, LeftTime: 11 * time.Second}, "Đang gửi: còn 2 tệp (351,6 KiB) · dưới 1 phút", ""},
		{SyncInfo{LeftEvents: 1_000_000, LeftBytes: 120_000_000, LeftTime: 62*time.Minute + 30*time.Second}, "Đang gửi: còn 1.000.000 sự kiện (114,4 MiB) · khoảng 1 giờ 2 phút", ""},
	} {
		info := base
		info.LeftEvents, info.LeftFiles, info.LeftBytes, info.LeftTime = c.left.LeftEvents, c.left.LeftFiles, c.left.LeftBytes, c.left.LeftTime
		sy.set(info)
		h.ui.status.refresh()
		h.settle()
		if got := h.ui.status.waiting.Text; got != c.want {
			t.Fatalf("status bar %q, want %q", got, c.want)
		}
		if c.shot != "" {
			dir := os.Getenv("MOTCUA_SHOTS_DIR")
			if dir == "" {
				dir = t.TempDir()
			}
			f, err := os.Create(filepath.Join(dir, c.shot))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, h.ui.win.Canvas().Capture())
			f.Close()
		}
	}
	done := base
	done.Syncing, done.Waiting = false, 0
	sy.set(done)
	h.ui.status.refresh()
	h.settle()
	if want := Tf("Chờ đồng bộ: %s", "0"); h.ui.status.waiting.Text != want {
		t.Fatalf("after the pass: %q", h.ui.status.waiting.Text)
	}
	// Counts are grouped by thousands as everywhere else on the screens (1.569, not 1569).
	done.Waiting, done.Quarantined = 1569, 1200
	sy.set(done)
	h.ui.status.refresh()
	h.settle()
	if want := "Chờ đồng bộ: 1.569 · bị giữ lại: 1.200"; h.ui.status.waiting.Text != want {
		t.Fatalf("large counts: %q, want %q", h.ui.status.waiting.Text, want)
	}
}
