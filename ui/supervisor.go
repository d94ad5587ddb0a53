package ui

import (
	"context"
	"image/color"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
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
	store   supervisorStore // what it reads and records
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
	s := &supervisorScreen{u: u, store: u.opt.Store}
	s.today = newTodayPanel(s)
	s.targets = newTargetsPanel(s)
	s.reports = newReportsPanel(u, s.store)
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

// twoLines breaks a heading at the space that makes its longer line shortest.
func twoLines(s string) string {
	words := strings.Fields(s)
	if len(words) < 2 {
		return s
	}
	best, at := len(s)+1, 1
	for i := 1; i < len(words); i++ {
		a, b := len(strings.Join(words[:i], " ")), len(strings.Join(words[i:], " "))
		if m := max(a, b); m < best {
			best, at = m, i
		}
	}
	return strings.Join(words[:at], " ") + "\n" + strings.Join(words[at:], " ")
}

// staffNames maps usernames to full names (the username when unknown).
func staffNames(ctx context.Context, st Staff) map[string]string {
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

// todayData is what the today panel shows.
type todayData struct {
	dash  query.Dashboard
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
	// The headings over figures go on two lines, so the names keep the width (at 1280 px
	// they were cut to "Nguyễn …").
	heads := []string{twoLines(T("Đang giải quyết")), twoLines(T("Tiếp nhận")), twoLines(T("Trả KQ")), twoLines(T("Tiếp đón"))}
	p.staffCols = columns{-1}
	for _, h := range heads {
		w := textWidth("0.000", false)
		for _, line := range strings.Split(h, "\n") {
			w = max(w, textWidth(line, true))
		}
		p.staffCols = append(p.staffCols, w)
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
		dash, err := p.s.store.Dashboard(ctx, dashboardOverdueRows)
		if err != nil {
			return out, err
		}
		out.dash = dash
		out.names = staffNames(ctx, p.s.store)
		if u.opt.Sync != nil {
			out.sync = u.opt.Sync.Info()
		} else {
			out.sync = SyncInfo{Waiting: dash.Outbox, Quarantined: dash.Quarantined}
		}
		cal := p.s.store.Calendar()
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
	for _, st := range query.DashboardStatuses {
		top = max(top, dash.ByStatus[st])
	}
	for _, st := range query.DashboardStatuses {
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
