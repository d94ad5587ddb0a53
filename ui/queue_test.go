package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
	"motcua/localdb"
)

// queueOf shows the queue tab and returns its screen.
func queueOf(t *testing.T, h *harness) *queueScreen {
	t.Helper()
	q, ok := screenOf[*queueScreen](h.ui)
	if !ok {
		t.Fatal("no queue screen")
	}
	h.ui.showScreen(q)
	h.settle()
	return q
}

// seedQueue adds demo dossiers received by the clerk and the supervisor.
func seedQueue(t *testing.T, h *harness, n int) {
	t.Helper()
	if _, err := h.store.Seed(context.Background(), localdb.SeedOptions{Dossiers: n, Days: 30, Actors: []domain.Staff{testClerk, testBoss}}); err != nil {
		t.Fatal(err)
	}
}

// shownRows are the rows the table has loaded, among the first n.
func shownRows(q *queueScreen, n int) []localdb.QueueRow {
	var out []localdb.QueueRow
	for i := 0; i < min(n, q.rows()); i++ {
		if r, ok := q.loadedRow(i); ok {
			out = append(out, r)
		}
	}
	return out
}

// visibleTexts collects the texts of the labels drawn inside an object.
func visibleTexts(o fyne.CanvasObject) []string {
	var out []string
	walkObjects(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			out = append(out, l.Text)
		}
		if r, ok := o.(*widget.RichText); ok && r.String() != "" {
			out = append(out, r.String())
		}
	})
	return out
}

// walkObjects visits an object tree as the canvas draws it.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkObjects(c, f)
		}
	}
}

// tapOverlayButton taps the button with that text in the dialog on top (e.g. a confirmation).
func tapOverlayButton(t *testing.T, h *harness, text string) {
	t.Helper()
	top := h.ui.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open to tap %q", text)
	}
	var found *widget.Button
	walkObjects(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q in the dialog", text)
	}
	test.Tap(found)
}

