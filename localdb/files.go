package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"motcua/domain"
)

// Scanned documents are stored by content: files/ab/<sha256>. A file is written to a
// temporary name, fsynced and renamed before any transaction refers to it, so a power cut
// can leave an unreferenced file behind but never a reference to a missing one.

// MaxFileSize is the largest file a clerk may attach.
const MaxFileSize = 20 << 20

// AllowedMime lists the file types a clerk may attach.
var AllowedMime = map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}

// FilePath is where a stored file's bytes live.
func (s *Store) FilePath(sha string) string {
	return filepath.Join(s.dir, "files", sha[:2], sha)
}

// StoreFile writes r to the content-addressed store and records it. The same bytes stored
// twice are kept once. The caller gives a display name; the type is sniffed from the bytes.
func (s *Store) StoreFile(ctx context.Context, r io.Reader, name string) (domain.FileRef, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "files"), "incoming-*")
	if err != nil {
		return domain.FileRef{}, fmt.Errorf("store file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	h := sha256.New()
	head := &headBuffer{max: 512}
	n, err := io.Copy(io.MultiWriter(tmp, h, head), io.LimitReader(r, MaxFileSize+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return domain.FileRef{}, fmt.Errorf("store file: %w", err)
	}
	if n > MaxFileSize {
		return domain.FileRef{}, domain.ValidationError{{Field: "file", Code: "file.too_big",
			Msg: fmt.Sprintf("Tệp «%s» lớn hơn %d MB; hãy quét ở độ phân giải thấp hơn hoặc tách thành nhiều tệp.", name, MaxFileSize>>20)}}
	}
	if n == 0 {
		return domain.FileRef{}, domain.ValidationError{{Field: "file", Code: "file.empty", Msg: fmt.Sprintf("Tệp «%s» rỗng.", name)}}
	}
	mime := sniffMime(head.b)
	if mime == "" {
		return domain.FileRef{}, domain.ValidationError{{Field: "file", Code: "file.type",
			Msg: fmt.Sprintf("Tệp «%s» không phải PDF, JPEG hay PNG; chỉ nhận các loại tệp này.", name)}}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.FilePath(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return domain.FileRef{}, fmt.Errorf("store file: %w", err)
	}
	if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp.Name(), final); err != nil {
			return domain.FileRef{}, fmt.Errorf("store file: %w", err)
		}
		syncDir(filepath.Dir(final))
	}
	ref := domain.FileRef{SHA256: sum, Name: filepath.Base(name), Mime: mime, Size: n, Pages: countPages(final, mime)}
	err = s.tx(ctx, "store file", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO files(sha256, name, mime, size, pages, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(sha256) DO NOTHING`, ref.SHA256, ref.Name, ref.Mime, ref.Size, ref.Pages, s.now().UnixMilli())
		return err
	})
	return ref, err
}

type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func sniffMime(head []byte) string {
	switch {
	case len(head) >= 5 && string(head[:5]) == "%PDF-":
		return "application/pdf"
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return "image/jpeg"
	case len(head) >= 8 && string(head[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	}
	return ""
}

// countPages counts a PDF's pages roughly (by its page objects); images are one page.
func countPages(path, mime string) int {
	if mime != "application/pdf" {
		return 1
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n := strings.Count(string(b), "/Type /Page") + strings.Count(string(b), "/Type/Page")
	n -= strings.Count(string(b), "/Type /Pages") + strings.Count(string(b), "/Type/Pages")
	return max(n, 1)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// AttachFile attaches a stored file to a component of a dossier (or as its e-result).
func (s *Store) AttachFile(ctx context.Context, actor domain.Staff, id string, p domain.FileAttachedPayload) (domain.Dossier, error) {
	var exists int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM files WHERE sha256 = ?`, p.File.SHA256).Scan(&exists); err != nil {
		return domain.Dossier{}, err
	}
	if exists == 0 {
		return domain.Dossier{}, fmt.Errorf("tệp %s: %w", p.File.SHA256, domain.ErrNotFound)
	}
	return s.Record(ctx, actor, id, domain.EvFileAttached, p)
}

// OpenFile opens a stored file for reading.
func (s *Store) OpenFile(sha string) (*os.File, error) {
	if len(sha) != 64 {
		return nil, fmt.Errorf("tệp %q: %w", sha, domain.ErrNotFound)
	}
	return os.Open(s.FilePath(sha))
}

// checkFiles returns the stored files that are missing or whose bytes changed.
func (s *Store) checkFiles(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT sha256 FROM files ORDER BY sha256`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, err
		}
		f, err := os.Open(s.FilePath(sha))
		if err != nil {
			bad = append(bad, sha)
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != sha {
			bad = append(bad, sha)
		}
	}
	return bad, rows.Err()
}

// PendingFiles lists stored files the central system does not hold yet.
func (s *Store) PendingFiles(ctx context.Context, limit int) ([]domain.FileRef, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT sha256, name, mime, size, pages FROM files WHERE uploaded = 0 ORDER BY created_at LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.FileRef
	for rows.Next() {
		var f domain.FileRef
		if err := rows.Scan(&f.SHA256, &f.Name, &f.Mime, &f.Size, &f.Pages); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileUploadURL returns the resumable upload's URL recorded for a file ("" if none).
func (s *Store) FileUploadURL(ctx context.Context, sha string) (string, error) {
	var u string
	err := s.r.QueryRowContext(ctx, `SELECT upload_url FROM files WHERE sha256 = ?`, sha).Scan(&u)
	return u, err
}

// SetFileUpload records a file's upload URL, and whether the upload is complete.
func (s *Store) SetFileUpload(ctx context.Context, sha, url string, done bool) error {
	return s.tx(ctx, "file upload", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE files SET upload_url = ?, uploaded = ? WHERE sha256 = ?`, url, done, sha)
		return err
	})
}
