package domain

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"motcua/domain/citizen"
)

// Intake is what the clerk enters at the counter to receive a dossier.
type Intake struct {
	ProcedureCode string
	Applicant     Person
	Owner         *Person // the dossier's owner when filing on someone's behalf
	Subject       SubjectKind
	Channel       Channel
	Summary       string
	Documents     []DocumentItem // the components handed in (from the procedure's checklist)
	Sets          int
	Copies        int
	Pages         int
	Assisted      bool // the forms were filled in by an official (no-writing day)
	ReturnPlace   string
	FormTemplate  string            // the declaration filled in, when assisted
	FormValues    map[string]string // its values
	Handoff       string            // the hand-off queue entry (id) the intake was claimed from, if any
}

// Input fields, as named in validation errors (the UI maps them to widgets).
const (
	FieldProcedure        = "procedure"
	FieldApplicantName    = "applicant.name"
	FieldApplicantID      = "applicant.id_number"
	FieldApplicantBirth   = "applicant.birth"
	FieldApplicantSex     = "applicant.sex"
	FieldApplicantPhone   = "applicant.phone"
	FieldApplicantEmail   = "applicant.email"
	FieldApplicantAddress = "applicant.address"
	FieldOwnerName        = "owner.name"
	FieldOwnerID          = "owner.id_number"
	FieldOwnerAddress     = "owner.address"
	FieldSummary          = "summary"
	FieldDocuments        = "documents"
	FieldSets             = "sets"
	FieldCopies           = "copies"
	FieldPages            = "pages"
	FieldChannel          = "channel"
)

// Limits on free text, so a pasted novel cannot reach a receipt or the national portal.
const (
	MaxSummary = 1000 // TrichYeuHoSo
	MaxAddress = 300
	MaxEmail   = 100
	MaxNote    = 2000
)

// PrepareIntake normalises an intake (NFC, tidy spacing, phone in national form) and checks
// every rule, returning all problems at once. Nothing may be saved unless it returns nil.
func PrepareIntake(in Intake, cat *Catalogue, now time.Time) (Intake, Procedure, error) {
	var v ValidationError
	add := v.add

	in.ProcedureCode = strings.TrimSpace(in.ProcedureCode)
	proc, ok := cat.Lookup(in.ProcedureCode)
	if in.ProcedureCode == "" {
		add(FieldProcedure, FieldError{Code: "intake.procedure_empty", Msg: "Vui lòng chọn thủ tục hành chính."})
	} else if !ok {
		add(FieldProcedure, FieldError{Code: "intake.procedure_unknown",
			Msg:  fmt.Sprintf("Thủ tục có mã «%s» không có trong danh mục đang dùng (phiên bản %s).", in.ProcedureCode, cat.Version),
			Args: map[string]string{"Code": in.ProcedureCode, "Version": cat.Version}})
	}

	if in.Subject == 0 {
		in.Subject = SubjectCitizen
	}
	if in.Subject < SubjectCitizen || in.Subject > SubjectOther {
		add("subject", FieldError{Code: "intake.subject", Msg: "Loại đối tượng không hợp lệ."})
	}
	if in.Channel == 0 {
		in.Channel = ChannelDirect
	}
	if in.Channel < ChannelDirect || in.Channel > ChannelPost {
		add(FieldChannel, FieldError{Code: "intake.channel", Msg: "Hình thức nộp hồ sơ không hợp lệ."})
	}

	var errs ValidationError
	in.Applicant, errs = preparePerson(in.Applicant, "applicant", in.Subject == SubjectCitizen, true, now)
	v = append(v, errs...)
	if in.Owner != nil {
		if strings.TrimSpace(in.Owner.Name) == "" && strings.TrimSpace(in.Owner.IDNumber) == "" {
			in.Owner = nil
		} else {
			o, errs := preparePerson(*in.Owner, "owner", false, false, now)
			in.Owner = &o
			v = append(v, errs...)
		}
	}

	in.Summary = citizen.NormaliseText(in.Summary)
	if in.Summary == "" && ok {
		in.Summary = proc.Name
	}
	add(FieldSummary, citizen.CheckLength("Nội dung yêu cầu", in.Summary, MaxSummary))
	in.ReturnPlace = citizen.NormaliseText(in.ReturnPlace)
	add("return_place", citizen.CheckLength("Nơi trả kết quả", in.ReturnPlace, MaxAddress))

	if in.Sets == 0 {
		in.Sets = 1
	}
	if in.Sets < 1 || in.Sets > 50 {
		add(FieldSets, FieldError{Code: "intake.sets", Msg: "Số bộ hồ sơ phải từ 1 đến 50."})
	}
	if ok && proc.Fee.NeedsCopies() {
		if in.Copies < 1 || in.Copies > 1000 {
			add(FieldCopies, FieldError{Code: "intake.copies", Msg: "Số bản sao phải từ 1 đến 1.000."})
		}
	}
	if ok && proc.Fee.NeedsPages() {
		if in.Pages < 1 || in.Pages > 10000 {
			add(FieldPages, FieldError{Code: "intake.pages", Msg: "Số trang của bản chính phải từ 1 đến 10.000."})
		}
	}
	if ok {
		in.Documents = checklist(proc, in.Documents)
		var missing []string
		for _, d := range proc.Documents {
			if !d.Optional && !handedIn(in.Documents, d) {
				missing = append(missing, d.Name)
			}
		}
		if len(missing) > 0 {
			add(FieldDocuments, FieldError{Code: "intake.documents_missing",
				Msg:  "Còn thiếu giấy tờ bắt buộc: " + strings.Join(missing, "; ") + ". Hãy hướng dẫn công dân bổ sung trước khi tiếp nhận.",
				Args: map[string]string{"Missing": strings.Join(missing, "; ")}})
		}
		if in.Assisted && !proc.AssistAllowed {
			add(FieldProcedure, FieldError{Code: "intake.assist_forbidden", Msg: proc.AssistNote})
		}
	}
	if len(v) > 0 {
		return in, proc, v
	}
	return in, proc, nil
}

