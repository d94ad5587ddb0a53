package domain

import (
	"errors"
	"strings"
)

// Domain errors. Adapters wrap driver errors into these with the operation's name (%w),
// so callers can test with errors.Is and show a clerk a meaningful message.
var (
	ErrNotFound = errors.New("không tìm thấy")
	ErrConflict = errors.New("xung đột dữ liệu")
	ErrInvalid  = errors.New("dữ liệu không hợp lệ")
	ErrDenied   = errors.New("không có quyền thực hiện")
)

// FieldError is one problem with one input field. Code is a stable key for translation;
// Msg is the Vietnamese message shown to the clerk.
type FieldError struct {
	Field string
	Code  string
	Msg   string
	Args  map[string]string // values for the placeholders of a translated message
}

// ValidationError lists every problem found in an input, so a form can mark them all at once.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Msg
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (v ValidationError) Is(target error) bool { return target == ErrInvalid }

// For returns the problems for one field.
func (v ValidationError) For(field string) []FieldError {
	var out []FieldError
	for _, e := range v {
		if e.Field == field {
			out = append(out, e)
		}
	}
	return out
}

// RuleError is a rule of the status machine or of authorization that an action broke.
type RuleError struct {
	Code string // stable key, e.g. "status.not_allowed"
	Msg  string // Vietnamese message
	Kind error  // ErrConflict, ErrDenied, ErrInvalid...
}

func (e *RuleError) Error() string        { return e.Msg }
func (e *RuleError) Is(target error) bool { return target == e.Kind }
