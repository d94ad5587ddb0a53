package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"motcua/domain"
	"motcua/localdb"
)

// supervisorOf shows the Giám sát tab of the signed-in supervisor.
func supervisorOf(t *testing.T, h *harness) *supervisorScreen {
	t.Helper()
	s, ok := screenOf[*supervisorScreen](h.ui)
	if !ok {
		t.Fatal("no Giám sát screen")
	}
	h.ui.showScreen(s)
	h.settle()
	return s
}

// setTargets gives the centre the city's targets (the harness's configuration has none).
func setTargets(t *testing.T, h *harness, tg localdb.Targets) {
	t.Helper()
	cfg := h.store.Config()
	cfg.Targets = tg
	if err := h.store.UpdateConfig(context.Background(), testAdmin, cfg); err != nil {
		t.Fatal(err)
	}
}

// allDossiers reads every dossier through the store's own queries.
func allDossiers(t *testing.T, h *harness) []domain.Dossier {
	t.Helper()
	ctx := context.Background()
	rows, err := h.store.Queue(ctx, localdb.QueueFilter{}, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Dossier
	for _, r := range rows {
		d, err := h.store.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// makeConflict receives a dossier now, then pulls the city's refusal made half an hour
// later, while the counter, offline, recorded the result and handed it over after it: two
// conflicts (see localdb.TestApplyRemoteConflictsNeverEraseLocal).
func makeConflict(t *testing.T, h *harness, name, id string) domain.Dossier {
	t.Helper()
	ctx := context.Background()
	start := h.clock.Now()
	d := receiveFor(t, h, testClerk, name, id)
	refusedAt := start.Add(30 * time.Minute)
	refused, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, d.ID, domain.EvRefused,
		domain.ReasonPayload{Reason: "Giấy tờ không hợp lệ"}, "tp.operator", "central", testUnit.UnitCode, refusedAt,
		domain.MakeHLC(refusedAt.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(start.Add(time.Hour))
	if _, err := h.store.ResultReady(ctx, testClerk, d.ID, domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(start.Add(65 * time.Minute))
	if _, err := h.store.HandOver(ctx, testClerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: name, IDNumber: id}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ApplyRemote(ctx, []domain.Event{refused}, "cursor", "c-"+d.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := h.store.Get(ctx, d.ID)
	if len(got.OpenConflicts()) != 2 {
		t.Fatalf("conflicts %+v", got.Conflicts)
	}
	return got
}

func TestSupervisorDashboardFigures(t *testing.T) {
	now := vnTime(2026, 3, 18, 15, 30)
	h := newHarness(t, now)
	h.setUp()
	ctx := context.Background()
	if _, err := h.store.Seed(ctx, localdb.SeedOptions{Dossiers: 150, Days: 30, Actors: []domain.Staff{testClerk, testBoss}}); err != nil {
		t.Fatal(err)
	}
	// Two dossiers left waiting since early March: overdue, the older one first.
	h.clock.Set(vnTime(2026, 3, 3, 9, 0))
	older := receiveFor(t, h, testClerk, "Trần Văn Bình", "031085012345")
	h.clock.Set(vnTime(2026, 3, 9, 9, 0))
	receiveFor(t, h, testBoss, "Lê Thị Cúc", "031190012345")
	h.clock.Set(now)
	if err := h.store.RecordVisit(ctx, testClerk); err != nil {
		t.Fatal(err)
	}
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	p := s.today

	// The expected figures, from the folded dossiers and the visit count.
	day := vnTime(2026, 3, 18, 0, 0)
	today := func(t time.Time) bool { return !t.IsZero() && !t.Before(day) && t.Before(day.AddDate(0, 0, 1)) }
	asOf := p.data.dash.AsOf
	var received, handed, due, overdue, open int
	var late []domain.Dossier
	openBy := map[string]int{}
	for _, d := range allDossiers(t, h) {
		if d.Status != domain.StatusRegistered && today(d.ReceivedAt) {
			received++
		}
		if today(d.ReturnedAt) {
			handed++
		}
		if d.Status.Open() {
			open++
			openBy[d.ReceivedBy]++
			if today(d.DueAt) {
				due++
			}
			if d.DueAt.Before(asOf) {
				overdue++
				late = append(late, d)
			}
		}
	}
	visits, _ := h.store.Visits(ctx, day, day.AddDate(0, 0, 1))
	nv := 0
	for _, v := range visits {
		nv += v.N
	}
	if received == 0 || handed == 0 || overdue < 2 {
		t.Fatalf("the seed gives too little to check: received %d handed %d overdue %d", received, handed, overdue)
	}
	for _, c := range []struct {
		name string
		tile *tile
		want int
	}{{"received", p.received, received}, {"handed over", p.handed, handed}, {"visits", p.visits, nv},
		{"due today", p.dueToday, due}, {"overdue", p.overdue, overdue}} {
		if c.tile.value.Text != groupDigits(c.want) {
			t.Errorf("%s shows %q, want %d", c.name, c.tile.value.Text, c.want)
		}
	}
	st, _ := h.store.Stats(ctx)
	if p.syncTile.value.Text != groupDigits(st.Outbox) {
		t.Errorf("waiting to sync %q, store says %d", p.syncTile.value.Text, st.Outbox)
	}
	// Open dossiers by status, as the store counts them.
	for i, status := range localdb.DashboardStatuses {
		if got, want := p.statusChart.rows[i].Text, groupDigits(st.ByStatus[strconv.Itoa(int(status))]); got != want {
			t.Errorf("status %v: %s, want %s", status, got, want)
		}
	}
	// Workload: each staff member's open dossiers.
	if len(p.staffRows.Objects) < 2 {
		t.Fatalf("%d staff rows", len(p.staffRows.Objects))
	}
	for _, o := range p.staffRows.Objects {
		cells := o.(*fyne.Container).Objects
		name := cells[0].(*widget.Label).Text
		user := map[string]string{testClerk.FullName: "lan", testBoss.FullName: "minh"}[name]
		if got := cells[1].(*widget.Label).Text; got != groupDigits(openBy[user]) {
			t.Errorf("%s holds %s open dossiers, want %d", name, got, openBy[user])
		}
	}

	// The overdue list: the longest overdue first, every row overdue.
	rows := p.data.dash.OverdueRows
	if len(rows) != overdue || p.overdueList.Length() != overdue {
		t.Fatalf("%d overdue rows listed, want %d", len(rows), overdue)
	}
	oldest := late[0]
	for _, d := range late {
		if d.DueAt.Before(oldest.DueAt) {
			oldest = d
		}
	}
	if rows[0].ID != oldest.ID || oldest.ID != older.ID {
		t.Errorf("first overdue %s, want %s", rows[0].Code, oldest.Code)
	}
	// Due Fri 6/3: Mon 9 to Wed 18 March are 8 working days.
	if p.data.late[0] != 8 || lateText(p.data.late[0]) != "8 ngày" {
		t.Errorf("the oldest is %d working days late (due %s)", p.data.late[0], fmtDateTime(rows[0].DueAt))
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].DueAt.Before(rows[i-1].DueAt) || p.data.late[i] > p.data.late[i-1] {
			t.Fatalf("overdue rows out of order at %d", i)
		}
	}
	if !strings.HasPrefix(p.overdue.sub.Text, "Lâu nhất: ") {
		t.Errorf("overdue tile: %q", p.overdue.sub.Text)
	}

	// Enter opens the focused (first) row in the Hồ sơ tab; a click opens another.
	q := queueOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p.overdueList.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if h.ui.tabs.Selected().Text != "Hồ sơ" || !q.detail.loaded || q.detail.d.ID != rows[0].ID {
		t.Fatalf("Enter did not open %s (tab %s)", rows[0].Code, h.ui.tabs.Selected().Text)
	}
	h.ui.showScreen(s)
	h.settle()
	p.overdueList.Select(1)
	h.settle()
	if h.ui.tabs.Selected().Text != "Hồ sơ" || q.detail.d.ID != rows[1].ID {
		t.Fatalf("a click did not open %s", rows[1].Code)
	}
}

func TestSupervisorTargetsFollowThePeriod(t *testing.T) {
	now := vnTime(2026, 3, 18, 15, 30)
	h := newHarness(t, now)
	h.setUp()
	ctx := context.Background()
	if _, err := h.store.Seed(ctx, localdb.SeedOptions{Dossiers: 120, Days: 60, Actors: []domain.Staff{testClerk}}); err != nil {
		t.Fatal(err)
	}
	// Online share far above what a counter does; no target set for fully digital.
	setTargets(t, h, localdb.Targets{Online: 95, FullyDigital: 0, DigitizedEResult: 100, OnTime: 1})
	h.clock.Set(now)
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	s.tabs.Select(s.targetsTab)
	h.settle()
	p := s.targets

	check := func(want domain.Period) domain.Indicators {
		t.Helper()
		ind, err := h.store.Indicators(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if p.data.period != want || p.data.ind != ind {
			t.Fatalf("shown %v %+v, want %v %+v", p.data.period, p.data.ind, want, ind)
		}
		rows := p.bars.rows
		if rows[0].Text != ind.Online.Percent() || rows[3].Text != ind.OnTime.Percent() {
			t.Errorf("bars %q %q, want %q %q", rows[0].Text, rows[3].Text, ind.Online.Percent(), ind.OnTime.Percent())
		}
		return ind
	}
	march := check(periodOf(periodMonth, now))
	if march.Received == 0 {
		t.Fatal("nothing received this month")
	}
	// Below target: marked on the bar and in words; met and unset targets are not.
	rows := p.bars.rows
	if !rows[0].Below || !strings.Contains(rows[0].Note, "chưa đạt") || p.below.Importance != widget.DangerImportance ||
		!strings.Contains(p.below.Text, "Hồ sơ nộp trực tuyến") {
		t.Errorf("online share below target not marked: %+v %q", rows[0], p.below.Text)
	}
	if rows[3].Below || !strings.Contains(rows[3].Note, "đạt") || rows[1].Below || rows[1].Target >= 0 ||
		!strings.Contains(rows[1].Note, "chưa đặt mục tiêu") {
		t.Errorf("met or unset targets marked: %+v %+v", rows[3], rows[1])
	}
	if len(p.trend.labels) != trendMonths || p.trend.labels[trendMonths-1] != "3/2026" || len(p.trend.series) != 2 {
		t.Fatalf("trend %v", p.trend.labels)
	}
	monthly, _ := h.store.MonthlyIndicators(ctx, now, trendMonths)
	if got := p.trend.series[0].Values[trendMonths-1]; got != monthly[trendMonths-1].OnTime.Value() {
		t.Errorf("trend on time %v, want %v", got, monthly[trendMonths-1].OnTime.Value())
	}

	// Last month: other figures.
	p.picker.choice.SetSelectedIndex(periodLastMonth)
	h.settle()
	feb := check(periodOf(periodLastMonth, now))
	if feb == march {
		t.Error("the period changed but not the figures")
	}
	// A range typed by hand; a bad date is explained and changes nothing.
	p.picker.choice.SetSelectedIndex(periodCustom)
	h.settle()
	p.picker.from.SetText("01/02/2026")
	p.picker.to.SetText("31/2/2026")
	test.Tap(p.picker.apply)
	h.settle()
	if p.picker.err.Hidden || !strings.Contains(p.picker.err.Text, "31/2/2026") || p.data.period != feb.Period {
		t.Fatalf("bad date: %q %v", p.picker.err.Text, p.data.period)
	}
	p.picker.to.SetText("15/3/2026")
	p.picker.to.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	custom, _ := domain.NewPeriod(vnTime(2026, 2, 1, 0, 0), vnTime(2026, 3, 15, 0, 0))
	check(custom)
	if !p.picker.err.Hidden || !strings.Contains(p.summary.Text, "từ 01/02/2026 đến 15/03/2026") {
		t.Errorf("custom range: err %q summary %q", p.picker.err.Text, p.summary.Text)
	}
}

func TestSupervisorExportsReports(t *testing.T) {
	now := vnTime(2026, 3, 18, 15, 30)
	h := newHarness(t, now)
	h.setUp()
	ctx := context.Background()
	if _, err := h.store.Seed(ctx, localdb.SeedOptions{Dossiers: 80, Days: 40, Actors: []domain.Staff{testClerk}}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(now)
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	s.tabs.Select(s.reportsTab)
	h.settle()
	p := s.reports
	if !strings.Contains(p.folder.Text, h.ui.printDir()) {
		t.Errorf("folder line %q", p.folder.Text)
	}

	// II.06a of this month as XLSX: the total row is the store's.
	test.Tap(p.export)
	h.settle()
	want := filepath.Join(h.ui.printDir(), "Bieu-II06a-2026-03.xlsx")
	if opened := h.openedPDFs(); len(opened) != 1 || opened[0] != want {
		t.Fatalf("opened %v, want %s; banner %q", opened, want, p.banner.label.Text)
	}
	if !strings.Contains(p.banner.label.Text, want) || p.resultBox.Hidden || !p.progressBox.Hidden || p.export.Disabled() {
		t.Errorf("after export: banner %q", p.banner.label.Text)
	}
	rep, _, err := h.store.Report(ctx, periodOf(periodMonth, now), domain.ReportOptions{AsOf: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(want)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheetRows, _ := x.GetRows("II.06a")
	var total []string
	for _, r := range sheetRows {
		if len(r) > 2 && r[1] == "Tổng cộng" {
			total = r
		}
	}
	if len(total) != 13 {
		t.Fatalf("no total row: %q", sheetRows)
	}
	for i, v := range rep.Total.Cells() {
		if got := strings.ReplaceAll(total[2+i], ",", ""); got != strconv.Itoa(v) {
			t.Errorf("column %d: %s, want %d", 3+i, total[2+i], v)
		}
	}
	if rep.Total.Received == 0 {
		t.Error("an empty report proves little")
	}

	// The tracking book of last month as PDF.
	p.kind.SetSelected(reportKindChoices()[reportTracking])
	p.picker.choice.SetSelectedIndex(periodLastMonth)
	p.format.SetSelected(reportFormatChoices()[1])
	test.Tap(p.export)
	h.settle()
	pdf := filepath.Join(h.ui.printDir(), "So-theo-doi-ho-so-2026-02.pdf")
	if opened := h.openedPDFs(); len(opened) != 2 || opened[1] != pdf {
		t.Fatalf("opened %v; banner %q", opened, p.banner.label.Text)
	}
	book, _ := h.store.TrackingBook(ctx, periodOf(periodLastMonth, now), nil)
	text := pdfText(t, pdf)
	// A code wraps after its unit part in the narrow column: look for the date and number.
	first, last := strings.TrimPrefix(book[0].Code, testUnit.UnitCode+"-"), strings.TrimPrefix(book[len(book)-1].Code, testUnit.UnitCode+"-")
	if !strings.Contains(text, "SỔ THEO DÕI HỒ SƠ") || !strings.Contains(text, first) || !strings.Contains(text, last) {
		t.Errorf("the book's PDF lacks its dossiers (%d, %s … %s): %.800s", len(book), first, last, text)
	}
	// A bad custom range is refused before any work.
	p.picker.choice.SetSelectedIndex(periodCustom)
	p.picker.from.SetText("20/03/2026")
	p.picker.to.SetText("01/03/2026")
	test.Tap(p.export)
	h.settle()
	if p.picker.err.Hidden || len(h.openedPDFs()) != 2 {
		t.Errorf("bad range: %q", p.picker.err.Text)
	}
	if left, _ := filepath.Glob(filepath.Join(h.ui.printDir(), ".report-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSupervisorResolvesConflictsAndRequeues(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	ctx := context.Background()
	d := makeConflict(t, h, "Nguyễn Văn An", "001099012345")
	h.clock.Set(vnTime(2026, 3, 16, 14, 0))
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	if !strings.Contains(s.conflictsTab.Text, "(1)") {
		t.Errorf("conflicts tab %q", s.conflictsTab.Text)
	}
	s.tabs.Select(s.conflictsTab)
	h.settle()
	p := s.conflicts
	if len(p.data.items) != 2 || p.list.Hidden || !p.form.Hidden {
		t.Fatalf("%d conflicts listed", len(p.data.items))
	}
	texts := visibleTexts(p.root)
	for _, want := range []string{d.Code, "máy này", "Trả kết quả — Nguyễn Thị Lan", "Không thể"} {
		if !containsText(texts, want) {
			t.Errorf("list lacks %q: %v", want, texts)
		}
	}
	var handOver int
	for i, it := range p.data.items {
		if it.c.Type == domain.EvHandedOver {
			handOver = i
		}
	}
	// The citizen did take the result: the hand-over stands.
	hoID := p.data.items[handOver].c.EventID
	p.list.Select(handOver)
	h.settle()
	if p.form.Hidden || p.status.Selected != statusText(domain.StatusReturned) || !p.status.Disabled() {
		t.Fatalf("form for the hand-over: hidden %v, status %q", p.form.Hidden, p.status.Selected)
	}
	test.Tap(p.resolve)
	if p.noteErr.Hidden {
		t.Fatal("no message for the missing note")
	}
	p.decision.SetSelected(decisionSet())
	if p.status.Disabled() {
		t.Fatal("status choice still disabled")
	}
	test.Type(p.note, "Công dân đã nhận kết quả trước khi có thông báo từ chối")
	test.Tap(p.resolve)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got, _ := h.store.Get(ctx, d.ID)
	if got.Status != domain.StatusReturned || len(got.OpenConflicts()) != 1 || len(p.data.items) != 1 {
		t.Fatalf("after the first decision: %v %d open, %d listed; banner %q", got.Status, len(got.OpenConflicts()), len(p.data.items), p.banner.label.Text)
	}
	// The decision is a new event; the conflicting events are kept.
	tl, _ := h.store.Timeline(ctx, d.ID)
	var decided *domain.ConflictResolvedPayload
	types := map[domain.EventType]int{}
	for _, e := range tl {
		types[e.Event.Type]++
		if e.Event.Type == domain.EvConflictResolved {
			pl, _ := domain.DecodePayload(e.Event)
			decided = pl.(*domain.ConflictResolvedPayload)
			if e.Event.Actor != testBoss.Username {
				t.Errorf("decided by %s", e.Event.Actor)
			}
		}
	}
	if decided == nil || decided.Decision != "set_status" || decided.SetStatus != domain.StatusReturned ||
		len(decided.EventIDs) != 1 || decided.EventIDs[0] != hoID ||
		!strings.Contains(decided.Note, "trước khi có thông báo") {
		t.Fatalf("decision %+v", decided)
	}
	if types[domain.EvHandedOver] != 1 || types[domain.EvResultReady] != 1 || types[domain.EvRefused] != 1 {
		t.Errorf("history changed: %v", types)
	}
	// The other one: keep the state.
	p.list.Select(0)
	h.settle()
	test.Type(p.note, "Kết quả đã có trước khi trả; giữ nguyên")
	test.Tap(p.resolve)
	tapOverlayButton(t, h, "Đồng ý")
	h.settle()
	got, _ = h.store.Get(ctx, d.ID)
	if got.Status != domain.StatusReturned || len(got.OpenConflicts()) != 0 || len(p.data.items) != 0 || p.empty.Hidden || !p.list.Hidden {
		t.Fatalf("after the second decision: %v %+v", got.Status, got.OpenConflicts())
	}
	if n, _ := h.store.QueueCount(ctx, localdb.QueueFilter{Conflicts: true}); n != 0 {
		t.Fatalf("%d dossiers still in conflict", n)
	}

	// Quarantine: the city refused one event; the supervisor puts it back, after confirming.
	out, _ := h.store.Outbox(ctx, 1)
	if err := h.store.Quarantine(ctx, out[0].ID, "Chữ ký số không hợp lệ: chữ ký số của sự kiện không khớp với nội dung hoặc với khóa của máy tạo ra nó."); err != nil {
		t.Fatal(err)
	}
	test.Tap(s.refresh)
	h.settle()
	if len(p.data.quarantined) != 1 || p.qList.Hidden {
		t.Fatalf("%d quarantined listed", len(p.data.quarantined))
	}
	if !containsText(visibleTexts(p.qList), "Lý do: Chữ ký số không hợp lệ") || !containsText(visibleTexts(p.qList), d.Code) {
		t.Errorf("quarantined item: %v", visibleTexts(p.qList))
	}
	var requeue *widget.Button
	walkObjects(p.qList, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Đưa lại vào hàng đợi" {
			requeue = b
		}
	})
	if requeue == nil {
		t.Fatal("no requeue button")
	}
	test.Tap(requeue)
	if q, _ := h.store.Quarantined(ctx); len(q) != 1 {
		t.Fatal("requeued without confirmation")
	}
	tapOverlayButton(t, h, "Đưa lại vào hàng đợi")
	h.settle()
	if q, _ := h.store.Quarantined(ctx); len(q) != 0 || len(p.data.quarantined) != 0 || p.qEmpty.Hidden {
		t.Fatalf("still quarantined: %+v", q)
	}
	waiting, _ := h.store.Outbox(ctx, 1000)
	found := false
	for _, e := range waiting {
		found = found || e.ID == out[0].ID
	}
	if !found {
		t.Error("the event is not back in the outbox")
	}
}

func TestSupervisorTabOnlyForSupervisors(t *testing.T) {
	for _, c := range []struct {
		who  domain.Staff
		sees bool
	}{{testClerk, false}, {testHelper, false}, {testBoss, true}, {testAdmin, true}} {
		h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
		h.setUp()
		h.signIn(c.who)
		if got := contains(tabTitles(h.ui), "Giám sát"); got != c.sees {
			t.Errorf("%s sees Giám sát: %v", c.who.Role, got)
		}
	}
}

func TestPeriodsAndFileNames(t *testing.T) {
	now := vnTime(2026, 10, 15, 9, 0) // a Thursday
	for _, c := range []struct {
		kind     int
		from, to time.Time
		slug     string
		text     string
	}{
		{periodToday, vnTime(2026, 10, 15, 0, 0), vnTime(2026, 10, 15, 0, 0), "2026-10-15", "ngày 15/10/2026"},
		{periodWeek, vnTime(2026, 10, 12, 0, 0), vnTime(2026, 10, 18, 0, 0), "2026-10-12_2026-10-18", "từ 12/10/2026 đến 18/10/2026"},
		{periodMonth, vnTime(2026, 10, 1, 0, 0), vnTime(2026, 10, 31, 0, 0), "2026-10", "tháng 10/2026"},
		{periodLastMonth, vnTime(2026, 9, 1, 0, 0), vnTime(2026, 9, 30, 0, 0), "2026-09", "tháng 09/2026"},
		{periodQuarter, vnTime(2026, 10, 1, 0, 0), vnTime(2026, 12, 31, 0, 0), "2026-Q4", "quý IV/2026"},
		{periodYear, vnTime(2026, 1, 1, 0, 0), vnTime(2026, 12, 31, 0, 0), "2026", "năm 2026"},
	} {
		p := periodOf(c.kind, now)
		if !p.From.Equal(c.from) || !p.To.Equal(c.to) || periodSlug(p) != c.slug || periodText(p) != c.text {
			t.Errorf("kind %d: %v %q %q", c.kind, p, periodSlug(p), periodText(p))
		}
	}
	if got := reportFileName(reportII06a, periodOf(periodMonth, now), "xlsx"); got != "Bieu-II06a-2026-10.xlsx" {
		t.Errorf("file name %q", got)
	}
	jan := vnTime(2026, 1, 20, 9, 0)
	if p := periodOf(periodLastMonth, jan); periodSlug(p) != "2025-12" {
		t.Errorf("last month in January: %v", p)
	}
	for in, ok := range map[string]bool{"01/03/2026": true, "1/3/2026": true, "1-3-2026": true, "01.03.2026": true,
		"31/02/2026": false, "2026-03-01": false, "": false} {
		if _, got := parseDay(in); got != ok {
			t.Errorf("parseDay(%q) = %v", in, got)
		}
	}
	for n, want := range map[float64]string{0.635: "63,5%", 1: "100,0%", 0: "0,0%"} {
		if pct(n) != want {
			t.Errorf("pct(%v) = %q", n, pct(n))
		}
	}
	if niceMax(93) != 100 || niceMax(3) != 4 || niceMax(130) != 200 || niceMax(1234) != 2000 {
		t.Errorf("niceMax %v %v %v %v", niceMax(93), niceMax(3), niceMax(130), niceMax(1234))
	}
}

// shootSupervisorScreens adds the supervisor's four parts to the screenshots (TestScreens),
// with the city's targets, a conflict and a refused sync item to settle.
func shootSupervisorScreens(t *testing.T, h *harness, dir string) {
	t.Helper()
	s, ok := screenOf[*supervisorScreen](h.ui)
	if !ok {
		return
	}
	ctx := context.Background()
	setTargets(t, h, localdb.DefaultTargets())
	makeConflict(t, h, "Nguyễn Văn An", "001099012345")
	if out, _ := h.store.Outbox(ctx, 1); len(out) == 1 {
		if err := h.store.Quarantine(ctx, out[0].ID, "Chữ ký số không hợp lệ: chữ ký số của sự kiện không khớp với nội dung hoặc với khóa của máy tạo ra nó."); err != nil {
			t.Fatal(err)
		}
	}
	h.ui.showScreen(s)
	s.tabs.Select(s.todayTab)
	h.settle()
	shoot(t, h, dir, "08-giam-sat.png")
	s.tabs.Select(s.targetsTab)
	h.settle()
	shoot(t, h, dir, "09-chi-tieu-bieu-do.png")
	s.tabs.Select(s.reportsTab)
	h.settle()
	test.Tap(s.reports.export)
	h.settle()
	shoot(t, h, dir, "10-xuat-bao-cao.png")
	s.tabs.Select(s.conflictsTab)
	h.settle()
	s.conflicts.list.Select(0)
	h.settle()
	shoot(t, h, dir, "11-xung-dot-dong-bo.png")
	s.tabs.Select(s.todayTab)
}

// TestZZSupervisorShots renders the supervisor's screens with more data than TestScreens
// (2,000 dossiers over 200 days), for a look: MOTCUA_SUPER_SHOTS=dir.
func TestZZSupervisorShots(t *testing.T) {
	dir := os.Getenv("MOTCUA_SUPER_SHOTS")
	if dir == "" {
		t.Skip("set MOTCUA_SUPER_SHOTS to a folder")
	}
	_ = os.MkdirAll(dir, 0o755)
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	if _, err := h.store.Seed(context.Background(), localdb.SeedOptions{Dossiers: 2000, Days: 200,
		Actors: []domain.Staff{testClerk, testBoss, testAdmin}}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(vnTime(2026, 3, 16, 10, 0))
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	shootSupervisorScreens(t, h, dir)
}

// A received event that could not be trusted (here: dated far ahead) is listed for the
// supervisor beside the events the city refused, with its reason and without a re-queue
// button: there is nothing to send again.
func TestSupervisorListsRefusedReceivedEvents(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	ctx := context.Background()
	d := receiveFor(t, h, testClerk, "Nguyễn Văn An", "001099012345")
	far := vnTime(2036, 3, 16, 9, 0)
	ev, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, d.ID, domain.EvRefused,
		domain.ReasonPayload{Reason: "x"}, "mallory", "0193a0b0-0000-7000-8000-00000000beef", testUnit.UnitCode, far, domain.MakeHLC(far.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	reason := domain.CheckClock(ev, h.clock.Now(), 0).Error()
	if _, err := h.store.ApplyPulled(ctx, nil, []localdb.Refused{{Event: ev, Reason: reason}}, "cursor", "c-1"); err != nil {
		t.Fatal(err)
	}
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testBoss)
	s := supervisorOf(t, h)
	s.tabs.Select(s.conflictsTab)
	h.settle()
	p := s.conflicts
	if len(p.data.refused) != 1 || p.qList.Hidden || !strings.Contains(p.qTitle.Text, "1 nhận về") {
		t.Fatalf("refused %d, title %q", len(p.data.refused), p.qTitle.Text)
	}
	texts := visibleTexts(p.root)
	for _, want := range []string{"nhận về, không tin được", "vượt quá giờ hiện tại", "máy 0193a0b0"} {
		if !containsText(texts, want) {
			t.Errorf("list lacks %q: %v", want, texts)
		}
	}
	walkObjects(p.qList, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok {
			t.Errorf("a re-queue button for a received event: %q", b.Text)
		}
	})
	if got, _ := h.store.Get(ctx, d.ID); got.Status != domain.StatusAccepted {
		t.Fatalf("the refused event was applied: %v", got.Status)
	}
	if dir := os.Getenv("MOTCUA_LOOK_DIR"); dir != "" {
		shoot(t, h, dir, "conflicts-refused.png")
	}
}
