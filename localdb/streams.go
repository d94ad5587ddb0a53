package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"motcua/domain"
	"motcua/domain/citizen"
)

// Feedback items and visits are event streams too: appended like dossier events (waiting
// for sync, audited) and projected into their own tables.

// newStreamEvent stamps an event of a non-dossier stream made on this workstation.
func (s *Store) newStreamEvent(actor domain.Staff, stream, streamID string, typ domain.EventType, payload any) (domain.Event, error) {
	cfg := s.Config()
	return domain.NewEvent(s.newID(), stream, streamID, typ, payload, actor.Username, cfg.DeviceID, cfg.UnitCode, s.now(), s.clock.Now())
}

// appendStream appends a local feedback, visit or hand-off event and updates its projection.
func (s *Store) appendStream(ctx context.Context, tx *sql.Tx, e domain.Event) error {
	if _, err := domain.DecodePayload(e); err != nil {
		return &domain.RuleError{Code: "event.payload", Msg: err.Error(), Kind: domain.ErrInvalid}
	}
	if e.Stream == domain.StreamFeedback || e.Stream == domain.StreamHandoff {
		evs, err := streamEvents(ctx, tx, e.StreamID)
		if err != nil {
			return err
		}
		var conflicts []domain.Conflict
		if e.Stream == domain.StreamFeedback {
			conflicts = domain.FoldFeedback(append(evs, e)).Conflicts
		} else {
			conflicts = domain.FoldHandoff(append(evs, e)).Conflicts
		}
		for _, c := range conflicts {
			if c.EventID == e.ID {
				return &domain.RuleError{Code: c.Code, Msg: c.Msg, Kind: domain.ErrConflict}
			}
		}
	}
	s.sign(&e)
	if _, err := insertEvent(ctx, tx, e, true); err != nil {
		return err
	}
	if err := s.refoldStream(ctx, tx, e.Stream, e.StreamID); err != nil {
		return err
	}
	return s.audit(ctx, tx, e.Actor, string(e.Type), e.StreamID, e.ID)
}

// recordVisitTx counts one citizen served, inside the caller's transaction.
func (s *Store) recordVisitTx(ctx context.Context, tx *sql.Tx, actor domain.Staff, kind, dossierID string) error {
	e, err := s.newStreamEvent(actor, domain.StreamVisit, s.newID(), domain.EvVisit, domain.VisitPayload{Kind: kind, DossierID: dossierID})
	if err != nil {
		return err
	}
	return s.appendStream(ctx, tx, e)
}

// RecordVisit counts a citizen served without a dossier (guidance, a question): the one
// keystroke at the counter. Intakes and hand-overs count themselves.
func (s *Store) RecordVisit(ctx context.Context, actor domain.Staff) error {
	if !actor.Role.Can(domain.PermVisit) {
		return denied("ghi nhận lượt tiếp đón")
	}
	if err := s.tx(ctx, "visit", func(tx *sql.Tx) error { return s.recordVisitTx(ctx, tx, actor, domain.VisitConsult, "") }); err != nil {
		return err
	}
	s.written()
	return nil
}

// Visits counts visits between two times, per day, staff member and kind.
func (s *Store) Visits(ctx context.Context, from, to time.Time) ([]VisitCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT date(at / 1000, 'unixepoch', '+7 hours'), staff, kind, COUNT(*) FROM visits
		WHERE at >= ? AND at < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("visits: %w", err)
	}
	defer rows.Close()
	var out []VisitCount
	for rows.Next() {
		var v VisitCount
		if err := rows.Scan(&v.Day, &v.Staff, &v.Kind, &v.N); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Store) projectVisit(ctx context.Context, tx *sql.Tx, e domain.Event) error {
	var p domain.VisitPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO visits(id, at, staff, kind, dossier_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, e.StreamID, e.At.UnixMilli(), e.Actor, p.Kind, p.DossierID)
	return err
}

func (s *Store) projectFeedback(ctx context.Context, tx *sql.Tx, streamID string) error {
	evs, err := streamEvents(ctx, tx, streamID)
	if err != nil {
		return err
	}
	f := domain.FoldFeedback(evs)
	if f.ID == "" {
		return nil // its opening event has not arrived yet
	}
	doc, _ := json.Marshal(f)
	_, err = tx.ExecContext(ctx, `INSERT INTO feedback(id, status, channel, citizen, dossier_code, received_at, received_by, assigned_to,
			resolved_at, published_at, conflicts, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, channel = excluded.channel, citizen = excluded.citizen,
			dossier_code = excluded.dossier_code, received_at = excluded.received_at, received_by = excluded.received_by,
			assigned_to = excluded.assigned_to, resolved_at = excluded.resolved_at, published_at = excluded.published_at,
			conflicts = excluded.conflicts, doc = excluded.doc`,
		f.ID, int(f.Status), f.Channel, f.Citizen.Name, f.DossierCode, f.ReceivedAt.UnixMilli(), f.ReceivedBy, f.AssignedTo,
		ms(f.ResolvedAt), ms(f.PublishedAt), len(f.Conflicts), string(doc))
	return err
}

