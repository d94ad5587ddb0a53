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
