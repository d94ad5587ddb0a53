package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

// Conflicts and quarantine: the events kept but not applied because they broke a rule
// after events from elsewhere were merged, and the events the city's system refused. A
// supervisor settles a conflict by recording a decision (a new event: history is never
// edited) and puts a refused event back in the queue once its cause is fixed.

// conflictsListLimit bounds how many conflicting dossiers one load reads.
const conflictsListLimit = 500

// conflictItem is one open conflict of a dossier.
type conflictItem struct {
	d domain.Dossier
	c domain.Conflict
}

type conflictsData struct {
	items       []conflictItem
	dossiers    int // dossiers with open conflicts (all of them, even beyond the limit)
	quarantined []query.QuarantinedEvent
	refused     []query.Refused // received events that could not be trusted
	handoffs    query.HandoffQueue
	names       map[string]string
}

// conflictsPanel lists both and settles them.
type conflictsPanel struct {
	s    *supervisorScreen
	data conflictsData

	list      *widget.List
	listTitle *widget.Label
	empty     *widget.Label
	listBox   *fyne.Container

	// The decision on the selected conflict.
	current  *conflictItem
	form     *fyne.Container
	pick     *widget.Label // "choose a conflict" while none is selected
	dossier  *widget.Label
	what     *widget.Label
	msg      *widget.Label
	decision *widget.RadioGroup
	status   *widget.Select
	note     *widget.Entry
	noteErr  *widget.Label
	resolve  *widget.Button
	openBtn  *widget.Button
	banner   *banner

	qList  *widget.List
	qTitle *widget.Label
	qEmpty *widget.Label
	qBox   *fyne.Container

	handoffs *fyne.Container // the hand-off queue's conflicts and expired entries (handoff.go)

	root fyne.CanvasObject
}

func decisionKeep() string { return T("Giữ nguyên trạng thái hiện tại") }
func decisionSet() string  { return T("Đặt trạng thái…") }

