package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"motcua/domain"
	"motcua/domain/citizen"
)

func denied(what string) error {
	return &domain.RuleError{Code: "perm.denied", Msg: "Tài khoản của bạn không có quyền " + what + ".", Kind: domain.ErrDenied}
}

// newEvent stamps an event made on this workstation now.
func (s *Store) newEvent(actor domain.Staff, streamID string, typ domain.EventType, payload any) (domain.Event, error) {
	cfg := s.Config()
	return domain.NewEvent(s.newID(), domain.StreamDossier, streamID, typ, payload, actor.Username, cfg.DeviceID, cfg.UnitCode, s.now(), s.clock.Now())
}

// Receive takes a dossier in at the counter: validates the intake, numbers it, computes the
// fee and the due date, and records it durably. The returned dossier is what the receipt
// shows; once Receive returns, the intake survives a power cut.
func (s *Store) Receive(ctx context.Context, actor domain.Staff, in domain.Intake) (domain.Dossier, error) {
	if !actor.Role.Can(domain.PermIntake) {
		return domain.Dossier{}, denied("tiếp nhận hồ sơ")
	}
	cfg := s.Config()
	if !cfg.Configured() {
		return domain.Dossier{}, &domain.RuleError{Code: "unit.unconfigured", Msg: "Máy trạm chưa được cài đặt mã đơn vị và số máy.", Kind: domain.ErrInvalid}
	}
	now := s.now()
	in, proc, err := domain.PrepareIntake(in, s.Catalogue(), now)
	if err != nil {
		return domain.Dossier{}, err
	}
	cal := s.Calendar()
	due := proc.Time.Due(cal, now)
	fee := proc.Fee.Compute(domain.FeeInput{Copies: in.Copies, Pages: in.Pages})
	returnPlace := in.ReturnPlace
	if returnPlace == "" {
		returnPlace = cfg.ReturnPlace
	}
	var d domain.Dossier
	err = s.tx(ctx, "receive", func(tx *sql.Tx) error {
		prefix := domain.DayPrefix(cfg.UnitCode, now, cfg.Slot)
		var n int
		if err := tx.QueryRowContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, 1)
			ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last`, prefix).Scan(&n); err != nil {
			return err
		}
		code, err := domain.NewDossierCode(cfg.UnitCode, now, cfg.Slot, n)
		if err != nil {
			return err
		}
		streamID := s.newID()
		e, err := s.newEvent(actor, streamID, domain.EvReceived, domain.ReceivedPayload{
			Code: code.String(),
			Procedure: domain.ProcedureRef{Code: proc.Code, Name: proc.Name, FieldCode: proc.FieldCode, Field: proc.Field,
				CatalogueVersion: s.Catalogue().Version, Time: proc.Time, ResultType: proc.ResultType},
			Applicant: in.Applicant, Owner: in.Owner, Subject: in.Subject, Channel: in.Channel, Summary: in.Summary,
			Documents: in.Documents, Sets: in.Sets, Copies: in.Copies, Pages: in.Pages, Fee: fee, DueAt: due,
			Assisted: in.Assisted, ReturnPlace: returnPlace,
		})
		if err != nil {
			return err
		}
		if d, err = s.appendLocal(ctx, tx, e); err != nil {
			return err
		}
		// The citizen served counts as a visit (lượt tiếp đón).
		if err := s.recordVisitTx(ctx, tx, actor, domain.VisitIntake, streamID); err != nil {
			return err
		}
		if in.Assisted && in.FormTemplate != "" {
			fe, err := s.newEvent(actor, streamID, domain.EvFormPrepared, domain.FormPreparedPayload{Template: in.FormTemplate, Values: in.FormValues})
			if err != nil {
				return err
			}
			if d, err = s.appendLocal(ctx, tx, fe); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return domain.Dossier{}, err
	}
	s.written()
	return d, nil
}

// Record appends one event a clerk recorded by hand on an existing dossier. The specific
// use cases below build the payloads; Record checks the role and the status machine.
func (s *Store) Record(ctx context.Context, actor domain.Staff, dossierID string, typ domain.EventType, payload any) (domain.Dossier, error) {
	if !actor.Role.Can(domain.EventPermission(typ)) {
		return domain.Dossier{}, denied(domain.ActionName(typ))
	}
	var d domain.Dossier
	err := s.tx(ctx, string(typ), func(tx *sql.Tx) error {
		cur, ok, err := currentDossier(ctx, tx, dossierID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("hồ sơ %s: %w", dossierID, domain.ErrNotFound)
		}
		p, err := s.completePayload(ctx, tx, cur, typ, payload)
		if err != nil {
			return err
		}
		e, err := s.newEvent(actor, dossierID, typ, p)
		if err != nil {
			return err
		}
		if d, err = s.appendLocal(ctx, tx, e); err != nil {
			return err
		}
		if typ == domain.EvHandedOver {
			return s.recordVisitTx(ctx, tx, actor, domain.VisitHandOver, dossierID)
		}
		return nil
	})
	if err != nil {
		return domain.Dossier{}, err
	}
	s.written()
	return d, nil
}

// completePayload applies the rules that need the calendar or the configuration.
func (s *Store) completePayload(ctx context.Context, tx *sql.Tx, d domain.Dossier, typ domain.EventType, payload any) (any, error) {
	now := s.now()
	invalid := func(field, code, msg string) error {
		return domain.ValidationError{{Field: field, Code: code, Msg: msg}}
	}
	switch p := payload.(type) {
	case domain.AcceptedPayload:
		due, err := s.AcceptDue(d, now)
		if err != nil {
			return nil, err
		}
		p.DueAt = due
		return p, nil
	case domain.SupplementReceivedPayload:
		// The clock stood still while the citizen was fetching papers: move the due date
		// by the working time of the pause.
		p.NewDueAt = d.ResumedDue(s.Calendar(), now)
		p.Note = citizen.NormaliseText(p.Note)
		return p, nil
	case domain.SupplementRequestedPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		var items []domain.SupplementItem
		for _, it := range p.Items {
			it.Name = citizen.NormaliseText(it.Name)
			if it.Name == "" {
				continue
			}
			if it.Count < 1 {
				it.Count = 1
			}
			if it.Form == "" {
				it.Form = domain.FormOriginal
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
	case domain.ReasonPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		if p.Reason == "" {
			return nil, invalid("reason", "reason.empty", "Vui lòng ghi rõ lý do.")
		}
		if err := citizen.CheckLength("Lý do", p.Reason, domain.MaxNote); err != nil {
			return nil, invalid("reason", "reason.long", err.Error())
		}
		return p, nil
	case domain.RescheduledPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		p.Agency = citizen.NormaliseText(p.Agency)
		if p.Reason == "" {
			return nil, invalid("reason", "reschedule.reason", "Vui lòng ghi lý do chậm trả kết quả.")
		}
		if limit := s.Config().RescheduleLimit; limit > 0 && len(d.Reschedules) >= limit {
			return nil, invalid("new_due_at", "reschedule.limit", fmt.Sprintf("Hồ sơ này đã được hẹn lại %d lần; không thể hẹn lại thêm.", len(d.Reschedules)))
		}
		if !p.NewDueAt.After(d.DueAt) {
			return nil, invalid("new_due_at", "reschedule.earlier", "Ngày hẹn mới phải sau ngày hẹn trả hiện tại.")
		}
		if !s.Calendar().IsWorkingDay(p.NewDueAt) {
			return nil, invalid("new_due_at", "reschedule.day_off", "Ngày hẹn mới rơi vào ngày nghỉ; hãy chọn một ngày làm việc.")
		}
		if p.Number == "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE type = ? AND unit = ?`, string(domain.EvRescheduled), s.Config().UnitCode).Scan(&n); err != nil {
				return nil, err
			}
			p.Number = fmt.Sprintf("%d/PXL", n+1)
		}
		return p, nil
	case domain.HandedOverPayload:
		return s.checkHandOver(d, p)
	case domain.StepPayload:
		p.Agency = citizen.NormaliseText(p.Agency)
		p.Content = citizen.NormaliseText(p.Content)
		if typ == domain.EvForwarded && p.Agency == "" {
			return nil, invalid("agency", "forward.agency", "Vui lòng ghi cơ quan, đơn vị nhận hồ sơ để giải quyết.")
		}
		return p, nil
	case domain.ResultReadyPayload:
		p.Result = citizen.NormaliseText(p.Result)
		if p.Result == "" {
			p.Result = d.Procedure.ResultType
		}
		return p, nil
	case domain.CorrectedPayload:
		p.Reason = citizen.NormaliseText(p.Reason)
		if p.Reason == "" {
			return nil, invalid("reason", "correct.reason", "Vui lòng ghi lý do đính chính.")
		}
		if p.Applicant != nil {
			a, errs := correctedPerson(*p.Applicant, now)
			if len(errs) > 0 {
				return nil, errs
			}
			p.Applicant = &a
		}
		return p, nil
	case domain.ConflictResolvedPayload:
		p.Note = citizen.NormaliseText(p.Note)
		if p.Note == "" {
			return nil, invalid("note", "conflict.note", "Vui lòng ghi nội dung quyết định xử lý xung đột.")
		}
		return p, nil
	}
	return payload, nil
}

