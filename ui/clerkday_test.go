package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// fillBirthIntake picks the birth registration and fills a valid applicant and the papers.
func fillBirthIntake(t *testing.T, h *harness, s *intakeScreen) {
	t.Helper()
	pick(t, h, s, "khai sinh")
	test.Type(s.idNumber, "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Hà Nội|20042021")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Type(s.phone, "0912 345 678")
	for i, d := range s.proc.Documents {
		if !d.Optional {
			test.Tap(s.docChecks[i])
		}
	}
}

// After a save the form is back at the top, where the banner gives the code and the due
// date, and the cursor waits in the procedure box for the next citizen (issue 15, item 1).
func TestAfterSaveTheCodeIsInView(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	fillBirthIntake(t, h, s)
	s.scroll.ScrollToBottom() // Enter in the last field, as at the counter
	if s.scroll.Offset.Y == 0 {
		t.Fatal("the form does not scroll at 1280×720: the test shows nothing")
	}
	s.phone.TypedKey(&fyneKeyReturn)
	h.settle()
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 1 {
		t.Fatalf("not saved: %q", s.banner.label.Text)
	}
	if s.scroll.Offset.Y != 0 {
		t.Fatalf("still scrolled %.0f px down after the save", s.scroll.Offset.Y)
	}
	rows, _ := h.store.Search(context.Background(), "nguyen van an", 1)
	if len(rows) != 1 || !strings.Contains(s.banner.label.Text, rows[0].Code) || !strings.Contains(s.banner.label.Text, "Hẹn trả") {
		t.Fatalf("banner %q", s.banner.label.Text)
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.banner.label)
	if pos.Y < 0 || pos.Y+s.banner.label.Size().Height > 720 || !s.banner.box.Visible() {
		t.Fatalf("banner at y=%.0f, not in the window", pos.Y)
	}
	if f := h.ui.win.Canvas().Focused(); f != s.picker.entry {
		t.Fatalf("focus on %T, want the procedure box", f)
	}
}

// The fee explanation never runs over the due-date card below it (issue 15, item 4).
func TestFeeNoteDoesNotOverlapDueDate(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	for _, size := range []fyne.Size{{Width: 1280, Height: 720}, {Width: 1366, Height: 768}} {
		h.ui.win.Resize(size)
		h.settle()
		for _, q := range []string{"khai sinh", "chung thuc ban sao", "ket hon"} {
			pick(t, h, s, q)
			d := fyne.CurrentApp().Driver()
			noteBottom := d.AbsolutePositionForObject(s.feeNote).Y + s.feeNote.MinSize().Height
			dueTop := d.AbsolutePositionForObject(s.due).Y
			if s.feeNote.Text != "" && noteBottom > dueTop-40 /* the due card's heading */ {
				t.Errorf("%s at %.0f px: the fee note ends at %.0f, the due date starts at %.0f", q, size.Width, noteBottom, dueTop)
			}
		}
	}
}

func dialogOpen(h *harness) bool { return h.ui.win.Canvas().Overlays().Top() != nil }

// Ctrl+N, "Làm lại" and signing out ask before throwing typed data away, and go ahead at
// once when nothing would be lost (issue 15, item 3).
func TestDiscardingTypedDataAsksFirst(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	ctrlN := s.menuItems()[0].Action

	ctrlN() // nothing typed: nothing to ask
	if dialogOpen(h) {
		t.Fatal("Ctrl+N on an empty form asked")
	}
	pick(t, h, s, "khai sinh")
	test.Type(s.name, "Nguyễn Văn An")
	h.ui.showScreen(queueOf(t, h)) // Ctrl+N from another screen
	ctrlN()
	if !dialogOpen(h) {
		t.Fatal("Ctrl+N wiped a half-filled intake without asking")
	}
	tapOverlayButton(t, h, "Hủy")
	if s.name.Text != "Nguyễn Văn An" || s.proc == nil {
		t.Fatal("cancelling still cleared the form")
	}
	ctrlN()
	tapOverlayButton(t, h, "Bỏ thông tin đang nhập")
	if s.name.Text != "" || s.proc != nil {
		t.Fatal("confirming did not clear the form")
	}

	// Signing out with a half-filled intake asks; cancelling keeps the session.
	test.Type(s.name, "Trần Thị Bình")
	h.ui.signOutAsking()
	if !dialogOpen(h) {
		t.Fatal("signing out with typed data did not ask")
	}
	tapOverlayButton(t, h, "Hủy")
	if h.ui.User() == nil {
		t.Fatal("cancelled sign-out signed out")
	}
	h.ui.signOutAsking()
	tapOverlayButton(t, h, "Bỏ thông tin đang nhập")
	if h.ui.User() != nil {
		t.Fatal("confirmed sign-out did not sign out")
	}
}

