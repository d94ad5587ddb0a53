package domain

import (
	"fmt"
	"strings"
	"time"
)

// transition says from which statuses an event may be applied and where it leads
// (to == StatusNone: the status does not change).
type transition struct {
	from []Status
	to   Status
}

var (
	open        = []Status{StatusAccepted, StatusProcessing, StatusSupplement, StatusAwaitingPayment}
	openOrNew   = append([]Status{StatusRegistered}, open...)
	anyExisting = AllStatuses()
)

var transitions = map[EventType]transition{
	EvRegisteredOnline:    {from: []Status{StatusNone}, to: StatusRegistered},
	EvReceived:            {from: []Status{StatusNone}, to: StatusAccepted},
	EvAccepted:            {from: []Status{StatusRegistered}, to: StatusAccepted},
	EvSupplementRequested: {from: []Status{StatusRegistered, StatusAccepted, StatusProcessing}, to: StatusSupplement},
	EvSupplementReceived:  {from: []Status{StatusSupplement}}, // back to where it was
	EvRefused:             {from: openOrNew, to: StatusRefused},
	EvWithdrawn:           {from: openOrNew, to: StatusWithdrawn},
	EvForwarded:           {from: []Status{StatusAccepted, StatusProcessing}, to: StatusProcessing},
	EvProgress:            {from: []Status{StatusAccepted, StatusProcessing}, to: StatusProcessing},
	EvPaymentRequested:    {from: []Status{StatusAccepted, StatusProcessing}, to: StatusAwaitingPayment},
	EvPaymentRecorded:     {from: []Status{StatusAwaitingPayment}, to: StatusProcessing},
	EvStopped:             {from: open, to: StatusStopped},
	EvResultReady:         {from: []Status{StatusAccepted, StatusProcessing}, to: StatusResultReady},
	EvRescheduled:         {from: open},
	EvHandedOver:          {from: []Status{StatusResultReady}, to: StatusReturned},
	EvCorrected:           {from: anyExisting},
	EvCodeAssigned:        {from: anyExisting},
	EvFileAttached:        {from: anyExisting},
	EvFormPrepared:        {from: anyExisting},
	EvConflictResolved:    {from: anyExisting},
}

// Allowed reports whether an event of type t may be applied to a dossier in status s.
func Allowed(t EventType, s Status) bool {
	tr, ok := transitions[t]
	if !ok {
		return false
	}
	for _, f := range tr.from {
		if f == s {
			return true
		}
	}
	return false
}

// StatusAfter is the status an event of type t leads to, and false when it leaves the
// status as it is (or t is unknown). A supplement received goes back to the status the
// dossier was in when the papers were asked for, pausedFrom (Accepted when unknown); no
// other event looks at it.
func StatusAfter(t EventType, pausedFrom Status) (Status, bool) {
	if t == EvSupplementReceived {
		if pausedFrom == StatusNone {
			return StatusAccepted, true
		}
		return pausedFrom, true
	}
	tr, ok := transitions[t]
	if !ok || tr.to == StatusNone {
		return StatusNone, false
	}
	return tr.to, true
}

// MayBeUnaccepted reports whether a dossier in status s may never have been accepted at
// the counter: an online registration still waiting, or one asked for papers, refused,
// withdrawn or stopped before it was. Derived from the transitions: the statuses reached
// from Registered by any event but acceptance.
func (s Status) MayBeUnaccepted() bool { return unaccepted[s] }

var unaccepted = func() map[Status]bool {
	seen := map[Status]bool{StatusRegistered: true}
	for grown := true; grown; {
		grown = false
		for t, tr := range transitions {
			if t == EvAccepted {
				continue
			}
			for _, f := range tr.from {
				// A supplement received goes back to a status already seen; Registered
				// stands for it.
				if to, ok := StatusAfter(t, StatusRegistered); seen[f] && ok && !seen[to] {
					seen[to], grown = true, true
				}
			}
		}
	}
	return seen
}()

// Actions lists the event types a clerk may record on a dossier in status s, in the order
// a screen offers them.
func Actions(s Status) []EventType {
	var out []EventType
	for _, t := range []EventType{EvAccepted, EvSupplementRequested, EvSupplementReceived, EvForwarded,
		EvResultReady, EvHandedOver, EvRescheduled, EvRefused, EvWithdrawn} {
		if Allowed(t, s) {
			out = append(out, t)
		}
	}
	return out
}

// Fold turns a dossier's events into the dossier. It is pure and order-independent: the
// events are sorted by (hlc, device, id) and duplicates (same id) count once. An event
// that breaks a rule is kept in Conflicts instead of being applied.
func Fold(events []Event) Dossier {
	evs := append([]Event(nil), events...)
	SortEvents(evs)
	var d Dossier
	var prev string
	for i, e := range evs {
		if i > 0 && e.ID == prev {
			continue
		}
		prev = e.ID
		d.Fold(e)
	}
	return d
}

