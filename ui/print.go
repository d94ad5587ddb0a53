package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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
			Address: cfg.Address, Phone: cfg.Phone, ReturnPlace: cfg.ReturnPlace, Book: cfg.Book},
		Now:       u.opt.Store.Now,
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
