package forms

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"motcua/domain"
)

func febPeriod(t *testing.T) domain.Period {
	p, err := domain.ParsePeriod("2026-02-01", "2026-02-28")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testII06a is a report with figures that are easy to find again: every cell differs.
func testII06a(t *testing.T) domain.II06a {
	p := febPeriod(t)
	ct := domain.II06aCounts{Received: 61, ReceivedOnline: 30, ReceivedDirect: 29, CarriedOver: 2, Resolved: 52, Early: 40,
		OnTime: 9, Late: 3, InProgress: 7, InTime: 5, Overdue: 2, Withdrawn: 1, Refused: 1}
	ht := domain.II06aCounts{Received: 1234, ReceivedOnline: 412, ReceivedDirect: 800, CarriedOver: 22, Resolved: 1150, Early: 1001,
		OnTime: 120, Late: 29, InProgress: 80, InTime: 71, Overdue: 9, Stopped: 4}
	total := domain.II06aCounts{Received: 1295, ReceivedOnline: 442, ReceivedDirect: 829, CarriedOver: 24, Resolved: 1202, Early: 1041,
		OnTime: 129, Late: 32, InProgress: 87, InTime: 76, Overdue: 11, Withdrawn: 1, Refused: 1, Stopped: 4}
	return domain.II06a{Period: p, Rows: []domain.II06aRow{{FieldCode: "CT", Field: "Chứng thực", II06aCounts: ct},
		{FieldCode: "HT", Field: "Hộ tịch", II06aCounts: ht}}, Total: total, Cutoff: p.End()}
}

func writeReport(t *testing.T, name string, f func(w *bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return buf.Bytes()
}

func openXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize cannot read the file back: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// findRow returns the 1-based number of the first row whose cell in column col is v.
func findRow(t *testing.T, rows [][]string, col int, v string) int {
	t.Helper()
	for i, r := range rows {
		if col < len(r) && r[col] == v {
			return i + 1
		}
	}
	t.Fatalf("no row with %q in column %d", v, col+1)
	return 0
}

func TestII06aXLSX(t *testing.T) {
	rd := renderer()
	data := writeReport(t, "ii06a.xlsx", func(w *bytes.Buffer) error { return rd.II06a(w, FormatXLSX, testII06a(t)) })
	x := openXLSX(t, data)
	if got := x.GetSheetList(); len(got) != 1 || got[0] != "II.06a" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := x.GetRows("II.06a")
	if err != nil {
		t.Fatal(err)
	}
	all := fmt.Sprint(rows)
	for _, want := range []string{ii06aNumber, "(" + ii06aBasis + ")", ii06aTitle,
		"Kỳ báo cáo: từ ngày 01/02/2026 đến ngày 28/02/2026", "Đơn vị báo cáo:", "Trung tâm Phục vụ hành chính công xã An Hưng",
		"Đơn vị nhận báo cáo: UBND xã An Hưng",
		"Đơn vị tính: số hồ sơ TTHC", "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "An Hưng, ngày 26 tháng 02 năm 2026",
		"Hồ sơ công dân rút (trạng thái 7), 1 hồ sơ: tính vào số nhận giải quyết (3), không tính vào số đã giải quyết (7)",
		"Hồ sơ dừng xử lý (trạng thái 8), 4 hồ sơ:", "Hồ sơ từ chối giải quyết sau khi đã tiếp nhận (trạng thái 3), 1 hồ sơ:",
		"(3) = (7) + (11) + 6"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q", want)
		}
	}
	// Two heading rows merged as on the form, then the column numbers.
	h1 := findRow(t, rows, 0, "TT")
	merges, err := x.GetMergeCells("II.06a")
	if err != nil {
		t.Fatal(err)
	}
	merged := map[string]string{}
	for _, m := range merges {
		merged[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
	}
	for rng, want := range map[string]string{
		fmt.Sprintf("A%d:A%d", h1, h1+1): "TT",
		fmt.Sprintf("B%d:B%d", h1, h1+1): "Lĩnh vực giải quyết",
		fmt.Sprintf("C%d:F%d", h1, h1):   "Số hồ sơ nhận giải quyết",
		fmt.Sprintf("G%d:J%d", h1, h1):   "Số hồ sơ đã giải quyết",
		fmt.Sprintf("K%d:M%d", h1, h1):   "Số hồ sơ đang giải quyết",
	} {
		if merged[rng] != want {
			t.Errorf("merge %s = %q, want %q (merges %v)", rng, merged[rng], want, merged)
		}
	}
	// The treatment of closed dossiers is written under the headings it touches.
	wantHead := []string{"", "", "Tổng số\n(Gồm HS rút, dừng, từ chối)", "Trực tuyến", "Trực tiếp, qua bưu chính", "Kỳ trước chuyển qua",
		"Tổng số\n(Không gồm HS rút, dừng, từ chối)", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số\n(Không gồm HS rút, dừng, từ chối)",
		"Trong hạn", "Quá hạn"}
	if got := rows[h1]; fmt.Sprint(got) != fmt.Sprint(wantHead) {
		t.Errorf("second heading row\n got %q\nwant %q", got, wantHead)
	}
	if got := rows[h1+1]; got[0] != "(1)" || got[12] != "(13)" {
		t.Errorf("column numbers %q", got)
	}
	// Every figure, as numbers with the thousands format.
	want := [][]string{
		{"1", "Chứng thực", "61", "30", "29", "2", "52", "40", "9", "3", "7", "5", "2"},
		{"2", "Hộ tịch", "1,234", "412", "800", "22", "1,150", "1,001", "120", "29", "80", "71", "9"},
		{"", "Tổng cộng", "1,295", "442", "829", "24", "1,202", "1,041", "129", "32", "87", "76", "11"},
	}
	for i, w := range want {
		if got := rows[h1+2+i]; fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("row %d\n got %q\nwant %q", h1+3+i, got, w)
		}
	}
	totalRow := h1 + 5
	v, err := x.GetCellValue("II.06a", fmt.Sprintf("C%d", totalRow), excelize.Options{RawCellValue: true})
	if err != nil || v != "1295" {
		t.Errorf("total received raw value %q %v", v, err)
	}
	if typ, _ := x.GetCellType("II.06a", fmt.Sprintf("C%d", totalRow)); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("figures must be numbers, not text")
	}
	for _, cell := range []string{fmt.Sprintf("B%d", totalRow), fmt.Sprintf("M%d", totalRow)} {
		id, _ := x.GetCellStyle("II.06a", cell)
		st, err := x.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("total cell %s not bold: %+v %v", cell, st, err)
		}
	}
	id, _ := x.GetCellStyle("II.06a", fmt.Sprintf("C%d", h1+3))
	if st, _ := x.GetStyle(id); st == nil || st.NumFmt != 3 || st.Font.Bold {
		t.Errorf("figure style %+v", st)
	}
	panes, err := x.GetPanes("II.06a")
	if err != nil || !panes.Freeze || panes.YSplit != h1+2 || panes.XSplit != 2 {
		t.Errorf("frozen panes %+v %v (headings end on row %d)", panes, err, h1+2)
	}
	if w, _ := x.GetColWidth("II.06a", "B"); w < 25 {
		t.Errorf("field column width %v", w)
	}
	names := x.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" && strings.Contains(n.RefersTo, fmt.Sprintf("$%d:$%d", h1, h1+2)) {
			found = true
		}
	}
	if !found {
		t.Errorf("headings not repeated on printed pages: %+v", names)
	}
}

