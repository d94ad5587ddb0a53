package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// A scan another workstation of the unit attached reaches this one as a reference only:
// FetchFile brings its bytes on demand from the city (GET /files/{sha256}), into a partial
// file beside the store's files that a later attempt continues with a Range request; the
// whole is checked against its SHA-256 before it enters the store. The city holds it
// already, so it is marked uploaded and never sent back.

// MsgFileNotHeld is what staff are told when the city does not give a file.
const MsgFileNotHeld = "Máy chủ thành phố không có tệp này, hoặc tệp không thuộc đơn vị của máy trạm (có thể máy trạm đã đính kèm tệp chưa đồng bộ xong)."

// HasLocalFile reports whether the store holds a file's bytes.
func (e *Engine) HasLocalFile(sha string) bool {
	if !domain.ValidSHA256(sha) {
		return false
	}
	_, err := os.Stat(e.store.FilePath(sha))
	return err == nil
}

// FetchFile downloads a file from the city into the store, verifies it and records it.
// progress (may be nil) is called with the bytes held so far and the total. A file already
// held locally is not fetched again.
func (e *Engine) FetchFile(ctx context.Context, f domain.FileRef, progress func(done, total int64)) error {
	if !domain.ValidSHA256(f.SHA256) {
		return &Error{Class: ClassInvalid, Op: "download", Msg: "Mã SHA-256 của tệp không hợp lệ."}
	}
	if e.HasLocalFile(f.SHA256) {
		if progress != nil {
			progress(f.Size, f.Size)
		}
		return nil
	}
	server, token, err := e.enrollment(ctx)
	if err != nil {
		return err
	}
	part := filepath.Join(e.store.Dir(), "files", "download-"+f.SHA256+".part")
	if err := e.download(ctx, server, token, f, part, progress); err != nil {
		return askAgain(err)
	}
	if err := e.storeDownloaded(ctx, f, part); err != nil {
		return err
	}
	os.Remove(part)
	return nil
}

// download brings the bytes into part, continuing what it holds already.
func (e *Engine) download(ctx context.Context, server, token string, f domain.FileRef, part string, progress func(done, total int64)) error {
	out, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return localErr("download", err)
	}
	defer out.Close()
	st, err := out.Stat()
	if err != nil {
		return localErr("download", err)
	}
	offset := st.Size()
	c, err := newClient(e.opt.HTTPClient, server, token, e.opt.RequestTimeout)
	if err != nil {
		return err
	}
	hc := e.opt.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	// A file can take longer than one call's timeout on a slow line; stalls are still bounded.
	rctx, cancel := context.WithTimeout(ctx, 10*e.opt.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, c.url("/files/"+f.SHA256), nil)
	if err != nil {
		return &Error{Class: ClassInvalid, Op: "download", Msg: "Địa chỉ máy chủ không hợp lệ.", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", "motcua-sync/1")
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		req.Header.Set("If-Range", `"`+f.SHA256+`"`)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return networkError("download", err)
	}
	defer resp.Body.Close()
	if resp.Header.Get(api.Header) != api.HeaderValue {
		if resp.StatusCode >= 500 {
			return serverError("download", resp.StatusCode, "")
		}
		return &Error{Class: ClassNetwork, Op: "download", Status: resp.StatusCode, Msg: MsgCaptive}
	}
	total := f.Size
	switch resp.StatusCode {
	case http.StatusOK:
		// The whole file (no range asked, or the server sent it all): start over.
		if err := out.Truncate(0); err != nil {
			return localErr("download", err)
		}
		offset = 0
		if resp.ContentLength > 0 {
			total = resp.ContentLength
		}
	case http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != offset {
			os.Truncate(part, 0)
			return &Error{Class: ClassServer, Op: "download", Status: resp.StatusCode, Msg: "Máy chủ gửi sai đoạn tệp; sẽ tải lại từ đầu"}
		}
		total = size
	case http.StatusRequestedRangeNotSatisfiable:
		// What part holds is as long as the file, or longer: check it, or start over.
		return nil
	case http.StatusNotFound, http.StatusForbidden:
		return &Error{Class: ClassInvalid, Op: "download", Status: resp.StatusCode, Msg: MsgFileNotHeld}
	case http.StatusUnauthorized:
		return &Error{Class: ClassAuth, Op: "download", Status: resp.StatusCode, Msg: MsgAuth}
	default:
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return serverError("download", resp.StatusCode, "")
		}
		return &Error{Class: ClassInvalid, Op: "download", Status: resp.StatusCode, Msg: "Máy chủ từ chối tải tệp: " + http.StatusText(resp.StatusCode)}
	}
	if total > 0 && total > MaxDownload {
		return &Error{Class: ClassInvalid, Op: "download", Msg: fmt.Sprintf("Tệp lớn hơn %s; máy trạm không nhận.", domain.FormatBytes(MaxDownload))}
	}
	if _, err := out.Seek(offset, io.SeekStart); err != nil {
		return localErr("download", err)
	}
	done := offset
	if progress != nil {
		progress(done, total)
	}
	buf := make([]byte, 64<<10)
	last := time.Now()
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if done+int64(n) > MaxDownload {
				return &Error{Class: ClassInvalid, Op: "download", Msg: fmt.Sprintf("Tệp lớn hơn %s; máy trạm không nhận.", domain.FormatBytes(MaxDownload))}
			}
			if _, err := out.Write(buf[:n]); err != nil {
				return localErr("download", err)
			}
			done += int64(n)
			if progress != nil && (time.Since(last) > 50*time.Millisecond || done == total) {
				progress(done, total)
				last = time.Now()
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return networkError("download", rerr) // what arrived stays in part for the next try
		}
	}
	if progress != nil {
		progress(done, total)
	}
	return localErr("download", out.Sync())
}

