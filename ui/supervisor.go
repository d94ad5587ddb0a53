package ui

import (
	"context"
	"image/color"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/localdb"
)

func init() {
	registerScreen(orderSuper, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermSupervise) {
			return nil
		}
		return newSupervisorScreen(u)
	})
}

// How many overdue dossiers the dashboard lists (the count covers them all), and how many
// months the trend shows.
const (
	dashboardOverdueRows = 200
	trendMonths          = 12
)

// supervisorScreen (Giám sát) is what the head of the centre opens every morning: the day
// at a glance, targets against actuals, the reports the city asks for, and the conflicts
// and refused sync items only a supervisor may settle. Each part loads when it is shown,
// off the UI goroutine, and again with "Làm mới".
type supervisorScreen struct {
	u       *UI
	root    fyne.CanvasObject
	tabs    *container.AppTabs
	refresh *widget.Button
	updated *widget.Label
	bar     *fyne.Container

	today     *todayPanel
	targets   *targetsPanel
	reports   *reportsPanel
	conflicts *conflictsPanel

	todayTab, targetsTab, reportsTab, conflictsTab *container.TabItem
}

func newSupervisorScreen(u *UI) *supervisorScreen {
	s := &supervisorScreen{u: u}
	s.today = newTodayPanel(s)
	s.targets = newTargetsPanel(s)
	s.reports = newReportsPanel(u)
	s.conflicts = newConflictsPanel(s)
	s.todayTab = container.NewTabItemWithIcon(T("Hôm nay"), theme.HomeIcon(), s.today.root)
	s.targetsTab = container.NewTabItemWithIcon(T("Chỉ tiêu và biểu đồ"), theme.GridIcon(), s.targets.root)
	s.reportsTab = container.NewTabItemWithIcon(T("Báo cáo, sổ"), theme.DocumentSaveIcon(), s.reports.root)
	s.conflictsTab = container.NewTabItemWithIcon(T("Xung đột và đồng bộ"), theme.WarningIcon(), s.conflicts.root)
	s.tabs = container.NewAppTabs(s.todayTab, s.targetsTab, s.reportsTab, s.conflictsTab)
	s.tabs.OnSelected = func(*container.TabItem) { s.u.touch(); s.load() }
	s.refresh = widget.NewButtonWithIcon(T("Làm mới"), theme.ViewRefreshIcon(), s.load)
	s.updated = widget.NewLabel("")
	s.updated.SizeName = theme.SizeNameCaptionText
	s.bar = container.NewHBox(spacer(), s.updated, s.refresh)
	// The refresh button sits on the tab bar's line, at the right.
	s.root = container.NewStack(s.tabs, container.NewVBox(s.bar))
	return s
}

func (s *supervisorScreen) title() string              { return T("Giám sát") }
func (s *supervisorScreen) icon() fyne.Resource        { return theme.InfoIcon() }
func (s *supervisorScreen) content() fyne.CanvasObject { return s.root }
func (s *supervisorScreen) shown()                     { s.load() }

// load refreshes the part on show.
func (s *supervisorScreen) load() {
	switch s.tabs.Selected() {
	case s.todayTab:
		s.today.load()
	case s.targetsTab:
		s.targets.load()
	case s.reportsTab:
		s.reports.shown()
	case s.conflictsTab:
		s.conflicts.load()
	}
}

// loaded notes when the figures were read.
func (s *supervisorScreen) loaded(at time.Time) {
	s.updated.SetText(Tf("Cập nhật lúc %s", fmtTime(at)))
	s.bar.Refresh()
}

// setAlerts puts the number of things to settle on the conflicts tab's title.
func (s *supervisorScreen) setAlerts(n int) {
	text := T("Xung đột và đồng bộ")
	if n > 0 {
		text = Tf("Xung đột và đồng bộ (%d)", n)
	}
	if s.conflictsTab.Text != text {
		s.conflictsTab.Text = text
		s.tabs.Refresh()
	}
}

