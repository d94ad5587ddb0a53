package forms

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/unicode/norm"

	"motcua/domain"
)

// --- fixtures: dossiers folded from events, as the app makes them ---

const (
	unitCode = "000.00.06.H56"
	code     = "000.00.06.H56-260213-1001"
)

var testUnit = Unit{
	Parent:      "UBND xã An Hưng",
	Name:        "Trung tâm Phục vụ hành chính công xã An Hưng",
	Code:        unitCode,
	Place:       "An Hưng",
	Address:     "Số 1 đường Trần Phú, xã An Hưng, thành phố Hải Phòng",
	Phone:       "0225 3822 123",
	ReturnPlace: "Bộ phận tiếp nhận và trả kết quả, Trung tâm Phục vụ hành chính công xã An Hưng",
}

var staff = map[string]string{"canbo1": "Trần Thị Mai", "canbo2": "Lê Văn Hùng"}

var clerk = domain.Staff{Username: "canbo1", FullName: "Trần Thị Mai", Role: domain.RoleCounter, Phone: "0225 3822 123", Active: true}

func renderer() Renderer {
	return Renderer{
		T:         DefaultTemplates(),
		Unit:      testUnit,
		Now:       func() time.Time { return time.Date(2026, 2, 26, 3, 0, 0, 0, time.UTC) },
		StaffName: func(u string) string { return staff[u] },
	}
}

// vnTime is a wall-clock time in Vietnam.
func vnTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, domain.VN())
}

type events struct {
	t   testing.TB
	n   int
	evs []domain.Event
}

func (e *events) add(typ domain.EventType, at time.Time, actor string, payload any) *events {
	e.t.Helper()
	e.n++
	ev, err := domain.NewEvent(fmt.Sprintf("0190a1b2-0000-7000-8000-%012d", e.n), domain.StreamDossier,
		"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", typ, payload, actor, "may-1", unitCode, at, domain.MakeHLC(at.UnixMilli(), 0))
	if err != nil {
		e.t.Fatal(err)
	}
	e.evs = append(e.evs, ev)
	return e
}

func (e *events) fold() domain.Dossier {
	e.t.Helper()
	d := domain.Fold(e.evs)
	if len(d.Conflicts) > 0 {
		e.t.Fatalf("fixture has conflicts: %+v", d.Conflicts)
	}
	return d
}

var applicant = domain.Person{Name: "Nguyễn Thị Hương", IDNumber: "031185004567", Birth: "1985-06-12", Sex: "Nữ",
	Phone: "0912345678", Email: "huong.nt@example.com", Address: "Số 12 ngõ 34 phố Lạch Tray, phường Lê Chân, thành phố Hải Phòng"}

// certification: copies certified from originals, same-day, received at 16:00 on Friday
// 13/02/2026 so due on the next working day after Tết, Monday 23/02/2026.
func certification() domain.ReceivedPayload {
	return domain.ReceivedPayload{
		Code: code,
		Procedure: domain.ProcedureRef{Code: "2.000815", Name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
			FieldCode: "CT", Field: "Chứng thực", CatalogueVersion: "2026.1", Time: domain.ProcessingTime{Unit: domain.TimeSameDay}},
		Applicant: applicant,
		Subject:   domain.SubjectCitizen,
		Channel:   domain.ChannelDirect,
		Summary:   "Chứng thực bản sao Bằng tốt nghiệp đại học (03 bản, mỗi bản 05 trang)",
		Documents: []domain.DocumentItem{
			{Code: "BC", Name: "Bản chính Bằng tốt nghiệp đại học", Form: domain.FormOriginal, Count: 1},
			{Code: "BS", Name: "Bản chụp cần chứng thực", Form: domain.FormPhoto, Count: 3},
			{Code: "KS", Name: "Giấy khai sinh", Form: domain.FormCertified, Count: 2},
		},
		Sets: 1, Copies: 3, Pages: 5, Fee: 21000,
		DueAt:    vnTime(2026, 2, 23, 17, 0), // same day, received after 15:00 before Tết: closing of the first day after it
		Assisted: true,
	}
}

func receivedDossier(t *testing.T) domain.Dossier {
	e := &events{t: t}
	return e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", certification()).fold()
}

// marital: a marital-status certificate that went through the commune's officials.
func maritalPayload() domain.ReceivedPayload {
	p := certification()
	p.Procedure = domain.ProcedureRef{Code: "1.004873", Name: "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", FieldCode: "HT",
		Field: "Hộ tịch", CatalogueVersion: "2026.1", Time: domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 3}}
	p.Summary = "Cấp Giấy xác nhận tình trạng hôn nhân để làm thủ tục đăng ký kết hôn"
	p.Documents = []domain.DocumentItem{{Code: "TK", Name: "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", Form: domain.FormOriginal, Count: 1}}
	p.Fee, p.Copies, p.Pages, p.Assisted = 5000, 0, 0, false
	p.DueAt = vnTime(2026, 2, 25, 16, 0)
	return p
}

