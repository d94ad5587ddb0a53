package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/localdb"
)

// capture writes the window to a PNG under MOTCUA_SHOTS_DIR (or the test's temp folder).
func capture(t *testing.T, h *harness, name string) {
	t.Helper()
	dir := os.Getenv("MOTCUA_SECRETS_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.ui.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// scrollTo scrolls the settings screen to one of its cards (for the captures).
func scrollTo(s *settingsScreen, card fyne.CanvasObject) {
	if sc, ok := s.root.(*container.Scroll); ok {
		sc.Offset = fyne.NewPos(0, card.Position().Y)
		sc.Refresh()
	}
}

// cardTitled finds a card of the settings screen by its title.
func cardTitled(t *testing.T, s *settingsScreen, title string) fyne.CanvasObject {
	t.Helper()
	padded := s.root.(*container.Scroll).Content.(*fyne.Container)
	for _, o := range padded.Objects[0].(*fyne.Container).Objects {
		if c, ok := o.(*widget.Card); ok && c.Title == title {
			return c
		}
	}
	t.Fatalf("no card %q", title)
	return nil
}

// The first backup from the settings screen asks for the passphrase (or the explicit
// choice of a plain backup) and then backs up; the panel says how backups are protected,
// and a plain backup is listed and restored with a warning.
func TestFirstBackupAsksForPassphrase(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testAdmin)
	h.ui.win.Resize(fyne.NewSize(1280, 900))
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := s.backups
	if p.mode != localdb.BackupUnset || !strings.Contains(p.protection.Text, "Chưa đặt mật khẩu sao lưu") {
		t.Fatalf("protection %q (%q)", p.protection.Text, p.mode)
	}
	usb := filepath.Join(t.TempDir(), "usb")
	os.MkdirAll(usb, 0o700)
	p.dir.SetText(usb)
	test.Tap(p.saveDir)
	h.settle()
	f := p.first
	if f == nil || !strings.Contains(p.msg.label.Text, "Hãy đặt mật khẩu sao lưu") {
		t.Fatalf("saving the folder does not ask for a passphrase: %q", p.msg.label.Text)
	}
	// Cancelled: "Sao lưu ngay" asks again.
	f.dialog.Hide()
	p.first = nil
	test.Tap(p.backupNow)
	h.settle()
	if f = p.first; f == nil {
		t.Fatal("the first backup did not ask for a passphrase")
	}
	capture(t, h, "first-backup-dialog.png")
	test.Type(f.pass, "mat-khau-sao-luu")
	test.Type(f.again, "mat-khau-khac")
	test.Tap(f.ok)
	h.settle()
	if p.first == nil || f.msg.Text == "" {
		t.Fatal("different passphrases accepted")
	}
	f.again.SetText("mat-khau-sao-luu")
	test.Tap(f.ok)
	h.settle()
	if p.first != nil || len(p.entries) != 1 || !p.entries[0].Encrypted || p.mode != localdb.BackupEncrypted {
		t.Fatalf("after the first backup: dialog %v, entries %+v, mode %q, message %q", p.first != nil, p.entries, p.mode, p.msg.label.Text)
	}
	if !strings.Contains(p.protection.Text, "chống sửa đổi") {
		t.Errorf("protection %q", p.protection.Text)
	}
	scrollTo(s, p.card)
	capture(t, h, "backup-panel-encrypted.png")

	// Plain backups are an explicit choice, confirmed, and labelled everywhere.
	p.onChoosePlain()
	p.confirmPlainFunc()
	h.settle()
	if p.mode != localdb.BackupPlain || !strings.Contains(p.protection.Text, "KHÔNG mã hóa") {
		t.Fatalf("plain: mode %q, %q", p.mode, p.protection.Text)
	}
	h.clock.Set(vnTime(2026, 3, 2, 9, 5))
	test.Tap(p.backupNow)
	h.settle()
	// (The rotation keeps one backup a day: the newest, plain one.)
	if len(p.entries) == 0 || p.entries[0].Encrypted || !strings.Contains(backupLine(p.entries[0]), "không chống sửa đổi") ||
		!strings.Contains(p.msg.label.Text, "KHÔNG mã hóa") {
		t.Fatalf("plain backup: %+v %q", p.entries, p.msg.label.Text)
	}
	scrollTo(s, p.card)
	capture(t, h, "backup-panel-plain.png")
	p.onRestore(p.entries[0])
	capture(t, h, "restore-plain-dialog.png")
	p.restoreDialog.Hide()
	if m, _ := h.store.BackupMode(context.Background()); m != localdb.BackupPlain {
		t.Errorf("store mode %q", m)
	}
}

// The sign-in screen tells the clerk how long to wait after failures and that the account
// is locked; an admin unlocks it in Cài đặt → Tài khoản.
func TestSignInThrottledAndUnlocked(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 8, 0))
	h.setUp()
	h.ui.Start()
	h.settle()
	p := h.signInPage()
	attempt := func(pw string) string {
		test.Type(p.username, "")
		p.username.SetText("lan")
		p.password.SetText(pw)
		test.Tap(p.submit)
		h.settle()
		return p.message.Text
	}
	at := vnTime(2026, 3, 2, 8, 0)
	h.clock.Set(at)
	attempt("sai-mat-khau")
	if msg := attempt("sai-mat-khau"); !strings.Contains(msg, "Vui lòng chờ 1 giây") {
		t.Fatalf("2nd failure: %q", msg)
	}
	capture(t, h, "signin-wait.png")
	if msg := attempt(testPassword); !strings.Contains(msg, "chờ 1 giây nữa") || h.ui.User() != nil {
		t.Fatalf("too early: %q", msg)
	}
	for i := 3; i <= localdb.DefaultSignInLockAfter; i++ {
		at = at.Add(2 * time.Minute)
		h.clock.Set(at)
		attempt("sai-mat-khau")
	}
	at = at.Add(time.Hour)
	h.clock.Set(at)
	if msg := attempt(testPassword); !strings.Contains(msg, "đã bị khóa sau 10 lần") || h.ui.User() != nil {
		t.Fatalf("locked: %q", msg)
	}
	h.ui.win.Resize(fyne.NewSize(1280, 900))
	capture(t, h, "signin-locked.png")

	p.username.SetText("admin")
	p.password.SetText(testPassword)
	test.Tap(p.submit)
	h.settle()
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	if s.locks["lan"].Failures != 10 {
		t.Fatalf("locks %+v", s.locks)
	}
	scrollTo(s, cardTitled(t, s, "Tài khoản"))
	capture(t, h, "accounts-locked.png")
	s.onUnlock("lan")
	h.settle()
	if len(s.locks) != 0 || !strings.Contains(s.banner.label.Text, "Đã mở khóa đăng nhập cho lan") {
		t.Fatalf("after unlock: %+v %q", s.locks, s.banner.label.Text)
	}
	if _, err := h.store.Authenticate(context.Background(), "lan", testPassword); err != nil {
		t.Errorf("sign-in after unlock: %v", err)
	}
}
