package forms

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"motcua/domain"
)

const (
	basis2025 = "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ"
	basis2018 = "Ban hành kèm theo Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ"
)

// stoppedDossier: a marital-status certificate whose processing was stopped (status 8).
func stoppedDossier(t *testing.T) domain.Dossier {
	e := maritalEvents(t)
	e.add(domain.EvStopped, vnTime(2026, 2, 24, 10, 0), "lanhdao", domain.ReasonPayload{
		Reason: "Người yêu cầu đã được cấp Giấy xác nhận tình trạng hôn nhân tại UBND phường Lê Chân còn giá trị sử dụng"})
	return e.fold()
}

// Every form of Circular 03/2025/TT-VPCP, printed for a dossier of February 2026 and read
// back with pdftotext: its number, title and basis line from the 2025 set, the commune
// People's Committee above the centre's name, and the fields DOMAIN.md lists for it.
func TestForms2025Golden(t *testing.T) {
	rd := renderer()
	received := receivedDossier(t)
	e := &events{t: t}
	e.add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", maritalPayload())
	e.add(domain.EvSupplementRequested, vnTime(2026, 2, 23, 9, 30), "canbo1", domain.SupplementRequestedPayload{
		Items:  []domain.SupplementItem{{Name: "Giấy xác nhận nơi cư trú trước đây", Form: domain.FormCertified, Count: 1}},
		Reason: "Thiếu giấy tờ chứng minh nơi cư trú trước đây", GuideName: "Trần Thị Mai", GuidePhone: "0225 3822 123"})
	supplement := e.fold()
	refusedEv := &events{t: t}
	p := maritalPayload()
	p.Code = ""
	refusedEv.add(domain.EvRegisteredOnline, vnTime(2026, 3, 2, 8, 0), "portal", p)
	refusedEv.add(domain.EvRefused, vnTime(2026, 3, 2, 10, 20), "canbo1", domain.ReasonPayload{Reason: "Hồ sơ không thuộc thẩm quyền giải quyết của xã"})
	refused := refusedEv.fold()
	apologyEv := maritalEvents(t)
	apologyEv.add(domain.EvRescheduled, vnTime(2026, 2, 25, 14, 0), "canbo1", domain.RescheduledPayload{
		Agency: "Công chức Tư pháp - Hộ tịch", Reason: "Chờ kết quả xác minh", NewDueAt: vnTime(2026, 3, 2, 16, 0)})
	apology := apologyEv.fold()

	for _, tt := range []struct {
		name, number, title string
		pdf                 func(w *bytes.Buffer) error
		fields              []string
	}{
		{"01 receipt", "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
			func(w *bytes.Buffer) error { return rd.Receipt(w, received, clerk) },
			[]string{"Mã hồ sơ: " + code, "tiếp nhận hồ sơ của: Bà Nguyễn Thị Hương", "Địa chỉ:", "Số điện thoại: 0912345678",
				"Email: huong.nt@example.com", "Số định danh cá nhân: 031185004567", "Nội dung yêu cầu giải quyết:",
				"Hình thức nộp hồ sơ: Trực tiếp", "1. Thành phần hồ sơ nộp gồm:", "Tên giấy tờ", "Bản chính", "Bản chứng thực", "Bản photo",
				"2. Số lượng hồ sơ: 01 bộ.", "3. Thời gian giải quyết hồ sơ theo quy định:",
				"4. Thời gian nhận hồ sơ: 16 giờ 00 phút, ngày 13/02/2026.", "5. Thời gian trả kết quả giải quyết hồ sơ:",
				"6. Đăng ký nhận kết quả tại:", "Tra cứu tình trạng hồ sơ:", "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1001.",
				"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN"}},
		{"02 supplement", "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
			func(w *bytes.Buffer) error { return rd.Supplement(w, supplement, clerk) },
			[]string{"Hồ sơ của: Bà Nguyễn Thị Hương", "Nội dung yêu cầu giải quyết:", "Giấy xác nhận nơi cư trú trước đây",
				"Số lượng", "Hình thức", "Lý do: Thiếu giấy tờ chứng minh nơi cư trú trước đây.", "Trần Thị Mai", "0225 3822 123",
				"NGƯỜI HƯỚNG DẪN"}},
		{"03 refusal", "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
			func(w *bytes.Buffer) error { return rd.Refusal(w, refused, clerk) },
			[]string{"tiếp nhận hồ sơ của: Bà Nguyễn Thị Hương", "Nội dung yêu cầu giải quyết:",
				"không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:", "Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
				"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"}},
		{"04 apology and extension", "Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
			func(w *bytes.Buffer) error { return rd.Apology(w, apology, "Hoàng Thị Lan") },
			[]string{"CÔNG CHỨC TƯ PHÁP - HỘ TỊCH", "Số: ……", "Kính gửi: Bà Nguyễn Thị Hương.", "mã hồ sơ: " + code,
				"Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 25/02/2026.", "Lý do chậm trễ: Chờ kết quả xác minh.",
				"đề nghị gia hạn thời gian giải quyết hồ sơ đến 16 giờ 00 phút, ngày 02/03/2026.", "THỦ TRƯỞNG CƠ QUAN", "Hoàng Thị Lan"}},
		{"05 stop notice", "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
			func(w *bytes.Buffer) error { return rd.StopNotice(w, stoppedDossier(t), "Hoàng Thị Lan") },
			[]string{"Mã hồ sơ: " + code, "Kính gửi: Bà Nguyễn Thị Hương.", "Thủ tục hành chính: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
				"Thời gian nhận hồ sơ: 16 giờ 00 phút, ngày 13/02/2026",
				"thông báo dừng giải quyết hồ sơ của Bà kể từ 10 giờ 00 phút, ngày 24/02/2026 với lý do như sau:",
				"Người yêu cầu đã được cấp Giấy xác nhận tình trạng hôn nhân tại UBND phường Lê Chân còn giá trị sử dụng.",
				"An Hưng, ngày 24 tháng 02 năm 2026", "THỦ TRƯỞNG ĐƠN VỊ", "Hoàng Thị Lan"}},
		{"06 control slip", "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
			func(w *bytes.Buffer) error { return rd.ControlSlip(w, returnedDossier(t)) },
			[]string{"Mã hồ sơ: " + code, "Chủ hồ sơ: Bà Nguyễn Thị Hương", "Số điện thoại: 0912345678",
				"Thủ tục hành chính:", "Thời gian nhận hồ sơ:", "Thời gian hẹn trả kết quả:", "TÊN CƠ QUAN",
				"THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "GHI CHÚ", "Giao:", "Nhận:"}},
		{"07 tracking book", "Mẫu số 07", "SỔ THEO DÕI HỒ SƠ",
			func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatPDF, febPeriod(t), testTracking(3)) },
			[]string{"Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
				"Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
				"Nhận kết quả từ cơ quan giải quyết", "Trả kết quả (ký nhận)", "Ghi chú", "Quyển số: 2026"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pdf := render(t, strings.ReplaceAll(tt.name, " ", "-"), tt.pdf)
			flat := flatText(t, pdf)
			wantAll(t, tt.name, flat, tt.number, tt.title, basis2025, "UBND XÃ AN HƯNG")
			wantAll(t, tt.name, flat, tt.fields...)
			if strings.Contains(flat, "01/2018/TT-VPCP") {
				t.Errorf("%s: a 2026 form cites Circular 01/2018", tt.name)
			}
		})
	}
}

