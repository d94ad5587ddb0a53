package domain

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Report fixtures: every dossier is folded from events written out by hand, and every
// figure expected below was counted by hand from the story each dossier tells.

func vnAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, VN())
}

type story struct {
	t      *testing.T
	stream string
	n      int
	evs    []Event
}

var storyCount int

func newStory(t *testing.T) *story {
	storyCount++
	return &story{t: t, stream: fmt.Sprintf("0190a1b2-c3d4-7e5f-8a9b-%012d", storyCount)}
}

func (s *story) on(at time.Time, typ EventType, payload any) *story {
	s.t.Helper()
	s.n++
	id := fmt.Sprintf("0190a1b2-0000-7000-8000-%06d%06d", storyCount, s.n)
	actor := "lan"
	e, err := NewEvent(id, StreamDossier, s.stream, typ, payload, actor, "A", "000.00.06.H56", at, MakeHLC(at.UnixMilli(), uint16(s.n)))
	if err != nil {
		s.t.Fatal(err)
	}
	s.evs = append(s.evs, e)
	return s
}

func (s *story) fold() Dossier {
	s.t.Helper()
	d := Fold(s.evs)
	if len(d.Conflicts) > 0 {
		s.t.Fatalf("dossier %s: conflicts %+v", d.Code, d.Conflicts)
	}
	return d
}

var (
	procBirth = ProcedureRef{Code: "1.001193", Name: "Đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch",
		Time: ProcessingTime{Unit: TimeSameDay}, ResultType: "Giấy khai sinh"}
	procMarital = ProcedureRef{Code: "1.004873", Name: "Xác nhận tình trạng hôn nhân", FieldCode: "HT", Field: "Hộ tịch",
		Time: ProcessingTime{Unit: TimeWorkingDays, Value: 3}, ResultType: "Giấy xác nhận tình trạng hôn nhân"}
	procCopy = ProcedureRef{Code: "2.000815", Name: "Chứng thực bản sao từ bản chính", FieldCode: "CT", Field: "Chứng thực",
		Time: ProcessingTime{Unit: TimeSameDay}, ResultType: "Bản sao được chứng thực"}
)

func received(code string, proc ProcedureRef, ch Channel, due time.Time, digitized bool) ReceivedPayload {
	return ReceivedPayload{Code: code, Procedure: proc, Channel: ch, Subject: SubjectCitizen, Summary: proc.Name,
		Applicant: Person{Name: "Trần Thị Hoa", IDNumber: "031185004321", Phone: "0912345678", Address: "Thôn Đông, xã An Hưng"},
		Documents: []DocumentItem{{Code: "TK", Name: "Tờ khai", Form: FormOriginal, Count: 1, Digitized: digitized}},
		Sets:      1, DueAt: due}
}

