package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"text/template"

	"motcua/assets"
	"motcua/domain"
	"motcua/domain/citizen"
	"motcua/query"
)

// The app's text is written in Vietnamese in the code, through T and Tf; English is a
// translation keyed by the Vietnamese source string (assets/i18n/en.json). Domain
// messages arrive in Vietnamese with a stable code; in English they are looked up by code.
// A test checks that every T/Tf literal in this package has an English entry.

var (
	language atomic.Value // "vi" or "en"
	english  map[string]string
)

func init() {
	language.Store("vi")
	if err := json.Unmarshal(assets.EnglishJSON, &english); err != nil {
		panic(fmt.Sprintf("assets/i18n/en.json: %v", err))
	}
	for k, v := range citizen.MessagesEN() {
		if _, ok := english[k]; !ok {
			english[k] = v
		}
	}
}

// SetLanguage chooses the language of the interface: "vi" (default) or "en".
func SetLanguage(l string) {
	if l != "en" {
		l = "vi"
	}
	language.Store(l)
}

// Language is the language in use.
func Language() string { return language.Load().(string) }

// T translates a Vietnamese source string.
func T(s string) string {
	if Language() == "en" {
		if t, ok := english[s]; ok {
			return t
		}
	}
	return s
}

// Tf translates a format string and fills it in.
func Tf(format string, args ...any) string { return fmt.Sprintf(T(format), args...) }

// localizeCode renders a coded message in the current language, or falls back to msg.
func localizeCode(code, msg string, args map[string]string) string {
	if Language() != "en" || code == "" {
		return msg
	}
	t, ok := english[code]
	if !ok {
		return msg
	}
	if !strings.Contains(t, "{{") {
		return t
	}
	tpl, err := template.New(code).Option("missingkey=zero").Parse(t)
	if err != nil {
		return msg
	}
	var b strings.Builder
	if tpl.Execute(&b, args) != nil {
		return msg
	}
	return b.String()
}

// StaffError is an error whose message was written for staff (plain Vietnamese, no driver
// text), such as the sync engine's classified errors: adapters outside ui wrap those in
// it. Err is the cause, for the log.
type StaffError struct {
	Msg string
	Err error
}

// Error is for the log: the staff's words and the cause. Screens show Msg (errText).
func (e *StaffError) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Err.Error()
}
func (e *StaffError) Unwrap() error { return e.Err }

// errText is what a clerk reads about an error, the app's one error boundary: a coded
// error shows its message (translated when possible); anything else is an internal error,
// shown with a short id under which the cause is logged, never a driver's text.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var v domain.ValidationError
	if errors.As(err, &v) {
		parts := make([]string, len(v))
		for i, fe := range v {
			parts[i] = fieldErrText(fe)
		}
		return strings.Join(parts, "\n")
	}
	var re *domain.RuleError
	if errors.As(err, &re) {
		return localizeCode(re.Code, re.Msg, nil)
	}
	var ce *citizen.Error
	if errors.As(err, &ce) {
		return localizeCode(ce.Code, ce.Msg, ce.Args)
	}
	var np *notPrintedError
	if errors.As(err, &np) {
		return np.Error()
	}
	var se *StaffError
	if errors.As(err, &se) {
		return se.Msg
	}
	var sie *query.SignInError
	if errors.As(err, &sie) {
		switch {
		case sie.Locked:
			return Tf("Tài khoản đã bị khóa sau %d lần đăng nhập sai liên tiếp. Hãy nhờ quản trị viên mở khóa.", sie.Failures)
		case sie.Wrong:
			return Tf("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng chờ %d giây rồi thử lại.", sie.Seconds())
		default:
			return Tf("Đã đăng nhập sai nhiều lần: vui lòng chờ %d giây nữa rồi thử lại.", sie.Seconds())
		}
	}
	switch {
	case errors.Is(err, query.ErrBadLogin):
		return T("Tên đăng nhập hoặc mật khẩu không đúng.")
	case errors.Is(err, domain.ErrNotFound):
		return T("Không tìm thấy hồ sơ.")
	case errors.Is(err, query.ErrTooNew):
		return T("Dữ liệu được tạo bởi phiên bản motcua mới hơn; hãy cập nhật phần mềm.")
	}
	return internalError(err)
}

// internalError logs an unexpected error under a short id and returns what staff read:
// the id lets the log entry be found when they report it.
func internalError(err error) string {
	id := fmt.Sprintf("%06x", rand.Uint32()&0xffffff)
	slog.Error("internal error", "id", id, "err", err)
	return Tf("Lỗi nội bộ, đã ghi vào nhật ký (mã %s)", id)
}

func fieldErrText(fe domain.FieldError) string { return localizeCode(fe.Code, fe.Msg, fe.Args) }
