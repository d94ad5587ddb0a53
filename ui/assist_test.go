package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
)

// Payloads a USB scanner types from the QR code of a chip ID card.
const (
	qrReal    = "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội|20042021"
	qrExtra   = qrReal + "|Nguyễn Văn Bố|Trần Thị Mẹ|x"
	qrMissing = "001099012345||Nguyễn Văn An|15031999"
	qrGarbage = "|||garbage|x"
	qrBadDate = "001099012345||Nguyễn Văn An|31021999|Nam|Hà Nội|20042021"
)

func assistOf(t *testing.T, h *harness) *assistScreen {
	t.Helper()
	s, ok := screenOf[*assistScreen](h.ui)
	if !ok {
		t.Fatal("no Hỗ trợ viết screen")
	}
	s.keyClock = scanKeys.now
	h.ui.showScreen(s)
	h.settle()
	return s
}

// pickAssist types into the procedure search of the assist screen and presses Enter.
func pickAssist(t *testing.T, h *harness, s *assistScreen, query string) {
	t.Helper()
	s.picker.entry.SetText("")
	test.Type(s.picker.entry, query)
	s.picker.entry.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.proc == nil {
		t.Fatalf("typing %q picked nothing", query)
	}
}

// fakeKeyClock stands in for the wall clock that times keystrokes: each call is a millisecond
// later (a scanner's pace), pause adds a person's pause.
type fakeKeyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeKeyClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *fakeKeyClock) pause() {
	c.mu.Lock()
	c.t = c.t.Add(time.Second)
	c.mu.Unlock()
}

var scanKeys = &fakeKeyClock{t: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)}

// scanInto types a payload and Enter into a field, as a USB scanner does after the
// official has paused to pick up the card.
func scanInto(h *harness, f fyne.Focusable, payload string) {
	scanKeys.pause()
	test.Type(f, payload)
	f.TypedKey(&fyneKeyReturn)
	h.settle()
}

func assistFieldOf(t *testing.T, s *assistScreen, key string) *assistField {
	t.Helper()
	for _, f := range s.fields {
		if f.in.Key == key {
			return f
		}
	}
	t.Fatalf("no field %s", key)
	return nil
}

// assistAnswer types an answer (or picks it, for a strict select).
func assistAnswer(t *testing.T, s *assistScreen, key, value string) {
	t.Helper()
	f := assistFieldOf(t, s, key)
	if f.sel != nil {
		f.sel.SetSelected(value)
		return
	}
	f.entry.SetText("")
	// Focus through the canvas, so only one field at a time shows it (as for a person).
	c := s.u.win.Canvas()
	c.Focus(f.focus)
	if c.Focused() != f.focus {
		f.focus.FocusGained()
	}
	for _, r := range value {
		f.focus.TypedRune(r)
	}
}

// TestAssistBlockedByCatalogue: where the catalogue forbids assisted filling (signature
// certification, marriage), the screen says why, in the catalogue's words, and offers no
// form; the rule follows the data, not the procedure's name.
func TestAssistBlockedByCatalogue(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testHelper)
	s := assistOf(t, h)
	cat := h.store.Catalogue()
	for _, code := range []string{"2.000884", "1.000894"} {
		p, _ := cat.Lookup(code)
		if p.AssistAllowed {
			t.Fatalf("catalogue allows assisted filling for %s: the test's premise changed", code)
		}
		pickAssist(t, h, s, code)
		if s.proc.Code != code {
			t.Fatalf("picked %s, want %s", s.proc.Code, code)
		}
		if !s.blocked.Visible() || s.blockedNote.Text != p.AssistNote || s.blockedNote.Text == "" {
			t.Errorf("%s: the reason is not shown: visible %v, %q", code, s.blocked.Visible(), s.blockedNote.Text)
		}
		if s.declCard.Visible() || len(s.fields) != 0 || !s.print.Disabled() || s.tpl != nil {
			t.Errorf("%s: a form is offered", code)
		}
		if s.blocked.Size().Height <= 0 {
			t.Errorf("%s: the reason is laid out with no height", code)
		}
		// Printing is not possible even by calling the handler.
		s.onPrint()
		h.settle()
		if len(h.openedPDFs()) != 0 {
			t.Fatalf("%s: a declaration was printed", code)
		}
	}
	// Every procedure of the catalogue: the form is offered exactly where it is allowed and
	// has a template.
	decls := forms.DefaultDeclarations()
	for _, p := range cat.Procedures {
		s.onPick(p)
		_, hasTpl := decls.Get(p.Declaration)
		if s.blocked.Visible() != !p.AssistAllowed {
			t.Errorf("%s: blocked %v, assist allowed %v", p.Code, s.blocked.Visible(), p.AssistAllowed)
		}
		if s.declCard.Visible() != (p.AssistAllowed && hasTpl) {
			t.Errorf("%s: form shown %v", p.Code, s.declCard.Visible())
		}
		if s.noForm.Visible() != (p.AssistAllowed && !hasTpl) {
			t.Errorf("%s: 'no template' shown %v", p.Code, s.noForm.Visible())
		}
	}
	// The same procedure with the flag changed in the data is blocked with its note.
	birth, _ := cat.Lookup("1.001193")
	birth.AssistAllowed, birth.AssistNote = false, "Lý do thử nghiệm: người yêu cầu phải tự viết."
	s.onPick(birth)
	if !s.blocked.Visible() || s.blockedNote.Text != birth.AssistNote || s.declCard.Visible() {
		t.Error("the block does not follow the catalogue data")
	}
}