// On the no-writing day screen the buttons stay where they are while "Còn N mục…" grows and
// shrinks (issue 15, item 5: a misclick carried the declaration to intake).
func TestAssistButtonsStayPut(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	a := assistOf(t, h)
	h.ui.showScreen(a)
	h.settle()
	pickAssist(t, h, a, "khai sinh")
	d := fyne.CurrentApp().Driver()
	where := func() [2]fyne.Position {
		return [2]fyne.Position{d.AbsolutePositionForObject(a.print), d.AbsolutePositionForObject(a.transfer)}
	}
	before, text := where(), a.progress.Text
	for _, kv := range [][2]string{{"relationship", "Cha"}, {"child_name", "Nguyễn Minh Khôi"}, {"child_birth", "10/03/2026"}} {
		assistAnswer(t, a, kv[0], kv[1])
		h.settle()
		if got := where(); got != before {
			t.Fatalf("after answering %s the buttons moved from %v to %v", kv[0], before, got)
		}
	}
	if a.progress.Text == text {
		t.Fatal("the summary did not change: the test shows nothing")
	}
	// "Làm lại" asks when the declaration holds answers.
	var again *widget.Button
	walkObjects(a.side, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Làm lại" {
			again = b
		}
	})
	test.Tap(again)
	if !dialogOpen(h) {
		t.Fatal("Làm lại cleared the declaration without asking")
	}
	tapOverlayButton(t, h, "Hủy")
	if a.proc == nil {
		t.Fatal("cancelling cleared the declaration")
	}
}

// The same ID number under another name is not saved silently: the other record is shown
// and the clerk decides (issue 15, item 8).
func TestSameIDAnotherNameWarns(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	other := receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	h.signIn(testClerk)
	s := intakeOf(t, h)
	fillBirthIntake(t, h, s) // Nguyễn Văn An, 001099012345
	test.Tap(s.save)
	h.settle()
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 1 {
		t.Fatal("saved without a word about the other holder of the number")
	}
	if !dialogOpen(h) {
		t.Fatal("no warning")
	}
	texts := visibleTexts(h.ui.win.Canvas().Overlays().Top())
	if !containsText(texts, "Trần Văn Bình") || !containsText(texts, other.Code) || !containsText(texts, "Nguyễn Văn An") {
		t.Fatalf("the warning shows %q", texts)
	}
	tapOverlayButton(t, h, "Sửa lại")
	h.settle()
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 1 || s.name.Text == "" {
		t.Fatal("«Sửa lại» saved or cleared the form")
	}
	test.Tap(s.save)
	h.settle()
	tapOverlayButton(t, h, "Vẫn lưu")
	h.settle()
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 2 {
		t.Fatalf("«Vẫn lưu» did not save: %q", s.banner.label.Text)
	}
	// Nguyễn Văn An again, written differently: still warned about Trần Văn Bình, never
	// about himself.
	fillBirthIntake(t, h, s)
	s.name.SetText("NGUYỄN VĂN AN")
	test.Tap(s.save)
	h.settle()
	if !dialogOpen(h) {
		t.Fatal("no warning the second time")
	}
	texts = visibleTexts(h.ui.win.Canvas().Overlays().Top())
	for _, l := range texts {
		if strings.HasPrefix(l, "Nguyễn Văn An,") {
			t.Fatalf("warned about the same person: %q", texts)
		}
	}
}

