package ui

import (
	"context"
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

// targetsData is what the targets panel shows.
type targetsData struct {
	period  domain.Period
	ind     domain.Indicators
	trend   []domain.Indicators
	targets query.Targets
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
		out := targetsData{period: period, targets: p.s.store.Config().Targets, asOf: u.now()}
		var err error
		if out.ind, err = p.s.store.Indicators(ctx, period); err != nil {
			return out, err
		}
		out.trend, err = p.s.store.MonthlyIndicators(ctx, out.asOf, trendMonths)
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