// TestAssistScanInEveryField: a scanned ID-card QR payload is recognised in every field of
// the screen; a good one fills the applicant and leaves the field as it was, a malformed
// one shows a message and changes nothing.
func TestAssistScanInEveryField(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testHelper)
	s := assistOf(t, h)

	// The focus starts in the procedure search: a scan there works before anything is picked.
	scanInto(h, s.picker.entry, qrReal)
	if s.name.Text != "Nguyễn Văn An" || s.idNumber.Text != "001099012345" || s.birth.Text != "15/03/1999" || s.sex.Selected != "Nam" {
		t.Fatalf("scan into the search: %q %q %q %q", s.name.Text, s.idNumber.Text, s.birth.Text, s.sex.Selected)
	}
	if s.picker.entry.Text != "" || s.proc != nil {
		t.Fatalf("the search kept %q", s.picker.entry.Text)
	}
	pickAssist(t, h, s, "1.001193")
	if s.tpl == nil || s.tpl.ID != "to-khai-khai-sinh" {
		t.Fatal("no birth declaration")
	}
	// Picked after the scan, the declaration is prefilled from the card.
	if got := assistFieldOf(t, s, "requester_name").text(); got != "Nguyễn Văn An" {
		t.Errorf("requester prefilled %q", got)
	}
	if got := assistFieldOf(t, s, "requester_id").text(); got != "Căn cước công dân số 001099012345, cấp ngày 20/04/2021" {
		t.Errorf("ID paper prefilled %q", got)
	}
	if got := assistFieldOf(t, s, "to").text(); got != "Ủy ban nhân dân xã An Hưng" {
		t.Errorf("addressee prefilled %q", got)
	}
	assistAnswer(t, s, "child_name", "Nguyễn Minh Khôi")
	assistAnswer(t, s, "mother_birth_year", "1990")

	type target struct {
		name  string
		focus fyne.Focusable
		text  func() string
		fill  bool // the field follows the applicant
	}
	targets := []target{
		{"search", s.picker.entry, func() string { return s.picker.entry.Text }, false},
		{"id", s.idNumber, func() string { return s.idNumber.Text }, true},
		{"name", s.name, func() string { return s.name.Text }, true},
		{"birth", s.birth, func() string { return s.birth.Text }, true},
		{"phone", s.phone, func() string { return s.phone.Text }, false},
		{"address", s.address, func() string { return s.address.Text }, true},
	}
	for _, f := range s.fields {
		if f.entry == nil {
			continue // a strict select takes no typing
		}
		targets = append(targets, target{f.in.Key, f.focus, f.text, f.in.Field.Fill != ""})
	}
	if len(targets) < 20 {
		t.Fatalf("only %d fields", len(targets))
	}
	bads := []string{qrMissing, qrGarbage, qrBadDate}
	goods := []string{qrReal, qrExtra}
	for i, tg := range targets {
		bad := bads[i%len(bads)]
		was, name := tg.text(), s.name.Text
		scanInto(h, tg.focus, bad)
		if got := tg.text(); got != was {
			t.Errorf("%s: malformed payload %.20q changed the field: %q → %q", tg.name, bad, was, got)
		}
		if s.name.Text != name {
			t.Errorf("%s: malformed payload changed the applicant", tg.name)
		}
		if s.banner.label.Importance != widget.DangerImportance || !strings.Contains(s.banner.label.Text, "QR") {
			t.Errorf("%s: no message for a malformed payload: %q", tg.name, s.banner.label.Text)
		}
		good := goods[i%len(goods)]
		s.name.SetText("Người Khác") // so the scan has something to change
		was = tg.text()
		scanInto(h, tg.focus, good)
		if s.name.Text != "Nguyễn Văn An" || !strings.Contains(s.banner.label.Text, "Nguyễn Văn An") {
			t.Errorf("%s: scan did not fill the applicant: %q, banner %q", tg.name, s.name.Text, s.banner.label.Text)
		}
		got := tg.text()
		if strings.Contains(got, "|") {
			t.Errorf("%s: the payload stayed in the field: %q", tg.name, got)
		}
		if !tg.fill && got != was {
			t.Errorf("%s: scan changed the field: %q → %q", tg.name, was, got)
		}
	}
	// Every kind of payload in one field of each kind: the ID, a name, a date, a select.
	for _, tg := range []target{targets[1], targets[2], {"child_birth", assistFieldOf(t, s, "child_birth").focus, assistFieldOf(t, s, "child_birth").text, false},
		{"relationship", assistFieldOf(t, s, "relationship").focus, assistFieldOf(t, s, "relationship").text, false}} {
		for _, bad := range bads {
			was := tg.text()
			scanInto(h, tg.focus, bad)
			if tg.text() != was || s.banner.label.Importance != widget.DangerImportance {
				t.Errorf("%s: malformed payload %.20q: field %q → %q, banner %q", tg.name, bad, was, tg.text(), s.banner.label.Text)
			}
		}
		for _, good := range goods {
			scanInto(h, tg.focus, good)
			if s.banner.label.Importance != widget.SuccessImportance || strings.Contains(tg.text(), "|") {
				t.Errorf("%s: payload %.20q: field %q, banner %q", tg.name, good, tg.text(), s.banner.label.Text)
			}
		}
	}
	// Answers typed by hand survived all that.
	if assistFieldOf(t, s, "child_name").text() != "Nguyễn Minh Khôi" || assistFieldOf(t, s, "mother_birth_year").text() != "1990" {
		t.Errorf("answers lost: %q %q", assistFieldOf(t, s, "child_name").text(), assistFieldOf(t, s, "mother_birth_year").text())
	}
	if s.proc == nil || s.proc.Code != "1.001193" || s.picker.listBox.Visible() {
		t.Error("a scan into the search lost the procedure")
	}
	// A scan typed into the middle of text already there (cursor at the start).
	f := assistFieldOf(t, s, "child_birthplace")
	f.entry.SetText("Bệnh viện")
	f.entry.CursorColumn = 0
	scanInto(h, f.entry, qrGarbage)
	scanInto(h, f.entry, qrReal)
	if f.text() != "Bệnh viện" {
		t.Errorf("scan into existing text left %q", f.text())
	}
}

