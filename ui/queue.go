package ui

import (
	"context"
	"image/color"
	"slices"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

func init() {
	registerScreen(orderQueue, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermProcess) {
			return nil
		}
		return newQueueScreen(u, st)
	})
}

// Paging of the queue: the table asks for rows as they scroll into view; rows come from the
// store 50 at a time, off the UI goroutine, into a small cache. Nothing loads the whole table.
const (
	queuePageSize  = 50
	queueMaxPages  = 40 // pages kept in memory (2,000 rows)
	queueMaxWanted = 8  // pages waiting to load; older requests (scrolled past) are dropped
	searchDelay    = 250 * time.Millisecond
)

// Columns of the queue table.
const (
	colCode = iota
	colApplicant
	colProcedure
	colReceived
	colDue
	colStatus
	colSync
	colOpen
	queueCols
)

// queueScreen (Hồ sơ) lists the dossiers, filtered and searched, in a virtualised table over
// paged queries; the dossier detail replaces the table in the same tab.
type queueScreen struct {
	u     *UI
	store queueStore // what it reads and records
	me    domain.Staff

	search                                      *scanField
	status                                      *widget.Select
	field                                       *widget.Select
	dueToday, overdue, mine, waiting, conflicts *widget.Check
	count                                       *widget.Label
	online                                      *widget.Button // online registrations waiting, when there are any
	capped                                      bool           // the count is within the search's most recent matches
	table                                       *queueTable
	list                                        *fyne.Container
	detail                                      *detailView
	root                                        *fyne.Container

	fields []domain.Field

	// The cache. gen changes with the filter: loads of an older generation are ignored
	// (and cancelled through ctx).
	filter     query.QueueFilter
	gen        int
	ctx        context.Context
	cancel     context.CancelFunc
	total      int // dossiers the filter selects; -1 while counting
	pages      map[int]*queuePage
	stale      map[int]*queuePage // the previous generation's rows, shown until fresh ones arrive
	wanted     map[int]int64      // pages to load → when last asked for
	drawnEmpty map[int]bool       // pages drawn as "…" or stale: the table needs a refresh when they arrive
	touch      int64
	loading    bool
	loadingNo  int  // the page being loaded
	selected   int  // selected row, -1 none
	openSingle bool // Enter in the search box: open the dossier when exactly one matches

	debounce *debouncer
}

type queuePage struct {
	rows    []query.QueueRow
	touched int64
}

// statusAllText is the status filter's last choice: every status.
func statusAllText() string { return T("Tất cả") }

