package domain

import (
	"testing"
	"time"
)

func TestHandoffNumbers(t *testing.T) {
	if n, err := NewHandoffNumber(3, 17); err != nil || n != "H-3017" {
		t.Fatalf("%s %v", n, err)
	}
	if _, err := NewHandoffNumber(3, 1000); err == nil {
		t.Error("the 1000th number of a day was issued")
	}
	if _, err := NewHandoffNumber(0, 1); err == nil {
		t.Error("slot 0 accepted")
	}
	for in, want := range map[string]string{"H-3017": "H-3017", "h3017": "H-3017", " 3017 ": "H-3017", "H 3 017": "H-3017"} {
		if got, ok := ParseHandoffNumber(in); !ok || got != want {
			t.Errorf("%q → %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "H-017", "H-0017", "H-30170", "X-3017", "H-30a7"} {
		if _, ok := ParseHandoffNumber(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
	if slot, n, ok := HandoffSlot("H-3017"); !ok || slot != 3 || n != 17 {
		t.Errorf("slot %d n %d", slot, n)
	}
}

// The fold does not depend on the order events arrive in: the first claim in the total
// order holds on every workstation, the other and a claim after the entry's day are
// conflicts; the entry expires at midnight Vietnam time.
func TestFoldHandoffDeterministic(t *testing.T) {
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, VN())
	mk := func(id, typ string, p any, dev string, at time.Time, hlc HLC) Event {
		e, err := NewEvent(id, StreamHandoff, "0190aaaa-0000-7000-8000-000000000001", EventType(typ), p, "u-"+dev, dev, "U", at, hlc)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	prep := mk("0190aaaa-0000-7000-8000-0000000000a1", string(EvHandoffPrepared), HandoffPreparedPayload{Number: "H-1001",
		Procedure: ProcedureRef{Code: "1.001193"}, Applicant: Person{Name: "Nguyễn Văn An"}}, "d1", day, 10)
	c1 := mk("0190aaaa-0000-7000-8000-0000000000a2", string(EvHandoffClaimed), HandoffClaimedPayload{Number: "H-1001"}, "d2", day.Add(time.Hour), 20)
	c2 := mk("0190aaaa-0000-7000-8000-0000000000a3", string(EvHandoffClaimed), HandoffClaimedPayload{Number: "H-1001"}, "d3", day.Add(30*time.Minute), 21)
	late := mk("0190aaaa-0000-7000-8000-0000000000a4", string(EvHandoffClaimed), HandoffClaimedPayload{Number: "H-1001"}, "d4", day.Add(15*time.Hour), 15)
	for _, evs := range [][]Event{{prep, c1, c2}, {c2, c1, prep}, {c1, prep, c2, c1}} {
		h := FoldHandoff(evs)
		if h.ClaimEvent != c1.ID || len(h.Conflicts) != 1 || h.Conflicts[0].EventID != c2.ID || h.Conflicts[0].Code != HandoffClaimedTwice {
			t.Fatalf("fold %+v", h)
		}
	}
	rel := mk("0190aaaa-0000-7000-8000-0000000000a5", string(EvHandoffReleased), HandoffReleasedPayload{Number: "H-1001"}, "d2", day.Add(2*time.Hour), 25)
	for _, evs := range [][]Event{{prep, c1, c2, rel}, {rel, c2, prep, c1}} {
		h := FoldHandoff(evs)
		if h.Claimed() || len(h.Conflicts) != 1 || h.Conflicts[0].EventID != c2.ID {
			t.Fatalf("released: %+v", h)
		}
	}
	if h := FoldHandoff([]Event{prep, c2, rel}); !h.Claimed() || h.ClaimedDevice != "d3" || len(h.Conflicts) != 1 || h.Conflicts[0].Code != HandoffReleasedNotHeld {
		t.Fatalf("a release by who does not hold it: %+v", h)
	}
	h := FoldHandoff([]Event{prep, late})
	if h.Claimed() || len(h.Conflicts) != 1 || h.Conflicts[0].Code != HandoffExpiredClaim {
		t.Fatalf("late claim %+v", h)
	}
	if h.Day != "2026-03-02" || !h.ExpiresAt().Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, VN())) {
		t.Errorf("day %s expires %v", h.Day, h.ExpiresAt())
	}
	if h.Expired(time.Date(2026, 3, 2, 23, 59, 59, 0, VN())) || !h.Expired(time.Date(2026, 3, 3, 0, 0, 0, 0, VN())) {
		t.Error("expiry not at midnight")
	}
}

// What a clerk types or scans names an entry by its id (the slip's QR code) or its number;
// only a number written with its H counts as one in a search box that takes other text.
func TestParseHandoffRef(t *testing.T) {
	for _, c := range []struct {
		in, id, number string
		written, ok    bool
	}{
		{" 0190AAAA-0000-7000-8000-0000000000A1 ", "0190aaaa-0000-7000-8000-0000000000a1", "", false, true},
		{"H-3017", "", "H-3017", true, true},
		{"h3017", "", "H-3017", true, true},
		{"3017", "", "H-3017", false, true},
		{"0190aaaa-0000-7000-8000-0000000000zz", "", "", false, false}, // 36 characters, four dashes, not an id
		{"Nguyễn", "", "", false, false},
	} {
		id, number, written, ok := ParseHandoffRef(c.in)
		if id != c.id || ok != c.ok || written != c.written || (ok && number != c.number) {
			t.Errorf("%q → %q %q %v %v", c.in, id, number, written, ok)
		}
	}
}

// Who may take an entry into intake and receive a dossier from it, with the coded refusal
// the counter reads; the fold keeps the same rules for events that meet after a sync.
func TestHandoffClaimAndIntakeChecks(t *testing.T) {
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, VN())
	waiting := Handoff{ID: "0190aaaa-0000-7000-8000-000000000001", Number: "H-1001", Day: "2026-03-02", Applicant: Person{Name: "Nguyễn Văn An"}}
	held := waiting
	held.ClaimedAt, held.ClaimedBy, held.ClaimedDevice, held.ClaimEvent = day.Add(time.Hour), "lan", "d2", "e1"
	done := held
	done.DossierID, done.DossierCode = "0190aaaa-0000-7000-8000-0000000000d1", "X-260302-1001"
	code := func(err error) string {
		if re, ok := err.(*RuleError); ok {
			return re.Code
		}
		return ""
	}
	for _, c := range []struct {
		name          string
		h             Handoff
		actor, device string
		at            time.Time
		again         bool
		code          string
	}{
		{"waiting", waiting, "lan", "d2", day, false, ""},
		{"unknown", Handoff{}, "lan", "d2", day, false, "handoff.not_found"},
		{"held here, opened again", held, "lan", "d2", day, true, ""},
		{"held by another clerk", held, "minh", "d2", day, false, "handoff.claimed"},
		{"held at another counter", held, "lan", "d3", day, false, "handoff.claimed"},
		{"a dossier already", done, "lan", "d2", day, false, "handoff.claimed"},
		{"day over", waiting, "lan", "d2", time.Date(2026, 3, 3, 0, 0, 0, 0, VN()), false, "handoff.expired"},
	} {
		again, err := c.h.CheckClaim(c.actor, c.device, c.at)
		if again != c.again || code(err) != c.code {
			t.Errorf("claim, %s: again %v err %v", c.name, again, err)
		}
	}
	if err := held.CheckIntake("lan", "d2"); err != nil {
		t.Errorf("the holder's intake refused: %v", err)
	}
	for name, c := range map[string]struct {
		h             Handoff
		actor, device string
		code          string
	}{
		"unknown":                {Handoff{}, "lan", "d2", "handoff.not_found"},
		"not taken":              {waiting, "lan", "d2", "handoff.claimed"},
		"taken by another clerk": {held, "minh", "d2", "handoff.claimed"},
		"taken at another desk":  {held, "lan", "d3", "handoff.claimed"},
		"already a dossier":      {done, "lan", "d2", "handoff.received"},
	} {
		if err := c.h.CheckIntake(c.actor, c.device); code(err) != c.code {
			t.Errorf("intake, %s: %v", name, err)
		}
	}
	if got := waiting.LastDay(); !got.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, VN())) {
		t.Errorf("last day %v", got)
	}
}

func TestHandoffIssuedBy(t *testing.T) {
	n, err := NewHandoffNumber(3, 17)
	if err != nil {
		t.Fatal(err)
	}
	if !HandoffIssuedBy(n, 3) || HandoffIssuedBy(n, 1) || HandoffIssuedBy("H-0017", 0) || HandoffIssuedBy("3017", 3) || HandoffIssuedBy("", 3) {
		t.Fatalf("HandoffIssuedBy(%s)", n)
	}
}
