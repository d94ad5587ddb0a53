package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"motcua/domain/citizen"
)

// Citizens' feedback (phản ánh, kiến nghị) and counter visits (lượt tiếp đón) are event
// streams like dossiers, so they sync the same way.

// Feedback events.
const (
	EvFeedbackReceived  EventType = "feedback.received"
	EvFeedbackAssigned  EventType = "feedback.assigned"
	EvFeedbackResolved  EventType = "feedback.resolved"
	EvFeedbackPublished EventType = "feedback.published"
)

// Visit event: one citizen served at the counter.
const EvVisit EventType = "visit.recorded"

// Feedback channels.
const (
	FeedbackAtCounter = "counter" // tại quầy
	FeedbackPhone     = "phone"   // điện thoại
	FeedbackWritten   = "written" // văn bản, hòm thư góp ý
	FeedbackOnline    = "online"  // cổng dịch vụ công, Zalo, thư điện tử
)

// FeedbackChannels lists the channels in the order a form offers them.
func FeedbackChannels() []string {
	return []string{FeedbackAtCounter, FeedbackPhone, FeedbackWritten, FeedbackOnline}
}

// FeedbackChannelName is a channel's Vietnamese name.
func FeedbackChannelName(c string) string {
	switch c {
	case FeedbackAtCounter:
		return "Trực tiếp tại quầy"
	case FeedbackPhone:
		return "Điện thoại"
	case FeedbackWritten:
		return "Văn bản, hòm thư góp ý"
	case FeedbackOnline:
		return "Trực tuyến"
	}
	return c
}

// FeedbackReceivedPayload records a citizen's feedback.
type FeedbackReceivedPayload struct {
	Citizen     Person `json:"citizen"`
	Channel     string `json:"channel"`
	Content     string `json:"content"`
	DossierCode string `json:"dossier_code,omitempty"`
}

// FeedbackAssignedPayload hands the feedback to someone to answer.
type FeedbackAssignedPayload struct {
	To   string `json:"to"`
	Note string `json:"note,omitempty"`
}

// FeedbackResolvedPayload records the answer.
type FeedbackResolvedPayload struct {
	Answer string `json:"answer"`
}

// FeedbackPublishedPayload records that the answer was made public.
type FeedbackPublishedPayload struct {
	Where string `json:"where,omitempty"` // e.g. "Cổng thông tin điện tử xã"
}

// VisitPayload is one citizen served; Kind says why.
type VisitPayload struct {
	Kind      string `json:"kind"` // intake | hand_over | consult
	DossierID string `json:"dossier_id,omitempty"`
}

// Visit kinds.
const (
	VisitIntake   = "intake"
	VisitHandOver = "hand_over"
	VisitConsult  = "consult" // guidance only, no dossier
)

// FeedbackStatus is where a feedback item stands.
type FeedbackStatus int

const (
	FeedbackNew        FeedbackStatus = iota + 1 // received, not yet assigned
	FeedbackInProgress                           // assigned
	FeedbackResolved                             // answered
	FeedbackPublished                            // answered and made public
)

func (s FeedbackStatus) String() string {
	switch s {
	case FeedbackNew:
		return "Mới tiếp nhận"
	case FeedbackInProgress:
		return "Đang xử lý"
	case FeedbackResolved:
		return "Đã giải quyết"
	case FeedbackPublished:
		return "Đã giải quyết và công khai"
	}
	return "—"
}

// Feedback is the fold of a feedback item's events.
type Feedback struct {
	ID          string         `json:"id"`
	Citizen     Person         `json:"citizen"`
	Channel     string         `json:"channel"`
	Content     string         `json:"content"`
	DossierCode string         `json:"dossier_code,omitempty"`
	Status      FeedbackStatus `json:"status"`
	ReceivedAt  time.Time      `json:"received_at"`
	ReceivedBy  string         `json:"received_by"`
	AssignedTo  string         `json:"assigned_to,omitempty"`
	Answer      string         `json:"answer,omitempty"`
	ResolvedAt  time.Time      `json:"resolved_at,omitempty"`
	PublishedAt time.Time      `json:"published_at,omitempty"`
	Where       string         `json:"where,omitempty"`
	Conflicts   []Conflict     `json:"conflicts,omitempty"`
	LastHLC     HLC            `json:"last_hlc"`
}

// FoldFeedback folds a feedback item's events, order-independently like Fold.
func FoldFeedback(events []Event) Feedback {
	evs := append([]Event(nil), events...)
	SortEvents(evs)
	var f Feedback
	var prev string
	for i, e := range evs {
		if i > 0 && e.ID == prev {
			continue
		}
		prev = e.ID
		if err := f.Apply(e); err != nil {
			f.Conflicts = append(f.Conflicts, Conflict{EventID: e.ID, Type: e.Type, At: e.At, Actor: e.Actor, Device: e.Device,
				Code: "feedback.order", Msg: err.Error()})
		}
		if e.HLC > f.LastHLC {
			f.LastHLC = e.HLC
		}
	}
	return f
}