func newQueueScreen(u *UI, me domain.Staff) *queueScreen {
	s := &queueScreen{u: u, store: u.opt.Store, me: me, total: -1, selected: -1,
		pages: map[int]*queuePage{}, wanted: map[int]int64{}, drawnEmpty: map[int]bool{}}
	s.ctx, s.cancel = context.WithCancel(u.ctx)
	s.debounce = newDebouncer(u, searchDelay)

	s.search = newScanField()
	s.search.SetPlaceHolder(T("Tìm theo mã hồ sơ, số định danh, số điện thoại hoặc họ tên (gõ không dấu cũng được)"))
	s.search.OnChanged = func(string) { s.debounce.run(func() { s.reload(true) }) }
	s.search.OnSubmitted = func(string) {
		s.debounce.stop()
		s.openSingle = true
		s.reload(true)
	}

	// Not "Đang xử lý": that is status 4's name, and this choice also holds 2, 5 and 6.
	statuses := []string{T("Đang giải quyết (2, 4, 5, 6)")}
	for _, st := range domain.AllStatuses() {
		statuses = append(statuses, strconv.Itoa(int(st))+". "+statusText(st))
	}
	statuses = append(statuses, statusAllText())
	s.status = widget.NewSelect(statuses, func(string) { s.reload(true) })
	s.status.SetSelectedIndex(0)

	s.fields = s.store.Catalogue().Fields()
	fieldNames := []string{T("Tất cả lĩnh vực")}
	for _, f := range s.fields {
		fieldNames = append(fieldNames, f.Name)
	}
	s.field = widget.NewSelect(fieldNames, func(string) { s.reload(true) })
	s.field.SetSelectedIndex(0)

	toggle := func(label string) *widget.Check { return widget.NewCheck(label, func(bool) { s.reload(true) }) }
	s.dueToday = toggle(T("Đến hạn hôm nay"))
	s.overdue = toggle(T("Quá hạn"))
	s.mine = toggle(T("Của tôi"))
	s.waiting = toggle(T("Chờ đồng bộ"))
	s.conflicts = toggle(T("Có xung đột"))

	s.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Online registrations wait for a clerk to accept them, outside the "in progress" list.
	s.online = widget.NewButtonWithIcon("", theme.MailComposeIcon(), func() {
		s.status.SetSelectedIndex(int(domain.StatusRegistered)) // the choice after "in progress"
	})
	s.online.Importance = widget.WarningImportance
	s.online.Hide()
	s.table = newQueueTable(s)
	refresh := widget.NewButtonWithIcon(T("Làm mới"), theme.ViewRefreshIcon(), func() { s.reload(false) })

	filters := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, s.search),
		// Two rows, so that the window fits a 1280-pixel-wide screen.
		container.NewHBox(
			widget.NewLabel(T("Trạng thái")), container.NewGridWrap(fyne.NewSize(250, s.status.MinSize().Height), s.status),
			widget.NewLabel(T("Lĩnh vực")), container.NewGridWrap(fyne.NewSize(200, s.field.MinSize().Height), s.field)),
		container.NewHBox(s.dueToday, s.overdue, s.mine, s.waiting, s.conflicts),
		container.NewHBox(s.count, s.online, spacer(), refresh),
	)
	s.list = container.NewBorder(container.NewPadded(filters), nil, nil, nil, s.table)
	s.detail = newDetailView(s)
	s.detail.root.Hide()
	s.root = container.NewStack(s.list, s.detail.root)
	s.reload(true)
	return s
}

func (s *queueScreen) title() string              { return T("Hồ sơ") }
func (s *queueScreen) icon() fyne.Resource        { return theme.ListIcon() }
func (s *queueScreen) content() fyne.CanvasObject { return s.root }

func (s *queueScreen) menuItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{s.u.shortcutItem(T("Tìm hồ sơ"), fyne.KeyF, theme.SearchIcon(), s.focusSearch)}
}

// shown refreshes the list (new intakes, results recorded elsewhere) keeping its position.
func (s *queueScreen) shown() {
	if s.detail.showing() {
		s.detail.reload()
		return
	}
	s.reload(false)
	s.u.win.Canvas().Focus(s.search)
}

// focusSearch brings the list back and puts the cursor in the search box.
func (s *queueScreen) focusSearch() {
	s.u.showScreen(s)
	s.showList()
	s.u.win.Canvas().Focus(s.search) // selects what is there: typing replaces it
}

// openDossier shows a dossier's detail in place of the table.
func (s *queueScreen) openDossier(id string) {
	s.u.touch()
	s.list.Hide()
	s.detail.open(id)
	s.detail.root.Show()
	s.root.Refresh()
}

// showList goes back from the detail to the table, where it was.
func (s *queueScreen) showList() {
	if !s.detail.showing() {
		return
	}
	s.detail.close()
	s.detail.root.Hide()
	s.list.Show()
	s.root.Refresh()
	s.u.win.Canvas().Focus(s.table)
}

