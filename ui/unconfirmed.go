package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
)

func init() {
	settingsSections = append(settingsSections, func(s *settingsScreen) fyne.CanvasObject {
		if !s.admin {
			return nil
		}
		s.unconfirmed = newUnconfirmedPanel(s.u)
		return s.unconfirmed.card
	})
}

// unconfirmedPanel (in Cài đặt, admin only) lists the facts the data in use flags as not
// yet checked against a published source — of the catalogue, the form data and the
// declarations — so that the admin can check each with the province and have the data
// corrected. The list is read from the data; nothing here decides what is unconfirmed.
type unconfirmedPanel struct {
	card   fyne.CanvasObject
	facts  []domain.UnconfirmedFact
	groups *widget.Accordion
}

func newUnconfirmedPanel(u *UI) *unconfirmedPanel {
	p := &unconfirmedPanel{facts: forms.UnconfirmedFacts(u.opt.Store.Catalogue(), forms.DefaultTemplates(), forms.DefaultDeclarations())}
	p.groups = widget.NewAccordion()
	p.groups.MultiOpen = true
	bySource := map[string]*fyne.Container{}
	count := map[string]int{}
	var order []string
	for _, f := range p.facts {
		if count[f.Source] == 0 {
			order = append(order, f.Source)
			bySource[f.Source] = container.NewVBox()
		}
		count[f.Source]++
	}
	for _, g := range domain.GroupUnconfirmed(p.facts) {
		box := bySource[g.Source]
		subject := wrapped(g.Subject, false) // long names wrap rather than widen the screen
		subject.TextStyle.Bold = true
		box.Add(subject)
		for _, f := range g.Facts {
			text := "– " + T(f.Fact)
			if f.Value != "" {
				text += ": " + f.Value
			}
			box.Add(wrapped(text, false))
			if f.Note != "" {
				box.Add(wrapped("   "+T("Ghi chú:")+" "+f.Note, true))
			}
			if f.Ref != "" {
				box.Add(wrapped("   "+T("Nguồn:")+" "+f.Ref, true))
			}
		}
		if g.Note != "" {
			box.Add(wrapped(T("Ghi chú:")+" "+g.Note, true))
		}
		if g.Ref != "" {
			box.Add(wrapped(T("Nguồn:")+" "+g.Ref, true))
		}
	}
	for _, src := range order {
		p.groups.Append(widget.NewAccordionItem(Tf("%s (%d)", T(src), count[src]), bySource[src]))
	}
	intro := wrapped(Tf("%d thông tin trong dữ liệu đang dùng chưa được đối chiếu với văn bản chính thức. Kiểm tra từng thông tin với tỉnh; khi đã xác nhận hoặc sửa, cập nhật dữ liệu (danh mục thủ tục, mẫu biểu, tờ khai) và bỏ đánh dấu «chưa xác nhận». Danh sách này cũng in được bằng lệnh motcua catalogue --unconfirmed.", len(p.facts)), false)
	if len(p.facts) == 0 {
		intro = wrapped(T("Mọi thông tin trong dữ liệu đang dùng đã được xác nhận."), false)
	}
	p.card = widget.NewCard(T("Thông tin chưa được xác nhận"), "", container.NewVBox(intro, p.groups))
	return p
}

// wrapped is a label that wraps at the card's width; small ones are for notes and sources.
func wrapped(text string, small bool) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	if small {
		l.SizeName = theme.SizeNameCaptionText
		l.TextStyle.Italic = true
	}
	return l
}
