package localdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"motcua/domain"
)

// BackupNow makes a backup into the configured folder at once (the settings screen's
// "Sao lưu ngay"), encrypted with the stored key, then rotates. Before a passphrase is
// set (or plain backups chosen) it makes none and asks for one: ErrBackupPassphraseUnset.
func (s *Store) BackupNow(ctx context.Context, actor domain.Staff) (BackupInfo, error) {
	if !actor.Role.Can(domain.PermAdminister) {
		return BackupInfo{}, denied("sao lưu dữ liệu")
	}
	dir := strings.TrimSpace(s.Config().BackupDir)
	if dir == "" {
		return BackupInfo{}, domain.ValidationError{{Field: "backup_dir", Code: "backup.dir", Msg: "Chưa chọn thư mục sao lưu."}}
	}
	if err := ensureBackupDir(dir); err != nil {
		return BackupInfo{}, err
	}
	info, err := s.Backup(ctx, dir, BackupOptions{UseStored: true})
	if err != nil {
		return info, err
	}
	_, err = rotateBackups(dir, DefaultRetention, info.Dir, s.now())
	return info, err
}

// The settings screen restores a backup while the app runs: the backup is restored and
// checked into a staging folder beside the data folder, and the swap happens at the next
// start, before the store is opened (a running store cannot be replaced under itself).

const pendingRestoreFile = "restore-pending"

// StageRestore restores a backup into a new folder next to dataDir (info.Dir) and marks it
// to replace dataDir at the next start. A backup of this same workstation keeps its signing
// key and device token; another's gets neither (info.NeedsEnrollment: enroll it again).
func StageRestore(ctx context.Context, from, dataDir, passphrase string) (RestoreInfo, error) {
	staging := filepath.Clean(dataDir) + ".restored-" + time.Now().In(domain.VN()).Format("20060102-150405")
	info, err := restore(ctx, from, staging, passphrase, dataDir)
	if err != nil {
		return info, err
	}
	info.Dir = staging
	if err := os.WriteFile(filepath.Join(dataDir, pendingRestoreFile), []byte(staging), 0o600); err != nil {
		os.RemoveAll(staging)
		return info, fmt.Errorf("khôi phục: %w", err)
	}
	return info, nil
}

// ApplyPendingRestore swaps in a staged restore, if one is pending: the current data folder
// is kept as <data>.before-restore-<time>. Call it before opening the store. It returns the
// folder the old data was moved to ("" when nothing was pending).
func ApplyPendingRestore(dataDir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dataDir, pendingRestoreFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	staging := strings.TrimSpace(string(raw))
	if _, err := os.Stat(filepath.Join(staging, DBFile)); err != nil {
		os.Remove(filepath.Join(dataDir, pendingRestoreFile))
		return "", fmt.Errorf("bản khôi phục đã chuẩn bị (%s) không còn; dữ liệu hiện tại được giữ nguyên", staging)
	}
	old := filepath.Clean(dataDir) + ".before-restore-" + time.Now().In(domain.VN()).Format("20060102-150405")
	if err := os.Rename(dataDir, old); err != nil {
		return "", fmt.Errorf("khôi phục: không đổi tên được thư mục dữ liệu cũ: %w", err)
	}
	if err := os.Rename(staging, dataDir); err != nil {
		// Put the old data back rather than leave nothing in place.
		if rerr := os.Rename(old, dataDir); rerr != nil {
			return "", fmt.Errorf("khôi phục thất bại (%v) và không trả lại được dữ liệu cũ tại %s: %w", err, old, rerr)
		}
		return "", fmt.Errorf("khôi phục: %w", err)
	}
	os.Remove(filepath.Join(old, pendingRestoreFile))
	return old, nil
}
