package forms

import (
	"fmt"
	"io"
	"time"

	"motcua/domain"
)

// Reports and books print on A4 landscape: the page helpers of layout.go are drawn for
// portrait forms, so this file keeps its own geometry and reuses their text layout.
const (
	landW  = 297.0
	landH  = 210.0
	landML = 12.0
	landMR = 12.0
	landMT = 10.0
	landMB = 12.0
	landCW = landW - landML - landMR
)

// sheetPage is one landscape PDF being drawn.
type sheetPage struct {
	*page
	onNew func()
}

func newLandscape(title, subject string, now time.Time) *sheetPage {
	f := newPDF("L", landH, landW, landML, landMT, landMR, landMB, title, subject, now)
	return &sheetPage{page: &page{f: f, y: landMT}}
}

func (p *sheetPage) ensure(h float64) {
	if p.y+h > landH-landMB {
		p.f.AddPage()
		p.y = landMT
		if p.onNew != nil {
			p.onNew()
		}
	}
}

var (
	sheetHeadPara = para{size: 8.5, line: 3.8, align: 'C'}
	sheetHeadNote = para{size: 7, line: 3.1, align: 'C'}
	sheetNote     = para{size: 8.5, line: 4.1, align: 'J'}
)

// cellPara is how the table's rows are set: 8.5 points unless the sheet is denser.
func (sh sheet) cellPara() para {
	size := sh.pdfSize
	if size == 0 {
		size = 8.5
	}
	return para{size: size, line: size * 0.46}
}

// writePDF draws the sheet: header blocks, title, the table with its two heading rows
// repeated on every page, notes and signatures, and "Trang i/n" at the foot of each page.
func (sh sheet) writePDF(w io.Writer, now time.Time) (err error) {
	defer recoverPDF(&err)
	p := newLandscape(sh.docTitle, sh.footer, now)

	// Header blocks.
	blockW := landCW * 0.42
	y := p.y
	yl, yr := y, y
	block := func(l blockLine) []run {
		if l.bold {
			return []run{b(l.text)}
		}
		return []run{r(l.text)}
	}
	for _, l := range sh.left {
		yl += p.drawText(block(l), landML, yl, blockW, para{size: 10, line: 4.8, align: 'C'})
	}
	for _, l := range sh.right {
		yr += p.drawText(block(l), landW-landMR-blockW, yr, blockW, para{size: 10, line: 4.8, align: 'C'})
	}
	p.y = max(yl, yr) + 3
	for _, t := range sh.title {
		// One line if it can be had at a readable size: a title broken before the last
		// word of the unit's name looks careless.
		size := 13.0
		for p.measure(t, bold, size) > landCW && size > 11.5 {
			size -= 0.25
		}
		p.y += p.drawText([]run{b(t)}, landML, p.y, landCW, para{size: size, line: size * 0.48, align: 'C'})
	}
	for _, t := range sh.subtitles {
		p.y += p.drawText([]run{it(t)}, landML, p.y, landCW, para{size: 10.5, line: 5.2, align: 'C'})
	}
	p.y += 1.5
	if sh.unitLine != "" {
		p.y += p.drawText([]run{it(sh.unitLine)}, landML, p.y, landCW, para{size: 9, line: 4.4, align: 'R'})
	}

	// Column widths scaled to the page.
	total := 0.0
	for _, c := range sh.cols {
		total += c.mm
	}
	widths := make([]float64, len(sh.cols))
	for i, c := range sh.cols {
		widths[i] = c.mm * landCW / total
	}
	p.onNew = func() { sh.pdfHead(p, widths) }
	sh.pdfHead(p, widths)

	sheetCellPara := sh.cellPara()
	if len(sh.rows) == 0 && sh.empty != "" {
		h := p.textHeight([]run{it(sh.empty)}, landCW-2*padX, sheetCellPara) + 2*padY
		p.ensure(h)
		p.f.Rect(landML, p.y, landCW, h, "D")
		p.drawText([]run{it(sh.empty)}, landML+padX, p.y+padY, landCW-2*padX, para{size: 8.5, line: 3.9, align: 'C'})
		p.y += h
	}
	for _, row := range sh.rows {
		cells := make([]textCell, len(sh.cols))
		h := 0.0
		for i, c := range sh.cols {
			var v sheetCell
			if i < len(row.cells) {
				v = row.cells[i]
			}
			s := c.text(v)
			switch {
			case c.kind == kindDateTime && !v.t.IsZero():
				s = vn(v.t).Format("02/01/2006") + "\n" + vn(v.t).Format("15:04")
			case c.code:
				s = shortCode(s)
			case c.kind == kindInt:
				s = thousands(v.n)
			}
			st := sheetCellPara
			st.align = c.align
			if st.align == 0 {
				st.align = 'L'
			}
			runs := []run{r(s)}
			if row.total {
				runs = []run{b(s)}
			}
			cells[i] = textCell{runs: runs, st: st}
			h = max(h, cells[i].height(p.page, widths[i]))
		}
		p.ensure(h)
		x := landML
		for i, c := range cells {
			p.f.Rect(x, p.y, widths[i], h, "D")
			c.draw(p.page, x, p.y, widths[i], h)
			x += widths[i]
		}
		p.y += h
	}
	p.onNew = nil

	if len(sh.notes) > 0 {
		p.y += 2.5
		// The notes go with the signatures, so that these never stand alone on a page.
		nh := 0.0
		for _, n := range sh.notes {
			nh += p.textHeight([]run{it(n)}, landCW, sheetNote)
		}
		if len(sh.signers) > 0 && nh+sh.signatureHeight(p) <= landH-landMT-landMB {
			p.ensure(nh + sh.signatureHeight(p))
		}
		for _, n := range sh.notes {
			for i, l := range p.lines([]run{it(n)}, landCW, sheetNote) {
				p.ensure(sheetNote.line)
				p.drawLine(l, landML, p.y, landCW, sheetNote, i == 0)
				p.y += sheetNote.line
			}
		}
	}
	if len(sh.signers) > 0 {
		sh.pdfSignatures(p)
	}
	return sh.finishPDF(p, w)
}