// A field's message goes as soon as the field is corrected; letters typed into the ID
// number are refused as typed, with a word why; a scanned card still fills the form
// (issue 15, item 9).
func TestValidationFollowsTheTyping(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	pick(t, h, s, "khai sinh")
	test.Type(s.phone, "0123")
	test.Type(s.birth, "31/02/1999")
	test.Tap(s.save)
	h.settle()
	for _, f := range []string{domain.FieldApplicantPhone, domain.FieldApplicantBirth, domain.FieldApplicantName} {
		if !s.errs[f].Visible() {
			t.Fatalf("no message for %s", f)
		}
	}
	if !strings.Contains(s.errs[domain.FieldApplicantBirth].Text, "không có thật") {
		t.Errorf("31/02/1999 told %q", s.errs[domain.FieldApplicantBirth].Text)
	}
	s.phone.SetText("0912345678")
	if s.errs[domain.FieldApplicantPhone].Visible() {
		t.Error("the phone's message stayed after the phone was corrected")
	}
	if !s.errs[domain.FieldApplicantName].Visible() || !s.errs[domain.FieldApplicantBirth].Visible() {
		t.Error("messages of fields not yet corrected went too")
	}

	s.idNumber.SetText("")
	test.Type(s.idNumber, "00109a9")
	if s.idNumber.Text != "001099" || !s.errs[domain.FieldApplicantID].Visible() || !strings.Contains(s.errs[domain.FieldApplicantID].Text, "chữ số") {
		t.Fatalf("ID field holds %q, message %q", s.idNumber.Text, s.errs[domain.FieldApplicantID].Text)
	}
	s.idNumber.SetText("")
	test.Type(s.idNumber, "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Hà Nội|20042021")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.idNumber.Text != "001099012345" || s.name.Text != "Nguyễn Văn An" {
		t.Fatalf("a scan no longer fills the form: %q %q", s.idNumber.Text, s.name.Text)
	}
}

// A declaration carried into intake shows its procedure in the procedure box, not an empty
// box beside a chosen procedure (issue 15, item 10).
func TestCarriedDeclarationNamesItsProcedure(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	s.prefill("1.001193", domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}, "Đăng ký khai sinh", "", nil)
	h.settle()
	if s.proc == nil || s.picker.entry.Text != s.proc.Name || s.picker.listBox.Visible() {
		t.Fatalf("procedure box %q (list shown: %v) for %+v", s.picker.entry.Text, s.picker.listBox.Visible(), s.proc)
	}
}

// Giám sát shows staff names whole at 1280 px (issue 15, item 10: "Nguyễn …").
func TestSupervisorStaffNamesWhole(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	receiveFor(t, h, testClerk, "Trần Văn Bình", "001099012345")
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	h.ui.showScreen(s)
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.settle()
	var name *widget.Label
	walkObjects(s.today.staffRows, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == testClerk.FullName {
			name = l
		}
	})
	if name == nil {
		t.Fatal("no row for the clerk")
	}
	if need := widget.NewLabel(name.Text).MinSize().Width; name.Size().Width < need {
		t.Fatalf("«%s» gets %.0f px of the %.0f it needs", name.Text, name.Size().Width, need)
	}
}

// A declaration filled in on a no-writing day and carried into the intake can be printed
// again from the dossier's detail (issue 15, item 5).
func TestDetailPrintsTheCarriedDeclaration(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	s := assistOf(t, h)
	pickAssist(t, h, s, "khai sinh")
	scanInto(h, s.idNumber, qrReal)
	test.Type(s.phone, "0912 345 678")
	for key, v := range map[string]string{
		"relationship": "Cha", "child_name": "nguyễn minh khôi", "child_birth": "10/3/2026", "child_sex": "Nam",
		"child_ethnicity": "Kinh", "child_birthplace": "Bệnh viện Phụ sản Hải Phòng", "child_hometown": "Xã An Hưng, thành phố Hải Phòng",
		"mother_name": "Trần Thị Hoa", "mother_birth_year": "1995", "mother_ethnicity": "Kinh",
		"father_name": "Nguyễn Văn An", "father_birth_year": "1999", "father_ethnicity": "Kinh", "father_nationality": "Việt Nam",
	} {
		assistAnswer(t, s, key, v)
	}
	test.Tap(s.transfer)
	h.settle()
	it := intakeOf(t, h)
	for i, d := range it.proc.Documents {
		if !d.Optional {
			test.Tap(it.docChecks[i])
		}
	}
	test.Tap(it.save)
	h.settle()
	rows, _ := h.store.Search(context.Background(), "nguyen van an", 1)
	if len(rows) != 1 {
		t.Fatalf("not saved: %q", it.banner.label.Text)
	}
	_, v := openDetail(t, h, rows[0].ID)
	b := v.printButtons["declaration"]
	if b == nil {
		t.Fatal("no button to print the declaration again")
	}
	test.Tap(b)
	h.settle()
	text := lastPDF(t, h, "to-khai")
	for _, want := range []string{"TỜ KHAI ĐĂNG KÝ KHAI SINH", "Nguyễn Minh Khôi", "Trần Thị Hoa"} {
		if !strings.Contains(text, want) {
			t.Errorf("reprinted declaration lacks %q", want)
		}
	}
}

