package localdb

import (
	"context"
	"errors"
	"testing"

	"motcua/domain"
)

// eventCount is how many events the store holds.
func eventCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.w.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Record refuses an action it does not record by hand, or a payload that is not its event
// type's, with a coded domain error, and writes nothing: an unknown payload used to slip
// through the type switch unchecked.
func TestRecordRefusesUnknownPayloads(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	before := eventCount(t, s)
	for _, tt := range []struct {
		name    string
		typ     domain.EventType
		payload any
		code    string
	}{
		{"an unknown payload", domain.EvForwarded, struct{ Agency string }{"Tư pháp"}, "event.payload"},
		{"another event's payload", domain.EvForwarded, domain.ReasonPayload{Reason: "x"}, "event.payload"},
		{"a pointer to the right payload", domain.EvForwarded, &domain.StepPayload{Agency: "Tư pháp"}, "event.payload"},
		{"no payload", domain.EvRefused, nil, "event.payload"},
		{"an intake through Record", domain.EvReceived, domain.ReceivedPayload{}, "event.not_recordable"},
		{"a city's code through Record", domain.EvCodeAssigned, domain.CodeAssignedPayload{Code: "X"}, "event.not_recordable"},
		{"an unknown event type", "dossier.teleported", domain.StepPayload{}, "event.not_recordable"},
	} {
		_, err := s.Record(ctx, boss, d.ID, tt.typ, tt.payload)
		var re *domain.RuleError
		if !errors.As(err, &re) || re.Code != tt.code || !errors.Is(err, domain.ErrInvalid) || re.Msg == "" {
			t.Errorf("%s: err %v, want code %s", tt.name, err, tt.code)
		}
	}
	if after := eventCount(t, s); after != before {
		t.Fatalf("%d events written by refused actions", after-before)
	}
	// The typed use case records the same action.
	if got, err := s.Forward(ctx, clerk, d.ID, "Tư pháp", ""); err != nil || got.Status != domain.StatusProcessing {
		t.Fatalf("forward: %v %v", got.Status, err)
	}
}

// Every action the screens record has a typed use case: stopping and a letter of apology
// naming the agency at fault among them.
func TestTypedUseCasesStopAndReschedule(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	next := d.DueAt.AddDate(0, 0, 7)
	for !s.Calendar().IsWorkingDay(next) {
		next = next.AddDate(0, 0, 1)
	}
	got, err := s.RescheduleWithAgency(ctx, clerk, d.ID, "  Chờ  xác minh ", " Công an xã ", next)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Reschedules); n != 1 || got.Reschedules[0].Agency != "Công an xã" || got.Reschedules[0].Number != "1/PXL" || !got.DueAt.Equal(next) {
		t.Fatalf("reschedule %+v, due %v", got.Reschedules, got.DueAt)
	}
	clk.Set(vnTime(2026, 3, 3, 9, 0))
	got, err = s.Stop(ctx, boss, d.ID, "Công dân đề nghị dừng")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusStopped {
		t.Fatalf("status %v", got.Status)
	}
	if _, err := s.Stop(ctx, boss, d.ID, " "); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("stop without a reason: %v", err)
	}
}
