package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
)

// The reports the city asks for, exported from the supervisor's screen into the printouts
// folder: the II.06a report (printed under the number its form data gives it, Biểu số
// 06/VPCP/KSTT), the tracking book (Mẫu 07; Mẫu 06 before Circular 03/2025) and the electronic result-return book,
// as XLSX, PDF or CSV, for any period. The work runs in the background with a progress bar.

// Report kinds, in the chooser's order.
const (
	reportII06a = iota
	reportTracking
	reportReturn
)

func reportKindChoices() []string {
	return []string{Tf("%s — Tình hình, kết quả giải quyết TTHC", ii06aNumber()), Tf("Sổ theo dõi hồ sơ (%s)", formNumber(forms.FormTrackingBook, time.Time{})), T("Sổ trả kết quả điện tử")}
}

// reportKindName names a kind in a sentence.
func reportKindName(kind int) string {
	switch kind {
	case reportTracking:
		return T("Sổ theo dõi hồ sơ")
	case reportReturn:
		return T("Sổ trả kết quả điện tử")
	}
	return ii06aNumber()
}

var reportFormats = []forms.ReportFormat{forms.FormatXLSX, forms.FormatPDF, forms.FormatCSV}

func reportFormatChoices() []string {
	return []string{T("Excel (XLSX)"), T("PDF (để in)"), T("CSV (dữ liệu)")}
}

// reportFileName is a clear, ASCII file name: "Bieu-II06a-2026-10.xlsx".
func reportFileName(kind int, p domain.Period, f forms.ReportFormat) string {
	prefix := map[int]string{reportII06a: "Bieu-II06a", reportTracking: "So-theo-doi-ho-so", reportReturn: "So-tra-ket-qua-dien-tu"}[kind]
	return fmt.Sprintf("%s-%s.%s", prefix, periodSlug(p), f)
}

// periodSlug writes a period for a file name: 2026-10, 2026-Q4, 2026, 2026-10-05, or a range.
func periodSlug(p domain.Period) string {
	from, to := p.From, p.To
	switch p.Kind() {
	case domain.PeriodDay:
		return from.Format("2006-01-02")
	case domain.PeriodMonth:
		return from.Format("2006-01")
	case domain.PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", from.Year(), p.Quarter())
	case domain.PeriodYear:
		return from.Format("2006")
	}
	return from.Format("2006-01-02") + "_" + to.Format("2006-01-02")
}

// reportsPanel exports a report for a period.
type reportsPanel struct {
	u      *UI
	store  supervisorStore // what it reads and records
	kind   *widget.RadioGroup
	picker *periodPicker
	format *widget.RadioGroup
	export *widget.Button

	progress     *widget.ProgressBar
	working      *widget.ProgressBarInfinite
	progressText *widget.Label
	progressBox  *fyne.Container

	banner            *banner
	rules             *widget.Label // how II.06a counts, as the settings say
	rulesBox          *fyne.Container
	folder            *widget.Label
	lastPath          string
	openFile, openDir *widget.Button
	resultBox         *fyne.Container
	running           bool
	root              fyne.CanvasObject

	recent      []recentFile
	recentList  *widget.List
	recentEmpty *widget.Label
}

// recentFile is a report already in the printouts folder.
type recentFile struct {
	path string
	at   time.Time
	size int64
}

// reportPrefixes are the names reportFileName gives, to tell reports from other printouts.
var reportPrefixes = []string{"Bieu-II06a-", "So-theo-doi-ho-so-", "So-tra-ket-qua-dien-tu-"}