func newConflictsPanel(s *supervisorScreen) *conflictsPanel {
	p := &conflictsPanel{s: s}

	p.list = widget.NewList(func() int { return len(p.data.items) },
		func() fyne.CanvasObject {
			head := cellLabel(true, fyne.TextAlignLeading)
			msg := cellLabel(false, fyne.TextAlignLeading)
			msg.Importance = widget.DangerImportance
			who := cellLabel(false, fyne.TextAlignLeading)
			who.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(head, msg, who)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.data.items) {
				return
			}
			it := p.data.items[id]
			c := o.(*fyne.Container).Objects
			c[0].(*widget.Label).SetText(Tf("%s · %s · %s", it.d.Code, it.d.Applicant.Name, statusText(it.d.Status)))
			c[1].(*widget.Label).SetText(it.c.Msg)
			c[2].(*widget.Label).SetText(p.eventLine(it.c))
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		if id < len(p.data.items) {
			it := p.data.items[id]
			p.show(&it)
		}
	}
	p.listTitle = heading(T("Hồ sơ có xung đột cần xử lý"))
	p.empty = widget.NewLabel(T("Không có xung đột nào cần xử lý."))
	p.empty.Importance = widget.SuccessImportance
	p.empty.Hide()
	p.listBox = container.NewStack(p.list, container.NewVBox(p.empty))

	// The decision form.
	p.pick = widget.NewLabel(T("Chọn một xung đột ở danh sách bên trái để ghi quyết định xử lý."))
	p.pick.Wrapping = fyne.TextWrapWord
	p.dossier = wrapLabel("")
	p.dossier.TextStyle.Bold = true
	p.what = wrapLabel("")
	p.msg = wrapLabel("")
	p.msg.Importance = widget.DangerImportance
	p.decision = widget.NewRadioGroup([]string{decisionKeep(), decisionSet()}, func(v string) {
		if v == decisionSet() {
			p.status.Enable()
		} else {
			p.status.Disable()
		}
	})
	p.decision.Required = true
	var names []string
	for _, st := range domain.AllStatuses() {
		names = append(names, statusText(st))
	}
	p.status = widget.NewSelect(names, nil)
	p.status.PlaceHolder = T("Chọn trạng thái")
	p.note = widget.NewMultiLineEntry()
	p.note.Wrapping = fyne.TextWrapWord
	p.note.SetMinRowsVisible(3)
	p.note.SetPlaceHolder(T("Ví dụ: Công dân đã nhận kết quả trước khi có thông báo từ chối"))
	p.noteErr = errLabel()
	p.resolve = widget.NewButtonWithIcon(T("Ghi nhận quyết định"), theme.ConfirmIcon(), p.onResolve)
	p.resolve.Importance = widget.HighImportance
	p.openBtn = widget.NewButtonWithIcon(T("Xem hồ sơ"), theme.NavigateNextIcon(), func() {
		if p.current != nil {
			p.s.u.openDossier(p.current.d.ID)
		}
	})
	explain := widget.NewLabel(T("Quyết định được ghi thành một sự kiện mới trong lịch sử hồ sơ; các sự kiện cũ được giữ nguyên."))
	explain.Wrapping = fyne.TextWrapWord
	explain.SizeName = theme.SizeNameCaptionText
	p.form = container.NewVBox(p.dossier, p.what, p.msg, widget.NewSeparator(),
		labelled(T("Quyết định"), p.decision, nil), p.status,
		labelled(T("Nội dung quyết định"), p.note, p.noteErr),
		explain,
		container.NewHBox(p.openBtn, spacer(), p.resolve))
	p.form.Hide()
	p.banner = newBanner()
	p.handoffs = container.NewVBox()
	right := container.NewVScroll(container.NewVBox(p.banner.box, p.pick, p.form, p.handoffs))
	p.banner.parent = right

	// Refused sync items.
	p.qList = widget.NewList(func() int { return len(p.data.quarantined) + len(p.data.refused) },
		func() fyne.CanvasObject {
			head := cellLabel(true, fyne.TextAlignLeading)
			who := cellLabel(false, fyne.TextAlignLeading)
			who.SizeName = theme.SizeNameCaptionText
			reason := cellLabel(false, fyne.TextAlignLeading)
			reason.Importance = widget.DangerImportance
			b := widget.NewButtonWithIcon(T("Đưa lại vào hàng đợi"), theme.MediaReplayIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewCenter(b), container.NewVBox(head, reason, who))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container).Objects
			texts := c[0].(*fyne.Container).Objects
			btn := c[1].(*fyne.Container).Objects[0].(*widget.Button)
			if id >= len(p.data.quarantined) {
				// A received event refused here: nothing to send again, only to report.
				if id -= len(p.data.quarantined); id >= len(p.data.refused) {
					return
				}
				r := p.data.refused[id]
				texts[0].(*widget.Label).SetText(Tf("%s · nhận về, không tin được", eventTitle(r.Event.Type)))
				texts[1].(*widget.Label).SetText(Tf("Lý do: %s", r.Reason))
				texts[2].(*widget.Label).SetText(Tf("%s · %s · bị từ chối lúc %s", fmtDateTime(r.Event.At), deviceText(p.s.u, r.Event.Device, false), fmtDateTime(r.At)))
				btn.Hide()
				return
			}
			q := p.data.quarantined[id]
			head, who := p.quarantineLines(q)
			texts[0].(*widget.Label).SetText(head)
			texts[1].(*widget.Label).SetText(Tf("Lý do: %s", reasonText(q.Reason)))
			texts[2].(*widget.Label).SetText(who)
			btn.Show()
			btn.OnTapped = func() { p.onRequeue(q) }
		})
	p.qTitle = heading(T("Sự kiện bị máy chủ thành phố từ chối"))
	p.qEmpty = widget.NewLabel(T("Không có sự kiện nào bị giữ lại."))
	p.qEmpty.Importance = widget.SuccessImportance
	p.qEmpty.Hide()
	p.qBox = container.NewStack(p.qList, container.NewVBox(p.qEmpty))
	qNote := widget.NewLabel(T("Sự kiện bị từ chối được giữ lại trên máy này, không gửi lại tự động. Khắc phục nguyên nhân rồi đưa lại vào hàng đợi. Sự kiện nhận về mà chữ ký số hoặc thời điểm không đúng thì không được áp dụng; hãy báo quản trị hệ thống."))
	qNote.Wrapping = fyne.TextWrapWord
	qNote.SizeName = theme.SizeNameCaptionText

	lists := container.NewVSplit(
		container.NewPadded(section(p.listTitle, p.listBox)),
		container.NewPadded(section(p.qTitle, container.NewBorder(qNote, nil, nil, nil, p.qBox))))
	lists.Offset = 0.55
	split := container.NewHSplit(lists, container.NewPadded(section(heading(T("Xử lý xung đột")), right)))
	split.Offset = 0.56
	p.root = split
	return p
}

