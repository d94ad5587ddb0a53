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
	check *paperCheck
}

func newToggleLabel(text string, check *paperCheck) *toggleLabel {
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

// paperCheck is the box of one paper handed in, in the order the keyboard goes through the
// intake: after the procedure comes its first paper. Space ticks it, Enter goes on to the
// next paper and from the last one to the applicant's ID number; anything else typed (an ID
// card's QR code scanned while a box has the focus, which starts with its 12 digits) goes to
// the ID number field, not lost and never ticking a box with its spaces.
type paperCheck struct {
	widget.Check
	next  func()     // Enter
	other func(rune) // a character that is not a space
}

func newPaperCheck(changed func(bool)) *paperCheck {
	c := &paperCheck{}
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *paperCheck) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && c.next != nil {
		c.next()
		return
	}
	c.Check.TypedKey(k)
}

func (c *paperCheck) TypedRune(r rune) {
	if r != ' ' && c.other != nil {
		c.other(r)
		return
	}
	c.Check.TypedRune(r)
}