// ReceiveFeedback records a citizen's feedback.
func (s *Store) ReceiveFeedback(ctx context.Context, actor domain.Staff, p domain.FeedbackReceivedPayload) (domain.Feedback, error) {
	if !actor.Role.Can(domain.PermFeedback) {
		return domain.Feedback{}, denied("ghi nhận phản ánh, kiến nghị")
	}
	p, err := domain.PrepareFeedback(p)
	if err != nil {
		return domain.Feedback{}, err
	}
	id := s.newID()
	return s.feedbackEvent(ctx, actor, id, domain.EvFeedbackReceived, p)
}

// AssignFeedback hands a feedback item to a staff member (supervisor).
func (s *Store) AssignFeedback(ctx context.Context, actor domain.Staff, id, to, note string) (domain.Feedback, error) {
	if !actor.Role.Can(domain.PermSupervise) {
		return domain.Feedback{}, denied("giao xử lý phản ánh")
	}
	return s.feedbackEvent(ctx, actor, id, domain.EvFeedbackAssigned, domain.FeedbackAssignedPayload{To: to, Note: citizen.NormaliseText(note)})
}

// ResolveFeedback records the answer.
func (s *Store) ResolveFeedback(ctx context.Context, actor domain.Staff, id, answer string) (domain.Feedback, error) {
	if !actor.Role.Can(domain.PermSupervise) {
		return domain.Feedback{}, denied("trả lời phản ánh")
	}
	answer = citizen.NormaliseText(answer)
	if answer == "" {
		return domain.Feedback{}, domain.ValidationError{{Field: "answer", Code: "feedback.answer", Msg: "Vui lòng ghi nội dung trả lời."}}
	}
	return s.feedbackEvent(ctx, actor, id, domain.EvFeedbackResolved, domain.FeedbackResolvedPayload{Answer: answer})
}

// PublishFeedback records that the answer was made public.
func (s *Store) PublishFeedback(ctx context.Context, actor domain.Staff, id, where string) (domain.Feedback, error) {
	if !actor.Role.Can(domain.PermSupervise) {
		return domain.Feedback{}, denied("công khai kết quả trả lời phản ánh")
	}
	return s.feedbackEvent(ctx, actor, id, domain.EvFeedbackPublished, domain.FeedbackPublishedPayload{Where: citizen.NormaliseText(where)})
}

func (s *Store) feedbackEvent(ctx context.Context, actor domain.Staff, id string, typ domain.EventType, p any) (domain.Feedback, error) {
	var f domain.Feedback
	err := s.tx(ctx, string(typ), func(tx *sql.Tx) error {
		e, err := s.newStreamEvent(actor, domain.StreamFeedback, id, typ, p)
		if err != nil {
			return err
		}
		if err := s.appendStream(ctx, tx, e); err != nil {
			return err
		}
		f, err = feedbackByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	s.written()
	return f, nil
}

func feedbackByID(ctx context.Context, q queryer, id string) (domain.Feedback, error) {
	v, ok, err := projected[domain.Feedback](ctx, q, "feedback", id)
	if err == nil && !ok {
		err = fmt.Errorf("phản ánh %s: %w", id, domain.ErrNotFound)
	}
	return v, err
}

// ListFeedback returns feedback received in [from, to), newest first; status 0 means any.
func (s *Store) ListFeedback(ctx context.Context, from, to time.Time, status domain.FeedbackStatus, limit int) ([]domain.Feedback, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM feedback WHERE received_at >= ? AND received_at < ? AND (? = 0 OR status = ?)
		ORDER BY received_at DESC LIMIT ?`, from.UnixMilli(), to.UnixMilli(), int(status), int(status), limit)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	defer rows.Close()
	var out []domain.Feedback
	for rows.Next() {
		var doc string
		var f domain.Feedback
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// CountFeedback counts the feedback received in [from, to) by where it stands now.
func (s *Store) CountFeedback(ctx context.Context, from, to time.Time) (FeedbackCounts, error) {
	var c FeedbackCounts
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*),
			COALESCE(SUM(status IN (3, 4)), 0), COALESCE(SUM(status = 4), 0), COALESCE(SUM(status IN (1, 2)), 0)
		FROM feedback WHERE received_at >= ? AND received_at < ?`, from.UnixMilli(), to.UnixMilli()).
		Scan(&c.Received, &c.ResolvedOrPublished, &c.Published, &c.InProgress)
	return c, err
}
