package domain

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

const testStream = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

type evBuilder struct {
	t   *testing.T
	n   int
	now time.Time
}

func newBuilder(t *testing.T) *evBuilder {
	return &evBuilder{t: t, now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
}

// ev makes the next event of the test stream, one minute after the previous one.
func (b *evBuilder) ev(typ EventType, device string, payload any) Event {
	b.t.Helper()
	b.n++
	b.now = b.now.Add(time.Minute)
	id := fmt.Sprintf("0190a1b2-0000-7000-8000-%012d", b.n)
	e, err := NewEvent(id, StreamDossier, testStream, typ, payload, "canbo1", device, "000.00.06.H56", b.now, MakeHLC(b.now.UnixMilli(), 0))
	if err != nil {
		b.t.Fatal(err)
	}
	return e
}

func receivedPayload(due time.Time) ReceivedPayload {
	return ReceivedPayload{
		Code:      "000.00.06.H56-260302-1001",
		Procedure: ProcedureRef{Code: "1.001193", Name: "Đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch", CatalogueVersion: "2026.1", Time: ProcessingTime{Unit: TimeSameDay}},
		Applicant: Person{Name: "Nguyễn Văn An", IDNumber: "001099012345", Phone: "0912345678"},
		Subject:   SubjectCitizen, Channel: ChannelDirect, Summary: "Đăng ký khai sinh cho con",
		Documents: []DocumentItem{{Code: "TK", Name: "Tờ khai đăng ký khai sinh", Form: FormOriginal, Count: 1},
			{Code: "GCS", Name: "Giấy chứng sinh", Form: FormOriginal, Count: 1}},
		Sets: 1, DueAt: due,
	}
}

func TestFoldLifecycle(t *testing.T) {
	b := newBuilder(t)
	due := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	newDue := due.Add(48 * time.Hour)
	evs := []Event{
		b.ev(EvReceived, "A", receivedPayload(due)),
		b.ev(EvSupplementRequested, "A", SupplementRequestedPayload{Items: []SupplementItem{{Name: "Giấy chứng sinh", Form: FormOriginal, Count: 1}}, Reason: "Thiếu giấy chứng sinh"}),
		b.ev(EvSupplementReceived, "A", SupplementReceivedPayload{NewDueAt: newDue}),
		b.ev(EvForwarded, "A", StepPayload{Agency: "Phòng Văn hóa - Xã hội"}),
		b.ev(EvFileAttached, "A", FileAttachedPayload{File: FileRef{SHA256: fmt.Sprintf("%064d", 1), Name: "gcs.pdf", Mime: "application/pdf", Size: 10}, Document: "GCS", Digitized: true}),
		b.ev(EvResultReady, "B", ResultReadyPayload{Agency: "UBND xã", Electronic: true}),
		b.ev(EvHandedOver, "A", HandedOverPayload{Recipient: Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}, Method: HandOverCounter}),
	}
	d := Fold(evs)
	if d.Status != StatusReturned {
		t.Fatalf("status = %v, want %v; conflicts %+v", d.Status, StatusReturned, d.Conflicts)
	}
	if len(d.Conflicts) != 0 {
		t.Fatalf("unexpected conflicts %+v", d.Conflicts)
	}
	if !d.DueAt.Equal(newDue) || !d.OriginalDueAt.Equal(due) {
		t.Errorf("due = %v (original %v), want %v (%v)", d.DueAt, d.OriginalDueAt, newDue, due)
	}
	if got := d.DigitizedShare(); got != 0.5 {
		t.Errorf("digitized share = %v, want 0.5", got)
	}
	if !d.EResult || d.HandOver == nil || d.HandOver.Recipient.Name != "Nguyễn Văn An" {
		t.Errorf("e-result %v hand-over %+v", d.EResult, d.HandOver)
	}
	if d.Events != len(evs) || d.ForwardedAt.IsZero() || d.ResultAt.IsZero() || d.ReturnedAt.IsZero() {
		t.Errorf("events %d forwarded %v result %v returned %v", d.Events, d.ForwardedAt, d.ResultAt, d.ReturnedAt)
	}
	if len(d.Supplements) != 1 || !d.Supplements[0].DueAfter.Equal(newDue) || d.Supplements[0].ReceivedAt.IsZero() {
		t.Errorf("supplements %+v", d.Supplements)
	}
}