func TestII06aPDF(t *testing.T) {
	rd := renderer()
	pdf := render(t, "ii06a", func(w *bytes.Buffer) error { return rd.II06a(w, FormatPDF, testII06a(t)) })
	if info := tool(t, "pdfinfo", pdf); !strings.Contains(info, "841.89 x 595.28") {
		t.Errorf("not A4 landscape:\n%s", info)
	}
	text := layoutText(t, pdf)
	wantAll(t, "II.06a", text, ii06aNumber, ii06aTitle, "Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết", "Trước hạn",
		"Đúng hạn", "Trong hạn", "Lĩnh vực giải quyết", "(13)", "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
	// Each row's figures in order on one line.
	for _, re := range []string{
		`1\s+Chứng thực\s+61\s+30\s+29\s+2\s+52\s+40\s+9\s+3\s+7\s+5\s+2\n`,
		`2\s+Hộ tịch\s+1\.234\s+412\s+800\s+22\s+1\.150\s+1\.001\s+120\s+29\s+80\s+71\s+9\n`,
		`Tổng cộng\s+1\.295\s+442\s+829\s+24\s+1\.202\s+1\.041\s+129\s+32\s+87\s+76\s+11\n`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("no line matching %s", re)
		}
	}
	flat := flatText(t, pdf)
	wantAll(t, "II.06a", flat, "Kỳ trước chuyển qua", "Trực tiếp, qua bưu chính", "("+ii06aBasis+")",
		"Đơn vị báo cáo: Trung tâm Phục vụ hành chính công xã An Hưng", "Kỳ báo cáo: từ ngày 01/02/2026 đến ngày 28/02/2026",
		"Tổng số (Gồm HS rút, dừng, từ chối)", "Tổng số (Không gồm HS rút, dừng, từ chối)",
		"Hồ sơ công dân rút (trạng thái 7), 1 hồ sơ:", "Hồ sơ dừng xử lý (trạng thái 8), 4 hồ sơ:", "(3) = (7) + (11) + 6",
		"An Hưng, ngày 26 tháng 02 năm 2026")
}

