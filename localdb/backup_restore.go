package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RestoreInfo describes a restore just done.
type RestoreInfo struct {
	Dir      string         // where it was restored
	Manifest BackupManifest // Format 0 for a backup of the first format
	Stats    Stats          // of the restored store
	Verify   VerifyResult   // of the restored store
	// NeedsEnrollment: the backup's workstation was enrolled with the city, but the copy
	// has no device token (a backup never carries one): it must be enrolled again before
	// it syncs. A restore into the same workstation's data folder keeps its token and key.
	NeedsEnrollment bool
	KeptSecrets     bool // the device's key and token were carried over (same workstation)
}

// Restore copies a backup folder (encrypted or not) into an empty data folder and checks
// the result; see RestoreContext.
func Restore(from, dataDir, passphrase string) error {
	_, err := RestoreContext(context.Background(), from, dataDir, passphrase)
	return err
}

// RestoreContext copies a backup folder into dataDir, which must not hold a database yet.
// Every byte is checked against the backup's checksums as it is written (and decrypted with
// passphrase when the backup is encrypted, after its manifest is authenticated); the
// restored store is then opened, migrated if the backup came from an older motcua, and
// verified. A wrong passphrase, a damaged or edited backup or a failed check leaves dataDir
// as it was. The copy has no device token and a new signing key: it does not sync as the
// workstation the backup came from until it is enrolled again.
func RestoreContext(ctx context.Context, from, dataDir, passphrase string) (RestoreInfo, error) {
	return restore(ctx, from, dataDir, passphrase, "")
}

// restore is RestoreContext; with carryFrom (the data folder the restore will replace), the
// device's key and secrets are carried over when the backup is of that same workstation.
func restore(ctx context.Context, from, dataDir, passphrase, carryFrom string) (RestoreInfo, error) {
	info := RestoreInfo{Dir: dataDir}
	m, raw, err := readManifest(from)
	if err != nil {
		return info, err
	}
	info.Manifest = m
	if m.SchemaVersion > SchemaVersion {
		return info, fmt.Errorf("%w (bản sao lưu có phiên bản dữ liệu %d, phần mềm hỗ trợ đến %d)", ErrTooNew, m.SchemaVersion, SchemaVersion)
	}
	for _, name := range []string{DBFile, DBFile + "-wal"} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err == nil {
			return info, fmt.Errorf("thư mục dữ liệu %s đã có dữ liệu; hãy khôi phục vào một thư mục trống hoặc đổi tên thư mục cũ trước", dataDir)
		}
	}
	acc := newAccess(passphrase)
	// The passphrase and the manifest's MAC are checked before anything is written.
	if err := acc.unlock(from, m, raw); err != nil {
		return info, err
	}
	if m.Encrypted && m.Format == legacyFormat {
		f, err := os.Open(filepath.Join(from, m.Database.Name))
		if err != nil {
			return info, fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, m.Database.Name)
		}
		h, err := readHeader(f)
		f.Close()
		if err != nil {
			return info, err
		}
		if _, err := acc.legacy.key(h); err != nil {
			return info, err
		}
	}

	w := &restoreWriter{dataDir: dataDir}
	if _, err := os.Stat(dataDir); errors.Is(err, os.ErrNotExist) {
		w.createdDir = true
	}
	ok := false
	defer func() {
		if !ok {
			w.undo()
		}
	}()
	if err := os.MkdirAll(filepath.Join(dataDir, "files"), 0o700); err != nil {
		return info, fmt.Errorf("khôi phục: %w", err)
	}

	tmpDB := filepath.Join(dataDir, DBFile+".restoring")
	w.add(tmpDB)
	var shas []string
	if m.Format == 0 {
		shas, err = restoreLegacy(ctx, from, tmpDB)
	} else {
		shas, err = restoreDB(ctx, from, tmpDB, m, acc)
	}
	if err != nil {
		return info, fmt.Errorf("khôi phục: %w", err)
	}
	for _, sha := range shas {
		if err := ctx.Err(); err != nil {
			return info, err
		}
		dst := filepath.Join(dataDir, "files", sha[:2], sha)
		if _, err := os.Stat(dst); err == nil {
			continue // written by an earlier, interrupted restore, and checked below
		}
		src := filepath.Join(from, "files", sha[:2], sha) + strings.TrimPrefix(m.Database.Name, DBFile)
		tmp := dst + ".restoring-" + randomSuffix()
		w.add(tmp)
		w.add(dst)
		if err := restoreFile(tmp, src, acc, sha, -1); err != nil {
			return info, fmt.Errorf("khôi phục tệp %s: %w", sha, err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return info, fmt.Errorf("khôi phục: %w", err)
		}
	}
	if carryFrom != "" {
		kept, err := carrySecrets(ctx, tmpDB, carryFrom, dataDir, w)
		if err != nil {
			return info, fmt.Errorf("khôi phục: %w", err)
		}
		info.KeptSecrets = kept
	}
	// The database goes last: a data folder with a database is a restored one.
	final := filepath.Join(dataDir, DBFile)
	w.add(final)
	if err := os.Rename(tmpDB, final); err != nil {
		return info, fmt.Errorf("khôi phục: %w", err)
	}
	syncDir(dataDir)

	// Opened as restored: a token or backup key found in the database (backups made
	// before they moved out of it) belongs to the backup's device and is dropped.
	for _, name := range []string{KeyFile, SecretsFile} {
		if p := filepath.Join(dataDir, name); !exists(p) {
			w.add(p) // made by the Open below: taken back with the rest on failure
		}
	}
	s, err := Open(ctx, dataDir, Options{restored: true})
	if err != nil {
		return info, fmt.Errorf("khôi phục: mở dữ liệu vừa khôi phục: %w", err)
	}
	w.add(final+"-wal", final+"-shm")
	err = s.adoptRestored(ctx)
	if err == nil {
		info.Stats, err = s.Stats(ctx)
	}
	if err == nil {
		info.Verify, err = s.Verify(ctx)
	}
	if err == nil {
		var tok string
		tok, err = s.token()
		info.NeedsEnrollment = tok == "" && s.Config().ServerURL != ""
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return info, fmt.Errorf("khôi phục: kiểm tra dữ liệu vừa khôi phục: %w", err)
	}
	v := info.Verify
	switch {
	case v.Integrity != "ok" || len(v.FilesMissing) > 0:
		return info, fmt.Errorf("khôi phục: dữ liệu vừa khôi phục không đạt kiểm tra (integrity_check %s, %d tệp thiếu hoặc hỏng)", v.Integrity, len(v.FilesMissing))
	case m.Format > 0 && (v.BrokenAt == 0) != m.AuditOK:
		return info, fmt.Errorf("khôi phục: nhật ký kiểm tra khác lúc sao lưu")
	case m.Format > 0 && (info.Stats.Dossiers != m.Stats.Dossiers || info.Stats.Events != m.Stats.Events ||
		info.Stats.Outbox != m.Stats.Outbox || info.Stats.Files != m.Stats.Files):
		return info, fmt.Errorf("khôi phục: số liệu khác lúc sao lưu (%d hồ sơ, %d sự kiện; bản kê ghi %d, %d)",
			info.Stats.Dossiers, info.Stats.Events, m.Stats.Dossiers, m.Stats.Events)
	}
	ok = true
	return info, nil
}

