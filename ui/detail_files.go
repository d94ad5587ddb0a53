package ui

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// A dossier received at another counter of the unit arrives with references to its scans,
// not their bytes. The detail shows such a scan as missing, with «Tải về»: the file comes
// from the city on demand (a progress bar while it does), is checked against its SHA-256
// and kept in this workstation's file store, then opens as any other.

// FileFetcher brings a file another workstation attached from the city. A Syncer that can
// do it implements this too; its errors are for the clerk (StaffError).
type FileFetcher interface {
	// FetchFile downloads, verifies and keeps a file; progress gets the bytes held so far
	// and the total, on any goroutine.
	FetchFile(ctx context.Context, f domain.FileRef, progress func(done, total int64)) error
}

// fileMissing reports whether this workstation lacks a file's bytes.
func (v *detailView) fileMissing(f domain.FileRef) bool {
	_, err := os.Stat(v.s.store.FilePath(f.SHA256))
	return err != nil
}

// missingFileCell stands for a scan held elsewhere: its name and size, and «Tải về» when
// the workstation is connected to the city.
func (v *detailView) missingFileCell(f domain.FileRef) fyne.CanvasObject {
	pic := container.NewGridWrap(fyne.NewSize(64, 64), widget.NewIcon(theme.DownloadIcon()))
	caption := widget.NewLabel(f.Name)
	caption.Truncation = fyne.TextTruncateEllipsis
	state := widget.NewLabel(Tf("Chưa có trên máy này · %s", domain.FormatBytes(int(f.Size))))
	state.Importance = widget.LowImportance
	state.Truncation = fyne.TextTruncateEllipsis
	bar := widget.NewProgressBar()
	bar.Hide()
	bottom := container.NewStack(state, bar)
	fetch, _ := v.u.opt.Sync.(FileFetcher)
	side := container.NewVBox(caption)
	if fetch != nil {
		btn := widget.NewButtonWithIcon(T("Tải về"), theme.DownloadIcon(), nil)
		btn.Importance = widget.HighImportance
		btn.OnTapped = func() { v.fetchFile(fetch, f, btn, state, bar) }
		side.Add(btn)
	} else {
		state.SetText(T("Chưa có trên máy này (chưa kết nối máy chủ thành phố)"))
	}
	top := container.NewBorder(nil, nil, pic, nil, side)
	cell := container.NewBorder(nil, bottom, nil, nil, top)
	return container.NewGridWrap(fyne.NewSize(230, 110), cell)
}

// fetchFile downloads a missing scan off the UI goroutine, the bar following it; then the
// detail shows it and it opens.
func (v *detailView) fetchFile(fetch FileFetcher, f domain.FileRef, btn *widget.Button, state *widget.Label, bar *widget.ProgressBar) {
	u, id := v.u, v.id
	btn.Disable()
	state.Hide()
	bar.SetValue(0)
	bar.Show()
	shown := -1
	progress := func(done, total int64) {
		if total <= 0 {
			return
		}
		frac := float64(done) / float64(total)
		// A step of 1% at most: the UI is not flooded.
		if pc := int(frac * 100); pc != shown {
			shown = pc
			u.opt.Do(func() { bar.SetValue(frac) })
		}
	}
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fetch.FetchFile(ctx, f, progress)
	}, func(_ struct{}, err error) {
		if err != nil {
			bar.Hide()
			state.Show()
			btn.Enable()
			if v.id == id {
				v.banner.set(Tf("Không tải được tệp «%s»: %s", f.Name, errText(err)), widget.DangerImportance)
			} else {
				u.showError(err)
			}
			return
		}
		bar.SetValue(1)
		if v.id != id || !v.loaded {
			return // the clerk moved on: the file is kept, shown next time
		}
		v.banner.set(Tf("Đã tải tệp «%s» từ máy chủ thành phố.", f.Name), widget.SuccessImportance)
		v.render()
		v.preview(f)
	})
}
