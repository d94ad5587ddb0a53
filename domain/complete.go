package domain

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"motcua/domain/calendar"
	"motcua/domain/citizen"
)

// Completion is what completing a clerk's action needs besides the dossier: the time, the
// working calendar, the catalogue and the unit's limits. The store fills it in; nothing in
// it reads a database, so the rules are tested without one.
type Completion struct {
	Now       time.Time
	Calendar  *calendar.Calendar
	Catalogue *Catalogue // for the processing time of an online registration registered without one
	// RescheduleLimit is how many times a dossier may be rescheduled (0: no limit).
	RescheduleLimit int
	// LettersIssued counts the letters of apology (Mẫu 04) the unit has issued so far, to
	// number the next one ("n/PXL"). Called only when a letter needs a number.
	LettersIssued func() (int, error)
}

// recordable are the event types a clerk records by hand on an existing dossier (Record);
// the others are made by an intake, by the city or by another stream.
var recordable = map[EventType]bool{
	EvAccepted: true, EvSupplementRequested: true, EvSupplementReceived: true, EvRefused: true, EvWithdrawn: true,
	EvStopped: true, EvForwarded: true, EvProgress: true, EvPaymentRequested: true, EvPaymentRecorded: true,
	EvResultReady: true, EvRescheduled: true, EvHandedOver: true, EvCorrected: true, EvFileAttached: true,
	EvConflictResolved: true,
}