func correctedPerson(p domain.Person, now time.Time) (domain.Person, domain.ValidationError) {
	in := domain.Intake{Applicant: p}
	cat := &domain.Catalogue{Version: "-"}
	out, _, err := domain.PrepareIntake(in, cat, now)
	var v domain.ValidationError
	if errors.As(err, &v) {
		var keep domain.ValidationError
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
func (s *Store) checkHandOver(d domain.Dossier, p domain.HandedOverPayload) (any, error) {
	var v domain.ValidationError
	p.Recipient.Name = citizen.NormaliseName(p.Recipient.Name)
	if err := citizen.ValidateName(p.Recipient.Name); err != nil {
		v = append(v, domain.FieldError{Field: "recipient.name", Code: "handover.name", Msg: err.Error()})
	}
	idn := strings.TrimSpace(p.Recipient.IDNumber)
	if idn == "" {
		v = append(v, domain.FieldError{Field: "recipient.id_number", Code: "handover.id_empty", Msg: "Vui lòng nhập số giấy tờ tùy thân của người nhận kết quả."})
	} else if _, n, err := citizen.ParseAnyID(idn); err != nil {
		v = append(v, domain.FieldError{Field: "recipient.id_number", Code: "handover.id", Msg: err.Error()})
	} else {
		p.Recipient.IDNumber = n
	}
	if p.Method == "" {
		p.Method = domain.HandOverCounter
	}
	switch p.Method {
	case domain.HandOverCounter, domain.HandOverPost, domain.HandOverElectronic:
	default:
		v = append(v, domain.FieldError{Field: "method", Code: "handover.method", Msg: "Hình thức trả kết quả không hợp lệ."})
	}
	if len(v) == 0 {
		own := p.Recipient.IDNumber == d.Applicant.IDNumber || (d.Owner != nil && p.Recipient.IDNumber == d.Owner.IDNumber)
		if own {
			p.Authorized = false
		} else {
			p.Authority = citizen.NormaliseText(p.Authority)
			if !p.Authorized || p.Authority == "" {
				v = append(v, domain.FieldError{Field: "authority", Code: "handover.authority",
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

// Accept accepts at the counter a dossier registered online (status 1 → 2): it counts as
// received now, by actor, and its due date is counted from now (AcceptDue). The receipt
// (Mẫu 01) can then be printed as for an intake.
func (s *Store) Accept(ctx context.Context, actor domain.Staff, id string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvAccepted, domain.AcceptedPayload{})
}

// AcceptDue is the due date of an online registration accepted at at: the processing time
// of its procedure (as registered, or else from the catalogue) counted on the working
// calendar.
func (s *Store) AcceptDue(d domain.Dossier, at time.Time) (time.Time, error) {
	t := d.Procedure.Time
	if t.Unit == "" {
		if p, ok := s.Catalogue().Lookup(d.Procedure.Code); ok {
			t = p.Time
		}
	}
	if t.Unit == "" {
		return time.Time{}, domain.ValidationError{{Field: "due_at", Code: "procedure.time",
			Msg: fmt.Sprintf("Thủ tục «%s» chưa có thời hạn giải quyết trong danh mục nên chưa tính được ngày hẹn trả. Hãy cập nhật danh mục thủ tục.", d.Procedure.Name)}}
	}
	return t.Due(s.Calendar(), at), nil
}

// RequestSupplement asks the citizen for more papers (Mẫu 02); the clock pauses.
func (s *Store) RequestSupplement(ctx context.Context, actor domain.Staff, id string, p domain.SupplementRequestedPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvSupplementRequested, p)
}

// ReceiveSupplement records that the papers arrived; the due date moves by the pause.
func (s *Store) ReceiveSupplement(ctx context.Context, actor domain.Staff, id, note string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvSupplementReceived, domain.SupplementReceivedPayload{Note: note})
}

// Refuse refuses the dossier with a reason (Mẫu 03).
func (s *Store) Refuse(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvRefused, domain.ReasonPayload{Reason: reason})
}

// Withdraw records the citizen's request to withdraw the dossier.
func (s *Store) Withdraw(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvWithdrawn, domain.ReasonPayload{Reason: reason})
}

// Forward sends the dossier to the unit that decides it.
func (s *Store) Forward(ctx context.Context, actor domain.Staff, id, agency, note string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvForwarded, domain.StepPayload{Agency: agency, Content: note})
}

// ResultReady records that the result is at the counter.
func (s *Store) ResultReady(ctx context.Context, actor domain.Staff, id string, p domain.ResultReadyPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvResultReady, p)
}

// Reschedule sets a new due date with an apology (Mẫu 04).
func (s *Store) Reschedule(ctx context.Context, actor domain.Staff, id, reason string, newDue time.Time) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvRescheduled, domain.RescheduledPayload{Reason: reason, NewDueAt: newDue})
}

// HandOver records the return of the result (an entry of the electronic return book).
func (s *Store) HandOver(ctx context.Context, actor domain.Staff, id string, p domain.HandedOverPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvHandedOver, p)
}

// Correct corrects data entered by mistake (supervisor).
func (s *Store) Correct(ctx context.Context, actor domain.Staff, id string, p domain.CorrectedPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvCorrected, p)
}

// ResolveConflict records a supervisor's decision on conflicting events.
func (s *Store) ResolveConflict(ctx context.Context, actor domain.Staff, id string, p domain.ConflictResolvedPayload) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvConflictResolved, p)
}
