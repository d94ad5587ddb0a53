package citizen

import (
	"maps"
	"strings"
)

// Error is a validation failure. Code is a stable key the UI uses to look up a
// translation; Msg is the Vietnamese text shown to the clerk. Args holds the
// values for the {{.Name}} placeholders of the message templates returned by
// [Messages] and [MessagesEN] (nil when the message has none), so a translated
// message can carry the same details as Msg.
type Error struct {
	Code string
	Msg  string
	Args map[string]string
}

// Error returns the Vietnamese message.
func (e *Error) Error() string { return e.Msg }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &citizen.Error{Code: citizen.CodeIDLength}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code
}

// Localize renders the message template for e.Code from templates (for
// example [MessagesEN]) with e.Args. It falls back to Msg when templates has
// no entry for the code.
func (e *Error) Localize(templates map[string]string) string {
	t, ok := templates[e.Code]
	if !ok {
		return e.Msg
	}
	return render(t, e.Args)
}

// Error codes. They are part of the UI contract: never rename one.
const (
	CodeIDEmpty         = "id.empty"
	CodeIDDigits        = "id.digits"
	CodeIDLength        = "id.length"
	CodeIDProvince      = "id.province"
	CodeIDBirthMismatch = "id.birth_mismatch"
	CodeIDSexMismatch   = "id.sex_mismatch"
	CodeIDAnyLength     = "id.any_length"

	CodeOldIDEmpty  = "old_id.empty"
	CodeOldIDDigits = "old_id.digits"
	CodeOldIDLength = "old_id.length"

	CodeSexInvalid = "sex.invalid"

	CodeQRFields      = "qr.fields"
	CodeQROldID       = "qr.old_id"
	CodeQRName        = "qr.name"
	CodeQRBirth       = "qr.birth"
	CodeQRBirthFuture = "qr.birth_future"
	CodeQRSex         = "qr.sex"
	CodeQRIssued      = "qr.issued"
	CodeQRIssuedOrder = "qr.issued_before_birth"

	CodePhoneEmpty   = "phone.empty"
	CodePhoneInvalid = "phone.invalid"

	CodeNameEmpty   = "name.empty"
	CodeNameTooLong = "name.too_long"
	CodeNameDigits  = "name.digits"
	CodeNameChars   = "name.chars"

	CodeTextTooLong = "text.too_long"
)

// messagesVI are the Vietnamese message templates; Msg is rendered from them.
var messagesVI = map[string]string{
	CodeIDEmpty:         "Chưa nhập số định danh cá nhân.",
	CodeIDDigits:        "Số định danh cá nhân chỉ được gồm chữ số.",
	CodeIDLength:        "Số định danh cá nhân phải gồm đúng 12 chữ số.",
	CodeIDProvince:      "Ba chữ số đầu của số định danh cá nhân ({{.Code}}) không phải là mã tỉnh, thành phố nơi đăng ký khai sinh.",
	CodeIDBirthMismatch: "Năm sinh {{.Year}} không khớp với số định danh cá nhân (số này ứng với năm sinh {{.IDYear}}).",
	CodeIDSexMismatch:   "Giới tính {{.Sex}} không khớp với số định danh cá nhân (số này ứng với giới tính {{.IDSex}}).",
	CodeIDAnyLength:     "Số giấy tờ tùy thân phải gồm 12 chữ số (số định danh cá nhân) hoặc 9 chữ số (chứng minh nhân dân).",

	CodeOldIDEmpty:  "Chưa nhập số chứng minh nhân dân.",
	CodeOldIDDigits: "Số chứng minh nhân dân chỉ được gồm chữ số.",
	CodeOldIDLength: "Số chứng minh nhân dân phải gồm đúng 9 chữ số.",

	CodeSexInvalid: "Giới tính phải là Nam hoặc Nữ.",

	CodeQRFields:      "Mã QR trên thẻ căn cước không đủ thông tin (cần ít nhất 6 mục, đọc được {{.Count}}). Vui lòng quét lại.",
	CodeQROldID:       "Số chứng minh nhân dân trong mã QR không hợp lệ. Vui lòng quét lại.",
	CodeQRName:        "Mã QR trên thẻ căn cước không có họ và tên. Vui lòng quét lại.",
	CodeQRBirth:       "Không đọc được ngày sinh trong mã QR. Vui lòng quét lại.",
	CodeQRBirthFuture: "Ngày sinh trong mã QR ({{.Date}}) là một ngày trong tương lai. Vui lòng kiểm tra lại thẻ và ngày giờ của máy tính.",
	CodeQRSex:         "Giới tính trong mã QR không phải Nam hoặc Nữ. Vui lòng quét lại.",
	CodeQRIssued:      "Không đọc được ngày cấp thẻ trong mã QR. Vui lòng quét lại.",
	CodeQRIssuedOrder: "Ngày cấp thẻ trong mã QR ({{.Issued}}) trước ngày sinh ({{.Birth}}). Vui lòng quét lại.",

	CodePhoneEmpty:   "Chưa nhập số điện thoại.",
	CodePhoneInvalid: "Số điện thoại không hợp lệ: cần số di động 10 chữ số (ví dụ 0912 345 678) hoặc số máy cố định 11 chữ số bắt đầu bằng 02 (ví dụ 0225 3123 456).",

	CodeNameEmpty:   "Chưa nhập họ và tên.",
	CodeNameTooLong: "Họ và tên không được dài quá {{.Max}} ký tự.",
	CodeNameDigits:  "Họ và tên không được chứa chữ số.",
	CodeNameChars:   "Họ và tên chỉ được gồm chữ cái, dấu cách, dấu nháy đơn (') và dấu gạch nối (-).",

	CodeTextTooLong: "“{{.Field}}” không được dài quá {{.Max}} ký tự (hiện có {{.Len}} ký tự).",
}

