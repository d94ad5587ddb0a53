package localdb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"motcua/domain"
)

// birthHandoff is a birth declaration filled in completely, as a helper hands it over.
func birthHandoff(t *testing.T, s *Store) domain.HandoffPreparedPayload {
	t.Helper()
	tpl, ok := s.Declarations().Get("to-khai-khai-sinh")
	if !ok {
		t.Fatal("no birth declaration")
	}
	vals := map[string]string{}
	for _, in := range tpl.Inputs() {
		switch in.Field.Kind {
		case domain.KindName:
			vals[in.Key] = "trần thị hoa"
		case domain.KindDate:
			vals[in.Key] = "1-3-2026"
		case domain.KindYear:
			vals[in.Key] = "1990"
		case domain.KindTime:
			vals[in.Key] = "08:00"
		case domain.KindSelect:
			vals[in.Key] = in.Field.Options[0]
		case domain.KindNumber:
			vals[in.Key] = "1"
		default:
			vals[in.Key] = "Thôn Đông"
		}
	}
	in := birthIntake()
	return domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: in.ProcedureCode}, Applicant: in.Applicant,
		Template: tpl.ID, Values: vals, Summary: "Đăng ký khai sinh cho con"}
}

func count(t *testing.T, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.w.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ruleCode(err error) string {
	var re *domain.RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}

// The helper hands a declaration to the queue with the workstation's next number; a clerk
// claims it by number, a second clerk is refused with who took it, the first may open it
// again, and the dossier received from it keeps the declaration and names the entry.
func TestHandoffPrepareClaimReceive(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	p := birthHandoff(t, s)

	h1, err := s.PrepareHandoff(ctx, helper, p)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s.PrepareHandoff(ctx, helper, p)
	if err != nil {
		t.Fatal(err)
	}
	if h1.Number != "H-1001" || h2.Number != "H-1002" {
		t.Fatalf("numbers %s, %s", h1.Number, h2.Number)
	}
	if h1.Applicant.Name != "Nguyễn Văn An" || h1.Values["child_birth"] != "01/03/2026" || h1.Procedure.Name == "" {
		t.Errorf("not normalised: %+v", h1)
	}
	q, err := s.Handoffs(ctx, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Waiting) != 2 || q.Waiting[0].Number != "H-1001" || len(q.Claimed) != 0 {
		t.Fatalf("queue %+v", q)
	}
	if _, err := s.ClaimHandoff(ctx, helper, "H-1001"); !errors.Is(err, domain.ErrDenied) {
		t.Errorf("a helper claimed: %v", err)
	}
	if _, err := s.ClaimHandoff(ctx, clerk, "H-1009"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown number: %v", err)
	}
	if _, err := s.ClaimHandoff(ctx, clerk, "xyz"); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("bad number: %v", err)
	}
	c, err := s.ClaimHandoff(ctx, clerk, " h1001 ")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != h1.ID || c.ClaimedBy != clerk.Username {
		t.Fatalf("claimed %+v", c)
	}
	events := count(t, s, `SELECT COUNT(*) FROM events`)
	other := domain.Staff{Username: "nam", FullName: "Phạm Văn Nam", Role: domain.RoleCounter, Active: true}
	_, err = s.ClaimHandoff(ctx, other, h1.ID) // by the slip's QR code
	if !errors.Is(err, domain.ErrConflict) || ruleCode(err) != "handoff.claimed" || !strings.Contains(err.Error(), "đã được lan nhận") {
		t.Fatalf("second claim: %v", err)
	}
	if again, err := s.ClaimHandoff(ctx, clerk, "H-1001"); err != nil || again.ID != h1.ID {
		t.Fatalf("the same clerk could not open it again: %v", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM events`); n != events {
		t.Errorf("refused or repeated claims wrote %d events", n-events)
	}
	q, _ = s.Handoffs(ctx, clk.Now())
	if len(q.Waiting) != 1 || len(q.Claimed) != 1 || q.Claimed[0].ID != h1.ID {
		t.Fatalf("queue after claim %+v", q)
	}

	// Given back (the clerk left the intake): another counter may take it, and give it back.
	if _, err := s.ReleaseHandoff(ctx, other, h1.ID); ruleCode(err) != domain.HandoffReleasedNotHeld {
		t.Fatalf("released by a clerk who does not hold it: %v", err)
	}
	if r, err := s.ReleaseHandoff(ctx, clerk, h1.ID); err != nil || r.Claimed() {
		t.Fatalf("release: %+v %v", r, err)
	}
	if q, _ := s.Handoffs(ctx, clk.Now()); len(q.Waiting) != 2 {
		t.Fatalf("a released entry is not waiting again: %+v", q)
	}
	if _, err := s.ClaimHandoff(ctx, other, h1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReleaseHandoff(ctx, other, h1.ID); err != nil {
		t.Fatal(err)
	}
	if c, err = s.ClaimHandoff(ctx, clerk, h1.ID); err != nil {
		t.Fatal(err)
	}

	in := birthIntake()
	in.Applicant, in.Summary = c.Applicant, c.Summary
	in.Assisted, in.FormTemplate, in.FormValues, in.Handoff = true, c.Template, c.Values, c.ID
	if _, err := s.Receive(ctx, other, func() domain.Intake { x := in; x.Handoff = h2.ID; return x }()); ruleCode(err) != "handoff.claimed" {
		t.Errorf("received from an entry nobody claimed: %v", err)
	}
	d, err := s.Receive(ctx, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.Timeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || (e.Event.Type == domain.EvFormPrepared && strings.Contains(string(e.Event.Payload), `"handoff":"H-1001"`))
	}
	if !found {
		t.Error("the dossier's declaration does not name its hand-off entry")
	}
	got, err := s.Handoff(ctx, h1.ID)
	if err != nil || got.DossierID != d.ID || got.DossierCode != d.Code {
		t.Fatalf("entry not linked to %s: %+v %v", d.Code, got, err)
	}
	if _, err := s.ClaimHandoff(ctx, clerk, "H-1001"); ruleCode(err) != "handoff.claimed" || !strings.Contains(err.Error(), d.Code) {
		t.Errorf("claim of an entry already a dossier: %v", err)
	}
	if _, err := s.Receive(ctx, clerk, in); ruleCode(err) != "handoff.received" {
		t.Errorf("a second dossier from one entry: %v", err)
	}
	if _, err := s.ReleaseHandoff(ctx, clerk, h1.ID); ruleCode(err) != domain.HandoffReleasedNotHeld {
		t.Errorf("an entry already a dossier released: %v", err)
	}
}

// An incomplete declaration or a bad applicant is refused and writes nothing: no event, no
// number used.
func TestHandoffPrepareRefusesIncomplete(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	p := birthHandoff(t, s)
	delete(p.Values, "requester_name")
	if _, err := s.PrepareHandoff(ctx, helper, p); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("incomplete: %v", err)
	}
	p = birthHandoff(t, s)
	p.Applicant.IDNumber = ""
	if _, err := s.PrepareHandoff(ctx, helper, p); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("no ID number: %v", err)
	}
	p = birthHandoff(t, s)
	p.Procedure.Code = "9.999999"
	if _, err := s.PrepareHandoff(ctx, helper, p); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown procedure: %v", err)
	}
	for _, q := range []string{`SELECT COUNT(*) FROM events`, `SELECT COUNT(*) FROM handoffs`, `SELECT COUNT(*) FROM code_counters`} {
		if n := count(t, s, q); n != 0 {
			t.Errorf("%s = %d after refused hand-offs", q, n)
		}
	}
}

// An entry not claimed by the end of its day (Vietnam time) reads as expired — listed with
// the expired, refused when claimed — and a new day numbers from 1 again.
func TestHandoffExpiresAtEndOfDay(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 16, 30))
	h, err := s.PrepareHandoff(ctx, helper, birthHandoff(t, s))
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(vnTime(2026, 3, 2, 23, 59))
	if q, _ := s.Handoffs(ctx, clk.Now()); len(q.Waiting) != 1 || len(q.Expired) != 0 {
		t.Fatalf("before midnight %+v", q)
	}
	clk.Set(vnTime(2026, 3, 3, 0, 0))
	q, err := s.Handoffs(ctx, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Waiting) != 0 || len(q.Expired) != 1 || q.Expired[0].ID != h.ID {
		t.Fatalf("after midnight %+v", q)
	}
	_, err = s.ClaimHandoff(ctx, clerk, h.ID)
	if ruleCode(err) != "handoff.expired" || !strings.Contains(err.Error(), "hết hạn lúc 24:00 ngày 02/03/2026") {
		t.Fatalf("claim of an expired entry: %v", err)
	}
	if _, err := s.ClaimHandoff(ctx, clerk, "H-1001"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("yesterday's number found today: %v", err)
	}
	next, err := s.PrepareHandoff(ctx, helper, birthHandoff(t, s))
	if err != nil || next.Number != "H-1001" {
		t.Fatalf("next day's first number %s %v", next.Number, err)
	}
}

// Two counters claim the same entry while offline; when their events meet, both
// workstations fold the same winner (the first claim in the total order), keep the other
// claim as a conflict, and list the entry among the conflicts. The dossier the losing claim
// became shows as a conflict too. Numbers of two workstations never collide.
func TestHandoffConcurrentClaimsResolveOnSync(t *testing.T) {
	ctx := context.Background()
	a, clkA := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	b, _ := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	cfg := b.Config()
	cfg.Slot = 2
	if err := b.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	exchange := func(from, to *Store) {
		t.Helper()
		evs, err := from.Outbox(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.ApplyRemote(ctx, evs, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	ha, err := a.PrepareHandoff(ctx, helper, birthHandoff(t, a))
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.PrepareHandoff(ctx, helper, birthHandoff(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if ha.Number != "H-1001" || hb.Number != "H-2001" {
		t.Fatalf("numbers %s %s", ha.Number, hb.Number)
	}
	exchange(a, b)
	exchange(b, a)
	nam := domain.Staff{Username: "nam", FullName: "Phạm Văn Nam", Role: domain.RoleCounter, Active: true}
	if _, err := a.ClaimHandoff(ctx, clerk, "H-1001"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ClaimHandoff(ctx, nam, "H-1001"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{a, b} {
		in := birthIntake()
		h, _ := s.Handoff(ctx, ha.ID)
		in.Handoff = h.ID
		actor := clerk
		if s == b {
			actor = nam
		}
		if _, err := s.Receive(ctx, actor, in); err != nil {
			t.Fatal(err)
		}
	}
	exchange(a, b)
	exchange(b, a)
	fa, _ := a.Handoff(ctx, ha.ID)
	fb, _ := b.Handoff(ctx, ha.ID)
	if fa.ClaimEvent == "" || fa.ClaimEvent != fb.ClaimEvent || fa.DossierID != fb.DossierID || fa.DossierID == "" {
		t.Fatalf("workstations disagree: %+v / %+v", fa, fb)
	}
	if len(fa.Conflicts) != 2 || fa.Conflicts[0].Code != domain.HandoffClaimedTwice || fa.Conflicts[1].Code != domain.HandoffReceivedTwice {
		t.Fatalf("conflicts %+v", fa.Conflicts)
	}
	if !strings.Contains(fa.Conflicts[0].Msg, "không có hiệu lực") {
		t.Errorf("message %q", fa.Conflicts[0].Msg)
	}
	q, err := a.Handoffs(ctx, clkA.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Conflicts) != 1 || q.Conflicts[0].ID != ha.ID {
		t.Fatalf("conflicts listed %+v", q.Conflicts)
	}

	// Claimed on both, synced before either saved: the losing counter cannot make a
	// dossier of it, the winning one can.
	if _, err := a.ClaimHandoff(ctx, clerk, hb.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ClaimHandoff(ctx, nam, hb.ID); err != nil {
		t.Fatal(err)
	}
	exchange(a, b)
	exchange(b, a)
	won, _ := a.Handoff(ctx, hb.ID)
	winner, loser, wActor, lActor := a, b, clerk, nam
	if won.ClaimedBy == nam.Username {
		winner, loser, wActor, lActor = b, a, nam, clerk
	}
	in := birthIntake()
	in.Handoff = hb.ID
	if _, err := loser.Receive(ctx, lActor, in); ruleCode(err) != "handoff.claimed" || !strings.Contains(err.Error(), "hai quầy cùng nhận") {
		t.Fatalf("the losing counter received: %v", err)
	}
	if _, err := winner.Receive(ctx, wActor, in); err != nil {
		t.Fatalf("the winning counter could not receive: %v", err)
	}
}