// A receipt reprinted today for a dossier received before the switch date shows the
// 2018 form handed out then; so do its control slip and apology. A dossier received on
// the switch date gets the 2025 forms.
func TestReprint2018(t *testing.T) {
	rd := renderer() // Now is 26/02/2026: the reprint happens under the 2025 set
	p := certification()
	p.Code = "000.00.06.H56-250610-1001"
	p.DueAt = vnTime(2025, 6, 10, 17, 0)
	old := (&events{t: t}).add(domain.EvReceived, vnTime(2025, 6, 10, 9, 0), "canbo1", p)
	old.add(domain.EvRescheduled, vnTime(2025, 6, 11, 9, 0), "canbo1", domain.RescheduledPayload{
		Number: "3", Reason: "Máy chứng thực điện tử gặp sự cố", NewDueAt: vnTime(2025, 6, 12, 17, 0)})
	d := old.fold()

	pdf := render(t, "receipt-2018", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	if dir := os.Getenv("MOTCUA_FORMS_PNG"); dir != "" {
		tool(t, "pdftoppm", "-r", "80", "-png", "-singlefile", pdf, filepath.Join(dir, "form-01-receipt-2018-reprint"))
	}
	flat := flatText(t, pdf)
	wantAll(t, "2018 receipt", flat, "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", basis2018,
		"An Hưng, ngày 10 tháng 6 năm 2025", "Mã hồ sơ: 000.00.06.H56-250610-1001")
	if strings.Contains(flat, "03/2025") {
		t.Error("a receipt issued in June 2025 is reprinted with the 2025 basis line")
	}
	wantAll(t, "2018 control slip", flatText(t, render(t, "control-2018", func(w *bytes.Buffer) error { return rd.ControlSlip(w, d) })),
		"Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", basis2018)
	wantAll(t, "2018 apology", flatText(t, render(t, "apology-2018", func(w *bytes.Buffer) error { return rd.Apology(w, d, "Hoàng Thị Lan") })),
		"Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Số: 3/PXL", basis2018,
		"sẽ trả kết quả giải quyết hồ sơ cho Bà vào 17 giờ 00 phút, ngày 12/06/2025.")

	// The switch: received at 00:00 on 15/9/2025 is the 2025 form, the evening before is 2018.
	for _, c := range []struct {
		at    string
		basis string
	}{{"2025-09-14 23:59", basis2018}, {"2025-09-15 00:00", basis2025}} {
		at := vnClock(t, c.at)
		tpl, ok := rd.T.For(FormReceipt, at)
		if !ok || "Ban hành kèm theo "+strings.TrimPrefix(tpl.Basis, "Ban hành kèm theo ") != c.basis {
			t.Errorf("receipt issued %s: basis %q, want %q", c.at, tpl.Basis, c.basis)
		}
	}
	// The stop notice did not exist in 2018: an old dossier stopped then gets the 2025 one.
	if tpl, ok := rd.T.For(FormStop, vnClock(t, "2025-06-10 09:00")); !ok || tpl.Number != "Mẫu số 05" || tpl.Edition != Edition2025 {
		t.Errorf("stop notice before 2025: %+v %v", tpl, ok)
	}
}

func vnClock(t *testing.T, s string) (v time.Time) {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, domain.VN())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// forms.json before versioning (one unversioned set) still loads, as the 2018 forms.
func TestTemplatesLegacyFile(t *testing.T) {
	legacy := `{"version":"2018.1","forms":{` +
		`"receipt":{"number":"Mẫu số 01","title":"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"},` +
		`"supplement":{"title":"A"},"refusal":{"title":"B"},"apology":{"title":"C"},"stop":{"title":"D"},` +
		`"control":{"number":"Mẫu số 05","title":"E"},"tracking_book":{"title":"F"},"return_slip":{"title":"G"}}}`
	tpl, err := ParseTemplates([]byte(legacy))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tpl.For(FormControl, vnClock(t, "2026-01-05 09:00")); got.Number != "Mẫu số 05" || got.Edition != Edition2018 {
		t.Errorf("legacy control slip = %+v", got)
	}
}

// The stop notice is printed only for a stopped (or withdrawn) dossier with its reason.
func TestStopNotice(t *testing.T) {
	rd := renderer()
	d := stoppedDossier(t)
	pdf := render(t, "stop", func(w *bytes.Buffer) error { return rd.StopNotice(w, d, "Hoàng Thị Lan") })
	if dir := os.Getenv("MOTCUA_FORMS_PNG"); dir != "" {
		tool(t, "pdftoppm", "-r", "80", "-png", "-singlefile", pdf, filepath.Join(dir, "stop-notice"))
	}
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("stop notice has %d pages", n)
	}
	wantAll(t, "stop", flatText(t, pdf), "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "UBND XÃ AN HƯNG",
		"TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ AN HƯNG")
	if err := rd.StopNotice(&bytes.Buffer{}, receivedDossier(t), ""); err == nil {
		t.Error("a stop notice for an open dossier")
	}
}

