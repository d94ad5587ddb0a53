package sync

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Class is how the engine reacts to a failure.
type Class int

const (
	// ClassNetwork: no usable answer (refused, timeout, dropped, truncated, a Wi-Fi login
	// page). Retry with backoff; probe before the next full attempt.
	ClassNetwork Class = iota + 1
	// ClassServer: the server answered 5xx or 429. Retry with backoff (and Retry-After).
	ClassServer
	// ClassAuth: 401. Sync pauses until the workstation enrolls again; never a loop.
	ClassAuth
	// ClassInvalid: a 4xx the server means (validation): quarantine the event, or give up
	// the call; retrying the same thing cannot help.
	ClassInvalid
	// ClassGone: 410 on pull: the server does not know the cursor; resync from the start.
	ClassGone
	// ClassLocal: the local store failed.
	ClassLocal
	// ClassNotEnrolled: the workstation has no token yet.
	ClassNotEnrolled
)

// Error is a classified sync failure. Msg is plain Vietnamese for the status bar.
type Error struct {
	Class      Class
	Op         string // push, pull, files, catalogue, enroll, probe
	Status     int    // HTTP status, 0 when there was no answer
	RetryAfter time.Duration
	Msg        string
	Err        error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later can succeed by itself.
func (e *Error) Retryable() bool { return e.Class == ClassNetwork || e.Class == ClassServer }

// Messages shown to counter staff.
const (
	MsgCaptive     = "Máy chủ trả lời không đúng giao thức (có thể là trang đăng nhập Wi-Fi)"
	MsgAuth        = "Thiết bị chưa được cấp quyền hoặc đã bị thu hồi; hãy đăng ký lại"
	MsgNotEnrolled = "Máy trạm chưa đăng ký với hệ thống của thành phố"
	MsgBadReply    = "Máy chủ trả lời không đầy đủ hoặc sai định dạng; sẽ tự thử lại"
)

// ErrNotEnrolled is returned by a sync attempt before enrollment.
var ErrNotEnrolled = &Error{Class: ClassNotEnrolled, Msg: MsgNotEnrolled}

// ErrPaused is returned while sync waits for re-enrollment after a 401.
var ErrPaused = &Error{Class: ClassAuth, Status: 401, Msg: MsgAuth}

// classOf returns the class of a sync error (0 when it is not one).
func classOf(err error) Class {
	var se *Error
	if errors.As(err, &se) {
		return se.Class
	}
	return 0
}

func localErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Class: ClassLocal, Op: op, Msg: "Lỗi cơ sở dữ liệu trên máy trạm: " + err.Error(), Err: err}
}

// networkError turns a transport failure into plain words.
func networkError(op string, err error) *Error {
	return &Error{Class: ClassNetwork, Op: op, Msg: "Không kết nối được máy chủ: " + plainNetError(err), Err: err}
}

func plainNetError(err error) string {
	var dns *net.DNSError
	var ne net.Error
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownCA):
		return "chứng chỉ TLS của máy chủ không do nơi được máy trạm tin cậy cấp (có thể có kẻ giả mạo trên đường truyền); hãy báo quản trị hệ thống"
	case errors.As(err, &wrongHost):
		return "chứng chỉ TLS của máy chủ không dành cho địa chỉ này; hãy kiểm tra địa chỉ máy chủ"
	case errors.As(err, &badCert):
		return "chứng chỉ TLS của máy chủ không hợp lệ hoặc đã hết hạn; hãy báo quản trị hệ thống"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "máy chủ không nhận kết nối (có thể chưa chạy hoặc sai địa chỉ)"
	case errors.As(err, &dns):
		return "không tìm thấy địa chỉ máy chủ " + dns.Name
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "máy chủ không trả lời kịp thời"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "kết nối bị ngắt giữa chừng"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "không có đường mạng tới máy chủ"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if strings.Contains(s, "server gave HTTP response to HTTPS client") {
		return "máy chủ chỉ phục vụ http (không mã hóa), không phải https; hãy hỏi quản trị hệ thống địa chỉ https của máy chủ"
	}
	if strings.Contains(s, "connection reset") || strings.Contains(s, "EOF") || strings.Contains(s, "broken pipe") {
		return "kết nối bị ngắt giữa chừng"
	}
	return s
}

func serverError(op string, status int, msg string) *Error {
	m := fmt.Sprintf("Máy chủ đang gặp sự cố (mã %d); sẽ tự thử lại", status)
	if msg != "" {
		m += ": " + msg
	}
	return &Error{Class: ClassServer, Op: op, Status: status, Msg: m}
}
