package domain

import (
	"errors"
	"os"
	"testing"
)

func officialCatalogue(t testing.TB) *Catalogue {
	t.Helper()
	data, err := os.ReadFile("../assets/catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalogue(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// codeOf is the code of the first problem of a domain error ("" for nil).
func codeOf(err error) string {
	var v ValidationError
	var r *RuleError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &v) && len(v) > 0:
		return v[0].Code
	case errors.As(err, &r):
		return r.Code
	}
	return "?" + err.Error()
}

// The rules of a clerk's action, with the official 2026 calendar and the seed catalogue:
// what is filled in, what is refused and with which code.
func TestComplete(t *testing.T) {
	cal, cat := officialCalendar(t), officialCatalogue(t)
	days3 := ProcessingTime{Unit: TimeWorkingDays, Value: 3}
	applicant := Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}
	open := Dossier{ID: "d", Applicant: applicant, Status: StatusAccepted, DueAt: vnClock(t, "2026-03-05 09:00"),
		Procedure: ProcedureRef{Code: "1.004873", Name: "Xác nhận tình trạng hôn nhân", Time: days3, ResultType: "Giấy xác nhận"}}
	online := Dossier{ID: "d", Applicant: applicant, Status: StatusRegistered,
		Procedure: ProcedureRef{Code: "1.004873", Name: "Xác nhận tình trạng hôn nhân"}} // no time: the catalogue's (3 days)
	unknownProc := Dossier{ID: "d", Procedure: ProcedureRef{Code: "9.999999", Name: "Thủ tục lạ"}}
	paused := open
	paused.DueAt = vnClock(t, "2026-02-24 10:00")
	paused.Supplements = []SupplementRound{{RequestedAt: vnClock(t, "2026-02-13 16:00")}}
	rescheduled := open
	rescheduled.Reschedules = []Reschedule{{Number: "1/PXL"}}
	letters := func() (int, error) { return 6, nil }

	for _, tt := range []struct {
		name    string
		d       Dossier
		now     string
		typ     EventType
		payload any
		limit   int
		code    string         // expected error code, "" for none
		check   func(any) bool // the completed payload
	}{
		{"accept counts the catalogue's time from now, over Tết", online, "2026-02-12 10:00", EvAccepted, AcceptedPayload{}, 0, "",
			func(p any) bool { return p.(AcceptedPayload).DueAt.Equal(vnClock(t, "2026-02-24 10:00")) }},
		{"accept rounds to the minute", online, "2026-03-02 09:00:31", EvAccepted, AcceptedPayload{}, 0, "",
			func(p any) bool { return p.(AcceptedPayload).DueAt.Equal(vnClock(t, "2026-03-05 09:01")) }},
		{"accept without any processing time", unknownProc, "2026-03-02 09:00", EvAccepted, AcceptedPayload{}, 0, "procedure.time", nil},
		{"supplement back after Tết moves the due date by the working time paused", paused, "2026-02-23 08:00", EvSupplementReceived,
			SupplementReceivedPayload{Note: "  đủ  "}, 0, "",
			func(p any) bool {
				v := p.(SupplementReceivedPayload)
				return v.NewDueAt.Equal(vnClock(t, "2026-02-24 14:00")) && v.Note == "đủ"
			}},
		{"supplement back without a request keeps the due date", open, "2026-03-03 08:00", EvSupplementReceived, SupplementReceivedPayload{}, 0, "",
			func(p any) bool { return p.(SupplementReceivedPayload).NewDueAt.Equal(open.DueAt) }},
		{"supplement request drops blank items and fills defaults", open, "2026-03-03 08:00", EvSupplementRequested,
			SupplementRequestedPayload{Reason: "Thiếu giấy", Items: []SupplementItem{{Name: " "}, {Name: "Bản sao CCCD"}}}, 0, "",
			func(p any) bool {
				v := p.(SupplementRequestedPayload)
				return len(v.Items) == 1 && v.Items[0].Count == 1 && v.Items[0].Form == FormOriginal
			}},
		{"supplement request with no item", open, "2026-03-03 08:00", EvSupplementRequested, SupplementRequestedPayload{Reason: "x"}, 0, "supplement.items", nil},
		{"supplement request with no reason", open, "2026-03-03 08:00", EvSupplementRequested,
			SupplementRequestedPayload{Items: []SupplementItem{{Name: "CCCD"}}}, 0, "supplement.reason", nil},
		{"refusal without a reason", open, "2026-03-03 08:00", EvRefused, ReasonPayload{Reason: " \t"}, 0, "reason.empty", nil},
		{"stop with a reason", open, "2026-03-03 08:00", EvStopped, ReasonPayload{Reason: " Dừng "}, 0, "",
			func(p any) bool { return p.(ReasonPayload).Reason == "Dừng" }},
		{"reschedule is numbered after the unit's letters", open, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "Chờ xác minh", NewDueAt: vnClock(t, "2026-03-10 09:00")}, 1, "",
			func(p any) bool { return p.(RescheduledPayload).Number == "7/PXL" }},
		{"reschedule past the limit", rescheduled, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-03-10 09:00")}, 1, "reschedule.limit", nil},
		{"reschedule with no limit", rescheduled, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-03-10 09:00")}, 0, "", nil},
		{"reschedule earlier", open, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-03-04 09:00")}, 0, "reschedule.earlier", nil},
		{"reschedule onto a weekend", open, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-03-07 09:00")}, 0, "reschedule.day_off", nil},
		{"reschedule onto the Giỗ Tổ compensating day", open, "2026-03-03 08:00", EvRescheduled,
			RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-04-27 09:00")}, 0, "reschedule.day_off", nil},
		{"forward needs an agency", open, "2026-03-03 08:00", EvForwarded, StepPayload{Content: "x"}, 0, "forward.agency", nil},
		{"progress needs none", open, "2026-03-03 08:00", EvProgress, StepPayload{Content: "x"}, 0, "", nil},
		{"result defaults to the procedure's", open, "2026-03-03 08:00", EvResultReady, ResultReadyPayload{}, 0, "",
			func(p any) bool { return p.(ResultReadyPayload).Result == "Giấy xác nhận" }},
		{"hand-over to the applicant", open, "2026-03-03 08:00", EvHandedOver,
			HandedOverPayload{Recipient: Person{Name: "nguyễn văn an", IDNumber: "001099012345"}, Authorized: true}, 0, "",
			func(p any) bool {
				v := p.(HandedOverPayload)
				return !v.Authorized && v.Method == HandOverCounter && v.Documents == "Giấy xác nhận" && v.Recipient.Name == "Nguyễn Văn An"
			}},
		{"hand-over to someone else without an authorisation", open, "2026-03-03 08:00", EvHandedOver,
			HandedOverPayload{Recipient: Person{Name: "Trần Thị Bình", IDNumber: "001199012346"}}, 0, "handover.authority", nil},
		{"correction without a reason", open, "2026-03-03 08:00", EvCorrected, CorrectedPayload{}, 0, "correct.reason", nil},
		{"conflict decision without a note", open, "2026-03-03 08:00", EvConflictResolved, ConflictResolvedPayload{EventIDs: []string{"x"}}, 0, "conflict.note", nil},
		{"a payment passes as it is", open, "2026-03-03 08:00", EvPaymentRecorded, PaymentPayload{Amount: 8000}, 0, "", nil},
		{"an unknown payload", open, "2026-03-03 08:00", EvForwarded, struct{}{}, 0, "event.payload", nil},
		{"another type's payload", open, "2026-03-03 08:00", EvRefused, StepPayload{Agency: "x"}, 0, "event.payload", nil},
		{"an intake is not recorded by hand", open, "2026-03-03 08:00", EvReceived, ReceivedPayload{}, 0, "event.not_recordable", nil},
	} {
		got, err := Complete(tt.d, tt.typ, tt.payload, Completion{Now: vnClock(t, tt.now), Calendar: cal, Catalogue: cat,
			RescheduleLimit: tt.limit, LettersIssued: letters})
		if c := codeOf(err); c != tt.code {
			t.Errorf("%s: error %q (%v), want %q", tt.name, c, err, tt.code)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v is not ErrInvalid", tt.name, err)
		}
		if tt.check != nil && (err != nil || !tt.check(got)) {
			t.Errorf("%s: completed %+v", tt.name, got)
		}
	}
}

// A letter needs its number only when none is given; a failing count is passed on.
func TestCompleteLetterCount(t *testing.T) {
	d := Dossier{DueAt: vnClock(t, "2026-03-05 09:00")}
	boom := errors.New("boom")
	c := Completion{Now: vnClock(t, "2026-03-03 08:00"), Calendar: officialCalendar(t),
		LettersIssued: func() (int, error) { return 0, boom }}
	p := RescheduledPayload{Reason: "x", NewDueAt: vnClock(t, "2026-03-10 09:00")}
	if _, err := Complete(d, EvRescheduled, p, c); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	p.Number = "3/PXL"
	if got, err := Complete(d, EvRescheduled, p, c); err != nil || got.(RescheduledPayload).Number != "3/PXL" {
		t.Fatalf("%+v %v", got, err)
	}
}
