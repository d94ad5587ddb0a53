package localdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RestoreInfo describes a restore just done.
type RestoreInfo struct {
	Manifest BackupManifest // Format 0 for a backup of the first format
	Stats    Stats          // of the restored store
	Verify   VerifyResult   // of the restored store
}

// Restore copies a backup folder (encrypted or not) into an empty data folder and checks
// the result; see RestoreContext.
func Restore(from, dataDir, passphrase string) error {
	_, err := RestoreContext(context.Background(), from, dataDir, passphrase)
	return err
}

// RestoreContext copies a backup folder into dataDir, which must not hold a database yet.
// Every byte is checked against the backup's checksums as it is written (and decrypted with
// passphrase when the backup is encrypted); the restored store is then opened, migrated if
// the backup came from an older motcua, and verified. A wrong passphrase, a damaged backup
// or a failed check leaves dataDir as it was.
func RestoreContext(ctx context.Context, from, dataDir, passphrase string) (RestoreInfo, error) {
	var info RestoreInfo
	m, err := readManifest(from)
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
	kr := newKeyring(passphrase)
	if m.Encrypted {
		// Try the passphrase before writing anything.
		f, err := os.Open(filepath.Join(from, m.Database.Name))
		if err != nil {
			return info, fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, m.Database.Name)
		}
		h, err := readHeader(f)
		f.Close()
		if err != nil {
			return info, err
		}
		if _, err := kr.key(h); err != nil {
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
		shas, err = restoreDB(ctx, from, tmpDB, m, kr)
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
		src := filepath.Join(from, "files", sha[:2], sha)
		if m.Encrypted {
			src += encExt
		}
		tmp := dst + ".restoring-" + randomSuffix()
		w.add(tmp)
		w.add(dst)
		if err := restoreFile(tmp, src, kr, sha, -1); err != nil {
			return info, fmt.Errorf("khôi phục tệp %s: %w", sha, err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return info, fmt.Errorf("khôi phục: %w", err)
		}
	}
	// The database goes last: a data folder with a database is a restored one.
	final := filepath.Join(dataDir, DBFile)
	w.add(final)
	if err := os.Rename(tmpDB, final); err != nil {
		return info, fmt.Errorf("khôi phục: %w", err)
	}
	syncDir(dataDir)

	s, err := Open(ctx, dataDir, Options{})
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
func restoreDB(ctx context.Context, from, tmp string, m BackupManifest, kr *keyring) ([]string, error) {
	if err := restoreFile(tmp, filepath.Join(from, m.Database.Name), kr, m.Database.SHA256, m.Database.Size); err != nil {
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
