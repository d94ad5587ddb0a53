package central

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"motcua/domain"
)

// GET /files/{sha256} serves a held file to whoever may read it: the city's viewers (the
// admin token), and an authorised device of a unit that proved it holds the bytes: the unit
// of the device that uploaded the file, or of any device that uploaded the same bytes again
// (file_units, written by storeUpload once the hash checked out). Naming the hash in an
// event grants nothing: a hash is no proof of holding the content. Anyone else gets the same 404
// as for a file the city does not hold: whether a hash is held is not given away. The bytes
// are streamed by http.ServeContent (ranges, If-Range, HEAD).

// FileMeta is what the city knows of a held file.
type FileMeta struct {
	SHA256, Name, Mime string
	Size               int64
	StoredAt           time.Time
	Device             string // the device that uploaded it
}

// errNoFile answers a file that is not held or not readable by the asker (the same answer).
var errNoFile = errors.New("không có tệp này")

// ReadableFile returns a held file's metadata if unit may read it (unit "" : the city).
func (c *Central) ReadableFile(ctx context.Context, sha, unit string) (FileMeta, error) {
	if !domain.ValidSHA256(sha) {
		return FileMeta{}, errNoFile
	}
	var m FileMeta
	var stored int64
	var uploaderUnit sql.NullString
	err := c.db.r.QueryRowContext(ctx, `SELECT f.sha256, f.name, f.mime, f.size, f.stored_at, f.device,
			(SELECT d.unit FROM devices d WHERE d.id = f.device)
		FROM files f WHERE f.sha256 = ?`, sha).Scan(&m.SHA256, &m.Name, &m.Mime, &m.Size, &stored, &m.Device, &uploaderUnit)
	if errors.Is(err, sql.ErrNoRows) {
		return FileMeta{}, errNoFile
	}
	if err != nil {
		return FileMeta{}, err
	}
	m.StoredAt = time.UnixMilli(stored)
	if unit == "" || uploaderUnit.String == unit {
		return m, nil
	}
	var n int
	if err := c.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM file_units WHERE sha256 = ? AND unit = ?`, sha, unit).Scan(&n); err != nil {
		return FileMeta{}, err
	}
	if n == 0 {
		return FileMeta{}, errNoFile
	}
	return m, nil
}

// fileDownload serves GET (and HEAD) /files/{sha256}; any other call to such a path is
// the tus protocol's (HEAD of an upload in progress included), handled by tus.
func (s *Server) fileDownload(tus http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sha := r.PathValue("sha")
		if r.Method != http.MethodGet {
			tus.ServeHTTP(w, r)
			return
		}
		unit := ""
		if !s.isAdmin(r) {
			dev, err := s.c.Authenticate(r.Context(), bearer(r))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			unit = dev.Unit
		}
		m, err := s.c.ReadableFile(r.Context(), sha, unit)
		if errors.Is(err, errNoFile) {
			s.writeError(w, http.StatusNotFound, "not_found", "Máy chủ không có tệp này, hoặc tệp không thuộc đơn vị của máy trạm.")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f, err := os.Open(s.c.FilePath(m.SHA256))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		defer f.Close()
		h := w.Header()
		if m.Mime != "" {
			h.Set("Content-Type", m.Mime)
		}
		h.Set("ETag", `"`+m.SHA256+`"`)
		h.Set("Cache-Control", "private, max-age=31536000, immutable") // content-addressed
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(&contentErrors{ResponseWriter: w, s: s, r: r, size: m.Size}, r, m.Name, m.StoredAt, f)
	}
}

// contentErrors turns the errors http.ServeContent answers by itself (416 for a bad Range,
// 412 for a failed If-Match or If-Unmodified-Since, 500 when the file cannot be read) into
// the API's usual Vietnamese JSON error with the same status. The headers ServeContent set
// for the error stay (Content-Range "bytes */size" on a 416); the caching headers meant for
// the bytes go. Everything else, 304 included, passes through untouched.
type contentErrors struct {
	http.ResponseWriter
	s      *Server
	r      *http.Request
	size   int64
	failed bool
}

func (c *contentErrors) WriteHeader(code int) {
	if code == http.StatusPartialContent && !c.failed && emptyRange(c.Header().Get("Content-Range")) {
		// A suffix range of zero bytes (Range: bytes=-0) selects nothing, which RFC 9110
		// calls unsatisfiable; ServeContent answers it 206 with "bytes 1342-1341/1342".
		c.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", c.size))
		c.Header().Del("Content-Length")
		code = http.StatusRequestedRangeNotSatisfiable
	}
	if code < 400 || c.failed {
		c.ResponseWriter.WriteHeader(code)
		return
	}
	c.failed = true
	h := c.Header()
	for _, k := range []string{"Cache-Control", "ETag", "Last-Modified", "Content-Encoding"} {
		h.Del(k)
	}
	switch code {
	case http.StatusRequestedRangeNotSatisfiable:
		c.s.writeError(c.ResponseWriter, code, "range_not_satisfiable", fmt.Sprintf(
			"Đoạn tệp được yêu cầu (tiêu đề Range) không hợp lệ hoặc nằm ngoài tệp; tệp dài %d byte.", c.size))
	case http.StatusPreconditionFailed:
		c.s.writeError(c.ResponseWriter, code, "precondition_failed",
			"Tệp trên máy chủ không khớp điều kiện của yêu cầu (If-Match hoặc If-Unmodified-Since); hãy tải lại từ đầu.")
	case http.StatusInternalServerError:
		c.s.log.Error("serving a file failed", "path", c.r.URL.Path)
		c.s.writeError(c.ResponseWriter, code, "internal", "Lỗi máy chủ: không đọc được tệp.")
	default:
		c.s.writeError(c.ResponseWriter, code, "invalid", fmt.Sprintf("Máy chủ không gửi được tệp cho yêu cầu này (HTTP %d).", code))
	}
}

// emptyRange reports a Content-Range whose last byte comes before its first.
func emptyRange(cr string) bool {
	var first, last, size int64
	if n, _ := fmt.Sscanf(cr, "bytes %d-%d/%d", &first, &last, &size); n < 2 {
		return false
	}
	return last < first
}

// Write drops ServeContent's own English text once the error is answered.
func (c *contentErrors) Write(p []byte) (int, error) {
	if c.failed {
		return len(p), nil
	}
	return c.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path for the bytes.
func (c *contentErrors) ReadFrom(src io.Reader) (int64, error) {
	if c.failed {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := c.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{c.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *contentErrors) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// DefaultUploadMaxAge is how long a partial upload nobody continues is kept.
const DefaultUploadMaxAge = 7 * 24 * time.Hour

// CleanUploads removes the partial tus uploads (uploads/<id> and <id>.info) not written to
// for longer than maxAge by the server's clock, and returns how many it removed. A
// workstation that comes back later finds its upload gone (404 on HEAD) and starts over.
func (c *Central) CleanUploads(maxAge time.Duration) (int, error) {
	dir := filepath.Join(c.dir, "uploads")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cutoff := c.now().Add(-maxAge)
	removed := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".info") {
			continue
		}
		id := strings.TrimSuffix(name, ".info")
		info, bin := filepath.Join(dir, name), filepath.Join(dir, id)
		// The last write is the later of the two files' times (PATCH writes the bytes).
		last := time.Time{}
		for _, p := range []string{info, bin} {
			if st, err := os.Stat(p); err == nil && st.ModTime().After(last) {
				last = st.ModTime()
			}
		}
		if last.IsZero() || !last.Before(cutoff) {
			continue
		}
		for _, p := range []string{bin, info} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// cleanUploads runs CleanUploads and logs what it did.
func (s *Server) cleanUploads(maxAge time.Duration) {
	if n, err := s.c.CleanUploads(maxAge); err != nil {
		s.log.Warn("cleaning abandoned uploads", "err", err, "removed", n)
	} else if n > 0 {
		s.log.Info("abandoned uploads removed", "removed", n, "older_than", maxAge)
	}
}

// cleanLoop cleans abandoned uploads every interval (Open cleans once before it starts)
// until stop is closed.
func (s *Server) cleanLoop(maxAge time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	every := min(maxAge/4, time.Hour)
	for {
		select {
		case <-stop:
			return
		case <-time.After(every):
		}
		s.cleanUploads(maxAge)
	}
}