// TestFoldAnyInterleaving is the property the sync design rests on: any interleaving of
// the same events (as two devices and the city deliver them) folds to the same dossier.
func TestFoldAnyInterleaving(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		evs := randomHistory(t, rng)
		want := Fold(evs)
		for k := 0; k < 20; k++ {
			shuffled := append([]Event(nil), evs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			// duplicates delivered twice (a lost reply re-sent) must count once
			if len(shuffled) > 0 && rng.IntN(2) == 0 {
				shuffled = append(shuffled, shuffled[rng.IntN(len(shuffled))])
			}
			got := Fold(shuffled)
			if !reflect.DeepEqual(mustJSON(t, got), mustJSON(t, want)) {
				t.Fatalf("seed %d shuffle %d: fold differs\n got %s\nwant %s", seed, k, mustJSON(t, got), mustJSON(t, want))
			}
		}
	}
}

// randomHistory makes a plausible but messy history: several devices, colliding clocks,
// some events that will conflict.
func randomHistory(t *testing.T, rng *rand.Rand) []Event {
	b := newBuilder(t)
	due := b.now.Add(72 * time.Hour)
	evs := []Event{b.ev(EvReceived, "A", receivedPayload(due))}
	kinds := []struct {
		typ EventType
		p   any
	}{
		{EvForwarded, StepPayload{Agency: "UBND"}},
		{EvProgress, StepPayload{Content: "Đang thẩm định"}},
		{EvSupplementRequested, SupplementRequestedPayload{Items: []SupplementItem{{Name: "CCCD", Form: FormPhoto, Count: 1}}, Reason: "Thiếu"}},
		{EvSupplementReceived, SupplementReceivedPayload{NewDueAt: due.Add(24 * time.Hour)}},
		{EvResultReady, ResultReadyPayload{}},
		{EvHandedOver, HandedOverPayload{Recipient: Person{Name: "Trần Thị Bình"}, Method: HandOverCounter}},
		{EvRefused, ReasonPayload{Reason: "Không đủ điều kiện"}},
		{EvRescheduled, RescheduledPayload{Reason: "Chờ xác minh", NewDueAt: due.Add(96 * time.Hour)}},
		{EvCorrected, CorrectedPayload{Summary: ptr("Sửa trích yếu"), Reason: "Gõ nhầm"}},
	}
	devices := []string{"A", "B", "central"}
	for i := 0; i < 2+rng.IntN(10); i++ {
		k := kinds[rng.IntN(len(kinds))]
		e := b.ev(k.typ, devices[rng.IntN(len(devices))], k.p)
		if rng.IntN(3) == 0 { // same clock reading on two devices
			e.HLC = evs[len(evs)-1].HLC
		}
		evs = append(evs, e)
	}
	return evs
}

