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

// defaultII06a is the report's number and title as the centres know them (Circular
// 01/2020/TT-VPCP on the reporting regime; whether the 2025 reform renumbered it is
// unconfirmed: override in forms.json under "report_ii06a").
var defaultII06a = Template{
	Number: "Biểu số II.06a/VPCP/KSTT",
	Title:  "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI",
}

// II06a writes Biểu II.06a/VPCP/KSTT for a period as XLSX, PDF or CSV.
func (rd Renderer) II06a(w io.Writer, f ReportFormat, rep domain.II06a) error {
	return rd.ii06aSheet(rep).write(w, f, rd.now())
}

func (rd Renderer) ii06aSheet(rep domain.II06a) sheet {
	tpl := rd.template(FormII06a, defaultII06a)
	n := func(group, head string) sheetCol {
		return sheetCol{group: group, head: head, kind: kindInt, chars: 11, mm: 18.9, align: 'R'}
	}
	const recv, done, open = "Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"
	cols := []sheetCol{
		{head: "TT", chars: 5, mm: 10, align: 'C'},
		{head: "Lĩnh vực giải quyết", chars: 32, mm: 55, align: 'L'},
		n(recv, "Tổng số"), n(recv, "Trực tuyến"), n(recv, "Trực tiếp, qua bưu chính"), n(recv, "Kỳ trước chuyển qua"),
		n(done, "Tổng số"), n(done, "Trước hạn"), n(done, "Đúng hạn"), n(done, "Quá hạn"),
		n(open, "Tổng số"), n(open, "Trong hạn"), n(open, "Quá hạn"),
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

	unit := rd.reportUnit()
	right := []blockLine{strong("Đơn vị báo cáo:"), plain(rd.unitName())}
	if p := clean(rd.Unit.Parent); p != "" {
		right = append(right, plain("Đơn vị nhận báo cáo: "+p))
	}
	left := []blockLine{strong(tpl.Number)}
	if tpl.Basis != "" {
		left = append(left, plain(tpl.Basis))
	}
	title := strings.TrimSpace(tpl.Title + " " + unit)
	return sheet{
		name:       "II.06a",
		docTitle:   strings.TrimSpace(tpl.Number + " — " + title),
		left:       left,
		right:      right,
		title:      []string{title},
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

// ii06aNotes say how the figures were counted, and what the form has no column for.
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
	notes := []string{
		"Ghi chú: (3) = (4) + (5) + (6); (7) = (8) + (9) + (10); (11) = (12) + (13). Trước hạn, đúng hạn, quá hạn: so " +
			finished + " với ngày hẹn trả, tính theo ngày làm việc; thời gian tạm dừng để bổ sung hồ sơ đã được cộng vào ngày hẹn trả. " +
			"Hồ sơ đang giải quyết là trong hạn nếu ngày hẹn trả " + cutoff + " hoặc hồ sơ đang tạm dừng chờ bổ sung từ trước hạn.",
	}
	if c := t.Closed(); c > 0 {
		notes = append(notes, fmt.Sprintf("Trong kỳ có %d hồ sơ kết thúc mà không có kết quả giải quyết: %d hồ sơ công dân rút, "+
			"%d hồ sơ từ chối giải quyết, %d hồ sơ dừng xử lý. Các hồ sơ này không tính vào số đã giải quyết (7) và đang giải quyết (11), "+
			"nên (3) = (7) + (11) + %d.", c, t.Withdrawn, t.Refused, t.Stopped, c))
	} else {
		notes = append(notes, "Trong kỳ không có hồ sơ rút, từ chối giải quyết hoặc dừng xử lý: (3) = (7) + (11).")
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
