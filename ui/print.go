package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
	"motcua/query"
)

// Printer is what the screens need from the system to get a printed form out: the default
// printer, the PDF viewer and the file manager (internal/printer in the app).
type Printer interface {
	Print(path string, copies int) error
	Open(path string) error
	OpenFolder(dir string) error
}

// openOnly is the printer of a UI wired with only an Open function (tests, or a system
// without a print spooler): printing falls back to opening the file.
type openOnly struct{ open func(string) error }

var errNoSpooler = errors.New("no print spooler")

func (openOnly) Print(string, int) error       { return errNoSpooler }
func (o openOnly) Open(path string) error      { return o.open(path) }
func (o openOnly) OpenFolder(dir string) error { return o.open(dir) }

// notPrintedError says a form was written but could neither be printed nor opened (or, with
// View, only opening it was asked and it could not be): the clerk is told where the file is.
type notPrintedError struct {
	Path string
	View bool
}

func (e *notPrintedError) Error() string {
	if e.View {
		return Tf("Máy này chưa mở được tệp (chưa có chương trình xem loại tệp này). Tệp đã được lưu tại: %s", e.Path)
	}
	return Tf("Máy này chưa in được và chưa mở được tệp PDF (chưa có máy in mặc định hoặc trình xem PDF). Tệp đã được lưu tại: %s", e.Path)
}

// openOrSay opens a file in the system's viewer ("Xem", a scan); when it cannot, the clerk is
// told where the file is, with «Mở thư mục», and the *notPrintedError is returned.
func (u *UI) openOrSay(path string) error {
	if err := u.opt.Printer.Open(path); err != nil {
		u.log.Warn("cannot open a file", "path", path, "err", err)
		np := &notPrintedError{Path: path, View: true}
		u.showNotPrinted(np)
		return np
	}
	return nil
}

// renderer prints the unit's forms.
func (u *UI) renderer() forms.Renderer {
	cfg := u.opt.Store.Config()
	names := map[string]string{}
	if staff, err := u.opt.Store.ListStaff(u.ctx); err == nil {
		for _, st := range staff {
			names[st.Username] = st.FullName
		}
	}
	return forms.Renderer{
		T: forms.DefaultTemplates(),
		Unit: forms.Unit{Parent: cfg.Parent, Name: cfg.UnitName, Code: cfg.UnitCode, Place: cfg.Place,
			Address: cfg.Address, Phone: cfg.Phone, ReturnPlace: cfg.ReturnPlace, Book: cfg.Book,
			LookupURL: cfg.Receipt.LookupURL, ReceiptCopies: cfg.Receipt.Copies},
		Now:       u.opt.Now,
		StaffName: func(username string) string { return names[username] },
	}
}

// printPDF renders a form into the printouts folder and sends it to the printer (see
// deliver). It returns the file's path.
func (u *UI) printPDF(d domain.Dossier, kind string, render func(w io.Writer) error) (string, error) {
	path, err := u.writePDF(d, kind, render)
	if err != nil {
		return "", err
	}
	return path, u.deliver(path)
}

// writePDF renders a form into <data>/printouts/<code>-<kind>.pdf, replacing an older copy
// at once (never a half-written file), and returns its path.
func (u *UI) writePDF(d domain.Dossier, kind string, render func(w io.Writer) error) (string, error) {
	name := strings.NewReplacer(".", "_", "/", "_", "\\", "_").Replace(d.Code)
	if name == "" {
		name = d.ID
	}
	path := filepath.Join(u.printDir(), fmt.Sprintf("%s-%s.pdf", name, kind))
	tmp, err := os.CreateTemp(filepath.Dir(path), "print-*.pdf")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	u.log.Info("printed", "form", kind, "dossier", d.Code, "path", path)
	return path, nil
}