func ptr[T any](v T) *T { return &v }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestTransitions(t *testing.T) {
	cases := []struct {
		typ  EventType
		from Status
		ok   bool
	}{
		{EvReceived, StatusNone, true},
		{EvReceived, StatusAccepted, false},
		{EvAccepted, StatusRegistered, true},
		{EvHandedOver, StatusAccepted, false},
		{EvHandedOver, StatusResultReady, true},
		{EvHandedOver, StatusRefused, false},
		{EvResultReady, StatusAccepted, true},
		{EvResultReady, StatusSupplement, false},
		{EvSupplementRequested, StatusProcessing, true},
		{EvSupplementReceived, StatusProcessing, false},
		{EvRefused, StatusResultReady, false},
		{EvRefused, StatusProcessing, true},
		{EvWithdrawn, StatusSupplement, true},
		{EvWithdrawn, StatusReturned, false},
		{EvPaymentRecorded, StatusAwaitingPayment, true},
		{EvRescheduled, StatusReturned, false},
		{EvRescheduled, StatusProcessing, true},
		{EvCorrected, StatusReturned, true},
		{EvCorrected, StatusNone, false},
	}
	for _, c := range cases {
		if got := Allowed(c.typ, c.from); got != c.ok {
			t.Errorf("Allowed(%s, %v) = %v, want %v", c.typ, c.from, got, c.ok)
		}
	}
	if got := Actions(StatusResultReady); !reflect.DeepEqual(got, []EventType{EvHandedOver}) {
		t.Errorf("Actions(9) = %v", got)
	}
}

func TestSupplementReturnsToPreviousStatus(t *testing.T) {
	b := newBuilder(t)
	due := b.now.Add(time.Hour)
	d := Fold([]Event{
		b.ev(EvReceived, "A", receivedPayload(due)),
		b.ev(EvForwarded, "A", StepPayload{Agency: "UBND"}),
		b.ev(EvSupplementRequested, "A", SupplementRequestedPayload{Items: []SupplementItem{{Name: "x", Form: FormPhoto, Count: 1}}, Reason: "r"}),
	})
	if d.Status != StatusSupplement || !d.Paused() {
		t.Fatalf("status %v", d.Status)
	}
	d.Fold(b.ev(EvSupplementReceived, "A", SupplementReceivedPayload{NewDueAt: due.Add(time.Hour)}))
	if d.Status != StatusProcessing {
		t.Fatalf("after supplement: status %v, want %v", d.Status, StatusProcessing)
	}
}

// A hand-over recorded offline for a dossier the city refused meanwhile is kept as a
// conflict, not applied and not dropped; a supervisor's decision resolves it.
func TestConflictKeptAndResolved(t *testing.T) {
	b := newBuilder(t)
	received := b.ev(EvReceived, "A", receivedPayload(b.now.Add(time.Hour)))
	forwarded := b.ev(EvForwarded, "A", StepPayload{Agency: "UBND"})
	refused := b.ev(EvRefused, "central", ReasonPayload{Reason: "Hồ sơ giả mạo"})
	ready := b.ev(EvResultReady, "A", ResultReadyPayload{})
	handed := b.ev(EvHandedOver, "A", HandedOverPayload{Recipient: Person{Name: "An"}, Method: HandOverCounter})
	d := Fold([]Event{handed, ready, refused, forwarded, received})
	if d.Status != StatusRefused {
		t.Fatalf("status %v, want refused", d.Status)
	}
	open := d.OpenConflicts()
	if len(open) != 2 || open[0].EventID != ready.ID || open[1].EventID != handed.ID {
		t.Fatalf("conflicts %+v", d.Conflicts)
	}
	if open[1].Code != "status.not_allowed" || open[1].Msg == "" {
		t.Errorf("conflict message %+v", open[1])
	}
	resolve := b.ev(EvConflictResolved, "A", ConflictResolvedPayload{EventIDs: []string{ready.ID, handed.ID}, Decision: "set_status", SetStatus: StatusReturned, Note: "Công dân đã nhận kết quả"})
	d2 := Fold([]Event{handed, ready, refused, forwarded, received, resolve})
	if len(d2.OpenConflicts()) != 0 || len(d2.Conflicts) != 2 || d2.Status != StatusReturned || d2.ReturnedAt.IsZero() {
		t.Fatalf("after resolution: status %v conflicts %+v", d2.Status, d2.Conflicts)
	}
}

