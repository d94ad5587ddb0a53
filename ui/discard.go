package ui

import (
	"strings"

	"fyne.io/fyne/v2/widget"
)

// One rule for every action that would throw typed data away (Ctrl+N, "Làm lại", signing
// out or in as someone else): it asks first when a screen holds data not yet saved, and
// goes ahead at once when nothing would be lost.

// unsavedWork is a screen that can hold typed data not yet saved.
type unsavedWork interface {
	screen
	unsaved() bool
}

// confirmDiscard runs discard at once when none of the screens holds unsaved data, else asks
// first, naming them. With no screens given, every screen of the window counts.
func (u *UI) confirmDiscard(title string, discard func(), screens ...unsavedWork) {
	if len(screens) == 0 {
		for _, s := range u.screens {
			if w, ok := s.(unsavedWork); ok {
				screens = append(screens, w)
			}
		}
	}
	var names []string
	for _, s := range screens {
		if s.unsaved() {
			names = append(names, "«"+s.title()+"»")
		}
	}
	if len(names) == 0 {
		discard()
		return
	}
	u.confirm(title, Tf("Thông tin đang nhập ở %s chưa được lưu và sẽ mất. Tiếp tục?", strings.Join(names, ", ")),
		T("Bỏ thông tin đang nhập"), discard)
}

// signOutAsking signs out after asking, when a screen holds typed data.
func (u *UI) signOutAsking() { u.confirmDiscard(T("Đăng xuất"), u.signOut) }

// anyText reports whether one of the entries holds something.
func anyText(entries ...*widget.Entry) bool {
	for _, e := range entries {
		if e != nil && strings.TrimSpace(e.Text) != "" {
			return true
		}
	}
	return false
}

// unsaved: a procedure picked, a paper ticked or an applicant field typed.
func (s *intakeScreen) unsaved() bool {
	if s.proc != nil || anyText(s.idNumber, s.name, s.birth, s.phone, s.email, s.address, s.ownerName, s.ownerID, s.ownerAddress, s.summary) {
		return true
	}
	for _, c := range s.docChecks {
		if c.Checked {
			return true
		}
	}
	return false
}

// fingerprint is what the intake form holds, everything the clerk can change, in one string.
func (s *intakeScreen) fingerprint() string {
	var b strings.Builder
	if s.proc != nil {
		b.WriteString(s.proc.Code)
	}
	for _, e := range []*widget.Entry{s.idNumber, s.name, s.birth, s.phone, s.email, s.address, s.ownerName, s.ownerID,
		s.ownerAddress, s.summary, s.copies, s.pages, s.sets} {
		b.WriteString("\x00" + e.Text)
	}
	b.WriteString("\x00" + s.sex.Selected + "\x00" + s.channel.Selected + "\x00")
	for _, c := range append([]*widget.Check{s.onBehalf, s.assisted}, checksOf(s.docChecks)...) {
		if c.Checked {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

func checksOf(papers []*paperCheck) []*widget.Check {
	out := make([]*widget.Check, len(papers))
	for i, p := range papers {
		out[i] = &p.Check
	}
	return out
}

// changedSinceFill reports whether the clerk changed the form since a hand-off entry filled
// it (true when no entry filled it).
func (s *intakeScreen) changedSinceFill() bool {
	return s.handoffID == "" || s.fingerprint() != s.filled
}

// unsaved: a procedure picked or an applicant field typed (the declaration follows them).
func (s *assistScreen) unsaved() bool {
	return s.proc != nil || anyText(s.idNumber, s.name, s.birth, s.phone, s.address)
}

// unsaved: a dossier on screen whose recipient the clerk changed from what was prefilled
// (another name or ID number, an authorisation typed). The prefilled applicant alone is not
// typed data: nothing is lost when it goes.
func (s *handOverScreen) unsaved() bool {
	if s.d == nil || !s.recipient.Visible() {
		return false
	}
	name, id := "", ""
	switch s.who.Selected {
	case whoApplicant():
		name, id = s.d.Applicant.Name, s.d.Applicant.IDNumber
	case whoOwner():
		if s.d.Owner != nil {
			name, id = s.d.Owner.Name, s.d.Owner.IDNumber
		}
	}
	return strings.TrimSpace(s.name.Text) != strings.TrimSpace(name) || strings.TrimSpace(s.idNumber.Text) != strings.TrimSpace(id) ||
		(s.who.Selected == whoAuthorised() && anyText(s.authority))
}
