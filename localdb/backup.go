package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"motcua/domain"
)

// A backup is a folder holding a consistent copy of the database (VACUUM INTO, which reads
// one snapshot while the app keeps writing) and the stored files it refers to.

// BackupInfo describes a backup just written.
type BackupInfo struct {
	Dir   string
	Files int
	Bytes int64
}

// Backup writes a backup into a new folder under toDir and checks it can be opened.
func (s *Store) Backup(ctx context.Context, toDir string) (BackupInfo, error) {
	name := "motcua-" + s.now().In(domain.VN()).Format("20060102-150405")
	dir := filepath.Join(toDir, name)
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "files"), 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info := BackupInfo{Dir: dir}
	dbCopy := filepath.Join(tmp, DBFile)
	// VACUUM INTO reads one snapshot; it needs a connection that may write (the copy), so
	// neither the query-only readers nor the writer (it would block intakes) will do.
	src, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO ?`, dbCopy)
	src.Close()
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	// Copy the files the snapshot refers to (files are immutable once stored).
	snap, err := sql.Open("sqlite", dsn(dbCopy, true))
	if err != nil {
		return info, err
	}
	defer snap.Close()
	rows, err := snap.QueryContext(ctx, `SELECT sha256 FROM files`)
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	var shas []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return info, err
		}
		shas = append(shas, sha)
	}
	rows.Close()
	for _, sha := range shas {
		dst := filepath.Join(tmp, "files", sha[:2], sha)
		n, err := copyFile(s.FilePath(sha), dst)
		if err != nil {
			return info, fmt.Errorf("backup file %s: %w", sha, err)
		}
		info.Files++
		info.Bytes += n
	}
	var ok string
	if err := snap.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return info, fmt.Errorf("backup: the copy failed its integrity check (%s, %v)", ok, err)
	}
	snap.Close()
	st, _ := os.Stat(dbCopy)
	info.Bytes += st.Size()
	if err := os.Rename(tmp, dir); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	syncDir(toDir)
	return info, nil
}

// Restore copies a backup folder into an empty data folder.
func Restore(fromDir, dataDir string) error {
	src := filepath.Join(fromDir, DBFile)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("thư mục %s không phải bản sao lưu motcua (không có %s)", fromDir, DBFile)
	}
	if _, err := os.Stat(filepath.Join(dataDir, DBFile)); err == nil {
		return fmt.Errorf("thư mục dữ liệu %s đã có dữ liệu; hãy khôi phục vào một thư mục trống hoặc đổi tên thư mục cũ trước", dataDir)
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "files"), 0o700); err != nil {
		return err
	}
	err := filepath.WalkDir(filepath.Join(fromDir, "files"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(fromDir, p)
		_, err = copyFile(p, filepath.Join(dataDir, rel))
		return err
	})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The database goes last: a data folder with a database is a restored one.
	tmp := filepath.Join(dataDir, DBFile+".restoring")
	if _, err := copyFile(src, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, DBFile)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	syncDir(dataDir)
	return nil
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