func TestApplyLeavesDossierUnchangedOnError(t *testing.T) {
	b := newBuilder(t)
	d := Fold([]Event{b.ev(EvReceived, "A", receivedPayload(b.now))})
	before := mustJSON(t, d)
	err := d.Apply(b.ev(EvHandedOver, "A", HandedOverPayload{Recipient: Person{Name: "An"}, Method: HandOverCounter}))
	if err == nil {
		t.Fatal("hand-over of an accepted dossier must fail")
	}
	if mustJSON(t, d) != before {
		t.Error("failed Apply changed the dossier")
	}
	if err := d.Check(b.ev(EvFileAttached, "A", FileAttachedPayload{File: FileRef{SHA256: fmt.Sprintf("%064d", 2)}, Document: "NOPE"})); err == nil {
		t.Error("attaching to an unknown component must fail")
	}
	if mustJSON(t, d) != before {
		t.Error("Check changed the dossier")
	}
}

func TestDecodePayloadRejectsBadEvents(t *testing.T) {
	b := newBuilder(t)
	bad := []Event{
		b.ev(EvReceived, "A", ReceivedPayload{}),
		b.ev(EvRefused, "A", ReasonPayload{}),
		b.ev("dossier.teleported", "A", struct{}{}),
	}
	v2 := b.ev(EvRefused, "A", ReasonPayload{Reason: "x"})
	v2.Version = 2
	bad = append(bad, v2)
	for _, e := range bad {
		if _, err := DecodePayload(e); err == nil {
			t.Errorf("%s v%d: accepted a bad payload", e.Type, e.Version)
		}
	}
}

func TestMayBeUnaccepted(t *testing.T) {
	want := map[Status]bool{StatusRegistered: true, StatusSupplement: true, StatusRefused: true,
		StatusWithdrawn: true, StatusStopped: true}
	for _, s := range AllStatuses() {
		if got := s.MayBeUnaccepted(); got != want[s] {
			t.Errorf("%v.MayBeUnaccepted() = %v, want %v", s, got, want[s])
		}
	}
}

func TestStatusAfter(t *testing.T) {
	tests := []struct {
		t          EventType
		pausedFrom Status
		want       Status
		ok         bool
	}{
		{EvReceived, StatusNone, StatusAccepted, true},
		{EvRegisteredOnline, StatusNone, StatusRegistered, true},
		{EvSupplementRequested, StatusNone, StatusSupplement, true},
		{EvSupplementReceived, StatusProcessing, StatusProcessing, true},
		{EvSupplementReceived, StatusRegistered, StatusRegistered, true},
		{EvSupplementReceived, StatusNone, StatusAccepted, true},
		{EvPaymentRequested, StatusNone, StatusAwaitingPayment, true},
		{EvPaymentRecorded, StatusNone, StatusProcessing, true},
		{EvForwarded, StatusNone, StatusProcessing, true},
		{EvResultReady, StatusNone, StatusResultReady, true},
		{EvHandedOver, StatusNone, StatusReturned, true},
		{EvRefused, StatusNone, StatusRefused, true},
		{EvWithdrawn, StatusNone, StatusWithdrawn, true},
		{EvStopped, StatusNone, StatusStopped, true},
		{EvRescheduled, StatusProcessing, StatusNone, false},
		{EvCorrected, StatusNone, StatusNone, false},
		{EvConflictResolved, StatusNone, StatusNone, false},
		{EventType("no.such"), StatusNone, StatusNone, false},
	}
	for _, tt := range tests {
		got, ok := StatusAfter(tt.t, tt.pausedFrom)
		if got != tt.want || ok != tt.ok {
			t.Errorf("StatusAfter(%s, %v) = %v, %v; want %v, %v", tt.t, tt.pausedFrom, got, ok, tt.want, tt.ok)
		}
	}
	// Every event that changes the status in the table is answered from it.
	for typ, tr := range transitions {
		if typ == EvSupplementReceived {
			continue
		}
		if got, ok := StatusAfter(typ, StatusNone); ok != (tr.to != StatusNone) || (ok && got != tr.to) {
			t.Errorf("StatusAfter(%s) = %v, %v; table says %v", typ, got, ok, tr.to)
		}
	}
}
