package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// The reporting periods the supervisor picks from (today, this month, a quarter, a range
// of days), shared by the targets panel and the reports.

// Period choices, in the picker's order.
const (
	periodToday = iota
	periodWeek
	periodMonth
	periodLastMonth
	periodQuarter
	periodYear
	periodCustom
)

func periodChoices() []string {
	return []string{T("Hôm nay"), T("Tuần này"), T("Tháng này"), T("Tháng trước"), T("Quý này"), T("Năm nay"), T("Khoảng ngày tự chọn")}
}

// periodOf is the calendar period of a choice around now (Vietnam time). Running periods
// are whole (this month is the 1st to the last day): reports judge them as of now.
func periodOf(kind int, now time.Time) domain.Period {
	day := dayStart(now)
	var from, to time.Time
	switch kind {
	case periodWeek:
		back := (int(day.Weekday()) + 6) % 7 // Monday starts the week
		from = day.AddDate(0, 0, -back)
		to = from.AddDate(0, 0, 6)
	case periodMonth:
		from = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, domain.VN())
		to = from.AddDate(0, 1, -1)
	case periodLastMonth:
		from = time.Date(day.Year(), day.Month()-1, 1, 0, 0, 0, 0, domain.VN())
		to = from.AddDate(0, 1, -1)
	case periodQuarter:
		q := (int(day.Month()) - 1) / 3
		from = time.Date(day.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, domain.VN())
		to = from.AddDate(0, 3, -1)
	case periodYear:
		from = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, domain.VN())
		to = time.Date(day.Year(), 12, 31, 0, 0, 0, 0, domain.VN())
	default:
		from, to = day, day
	}
	p, _ := domain.NewPeriod(from, to)
	return p
}

// periodText names a period the way a head of centre says it.
func periodText(p domain.Period) string {
	from, to := p.From, p.To
	switch p.Kind() {
	case domain.PeriodDay:
		return Tf("ngày %s", fmtDate(from))
	case domain.PeriodMonth:
		return Tf("tháng %02d/%d", int(from.Month()), from.Year())
	case domain.PeriodQuarter:
		return Tf("quý %s/%d", [...]string{"I", "II", "III", "IV"}[p.Quarter()-1], from.Year())
	case domain.PeriodYear:
		return Tf("năm %d", from.Year())
	}
	return Tf("từ %s đến %s", fmtDate(from), fmtDate(to))
}

// parseDay reads a date typed dd/mm/yyyy (also with "-" or "." between, or 1-digit parts).
func parseDay(s string) (time.Time, bool) {
	s = strings.NewReplacer("-", "/", ".", "/", " ", "").Replace(strings.TrimSpace(s))
	t, err := time.ParseInLocation("2/1/2006", s, domain.VN())
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

// periodPicker chooses a period: a named one or two dates.
type periodPicker struct {
	u        *UI
	choice   *widget.Select
	from, to *widget.Entry
	apply    *widget.Button
	custom   *fyne.Container
	err      *widget.Label
	box      *fyne.Container
	onChange func()
}

func newPeriodPicker(u *UI, initial int, onChange func()) *periodPicker {
	p := &periodPicker{u: u, from: widget.NewEntry(), to: widget.NewEntry(), err: errLabel()}
	p.from.SetPlaceHolder(T("dd/mm/yyyy"))
	p.to.SetPlaceHolder(T("dd/mm/yyyy"))
	p.from.OnSubmitted = func(string) { p.submit() }
	p.to.OnSubmitted = func(string) { p.submit() }
	p.apply = widget.NewButton(T("Xem"), p.submit)
	dateW := max(p.from.MinSize().Width, textWidth("00/00/0000", false)+4*theme.Padding())
	p.custom = container.NewHBox(widget.NewLabel(T("Từ ngày")), sized(p.from, dateW), widget.NewLabel(T("đến ngày")), sized(p.to, dateW), p.apply)
	p.custom.Hide()
	p.choice = widget.NewSelect(periodChoices(), func(string) { p.changed() })
	p.box = container.NewVBox(container.NewHBox(p.choice, p.custom), p.err)
	p.choice.SetSelectedIndex(initial)
	p.onChange = onChange // not for the initial choice: the owner loads when shown
	return p
}

// sized gives an entry a fixed width in an HBox.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

func (p *periodPicker) changed() {
	if p.choice.SelectedIndex() == periodCustom {
		if p.from.Text == "" {
			cur := periodOf(periodMonth, p.u.now())
			p.from.SetText(fmtDate(cur.From))
			p.to.SetText(fmtDate(dayStart(p.u.now())))
		}
		p.custom.Show()
		p.box.Refresh()
		p.u.win.Canvas().Focus(p.from)
		return
	}
	p.custom.Hide()
	setErr(p.err, "")
	p.box.Refresh()
	if p.onChange != nil {
		p.onChange()
	}
}

func (p *periodPicker) submit() {
	if _, err := p.period(); err != nil {
		setErr(p.err, errText(err))
		p.box.Refresh()
		return
	}
	setErr(p.err, "")
	p.box.Refresh()
	if p.onChange != nil {
		p.onChange()
	}
}

// period is the chosen period, or why the typed dates are not one.
func (p *periodPicker) period() (domain.Period, error) {
	i := p.choice.SelectedIndex()
	if i != periodCustom {
		return periodOf(max(i, 0), p.u.now()), nil
	}
	from, ok := parseDay(p.from.Text)
	if !ok {
		return domain.Period{}, domain.ValidationError{{Field: "from", Code: "ui.period.from",
			Msg: Tf("Ngày bắt đầu «%s» không hợp lệ: nhập dạng ngày/tháng/năm, ví dụ 01/03/2026.", p.from.Text)}}
	}
	to, ok := parseDay(p.to.Text)
	if !ok {
		return domain.Period{}, domain.ValidationError{{Field: "to", Code: "ui.period.to",
			Msg: Tf("Ngày kết thúc «%s» không hợp lệ: nhập dạng ngày/tháng/năm, ví dụ 31/03/2026.", p.to.Text)}}
	}
	return domain.NewPeriod(from, to)
}
