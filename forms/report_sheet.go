package forms

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"motcua/domain"
)

// Reports and books are tables with a title block: a sheet. One sheet is written as
// XLSX (excelize), PDF (A4 landscape, report_pdf.go) or CSV, so the three always carry
// the same figures and headings.

// ReportFormat is the file format of a report or a book.
type ReportFormat string

// Report formats.
const (
	FormatXLSX ReportFormat = "xlsx"
	FormatPDF  ReportFormat = "pdf"
	FormatCSV  ReportFormat = "csv"
)

// ParseReportFormat reads a format name (xlsx, pdf or csv, in any case).
func ParseReportFormat(s string) (ReportFormat, error) {
	switch f := ReportFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatXLSX, FormatPDF, FormatCSV:
		return f, nil
	}
	return "", incomplete("report.format", fmt.Sprintf("Định dạng «%s» không được hỗ trợ: chọn xlsx, pdf hoặc csv.", s))
}

type colKind int

const (
	kindText colKind = iota
	kindInt
	kindDateTime // date and time: "13/02/2026 16:00"
)

// sheetCol is one column: its heading (under a group heading shared by neighbouring
// columns, or alone over both heading rows), kind and widths.
type sheetCol struct {
	group string  // first-level heading; "" when the column's heading spans both rows
	head  string  // the column's own heading
	kind  colKind //
	chars float64 // XLSX width, in characters
	mm    float64 // PDF width, in millimetres (scaled to the page)
	align byte    // 'L', 'C' or 'R'
	csv   string  // CSV heading; default group + ": " + head
	code  bool    // a dossier code: the PDF wraps it after the unit part
	note  string  // printed in italics under the heading (PDF, XLSX), not in the CSV
}

// sheetCell is a value; which field counts depends on its column's kind.
type sheetCell struct {
	s string
	n int
	t time.Time
}

func txt(s string) sheetCell     { return sheetCell{s: clean(s)} }
func num(n int) sheetCell        { return sheetCell{n: n} }
func when(t time.Time) sheetCell { return sheetCell{t: t} }

// blockLine is a line of a header block.
type blockLine struct {
	text string
	bold bool
}

func plain(s string) blockLine  { return blockLine{text: s} }
func strong(s string) blockLine { return blockLine{text: s, bold: true} }

type sheetRow struct {
	cells []sheetCell
	total bool // the total row, in bold
}

// sheet is a report or a book ready to be written.
type sheet struct {
	name       string      // XLSX worksheet name (≤ 31 characters)
	docTitle   string      // document title (PDF metadata, XLSX properties)
	left       []blockLine // header block at top left
	right      []blockLine // header block at top right
	title      []string    // title lines, bold, centred
	subtitles  []string    // italic lines under the title
	unitLine   string      // small line at right above the table, e.g. "Đơn vị tính: hồ sơ"
	cols       []sheetCol
	colNumbers bool // a row numbering the columns (1), (2)… as official forms do
	freezeCols int  // columns kept in view when scrolling right (XLSX)
	rows       []sheetRow
	empty      string   // printed in place of rows when there are none
	notes      []string // under the table
	dateLine   string   // place and date over the signatures
	signers    []signer // left to right
	footer     string   // PDF footer before "Trang i/n"
	xlsxSize   float64  // XLSX font size of headings and rows (default 11)
	pdfSize    float64  // PDF font size of the rows (default 8.5)
}

func (c sheetCol) csvHead() string {
	if c.csv != "" {
		return c.csv
	}
	if c.group != "" {
		return c.group + ": " + c.head
	}
	return c.head
}

// text is a cell as text: numbers plain, times "dd/mm/yyyy HH:MM" in Vietnam time.
func (c sheetCol) text(v sheetCell) string {
	switch c.kind {
	case kindInt:
		return strconv.Itoa(v.n)
	case kindDateTime:
		if v.t.IsZero() {
			return ""
		}
		return vn(v.t).Format("02/01/2006 15:04")
	}
	return v.s
}

func (sh sheet) write(w io.Writer, f ReportFormat, now time.Time) error {
	switch f {
	case FormatXLSX:
		return sh.writeXLSX(w, now)
	case FormatPDF:
		return sh.writePDF(w, now)
	case FormatCSV:
		return sh.writeCSV(w)
	}
	_, err := ParseReportFormat(string(f))
	return err
}