// eventLine says which event, by whom, on which workstation and when.
func (p *conflictsPanel) eventLine(c domain.Conflict) string {
	return Tf("%s — %s, %s (%s)", eventTitle(c.Type), nameOf(p.data.names, c.Actor), fmtDateTime(c.At), deviceText(p.s.u, c.Device, false))
}

// quarantineLines say which event of which dossier, then who made it when and when the
// city refused it.
func (p *conflictsPanel) quarantineLines(q query.QuarantinedEvent) (string, string) {
	code := q.Code
	if code == "" {
		code = T("(không thuộc hồ sơ)")
	}
	return Tf("%s · %s", eventTitle(q.Event.Type), code),
		Tf("%s, %s · bị từ chối lúc %s", nameOf(p.data.names, q.Event.Actor), fmtDateTime(q.Event.At), fmtDateTime(q.At))
}

// reasonText is the server's reason, or a plain sentence when it gave none.
func reasonText(r string) string {
	if r == "" {
		return T("Máy chủ từ chối sự kiện (không nêu lý do).")
	}
	return r
}

func (p *conflictsPanel) load() {
	u := p.s.u
	background(u, func(ctx context.Context) (conflictsData, error) {
		var out conflictsData
		var err error
		if out.dossiers, err = p.s.store.QueueCount(ctx, query.QueueFilter{Conflicts: true}); err != nil {
			return out, err
		}
		rows, err := p.s.store.Queue(ctx, query.QueueFilter{Conflicts: true}, 0, conflictsListLimit)
		if err != nil {
			return out, err
		}
		for _, r := range rows {
			d, err := p.s.store.Get(ctx, r.ID)
			if err != nil {
				return out, err
			}
			for _, c := range d.OpenConflicts() {
				out.items = append(out.items, conflictItem{d: d, c: c})
			}
		}
		if out.quarantined, err = p.s.store.Quarantined(ctx); err != nil {
			return out, err
		}
		if out.refused, err = p.s.store.RefusedEvents(ctx); err != nil {
			return out, err
		}
		if out.handoffs, err = p.s.store.Handoffs(ctx, p.s.u.now()); err != nil {
			return out, err
		}
		out.names = staffNames(ctx, p.s.store)
		return out, nil
	}, p.apply)
}

func (p *conflictsPanel) apply(d conflictsData, err error) {
	if err != nil {
		p.banner.set(errText(err), widget.DangerImportance)
		return
	}
	p.data = d
	switch {
	case d.dossiers > conflictsListLimit:
		p.listTitle.SetText(Tf("Hồ sơ có xung đột cần xử lý: %s (hiện %s hồ sơ đầu tiên)", groupDigits(d.dossiers), groupDigits(conflictsListLimit)))
	default:
		p.listTitle.SetText(Tf("Hồ sơ có xung đột cần xử lý: %s", groupDigits(d.dossiers)))
	}
	p.qTitle.SetText(Tf("Sự kiện bị máy chủ thành phố từ chối: %s", groupDigits(len(d.quarantined))))
	if len(d.refused) > 0 {
		p.qTitle.SetText(Tf("Sự kiện bị từ chối: %s gửi đi, %s nhận về", groupDigits(len(d.quarantined)), groupDigits(len(d.refused))))
	}
	p.empty.Hidden = len(d.items) > 0
	p.list.Hidden = len(d.items) == 0
	held := len(d.quarantined) + len(d.refused)
	p.qEmpty.Hidden = held > 0
	p.qList.Hidden = held == 0
	p.list.UnselectAll()
	p.list.Refresh()
	p.qList.Refresh()
	// Keep the decision form on the same conflict if it is still open.
	var still *conflictItem
	if p.current != nil {
		for i := range d.items {
			if d.items[i].c.EventID == p.current.c.EventID {
				still = &d.items[i]
			}
		}
	}
	p.show(still)
	showHandoffNotes(p.handoffs, d.handoffs)
	p.listBox.Refresh()
	p.qBox.Refresh()
	p.root.Refresh()
	p.s.loaded(p.s.u.now())
	p.s.setAlerts(d.dossiers + len(d.quarantined) + len(d.refused))
}