// staffNames maps usernames to full names (the username when unknown).
func staffNames(ctx context.Context, st Store) map[string]string {
	names := map[string]string{}
	if list, err := st.ListStaff(ctx); err == nil {
		for _, s := range list {
			names[s.Username] = s.FullName
		}
	}
	return names
}

func nameOf(names map[string]string, username string) string {
	if n := names[username]; n != "" {
		return n
	}
	if username == "" {
		return T("(không rõ)")
	}
	return username
}

// --- Today ---------------------------------------------------------------------------

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

// todayData is what the today panel shows.
type todayData struct {
	dash  localdb.Dashboard
	names map[string]string
	sync  SyncInfo
	late  []int // working days late of each overdue row
}

// todayPanel is the day at a glance.
type todayPanel struct {
	s *supervisorScreen

	received, handed, visits, dueToday, overdue, syncTile *tile

	statusChart *barChart

	data         todayData
	overdueList  *enterList
	overdueTitle *widget.Label
	overdueEmpty *widget.Label
	overdueBox   *fyne.Container

	staffTitle *widget.Label
	staffRows  *fyne.Container
	staffCols  columns

	errBanner *banner
	root      fyne.CanvasObject
}

func newTodayPanel(s *supervisorScreen) *todayPanel {
	p := &todayPanel{s: s}
	p.received = newTile(T("Tiếp nhận hôm nay"))
	p.handed = newTile(T("Trả kết quả hôm nay"))
	p.visits = newTile(T("Lượt tiếp đón hôm nay"))
	p.dueToday = newTile(T("Đến hạn hôm nay"))
	p.overdue = newTile(T("Quá hạn"))
	p.syncTile = newTile(T("Chờ đồng bộ"))
	tiles := container.NewGridWithColumns(6, p.received.box, p.handed.box, p.visits.box, p.dueToday.box, p.overdue.box, p.syncTile.box)

	// Overdue dossiers, the longest overdue first; a click or Enter opens one.
	codeW := textWidth("000.00.06.H56-260316-1001", true)
	dateW := max(textWidth("00/00/0000", false), textWidth(T("Hẹn trả"), true))
	lateW := max(textWidth(T("Trễ hạn"), true), textWidth(Tf("%d ngày", 100), true))
	ocols := columns{codeW, -1, -1.4, dateW, lateW}
	p.overdueList = newEnterList(func() int { return len(p.data.dash.OverdueRows) },
		func() fyne.CanvasObject {
			late := cellLabel(true, fyne.TextAlignTrailing)
			late.Importance = widget.DangerImportance
			return container.New(ocols, cellLabel(true, fyne.TextAlignLeading), cellLabel(false, fyne.TextAlignLeading),
				cellLabel(false, fyne.TextAlignLeading), cellLabel(false, fyne.TextAlignTrailing), late)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			rows := p.data.dash.OverdueRows
			if id >= len(rows) {
				return
			}
			r := rows[id]
			c := o.(*fyne.Container).Objects
			c[0].(*widget.Label).SetText(r.Code)
			c[1].(*widget.Label).SetText(r.Applicant)
			c[2].(*widget.Label).SetText(r.ProcedureName)
			c[3].(*widget.Label).SetText(fmtDate(r.DueAt))
			c[4].(*widget.Label).SetText(lateText(p.data.late[id]))
		})
	p.overdueList.OnSelected = func(id widget.ListItemID) {
		rows := p.data.dash.OverdueRows
		p.overdueList.UnselectAll()
		if id < len(rows) {
			p.s.u.openDossier(rows[id].ID)
		}
	}
	p.overdueTitle = heading(T("Hồ sơ quá hạn"))
	p.overdueEmpty = widget.NewLabel(T("Không có hồ sơ quá hạn."))
	p.overdueEmpty.Importance = widget.SuccessImportance
	p.overdueEmpty.Hide()
	hint := widget.NewLabel(T("Quá hạn lâu nhất ở trên cùng; số ngày trễ hạn tính theo ngày làm việc. Bấm vào một dòng (hoặc chọn rồi nhấn Enter) để mở hồ sơ."))
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	p.overdueBox = container.NewStack(p.overdueList, container.NewVBox(p.overdueEmpty))
	left := section(p.overdueTitle, container.NewBorder(
		container.NewVBox(hint, headerRow(ocols, 3, T("Mã hồ sơ"), T("Người nộp"), T("Thủ tục"), T("Hẹn trả"), T("Trễ hạn"))),
		nil, nil, nil, p.overdueBox))

	// Open dossiers by status, and each staff member's load.
	p.statusChart = newBarChart(false, true)
	heads := []string{T("Đang giải quyết"), T("Tiếp nhận"), T("Trả KQ"), T("Tiếp đón")}
	p.staffCols = columns{-1}
	for _, h := range heads {
		p.staffCols = append(p.staffCols, max(textWidth(h, true), textWidth("0.000", false)))
	}
	p.staffRows = container.NewVBox()
	p.staffTitle = heading(T("Công việc theo cán bộ"))
	staffNote := widget.NewLabel(T("Đang giải quyết: hồ sơ đang mở do cán bộ tiếp nhận. Các cột còn lại tính trong hôm nay."))
	staffNote.Wrapping = fyne.TextWrapWord
	staffNote.SizeName = theme.SizeNameCaptionText
	staff := section(p.staffTitle, container.NewBorder(
		container.NewVBox(staffNote, headerRow(p.staffCols, 1, append([]string{T("Cán bộ")}, heads...)...)),
		nil, nil, nil, container.NewVScroll(p.staffRows)))
	right := container.NewBorder(
		container.NewVBox(section(heading(T("Hồ sơ chưa kết thúc theo trạng thái")), p.statusChart), widget.NewSeparator()),
		nil, nil, nil, staff)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.58
	p.errBanner = newBanner()
	top := container.NewVBox(p.errBanner.box, tiles)
	root := container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
	p.errBanner.parent = root
	p.root = root
	return p
}