// viewForm writes one of a dossier's forms, as its print button would, and opens it in the
// viewer instead of printing it ("Xem"). key is the print button's key in the detail view.
func (u *UI) viewForm(key string, d domain.Dossier) (string, error) {
	r := u.renderer()
	var kind string
	var render func(io.Writer) error
	switch key {
	case "mau01":
		clerk := u.staffByUsername(u.ctx, d.ReceivedBy)
		kind, render = "mau01-tiep-nhan", func(w io.Writer) error { return r.Receipt(w, d, clerk) }
	case "control":
		kind, render = "phieu-kiem-soat", func(w io.Writer) error { return r.ControlSlip(w, d) }
	case "mau02":
		guide := u.actor()
		kind, render = "mau02-yeu-cau-bo-sung", func(w io.Writer) error { return r.Supplement(w, d, guide) }
	case "mau03":
		clerk := u.actor()
		kind, render = "mau03-tu-choi", func(w io.Writer) error { return r.Refusal(w, d, clerk) }
	case "return":
		kind, render = "phieu-tra-ket-qua", func(w io.Writer) error { return r.ReturnSlip(w, d) }
	case "declaration":
		var err error
		if kind, render, err = u.declarationJob(d); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("no preview for %q", key)
	}
	path, err := u.writePDF(d, kind, render)
	if err != nil {
		return "", err
	}
	if err := u.opt.Printer.Open(path); err != nil {
		u.log.Warn("cannot open a PDF", "path", path, "err", err)
		return path, &notPrintedError{Path: path, View: true}
	}
	return path, nil
}

// printCopies is how many copies "In" sends to the printer (the receipt's liên are already
// pages of its PDF).
func (u *UI) printCopies() int { return max(u.opt.Store.Config().Receipt.PrintCopies, 1) }

// deliver sends a written PDF to the default printer; when there is none it opens the PDF
// in the viewer (to print from there); when neither works it shows where the file is, with
// a button to open its folder, and returns a *notPrintedError.
func (u *UI) deliver(path string) error {
	perr := u.opt.Printer.Print(path, u.printCopies())
	if perr == nil {
		u.recordDelivery(path, true)
		return nil
	}
	oerr := u.opt.Printer.Open(path)
	if oerr == nil {
		u.recordDelivery(path, false)
		return nil
	}
	u.log.Warn("cannot print or open a PDF", "path", path, "print", perr, "open", oerr)
	err := &notPrintedError{Path: path}
	u.opt.Do(func() { u.showNotPrinted(err) })
	return err
}

func (u *UI) recordDelivery(path string, printed bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.printedTo == nil {
		u.printedTo = map[string]bool{}
	}
	u.printedTo[path] = printed
}

// deliveredText says what became of a PDF that deliver handled without error.
func (u *UI) deliveredText(path string) string {
	u.mu.Lock()
	printed := u.printedTo[path]
	u.mu.Unlock()
	if printed {
		return Tf("Đã gửi %d bản tới máy in.", u.printCopies())
	}
	return T("Đã mở bản in trong trình xem PDF (máy này chưa in thẳng được: chưa có máy in mặc định).")
}

// showNotPrinted tells the clerk where an unprinted PDF is and offers to open its folder.
func (u *UI) showNotPrinted(e *notPrintedError) {
	title := T("Chưa in được")
	msg := widget.NewLabel(T("Máy này chưa in được và chưa mở được tệp PDF (chưa có máy in mặc định hoặc trình xem PDF). Tệp đã được lưu tại:"))
	if e.View {
		title = T("Chưa mở được tệp")
		msg.SetText(T("Máy này chưa mở được tệp (chưa có chương trình xem loại tệp này). Tệp đã được lưu tại:"))
	}
	msg.Wrapping = fyne.TextWrapWord
	path := widget.NewEntry()
	path.SetText(e.Path) // selectable, to copy
	folder := widget.NewButtonWithIcon(T("Mở thư mục"), theme.FolderOpenIcon(), func() {
		if err := u.opt.Printer.OpenFolder(filepath.Dir(e.Path)); err != nil {
			u.log.Warn("cannot open the printouts folder", "err", err)
			msg.SetText(msg.Text + "\n" + T("Cũng chưa mở được thư mục: hãy mở thư mục trên bằng trình quản lý tệp."))
		}
	})
	body := container.NewVBox(msg, path, container.NewHBox(folder))
	dlg := dialog.NewCustom(title, T("Đóng"), container.NewGridWrap(fyne.NewSize(560, 200), body), u.win)
	dlg.Show()
}

// printReceipt prints Mẫu 01 for a dossier just received.
func (u *UI) printReceipt(d domain.Dossier, clerk domain.Staff) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "mau01-tiep-nhan", func(w io.Writer) error { return r.Receipt(w, d, clerk) })
}