// The receipt's QR code encodes the lookup address built from the configured base and
// the code; one line says where to look the dossier up; "2 liên" prints two copies, each
// on its own page with its own label.
func TestReceiptLookupAndCopies(t *testing.T) {
	rd := renderer()
	rd.Unit.LookupURL = "https://dichvucong.haiphong.gov.vn/tra-cuu-ho-so?ma={code}"
	rd.Unit.ReceiptCopies = 2
	want := "https://dichvucong.haiphong.gov.vn/tra-cuu-ho-so?ma=" + code
	if got := rd.Unit.LookupAddress(code); got != want {
		t.Fatalf("LookupAddress = %q, want %q", got, want)
	}
	if got := (Unit{LookupURL: "https://tracuu.example.vn/hs/"}).LookupAddress(code); got != "https://tracuu.example.vn/hs/"+code {
		t.Errorf("appended LookupAddress = %q", got)
	}
	d := receivedDossier(t)
	pdf := render(t, "receipt-2", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	if dir := os.Getenv("MOTCUA_FORMS_PNG"); dir != "" {
		tool(t, "pdftoppm", "-r", "80", "-png", pdf, filepath.Join(dir, "form-01-receipt-2-lien"))
	}
	if n := pageCount(t, pdf); n != 2 {
		t.Fatalf("2 liên: %d pages, want 2", n)
	}
	p1, p2 := strings.Join(strings.Fields(layoutText(t, pdf, 1, 1)), " "), strings.Join(strings.Fields(layoutText(t, pdf, 2, 2)), " ")
	for i, page := range []string{p1, p2} {
		wantAll(t, "copy", page, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "UBND XÃ AN HƯNG", "NGƯỜI TIẾP NHẬN")
		if strings.Contains(page, "Trang ") {
			t.Errorf("copy %d numbered as a page of a longer form", i+1)
		}
	}
	wantAll(t, "copy 1", p1, "(Liên 1: Giao người nộp hồ sơ)")
	wantAll(t, "copy 2", p2, "(Liên 2: Lưu tại Bộ phận tiếp nhận và trả kết quả)")
	flat := flatText(t, pdf)
	wantAll(t, "receipt", flat, "Tra cứu tình trạng hồ sơ: quét mã QR trên giấy này hoặc truy cập",
		"; điện thoại 0225 3822 123.")
	if !strings.Contains(strings.ReplaceAll(flat, " ", ""), want) {
		t.Errorf("the lookup address %s is not printed", want)
	}

	// The QR code is go-qrcode's for exactly the lookup address.
	dir := t.TempDir()
	tool(t, "pdfimages", "-f", "1", "-l", "1", "-png", pdf, filepath.Join(dir, "img"))
	f, err := os.Open(filepath.Join(dir, "img-000.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(want, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := q.Bitmap()
	if img.Bounds().Dx() != len(bits)*qrModule {
		t.Fatalf("QR image %v is not the lookup address's QR (%d modules)", img.Bounds(), len(bits))
	}
	for y := range bits {
		for x := range bits {
			if isDark(img, x*qrModule+qrModule/2, y*qrModule+qrModule/2) != bits[y][x] {
				t.Fatalf("QR module (%d,%d) differs from the lookup address's QR", x, y)
			}
		}
	}

	// Without a lookup address the QR code keeps the bare code and the line names the phone.
	rd.Unit.LookupURL, rd.Unit.ReceiptCopies = "", 1
	pdf = render(t, "receipt-nolookup", func(w *bytes.Buffer) error { return rd.Receipt(w, d, clerk) })
	wantAll(t, "receipt without lookup", flatText(t, pdf), "Tra cứu tình trạng hồ sơ: gọi số 0225 3822 123")
}
