package ui

import (
	"context"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

// The hand-off queue (no-writing day across two desks). At the entrance a helper fills the
// declaration on Hỗ trợ viết and presses «Chuyển sang quầy»: the declaration goes into the
// unit's queue with a short number the helper reads out or prints on a slip. At any counter
// the clerk picks it from «Hồ sơ chuẩn bị sẵn» on Tiếp nhận, types the slip's number or
// scans its QR code, and lands in intake with everything filled. An entry is taken once;
// one not taken by the end of its day expires.

// handoffListLimit bounds how many entries of one section the panel lists.
const handoffListLimit = 30

// onHandoff puts the declaration in the hand-off queue and gives its number.
func (s *assistScreen) onHandoff() {
	u := s.u
	u.touch()
	if s.proc == nil || s.handoffBtn.Disabled() {
		return
	}
	p := domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: s.proc.Code}, Applicant: s.person()}
	if s.tpl != nil {
		vals, err := s.check(true)
		if err != nil {
			s.banner.set(T("Chưa chuyển được sang quầy: hãy điền đủ và sửa các mục được đánh dấu đỏ."), widget.DangerImportance)
			return
		}
		p.Template, p.Values, p.Summary = s.tpl.ID, vals, s.tpl.SummaryText(vals)
		for _, f := range s.fields {
			if v := vals[f.in.Key]; v != "" {
				switch f.in.Field.Intake {
				case domain.IntakeCopies:
					p.Copies, _ = strconv.Atoi(v)
				case domain.IntakePages:
					p.Pages, _ = strconv.Atoi(v)
				}
			}
		}
	}
	actor := u.actor()
	s.handoffBtn.Disable()
	background(u, func(ctx context.Context) (domain.Handoff, error) {
		return s.store.PrepareHandoff(ctx, actor, p)
	}, func(h domain.Handoff, err error) {
		s.handoffBtn.Enable()
		if err != nil {
			s.banner.set(T("Chưa chuyển được sang quầy: ")+errText(err), widget.DangerImportance)
			return
		}
		u.status.refresh() // one more waiting to sync
		s.reset()
		// Nothing of the form just sent stays open behind the number (the procedure list
		// reset opened): the list comes back when the dialog closes, for the next citizen.
		s.picker.showList(false)
		s.form.Refresh()
		s.lastHandoff = h
		s.banner.set(Tf("Đã chuyển tờ khai của %s sang quầy với số phiếu %s. Mời công dân đến quầy tiếp nhận và đọc số này (hoặc đưa phiếu in).",
			h.Applicant.Name, h.Number), widget.SuccessImportance)
		s.showHandoffNumber(h)
	})
}