func TestII06aCSV(t *testing.T) {
	rd := renderer()
	data := writeReport(t, "ii06a.csv", func(w *bytes.Buffer) error { return rd.II06a(w, FormatCSV, testII06a(t)) })
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || len(recs[0]) != 13 || recs[0][2] != "Số hồ sơ nhận giải quyết: Tổng số" || recs[0][12] != "Số hồ sơ đang giải quyết: Quá hạn" {
		t.Fatalf("csv %q", recs)
	}
	if got := strings.Join(recs[3], "|"); got != "|Tổng cộng|1295|442|829|24|1202|1041|129|32|87|76|11" {
		t.Errorf("total %s", got)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("CSV lines should end in CRLF for Excel")
	}
}

func testTracking(n int) []domain.TrackingEntry {
	var out []domain.TrackingEntry
	for i := 0; i < n; i++ {
		recv := vnTime(2026, 2, 2+i%20, 8+i%8, 5)
		e := domain.TrackingEntry{No: i + 1, Code: fmt.Sprintf("000.00.06.H56-2602%02d-%04d", 2+i%20, 1001+i),
			Procedure: "Xác nhận tình trạng hôn nhân", Sets: 1, Owner: "Nguyễn Thị Đào", Address: "Thôn Đông, xã An Hưng",
			Phone: "0912345678", Agency: "Công chức Tư pháp - Hộ tịch", ReceivedAt: recv, DueAt: recv.Add(72 * time.Hour),
			ForwardedAt: recv.Add(time.Hour), Note: "Nộp trực tuyến"}
		if i%3 == 0 {
			e.ResultAt, e.ReturnedAt = recv.Add(48*time.Hour), recv.Add(50*time.Hour)
		}
		out = append(out, e)
	}
	out[0].ReceivedAt, out[0].DueAt = vnTime(2026, 2, 13, 16, 0), vnTime(2026, 2, 23, 17, 0)
	out[0].Code = "000.00.06.H56-260213-1001"
	return out
}