func containsText(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func TestQueueFiltersSearchAndPaging(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	seedQueue(t, h, 130)
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testClerk)
	q := queueOf(t, h)
	ctx := context.Background()

	// Everything: the count line and the first page.
	q.status.SetSelected(statusAllText())
	h.settle()
	total, _ := h.store.QueueCount(ctx, localdb.QueueFilter{})
	if total != 130 || q.count.Text != "130 hồ sơ" {
		t.Fatalf("count line %q, store %d", q.count.Text, total)
	}
	if q.rows() != 130 {
		t.Fatalf("table length %d", q.rows())
	}
	first := shownRows(q, 130)
	if len(first) == 0 || len(first) > queuePageSize*2 {
		t.Fatalf("%d rows loaded at first; want a page or two", len(first))
	}
	if !containsText(visibleTexts(q.table), first[0].Code) {
		t.Errorf("first row %s not drawn", first[0].Code)
	}
	// Paging: rows beyond the first pages show "…" until their page arrives.
	if _, ok := q.loadedRow(120); ok {
		t.Fatal("row 120 loaded before it was shown")
	}
	q.table.ScrollTo(widget.TableCellID{Row: 120, Col: 0})
	if !containsText(visibleTexts(q.table), "…") {
		t.Error("rows not loaded yet are not marked …")
	}
	h.settle()
	r120, ok := q.loadedRow(120)
	if !ok {
		t.Fatal("row 120 not loaded after scrolling to it")
	}
	want, _ := h.store.Queue(ctx, localdb.QueueFilter{}, 120, 1)
	if r120.ID != want[0].ID {
		t.Fatalf("row 120 is %s, want %s", r120.Code, want[0].Code)
	}
	texts := visibleTexts(q.table)
	if !containsText(texts, r120.Code) || containsText(texts, "…") {
		t.Errorf("cells not filled after their page arrived: %v", texts)
	}

	// Search without diacritics narrows the table; no count until typing pauses.
	test.Type(q.search, "nguyen thi")
	if q.filter.Text != "" {
		t.Fatal("the search ran on a keystroke, before the pause")
	}
	h.settle()
	n, _ := h.store.QueueCount(ctx, localdb.QueueFilter{Text: "nguyen thi"})
	if n == 0 || n >= 130 || q.count.Text != Tf("%s hồ sơ", groupDigits(n)) {
		t.Fatalf("search count line %q, store %d", q.count.Text, n)
	}
	rows := shownRows(q, n)
	if len(rows) != min(n, queuePageSize) {
		t.Fatalf("%d rows shown for %d matches", len(rows), n)
	}
	for _, r := range rows {
		if !strings.HasPrefix(citizen.Fold(r.Applicant), "nguyen thi") {
			t.Errorf("search shows %q", r.Applicant)
		}
	}
	if !containsText(visibleTexts(q.table), rows[0].Applicant) {
		t.Error("matching applicant not drawn")
	}

	// Filters: overdue, mine, field.
	q.search.SetText("")
	h.settle()
	q.status.SetSelectedIndex(0)            // in progress
	h.clock.Set(vnTime(2026, 3, 20, 16, 0)) // end of the week: the recent ones are late
	test.Tap(q.overdue)
	h.settle()
	now := h.store.Now()
	over := shownRows(q, q.rows())
	if len(over) == 0 {
		t.Fatal("no overdue dossiers in the demo data")
	}
	for _, r := range over {
		if !r.Status.Open() || !r.DueAt.Before(now) {
			t.Errorf("overdue filter shows %s status %v due %v", r.Code, r.Status, r.DueAt)
		}
	}
	test.Tap(q.overdue)
	test.Tap(q.mine)
	h.settle()
	mine, _ := h.store.QueueCount(ctx, localdb.QueueFilter{Staff: "lan", Statuses: []domain.Status{2, 4, 5, 6}})
	if q.rows() != mine {
		t.Fatalf("mine: %d rows, store %d", q.rows(), mine)
	}
	for _, r := range shownRows(q, q.rows()) {
		if r.ReceivedBy != "lan" {
			t.Errorf("mine shows a dossier received by %s", r.ReceivedBy)
		}
	}
	test.Tap(q.mine)
	q.field.SetSelected("Chứng thực")
	h.settle()
	for _, r := range shownRows(q, q.rows()) {
		if r.FieldCode != q.fields[q.field.SelectedIndex()-1].Code {
			t.Errorf("field filter shows %s (%s)", r.ProcedureName, r.FieldCode)
		}
	}

	// Enter in the search box with a whole code opens that dossier.
	q.field.SetSelectedIndex(0)
	q.status.SetSelected(statusAllText())
	h.settle()
	q.search.SetText(r120.Code)
	q.search.TypedKey(&fyneKeyReturn)
	h.settle()
	if !q.detail.showing() || q.detail.d.ID != r120.ID {
		t.Fatalf("Enter on a code did not open it (showing %v)", q.detail.showing())
	}
	test.Tap(q.detail.back)
	if q.detail.showing() || !q.list.Visible() {
		t.Fatal("back did not return to the list")
	}
}

func TestQueueKeyboardOpensAndComesBack(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	seedQueue(t, h, 70)
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	h.signIn(testClerk)
	q := queueOf(t, h)
	q.status.SetSelected(statusAllText())
	h.settle()
	q.table.ScrollTo(widget.TableCellID{Row: 60})
	h.settle()
	q.table.Select(widget.TableCellID{Row: 60, Col: 1})
	q.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if q.selected != 61 {
		t.Fatalf("down arrow: selected %d", q.selected)
	}
	r61, _ := q.loadedRow(61)
	q.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if !q.detail.showing() || q.detail.d.ID != r61.ID {
		t.Fatal("Enter did not open the selected row")
	}
	if !containsText(visibleTexts(q.detail.root), r61.Code) {
		t.Error("detail does not show the code")
	}
	q.showList()
	if q.selected != 61 || !containsText(visibleTexts(q.table), r61.Code) {
		t.Error("the list did not come back where it was")
	}
	// The menu's Ctrl+F item goes back to the search box.
	q.openRow(61)
	h.settle()
	q.menuItems()[0].Action()
	if q.detail.showing() || h.ui.win.Canvas().Focused() != q.search {
		t.Error("Ctrl+F did not bring the search box back")
	}
}

