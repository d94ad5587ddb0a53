package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"github.com/xuri/excelize/v2"

	"motcua/domain"
	"motcua/localdb"
)

// The admin chooses how the II.06a report counts withdrawn, stopped and refused dossiers;
// the choice is kept, shown on the reports screen, and the exported report follows it.
func TestSettingsReportRules(t *testing.T) {
	now := vnTime(2026, 3, 18, 15, 30)
	h := newHarness(t, now)
	h.setUp()
	ctx := context.Background()
	if _, err := h.store.Seed(ctx, localdb.SeedOptions{Dossiers: 120, Days: 40, Actors: []domain.Staff{testClerk}}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(now)
	month := periodOf(periodMonth, now)
	apart, _, err := h.store.Report(ctx, month, domain.ReportOptions{AsOf: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if apart.Total.Withdrawn == 0 || apart.Total.Refused == 0 {
		t.Fatalf("the seed has no withdrawn or no refused dossier this month: %+v", apart.Total)
	}

	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	r := s.reportRules
	if r == nil || r.save == nil {
		t.Fatal("no report rules for the admin")
	}
	if r.finish.SelectedIndex() != 0 || r.closed[domain.StatusWithdrawn].SelectedIndex() != 0 ||
		!strings.Contains(r.preview.Text, "(3) Số hồ sơ nhận giải quyết – Tổng số: Gồm HS rút, dừng, từ chối") {
		t.Fatalf("defaults: %d %d, preview %q", r.finish.SelectedIndex(), r.closed[domain.StatusWithdrawn].SelectedIndex(), r.preview.Text)
	}
	// Withdrawn: resolved on time; refused: left out.
	r.closed[domain.StatusWithdrawn].SetSelectedIndex(1)
	r.closed[domain.StatusRefused].SetSelectedIndex(3)
	if !strings.Contains(r.preview.Text, "(9) Số hồ sơ đã giải quyết – Đúng hạn: Gồm HS rút") ||
		!strings.Contains(r.preview.Text, "(3) Số hồ sơ nhận giải quyết – Tổng số: Gồm HS rút, dừng; không gồm HS từ chối") {
		t.Errorf("preview does not follow the choice: %q", r.preview.Text)
	}
	if dir := os.Getenv("MOTCUA_SHOTS_DIR"); dir != "" {
		shootCard(t, h, s, r.card, dir, "screen-cai-dat-cach-tinh.png")
	}
	test.Tap(r.save)
	h.settle()
	got := h.store.Config().Report
	if got.Closed.Withdrawn != domain.ClosedResolvedOnTime || got.Closed.Refused != domain.ClosedExcluded ||
		got.Closed.For(domain.StatusStopped) != domain.ClosedApart || got.ResolvedAt != "result" {
		t.Fatalf("saved %+v; banner %q", got, r.msg.label.Text)
	}

	// The export (Giám sát → Báo cáo, sổ) follows the settings, and says how it counts.
	sv := supervisorOf(t, h)
	sv.tabs.Select(sv.reportsTab)
	h.settle()
	p := sv.reports
	if p.rulesBox.Hidden || !strings.Contains(p.rules.Text, "Hồ sơ từ chối giải quyết sau khi đã tiếp nhận (trạng thái 3): không tính vào biểu") {
		t.Errorf("the reports screen does not say how it counts: %q", p.rules.Text)
	}
	test.Tap(p.export)
	h.settle()
	path := filepath.Join(h.ui.printDir(), "Bieu-II06a-2026-03.xlsx")
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%v; banner %q", err, p.banner.label.Text)
	}
	defer x.Close()
	rows, _ := x.GetRows("II.06a")
	var total []string
	for _, row := range rows {
		if len(row) > 2 && row[1] == "Tổng cộng" {
			total = row
		}
	}
	chosen, _, err := h.store.Report(ctx, month, domain.ReportOptions{AsOf: now, Closed: got.Closed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(total) != 13 {
		t.Fatalf("no total row in %q", rows)
	}
	for i, v := range chosen.Total.Cells() {
		if g := strings.ReplaceAll(total[2+i], ",", ""); g != strconv.Itoa(v) {
			t.Errorf("column %d: %s, want %d", 3+i, total[2+i], v)
		}
	}
	// As documented: refused dossiers leave (3), withdrawn ones join (7) and (9).
	a, c := apart.Total, chosen.Total
	if c.Received != a.Received-a.Refused || c.Resolved != a.Resolved+a.Withdrawn || c.OnTime != a.OnTime+a.Withdrawn || c.InProgress != a.InProgress {
		t.Errorf("apart %+v\nchosen %+v", a, c)
	}
	if !strings.Contains(strings.Join(flatten(rows), " "), "Hồ sơ từ chối giải quyết sau khi đã tiếp nhận (trạng thái 3), "+strconv.Itoa(a.Refused)+" hồ sơ: không tính vào biểu") {
		t.Error("the exported report does not state the treatment")
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// shootCard scrolls the settings screen to a card and saves the window, to look at it.
func shootCard(t *testing.T, h *harness, s *settingsScreen, card fyne.CanvasObject, dir, name string) {
	t.Helper()
	h.ui.win.Resize(fyne.NewSize(1366, 768))
	scroll, ok := s.root.(*container.Scroll)
	if !ok {
		t.Fatalf("settings root is %T", s.root)
	}
	scroll.Refresh()
	var y float32 = -1
	walkObjects(scroll.Content, func(o fyne.CanvasObject) {
		if o == card {
			y = fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Y - fyne.CurrentApp().Driver().AbsolutePositionForObject(scroll.Content).Y
		}
	})
	if y < 0 {
		t.Fatalf("%s: card not on the screen", name)
	}
	scroll.ScrollToOffset(fyne.NewPos(0, y))
	shoot(t, h, dir, name)
}
