package domain

import "fmt"

// CheckIssuer checks that the numbers an event gives belong to the workstation that wrote
// it, in slot of unit: a dossier code (EvReceived, EvRegisteredOnline, EvCodeAssigned) must
// be written in its canonical form, carry the unit's prefix and the slot's numbers
// (DossierCode.IssuedBy), and a hand-off entry (EvHandoffPrepared) must carry a number
// H-<slot>nnn (HandoffIssuedBy). One workstation never takes the numbers of another, so a
// workstation cannot make a dossier or a queue entry under a sibling's number.
//
// It is the one rule for every receiver: the city checks a device's pushed events with it,
// and workstations check events received from the city, LAN peers and USB bundles with it
// (sync.Screen). It returns the dossier code the event gives ("" when none) and why the event
// is refused ("" when it is not). An online registration without a code is fine: the
// city's portal makes it and a counter assigns the code later (EvCodeAssigned). A hand-off
// payload that does not decode is not judged here; the payload checks refuse it.
func CheckIssuer(e Event, unit string, slot int) (code, reason string) {
	if e.Type == EvHandoffPrepared {
		p, err := DecodePayload(e)
		if err != nil {
			return "", ""
		}
		hp, ok := p.(*HandoffPreparedPayload)
		if !ok || HandoffIssuedBy(hp.Number, slot) {
			return "", ""
		}
		return "", fmt.Sprintf("Số phiếu chuyển quầy %s không thuộc máy trạm này: số do máy số %d cấp phải có dạng H-%dnnn.",
			hp.Number, slot, slot)
	}
	code, ok := EventCode(e)
	if !ok {
		return "", ""
	}
	if code == "" {
		if e.Type == EvRegisteredOnline {
			return "", ""
		}
		return "", "Sự kiện thiếu mã hồ sơ."
	}
	dc, err := ParseDossierCode(code)
	if err != nil {
		return code, err.Error()
	}
	if dc.String() != code {
		return code, fmt.Sprintf("Mã hồ sơ %s phải viết đúng dạng %s.", code, dc.String())
	}
	// Every code a workstation gives carries its own slot: an online registration comes
	// from the city's portal, never from a counter, and must not reserve a sibling's numbers.
	if !dc.IssuedBy(unit, slot) {
		return code, fmt.Sprintf("Mã hồ sơ %s không thuộc máy trạm này: mã do máy số %d của đơn vị %s cấp phải bắt đầu bằng «%s-» và có số thứ tự bắt đầu bằng %d.",
			code, slot, unit, unit, slot)
	}
	return code, ""
}
