package forms

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2/theme"
	"github.com/go-pdf/fpdf"
)

// Page geometry, in millimetres: A4 portrait with the margins of an administrative form.
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 20.0
	marginR  = 15.0
	marginT  = 12.0
	marginB  = 14.0
	contentW = pageW - marginL - marginR

	bodySize = 10.5 // points
	bodyLine = 5.2  // line height of body text
	ptMM     = 25.4 / 72

	family = "NotoSans"
)

// Font styles (fpdf's notation).
const (
	regular = ""
	bold    = "B"
	italic  = "I"
)

// run is a piece of text in one style; a paragraph is a list of runs.
type run struct {
	text  string
	style string
}

func r(text string) run  { return run{text, regular} }
func b(text string) run  { return run{text, bold} }
func it(text string) run { return run{text, italic} }

// para is how a paragraph is set.
type para struct {
	size   float64 // points
	line   float64 // line height, mm
	align  byte    // 'L', 'C', 'R' or 'J' (justified)
	indent float64 // first-line indent, mm
}

var (
	body     = para{size: bodySize, line: bodyLine, align: 'L'}
	bodyJust = para{size: bodySize, line: bodyLine, align: 'J'}
)

// page is one PDF being drawn. It keeps its own cursor (y) and breaks pages itself, so a
// table can repeat its header and a signature block never splits.
type page struct {
	f        *fpdf.Fpdf
	sections []int // first page of each section after the first (a copy of a form printed twice)
	y        float64
	footer   string // printed on every page with "Trang i/n" when the form runs onto more pages
	onNew    func() // called after a page break (a table redraws its header)
}

// newPage starts a portrait A4 PDF with Fyne's bundled Noto Sans embedded (it covers Vietnamese).
func newPage(title, subject string, now time.Time) *page {
	return &page{f: newPDF("P", pageW, pageH, marginL, marginT, marginR, marginB, title, subject, now), y: marginT}
}

// newPDF makes an fpdf document of the given orientation, size and margins with the fonts
// and metadata every motcua form carries, and adds its first page.
func newPDF(orientation string, w, h, ml, mt, mr, mb float64, title, subject string, now time.Time) *fpdf.Fpdf {
	f := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}, OrientationStr: orientation})
	f.SetMargins(ml, mt, mr)
	f.SetAutoPageBreak(false, mb)
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(family, regular, theme.DefaultTextFont().Content())
	f.AddUTF8FontFromBytes(family, bold, theme.DefaultTextBoldFont().Content())
	f.AddUTF8FontFromBytes(family, italic, theme.DefaultTextItalicFont().Content())
	f.SetTitle(title, true)
	f.SetSubject(subject, true)
	f.SetCreator("motcua", true)
	f.SetProducer("motcua", true)
	f.SetLang("vi-VN")
	f.SetCreationDate(now)
	f.SetModificationDate(now)
	f.SetCatalogSort(true)
	f.SetDrawColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	f.SetLineWidth(0.2)
	f.AddPage()
	return f
}

func (p *page) font(style string, size float64) { p.f.SetFont(family, style, size) }

func (p *page) measure(s, style string, size float64) float64 {
	p.font(style, size)
	return p.f.GetStringWidth(s)
}

// bottom is the lowest y content may reach.
func (p *page) bottom() float64 { return pageH - marginB }

// ensure breaks the page unless h more millimetres fit.
func (p *page) ensure(h float64) {
	if p.y+h > p.bottom() {
		p.newPage()
	}
}

func (p *page) newPage() {
	p.f.AddPage()
	p.y = marginT
	if p.onNew != nil {
		p.onNew()
	}
}

func (p *page) gap(h float64) { p.y += h }

// newSection starts a new page that begins a new copy of the form: pages are numbered
// within each copy.
func (p *page) newSection() {
	p.onNew = nil
	p.f.AddPage()
	p.y = marginT
	p.sections = append(p.sections, p.f.PageCount())
}

