package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golang.org/x/text/unicode/norm"

	"motcua/domain"
	"motcua/localdb"
)

func intakeOf(t *testing.T, h *harness) *intakeScreen {
	t.Helper()
	s, ok := screenOf[*intakeScreen](h.ui)
	if !ok {
		t.Fatal("no intake screen")
	}
	return s
}

// pick types into the procedure search and presses Enter.
func pick(t *testing.T, h *harness, s *intakeScreen, query string) {
	t.Helper()
	s.picker.entry.SetText("")
	test.Type(s.picker.entry, query)
	s.picker.entry.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.proc == nil {
		t.Fatalf("typing %q picked nothing", query)
	}
}

func TestFullIntakePrintsReceipt(t *testing.T) {
	h := newHarness(t, vnTime(2026, 2, 13, 16, 0))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	pick(t, h, s, "khai sinh")
	if s.proc.Code != "1.001193" {
		t.Fatalf("picked %s %s", s.proc.Code, s.proc.Name)
	}
	if !strings.Contains(s.due.Text, "23/02/2026") || !strings.Contains(s.due.Text, "17:00") {
		t.Errorf("live due date %q", s.due.Text)
	}
	// A USB scanner types the ID card's QR payload and Enter into the ID field.
	test.Type(s.idNumber, "001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội|20042021")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.idNumber.Text != "001099012345" || s.name.Text != "Nguyễn Văn An" || s.birth.Text != "15/03/1999" || s.sex.Selected != "Nam" {
		t.Fatalf("scan did not fill the applicant: %q %q %q %q", s.idNumber.Text, s.name.Text, s.birth.Text, s.sex.Selected)
	}
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 0 {
		t.Fatal("the scan's Enter saved the dossier")
	}
	test.Type(s.phone, "0912 345 678")
	for i, d := range s.proc.Documents {
		if !d.Optional {
			test.Tap(s.docChecks[i])
		}
	}
	s.phone.TypedKey(&fyneKeyReturn) // Enter saves
	h.settle()
	st, _ := h.store.Stats(context.Background())
	if st.Dossiers != 1 {
		t.Fatalf("dossiers %d; banner %q", st.Dossiers, s.banner.label.Text)
	}
	rows, _ := h.store.Search(context.Background(), "nguyen van an", 5)
	if len(rows) != 1 {
		t.Fatalf("search %v", rows)
	}
	d, _ := h.store.Get(context.Background(), rows[0].ID)
	if d.Applicant.Phone != "0912345678" || d.ReceivedBy != "lan" || !strings.Contains(s.banner.label.Text, d.Code) {
		t.Fatalf("dossier %+v banner %q", d.Applicant, s.banner.label.Text)
	}
	pdfs := h.openedPDFs()
	if len(pdfs) != 1 {
		t.Fatalf("receipt not opened: %v", pdfs)
	}
	text := pdfText(t, pdfs[0])
	for _, want := range []string{d.Code, "Nguyễn Văn An", "001099012345", "13/02/2026", "16 giờ 00 phút", "17 giờ 00 phút", "23/02/2026", "Nguyễn Thị Lan"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	// The form is ready for the next citizen.
	if s.proc != nil || s.name.Text != "" || s.idNumber.Text != "" {
		t.Error("form not reset after saving")
	}
}

func TestBadIntakeShowsMessagesAndSavesNothing(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	test.Tap(s.save)
	h.settle()
	if s.errs[domain.FieldProcedure].Hidden {
		t.Error("no message for the missing procedure")
	}
	pick(t, h, s, "ket hon")
	test.Type(s.idNumber, "12345")
	test.Type(s.name, norm.NFD.String("Trần Thị 3"))
	test.Type(s.phone, "0123")
	test.Type(s.birth, "01/01/2090")
	test.Tap(s.save)
	h.settle()
	for _, f := range []string{domain.FieldApplicantID, domain.FieldApplicantName, domain.FieldApplicantPhone, domain.FieldApplicantBirth,
		domain.FieldApplicantAddress, domain.FieldDocuments} {
		if s.errs[f].Hidden || s.errs[f].Text == "" {
			t.Errorf("field %s not marked", f)
		}
	}
	if !strings.Contains(s.banner.label.Text, "Chưa lưu") {
		t.Errorf("banner %q", s.banner.label.Text)
	}
	// A malformed QR payload changes nothing.
	s.name.SetText("Trần Thị Bích")
	test.Type(s.idNumber, "|||garbage|x")
	s.idNumber.TypedKey(&fyneKeyReturn)
	h.settle()
	if s.name.Text != "Trần Thị Bích" || !strings.Contains(s.banner.label.Text, "QR") {
		t.Errorf("bad scan: name %q banner %q", s.name.Text, s.banner.label.Text)
	}
	if st, _ := h.store.Stats(context.Background()); st.Dossiers != 0 || st.Events != 0 {
		t.Fatalf("a bad intake wrote %+v", st)
	}
	if len(h.openedPDFs()) != 0 {
		t.Fatal("a receipt was printed for a bad intake")
	}
	_ = localdb.QueueFilter{}
}
