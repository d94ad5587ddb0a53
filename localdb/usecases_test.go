package localdb

import (
	"context"
	"errors"
	"strings"
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
	got, err := s.Postpone(ctx, clerk, d.ID, domain.RescheduledPayload{Reason: "  Chờ  xác minh ", Agency: " Công an xã ", NewDueAt: next})
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

// An assisted intake keeps the declaration filled in for the citizen: the store refuses
// values that do not pass the template (or an unknown template) with a coded domain error
// and writes nothing — no dossier, no number used, no visit; valid values are kept
// normalised.
func TestReceiveRefusesInvalidDeclarationValues(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	tpl, ok := s.Declarations().Get("to-khai-khai-sinh")
	if !ok {
		t.Fatal("no birth declaration")
	}
	valid := map[string]string{}
	for _, in := range tpl.Inputs() {
		if !in.Field.Required {
			continue
		}
		switch in.Field.Kind {
		case domain.KindName:
			valid[in.Key] = "trần thị hoa"
		case domain.KindDate:
			valid[in.Key] = "1-3-2026"
		case domain.KindYear:
			valid[in.Key] = "1990"
		case domain.KindTime:
			valid[in.Key] = "08:00"
		case domain.KindSelect:
			valid[in.Key] = in.Field.Options[0]
		case domain.KindNumber:
			valid[in.Key] = "1"
		default:
			valid[in.Key] = "Thôn Đông"
		}
	}
	with := func(change func(map[string]string)) domain.Intake {
		in := birthIntake()
		in.Assisted, in.FormTemplate, in.FormValues = true, tpl.ID, map[string]string{}
		for k, v := range valid {
			in.FormValues[k] = v
		}
		change(in.FormValues)
		return in
	}
	count := func(q string) int {
		var n int
		if err := s.w.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tt := range []struct {
		name string
		in   domain.Intake
		code string
	}{
		{"a required answer missing", with(func(v map[string]string) { delete(v, "requester_name") }), "declaration.required"},
		{"a date that does not exist", with(func(v map[string]string) { v["child_birth"] = "31/02/2026" }), "declaration.date"},
		{"a key the template does not ask", with(func(v map[string]string) { v["note_to_self"] = "x" }), "declaration.unknown"},
		{"an unknown template", func() domain.Intake {
			in := with(func(map[string]string) {})
			in.FormTemplate = "to-khai-khong-co"
			return in
		}(), "declaration.template"},
	} {
		_, err := s.Receive(ctx, clerk, tt.in)
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: err %v", tt.name, err)
			continue
		}
		var v domain.ValidationError
		var re *domain.RuleError
		switch {
		case errors.As(err, &v):
			found := false
			for _, fe := range v {
				found = found || fe.Code == tt.code
			}
			if !found {
				t.Errorf("%s: codes %v, want %s", tt.name, v, tt.code)
			}
		case errors.As(err, &re):
			if re.Code != tt.code {
				t.Errorf("%s: code %s, want %s", tt.name, re.Code, tt.code)
			}
		default:
			t.Errorf("%s: not a coded error: %v", tt.name, err)
		}
	}
	for _, q := range []string{`SELECT COUNT(*) FROM events`, `SELECT COUNT(*) FROM dossiers`, `SELECT COUNT(*) FROM visits`, `SELECT COUNT(*) FROM code_counters`} {
		if n := count(q); n != 0 {
			t.Errorf("%s = %d after refused intakes", q, n)
		}
	}

	d, err := s.Receive(ctx, clerk, with(func(map[string]string) {}))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Forms) != 1 || d.Forms[0].Template != tpl.ID {
		t.Fatalf("forms %+v", d.Forms)
	}
	var payload string
	if err := s.w.QueryRow(`SELECT payload FROM events WHERE type = ?`, string(domain.EvFormPrepared)).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(payload, `"01/03/2026"`) || !strings.Contains(payload, "Trần Thị Hoa") {
		t.Errorf("values not kept normalised: %s", payload)
	}
}