// sectionOf returns the first and last page of the section holding page i.
func (p *page) sectionOf(i int) (first, last int) {
	first, last = 1, p.f.PageCount()
	for _, s := range p.sections {
		if s <= i {
			first = s
		} else {
			last = s - 1
			break
		}
	}
	return first, last
}

// --- text layout: words in several styles, wrapped greedily ---

type seg struct {
	text  string
	style string
	w     float64
}

// word is an unbreakable unit: runs glued without a space ("(" "bold" ")") stay together.
type word struct {
	segs []seg
	w    float64
}

type line struct {
	words []word
	last  bool // ends a paragraph or a forced break: never justified
}

// words splits runs into words; a nil word marks a forced line break ("\n").
func (p *page) words(runs []run, size float64) []*word {
	var out []*word
	glue := false
	for _, rn := range runs {
		for i, part := range strings.Split(printable(rn.text), "\n") {
			if i > 0 {
				out = append(out, nil)
				glue = false
			}
			rest := part
			for {
				trimmed := strings.TrimLeftFunc(rest, breakable)
				if len(trimmed) != len(rest) {
					glue = false
				}
				rest = trimmed
				if rest == "" {
					break
				}
				end := strings.IndexFunc(rest, breakable)
				if end < 0 {
					end = len(rest)
				}
				s := seg{text: rest[:end], style: rn.style}
				s.w = p.measure(s.text, s.style, size)
				rest = rest[end:]
				if glue && len(out) > 0 && out[len(out)-1] != nil {
					w := out[len(out)-1]
					w.segs = append(w.segs, s)
					w.w += s.w
				} else {
					out = append(out, &word{segs: []seg{s}, w: s.w})
				}
				glue = true
			}
		}
	}
	return out
}

func (p *page) spaceW(w word, size float64) float64 {
	return p.measure(" ", w.segs[len(w.segs)-1].style, size)
}

// split breaks a word wider than the line into pieces that fit (a long code or URL).
func (p *page) split(w word, width, size float64) []word {
	var out []word
	var cur word
	for _, s := range w.segs {
		var buf []rune
		flush := func() {
			if len(buf) > 0 {
				t := string(buf)
				sw := p.measure(t, s.style, size)
				cur.segs = append(cur.segs, seg{text: t, style: s.style, w: sw})
				cur.w += sw
				buf = nil
			}
		}
		for _, c := range s.text {
			cw := p.measure(string(c), s.style, size)
			if cur.w+p.measure(string(buf), s.style, size)+cw > width && (len(buf) > 0 || len(cur.segs) > 0) {
				flush()
				out = append(out, cur)
				cur = word{}
			}
			buf = append(buf, c)
		}
		flush()
	}
	if len(cur.segs) > 0 {
		out = append(out, cur)
	}
	return out
}

// lines wraps runs to a width; the first line is narrower by indent.
func (p *page) lines(runs []run, width float64, st para) []line {
	var out []line
	var cur []word
	curW := 0.0
	avail := func() float64 {
		if len(out) == 0 {
			return width - st.indent
		}
		return width
	}
	flush := func(last bool) {
		out = append(out, line{words: cur, last: last})
		cur, curW = nil, 0
	}
	for _, w := range p.words(runs, st.size) {
		if w == nil {
			flush(true)
			continue
		}
		sp := 0.0
		if len(cur) > 0 {
			sp = p.spaceW(cur[len(cur)-1], st.size)
		}
		if len(cur) > 0 && curW+sp+w.w > avail() {
			flush(false)
			sp = 0
		}
		if w.w > avail() {
			pieces := p.split(*w, avail(), st.size)
			for _, pc := range pieces[:len(pieces)-1] {
				cur = []word{pc}
				flush(false)
			}
			*w = pieces[len(pieces)-1]
		}
		cur = append(cur, *w)
		curW += sp + w.w
	}
	if len(cur) > 0 || len(out) == 0 {
		flush(true)
	}
	return out
}