// recentReports lists the reports in dir, newest first.
func recentReports(dir string, limit int) ([]recentFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []recentFile
	for _, e := range entries {
		name := e.Name()
		ok := false
		for _, p := range reportPrefixes {
			ok = ok || strings.HasPrefix(name, p)
		}
		if !ok || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, recentFile{path: filepath.Join(dir, name), at: info.ModTime(), size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func newReportsPanel(u *UI, store supervisorStore) *reportsPanel {
	p := &reportsPanel{u: u, store: store}
	p.kind = widget.NewRadioGroup(reportKindChoices(), func(string) { p.showRules() })
	p.kind.Required = true
	p.kind.SetSelected(reportKindChoices()[reportII06a])
	p.picker = newPeriodPicker(u, periodMonth, nil)
	p.format = widget.NewRadioGroup(reportFormatChoices(), nil)
	p.format.Horizontal = true
	p.format.Required = true
	p.format.SetSelected(reportFormatChoices()[0])
	p.export = widget.NewButtonWithIcon(T("Xuất báo cáo"), theme.DocumentSaveIcon(), p.onExport)
	p.export.Importance = widget.HighImportance

	p.progress = widget.NewProgressBar()
	p.working = widget.NewProgressBarInfinite()
	p.working.Stop()
	p.progressText = widget.NewLabel("")
	p.progressBox = container.NewVBox(p.progressText, container.NewStack(p.progress, p.working))
	p.progressBox.Hide()

	p.banner = newBanner()
	p.folder = widget.NewLabel("")
	p.folder.Wrapping = fyne.TextWrapWord
	p.folder.SizeName = theme.SizeNameCaptionText
	p.openFile = widget.NewButtonWithIcon(T("Mở tệp"), theme.FileIcon(), func() { p.open(p.lastPath) })
	p.openDir = widget.NewButtonWithIcon(T("Mở thư mục"), theme.FolderOpenIcon(), func() { p.openFolder(filepath.Dir(p.lastPath)) })
	p.resultBox = container.NewHBox(p.openFile, p.openDir)
	p.resultBox.Hide()
	p.rules = widget.NewLabel("")
	p.rules.Wrapping = fyne.TextWrapWord
	p.rules.SizeName = theme.SizeNameCaptionText
	p.rulesBox = container.NewVBox(heading(T("Cách tính (đặt trong Cài đặt; ghi trên biểu)")), p.rules)

	form := container.NewVBox(
		labelled(T("Loại báo cáo"), p.kind, nil),
		labelled(T("Kỳ báo cáo"), p.picker.box, nil),
		labelled(T("Định dạng tệp"), p.format, nil),
		p.rulesBox,
		container.NewHBox(p.export),
		p.progressBox,
		p.banner.box,
		p.resultBox,
		widget.NewSeparator(),
		p.folder,
	)
	p.banner.parent = form
	note := widget.NewLabel(Tf("Số liệu %s tính đến thời điểm xuất; hồ sơ đang giải quyết được xét trong hạn hay quá hạn tại thời điểm đó nếu kỳ báo cáo chưa kết thúc.", ii06aNumber()))
	note.Wrapping = fyne.TextWrapWord
	note.SizeName = theme.SizeNameCaptionText
	card := section(heading(T("Xuất báo cáo và sổ sách")), container.NewVBox(note, form))
	// A comfortable reading width on a wide screen.
	p.recentList = widget.NewList(func() int { return len(p.recent) },
		func() fyne.CanvasObject {
			name := cellLabel(true, fyne.TextAlignLeading)
			when := cellLabel(false, fyne.TextAlignLeading)
			when.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(name, when)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.recent) {
				return
			}
			f := p.recent[id]
			c := o.(*fyne.Container).Objects
			c[0].(*widget.Label).SetText(filepath.Base(f.path))
			c[1].(*widget.Label).SetText(Tf("Xuất lúc %s · %s KB", fmtDateTime(f.at), groupDigits(int((f.size+1023)/1024))))
		})
	p.recentList.OnSelected = func(id widget.ListItemID) {
		p.recentList.UnselectAll()
		if id < len(p.recent) {
			p.lastPath = p.recent[id].path
			p.open(p.recent[id].path)
		}
	}
	p.recentEmpty = widget.NewLabel(T("Chưa xuất báo cáo nào."))
	p.recentEmpty.Hide()
	recentNote := widget.NewLabel(T("Bấm vào một tệp để mở."))
	recentNote.SizeName = theme.SizeNameCaptionText
	recent := section(heading(T("Báo cáo đã xuất gần đây")),
		container.NewBorder(recentNote, nil, nil, nil, container.NewStack(p.recentList, container.NewVBox(p.recentEmpty))))
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(card)), container.NewPadded(recent))
	split.Offset = 0.6
	p.root = split
	return p
}