func TestAssistValidation(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	s := assistOf(t, h)
	pickAssist(t, h, s, "khai sinh")
	if s.proc.Code != "1.001193" {
		t.Fatalf("picked %s", s.proc.Code)
	}
	birth := assistFieldOf(t, s, "child_birth")
	test.Type(birth.entry, "31/02/2026")
	birth.entry.TypedKey(&fyneKeyReturn)
	if birth.err.Hidden || !strings.Contains(birth.err.Text, "ngày/tháng/năm") {
		t.Errorf("bad date not marked: %q", birth.err.Text)
	}
	s.onPrint()
	h.settle()
	if len(h.openedPDFs()) != 0 || !strings.Contains(s.banner.label.Text, "Chưa in") {
		t.Fatalf("printed with a bad date; banner %q", s.banner.label.Text)
	}
	birth.entry.SetText("")
	test.Type(birth.entry, "15/3/2026")
	if !strings.Contains(birth.words.Text, "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu") {
		t.Errorf("date in words %q", birth.words.Text)
	}
	// Missing required answers block the hand-over to the intake, not the print.
	s.onTransfer()
	h.settle()
	if it := intakeOf(t, h); it.proc != nil {
		t.Fatal("an incomplete declaration reached the intake")
	}
	if assistFieldOf(t, s, "child_name").err.Hidden {
		t.Error("missing child's name not marked")
	}
	s.onPrint()
	h.settle()
	if len(h.openedPDFs()) != 1 || !strings.Contains(s.banner.label.Text, "chỗ chấm") {
		t.Fatalf("print of a partly filled declaration: %v, %q", h.openedPDFs(), s.banner.label.Text)
	}
}

