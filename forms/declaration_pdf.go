package forms

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"motcua/domain"
)

// Declaration prints a declaration filled in with values (keys as Inputs gives them) as
// an A4 PDF laid out like the official form: the national motto, the title, "Kính gửi",
// the questions as "Label: value" lines (dotted leaders where a value is missing, so the
// citizen can still write by hand; a bordered table for two-column forms), the
// commitment, the place and date, and the signature blocks with room to sign. Values are
// printed as given after Check's normalisation; dates asked in words are also written
// out.
func (rd Renderer) Declaration(w io.Writer, tpl domain.DeclarationTemplate, values map[string]string) (err error) {
	defer recoverPDF(&err)
	if strings.TrimSpace(tpl.Title) == "" {
		return incomplete("declaration.no_template", "Chưa chọn mẫu tờ khai nên chưa in được.")
	}
	vals := map[string]string{}
	for k, v := range values {
		vals[k] = clean(v)
	}
	subject := clean(rd.Unit.Name)
	if rd.Unit.Code != "" {
		subject += " (" + rd.Unit.Code + ")"
	}
	p := newPage(clean(tpl.Title), subject, rd.now())
	p.footer = clean(tpl.Title)
	p.declarationHeader(tpl)

	for si, s := range tpl.Sections {
		if !s.AfterCommitment {
			p.declarationSection(tpl, si, vals)
		}
	}
	p.gap(2)
	for _, sentence := range strings.Split(clean(tpl.Commitment), "\n") {
		p.write(declPara, r(sentence))
	}
	p.gap(1)
	for si, s := range tpl.Sections {
		if s.AfterCommitment {
			p.declarationSection(tpl, si, vals)
		}
	}

	var signers []signer
	for _, sg := range tpl.Signers {
		signers = append(signers, signer{title: clean(sg.Title), note: clean(sg.Note), name: vals[sg.NameKey]})
	}
	label := clean(tpl.PlaceLabel)
	line := placeDate(rd.Unit.Place, rd.now())
	if label != "" {
		line = label + ": " + line
	}
	colW := contentW / 2
	dateSt := para{size: 11, line: 5.6, align: 'C'}
	p.ensure(3 + p.textHeight([]run{it(line)}, colW, dateSt) + p.signatureHeight(signers...))
	p.gap(3)
	p.y += p.drawText([]run{it(line)}, marginL+colW, p.y, colW, dateSt)
	p.signatures(signers...)
	return p.finish(w)
}

// declPara is the body paragraph of a declaration: justified, first line indented.
var declPara = para{size: bodySize, line: bodyLine + 0.4, align: 'J', indent: 8}

// declarationHeader draws the basis, the national motto and the title.
func (p *page) declarationHeader(tpl domain.DeclarationTemplate) {
	top := marginT
	if n := clean(tpl.Number); n != "" {
		p.drawText([]run{b(n)}, marginL, top, contentW, para{size: 9.5, line: 4.4, align: 'R'})
		top += 4.4
	}
	if basis := clean(tpl.Basis); basis != "" {
		top += p.drawText([]run{it("(" + basis + ")")}, marginL+70, top, contentW-70, para{size: 7.5, line: 3.4, align: 'R'})
	}
	top += 3
	top += p.drawText([]run{b("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")}, marginL, top, contentW, para{size: 12, line: 5.8, align: 'C'})
	motto := "Độc lập - Tự do - Hạnh phúc"
	top += p.drawText([]run{b(motto)}, marginL, top, contentW, para{size: 12.5, line: 6, align: 'C'})
	mw := p.measure(motto, bold, 12.5)
	top += 0.6
	p.rule(marginL+(contentW-mw)/2, marginL+(contentW+mw)/2, top, 0.3)
	p.y = top + 7
	p.y += p.drawText([]run{b(clean(tpl.Title))}, marginL, p.y, contentW, para{size: 14, line: 7, align: 'C'})
	if st := clean(tpl.Subtitle); st != "" {
		p.y += p.drawText([]run{it("(" + st + ")")}, marginL, p.y, contentW, para{size: 10.5, line: 5.2, align: 'C'})
	}
	p.gap(3)
}

// declItem is one "Label: value" on paper.
type declItem struct {
	label  string // with its colon, if any
	value  string // "" prints a dotted leader
	suffix string // after the value (or the leader)
}

// declLabel is a field's label as it leads its value.
func declLabel(f domain.DeclarationField) string {
	if f.Bare {
		return clean(f.Label) + " "
	}
	return clean(f.Label) + ": "
}

