package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Hand-off queue (no-writing day across two desks): a helper at the entrance fills a
// declaration for the citizen and hands it to the queue with a short number the citizen
// carries to a counter; any counter of the unit picks it up (claims it) and lands in intake
// with everything filled. An entry is an event stream like a dossier, so every workstation
// of the unit sees it, locally at once and elsewhere through sync. An entry not claimed by
// the end of its day (Vietnam time) expires: that is computed from the entry's day, never
// recorded, so every workstation sees the same thing at the same moment.

// StreamHandoff is the stream kind of a hand-off queue entry.
const StreamHandoff = "handoff"

// Hand-off events.
const (
	EvHandoffPrepared EventType = "handoff.prepared" // the helper puts a declaration in the queue
	EvHandoffClaimed  EventType = "handoff.claimed"  // a counter picks it up
	EvHandoffReceived EventType = "handoff.received" // the dossier it became was received
	EvHandoffReleased EventType = "handoff.released" // the counter that took it gave it back to the queue
)

// HandoffPreparedPayload is the filled declaration handed to the counters. Number is
// "H-<slot><nnn>": the workstation's slot makes it unique in the unit for the day without
// asking anyone, as dossier codes are.
type HandoffPreparedPayload struct {
	Number    string            `json:"number"`
	Procedure ProcedureRef      `json:"procedure"`
	Applicant Person            `json:"applicant"`
	Template  string            `json:"template,omitempty"` // the declaration; empty when the procedure has none or may not be filled in
	Values    map[string]string `json:"values,omitempty"`
	Summary   string            `json:"summary,omitempty"`
	Copies    int               `json:"copies,omitempty"` // intake values the declaration gives
	Pages     int               `json:"pages,omitempty"`
}

// HandoffClaimedPayload records that a counter took the entry into intake.
type HandoffClaimedPayload struct {
	Number string `json:"number"`
}

// HandoffReleasedPayload gives a claimed entry back to the queue (the clerk left the intake
// without saving it).
type HandoffReleasedPayload struct {
	Number string `json:"number"`
}

// HandoffReceivedPayload links the entry to the dossier it became.
type HandoffReceivedPayload struct {
	DossierID string `json:"dossier_id"`
	Code      string `json:"code"`
}

// Conflict codes of the hand-off fold.
const (
	HandoffClaimedTwice    = "handoff.claimed_twice"
	HandoffExpiredClaim    = "handoff.expired"
	HandoffReceivedTwice   = "handoff.received_twice"
	HandoffReleasedNotHeld = "handoff.released_not_held"
)

// MaxHandoffsPerSlotPerDay is how many entries one workstation numbers in a day.
const MaxHandoffsPerSlotPerDay = 999

var handoffNumberRE = regexp.MustCompile(`^H-[1-9][0-9]{3}$`)

// NewHandoffNumber is the n-th hand-off number of a workstation's day.
func NewHandoffNumber(slot, n int) (string, error) {
	if err := ValidateSlot(slot); err != nil {
		return "", err
	}
	if n < 1 || n > MaxHandoffsPerSlotPerDay {
		return "", &RuleError{Code: "handoff.exhausted", Kind: ErrConflict,
			Msg: fmt.Sprintf("Máy trạm đã cấp hết %d số phiếu chuyển quầy trong ngày hôm nay.", MaxHandoffsPerSlotPerDay)}
	}
	return fmt.Sprintf("H-%d%03d", slot, n), nil
}

// HandoffDayPrefix is the counter key of a workstation's hand-off numbers for a day.
func HandoffDayPrefix(unit string, at time.Time, slot int) string {
	return fmt.Sprintf("handoff:%s-%s-%d", unit, at.In(vnZone).Format("060102"), slot)
}

// ParseHandoffNumber reads a slip's number as typed ("H-1017", "h1017", "1017", "H 1017")
// into its written form.
func ParseHandoffNumber(s string) (string, bool) {
	t := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	t = strings.TrimPrefix(t, "H")
	t = strings.TrimPrefix(t, "-")
	n := "H-" + t
	return n, handoffNumberRE.MatchString(n)
}

var handoffIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseHandoffRef reads what a clerk typed or scanned to name an entry: the slip's QR code,
// which holds the entry's id (returned in lower case), or its number as ParseHandoffNumber
// reads it. written says the number was written with its H, as a slip shows it.
func ParseHandoffRef(s string) (id, number string, written, ok bool) {
	t := strings.TrimSpace(s)
	if handoffIDRE.MatchString(t) {
		return strings.ToLower(t), "", false, true
	}
	number, ok = ParseHandoffNumber(t)
	return "", number, ok && strings.HasPrefix(strings.ToUpper(t), "H"), ok
}

// HandoffSlot is the workstation slot a number was issued by and its number in the day.
func HandoffSlot(number string) (slot, n int, ok bool) {
	if !handoffNumberRE.MatchString(number) {
		return 0, 0, false
	}
	slot = int(number[2] - '0')
	_, err := fmt.Sscanf(number[3:], "%d", &n)
	return slot, n, err == nil
}

// HandoffIssuedBy reports whether number is one the workstation in slot issues: as a dossier
// code does (DossierCode.IssuedBy), a hand-off number carries its workstation's slot, so one
// workstation never takes another's numbers. The city refuses a push that gives another's.
func HandoffIssuedBy(number string, slot int) bool {
	s, _, ok := HandoffSlot(number)
	return ok && s == slot
}

// Handoff is the fold of a hand-off entry's events.
type Handoff struct {
	ID             string            `json:"id"`
	Number         string            `json:"number"`
	Day            string            `json:"day"` // YYYY-MM-DD, Vietnam time: the day it is valid
	Procedure      ProcedureRef      `json:"procedure"`
	Applicant      Person            `json:"applicant"`
	Template       string            `json:"template,omitempty"`
	Values         map[string]string `json:"values,omitempty"`
	Summary        string            `json:"summary,omitempty"`
	Copies         int               `json:"copies,omitempty"`
	Pages          int               `json:"pages,omitempty"`
	PreparedAt     time.Time         `json:"prepared_at"`
	PreparedBy     string            `json:"prepared_by"`
	PreparedDevice string            `json:"prepared_device"`
	ClaimedAt      time.Time         `json:"claimed_at,omitempty"`
	ClaimedBy      string            `json:"claimed_by,omitempty"`
	ClaimedDevice  string            `json:"claimed_device,omitempty"`
	ClaimEvent     string            `json:"claim_event,omitempty"`
	DossierID      string            `json:"dossier_id,omitempty"`
	DossierCode    string            `json:"dossier_code,omitempty"`
	Conflicts      []Conflict        `json:"conflicts,omitempty"`
	LastHLC        HLC               `json:"last_hlc"`
}

// Claimed reports whether a counter took the entry.
func (h Handoff) Claimed() bool { return h.ClaimEvent != "" }

// ExpiresAt is the end of the entry's day in Vietnam time: midnight after it was prepared.
func (h Handoff) ExpiresAt() time.Time {
	d, err := time.ParseInLocation("2006-01-02", h.Day, vnZone)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1)
}

// Expired reports whether the entry was not claimed before the end of its day.
func (h Handoff) Expired(now time.Time) bool {
	return !h.Claimed() && h.ID != "" && !now.Before(h.ExpiresAt())
}

// LastDay is the last day the entry may be taken (its day, at midnight Vietnam time).
func (h Handoff) LastDay() time.Time { return h.ExpiresAt().AddDate(0, 0, -1) }

// CheckClaim says whether actor, at the workstation device, may take the entry into intake
// at now: an entry taken already is refused with who took it and when, one whose day is over
// as expired. again is true when the clerk who holds it opens it again at the same counter
// before it became a dossier: nothing new is recorded then. The fold (Apply) keeps the same
// rules for claims that meet only after a sync.
func (h Handoff) CheckClaim(actor, device string, now time.Time) (again bool, err error) {
	switch {
	case h.ID == "":
		return false, &RuleError{Code: "handoff.not_found", Kind: ErrNotFound, Msg: "Không tìm thấy tờ khai này trong hàng chờ."}
	case h.Claimed() && h.ClaimedBy == actor && h.ClaimedDevice == device && h.DossierID == "":
		return true, nil
	case h.Claimed():
		msg := fmt.Sprintf("Tờ khai %s của %s đã được %s nhận lúc %s", h.Number, h.Applicant.Name, h.ClaimedBy,
			h.ClaimedAt.In(vnZone).Format("15:04 02/01/2006"))
		if h.DossierCode != "" {
			msg += fmt.Sprintf(" và đã lập hồ sơ %s", h.DossierCode)
		}
		return false, &RuleError{Code: "handoff.claimed", Kind: ErrConflict, Msg: msg + ": không nhận lại được."}
	case h.Expired(now):
		return false, &RuleError{Code: "handoff.expired", Kind: ErrConflict, Msg: fmt.Sprintf(
			"Tờ khai %s của %s đã hết hạn lúc 24:00 ngày %s (chưa quầy nào nhận trong ngày): hãy lập tờ khai mới.",
			h.Number, h.Applicant.Name, h.LastDay().Format("02/01/2006"))}
	}
	return false, nil
}