// Error makes FieldError usable as an error inside PrepareIntake.
func (e FieldError) Error() string { return e.Msg }

// add records a problem with a field, keeping the code and message of citizen and field
// errors (nil adds nothing).
func (v *ValidationError) add(field string, err error) {
	if err == nil {
		return
	}
	var ce *citizen.Error
	if errors.As(err, &ce) {
		*v = append(*v, FieldError{Field: field, Code: ce.Code, Msg: ce.Msg, Args: ce.Args})
		return
	}
	var fe FieldError
	if errors.As(err, &fe) {
		fe.Field = field
		*v = append(*v, fe)
		return
	}
	*v = append(*v, FieldError{Field: field, Code: "invalid", Msg: err.Error()})
}

// checklist keeps the handed-in components that belong to the procedure, in the
// procedure's order, with counts at least 1 and names from the catalogue.
func checklist(p Procedure, given []DocumentItem) []DocumentItem {
	var out []DocumentItem
	for _, d := range p.Documents {
		for _, g := range given {
			if (g.Code != "" && g.Code == d.Code) || (g.Code == "" && g.Name == d.Name) {
				item := DocumentItem{Code: d.Code, Name: d.Name, Form: d.Form, Count: g.Count}
				if g.Form != "" {
					item.Form = g.Form
				}
				if item.Count < 1 {
					item.Count = d.Count
				}
				out = append(out, item)
				break
			}
		}
	}
	return out
}

func handedIn(items []DocumentItem, d RequiredDocument) bool {
	for _, it := range items {
		if it.Code == d.Code && it.Name == d.Name {
			return true
		}
	}
	return false
}

