package ui

import (
	"context"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// birthAnswers are the answers of a birth declaration filled in for Nguyễn Văn An.
var birthAnswers = map[string]string{
	"relationship": "Cha", "child_name": "nguyễn minh khôi", "child_birth": "10/3/2026", "child_sex": "Nam",
	"child_ethnicity": "Kinh", "child_birthplace": "Bệnh viện Phụ sản Hải Phòng", "child_hometown": "Xã An Hưng, thành phố Hải Phòng",
	"mother_name": "Trần Thị Hoa", "mother_birth_year": "1995", "mother_ethnicity": "Kinh",
	"father_name": "Nguyễn Văn An", "father_birth_year": "1999", "father_ethnicity": "Kinh", "father_nationality": "Việt Nam",
	"copies": "2",
}

// handOffBirth fills a birth declaration on Hỗ trợ viết and presses «Chuyển sang quầy».
func handOffBirth(t *testing.T, h *harness) (*assistScreen, domain.Handoff) {
	t.Helper()
	s := assistOf(t, h)
	pickAssist(t, h, s, "khai sinh")
	scanInto(h, s.idNumber, qrReal)
	test.Type(s.phone, "0912 345 678")
	for key, v := range birthAnswers {
		assistAnswer(t, s, key, v)
	}
	if s.handoffBtn.Disabled() || !s.handoffBtn.Visible() {
		t.Fatal("«Chuyển sang quầy» not offered")
	}
	test.Tap(s.handoffBtn)
	h.settle()
	if s.lastHandoff.ID == "" {
		t.Fatalf("not handed off; banner %q", s.banner.label.Text)
	}
	return s, s.lastHandoff
}

// shot writes the window to MOTCUA_SHOTS_DIR (or the test's temp folder) for a look.
func shot(t *testing.T, h *harness, name string) {
	t.Helper()
	dir := os.Getenv("MOTCUA_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.ui.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// checkIntakeFromHandoff checks that the intake holds every value of the entry.
func checkIntakeFromHandoff(t *testing.T, it *intakeScreen, e domain.Handoff) {
	t.Helper()
	if it.proc == nil || it.proc.Code != "1.001193" || it.name.Text != "Nguyễn Văn An" || it.idNumber.Text != "001099012345" ||
		it.birth.Text != "15/03/1999" || it.sex.Selected != "Nam" || !it.assisted.Checked || it.handoffID != e.ID {
		t.Fatalf("intake not filled: %+v %q %q %q %q %v %q", it.proc, it.name.Text, it.idNumber.Text, it.birth.Text,
			it.sex.Selected, it.assisted.Checked, it.handoffID)
	}
	if !strings.Contains(it.address.Text, "Phố Huế") || it.phone.Text == "" {
		t.Errorf("address %q phone %q", it.address.Text, it.phone.Text)
	}
	if it.summary.Text != "Đăng ký khai sinh cho Nguyễn Minh Khôi" || it.formTemplate != "to-khai-khai-sinh" {
		t.Errorf("summary %q, template %q", it.summary.Text, it.formTemplate)
	}
	if len(it.formValues) != len(e.Values) || len(e.Values) < len(birthAnswers) {
		t.Fatalf("values %d, entry %d", len(it.formValues), len(e.Values))
	}
	for k, v := range e.Values {
		if it.formValues[k] != v {
			t.Errorf("value %s = %q, want %q", k, it.formValues[k], v)
		}
	}
	for k, v := range map[string]string{"child_name": "Nguyễn Minh Khôi", "child_birth": "10/03/2026", "mother_birth_year": "1995", "copies": "2"} {
		if it.formValues[k] != v {
			t.Errorf("value %s = %q, want %q", k, it.formValues[k], v)
		}
	}
}

// saveIntake ticks the required documents and saves; it returns the dossier received.
func saveIntake(t *testing.T, h *harness, it *intakeScreen) domain.Dossier {
	t.Helper()
	for i, d := range it.proc.Documents {
		if !d.Optional {
			test.Tap(it.docChecks[i])
		}
	}
	test.Tap(it.save)
	h.settle()
	rows, err := h.store.Search(context.Background(), "nguyen van an", 5)
	if err != nil || len(rows) != 1 {
		t.Fatalf("dossier not saved: %v %v; banner %q", rows, err, it.banner.label.Text)
	}
	d, err := h.store.Get(context.Background(), rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// reprintDeclaration prints the declaration again from the dossier's detail and returns
// its text.
func reprintDeclaration(t *testing.T, h *harness, d domain.Dossier) string {
	t.Helper()
	h.ui.openDossier(d.ID)
	h.settle()
	q := queueOf(t, h)
	if !containsText(visibleTexts(q.detail.root), "phiếu chuyển quầy số H-") {
		t.Errorf("the detail does not say the declaration came from the hand-off queue: %v", visibleTexts(q.detail.root))
	}
	b, ok := q.detail.printButtons["declaration"]
	if !ok {
		t.Fatal("no «In lại tờ khai» in the dossier's detail")
	}
	before := len(h.openedPDFs())
	test.Tap(b)
	h.settle()
	pdfs := h.openedPDFs()
	if len(pdfs) != before+1 {
		t.Fatalf("declaration not printed from the detail; banner %q", q.detail.banner.label.Text)
	}
	return pdfText(t, pdfs[len(pdfs)-1])
}

var declarationLines = []string{"TỜ KHAI ĐĂNG KÝ KHAI SINH", "Nguyễn Văn An", "Căn cước công dân số 001099012345",
	"Nguyễn Minh Khôi", "10/03/2026", "Bệnh viện Phụ sản Hải Phòng", "Trần Thị Hoa", "Số lượng: 02 bản"}

// TestHandoffHelperToClerk: the helper hands a declaration to the queue and prints the
// slip; the clerk picks it from «Hồ sơ chuẩn bị sẵn» and lands in intake with everything
// filled; a second counter's claim is refused with who took it; the dossier saved reprints
// the declaration from its detail; an entry not taken by midnight is listed as expired.
func TestHandoffHelperToClerk(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.ui.win.Resize(fyne.NewSize(1366, 900))
	h.signIn(testHelper)
	s, e := handOffBirth(t, h)
	if e.Number != "H-1001" || !strings.Contains(s.banner.label.Text, "H-1001") || s.proc != nil {
		t.Fatalf("entry %s, banner %q", e.Number, s.banner.label.Text)
	}
	if s.numberDialog == nil {
		t.Fatal("the number is not shown")
	}
	shot(t, h, "handoff-number.png")
	s.numberDialog.Hide()
	s.printHandoffSlip(e)
	h.settle()
	pdfs := h.openedPDFs()
	if len(pdfs) != 1 {
		t.Fatalf("slip not printed; banner %q", s.banner.label.Text)
	}
	slip := pdfText(t, pdfs[0])
	for _, want := range []string{"PHIẾU CHUYỂN QUẦY", "H-1001", "Nguyễn Văn An", "đăng ký khai sinh", "có giá trị đến hết ngày 16/03/2026"} {
		if !strings.Contains(slip, want) {
			t.Errorf("slip lacks %q: %s", want, slip)
		}
	}
	// A second citizen whose declaration nobody takes today.
	pickAssist(t, h, s, "khai sinh")
	scanInto(h, s.idNumber, "001191054321||Lê Thị Bình|02021991|Nữ|Thôn Tây, xã An Hưng|01012022")
	for key, v := range birthAnswers {
		assistAnswer(t, s, key, v)
	}
	test.Tap(s.handoffBtn)
	h.settle()
	if s.lastHandoff.Number != "H-1002" {
		for _, f := range s.fields {
			if f.err.Visible() {
				t.Logf("%s = %q: %s", f.in.Key, f.text(), f.err.Text)
			}
		}
		t.Fatalf("second entry %q; banner %q", s.lastHandoff.Number, s.banner.label.Text)
	}
	s.numberDialog.Hide()
	h.ui.signOut()
	h.settle()

	h.signIn(testClerk)
	it := intakeOf(t, h)
	h.ui.showScreen(it)
	h.settle()
	p := it.handoff
	if len(p.data.Waiting) != 2 || !strings.Contains(p.title.Text, "(2)") {
		t.Fatalf("queue shows %d waiting (%q)", len(p.data.Waiting), p.title.Text)
	}
	shot(t, h, "handoff-2-queue.png")
	p.claim(p.data.Waiting[0].ID) // «Nhận» on the first row
	h.settle()
	checkIntakeFromHandoff(t, it, e)
	if !strings.Contains(it.banner.label.Text, "Đã nhận tờ khai H-1001") {
		t.Errorf("banner %q", it.banner.label.Text)
	}
	// Left without saving (Làm lại): the entry goes back to the queue; taken again by number.
	it.reset()
	h.settle()
	if len(p.data.Waiting) != 2 || !strings.Contains(p.msg.Text, "H-1001 đã được trả về hàng chờ") {
		t.Fatalf("not given back: %d waiting, %q", len(p.data.Waiting), p.msg.Text)
	}
	p.claim("H-1001")
	h.settle()
	p.claim("H-1001") // opened again by the same clerk: still hers
	h.settle()
	checkIntakeFromHandoff(t, it, e)
	if dialogOpen(h) {
		t.Fatal("opening the entry the form holds asks to replace it")
	}
	if len(p.data.Waiting) != 1 {
		t.Fatalf("%d waiting after the entry was taken again", len(p.data.Waiting))
	}
	shot(t, h, "handoff-intake.png")
	d := saveIntake(t, h, it)
	if !d.Assisted || len(d.Forms) != 1 || d.Forms[0].Template != "to-khai-khai-sinh" {
		t.Fatalf("dossier %+v", d.Forms)
	}
	text := reprintDeclaration(t, h, d)
	for _, want := range declarationLines {
		if !strings.Contains(text, want) {
			t.Errorf("reprinted declaration lacks %q:\n%s", want, text)
		}
	}
	h.ui.signOut()
	h.settle()

	// Another counter types the slip's number: refused, with who took it.
	h.signIn(testBoss)
	it = intakeOf(t, h)
	h.ui.showScreen(it)
	h.settle()
	p = it.handoff
	test.Type(p.ref, "h1001")
	p.ref.TypedKey(&fyneKeyReturn)
	h.settle()
	if !p.msg.Visible() || !strings.Contains(p.msg.Text, "đã được lan nhận") || !strings.Contains(p.msg.Text, d.Code) || it.proc != nil {
		t.Fatalf("second claim: %q, form %+v", p.msg.Text, it.proc)
	}
	if len(p.data.Claimed) != 1 || p.data.Claimed[0].DossierCode != d.Code {
		t.Errorf("taken today %+v", p.data.Claimed)
	}
	p.say("", 0)
	scanInto(h, it.picker.entry, e.ID) // the slip's QR scanned where the focus starts
	if !strings.Contains(p.msg.Text, "đã được lan nhận") || it.picker.entry.Text != "" || it.proc != nil {
		t.Fatalf("QR scanned into the procedure search: %q, search %q", p.msg.Text, it.picker.entry.Text)
	}
	shot(t, h, "handoff-4-refused.png")

	// After midnight the entry nobody took is expired.
	h.clock.Set(vnTime(2026, 3, 17, 7, 30))
	p.load()
	h.settle()
	if len(p.data.Waiting) != 0 || len(p.data.Expired) != 1 || p.data.Expired[0].Number != "H-1002" {
		t.Fatalf("next day: waiting %d expired %+v", len(p.data.Waiting), p.data.Expired)
	}
	if len(p.more.Items) == 0 || !strings.Contains(p.more.Items[len(p.more.Items)-1].Title, "Đã hết hạn (1)") {
		t.Fatalf("no expired section")
	}
	p.more.OpenAll()
	it.relayoutSide() // the window lays the opened section out on its next frame
	h.settle()
	shot(t, h, "handoff-5-expired.png")
	p.claim("H-1002")
	h.settle()
	if !strings.Contains(p.msg.Text, "không tìm thấy") && !strings.Contains(p.msg.Text, "chưa có tờ khai số H-1002") {
		t.Errorf("yesterday's number today: %q", p.msg.Text)
	}
	p.claim(p.data.Expired[0].ID)
	h.settle()
	if !strings.Contains(p.msg.Text, "đã hết hạn lúc 24:00 ngày 16/03/2026") {
		t.Errorf("expired claim: %q", p.msg.Text)
	}
	if last := p.more.Items[len(p.more.Items)-1]; !last.Open {
		t.Error("the opened section closed when the queue was read again")
	}
}

// TestHandoffAcrossTwoWorkstations: the helper's workstation and the clerk's both sync with
// the city's server; the entry reaches the clerk's queue through a pull, the intake gets
// every value, the declaration is printable from the detail, and a second claim of the same
// entry on the helper's workstation (after it pulled the claim) is refused.
func TestHandoffAcrossTwoWorkstations(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	enroll := func(h *harness, slot int) *appsync.Engine {
		t.Helper()
		code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, slot)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := appsync.Enroll(ctx, h.store, ts.URL, code, "Quầy"); err != nil {
			t.Fatal(err)
		}
		eng := appsync.New(h.store, appsync.Options{Logger: quiet})
		h.ui.opt.Sync = pullingSyncer{&engineSyncer{e: eng, store: h.store}}
		h.ui.followSync()
		return eng
	}
	syncOnce := func(e *appsync.Engine) {
		t.Helper()
		if _, err := e.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	desk := newHarness(t, vnTime(2026, 3, 16, 9, 0)) // the helper's desk at the entrance
	desk.setUp()
	deskSync := enroll(desk, 1)
	counter := newHarness(t, vnTime(2026, 3, 16, 9, 0)) // the counter
	counter.setUp()
	cfg := counter.store.Config()
	cfg.Slot = 2
	if err := counter.store.UpdateConfig(ctx, testAdmin, cfg); err != nil {
		t.Fatal(err)
	}
	counterSync := enroll(counter, 2)

	desk.signIn(testHelper)
	ds, e := handOffBirth(t, desk)
	ds.numberDialog.Hide()
	syncOnce(deskSync)

	counter.ui.win.Resize(fyne.NewSize(1280, 800))
	counter.signIn(testClerk)
	it := intakeOf(t, counter)
	counter.ui.showScreen(it)
	counter.settle()
	if len(it.handoff.data.Waiting) != 0 {
		t.Fatal("the entry is on the counter before any sync")
	}
	syncOnce(counterSync) // the pull reloads the open queue
	counter.settle()
	p := it.handoff
	if len(p.data.Waiting) != 1 || p.data.Waiting[0].Number != e.Number {
		t.Fatalf("the counter's queue after the pull: %+v", p.data.Waiting)
	}
	test.Type(p.ref, e.Number)
	test.Tap(p.take)
	counter.settle()
	checkIntakeFromHandoff(t, it, e)
	d := saveIntake(t, counter, it)
	text := reprintDeclaration(t, counter, d)
	for _, want := range declarationLines {
		if !strings.Contains(text, want) {
			t.Errorf("declaration printed from the detail lacks %q:\n%s", want, text)
		}
	}
	syncOnce(counterSync)
	syncOnce(deskSync)

	// At the helper's desk a clerk tries the same entry (by its QR code): refused.
	desk.ui.signOut()
	desk.settle()
	desk.signIn(testBoss)
	dit := intakeOf(t, desk)
	desk.ui.showScreen(dit)
	desk.settle()
	dp := dit.handoff
	if len(dp.data.Claimed) != 1 || dp.data.Claimed[0].DossierCode != d.Code {
		t.Fatalf("the desk does not see the entry taken: %+v", dp.data)
	}
	test.Type(dp.ref, e.ID)
	dp.ref.TypedKey(&fyneKeyReturn)
	desk.settle()
	if !strings.Contains(dp.msg.Text, "đã được lan nhận") || !strings.Contains(dp.msg.Text, d.Code) || dit.proc != nil {
		t.Fatalf("second claim on the desk: %q", dp.msg.Text)
	}
	if got, err := desk.store.Get(ctx, d.ID); err != nil || len(got.Forms) != 1 {
		t.Fatalf("the desk lacks the dossier with its declaration: %v", err)
	}

	// Offline, both workstations take another entry; on sync the first claim in the events'
	// order holds on both, and the other shows in the supervisor's conflicts panel.
	p2 := domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: "1.001193"},
		Applicant: domain.Person{Name: "Lê Thị Bình", IDNumber: "001191054321"}}
	e2, err := desk.store.PrepareHandoff(ctx, testHelper, p2)
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(deskSync)
	syncOnce(counterSync)
	counter.settle()
	p.claim(e2.Number)
	counter.settle()
	dp.claim(e2.Number)
	desk.settle()
	if it.handoffID != e2.ID || dit.handoffID != e2.ID {
		t.Fatalf("offline claims: counter %q (%q), desk %q (%q)", it.handoffID, p.msg.Text, dit.handoffID, dp.msg.Text)
	}
	syncOnce(counterSync)
	syncOnce(deskSync)
	syncOnce(counterSync)
	onDesk, _ := desk.store.Handoff(ctx, e2.ID)
	onCounter, _ := counter.store.Handoff(ctx, e2.ID)
	if onDesk.ClaimEvent == "" || onDesk.ClaimEvent != onCounter.ClaimEvent || len(onDesk.Conflicts) != 1 || len(onCounter.Conflicts) != 1 {
		t.Fatalf("the workstations disagree: %+v / %+v", onDesk, onCounter)
	}
	desk.ui.win.Resize(fyne.NewSize(1366, 768))
	sv := supervisorOf(t, desk)
	sv.tabs.Select(sv.conflictsTab)
	desk.settle()
	if !containsText(visibleTexts(sv.conflicts.handoffs), "không có hiệu lực") || !containsText(visibleTexts(sv.conflicts.handoffs), e2.Number) {
		t.Fatalf("the double claim is not in the supervisor's panel: %v", visibleTexts(sv.conflicts.handoffs))
	}
	shot(t, desk, "handoff-6-conflict.png")
}
