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

	"motcua/domain"
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

// Error is a classified sync failure. Msg is plain Vietnamese for the status bar and never
// holds a driver's or the OS's words; Err is the cause, for the log.
type Error struct {
	Class      Class
	Op         string // push, pull, files, catalogue, enroll, probe
	Status     int    // HTTP status, 0 when there was no answer
	RetryAfter time.Duration
	Msg        string
	Err        error
}

// Error is for logs and the command line: the message, then the cause. Staff see Message.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	cause := e.Err.Error()
	if e.Msg == "" {
		return cause
	}
	if strings.HasSuffix(e.Msg, cause) { // the cause was a rule already quoted in Msg
		return e.Msg
	}
	return e.Msg + ": " + cause
}

func (e *Error) Unwrap() error { return e.Err }

// Message is what staff are told about err: a sync error's or a domain rule's plain
// Vietnamese, or else a line saying the details are in the log (the engine logs every
// failed pass with its cause).
func Message(err error) string {
	if err == nil {
		return ""
	}
	var se *Error
	if errors.As(err, &se) && se.Msg != "" {
		return se.Msg
	}
	var re *domain.RuleError
	if errors.As(err, &re) && re.Msg != "" {
		return re.Msg
	}
	return MsgInternal
}

// withCause is msg followed by what staff can read of its cause: a domain rule's message.
// Any other cause (a driver's or the OS's words, often English, with paths) stays in
// Error.Err for the log.
func withCause(msg string, err error) string {
	var re *domain.RuleError
	if errors.As(err, &re) && re.Msg != "" {
		return msg + ": " + re.Msg
	}
	return msg + " (chi tiết đã ghi vào nhật ký)"
}

// Retryable reports whether trying again later can succeed by itself.
func (e *Error) Retryable() bool { return e.Class == ClassNetwork || e.Class == ClassServer }

// Retryable reports whether err is a sync failure that trying again later can clear by
// itself: no usable answer, or a server answering 5xx or 429.
func Retryable(err error) bool { return isClassAny(err, ClassNetwork, ClassServer) }

// Messages shown to counter staff.
const (
	MsgCaptive     = "Máy chủ trả lời không đúng giao thức (có thể là trang đăng nhập Wi-Fi)"
	MsgAuth        = "Thiết bị chưa được cấp quyền hoặc đã bị thu hồi; hãy đăng ký lại"
	MsgNotEnrolled = "Máy trạm chưa đăng ký với hệ thống của thành phố"
	MsgBadReply    = "Máy chủ trả lời không đầy đủ hoặc sai định dạng; sẽ tự thử lại"
	MsgInternal    = "Lỗi nội bộ khi đồng bộ, đã ghi vào nhật ký"
)

// ErrNotEnrolled is returned by a sync attempt before enrollment.
var ErrNotEnrolled = &Error{Class: ClassNotEnrolled, Msg: MsgNotEnrolled}

// ErrPaused is returned while sync waits for re-enrollment after a 401.
var ErrPaused = &Error{Class: ClassAuth, Status: 401, Msg: MsgAuth}

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
	return &Error{Class: ClassLocal, Op: op, Msg: withCause("Lỗi cơ sở dữ liệu trên máy trạm", err), Err: err}
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
	// The transport's own words are English and technical: they go to the log (Error.Err).
	return "lỗi mạng (chi tiết đã ghi vào nhật ký)"
}

func serverError(op string, status int, msg string) *Error {
	m := fmt.Sprintf("Máy chủ đang gặp sự cố (mã %d); sẽ tự thử lại", status)
	if msg != "" {
		m += ": " + msg
	}
	return &Error{Class: ClassServer, Op: op, Status: status, Msg: m}
}
