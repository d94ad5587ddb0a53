package localdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"motcua/domain"
)

func TestOutboxAckQuarantineRequeue(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	var ids []string
	for i := 0; i < 3; i++ {
		d, err := s.Receive(ctx, clerk, birthIntake())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	all, err := s.Outbox(ctx, 10)
	if err != nil || len(all) != 6 { // each intake and its visit
		t.Fatalf("outbox %v %v", len(all), err)
	}
	var out []domain.Event
	for _, e := range all {
		if e.Stream == domain.StreamDossier {
			out = append(out, e)
		} else if e.Stream != domain.StreamVisit {
			t.Fatalf("unexpected %s event", e.Stream)
		}
	}
	if len(out) != 3 || out[0].StreamID != ids[0] {
		t.Fatalf("dossier events %d", len(out))
	}
	if err := s.Ack(ctx, []string{all[1].ID, all[3].ID, all[5].ID}); err != nil { // the visits
		t.Fatal(err)
	}
	if err := s.Quarantine(ctx, out[0].ID, "Mã thủ tục không có trong danh mục của thành phố"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(ctx, []string{out[1].ID}); err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Outbox(ctx, 10)
	if len(rest) != 1 || rest[0].ID != out[2].ID {
		t.Fatalf("outbox after ack/quarantine: %v", rest)
	}
	syncOf := func(id string) int {
		rows, err := s.Queue(ctx, QueueFilter{}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == id {
				return r.Sync
			}
		}
		t.Fatalf("%s not in queue", id)
		return -1
	}
	if syncOf(ids[0]) != 2 || syncOf(ids[1]) != 0 || syncOf(ids[2]) != 1 {
		t.Fatalf("sync flags %d %d %d", syncOf(ids[0]), syncOf(ids[1]), syncOf(ids[2]))
	}
	q, err := s.Quarantined(ctx)
	if err != nil || len(q) != 1 || q[0].Reason == "" || q[0].Code == "" {
		t.Fatalf("quarantined %+v %v", q, err)
	}
	if n, _ := s.QueueCount(ctx, QueueFilter{Sync: 2}); n != 1 {
		t.Fatalf("sync filter: %d", n)
	}
	if err := s.Requeue(ctx, clerk, out[0].ID); err == nil {
		t.Fatal("clerk requeued")
	}
	if err := s.Requeue(ctx, boss, out[0].ID); err != nil {
		t.Fatal(err)
	}
	if rest, _ := s.Outbox(ctx, 10); len(rest) != 2 || rest[0].ID != out[0].ID {
		t.Fatalf("requeued event not at the head: %v", rest)
	}
}

// remoteEvent makes an event as the city's system would.
func remoteEvent(t *testing.T, s *Store, streamID string, typ domain.EventType, p any, at time.Time, hlc domain.HLC) domain.Event {
	t.Helper()
	e, err := domain.NewEvent(s.newID(), domain.StreamDossier, streamID, typ, p, "tp.operator", "central", s.Config().UnitCode, at, hlc)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestApplyRemoteConflictsNeverEraseLocal(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	// The city refuses the dossier at 10:00 (its clock), while the counter, offline,
	// marks the result ready and hands it over at 11:00 and 11:05.
	refusedHLC := domain.MakeHLC(vnTime(2026, 3, 2, 10, 0).UnixMilli(), 0)
	refused := remoteEvent(t, s, d.ID, domain.EvRefused, domain.ReasonPayload{Reason: "Giấy chứng sinh không hợp lệ"}, vnTime(2026, 3, 2, 10, 0), refusedHLC)
	clk.Set(vnTime(2026, 3, 2, 11, 0))
	if _, err := s.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	clk.Set(vnTime(2026, 3, 2, 11, 5))
	if _, err := s.HandOver(ctx, clerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.ApplyRemote(ctx, []domain.Event{refused, refused}, "cursor", "c-1")
	if err != nil || n != 1 {
		t.Fatalf("apply remote: %d %v", n, err)
	}
	got, _ := s.Get(ctx, d.ID)
	if got.Status != domain.StatusRefused || len(got.OpenConflicts()) != 2 {
		t.Fatalf("status %v conflicts %+v", got.Status, got.Conflicts)
	}
	if c, _ := s.QueueCount(ctx, QueueFilter{Conflicts: true}); c != 1 {
		t.Fatalf("conflict filter %d", c)
	}
	if out, _ := s.Outbox(ctx, 10); len(out) != 5 { // 3 dossier events, 2 visits
		t.Fatalf("local events waiting after pull: %d, want 5", len(out))
	}
	if cur, _ := s.SyncValue(ctx, "cursor"); cur != "c-1" {
		t.Fatalf("cursor %q", cur)
	}
	// A later local event orders after the remote one.
	if s.clock.Now() <= refusedHLC {
		t.Fatal("clock did not observe the remote event")
	}
	// The supervisor resolves: the citizen did take the result.
	var evIDs []string
	for _, c := range got.OpenConflicts() {
		evIDs = append(evIDs, c.EventID)
	}
	resolved, err := s.ResolveConflict(ctx, boss, d.ID, domain.ConflictResolvedPayload{EventIDs: evIDs, Decision: "set_status",
		SetStatus: domain.StatusReturned, Note: "Công dân đã nhận kết quả trước khi có thông báo từ chối"})
	if err != nil {
		t.Fatal(err)
	}
	if resolved.Status != domain.StatusReturned || len(resolved.OpenConflicts()) != 0 {
		t.Fatalf("after resolution %v %+v", resolved.Status, resolved.Conflicts)
	}
}

func TestQueueFiltersAndPaging(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "admin", FullName: "Quản Trị", Role: domain.RoleAdmin}, "matkhau-quan-tri"); err != nil {
		t.Fatal(err)
	}
	other := domain.Staff{Username: "tuan", FullName: "Tuấn", Role: domain.RoleCounter}
	var ids []string
	for i := 0; i < 120; i++ {
		clk.Set(vnTime(2026, 3, 2, 8, 0).Add(time.Duration(i) * time.Minute))
		who := clerk
		if i%4 == 0 {
			who = other
		}
		in := birthIntake()
		in.Applicant.Name = fmt.Sprintf("Nguyễn Văn %c", 'A'+rune(i%26))
		if i%3 == 0 {
			in.ProcedureCode = "1.004873" // 3 working days, field Hộ tịch
			proc, _ := s.Catalogue().Lookup(in.ProcedureCode)
			in.Documents = nil
			for _, doc := range proc.Documents {
				if !doc.Optional {
					in.Documents = append(in.Documents, domain.DocumentItem{Code: doc.Code})
				}
			}
		}
		d, err := s.Receive(ctx, who, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	clk.Set(vnTime(2026, 3, 3, 9, 0)) // next morning: the same-day ones are overdue
	total, _ := s.QueueCount(ctx, QueueFilter{})
	overdue, _ := s.QueueCount(ctx, QueueFilter{Overdue: true})
	mine, _ := s.QueueCount(ctx, QueueFilter{Staff: "tuan"})
	proc, _ := s.QueueCount(ctx, QueueFilter{ProcedureCode: "1.004873"})
	if total != 120 || overdue != 80 || mine != 30 || proc != 40 {
		t.Fatalf("counts total %d overdue %d mine %d proc %d", total, overdue, mine, proc)
	}
	var seen []QueueRow
	for off := 0; off < 120; off += 50 {
		page, err := s.Queue(ctx, QueueFilter{}, off, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, page...)
	}
	if len(seen) != 120 {
		t.Fatalf("paged %d rows", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].DueAt.Before(seen[i-1].DueAt) {
			t.Fatalf("not sorted by due date at %d", i)
		}
	}
	if _, err := s.ResultReady(ctx, clerk, ids[1], domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.QueueCount(ctx, QueueFilter{Statuses: []domain.Status{domain.StatusResultReady}}); n != 1 {
		t.Fatalf("status filter %d", n)
	}
	if n, _ := s.QueueCount(ctx, QueueFilter{Overdue: true}); n != 79 {
		t.Fatalf("overdue after result %d", n)
	}
	clk.Set(vnTime(2026, 3, 5, 7, 0))
	if n, _ := s.QueueCount(ctx, QueueFilter{DueToday: true}); n != 40 {
		t.Fatalf("due today %d", n)
	}
}
