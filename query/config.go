package query

import (
	"errors"
	"motcua/domain"
	"motcua/domain/calendar"
	"strings"
)

// Config is the workstation's configuration, kept in the settings table.
type Config struct {
	UnitCode        string                `json:"unit_code"`
	UnitName        string                `json:"unit_name"`
	Parent          string                `json:"parent,omitempty"`  // the commune People's Committee ("UBND xã …"), printed above the centre's name
	Place           string                `json:"place,omitempty"`   // place name on the date line of forms
	Address         string                `json:"address,omitempty"` // the centre's address and phone, for forms
	Phone           string                `json:"phone,omitempty"`
	Slot            int                   `json:"slot"`
	DeviceID        string                `json:"device_id"`
	DeviceName      string                `json:"device_name"`
	ServerURL       string                `json:"server_url,omitempty"`
	ReturnPlace     string                `json:"return_place,omitempty"` // where results are collected (Mẫu 01, item 6)
	Book            string                `json:"book,omitempty"`         // tracking book volume (Quyển số)
	Language        string                `json:"language,omitempty"`     // "vi" or "en"
	IdleLockMinutes int                   `json:"idle_lock_minutes"`
	RescheduleLimit int                   `json:"reschedule_limit"` // how many times a due date may be set anew (unconfirmed rule: 1)
	Hours           calendar.WorkingHours `json:"hours"`
	BackupDir       string                `json:"backup_dir,omitempty"`
	Targets         Targets               `json:"targets"`
	Receipt         ReceiptSettings       `json:"receipt"`
	// AllowPlainHTTP: an administrator chose http:// to a sync server on another machine.
	AllowPlainHTTP bool           `json:"allow_plain_http,omitempty"`
	Report         ReportSettings `json:"report"`
}

// ReportSettings are the province's choices for the II.06a report (Biểu số 06/VPCP/KSTT),
// which provincial systems make differently: when a dossier counts as resolved, and how
// the dossiers withdrawn, stopped or refused are counted. The printed report states them.
type ReportSettings struct {
	ResolvedAt string                  `json:"resolved_at,omitempty"` // domain.FinishRule by name: "result" (default) or "return"
	Closed     domain.ClosedTreatments `json:"closed"`
}

// Options are the report options the settings give (the calendar and fields are the
// store's, filled in by Report).
func (r ReportSettings) Options() domain.ReportOptions {
	finish, _ := domain.ParseFinishRule(r.ResolvedAt)
	return domain.ReportOptions{Finish: finish, Closed: r.Closed.Normalized()}
}

// ReceiptSettings are how the province wants its receipts (Mẫu 01) printed.
type ReceiptSettings struct {
	// LookupURL is the address where citizens follow a dossier; the receipt's QR code
	// and its lookup line carry it with the code (in place of "{code}", or appended).
	LookupURL string `json:"lookup_url,omitempty"`
	// Copies is how many copies (liên) one print makes: 1, or 2 where the province asks
	// for one to hand out and one to keep.
	Copies int `json:"copies,omitempty"`
	// PrintCopies is how many copies "In" sends to the default printer for any form (0: 1).
	PrintCopies int `json:"print_copies,omitempty"`
}

// Targets are the city's goals a supervisor compares the centre with, in percent. They
// change with each year's plan, so they are settings, not rules.
type Targets struct {
	Online           float64 `json:"online"`            // dossiers received online
	FullyDigital     float64 `json:"fully_digital"`     // processed fully digitally
	DigitizedEResult float64 `json:"digitized_eresult"` // digitized with an electronic result
	OnTime           float64 `json:"on_time"`           // resolved early or on time
}

// DefaultTargets are the city's targets for the end of 2025 (DOMAIN.md).
func DefaultTargets() Targets {
	return Targets{Online: 60, FullyDigital: 80, DigitizedEResult: 100, OnTime: 100}
}

// Configured reports whether the first-run set-up has been done.
func (c Config) Configured() bool { return c.UnitCode != "" && c.Slot > 0 }

// DefaultConfig is what a new store starts with.
func DefaultConfig() Config {
	return Config{IdleLockMinutes: 10, RescheduleLimit: 1, Hours: calendar.DefaultHours(), Language: "vi", Targets: DefaultTargets()}
}

// Validate checks the configuration a clerk or the wizard entered.
func (c Config) Validate() error {
	var v domain.ValidationError
	if err := domain.ValidateUnitCode(c.UnitCode); err != nil {
		code := "unit.code"
		if re, ok := errors.AsType[*domain.RuleError](err); ok {
			code = re.Code // "please enter" for an empty one
		}
		v = append(v, domain.FieldError{Field: "unit_code", Code: code, Msg: err.Error()})
	}
	if strings.TrimSpace(c.UnitName) == "" {
		v = append(v, domain.FieldError{Field: "unit_name", Code: "unit.name", Msg: "Vui lòng nhập tên đơn vị (ví dụ: Trung tâm Phục vụ hành chính công xã …)."})
	}
	if err := domain.ValidateSlot(c.Slot); err != nil {
		v = append(v, domain.FieldError{Field: "slot", Code: "unit.slot", Msg: err.Error()})
	}
	if err := c.Hours.Validate(); err != nil {
		v = append(v, domain.FieldError{Field: "hours", Code: "unit.hours", Msg: "Giờ làm việc không hợp lệ: " + err.Error()})
	}
	for _, t := range []float64{c.Targets.Online, c.Targets.FullyDigital, c.Targets.DigitizedEResult, c.Targets.OnTime} {
		if t < 0 || t > 100 {
			v = append(v, domain.FieldError{Field: "targets", Code: "unit.targets", Msg: "Chỉ tiêu phải từ 0 đến 100%."})
			break
		}
	}
	if !domain.CommuneCommittee(c.Parent) {
		v = append(v, domain.FieldError{Field: "parent", Code: "unit.parent",
			Msg: "Dòng trên tên trung tâm là Ủy ban nhân dân cấp xã đã thành lập trung tâm: «UBND xã …», «UBND phường …» hoặc «UBND đặc khu …»."})
	}
	if u := strings.TrimSpace(c.Receipt.LookupURL); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		v = append(v, domain.FieldError{Field: "lookup_url", Code: "unit.lookup_url", Msg: "Địa chỉ tra cứu phải bắt đầu bằng https:// (hoặc http://)."})
	}
	if c.Receipt.Copies < 0 || c.Receipt.Copies > 2 {
		v = append(v, domain.FieldError{Field: "receipt_copies", Code: "unit.copies", Msg: "Số liên của giấy tiếp nhận là 1 hoặc 2."})
	}
	if c.Receipt.PrintCopies < 0 || c.Receipt.PrintCopies > 5 {
		v = append(v, domain.FieldError{Field: "print_copies", Code: "unit.print_copies", Msg: "Số bản in mỗi lần từ 1 đến 5."})
	}
	if _, err := domain.ParseFinishRule(c.Report.ResolvedAt); err != nil {
		v = append(v, domain.FieldError{Field: "report", Code: "report.finish", Msg: err.Error()})
	}
	if err := c.Report.Closed.Validate(); err != nil {
		v = append(v, domain.FieldError{Field: "report", Code: "report.closed_treatment", Msg: err.Error()})
	}
	if c.IdleLockMinutes < 0 || c.IdleLockMinutes > 240 {
		v = append(v, domain.FieldError{Field: "idle_lock_minutes", Code: "unit.idle", Msg: "Thời gian tự khóa phải từ 0 đến 240 phút."})
	}
	if len(v) > 0 {
		return v
	}
	return nil
}
