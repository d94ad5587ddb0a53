package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/internal/fileutil"
)

// Digitization (số hóa): each component of a dossier gets its scanned pages attached (PDF,
// JPEG, PNG; several files), which marks it digitized; the electronic result is attached
// the same way. Files are stored by content (the same scan twice is kept once) and the
// sync engine uploads them. Files can also be dropped onto the window while a dossier is
// open: the clerk then says which component they belong to.

// resultTarget is the pseudo-component that stands for the electronic result.
const resultTarget = "\x00result"

// digitizeCard lists the components with their files and an attach button each, and the
// electronic result.
func (v *detailView) digitizeCard() fyne.CanvasObject {
	d := v.d
	can := v.u.actor().Role.Can(domain.PermDigitize)
	box := container.NewVBox()
	done := 0
	for i, doc := range d.Documents {
		if doc.Digitized {
			done++
		}
		title := fmt.Sprintf("%d. %s — %s × %d", i+1, doc.Name, formName(doc.Form), max(doc.Count, 1))
		label := wrapLabel(title)
		state := widget.NewLabel(T("Chưa số hóa"))
		state.Importance = widget.WarningImportance
		if doc.Digitized {
			state.SetText(T("Đã số hóa"))
			state.Importance = widget.SuccessImportance
		}
		right := container.NewHBox(state)
		if can {
			code := doc.Code
			if code == "" {
				code = doc.Name
			}
			btn := widget.NewButtonWithIcon(T("Đính kèm…"), theme.ContentAddIcon(), func() { v.pickFiles(code) })
			v.attachButtons[code] = btn
			right.Add(btn)
		}
		box.Add(container.NewBorder(nil, nil, nil, right, label))
		if len(doc.Files) > 0 {
			box.Add(v.thumbnails(doc.Files))
		}
	}
	share := 0.0
	if len(d.Documents) > 0 {
		share = float64(done) / float64(len(d.Documents))
	}
	summary := widget.NewLabel(Tf("Đã số hóa %d/%d thành phần (%s)", done, len(d.Documents), percentText(share)))
	summary.TextStyle.Bold = true
	box.Objects = append([]fyne.CanvasObject{summary}, box.Objects...)

	box.Add(widget.NewSeparator())
	result := widget.NewLabel(T("Kết quả điện tử: chưa có"))
	if d.EResult {
		result.SetText(T("Kết quả điện tử: đã có"))
		result.Importance = widget.SuccessImportance
	}
	row := container.NewHBox(result)
	if can && d.Status != domain.StatusRefused && d.Status != domain.StatusWithdrawn {
		btn := widget.NewButtonWithIcon(T("Đính kèm kết quả điện tử…"), theme.DocumentIcon(), func() { v.pickFiles(resultTarget) })
		v.attachButtons[resultTarget] = btn
		row.Add(btn)
	}
	box.Add(row)
	if len(d.Results) > 0 {
		box.Add(v.thumbnails(d.Results))
	}
	if can {
		hint := widget.NewLabel(T("Có thể kéo thả tệp quét (PDF, JPEG, PNG; tối đa 20 MB mỗi tệp) vào cửa sổ."))
		hint.Importance = widget.LowImportance
		hint.Wrapping = fyne.TextWrapWord
		box.Add(hint)
	}
	return widget.NewCard(T("Thành phần hồ sơ và số hóa"), "", box)
}

// percentText formats a share the Vietnamese way: 66,7%.
func percentText(share float64) string {
	return strings.Replace(fmt.Sprintf("%.1f%%", share*100), ".", ",", 1)
}

// thumbnails shows each file: a small picture for images, an icon for PDFs; a tap previews.
func (v *detailView) thumbnails(files []domain.FileRef) fyne.CanvasObject {
	row := container.NewHBox()
	for _, f := range files {
		f := f
		if v.fileMissing(f) { // attached at another counter: fetched on demand (detail_files.go)
			row.Add(v.missingFileCell(f))
			continue
		}
		var pic fyne.CanvasObject
		if f.Mime == "image/jpeg" || f.Mime == "image/png" {
			img := canvas.NewImageFromFile(v.s.store.FilePath(f.SHA256))
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSize(64, 64))
			pic = img
		} else {
			icon := widget.NewIcon(theme.FileApplicationIcon())
			pic = container.NewGridWrap(fyne.NewSize(64, 64), icon)
		}
		name := f.Name
		if f.Pages > 1 {
			name += " · " + Tf("%d trang", f.Pages)
		}
		caption := widget.NewLabel(name)
		caption.Truncation = fyne.TextTruncateEllipsis
		open := widget.NewButton(T("Xem"), func() { v.preview(f) })
		cell := container.NewBorder(nil, container.NewBorder(nil, nil, nil, open, caption), nil, nil, pic)
		row.Add(container.NewGridWrap(fyne.NewSize(170, 110), cell))
	}
	return container.NewHScroll(row)
}

