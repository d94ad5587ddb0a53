package central

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	xslog "golang.org/x/exp/slog"

	"motcua/sync/api"

	"motcua/domain"
)

// Scanned documents arrive by tus 1.0 (github.com/tus/tusd/v2 does the protocol): partial
// uploads live under uploads/, and when one completes its SHA-256 is checked against the
// Upload-Metadata the client sent, then it moves to files/ab/<sha256>, and the uploading
// device's unit is recorded as one that holds it (file_units): that, not what events say,
// is what lets a unit read a file. Content a device of the same unit already uploaded is
// answered at creation with Upload-Offset = Upload-Length, so it is neither sent nor stored
// twice; content only other units hold is uploaded again (and hash-checked, and stored
// once), so that no workstation learns from the answer whether the city holds a hash.

// MaxUpload is the largest file the server takes.
const MaxUpload = 64 << 20

// FilePath is where a held file's bytes live.
func (c *Central) FilePath(sha string) string {
	return filepath.Join(c.dir, "files", sha[:2], sha)
}

// HasFile reports whether the city holds a file, and its size.
func (c *Central) HasFile(ctx context.Context, sha string) (int64, bool, error) {
	var size int64
	err := c.db.r.QueryRowContext(ctx, `SELECT size FROM files WHERE sha256 = ?`, sha).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return size, err == nil, err
}

// unitHolds reports whether a device of unit uploaded the held file sha, and its size.
func (c *Central) unitHolds(ctx context.Context, sha, unit string) (int64, bool, error) {
	var size int64
	err := c.db.r.QueryRowContext(ctx, `SELECT f.size FROM files f WHERE f.sha256 = ? AND
		(EXISTS (SELECT 1 FROM file_units u WHERE u.sha256 = f.sha256 AND u.unit = ?)
		 OR EXISTS (SELECT 1 FROM devices d WHERE d.id = f.device AND d.unit = ?))`, sha, unit, unit).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return size, err == nil, err
}

// storeUpload verifies a finished upload and files it under its hash, and records that the
// uploading device's unit holds it (also when the city already held the bytes).
func (c *Central) storeUpload(ctx context.Context, binPath, infoPath string, meta map[string]string, size int64, dev Device) error {
	want := meta[api.MetaSHA256]
	f, err := os.Open(binPath)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	if err != nil {
		return err
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want || n != size {
		os.Remove(binPath)
		os.Remove(infoPath)
		return tusd.NewError("ERR_CHECKSUM_MISMATCH", fmt.Sprintf("tệp nhận được có SHA-256 %s, khác với %s đã khai báo; hãy gửi lại", got, want), 460)
	}
	final := c.FilePath(got)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
		// fsync the bytes before the row that says we hold them commits.
		if f, err := os.OpenFile(binPath, os.O_RDWR, 0); err == nil {
			f.Sync()
			f.Close()
		}
		if err := os.Rename(binPath, final); err != nil {
			return err
		}
		if d, err := os.Open(filepath.Dir(final)); err == nil {
			d.Sync()
			d.Close()
		}
	} else {
		os.Remove(binPath)
	}
	os.Remove(infoPath)
	return c.db.tx(ctx, "store file", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO files(sha256, size, name, mime, device, stored_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(sha256) DO NOTHING`, got, n, cleanText(meta[api.MetaName]), cleanText(meta[api.MetaType]), dev.ID, c.now().UnixMilli()); err != nil {
			return err
		}
		if dev.Unit == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO file_units(sha256, unit) VALUES (?, ?) ON CONFLICT(sha256, unit) DO NOTHING`, got, dev.Unit)
		return err
	})
}

type deviceKey struct{}

func deviceFrom(ctx context.Context) (Device, bool) {
	d, ok := ctx.Value(deviceKey{}).(Device)
	return d, ok
}

// filesHandler serves /api/v1/files/ (already authenticated; the prefix is kept).
func (s *Server) newFilesHandler() (http.Handler, error) {
	uploads := filepath.Join(s.c.dir, "uploads")
	if err := os.MkdirAll(uploads, 0o700); err != nil {
		return nil, err
	}
	store := filestore.New(uploads)
	composer := tusd.NewStoreComposer()
	store.UseIn(composer)
	memorylocker.New().UseIn(composer)
	h, err := tusd.NewHandler(tusd.Config{
		BasePath:             api.Prefix + "/files/",
		StoreComposer:        composer,
		MaxSize:              MaxUpload,
		DisableDownload:      true,
		DisableConcatenation: true,
		Cors:                 &tusd.CorsConfig{Disable: true},
		Logger:               xslog.New(xslog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback: func(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
			if !domain.ValidSHA256(hook.Upload.MetaData[api.MetaSHA256]) {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_METADATA", "thiếu mã SHA-256 của tệp trong Upload-Metadata", http.StatusBadRequest)
			}
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, nil
		},
		PreFinishResponseCallback: func(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
			dev, _ := deviceFrom(hook.Context)
			info := hook.Upload
			err := s.c.storeUpload(hook.Context, info.Storage[filestore.StorageKeyPath], info.Storage[filestore.StorageKeyInfoPath], info.MetaData, info.Size, dev)
			return tusd.HTTPResponse{}, err
		},
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(api.Prefix+"/files", s.dedupFiles(h)), nil
}

// dedupFiles answers uploads of content a device of the asker's unit already uploaded
// without involving tusd: a creation gets Upload-Offset = Upload-Length, and the held file's
// own URL (files/<sha256>) answers HEAD as complete. Content held only for other units gets
// the answers of unknown content (tusd creates an upload; HEAD and PATCH say 404), so the
// bytes are sent and checked: the answer tells no workstation what other units hold.
func (s *Server) dedupFiles(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.Trim(r.URL.Path, "/")
		dev, ok := deviceFrom(r.Context())
		if !ok || dev.Unit == "" {
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case r.Method == http.MethodPost && id == "":
			meta := tusd.ParseMetadataHeader(r.Header.Get("Upload-Metadata"))
			sha := meta[api.MetaSHA256]
			if domain.ValidSHA256(sha) {
				size, held, err := s.c.unitHolds(r.Context(), sha, dev.Unit)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				if held && strconv.FormatInt(size, 10) == r.Header.Get("Upload-Length") {
					w.Header().Set("Tus-Resumable", "1.0.0")
					w.Header().Set("Location", api.Prefix+"/files/"+sha)
					w.Header().Set("Upload-Offset", strconv.FormatInt(size, 10))
					w.Header().Set("Upload-Length", strconv.FormatInt(size, 10))
					w.WriteHeader(http.StatusCreated)
					return
				}
			}
		case domain.ValidSHA256(id) && (r.Method == http.MethodHead || r.Method == http.MethodPatch):
			size, held, err := s.c.unitHolds(r.Context(), id, dev.Unit)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			w.Header().Set("Tus-Resumable", "1.0.0")
			if !held {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Header().Set("Upload-Offset", strconv.FormatInt(size, 10))
			w.Header().Set("Upload-Length", strconv.FormatInt(size, 10))
			w.Header().Set("Cache-Control", "no-store")
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusOK)
			} else {
				w.WriteHeader(http.StatusNoContent)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}