var messagesEN = map[string]string{
	CodeIDEmpty:         "The personal ID number is missing.",
	CodeIDDigits:        "The personal ID number may contain digits only.",
	CodeIDLength:        "The personal ID number must have exactly 12 digits.",
	CodeIDProvince:      "The first three digits of the personal ID number ({{.Code}}) are not a province code of birth registration.",
	CodeIDBirthMismatch: "Birth year {{.Year}} does not match the personal ID number (which indicates birth year {{.IDYear}}).",
	CodeIDSexMismatch:   "The sex does not match the personal ID number.",
	CodeIDAnyLength:     "The ID number must have 12 digits (personal ID) or 9 digits (old identity card).",

	CodeOldIDEmpty:  "The old identity card (CMND) number is missing.",
	CodeOldIDDigits: "The old identity card (CMND) number may contain digits only.",
	CodeOldIDLength: "The old identity card (CMND) number must have exactly 9 digits.",

	CodeSexInvalid: "Sex must be Male (Nam) or Female (Nữ).",

	CodeQRFields:      "The ID card QR code is incomplete (at least 6 items are needed, {{.Count}} were read). Please scan again.",
	CodeQROldID:       "The old identity card number in the QR code is not valid. Please scan again.",
	CodeQRName:        "The ID card QR code has no full name. Please scan again.",
	CodeQRBirth:       "The birth date in the QR code cannot be read. Please scan again.",
	CodeQRBirthFuture: "The birth date in the QR code ({{.Date}}) is in the future. Please check the card and the computer's date and time.",
	CodeQRSex:         "The sex in the QR code is neither Nam nor Nữ. Please scan again.",
	CodeQRIssued:      "The issue date in the QR code cannot be read. Please scan again.",
	CodeQRIssuedOrder: "The issue date in the QR code ({{.Issued}}) is before the birth date ({{.Birth}}). Please scan again.",

	CodePhoneEmpty:   "The phone number is missing.",
	CodePhoneInvalid: "The phone number is not valid: expected a 10-digit mobile number (e.g. 0912 345 678) or an 11-digit landline number starting with 02 (e.g. 0225 3123 456).",

	CodeNameEmpty:   "The full name is missing.",
	CodeNameTooLong: "The full name must not be longer than {{.Max}} characters.",
	CodeNameDigits:  "The full name must not contain digits.",
	CodeNameChars:   "The full name may contain only letters, spaces, apostrophes (') and hyphens (-).",

	CodeTextTooLong: "“{{.Field}}” must not be longer than {{.Max}} characters (it has {{.Len}}).",
}

// Messages returns a copy of the Vietnamese message templates by error code.
// Templates may contain {{.Name}} placeholders filled from [Error.Args].
func Messages() map[string]string { return maps.Clone(messagesVI) }

// MessagesEN returns a copy of the English message templates by error code,
// with the same placeholders as [Messages].
func MessagesEN() map[string]string { return maps.Clone(messagesEN) }

// newError builds an *Error whose Msg is the Vietnamese template for code
// rendered with args (alternating name, value).
func newError(code string, args ...string) *Error {
	var m map[string]string
	if len(args) > 0 {
		m = make(map[string]string, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			m[args[i]] = args[i+1]
		}
	}
	return &Error{Code: code, Msg: render(messagesVI[code], m), Args: m}
}

// render replaces {{.Name}} placeholders; unknown names are left as they are.
// It is deliberately not text/template: messages are data, not programs.
func render(tmpl string, args map[string]string) string {
	if len(args) == 0 || !strings.Contains(tmpl, "{{.") {
		return tmpl
	}
	pairs := make([]string, 0, 2*len(args))
	for k, v := range args {
		pairs = append(pairs, "{{."+k+"}}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}
