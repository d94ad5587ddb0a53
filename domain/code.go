package domain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dossier codes (mã hồ sơ): <unit code>-YYMMDD-<slot><nnn>. The date is the receipt date in
// Vietnam time; each workstation of a unit holds a slot 1–9, so two counters working offline
// never make the same code: workstation k numbers its dossiers k001…k999 each day.

// vnZone is Vietnam's fixed UTC+7 (no daylight saving since 1975); never the OS database.
var vnZone = time.FixedZone("ICT", 7*3600)

// VN returns Vietnam's time zone.
func VN() *time.Location { return vnZone }

// MaxPerSlotPerDay is how many dossiers one workstation can number in a day.
const MaxPerSlotPerDay = 999

var unitCodeRE = regexp.MustCompile(`^[0-9A-Z]{1,6}(\.[0-9A-Z]{1,6}){0,5}$`)

// ValidateUnitCode checks a unit identifier (mã định danh đơn vị), e.g. 000.00.06.H56.
// The pattern is kept loose on purpose: the codes of the new communes are still being issued.
func ValidateUnitCode(code string) error {
	if strings.TrimSpace(code) == "" {
		return &RuleError{Code: "unit.code_empty", Kind: ErrInvalid,
			Msg: "Vui lòng nhập mã định danh đơn vị (ví dụ 000.00.06.H56)."}
	}
	if !unitCodeRE.MatchString(code) {
		return &RuleError{Code: "unit.code", Kind: ErrInvalid,
			Msg: "Mã định danh đơn vị chỉ gồm chữ in hoa, chữ số và dấu chấm (ví dụ 000.00.06.H56)."}
	}
	return nil
}

// ValidateSlot checks a workstation slot.
func ValidateSlot(slot int) error {
	if slot < 1 || slot > 9 {
		return &RuleError{Code: "unit.slot", Kind: ErrInvalid, Msg: "Số thứ tự máy trạm phải từ 1 đến 9."}
	}
	return nil
}

// DossierCode is a parsed dossier code.
type DossierCode struct {
	Unit string
	Date time.Time // midnight, Vietnam time
	Slot int
	N    int
}

// String formats the code.
func (c DossierCode) String() string {
	return fmt.Sprintf("%s-%s-%d%03d", c.Unit, c.Date.In(vnZone).Format("060102"), c.Slot, c.N)
}

// IssuedBy reports whether the code is one the workstation in slot of unit issues: every
// code carries the unit's prefix and the issuing workstation's slot, so one workstation
// never takes another's numbers. The city refuses a push that gives another's code; a
// workstation counts and restores only its own.
func (c DossierCode) IssuedBy(unit string, slot int) bool { return c.Unit == unit && c.Slot == slot }

// Sequence is the 4-digit daily number (slot*1000 + n).
func (c DossierCode) Sequence() int { return c.Slot*1000 + c.N }

// DayPrefix is the part of a code shared by one workstation's dossiers of one day, used to
// find the last number issued.
func DayPrefix(unit string, at time.Time, slot int) string {
	return fmt.Sprintf("%s-%s-%d", unit, at.In(vnZone).Format("060102"), slot)
}

// NewDossierCode makes the n-th code of a workstation's day.
func NewDossierCode(unit string, at time.Time, slot, n int) (DossierCode, error) {
	if err := ValidateUnitCode(unit); err != nil {
		return DossierCode{}, err
	}
	if err := ValidateSlot(slot); err != nil {
		return DossierCode{}, err
	}
	if n < 1 || n > MaxPerSlotPerDay {
		return DossierCode{}, &RuleError{Code: "code.exhausted", Kind: ErrConflict,
			Msg: fmt.Sprintf("Máy trạm số %d đã dùng hết %d số hồ sơ của ngày hôm nay.", slot, MaxPerSlotPerDay)}
	}
	local := at.In(vnZone)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, vnZone)
	return DossierCode{Unit: unit, Date: day, Slot: slot, N: n}, nil
}

// ParseDossierCode parses and validates a code. Surrounding spaces and lower case are
// tolerated (a code typed at the counter).
func ParseDossierCode(s string) (DossierCode, error) {
	bad := func(why string) (DossierCode, error) {
		return DossierCode{}, &RuleError{Code: "code.invalid", Kind: ErrInvalid,
			Msg: "Mã hồ sơ không đúng dạng <mã đơn vị>-YYMMDD-XXXX: " + why + "."}
	}
	s = strings.ToUpper(strings.TrimSpace(s))
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return bad("thiếu dấu gạch ngang")
	}
	j := strings.LastIndexByte(s[:i], '-')
	if j < 0 {
		return bad("thiếu ngày tiếp nhận")
	}
	unit, date, seq := s[:j], s[j+1:i], s[i+1:]
	if ValidateUnitCode(unit) != nil {
		return bad("mã đơn vị không hợp lệ")
	}
	day, err := time.ParseInLocation("060102", date, vnZone)
	if err != nil || len(date) != 6 {
		return bad("ngày tiếp nhận không hợp lệ")
	}
	if len(seq) != 4 {
		return bad("số thứ tự phải gồm 4 chữ số")
	}
	n, err := strconv.Atoi(seq)
	if err != nil || n < 0 {
		return bad("số thứ tự phải gồm 4 chữ số")
	}
	slot, k := n/1000, n%1000
	if slot < 1 || k < 1 {
		return bad("số thứ tự không hợp lệ")
	}
	return DossierCode{Unit: unit, Date: day, Slot: slot, N: k}, nil
}

// EventCode is the dossier code an event gives its dossier (received, registered online,
// code assigned), and whether it gives one at all. A payload that does not decode gives
// none: its own check says what is wrong.
func EventCode(e Event) (string, bool) {
	var p struct {
		Code string `json:"code"`
	}
	switch e.Type {
	case EvReceived, EvRegisteredOnline, EvCodeAssigned:
	default:
		return "", false
	}
	if json.Unmarshal(e.Payload, &p) != nil {
		return "", false
	}
	return strings.TrimSpace(p.Code), true
}
