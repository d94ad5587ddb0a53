package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestFeedbackLifecycleAnyOrder(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	mk := func(n int, typ EventType, p any) Event {
		e, err := NewEvent(fmt.Sprintf("0190a1b2-0000-7000-8000-%012d", n), StreamFeedback, testStream, typ, p, "lan", "A", "U",
			at.Add(time.Duration(n)*time.Minute), MakeHLC(at.Add(time.Duration(n)*time.Minute).UnixMilli(), 0))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	evs := []Event{
		mk(1, EvFeedbackReceived, FeedbackReceivedPayload{Citizen: Person{Name: "Lê Thị Hà"}, Channel: FeedbackAtCounter, Content: "Chờ lâu"}),
		mk(2, EvFeedbackAssigned, FeedbackAssignedPayload{To: "minh"}),
		mk(3, EvFeedbackResolved, FeedbackResolvedPayload{Answer: "Đã bố trí thêm quầy"}),
		mk(4, EvFeedbackPublished, FeedbackPublishedPayload{Where: "Cổng thông tin điện tử xã"}),
	}
	f := FoldFeedback([]Event{evs[3], evs[1], evs[0], evs[2], evs[0]})
	if f.Status != FeedbackPublished || f.AssignedTo != "minh" || f.Answer == "" || len(f.Conflicts) != 0 || f.ID != testStream {
		t.Fatalf("%+v", f)
	}
	early := FoldFeedback([]Event{evs[0], mk(5, EvFeedbackPublished, FeedbackPublishedPayload{})})
	if early.Status != FeedbackNew || len(early.Conflicts) != 1 {
		t.Fatalf("publishing before an answer: %+v", early)
	}
	if _, err := DecodePayload(mk(6, EvFeedbackReceived, FeedbackReceivedPayload{})); err == nil {
		t.Error("feedback without content accepted")
	}
	if _, err := DecodePayload(mk(7, EvVisit, VisitPayload{Kind: "party"})); err == nil {
		t.Error("unknown visit kind accepted")
	}
	if _, err := DecodePayload(mk(8, EvVisit, VisitPayload{Kind: VisitConsult})); err != nil {
		t.Error(err)
	}
}