// loadRecent lists the reports already exported.
func (p *reportsPanel) loadRecent() {
	dir := p.u.printDir()
	background(p.u, func(context.Context) ([]recentFile, error) { return recentReports(dir, 30) },
		func(files []recentFile, err error) {
			if err != nil {
				p.u.log.Warn("recent reports", "err", err)
			}
			p.recent = files
			p.recentEmpty.Hidden = len(files) > 0
			p.recentList.Hidden = len(files) == 0
			p.recentList.Refresh()
			p.root.Refresh()
		})
}

func (p *reportsPanel) shown() {
	p.folder.SetText(Tf("Tệp được lưu vào thư mục: %s", p.u.printDir()))
	p.showRules()
	p.loadRecent()
}

// showRules says, under the choices, how the II.06a report will count (the settings may
// have changed since the panel was built); other reports have no such choice.
func (p *reportsPanel) showRules() {
	if p.rules == nil {
		return // still being built
	}
	if kind, _ := p.selected(); kind != reportII06a {
		p.rulesBox.Hide()
		return
	}
	p.rules.SetText(ii06aRulesText(p.store.Config().Report.Options()))
	p.rulesBox.Show()
}

// open shows a file or folder with the system's program.
func (p *reportsPanel) open(path string) {
	if path == "" {
		return
	}
	if err := p.u.opt.Printer.Open(path); err != nil {
		p.u.log.Warn("cannot open", "path", path, "err", err)
		p.banner.set(Tf("Máy này chưa mở được %s (chưa có chương trình mở nó): hãy mở bằng trình quản lý tệp.", path), widget.WarningImportance)
	}
}

// openFolder shows a folder in the system's file manager.
func (p *reportsPanel) openFolder(dir string) {
	if err := p.u.opt.Printer.OpenFolder(dir); err != nil {
		p.u.log.Warn("cannot open", "path", dir, "err", err)
		p.banner.set(Tf("Máy này chưa mở được %s (chưa có chương trình mở nó): hãy mở bằng trình quản lý tệp.", dir), widget.WarningImportance)
	}
}

// selected is the chosen kind and format.
func (p *reportsPanel) selected() (int, forms.ReportFormat) {
	kind, format := reportII06a, forms.FormatXLSX
	for i, c := range reportKindChoices() {
		if c == p.kind.Selected {
			kind = i
		}
	}
	for i, c := range reportFormatChoices() {
		if c == p.format.Selected {
			format = reportFormats[i]
		}
	}
	return kind, format
}