// --- CSV ---

// writeCSV writes the table alone (one heading row, the rows, the total), UTF-8 with a
// byte-order mark so that Excel opens Vietnamese text correctly, CRLF line ends.
func (sh sheet) writeCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("ghi tệp CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := make([]string, len(sh.cols))
	for i, c := range sh.cols {
		head[i] = c.csvHead()
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("ghi tệp CSV: %w", err)
	}
	for _, r := range sh.rows {
		rec := make([]string, len(sh.cols))
		for i, c := range sh.cols {
			if i < len(r.cells) {
				rec[i] = strings.ReplaceAll(c.text(r.cells[i]), "\n", " ")
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("ghi tệp CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("ghi tệp CSV: %w", err)
	}
	return nil
}

// --- XLSX ---

// xlsxFont is the font of administrative documents (Decree 30/2020: Times New Roman).
const xlsxFont = "Times New Roman"

type xlsxStyles struct {
	title, subtitle, blockBold, block, unitLine, head, colNo, text, textC, int, intC, date, totalText, totalInt, note, signTitle, signNote int
}

func newXLSXStyles(f *excelize.File, size float64) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := func(size float64, bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: xlsxFont, Size: size, Bold: bold, Italic: italic}
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	dateFmt := "dd/mm/yyyy hh:mm"
	intFmt := 3 // #,##0
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&st.title, excelize.Style{Font: font(14, true, false), Alignment: center}},
		{&st.subtitle, excelize.Style{Font: font(12, false, true), Alignment: center}},
		{&st.blockBold, excelize.Style{Font: font(12, true, false), Alignment: center}},
		{&st.block, excelize.Style{Font: font(12, false, false), Alignment: center}},
		{&st.unitLine, excelize.Style{Font: font(11, false, true), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&st.head, excelize.Style{Font: font(size, true, false), Alignment: center, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}}},
		{&st.colNo, excelize.Style{Font: font(size-1, false, true), Alignment: center, Border: border}},
		{&st.text, excelize.Style{Font: font(size, false, false), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&st.textC, excelize.Style{Font: font(size, false, false), Border: border, Alignment: center}},
		{&st.int, excelize.Style{Font: font(size, false, false), Border: border, NumFmt: intFmt,
			Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&st.intC, excelize.Style{Font: font(size, false, false), Border: border, NumFmt: intFmt, Alignment: center}},
		{&st.date, excelize.Style{Font: font(size, false, false), Border: border, CustomNumFmt: &dateFmt, Alignment: center}},
		{&st.totalText, excelize.Style{Font: font(size, true, false), Border: border, Alignment: center}},
		{&st.totalInt, excelize.Style{Font: font(size, true, false), Border: border, NumFmt: intFmt,
			Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&st.note, excelize.Style{Font: font(11, false, true), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&st.signTitle, excelize.Style{Font: font(12, true, false), Alignment: center}},
		{&st.signNote, excelize.Style{Font: font(11, false, true), Alignment: center}},
	}
	for _, d := range defs {
		if *d.id, err = f.NewStyle(&d.s); err != nil {
			return st, err
		}
	}
	return st, nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// naive is t's wall clock in Vietnam as a UTC time: Excel has no time zones.
func naive(t time.Time) time.Time {
	l := vn(t)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// writeXLSX lays the sheet out as the paper form: header blocks, title, two heading rows
// merged as on the form, column numbers, rows with number and date formats, the total in
// bold, notes and signatures; headings frozen and repeated on every printed page.
func (sh sheet) writeXLSX(w io.Writer, now time.Time) (err error) {
	f := excelize.NewFile()
	defer f.Close()
	name := sh.name
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("tạo tệp Excel: %w", err)
	}
	size := sh.xlsxSize
	if size == 0 {
		size = 11
	}
	st, err := newXLSXStyles(f, size)
	if err != nil {
		return fmt.Errorf("tạo tệp Excel: %w", err)
	}
	n := len(sh.cols)
	var errs []error
	check := func(e error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	merge := func(c1, r1, c2, r2, style int, v any) {
		if c2 > c1 || r2 > r1 {
			check(f.MergeCell(name, cellName(c1, r1), cellName(c2, r2)))
		}
		if v != nil {
			check(f.SetCellValue(name, cellName(c1, r1), v))
		}
		check(f.SetCellStyle(name, cellName(c1, r1), cellName(c2, r2), style))
	}
	for i, c := range sh.cols {
		col := cellName(i+1, 1)
		col = col[:len(col)-1]
		check(f.SetColWidth(name, col, col, c.chars))
	}

	// Header blocks: the left one over about the first third of the columns, the right
	// one over the last third.
	row := 1
	split := max(2, n*2/5)
	for i := 0; i < max(len(sh.left), len(sh.right)); i++ {
		for _, side := range []struct {
			lines    []blockLine
			from, to int
		}{{sh.left, 1, split}, {sh.right, n - split + 1, n}} {
			if i < len(side.lines) {
				s := st.block
				if side.lines[i].bold {
					s = st.blockBold
				}
				merge(side.from, row, side.to, row, s, side.lines[i].text)
			}
		}
		row++
	}
	row++
	for _, t := range sh.title {
		merge(1, row, n, row, st.title, t)
		check(f.SetRowHeight(name, row, 21))
		row++
	}
	for _, t := range sh.subtitles {
		merge(1, row, n, row, st.subtitle, t)
		row++
	}
	if sh.unitLine != "" {
		merge(n-split+1, row, n, row, st.unitLine, sh.unitLine)
	}
	row++

	// Two heading rows, merged as on the paper form.
	head1, head2 := row, row+1
	for i := 0; i < n; {
		c := sh.cols[i]
		if c.group == "" {
			merge(i+1, head1, i+1, head2, st.head, c.head)
			i++
			continue
		}
		j := i
		for j+1 < n && sh.cols[j+1].group == c.group {
			j++
		}
		merge(i+1, head1, j+1, head1, st.head, c.group)
		for k := i; k <= j; k++ {
			merge(k+1, head2, k+1, head2, st.head, sh.cols[k].head)
			if n := sh.cols[k].note; n != "" {
				check(f.SetCellRichText(name, cellName(k+1, head2), []excelize.RichTextRun{
					{Text: sh.cols[k].head, Font: &excelize.Font{Family: xlsxFont, Size: size, Bold: true}},
					{Text: "\n(" + n + ")", Font: &excelize.Font{Family: xlsxFont, Size: size - 2, Italic: true}},
				}))
			}
		}
		i = j + 1
	}
	check(f.SetRowHeight(name, head1, 33))
	headLines := 3
	for _, c := range sh.cols {
		if c.note != "" {
			headLines = max(headLines, wrappedLines(c.head, c.chars)+wrappedLines("("+c.note+")", c.chars*size/(size-2)))
		}
	}
	check(f.SetRowHeight(name, head2, max(48, float64(headLines)*size*1.3+4)))
	lastHead := head2
	row = head2 + 1
	if sh.colNumbers {
		for i := range sh.cols {
			merge(i+1, row, i+1, row, st.colNo, fmt.Sprintf("(%d)", i+1))
		}
		lastHead = row
		row++
	}

	if len(sh.rows) == 0 && sh.empty != "" {
		merge(1, row, n, row, st.textC, sh.empty)
		row++
	}
	for _, r := range sh.rows {
		// Spreadsheets do not grow a row for wrapped text when they open a file: give the
		// height the longest cell needs.
		lines := 1
		for i, c := range sh.cols {
			if c.kind == kindText && i < len(r.cells) {
				lines = max(lines, wrappedLines(r.cells[i].s, c.chars*11.5/size))
			}
		}
		if lines > 1 {
			check(f.SetRowHeight(name, row, float64(lines)*size*1.3+3))
		}
		for i, c := range sh.cols {
			var v sheetCell
			if i < len(r.cells) {
				v = r.cells[i]
			}
			cell := cellName(i+1, row)
			style := st.text
			switch {
			case c.kind == kindInt:
				check(f.SetCellValue(name, cell, v.n))
				style = st.int
				if c.align == 'C' {
					style = st.intC
				}
				if r.total {
					style = st.totalInt
				}
			case c.kind == kindDateTime:
				if !v.t.IsZero() {
					check(f.SetCellValue(name, cell, naive(v.t)))
				}
				style = st.date
			default:
				check(f.SetCellValue(name, cell, v.s))
				if c.align == 'C' {
					style = st.textC
				}
				if r.total {
					style = st.totalText
				}
			}
			check(f.SetCellStyle(name, cell, cell, style))
		}
		row++
	}

	row++
	for _, note := range sh.notes {
		merge(1, row, n, row, st.note, note)
		// Wrapped text in merged cells does not grow the row by itself.
		lines := 1 + len([]rune(note))/int(max(20, totalChars(sh.cols)*1.5))
		check(f.SetRowHeight(name, row, 16*float64(lines)+2))
		row++
	}
	if len(sh.signers) > 0 {
		row++
		if sh.dateLine != "" {
			merge(n-split+1, row, n, row, st.subtitle, sh.dateLine)
			row++
		}
		spans := signerSpans(n, len(sh.signers))
		for i, s := range sh.signers {
			merge(spans[i][0], row, spans[i][1], row, st.signTitle, s.title)
			merge(spans[i][0], row+1, spans[i][1], row+1, st.signNote, s.note)
			if s.name != "" {
				merge(spans[i][0], row+6, spans[i][1], row+6, st.signTitle, s.name)
			}
		}
	}

	// Headings stay in view and print on every page; A4 landscape, fitted to the width.
	check(f.SetPanes(name, &excelize.Panes{Freeze: true, XSplit: sh.freezeCols, YSplit: lastHead,
		TopLeftCell: cellName(sh.freezeCols+1, lastHead+1), ActivePane: "bottomRight"}))
	check(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, head1, lastHead), Scope: name}))
	paper, orient, one, zero, fit := 9, "landscape", 1, 0, true
	check(f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &paper, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	check(f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	margin, top := 0.4, 0.5
	check(f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &top, Bottom: &top}))
	check(f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&C&\"" + xlsxFont + ",Italic\"&9Trang &P/&N"}))
	check(f.SetDocProps(&excelize.DocProperties{Title: sh.docTitle, Creator: "motcua", Language: "vi-VN",
		Created: now.UTC().Format(time.RFC3339), Modified: now.UTC().Format(time.RFC3339)}))
	if len(errs) > 0 {
		return fmt.Errorf("tạo tệp Excel: %w", errs[0])
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("ghi tệp Excel: %w", err)
	}
	return nil
}

// wrappedLines estimates how many lines text takes in a column about width characters
// wide, wrapping at spaces and after hyphens.
func wrappedLines(text string, width float64) int {
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n++
		used := 0.0
		for _, w := range strings.FieldsFunc(strings.ReplaceAll(para, "-", "- "), breakable) {
			l := float64(len([]rune(w)))
			switch {
			case used == 0:
				used = l
			case used+1+l <= width:
				used += 1 + l
			default:
				n++
				used = l
			}
			for used > width {
				n++
				used -= width
			}
		}
	}
	return max(n, 1)
}