// pdfHead draws the two heading rows (and the column numbers) at the cursor.
func (sh sheet) pdfHead(p *sheetPage, widths []float64) {
	sheetHeadPara := sheetHeadPara
	if sh.pdfSize != 0 && sh.pdfSize+0.5 < sheetHeadPara.size {
		sheetHeadPara.size, sheetHeadPara.line = sh.pdfSize+0.5, (sh.pdfSize+0.5)*0.45
	}
	h1, h2 := 0.0, 0.0
	for i := 0; i < len(sh.cols); {
		c := sh.cols[i]
		if c.group == "" {
			i++
			continue
		}
		j, gw := i, widths[i]
		for j+1 < len(sh.cols) && sh.cols[j+1].group == c.group {
			j++
			gw += widths[j]
		}
		h1 = max(h1, p.textHeight([]run{b(c.group)}, gw-2*padX, sheetHeadPara)+2*padY)
		for k := i; k <= j; k++ {
			h2 = max(h2, sh.headHeight(p, sh.cols[k], widths[k]))
		}
		i = j + 1
	}
	for i, c := range sh.cols {
		if c.group == "" {
			need := p.textHeight([]run{b(c.head)}, widths[i]-2*padX, sheetHeadPara) + 2*padY
			if need > h1+h2 {
				h2 += need - h1 - h2
			}
		}
	}
	numH := 0.0
	if sh.colNumbers {
		numH = 4.6
	}
	p.ensure(h1 + h2 + numH + 8)
	p.f.SetFillColor(235, 235, 235)
	box := func(x, y, w, h float64, text, note string) {
		p.f.Rect(x, y, w, h, "FD")
		th := p.textHeight([]run{b(text)}, w-2*padX, sheetHeadPara)
		nh := 0.0
		if note != "" {
			nh = p.textHeight([]run{it("(" + note + ")")}, w-2*padX, sheetHeadNote) + 0.6
		}
		top := y + (h-th-nh)/2
		p.drawText([]run{b(text)}, x+padX, top, w-2*padX, sheetHeadPara)
		if note != "" {
			p.drawText([]run{it("(" + note + ")")}, x+padX, top+th+0.6, w-2*padX, sheetHeadNote)
		}
	}
	x := landML
	for i := 0; i < len(sh.cols); {
		c := sh.cols[i]
		if c.group == "" {
			box(x, p.y, widths[i], h1+h2, c.head, c.note)
			x += widths[i]
			i++
			continue
		}
		j, gw := i, widths[i]
		for j+1 < len(sh.cols) && sh.cols[j+1].group == c.group {
			j++
			gw += widths[j]
		}
		box(x, p.y, gw, h1, c.group, "")
		for k := i; k <= j; k++ {
			box(x, p.y+h1, widths[k], h2, sh.cols[k].head, sh.cols[k].note)
			x += widths[k]
		}
		i = j + 1
	}
	p.y += h1 + h2
	if sh.colNumbers {
		x = landML
		st := para{size: 7.5, line: numH, align: 'C'}
		for i := range sh.cols {
			p.f.Rect(x, p.y, widths[i], numH, "D")
			p.drawText([]run{it(fmt.Sprintf("(%d)", i+1))}, x, p.y, widths[i], st)
			x += widths[i]
		}
		p.y += numH
	}
}

