package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"motcua/domain"
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
	if in.Assisted && in.FormTemplate != "" {
		// The declaration filled in for the citizen is kept with the dossier: it must be
		// one the app knows, complete and valid.
		if in.FormValues, err = s.Declarations().Validate(in.FormTemplate, in.FormValues, now); err != nil {
			return domain.Dossier{}, err
		}
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
		handoff := ""
		if in.Handoff != "" {
			// Taken from the hand-off queue: the entry must be the one this clerk claimed.
			h, err := s.receivedFromHandoff(ctx, tx, actor, in.Handoff)
			if err != nil {
				return err
			}
			handoff = h.Number
		}
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
			fe, err := s.newEvent(actor, streamID, domain.EvFormPrepared, domain.FormPreparedPayload{Template: in.FormTemplate, Values: in.FormValues, Handoff: handoff})
			if err != nil {
				return err
			}
			if d, err = s.appendLocal(ctx, tx, fe); err != nil {
				return err
			}
		}
		if in.Handoff != "" {
			// The entry now names the dossier it became, on every workstation.
			if err := s.linkHandoff(ctx, tx, actor, in.Handoff, d); err != nil {
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

// Record appends one event a clerk recorded by hand on an existing dossier. The typed use
// cases below (Accept, RequestSupplement, …) build the payloads and are the way to call it;
// Record checks the role, refuses an action it does not know or a payload of the wrong type
// (a coded domain error, nothing written), completes the payload by the domain's rules and
// checks the status machine.
func (s *Store) Record(ctx context.Context, actor domain.Staff, dossierID string, typ domain.EventType, payload any) (domain.Dossier, error) {
	if err := domain.CheckRecordable(typ, payload); err != nil {
		return domain.Dossier{}, err
	}
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

// completePayload completes an action's payload by the domain's rules (domain.Complete)
// with this store's time, calendar, catalogue and limits; the only query is the count of
// letters of apology that numbers a new one.
func (s *Store) completePayload(ctx context.Context, tx *sql.Tx, d domain.Dossier, typ domain.EventType, payload any) (any, error) {
	cfg := s.Config()
	return domain.Complete(d, typ, payload, domain.Completion{
		Now: s.now(), Calendar: s.Calendar(), Catalogue: s.Catalogue(), RescheduleLimit: cfg.RescheduleLimit,
		LettersIssued: func() (n int, err error) {
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE type = ? AND unit = ?`, string(domain.EvRescheduled), cfg.UnitCode).Scan(&n)
			return n, err
		},
	})
}

// Accept accepts at the counter a dossier registered online (status 1 → 2): it counts as
// received now, by actor, and its due date is counted from now (AcceptDue). The receipt
// (Mẫu 01) can then be printed as for an intake.
func (s *Store) Accept(ctx context.Context, actor domain.Staff, id string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvAccepted, domain.AcceptedPayload{})
}

// AcceptDue is the due date of an online registration accepted at at (Dossier.AcceptDue
// on this store's calendar and catalogue).
func (s *Store) AcceptDue(d domain.Dossier, at time.Time) (time.Time, error) {
	return d.AcceptDue(s.Calendar(), s.Catalogue(), at)
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

// Rescheduling (Mẫu 04) is Postpone, in usecases_ui.go.

// Stop stops the processing of the dossier with a reason (Mẫu 05).
func (s *Store) Stop(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error) {
	return s.Record(ctx, actor, id, domain.EvStopped, domain.ReasonPayload{Reason: reason})
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
