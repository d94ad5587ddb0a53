package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Payloads of dossier events (version 1). Business time is the event's At; payloads carry
// what the event decided, including due dates computed by the working calendar at the
// moment of the act: the date printed on a receipt is a promise and never changes silently.

// ReceivedPayload opens a dossier at the counter (EvReceived) or online (EvRegisteredOnline).
type ReceivedPayload struct {
	Code        string         `json:"code"`
	Procedure   ProcedureRef   `json:"procedure"`
	Applicant   Person         `json:"applicant"`
	Owner       *Person        `json:"owner,omitempty"`
	Subject     SubjectKind    `json:"subject"`
	Channel     Channel        `json:"channel"`
	Summary     string         `json:"summary"`
	Documents   []DocumentItem `json:"documents"`
	Sets        int            `json:"sets"`
	Copies      int            `json:"copies,omitempty"`
	Pages       int            `json:"pages,omitempty"`
	Fee         int64          `json:"fee"`
	DueAt       time.Time      `json:"due_at"`
	Assisted    bool           `json:"assisted,omitempty"`
	ReturnPlace string         `json:"return_place,omitempty"`
}

// AcceptedPayload accepts an online registration at the counter.
type AcceptedPayload struct {
	DueAt time.Time `json:"due_at"`
}

// SupplementRequestedPayload asks for more papers, all in one go (Mẫu 02).
type SupplementRequestedPayload struct {
	Items      []SupplementItem `json:"items"`
	Reason     string           `json:"reason"`
	GuideName  string           `json:"guide_name,omitempty"`
	GuidePhone string           `json:"guide_phone,omitempty"`
}

// SupplementReceivedPayload records the papers' arrival and the due date moved by the pause.
type SupplementReceivedPayload struct {
	NewDueAt time.Time `json:"new_due_at"`
	Note     string    `json:"note,omitempty"`
}

// ReasonPayload serves refused, withdrawn and stopped.
type ReasonPayload struct {
	Reason string `json:"reason"`
}

// StepPayload serves forwarded and progress_noted.
type StepPayload struct {
	Agency  string `json:"agency,omitempty"`
	Handler string `json:"handler,omitempty"`
	Title   string `json:"title,omitempty"`
	Content string `json:"content,omitempty"`
}

// PaymentPayload serves payment_requested and payment_recorded.
type PaymentPayload struct {
	Amount  int64  `json:"amount"`
	Name    string `json:"name,omitempty"`
	Method  string `json:"method,omitempty"`
	Receipt string `json:"receipt,omitempty"`
}

// ResultReadyPayload says the result is at the counter.
type ResultReadyPayload struct {
	Agency     string `json:"agency,omitempty"`
	Result     string `json:"result,omitempty"`
	Note       string `json:"note,omitempty"`
	Electronic bool   `json:"electronic,omitempty"`
}

// RescheduledPayload sets a new due date with an apology (Mẫu 04).
type RescheduledPayload struct {
	Number   string    `json:"number,omitempty"`
	Agency   string    `json:"agency,omitempty"` // the agency that caused the delay (Circular 03/2025: it issues the letter)
	Reason   string    `json:"reason"`
	NewDueAt time.Time `json:"new_due_at"`
}

// HandedOverPayload records the return of the result (return book entry).
type HandedOverPayload struct {
	Recipient  Person `json:"recipient"`
	Authorized bool   `json:"authorized,omitempty"`
	Authority  string `json:"authority,omitempty"`
	Method     string `json:"method"`
	Documents  string `json:"documents,omitempty"`
}

// CorrectedPayload corrects data entered by mistake; nil fields are unchanged.
type CorrectedPayload struct {
	Applicant *Person         `json:"applicant,omitempty"`
	Owner     *Person         `json:"owner,omitempty"`
	Summary   *string         `json:"summary,omitempty"`
	Documents *[]DocumentItem `json:"documents,omitempty"`
	Sets      *int            `json:"sets,omitempty"`
	Reason    string          `json:"reason"`
}

// CodeAssignedPayload gives the dossier a (new) code.
type CodeAssignedPayload struct {
	Code   string `json:"code"`
	Reason string `json:"reason,omitempty"`
}

// FileAttachedPayload attaches a stored file to a component or as an electronic result.
type FileAttachedPayload struct {
	File      FileRef `json:"file"`
	Document  string  `json:"document,omitempty"` // component code; empty with Result
	Result    bool    `json:"result,omitempty"`   // the electronic result
	Digitized bool    `json:"digitized"`          // mark the component digitized
}

// FormPreparedPayload records a declaration filled in for the citizen.
type FormPreparedPayload struct {
	Template string            `json:"template"`
	Values   map[string]string `json:"values,omitempty"`
	Handoff  string            `json:"handoff,omitempty"` // the hand-off entry it came from (its number), if any
}

// ConflictResolvedPayload is a supervisor's decision on conflicting events. SetStatus, when
// set, puts the dossier in that status (e.g. the citizen really did take the result).
type ConflictResolvedPayload struct {
	EventIDs  []string `json:"event_ids"`
	Decision  string   `json:"decision"` // "keep" (the current state stands) or "set_status"
	SetStatus Status   `json:"set_status,omitempty"`
	Note      string   `json:"note"`
}