func TestQueueHiddenFromHelpers(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testHelper)
	if _, ok := screenOf[*queueScreen](h.ui); ok {
		t.Fatal("a helper has the queue")
	}
	if _, ok := screenOf[*handOverScreen](h.ui); ok {
		t.Fatal("a helper has the hand-over screen")
	}
	if contains(tabTitles(h.ui), "Hồ sơ") {
		t.Fatal("a helper sees the Hồ sơ tab")
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 1234: "1.234", 1000000: "1.000.000", -4321: "-4.321"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

// shootDossierScreens adds the dossier detail, an action dialog and a hand-over to the
// screenshots (TestScreens): a dossier being processed, then one whose result is ready.
func shootDossierScreens(t *testing.T, h *harness, dir string) {
	t.Helper()
	ctx := context.Background()
	q, ok := screenOf[*queueScreen](h.ui)
	if !ok {
		return
	}
	rows, _ := h.store.Queue(ctx, localdb.QueueFilter{Statuses: []domain.Status{domain.StatusProcessing}}, 0, 1)
	if len(rows) == 0 {
		t.Fatal("no dossier being processed in the demo data")
	}
	h.ui.openDossier(rows[0].ID)
	h.settle()
	shoot(t, h, dir, "05-ho-so-chi-tiet.png")
	test.Tap(q.detail.actionButtons[domain.EvSupplementRequested])
	f := q.detail.form
	f.items.rows[0].name.SetText("Bản sao giấy chứng nhận quyền sử dụng đất có chứng thực")
	f.items.add().name.SetText("Văn bản ủy quyền")
	f.entries["reason"].SetText("Thiếu giấy tờ chứng minh quyền sử dụng tài sản")
	shoot(t, h, dir, "06-yeu-cau-bo-sung.png")
	f.close()
	q.showList()
	hs, ok := screenOf[*handOverScreen](h.ui)
	if !ok {
		return
	}
	ready, _ := h.store.Queue(ctx, localdb.QueueFilter{Statuses: []domain.Status{domain.StatusResultReady}}, 0, 1)
	if len(ready) == 0 {
		t.Fatal("no result ready in the demo data")
	}
	h.ui.showScreen(hs)
	test.Type(hs.code, ready[0].Code)
	hs.code.TypedKey(&fyneKeyReturn)
	h.settle()
	hs.who.SetSelected(whoAuthorised())
	shoot(t, h, dir, "07-tra-ket-qua.png")
	hs.reset()
}

// A search matching more dossiers than the queue considers (the most recent
// localdb.TextMatchCap) says so and asks for more letters, instead of a count that looks
// like the whole answer.
func TestQueueSearchBeyondTheCapSaysSo(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	seedQueue(t, h, localdb.TextMatchCap+200)
	h.signIn(testClerk)
	q := queueOf(t, h)
	ctx := context.Background()
	q.status.SetSelected(statusAllText())
	h.settle()
	// A one-letter prefix (of a name or a procedure's word) that matches more than the cap.
	var text string
	for _, c := range "cnthklmbdgpqsv" {
		if _, capped, _ := h.store.QueueCountCapped(ctx, localdb.QueueFilter{Text: string(c)}); capped {
			text = string(c)
			break
		}
	}
	if text == "" {
		t.Fatal("no one-letter search matches more than the cap")
	}
	q.search.SetText(text)
	h.settle()
	n, capped, err := h.store.QueueCountCapped(ctx, localdb.QueueFilter{Text: text})
	if err != nil || !capped {
		t.Fatalf("capped %v %v", capped, err)
	}
	want := Tf("%s hồ sơ (chỉ xét %s hồ sơ gần nhất khớp với từ tìm — gõ thêm để thu hẹp)", groupDigits(n), groupDigits(localdb.TextMatchCap))
	if q.count.Text != want {
		t.Fatalf("count line %q, want %q", q.count.Text, want)
	}
	// A narrower search is counted plainly again.
	q.search.SetText("nguyen thi lan")
	h.settle()
	n, capped, _ = h.store.QueueCountCapped(ctx, localdb.QueueFilter{Text: "nguyen thi lan"})
	if capped || (n > 0 && q.count.Text != Tf("%s hồ sơ", groupDigits(n))) || (n == 0 && q.count.Text != "Không có hồ sơ nào phù hợp.") {
		t.Fatalf("narrow search: count line %q, store %d capped %v", q.count.Text, n, capped)
	}
}
