package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"motcua/domain"
)

func TestFeedbackAndVisits(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	h.signIn(testBoss)
	s, ok := screenOf[*feedbackScreen](h.ui)
	if !ok {
		t.Fatal("no feedback screen")
	}
	h.ui.showScreen(s)
	h.settle()
	test.Tap(s.save) // nothing written yet
	h.settle()
	if s.errs["content"].Hidden {
		t.Fatal("empty feedback not marked")
	}
	test.Type(s.name, "lê thị hà")
	test.Type(s.phone, "0987654321")
	test.Type(s.text, "Đề nghị bố trí thêm ghế chờ")
	test.Tap(s.save)
	h.settle()
	if len(s.items) != 1 || s.items[0].Citizen.Name != "Lê Thị Hà" {
		t.Fatalf("register %+v; banner %q", s.items, s.banner.label.Text)
	}
	s.list.Select(0)
	h.settle()
	s.assignTo.SetSelected("lan")
	test.Tap(s.assign)
	h.settle()
	test.Type(s.answer, "Đã bố trí thêm 10 ghế")
	test.Tap(s.resolve)
	h.settle()
	test.Tap(s.publi)
	h.settle()
	c, _ := h.store.CountFeedback(context.Background(), vnTime(2026, 3, 1, 0, 0), vnTime(2026, 4, 1, 0, 0))
	if c.Published != 1 || c.InProgress != 0 || s.counts.Text == "" {
		t.Fatalf("counts %+v %q", c, s.counts.Text)
	}
	// One keystroke counts a guidance-only visit.
	h.ui.recordVisit()
	h.settle()
	v, _ := h.store.Visits(context.Background(), vnTime(2026, 3, 2, 0, 0), vnTime(2026, 3, 3, 0, 0))
	if len(v) != 1 || v[0].Kind != domain.VisitConsult || v[0].Staff != "minh" || h.ui.status.note.Text == "" {
		t.Fatalf("visits %+v note %q", v, h.ui.status.note.Text)
	}
}