// CheckIntake says whether actor, at the workstation device, may receive a dossier from
// the entry: only the clerk who took it, at that counter, and only once. The fold (Apply)
// keeps the same rule for a dossier that arrives through sync.
func (h Handoff) CheckIntake(actor, device string) error {
	switch {
	case h.ID == "":
		return &RuleError{Code: "handoff.not_found", Kind: ErrNotFound, Msg: "Không tìm thấy tờ khai chuyển quầy của hồ sơ này."}
	case !h.Claimed():
		return &RuleError{Code: "handoff.claimed", Kind: ErrConflict, Msg: fmt.Sprintf(
			"Tờ khai %s chưa được nhận ở quầy này: hãy nhận tờ khai từ hàng chờ «Hồ sơ chuẩn bị sẵn».", h.Number)}
	case h.ClaimedBy != actor || h.ClaimedDevice != device:
		return &RuleError{Code: "handoff.claimed", Kind: ErrConflict, Msg: fmt.Sprintf(
			"Tờ khai %s đã được %s nhận lúc %s ở quầy khác (hai quầy cùng nhận khi chưa đồng bộ, lần nhận kia có hiệu lực): không lập hồ sơ từ tờ khai này ở quầy này.",
			h.Number, h.ClaimedBy, h.ClaimedAt.In(vnZone).Format("15:04 02/01/2006"))}
	case h.DossierID != "":
		return &RuleError{Code: "handoff.received", Kind: ErrConflict, Msg: fmt.Sprintf(
			"Tờ khai %s đã được lập thành hồ sơ %s.", h.Number, h.DossierCode)}
	}
	return nil
}

// HandoffDay is the day (Vietnam time) an instant belongs to, as entries record it.
func HandoffDay(t time.Time) string { return t.In(vnZone).Format("2006-01-02") }

// FoldHandoff folds an entry's events in the total order, so every workstation reaches the
// same entry whatever order the events arrived in: of two claims made offline on two
// workstations, the first in that order holds and the other is kept as a conflict; a claim
// made after the entry's day is a conflict too.
func FoldHandoff(events []Event) Handoff {
	evs := append([]Event(nil), events...)
	SortEvents(evs)
	var h Handoff
	var prev string
	for i, e := range evs {
		if i > 0 && e.ID == prev {
			continue
		}
		prev = e.ID
		if err := h.Apply(e); err != nil {
			code := "handoff.order"
			if re, ok := err.(*RuleError); ok {
				code = re.Code
			}
			h.Conflicts = append(h.Conflicts, Conflict{EventID: e.ID, Type: e.Type, At: e.At, Actor: e.Actor, Device: e.Device,
				Code: code, Msg: err.Error()})
		}
		if e.HLC > h.LastHLC {
			h.LastHLC = e.HLC
		}
	}
	return h
}