func maritalEvents(t *testing.T) *events {
	e := &events{t: t}
	e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", maritalPayload())
	e.add(domain.EvForwarded, vnTime(2026, 2, 13, 16, 30), "canbo1", domain.StepPayload{Agency: "Công chức Tư pháp - Hộ tịch", Handler: "Phạm Văn Đức"})
	e.add(domain.EvProgress, vnTime(2026, 2, 23, 9, 0), "canbo1", domain.StepPayload{Agency: "Công chức Tư pháp - Hộ tịch", Content: "Đã xác minh nơi cư trú"})
	e.add(domain.EvForwarded, vnTime(2026, 2, 24, 8, 15), "canbo1", domain.StepPayload{Agency: "Lãnh đạo UBND xã An Hưng", Handler: "Vũ Minh Tuấn", Content: "Trình ký"})
	return e
}

func returnedDossier(t *testing.T) domain.Dossier {
	e := maritalEvents(t)
	e.add(domain.EvResultReady, vnTime(2026, 2, 24, 14, 0), "canbo2", domain.ResultReadyPayload{Agency: "Lãnh đạo UBND xã An Hưng", Result: "Giấy xác nhận tình trạng hôn nhân"})
	e.add(domain.EvHandedOver, vnTime(2026, 2, 25, 9, 5), "canbo2", domain.HandedOverPayload{
		Recipient:  domain.Person{Name: "Đỗ Quang Vinh", IDNumber: "031090001234", Sex: "Nam"},
		Authorized: true, Authority: "Giấy ủy quyền ngày 20/02/2026, chứng thực tại UBND xã An Hưng",
		Method: domain.HandOverCounter, Documents: "01 Giấy xác nhận tình trạng hôn nhân"})
	return e.fold()
}