const (
	declGap     = 4.0  // between items on one line, mm
	declMinDots = 22.0 // shortest leader, mm
	declLine    = 7.0  // line height of the questions: room to write by hand
)

// declItemPara is how a question that wraps is set.
var declItemPara = para{size: bodySize, line: declLine, align: 'L'}

// declarationSection prints one section.
func (p *page) declarationSection(tpl domain.DeclarationTemplate, si int, vals map[string]string) {
	s := tpl.Sections[si]
	if intro := clean(s.Intro); intro != "" {
		p.gap(1)
		p.write(declItemPara, r(intro))
	}
	if len(s.Columns) > 0 {
		p.columnTable(s, vals)
		return
	}
	var row []declItem
	flush := func() {
		if len(row) > 0 {
			p.itemRow(row)
			row = nil
		}
	}
	for _, f := range s.Fields {
		v := vals[f.Key]
		switch f.Style {
		case domain.StyleAddressee:
			flush()
			p.addressee(clean(f.Label), v)
			continue
		case domain.StyleCopies:
			flush()
			p.copiesLine(clean(f.Label), v, clean(f.Suffix))
			continue
		}
		if !f.Inline {
			flush()
		}
		row = append(row, declItem{label: declLabel(f), value: declValue(f, v), suffix: clean(f.Suffix)})
		if f.Words != "" {
			words := ""
			if d, err := domain.ParseDeclarationDate(v); err == nil && v != "" {
				words = capitalise(DateWords(d))
			}
			row = append(row, declItem{label: clean(f.Words) + ": ", value: words})
		}
	}
	flush()
}

// declValue is a value as the paper shows it.
func declValue(f domain.DeclarationField, v string) string {
	if v == "" {
		return ""
	}
	switch f.Kind {
	case domain.KindTime:
		if hh, mm, ok := strings.Cut(v, ":"); ok {
			return hh + " giờ " + mm + " phút"
		}
	case domain.KindNumber:
		if n, err := strconv.Atoi(v); err == nil && f.Suffix != "" && n < 10 {
			return fmt.Sprintf("%02d", n)
		}
	}
	return v
}

// addressee prints "Kính gửi: …" centred under the title.
func (p *page) addressee(label, value string) {
	runs := []run{r(label + ": ")}
	if value != "" {
		runs = append(runs, b(value))
	} else {
		runs = append(runs, r(p.dottedLeader(90, regular)))
	}
	p.writeAt(marginL+10, contentW-20, para{size: 12, line: 6.2, align: 'C'}, runs...)
	p.gap(3)
}

// dottedLeader is a dotted line about w mm long.
func (p *page) dottedLeader(w float64, style string) string {
	dw := p.measure(".", style, bodySize)
	n := int(w / dw)
	if n < 3 {
		n = 3
	}
	return strings.Repeat(".", n)
}

// itemWidth is the width an item needs: label, value (or the shortest leader), suffix.
func (p *page) itemWidth(itm declItem) float64 {
	w := p.measure(itm.label, regular, bodySize)
	if itm.value != "" {
		w += p.measure(itm.value, bold, bodySize)
	} else {
		w += declMinDots
	}
	if itm.suffix != "" {
		w += p.measure(" "+itm.suffix, regular, bodySize)
	}
	return w
}

// itemRow prints items that belong on one line, packing them greedily into lines; an item
// too wide for a line wraps on its own.
func (p *page) itemRow(items []declItem) {
	var line []declItem
	width := 0.0
	flush := func() {
		switch {
		case len(line) == 0:
		case len(line) == 1 && p.itemWidth(line[0]) > contentW:
			p.wrappedItem(line[0])
		default:
			p.lineItems(line)
		}
		line, width = nil, 0
	}
	for _, itm := range items {
		w := p.itemWidth(itm)
		if len(line) > 0 && width+declGap+w > contentW {
			flush()
		}
		if len(line) > 0 {
			width += declGap
		}
		line = append(line, itm)
		width += w
	}
	flush()
}

// lineItems draws items that fit on one line; empty values share the spare width as
// dotted leaders, so the line runs to the margin for writing by hand.
func (p *page) lineItems(items []declItem) {
	p.ensure(declLine)
	total, empties := 0.0, 0
	for i, itm := range items {
		total += p.itemWidth(itm)
		if i > 0 {
			total += declGap
		}
		if itm.value == "" {
			empties++
		}
	}
	spare := max(contentW-total, 0)
	x := marginL
	for i, itm := range items {
		if i > 0 {
			x += declGap
		}
		x = p.textOnLine(x, itm.label, regular)
		if itm.value != "" {
			x = p.textOnLine(x, itm.value, bold)
		} else {
			x = p.textOnLine(x, p.dottedLeader(declMinDots+spare/float64(empties), regular), regular)
		}
		if itm.suffix != "" {
			x = p.textOnLine(x, " "+itm.suffix, regular)
		}
	}
	p.y += declLine
}