// lateText says how late a dossier is, in working days.
func lateText(days int) string {
	if days <= 0 {
		return T("hôm nay")
	}
	return Tf("%d ngày", days)
}

func (p *todayPanel) load() {
	u := p.s.u
	background(u, func(ctx context.Context) (todayData, error) {
		var out todayData
		dash, err := u.opt.Store.Dashboard(ctx, dashboardOverdueRows)
		if err != nil {
			return out, err
		}
		out.dash = dash
		out.names = staffNames(ctx, u.opt.Store)
		if u.opt.Sync != nil {
			out.sync = u.opt.Sync.Info()
		} else {
			out.sync = SyncInfo{Waiting: dash.Outbox, Quarantined: dash.Quarantined}
		}
		cal := u.opt.Store.Calendar()
		for _, r := range dash.OverdueRows {
			out.late = append(out.late, domain.WorkingDaysLate(cal, r.DueAt, dash.AsOf))
		}
		return out, nil
	}, p.apply)
}

func (p *todayPanel) apply(d todayData, err error) {
	if err != nil {
		p.errBanner.set(errText(err), widget.DangerImportance)
		return
	}
	p.errBanner.set("", widget.MediumImportance)
	p.data = d
	dash := d.dash
	red, orange := color.Color(colorBelow), color.Color(colorSeriesOrange)
	p.received.set(groupDigits(dash.Received), Tf("Đang giải quyết: %s hồ sơ", groupDigits(dash.Open())), nil)
	p.handed.set(groupDigits(dash.HandedOver), Tf("Kết quả chờ công dân nhận: %s", groupDigits(dash.ByStatus[domain.StatusResultReady])), nil)
	p.visits.set(groupDigits(dash.Visits), T("Tiếp nhận, trả kết quả, hướng dẫn"), nil)
	var alert color.Color
	if dash.DueToday > 0 {
		alert = orange
	}
	p.dueToday.set(groupDigits(dash.DueToday), T("Hồ sơ đang giải quyết"), alert)
	alert, sub := nil, T("Không có hồ sơ quá hạn")
	if dash.Overdue > 0 {
		alert, sub = red, Tf("Lâu nhất: %s", lateText(d.late[0]))
	}
	p.overdue.set(groupDigits(dash.Overdue), sub, alert)
	p.setSync(d.sync)

	if n := len(dash.OverdueRows); n < dash.Overdue {
		p.overdueTitle.SetText(Tf("Hồ sơ quá hạn: %s (hiện %s hồ sơ quá hạn lâu nhất)", groupDigits(dash.Overdue), groupDigits(n)))
	} else {
		p.overdueTitle.SetText(Tf("Hồ sơ quá hạn: %s", groupDigits(dash.Overdue)))
	}
	if dash.Overdue == 0 {
		p.overdueEmpty.Show()
		p.overdueList.Hide()
	} else {
		p.overdueEmpty.Hide()
		p.overdueList.Show()
	}
	p.overdueList.UnselectAll()
	p.overdueList.Refresh()
	p.overdueBox.Refresh()

	var rows []barRow
	top := 1
	for _, st := range localdb.DashboardStatuses {
		top = max(top, dash.ByStatus[st])
	}
	for _, st := range localdb.DashboardStatuses {
		n := dash.ByStatus[st]
		rows = append(rows, barRow{Label: statusText(st), Value: float64(n), Target: -1, Text: groupDigits(n)})
	}
	p.statusChart.SetRows(rows, niceMax(top))

	p.staffRows.RemoveAll()
	for _, l := range dash.Staff {
		cells := []fyne.CanvasObject{cellLabel(false, fyne.TextAlignLeading)}
		cells[0].(*widget.Label).SetText(nameOf(d.names, l.Username))
		for _, n := range []int{l.Open, l.Received, l.HandedOver, l.Visits} {
			c := cellLabel(false, fyne.TextAlignTrailing)
			c.SetText(groupDigits(n))
			cells = append(cells, c)
		}
		p.staffRows.Add(container.New(p.staffCols, cells...))
	}
	if len(dash.Staff) == 0 {
		p.staffRows.Add(widget.NewLabel(T("Chưa có hồ sơ nào.")))
	}
	p.staffRows.Refresh()
	p.root.Refresh()
	p.s.loaded(dash.AsOf)
	p.s.setAlerts(dash.Conflicts + dash.Quarantined)
}