// staffByUsername looks an account up (for printing who did what).
func (u *UI) staffByUsername(ctx context.Context, username string) domain.Staff {
	if staff, err := u.opt.Store.ListStaff(ctx); err == nil {
		for _, st := range staff {
			if st.Username == username {
				return st
			}
		}
	}
	return domain.Staff{Username: username, FullName: username}
}

// printSupplement prints Mẫu 02 for the dossier's last supplement request; guide is the
// official who explains what is missing.
func (u *UI) printSupplement(d domain.Dossier, guide domain.Staff) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "mau02-yeu-cau-bo-sung", func(w io.Writer) error { return r.Supplement(w, d, guide) })
}

// printRefusal prints Mẫu 03 for a refused dossier.
func (u *UI) printRefusal(d domain.Dossier, clerk domain.Staff) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "mau03-tu-choi", func(w io.Writer) error { return r.Refusal(w, d, clerk) })
}

// printApology prints Mẫu 04 for the dossier's last reschedule, signed by head.
func (u *UI) printApology(d domain.Dossier, head string) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "mau04-xin-loi", func(w io.Writer) error { return r.Apology(w, d, head) })
}

// printControlSlip prints the control slip that travels with the dossier (Mẫu 06; Mẫu
// 05 for a dossier received under the 2018 forms).
func (u *UI) printControlSlip(d domain.Dossier) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "phieu-kiem-soat", func(w io.Writer) error { return r.ControlSlip(w, d) })
}

// printStopNotice prints Mẫu 05 of 2025, the notice that processing has stopped, signed
// by head.
func (u *UI) printStopNotice(d domain.Dossier, head string) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "mau05-dung-giai-quyet", func(w io.Writer) error { return r.StopNotice(w, d, head) })
}

// declarationForm is the declaration an official filled in for the citizen, as recorded
// with the dossier (the last one), if any.
func declarationForm(entries []query.TimelineEntry) (domain.FormPreparedPayload, bool) {
	var out domain.FormPreparedPayload
	found := false
	for _, e := range entries {
		if e.Event.Type != domain.EvFormPrepared {
			continue
		}
		var p domain.FormPreparedPayload
		if json.Unmarshal(e.Event.Payload, &p) == nil && p.Template != "" {
			out, found = p, true
		}
	}
	return out, found
}

// declarationJob renders the declaration recorded with a dossier again (carried from Hỗ
// trợ viết into the intake), from the values recorded then.
func (u *UI) declarationJob(d domain.Dossier) (string, func(io.Writer) error, error) {
	entries, err := u.opt.Store.Timeline(u.ctx, d.ID)
	if err != nil {
		return "", nil, err
	}
	p, ok := declarationForm(entries)
	if !ok {
		return "", nil, fmt.Errorf("no declaration recorded for %s", d.Code)
	}
	tpl, ok := forms.DefaultDeclarations().Get(p.Template)
	if !ok {
		return "", nil, fmt.Errorf("unknown declaration %q", p.Template)
	}
	r := u.renderer()
	return "to-khai", func(w io.Writer) error { return r.Declaration(w, tpl, p.Values) }, nil
}

// printDeclaration prints the declaration recorded with a dossier again.
func (u *UI) printDeclaration(d domain.Dossier) (string, error) {
	kind, render, err := u.declarationJob(d)
	if err != nil {
		return "", err
	}
	return u.printPDF(d, kind, render)
}

// formNumber is a form's number as a button names it ("Mẫu 06"), under the circular in
// force on the day the form is (or was) issued; today when that day is not known.
func formNumber(id string, issued time.Time) string {
	tpl, _ := forms.DefaultTemplates().For(id, issued)
	return tpl.ShortNumber()
}

// printReturnSlip prints the return slip of a dossier handed over.
func (u *UI) printReturnSlip(d domain.Dossier) (string, error) {
	r := u.renderer()
	return u.printPDF(d, "phieu-tra-ket-qua", func(w io.Writer) error { return r.ReturnSlip(w, d) })
}

// reprintReceipt prints Mẫu 01 again, signed by the clerk who received the dossier.
func (u *UI) reprintReceipt(d domain.Dossier) (string, error) {
	clerk := u.staffByUsername(u.ctx, d.ReceivedBy)
	r := u.renderer()
	return u.printPDF(d, "mau01-tiep-nhan", func(w io.Writer) error { return r.Receipt(w, d, clerk) })
}
