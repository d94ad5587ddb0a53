package query

import (
	"errors"
	"fmt"
	"time"
)

// SignInState is what the store remembers about a name's failed sign-ins.
type SignInState struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"last"`
	Locked   bool      `json:"locked"`
}

// SignInError refuses a sign-in: the name must wait (Wait) or is locked.
type SignInError struct {
	Wait     time.Duration // before the next attempt is accepted (0 when locked)
	Locked   bool
	Failures int  // failures in a row so far
	Wrong    bool // this attempt's password was checked and wrong (errors.Is ErrBadLogin)
}

// Seconds is the wait in whole seconds, rounded up (what the clerk reads).
func (e *SignInError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

func (e *SignInError) Error() string {
	switch {
	case e.Locked:
		return fmt.Sprintf("Tài khoản đã bị khóa sau %d lần đăng nhập sai liên tiếp. Hãy nhờ quản trị viên mở khóa.", e.Failures)
	case e.Wrong:
		return fmt.Sprintf("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng chờ %d giây rồi thử lại.", e.Seconds())
	default:
		return fmt.Sprintf("Đã đăng nhập sai nhiều lần: vui lòng chờ %d giây nữa rồi thử lại.", e.Seconds())
	}
}

func (e *SignInError) Unwrap() error {
	if e.Wrong {
		return ErrBadLogin
	}
	return nil
}

// ErrBadLogin is returned for an unknown user, a wrong password or a disabled account alike.
var ErrBadLogin = errors.New("Tên đăng nhập hoặc mật khẩu không đúng.")

// ErrTooNew means the database was written by a newer motcua.
var ErrTooNew = errors.New("cơ sở dữ liệu được tạo bởi phiên bản motcua mới hơn; hãy cập nhật phần mềm trước khi mở")