// preview shows an image in a dialog, or opens a PDF in the system viewer.
func (v *detailView) preview(f domain.FileRef) {
	u := v.u
	if f.Mime == "image/jpeg" || f.Mime == "image/png" {
		img := canvas.NewImageFromFile(v.s.store.FilePath(f.SHA256))
		img.FillMode = canvas.ImageFillContain
		d := dialog.NewCustom(f.Name, T("Đóng"), container.NewGridWrap(fyne.NewSize(760, 560), img), u.win)
		d.Show()
		return
	}
	// The stored file has no extension; the viewer needs one.
	ext := ".pdf"
	dst := filepath.Join(u.printDir(), "xem-"+f.SHA256[:12]+ext)
	if err := fileutil.CopyFile(v.s.store.FilePath(f.SHA256), dst); err != nil {
		u.showError(err)
		return
	}
	if err := u.openOrSay(dst); err != nil {
		v.banner.set(errText(err), widget.WarningImportance)
	}
}

// pickFiles opens the file dialog for a component (or the e-result).
func (v *detailView) pickFiles(target string) {
	u := v.u
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return // cancelled
		}
		v.attach(target, []fyne.URI{r.URI()}, func() { r.Close() })
	}, u.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".jpg", ".jpeg", ".png", ".PDF", ".JPG", ".JPEG", ".PNG"}))
	fd.Show()
}

// onDropped receives files dropped on the window while this dossier is open and asks which
// component they belong to.
func (v *detailView) onDropped(uris []fyne.URI) {
	if !v.showing() || !v.loaded || len(uris) == 0 || !v.u.actor().Role.Can(domain.PermDigitize) {
		return
	}
	var names, targets []string
	for i, doc := range v.d.Documents {
		code := doc.Code
		if code == "" {
			code = doc.Name
		}
		names = append(names, fmt.Sprintf("%d. %s", i+1, doc.Name))
		targets = append(targets, code)
	}
	names = append(names, T("Kết quả điện tử"))
	targets = append(targets, resultTarget)
	choice := widget.NewSelect(names, nil)
	choice.SetSelectedIndex(0)
	msg := widget.NewLabel(Tf("%d tệp được thả vào cửa sổ. Đính kèm vào:", len(uris)))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(T("Đính kèm tệp quét"), T("Đính kèm"), T("Hủy"), container.NewVBox(msg, choice), func(ok bool) {
		if ok && choice.SelectedIndex() >= 0 {
			v.attach(targets[choice.SelectedIndex()], uris, nil)
		}
	}, v.u.win)
	d.Resize(fyne.NewSize(560, 220))
	d.Show()
	v.dropChoice = choice
	v.dropDialog = d
}

// attach stores the files and records them against the component, marking it digitized.
func (v *detailView) attach(target string, uris []fyne.URI, done func()) {
	u := v.u
	id := v.id
	actor := u.actor()
	background(u, func(ctx context.Context) (domain.Dossier, error) {
		if done != nil {
			defer done()
		}
		var d domain.Dossier
		for _, uri := range uris {
			r, err := storage.Reader(uri)
			if err != nil {
				return d, err
			}
			document := target
			if target == resultTarget {
				document = "" // an e-result is kept as issued
			}
			ref, err := v.s.store.StoreScan(ctx, r, uri.Name(), id, document)
			r.Close()
			if err != nil {
				return d, err
			}
			p := domain.FileAttachedPayload{File: ref, Digitized: true}
			if target == resultTarget {
				p = domain.FileAttachedPayload{File: ref, Result: true}
			} else {
				p.Document = target
			}
			if d, err = v.s.store.AttachFile(ctx, actor, id, p); err != nil {
				return d, err
			}
		}
		return d, nil
	}, func(d domain.Dossier, err error) {
		if err != nil {
			v.banner.set(errText(err), widget.DangerImportance)
			if d.ID != "" {
				v.reload()
			}
			return
		}
		v.banner.set(Tf("Đã đính kèm %d tệp.", len(uris)), widget.SuccessImportance)
		v.reload()
		v.s.changed()
	})
}