// TestAssistBirthIntoIntake: a helper's whole errand at the counter — scan, fill, print,
// carry into the intake, save — with nothing typed twice; the dossier records that it was
// assisted, with the declaration's values.
func TestAssistBirthIntoIntake(t *testing.T) {
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
		"copies": "2",
	} {
		assistAnswer(t, s, key, v)
	}
	if !strings.Contains(s.progress.Text, "Đã đủ") {
		t.Errorf("progress %q", s.progress.Text)
	}
	test.Tap(s.print)
	h.settle()
	pdfs := h.openedPDFs()
	if len(pdfs) != 1 {
		t.Fatalf("declaration not opened: %v; banner %q", pdfs, s.banner.label.Text)
	}
	text := pdfText(t, pdfs[0])
	for _, want := range []string{"TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân xã An Hưng", "Nguyễn Văn An",
		"Căn cước công dân số 001099012345, cấp ngày 20/04/2021", "Nguyễn Minh Khôi", "10/03/2026",
		"Ngày mười tháng ba năm hai nghìn không trăm hai mươi sáu", "Bệnh viện Phụ sản Hải Phòng", "Trần Thị Hoa", "1995",
		"Số lượng: 02 bản", "An Hưng, ngày 16 tháng 3 năm 2026", "Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)",
		"Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed declaration lacks %q:\n%s", want, text)
		}
	}

	test.Tap(s.transfer)
	h.settle()
	it := intakeOf(t, h)
	if h.ui.tabs.Selected().Text != it.title() {
		t.Fatalf("the intake is not shown: %q", h.ui.tabs.Selected().Text)
	}
	if it.proc == nil || it.proc.Code != "1.001193" || it.name.Text != "Nguyễn Văn An" || it.idNumber.Text != "001099012345" ||
		it.birth.Text != "15/03/1999" || it.sex.Selected != "Nam" || it.phone.Text != "0912 345 678" || !it.assisted.Checked {
		t.Fatalf("intake not prefilled: %+v %q %q %q %q %q %v", it.proc, it.name.Text, it.idNumber.Text, it.birth.Text,
			it.sex.Selected, it.phone.Text, it.assisted.Checked)
	}
	if it.summary.Text != "Đăng ký khai sinh cho Nguyễn Minh Khôi" || it.formTemplate != "to-khai-khai-sinh" {
		t.Errorf("summary %q, template %q", it.summary.Text, it.formTemplate)
	}
	if s.proc != nil || s.name.Text != "" {
		t.Error("the assist screen is not ready for the next citizen")
	}
	for i, d := range it.proc.Documents {
		if !d.Optional {
			test.Tap(it.docChecks[i])
		}
	}
	test.Tap(it.save)
	h.settle()
	ctx := context.Background()
	rows, err := h.store.Search(ctx, "nguyen van an", 5)
	if err != nil || len(rows) != 1 {
		t.Fatalf("dossier not saved: %v %v; banner %q", rows, err, it.banner.label.Text)
	}
	d, err := h.store.Get(ctx, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Assisted || len(d.Forms) != 1 || d.Forms[0].Template != "to-khai-khai-sinh" || d.Forms[0].By != testClerk.Username {
		t.Fatalf("dossier not recorded as assisted: assisted %v forms %+v", d.Assisted, d.Forms)
	}
	tl, err := h.store.Timeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var prepared *domain.FormPreparedPayload
	for _, e := range tl {
		if e.Event.Type == domain.EvFormPrepared {
			p, err := domain.DecodePayload(e.Event)
			if err != nil {
				t.Fatal(err)
			}
			prepared = p.(*domain.FormPreparedPayload)
		}
	}
	if prepared == nil {
		t.Fatal("no form_prepared event")
	}
	for k, v := range map[string]string{"child_name": "Nguyễn Minh Khôi", "child_birth": "10/03/2026", "requester_name": "Nguyễn Văn An",
		"mother_birth_year": "1995", "copies": "2", "to": "Ủy ban nhân dân xã An Hưng"} {
		if prepared.Values[k] != v {
			t.Errorf("form_prepared %s = %q, want %q", k, prepared.Values[k], v)
		}
	}
}

// TestAssistCopiesCarryIntoIntake: a certified copy request carries its number of copies
// and pages into the intake's fee fields.
func TestAssistCopiesCarryIntoIntake(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	s := assistOf(t, h)
	pickAssist(t, h, s, "2.000815")
	scanInto(h, s.name, qrReal)
	assistAnswer(t, s, "document", "Bằng tốt nghiệp đại học")
	assistAnswer(t, s, "copies", "3")
	assistAnswer(t, s, "pages", "5")
	test.Tap(s.transfer)
	h.settle()
	it := intakeOf(t, h)
	if it.copies.Text != "3" || it.pages.Text != "5" || !strings.Contains(it.summary.Text, "Bằng tốt nghiệp đại học") {
		t.Fatalf("copies %q pages %q summary %q; banner %q", it.copies.Text, it.pages.Text, it.summary.Text, s.banner.label.Text)
	}
	if it.fee.Text == "—" || it.fee.Text == "" {
		t.Errorf("no fee computed: %q", it.fee.Text)
	}
}