// setSync shows the health of reconciliation with the city's system.
func (p *todayPanel) setSync(info SyncInfo) {
	var alert color.Color
	var sub string
	switch {
	case info.Quarantined > 0:
		alert = colorBelow
		sub = Tf("Bị máy chủ giữ lại: %d", info.Quarantined)
	case info.Paused:
		alert = colorBelow
		sub = T("Tạm dừng: cần đăng ký lại máy")
	case !info.LastSuccess.IsZero():
		sub = Tf("Lần cuối thành công: %s", fmtDateTime(info.LastSuccess))
	case info.Enrolled:
		sub = T("Chưa đồng bộ lần nào")
	default:
		sub = T("Chưa kết nối máy chủ thành phố")
	}
	if info.Quarantined > 0 && !info.LastSuccess.IsZero() {
		sub += " · " + Tf("lần cuối %s", fmtTime(info.LastSuccess))
	}
	p.syncTile.set(groupDigits(info.Waiting), sub, alert)
}

// niceMax rounds a bar chart's scale up to a round number, so the ticks read well.
func niceMax(n int) float64 {
	if n <= 4 {
		return 4
	}
	mag := math.Pow(10, math.Floor(math.Log10(float64(n))))
	for _, m := range []float64{1, 2, 2.5, 4, 5, 10} {
		if float64(n) <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// --- Periods ---------------------------------------------------------------------------

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
	switch {
	case from.Equal(to):
		return Tf("ngày %s", fmtDate(from))
	case from.Day() == 1 && to.Equal(from.AddDate(0, 1, -1)):
		return Tf("tháng %02d/%d", int(from.Month()), from.Year())
	case from.Day() == 1 && (from.Month()-1)%3 == 0 && to.Equal(from.AddDate(0, 3, -1)):
		return Tf("quý %s/%d", romanQuarter(from), from.Year())
	case from.Day() == 1 && from.Month() == 1 && to.Equal(from.AddDate(1, 0, -1)):
		return Tf("năm %d", from.Year())
	}
	return Tf("từ %s đến %s", fmtDate(from), fmtDate(to))
}

func romanQuarter(t time.Time) string {
	return [...]string{"I", "II", "III", "IV"}[(int(t.Month())-1)/3]
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
			cur := periodOf(periodMonth, p.u.opt.Store.Now())
			p.from.SetText(fmtDate(cur.From))
			p.to.SetText(fmtDate(dayStart(p.u.opt.Store.Now())))
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
		return periodOf(max(i, 0), p.u.opt.Store.Now()), nil
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

// --- Targets ---------------------------------------------------------------------------

// targetsData is what the targets panel shows.
type targetsData struct {
	period  domain.Period
	ind     domain.Indicators
	trend   []domain.Indicators
	targets localdb.Targets
	asOf    time.Time
}

// targetsPanel compares the centre's indicators with the city's targets for a period, and
// shows the trend of the last months.
type targetsPanel struct {
	s       *supervisorScreen
	picker  *periodPicker
	summary *widget.Label
	below   *widget.Label
	bars    *barChart
	trend   *lineChart
	data    targetsData
	gen     int
	root    fyne.CanvasObject
	banner  *banner
}

func newTargetsPanel(s *supervisorScreen) *targetsPanel {
	p := &targetsPanel{s: s}
	p.picker = newPeriodPicker(s.u, periodMonth, p.load)
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.below = widget.NewLabel("")
	p.below.Wrapping = fyne.TextWrapWord
	p.below.TextStyle.Bold = true
	p.bars = newBarChart(true, false)
	p.trend = newLineChart()
	legend := widget.NewLabel(T("Vạch đậm trên mỗi thanh là mục tiêu. Thanh đỏ: chưa đạt mục tiêu; thanh xanh lá: đã đạt."))
	legend.Wrapping = fyne.TextWrapWord
	legend.SizeName = theme.SizeNameCaptionText
	trendNote := widget.NewLabel(T("Tỷ lệ của từng tháng; tháng này tính đến hôm nay. Đường nét đứt là mục tiêu."))
	trendNote.Wrapping = fyne.TextWrapWord
	trendNote.SizeName = theme.SizeNameCaptionText
	left := section(heading(T("Chỉ tiêu so với kết quả thực hiện")),
		container.NewVScroll(container.NewVBox(p.summary, p.bars, widget.NewSeparator(), p.below, legend)))
	right := section(heading(Tf("Xu hướng %d tháng gần nhất", trendMonths)), container.NewBorder(nil, trendNote, nil, nil, p.trend))
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.5
	p.banner = newBanner()
	top := container.NewVBox(container.NewHBox(widget.NewLabelWithStyle(T("Kỳ:"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.picker.box),
		p.banner.box)
	root := container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
	p.banner.parent = root
	p.picker.box.Refresh()
	p.root = root
	return p
}

func (p *targetsPanel) load() {
	u := p.s.u
	period, err := p.picker.period()
	if err != nil {
		setErr(p.picker.err, errText(err))
		p.root.Refresh()
		return
	}
	p.gen++
	gen := p.gen
	background(u, func(ctx context.Context) (targetsData, error) {
		out := targetsData{period: period, targets: u.opt.Store.Config().Targets, asOf: u.opt.Store.Now()}
		var err error
		if out.ind, err = u.opt.Store.Indicators(ctx, period); err != nil {
			return out, err
		}
		out.trend, err = u.opt.Store.MonthlyIndicators(ctx, out.asOf, trendMonths)
		return out, err
	}, func(d targetsData, err error) {
		if gen != p.gen {
			return // a later choice is on its way
		}
		if err != nil {
			p.banner.set(errText(err), widget.DangerImportance)
			return
		}
		p.banner.set("", widget.MediumImportance)
		p.apply(d)
	})
}

// indicatorRow is one target against its actual. A target of 0 is one not set (a share
// cannot be below 0%).
func indicatorRow(label string, r domain.Ratio, target float64) barRow {
	row := barRow{Label: label, Value: r.Value(), Target: target / 100, Text: pct(r.Value())}
	if r.Den == 0 {
		row.Text, row.Note, row.Target = "–", T("chưa có hồ sơ trong kỳ"), -1
		return row
	}
	if target <= 0 {
		row.Target = -1
		row.Note = Tf("%s/%s · chưa đặt mục tiêu", groupDigits(r.Num), groupDigits(r.Den))
		return row
	}
	row.Below = 100*r.Value() < target
	verdict := T("đạt")
	if row.Below {
		verdict = T("chưa đạt")
	}
	row.Note = Tf("%s/%s · mục tiêu %s · %s", groupDigits(r.Num), groupDigits(r.Den), pctTarget(target), verdict)
	return row
}

func (p *targetsPanel) apply(d targetsData) {
	p.data = d
	ind, tg := d.ind, d.targets
	rows := []barRow{
		indicatorRow(T("Hồ sơ nộp trực tuyến"), ind.Online, tg.Online),
		indicatorRow(T("Xử lý toàn trình trên môi trường số"), ind.FullyDigital, tg.FullyDigital),
		indicatorRow(T("Số hóa và trả kết quả điện tử"), ind.DigitizedEResult, tg.DigitizedEResult),
		indicatorRow(T("Giải quyết đúng hạn, trước hạn"), ind.OnTime, tg.OnTime),
	}
	assisted := barRow{Label: T("Được hỗ trợ viết (ngày không viết)"), Value: ind.Assisted.Value(), Target: -1,
		Text: Tf("%s hồ sơ", groupDigits(ind.Assisted.Num))}
	if ind.Assisted.Den > 0 {
		assisted.Note = Tf("%s số hồ sơ tiếp nhận", pct(ind.Assisted.Value()))
	}
	rows = append(rows, assisted)
	p.bars.SetRows(rows, 1)

	p.summary.SetText(Tf("Kỳ %s: tiếp nhận %s hồ sơ, đã giải quyết %s hồ sơ.", periodText(d.period),
		groupDigits(ind.Received), groupDigits(ind.Resolved)))
	var below []string
	for _, r := range rows {
		if r.Below {
			below = append(below, r.Label)
		}
	}
	switch {
	case ind.Received == 0 && ind.Resolved == 0:
		p.below.Importance = widget.MediumImportance
		p.below.SetText(T("Chưa có hồ sơ nào trong kỳ này."))
	case len(below) > 0:
		p.below.Importance = widget.DangerImportance
		p.below.SetText(Tf("Chưa đạt mục tiêu: %s.", strings.Join(below, "; ")))
	default:
		p.below.Importance = widget.SuccessImportance
		p.below.SetText(T("Mọi chỉ tiêu đều đạt mục tiêu."))
	}

	var labels []string
	onTime, online := make([]float64, len(d.trend)), make([]float64, len(d.trend))
	for i, m := range d.trend {
		labels = append(labels, Tf("%d/%d", int(m.Period.From.Month()), m.Period.From.Year()))
		onTime[i], online[i] = ratioOrNaN(m.OnTime), ratioOrNaN(m.Online)
	}
	p.trend.SetData(labels, []lineSeries{
		{Name: T("Giải quyết đúng hạn"), Color: colorSeriesOrange, Values: onTime, Target: targetShare(tg.OnTime)},
		{Name: T("Nộp trực tuyến"), Color: colorSeriesBlue, Values: online, Target: targetShare(tg.Online)},
	})
	p.root.Refresh()
	p.s.loaded(d.asOf)
}

// targetShare is a target in percent as a share; -1 when not set.
func targetShare(p float64) float64 {
	if p <= 0 {
		return -1
	}
	return p / 100
}

func ratioOrNaN(r domain.Ratio) float64 {
	if r.Den == 0 {
		return math.NaN()
	}
	return r.Value()
}