// currentFilter reads the filter widgets.
func (s *queueScreen) currentFilter() query.QueueFilter {
	f := query.QueueFilter{Text: s.search.Text}
	switch i := s.status.SelectedIndex(); {
	case i == 0:
		for _, st := range domain.AllStatuses() {
			if st.Open() {
				f.Statuses = append(f.Statuses, st)
			}
		}
	case i >= 1 && i <= len(domain.AllStatuses()):
		f.Statuses = []domain.Status{domain.AllStatuses()[i-1]}
	}
	if i := s.field.SelectedIndex(); i >= 1 && i <= len(s.fields) {
		f.FieldCode = s.fields[i-1].Code
	}
	f.DueToday = s.dueToday.Checked
	f.Overdue = s.overdue.Checked
	if s.mine.Checked {
		f.Staff = s.me.Username
	}
	if s.waiting.Checked {
		f.Sync = 1
	}
	f.Conflicts = s.conflicts.Checked
	return f
}

// reload starts a new generation of the cache: a new filter (fresh=true: back to the top) or
// the same one refreshed after a change (fresh=false: the rows on screen stay until their
// new version arrives, and the position is kept).
func (s *queueScreen) reload(fresh bool) {
	if s.table == nil {
		return // still building the widgets
	}
	s.cancel()
	s.ctx, s.cancel = context.WithCancel(s.u.ctx)
	s.gen++
	s.filter = s.currentFilter()
	if fresh {
		s.stale = nil
		s.total = -1
		s.selected = -1
		s.table.UnselectAll()
		s.table.ScrollToTop()
	} else {
		s.stale = s.pages
	}
	s.pages = map[int]*queuePage{}
	s.wanted = map[int]int64{}
	s.drawnEmpty = map[int]bool{}
	s.loading = false
	s.showCount()
	s.want(0)
	if !fresh {
		// the rows on screen are reloaded as they are drawn
		s.table.Refresh()
	}
	s.loadCount()
}

func (s *queueScreen) loadCount() {
	s.loadOnline()
	gen, ctx, f := s.gen, s.ctx, s.filter
	type counted struct {
		n      int
		capped bool
	}
	background(s.u, func(context.Context) (counted, error) {
		n, capped, err := s.store.QueueCountCapped(ctx, f)
		return counted{n, capped}, err
	}, func(c counted, err error) {
		if gen != s.gen {
			return
		}
		if err != nil {
			s.u.log.Warn("queue count", "err", err)
			s.count.SetText(T("Không đếm được số hồ sơ."))
			return
		}
		s.total, s.capped = c.n, c.capped
		s.showCount()
		s.table.Refresh()
	})
}

// loadOnline counts the online registrations waiting to be accepted, for the button that
// lists them (hidden while that list is shown, or when there are none).
func (s *queueScreen) loadOnline() {
	ctx := s.ctx
	registered := []domain.Status{domain.StatusRegistered}
	background(s.u, func(context.Context) (int, error) {
		return s.store.QueueCount(ctx, query.QueueFilter{Statuses: registered})
	}, func(n int, err error) {
		if err != nil || n == 0 || slices.Equal(s.filter.Statuses, registered) {
			s.online.Hide()
			return
		}
		s.online.SetText(Tf("%s hồ sơ đăng ký trực tuyến chờ tiếp nhận", groupDigits(n)))
		s.online.Show()
	})
}

func (s *queueScreen) showCount() {
	switch {
	case s.total < 0:
		s.count.SetText(T("Đang đếm…"))
	case s.total == 0:
		s.count.SetText(T("Không có hồ sơ nào phù hợp."))
	case s.capped:
		// The search looked at the most recent query.TextMatchCap dossiers it matches.
		s.count.SetText(Tf("%s hồ sơ (chỉ xét %s hồ sơ gần nhất khớp với từ tìm — gõ thêm để thu hẹp)", groupDigits(s.total), groupDigits(query.TextMatchCap)))
	default:
		s.count.SetText(Tf("%s hồ sơ", groupDigits(s.total)))
	}
}

// rows is the table's length: the count once known, else what the first page showed.
func (s *queueScreen) rows() int {
	if s.total >= 0 {
		return s.total
	}
	if p := s.pages[0]; p != nil {
		return len(p.rows)
	}
	if p := s.stale[0]; p != nil {
		return len(p.rows) // refreshing: keep the old length until the count arrives
	}
	return 0
}

