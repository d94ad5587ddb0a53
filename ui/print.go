package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"motcua/domain"
	"motcua/forms"
)

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

// printPDF renders a form into the printouts folder and opens it in the system viewer.
// It returns the file's path.
func (u *UI) printPDF(d domain.Dossier, kind string, render func(w io.Writer) error) (string, error) {
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
	if err := u.opt.Open(path); err != nil {
		return path, fmt.Errorf("%s: %w", T("không mở được trình xem PDF"), err)
	}
	return path, nil
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
