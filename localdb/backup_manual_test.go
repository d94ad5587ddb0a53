package localdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestStagedRestoreSwapsAtNextStart: restoring from the settings screen stages the backup
// next to the data folder; the next start swaps it in and keeps the old data. The
// workstation's own backup keeps its signing key and device token (no re-enrollment).
func TestStagedRestoreSwapsAtNextStart(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dataDir := filepath.Join(root, "data")
	s, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testCfg
	cfg.Hours = DefaultConfig().Hours
	cfg.BackupDir = filepath.Join(root, "usb")
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BackupNow(ctx, clerk); err == nil {
		t.Fatal("a clerk made a backup")
	}
	// The first backup asks for a passphrase.
	if _, err := s.BackupNow(ctx, admin); !errors.Is(err, ErrBackupPassphraseUnset) {
		t.Fatalf("a backup without a passphrase or an explicit choice: %v", err)
	}
	if err := s.SetBackupPassphrase(ctx, admin, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSyncValue(ctx, SyncKeyToken, "token-of-this-workstation"); err != nil {
		t.Fatal(err)
	}
	pub := s.PublicKey()
	for i := 0; i < 3; i++ {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
	}
	info, err := s.BackupNow(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	// More work after the backup: it is what the restore gives up (kept aside, not lost).
	if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
		t.Fatal(err)
	}
	if _, err := StageRestore(ctx, info.Dir, dataDir, "sai mật khẩu rồi"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	staged, err := StageRestore(ctx, info.Dir, dataDir, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if !staged.KeptSecrets || staged.NeedsEnrollment {
		t.Errorf("staged %+v", staged)
	}
	s.Close()
	old, err := ApplyPendingRestore(dataDir)
	if err != nil || old == "" {
		t.Fatalf("apply: %q %v", old, err)
	}
	r, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if st, _ := r.Stats(ctx); st.Dossiers != 3 {
		t.Fatalf("restored %d dossiers, want 3", st.Dossiers)
	}
	if tok, err := r.SyncValue(ctx, SyncKeyToken); tok != "token-of-this-workstation" || r.PublicKey() != pub {
		t.Errorf("the workstation's own restore lost its token (%q, %v) or key (%v)", tok, err, r.PublicKey() == pub)
	}
	prev, err := Open(ctx, old, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer prev.Close()
	if st, _ := prev.Stats(ctx); st.Dossiers != 4 {
		t.Fatalf("old data kept with %d dossiers, want 4", st.Dossiers)
	}
	if again, err := ApplyPendingRestore(dataDir); err != nil || again != "" {
		t.Fatalf("second start swapped again: %q %v", again, err)
	}
}