// askAgain rewords a passing failure for a download the clerk asked for: nothing retries it
// by itself, the clerk taps «Tải về» again (what arrived is kept and continued).
func askAgain(err error) error {
	var se *Error
	if errors.As(err, &se) && (se.Class == ClassNetwork || se.Class == ClassServer) {
		msg, _ := strings.CutSuffix(se.Msg, "; sẽ tự thử lại")
		cp := *se
		cp.Msg = msg + "; hãy bấm «Tải về» lại sau ít phút"
		return &cp
	}
	return err
}

// MaxDownload is the largest file a workstation takes from the city.
const MaxDownload = 64 << 20

// contentRange parses "bytes START-END/SIZE".
func contentRange(v string) (start, size int64, ok bool) {
	v, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, false
	}
	s, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(s, 10, 64)
	size, err2 := strconv.ParseInt(sz, 10, 64)
	return start, size, err1 == nil && err2 == nil
}

// storeDownloaded checks the downloaded bytes against the SHA-256 and puts them in the store.
func (e *Engine) storeDownloaded(ctx context.Context, f domain.FileRef, part string) error {
	in, err := os.Open(part)
	if err != nil {
		return localErr("download", err)
	}
	h := sha256.New()
	_, err = io.Copy(h, in)
	in.Close()
	if err != nil {
		return localErr("download", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		os.Remove(part)
		return &Error{Class: ClassServer, Op: "download", Msg: "Tệp tải về không khớp mã SHA-256 (đã bỏ bản tải về); hãy thử lại"}
	}
	in, err = os.Open(part)
	if err != nil {
		return localErr("download", err)
	}
	defer in.Close()
	name := f.Name
	if name == "" {
		name = f.SHA256
	}
	ref, err := e.store.StoreFile(ctx, in, name)
	if err != nil {
		return localErr("download", err)
	}
	if ref.SHA256 != f.SHA256 {
		return localErr("download", fmt.Errorf("stored %s for %s", ref.SHA256, f.SHA256))
	}
	// The city holds it: nothing to upload.
	if err := e.store.SetFileUpload(context.WithoutCancel(ctx), f.SHA256, api.Prefix+"/files/"+f.SHA256, true); err != nil {
		return localErr("download", err)
	}
	return nil
}
