package forms

import (
	"io"
	"strconv"
	"strings"

	"motcua/domain"
)

// defaultReturnBook has no official form number: the electronic result-return book is
// kept by the one-stop software (override in forms.json under "return_book").
var defaultReturnBook = Template{
	Title:    "SỔ TRẢ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
	Subtitle: "Sổ điện tử",
}

// ReturnBook writes the electronic result-return book of a period as XLSX, PDF or CSV.
// Staff usernames become names through Renderer.StaffName.
func (rd Renderer) ReturnBook(w io.Writer, f ReportFormat, p domain.Period, entries []domain.ReturnEntry) error {
	return rd.returnSheet(p, entries).write(w, f, rd.now())
}

// returnMethod names a hand-over method briefly, for a narrow column.
func returnMethod(m string) string {
	switch m {
	case domain.HandOverCounter:
		return "Tại Bộ phận một cửa"
	case domain.HandOverPost:
		return "Qua bưu chính công ích"
	case domain.HandOverElectronic:
		return "Trả kết quả điện tử"
	}
	return clean(m)
}

func (rd Renderer) returnSheet(p domain.Period, entries []domain.ReturnEntry) sheet {
	tpl := rd.template(FormReturnBook, defaultReturnBook)
	const who = "Người nhận kết quả"
	cols := []sheetCol{
		{head: "TT", chars: 5, mm: 8, align: 'C'},
		{head: "Thời gian trả", kind: kindDateTime, chars: 15.5, mm: 19, align: 'C'},
		{head: "Mã hồ sơ", chars: 15, mm: 28, align: 'L', code: true},
		{head: "Tên thủ tục hành chính", chars: 22, mm: 38, align: 'L'},
		{head: "Cán bộ trả kết quả", chars: 16, mm: 27, align: 'L'},
		{group: who, head: "Họ và tên", chars: 16, mm: 29, align: 'L', csv: "Người nhận"},
		{group: who, head: "Số định danh cá nhân", chars: 14, mm: 24, align: 'C', csv: "Số định danh người nhận"},
		{group: who, head: "Ủy quyền", chars: 16, mm: 27, align: 'L', csv: "Ủy quyền"},
		{head: "Kết quả, giấy tờ trả", chars: 22, mm: 45, align: 'L'},
		{head: "Hình thức trả", chars: 14, mm: 28, align: 'L'},
	}
	rows := make([]sheetRow, 0, len(entries))
	for _, e := range entries {
		auth := "Không"
		if e.Authorized {
			auth = "Được ủy quyền"
			if a := strings.TrimSpace(e.Authority); a != "" {
				auth += " (" + a + ")"
			}
		}
		rows = append(rows, sheetRow{cells: []sheetCell{txt(strconv.Itoa(e.No)), when(e.At), txt(e.Code), txt(e.Procedure),
			txt(rd.staffName(e.Giver)), txt(e.Recipient), txt(e.RecipientID), txt(auth), txt(e.Documents), txt(returnMethod(e.Method))}})
	}
	left := []blockLine{strong(rd.reportUnit())}
	if pa := clean(rd.Unit.Parent); pa != "" {
		left = []blockLine{plain(strings.ToUpper(pa)), strong(rd.reportUnit())}
	}
	var right []blockLine
	if tpl.Number != "" {
		right = []blockLine{strong(tpl.Number)}
	}
	subtitles := []string{p.String()}
	if tpl.Subtitle != "" {
		subtitles = []string{"(" + tpl.Subtitle + ")", p.String()}
	}
	return sheet{
		name:       "So tra ket qua",
		docTitle:   tpl.Title + " — " + p.String(),
		left:       left,
		right:      right,
		title:      []string{tpl.Title},
		subtitles:  subtitles,
		cols:       cols,
		colNumbers: true,
		freezeCols: 3,
		rows:       rows,
		empty:      "Không có kết quả nào được trả trong kỳ.",
		footer:     tpl.Title + ", " + lowerFirst(p.String()),
		xlsxSize:   10,
		pdfSize:    8,
	}
}
