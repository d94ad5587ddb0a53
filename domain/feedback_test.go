package domain

import (
	"errors"
	"fmt"
	"slices"
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

// Feedback as a clerk records it: normalised, each problem a coded field error, nothing
// required beyond the content and the channel.
func TestPrepareFeedback(t *testing.T) {
	p, err := PrepareFeedback(FeedbackReceivedPayload{Channel: FeedbackPhone, Content: "  Thủ tục   chậm ",
		Citizen: Person{Name: "nguyễn văn an", Phone: "0912 345 678"}})
	if err != nil || p.Content != "Thủ tục chậm" || p.Citizen.Name != "Nguyễn Văn An" || p.Citizen.Phone != "0912345678" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := PrepareFeedback(FeedbackReceivedPayload{Channel: FeedbackWritten, Content: "Hòm thư góp ý"}); err != nil {
		t.Errorf("anonymous written feedback refused: %v", err)
	}
	_, err = PrepareFeedback(FeedbackReceivedPayload{Channel: "fax", Content: " ", Citizen: Person{Phone: "12"}})
	var v ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("%v", err)
	}
	var codes []string
	for _, fe := range v {
		codes = append(codes, fe.Code)
	}
	if want := []string{"feedback.content", "feedback.phone", "feedback.channel"}; !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
}