// row returns a loaded row (fresh or, while refreshing, the previous version); ok=false
// asks for its page.
func (s *queueScreen) row(i int) (query.QueueRow, bool) {
	n := i / queuePageSize
	s.touch++
	if p := s.pages[n]; p != nil {
		p.touched = s.touch
		if k := i % queuePageSize; k < len(p.rows) {
			return p.rows[k], true
		}
		return query.QueueRow{}, false
	}
	s.want(n)
	s.drawnEmpty[n] = true
	if p := s.stale[n]; p != nil {
		if k := i % queuePageSize; k < len(p.rows) {
			return p.rows[k], true
		}
	}
	return query.QueueRow{}, false
}

// want asks for a page; one page loads at a time, the most recently asked first.
func (s *queueScreen) want(n int) {
	if s.loading && s.loadingNo == n {
		return
	}
	s.wanted[n] = s.touch
	if len(s.wanted) > queueMaxWanted {
		oldest, at := -1, int64(0)
		for p, t := range s.wanted {
			if oldest < 0 || t < at {
				oldest, at = p, t
			}
		}
		delete(s.wanted, oldest)
	}
	s.loadNext()
}

func (s *queueScreen) loadNext() {
	if s.loading || len(s.wanted) == 0 {
		return
	}
	next, at := -1, int64(-1)
	for p, t := range s.wanted {
		if t > at {
			next, at = p, t
		}
	}
	delete(s.wanted, next)
	s.loading, s.loadingNo = true, next
	gen, ctx, f := s.gen, s.ctx, s.filter
	background(s.u, func(context.Context) ([]query.QueueRow, error) {
		return s.store.Queue(ctx, f, next*queuePageSize, queuePageSize)
	}, func(rows []query.QueueRow, err error) {
		if gen != s.gen {
			return
		}
		s.loading = false
		if err != nil {
			s.u.log.Warn("queue page", "page", next, "err", err)
			s.loadNext()
			return
		}
		s.touch++
		s.pages[next] = &queuePage{rows: rows, touched: s.touch}
		s.evict()
		if s.openSingle && next == 0 {
			s.openSingle = false
			if len(rows) == 1 {
				s.openDossier(rows[0].ID)
			}
		}
		if next == 0 && s.total < 0 || s.drawnEmpty[next] {
			// Rows on screen were waiting for this page. One Refresh redraws the visible
			// cells only; it is cheaper than a RefreshItem per cell, which lays out all of
			// them each time.
			delete(s.drawnEmpty, next)
			s.table.Refresh()
		}
		s.loadNext()
	})
}

// evict keeps the cache small: the pages least recently drawn go.
func (s *queueScreen) evict() {
	for len(s.pages) > queueMaxPages {
		oldest, at := -1, int64(0)
		for p, pg := range s.pages {
			if oldest < 0 || pg.touched < at {
				oldest, at = p, pg.touched
			}
		}
		delete(s.pages, oldest)
	}
}

// loadedRow returns a row of the current generation if its page has arrived.
func (s *queueScreen) loadedRow(i int) (query.QueueRow, bool) {
	p := s.pages[i/queuePageSize]
	if p == nil || i%queuePageSize >= len(p.rows) {
		return query.QueueRow{}, false
	}
	return p.rows[i%queuePageSize], true
}

// onSelect highlights a row.
func (s *queueScreen) onSelect(row int) {
	s.u.touch()
	if s.selected == row {
		return
	}
	s.selected = row
	s.table.Refresh()
}

// openRow opens the dossier of a row, once loaded.
func (s *queueScreen) openRow(row int) {
	if r, ok := s.loadedRow(row); ok {
		s.selected = row
		s.openDossier(r.ID)
	}
}

// changed is called after an action on a dossier: the list reloads in place.
func (s *queueScreen) changed() { s.reload(false) }

