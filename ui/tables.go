package ui

// Small widgets the supervisor's panels lay their figures and tables out with.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tile is one big figure with a caption and a line under it.
type tile struct {
	box     *fyne.Container
	bg      *canvas.Rectangle
	value   *canvas.Text
	caption *widget.Label
	sub     *widget.Label
}

func newTile(caption string) *tile {
	t := &tile{bg: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		value: canvas.NewText("–", theme.Color(theme.ColorNameForeground)), caption: widget.NewLabel(caption), sub: widget.NewLabel("")}
	t.bg.CornerRadius = 8
	t.bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	t.bg.StrokeWidth = 1
	t.value.TextSize = theme.TextSize() * 2.2
	t.value.TextStyle.Bold = true
	t.caption.TextStyle.Bold = true
	t.caption.Truncation = fyne.TextTruncateEllipsis
	t.sub.Truncation = fyne.TextTruncateEllipsis
	t.sub.SizeName = theme.SizeNameCaptionText
	t.box = container.NewStack(t.bg, container.NewVBox(t.caption, container.NewPadded(t.value), t.sub))
	return t
}

// set shows a figure; alert colours it (nil: the normal text colour).
func (t *tile) set(value, sub string, alert color.Color) {
	if alert == nil {
		alert = theme.Color(theme.ColorNameForeground)
	}
	t.value.Text, t.value.Color = value, alert
	t.value.Refresh()
	t.sub.SetText(sub)
}

// columns lays a row of cells out: positive widths are fixed, negative ones are weights
// that share the rest. Lists and their headers use the same columns.
type columns []float32

func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		if i >= len(c) {
			break
		}
		if c[i] > 0 {
			w += c[i]
		} else {
			w += 40
		}
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w+theme.Padding()*float32(max(len(objs)-1, 0)), h)
}

func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	fixed, weights := pad*float32(max(len(objs)-1, 0)), float32(0)
	for i := range objs {
		if i < len(c) && c[i] > 0 {
			fixed += c[i]
		} else if i < len(c) {
			weights += -c[i]
		}
	}
	rest := max(size.Width-fixed, 0)
	x := float32(0)
	for i, o := range objs {
		if i >= len(c) {
			o.Hide()
			continue
		}
		w := c[i]
		if w <= 0 {
			w = rest * (-c[i]) / max(weights, 1e-6)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// textWidth is the width a label needs for a sample text, with a little room to spare
// (a truncating label that fits exactly may still cut its last letter).
func textWidth(sample string, bold bool) float32 {
	l := widget.NewLabelWithStyle(sample, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
	return l.MinSize().Width + 2*theme.Padding()
}

func cellLabel(bold bool, align fyne.TextAlign) *widget.Label {
	l := widget.NewLabelWithStyle("", align, fyne.TextStyle{Bold: bold})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// headerRow is a row of bold column titles; from the column numbersFrom on they are
// right-aligned, over figures.
func headerRow(cols columns, numbersFrom int, titles ...string) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for i, t := range titles {
		align := fyne.TextAlignLeading
		if i >= numbersFrom {
			align = fyne.TextAlignTrailing
		}
		l := cellLabel(true, align)
		l.SetText(t)
		objs = append(objs, l)
	}
	return container.NewVBox(container.New(cols, objs...), widget.NewSeparator())
}

// enterList is a list where Enter opens the focused row, as a click does.
type enterList struct{ widget.List }

func newEnterList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *enterList {
	l := &enterList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *enterList) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
		e = &fyne.KeyEvent{Name: fyne.KeySpace}
	}
	l.List.TypedKey(e)
}

// section is a titled block.
func section(title *widget.Label, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(title, widget.NewSeparator()), nil, nil, nil, content)
}
