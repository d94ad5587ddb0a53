package localdb

import (
	"context"
	"errors"
	"testing"

	"motcua/domain"
)

func TestVisitsCountedAutomaticallyAndByKeystroke(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	clk.Set(vnTime(2026, 3, 3, 10, 0))
	if _, err := s.HandOver(ctx, boss, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordVisit(ctx, helper); err != nil {
		t.Fatal(err)
	}
	v, err := s.Visits(ctx, vnTime(2026, 3, 1, 0, 0), vnTime(2026, 3, 4, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []VisitCount{{Day: "2026-03-02", Staff: "lan", Kind: "intake", N: 1}, {Day: "2026-03-03", Staff: "hoa", Kind: "consult", N: 1},
		{Day: "2026-03-03", Staff: "minh", Kind: "hand_over", N: 1}}
	if len(v) != len(want) {
		t.Fatalf("visits %+v", v)
	}
	for i := range want {
		if v[i] != want[i] {
			t.Errorf("visit %d = %+v, want %+v", i, v[i], want[i])
		}
	}
}

func TestFeedbackRegister(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	if _, err := s.ReceiveFeedback(ctx, clerk, domain.FeedbackReceivedPayload{Channel: "pigeon"}); err == nil {
		t.Fatal("empty feedback accepted")
	}
	f, err := s.ReceiveFeedback(ctx, helper, domain.FeedbackReceivedPayload{Citizen: domain.Person{Name: "lê thị hà", Phone: "0987 654 321"},
		Channel: domain.FeedbackAtCounter, Content: "Chờ  quá lâu ở quầy chứng thực", DossierCode: "000.00.06.H56-260302-1001"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != domain.FeedbackNew || f.Citizen.Name != "Lê Thị Hà" || f.Content != "Chờ quá lâu ở quầy chứng thực" || f.Citizen.Phone != "0987654321" {
		t.Fatalf("%+v", f)
	}
	if _, err := s.ResolveFeedback(ctx, clerk, f.ID, "x"); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("clerk answered: %v", err)
	}
	if _, err := s.PublishFeedback(ctx, boss, f.ID, ""); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("published before an answer: %v", err)
	}
	if _, err := s.AssignFeedback(ctx, boss, f.ID, "lan", "Xử lý trong ngày"); err != nil {
		t.Fatal(err)
	}
	other, err := s.ReceiveFeedback(ctx, clerk, domain.FeedbackReceivedPayload{Channel: domain.FeedbackPhone, Content: "Đề nghị thêm chỗ ngồi"})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(vnTime(2026, 3, 4, 9, 0))
	if _, err := s.ResolveFeedback(ctx, boss, f.ID, "Đã bố trí thêm một quầy chứng thực"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishFeedback(ctx, boss, f.ID, "Cổng thông tin điện tử xã"); err != nil {
		t.Fatal(err)
	}
	c, err := s.CountFeedback(ctx, vnTime(2026, 3, 1, 0, 0), vnTime(2026, 4, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c.Received != 2 || c.ResolvedOrPublished != 1 || c.Published != 1 || c.InProgress != 1 {
		t.Fatalf("counts %+v", c)
	}
	list, err := s.ListFeedback(ctx, vnTime(2026, 3, 1, 0, 0), vnTime(2026, 4, 1, 0, 0), domain.FeedbackNew, 10)
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	// Feedback events wait for sync like dossier events.
	out, _ := s.Outbox(ctx, 100)
	n := 0
	for _, e := range out {
		if e.Stream == domain.StreamFeedback {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("feedback events in the outbox: %d", n)
	}
}
