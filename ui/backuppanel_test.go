package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"motcua/localdb"
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

// Choosing the folder backups are written into lists its backups, the newest chosen, and
// restores the one picked (issue 15, item 12).
func TestRestoreFromAFolderOfBackupsAsksWhich(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	usb := filepath.Join(t.TempDir(), "usb")
	var names []string
	for i := range 2 {
		receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
		h.clock.Set(vnTime(2026, 3, 2, 10+i, 0))
		info, err := h.store.Backup(context.Background(), usb, localdb.BackupOptions{Passphrase: "mat-khau-sao-luu"})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(info.Dir))
	}
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := s.backups
	p.onRestoreFrom(usb)
	if p.choice == nil || len(p.choice.Options) != 2 {
		t.Fatalf("choice %+v; message %q", p.choice, p.msg.label.Text)
	}
	if !strings.HasPrefix(p.choice.Selected, names[1]) || !strings.Contains(p.choice.Selected, "2 hồ sơ") {
		t.Fatalf("selected %q, want the newest %s", p.choice.Selected, names[1])
	}
	p.choice.SetSelected(p.choice.Options[1]) // the older one
	tapOverlayButton(t, h, "Tiếp tục…")
	if p.restoreTarget == nil || p.restoreTarget.Name != names[0] {
		t.Fatalf("restoring %+v, want %s", p.restoreTarget, names[0])
	}
	p.restorePass.SetText("mat-khau-sao-luu")
	p.confirmRestoreFunc()
	h.settle()
	if _, err := os.Stat(filepath.Join(h.store.Dir(), "restore-pending")); err != nil {
		t.Fatalf("restore not staged: %v (%q)", err, p.msg.label.Text)
	}
	// A folder with no backups says so in words.
	p.onRestoreFrom(t.TempDir())
	if !strings.Contains(p.msg.label.Text, "không phải bản sao lưu") {
		t.Fatalf("message %q", p.msg.label.Text)
	}
}