// Fold applies one event that orders after every event already applied; a rule it breaks
// becomes a conflict. Events must arrive in fold order (see Event.Before).
func (d *Dossier) Fold(e Event) {
	if err := d.Apply(e); err != nil {
		code, msg := "event.invalid", err.Error()
		if re, ok := err.(*RuleError); ok {
			code, msg = re.Code, re.Msg
		}
		c := Conflict{EventID: e.ID, Type: e.Type, At: e.At, Actor: e.Actor, Device: e.Device, Code: code, Msg: msg}
		if r, ok := d.resolvedIDs[e.ID]; ok {
			c.Resolved, c.ResolvedBy, c.Resolution = true, r.by, r.note
		}
		d.Conflicts = append(d.Conflicts, c)
		d.count(e)
	}
}

// count keeps the bookkeeping every folded event updates, applied or not.
func (d *Dossier) count(e Event) {
	d.Events++
	if e.HLC > d.LastHLC {
		d.LastHLC = e.HLC
	}
	if e.At.After(d.UpdatedAt) {
		d.UpdatedAt = e.At.UTC()
	}
}

// Check tells whether e could be applied now, without changing d.
func (d Dossier) Check(e Event) error {
	c := d.Clone()
	return c.Apply(e)
}

// Apply applies one event to the dossier or returns why it cannot, leaving d unchanged on error.
func (d *Dossier) Apply(e Event) error {
	if err := d.apply(e); err != nil {
		return err
	}
	d.count(e)
	return nil
}

func (d *Dossier) apply(e Event) error {
	if d.ID != "" && e.StreamID != d.ID {
		return &RuleError{Code: "event.stream", Msg: fmt.Sprintf("sự kiện %s không thuộc hồ sơ này", e.ID), Kind: ErrInvalid}
	}
	_, ok := transitions[e.Type]
	if !ok {
		return &RuleError{Code: "event.type", Msg: fmt.Sprintf("loại sự kiện không hợp lệ: %s", e.Type), Kind: ErrInvalid}
	}
	if !Allowed(e.Type, d.Status) {
		return &RuleError{Code: "status.not_allowed",
			Msg:  fmt.Sprintf("Không thể %s khi hồ sơ đang ở trạng thái «%s».", ActionName(e.Type), d.Status),
			Kind: ErrConflict}
	}
	p, err := DecodePayload(e)
	if err != nil {
		return &RuleError{Code: "event.payload", Msg: err.Error(), Kind: ErrInvalid}
	}
	at := e.At.UTC()
	switch v := p.(type) {
	case *ReceivedPayload:
		d.ID = e.StreamID
		d.Unit = e.Unit
		d.Code = v.Code
		d.Procedure = v.Procedure
		d.Applicant = v.Applicant
		d.Owner = v.Owner
		d.Subject = v.Subject
		d.Channel = v.Channel
		d.Summary = v.Summary
		d.Documents = v.Documents
		d.Sets, d.Copies, d.Pages = v.Sets, v.Copies, v.Pages
		d.Fee = v.Fee
		d.Assisted = v.Assisted
		d.ReturnPlace = v.ReturnPlace
		if e.Type == EvRegisteredOnline {
			d.RegisteredAt = at
		} else {
			d.ReceivedAt, d.ReceivedBy = at, e.Actor
			d.DueAt, d.OriginalDueAt = v.DueAt.UTC(), v.DueAt.UTC()
		}
	case *AcceptedPayload:
		d.ReceivedAt, d.ReceivedBy = at, e.Actor
		d.DueAt, d.OriginalDueAt = v.DueAt.UTC(), v.DueAt.UTC()
	case *SupplementRequestedPayload:
		d.PausedFrom = d.Status
		d.Supplements = append(d.Supplements, SupplementRound{RequestedAt: at, Items: v.Items, Reason: v.Reason,
			GuideName: v.GuideName, GuidePhone: v.GuidePhone, DueBefore: d.DueAt})
	case *SupplementReceivedPayload:
		if n := len(d.Supplements); n > 0 {
			last := &d.Supplements[n-1]
			last.ReceivedAt, last.DueAfter = at, v.NewDueAt.UTC()
		}
		d.DueAt = v.NewDueAt.UTC()
		d.Status, _ = StatusAfter(e.Type, d.PausedFrom)
		d.PausedFrom = StatusNone
		return nil
	case *ReasonPayload:
		d.ClosedAt, d.CloseReason = at, v.Reason
	case *StepPayload:
		if e.Type == EvForwarded && d.ForwardedAt.IsZero() {
			d.ForwardedAt = at
		}
		d.Steps = append(d.Steps, Step{At: at, Kind: e.Type, Agency: v.Agency, Handler: v.Handler, Title: v.Title, Content: v.Content, By: e.Actor})
	case *PaymentPayload:
		if e.Type == EvPaymentRecorded {
			d.FeePaid += v.Amount
		}
		d.Steps = append(d.Steps, Step{At: at, Kind: e.Type, Content: v.Name, By: e.Actor})
	case *ResultReadyPayload:
		d.ResultAt, d.ResultFrom = at, v.Agency
		if v.Electronic {
			d.EResult = true
		}
		d.Steps = append(d.Steps, Step{At: at, Kind: e.Type, Agency: v.Agency, Content: v.Result, By: e.Actor})
	case *RescheduledPayload:
		d.Reschedules = append(d.Reschedules, Reschedule{At: at, Number: v.Number, Agency: v.Agency, Reason: v.Reason,
			OldDueAt: d.DueAt, NewDueAt: v.NewDueAt.UTC(), By: e.Actor})
		d.DueAt = v.NewDueAt.UTC()
	case *HandedOverPayload:
		d.ReturnedAt = at
		d.HandOver = &HandOver{At: at, By: e.Actor, Recipient: v.Recipient, Authorized: v.Authorized,
			Authority: v.Authority, Method: v.Method, Documents: v.Documents}
	case *CorrectedPayload:
		if v.Applicant != nil {
			d.Applicant = *v.Applicant
		}
		if v.Owner != nil {
			d.Owner = v.Owner
			if v.Owner.Name == "" {
				d.Owner = nil
			}
		}
		if v.Summary != nil {
			d.Summary = *v.Summary
		}
		if v.Documents != nil {
			d.Documents = *v.Documents
		}
		if v.Sets != nil {
			d.Sets = *v.Sets
		}
	case *CodeAssignedPayload:
		d.Code = v.Code
	case *FileAttachedPayload:
		if v.Result {
			d.Results = append(d.Results, v.File)
			d.EResult = true
			break
		}
		i := d.documentIndex(v.Document)
		if i < 0 {
			return &RuleError{Code: "file.document", Msg: fmt.Sprintf("Hồ sơ không có thành phần «%s».", v.Document), Kind: ErrInvalid}
		}
		d.Documents[i].Files = append(d.Documents[i].Files, v.File)
		if v.Digitized {
			d.Documents[i].Digitized = true
		}
	case *FormPreparedPayload:
		d.Forms = append(d.Forms, FormPrepared{At: at, By: e.Actor, Template: v.Template})
	case *ConflictResolvedPayload:
		if d.resolvedIDs == nil {
			d.resolvedIDs = map[string]resolution{}
		}
		for _, id := range v.EventIDs {
			d.resolvedIDs[id] = resolution{by: e.Actor, note: v.Note}
		}
		for i := range d.Conflicts {
			if r, ok := d.resolvedIDs[d.Conflicts[i].EventID]; ok {
				d.Conflicts[i].Resolved, d.Conflicts[i].ResolvedBy, d.Conflicts[i].Resolution = true, r.by, r.note
			}
		}
		if v.Decision == "set_status" {
			d.setStatus(v.SetStatus, at)
		}
		return nil
	}
	if to, ok := StatusAfter(e.Type, d.PausedFrom); ok {
		d.Status = to
	}
	return nil
}