// queueTable is the table with row selection by keyboard, Enter and double-click to open.
type queueTable struct {
	widget.Table
	s        *queueScreen
	widths   [queueCols]float32
	lastSize fyne.Size
}

func newQueueTable(s *queueScreen) *queueTable {
	t := &queueTable{s: s}
	t.Length = func() (int, int) { return s.rows(), queueCols }
	t.CreateCell = newQueueCell
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) { s.updateCell(id, o) }
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		heads := [queueCols]string{T("Mã hồ sơ"), T("Người nộp"), T("Thủ tục"), T("Ngày nhận"), T("Hẹn trả"), T("Trạng thái"), T("Đồng bộ"), ""}
		if id.Col >= 0 && id.Col < queueCols {
			o.(*widget.Label).SetText(heads[id.Col])
		}
	}
	t.OnSelected = func(id widget.TableCellID) { s.onSelect(id.Row) }
	t.ExtendBaseWidget(t)
	// Column widths from sample texts, so they follow the theme's text size; the
	// procedure column takes what is left (see Resize).
	measure := func(sample string) float32 { return widget.NewLabel(sample).MinSize().Width + theme.Padding() }
	bold := func(sample string) float32 {
		return widget.NewLabelWithStyle(sample, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Width + theme.Padding()
	}
	open := widget.NewButtonWithIcon(T("Xem"), theme.NavigateNextIcon(), nil)
	t.widths = [queueCols]float32{
		measure("000.00.06.H56-260316-1001"), measure("Nguyễn Thị Phương Thảo"), 240,
		measure("16/03/2026"), measure("17:00 16/03/2026"), measure("Yêu cầu bổ sung giấy tờ"),
		max(bold(T("Xung đột")), bold(T("Đồng bộ")), measure(T("Chờ gửi"))), open.MinSize().Width,
	}
	for c, w := range t.widths {
		t.SetColumnWidth(c, w)
	}
	return t
}

// Resize gives the procedure column the width the others leave.
func (t *queueTable) Resize(size fyne.Size) {
	if size.Width != t.lastSize.Width {
		t.lastSize = size
		var fixed float32
		for c, w := range t.widths {
			if c != colProcedure {
				fixed += w + theme.Padding()
			}
		}
		rest := size.Width - fixed - 3*theme.Padding() - theme.ScrollBarSize()
		if rest < 200 {
			rest = 200
		}
		t.SetColumnWidth(colProcedure, rest)
	}
	t.Table.Resize(size)
}

// TypedKey: arrows move the selected row, Enter opens it.
func (t *queueTable) TypedKey(e *fyne.KeyEvent) {
	rows := t.s.rows()
	sel := t.s.selected
	move := func(to int) {
		if rows == 0 {
			return
		}
		to = max(0, min(rows-1, to))
		t.Select(widget.TableCellID{Row: to, Col: colCode})
	}
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if sel >= 0 {
			t.s.openRow(sel)
		}
	case fyne.KeyDown:
		move(sel + 1)
	case fyne.KeyUp:
		move(sel - 1)
	case fyne.KeyPageDown:
		move(sel + 15)
	case fyne.KeyPageUp:
		move(sel - 15)
	case fyne.KeyHome:
		move(0)
	case fyne.KeyEnd:
		move(rows - 1)
	default:
		t.Table.TypedKey(e)
	}
}

// DoubleTapped opens the dossier under the pointer (a double click never reaches Tapped).
func (t *queueTable) DoubleTapped(e *fyne.PointEvent) {
	t.Table.Tapped(e)
	if t.s.selected >= 0 {
		t.s.openRow(t.s.selected)
	}
}

// A cell: a row highlight behind a truncated label, or the row's "Xem" button.
func newQueueCell() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	b := widget.NewButtonWithIcon(T("Xem"), theme.NavigateNextIcon(), nil)
	b.Importance = widget.LowImportance
	b.IconPlacement = widget.ButtonIconTrailingText
	b.Hide()
	return container.NewStack(bg, l, b)
}