func TestTrackingBookFormats(t *testing.T) {
	rd := renderer()
	p := febPeriod(t)
	entries := testTracking(45)

	data := writeReport(t, "book.xlsx", func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatXLSX, p, entries) })
	x := openXLSX(t, data)
	sh := x.GetSheetList()[0]
	rows, _ := x.GetRows(sh)
	all := fmt.Sprint(rows)
	for _, want := range []string{"SỔ THEO DÕI HỒ SƠ", "Mẫu số 07", "Quyển số: 2026", "Từ ngày 01/02/2026 đến ngày 28/02/2026",
		"Thời gian (giờ, ngày, tháng, năm)", "Cơ quan chủ trì giải quyết", "Trả kết quả (ký nhận)"} {
		if !strings.Contains(all, want) {
			t.Errorf("book xlsx missing %q", want)
		}
	}
	first := findRow(t, rows, 1, "000.00.06.H56-260213-1001")
	got := rows[first-1]
	if got[0] != "1" || got[2] != "Xác nhận tình trạng hôn nhân" || got[3] != "1" || got[4] != "Nguyễn Thị Đào" ||
		got[5] != "Thôn Đông, xã An Hưng; ĐT: 0912345678" || got[7] != "13/02/2026 16:00" || got[8] != "23/02/2026 17:00" {
		t.Errorf("first line %q", got)
	}
	raw, _ := x.GetCellValue(sh, fmt.Sprintf("H%d", first), excelize.Options{RawCellValue: true})
	if !strings.HasPrefix(raw, "46066.666") { // 13/02/2026 16:00 as an Excel serial date
		t.Errorf("received is not a date cell: %q", raw)
	}
	if len(rows) < first+44 {
		t.Errorf("only %d rows", len(rows))
	}

	pdf := render(t, "book", func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatPDF, p, entries) })
	n := pageCount(t, pdf)
	if n < 2 {
		t.Fatalf("45 lines on %d page(s)", n)
	}
	for i := 1; i <= n; i++ {
		text := layoutText(t, pdf, i, i)
		wantAll(t, fmt.Sprintf("book page %d", i), text, "Mã hồ sơ", "Thời gian (giờ, ngày, tháng, năm)", "Nhận hồ",
			"(13)", fmt.Sprintf("Trang %d/%d", i, n))
	}
	flat := flatText(t, pdf)
	// The code wraps after its unit part (pdftotext drops the dash that ends a line).
	wantAll(t, "book", flat, "SỔ THEO DÕI HỒ SƠ", "Mẫu số 07", "000.00.06.H56260213-1001", "Nguyễn Thị Đào",
		"13/02/2026 16:00", "23/02/2026 17:00", "Số lượng", "Công chức Tư pháp - Hộ tịch", "Quyển số: 2026")

	data = writeReport(t, "book.csv", func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatCSV, p, entries) })
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 46 || recs[0][7] != "Nhận hồ sơ" || recs[1][1] != "000.00.06.H56-260213-1001" || recs[1][8] != "23/02/2026 17:00" {
		t.Errorf("book csv %v %q", err, recs[:2])
	}

	// An empty period still gives a well-formed book that says so.
	pdf = render(t, "empty", func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatPDF, p, nil) })
	wantAll(t, "empty book", flatText(t, pdf), "Không có hồ sơ nào được tiếp nhận trong kỳ.")
}

func TestReturnBookFormats(t *testing.T) {
	rd := renderer()
	p := febPeriod(t)
	entries := []domain.ReturnEntry{
		{No: 1, At: vnTime(2026, 2, 4, 15, 0), Code: "000.00.06.H56-260202-1001", Procedure: "Chứng thực bản sao từ bản chính",
			Giver: "canbo1", Recipient: "Trần Thị Hoa", RecipientID: "031185004321", Documents: "Bản sao được chứng thực", Method: domain.HandOverElectronic},
		{No: 2, At: vnTime(2026, 2, 10, 9, 0), Code: "000.00.06.H56-260203-1001", Procedure: "Xác nhận tình trạng hôn nhân",
			Giver: "canbo2", Recipient: "Lê Văn Nam", RecipientID: "031090001234", Authorized: true, Authority: "Giấy ủy quyền số 12",
			Documents: "Giấy xác nhận tình trạng hôn nhân", Method: domain.HandOverCounter},
	}
	data := writeReport(t, "return.xlsx", func(w *bytes.Buffer) error { return rd.ReturnBook(w, FormatXLSX, p, entries) })
	x := openXLSX(t, data)
	rows, _ := x.GetRows(x.GetSheetList()[0])
	r := rows[findRow(t, rows, 2, "000.00.06.H56-260203-1001")-1]
	if want := []string{"2", "10/02/2026 09:00", "000.00.06.H56-260203-1001", "Xác nhận tình trạng hôn nhân", "Lê Văn Hùng", "Lê Văn Nam",
		"031090001234", "Được ủy quyền (Giấy ủy quyền số 12)", "Giấy xác nhận tình trạng hôn nhân", "Tại Bộ phận một cửa"}; fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("return line\n got %q\nwant %q", r, want)
	}
	pdf := render(t, "return", func(w *bytes.Buffer) error { return rd.ReturnBook(w, FormatPDF, p, entries) })
	wantAll(t, "return book", flatText(t, pdf), "SỔ TRẢ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "(Sổ điện tử)", "Người nhận kết quả",
		"Trần Thị Mai", "Trả kết quả điện tử", "Được ủy quyền (Giấy ủy quyền số 12)", "Từ ngày 01/02/2026 đến ngày 28/02/2026")
	data = writeReport(t, "return.csv", func(w *bytes.Buffer) error { return rd.ReturnBook(w, FormatCSV, p, entries) })
	if !bytes.Contains(data, []byte("Trần Thị Mai")) || !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Errorf("return csv %s", data)
	}
}