// drawLine draws one wrapped line in a box whose top is y.
func (p *page) drawLine(l line, x, y, width float64, st para, first bool) {
	if first {
		x += st.indent
		width -= st.indent
	}
	total := 0.0
	spaces := make([]float64, len(l.words))
	for i, w := range l.words {
		total += w.w
		if i > 0 {
			spaces[i] = p.spaceW(l.words[i-1], st.size)
			total += spaces[i]
		}
	}
	extra := 0.0
	switch st.align {
	case 'C':
		x += (width - total) / 2
	case 'R':
		x += width - total
	case 'J':
		if !l.last && len(l.words) > 1 {
			extra = (width - total) / float64(len(l.words)-1)
		}
	}
	base := y + st.line/2 + 0.3*st.size*ptMM
	for i, w := range l.words {
		if i > 0 {
			x += spaces[i] + extra
		}
		for _, s := range w.segs {
			p.font(s.style, st.size)
			p.f.Text(x, base, s.text)
			x += s.w
		}
	}
}

// textHeight is the height runs take when wrapped to width.
func (p *page) textHeight(runs []run, width float64, st para) float64 {
	return float64(len(p.lines(runs, width, st))) * st.line
}

// drawText draws wrapped runs at (x, y) without breaking the page; it returns the height.
func (p *page) drawText(runs []run, x, y, width float64, st para) float64 {
	ls := p.lines(runs, width, st)
	for i, l := range ls {
		p.drawLine(l, x, y+float64(i)*st.line, width, st, i == 0)
	}
	return float64(len(ls)) * st.line
}

// write flows a paragraph at the cursor across the content width, breaking the page
// between lines when needed.
func (p *page) write(st para, runs ...run) {
	p.writeAt(marginL, contentW, st, runs...)
}

func (p *page) writeAt(x, width float64, st para, runs ...run) {
	for i, l := range p.lines(runs, width, st) {
		p.ensure(st.line)
		p.drawLine(l, x, p.y, width, st, i == 0)
		p.y += st.line
	}
}

// field writes "Label: value" with the value in bold, or dots to fill in by hand.
func (p *page) field(label, value string) {
	p.write(body, r(label+": "), b(orDots(value)))
}

// rule draws a horizontal line.
func (p *page) rule(x1, x2, y, width float64) {
	p.f.SetLineWidth(width)
	p.f.Line(x1, y, x2, y)
	p.f.SetLineWidth(0.2)
}

// --- tables ---

type column struct {
	head  string
	width float64
	sub   string // printed under the head in italics, e.g. the values a column takes
}

// cell is one cell of a table row: it says how tall it needs to be and draws itself.
type cell interface {
	height(p *page, width float64) float64
	draw(p *page, x, y, width, height float64)
}

const (
	padX = 1.5
	padY = 1.0
)

// textCell is wrapped text, centred vertically.
type textCell struct {
	runs []run
	st   para
}

func tc(align byte, runs ...run) textCell {
	return textCell{runs: runs, st: para{size: 10, line: 4.6, align: align}}
}

func (c textCell) height(p *page, width float64) float64 {
	return p.textHeight(c.runs, width-2*padX, c.st) + 2*padY
}

func (c textCell) draw(p *page, x, y, width, height float64) {
	h := p.textHeight(c.runs, width-2*padX, c.st)
	p.drawText(c.runs, x+padX, y+(height-h)/2, width-2*padX, c.st)
}