// textOnLine draws s on the current line at x and returns where it ends.
func (p *page) textOnLine(x float64, s, style string) float64 {
	p.font(style, bodySize)
	s = printable(s)
	p.f.Text(x, p.y+declLine/2+0.3*bodySize*ptMM, s)
	return x + p.f.GetStringWidth(s)
}

// wrappedItem prints a long item as a paragraph; an empty one gets a dotted leader to the end
// of its last line (or a whole dotted line when little room is left).
func (p *page) wrappedItem(itm declItem) {
	if itm.value != "" {
		runs := []run{r(itm.label), b(itm.value)}
		if itm.suffix != "" {
			runs = append(runs, r(" "+itm.suffix))
		}
		p.write(declItemPara, runs...)
		return
	}
	lead := strings.TrimSpace(itm.label)
	ls := p.lines([]run{r(lead)}, contentW, declItemPara)
	last := 0.0
	for i, w := range ls[len(ls)-1].words {
		last += w.w
		if i > 0 {
			last += p.spaceW(ls[len(ls)-1].words[i-1], bodySize)
		}
	}
	p.write(declItemPara, r(lead))
	room := contentW - last - p.measure(" ", regular, bodySize)
	if room >= declMinDots {
		p.y -= declLine
		p.textOnLine(marginL+contentW-room, p.dottedLeader(room, regular), regular)
		p.y += declLine
	} else {
		p.ensure(declLine)
		p.textOnLine(marginL, p.dottedLeader(contentW, regular), regular)
		p.y += declLine
	}
}

// copiesLine prints "Label: Có [X]  Không [ ]   Số lượng: 02 bản" with drawn boxes; an
// empty value leaves both boxes empty and the count dotted.
func (p *page) copiesLine(label, value, suffix string) {
	p.ensure(declLine)
	n, err := strconv.Atoi(value)
	known := value != "" && err == nil
	box := func(x float64, mark bool) float64 {
		const sz = 3.6
		y := p.y + (declLine-sz)/2
		p.f.SetLineWidth(0.25)
		p.f.Rect(x, y, sz, sz, "D")
		p.f.SetLineWidth(0.2)
		if mark {
			p.font(bold, 9)
			w := p.f.GetStringWidth("X")
			p.f.Text(x+(sz-w)/2, y+sz-0.75, "X")
		}
		return x + sz
	}
	x := p.textOnLine(marginL, label+":", regular)
	x = p.textOnLine(x+3, "Có", regular)
	x = box(x+1.5, known && n > 0)
	x = p.textOnLine(x+5, "Không", regular)
	x = box(x+1.5, known && n == 0)
	x = p.textOnLine(x+8, "Số lượng: ", regular)
	switch {
	case known && n > 0:
		x = p.textOnLine(x, fmt.Sprintf("%02d", n), bold)
	case !known:
		x = p.textOnLine(x, p.dottedLeader(14, regular), regular)
	}
	if suffix != "" && (!known || n > 0) {
		p.textOnLine(x, " "+suffix, regular)
	}
	p.y += declLine
}

// minCell is a text cell with a minimum height: room to write by hand when it is empty.
type minCell struct {
	textCell
	min float64
}

func (c minCell) height(p *page, width float64) float64 {
	return max(c.textCell.height(p, width), c.min)
}

// columnTable prints a two-column section as a bordered table: the question, then one
// column per side.
func (p *page) columnTable(s domain.DeclarationSection, vals map[string]string) {
	headW := 50.0
	colW := (contentW - headW) / float64(len(s.Columns))
	cols := []column{{head: clean(s.Header), width: headW}}
	for _, c := range s.Columns {
		cols = append(cols, column{head: clean(c.Label), width: colW})
	}
	var rows [][]cell
	for _, f := range s.Fields {
		row := []cell{minCell{tc('L', r(clean(f.Label))), 10}}
		for _, c := range s.Columns {
			v := declValue(f, vals[c.Prefix+f.Key])
			runs := []run{}
			if v != "" {
				runs = append(runs, b(v))
				if f.Suffix != "" {
					runs = append(runs, r(" "+clean(f.Suffix)))
				}
			}
			row = append(row, minCell{tc('L', runs...), 10})
		}
		rows = append(rows, row)
	}
	p.gap(1)
	p.table(cols, rows)
	p.gap(2)
}
