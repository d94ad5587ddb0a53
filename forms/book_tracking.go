package forms

import (
	"io"
	"strconv"
	"strings"

	"motcua/domain"
)

// TrackingBook writes the tracking book (Mẫu 07 of Circular 03/2025/TT-VPCP, Mẫu 06 of
// the 2018 circular: numbered as the set in force on the day it is printed) of a period
// as XLSX, PDF or CSV.
func (rd Renderer) TrackingBook(w io.Writer, f ReportFormat, p domain.Period, entries []domain.TrackingEntry) error {
	return rd.trackingSheet(p, entries).write(w, f, rd.now())
}

func (rd Renderer) trackingSheet(p domain.Period, entries []domain.TrackingEntry) sheet {
	tpl := rd.template(FormTrackingBook, Template{Title: "SỔ THEO DÕI HỒ SƠ"})
	const dates = "Thời gian (giờ, ngày, tháng, năm)"
	date := func(head string) sheetCol {
		return sheetCol{group: dates, head: head, kind: kindDateTime, chars: 15.5, mm: 18, align: 'C', csv: head}
	}
	cols := []sheetCol{
		{head: "TT", chars: 4.5, mm: 7, align: 'C'},
		{head: "Mã hồ sơ", chars: 15, mm: 25, align: 'L', code: true},
		{head: "Tên thủ tục hành chính", chars: 20, mm: 40, align: 'L'},
		{head: "Số lượng hồ sơ (bộ)", kind: kindInt, chars: 7, mm: 13, align: 'C'},
		{head: "Tên cá nhân, tổ chức", chars: 15, mm: 22, align: 'L'},
		{head: "Địa chỉ, số điện thoại", chars: 20, mm: 27, align: 'L'},
		{head: "Cơ quan chủ trì giải quyết", chars: 15, mm: 22, align: 'L'},
		date("Nhận hồ sơ"), date("Hẹn trả kết quả"), date("Chuyển hồ sơ đến cơ quan giải quyết"),
		date("Nhận kết quả từ cơ quan giải quyết"), date("Trả kết quả (ký nhận)"),
		{head: "Ghi chú", chars: 16, mm: 27, align: 'L'},
	}
	rows := make([]sheetRow, 0, len(entries))
	for _, e := range entries {
		contact := strings.TrimSpace(e.Address)
		if ph := strings.TrimSpace(e.Phone); ph != "" {
			if contact != "" {
				contact += "; "
			}
			contact += "ĐT: " + ph
		}
		rows = append(rows, sheetRow{cells: []sheetCell{txt(strconv.Itoa(e.No)), txt(e.Code), txt(e.Procedure), num(e.Sets),
			txt(e.Owner), txt(contact), txt(e.Agency), when(e.ReceivedAt), when(e.DueAt), when(e.ForwardedAt),
			when(e.ResultAt), when(e.ReturnedAt), txt(e.Note)}})
	}
	book := clean(rd.Unit.Book)
	if book == "" {
		book = strconv.Itoa(p.From.Year())
	}
	subtitles := []string{"Quyển số: " + book, p.String()}
	left := []blockLine{strong(rd.reportUnit())}
	if pa := clean(rd.Unit.Parent); pa != "" {
		left = []blockLine{plain(strings.ToUpper(pa)), strong(rd.reportUnit())}
	}
	right := []blockLine{strong(tpl.Number)}
	if tpl.Basis != "" {
		right = append(right, plain("("+tpl.Basis+")"))
	}
	return sheet{
		name:       "So theo doi ho so",
		docTitle:   tpl.Title + " — " + p.String(),
		left:       left,
		right:      right,
		title:      []string{tpl.Title},
		subtitles:  subtitles,
		cols:       cols,
		colNumbers: true,
		freezeCols: 2,
		rows:       rows,
		empty:      "Không có hồ sơ nào được tiếp nhận trong kỳ.",
		notes: []string{"Ghi chú: sổ ghi các hồ sơ được tiếp nhận trong kỳ, theo thứ tự tiếp nhận; hồ sơ đăng ký trực tuyến " +
			"chưa được tiếp nhận không ghi vào sổ. Cột (12): người nhận kết quả ký nhận trên sổ giấy, hoặc xem sổ trả kết quả điện tử."},
		footer:   tpl.Title + ", " + lowerFirst(p.String()),
		xlsxSize: 10,
		pdfSize:  7.5,
	}
}
