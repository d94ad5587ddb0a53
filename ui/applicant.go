package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
)

// applicantForm is the person panel that intake, assisted writing and hand-over share:
// ID number, name, birth date, sex, phone, e-mail and address. Each field takes an ID-card
// QR from a USB scanner (the payload typed into whichever field has the focus, then
// Enter). A screen embeds it and lays out the fields it needs under its own labels.
type applicantForm struct {
	idNumber, name, birth, phone, email, address *widget.Entry
	sex                                          *widget.Select

	keyClock func() time.Time      // times keystrokes, to tell a scanner from a person
	onEdit   func()                // after a change that is not part of a scan
	onEnter  func(e *widget.Entry) // Enter in a field, when it was not a scan
	onCard   func(payload string)  // a card was scanned into a field
}

func newApplicantForm(onEdit func(), onEnter func(e *widget.Entry), onCard func(payload string)) *applicantForm {
	f := &applicantForm{keyClock: time.Now, onEdit: onEdit, onEnter: onEnter, onCard: onCard}
	f.idNumber = f.scanEntry(T("12 chữ số, hoặc quét mã QR trên thẻ căn cước"))
	f.name = f.scanEntry(T("Họ và tên"))
	f.birth = f.scanEntry(T("ngày/tháng/năm"))
	f.sex = widget.NewSelect([]string{"Nam", "Nữ"}, func(string) {
		if f.onEdit != nil {
			f.onEdit()
		}
	})
	f.sex.PlaceHolder = T("Chọn")
	f.phone = f.scanEntry("09xx xxx xxx")
	f.email = f.scanEntry("")
	f.address = f.scanEntry(T("Số nhà, thôn/tổ dân phố, xã/phường, tỉnh/thành phố"))
	return f
}

// scanEntry is a person field that also takes a card scan (intake's owner fields too).
func (f *applicantForm) scanEntry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	watchScans(e, func() time.Time { return f.keyClock() }, f.onEdit, func() { f.onEnter(e) }, f.onCard)
	return e
}

// person is what the fields hold.
func (f *applicantForm) person() domain.Person {
	return domain.Person{Name: f.name.Text, IDNumber: f.idNumber.Text, Birth: f.birth.Text, Sex: f.sex.Selected,
		Phone: f.phone.Text, Email: f.email.Text, Address: f.address.Text}
}

// fillCard puts a scanned card's data into the fields (phone and e-mail are not on it).
func (f *applicantForm) fillCard(q citizen.CardQR) {
	f.idNumber.SetText(q.ID)
	f.name.SetText(q.Name)
	if !q.Birth.IsZero() {
		f.birth.SetText(q.Birth.Format("02/01/2006"))
	}
	if q.Sex != citizen.SexUnknown {
		f.sex.SetSelected(q.Sex.String())
	}
	f.address.SetText(q.Address)
}

// setPerson fills the fields from data collected elsewhere (assisted writing → intake).
func (f *applicantForm) setPerson(p domain.Person) {
	f.idNumber.SetText(p.IDNumber)
	f.name.SetText(p.Name)
	if p.Birth != "" {
		if t, err := domain.ParseDate(p.Birth); err == nil {
			f.birth.SetText(t.Format("02/01/2006"))
		}
	}
	if p.Sex != "" {
		f.sex.SetSelected(p.Sex)
	}
	f.phone.SetText(p.Phone)
	f.email.SetText(p.Email)
	f.address.SetText(p.Address)
}

// clearPerson empties the fields.
func (f *applicantForm) clearPerson() {
	for _, e := range []*widget.Entry{f.idNumber, f.name, f.birth, f.phone, f.email, f.address} {
		e.SetText("")
	}
	f.sex.ClearSelected()
}
