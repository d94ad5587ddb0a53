package localdb

import (
	"context"
	"path/filepath"

	"motcua/domain"
	"motcua/query"
)

// BackupDesk is a store's backups as the settings screen uses them (ui.Backups): back up
// now, list the backup folder, stage a restore for the next start, and the passphrase.
type BackupDesk struct{ Store *Store }

// BackupNow writes a backup into the configured folder now (see Store.BackupNow).
func (b BackupDesk) BackupNow(ctx context.Context, actor domain.Staff) (query.BackupDone, error) {
	info, err := b.Store.BackupNow(ctx, actor)
	return query.BackupDone{Dir: info.Dir, Encrypted: info.Encrypted}, err
}

// List lists the backups in dir, newest first (see ListBackups).
func (b BackupDesk) List(dir string) ([]query.BackupEntry, error) { return ListBackups(dir) }

// Find resolves a folder chosen to restore from: a backup itself (one, list nil), or the
// folder backups are written into (list, newest first, and one the newest readable).
func (b BackupDesk) Find(dir string) (one query.BackupEntry, list []query.BackupEntry, err error) {
	found, list, err := BackupIn(dir)
	if err != nil {
		return query.BackupEntry{}, list, err
	}
	if list != nil {
		for _, e := range list {
			if e.Dir == found {
				return e, list, nil
			}
		}
	}
	m, err := ReadBackupManifest(found)
	if err != nil {
		return query.BackupEntry{}, nil, err
	}
	return query.BackupEntry{Name: filepath.Base(found), Dir: found, Time: m.CreatedAt, Encrypted: m.Encrypted,
		TamperEvident: m.TamperEvident, Dossiers: m.Stats.Dossiers, Size: m.Bytes, Version: m.AppVersion}, nil, nil
}

// StageRestore restores the backup in from beside the store's data folder, to be swapped
// in at the next start (see StageRestore).
func (b BackupDesk) StageRestore(ctx context.Context, from, passphrase string) (query.RestoreStaged, error) {
	info, err := StageRestore(ctx, from, b.Store.Dir(), passphrase)
	return query.RestoreStaged{Dir: info.Dir, NeedsEnrollment: info.NeedsEnrollment, KeptSecrets: info.KeptSecrets}, err
}

// SetBackupPassphrase: see Store.SetBackupPassphrase.
func (b BackupDesk) SetBackupPassphrase(ctx context.Context, actor domain.Staff, passphrase string) error {
	return b.Store.SetBackupPassphrase(ctx, actor, passphrase)
}

// ChoosePlainBackups: see Store.ChoosePlainBackups.
func (b BackupDesk) ChoosePlainBackups(ctx context.Context, actor domain.Staff) error {
	return b.Store.ChoosePlainBackups(ctx, actor)
}

// BackupMode: see Store.BackupMode.
func (b BackupDesk) BackupMode(ctx context.Context) (query.BackupMode, error) {
	return b.Store.BackupMode(ctx)
}
