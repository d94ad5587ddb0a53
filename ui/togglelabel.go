package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// toggleLabel is a wrapping label beside a checkbox that ticks or unticks it when tapped,
// as a check's own label does. Papers' names are too long for a check's one-line label, so
// they sit in a label of their own — which a clerk still expects to tick the box.
type toggleLabel struct {
	widget.Label
	check *widget.Check
}

func newToggleLabel(text string, check *widget.Check) *toggleLabel {
	l := &toggleLabel{check: check}
	l.Text, l.Wrapping = text, fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

// Tapped toggles the checkbox (its OnChanged runs, as for a tap on the box).
func (l *toggleLabel) Tapped(*fyne.PointEvent) {
	if !l.check.Disabled() {
		l.check.SetChecked(!l.check.Checked)
	}
}

// Cursor shows the hand, as over the box.
func (l *toggleLabel) Cursor() desktop.Cursor { return desktop.PointerCursor }