// restoreDB writes the backup's database to tmp, checks it against the manifest, and
// returns the stored files it refers to.
func restoreDB(ctx context.Context, from, tmp string, m BackupManifest, acc *backupAccess) ([]string, error) {
	if err := restoreFile(tmp, filepath.Join(from, m.Database.Name), acc, m.Database.SHA256, m.Database.Size); err != nil {
		return nil, fmt.Errorf("cơ sở dữ liệu: %w", err)
	}
	db, err := openCopy(tmp)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	d, err := describeDB(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBackupDamaged, err)
	}
	if err := sameFacts(m, d); err != nil {
		return nil, err
	}
	return d.files, nil
}

// restoreLegacy restores a backup of the first format: the database is copied as it is,
// and its files are checked by their content-addressed names.
func restoreLegacy(ctx context.Context, from, tmp string) ([]string, error) {
	if _, _, err := writeBackupFile(tmp, filepath.Join(from, DBFile), nil); err != nil {
		return nil, err
	}
	db, err := openCopy(tmp)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	d, err := describeDB(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBackupDamaged, err)
	}
	if d.integrity != "ok" {
		return nil, fmt.Errorf("%w: integrity_check: %s", ErrBackupDamaged, d.integrity)
	}
	return d.files, nil
}

// carrySecrets copies the device's key and secrets from the data folder being replaced
// into the restore when the restored database is of that same workstation (same device
// id): restoring one's own backup must not cost a re-enrollment. Another workstation's
// backup gets neither.
func carrySecrets(ctx context.Context, restoredDB, fromDir, toDir string, w *restoreWriter) (bool, error) {
	restoredID, err := deviceIDOf(ctx, restoredDB, true)
	if err != nil {
		return false, err
	}
	currentID, err := deviceIDOf(ctx, filepath.Join(fromDir, DBFile), false)
	if err != nil || currentID == "" || currentID != restoredID {
		return false, nil // no current data (or unreadable): nothing of ours to keep
	}
	kept := false
	for _, name := range []string{KeyFile, SecretsFile} {
		src, dst := filepath.Join(fromDir, name), filepath.Join(toDir, name)
		b, err := os.ReadFile(src)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, err
		}
		w.add(dst)
		if _, err := writeFileSynced(dst, func(out io.Writer) (int64, error) {
			n, err := out.Write(b)
			return int64(n), err
		}); err != nil {
			return false, err
		}
		kept = true
	}
	return kept, nil
}

// deviceIDOf reads the device id from a database's configuration, read-only (a copy that
// nobody writes when immutable, else a live store).
func deviceIDOf(ctx context.Context, path string, immutable bool) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	var db *sql.DB
	var err error
	if immutable {
		db, err = openCopy(path)
	} else {
		db, err = sql.Open("sqlite", dsn(path, true))
	}
	if err != nil {
		return "", err
	}
	defer db.Close()
	var raw string
	if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'config'`).Scan(&raw); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", err
	}
	var cfg Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return "", err
	}
	return cfg.DeviceID, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// restoreWriter remembers what a restore created, to take it back on failure.
type restoreWriter struct {
	dataDir    string
	createdDir bool
	paths      []string
}

func (w *restoreWriter) add(p ...string) { w.paths = append(w.paths, p...) }

func (w *restoreWriter) undo() {
	if w.createdDir {
		os.RemoveAll(w.dataDir)
		return
	}
	for i := len(w.paths) - 1; i >= 0; i-- {
		os.Remove(w.paths[i])
	}
	// Remove the files/xx folders left empty (Remove fails on a folder that is not).
	if entries, err := os.ReadDir(filepath.Join(w.dataDir, "files")); err == nil {
		for _, e := range entries {
			if e.IsDir() && len(e.Name()) == 2 && !strings.HasPrefix(e.Name(), ".") {
				os.Remove(filepath.Join(w.dataDir, "files", e.Name()))
			}
		}
	}
}
