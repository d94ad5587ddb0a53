package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// showError tells the clerk what went wrong, in their language, and logs the cause.
func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	var v domain.ValidationError
	if !errors.As(err, &v) {
		u.log.Warn("action failed", "err", err)
	}
	d := dialog.NewError(errors.New(errText(err)), u.win)
	d.Show()
}

// showInfo shows a short message with an OK button.
func (u *UI) showInfo(title, msg string) {
	dialog.NewInformation(title, msg, u.win).Show()
}

// confirm asks before an action that cannot be undone.
func (u *UI) confirm(title, msg, ok string, action func()) {
	d := dialog.NewConfirm(title, msg, func(yes bool) {
		if yes {
			u.touch()
			action()
		}
	}, u.win)
	d.SetConfirmText(ok)
	d.SetDismissText(T("Hủy"))
	d.Show()
}

// messagePage is a whole-window message (e.g. the database cannot be opened).
func messagePage(title, msg string) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	m := widget.NewLabel(msg)
	m.Wrapping = fyne.TextWrapWord
	m.Alignment = fyne.TextAlignCenter
	return container.NewCenter(container.NewVBox(widget.NewIcon(theme.ErrorIcon()), t, m))
}

// errLabel is a red message under a field, hidden when empty.
func errLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setErr(l *widget.Label, msg string) {
	if msg == "" {
		l.SetText("")
		l.Hide()
		return
	}
	l.SetText(msg)
	l.Show()
}

// fieldErrors sends each problem of a validation error to the label of its field; problems
// without a label are returned joined, for a banner.
func fieldErrors(err error, labels map[string]*widget.Label) string {
	for _, l := range labels {
		setErr(l, "")
	}
	if err == nil {
		return ""
	}
	var v domain.ValidationError
	if !errors.As(err, &v) {
		return errText(err)
	}
	var rest []string
	msgs := map[string][]string{}
	for _, fe := range v {
		if _, ok := labels[fe.Field]; ok {
			msgs[fe.Field] = append(msgs[fe.Field], fieldErrText(fe))
		} else {
			rest = append(rest, fieldErrText(fe))
		}
	}
	for f, m := range msgs {
		setErr(labels[f], strings.Join(m, " "))
	}
	return strings.Join(rest, "\n")
}

// labelled puts a bold label above an input and its error line.
func labelled(label string, input fyne.CanvasObject, errl *widget.Label) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if errl == nil {
		return container.NewVBox(l, input)
	}
	return container.NewVBox(l, input, errl)
}

// heading is a section title.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// banner is a coloured message line above a form.
type banner struct {
	label  *widget.Label
	box    *fyne.Container
	parent fyne.CanvasObject // re-laid out when the banner appears or goes
}

func newBanner() *banner {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	b := &banner{label: l, box: container.NewVBox(l)}
	b.box.Hide()
	return b
}

func (b *banner) set(msg string, importance widget.Importance) {
	if msg == "" {
		b.box.Hide()
	} else {
		b.label.Importance = importance
		b.label.SetText(msg)
		b.box.Show()
	}
	if b.parent != nil {
		b.parent.Refresh()
	} else {
		b.box.Refresh()
	}
}

// Date and time formats shown to clerks.
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.VN()).Format("02/01/2006")
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.VN()).Format("15:04 02/01/2006")
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.VN()).Format("15:04")
}

// statusText is a status's name in the interface language.
func statusText(s domain.Status) string {
	if Language() == "en" {
		return s.English()
	}
	return s.String()
}

// spacer is a flexible gap in an HBox.
func spacer() fyne.CanvasObject { return layout.NewSpacer() }
