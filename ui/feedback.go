package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

func init() {
	registerScreen(orderFeed, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermFeedback) {
			return nil
		}
		return newFeedbackScreen(u, st)
	})
}

// feedbackScreen (Phản ánh) is the register of citizens' feedback: anyone at the counter
// records it; a supervisor assigns, answers and publishes. The counts are the city's.
type feedbackScreen struct {
	u         *UI
	store     feedbackStore // what it reads and records
	supervise bool
	root      fyne.CanvasObject

	name, phone, dossier *widget.Entry
	channel              *widget.Select
	text                 *widget.Entry
	errs                 map[string]*widget.Label
	banner               *banner
	save                 *widget.Button

	counts *widget.Label
	filter *widget.Select
	items  []domain.Feedback
	list   *widget.List

	detail                 *fyne.Container
	selected               *domain.Feedback
	assignTo               *widget.Select
	answer, where          *widget.Entry
	assign, resolve, publi *widget.Button
	staff                  []domain.Staff
}

var feedbackFilters = []domain.FeedbackStatus{0, domain.FeedbackNew, domain.FeedbackInProgress, domain.FeedbackResolved, domain.FeedbackPublished}

func newFeedbackScreen(u *UI, st domain.Staff) *feedbackScreen {
	s := &feedbackScreen{u: u, store: u.opt.Store, supervise: st.Role.Can(domain.PermSupervise), errs: map[string]*widget.Label{}}
	for _, f := range []string{"content", "citizen.name", "citizen.phone", "channel"} {
		s.errs[f] = errLabel()
	}
	s.name, s.phone, s.dossier = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.dossier.SetPlaceHolder(T("Mã hồ sơ liên quan (nếu có)"))
	var channels []string
	for _, c := range domain.FeedbackChannels() {
		channels = append(channels, T(domain.FeedbackChannelName(c)))
	}
	s.channel = widget.NewSelect(channels, nil)
	s.channel.SetSelected(channels[0])
	s.text = widget.NewMultiLineEntry()
	s.text.Wrapping = fyne.TextWrapWord
	s.text.SetMinRowsVisible(4)
	s.text.SetPlaceHolder(T("Nội dung phản ánh, kiến nghị của công dân"))
	s.banner = newBanner()
	s.save = widget.NewButtonWithIcon(T("Ghi nhận phản ánh"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	form := container.NewVBox(s.banner.box,
		container.NewGridWithColumns(2,
			labelled(T("Người phản ánh"), s.name, s.errs["citizen.name"]),
			labelled(T("Điện thoại"), s.phone, s.errs["citizen.phone"])),
		container.NewGridWithColumns(2,
			labelled(T("Hình thức"), s.channel, s.errs["channel"]),
			labelled(T("Hồ sơ liên quan"), s.dossier, nil)),
		labelled(T("Nội dung"), s.text, s.errs["content"]),
		container.NewHBox(spacer(), s.save))
	s.banner.parent = form

	s.counts = widget.NewLabel("")
	s.counts.Wrapping = fyne.TextWrapWord
	var filters []string
	for _, f := range feedbackFilters {
		if f == 0 {
			filters = append(filters, T("Tất cả"))
		} else {
			filters = append(filters, T(f.String()))
		}
	}
	s.filter = widget.NewSelect(filters, func(string) { s.load() })
	s.filter.SetSelected(filters[0])
	s.list = widget.NewList(func() int { return len(s.items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			st := widget.NewLabel("")
			return container.NewBorder(nil, nil, nil, st, l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.items) {
				return
			}
			f := s.items[id]
			c := o.(*fyne.Container)
			who := f.Citizen.Name
			if who == "" {
				who = T("(không ghi tên)")
			}
			c.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s · %s — %s", fmtDate(f.ReceivedAt), who, f.Content))
			c.Objects[1].(*widget.Label).SetText(T(f.Status.String()))
		})
	s.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.items) {
			f := s.items[id]
			s.show(&f)
		}
	}
	s.detail = container.NewVBox()
	right := container.NewBorder(container.NewVBox(s.counts, container.NewHBox(widget.NewLabel(T("Lọc:")), s.filter)), s.detail, nil, nil, s.list)
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(widget.NewCard(T("Ghi nhận phản ánh, kiến nghị"), "", form))),
		container.NewPadded(widget.NewCard(T("Sổ phản ánh, kiến nghị tháng này"), "", right)))
	split.Offset = 0.45
	s.root = split
	return s
}

func (s *feedbackScreen) title() string              { return T("Phản ánh") }
func (s *feedbackScreen) icon() fyne.Resource        { return theme.MailComposeIcon() }
func (s *feedbackScreen) content() fyne.CanvasObject { return s.root }
func (s *feedbackScreen) shown() {
	s.load()
	if s.supervise {
		background(s.u, func(ctx context.Context) ([]domain.Staff, error) { return s.store.ListStaff(ctx) },
			func(list []domain.Staff, err error) {
				if err == nil {
					s.staff = list
				}
			})
	}
}

// month is the current month's bounds, Vietnam time.
func (s *feedbackScreen) month() (time.Time, time.Time) {
	now := s.u.now().In(domain.VN())
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.VN())
	return from, from.AddDate(0, 1, 0)
}

