package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// Bundles carries an island workstation's work to the city on a USB stick and brings the
// city's back (docs/BUNDLES.md). A Syncer that can do it implements this too; the messages
// it returns are for the clerk, and its errors are domain errors.
type Bundles interface {
	// ExportBundle writes everything the city has not acknowledged to path.
	ExportBundle(ctx context.Context, path string, progress func(fraction float64)) (string, error)
	// ImportBundle applies a return bundle of the city from path.
	ImportBundle(ctx context.Context, path string, progress func(fraction float64)) (string, error)
}

// bundleExt is the name ending of bundle files.
const bundleExt = ".motcua"

// bundlePanel is the USB part of Cài đặt → Đồng bộ: "Xuất gói USB" and "Nhập gói", with a
// progress bar while a bundle is written or read.
type bundlePanel struct {
	u       *UI
	b       Bundles
	box     fyne.CanvasObject
	export  *widget.Button
	load    *widget.Button
	bar     *widget.ProgressBar
	msg     *widget.Label
	working bool

	// choose asks where to write (save) or what to read; tests replace the file dialogs.
	choose func(save bool, name string, then func(path string))
}

// newBundlePanel builds the panel, or returns nil when the sync engine cannot carry bundles.
func newBundlePanel(u *UI) *bundlePanel {
	b, ok := u.opt.Sync.(Bundles)
	if !ok || b == nil {
		return nil
	}
	p := &bundlePanel{u: u, b: b, bar: widget.NewProgressBar(), msg: widget.NewLabel("")}
	p.choose = p.fileDialog
	p.msg.Wrapping = fyne.TextWrapWord
	p.msg.Hide()
	p.bar.Hide()
	p.export = widget.NewButtonWithIcon(T("Xuất gói USB"), theme.UploadIcon(), p.onExport)
	p.load = widget.NewButtonWithIcon(T("Nhập gói"), theme.DownloadIcon(), p.onImport)
	note := widget.NewLabel(T("Không có mạng tới thành phố (xã đảo): xuất một gói gồm mọi việc thành phố chưa xác nhận, mang gói tới thành phố; nhập gói thành phố trả về để nhận lại kết quả xử lý. Gói được ký số và mã hóa, chỉ thành phố và máy này mở được."))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	p.box = container.NewVBox(widget.NewSeparator(), heading(T("Gói USB cho nơi không có mạng")), note,
		container.NewHBox(p.export, p.load), p.bar, p.msg)
	return p
}

// fileDialog asks with Fyne's file dialogs.
func (p *bundlePanel) fileDialog(save bool, name string, then func(path string)) {
	if save {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			path := w.URI().Path()
			w.Close() // the bundle is written through a temporary file beside it, then renamed
			then(path)
		}, p.u.win)
		d.SetFileName(name)
		d.Show()
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		then(path)
	}, p.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{bundleExt}))
	d.Show()
}

func (p *bundlePanel) onExport() {
	p.u.touch()
	cfg := p.u.opt.Store.Config()
	name := "motcua-" + strings.ReplaceAll(cfg.UnitCode, ".", "") + "-may" + strconv.Itoa(cfg.Slot) + "-" +
		p.u.now().In(domain.VN()).Format("20060102-1504") + bundleExt
	p.choose(true, name, func(path string) {
		if !strings.HasSuffix(path, bundleExt) {
			path += bundleExt
		}
		p.run(path, p.b.ExportBundle)
	})
}

func (p *bundlePanel) onImport() {
	p.u.touch()
	p.choose(false, "", func(path string) { p.run(path, p.b.ImportBundle) })
}

// run does one export or import off the UI goroutine, the bar following its progress.
func (p *bundlePanel) run(path string, do func(context.Context, string, func(float64)) (string, error)) {
	if p.working {
		return
	}
	p.working = true
	p.export.Disable()
	p.load.Disable()
	p.bar.SetValue(0)
	p.bar.Show()
	p.msg.Hide()
	shown := -1
	progress := func(f float64) {
		// A step of 1% at most: a bundle of thousands of scans must not flood the UI.
		if pc := int(f * 100); pc != shown {
			shown = pc
			p.u.opt.Do(func() { p.bar.SetValue(f) })
		}
	}
	background(p.u, func(ctx context.Context) (string, error) {
		return do(ctx, path, progress)
	}, func(msg string, err error) {
		p.working = false
		p.export.Enable()
		p.load.Enable()
		p.bar.Hide()
		if err != nil {
			p.msg.Importance = widget.DangerImportance
			p.msg.SetText(errText(err))
		} else {
			p.msg.Importance = widget.SuccessImportance
			p.msg.SetText(msg + "\n" + Tf("Tệp: %s", path))
		}
		p.msg.Show()
		p.msg.Refresh()
	})
}