// setStatus is a supervisor's override; it keeps the dates the status implies consistent.
func (d *Dossier) setStatus(s Status, at time.Time) {
	d.Status = s
	switch s {
	case StatusResultReady:
		if d.ResultAt.IsZero() {
			d.ResultAt = at
		}
	case StatusReturned:
		if d.ResultAt.IsZero() {
			d.ResultAt = at
		}
		if d.ReturnedAt.IsZero() {
			d.ReturnedAt = at
		}
	case StatusRefused, StatusWithdrawn, StatusStopped:
		if d.ClosedAt.IsZero() {
			d.ClosedAt = at
		}
	}
}

func (d *Dossier) documentIndex(code string) int {
	for i, doc := range d.Documents {
		if doc.Code == code || (doc.Code == "" && strings.EqualFold(doc.Name, code)) {
			return i
		}
	}
	return -1
}

var actionNames = map[EventType]string{
	EvRegisteredOnline:    "đăng ký trực tuyến",
	EvReceived:            "tiếp nhận hồ sơ",
	EvAccepted:            "tiếp nhận hồ sơ trực tuyến",
	EvSupplementRequested: "yêu cầu bổ sung hồ sơ",
	EvSupplementReceived:  "nhận hồ sơ bổ sung",
	EvRefused:             "từ chối hồ sơ",
	EvWithdrawn:           "rút hồ sơ",
	EvForwarded:           "chuyển hồ sơ đến cơ quan giải quyết",
	EvProgress:            "ghi nhận tiến độ xử lý",
	EvPaymentRequested:    "yêu cầu thực hiện nghĩa vụ tài chính",
	EvPaymentRecorded:     "ghi nhận đã nộp phí, lệ phí",
	EvStopped:             "dừng xử lý hồ sơ",
	EvResultReady:         "ghi nhận đã có kết quả",
	EvRescheduled:         "hẹn lại ngày trả kết quả",
	EvHandedOver:          "trả kết quả",
	EvCorrected:           "đính chính thông tin hồ sơ",
	EvCodeAssigned:        "cấp mã hồ sơ",
	EvFileAttached:        "đính kèm tệp",
	EvFormPrepared:        "lập tờ khai hộ công dân",
	EvConflictResolved:    "xử lý xung đột",
}

// ActionName is the Vietnamese verb phrase for an event type, used in messages and timelines.
func ActionName(t EventType) string {
	if n, ok := actionNames[t]; ok {
		return n
	}
	return string(t)
}
