package forms

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"motcua/domain"
)

// Template ids of the reports and books, looked up in forms.json first (ParseTemplates
// accepts extra forms), so their numbering and titles can follow the law as data.
const (
	FormII06a        = "report_ii06a"
	FormTrackingBook = "tracking_book"
	FormReturnBook   = "return_book"
)

// II06a writes the report on receiving and resolving procedures (Biểu số 06/VPCP/KSTT,
// known as II.06a; its number, title and basis line are data, forms.json) for a period as
// XLSX, PDF or CSV. How dossiers closed without a result were counted (rep.Closed) is
// written under the headings of the columns it touches and spelled out under the table.
func (rd Renderer) II06a(w io.Writer, f ReportFormat, rep domain.II06a) error {
	return rd.ii06aSheet(rep).write(w, f, rd.now())
}

// II06aTemplate is the report's number, title and basis as in force today.
func (rd Renderer) II06aTemplate() Template { return rd.template(FormII06a, Template{}) }

func (rd Renderer) ii06aSheet(rep domain.II06a) sheet {
	tpl := rd.II06aTemplate()
	notes := rep.Closed.ColumnNotes()
	var cols []sheetCol
	for _, c := range domain.II06aColumns() {
		switch c.No {
		case 1:
			cols = append(cols, sheetCol{head: c.Head, chars: 5, mm: 10, align: 'C'})
		case 2:
			cols = append(cols, sheetCol{head: c.Head, chars: 32, mm: 55, align: 'L'})
		default:
			cols = append(cols, sheetCol{group: c.Group, head: c.Head, note: notes[c.No], kind: kindInt, chars: 11, mm: 18.9, align: 'R'})
		}
	}
	row := func(no, field string, c domain.II06aCounts, total bool) sheetRow {
		cells := []sheetCell{txt(no), txt(field)}
		for _, v := range c.Cells() {
			cells = append(cells, num(v))
		}
		return sheetRow{cells: cells, total: total}
	}
	var rows []sheetRow
	for i, r := range rep.Rows {
		rows = append(rows, row(strconv.Itoa(i+1), r.Field, r.II06aCounts, false))
	}
	rows = append(rows, row("", "Tổng cộng", rep.Total, true))

	right := []blockLine{strong("Đơn vị báo cáo:"), plain(rd.unitName())}
	if p := clean(rd.Unit.Parent); p != "" {
		right = append(right, plain("Đơn vị nhận báo cáo: "+p))
	}
	left := []blockLine{strong(tpl.Number)}
	if tpl.Basis != "" {
		left = append(left, plain("("+strings.TrimSuffix(strings.TrimPrefix(tpl.Basis, "("), ")")+")"))
	}
	return sheet{
		name:       "II.06a",
		docTitle:   strings.TrimSpace(tpl.Number + " — " + tpl.Title),
		left:       left,
		right:      right,
		title:      []string{tpl.Title},
		subtitles:  []string{"Kỳ báo cáo: " + lowerFirst(rep.Period.String())},
		unitLine:   "Đơn vị tính: số hồ sơ TTHC",
		cols:       cols,
		colNumbers: true,
		freezeCols: 2,
		rows:       rows,
		notes:      ii06aNotes(rep),
		dateLine:   placeDate(rd.Unit.Place, rd.now()),
		signers: []signer{{title: "NGƯỜI LẬP BIỂU", note: "(Ký, ghi rõ họ tên)"},
			{title: "THỦ TRƯỞNG ĐƠN VỊ", note: "(Ký, đóng dấu, ghi rõ họ tên)"}},
		footer: tpl.Number + ", " + lowerFirst(rep.Period.String()),
	}
}

// ii06aNotes say how the figures were counted: the sums, timeliness, and how each kind of
// dossier closed without a result was counted, with how many there were.
func ii06aNotes(rep domain.II06a) []string {
	t := rep.Total
	finished := "ngày có kết quả giải quyết"
	if rep.Finish == domain.FinishAtReturn {
		finished = "ngày trả kết quả"
	}
	cutoff := "sau ngày cuối kỳ"
	if !rep.Cutoff.IsZero() && rep.Cutoff.Before(rep.Period.End()) {
		cutoff = "từ " + vn(rep.Cutoff).Format("15:04 ngày 02/01/2006") + " trở đi"
	}
	identity := "(3) = (7) + (11)"
	if a := rep.Apart(); a > 0 {
		identity = fmt.Sprintf("(3) = (7) + (11) + %d", a)
	}
	notes := []string{
		"Ghi chú: " + identity + "; (3) = (4) + (5) + (6); (7) = (8) + (9) + (10); (11) = (12) + (13). Hồ sơ đã giải quyết tính theo " + finished +
			". Trước hạn, đúng hạn, quá hạn: so " + finished + " với ngày hẹn trả, tính theo ngày làm việc; thời gian tạm dừng để bổ sung hồ sơ đã được cộng vào ngày hẹn trả. " +
			"Hồ sơ đang giải quyết là trong hạn nếu ngày hẹn trả " + cutoff + " hoặc hồ sơ đang tạm dừng chờ bổ sung từ trước hạn.",
	}
	notes = append(notes, "Hồ sơ kết thúc trong kỳ mà không có kết quả giải quyết, cách tính theo lựa chọn của tỉnh (đặt trong phần Cài đặt):")
	for _, s := range domain.ClosedStatuses() {
		long, _ := domain.ClosedName(s)
		notes = append(notes, fmt.Sprintf("– %s, %d hồ sơ: %s.", long, t.ClosedIn(s), rep.Closed.For(s).Rule()))
	}
	return notes
}

// lowerFirst lowers the first letter: "Từ ngày …" inside a sentence.
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