// headHeight is the height of a column's own heading box: the heading and its note.
func (sh sheet) headHeight(p *sheetPage, c sheetCol, w float64) float64 {
	st := sheetHeadPara
	if sh.pdfSize != 0 && sh.pdfSize+0.5 < st.size {
		st.size, st.line = sh.pdfSize+0.5, (sh.pdfSize+0.5)*0.45
	}
	h := p.textHeight([]run{b(c.head)}, w-2*padX, st) + 2*padY
	if c.note != "" {
		h += p.textHeight([]run{it("(" + c.note + ")")}, w-2*padX, sheetHeadNote) + 0.6
	}
	return h
}

// pdfSignatures draws the date line and the signature blocks, kept together.
func (sh sheet) pdfSignatures(p *sheetPage) {
	n := len(sh.signers)
	colW := landCW / float64(max(n, 2))
	h := sh.signatureHeight(p)
	p.ensure(h)
	p.y += 3
	if sh.dateLine != "" {
		p.y += p.drawText([]run{it(sh.dateLine)}, landW-landMR-colW, p.y, colW, para{size: 10.5, line: 5.6, align: 'C'})
	}
	for i, s := range sh.signers {
		x := landML + float64(i)*colW
		if n == 1 || i == n-1 {
			x = landW - landMR - colW
		}
		y := p.y
		y += p.drawText([]run{b(s.title)}, x, y, colW, signTitle)
		y += p.drawText([]run{it(s.note)}, x, y, colW, signNote)
		if s.name != "" {
			p.drawText([]run{b(s.name)}, x, y+sheetSignSpace, colW, signTitle)
		}
	}
	p.y += h
}

// signatureHeight is the height of the date line and the signature blocks.
func (sh sheet) signatureHeight(p *sheetPage) float64 {
	colW := landCW / float64(max(len(sh.signers), 2))
	h := 0.0
	for _, s := range sh.signers {
		hh := p.textHeight([]run{b(s.title)}, colW, signTitle) + p.textHeight([]run{it(s.note)}, colW, signNote) + sheetSignSpace
		if s.name != "" {
			hh += p.textHeight([]run{b(s.name)}, colW, signTitle)
		}
		h = max(h, hh)
	}
	if sh.dateLine != "" {
		h += 5.6
	}
	return h + 3
}

// sheetSignSpace is the room left for a signature and seal under a report.
const sheetSignSpace = 20.0

// finishPDF numbers the pages ("tên sổ – Trang i/n") and writes the file.
func (sh sheet) finishPDF(p *sheetPage, w io.Writer) error {
	n := p.f.PageCount()
	st := para{size: 8, line: 4, align: 'C'}
	for i := 1; i <= n; i++ {
		p.f.SetPage(i)
		p.font(regular, 1) // see page.finish: force the font into this page's stream
		text := fmt.Sprintf("Trang %d/%d", i, n)
		if sh.footer != "" {
			text = sh.footer + " – " + text
		}
		p.drawText([]run{it(text)}, landML, landH-8.5, landCW, st)
	}
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("tạo tệp PDF: %w", err)
	}
	if err := p.f.Output(w); err != nil {
		return fmt.Errorf("ghi tệp PDF: %w", err)
	}
	return nil
}

// thousands writes a count the Vietnamese way: 1.234.
func thousands(n int) string { return domain.FormatNumber(int64(n)) }