func totalChars(cols []sheetCol) float64 {
	t := 0.0
	for _, c := range cols {
		t += c.chars
	}
	return t
}

// signerSpans divides n columns among k signature blocks: the first at the left, the
// last at the right, any between in the middle.
func signerSpans(n, k int) [][2]int {
	out := make([][2]int, k)
	w := max(1, n/max(k, 2))
	for i := range out {
		out[i] = [2]int{1 + i*w, (i + 1) * w}
	}
	if k > 1 {
		out[k-1] = [2]int{n - w + 1, n}
	} else {
		out[0] = [2]int{n - w + 1, n}
	}
	return out
}

// --- shared pieces ---

// reportUnit is the unit's name for a title: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ AN HƯNG".
func (rd Renderer) reportUnit() string {
	return strings.ToUpper(rd.unitName())
}

// template returns a report's template as in force today: from the renderer's form data
// under id (so numbering can change with the law without a new build), else from the
// embedded data (a form file older than the report), else the default given.
func (rd Renderer) template(id string, def Template) Template {
	if t, ok := rd.T.For(id, rd.now()); ok && strings.TrimSpace(t.Title) != "" {
		return t
	}
	if t, ok := DefaultTemplates().For(id, rd.now()); ok && strings.TrimSpace(t.Title) != "" {
		return t
	}
	return def
}

// shortCode breaks a dossier code after its unit part so a narrow column wraps it there.
func shortCode(code string) string {
	if c, err := domain.ParseDossierCode(code); err == nil {
		s := c.String()
		if i := strings.Index(s, "-"); i > 0 {
			return s[:i+1] + "\n" + s[i+1:]
		}
	}
	return code
}