// table draws a bordered table at the cursor. A row never splits: when it does not fit,
// the table continues on a new page under a repeated header row.
func (p *page) table(cols []column, rows [][]cell) {
	head := make([]cell, len(cols))
	for i, c := range cols {
		runs := []run{b(c.head)}
		if c.sub != "" {
			runs = append(runs, it("\n"+c.sub))
		}
		head[i] = textCell{runs: runs, st: para{size: 9.5, line: 4.4, align: 'C'}}
	}
	rowH := func(row []cell) float64 {
		h := 0.0
		for i, c := range row {
			h = max(h, c.height(p, cols[i].width))
		}
		return h
	}
	drawRow := func(row []cell, h float64, fill bool) {
		x := marginL
		for i, c := range row {
			if fill {
				p.f.SetFillColor(235, 235, 235)
				p.f.Rect(x, p.y, cols[i].width, h, "FD")
			} else {
				p.f.Rect(x, p.y, cols[i].width, h, "D")
			}
			c.draw(p, x, p.y, cols[i].width, h)
			x += cols[i].width
		}
		p.y += h
	}
	headH := rowH(head)
	first := 0.0
	if len(rows) > 0 {
		first = rowH(rows[0])
	}
	p.ensure(headH + first)
	drawRow(head, headH, true)
	prev := p.onNew
	p.onNew = func() { drawRow(head, headH, true) }
	defer func() { p.onNew = prev }()
	for _, row := range rows {
		h := rowH(row)
		p.ensure(h)
		drawRow(row, h, false)
	}
}

// --- signatures ---

// signer is one signature block: title, how to sign, and the name printed under the space.
type signer struct {
	title string
	note  string
	name  string
}

const signSpace = 22.0 // room for a signature (and a seal)

var (
	signTitle = para{size: bodySize, line: bodyLine, align: 'C'}
	signNote  = para{size: 10, line: 5, align: 'C'}
)

const signGap = 4.0

// signatureHeight is the height signatures will take, with the gap above them.
func (p *page) signatureHeight(signers ...signer) float64 {
	colW := contentW / float64(max(len(signers), 2))
	h := 0.0
	for _, s := range signers {
		hh := p.textHeight([]run{b(s.title)}, colW-4, signTitle) + p.textHeight([]run{it(s.note)}, colW-4, signNote) +
			signSpace + p.textHeight([]run{b(s.name)}, colW-4, signTitle)
		h = max(h, hh)
	}
	return h + signGap
}

// closing writes the last paragraph of a form and its signatures, moving the paragraph
// to the next page with them rather than leaving the signatures alone on a page.
func (p *page) closing(st para, runs []run, signers ...signer) {
	p.ensure(p.textHeight(runs, contentW, st) + p.signatureHeight(signers...))
	p.write(st, runs...)
	p.signatures(signers...)
}

// signatures draws one block on the right half, or several side by side; the blocks are
// kept together on one page.
func (p *page) signatures(signers ...signer) {
	n := len(signers)
	colW := contentW / float64(max(n, 2))
	x := marginL
	if n == 1 {
		x = marginL + contentW/2
	}
	title, note := signTitle, signNote
	h := p.signatureHeight(signers...) - signGap
	p.ensure(h + signGap)
	p.gap(signGap)
	for i, s := range signers {
		bx := x + float64(i)*colW + 2
		y := p.y
		y += p.drawText([]run{b(s.title)}, bx, y, colW-4, title)
		y += p.drawText([]run{it(s.note)}, bx, y, colW-4, note)
		y += signSpace
		if strings.TrimSpace(s.name) != "" {
			p.drawText([]run{b(s.name)}, bx, y, colW-4, title)
		}
	}
	p.y += h
}

// --- header ---

// headerBlock is what the top of every form carries besides the template.
type headerBlock struct {
	parent, unit string    // left block
	number       string    // "Số: 1/PXL" under the unit, when the form is numbered
	place        string    // for the date line
	date         time.Time // the form's date
}