func (s *feedbackScreen) load() {
	if s.filter == nil || s.counts == nil {
		return
	}
	status := feedbackFilters[max(s.filter.SelectedIndex(), 0)]
	from, to := s.month()
	type result struct {
		items  []domain.Feedback
		counts query.FeedbackCounts
	}
	background(s.u, func(ctx context.Context) (result, error) {
		items, err := s.store.ListFeedback(ctx, from, to, status, 500)
		if err != nil {
			return result{}, err
		}
		c, err := s.store.CountFeedback(ctx, from, to)
		return result{items, c}, err
	}, func(r result, err error) {
		if err != nil {
			s.u.showError(err)
			return
		}
		s.items = r.items
		s.list.UnselectAll()
		s.list.Refresh()
		s.counts.SetText(Tf("Tiếp nhận: %s · Đã giải quyết và công khai: %s · Đang xử lý: %s",
			groupDigits(r.counts.Received), groupDigits(r.counts.Published), groupDigits(r.counts.InProgress)))
	})
}

func (s *feedbackScreen) onSave() {
	u := s.u
	p := domain.FeedbackReceivedPayload{Citizen: domain.Person{Name: s.name.Text, Phone: s.phone.Text},
		Content: s.text.Text, DossierCode: s.dossier.Text}
	if i := s.channel.SelectedIndex(); i >= 0 {
		p.Channel = domain.FeedbackChannels()[i]
	}
	actor := u.actor()
	background(u, func(ctx context.Context) (domain.Feedback, error) {
		return s.store.ReceiveFeedback(ctx, actor, p)
	}, func(f domain.Feedback, err error) {
		if err != nil {
			s.banner.set(fieldErrors(err, s.errs), widget.DangerImportance)
			return
		}
		fieldErrors(nil, s.errs)
		for _, e := range []*widget.Entry{s.name, s.phone, s.dossier, s.text} {
			e.SetText("")
		}
		s.banner.set(T("Đã ghi nhận phản ánh, kiến nghị."), widget.SuccessImportance)
		s.load()
	})
}

// show displays one item and, for a supervisor, what can be done with it next.
func (s *feedbackScreen) show(f *domain.Feedback) {
	s.selected = f
	s.detail.RemoveAll()
	text := widget.NewLabel(fmt.Sprintf("%s\n%s: %s\n%s: %s", f.Content, T("Trạng thái"), T(f.Status.String()),
		T("Kênh"), T(domain.FeedbackChannelName(f.Channel))))
	text.Wrapping = fyne.TextWrapWord
	s.detail.Add(widget.NewSeparator())
	s.detail.Add(text)
	if f.Answer != "" {
		a := widget.NewLabel(T("Trả lời: ") + f.Answer)
		a.Wrapping = fyne.TextWrapWord
		s.detail.Add(a)
	}
	if s.supervise {
		switch f.Status {
		case domain.FeedbackNew, domain.FeedbackInProgress:
			var names []string
			for _, st := range s.staff {
				if st.Active {
					names = append(names, st.Username)
				}
			}
			s.assignTo = widget.NewSelect(names, nil)
			s.assign = widget.NewButton(T("Giao xử lý"), func() {
				s.act(func(ctx context.Context, actor domain.Staff) (domain.Feedback, error) {
					return s.store.AssignFeedback(ctx, actor, f.ID, s.assignTo.Selected, "")
				})
			})
			s.answer = widget.NewMultiLineEntry()
			s.answer.Wrapping = fyne.TextWrapWord
			s.answer.SetPlaceHolder(T("Nội dung trả lời công dân"))
			s.resolve = widget.NewButton(T("Ghi kết quả giải quyết"), func() {
				s.act(func(ctx context.Context, actor domain.Staff) (domain.Feedback, error) {
					return s.store.ResolveFeedback(ctx, actor, f.ID, s.answer.Text)
				})
			})
			s.detail.Add(container.NewBorder(nil, nil, nil, s.assign, s.assignTo))
			s.detail.Add(s.answer)
			s.detail.Add(container.NewHBox(spacer(), s.resolve))
		case domain.FeedbackResolved:
			s.where = widget.NewEntry()
			s.where.SetText(T("Cổng thông tin điện tử xã"))
			s.publi = widget.NewButton(T("Công khai kết quả"), func() {
				s.act(func(ctx context.Context, actor domain.Staff) (domain.Feedback, error) {
					return s.store.PublishFeedback(ctx, actor, f.ID, s.where.Text)
				})
			})
			s.detail.Add(container.NewBorder(nil, nil, nil, s.publi, s.where))
		}
	}
	s.detail.Refresh()
}

func (s *feedbackScreen) act(do func(ctx context.Context, actor domain.Staff) (domain.Feedback, error)) {
	actor := s.u.actor()
	background(s.u, func(ctx context.Context) (domain.Feedback, error) { return do(ctx, actor) },
		func(f domain.Feedback, err error) {
			if err != nil {
				s.u.showError(err)
				return
			}
			s.show(&f)
			s.load()
		})
}
