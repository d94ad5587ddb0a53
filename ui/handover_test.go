package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// readyFor receives a dossier and records its result.
func readyFor(t *testing.T, h *harness, name, id string) domain.Dossier {
	t.Helper()
	d := receiveFor(t, h, testClerk, name, id)
	d, err := h.store.ResultReady(context.Background(), testClerk, d.ID, domain.ResultReadyPayload{Result: "Giấy xác nhận tình trạng hôn nhân"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func handOverOf(t *testing.T, h *harness) *handOverScreen {
	t.Helper()
	s, ok := screenOf[*handOverScreen](h.ui)
	if !ok {
		t.Fatal("no hand-over screen")
	}
	h.ui.showScreen(s)
	h.settle()
	return s
}

func eventCount(t *testing.T, h *harness) int {
	t.Helper()
	st, err := h.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Events
}

func TestHandOverToApplicant(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testClerk)
	s := handOverOf(t, h)
	if h.ui.win.Canvas().Focused() != s.code {
		t.Error("the code field is not focused")
	}
	// The receipt's QR holds the code; the scanner types it and Enter.
	test.Type(s.code, strings.ToLower(d.Code))
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.d == nil || s.d.ID != d.ID || s.ready.Text != "Có thể trả kết quả." || !s.recipient.Visible() {
		t.Fatalf("dossier not loaded: %q", s.ready.Text)
	}
	if s.name.Text != "Nguyễn Thị Mai" || s.idNumber.Text != "031190012345" || s.returned.Text != "Giấy xác nhận tình trạng hôn nhân" {
		t.Fatalf("recipient not prefilled: %q %q %q", s.name.Text, s.idNumber.Text, s.returned.Text)
	}
	test.Tap(s.save)
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusReturned || got.HandOver == nil || got.HandOver.Recipient.Name != "Nguyễn Thị Mai" || got.HandOver.Method != domain.HandOverCounter {
		t.Fatalf("hand-over: %v %+v", got.Status, got.HandOver)
	}
	text := lastPDF(t, h, "phieu-tra-ket-qua")
	for _, want := range []string{d.Code, "Nguyễn Thị Mai", "031190012345", "Giấy xác nhận tình trạng hôn nhân", "Nguyễn Thị Lan"} {
		if !strings.Contains(text, want) {
			t.Errorf("return slip lacks %q:\n%s", want, text)
		}
	}
	// Ready for the next citizen.
	if s.d != nil || s.code.Text != "" || s.dossier.Visible() || s.recipient.Visible() {
		t.Error("screen not cleared after the hand-over")
	}
	if !strings.Contains(s.banner.label.Text, d.Code) || s.banner.label.Importance != widget.SuccessImportance {
		t.Errorf("banner %q", s.banner.label.Text)
	}
	// Scanning the same receipt again says it was already returned.
	test.Type(s.code, d.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if !strings.Contains(s.ready.Text, "Hồ sơ đã trả kết quả lúc") || s.recipient.Visible() {
		t.Errorf("second scan: %q", s.ready.Text)
	}
}

func TestHandOverToAuthorisedPerson(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	d := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testClerk)
	s := handOverOf(t, h)
	test.Type(s.code, d.Code)
	test.Tap(s.find)
	h.settle()
	s.who.SetSelected("Người được ủy quyền nhận thay")
	if s.name.Text != "" || !s.authorityBox.Visible() {
		t.Fatal("authorised person: fields not cleared or no authorisation field")
	}
	// The person's ID card, scanned into the ID field, fills both fields.
	test.Type(s.idNumber, "031186012345||Phạm Thị Hồng Nhung|02051986|Nữ|Số 8 Trần Phú, phường Lê Chân, Hải Phòng|01022022")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.name.Text != "Phạm Thị Hồng Nhung" || s.idNumber.Text != "031186012345" {
		t.Fatalf("card scan: %q %q", s.name.Text, s.idNumber.Text)
	}
	before := eventCount(t, h)
	test.Tap(s.save) // no authorisation paper
	h.settle()
	if s.errs["authority"].Hidden || !strings.Contains(s.errs["authority"].Text, "ủy quyền") {
		t.Fatalf("no message for the missing authorisation: %q / banner %q", s.errs["authority"].Text, s.banner.label.Text)
	}
	if eventCount(t, h) != before || getDossier(t, h, d.ID).Status != domain.StatusResultReady {
		t.Fatal("a hand-over without authorisation was recorded")
	}
	s.authority.SetText("Giấy ủy quyền ngày 10/03/2026, chứng thực tại UBND xã An Hưng")
	test.Tap(s.save)
	h.settle()
	got := getDossier(t, h, d.ID)
	if got.Status != domain.StatusReturned || !got.HandOver.Authorized {
		t.Fatalf("authorised hand-over: %v %+v", got.Status, got.HandOver)
	}
	text := lastPDF(t, h, "phieu-tra-ket-qua")
	for _, want := range []string{"Phạm Thị Hồng Nhung", "Người được ủy quyền", "Giấy ủy quyền ngày 10/03/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("return slip lacks %q:\n%s", want, text)
		}
	}
}

func TestHandOverRefusesWhatIsNotReady(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	ctx := context.Background()
	busy := receiveFor(t, h, testClerk, "Trần Văn Bình", "031090012345")
	if _, err := h.store.Forward(ctx, testClerk, busy.ID, "Công chức Tư pháp - Hộ tịch", ""); err != nil {
		t.Fatal(err)
	}
	ready := readyFor(t, h, "Nguyễn Thị Mai", "031190012345")
	h.signIn(testClerk)
	s := handOverOf(t, h)
	before := eventCount(t, h)

	test.Type(s.code, busy.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.ready.Text != "Hồ sơ chưa có kết quả (trạng thái: Đang xử lý)" || s.recipient.Visible() {
		t.Fatalf("not ready: %q, recipient shown %v", s.ready.Text, s.recipient.Visible())
	}
	test.Tap(s.save) // hidden, but Enter could reach it
	h.settle()

	// A garbled scan in the code field changes nothing.
	test.Type(s.code, "|||garbage|x")
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if !strings.Contains(s.banner.label.Text, "Không đọc được") || s.d == nil || s.d.ID != busy.ID {
		t.Fatalf("garbage scan: banner %q", s.banner.label.Text)
	}
	// An unknown code says so.
	s.code.SetText("000.00.06.H56-260316-1999")
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if !strings.Contains(s.banner.label.Text, "Không tìm thấy") {
		t.Fatalf("unknown code: banner %q", s.banner.label.Text)
	}
	// A garbled ID-card scan in the recipient's name changes nothing.
	s.code.SetText(ready.Code)
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	test.Type(s.name, "|||x|y")
	s.name.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.name.Text != "Nguyễn Thị Mai" || s.idNumber.Text != "031190012345" || !strings.Contains(s.banner.label.Text, "QR") {
		t.Fatalf("garbage card scan: %q %q banner %q", s.name.Text, s.idNumber.Text, s.banner.label.Text)
	}
	if eventCount(t, h) != before {
		t.Fatal("something was recorded")
	}
	// A citizen without the receipt: the ID number lists their dossiers.
	s.reset()
	test.Type(s.code, "031190012345")
	s.code.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.d == nil || s.d.ID != ready.ID {
		t.Fatalf("search by ID number did not find the dossier: banner %q", s.banner.label.Text)
	}
}