// header draws the form number and its basis, the two header blocks, and the place and
// date line; the cursor ends where the title starts.
func (p *page) header(tpl Template, h headerBlock) {
	top := marginT
	if tpl.Number != "" {
		p.drawText([]run{b(tpl.Number)}, marginL, top, contentW, para{size: 9.5, line: 4.4, align: 'R'})
		top += 4.4
	}
	if tpl.Basis != "" {
		top += p.drawText([]run{it("(" + tpl.Basis + ")")}, marginL+40, top, contentW-40, para{size: 7.5, line: 3.4, align: 'R'})
	}
	if tpl.Number != "" || tpl.Basis != "" {
		top += 2.5
	}

	// Left: the parent authority over the unit, with a short rule under the unit.
	const leftW, rightX, rightW = 80.0, marginL + 82.0, contentW - 82.0
	hs := para{size: 10.5, line: 5, align: 'C'}
	y := top
	if h.parent != "" {
		y += p.drawText([]run{r(strings.ToUpper(h.parent))}, marginL, y, leftW, hs)
	}
	y += p.drawText([]run{b(strings.ToUpper(orDots(h.unit)))}, marginL, y, leftW, hs)
	y += 1
	p.rule(marginL+leftW/2-14, marginL+leftW/2+14, y, 0.3)
	y += 1.5
	if h.number != "" {
		y += p.drawText([]run{r(h.number)}, marginL, y, leftW, hs)
	}
	leftBottom := y

	// Right: the national motto, underlined as long as the motto.
	y = top
	nation := "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	size := 10.5
	for p.measure(nation, bold, size) > rightW && size > 8 {
		size -= 0.25
	}
	y += p.drawText([]run{b(nation)}, rightX, y, rightW, para{size: size, line: 5, align: 'C'})
	motto := "Độc lập - Tự do - Hạnh phúc"
	y += p.drawText([]run{b(motto)}, rightX, y, rightW, para{size: 11.5, line: 5.4, align: 'C'})
	mw := p.measure(motto, bold, 11.5)
	y += 0.6
	p.rule(rightX+(rightW-mw)/2, rightX+(rightW+mw)/2, y, 0.3)
	y += 2.5

	y = max(y, leftBottom) + 1
	y += p.drawText([]run{it(placeDate(h.place, h.date))}, rightX, y, rightW, para{size: 11, line: 5.6, align: 'C'})
	p.y = y + 4
}

// title draws the form's title (and subtitle) centred in the given band.
func (p *page) title(tpl Template, x, width float64) {
	p.y += p.drawText([]run{b(tpl.Title)}, x, p.y, width, para{size: 13, line: 6.6, align: 'C'})
	if tpl.Subtitle != "" {
		p.y += p.drawText([]run{it("(" + tpl.Subtitle + ")")}, x, p.y, width, para{size: 10.5, line: 5.2, align: 'C'})
	}
}

// image places a PNG.
func (p *page) image(name string, png []byte, x, y, size float64) {
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	p.f.RegisterImageOptionsReader(name, opts, bytes.NewReader(png))
	p.f.ImageOptions(name, x, y, size, size, false, opts, 0, "")
}

// finish numbers the pages when there is more than one, then writes the PDF.
func (p *page) finish(w io.Writer) error {
	if n := p.f.PageCount(); n > 1 {
		st := para{size: 8, line: 4, align: 'C'}
		for i := 1; i <= n; i++ {
			first, last := p.sectionOf(i)
			if first == last {
				continue
			}
			p.f.SetPage(i)
			// fpdf only emits a font change when the font differs from the last one set,
			// which was on another page: force the selection into this page's stream.
			p.font(regular, 1)
			text := fmt.Sprintf("Trang %d/%d", i-first+1, last-first+1)
			if p.footer != "" {
				text = p.footer + " – " + text
			}
			p.drawText([]run{it(text)}, marginL, pageH-10, contentW, st)
		}
	}
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("tạo tệp PDF: %w", err)
	}
	if err := p.f.Output(w); err != nil {
		return fmt.Errorf("ghi tệp PDF: %w", err)
	}
	return nil
}