func (s *queueScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	bg, l, b := c.Objects[0].(*canvas.Rectangle), c.Objects[1].(*widget.Label), c.Objects[2].(*widget.Button)
	var fill color.Color = color.Transparent
	if id.Row == s.selected {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
	r, ok := s.row(id.Row)
	if id.Col == colOpen {
		l.Hide()
		if ok {
			row := id.Row
			b.OnTapped = func() { s.openRow(row) }
			b.Show()
		} else {
			b.Hide()
		}
		return
	}
	b.Hide()
	l.Show()
	if !ok {
		setCell(l, "…", widget.LowImportance, false)
		return
	}
	now := s.u.now()
	switch id.Col {
	case colCode:
		setCell(l, r.Code, widget.MediumImportance, false)
	case colApplicant:
		setCell(l, r.Applicant, widget.MediumImportance, false)
	case colProcedure:
		setCell(l, r.ProcedureName, widget.MediumImportance, false)
	case colReceived:
		setCell(l, fmtDate(r.ReceivedAt), widget.MediumImportance, false)
	case colDue:
		imp, bold := widget.MediumImportance, false
		switch {
		case domain.Overdue(r.Status, r.DueAt, now):
			imp, bold = widget.DangerImportance, true
		case r.Status.Open() && sameDayVN(r.DueAt, now):
			imp = widget.WarningImportance
		}
		setCell(l, fmtDateTime(r.DueAt), imp, bold)
	case colStatus:
		setCell(l, statusText(r.Status), statusImportance(r.Status), false)
	case colSync:
		text, imp := syncWord(r.Sync, r.Conflicts)
		setCell(l, text, imp, r.Conflicts > 0)
	}
}

func setCell(l *widget.Label, text string, imp widget.Importance, bold bool) {
	if l.Text == text && l.Importance == imp && l.TextStyle.Bold == bold {
		return
	}
	l.Importance = imp
	l.TextStyle.Bold = bold
	if l.Text != text {
		l.SetText(text) // refreshes
		return
	}
	l.Refresh()
}

// syncWord is a dossier's sync state as one short word.
func syncWord(sync, conflicts int) (string, widget.Importance) {
	switch {
	case conflicts > 0:
		return T("Xung đột"), widget.DangerImportance
	case sync == 2:
		return T("Bị giữ lại"), widget.DangerImportance
	case sync == 1:
		return T("Chờ gửi"), widget.WarningImportance
	}
	return T("Đã gửi"), widget.MediumImportance
}

// statusImportance colours a status: amber when waiting on the citizen, green when the
// result waits at the counter, plain otherwise (Fyne's low importance is too faint to read).
func statusImportance(s domain.Status) widget.Importance {
	switch s {
	case domain.StatusSupplement, domain.StatusAwaitingPayment, domain.StatusRegistered:
		return widget.WarningImportance
	case domain.StatusResultReady:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

func sameDayVN(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	a, b = a.In(domain.VN()), b.In(domain.VN())
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// groupDigits writes 1234 as "1.234" (Vietnamese thousands separator).
func groupDigits(n int) string { return domain.FormatNumber(int64(n)) }

// debouncer runs the last function given after a quiet delay, on the UI goroutine. A pending
// run counts as background work, so tests settle after it.
type debouncer struct {
	u     *UI
	delay time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

func newDebouncer(u *UI, delay time.Duration) *debouncer { return &debouncer{u: u, delay: delay} }

func (d *debouncer) run(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
	d.u.jobs.Add(1)
	d.timer = time.AfterFunc(d.delay, func() {
		defer d.u.jobs.Done()
		if d.u.ctx.Err() == nil {
			d.u.opt.Do(f)
		}
	})
}

func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
}

func (d *debouncer) stopLocked() {
	if d.timer != nil && d.timer.Stop() {
		d.u.jobs.Done() // it will not run
	}
	d.timer = nil
}
