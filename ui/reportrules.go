package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
	"motcua/query"
)

func init() {
	settingsSections = append(settingsSections, func(s *settingsScreen) fyne.CanvasObject {
		s.reportRules = newReportRules(s)
		return s.reportRules.card
	})
}

// reportRules (in Cài đặt): how the II.06a report counts what provincial systems count
// differently — when a dossier is resolved, and the dossiers withdrawn, stopped or refused
// — as the province chooses. Everyone sees the choice; only an admin changes it.
type reportRules struct {
	u       *UI
	store   settingsStore // what it reads and records
	card    fyne.CanvasObject
	finish  *widget.Select
	closed  map[domain.Status]*widget.Select
	preview *widget.Label
	save    *widget.Button
	msg     *banner
}

// ii06aNumber is the report's number as the form data gives it ("Biểu số 06/VPCP/KSTT").
func ii06aNumber() string {
	tpl, _ := forms.DefaultTemplates().For(forms.FormII06a, time.Time{})
	return tpl.Number
}

var finishRules = []domain.FinishRule{domain.FinishAtResult, domain.FinishAtReturn}

func newReportRules(s *settingsScreen) *reportRules {
	u := s.u
	r := &reportRules{u: u, store: s.store, closed: map[domain.Status]*widget.Select{}, msg: newBanner()}
	r.preview = widget.NewLabel("")
	r.preview.Wrapping = fyne.TextWrapWord
	r.preview.SizeName = theme.SizeNameCaptionText

	var labels []string
	for _, f := range finishRules {
		labels = append(labels, T(f.Label()))
	}
	r.finish = widget.NewSelect(labels, func(string) { r.showPreview() })
	items := []fyne.CanvasObject{r.msg.box, labelled(T("Hồ sơ tính là đã giải quyết"), r.finish, nil)}
	labels = nil
	for _, t := range domain.ClosedTreatmentChoices() {
		labels = append(labels, T(t.Label()))
	}
	for _, st := range domain.ClosedStatuses() {
		long, _ := domain.ClosedName(st)
		sel := widget.NewSelect(labels, func(string) { r.showPreview() })
		r.closed[st] = sel
		items = append(items, labelled(T(long), sel, nil))
	}
	r.load(r.store.Config().Report)
	items = append(items, heading(T("Ghi trên biểu, dưới tên các cột")), r.preview)
	if s.admin {
		r.save = widget.NewButtonWithIcon(T("Lưu cách tính"), theme.DocumentSaveIcon(), r.onSave)
		items = append(items, container.NewHBox(r.save))
	} else {
		r.finish.Disable()
		for _, sel := range r.closed {
			sel.Disable()
		}
	}
	box := container.NewVBox(items...)
	r.msg.parent = box
	r.card = widget.NewCard(Tf("%s: cách tính số liệu", ii06aNumber()),
		T("Hệ thống của các tỉnh tính hồ sơ rút, dừng, từ chối khác nhau: chọn theo hướng dẫn của tỉnh. Cách tính được ghi trên biểu."), box)
	return r
}

// load shows the stored settings.
func (r *reportRules) load(rs query.ReportSettings) {
	opt := rs.Options()
	for i, f := range finishRules {
		if f == opt.Finish {
			r.finish.SetSelectedIndex(i)
		}
	}
	for _, st := range domain.ClosedStatuses() {
		for i, t := range domain.ClosedTreatmentChoices() {
			if t == opt.Closed.For(st) {
				r.closed[st].SetSelectedIndex(i)
			}
		}
	}
	r.showPreview()
}

// chosen is the settings the widgets show.
func (r *reportRules) chosen() query.ReportSettings {
	var rs query.ReportSettings
	if i := r.finish.SelectedIndex(); i >= 0 {
		rs.ResolvedAt = finishRules[i].Name()
	}
	for st, sel := range r.closed {
		if i := sel.SelectedIndex(); i >= 0 {
			rs.Closed.Set(st, domain.ClosedTreatmentChoices()[i])
		}
	}
	return rs
}

// showPreview writes what the report will print under its column headings.
func (r *reportRules) showPreview() {
	if r.preview == nil || r.finish == nil || len(r.closed) < len(domain.ClosedStatuses()) {
		return // still being built
	}
	r.preview.SetText(ii06aRulesText(r.chosen().Options()))
}

// ii06aRulesText is how the report counts under the given options, in the report's own
// words (Vietnamese, as printed): the notes under the column headings, then each kind of
// closed dossier.
func ii06aRulesText(opt domain.ReportOptions) string {
	var lines []string
	notes := opt.Closed.ColumnNotes()
	for _, c := range domain.II06aColumns() {
		if n := notes[c.No]; n != "" {
			lines = append(lines, "("+strconv.Itoa(c.No)+") "+c.Group+" – "+c.Head+": "+n)
		}
	}
	finish := []rune(opt.Finish.Label())
	lines = append(lines, "Hồ sơ tính là đã giải quyết: "+strings.ToLower(string(finish[:1]))+string(finish[1:])+".")
	for _, st := range domain.ClosedStatuses() {
		lines = append(lines, opt.Closed.Describe(st))
	}
	return strings.Join(lines, "\n")
}

func (r *reportRules) onSave() {
	u := r.u
	rs := r.chosen()
	actor := u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		cfg := r.store.Config()
		cfg.Report = rs
		return struct{}{}, r.store.UpdateConfig(ctx, actor, cfg)
	}, func(_ struct{}, err error) {
		if err != nil {
			r.msg.set(errText(err), widget.DangerImportance)
			return
		}
		r.msg.set(T("Đã lưu cách tính. Các báo cáo xuất từ nay tính theo cách này."), widget.SuccessImportance)
	})
}