func (p *reportsPanel) onExport() {
	if p.running {
		return
	}
	u := p.u
	period, err := p.picker.period()
	if err != nil {
		setErr(p.picker.err, errText(err))
		p.root.Refresh()
		return
	}
	setErr(p.picker.err, "")
	kind, format := p.selected()
	p.running = true
	p.export.Disable()
	p.resultBox.Hide()
	p.banner.set("", widget.MediumImportance)
	p.progress.SetValue(0)
	if kind == reportII06a {
		p.progress.Hide()
		p.working.Show()
		p.working.Start()
		p.progressText.SetText(T("Đang tổng hợp số liệu…"))
	} else {
		p.working.Stop()
		p.working.Hide()
		p.progress.Show()
		p.progressText.SetText(T("Đang đọc hồ sơ…"))
	}
	p.progressBox.Show()
	p.root.Refresh()

	// Progress comes from the background; at most a few updates a second reach the UI.
	var last time.Time
	report := func(text string, value float64) {
		if now := time.Now(); now.Sub(last) < 150*time.Millisecond && value < 1 {
			return
		} else {
			last = now
		}
		u.opt.Do(func() {
			if !p.running {
				return
			}
			p.progressText.SetText(text)
			if value >= 0 {
				p.progress.SetValue(value)
			}
		})
	}
	dir := u.printDir()
	name := reportFileName(kind, period, format)
	background(u, func(ctx context.Context) (string, error) {
		rd := u.renderer()
		return writeAtomically(dir, name, func(w io.Writer) error {
			switch kind {
			case reportTracking:
				book, err := p.store.TrackingBook(ctx, period, func(done, total int) {
					report(Tf("Đang đọc hồ sơ: %s/%s", groupDigits(done), groupDigits(total)), float64(done)/float64(max(total, 1)))
				})
				if err != nil {
					return err
				}
				report(Tf("Đang ghi %s dòng vào tệp…", groupDigits(len(book))), 1)
				return rd.TrackingBook(w, format, period, book)
			case reportReturn:
				book, err := p.store.ReturnBook(ctx, period, func(done, total int) {
					report(Tf("Đang đọc hồ sơ: %s/%s", groupDigits(done), groupDigits(total)), float64(done)/float64(max(total, 1)))
				})
				if err != nil {
					return err
				}
				report(Tf("Đang ghi %s dòng vào tệp…", groupDigits(len(book))), 1)
				return rd.ReturnBook(w, format, period, book)
			}
			opt := p.store.Config().Report.Options() // the province's choices
			opt.AsOf = u.now()
			rep, _, err := p.store.Report(ctx, period, opt, func(rows int) {
				report(Tf("Đang tổng hợp: %s hồ sơ", groupDigits(rows)), -1)
			})
			if err != nil {
				return err
			}
			report(T("Đang ghi tệp…"), 1)
			return rd.II06a(w, format, rep)
		})
	}, func(path string, err error) {
		p.running = false
		p.export.Enable()
		p.working.Stop()
		p.progressBox.Hide()
		if err != nil {
			text := errText(err)
			var fe fileError
			if errors.As(err, &fe) {
				text = fe.Error()
			}
			p.banner.set(Tf("Không xuất được báo cáo: %s", text), widget.DangerImportance)
			p.root.Refresh()
			return
		}
		p.lastPath = path
		u.log.Info("report exported", "kind", kind, "period", period.String(), "path", path)
		msg := Tf("Đã lưu %s, %s vào tệp:\n%s", reportKindName(kind), periodText(period), path)
		if oerr := u.opt.Printer.Open(path); oerr != nil {
			u.log.Warn("cannot open a report", "path", path, "err", oerr)
			msg += "\n" + T("Máy này chưa tự mở được tệp (chưa có chương trình mở loại tệp này): hãy bấm «Mở thư mục» và mở tệp bằng tay.")
			p.banner.set(msg, widget.WarningImportance)
		} else {
			p.banner.set(msg, widget.SuccessImportance)
		}
		p.resultBox.Show()
		p.root.Refresh()
		p.loadRecent()
	})
}

// writeAtomically writes a file beside its final name and renames it when complete, so a
// failure never leaves half a report and a reader never sees one.
func writeAtomically(dir, name string, write func(w io.Writer) error) (string, error) {
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, ".report-*")
	if err != nil {
		return "", newFileError(path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", newFileError(path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", newFileError(path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", newFileError(path, err)
	}
	return path, nil
}

// fileError says in plain words why a report file could not be written.
type fileError struct{ msg string }

func (e fileError) Error() string { return e.msg }

func newFileError(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return fileError{Tf("không có quyền ghi tệp %s (tệp có thể đang mở trong Excel: đóng tệp rồi thử lại)", path)}
	case errors.Is(err, os.ErrNotExist):
		return fileError{Tf("thư mục của tệp %s không tồn tại", path)}
	}
	return fileError{Tf("không ghi được tệp %s: %s", path, internalError(err))}
}
