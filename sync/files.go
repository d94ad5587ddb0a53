package sync

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"motcua/domain"
	"motcua/sync/api"
)

// Scanned files go up by tus 1.0, written by hand over resty: POST creates the upload with
// Upload-Length and Upload-Metadata (the SHA-256 the server verifies, the name, the type);
// its URL is recorded at once, so after a crash or a lost connection HEAD finds the offset
// the server holds and PATCH continues from there. The server answers content it already
// holds with Upload-Offset = Upload-Length: nothing is sent twice.

const tusVersion = "1.0.0"

// uploadFiles uploads every pending file. A failure that concerns one file only (its local
// copy is damaged, the server refuses it) does not stop the others nor the pull: it is
// returned separately as fileErr, and the pass reports it as a warning.
func (e *Engine) uploadFiles(ctx context.Context, c *client, rep *Report) (fileErr, err error) {
	skip := map[string]bool{}
	for {
		files, err := e.store.PendingFiles(ctx, 50+len(skip))
		if err != nil {
			return fileErr, localErr("files", err)
		}
		todo := 0
		for _, f := range files {
			if skip[f.SHA256] {
				continue
			}
			todo++
			err := e.uploadFile(ctx, c, f)
			var se *Error
			switch {
			case err == nil:
				rep.Uploaded++
				e.sentProgress(0, f.Size)
			case errors.As(err, &se) && (se.Class == ClassInvalid || se.Class == ClassLocal):
				skip[f.SHA256] = true
				if fileErr == nil {
					fileErr = err
				}
			default:
				return fileErr, err
			}
		}
		if todo == 0 {
			return fileErr, nil
		}
	}
}