// CheckRecordable refuses an action a clerk cannot record by hand on a dossier, or a
// payload that is not the one its event type carries: a payload the rules below do not
// know would otherwise be stored unchecked.
func CheckRecordable(typ EventType, payload any) error {
	if !recordable[typ] {
		return &RuleError{Code: "event.not_recordable", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Thao tác «%s» không ghi nhận trực tiếp trên hồ sơ được.", ActionName(typ))}
	}
	if want := reflect.TypeOf(newPayload(typ)).Elem(); reflect.TypeOf(payload) != want {
		return &RuleError{Code: "event.payload", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Dữ liệu của thao tác «%s» không đúng loại.", ActionName(typ))}
	}
	return nil
}

// Complete checks and completes the payload of an action a clerk records on dossier d:
// it normalises the text, refuses what breaks a rule (every problem as a coded
// ValidationError with a Vietnamese message), and fills in what the rules decide — the
// due date counted on the calendar, the due date moved by a supplement pause, the number
// of a letter of apology, the documents handed over. An unknown action or a payload of the
// wrong type is refused (CheckRecordable).
func Complete(d Dossier, typ EventType, payload any, c Completion) (any, error) {
	if err := CheckRecordable(typ, payload); err != nil {
		return nil, err
	}
	invalid := func(field, code, msg string) error {
		return ValidationError{{Field: field, Code: code, Msg: msg}}
	}
	switch p := payload.(type) {
	case AcceptedPayload:
		due, err := d.AcceptDue(c.Calendar, c.Catalogue, c.Now)
		if err != nil {
			return nil, err
		}
		p.DueAt = due
		return p, nil
	case SupplementReceivedPayload:
		// The clock stood still while the citizen was fetching papers: move the due date
		// by the working time of the pause.
		p.NewDueAt = d.ResumedDue(c.Calendar, c.Now)
		p.Note = citizen.NormaliseText(p.Note)
		return p, nil
	case SupplementRequestedPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		var items []SupplementItem
		for _, it := range p.Items {
			it.Name = citizen.NormaliseText(it.Name)
			if it.Name == "" {
				continue
			}
			if it.Count < 1 {
				it.Count = 1
			}
			if it.Form == "" {
				it.Form = FormOriginal
			}
			items = append(items, it)
		}
		p.Items = items
		if len(items) == 0 {
			return nil, invalid("items", "supplement.items", "Vui lòng ghi ít nhất một giấy tờ cần bổ sung (phải yêu cầu đầy đủ trong một lần).")
		}
		if p.Reason == "" {
			return nil, invalid("reason", "supplement.reason", "Vui lòng ghi lý do yêu cầu bổ sung.")
		}
		return p, nil
	case ReasonPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		if p.Reason == "" {
			return nil, invalid("reason", "reason.empty", "Vui lòng ghi rõ lý do.")
		}
		if err := citizen.CheckLength("Lý do", p.Reason, MaxNote); err != nil {
			return nil, invalid("reason", "reason.long", err.Error())
		}
		return p, nil
	case RescheduledPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		p.Agency = citizen.NormaliseText(p.Agency)
		if p.Reason == "" {
			return nil, invalid("reason", "reschedule.reason", "Vui lòng ghi lý do chậm trả kết quả.")
		}
		if limit := c.RescheduleLimit; limit > 0 && len(d.Reschedules) >= limit {
			return nil, invalid("new_due_at", "reschedule.limit", fmt.Sprintf("Hồ sơ này đã được hẹn lại %d lần; không thể hẹn lại thêm.", len(d.Reschedules)))
		}
		if !p.NewDueAt.After(d.DueAt) {
			return nil, invalid("new_due_at", "reschedule.earlier", "Ngày hẹn mới phải sau ngày hẹn trả hiện tại.")
		}
		if !c.Calendar.IsWorkingDay(p.NewDueAt) {
			return nil, invalid("new_due_at", "reschedule.day_off", "Ngày hẹn mới rơi vào ngày nghỉ; hãy chọn một ngày làm việc.")
		}
		if p.Number == "" && c.LettersIssued != nil {
			n, err := c.LettersIssued()
			if err != nil {
				return nil, err
			}
			p.Number = fmt.Sprintf("%d/PXL", n+1)
		}
		return p, nil
	case HandedOverPayload:
		return checkHandOver(d, p)
	case StepPayload:
		p.Agency = citizen.NormaliseText(p.Agency)
		p.Content = citizen.NormaliseText(p.Content)
		if typ == EvForwarded && p.Agency == "" {
			return nil, invalid("agency", "forward.agency", "Vui lòng ghi cơ quan, đơn vị nhận hồ sơ để giải quyết.")
		}
		return p, nil
	case ResultReadyPayload:
		p.Result = citizen.NormaliseText(p.Result)
		if p.Result == "" {
			p.Result = d.Procedure.ResultType
		}
		return p, nil
	case CorrectedPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		if p.Reason == "" {
			return nil, invalid("reason", "correct.reason", "Vui lòng ghi lý do đính chính.")
		}
		if p.Applicant != nil {
			a, errs := correctedPerson(*p.Applicant, c.Now)
			if len(errs) > 0 {
				return nil, errs
			}
			p.Applicant = &a
		}
		return p, nil
	case ConflictResolvedPayload:
		p.Note = citizen.NormaliseText(p.Note)
		if p.Note == "" {
			return nil, invalid("note", "conflict.note", "Vui lòng ghi nội dung quyết định xử lý xung đột.")
		}
		return p, nil
	}
	// Payments and attached files carry no rule of their own here (the store checks that an
	// attached file exists).
	return payload, nil
}

// AcceptDue is the due date of an online registration accepted at at: the processing time
// of its procedure (as registered, or else from the catalogue) counted on the working
// calendar. A procedure with no processing time anywhere is refused: no due date can be
// promised.
func (d Dossier) AcceptDue(cal *calendar.Calendar, cat *Catalogue, at time.Time) (time.Time, error) {
	t := d.Procedure.Time
	if t.Unit == "" && cat != nil {
		if p, ok := cat.Lookup(d.Procedure.Code); ok {
			t = p.Time
		}
	}
	if t.Unit == "" {
		return time.Time{}, ValidationError{{Field: "due_at", Code: "procedure.time",
			Msg: fmt.Sprintf("Thủ tục «%s» chưa có thời hạn giải quyết trong danh mục nên chưa tính được ngày hẹn trả. Hãy cập nhật danh mục thủ tục.", d.Procedure.Name)}}
	}
	return t.Due(cal, at), nil
}

// correctedPerson checks a corrected applicant as an intake checks one, keeping only the
// applicant's problems.
func correctedPerson(p Person, now time.Time) (Person, ValidationError) {
	in := Intake{Applicant: p}
	cat := &Catalogue{Version: "-"}
	out, _, err := PrepareIntake(in, cat, now)
	var v ValidationError
	if errors.As(err, &v) {
		var keep ValidationError
		for _, fe := range v {
			if strings.HasPrefix(fe.Field, "applicant.") {
				keep = append(keep, fe)
			}
		}
		if len(keep) > 0 {
			return p, keep
		}
	}
	return out.Applicant, nil
}

// checkHandOver verifies the recipient: the applicant or owner by ID number, or an
// authorised person who shows their ID and the authorisation.
func checkHandOver(d Dossier, p HandedOverPayload) (any, error) {
	var v ValidationError
	p.Recipient.Name = citizen.NormaliseName(p.Recipient.Name)
	if err := citizen.ValidateName(p.Recipient.Name); err != nil {
		v = append(v, FieldError{Field: "recipient.name", Code: "handover.name", Msg: err.Error()})
	}
	idn := strings.TrimSpace(p.Recipient.IDNumber)
	if idn == "" {
		v = append(v, FieldError{Field: "recipient.id_number", Code: "handover.id_empty", Msg: "Vui lòng nhập số giấy tờ tùy thân của người nhận kết quả."})
	} else if _, n, err := citizen.ParseAnyID(idn); err != nil {
		v = append(v, FieldError{Field: "recipient.id_number", Code: "handover.id", Msg: err.Error()})
	} else {
		p.Recipient.IDNumber = n
	}
	if p.Method == "" {
		p.Method = HandOverCounter
	}
	switch p.Method {
	case HandOverCounter, HandOverPost, HandOverElectronic:
	default:
		v = append(v, FieldError{Field: "method", Code: "handover.method", Msg: "Hình thức trả kết quả không hợp lệ."})
	}
	if len(v) == 0 {
		own := p.Recipient.IDNumber == d.Applicant.IDNumber || (d.Owner != nil && p.Recipient.IDNumber == d.Owner.IDNumber)
		if own {
			p.Authorized = false
		} else {
			p.Authority = citizen.NormaliseText(p.Authority)
			if !p.Authorized || p.Authority == "" {
				v = append(v, FieldError{Field: "authority", Code: "handover.authority",
					Msg: "Người nhận không phải người nộp hoặc chủ hồ sơ: cần ghi giấy ủy quyền hoặc giấy tờ chứng minh được nhận thay."})
			}
		}
	}
	if len(v) > 0 {
		return nil, v
	}
	if p.Documents == "" {
		p.Documents = d.Procedure.ResultType
	}
	return p, nil
}
