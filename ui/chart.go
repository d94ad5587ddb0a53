package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Two small charts drawn with canvas primitives, for the supervisor's dashboard: a
// horizontal bar per figure (actual against a target tick) and a line per indicator over
// the months. Each rebuilds its objects when its data changes (Refresh) and only places
// them when the size changes (Layout), so it stays legible whatever room it gets.

// Series colours: distinct on the light theme, and for colour-blind readers (blue/orange);
// they colour text too (values, captions, a tile's figure), so each is ≥ 4.5:1 on the window
// and on a tile (TestChartColoursContrast).
var (
	colorSeriesBlue   = color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0xff}
	colorSeriesOrange = color.NRGBA{R: 0xb0, G: 0x53, B: 0x00, A: 0xff} // dark enough for text: ≥ 4.5:1 on a tile
	colorTrack        = color.NRGBA{R: 0xe4, G: 0xe7, B: 0xec, A: 0xff}
	colorGrid         = color.NRGBA{R: 0x9a, G: 0xa1, B: 0xab, A: 0x60}
	colorMet          = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	colorBelow        = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
)

// pct writes a share (0..1) the Vietnamese way with one decimal: 0.635 → "63,5%".
func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*v), ".", ",", 1)
}

// pctTarget writes a target in percent without useless decimals: 60 → "60%", 62.5 → "62,5%".
func pctTarget(p float64) string {
	if p == math.Trunc(p) {
		return fmt.Sprintf("%.0f%%", p)
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", p), ".", ",", 1)
}

// barRow is one bar.
type barRow struct {
	Label  string
	Value  float64 // on the chart's scale (0..Max)
	Target float64 // on the same scale; negative: no target
	Text   string  // the value as read, e.g. "63,5%" or "1.234"
	Note   string  // beside the value, e.g. "mục tiêu 60% · chưa đạt"
	Below  bool    // under its target: bar and note in the warning colour
}

// barChart shows rows of horizontal bars. Wide rows put the label and the figures on a
// line above a full-width bar; compact rows put label, bar and figure on one line.
type barChart struct {
	widget.BaseWidget
	rows    []barRow
	max     float64
	percent bool // axis ticks as percentages of max
	compact bool
}

func newBarChart(percent, compact bool) *barChart {
	c := &barChart{max: 1, percent: percent, compact: compact}
	c.ExtendBaseWidget(c)
	return c
}

// SetRows replaces the bars; max is the scale's top (1 for shares).
func (c *barChart) SetRows(rows []barRow, max float64) {
	if max <= 0 {
		max = 1
	}
	c.rows, c.max = rows, max
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	r.build()
	return r
}

type barObjects struct {
	label, text, note *canvas.Text
	track, fill       *canvas.Rectangle
	tick              *canvas.Line
}

type barRenderer struct {
	c       *barChart
	bars    []barObjects
	grid    []*canvas.Line
	ticks   []*canvas.Text
	objects []fyne.CanvasObject
	size    fyne.Size
}

func (r *barRenderer) textSize() float32    { return theme.TextSize() }
func (r *barRenderer) captionSize() float32 { return theme.CaptionTextSize() }

// axisSteps are the scale's ticks as fractions of max.
var axisSteps = []float64{0, 0.25, 0.5, 0.75, 1}

func (r *barRenderer) build() {
	fg := theme.Color(theme.ColorNameForeground)
	r.bars = r.bars[:0]
	r.grid, r.ticks = nil, nil
	r.objects = r.objects[:0]
	for _, s := range axisSteps {
		g := canvas.NewLine(colorGrid)
		g.StrokeWidth = 1
		r.grid = append(r.grid, g)
		r.objects = append(r.objects, g)
		label := groupDigits(int(math.Round(s * r.c.max)))
		if r.c.percent {
			label = pctTarget(100 * s * r.c.max)
		}
		t := canvas.NewText(label, theme.Color(theme.ColorNamePlaceHolder))
		t.TextSize = r.captionSize()
		r.ticks = append(r.ticks, t)
		r.objects = append(r.objects, t)
	}
	for _, row := range r.c.rows {
		b := barObjects{
			label: canvas.NewText(row.Label, fg),
			text:  canvas.NewText(row.Text, fg),
			note:  canvas.NewText(row.Note, theme.Color(theme.ColorNamePlaceHolder)),
			track: canvas.NewRectangle(colorTrack),
			fill:  canvas.NewRectangle(colorSeriesBlue),
			tick:  canvas.NewLine(fg),
		}
		b.label.TextSize, b.text.TextSize, b.note.TextSize = r.textSize(), r.textSize(), r.captionSize()
		b.text.TextStyle.Bold = true
		if row.Target >= 0 {
			if row.Below {
				b.fill.FillColor, b.note.Color, b.text.Color = colorBelow, colorBelow, colorBelow
			} else {
				b.fill.FillColor, b.note.Color = colorMet, colorMet
			}
			b.note.TextStyle.Bold = true
		} else {
			b.tick.Hide()
		}
		b.track.CornerRadius, b.fill.CornerRadius = 3, 3
		b.tick.StrokeWidth = 3
		r.bars = append(r.bars, b)
		r.objects = append(r.objects, b.track, b.fill, b.tick, b.label, b.text, b.note)
	}
}

// rowHeight is the height one row needs.
func (r *barRenderer) rowHeight() float32 {
	th := fyne.MeasureText("Ág", r.textSize(), fyne.TextStyle{}).Height
	if r.c.compact {
		return th + 6
	}
	return th + 4 + 16 + 10
}

func (r *barRenderer) axisHeight() float32 {
	return fyne.MeasureText("0%", r.captionSize(), fyne.TextStyle{}).Height + 4
}

func (r *barRenderer) MinSize() fyne.Size {
	n := float32(max(len(r.c.rows), 1))
	return fyne.NewSize(260, n*r.rowHeight()+r.axisHeight())
}

// fit shortens a text with an ellipsis until it fits width.
func fit(t *canvas.Text, full string, width float32) {
	t.Text = full
	if width <= 0 {
		t.Text = ""
		return
	}
	runes := []rune(full)
	for len(runes) > 0 && fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width > width {
		runes = runes[:len(runes)-1]
		t.Text = strings.TrimSpace(string(runes)) + "…"
	}
}

func (r *barRenderer) Layout(size fyne.Size) {
	r.size = size
	rows := r.c.rows
	axisH := r.axisHeight()
	rowH := r.rowHeight()
	if n := float32(len(rows)); n > 0 {
		rowH = max(rowH, min((size.Height-axisH)/n, rowH*1.4))
	}
	th := fyne.MeasureText("Ág", r.textSize(), fyne.TextStyle{}).Height

	// Horizontal extent of the bars.
	x0, x1 := float32(0), size.Width
	var labelW, valueW float32
	if r.c.compact {
		for i, b := range r.bars {
			labelW = max(labelW, fyne.MeasureText(rows[i].Label, b.label.TextSize, b.label.TextStyle).Width)
			valueW = max(valueW, fyne.MeasureText(rows[i].Text, b.text.TextSize, b.text.TextStyle).Width)
		}
		labelW = min(labelW, size.Width*0.5)
		x0, x1 = labelW+theme.Padding()*2, size.Width-valueW-theme.Padding()*2
	}
	tickHalf := fyne.MeasureText("100%", r.captionSize(), fyne.TextStyle{}).Width / 2
	x0, x1 = x0+tickHalf, x1-tickHalf
	if x1 < x0+20 {
		x1 = x0 + 20
	}
	scale := func(v float64) float32 {
		f := float32(v / r.c.max)
		return x0 + (x1-x0)*max(0, min(1, f))
	}

	y := float32(0)
	for i, b := range r.bars {
		row := rows[i]
		var barY, barH float32
		if r.c.compact {
			barH = min(th*0.8, rowH-6)
			barY = y + (rowH-barH)/2
			fit(b.label, row.Label, labelW)
			b.label.Move(fyne.NewPos(0, y+(rowH-th)/2))
			b.text.Move(fyne.NewPos(size.Width-valueW, y+(rowH-th)/2))
			b.note.Hide()
		} else {
			barH = 16
			textW := fyne.MeasureText(row.Text, b.text.TextSize, b.text.TextStyle).Width
			noteW := fyne.MeasureText(row.Note, b.note.TextSize, b.note.TextStyle).Width
			right := textW + theme.Padding() + noteW
			fit(b.label, row.Label, size.Width-right-3*theme.Padding())
			b.label.Move(fyne.NewPos(x0, y))
			b.text.Move(fyne.NewPos(x1-right, y))
			nh := fyne.MeasureText(row.Note, b.note.TextSize, b.note.TextStyle).Height
			b.note.Move(fyne.NewPos(x1-noteW, y+th-nh-1))
			b.note.Show()
			barY = y + th + 4
		}
		b.track.Move(fyne.NewPos(x0, barY))
		b.track.Resize(fyne.NewSize(x1-x0, barH))
		w := scale(row.Value) - x0
		if row.Value > 0 && w < 2 {
			w = 2 // a small figure stays visible
		}
		b.fill.Move(fyne.NewPos(x0, barY))
		b.fill.Resize(fyne.NewSize(max(w, 0), barH))
		if row.Target >= 0 {
			tx := scale(row.Target)
			b.tick.Position1 = fyne.NewPos(tx, barY-4)
			b.tick.Position2 = fyne.NewPos(tx, barY+barH+4)
		}
		y += rowH
	}
	// Scale: faint lines through the bars (only short marks when texts sit above the bars,
	// so no line crosses them), labels underneath.
	top, bottom := float32(0), y
	if !r.c.compact {
		top = bottom - 6
	}
	for i, s := range axisSteps {
		x := x0 + (x1-x0)*float32(s)
		r.grid[i].Position1 = fyne.NewPos(x, top)
		r.grid[i].Position2 = fyne.NewPos(x, bottom)
		w := fyne.MeasureText(r.ticks[i].Text, r.ticks[i].TextSize, r.ticks[i].TextStyle).Width
		r.ticks[i].Move(fyne.NewPos(x-w/2, bottom+2))
	}
}

func (r *barRenderer) Refresh() {
	r.build()
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *barRenderer) Destroy()                     {}

// lineSeries is one indicator over time.
type lineSeries struct {
	Name   string
	Color  color.Color
	Values []float64 // shares 0..1, NaN where there is no figure (nothing to count)
	Target float64   // share 0..1; negative: none
}

// lineChart draws shares (0–100%) over labelled points, e.g. months.
type lineChart struct {
	widget.BaseWidget
	labels []string
	series []lineSeries
}

func newLineChart() *lineChart {
	c := &lineChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the points' labels and the series.
func (c *lineChart) SetData(labels []string, series []lineSeries) {
	c.labels, c.series = labels, series
	c.Refresh()
}

func (c *lineChart) CreateRenderer() fyne.WidgetRenderer {
	r := &lineRenderer{c: c}
	r.build()
	return r
}

type seriesObjects struct {
	segs    []*canvas.Line
	dots    []*canvas.Circle
	target  []*canvas.Line // dashes
	values  []*canvas.Text // each point's value
	backs   []*canvas.Rectangle
	swatch  *canvas.Line
	name    *canvas.Text
	targetT *canvas.Text
}

type lineRenderer struct {
	c       *lineChart
	grid    []*canvas.Line
	yTicks  []*canvas.Text
	xTicks  []*canvas.Text
	series  []seriesObjects
	empty   *canvas.Text
	objects []fyne.CanvasObject
	size    fyne.Size
}

const dashes = 40

func (r *lineRenderer) build() {
	capSize := theme.CaptionTextSize()
	r.objects = r.objects[:0]
	r.grid, r.yTicks, r.xTicks, r.series = nil, nil, nil, nil
	for _, s := range axisSteps {
		g := canvas.NewLine(colorGrid)
		g.StrokeWidth = 1
		t := canvas.NewText(pctTarget(100*s), theme.Color(theme.ColorNamePlaceHolder))
		t.TextSize = capSize
		r.grid, r.yTicks = append(r.grid, g), append(r.yTicks, t)
		r.objects = append(r.objects, g, t)
	}
	for _, l := range r.c.labels {
		t := canvas.NewText(l, theme.Color(theme.ColorNamePlaceHolder))
		t.TextSize = capSize
		r.xTicks = append(r.xTicks, t)
		r.objects = append(r.objects, t)
	}
	for _, s := range r.c.series {
		so := seriesObjects{swatch: canvas.NewLine(s.Color), name: canvas.NewText(s.Name, theme.Color(theme.ColorNameForeground))}
		so.swatch.StrokeWidth = 3
		so.name.TextSize = capSize
		if s.Target >= 0 {
			for range dashes {
				d := canvas.NewLine(withAlpha(s.Color, 0x90))
				d.StrokeWidth = 1.5
				so.target = append(so.target, d)
				r.objects = append(r.objects, d)
			}
			so.targetT = canvas.NewText(Tf("mục tiêu %s", pctTarget(100*s.Target)), s.Color)
			so.targetT.TextSize = capSize
			r.objects = append(r.objects, so.targetT)
		}
		for i := range s.Values {
			if i > 0 {
				seg := canvas.NewLine(s.Color)
				seg.StrokeWidth = 2.5
				so.segs = append(so.segs, seg)
				r.objects = append(r.objects, seg)
			}
		}
		for range s.Values {
			dot := canvas.NewCircle(s.Color)
			so.dots = append(so.dots, dot)
			r.objects = append(r.objects, dot)
		}
		for range s.Values {
			bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameBackground), 0xd8))
			bg.CornerRadius = 2
			so.backs = append(so.backs, bg)
			r.objects = append(r.objects, bg)
		}
		for i := range s.Values {
			t := canvas.NewText("", s.Color)
			t.TextSize = capSize
			t.TextStyle.Bold = i == len(s.Values)-1
			so.values = append(so.values, t)
			r.objects = append(r.objects, t)
		}
		r.objects = append(r.objects, so.swatch, so.name)
		r.series = append(r.series, so)
	}
	r.empty = canvas.NewText(T("Chưa có số liệu"), theme.Color(theme.ColorNamePlaceHolder))
	r.objects = append(r.objects, r.empty)
}

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