// Apply applies one feedback event or says why it cannot.
func (f *Feedback) Apply(e Event) error {
	p, err := DecodePayload(e)
	if err != nil {
		return err
	}
	at := e.At.UTC()
	switch v := p.(type) {
	case *FeedbackReceivedPayload:
		if f.Status != 0 {
			return fmt.Errorf("phản ánh đã được tiếp nhận")
		}
		f.ID, f.Citizen, f.Channel, f.Content, f.DossierCode = e.StreamID, v.Citizen, v.Channel, v.Content, v.DossierCode
		f.Status, f.ReceivedAt, f.ReceivedBy = FeedbackNew, at, e.Actor
	case *FeedbackAssignedPayload:
		if f.Status != FeedbackNew && f.Status != FeedbackInProgress {
			return fmt.Errorf("không thể giao xử lý phản ánh ở trạng thái «%s»", f.Status)
		}
		f.AssignedTo, f.Status = v.To, FeedbackInProgress
	case *FeedbackResolvedPayload:
		if f.Status != FeedbackNew && f.Status != FeedbackInProgress {
			return fmt.Errorf("không thể trả lời phản ánh ở trạng thái «%s»", f.Status)
		}
		f.Answer, f.ResolvedAt, f.Status = v.Answer, at, FeedbackResolved
	case *FeedbackPublishedPayload:
		if f.Status != FeedbackResolved {
			return fmt.Errorf("chỉ công khai được phản ánh đã có câu trả lời")
		}
		f.PublishedAt, f.Where, f.Status = at, v.Where, FeedbackPublished
	default:
		return fmt.Errorf("sự kiện %s không thuộc phản ánh", e.Type)
	}
	return nil
}

// PrepareFeedback normalises and checks a citizen's feedback as a clerk records it: the
// content is required and bounded, the citizen's name and phone are checked when given, and
// the channel is one of FeedbackChannels. Each problem is a field error the form shows.
func PrepareFeedback(p FeedbackReceivedPayload) (FeedbackReceivedPayload, error) {
	var v ValidationError
	p.Content = citizen.NormaliseText(p.Content)
	p.Citizen.Name = citizen.NormaliseName(p.Citizen.Name)
	p.Citizen.Address = citizen.NormaliseAddress(p.Citizen.Address)
	if p.Content == "" {
		v = append(v, FieldError{Field: "content", Code: "feedback.content", Msg: "Vui lòng ghi nội dung phản ánh, kiến nghị."})
	} else if err := citizen.CheckLength("Nội dung", p.Content, MaxNote); err != nil {
		v = append(v, FieldError{Field: "content", Code: "feedback.content_long", Msg: err.Error()})
	}
	if p.Citizen.Name != "" {
		if err := citizen.ValidateName(p.Citizen.Name); err != nil {
			v = append(v, FieldError{Field: "citizen.name", Code: "feedback.name", Msg: err.Error()})
		}
	}
	if p.Citizen.Phone != "" {
		ph, err := citizen.NormalisePhone(p.Citizen.Phone)
		if err != nil {
			v = append(v, FieldError{Field: "citizen.phone", Code: "feedback.phone", Msg: err.Error()})
		}
		p.Citizen.Phone = ph
	}
	if !slices.Contains(FeedbackChannels(), p.Channel) {
		v = append(v, FieldError{Field: "channel", Code: "feedback.channel", Msg: "Vui lòng chọn hình thức tiếp nhận phản ánh."})
	}
	if len(v) > 0 {
		return p, v
	}
	return p, nil
}

// checkFeedbackPayload enforces what feedback and visit payloads must carry.
func checkFeedbackPayload(t EventType, p any) error {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch v := p.(type) {
	case *FeedbackReceivedPayload:
		if blank(v.Content) {
			return fmt.Errorf("%s: thiếu nội dung phản ánh", t)
		}
	case *FeedbackAssignedPayload:
		if blank(v.To) {
			return fmt.Errorf("%s: thiếu người được giao", t)
		}
	case *FeedbackResolvedPayload:
		if blank(v.Answer) {
			return fmt.Errorf("%s: thiếu nội dung trả lời", t)
		}
	case *VisitPayload:
		switch v.Kind {
		case VisitIntake, VisitHandOver, VisitConsult:
		default:
			return fmt.Errorf("%s: loại lượt tiếp đón %q không có", t, v.Kind)
		}
	}
	return nil
}