// show fills the decision form for a conflict (nil: none selected).
func (p *conflictsPanel) show(it *conflictItem) {
	p.current = it
	if it == nil {
		p.form.Hide()
		p.pick.Show()
		p.form.Refresh()
		p.root.Refresh()
		return
	}
	p.pick.Hide()
	p.dossier.SetText(Tf("Hồ sơ %s — %s\nTrạng thái hiện tại: %s", it.d.Code, it.d.Applicant.Name, statusText(it.d.Status)))
	p.what.SetText(Tf("Sự kiện không áp dụng được: %s", p.eventLine(it.c)))
	p.msg.SetText(it.c.Msg)
	p.decision.SetSelected(decisionKeep())
	p.status.ClearSelected()
	// The likely choice when the supervisor decides the event stands: the status it
	// would have put the dossier in.
	if st, ok := domain.StatusAfter(it.c.Type, it.d.PausedFrom); ok {
		p.status.SetSelected(statusText(st))
	}
	p.status.Disable()
	p.note.SetText("")
	setErr(p.noteErr, "")
	p.form.Show()
	p.form.Refresh()
	p.root.Refresh()
}

func (p *conflictsPanel) onResolve() {
	it := p.current
	if it == nil {
		return
	}
	pl := domain.ConflictResolvedPayload{EventIDs: []string{it.c.EventID}, Decision: "keep", Note: strings.TrimSpace(p.note.Text)}
	question := Tf("Giữ nguyên trạng thái «%s» của hồ sơ %s?", statusText(it.d.Status), it.d.Code)
	if p.decision.Selected == decisionSet() {
		i := p.status.SelectedIndex()
		if i < 0 {
			p.banner.set(T("Vui lòng chọn trạng thái cần đặt."), widget.DangerImportance)
			return
		}
		pl.Decision, pl.SetStatus = "set_status", domain.AllStatuses()[i]
		question = Tf("Đặt hồ sơ %s về trạng thái «%s»?", it.d.Code, statusText(pl.SetStatus))
	}
	if pl.Note == "" {
		setErr(p.noteErr, T("Vui lòng ghi nội dung quyết định xử lý xung đột."))
		p.form.Refresh()
		return
	}
	setErr(p.noteErr, "")
	p.banner.set("", widget.MediumImportance)
	u := p.s.u
	id := it.d.ID
	u.confirm(T("Xử lý xung đột"), question+"\n"+T("Quyết định được ghi vào lịch sử hồ sơ và không thể hoàn tác."), T("Đồng ý"), func() {
		actor := u.actor()
		p.resolve.Disable()
		background(u, func(ctx context.Context) (domain.Dossier, error) {
			return p.s.store.ResolveConflict(ctx, actor, id, pl)
		}, func(d domain.Dossier, err error) {
			p.resolve.Enable()
			if err != nil {
				p.banner.set(errText(err), widget.DangerImportance)
				return
			}
			p.banner.set(Tf("Đã ghi quyết định xử lý xung đột của hồ sơ %s. Trạng thái: %s.", d.Code, statusText(d.Status)), widget.SuccessImportance)
			p.current = nil
			p.load()
		})
	})
}

func (p *conflictsPanel) onRequeue(q query.QuarantinedEvent) {
	u := p.s.u
	code := q.Code
	if code == "" {
		code = T("(không thuộc hồ sơ)")
	}
	u.confirm(T("Đưa lại vào hàng đợi đồng bộ?"),
		Tf("Sự kiện «%s» của hồ sơ %s sẽ được gửi lại lên máy chủ thành phố ở lần đồng bộ tiếp theo.\nChỉ làm việc này khi nguyên nhân bị từ chối đã được khắc phục.", eventTitle(q.Event.Type), code),
		T("Đưa lại vào hàng đợi"), func() {
			actor := u.actor()
			background(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, p.s.store.Requeue(ctx, actor, q.Event.ID)
			}, func(_ struct{}, err error) {
				if err != nil {
					p.banner.set(errText(err), widget.DangerImportance)
					return
				}
				p.banner.set(Tf("Đã đưa sự kiện «%s» của hồ sơ %s lại vào hàng đợi đồng bộ.", eventTitle(q.Event.Type), code), widget.SuccessImportance)
				if u.opt.Sync != nil {
					u.opt.Sync.SyncNow()
				}
				if u.status != nil {
					u.status.refresh()
				}
				p.load()
			})
		})
}