// Apply applies one hand-off event or says why it cannot.
func (h *Handoff) Apply(e Event) error {
	p, err := DecodePayload(e)
	if err != nil {
		return err
	}
	at := e.At.UTC()
	switch v := p.(type) {
	case *HandoffPreparedPayload:
		if h.ID != "" {
			return fmt.Errorf("phiếu chuyển quầy đã được lập")
		}
		h.ID, h.Number, h.Day = e.StreamID, v.Number, HandoffDay(at)
		h.Procedure, h.Applicant, h.Template, h.Values, h.Summary = v.Procedure, v.Applicant, v.Template, v.Values, v.Summary
		h.Copies, h.Pages = v.Copies, v.Pages
		h.PreparedAt, h.PreparedBy, h.PreparedDevice = at, e.Actor, e.Device
	case *HandoffClaimedPayload:
		switch {
		case h.ID == "":
			return fmt.Errorf("chưa có phiếu chuyển quầy để nhận")
		case h.Claimed():
			return &RuleError{Code: HandoffClaimedTwice, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Tờ khai %s của %s được hai quầy cùng nhận khi chưa đồng bộ: lần nhận của %s lúc %s có hiệu lực; lần nhận của %s lúc %s không có hiệu lực.",
				h.Number, h.Applicant.Name, h.ClaimedBy, h.ClaimedAt.In(vnZone).Format("15:04 02/01/2006"),
				e.Actor, at.In(vnZone).Format("15:04 02/01/2006"))}
		case !at.Before(h.ExpiresAt()):
			return &RuleError{Code: HandoffExpiredClaim, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Tờ khai %s đã hết hạn lúc 24:00 ngày %s; lần nhận của %s lúc %s không có hiệu lực.",
				h.Number, h.LastDay().Format("02/01/2006"), e.Actor, at.In(vnZone).Format("15:04 02/01/2006"))}
		}
		h.ClaimedAt, h.ClaimedBy, h.ClaimedDevice, h.ClaimEvent = at, e.Actor, e.Device, e.ID
	case *HandoffReleasedPayload:
		switch {
		case !h.Claimed() || e.Device != h.ClaimedDevice || e.Actor != h.ClaimedBy:
			return &RuleError{Code: HandoffReleasedNotHeld, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Tờ khai %s: %s trả lại hàng chờ một tờ khai không do mình giữ; không có hiệu lực.", h.Number, e.Actor)}
		case h.DossierID != "":
			return &RuleError{Code: HandoffReleasedNotHeld, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Tờ khai %s đã được lập thành hồ sơ %s nên không trả lại hàng chờ được.", h.Number, h.DossierCode)}
		}
		h.ClaimedAt, h.ClaimedBy, h.ClaimedDevice, h.ClaimEvent = time.Time{}, "", "", ""
	case *HandoffReceivedPayload:
		switch {
		case !h.Claimed() || e.Device != h.ClaimedDevice || e.Actor != h.ClaimedBy:
			return &RuleError{Code: HandoffReceivedTwice, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Hồ sơ %s được lập từ tờ khai %s nhưng lần nhận tờ khai đó của %s không có hiệu lực: cần kiểm tra để tránh trùng hồ sơ.",
				v.Code, h.Number, e.Actor)}
		case h.DossierID != "":
			return &RuleError{Code: HandoffReceivedTwice, Kind: ErrConflict, Msg: fmt.Sprintf(
				"Tờ khai %s đã được lập thành hồ sơ %s; hồ sơ %s cũng được lập từ tờ khai này: cần kiểm tra để tránh trùng hồ sơ.",
				h.Number, h.DossierCode, v.Code)}
		}
		h.DossierID, h.DossierCode = v.DossierID, v.Code
	default:
		return fmt.Errorf("sự kiện %s không thuộc phiếu chuyển quầy", e.Type)
	}
	return nil
}

// checkHandoffPayload enforces what hand-off payloads must carry.
func checkHandoffPayload(t EventType, p any) error {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch v := p.(type) {
	case *HandoffPreparedPayload:
		switch {
		case !handoffNumberRE.MatchString(v.Number):
			return fmt.Errorf("%s: số phiếu %q không hợp lệ", t, v.Number)
		case blank(v.Procedure.Code):
			return fmt.Errorf("%s: thiếu thủ tục", t)
		case blank(v.Applicant.Name):
			return fmt.Errorf("%s: thiếu người yêu cầu", t)
		}
	case *HandoffReceivedPayload:
		if len(v.DossierID) != 36 || blank(v.Code) {
			return fmt.Errorf("%s: thiếu hồ sơ", t)
		}
	}
	return nil
}

// PrepareHandoffApplicant normalises and checks the citizen a helper hands over: the name
// and the ID number are required (the counter finds the entry by them as well as by the
// slip); the other details are checked as at intake when given.
func PrepareHandoffApplicant(p Person, now time.Time) (Person, error) {
	p, v := preparePerson(p, "applicant", true, false, now)
	if len(v) > 0 {
		return p, v
	}
	return p, nil
}
