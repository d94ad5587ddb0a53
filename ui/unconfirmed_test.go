package ui

import (
	"os"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
)

// An admin sees, in Cài đặt, every fact the data in use flags as unconfirmed, with what the
// data says and its note; nobody else sees the list.
func TestSettingsUnconfirmedFactsForAdminOnly(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := s.unconfirmed
	if p == nil {
		t.Fatal("the admin has no list of unconfirmed facts")
	}
	want := forms.UnconfirmedFacts(h.store.Catalogue(), forms.DefaultTemplates(), forms.DefaultDeclarations())
	if len(p.facts) != len(want) || len(want) < 10 {
		t.Fatalf("%d facts listed, the data flags %d", len(p.facts), len(want))
	}
	if !hasCard(s.content(), "Thông tin chưa được xác nhận") {
		t.Fatal("the card is not on the settings screen")
	}
	n := map[string]int{}
	for _, f := range want {
		n[f.Source]++
	}
	var titles []string
	for _, it := range p.groups.Items {
		titles = append(titles, it.Title)
	}
	for _, src := range []string{domain.UnconfirmedCatalogue, domain.UnconfirmedForms, domain.UnconfirmedDeclarations} {
		if !contains(titles, src+" ("+strconv.Itoa(n[src])+")") {
			t.Errorf("no group %s (%d) in %q", src, n[src], titles)
		}
	}
	// Open the groups: the death registration's unconfirmed extension, and the report's
	// number with its note, are listed.
	for i := range p.groups.Items {
		p.groups.Open(i)
	}
	texts := visibleTexts(s.content())
	for _, w := range []string{"1.000656 Thủ tục đăng ký khai tử", "– Ghi chú về thời hạn giải quyết: Giải quyết ngay trong ngày",
		"Biểu số 06/VPCP/KSTT", "– Số hiệu mẫu: Biểu số 06/VPCP/KSTT", "– Ngày áp dụng bộ mẫu: 15/09/2025", "TỜ KHAI ĐĂNG KÝ KHAI SINH"} {
		if !containsText(texts, w) {
			t.Errorf("the list lacks %q", w)
		}
	}
	if !containsText(texts, "Gia hạn ≤3 ngày làm việc khi cần xác minh: chưa tìm thấy căn cứ") || !containsText(texts, "Ghi chú: Biểu báo cáo định kỳ theo Thông tư 01/2020/TT-VPCP") {
		t.Error("the notes are not shown")
	}
	if dir := os.Getenv("MOTCUA_SHOTS_DIR"); dir != "" {
		shootCard(t, h, s, p.card, dir, "screen-cai-dat-chua-xac-nhan.png")
	}

	for _, st := range []domain.Staff{testClerk, testBoss, testHelper} {
		h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
		h.setUp()
		h.signIn(st)
		s := settingsOf(t, h)
		h.ui.showScreen(s)
		h.settle()
		if s.unconfirmed != nil || hasCard(s.content(), "Thông tin chưa được xác nhận") || containsText(visibleTexts(s.content()), "Biểu số 06/VPCP/KSTT TÌNH HÌNH") {
			t.Errorf("%s (%s) sees the unconfirmed facts", st.Username, st.Role.Name())
		}
	}
}

// hasCard reports whether a card with that title is shown in o.
func hasCard(o fyne.CanvasObject, title string) bool {
	found := false
	walkObjects(o, func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Card); ok && c.Title == title {
			found = true
		}
	})
	return found
}