// TestAssistHelperHandsPaperOver: a helper has no intake; the declaration is printed and
// handed to a clerk.
func TestAssistHelperHandsPaperOver(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	h.signIn(testHelper)
	if _, ok := screenOf[*intakeScreen](h.ui); ok {
		t.Fatal("a helper has the intake screen")
	}
	s := assistOf(t, h)
	if s.transfer.Visible() || !s.handNote.Visible() {
		t.Error("a helper is offered the intake")
	}
	pickAssist(t, h, s, "xac nhan tinh trang hon nhan")
	scanInto(h, s.idNumber, qrReal)
	if got := assistFieldOf(t, s, "subject_birth").text(); got != "15/03/1999" {
		t.Errorf("subject prefilled %q", got)
	}
	assistAnswer(t, s, "relationship", "Bản thân")
	assistAnswer(t, s, "marital_status", "Chưa đăng ký kết hôn với ai")
	test.Tap(s.print)
	h.settle()
	if len(h.openedPDFs()) != 1 || !strings.Contains(s.banner.label.Text, "Đưa tờ khai cho cán bộ tiếp nhận") {
		t.Fatalf("helper print: %v, banner %q", h.openedPDFs(), s.banner.label.Text)
	}
	text := pdfText(t, h.openedPDFs()[0])
	for _, want := range []string{"TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "Nguyễn Văn An", "15/03/1999",
		"Chưa đăng ký kết hôn với ai", "Bản thân"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed declaration lacks %q", want)
		}
	}
	s.onTransfer() // not offered; if called anyway it only says so
	h.settle()
	if !strings.Contains(s.banner.label.Text, "không tiếp nhận") {
		t.Errorf("banner %q", s.banner.label.Text)
	}
}

func TestScanStart(t *testing.T) {
	t0 := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	// typed builds the history of typing add one character at a time into initial at pos,
	// starting at 'from', one millisecond apart.
	typed := func(initial string, pos int, add string, from time.Time) ([]keyState, time.Time) {
		hist := []keyState{{initial, t0}}
		text := initial
		at := from
		for i := range add {
			text = text[:pos+i] + add[i:i+1] + text[pos+i:]
			hist = append(hist, keyState{text, at})
			at = at.Add(time.Millisecond)
		}
		return hist, at
	}
	for _, c := range []struct {
		name     string
		initial  string
		pos      int
		digits   string
		from     time.Time
		before   string
		start    int
		tailWant int
	}{
		{"empty field", "", 0, "001099012345", t0.Add(time.Second), "", 0, 0},
		{"after text", "abc", 3, "001099012345", t0.Add(time.Second), "abc", 3, 0},
		{"before text", "abc", 0, "001099012345", t0.Add(time.Second), "abc", 0, 3},
		{"after digits typed long ago", "1990", 4, "001099012345", t0.Add(time.Second), "1990", 4, 0},
		{"garbage after digits", "1990", 4, "", t0.Add(time.Second), "1990", 4, 0},
	} {
		hist, at := typed(c.initial, c.pos, c.digits, c.from)
		last := hist[len(hist)-1].text
		p := c.pos + len(c.digits)
		text := last[:p] + "|" + last[p:]
		before, start, tail := scanStart(hist, text, at.Add(time.Millisecond))
		if before != c.before || start != c.start || tail != c.tailWant {
			t.Errorf("%s: scanStart = %q, %d, %d; want %q, %d, %d", c.name, before, start, tail, c.before, c.start, c.tailWant)
		}
	}
	// Pasted at once: what was there stays, the payload is the inserted part.
	before, start, tail := scanStart([]keyState{{"abc", t0}}, "abc"+qrReal, t0)
	if before != "abc" || start != 3 || tail != 0 {
		t.Errorf("paste: %q %d %d", before, start, tail)
	}
	// Digits a person typed just before a garbage scan are the person's when the pause was long.
	hist, _ := typed("", 0, "1990", t0)
	if before, _, _ := scanStart(hist, "1990|", t0.Add(2*time.Second)); before != "1990" {
		t.Errorf("typed year lost: %q", before)
	}
}