// reportFixtures tells the February 2026 stories. Tết 2026: Mon 16/2 – Fri 20/2 off.
func reportFixtures(t *testing.T) map[string]Dossier {
	out := map[string]Dossier{}
	add := func(name string, s *story) { out[name] = s.fold() }

	// A: received in January, a supplement paused the clock (due moved from 27/1 to 10/2),
	// result on its due day (on time), digitized with an e-result. Carried over, resolved.
	add("A", newStory(t).
		on(vnAt(2026, 1, 22, 9, 0), EvReceived, received("000.00.06.H56-260122-1001", procMarital, ChannelDirect, vnAt(2026, 1, 27, 9, 0), true)).
		on(vnAt(2026, 1, 23, 10, 0), EvSupplementRequested, SupplementRequestedPayload{Items: []SupplementItem{{Name: "Bản sao sổ hộ khẩu", Form: FormCertified, Count: 1}}, Reason: "Thiếu giấy tờ"}).
		on(vnAt(2026, 2, 3, 9, 0), EvSupplementReceived, SupplementReceivedPayload{NewDueAt: vnAt(2026, 2, 10, 17, 0)}).
		on(vnAt(2026, 2, 3, 10, 0), EvForwarded, StepPayload{Agency: "Công chức Tư pháp - Hộ tịch"}).
		on(vnAt(2026, 2, 10, 15, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã", Electronic: true}).
		on(vnAt(2026, 2, 11, 8, 30), EvHandedOver, HandedOverPayload{Recipient: Person{Name: "Trần Thị Hoa", IDNumber: "031185004321"}, Method: HandOverCounter}))

	// B: received by post on Friday 13/2 at 16:00, after the same-day cut-off and just
	// before Tết: due Monday 23/2. Result on 23/2: on time (not late, the break is not worked).
	add("B", newStory(t).
		on(vnAt(2026, 2, 13, 16, 0), EvReceived, received("000.00.06.H56-260213-1001", procBirth, ChannelPost, vnAt(2026, 2, 23, 17, 0), false)).
		on(vnAt(2026, 2, 23, 10, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã"}).
		on(vnAt(2026, 2, 23, 11, 0), EvHandedOver, HandedOverPayload{Recipient: Person{Name: "Trần Thị Hoa"}, Method: HandOverPost, Documents: "Giấy khai sinh (bản chính)"}))

	// C: online, due Thursday 5/2, result Wednesday 4/2: early; fully digital.
	add("C", newStory(t).
		on(vnAt(2026, 2, 2, 8, 0), EvReceived, received("000.00.06.H56-260202-1001", procCopy, ChannelOnline, vnAt(2026, 2, 5, 8, 0), true)).
		on(vnAt(2026, 2, 4, 14, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã", Electronic: true}).
		on(vnAt(2026, 2, 4, 15, 0), EvHandedOver, HandedOverPayload{Recipient: Person{Name: "Trần Thị Hoa"}, Method: HandOverElectronic}))

	// D: in person, due Friday 6/2, result Monday 9/2: late. Collected by an authorised person.
	add("D", newStory(t).
		on(vnAt(2026, 2, 3, 9, 0), EvReceived, received("000.00.06.H56-260203-1001", procMarital, ChannelDirect, vnAt(2026, 2, 6, 9, 0), false)).
		on(vnAt(2026, 2, 3, 9, 30), EvForwarded, StepPayload{Agency: "Văn phòng HĐND và UBND xã"}).
		on(vnAt(2026, 2, 9, 10, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã"}).
		on(vnAt(2026, 2, 10, 9, 0), EvHandedOver, HandedOverPayload{Recipient: Person{Name: "Lê Văn Nam", IDNumber: "031090001234"},
			Authorized: true, Authority: "Giấy ủy quyền số 12", Method: HandOverCounter}))

	// E: in person, withdrawn the same morning.
	add("E", newStory(t).
		on(vnAt(2026, 2, 4, 9, 0), EvReceived, received("000.00.06.H56-260204-1001", procCopy, ChannelDirect, vnAt(2026, 2, 4, 17, 0), false)).
		on(vnAt(2026, 2, 4, 10, 0), EvWithdrawn, ReasonPayload{Reason: "Công dân xin rút hồ sơ"}))

	// F: registered online on 4/2 evening, accepted 5/2, refused 6/2.
	add("F", newStory(t).
		on(vnAt(2026, 2, 4, 20, 0), EvRegisteredOnline, received("", procCopy, ChannelOnline, time.Time{}, false)).
		on(vnAt(2026, 2, 5, 9, 0), EvAccepted, AcceptedPayload{DueAt: vnAt(2026, 2, 5, 17, 0)}).
		on(vnAt(2026, 2, 5, 9, 1), EvCodeAssigned, CodeAssignedPayload{Code: "000.00.06.H56-260205-1001"}).
		on(vnAt(2026, 2, 6, 8, 0), EvRefused, ReasonPayload{Reason: "Không thuộc thẩm quyền"}))

	// G: received after Tết, due Wednesday 25/2, still processing at the end: overdue.
	add("G", newStory(t).
		on(vnAt(2026, 2, 23, 9, 0), EvReceived, received("000.00.06.H56-260223-1001", procMarital, ChannelDirect, vnAt(2026, 2, 25, 9, 0), false)).
		on(vnAt(2026, 2, 23, 10, 0), EvForwarded, StepPayload{Agency: "Công chức Tư pháp - Hộ tịch"}))

	// H: online, due 3/3: in progress, in time.
	add("H", newStory(t).
		on(vnAt(2026, 2, 26, 14, 0), EvReceived, received("000.00.06.H56-260226-1001", procCopy, ChannelOnline, vnAt(2026, 3, 3, 14, 0), true)))

	// I: in person, forms filled in by an official, result on 2/3 (after the period): in time.
	in := received("000.00.06.H56-260227-1001", procMarital, ChannelDirect, vnAt(2026, 3, 4, 9, 0), false)
	in.Assisted = true
	add("I", newStory(t).
		on(vnAt(2026, 2, 27, 9, 0), EvReceived, in).
		on(vnAt(2026, 3, 2, 9, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã"}))

	// J: registered online, never accepted: not received.
	add("J", newStory(t).
		on(vnAt(2026, 2, 10, 21, 0), EvRegisteredOnline, received("", procBirth, ChannelOnline, time.Time{}, false)))

	// K: received and resolved in January: nowhere in February.
	add("K", newStory(t).
		on(vnAt(2026, 1, 20, 9, 0), EvReceived, received("000.00.06.H56-260120-1001", procBirth, ChannelDirect, vnAt(2026, 1, 20, 17, 0), false)).
		on(vnAt(2026, 1, 20, 11, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã"}))

	// L: received in March: nowhere in February.
	add("L", newStory(t).
		on(vnAt(2026, 3, 2, 9, 0), EvReceived, received("000.00.06.H56-260302-1001", procBirth, ChannelDirect, vnAt(2026, 3, 2, 17, 0), false)))

	// M: received in January, due 29/1, still processing: carried over and overdue.
	add("M", newStory(t).
		on(vnAt(2026, 1, 26, 9, 0), EvReceived, received("000.00.06.H56-260126-1001", procMarital, ChannelDirect, vnAt(2026, 1, 29, 9, 0), false)).
		on(vnAt(2026, 1, 26, 10, 0), EvForwarded, StepPayload{Agency: "Công chức Tư pháp - Hộ tịch"}))

	// N: received in January, processing stopped on 3/2: carried over, then stopped.
	add("N", newStory(t).
		on(vnAt(2026, 1, 28, 9, 0), EvReceived, received("000.00.06.H56-260128-1001", procMarital, ChannelDirect, vnAt(2026, 2, 2, 9, 0), false)).
		on(vnAt(2026, 2, 3, 9, 0), EvStopped, ReasonPayload{Reason: "Người yêu cầu đã chết"}))

	// O: due Friday 27/2 but a supplement requested on 25/2 is still awaited: the clock
	// stopped before the due date, so in time.
	add("O", newStory(t).
		on(vnAt(2026, 2, 24, 9, 0), EvReceived, received("000.00.06.H56-260224-1001", procCopy, ChannelDirect, vnAt(2026, 2, 27, 9, 0), false)).
		on(vnAt(2026, 2, 25, 10, 0), EvSupplementRequested, SupplementRequestedPayload{Items: []SupplementItem{{Name: "Bản chính", Form: FormOriginal, Count: 1}}, Reason: "Thiếu bản chính"}))

	// Q: same day, result at 11:00 (on time), not yet collected.
	add("Q", newStory(t).
		on(vnAt(2026, 2, 9, 9, 0), EvReceived, received("000.00.06.H56-260209-1001", procCopy, ChannelDirect, vnAt(2026, 2, 9, 17, 0), false)).
		on(vnAt(2026, 2, 9, 11, 0), EvResultReady, ResultReadyPayload{Agency: "UBND xã"}))
	return out
}

func all(m map[string]Dossier) []Dossier {
	var out []Dossier
	for _, name := range []string{"Q", "O", "N", "M", "L", "K", "J", "I", "H", "G", "F", "E", "D", "C", "B", "A"} {
		out = append(out, m[name])
	}
	return out
}

func feb(t *testing.T) Period {
	p, err := ParsePeriod("2026-02-01", "2026-02-28")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func counts(rec, on, dir, carry, res, early, ontime, late, prog, intime, over, wd, ref, stop int) II06aCounts {
	return II06aCounts{Received: rec, ReceivedOnline: on, ReceivedDirect: dir, CarriedOver: carry, Resolved: res, Early: early,
		OnTime: ontime, Late: late, InProgress: prog, InTime: intime, Overdue: over, Withdrawn: wd, Refused: ref, Stopped: stop}
}

func TestII06aFebruary2026(t *testing.T) {
	fx := reportFixtures(t)
	fields := []Field{{Code: "CT", Name: "Chứng thực"}, {Code: "HT", Name: "Hộ tịch"}}
	rep, ind := BuildReport(feb(t), all(fx), ReportOptions{Fields: fields})

	// Hộ tịch: B, D, G, I new in person/post; A, M, N carried over. Resolved A (on its due
	// day), B (on 23/2, due 23/2 after Tết), D (late). In progress G (overdue), I (in
	// time), M (overdue). N stopped.
	wantHT := counts(7, 0, 4, 3, 3, 0, 2, 1, 3, 1, 2, 0, 0, 1)
	// Chứng thực: C, F, H online; E, O, Q in person. Resolved C (early), Q (on time).
	// In progress H (in time), O (paused before due: in time). E withdrawn, F refused.
	wantCT := counts(6, 3, 3, 0, 2, 1, 1, 0, 2, 2, 0, 1, 1, 0)
	if len(rep.Rows) != 2 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if r := rep.Rows[0]; r.FieldCode != "CT" || r.Field != "Chứng thực" || r.II06aCounts != wantCT {
		t.Errorf("CT row\n got %+v\nwant %+v", r.II06aCounts, wantCT)
	}
	if r := rep.Rows[1]; r.FieldCode != "HT" || r.Field != "Hộ tịch" || r.II06aCounts != wantHT {
		t.Errorf("HT row\n got %+v\nwant %+v", r.II06aCounts, wantHT)
	}
	wantTotal := counts(13, 3, 7, 3, 5, 1, 3, 1, 5, 3, 2, 1, 1, 1)
	if rep.Total != wantTotal {
		t.Errorf("total\n got %+v\nwant %+v", rep.Total, wantTotal)
	}
	if got := rep.Total.Cells(); got != [11]int{13, 3, 7, 3, 5, 1, 3, 1, 5, 3, 2} {
		t.Errorf("cells %v", got)
	}
	for _, c := range append([]II06aCounts{rep.Total}, rep.Rows[0].II06aCounts, rep.Rows[1].II06aCounts) {
		if c.Received != c.ReceivedOnline+c.ReceivedDirect+c.CarriedOver || c.Resolved != c.Early+c.OnTime+c.Late ||
			c.InProgress != c.InTime+c.Overdue || c.Received != c.Resolved+c.InProgress+c.Closed() {
			t.Errorf("row does not balance: %+v", c)
		}
	}

	// Indicators: 10 newly received (3 online, 1 assisted); 5 resolved, 4 early or on
	// time, A and C digitized with an e-result, only C also online.
	wantInd := Indicators{Period: feb(t), Received: 10, Resolved: 5, Online: Ratio{3, 10}, OnTime: Ratio{4, 5},
		DigitizedEResult: Ratio{2, 5}, FullyDigital: Ratio{1, 5}, Assisted: Ratio{1, 10}}
	if ind != wantInd {
		t.Errorf("indicators\n got %+v\nwant %+v", ind, wantInd)
	}
	if ind.OnTime.Percent() != "80,0%" || ind.Online.Percent() != "30,0%" || (Ratio{}).Percent() != "–" {
		t.Errorf("percent %s %s", ind.OnTime.Percent(), ind.Online.Percent())
	}

	// Without a calendar the same dates give the same answer.
	noCal, _ := BuildReport(feb(t), all(fx), ReportOptions{Fields: fields})
	if noCal.Total != rep.Total {
		t.Errorf("without calendar %+v", noCal.Total)
	}
}

func TestII06aCarriedOverEqualsPreviousInProgress(t *testing.T) {
	fx := reportFixtures(t)
	jan, _ := ParsePeriod("2026-01-01", "2026-01-31")
	rJan, _ := BuildReport(jan, all(fx), ReportOptions{})
	rFeb, _ := BuildReport(feb(t), all(fx), ReportOptions{})
	// January: A, K, M, N received; K resolved on 20/1; A, M, N in progress at the end:
	// M overdue, N (due 2/2) in time, and A in time: its clock was stopped by the
	// supplement request, which the due date of 10/2 already reflects.
	if want := counts(4, 0, 4, 0, 1, 0, 1, 0, 3, 2, 1, 0, 0, 0); rJan.Total != want {
		t.Errorf("January\n got %+v\nwant %+v", rJan.Total, want)
	}
	if rJan.Total.InProgress != rFeb.Total.CarriedOver {
		t.Errorf("in progress at the end of January %d, carried into February %d", rJan.Total.InProgress, rFeb.Total.CarriedOver)
	}
	// One day: Tuesday 3/2. D and the carried A, M, N (N stopped that day).
	day, _ := ParsePeriod("2026-02-03", "2026-02-03")
	rDay, _ := BuildReport(day, all(fx), ReportOptions{})
	// C (received 2/2, resolved 4/2) is carried over too. At the end of the day A (due
	// 10/2), C (5/2) and D (6/2) are in time, M overdue.
	if want := counts(5, 0, 1, 4, 0, 0, 0, 0, 4, 3, 1, 0, 0, 1); rDay.Total != want {
		t.Errorf("3/2\n got %+v\nwant %+v", rDay.Total, want)
	}
	if day.String() != "Ngày 03/02/2026" || feb(t).String() != "Từ ngày 01/02/2026 đến ngày 28/02/2026" {
		t.Errorf("period strings %q %q", day, feb(t))
	}
}

func TestII06aFinishAtReturnAndAsOf(t *testing.T) {
	fx := reportFixtures(t)
	rep, ind := BuildReport(feb(t), all(fx), ReportOptions{Finish: FinishAtReturn})
	// Counted at hand-over: A returned 11/2 (due 10/2) is late, B on time, D late, C early;
	// Q's result waits at the counter: in progress and, due 9/2, overdue; so does K's since
	// January, which makes it carried over (and overdue) too.
	var ht, ct II06aCounts
	for _, r := range rep.Rows {
		if r.FieldCode == "HT" {
			ht = r.II06aCounts
		} else {
			ct = r.II06aCounts
		}
	}
	if want := counts(8, 0, 4, 4, 3, 0, 1, 2, 4, 1, 3, 0, 0, 1); ht != want {
		t.Errorf("HT at return\n got %+v\nwant %+v", ht, want)
	}
	if want := counts(6, 3, 3, 0, 1, 1, 0, 0, 3, 2, 1, 1, 1, 0); ct != want {
		t.Errorf("CT at return\n got %+v\nwant %+v", ct, want)
	}
	if ind.OnTime != (Ratio{2, 4}) {
		t.Errorf("on time at return %+v", ind.OnTime)
	}

	// A report of the running day, Wednesday 25/2 at 12:00, over what existed then:
	// G (due 25/2 09:00) is overdue, O (due 27/2) in time.
	day, _ := ParsePeriod("2026-02-25", "2026-02-25")
	g, o := fx["G"], fx["O"]
	o.Status, o.Supplements = StatusAccepted, nil // as it was before its supplement request
	r, _ := BuildReport(day, []Dossier{g, o}, ReportOptions{AsOf: vnAt(2026, 2, 25, 12, 0)})
	if r.Total.InTime != 1 || r.Total.Overdue != 1 || r.Total.CarriedOver != 2 {
		t.Errorf("as of noon %+v", r.Total)
	}
	// The same day judged at its end: G overdue, O (due 27/2) still in time.
	r, _ = BuildReport(day, []Dossier{g, o}, ReportOptions{})
	if r.Total.InTime != 1 || r.Total.Overdue != 1 {
		t.Errorf("end of day %+v", r.Total)
	}
	// A dossier due at 17:00 on the last day and still open at its end is overdue; judged
	// at 12:00 the same day it is in time.
	g.DueAt = vnAt(2026, 2, 25, 17, 0)
	r, _ = BuildReport(day, []Dossier{g}, ReportOptions{})
	if r.Total.Overdue != 1 {
		t.Errorf("due on the last day, open at its end: %+v", r.Total)
	}
	r, _ = BuildReport(day, []Dossier{g}, ReportOptions{AsOf: vnAt(2026, 2, 25, 12, 0)})
	if r.Total.InTime != 1 {
		t.Errorf("due later today, as of noon: %+v", r.Total)
	}
}

func TestReportPausedAfterDueIsOverdue(t *testing.T) {
	// Due 25/2, the supplement was only requested on 26/2: already late when the clock stopped.
	d := newStory(t).
		on(vnAt(2026, 2, 23, 9, 0), EvReceived, received("000.00.06.H56-260223-1002", procCopy, ChannelDirect, vnAt(2026, 2, 25, 9, 0), false)).
		on(vnAt(2026, 2, 26, 9, 0), EvSupplementRequested, SupplementRequestedPayload{Items: []SupplementItem{{Name: "X", Form: FormOriginal, Count: 1}}, Reason: "Thiếu"}).
		fold()
	r, _ := BuildReport(feb(t), []Dossier{d}, ReportOptions{})
	if r.Total.Overdue != 1 || r.Total.InProgress != 1 {
		t.Errorf("%+v", r.Total)
	}
}

func TestReportClockSkewAndOverride(t *testing.T) {
	// A result recorded on a workstation whose clock ran behind: before the receipt. It
	// counts as finished at the receipt, so it lands in exactly one column (on time).
	d := newStory(t).
		on(vnAt(2026, 2, 2, 9, 0), EvReceived, received("000.00.06.H56-260202-1002", procCopy, ChannelDirect, vnAt(2026, 2, 2, 17, 0), false)).
		fold()
	d.Status, d.ResultAt = StatusResultReady, vnAt(2026, 1, 31, 9, 0)
	r, _ := BuildReport(feb(t), []Dossier{d}, ReportOptions{})
	if r.Total.Received != 1 || r.Total.Resolved != 1 || r.Total.OnTime != 1 || r.Total.CarriedOver != 0 {
		t.Errorf("skewed %+v", r.Total)
	}
	// A supervisor set a resolved dossier back to processing: the stale result time is ignored.
	d.Status = StatusProcessing
	r, _ = BuildReport(feb(t), []Dossier{d}, ReportOptions{})
	if r.Total.InProgress != 1 || r.Total.Overdue != 1 {
		t.Errorf("override %+v", r.Total)
	}
}

func TestParsePeriodErrors(t *testing.T) {
	for _, c := range [][2]string{{"2026-02-30", "2026-03-01"}, {"01/02/2026", "2026-02-28"}, {"2026-02-01", ""}, {"2026-03-01", "2026-02-01"}} {
		if _, err := ParsePeriod(c[0], c[1]); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
	_, err := ParsePeriod("2026-03-01", "2026-02-01")
	if err == nil || err.Error() != "Ngày bắt đầu (01/03/2026) sau ngày kết thúc (01/02/2026)." {
		t.Errorf("from > to: %v", err)
	}
	p, err := NewPeriod(time.Date(2026, 1, 31, 18, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 16, 59, 0, 0, time.UTC))
	if err != nil || !p.Start().Equal(vnAt(2026, 2, 1, 0, 0)) || !p.End().Equal(vnAt(2026, 3, 1, 0, 0)) {
		t.Errorf("UTC instants read as Vietnamese dates: %v %v", p, err)
	}
}

func TestTrackingBook(t *testing.T) {
	fx := reportFixtures(t)
	book := TrackingBook(feb(t), all(fx))
	var codes []string
	for _, e := range book {
		codes = append(codes, e.Code)
	}
	want := []string{"000.00.06.H56-260202-1001", "000.00.06.H56-260203-1001", "000.00.06.H56-260204-1001",
		"000.00.06.H56-260205-1001", "000.00.06.H56-260209-1001", "000.00.06.H56-260213-1001", "000.00.06.H56-260223-1001",
		"000.00.06.H56-260224-1001", "000.00.06.H56-260226-1001", "000.00.06.H56-260227-1001"}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Fatalf("book order\n got %v\nwant %v", codes, want)
	}
	d := book[1] // D
	if d.No != 2 || d.Procedure != "Xác nhận tình trạng hôn nhân" || d.Sets != 1 || d.Owner != "Trần Thị Hoa" ||
		d.Address != "Thôn Đông, xã An Hưng" || d.Phone != "0912345678" || d.Agency != "Văn phòng HĐND và UBND xã" ||
		!d.ReceivedAt.Equal(vnAt(2026, 2, 3, 9, 0)) || !d.DueAt.Equal(vnAt(2026, 2, 6, 9, 0)) ||
		!d.ForwardedAt.Equal(vnAt(2026, 2, 3, 9, 30)) || !d.ResultAt.Equal(vnAt(2026, 2, 9, 10, 0)) ||
		!d.ReturnedAt.Equal(vnAt(2026, 2, 10, 9, 0)) || d.Note != "Quá hạn" {
		t.Errorf("D line %+v", d)
	}
	if f := book[3]; f.Note != "Nộp trực tuyến; Từ chối: Không thuộc thẩm quyền" || !f.ReceivedAt.Equal(vnAt(2026, 2, 5, 9, 0)) {
		t.Errorf("F line %+v", f)
	}
	if b := book[5]; b.Agency != "UBND xã" || b.Note != "Nộp qua bưu chính" || !b.ForwardedAt.IsZero() {
		t.Errorf("B line %+v", b)
	}
	if o := book[7]; o.Note != "Yêu cầu bổ sung 25/02" || !o.ResultAt.IsZero() {
		t.Errorf("O line %+v", o)
	}
	if e := book[2]; e.Note != "Rút hồ sơ: Công dân xin rút hồ sơ" {
		t.Errorf("E line %+v", e)
	}
	// A (received in January) is in January's book, with its supplement round.
	jan, _ := ParsePeriod("2026-01-01", "2026-01-31")
	jb := TrackingBook(jan, all(fx))
	if len(jb) != 4 || jb[1].Code != "000.00.06.H56-260122-1001" || jb[1].Note != "Yêu cầu bổ sung 23/01, nhận bổ sung 03/02" {
		t.Errorf("January book %+v", jb)
	}
}

func TestReturnBook(t *testing.T) {
	fx := reportFixtures(t)
	book := ReturnBook(feb(t), all(fx))
	if len(book) != 4 {
		t.Fatalf("return book %+v", book)
	}
	c, d, a, b := book[0], book[1], book[2], book[3]
	if c.No != 1 || c.Code != "000.00.06.H56-260202-1001" || c.Method != HandOverElectronic || !c.At.Equal(vnAt(2026, 2, 4, 15, 0)) ||
		c.Documents != "Bản sao được chứng thực" || c.Giver != "lan" {
		t.Errorf("C %+v", c)
	}
	if d.No != 2 || d.Recipient != "Lê Văn Nam" || d.RecipientID != "031090001234" || !d.Authorized || d.Authority != "Giấy ủy quyền số 12" {
		t.Errorf("D %+v", d)
	}
	if a.No != 3 || a.Code != "000.00.06.H56-260122-1001" || a.Method != HandOverCounter {
		t.Errorf("A %+v", a)
	}
	if b.No != 4 || b.Method != HandOverPost || b.Documents != "Giấy khai sinh (bản chính)" {
		t.Errorf("B %+v", b)
	}
}

// The province chooses how dossiers closed without a result are counted: E (withdrawn
// 4/2, due 4/2: on time), F (accepted 5/2, refused 6/2, due 5/2: late) and N (carried
// over from January, stopped 3/2, due 2/2: late) under each choice.
func TestII06aClosedTreatments(t *testing.T) {
	fx := reportFixtures(t)
	fields := []Field{{Code: "CT", Name: "Chứng thực"}, {Code: "HT", Name: "Hộ tịch"}}
	all3 := func(tr ClosedTreatment) ClosedTreatments {
		return ClosedTreatments{Withdrawn: tr, Stopped: tr, Refused: tr}
	}
	_, wantInd := BuildReport(feb(t), all(fx), ReportOptions{Fields: fields})
	for _, tt := range []struct {
		name     string
		closed   ClosedTreatments
		cells    [11]int // the total, columns 3–13
		ct, ht   [11]int // the rows
		apart    int
		describe string // how the withdrawn dossiers were counted
	}{
		{"default: apart", ClosedTreatments{},
			[11]int{13, 3, 7, 3, 5, 1, 3, 1, 5, 3, 2}, [11]int{6, 3, 3, 0, 2, 1, 1, 0, 2, 2, 0}, [11]int{7, 0, 4, 3, 3, 0, 2, 1, 3, 1, 2},
			3, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3), không tính vào số đã giải quyết (7) và số đang giải quyết (11)."},
		{"resolved on time", all3(ClosedResolvedOnTime),
			[11]int{13, 3, 7, 3, 8, 1, 6, 1, 5, 3, 2}, [11]int{6, 3, 3, 0, 4, 1, 3, 0, 2, 2, 0}, [11]int{7, 0, 4, 3, 4, 0, 3, 1, 3, 1, 2},
			0, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3) và số đã giải quyết đúng hạn (7), (9) vào ngày kết thúc, không xét ngày hẹn trả."},
		{"resolved by the due date", all3(ClosedResolvedByDue),
			[11]int{13, 3, 7, 3, 8, 1, 4, 3, 5, 3, 2}, [11]int{6, 3, 3, 0, 4, 1, 2, 1, 2, 2, 0}, [11]int{7, 0, 4, 3, 4, 0, 2, 2, 3, 1, 2},
			0, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3) và số đã giải quyết (7) vào ngày kết thúc; trước hạn (8), đúng hạn (9) hay quá hạn (10) so ngày kết thúc với ngày hẹn trả."},
		{"excluded", all3(ClosedExcluded),
			[11]int{10, 2, 6, 2, 5, 1, 3, 1, 5, 3, 2}, [11]int{4, 2, 2, 0, 2, 1, 1, 0, 2, 2, 0}, [11]int{6, 0, 4, 2, 3, 0, 2, 1, 3, 1, 2},
			0, "Hồ sơ công dân rút (trạng thái 7): không tính vào biểu của kỳ kết thúc: không có ở số nhận giải quyết (3), kể cả số từ kỳ trước chuyển qua (6), số đã giải quyết (7) và số đang giải quyết (11)."},
		{"each its own", ClosedTreatments{Withdrawn: ClosedResolvedOnTime, Stopped: ClosedExcluded, Refused: ClosedResolvedByDue},
			[11]int{12, 3, 7, 2, 7, 1, 4, 2, 5, 3, 2}, [11]int{6, 3, 3, 0, 4, 1, 2, 1, 2, 2, 0}, [11]int{6, 0, 4, 2, 3, 0, 2, 1, 3, 1, 2},
			0, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3) và số đã giải quyết đúng hạn (7), (9) vào ngày kết thúc, không xét ngày hẹn trả."},
		{"refused apart, others excluded", ClosedTreatments{Withdrawn: ClosedExcluded, Stopped: ClosedExcluded},
			[11]int{11, 3, 6, 2, 5, 1, 3, 1, 5, 3, 2}, [11]int{5, 3, 2, 0, 2, 1, 1, 0, 2, 2, 0}, [11]int{6, 0, 4, 2, 3, 0, 2, 1, 3, 1, 2},
			1, "Hồ sơ công dân rút (trạng thái 7): không tính vào biểu của kỳ kết thúc: không có ở số nhận giải quyết (3), kể cả số từ kỳ trước chuyển qua (6), số đã giải quyết (7) và số đang giải quyết (11)."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.closed.Validate(); err != nil {
				t.Fatal(err)
			}
			rep, ind := BuildReport(feb(t), all(fx), ReportOptions{Fields: fields, Closed: tt.closed})
			if got := rep.Total.Cells(); got != tt.cells {
				t.Errorf("total\n got %v\nwant %v", got, tt.cells)
			}
			if len(rep.Rows) != 2 || rep.Rows[0].Cells() != tt.ct || rep.Rows[1].Cells() != tt.ht {
				t.Errorf("rows %+v\nwant CT %v, HT %v", rep.Rows, tt.ct, tt.ht)
			}
			// The closed dossiers are counted whatever their treatment, for the notes.
			if tot := rep.Total; tot.Withdrawn != 1 || tot.Refused != 1 || tot.Stopped != 1 {
				t.Errorf("closed counts %+v", tot)
			}
			if rep.Closed != tt.closed.Normalized() || rep.Apart() != tt.apart {
				t.Errorf("treatments %+v, apart %d (want %d)", rep.Closed, rep.Apart(), tt.apart)
			}
			for _, c := range append([]II06aCounts{rep.Total}, rep.Rows[0].II06aCounts, rep.Rows[1].II06aCounts) {
				if c.Received != c.ReceivedOnline+c.ReceivedDirect+c.CarriedOver || c.Resolved != c.Early+c.OnTime+c.Late ||
					c.InProgress != c.InTime+c.Overdue || c.Received != c.Resolved+c.InProgress+c.Counted(rep.Closed, ClosedApart) {
					t.Errorf("row does not balance: %+v", c)
				}
			}
			if ind != wantInd {
				t.Errorf("the indicators follow the report's treatment\n got %+v\nwant %+v", ind, wantInd)
			}
			if got := rep.Closed.Describe(StatusWithdrawn); got != tt.describe {
				t.Errorf("describe\n got %s\nwant %s", got, tt.describe)
			}
		})
	}

	// A field whose only dossier was left out has no row; the total still counts it.
	e := fx["E"]
	e.Procedure.FieldCode, e.Procedure.Field = "XX", "Lĩnh vực khác"
	rep, _ := BuildReport(feb(t), []Dossier{e}, ReportOptions{Closed: ClosedTreatments{Withdrawn: ClosedExcluded}})
	if len(rep.Rows) != 0 || rep.Total.Withdrawn != 1 || rep.Total.Received != 0 {
		t.Errorf("excluded alone: rows %+v, total %+v", rep.Rows, rep.Total)
	}
	// Carried into the next period only while open: excluded, N stopped in February is not
	// carried into February although it was in progress at the end of January.
	jan, _ := ParsePeriod("2026-01-01", "2026-01-31")
	rJan, _ := BuildReport(jan, all(fx), ReportOptions{Closed: all3(ClosedExcluded)})
	rFeb, _ := BuildReport(feb(t), all(fx), ReportOptions{Closed: all3(ClosedExcluded)})
	if rJan.Total.InProgress != 3 || rFeb.Total.CarriedOver != 2 {
		t.Errorf("January in progress %d, February carried over %d", rJan.Total.InProgress, rFeb.Total.CarriedOver)
	}

	if err := (ClosedTreatments{Stopped: "counted"}).Validate(); err == nil || !strings.Contains(err.Error(), "hồ sơ dừng xử lý (trạng thái 8)") {
		t.Errorf("bad treatment: %v", err)
	}
}

func TestII06aColumnNotes(t *testing.T) {
	for _, tt := range []struct {
		closed ClosedTreatments
		want   map[int]string
	}{
		{ClosedTreatments{}, map[int]string{3: "Gồm HS rút, dừng, từ chối", 7: "Không gồm HS rút, dừng, từ chối",
			11: "Không gồm HS rút, dừng, từ chối"}},
		{ClosedTreatments{Withdrawn: ClosedResolvedOnTime, Stopped: ClosedExcluded, Refused: ClosedResolvedByDue},
			map[int]string{3: "Gồm HS rút, từ chối; không gồm HS dừng", 7: "Gồm HS rút, từ chối", 8: "Có thể gồm HS từ chối",
				9: "Gồm HS rút; có thể gồm HS từ chối", 10: "Có thể gồm HS từ chối"}},
		{ClosedTreatments{Withdrawn: ClosedExcluded, Stopped: ClosedExcluded, Refused: ClosedExcluded},
			map[int]string{3: "Không gồm HS rút, dừng, từ chối"}},
	} {
		if got := tt.closed.ColumnNotes(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%+v\n got %v\nwant %v", tt.closed, got, tt.want)
		}
	}
	if cols := II06aColumns(); len(cols) != 13 || cols[8].No != 9 || cols[8].Head != "Đúng hạn" || cols[8].Group != "Số hồ sơ đã giải quyết" {
		t.Errorf("columns %+v", cols)
	}
}

// The catalogue's flags, as an admin sees them: the fact in words, what the data says now
// and its note; a flag this build does not know is shown under its own name.
func TestCatalogueUnconfirmed(t *testing.T) {
	cat, err := ParseCatalogue([]byte(`{"version":"t","procedures":[
		{"code":"1.000656","name":"Thủ tục đăng ký khai tử","field_code":"HT","field":"Hộ tịch","result_type":"Trích lục khai tử",
		 "time":{"unit":"same_day","note":"Gia hạn ≤3 ngày: chưa tìm thấy căn cứ"},"fee":{"kind":"province","name":"Lệ phí hộ tịch","amount":8000,"note":"Quá hạn thu theo mức HĐND tỉnh"},
		 "assist_allowed":true,"unconfirmed":["time.note","fee","time","fee.amount"],"source":"Cổng DVCQG"},
		{"code":"2.000815","name":"Chứng thực bản sao","field_code":"CT","field":"Chứng thực","result_type":"Bản sao",
		 "time":{"unit":"days","value":1.5},"fee":{"kind":"per_page","tiers":[{"from_page":1,"to_page":2,"per_page":2000},{"from_page":3,"per_page":1000}],"cap_per_copy":200000},
		 "documents":[{"name":"Bản chính","form":"original","count":1},{"name":"Bản chụp","form":"photo","count":1}],
		 "presence_required":true,"assist_allowed":false,"assist_note":"Người yêu cầu tự ký","unconfirmed":["documents","presence_required","fee"]},
		{"code":"3","name":"Không cờ","field_code":"X","field":"X","result_type":"X","time":{"unit":"days","value":3},"fee":{"kind":"none"},"assist_allowed":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range cat.Unconfirmed() {
		if f.Source != UnconfirmedCatalogue {
			t.Errorf("source %q", f.Source)
		}
		got = append(got, f.Subject+" | "+f.Fact+" | "+f.Value+" | "+f.Note+" | "+f.Ref)
	}
	want := []string{
		"1.000656 Thủ tục đăng ký khai tử | Ghi chú về thời hạn giải quyết | Gia hạn ≤3 ngày: chưa tìm thấy căn cứ |  | Cổng DVCQG",
		"1.000656 Thủ tục đăng ký khai tử | Phí, lệ phí | Lệ phí hộ tịch: theo mức của HĐND tỉnh, 8.000 đ | Quá hạn thu theo mức HĐND tỉnh | Cổng DVCQG",
		"1.000656 Thủ tục đăng ký khai tử | Thời hạn giải quyết | Trong ngày | Gia hạn ≤3 ngày: chưa tìm thấy căn cứ | Cổng DVCQG",
		"1.000656 Thủ tục đăng ký khai tử | fee.amount |  |  | Cổng DVCQG",
		"2.000815 Chứng thực bản sao | Thành phần hồ sơ | Bản chính; Bản chụp |  | ",
		"2.000815 Chứng thực bản sao | Người yêu cầu phải có mặt | Có | Người yêu cầu tự ký | ",
		"2.000815 Chứng thực bản sao | Phí, lệ phí | 2.000 đ/trang trang 1–2, 1.000 đ/trang từ trang 3, tối đa 200.000 đ mỗi bản |  | ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unconfirmed facts\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if (ProcessingTime{Unit: TimeCalendarDays, Value: 15}).String() != "15 ngày (tính cả ngày nghỉ)" ||
		(ProcessingTime{Unit: TimeWorkingHours, Value: 4}).String() != "4 giờ làm việc" {
		t.Error("processing time in words")
	}
}

func TestGroupUnconfirmed(t *testing.T) {
	f := func(subject, fact, note, ref string) UnconfirmedFact {
		return UnconfirmedFact{Source: UnconfirmedCatalogue, Subject: subject, Fact: fact, Value: "v", Note: note, Ref: ref}
	}
	got := GroupUnconfirmed([]UnconfirmedFact{
		f("A", "1", "n", "r"), f("A", "2", "n", "r"), // note and source said once
		f("B", "1", "n1", "r"), f("B", "2", "", "r"), // notes differ: each keeps its own
		f("C", "1", "v", ""), // a note equal to the value is dropped
	})
	if len(got) != 3 || got[0].Note != "n" || got[0].Ref != "r" || got[0].Facts[1].Note != "" ||
		got[1].Note != "" || got[1].Ref != "r" || got[1].Facts[0].Note != "n1" || got[1].Facts[0].Ref != "" ||
		len(got[2].Facts) != 1 || got[2].Note != "" || got[2].Facts[0].Note != "" {
		t.Errorf("groups %+v", got)
	}
}

// TestPeriodKind: the one rule that says whether a period is a day, a month, a quarter, a
// year or just a range (screens name it, file names write it from this).
func TestPeriodKind(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, VN()) }
	cases := []struct {
		name     string
		from, to time.Time
		kind     PeriodKind
		quarter  int
	}{
		{"one day", d(2026, 10, 5), d(2026, 10, 5), PeriodDay, 4},
		{"first of month alone is a day", d(2026, 1, 1), d(2026, 1, 1), PeriodDay, 1},
		{"October", d(2026, 10, 1), d(2026, 10, 31), PeriodMonth, 4},
		{"February of a leap year", d(2028, 2, 1), d(2028, 2, 29), PeriodMonth, 1},
		{"February short by a day", d(2028, 2, 1), d(2028, 2, 28), PeriodRange, 1},
		{"Q1", d(2026, 1, 1), d(2026, 3, 31), PeriodQuarter, 1},
		{"Q4", d(2026, 10, 1), d(2026, 12, 31), PeriodQuarter, 4},
		{"three months not on a quarter", d(2026, 2, 1), d(2026, 4, 30), PeriodRange, 1},
		{"year", d(2026, 1, 1), d(2026, 12, 31), PeriodYear, 1},
		{"twelve months from July", d(2026, 7, 1), d(2027, 6, 30), PeriodRange, 3},
		{"a week", d(2026, 10, 5), d(2026, 10, 11), PeriodRange, 4},
		{"month not from the first", d(2026, 10, 2), d(2026, 11, 1), PeriodRange, 4},
	}
	for _, c := range cases {
		p, err := NewPeriod(c.from, c.to)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.Kind(); got != c.kind {
			t.Errorf("%s: kind %d, want %d", c.name, got, c.kind)
		}
		if got := p.Quarter(); got != c.quarter {
			t.Errorf("%s: quarter %d, want %d", c.name, got, c.quarter)
		}
	}
}