// showHandoffNumber shows the number in large type for the helper to read out, with the
// slip to print.
func (s *assistScreen) showHandoffNumber(h domain.Handoff) {
	u := s.u
	num := canvas.NewText(h.Number, theme.Color(theme.ColorNamePrimary))
	num.TextSize = 56
	num.TextStyle = fyne.TextStyle{Bold: true}
	num.Alignment = fyne.TextAlignCenter
	who := widget.NewLabelWithStyle(Tf("%s · %s", h.Applicant.Name, h.Procedure.Name), fyne.TextAlignCenter, fyne.TextStyle{})
	who.Wrapping = fyne.TextWrapWord
	note := wrapLabel(T("Đọc số phiếu cho công dân, hoặc in phiếu có mã QR. Ở quầy, cán bộ tiếp nhận chọn tờ khai trong «Hồ sơ chuẩn bị sẵn», nhập số phiếu hoặc quét mã QR. Phiếu có giá trị đến hết ngày hôm nay."))
	var d *dialog.CustomDialog
	printBtn := widget.NewButtonWithIcon(T("In phiếu"), theme.DocumentPrintIcon(), func() {
		d.Hide()
		s.printHandoffSlip(h)
	})
	printBtn.Importance = widget.HighImportance
	closeBtn := widget.NewButton(T("Đóng"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(T("Số phiếu chuyển quầy"),
		container.NewGridWrap(fyne.NewSize(420, 240), container.NewVBox(num, who, note)), u.win)
	d.SetButtons([]fyne.CanvasObject{closeBtn, printBtn})
	d.SetOnClosed(func() {
		if s.proc == nil && s.picker.entry.Text == "" {
			s.picker.showList(true)
			s.form.Refresh() // laid out again around the list
			s.scroll.Refresh()
		}
	})
	s.numberDialog = d
	d.Show()
	u.win.Canvas().Focus(printBtn)
}

// printHandoffSlip prints the slip of an entry.
func (s *assistScreen) printHandoffSlip(h domain.Handoff) {
	u := s.u
	u.touch()
	background(u, func(context.Context) (string, error) {
		r := u.renderer()
		return u.printPDF(domain.Dossier{ID: h.Number}, "phieu-chuyen-quay", func(w io.Writer) error { return r.HandoffSlip(w, h) })
	}, func(path string, err error) {
		if err != nil && path == "" {
			s.banner.set(T("Chưa in được phiếu chuyển quầy: ")+errText(err), widget.DangerImportance)
			return
		}
		if err != nil { // written, but neither printed nor opened: the message says where
			s.banner.set(Tf("Phiếu chuyển quầy số %s: %s", h.Number, errText(err)), widget.WarningImportance)
			return
		}
		s.banner.set(Tf("Phiếu chuyển quầy số %s: %s", h.Number, u.deliveredText(path)), widget.SuccessImportance)
	})
}

// handoffPanel is «Hồ sơ chuẩn bị sẵn» on the intake screen: the unit's queue of prepared
// declarations, with the slip's number or QR code to take one directly.
type handoffPanel struct {
	s     *intakeScreen
	box   *fyne.Container
	ref   *widget.Entry
	take  *widget.Button
	msg   *widget.Label
	list  *fyne.Container
	more  *widget.Accordion
	data  query.HandoffQueue
	names map[string]string // staff usernames to full names, read with the queue
	day   string            // the day (VN, YYYY-MM-DD) the queue was read for
	title *widget.Label
	gen   int // loads done, for tests
}

func newHandoffPanel(s *intakeScreen) *handoffPanel {
	p := &handoffPanel{s: s}
	p.ref = widget.NewEntry()
	p.ref.SetPlaceHolder(T("Số phiếu hoặc mã QR"))
	p.ref.OnSubmitted = func(string) { p.claim(p.ref.Text) }
	p.take = widget.NewButtonWithIcon(T("Nhận"), theme.NavigateNextIcon(), func() { p.claim(p.ref.Text) })
	p.msg = wrapLabel("")
	p.msg.Hide()
	p.title = widget.NewLabelWithStyle(T("Đang chờ"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.list = container.NewVBox()
	p.more = widget.NewAccordion()
	p.box = container.NewVBox(
		widget.NewCard(T("Hồ sơ chuẩn bị sẵn"), T("Tờ khai cán bộ hỗ trợ đã điền ở bàn hướng dẫn"), container.NewVBox(
			container.NewBorder(nil, nil, nil, p.take, p.ref), p.msg, p.title, p.list, p.more)),
	)
	return p
}

// catchScans lets a slip's QR code (or its number written "H-1017") scanned or typed into
// another box of the intake — the procedure search has the focus when the screen opens —
// take the entry as the number box does.
func (p *handoffPanel) catchScans(e *widget.Entry) {
	submitted := e.OnSubmitted
	e.OnSubmitted = func(text string) {
		if isHandoffRef(text) {
			e.SetText("")
			p.claim(text)
			return
		}
		if submitted != nil {
			submitted(text)
		}
	}
}

// isHandoffRef reports whether text is a slip's QR code (an entry id) or a number written
// with its H.
func isHandoffRef(text string) bool {
	id, _, written, _ := domain.ParseHandoffRef(text)
	return id != "" || written
}

// load reads the queue again, with the staff's full names.
func (p *handoffPanel) load() {
	u := p.s.u
	now := u.now()
	type loaded struct {
		q     query.HandoffQueue
		names map[string]string
	}
	background(u, func(ctx context.Context) (loaded, error) {
		q, err := p.s.store.Handoffs(ctx, now)
		return loaded{q, staffNames(ctx, p.s.store)}, err
	}, func(l loaded, err error) {
		p.gen++
		if err != nil {
			p.say(T("Chưa đọc được hàng chờ: ")+errText(err), widget.DangerImportance)
			return
		}
		p.data, p.names, p.day = l.q, l.names, domain.HandoffDay(now)
		p.show()
	})
}

// newDay reads the queue again when the day it shows is over: yesterday's entries can no
// longer be taken (an intake left open across midnight).
func (p *handoffPanel) newDay() {
	if p.day != "" && p.day != domain.HandoffDay(p.s.u.now()) {
		p.load()
	}
}

// newDay: the intake's hand-off queue is today's.
func (s *intakeScreen) newDay() { s.handoff.newDay() }

// staffName is a username's full name (the username for one not on the staff list).
func (p *handoffPanel) staffName(username string) string { return nameOf(p.names, username) }

// say shows a message under the number box ("" hides it).
func (p *handoffPanel) say(msg string, importance widget.Importance) {
	p.msg.Importance = importance
	p.msg.SetText(msg)
	p.msg.Hidden = msg == ""
	p.box.Refresh()
}

// show lays the queue out: the entries waiting, each with «Nhận»; today's taken, the
// expired and the conflicting in folded sections.
func (p *handoffPanel) show() {
	q := p.data
	p.title.SetText(Tf("Đang chờ (%d)", len(q.Waiting)))
	p.list.RemoveAll()
	if len(q.Waiting) == 0 {
		p.list.Add(mutedLabel(T("Chưa có tờ khai nào đang chờ.")))
	}
	for i, h := range q.Waiting {
		if i == handoffListLimit {
			p.list.Add(mutedLabel(Tf("… và %d tờ khai khác: nhập số phiếu để nhận.", len(q.Waiting)-i)))
			break
		}
		btn := widget.NewButton(T("Nhận"), func() { p.claim(h.ID) })
		line := wrapLabel(Tf("%s · %s\n%s · %s", h.Number, h.Applicant.Name, h.Procedure.Name, fmtTime(h.PreparedAt)))
		p.list.Add(container.NewBorder(nil, nil, nil, btn, line))
	}
	open := map[string]bool{} // a section the clerk opened stays open across reloads
	for len(p.more.Items) > 0 {
		it := p.more.Items[0]
		name, _, _ := strings.Cut(it.Title, " (")
		open[name] = it.Open
		p.more.RemoveIndex(0)
	}
	section := func(title string, hs []domain.Handoff, line func(domain.Handoff) string) {
		if len(hs) == 0 {
			return
		}
		defer func() {
			if open[title] {
				p.more.Open(len(p.more.Items) - 1)
			}
		}()
		box := container.NewVBox()
		for i, h := range hs {
			if i == handoffListLimit {
				box.Add(mutedLabel(Tf("… và %d tờ khai khác.", len(hs)-i)))
				break
			}
			box.Add(wrapLabel(line(h)))
		}
		p.more.Append(widget.NewAccordionItem(Tf("%s (%d)", title, len(hs)), box))
	}
	section(T("Đã nhận hôm nay"), q.Claimed, func(h domain.Handoff) string {
		s := Tf("%s · %s: %s nhận lúc %s", h.Number, h.Applicant.Name, p.staffName(h.ClaimedBy), fmtTime(h.ClaimedAt))
		if h.DossierCode != "" {
			s += " · " + Tf("hồ sơ %s", h.DossierCode)
		}
		return s
	})
	section(T("Đã hết hạn"), q.Expired, func(h domain.Handoff) string {
		return Tf("%s · %s · %s: hết hạn lúc 24:00 ngày %s, chưa quầy nào nhận (cán bộ hỗ trợ: %s).", h.Number, h.Applicant.Name,
			h.Procedure.Name, h.LastDay().Format("02/01/2006"), p.staffName(h.PreparedBy))
	})
	section(T("Nhận trùng"), q.Conflicts, func(h domain.Handoff) string {
		var msgs []string
		for _, c := range h.Conflicts {
			msgs = append(msgs, c.Msg)
		}
		return strings.Join(msgs, "\n")
	})
	p.box.Refresh()
	p.s.relayoutSide()
}

// claim takes an entry (by id, number or scanned QR) into the intake form, asking first
// when the form holds another citizen's data.
func (p *handoffPanel) claim(ref string) {
	s := p.s
	u := s.u
	u.touch()
	ref = strings.TrimSpace(ref)
	if ref == "" {
		p.say(T("Nhập số phiếu (ví dụ H-1017) hoặc quét mã QR trên phiếu."), widget.WarningImportance)
		u.win.Canvas().Focus(p.ref)
		return
	}
	do := func() {
		actor := u.actor()
		p.take.Disable()
		background(u, func(ctx context.Context) (domain.Handoff, error) {
			return s.store.ClaimHandoff(ctx, actor, ref)
		}, func(h domain.Handoff, err error) {
			p.take.Enable()
			if err != nil {
				p.say(T("Chưa nhận được tờ khai: ")+errText(err), widget.DangerImportance)
				p.load()
				return
			}
			u.status.refresh()
			p.ref.SetText("")
			p.say("", widget.MediumImportance)
			s.fromHandoff(h)
			p.load()
		})
	}
	// The one confirmation rule (discard.go). The entry the form was filled from, taken
	// again, fills the form anew: that asks too when the clerk changed something since.
	if s.unsaved() && (!p.holds(ref) || s.changedSinceFill()) {
		u.confirm(T("Thay hồ sơ đang nhập?"),
			T("Màn hình Tiếp nhận đang có một hồ sơ chưa lưu. Thay bằng tờ khai chuẩn bị sẵn này?"), T("Thay"), do)
		return
	}
	do()
}

// holds reports whether ref (an id or a number) names the entry the form was filled from:
// taking it again fills the form anew (asking only when the clerk changed it since).
func (p *handoffPanel) holds(ref string) bool {
	id := p.s.handoffID
	if id == "" {
		return false
	}
	if strings.EqualFold(ref, id) {
		return true
	}
	n, ok := domain.ParseHandoffNumber(ref)
	for _, h := range p.data.Claimed {
		if ok && h.ID == id && h.Number == n {
			return true
		}
	}
	return false
}

// release gives an entry taken here back to the queue: the clerk left the intake without
// saving it (Làm lại, or another citizen's data in its place).
func (p *handoffPanel) release(id string) {
	u := p.s.u
	actor := u.actor()
	background(u, func(ctx context.Context) (domain.Handoff, error) {
		return p.s.store.ReleaseHandoff(ctx, actor, id)
	}, func(h domain.Handoff, err error) {
		if err != nil {
			p.say(T("Chưa trả lại được tờ khai về hàng chờ: ")+errText(err), widget.WarningImportance)
			return
		}
		u.status.refresh()
		p.say(Tf("Tờ khai %s đã được trả về hàng chờ: quầy khác có thể nhận.", h.Number), widget.MediumImportance)
		p.load()
	})
}

// fromHandoff fills the intake with a claimed entry: procedure, applicant, the declaration
// and what it gives the intake (copies, pages). The dossier saved names the entry.
func (s *intakeScreen) fromHandoff(h domain.Handoff) {
	if s.handoffID == h.ID {
		s.handoffID = "" // opened again: the form is filled anew, the entry stays taken
	}
	s.prefill(h.Procedure.Code, h.Applicant, h.Summary, h.Template, h.Values)
	if h.Copies > 0 {
		s.copies.SetText(strconv.Itoa(h.Copies))
	}
	if h.Pages > 0 {
		s.pages.SetText(strconv.Itoa(h.Pages))
	}
	s.handoffID = h.ID
	s.changed()
	s.filled = s.fingerprint()
	s.banner.set(Tf("Đã nhận tờ khai %s của %s (cán bộ hỗ trợ %s chuẩn bị lúc %s). Đối chiếu giấy tờ, đánh dấu giấy tờ đã nộp rồi lưu.",
		h.Number, h.Applicant.Name, s.handoff.staffName(h.PreparedBy), fmtTime(h.PreparedAt)), widget.SuccessImportance)
	s.scroll.ScrollToTop()
}

// mutedLabel is a wrapping label in the low-importance colour.
func mutedLabel(text string) *widget.Label {
	l := wrapLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// showHandoffNotes puts the hand-off queue's notes in the supervisor's conflicts panel: the
// entries taken twice (two counters, offline) and those that expired unclaimed, of the
// last days. Nothing to decide: the first claim holds; the notes say what to check.
func showHandoffNotes(box *fyne.Container, q query.HandoffQueue) {
	box.RemoveAll()
	if len(q.Conflicts) == 0 && len(q.Expired) == 0 {
		return
	}
	box.Add(heading(T("Hồ sơ chuẩn bị sẵn (tờ khai chuyển quầy)")))
	for i, h := range q.Conflicts {
		if i == handoffListLimit {
			box.Add(mutedLabel(Tf("… và %d tờ khai khác.", len(q.Conflicts)-i)))
			break
		}
		for _, c := range h.Conflicts {
			l := wrapLabel(c.Msg)
			l.Importance = widget.WarningImportance
			box.Add(l)
		}
	}
	if n := len(q.Expired); n > 0 {
		box.Add(wrapLabel(Tf("%d tờ khai đã hết hạn cuối ngày mà chưa quầy nào nhận (7 ngày qua), gần nhất: %s của %s, ngày %s.", n,
			q.Expired[0].Number, q.Expired[0].Applicant.Name, fmtDate(q.Expired[0].PreparedAt))))
	}
	box.Refresh()
}
