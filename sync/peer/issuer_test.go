package peer

import (
	"context"
	"strings"
	"testing"
	"time"

	"motcua/domain"
)

// A workstation in the roster that writes, under its own signature, a hand-off number and
// a dossier code of a sibling's slot (its local slot edited before its first event, the
// city down so the city's push check never sees them): its siblings refuse those events
// on receipt over the LAN, whether pulled from it or offered by it, apply nothing of them
// and say why; the genuine events it relays from a third workstation are applied.
func TestPeerEventsWithASiblingsNumbers(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	forger := c.workstation(testUnit, 2)
	b := c.workstation(testUnit, 3)
	for _, s := range []*station{a, forger, b} {
		s.refreshKeys()
	}
	c.stop()

	// Genuine: b's dossier and hand-off entry, numbered in b's slot 3.
	helper := domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper, Active: true}
	entry := func(s *station) domain.Handoff {
		t.Helper()
		h, err := s.store.PrepareHandoff(ctx, helper, domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: "1.001193"},
			Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	genuine, genuineEntry := b.receive(1), entry(b)
	if !strings.HasPrefix(genuineEntry.Number, "H-3") || !strings.Contains(genuine[0].Code, "-3") {
		t.Fatalf("b's numbers: %s %s", genuineEntry.Number, genuine[0].Code)
	}

	// The forger (slot 2 at the city) takes slot 1 locally and issues slot 1's numbers.
	admin := domain.Staff{Username: "admin", FullName: "Quản trị", Role: domain.RoleAdmin, Active: true}
	cfg := forger.store.Config()
	cfg.Slot = 1
	if err := forger.store.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	forged, forgedEntry := forger.receive(1), entry(forger)
	if forgedEntry.Number != "H-1001" || !strings.HasSuffix(forged[0].Code, "-1001") {
		t.Fatalf("the forger's numbers: %s %s", forgedEntry.Number, forged[0].Code)
	}

	// The forger takes b's events (and offers its own, which b's server refuses).
	r := forger.exchangeWith(b.addr)
	if !forger.has(genuine[0].ID) {
		t.Fatalf("the forger did not get b's events: %+v", r)
	}
	if b.has(forged[0].ID) {
		t.Fatal("b applied the dossier the forger offered under slot 1's code")
	}
	if _, err := b.store.Handoff(ctx, forgedEntry.ID); err == nil {
		t.Fatal("b applied the hand-off entry the forger offered under slot 1's number")
	}
	if n := refusedCount(t, b); n != 2 {
		t.Fatalf("b's server kept %d of the forger's offered events aside, want 2", n)
	}

	// a pulls from the forger: b's genuine events, relayed, are applied; the forger's own are not.
	r = a.exchangeWith(forger.addr)
	if r.Refused != 2 || r.Err == nil {
		t.Fatalf("the forged events were not refused: %+v", r)
	}
	contains(t, "exchange", r.Err.Error(), "không tin được")
	if !a.has(genuine[0].ID) {
		t.Fatal("b's genuine dossier, relayed by the forger, was not applied")
	}
	if _, err := a.store.Handoff(ctx, genuineEntry.ID); err != nil {
		t.Fatalf("b's genuine hand-off entry, relayed by the forger: %v", err)
	}
	nothingFrom(t, a, forged)
	if _, err := a.store.Handoff(ctx, forgedEntry.ID); err == nil {
		t.Fatal("the forged hand-off entry H-1001 landed in a's queue")
	}
	q, err := a.store.Handoffs(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range q.Waiting {
		if h.Number == "H-1001" {
			t.Fatalf("a's queue shows the forged entry: %+v", q.Waiting)
		}
	}
	ref, err := a.store.RefusedEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref) != 2 {
		t.Fatalf("refused events: %+v", ref)
	}
	for _, f := range ref {
		contains(t, "reason", f.Reason, "Nhận từ máy ngang hàng", "Sự kiện của máy số 2 «"+forger.name+"» bị từ chối", "không thuộc máy trạm này")
		switch f.Event.Type {
		case domain.EvHandoffPrepared:
			contains(t, "reason", f.Reason, "Số phiếu chuyển quầy H-1001", "phải có dạng H-2nnn")
		case domain.EvReceived:
			contains(t, "reason", f.Reason, "Mã hồ sơ "+forged[0].Code, "số thứ tự bắt đầu bằng 2")
		default:
			t.Errorf("refused %s: %s", f.Event.Type, f.Reason)
		}
	}
	a.verifyClean()
}
