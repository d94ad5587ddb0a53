package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestBackupFromSettingsAndStagedRestore(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	quit := false
	h.ui.opt.Quit = func() { quit = true }
	receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := s.backups
	if p == nil {
		t.Fatal("no backup panel for an admin")
	}
	usb := filepath.Join(t.TempDir(), "usb")
	os.MkdirAll(usb, 0o700)
	p.dir.SetText(filepath.Join(usb, "motcua-saoluu"))
	test.Tap(p.saveDir)
	h.settle()
	test.Type(p.pass, "mat-khau-sao-luu")
	test.Type(p.passAgain, "mat-khau-sao-luu")
	test.Tap(p.setPass)
	h.settle()
	test.Tap(p.backupNow)
	h.settle()
	if len(p.entries) != 1 || !p.entries[0].Encrypted || p.entries[0].Dossiers != 1 {
		t.Fatalf("backups listed: %+v; message %q", p.entries, p.msg.label.Text)
	}
	// Restore: a wrong passphrase is refused; the right one stages the restore and closes the app.
	p.onRestore(p.entries[0])
	p.restorePass.SetText("sai-mat-khau")
	p.confirmRestoreFunc()
	h.settle()
	if quit || p.msg.label.Text == "" {
		t.Fatalf("wrong passphrase: quit=%v message %q", quit, p.msg.label.Text)
	}
	p.onRestore(p.entries[0])
	p.restorePass.SetText("mat-khau-sao-luu")
	p.confirmRestoreFunc()
	h.settle()
	if _, err := os.Stat(filepath.Join(h.store.Dir(), "restore-pending")); err != nil {
		t.Fatalf("restore not staged: %v (%q)", err, p.msg.label.Text)
	}
}