// newPayload is a pointer to a new payload of the type event type t uses; nil for an
// unknown type.
func newPayload(t EventType) any {
	switch t {
	case EvReceived, EvRegisteredOnline:
		return &ReceivedPayload{}
	case EvAccepted:
		return &AcceptedPayload{}
	case EvSupplementRequested:
		return &SupplementRequestedPayload{}
	case EvSupplementReceived:
		return &SupplementReceivedPayload{}
	case EvRefused, EvWithdrawn, EvStopped:
		return &ReasonPayload{}
	case EvForwarded, EvProgress:
		return &StepPayload{}
	case EvPaymentRequested, EvPaymentRecorded:
		return &PaymentPayload{}
	case EvResultReady:
		return &ResultReadyPayload{}
	case EvRescheduled:
		return &RescheduledPayload{}
	case EvHandedOver:
		return &HandedOverPayload{}
	case EvCorrected:
		return &CorrectedPayload{}
	case EvCodeAssigned:
		return &CodeAssignedPayload{}
	case EvFileAttached:
		return &FileAttachedPayload{}
	case EvFormPrepared:
		return &FormPreparedPayload{}
	case EvConflictResolved:
		return &ConflictResolvedPayload{}
	case EvFeedbackReceived:
		return &FeedbackReceivedPayload{}
	case EvFeedbackAssigned:
		return &FeedbackAssignedPayload{}
	case EvFeedbackResolved:
		return &FeedbackResolvedPayload{}
	case EvFeedbackPublished:
		return &FeedbackPublishedPayload{}
	case EvVisit:
		return &VisitPayload{}
	case EvHandoffPrepared:
		return &HandoffPreparedPayload{}
	case EvHandoffClaimed:
		return &HandoffClaimedPayload{}
	case EvHandoffReceived:
		return &HandoffReceivedPayload{}
	case EvHandoffReleased:
		return &HandoffReleasedPayload{}
	}
	return nil
}

// DecodePayload decodes an event's payload into the type its event type uses.
func DecodePayload(e Event) (any, error) {
	p := newPayload(e.Type)
	if p == nil {
		return nil, fmt.Errorf("sự kiện %s: loại sự kiện %q không có", e.ID, e.Type)
	}
	if e.Version != 1 {
		return nil, fmt.Errorf("sự kiện %s: nội dung dạng %d chưa được hỗ trợ (hãy cập nhật phần mềm motcua)", e.ID, e.Version)
	}
	if err := json.Unmarshal(e.Payload, p); err != nil {
		return nil, fmt.Errorf("sự kiện %s (%s): nội dung không đọc được: %w", e.ID, e.Type, err)
	}
	if err := checkPayload(e.Type, p); err != nil {
		return p, err
	}
	if err := checkFeedbackPayload(e.Type, p); err != nil {
		return p, err
	}
	return p, checkHandoffPayload(e.Type, p)
}

// checkPayload enforces what every valid payload must carry, wherever it was made.
func checkPayload(t EventType, p any) error {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch v := p.(type) {
	case *ReceivedPayload:
		switch {
		case blank(v.Procedure.Code):
			return fmt.Errorf("%s: thiếu thủ tục", t)
		case blank(v.Applicant.Name):
			return fmt.Errorf("%s: thiếu người nộp", t)
		case t == EvReceived && v.DueAt.IsZero():
			return fmt.Errorf("%s: thiếu ngày hẹn trả", t)
		case t == EvReceived && blank(v.Code):
			return fmt.Errorf("%s: thiếu mã hồ sơ", t)
		}
		for _, d := range v.Documents {
			for _, f := range d.Files {
				if !ValidSHA256(f.SHA256) {
					return fmt.Errorf("%s: mã băm của tệp «%s» không hợp lệ", t, f.Name)
				}
			}
		}
	case *AcceptedPayload:
		if v.DueAt.IsZero() {
			return fmt.Errorf("%s: thiếu ngày hẹn trả", t)
		}
	case *SupplementRequestedPayload:
		if len(v.Items) == 0 {
			return fmt.Errorf("%s: chưa nêu giấy tờ cần bổ sung", t)
		}
	case *SupplementReceivedPayload:
		if v.NewDueAt.IsZero() {
			return fmt.Errorf("%s: thiếu ngày hẹn trả mới", t)
		}
	case *ReasonPayload:
		if blank(v.Reason) {
			return fmt.Errorf("%s: thiếu lý do", t)
		}
	case *RescheduledPayload:
		if v.NewDueAt.IsZero() || blank(v.Reason) {
			return fmt.Errorf("%s: thiếu ngày hẹn trả mới hoặc lý do", t)
		}
	case *HandedOverPayload:
		if blank(v.Recipient.Name) {
			return fmt.Errorf("%s: thiếu người nhận kết quả", t)
		}
	case *CodeAssignedPayload:
		if blank(v.Code) {
			return fmt.Errorf("%s: thiếu mã hồ sơ", t)
		}
	case *FileAttachedPayload:
		if !ValidSHA256(v.File.SHA256) {
			return fmt.Errorf("%s: mã băm của tệp không hợp lệ", t)
		}
	case *ConflictResolvedPayload:
		if len(v.EventIDs) == 0 {
			return fmt.Errorf("%s: chưa nêu sự kiện nào", t)
		}
		if v.Decision == "set_status" && !v.SetStatus.Valid() {
			return fmt.Errorf("%s: trạng thái %d không hợp lệ", t, v.SetStatus)
		}
	}
	return nil
}
