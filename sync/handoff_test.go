package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/central"
)

var helperStaff = domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper, Active: true}

// handoffBirth is a complete birth declaration as a helper hands it to the queue.
func handoffBirth(t *testing.T, s *localdb.Store) domain.HandoffPreparedPayload {
	t.Helper()
	tpl, ok := s.Declarations().Get("to-khai-khai-sinh")
	if !ok {
		t.Fatal("no birth declaration")
	}
	vals := map[string]string{}
	for _, in := range tpl.Inputs() {
		switch in.Field.Kind {
		case domain.KindName:
			vals[in.Key] = "Nguyễn Minh Khôi"
		case domain.KindDate:
			vals[in.Key] = "01/03/2026"
		case domain.KindYear:
			vals[in.Key] = "1995"
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
	in := birthIntake("Nguyễn Văn An", "001099012345")
	return domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: in.ProcedureCode}, Applicant: in.Applicant,
		Template: tpl.ID, Values: vals, Summary: in.Summary}
}

// The city accepts and relays the hand-off stream: an entry prepared on one workstation
// reaches another of the unit, whose claim comes back to the first, where a second claim is
// refused. Two claims made offline on two workstations fold to the same winner everywhere,
// the city's copy included, and the losing claim is a conflict on both.
func TestHandoffThroughTheCity(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b, c := h.workstation(1), h.workstation(2), h.workstation(3)
	ea, eb, ec := h.engine(a), h.engine(b), h.engine(c)
	entry, err := a.PrepareHandoff(ctx, helperStaff, handoffBirth(t, a))
	if err != nil {
		t.Fatal(err)
	}
	if entry.Number != "H-1001" {
		t.Fatalf("number %s", entry.Number)
	}
	second, err := a.PrepareHandoff(ctx, helperStaff, handoffBirth(t, a))
	if err != nil {
		t.Fatal(err)
	}
	rep := syncUntilDone(t, ea, 3)
	if rep.Pushed != 2 {
		t.Fatalf("pushed %+v", rep)
	}
	for id, e := range h.serverEvents() {
		if e.Stream != domain.StreamHandoff {
			t.Errorf("server holds %s of stream %s", id, e.Stream)
		}
	}
	syncUntilDone(t, eb, 3)
	syncUntilDone(t, ec, 3)
	q, err := b.Handoffs(ctx, b.Now())
	if err != nil || len(q.Waiting) != 2 {
		t.Fatalf("b's queue %+v %v", q, err)
	}
	got, err := b.ClaimHandoff(ctx, clerk, "H-1001")
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["child_name"] != "Nguyễn Minh Khôi" || got.Applicant.IDNumber != "001099012345" || got.Template != "to-khai-khai-sinh" {
		t.Fatalf("b got %+v", got)
	}
	in := birthIntake(got.Applicant.Name, got.Applicant.IDNumber)
	in.Assisted, in.FormTemplate, in.FormValues, in.Handoff = true, got.Template, got.Values, got.ID
	d, err := b.Receive(ctx, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	syncUntilDone(t, eb, 3)
	syncUntilDone(t, ea, 3)
	nam := domain.Staff{Username: "nam", FullName: "Phạm Văn Nam", Role: domain.RoleCounter, Active: true}
	_, err = a.ClaimHandoff(ctx, nam, entry.ID)
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(err.Error(), "đã được lan nhận") || !strings.Contains(err.Error(), d.Code) {
		t.Fatalf("second claim on a: %v", err)
	}
	onA, _ := a.Handoff(ctx, entry.ID)
	if onA.DossierCode != d.Code {
		t.Errorf("a does not see the dossier the entry became: %+v", onA)
	}
	if got, err := a.Get(ctx, d.ID); err != nil || len(got.Forms) != 1 {
		t.Errorf("a does not hold the dossier with its declaration: %+v %v", got.Forms, err)
	}

	// Offline, two counters claim the second entry; then both sync, the first twice so it
	// pulls the other's claim.
	if _, err := b.ClaimHandoff(ctx, clerk, second.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClaimHandoff(ctx, nam, second.Number); err != nil {
		t.Fatal(err)
	}
	syncUntilDone(t, eb, 3)
	syncUntilDone(t, ec, 3)
	syncUntilDone(t, eb, 3)
	syncUntilDone(t, ea, 3)
	var folds []domain.Handoff
	for _, s := range []*localdb.Store{a, b, c} {
		f, err := s.Handoff(ctx, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		folds = append(folds, f)
	}
	var evs []domain.Event
	for _, e := range h.serverEvents() {
		if e.StreamID == second.ID {
			evs = append(evs, e)
		}
	}
	folds = append(folds, domain.FoldHandoff(evs))
	for i, f := range folds {
		if f.ClaimEvent == "" || f.ClaimEvent != folds[0].ClaimEvent || len(f.Conflicts) != 1 || f.Conflicts[0].Code != domain.HandoffClaimedTwice {
			t.Fatalf("fold %d: claim %s conflicts %+v (first %s)", i, f.ClaimEvent, f.Conflicts, folds[0].ClaimEvent)
		}
	}
	for _, s := range []*localdb.Store{b, c} {
		q, err := s.Handoffs(ctx, s.Now())
		if err != nil || len(q.Conflicts) != 1 || q.Conflicts[0].ID != second.ID {
			t.Errorf("conflict not listed: %+v %v", q.Conflicts, err)
		}
	}
}