func tusHeaders(extra map[string]string) map[string]string {
	h := map[string]string{"Tus-Resumable": tusVersion}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func tusMetadata(f domain.FileRef) string {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	parts := []string{api.MetaSHA256 + " " + b64(f.SHA256)}
	if f.Name != "" {
		parts = append(parts, api.MetaName+" "+b64(f.Name))
	}
	if f.Mime != "" {
		parts = append(parts, api.MetaType+" "+b64(f.Mime))
	}
	return strings.Join(parts, ",")
}

func offsetOf(r *reply) (int64, bool) {
	v := r.header.Get("Upload-Offset")
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// uploadFile brings one file to the server, resuming a recorded upload when there is one.
func (e *Engine) uploadFile(ctx context.Context, c *client, f domain.FileRef) error {
	loc, err := e.store.FileUploadURL(ctx, f.SHA256)
	if err != nil {
		return localErr("files", err)
	}
	offset := int64(-1)
	if loc != "" {
		offset, err = e.tusOffset(ctx, c, loc)
		if err != nil && !isGoneUpload(err) {
			return err
		}
		if err != nil {
			loc, offset = "", -1 // the server forgot it (expired, finished elsewhere, reset): start over
		}
	}
	if loc == "" {
		if err := e.checkLocalFile(f); err != nil {
			return err
		}
		r, err := c.call(ctx, "files", http.MethodPost, "/files/", nil, tusHeaders(map[string]string{
			"Upload-Length":   strconv.FormatInt(f.Size, 10),
			"Upload-Metadata": tusMetadata(f),
		}))
		if err != nil {
			return err
		}
		loc = r.header.Get("Location")
		if loc == "" {
			return &Error{Class: ClassNetwork, Op: "files", Msg: MsgBadReply}
		}
		// Record the URL before sending a byte: a crash from here on resumes, not restarts.
		if err := e.store.SetFileUpload(context.WithoutCancel(ctx), f.SHA256, loc, false); err != nil {
			return localErr("files", err)
		}
		offset = 0
		if n, ok := offsetOf(r); ok {
			offset = n // the server already holds it
		}
	}
	if offset < f.Size {
		if err := e.tusSend(ctx, c, f, loc, offset); err != nil {
			return err
		}
	}
	if err := e.store.SetFileUpload(context.WithoutCancel(ctx), f.SHA256, loc, true); err != nil {
		return localErr("files", err)
	}
	return nil
}

func isGoneUpload(err error) bool {
	var se *Error
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone || se.Status == http.StatusForbidden)
}

func (e *Engine) tusOffset(ctx context.Context, c *client, loc string) (int64, error) {
	r, err := c.call(ctx, "files", http.MethodHead, loc, nil, tusHeaders(nil))
	if err != nil {
		return 0, err
	}
	n, ok := offsetOf(r)
	if !ok {
		return 0, &Error{Class: ClassNetwork, Op: "files", Msg: MsgBadReply}
	}
	return n, nil
}

// tusSend PATCHes the file from offset in chunks.
func (e *Engine) tusSend(ctx context.Context, c *client, f domain.FileRef, loc string, offset int64) error {
	file, err := e.store.OpenFile(f.SHA256)
	if err != nil {
		return &Error{Class: ClassLocal, Op: "files", Msg: withCause(fmt.Sprintf("Không mở được tệp «%s» trên máy trạm", f.Name), err), Err: err}
	}
	defer file.Close()
	buf := make([]byte, min(e.opt.ChunkSize, max(f.Size, 1)))
	resynced := false
	for offset < f.Size {
		n, err := file.ReadAt(buf[:min(int64(len(buf)), f.Size-offset)], offset)
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			return &Error{Class: ClassLocal, Op: "files", Msg: withCause(fmt.Sprintf("Không đọc được tệp «%s» trên máy trạm", f.Name), err), Err: err}
		}
		r, err := c.call(ctx, "files", http.MethodPatch, loc, buf[:n], tusHeaders(map[string]string{
			"Upload-Offset": strconv.FormatInt(offset, 10),
			"Content-Type":  "application/offset+octet-stream",
		}))
		var se *Error
		switch {
		case err == nil:
		case errors.As(err, &se) && se.Status == http.StatusConflict && !resynced:
			// Our offset and the server's disagree (a reply was lost): ask it.
			resynced = true
			if offset, err = e.tusOffset(ctx, c, loc); err != nil {
				return err
			}
			continue
		case errors.As(err, &se) && se.Status == 460:
			// The bytes the server got do not hash to what we declared: it threw the upload
			// away. Start over next time.
			e.store.SetFileUpload(context.WithoutCancel(ctx), f.SHA256, "", false)
			return &Error{Class: ClassServer, Op: "files", Status: 460, Msg: fmt.Sprintf("Tệp «%s» bị lỗi khi truyền (sai mã SHA-256); sẽ gửi lại", f.Name), Err: err}
		case isGoneUpload(err):
			e.store.SetFileUpload(context.WithoutCancel(ctx), f.SHA256, "", false)
			return &Error{Class: ClassServer, Op: "files", Status: se.Status, Msg: fmt.Sprintf("Máy chủ không còn giữ phần đã tải của tệp «%s»; sẽ gửi lại từ đầu", f.Name), Err: err}
		default:
			return err
		}
		next, ok := offsetOf(r)
		if !ok || next <= offset {
			return &Error{Class: ClassNetwork, Op: "files", Msg: MsgBadReply}
		}
		offset, resynced = next, false
	}
	return nil
}

// checkLocalFile makes sure the stored bytes still hash to the file's name before offering
// them: a damaged copy would be refused at the end of every upload.
func (e *Engine) checkLocalFile(f domain.FileRef) error {
	file, err := e.store.OpenFile(f.SHA256)
	if err != nil {
		return &Error{Class: ClassLocal, Op: "files", Msg: withCause(fmt.Sprintf("Không mở được tệp «%s» trên máy trạm", f.Name), err), Err: err}
	}
	defer file.Close()
	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return &Error{Class: ClassLocal, Op: "files", Msg: withCause(fmt.Sprintf("Không đọc được tệp «%s» trên máy trạm", f.Name), err), Err: err}
	}
	if hex.EncodeToString(h.Sum(nil)) != f.SHA256 || n != f.Size {
		return &Error{Class: ClassLocal, Op: "files", Msg: fmt.Sprintf("Tệp «%s» trên máy trạm đã bị hỏng (nội dung không khớp mã SHA-256); hãy quét lại và đính kèm lại.", f.Name)}
	}
	return nil
}