// «Chuyển sang tiếp nhận» and taking a prepared declaration from «Hồ sơ chuẩn bị sẵn» follow
// the one confirmation rule: an intake holding anything typed — here only a phone number —
// is not replaced without asking (issue 15, items 3 and 5).
func TestCarryingIntoATypedIntakeAsks(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	it := intakeOf(t, h)
	test.Type(it.phone, "0912 345 678")

	a, e := handOffBirth(t, h) // a declaration waiting in the hand-off queue
	a.numberDialog.Hide()
	pickAssist(t, h, a, "khai sinh")
	scanInto(h, a.idNumber, qrReal)
	for key, v := range birthAnswers {
		assistAnswer(t, a, key, v)
	}
	test.Tap(a.transfer)
	h.settle()
	if !dialogOpen(h) {
		t.Fatal("«Chuyển sang tiếp nhận» replaced an intake holding a phone number without asking")
	}
	tapOverlayButton(t, h, "Hủy")
	if it.phone.Text != "0912 345 678" || it.proc != nil || a.proc == nil {
		t.Fatalf("cancelled, yet the intake holds %q / %v and the declaration %v", it.phone.Text, it.proc, a.proc)
	}

	h.ui.showScreen(it)
	h.settle()
	it.handoff.claim(e.Number)
	h.settle()
	if !dialogOpen(h) {
		t.Fatal("taking a prepared declaration replaced an intake holding a phone number without asking")
	}
	tapOverlayButton(t, h, "Hủy")
	if it.phone.Text != "0912 345 678" || it.proc != nil {
		t.Fatalf("cancelled, yet the intake holds %q / %v", it.phone.Text, it.proc)
	}
}

// typeFocused types as the keyboard does: each character to whatever has the focus then.
func typeFocused(c fyne.Canvas, text string) {
	for _, r := range text {
		c.Focused().TypedRune(r)
	}
}

// Enter on the procedure goes on to its papers, not past them: Space ticks a paper, Enter
// goes to the next and from the last to the ID number; an ID card scanned while a paper has
// the focus lands in the ID number field and ticks nothing (issue 15, item 10).
func TestEnterGoesThroughThePapers(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	c := h.ui.win.Canvas()
	pick(t, h, s, "khai sinh")
	if len(s.docChecks) < 2 {
		t.Fatal("khai sinh lists fewer than two papers: the test shows nothing")
	}
	if c.Focused() != s.docChecks[0] {
		t.Fatalf("after the procedure the focus is on %T, not its first paper", c.Focused())
	}
	typeFocused(c, " ")
	if !s.docChecks[0].Checked {
		t.Fatal("Space did not tick the first paper")
	}
	for i := 1; i < len(s.docChecks); i++ {
		c.Focused().TypedKey(&fyneKeyReturn)
		if c.Focused() != s.docChecks[i] {
			t.Fatalf("Enter on paper %d went to %T, not paper %d", i-1, c.Focused(), i)
		}
	}
	c.Focused().TypedKey(&fyneKeyReturn)
	if c.Focused() != s.idNumber {
		t.Fatalf("Enter on the last paper went to %T, not the ID number", c.Focused())
	}

	// A card scanned with the focus on a paper.
	c.Focus(s.docChecks[1])
	typeFocused(c, "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Hà Nội|20042021")
	c.Focused().TypedKey(&fyneKeyReturn)
	h.settle()
	if s.name.Text != "Nguyễn Văn An" || s.idNumber.Text != "001099012345" {
		t.Fatalf("scan on a paper: name %q, ID %q", s.name.Text, s.idNumber.Text)
	}
	for i, ch := range s.docChecks {
		if ch.Checked != (i == 0) {
			t.Fatalf("scanning on a paper changed paper %d's box", i)
		}
	}
}