// --- reading PDFs back with poppler ---

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is required to read the PDFs back (install poppler-utils: apt-get install poppler-utils): %v", tool, err)
	}
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	need(t, name)
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// render writes a form to a temporary PDF file and returns its path.
func render(t *testing.T, name string, f func(w *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("%s: not a PDF", name)
	}
	path := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// layoutText is `pdftotext -layout`, in NFC.
func layoutText(t *testing.T, pdf string, pages ...int) string {
	args := []string{"-layout", "-enc", "UTF-8"}
	if len(pages) == 2 {
		args = append(args, "-f", strconv.Itoa(pages[0]), "-l", strconv.Itoa(pages[1]))
	}
	return strings.ReplaceAll(tool(t, "pdftotext", append(args, pdf, "-")...), "\u00a0", " ")
}

// flatText is the text in reading order with white space collapsed, for sentences that wrap.
func flatText(t *testing.T, pdf string) string {
	return strings.Join(strings.Fields(tool(t, "pdftotext", "-enc", "UTF-8", pdf, "-")), " ") // Fields also splits at U+00A0
}

func pageCount(t *testing.T, pdf string) int {
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(tool(t, "pdfinfo", pdf))
	if m == nil {
		t.Fatal("pdfinfo: no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func wantAll(t *testing.T, form, text string, wants ...string) {
	t.Helper()
	if !norm.NFC.IsNormalString(text) {
		t.Errorf("%s: extracted text is not NFC", form)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: missing %q", form, w)
		}
	}
	if t.Failed() {
		t.Logf("%s text:\n%s", form, text)
	}
}

// word is a word of `pdftotext -bbox` with its box in points.
type bboxWord struct {
	text       string
	xMin, yMin float64
}

func words(t *testing.T, pdf string) []bboxWord {
	out := tool(t, "pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-")
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>`)
	var ws []bboxWord
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		ws = append(ws, bboxWord{text: html.UnescapeString(m[3]), xMin: x, yMin: y})
	}
	return ws
}

const mmPt = 72 / 25.4

// --- tests ---

func TestTemplateFilesIdentical(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("..", "assets", "forms", "forms.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ref, defaultJSON) {
		t.Fatal("assets/forms/forms.json and forms/forms.json differ: edit both")
	}
	tpl := DefaultTemplates()
	for _, id := range FormIDs() {
		if tpl.Get(id).Title == "" {
			t.Errorf("%s: no title", id)
		}
	}
	if got := tpl.Get(FormReceipt); got.Number != "Mẫu số 01" || got.Title != "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" {
		t.Errorf("receipt template = %+v", got)
	}
}

func TestParseTemplatesErrors(t *testing.T) {
	for name, data := range map[string]string{
		"not json":                         `{`,
		"no version":                       `{"forms":{}}`,
		"missing form":                     `{"version":"x","forms":{"receipt":{"title":"A"}}}`,
		"missing title":                    strings.Replace(string(defaultJSON), `"title": "PHIẾU TRẢ KẾT QUẢ"`, `"title": " "`, 1),
		"no stop notice in the newest set": strings.Replace(string(defaultJSON), `"stop": {`, `"stop_old": {`, 1),
		"bad date":                         strings.Replace(string(defaultJSON), `"2025-09-15"`, `"15/9/2025"`, 1),
		"unknown edition":                  strings.Replace(string(defaultJSON), `"edition": "2025"`, `"edition": "2030"`, 1),
		"no sets":                          `{"version":"x","sets":[]}`,
	} {
		_, err := ParseTemplates([]byte(data))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "mẫu biểu") {
			t.Errorf("%s: error %q is not the Vietnamese message", name, err)
		}
	}
	var zero Templates
	if zero.Get(FormApology).Title != "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" {
		t.Error("a zero Templates does not fall back to the seed set")
	}
}

func TestReceipt(t *testing.T) {
	rd := renderer()
	d := receivedDossier(t)
	pdf := render(t, "receipt", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("receipt has %d pages, want 1", n)
	}
	text := layoutText(t, pdf)
	wantAll(t, "receipt", text,
		"Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "UBND XÃ AN HƯNG",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"An Hưng, ngày 13 tháng 02 năm 2026",
		"Mã hồ sơ: "+code,
		"tiếp nhận hồ sơ của: Bà Nguyễn Thị Hương",
		"Số định danh cá nhân: 031185004567", "Số điện thoại: 0912345678", "Email: huong.nt@example.com",
		"Hình thức nộp hồ sơ: Trực tiếp",
		"2. Số lượng hồ sơ: 01 bộ.",
		"4. Thời gian nhận hồ sơ: 16 giờ 00 phút, ngày 13/02/2026.",
		"5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 23/02/2026.",
		"6. Đăng ký nhận kết quả tại: Bộ phận tiếp nhận và trả kết quả",
		"Phí, lệ phí: 21.000 đồng.",
		"Hồ sơ được cán bộ hỗ trợ điền thông tin (Ngày không viết).",
		"Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1001.",
		"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN", "(Ký và ghi rõ họ tên)", "Trần Thị Mai",
		"Bản chính Bằng tốt nghiệp đại học", "Bản chụp cần chứng thực", "Giấy khai sinh",
	)
	flat := flatText(t, pdf)
	wantAll(t, "receipt (reading order)", flat,
		"TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ AN HƯNG",
		"Trung tâm Phục vụ hành chính công xã An Hưng tiếp nhận hồ sơ của: Bà Nguyễn Thị Hương",
		"Địa chỉ: Số 12 ngõ 34 phố Lạch Tray, phường Lê Chân, thành phố Hải Phòng",
		"Nội dung yêu cầu giải quyết: Chứng thực bản sao Bằng tốt nghiệp đại học (03 bản, mỗi bản 05 trang)",
		"(Ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ)",
		"3. Thời gian giải quyết hồ sơ theo quy định: Trong ngày (tiếp nhận sau 15 giờ trả ngày làm việc tiếp theo).",
	)
	// The applicant's name is printed under the space for her signature.
	if strings.Count(text, "Nguyễn Thị Hương") < 2 {
		t.Error("the applicant's name is not printed under the signature space")
	}

	// Each count sits in the column of the form the paper was handed in.
	columns := map[string][2]float64{ // x range in mm, from the table's column widths
		"original":  {marginL + 11 + 101, marginL + 11 + 101 + 21},
		"certified": {marginL + 11 + 101 + 21, marginL + 11 + 101 + 42},
		"photo":     {marginL + 11 + 101 + 42, marginL + contentW},
	}
	ws := words(t, pdf)
	nameCol := [2]float64{(marginL + 11) * mmPt, (marginL + 112) * mmPt}
	headerY := -1.0
	for _, w := range ws {
		if w.text == "Tên" && w.xMin > nameCol[0] && w.xMin < nameCol[1] {
			headerY = w.yMin
		}
	}
	if headerY < 0 {
		t.Fatal("table header not found")
	}
	for _, c := range []struct{ key, count, col string }{
		{"Bằng", "1", "original"}, {"chụp", "3", "photo"}, {"khai", "2", "certified"},
	} {
		y := -1.0
		for _, w := range ws {
			if w.text == c.key && w.yMin > headerY && w.xMin > nameCol[0] && w.xMin < nameCol[1] {
				y = w.yMin
				break
			}
		}
		if y < 0 {
			t.Errorf("row with %q not found", c.key)
			continue
		}
		found := 0
		for _, w := range ws {
			if abs(w.yMin-y) < 3 && w.xMin > nameCol[1] && w.text != "" {
				col := columns[c.col]
				if w.text != c.count || w.xMin < col[0]*mmPt || w.xMin > col[1]*mmPt {
					t.Errorf("row %q: %q at x=%.0fpt, want %s in the %s column [%.0f, %.0f]",
						c.key, w.text, w.xMin, c.count, c.col, col[0]*mmPt, col[1]*mmPt)
				}
				found++
			}
		}
		if found != 1 {
			t.Errorf("row %q: %d counts found, want 1", c.key, found)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// The QR code embedded in Mẫu 01 is the one go-qrcode makes for exactly the dossier code:
// the only image of the page, module for module.
func TestReceiptQRCode(t *testing.T) {
	rd := renderer()
	d := receivedDossier(t)
	pdf := render(t, "receipt", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	list := tool(t, "pdfimages", "-list", pdf)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 { // two header lines, then one per image
		t.Fatalf("pdfimages -list reports %d images, want 1:\n%s", len(lines)-2, list)
	}

	dir := t.TempDir()
	tool(t, "pdfimages", "-png", pdf, filepath.Join(dir, "img"))
	f, err := os.Open(filepath.Join(dir, "img-000.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := q.Bitmap() // with the quiet zone, as printed
	n := len(bits)
	if img.Bounds().Dx() != n*qrModule || img.Bounds().Dy() != n*qrModule {
		t.Fatalf("QR image is %v, want %d×%d modules of %d px", img.Bounds(), n, n, qrModule)
	}
	for y := range n {
		for x := range n {
			dark := isDark(img, x*qrModule+qrModule/2, y*qrModule+qrModule/2)
			if dark != bits[y][x] {
				t.Fatalf("QR module (%d,%d) differs from the code's QR", x, y)
			}
		}
	}
}

func isDark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return (r+g+b)/3 < 0x8000
}

func TestReceiptTemplateIsData(t *testing.T) {
	rd := renderer()
	newest := rd.T.Sets[len(rd.T.Sets)-1]
	tpl := newest.Forms[FormReceipt]
	tpl.Number = "Mẫu số 01a"
	tpl.Title = "GIẤY BIÊN NHẬN HỒ SƠ THEO MẪU MỚI"
	tpl.Basis = "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP"
	newest.Forms[FormReceipt] = tpl
	pdf := render(t, "receipt", func(w *bytes.Buffer) error { return rd.Receipt(w, receivedDossier(t), clerk) })
	text := flatText(t, pdf)
	wantAll(t, "receipt", text, "Mẫu số 01a", "GIẤY BIÊN NHẬN HỒ SƠ THEO MẪU MỚI", "(Ban hành kèm theo Thông tư số 03/2025/TT-VPCP)")
	if strings.Contains(text, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") {
		t.Error("the old title is still printed")
	}
}

// A dossier with 40 papers and a 300-character address flows onto a second page, whose
// table starts with the header row again; nothing is lost.
func TestReceiptLong(t *testing.T) {
	p := certification()
	p.Applicant.Address = strings.Repeat("Thôn Đông Xá, ", 21) + "xã An Hưng" // 304 characters
	if n := len([]rune(p.Applicant.Address)); n < 300 {
		t.Fatalf("address has %d characters", n)
	}
	p.Documents = nil
	var names []string
	for i := 1; i <= 40; i++ {
		name := fmt.Sprintf("Giấy tờ số %02d kèm theo hồ sơ đề nghị", i)
		if i == 20 { // a long name wraps inside its cell
			name += " chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của nước ngoài cấp, đã được hợp pháp hóa lãnh sự"
		}
		names = append(names, fmt.Sprintf("Giấy tờ số %02d", i))
		p.Documents = append(p.Documents, domain.DocumentItem{Name: name, Form: domain.DocumentForm([]string{"original", "certified", "photo"}[i%3]), Count: 1})
	}
	e := &events{t: t}
	d := e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", p).fold()
	rd := renderer()
	pdf := render(t, "receipt-long", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	if dir := os.Getenv("MOTCUA_FORMS_PNG"); dir != "" {
		tool(t, "pdftoppm", "-r", "80", "-png", pdf, filepath.Join(dir, "receipt-long"))
	}
	if n := pageCount(t, pdf); n != 2 {
		t.Fatalf("receipt with 40 papers has %d pages, want 2", n)
	}
	all := layoutText(t, pdf)
	wantAll(t, "long receipt", all, names...)
	wantAll(t, "long receipt", all, "Trang 1/2", "Trang 2/2", "Vào Sổ theo dõi hồ sơ")
	page2 := layoutText(t, pdf, 2, 2)
	if !strings.Contains(page2, "Tên giấy tờ") {
		t.Errorf("the table header is not repeated on page 2:\n%s", page2)
	}
	flat := flatText(t, pdf)
	if !strings.Contains(flat, "Thôn Đông Xá, Thôn Đông Xá, Thôn Đông Xá") || !strings.Contains(flat, "Đông Xá, xã An Hưng") {
		t.Error("the long address is not printed in full")
	}
}

func TestSupplement(t *testing.T) {
	e := &events{t: t}
	e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", certification())
	e.add(domain.EvSupplementRequested, vnTime(2026, 2, 23, 9, 30), "canbo1", domain.SupplementRequestedPayload{
		Items: []domain.SupplementItem{
			{Name: "Bản chính Bằng tốt nghiệp đại học (bản đã nộp bị rách, mờ số hiệu)", Form: domain.FormOriginal, Count: 1},
			{Name: "Giấy khai sinh", Form: domain.FormCertified, Count: 1},
		},
		Reason:    "Bản chính bị rách, không đọc được số hiệu văn bằng",
		GuideName: "Trần Thị Mai", GuidePhone: "0225 3822 123",
	})
	d := e.fold()
	rd := renderer()
	pdf := render(t, "supplement", func(w *bytes.Buffer) error { return rd.Supplement(w, d, clerk) })
	text := layoutText(t, pdf)
	wantAll(t, "supplement", text, "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
		"An Hưng, ngày 23 tháng 02 năm 2026", "Mã hồ sơ: "+code, "Hồ sơ của: Bà Nguyễn Thị Hương",
		"TT", "Tên giấy tờ", "Số lượng", "Hình thức", "Bản chính", "Bản sao chứng thực", "Giấy khai sinh",
		"NGƯỜI HƯỚNG DẪN", "Trần Thị Mai")
	wantAll(t, "supplement", flatText(t, pdf),
		"Hồ sơ của Bà cần được bổ sung, hoàn thiện các nội dung sau:",
		"Lý do: Bản chính bị rách, không đọc được số hiệu văn bằng.",
		"nếu có vướng mắc, Bà liên hệ với Trần Thị Mai, số điện thoại 0225 3822 123 để được hướng dẫn.")
}

func TestRefusal(t *testing.T) {
	p := certification()
	p.Procedure = domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch",
		Time: domain.ProcessingTime{Unit: domain.TimeSameDay}}
	p.Summary = "Đăng ký khai sinh cho con"
	p.Applicant = domain.Person{Name: "Phạm Văn Đông", Sex: "Nam", Phone: "0987654321", Address: "Thôn Hạ, xã An Hưng"}
	p.Code = ""
	e := &events{t: t}
	e.add(domain.EvRegisteredOnline, vnTime(2026, 3, 2, 8, 0), "portal", p)
	e.add(domain.EvRefused, vnTime(2026, 3, 2, 10, 20), "canbo1", domain.ReasonPayload{
		Reason: "Trẻ đã được đăng ký khai sinh tại UBND xã Tiên Lãng ngày 05/3/2020; đề nghị thực hiện thủ tục cấp bản sao trích lục khai sinh"})
	d := e.fold()
	rd := renderer()
	pdf := render(t, "refusal", func(w *bytes.Buffer) error { return rd.Refusal(w, d, clerk) })
	wantAll(t, "refusal", layoutText(t, pdf), "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
		"An Hưng, ngày 02 tháng 3 năm 2026", "Ông Phạm Văn Đông", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Trần Thị Mai")
	wantAll(t, "refusal", flatText(t, pdf),
		"không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
		"Trẻ đã được đăng ký khai sinh tại UBND xã Tiên Lãng ngày 05/3/2020; đề nghị thực hiện thủ tục cấp bản sao trích lục khai sinh.",
		"Xin thông báo để Ông được biết và thực hiện./.")
}

func TestApology(t *testing.T) {
	e := maritalEvents(t)
	e.add(domain.EvRescheduled, vnTime(2026, 2, 25, 14, 0), "canbo1", domain.RescheduledPayload{
		Number: "12/XL-TP", Agency: "Công chức Tư pháp - Hộ tịch",
		Reason: "Cần xác minh thêm nơi cư trú trước đây của người yêu cầu tại xã Vĩnh Bảo", NewDueAt: vnTime(2026, 3, 2, 16, 0)})
	d := e.fold()
	rd := renderer()
	pdf := render(t, "apology", func(w *bytes.Buffer) error { return rd.Apology(w, d, "Hoàng Thị Lan") })
	wantAll(t, "apology", layoutText(t, pdf), "Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
		"UBND XÃ AN HƯNG", "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH", "Số: 12/XL-TP",
		"Kính gửi: Bà Nguyễn Thị Hương.", "THỦ TRƯỞNG CƠ QUAN", "Hoàng Thị Lan", "An Hưng, ngày 25 tháng 02 năm 2026")
	wantAll(t, "apology", flatText(t, pdf),
		"(Ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ)",
		"V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
		"Ngày 13/02/2026, Trung tâm Phục vụ hành chính công xã An Hưng tiếp nhận hồ sơ của Bà, mã hồ sơ: "+code,
		"Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 25/02/2026.",
		"Tuy nhiên đến nay, Công chức Tư pháp - Hộ tịch chưa giải quyết xong hồ sơ của Bà",
		"Lý do chậm trễ: Cần xác minh thêm nơi cư trú trước đây của người yêu cầu tại xã Vĩnh Bảo.",
		"Công chức Tư pháp - Hộ tịch xin lỗi Bà vì sự chậm trễ này và đề nghị gia hạn thời gian giải quyết hồ sơ đến 16 giờ 00 phút, ngày 02/03/2026.")
	if strings.Contains(flatText(t, pdf), "PHIẾU XIN LỖI") {
		t.Error("the 2018 apology is printed for a 2026 reschedule")
	}
}

func TestControlSlip(t *testing.T) {
	d := returnedDossier(t)
	rd := renderer()
	pdf := render(t, "control", func(w *bytes.Buffer) error { return rd.ControlSlip(w, d) })
	text := layoutText(t, pdf)
	wantAll(t, "control", text, "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mã hồ sơ: "+code,
		"Chủ hồ sơ: Bà Nguyễn Thị Hương", "Số điện thoại: 0912345678",
		"Thủ tục hành chính: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
		"Thời gian nhận hồ sơ: 16 giờ 00 phút, ngày 13/02/2026", "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 25/02/2026",
		"TÊN CƠ QUAN", "GHI CHÚ",
		"16 giờ 30 phút", "ngày 13/02/2026", "08 giờ 15 phút", "ngày 24/02/2026", "14 giờ 00 phút",
		"Trước hạn", "Người giao", "Người nhận", "Phạm Văn Đức", "Vũ Minh Tuấn", "Lê Văn Hùng")
	wantAll(t, "control (reading order)", flatText(t, pdf),
		"THỜI GIAN GIAO, NHẬN HỒ SƠ", "(Trước hạn/ Đúng hạn/ Quá hạn)",
		"1. Giao: Bộ phận TN&TKQ Nhận: Công chức Tư pháp - Hộ tịch",
		"2. Giao: Công chức Tư pháp", "Nhận: Lãnh đạo UBND xã An Hưng", // pdftotext drops a dash ending a line
		"3. Giao: Lãnh đạo UBND xã An Hưng Nhận: Bộ phận TN&TKQ",
		"Đã xác minh nơi cư trú", "Kết quả: Giấy xác nhận tình trạng hôn nhân")
	if strings.Count(text, "Nhận: Bộ phận TN&TKQ") != 1 {
		t.Error("the result is not handed back to the counter exactly once")
	}

	// A dossier just received gets blank rows to fill in by hand.
	pdf = render(t, "control-new", func(w *bytes.Buffer) error { return rd.ControlSlip(w, receivedDossier(t)) })
	wantAll(t, "new control slip", layoutText(t, pdf), "1. Giao: Bộ phận TN&TKQ", "3. Giao:", "Nhận: Bộ phận TN&TKQ")
}

func TestReturnSlip(t *testing.T) {
	d := returnedDossier(t)
	rd := renderer()
	pdf := render(t, "return", func(w *bytes.Buffer) error { return rd.ReturnSlip(w, d) })
	wantAll(t, "return slip", layoutText(t, pdf), "PHIẾU TRẢ KẾT QUẢ", "Mã hồ sơ: "+code,
		"Thủ tục hành chính: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "Người nộp hồ sơ: Bà Nguyễn Thị Hương",
		"Kết quả trả: 01 Giấy xác nhận tình trạng hôn nhân", "Người nhận kết quả: Ông Đỗ Quang Vinh",
		"Số định danh cá nhân: 031090001234", "Tư cách nhận: Người được ủy quyền",
		"Hình thức trả kết quả: Trực tiếp tại Bộ phận tiếp nhận và trả kết quả",
		"Thời gian trả kết quả: 09 giờ 05 phút, ngày 25/02/2026", "An Hưng, ngày 25 tháng 02 năm 2026",
		"NGƯỜI NHẬN KẾT QUẢ", "NGƯỜI TRẢ KẾT QUẢ", "Lê Văn Hùng", "Đỗ Quang Vinh")
	wantAll(t, "return slip", flatText(t, pdf), "Giấy tờ ủy quyền: Giấy ủy quyền ngày 20/02/2026, chứng thực tại UBND xã An Hưng")

	// Without a name lookup, the username is printed.
	rd.StaffName = nil
	pdf = render(t, "return-username", func(w *bytes.Buffer) error { return rd.ReturnSlip(w, d) })
	wantAll(t, "return slip", layoutText(t, pdf), "canbo2")

	// The hand-over form does not ask the recipient's sex: the slip says what the receipt
	// said for the applicant taking it back, and reads it from a 12-digit ID number
	// (issue 15, item 10: "Ông/Bà" on the slip for a man the receipt called "Ông").
	self := d
	h := *d.HandOver
	h.Authorized, h.Recipient = false, domain.Person{Name: strings.ToUpper(d.Applicant.Name)}
	self.HandOver = &h
	pdf = render(t, "return-self", func(w *bytes.Buffer) error { return rd.ReturnSlip(w, self) })
	wantAll(t, "return slip to the applicant", layoutText(t, pdf), "Người nhận kết quả: Bà NGUYỄN THỊ HƯƠNG")
	h.Recipient = domain.Person{Name: "Trần Văn Nam", IDNumber: "031090001234"} // the 4th digit: a man born 19xx
	pdf = render(t, "return-id", func(w *bytes.Buffer) error { return rd.ReturnSlip(w, self) })
	wantAll(t, "return slip by ID number", layoutText(t, pdf), "Người nhận kết quả: Ông Trần Văn Nam")
}

// Each form refuses, with a Vietnamese message, a dossier that lacks what it prints.
func TestMissingData(t *testing.T) {
	rd := renderer()
	received := receivedDossier(t)
	var none domain.Dossier
	for name, f := range map[string]func() error{
		"receipt without code":       func() error { return rd.Receipt(&bytes.Buffer{}, none, clerk) },
		"supplement without a round": func() error { return rd.Supplement(&bytes.Buffer{}, received, clerk) },
		"refusal of an open dossier": func() error { return rd.Refusal(&bytes.Buffer{}, received, clerk) },
		"apology without reschedule": func() error { return rd.Apology(&bytes.Buffer{}, received, "Hoàng Thị Lan") },
		"control slip, not received": func() error { return rd.ControlSlip(&bytes.Buffer{}, none) },
		"stop notice, not stopped":   func() error { return rd.StopNotice(&bytes.Buffer{}, received, "Hoàng Thị Lan") },
		"return slip, no hand-over":  func() error { return rd.ReturnSlip(&bytes.Buffer{}, received) },
	} {
		err := f()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v is not ErrInvalid", name, err)
		}
		if !strings.HasPrefix(err.Error(), "Hồ sơ") {
			t.Errorf("%s: message %q", name, err)
		}
	}
	if err := rd.ReturnSlip(&bytes.Buffer{}, received); !strings.Contains(err.Error(), "chưa được trả kết quả") {
		t.Errorf("return slip error = %v", err)
	}
	if err := rd.Supplement(&bytes.Buffer{}, received, clerk); !strings.Contains(err.Error(), "chưa có yêu cầu bổ sung") {
		t.Errorf("supplement error = %v", err)
	}
}

// Text typed with a decomposed (NFD) input method prints as NFC; an unknown sex gives "Ông/Bà".
func TestDecomposedInput(t *testing.T) {
	p := certification()
	p.Applicant.Name = norm.NFD.String("Lương Thị Ngọc Ánh")
	p.Applicant.Sex = ""
	if p.Applicant.Name == "Lương Thị Ngọc Ánh" {
		t.Fatal("fixture is not decomposed")
	}
	e := &events{t: t}
	d := e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", p).fold()
	rd := renderer()
	pdf := render(t, "receipt-nfd", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	wantAll(t, "receipt", flatText(t, pdf), "tiếp nhận hồ sơ của: Ông/Bà Lương Thị Ngọc Ánh")
}

// Characters the font or the PDF library cannot take (emoji, control characters, invalid
// UTF-8) neither crash nor stop the printing.
func TestUnusualText(t *testing.T) {
	p := certification()
	p.Applicant.Name = "Nguyễn 😀 Văn\u200b An\x01"
	p.Summary = "Dòng một\r\ndòng hai — “ngoặc kép” ≤5 ngày…" + string([]byte{0xff, 0xfe})
	e := &events{t: t}
	d := e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", p).fold()
	pdf := render(t, "odd", func(w *bytes.Buffer) error { return renderer().Receipt(w, d, clerk) })
	wantAll(t, "receipt", flatText(t, pdf), "Bà Nguyễn \uFFFD Văn An", "Dòng một dòng hai — “ngoặc kép” ≤5 ngày…")
}

func TestDeterministic(t *testing.T) {
	rd := renderer()
	d := returnedDossier(t)
	var a, b bytes.Buffer
	if err := rd.Receipt(&a, d, clerk); err != nil {
		t.Fatal(err)
	}
	if err := rd.Receipt(&b, d, clerk); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same dossier printed twice gives different bytes")
	}
}

func TestTextHelpers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{placeDate("An Hưng", vnTime(2026, 2, 13, 9, 0)), "An Hưng, ngày 13 tháng 02 năm 2026"},
		{placeDate("An Hưng", vnTime(2026, 3, 5, 9, 0)), "An Hưng, ngày 05 tháng 3 năm 2026"},
		{placeDate("An Hưng", vnTime(2026, 11, 30, 9, 0)), "An Hưng, ngày 30 tháng 11 năm 2026"},
		{placeDate("An Hưng", time.Date(2026, 2, 12, 17, 30, 0, 0, time.UTC)), "An Hưng, ngày 13 tháng 02 năm 2026"}, // 00:30 in Vietnam
		{clockDate(time.Date(2026, 2, 13, 9, 0, 0, 0, time.UTC)), "16 giờ 00 phút, ngày 13/02/2026"},
		{processingTime(domain.ProcessingTime{Unit: domain.TimeSameDay}), "Trong ngày (tiếp nhận sau 15 giờ trả ngày làm việc tiếp theo)"},
		{processingTime(domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 3}), "03 ngày làm việc"},
		{processingTime(domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 15}), "15 ngày làm việc"},
		{processingTime(domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 1.5}), "1,5 ngày làm việc"},
		{processingTime(domain.ProcessingTime{Unit: domain.TimeWorkingHours, Value: 8}), "8 giờ làm việc"},
		{strings.ReplaceAll(feeLine(21000), nbsp, " "), "Phí, lệ phí: 21.000 đồng."},
		{strings.ReplaceAll(feeLine(1000000), nbsp, " "), "Phí, lệ phí: 1.000.000 đồng."},
		{feeLine(0), "Không thu phí, lệ phí."},
		{honorific("Nam"), "Ông"},
		{honorific(norm.NFD.String("Nữ")), "Bà"},
		{honorific(""), "Ông/Bà"},
		{timeliness(vnTime(2026, 2, 24, 14, 0), vnTime(2026, 2, 25, 16, 0)), "Trước hạn"},
		{timeliness(vnTime(2026, 2, 25, 17, 0), vnTime(2026, 2, 25, 16, 0)), "Đúng hạn"},
		{timeliness(vnTime(2026, 2, 26, 8, 0), vnTime(2026, 2, 25, 16, 0)), "Quá hạn"},
		{clean(" a \u200b b\n\n c\t"), "a b\nc"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestScreenshots renders every form to PNG (pdftoppm) and checks each one rendered; with
// MOTCUA_FORMS_PNG=dir (make screenshots) the PNGs are kept there for people to look at.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("MOTCUA_FORMS_PNG")
	if dir == "" {
		dir = t.TempDir()
	}
	rd := renderer()
	returned := returnedDossier(t)
	e := &events{t: t}
	e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", maritalPayload())
	e.add(domain.EvSupplementRequested, vnTime(2026, 2, 23, 9, 30), "canbo1", domain.SupplementRequestedPayload{
		Items: []domain.SupplementItem{{Name: "Trích lục ghi chú ly hôn", Form: domain.FormCertified, Count: 1},
			{Name: "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (ghi đủ nơi cư trú trước đây)", Form: domain.FormOriginal, Count: 1}},
		Reason: "Tờ khai chưa ghi nơi cư trú trước đây; thiếu trích lục ghi chú ly hôn", GuideName: "Trần Thị Mai", GuidePhone: "0225 3822 123"})
	supplement := e.fold()
	e = maritalEvents(t)
	e.add(domain.EvRescheduled, vnTime(2026, 2, 25, 14, 0), "canbo1", domain.RescheduledPayload{Number: "12/XL-TP",
		Agency: "Công chức Tư pháp - Hộ tịch", Reason: "Cần xác minh thêm nơi cư trú trước đây của người yêu cầu tại xã Vĩnh Bảo", NewDueAt: vnTime(2026, 3, 2, 16, 0)})
	apology := e.fold()
	e = &events{t: t}
	p := certification()
	p.Code = ""
	e.add(domain.EvRegisteredOnline, vnTime(2026, 3, 2, 8, 0), "portal", p)
	e.add(domain.EvRefused, vnTime(2026, 3, 2, 10, 20), "canbo1", domain.ReasonPayload{Reason: "Bản chính văn bằng có dấu hiệu bị tẩy xóa, sửa chữa nội dung (khoản 1 Điều 22 Nghị định số 23/2015/NĐ-CP)"})
	refused := e.fold()

	forms := map[string]func(w *bytes.Buffer) error{
		"form-01-receipt":    func(w *bytes.Buffer) error { return rd.Receipt(w, receivedDossier(t), clerk) },
		"form-02-supplement": func(w *bytes.Buffer) error { return rd.Supplement(w, supplement, clerk) },
		"form-03-refusal":    func(w *bytes.Buffer) error { return rd.Refusal(w, refused, clerk) },
		"form-04-apology":    func(w *bytes.Buffer) error { return rd.Apology(w, apology, "Hoàng Thị Lan") },
		"form-05-stop":       func(w *bytes.Buffer) error { return rd.StopNotice(w, stoppedDossier(t), "Hoàng Thị Lan") },
		"form-06-control":    func(w *bytes.Buffer) error { return rd.ControlSlip(w, returned) },
		"form-return-slip":   func(w *bytes.Buffer) error { return rd.ReturnSlip(w, returned) },
	}
	// The reports print on A4 landscape: at 70 dpi they are as wide as the forms at 80.
	reports := map[string]func(w *bytes.Buffer) error{
		"report-ii06a":  func(w *bytes.Buffer) error { return rd.II06a(w, FormatPDF, testII06a(t)) },
		"book-tracking": func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatPDF, febPeriod(t), testTracking(45)) },
	}
	for name, f := range forms {
		reports[name] = f
	}
	for name, f := range reports {
		pdf := render(t, name, f)
		dpi := "80"
		if _, form := forms[name]; !form {
			dpi = "70"
		}
		tool(t, "pdftoppm", "-r", dpi, "-png", "-singlefile", pdf, filepath.Join(dir, name))
		if st, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || st.Size() < 10000 {
			t.Errorf("%s: no picture rendered (%v)", name, err)
		}
	}
}

func BenchmarkReceipt(b *testing.B) {
	rd := renderer()
	e := &events{t: b}
	d := e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", certification()).fold()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := rd.Receipt(&buf, d, clerk); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}
