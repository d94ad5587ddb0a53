package domain

import (
	"strings"
	"testing"
	"time"
)

// TestCheckIssuer is the rule every receiver applies (the city on push, workstations on
// pull, LAN and USB): the numbers an event gives belong to the workstation that wrote it.
func TestCheckIssuer(t *testing.T) {
	const unit, other = "000.00.06.H56", "000.00.07.H56"
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, VN())
	ev := func(stream string, typ EventType, payload any) Event {
		e, err := NewEvent("0190aaaa-0000-7000-8000-000000000001", stream, "0190aaaa-0000-7000-8000-0000000000d1", typ, payload,
			"lan", "d2", unit, at, MakeHLC(at.UnixMilli(), 0))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	code := func(c string) map[string]any { return map[string]any{"code": c} }
	handoff := func(n string) Event {
		return ev(StreamHandoff, EvHandoffPrepared, HandoffPreparedPayload{Number: n, Procedure: ProcedureRef{Code: "1.001193"},
			Applicant: Person{Name: "Nguyễn Văn An"}})
	}
	for _, c := range []struct {
		name     string
		e        Event
		slot     int
		wantCode string
		refused  string // a part of the reason; "" = accepted
	}{
		{"received, own slot", ev(StreamDossier, EvReceived, code(unit+"-260302-2001")), 2, unit + "-260302-2001", ""},
		{"received, sibling's slot", ev(StreamDossier, EvReceived, code(unit+"-260302-1001")), 2, unit + "-260302-1001", "không thuộc máy trạm này: mã do máy số 2"},
		{"received, another unit's code", ev(StreamDossier, EvReceived, code(other+"-260302-2001")), 2, other + "-260302-2001", "phải bắt đầu bằng «" + unit + "-»"},
		{"received, no code", ev(StreamDossier, EvReceived, code("")), 2, "", "thiếu mã hồ sơ"},
		{"received, malformed code", ev(StreamDossier, EvReceived, code("abc")), 2, "abc", "không đúng dạng"},
		{"received, code not canonical", ev(StreamDossier, EvReceived, code(strings.ToLower(unit)+"-260302-2001")), 2, strings.ToLower(unit) + "-260302-2001", "phải viết đúng dạng " + unit + "-260302-2001"},
		{"code assigned, own slot", ev(StreamDossier, EvCodeAssigned, code(unit+"-260302-3005")), 3, unit + "-260302-3005", ""},
		{"code assigned, sibling's slot", ev(StreamDossier, EvCodeAssigned, code(unit+"-260302-3005")), 1, unit + "-260302-3005", "máy số 1"},
		{"online registration without a code", ev(StreamDossier, EvRegisteredOnline, code("")), 2, "", ""},
		{"online registration with a sibling's code", ev(StreamDossier, EvRegisteredOnline, code(unit+"-260302-1001")), 2, unit + "-260302-1001", "không thuộc máy trạm này"},
		{"hand-off, own slot", handoff("H-2001"), 2, "", ""},
		{"hand-off, sibling's number", handoff("H-1001"), 2, "", "Số phiếu chuyển quầy H-1001 không thuộc máy trạm này: số do máy số 2 cấp phải có dạng H-2nnn."},
		{"hand-off payload that does not decode: left to the payload check", ev(StreamHandoff, EvHandoffPrepared, map[string]any{"number": "H-1001"}), 2, "", ""},
		{"an event that gives no number", ev(StreamDossier, EvHandedOver, map[string]any{}), 2, "", ""},
	} {
		gotCode, reason := CheckIssuer(c.e, unit, c.slot)
		if gotCode != c.wantCode {
			t.Errorf("%s: code %q, want %q", c.name, gotCode, c.wantCode)
		}
		switch {
		case c.refused == "" && reason != "":
			t.Errorf("%s: refused: %s", c.name, reason)
		case c.refused != "" && !strings.Contains(reason, c.refused):
			t.Errorf("%s: reason %q, want it to say %q", c.name, reason, c.refused)
		}
	}
}