func TestReportFormatsAndTemplates(t *testing.T) {
	for _, s := range []string{"xlsx", "PDF", " csv "} {
		if _, err := ParseReportFormat(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := ParseReportFormat("docx"); err == nil || !strings.Contains(err.Error(), "xlsx, pdf hoặc csv") {
		t.Errorf("docx: %v", err)
	}
	// The number, title and basis are data: a province that knows the report by its older
	// number edits forms.json, and the report follows.
	rd := renderer()
	rd.T.Sets[len(rd.T.Sets)-1].Forms[FormII06a] = Template{Number: "Biểu số II.06a/VPCP/KSTT",
		Title: "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", Basis: "Theo hướng dẫn của tỉnh"}
	data := writeReport(t, "xlsx", func(w *bytes.Buffer) error { return rd.II06a(w, FormatXLSX, testII06a(t)) })
	rows, _ := openXLSX(t, data).GetRows("II.06a")
	if all := fmt.Sprint(rows); !strings.Contains(all, "Biểu số II.06a/VPCP/KSTT") || !strings.Contains(all, "(Theo hướng dẫn của tỉnh)") ||
		!strings.Contains(all, "TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG") || strings.Contains(all, "01/2020") {
		t.Errorf("template override ignored: %s", all[:300])
	}
	// A form file without the report (older than it) falls back to the embedded data, not to code.
	rd.T.Sets[len(rd.T.Sets)-1].Forms = map[string]Template{FormReceipt: rd.T.Get(FormReceipt)}
	if got := rd.II06aTemplate(); got.Number != ii06aNumber || got.Basis != ii06aBasis {
		t.Errorf("fallback %+v", got)
	}
}

// The report's number, title and basis line as forms.json gives them (Circular 01/2020/TT-VPCP).
const (
	ii06aNumber = "Biểu số 06/VPCP/KSTT"
	ii06aTitle  = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"
	ii06aBasis  = "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020 của Văn phòng Chính phủ"
)

// closedFixtures are February's dossiers for the treatment of closed dossiers: R resolved
// on its due day, W withdrawn on the day it was due, S stopped the day after its due date,
// X (online) refused two days before its due date, O still open and in time.
func closedFixtures(t *testing.T) []domain.Dossier {
	cert := func(c string, ch domain.Channel, due time.Time) domain.ReceivedPayload {
		p := certification()
		p.Code, p.Channel, p.DueAt = c, ch, due
		return p
	}
	marital := func(c string, ch domain.Channel, due time.Time) domain.ReceivedPayload {
		p := maritalPayload()
		p.Code, p.Channel, p.DueAt = c, ch, due
		return p
	}
	reason := domain.ReasonPayload{Reason: "Theo đề nghị"}
	return []domain.Dossier{
		(&events{t: t}).add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", cert(code, domain.ChannelDirect, vnTime(2026, 2, 23, 17, 0))).
			add(domain.EvResultReady, vnTime(2026, 2, 23, 10, 0), "canbo1", domain.ResultReadyPayload{Agency: "UBND xã"}).fold(),
		(&events{t: t}).add(domain.EvReceived, vnTime(2026, 2, 2, 9, 0), "canbo1", cert(unitCode+"-260202-1001", domain.ChannelDirect, vnTime(2026, 2, 2, 17, 0))).
			add(domain.EvWithdrawn, vnTime(2026, 2, 2, 10, 0), "canbo1", reason).fold(),
		(&events{t: t}).add(domain.EvReceived, vnTime(2026, 2, 13, 16, 0), "canbo1", marital(unitCode+"-260213-1002", domain.ChannelDirect, vnTime(2026, 2, 25, 16, 0))).
			add(domain.EvStopped, vnTime(2026, 2, 26, 9, 0), "canbo1", reason).fold(),
		(&events{t: t}).add(domain.EvReceived, vnTime(2026, 2, 3, 9, 0), "canbo1", marital(unitCode+"-260203-1001", domain.ChannelOnline, vnTime(2026, 2, 6, 9, 0))).
			add(domain.EvRefused, vnTime(2026, 2, 4, 9, 0), "canbo1", reason).fold(),
		(&events{t: t}).add(domain.EvReceived, vnTime(2026, 2, 26, 9, 0), "canbo1", marital(unitCode+"-260226-1001", domain.ChannelDirect, vnTime(2026, 3, 3, 9, 0))).fold(),
	}
}

// Changing the province's treatment of withdrawn (7), stopped (8) and refused (3)
// dossiers changes the figures of the printed report as its notes say, in the PDF and in
// the XLSX.
func TestII06aClosedTreatmentsPrinted(t *testing.T) {
	ds := closedFixtures(t)
	for _, d := range ds {
		if d.Status != domain.StatusResultReady && d.Status != domain.StatusWithdrawn && d.Status != domain.StatusStopped &&
			d.Status != domain.StatusRefused && d.Status != domain.StatusAccepted {
			t.Fatalf("fixture %s in status %d", d.Code, d.Status)
		}
	}
	every := func(tr domain.ClosedTreatment) domain.ClosedTreatments {
		return domain.ClosedTreatments{Withdrawn: tr, Stopped: tr, Refused: tr}
	}
	rd := renderer()
	for _, tt := range []struct {
		name     string
		closed   domain.ClosedTreatments
		total    [11]int
		identity string
		heads    map[int]string // column notes, by column number
		rule     string         // the sentence for the stopped dossier
	}{
		{"apart (default)", domain.ClosedTreatments{}, [11]int{5, 1, 4, 0, 1, 0, 1, 0, 1, 1, 0}, "(3) = (7) + (11) + 3",
			map[int]string{3: "Gồm HS rút, dừng, từ chối", 7: "Không gồm HS rút, dừng, từ chối", 11: "Không gồm HS rút, dừng, từ chối"},
			"Hồ sơ dừng xử lý (trạng thái 8), 1 hồ sơ: tính vào số nhận giải quyết (3), không tính vào số đã giải quyết (7) và số đang giải quyết (11)."},
		{"resolved on time", every(domain.ClosedResolvedOnTime), [11]int{5, 1, 4, 0, 4, 0, 4, 0, 1, 1, 0}, "(3) = (7) + (11);",
			map[int]string{3: "Gồm HS rút, dừng, từ chối", 7: "Gồm HS rút, dừng, từ chối", 9: "Gồm HS rút, dừng, từ chối"},
			"Hồ sơ dừng xử lý (trạng thái 8), 1 hồ sơ: tính vào số nhận giải quyết (3) và số đã giải quyết đúng hạn (7), (9) vào ngày kết thúc, không xét ngày hẹn trả."},
		{"resolved by the due date", every(domain.ClosedResolvedByDue), [11]int{5, 1, 4, 0, 4, 1, 2, 1, 1, 1, 0}, "(3) = (7) + (11);",
			map[int]string{3: "Gồm HS rút, dừng, từ chối", 7: "Gồm HS rút, dừng, từ chối", 8: "Có thể gồm HS rút, dừng, từ chối",
				9: "Có thể gồm HS rút, dừng, từ chối", 10: "Có thể gồm HS rút, dừng, từ chối"},
			"Hồ sơ dừng xử lý (trạng thái 8), 1 hồ sơ: tính vào số nhận giải quyết (3) và số đã giải quyết (7) vào ngày kết thúc; trước hạn (8), đúng hạn (9) hay quá hạn (10) so ngày kết thúc với ngày hẹn trả."},
		{"excluded", every(domain.ClosedExcluded), [11]int{2, 0, 2, 0, 1, 0, 1, 0, 1, 1, 0}, "(3) = (7) + (11);",
			map[int]string{3: "Không gồm HS rút, dừng, từ chối"},
			"Hồ sơ dừng xử lý (trạng thái 8), 1 hồ sơ: không tính vào biểu của kỳ kết thúc: không có ở số nhận giải quyết (3), kể cả số từ kỳ trước chuyển qua (6), số đã giải quyết (7) và số đang giải quyết (11)."},
		{"withdrawn on time, stopped excluded, refused apart",
			domain.ClosedTreatments{Withdrawn: domain.ClosedResolvedOnTime, Stopped: domain.ClosedExcluded},
			[11]int{4, 1, 3, 0, 2, 0, 2, 0, 1, 1, 0}, "(3) = (7) + (11) + 1",
			map[int]string{3: "Gồm HS rút, từ chối; không gồm HS dừng", 7: "Gồm HS rút; không gồm HS từ chối", 9: "Gồm HS rút", 11: "Không gồm HS từ chối"},
			"Hồ sơ dừng xử lý (trạng thái 8), 1 hồ sơ: không tính vào biểu của kỳ kết thúc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := domain.BuildReport(febPeriod(t), ds, domain.ReportOptions{Closed: tt.closed})
			if got := rep.Total.Cells(); got != tt.total {
				t.Fatalf("figures %v, want %v", got, tt.total)
			}
			// PDF: the total row, the notes under the headings and the sentences under the table.
			pdf := render(t, "ii06a-closed", func(w *bytes.Buffer) error { return rd.II06a(w, FormatPDF, rep) })
			var re strings.Builder
			re.WriteString(`Tổng cộng`)
			for _, v := range tt.total {
				fmt.Fprintf(&re, `\s+%d`, v)
			}
			if text := layoutText(t, pdf); !regexp.MustCompile(re.String() + `\n`).MatchString(text) {
				t.Errorf("PDF: no total line %s in\n%s", re.String(), text)
			}
			flat := flatText(t, pdf)
			wantAll(t, "PDF", flat, ii06aNumber, ii06aBasis, tt.identity, tt.rule)
			for _, n := range tt.heads {
				wantAll(t, "PDF", flat, "("+n+")")
			}
			for _, n := range []string{"Gồm HS", "gồm HS"} {
				if want := strings.Count(fmt.Sprint(tt.heads), n); strings.Count(flat, n) != want {
					t.Errorf("PDF: %d heading notes with %q, want %d", strings.Count(flat, n), n, want)
				}
			}

			// XLSX: the same, read back with excelize.
			x := openXLSX(t, writeReport(t, "ii06a.xlsx", func(w *bytes.Buffer) error { return rd.II06a(w, FormatXLSX, rep) }))
			rows, err := x.GetRows("II.06a")
			if err != nil {
				t.Fatal(err)
			}
			h1 := findRow(t, rows, 0, "TT")
			for col := 3; col <= 13; col++ {
				want := domain.II06aColumns()[col-1].Head
				if n := tt.heads[col]; n != "" {
					want += "\n(" + n + ")"
				}
				if got := rows[h1][col-1]; got != want {
					t.Errorf("XLSX heading (%d) = %q, want %q", col, got, want)
				}
			}
			total := findRow(t, rows, 1, "Tổng cộng")
			for i, v := range tt.total {
				cell := fmt.Sprintf("%c%d", 'C'+i, total)
				raw, _ := x.GetCellValue("II.06a", cell, excelize.Options{RawCellValue: true})
				if raw != fmt.Sprint(v) {
					t.Errorf("XLSX %s = %s, want %d", cell, raw, v)
				}
			}
			all := fmt.Sprint(rows)
			wantAll(t, "XLSX", all, ii06aNumber, "("+ii06aBasis+")", tt.identity, tt.rule)
		})
	}
}

// TestReportScreenshots writes the PDFs of II.06a and of the tracking book to
// MOTCUA_REPORT_SAMPLES, for looking at them (pdftoppm) and for the README.
func TestReportScreenshots(t *testing.T) {
	dir := os.Getenv("MOTCUA_REPORT_SAMPLES")
	if dir == "" {
		t.Skip("MOTCUA_REPORT_SAMPLES not set")
	}
	rd := renderer()
	for name, f := range map[string]func(w *bytes.Buffer) error{
		"ii06a.pdf":         func(w *bytes.Buffer) error { return rd.II06a(w, FormatPDF, testII06a(t)) },
		"ii06a.xlsx":        func(w *bytes.Buffer) error { return rd.II06a(w, FormatXLSX, testII06a(t)) },
		"book-tracking.pdf": func(w *bytes.Buffer) error { return rd.TrackingBook(w, FormatPDF, febPeriod(t), testTracking(45)) },
		"book-tracking.xlsx": func(w *bytes.Buffer) error {
			return rd.TrackingBook(w, FormatXLSX, febPeriod(t), testTracking(45))
		},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), writeReport(t, name, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The flags of the form data and of the declarations, as an admin sees them.
func TestFormsUnconfirmed(t *testing.T) {
	byFact := map[string]domain.UnconfirmedFact{}
	for _, f := range DefaultTemplates().Unconfirmed() {
		if f.Source != domain.UnconfirmedForms || f.Fact == f.Key || f.Value == "" {
			t.Errorf("form flag %+v", f)
		}
		byFact[f.Subject+" | "+f.Fact] = f
	}
	ii06a := ii06aNumber + " " + ii06aTitle
	for key, value := range map[string]string{
		ii06a + " | Số hiệu mẫu":          ii06aNumber,
		ii06a + " | Tên mẫu":              ii06aTitle,
		ii06a + " | Dòng căn cứ ban hành": ii06aBasis,
		"Bộ mẫu theo Thông tư số 03/2025/TT-VPCP | Ngày áp dụng bộ mẫu": "15/09/2025",
	} {
		if f, ok := byFact[key]; !ok || f.Value != value {
			t.Errorf("%s: %+v (listed: %v)", key, f, byFact)
		}
	}
	if n := byFact[ii06a+" | Số hiệu mẫu"].Note; !strings.Contains(n, "II.06a") || !strings.Contains(n, "01/2020/TT-VPCP") {
		t.Errorf("II.06a note %q", n)
	}

	// A flag on a form of a set read from a file is listed; so is one this build does not name.
	data := strings.Replace(string(defaultJSON), `"title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",`,
		`"title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "unconfirmed": ["title", "layout"], "note": "Đối chiếu Phụ lục I",`, 2)
	tpl, err := ParseTemplates([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var refusal []string
	for _, f := range tpl.Unconfirmed() {
		if strings.Contains(f.Subject, "PHIẾU TỪ CHỐI") {
			refusal = append(refusal, f.Subject+" | "+f.Fact+" | "+f.Value+" | "+f.Note)
		}
	}
	if want := []string{
		"Mẫu số 03 PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ | Tên mẫu | PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ | Đối chiếu Phụ lục I",
		"Mẫu số 03 PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ | layout |  | Đối chiếu Phụ lục I",
	}; fmt.Sprint(refusal) != fmt.Sprint(append(want, want...)) { // the 2018 and the 2025 set
		t.Errorf("refusal flags %q", refusal)
	}

	decl := DeclarationsUnconfirmed(DefaultDeclarations())
	if len(decl) == 0 {
		t.Fatal("no declaration flags listed")
	}
	found := false
	for _, f := range decl {
		if f.Source != domain.UnconfirmedDeclarations || f.Fact == f.Key {
			t.Errorf("declaration flag %+v", f)
		}
		if f.Subject == "TỜ KHAI ĐĂNG KÝ KHAI SINH" && f.Fact == "Mục «Năm sinh của mẹ»" {
			found = true
		}
	}
	if !found {
		t.Errorf("the birth declaration's flag on the mother's birth year is not listed: %+v", decl)
	}
}
