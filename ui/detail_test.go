package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"motcua/domain"
)

// receiveFor records an intake of the 3-working-day marriage-status certificate.
func receiveFor(t *testing.T, h *harness, actor domain.Staff, name, id string) domain.Dossier {
	t.Helper()
	// Birth year and sex as the ID number encodes them.
	sex, century := "Nam", 1900+100*(int(id[3]-'0')/2)
	if (id[3]-'0')%2 == 1 {
		sex = "Nữ"
	}
	birth := fmt.Sprintf("15/03/%d", century+int(id[4]-'0')*10+int(id[5]-'0'))
	in := domain.Intake{ProcedureCode: "1.004873",
		Applicant: domain.Person{Name: name, IDNumber: id, Birth: birth, Sex: sex, Phone: "0912345678",
			Address: "Số 5, Thôn Đông, xã An Hưng, Hải Phòng"},
		Summary: "Xác nhận tình trạng hôn nhân để đăng ký kết hôn"}
	proc, _ := h.store.Catalogue().Lookup(in.ProcedureCode)
	for _, doc := range proc.Documents {
		if !doc.Optional {
			in.Documents = append(in.Documents, domain.DocumentItem{Code: doc.Code})
		}
	}
	d, err := h.store.Receive(context.Background(), actor, in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// openDetail opens a dossier in the queue's tab and waits for it.
func openDetail(t *testing.T, h *harness, id string) (*queueScreen, *detailView) {
	t.Helper()
	q := queueOf(t, h)
	h.ui.openDossier(id)
	h.settle()
	if !q.detail.loaded || q.detail.d.ID != id {
		t.Fatalf("detail of %s not shown", id)
	}
	return q, q.detail
}

// startAction taps an action's button and returns its dialog.
func startAction(t *testing.T, v *detailView, typ domain.EventType) *actionForm {
	t.Helper()
	b := v.actionButtons[typ]
	if b == nil {
		t.Fatalf("no %s button; status %v", typ, v.d.Status)
	}
	test.Tap(b)
	if v.form == nil {
		t.Fatalf("%s opened no dialog", typ)
	}
	return v.form
}

func lastPDF(t *testing.T, h *harness, kind string) string {
	t.Helper()
	pdfs := h.openedPDFs()
	if len(pdfs) == 0 || !strings.Contains(pdfs[len(pdfs)-1], kind) {
		t.Fatalf("no %s printed: %v", kind, pdfs)
	}
	return pdfText(t, pdfs[len(pdfs)-1])
}

func getDossier(t *testing.T, h *harness, id string) domain.Dossier {
	t.Helper()
	d, err := h.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDetailProcessingActions(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30)) // Monday
	h.setUp()
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testClerk)
	_, v := openDetail(t, h, d.ID)

	texts := visibleTexts(v.root)
	for _, want := range []string{d.Code, "Nguyễn Thị Mai", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "Được tiếp nhận",
		"Tiếp nhận hồ sơ", "Nguyễn Thị Lan · máy này · chờ đồng bộ"} {
		if !containsText(texts, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	if v.correctButton != nil {
		t.Error("a counter clerk can correct dossiers")
	}
	if _, ok := v.actionButtons[domain.EvHandedOver]; ok {
		t.Error("hand-over offered before the result")
	}

	// Request a supplement: the store's message for a missing reason, then Mẫu 02.
	f := startAction(t, v, domain.EvSupplementRequested)
	if f.entries["guide_name"].Text != "Nguyễn Thị Lan" {
		t.Errorf("guide not prefilled: %q", f.entries["guide_name"].Text)
	}
	f.items.rows[0].name.SetText("Bản sao giấy khai sinh")
	second := f.items.add()
	second.name.SetText("Văn bản ủy quyền có chứng thực")
	second.form.SetSelectedIndex(1)
	test.Tap(f.ok)
	h.settle()
	if f.errs["reason"].Hidden || !strings.Contains(f.errs["reason"].Text, "lý do") {
		t.Fatalf("no message next to the reason: %q / %q", f.errs["reason"].Text, f.message.Text)
	}
	if v.form != f || getDossier(t, h, d.ID).Status != domain.StatusAccepted {
		t.Fatal("a refused request closed the dialog or changed the dossier")
	}
	f.entries["reason"].SetText("Thiếu giấy tờ chứng minh quan hệ")
	test.Tap(f.ok)
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusSupplement || len(got.Supplements) != 1 || len(got.Supplements[0].Items) != 2 {
		t.Fatalf("after the request: status %v supplements %+v", got.Status, got.Supplements)
	}
	if v.form != nil {
		t.Error("dialog still open after success")
	}
	tl, _ := h.store.Timeline(context.Background(), d.ID)
	if tl[len(tl)-1].Event.Type != domain.EvSupplementRequested {
		t.Errorf("last event %s", tl[len(tl)-1].Event.Type)
	}
	text := lastPDF(t, h, "mau02")
	for _, want := range []string{"Bản sao giấy khai sinh", "Văn bản ủy quyền có chứng thực", "Thiếu giấy tờ chứng minh quan hệ", "Nguyễn Thị Lan", d.Code} {
		if !strings.Contains(text, want) {
			t.Errorf("Mẫu 02 lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(v.banner.label.Text, "Mẫu 02") || v.status.Text != "Yêu cầu bổ sung giấy tờ" {
		t.Errorf("banner %q status %q", v.banner.label.Text, v.status.Text)
	}

	// The papers arrive the next day: the due date moves by the pause.
	h.clock.Set(vnTime(2026, 3, 17, 10, 0))
	f = startAction(t, v, domain.EvSupplementReceived)
	test.Tap(f.ok)
	h.settle()
	got = getDossier(t, h, d.ID)
	if got.Status != domain.StatusAccepted || !got.DueAt.After(d.DueAt) {
		t.Fatalf("supplement received: status %v due %v (was %v)", got.Status, got.DueAt, d.DueAt)
	}
	if !strings.Contains(v.banner.label.Text, dueText(got.DueAt)) {
		t.Errorf("banner does not show the new due date: %q", v.banner.label.Text)
	}

	// Forward to the processing unit.
	f = startAction(t, v, domain.EvForwarded)
	f.entries["agency"].SetText("Công chức Tư pháp - Hộ tịch")
	f.entries["agency"].TypedKey(&fyneKeyReturn) // Enter submits
	h.settle()
	got = getDossier(t, h, d.ID)
	if got.Status != domain.StatusProcessing || len(got.Steps) != 1 || got.Steps[0].Agency != "Công chức Tư pháp - Hộ tịch" {
		t.Fatalf("forward: %v %+v", got.Status, got.Steps)
	}

	// Reschedule: a Sunday is refused with the store's message, a working day accepted.
	f = startAction(t, v, domain.EvRescheduled)
	sunday := got.DueAt.In(domain.VN())
	for sunday.Weekday() != time.Sunday {
		sunday = sunday.AddDate(0, 0, 1)
	}
	f.entries["reason"].SetText("Cần xác minh thêm tại nơi thường trú trước đây")
	f.entries["date"].SetText(sunday.Format("02/01/2006"))
	f.entries["head"].SetText("Lê Văn Minh")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	if f.errs["date"].Hidden || !strings.Contains(f.errs["date"].Text, "ngày nghỉ") {
		t.Fatalf("Sunday: message %q / %q", f.errs["date"].Text, f.message.Text)
	}
	if n := len(getDossier(t, h, d.ID).Reschedules); n != 0 {
		t.Fatal("a Sunday was recorded")
	}
	monday := sunday.AddDate(0, 0, 1)
	f.entries["date"].SetText(monday.Format("02/01/2006"))
	f.entries["time"].SetText("16:30")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got = getDossier(t, h, d.ID)
	if len(got.Reschedules) != 1 || got.DueAt.In(domain.VN()).Format("15:04 02/01/2006") != "16:30 "+monday.Format("02/01/2006") {
		t.Fatalf("reschedule: %+v due %v", got.Reschedules, got.DueAt)
	}
	text = lastPDF(t, h, "mau04")
	for _, want := range []string{"Lê Văn Minh", "Cần xác minh thêm tại nơi thường trú trước đây", monday.Format("02/01/2006")} {
		if !strings.Contains(text, want) {
			t.Errorf("Mẫu 04 lacks %q:\n%s", want, text)
		}
	}

	// Result ready, then the hand-over is offered and jumps to its screen.
	f = startAction(t, v, domain.EvResultReady)
	if f.entries["result"].Text == "" {
		t.Error("result not prefilled from the procedure")
	}
	test.Tap(f.checks["electronic"])
	test.Tap(f.ok)
	h.settle()
	got = getDossier(t, h, d.ID)
	if got.Status != domain.StatusResultReady || !got.EResult {
		t.Fatalf("result ready: %v e-result %v", got.Status, got.EResult)
	}

	// Printing from the detail.
	test.Tap(v.printButtons["control"])
	h.settle()
	if text := lastPDF(t, h, "phieu-kiem-soat"); !strings.Contains(text, "Công chức Tư pháp - Hộ tịch") || !strings.Contains(text, "Mẫu số 06") {
		t.Errorf("the control slip (Mẫu 06) lacks the agency:\n%s", text)
	}
	test.Tap(v.printButtons["mau01"])
	h.settle()
	if text := lastPDF(t, h, "mau01"); !strings.Contains(text, "Nguyễn Thị Lan") || !strings.Contains(text, d.Code) {
		t.Errorf("reprinted receipt:\n%s", text)
	}

	// The timeline shows every step.
	texts = visibleTexts(v.root)
	for _, want := range []string{"Yêu cầu bổ sung hồ sơ", "Nhận hồ sơ bổ sung", "Chuyển hồ sơ đến cơ quan giải quyết",
		"Hẹn lại ngày trả kết quả", "Ghi nhận đã có kết quả"} {
		if !containsText(texts, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}

	test.Tap(v.actionButtons[domain.EvHandedOver])
	hs, _ := screenOf[*handOverScreen](h.ui)
	if hs.d == nil || hs.d.ID != d.ID || h.ui.tabs.Selected().Text != "Trả kết quả" {
		t.Fatal("hand-over did not open its screen with the dossier")
	}
}

func TestDetailRefusePrintsMau03(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := receiveFor(t, h, testClerk, "Trần Văn Bình", "031090012345")
	h.signIn(testClerk)
	_, v := openDetail(t, h, d.ID)

	f := startAction(t, v, domain.EvRefused)
	test.Tap(f.ok) // no reason: nothing is asked, nothing recorded
	if f.errs["reason"].Hidden || h.ui.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no message for the missing reason")
	}
	f.entries["reason"].SetText("Hồ sơ không thuộc thẩm quyền giải quyết của xã")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Hủy") // the clerk changes their mind
	h.settle()
	if getDossier(t, h, d.ID).Status != domain.StatusAccepted {
		t.Fatal("refused without confirmation")
	}
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusRefused {
		t.Fatalf("status %v", got.Status)
	}
	text := lastPDF(t, h, "mau03")
	for _, want := range []string{"Trần Văn Bình", "Hồ sơ không thuộc thẩm quyền giải quyết của xã", d.Code} {
		if !strings.Contains(text, want) {
			t.Errorf("Mẫu 03 lacks %q:\n%s", want, text)
		}
	}
	if len(v.actionButtons) != 0 {
		t.Errorf("actions still offered on a refused dossier: %v", v.actionButtons)
	}
}

func TestSupervisorResolvesConflictAndCorrects(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	ctx := context.Background()
	d := receiveFor(t, h, testClerk, "Nguyễn Văn An", "001099012345")
	// The city refuses the dossier at 10:00 while the counter, offline, records the result
	// at 11:00 and hands it over at 11:05.
	refusedAt := vnTime(2026, 3, 16, 10, 0)
	refused, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, d.ID, domain.EvRefused,
		domain.ReasonPayload{Reason: "Giấy tờ không hợp lệ"}, "tp.operator", "central", testUnit.UnitCode, refusedAt,
		domain.MakeHLC(refusedAt.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(vnTime(2026, 3, 16, 11, 0))
	if _, err := h.store.ResultReady(ctx, testClerk, d.ID, domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(vnTime(2026, 3, 16, 11, 5))
	if _, err := h.store.HandOver(ctx, testClerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ApplyRemote(ctx, []domain.Event{refused}, "cursor", "c-1"); err != nil {
		t.Fatal(err)
	}

	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	q := queueOf(t, h)
	q.status.SetSelected(statusAllText())
	test.Tap(q.conflicts)
	h.settle()
	if q.rows() != 1 {
		t.Fatalf("conflict filter shows %d rows", q.rows())
	}
	if r, _ := q.loadedRow(0); r.Conflicts == 0 || !containsText(visibleTexts(q.table), "Xung đột") {
		t.Error("the conflict is not marked in the list")
	}
	_, v := openDetail(t, h, d.ID)
	texts := visibleTexts(v.root)
	for _, want := range []string{"Xung đột: Không thể", "Trung tâm thành phố", "Không được tiếp nhận"} {
		if !containsText(texts, want) {
			t.Errorf("detail lacks %q: %v", want, texts)
		}
	}
	if len(v.conflictButtons) != 2 {
		t.Fatalf("%d conflict buttons, want 2", len(v.conflictButtons))
	}
	// The citizen did take the result: set the status of the hand-over…
	test.Tap(v.conflictButtons[len(v.conflictButtons)-1])
	f := v.form
	f.radios["decision"].SetSelected(T("Đặt trạng thái khác"))
	f.selects["status"].SetSelected(statusText(domain.StatusReturned))
	test.Tap(f.ok)
	if f.errs["note"].Hidden {
		t.Fatal("no message for the missing note")
	}
	f.entries["note"].SetText("Công dân đã nhận kết quả trước khi có thông báo từ chối")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusReturned || len(got.OpenConflicts()) != 1 {
		t.Fatalf("after the first decision: %v %+v", got.Status, got.OpenConflicts())
	}
	// …and keep the state for the other.
	if len(v.conflictButtons) != 1 {
		t.Fatalf("%d conflict buttons left", len(v.conflictButtons))
	}
	test.Tap(v.conflictButtons[0])
	f = v.form
	f.entries["note"].SetText("Kết quả đã có trước khi trả; giữ nguyên")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got = getDossier(t, h, d.ID)
	if got.Status != domain.StatusReturned || len(got.OpenConflicts()) != 0 {
		t.Fatalf("after the second decision: %v %+v", got.Status, got.OpenConflicts())
	}

	// A supervisor corrects a phone number entered wrongly.
	if v.correctButton == nil {
		t.Fatal("a supervisor cannot correct")
	}
	test.Tap(v.correctButton)
	f = v.form
	f.entries["phone"].SetText("0987 654 321")
	test.Tap(f.ok)
	h.settle()
	if f.errs["reason"].Hidden {
		t.Fatal("no message for the missing reason")
	}
	f.entries["reason"].SetText("Nhập sai số điện thoại khi tiếp nhận")
	test.Tap(f.ok)
	h.settle()
	if got := getDossier(t, h, d.ID); got.Applicant.Phone != "0987654321" || got.Applicant.Name != "Nguyễn Văn An" {
		t.Fatalf("correction: %+v", got.Applicant)
	}
}

func TestParseDueInput(t *testing.T) {
	got, err := parseDueInput("6/4/2026", "16h30")
	if err != nil || !got.Equal(vnTime(2026, 4, 6, 16, 30)) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := parseDueInput("31/02/2026", "17:00"); err == nil {
		t.Error("31/02 accepted")
	}
	if _, err := parseDueInput("06/04/2026", "25:00"); err == nil {
		t.Error("25:00 accepted")
	}
}

func TestEventTitlesFollowTheDomain(t *testing.T) {
	for _, typ := range []domain.EventType{domain.EvRegisteredOnline, domain.EvReceived, domain.EvAccepted, domain.EvSupplementRequested,
		domain.EvSupplementReceived, domain.EvRefused, domain.EvWithdrawn, domain.EvForwarded, domain.EvProgress, domain.EvPaymentRequested,
		domain.EvPaymentRecorded, domain.EvStopped, domain.EvResultReady, domain.EvRescheduled, domain.EvHandedOver, domain.EvCorrected,
		domain.EvCodeAssigned, domain.EvFileAttached, domain.EvFormPrepared, domain.EvConflictResolved} {
		if got, want := eventTitle(typ), capitalize(domain.ActionName(typ)); got != want {
			t.Errorf("%s: %q, the domain says %q", typ, got, want)
		}
	}
}

// A dossier registered online (status 1, arrived from the city's portal) is accepted from
// its detail once the clerk has checked its papers: the time starts, Mẫu 01 is printed.
func TestDetailAcceptsOnlineRegistration(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30)) // Monday
	h.setUp()
	ctx := context.Background()
	regAt := vnTime(2026, 3, 15, 21, 10) // Sunday evening
	code, err := domain.NewDossierCode(testUnit.UnitCode, regAt, 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	proc, _ := h.store.Catalogue().Lookup("1.004873")
	p := domain.ReceivedPayload{Code: code.String(), Procedure: domain.ProcedureRef{Code: proc.Code, Name: proc.Name, FieldCode: proc.FieldCode, Field: proc.Field, Time: proc.Time}, Channel: domain.ChannelOnline, Subject: domain.SubjectCitizen, Sets: 1,
		Applicant: domain.Person{Name: "Đỗ Thị Hạnh", IDNumber: "031190012345", Phone: "0912345678", Address: "Thôn Đông, xã An Hưng"},
		Summary:   "Xác nhận tình trạng hôn nhân để đăng ký kết hôn"}
	id := uuid.Must(uuid.NewV7()).String()
	reg, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, id, domain.EvRegisteredOnline, p, "portal",
		"central", testUnit.UnitCode, regAt, domain.MakeHLC(regAt.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ApplyRemote(ctx, []domain.Event{reg}, "cursor", "c-1"); err != nil {
		t.Fatal(err)
	}
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testClerk)
	// The queue opens on the dossiers in progress and points to the one waiting.
	q := queueOf(t, h)
	if q.online.Hidden || q.online.Text != Tf("%s hồ sơ đăng ký trực tuyến chờ tiếp nhận", "1") {
		t.Fatalf("no pointer to the online registration: hidden %v %q", q.online.Hidden, q.online.Text)
	}
	test.Tap(q.online)
	h.settle()
	if rows := shownRows(q, 10); len(rows) != 1 || rows[0].ID != id || !q.online.Hidden {
		t.Fatalf("the online registrations' list: %+v, button hidden %v", rows, q.online.Hidden)
	}
	_, v := openDetail(t, h, id)
	if b := v.actionButtons[domain.EvAccepted]; b == nil || b.Importance != widget.HighImportance {
		t.Fatalf("accepting is not the offered next step: %v", v.actionButtons)
	}
	f := startAction(t, v, domain.EvAccepted)
	// Three working days from now, shown before anything is recorded.
	wantDue := dueText(vnTime(2026, 3, 19, 9, 30))
	if !containsText(visibleTexts(f.body), Tf("Hẹn trả kết quả nếu tiếp nhận ngay bây giờ: %s.", wantDue)) {
		t.Errorf("due date not shown: %v", visibleTexts(f.body))
	}
	test.Tap(f.ok) // papers not checked yet
	h.settle()
	if f.message.Hidden || !strings.Contains(f.message.Text, "kiểm tra thành phần hồ sơ") {
		t.Fatalf("no message for the unchecked papers: %q", f.message.Text)
	}
	if getDossier(t, h, id).Status != domain.StatusRegistered {
		t.Fatal("accepted without the papers checked")
	}
	f.checks["checked"].SetChecked(true)
	test.Tap(f.ok)
	h.settle()
	got := getDossier(t, h, id)
	if got.Status != domain.StatusAccepted || got.ReceivedBy != testClerk.Username || dueText(got.DueAt) != wantDue {
		t.Fatalf("accepted: status %v by %q due %s", got.Status, got.ReceivedBy, dueText(got.DueAt))
	}
	text := lastPDF(t, h, "mau01")
	for _, want := range []string{code.String(), "Đỗ Thị Hạnh", "19/03/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("Mẫu 01 lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(v.banner.label.Text, Tf("Đã tiếp nhận hồ sơ %s", code.String())) {
		t.Errorf("banner %q", v.banner.label.Text)
	}
	if _, ok := v.actionButtons[domain.EvAccepted]; ok {
		t.Error("accepting still offered")
	}
	// The acceptance waits to reach the city, and the status bar says so at once.
	if want := Tf("Chờ đồng bộ: %s", "1"); h.ui.status.waiting.Text != want {
		t.Errorf("status bar %q, want %q", h.ui.status.waiting.Text, want)
	}
	if !containsText(visibleTexts(v.root), Tf("Nộp qua: %s", channelText(domain.ChannelOnline))) {
		t.Error("the registration's timeline entry does not say how it came")
	}
	q.showList()
	q.status.SetSelectedIndex(0)
	h.settle()
	if !q.online.Hidden {
		t.Errorf("still points to online registrations: %q", q.online.Text)
	}
}

// A supervisor stops a dossier from its detail: the stop is recorded with its reason
// (status 8) and the stop notice (Mẫu 05 of Circular 03/2025/TT-VPCP) is printed; the
// detail then offers to print it again. A counter clerk is not offered the stop.
func TestDetailStopPrintsNotice(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testClerk)
	_, v := openDetail(t, h, d.ID)
	if _, ok := v.actionButtons[domain.EvStopped]; ok {
		t.Fatal("a counter clerk is offered to stop a dossier")
	}
	if b := v.printButtons["control"]; b == nil || b.Text != "In phiếu kiểm soát (Mẫu 06)" {
		t.Errorf("control slip button: %+v", b)
	}

	h.signIn(testBoss)
	_, v = openDetail(t, h, d.ID)
	f := startAction(t, v, domain.EvStopped)
	f.entries["reason"].SetText("Người yêu cầu đã được cấp Giấy xác nhận tình trạng hôn nhân tại nơi khác")
	test.Tap(f.ok)
	h.settle()
	if f.errs["head"].Hidden {
		t.Fatal("no message for the missing signer")
	}
	f.entries["head"].SetText("Lê Văn Minh")
	test.Tap(f.ok)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusStopped || got.CloseReason != "Người yêu cầu đã được cấp Giấy xác nhận tình trạng hôn nhân tại nơi khác" {
		t.Fatalf("after stop: status %v reason %q", got.Status, got.CloseReason)
	}
	text := strings.Join(strings.Fields(lastPDF(t, h, "mau05-dung-giai-quyet")), " ")
	for _, want := range []string{"Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Thông tư số 03/2025/TT-VPCP", "UBND XÃ AN HƯNG",
		d.Code, "Kính gửi: Bà Nguyễn Thị Mai.", "tại nơi khác.", "Lê Văn Minh"} {
		if !strings.Contains(text, want) {
			t.Errorf("stop notice lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(v.banner.label.Text, "Mẫu 05") {
		t.Errorf("banner %q", v.banner.label.Text)
	}
	if b := v.printButtons["stop"]; b == nil || b.Text != "In thông báo dừng giải quyết hồ sơ (Mẫu 05)" {
		t.Fatalf("no reprint of the stop notice: %+v", b)
	}
}