func (r *lineRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 200) }

func (r *lineRenderer) Layout(size fyne.Size) {
	r.size = size
	capSize := theme.CaptionTextSize()
	ch := fyne.MeasureText("0%", capSize, fyne.TextStyle{}).Height
	pad := theme.Padding()

	// Legend on top: a swatch and the name of each series.
	x := float32(0)
	for _, so := range r.series {
		so.swatch.Position1 = fyne.NewPos(x, ch/2+1)
		so.swatch.Position2 = fyne.NewPos(x+18, ch/2+1)
		so.name.Move(fyne.NewPos(x+22, 0))
		x += 22 + fyne.MeasureText(so.name.Text, capSize, fyne.TextStyle{}).Width + 3*pad
	}
	left := fyne.MeasureText("100%", capSize, fyne.TextStyle{}).Width + pad
	top := ch + 2*pad + ch // legend, then room for the value labels above 100%
	lastW := fyne.MeasureText("100,0%", capSize, fyne.TextStyle{Bold: true}).Width
	right := size.Width - lastW/2 - pad
	bottom := size.Height - ch - pad
	if bottom < top+20 {
		bottom = top + 20
	}
	if right < left+40 {
		right = left + 40
	}
	yOf := func(v float64) float32 { return bottom - (bottom-top)*float32(max(0, min(1, v))) }
	for i, s := range axisSteps {
		y := yOf(s)
		r.grid[i].Position1, r.grid[i].Position2 = fyne.NewPos(left, y), fyne.NewPos(right, y)
		w := fyne.MeasureText(r.yTicks[i].Text, capSize, fyne.TextStyle{}).Width
		r.yTicks[i].Move(fyne.NewPos(left-pad-w, y-ch/2))
	}
	n := len(r.c.labels)
	xOf := func(i int) float32 {
		if n <= 1 {
			return (left + right) / 2
		}
		return left + (right-left)*float32(i)/float32(n-1)
	}
	// X labels: every one that fits, always the last.
	step := 1
	if n > 1 {
		widest := float32(0)
		for _, t := range r.xTicks {
			widest = max(widest, fyne.MeasureText(t.Text, capSize, fyne.TextStyle{}).Width)
		}
		gap := (right - left) / float32(n-1)
		for float32(step)*gap < widest+pad && step < n {
			step++
		}
	}
	for i, t := range r.xTicks {
		w := fyne.MeasureText(t.Text, capSize, fyne.TextStyle{}).Width
		t.Move(fyne.NewPos(xOf(i)-w/2, bottom+pad/2))
		if (n-1-i)%step == 0 {
			t.Show()
		} else {
			t.Hide()
		}
	}
	hasData := false
	for si, s := range r.c.series {
		so := r.series[si]
		if s.Target >= 0 {
			y := yOf(s.Target)
			w := (right - left) / float32(2*dashes-1)
			for k, d := range so.target {
				x := left + float32(2*k)*w
				d.Position1, d.Position2 = fyne.NewPos(x, y), fyne.NewPos(x+w, y)
			}
			so.targetT.Move(fyne.NewPos(left+pad, y-ch-1))
		}
		lastI := -1
		for i, v := range s.Values {
			dot := so.dots[i]
			if math.IsNaN(v) {
				dot.Hide()
				continue
			}
			hasData = true
			lastI = i
			dot.Show()
			const rad = 3.5
			dot.Move(fyne.NewPos(xOf(i)-rad, yOf(v)-rad))
			dot.Resize(fyne.NewSize(2*rad, 2*rad))
		}
		for i, seg := range so.segs {
			a, b := s.Values[i], s.Values[i+1]
			if math.IsNaN(a) || math.IsNaN(b) {
				seg.Hide()
				continue
			}
			seg.Show()
			seg.Position1, seg.Position2 = fyne.NewPos(xOf(i), yOf(a)), fyne.NewPos(xOf(i+1), yOf(b))
		}
		// Each point's value, when there is room between points (else the latest only):
		// above the point for the highest series there, below it for the others.
		roomy := n <= 1 || (right-left)/float32(n-1) >= fyne.MeasureText("100,0%", capSize, fyne.TextStyle{Bold: true}).Width+pad
		for i, t := range so.values {
			v := s.Values[i]
			if math.IsNaN(v) || (!roomy && i != lastI) {
				t.Hide()
				so.backs[i].Hide()
				continue
			}
			above := true
			for sj, other := range r.c.series {
				if sj != si && i < len(other.Values) && !math.IsNaN(other.Values[i]) &&
					(other.Values[i] > v || (other.Values[i] == v && sj < si)) {
					above = false
				}
			}
			t.Text = pct(v)
			t.Show()
			m := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle)
			x := max(0, min(xOf(i)-m.Width/2, size.Width-m.Width))
			y := yOf(v) + 6
			if above {
				y = yOf(v) - m.Height - 4
			}
			t.Move(fyne.NewPos(x, y))
			so.backs[i].Move(fyne.NewPos(x-1, y))
			so.backs[i].Resize(fyne.NewSize(m.Width+2, m.Height))
			so.backs[i].Show()
		}
	}
	if hasData || len(r.c.series) == 0 {
		r.empty.Hide()
	} else {
		r.empty.Show()
		w := fyne.MeasureText(r.empty.Text, r.empty.TextSize, r.empty.TextStyle)
		r.empty.Move(fyne.NewPos((left+right-w.Width)/2, (top+bottom-w.Height)/2))
	}
}

func (r *lineRenderer) Refresh() {
	r.build()
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

func (r *lineRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *lineRenderer) Destroy()                     {}