// preparePerson normalises one person and reports problems with field names under prefix.
func preparePerson(p Person, prefix string, idRequired, addressRequired bool, now time.Time) (Person, ValidationError) {
	var v ValidationError
	add := v.add
	p.Name = citizen.NormaliseName(p.Name)
	add(prefix+".name", citizen.ValidateName(p.Name))

	p.IDNumber = strings.TrimSpace(p.IDNumber)
	var id citizen.ID
	var twelve bool
	if p.IDNumber == "" {
		if idRequired {
			add(prefix+".id_number", FieldError{Code: "intake.id_empty", Msg: "Vui lòng nhập số định danh cá nhân (CCCD) hoặc số CMND."})
		}
	} else if kind, n, err := citizen.ParseAnyID(p.IDNumber); err != nil {
		add(prefix+".id_number", err)
	} else {
		p.IDNumber = n
		if kind == citizen.KindPersonalID {
			id, _ = citizen.ParseID(n)
			twelve = true
		}
	}

	p.Birth = strings.TrimSpace(p.Birth)
	if p.Birth != "" {
		b, err := parseBirth(p.Birth)
		switch {
		case errors.Is(err, ErrNoSuchDate):
			add(prefix+".birth", FieldError{Code: "intake.birth_impossible", Msg: "Ngày sinh không có thật (ví dụ 31/02 hay 30/02): hãy kiểm tra lại ngày và tháng."})
		case err != nil:
			add(prefix+".birth", FieldError{Code: "intake.birth_format", Msg: "Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 15/03/1990."})
		case b.After(now):
			add(prefix+".birth", FieldError{Code: "intake.birth_future", Msg: "Ngày sinh không thể sau ngày hôm nay."})
		case b.Year() < 1900:
			add(prefix+".birth", FieldError{Code: "intake.birth_old", Msg: "Ngày sinh phải từ năm 1900 trở đi."})
		default:
			p.Birth = b.Format("2006-01-02")
			if twelve {
				add(prefix+".id_number", id.CheckBirth(b))
			}
		}
	}
	p.Sex = strings.TrimSpace(p.Sex)
	if p.Sex != "" {
		sx, err := citizen.ParseSex(p.Sex)
		if err != nil {
			add(prefix+".sex", err)
		} else {
			p.Sex = sx.String()
			if twelve {
				add(prefix+".id_number", id.CheckSex(sx))
			}
		}
	}
	if strings.TrimSpace(p.Phone) != "" {
		ph, err := citizen.NormalisePhone(p.Phone)
		add(prefix+".phone", err)
		if err == nil {
			p.Phone = ph
		}
	} else {
		p.Phone = ""
	}
	p.Email = strings.TrimSpace(p.Email)
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || utf8.RuneCountInString(p.Email) > MaxEmail || !strings.Contains(p.Email[strings.LastIndexByte(p.Email, '@')+1:], ".") {
			add(prefix+".email", FieldError{Code: "intake.email", Msg: "Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@gmail.com)."})
		}
	}
	p.Address = citizen.NormaliseAddress(p.Address)
	if p.Address == "" && addressRequired {
		add(prefix+".address", FieldError{Code: "intake.address_empty", Msg: "Vui lòng nhập địa chỉ liên hệ."})
	}
	add(prefix+".address", citizen.CheckLength("Địa chỉ", p.Address, MaxAddress))
	return p, v
}

// wholeDateRE is a string with a day, a month and a four-digit year in one of the forms
// parseBirth accepts.
var wholeDateRE = regexp.MustCompile(`^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{8}|\d{4}-\d{2}-\d{2})$`)

// ErrNoSuchDate is a date written in a right form that does not exist (31/02/2030).
var ErrNoSuchDate = errors.New("no such date")

// parseBirth accepts 15/03/1990, 15-03-1990, 15.03.1990, 15031990 and 1990-03-15. A date in
// one of those forms that is not in the calendar (31/02, 29/02 of a common year, month 13)
// gives ErrNoSuchDate, so the clerk is told the date, not the form, is wrong.
func parseBirth(s string) (time.Time, error) {
	impossible := false
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "02.01.2006", "02012006"} {
		t, err := time.ParseInLocation(layout, s, vnZone)
		if err == nil {
			return t, nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") && wholeDateRE.MatchString(s) {
			impossible = true
		}
	}
	if impossible {
		return time.Time{}, fmt.Errorf("%w: %q", ErrNoSuchDate, s)
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

// ParseDate parses a date the way the intake form accepts it.
func ParseDate(s string) (time.Time, error) { return parseBirth(strings.TrimSpace(s)) }
