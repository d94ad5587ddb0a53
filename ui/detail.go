package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
	"motcua/query"
)

// detailView shows one dossier in the queue's tab: every field, the documents, the
// supplements, reschedules, processing steps and hand-over, the timeline of its events, and
// the actions its status and the signed-in role allow.
type detailView struct {
	s *queueScreen
	u *UI

	root     *fyne.Container
	back     *widget.Button
	code     *widget.Label
	status   *widget.Label
	due      *widget.Label
	banner   *banner
	info     *fyne.Container // left column: the dossier's data
	actions  *fyne.Container // right column: what can be done, and printing
	timeline *fyne.Container
	infoBox  *container.Scroll
	sideBox  *container.Scroll

	id      string
	gen     int
	loaded  bool
	d       domain.Dossier
	entries []query.TimelineEntry
	names   map[string]string // username → full name

	// For tests and keyboard users: the buttons on screen by what they do.
	actionButtons   map[domain.EventType]*widget.Button
	printButtons    map[string]*widget.Button
	printing        bool // a form is being printed: the print buttons wait
	correctButton   *widget.Button
	conflictButtons []*widget.Button

	attachButtons map[string]*widget.Button // per component code (resultTarget: the e-result)
	dropChoice    *widget.Select            // the component chooser after files were dropped
	dropDialog    dialog.Dialog

	form     *actionForm // the action dialog open, if any
	headName string      // head of unit who signs Mẫu 04, remembered for the session

	refreshOnClose bool // a pull changed the dossier while an action form was open
}

// detailData is what one load of the detail reads.
type detailData struct {
	d       domain.Dossier
	entries []query.TimelineEntry
	names   map[string]string
}

func newDetailView(s *queueScreen) *detailView {
	v := &detailView{s: s, u: s.u}
	v.back = widget.NewButtonWithIcon(T("← Danh sách"), nil, s.showList)
	v.code = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.code.SizeName = theme.SizeNameSubHeadingText
	v.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.due = widget.NewLabel("")
	v.banner = newBanner()
	v.info = container.NewVBox()
	v.actions = container.NewVBox()
	v.timeline = container.NewVBox()
	v.infoBox = container.NewVScroll(container.NewPadded(v.info))
	v.sideBox = container.NewVScroll(container.NewPadded(container.NewVBox(v.actions, v.timeline)))
	split := container.NewHSplit(v.infoBox, v.sideBox)
	split.Offset = 0.6
	top := container.NewVBox(
		container.NewHBox(v.back, widget.NewSeparator(), v.code, v.status, v.due),
		v.banner.box,
	)
	v.root = container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
	v.banner.parent = v.root
	v.attachButtons = map[string]*widget.Button{}
	s.u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { v.onDropped(uris) })
	return v
}

func (v *detailView) showing() bool { return v.id != "" }

// open starts showing a dossier.
func (v *detailView) open(id string) {
	v.id = id
	v.loaded = false
	v.code.SetText(T("Đang tải hồ sơ…"))
	v.status.SetText("")
	v.due.SetText("")
	v.banner.set("", widget.MediumImportance)
	v.info.RemoveAll()
	v.actions.RemoveAll()
	v.timeline.RemoveAll()
	v.infoBox.ScrollToTop()
	v.sideBox.ScrollToTop()
	v.reload()
}

// close stops showing the dossier (a load still running is ignored).
func (v *detailView) close() {
	v.id = ""
	v.gen++
	if v.form != nil {
		v.form.dlg.Hide()
		v.form = nil
	}
}

// reload reads the dossier, its timeline and the staff names off the UI goroutine.
func (v *detailView) reload() {
	if v.id == "" {
		return
	}
	v.gen++
	gen, id, u := v.gen, v.id, v.u
	background(u, func(ctx context.Context) (detailData, error) {
		d, err := v.s.store.Get(ctx, id)
		if err != nil {
			return detailData{}, err
		}
		tl, err := v.s.store.Timeline(ctx, id)
		if err != nil {
			return detailData{}, err
		}
		names := map[string]string{}
		if staff, err := v.s.store.ListStaff(ctx); err == nil {
			for _, st := range staff {
				names[st.Username] = st.FullName
			}
		}
		return detailData{d: d, entries: tl, names: names}, nil
	}, func(data detailData, err error) {
		if gen != v.gen {
			return
		}
		if err != nil {
			v.code.SetText(T("Không mở được hồ sơ"))
			v.banner.set(errText(err), widget.DangerImportance)
			return
		}
		v.d, v.entries, v.names, v.loaded = data.d, data.entries, data.names, true
		v.render()
	})
}

// staffName is a username's full name, or the username.
func (v *detailView) staffName(username string) string {
	if n := v.names[username]; n != "" {
		return n
	}
	return username
}

// render lays out the loaded dossier.
func (v *detailView) render() {
	d := v.d
	v.code.SetText(Tf("Hồ sơ %s", d.Code))
	v.status.SetText(statusText(d.Status))
	v.status.Importance = statusImportance(d.Status)
	if v.overdue() {
		v.status.SetText(statusText(d.Status) + " · " + T("Quá hạn"))
		v.status.Importance = widget.DangerImportance
	}
	v.status.Refresh()
	v.due.SetText("")
	if d.Status.Open() && !d.DueAt.IsZero() {
		v.due.SetText(Tf("Hẹn trả: %s", dueText(d.DueAt)))
	}

	v.info.RemoveAll()
	v.attachButtons = map[string]*widget.Button{}
	for _, card := range v.infoCards() {
		v.info.Add(card)
	}
	v.actions.RemoveAll()
	v.actions.Add(v.actionsCard())
	v.timeline.RemoveAll()
	v.timeline.Add(v.timelineCard())
	v.root.Refresh()
}

func (v *detailView) overdue() bool {
	d := v.d
	return d.Overdue(v.u.now())
}

// infoCards are the dossier's data, section by section; empty sections are left out.
func (v *detailView) infoCards() []fyne.CanvasObject {
	d := v.d
	var cards []fyne.CanvasObject

	proc := d.Procedure.Name
	if d.Procedure.Code != "" {
		proc += " (" + T("mã") + " " + d.Procedure.Code + ")"
	}
	a := d.Applicant
	applicant := a.Name
	var ident []string
	if a.IDNumber != "" {
		ident = append(ident, T("Số định danh")+" "+a.IDNumber)
	}
	if a.Birth != "" {
		if t, err := domain.ParseDate(a.Birth); err == nil {
			ident = append(ident, T("sinh ngày")+" "+t.Format("02/01/2006"))
		}
	}
	if a.Sex != "" {
		ident = append(ident, a.Sex)
	}
	owner := ""
	if d.Owner != nil && d.Owner.Name != "" {
		owner = d.Owner.Name
		if d.Owner.IDNumber != "" {
			owner += " · " + T("Số định danh") + " " + d.Owner.IDNumber
		}
		if d.Owner.Address != "" {
			owner += " · " + d.Owner.Address
		}
	}
	fee := T("Không thu phí, lệ phí")
	if d.Fee > 0 {
		fee = domain.FormatVND(d.Fee)
		if d.FeePaid > 0 {
			fee += " · " + Tf("đã nộp %s", domain.FormatVND(d.FeePaid))
		}
	}
	sets := ""
	if d.Sets > 0 {
		sets = fmt.Sprint(d.Sets)
	}
	if d.Copies > 0 {
		sets += " · " + Tf("%d bản sao", d.Copies)
	}
	if d.Pages > 0 {
		sets += " · " + Tf("%d trang", d.Pages)
	}
	yesNo := func(b bool) string {
		if b {
			return T("Có")
		}
		return T("Không")
	}
	assisted := ""
	if d.Assisted {
		assisted = T("Có (Ngày không viết)")
	}
	cards = append(cards, widget.NewCard(T("Thông tin hồ sơ"), "", detailGrid(
		[2]string{T("Thủ tục"), proc},
		[2]string{T("Lĩnh vực"), d.Procedure.Field},
		[2]string{T("Thời hạn giải quyết"), timeText(d.Procedure.Time)},
		[2]string{T("Người nộp"), applicant},
		[2]string{"", strings.Join(ident, " · ")},
		[2]string{T("Điện thoại"), a.Phone},
		[2]string{T("Thư điện tử"), a.Email},
		[2]string{T("Địa chỉ"), a.Address},
		[2]string{T("Chủ hồ sơ"), owner},
		[2]string{T("Hình thức nộp"), channelText(d.Channel)},
		[2]string{T("Nội dung yêu cầu"), d.Summary},
		[2]string{T("Số bộ hồ sơ"), sets},
		[2]string{T("Phí, lệ phí"), fee},
		[2]string{T("Cán bộ điền hộ"), assisted},
		[2]string{T("Kết quả điện tử"), yesNo(d.EResult)},
		[2]string{T("Nơi trả kết quả"), d.ReturnPlace},
	)))

	received := fmtDateTime(d.ReceivedAt)
	if d.ReceivedBy != "" {
		received += " · " + v.staffName(d.ReceivedBy)
	}
	due := ""
	if !d.DueAt.IsZero() {
		due = dueText(d.DueAt)
		if v.overdue() {
			due += " · " + T("QUÁ HẠN")
		}
		if d.Paused() {
			due += " · " + T("đang tạm dừng chờ bổ sung")
		}
	}
	original := ""
	if !d.OriginalDueAt.IsZero() && !d.OriginalDueAt.Equal(d.DueAt) {
		original = dueText(d.OriginalDueAt)
	}
	closed := ""
	if !d.ClosedAt.IsZero() {
		closed = fmtDateTime(d.ClosedAt)
		if d.CloseReason != "" {
			closed += " · " + d.CloseReason
		}
	}
	result := fmtDateTime(d.ResultAt)
	if result != "" && d.ResultFrom != "" {
		result += " · " + d.ResultFrom
	}
	cards = append(cards, widget.NewCard(T("Thời gian"), "", detailGrid(
		[2]string{T("Đăng ký trực tuyến"), fmtDateTime(d.RegisteredAt)},
		[2]string{T("Ngày nhận"), received},
		[2]string{T("Hẹn trả"), due},
		[2]string{T("Hẹn trả ban đầu"), original},
		[2]string{T("Chuyển cơ quan giải quyết"), fmtDateTime(d.ForwardedAt)},
		[2]string{T("Có kết quả"), result},
		[2]string{T("Đã trả kết quả"), fmtDateTime(d.ReturnedAt)},
		[2]string{T("Kết thúc"), closed},
	)))

	if len(d.Documents) > 0 || d.EResult {
		cards = append(cards, v.digitizeCard())
	}

	if len(d.Supplements) > 0 {
		box := container.NewVBox()
		for i, r := range d.Supplements {
			var items []string
			for _, it := range r.Items {
				items = append(items, fmt.Sprintf("%s (%s × %d)", it.Name, formName(it.Form), max(it.Count, 1)))
			}
			guide := r.GuideName
			if r.GuidePhone != "" {
				guide += " · " + r.GuidePhone
			}
			received := T("Chưa nộp bổ sung")
			if !r.ReceivedAt.IsZero() {
				received = fmtDateTime(r.ReceivedAt)
				if !r.DueAfter.IsZero() {
					received += " · " + Tf("hẹn trả mới %s", fmtDateTime(r.DueAfter))
				}
			}
			box.Add(heading(Tf("Lần %d — %s", i+1, fmtDateTime(r.RequestedAt))))
			box.Add(detailGrid(
				[2]string{T("Giấy tờ cần bổ sung"), strings.Join(items, "; ")},
				[2]string{T("Lý do"), r.Reason},
				[2]string{T("Người hướng dẫn"), guide},
				[2]string{T("Hẹn trả trước đó"), fmtDateTime(r.DueBefore)},
				[2]string{T("Công dân nộp bổ sung"), received},
			))
		}
		cards = append(cards, widget.NewCard(T("Các lần yêu cầu bổ sung"), "", box))
	}

	if len(d.Reschedules) > 0 {
		box := container.NewVBox()
		for _, r := range d.Reschedules {
			box.Add(detailGrid(
				[2]string{T("Số phiếu"), r.Number},
				[2]string{T("Ngày lập"), fmtDateTime(r.At) + " · " + v.staffName(r.By)},
				[2]string{T("Hẹn cũ → hẹn mới"), fmtDateTime(r.OldDueAt) + " → " + fmtDateTime(r.NewDueAt)},
				[2]string{T("Lý do"), r.Reason},
			))
		}
		cards = append(cards, widget.NewCard(T("Các lần hẹn lại ngày trả"), "", box))
	}

	if len(d.Steps) > 0 {
		box := container.NewVBox()
		for _, st := range d.Steps {
			text := fmtDateTime(st.At) + " — " + eventTitle(st.Kind)
			var more []string
			for _, x := range []string{st.Agency, st.Content, st.Handler} {
				if x != "" {
					more = append(more, x)
				}
			}
			if len(more) > 0 {
				text += ": " + strings.Join(more, " · ")
			}
			if st.By != "" {
				text += " (" + v.staffName(st.By) + ")"
			}
			box.Add(wrapLabel(text))
		}
		cards = append(cards, widget.NewCard(T("Quá trình xử lý"), "", box))
	}

	if h := d.HandOver; h != nil {
		rec := h.Recipient.Name
		if h.Recipient.IDNumber != "" {
			rec += " · " + T("Số định danh") + " " + h.Recipient.IDNumber
		}
		role := T("Người nộp hồ sơ (chủ hồ sơ)")
		if h.Authorized {
			role = T("Người được ủy quyền") + ": " + h.Authority
		}
		cards = append(cards, widget.NewCard(T("Trả kết quả (sổ trả kết quả)"), "", detailGrid(
			[2]string{T("Thời gian"), fmtDateTime(h.At)},
			[2]string{T("Người nhận"), rec},
			[2]string{T("Tư cách nhận"), role},
			[2]string{T("Hình thức"), handOverMethodText(h.Method)},
			[2]string{T("Kết quả trả"), h.Documents},
			[2]string{T("Cán bộ trả"), v.staffName(h.By)},
		)))
	}

	if len(d.Conflicts) > 0 {
		cards = append(cards, v.conflictsCard())
	}
	return cards
}

// conflictsCard lists events kept but not applied; a supervisor resolves each.
func (v *detailView) conflictsCard() fyne.CanvasObject {
	d := v.d
	box := container.NewVBox()
	v.conflictButtons = nil
	canResolve := v.u.actor().Role.Can(domain.EventPermission(domain.EvConflictResolved))
	for _, c := range d.Conflicts {
		title := wrapLabel(Tf("%s — %s, %s (%s)", eventTitle(c.Type), fmtDateTime(c.At), v.staffName(c.Actor), deviceText(v.u, c.Device, false)))
		title.TextStyle.Bold = true
		msg := wrapLabel(c.Msg)
		if c.Resolved {
			msg.Importance = widget.LowImportance
			box.Add(title)
			box.Add(msg)
			box.Add(wrapLabel(Tf("Đã xử lý bởi %s: %s", v.staffName(c.ResolvedBy), c.Resolution)))
		} else {
			msg.Importance = widget.DangerImportance
			box.Add(title)
			box.Add(msg)
			if canResolve {
				c := c
				b := widget.NewButtonWithIcon(T("Xử lý xung đột này"), theme.WarningIcon(), func() { v.resolveConflict(c) })
				b.Importance = widget.WarningImportance
				v.conflictButtons = append(v.conflictButtons, b)
				box.Add(container.NewHBox(b))
			} else {
				box.Add(wrapLabel(T("Cần cán bộ giám sát xử lý xung đột này.")))
			}
		}
		box.Add(widget.NewSeparator())
	}
	card := widget.NewCard(T("Xung đột khi đồng bộ"), T("Sự kiện được giữ lại nhưng chưa áp dụng vì trái với trạng thái hồ sơ"), box)
	return card
}

// actionsCard offers what the status and the role allow, and the printouts.
func (v *detailView) actionsCard() fyne.CanvasObject {
	d := v.d
	st := v.u.actor()
	box := container.NewVBox()
	v.actionButtons = map[domain.EventType]*widget.Button{}
	for _, t := range domain.Actions(d.Status) {
		if !st.Role.Can(domain.EventPermission(t)) {
			continue
		}
		t := t
		b := widget.NewButtonWithIcon(actionLabel(t), actionIcon(t), func() { v.startAction(t) })
		b.Alignment = widget.ButtonAlignLeading
		if t == nextStep(d.Status) {
			b.Importance = widget.HighImportance
		}
		v.actionButtons[t] = b
		box.Add(b)
	}
	if st.Role.Can(domain.EventPermission(domain.EvStopped)) && domain.Allowed(domain.EvStopped, d.Status) {
		b := widget.NewButtonWithIcon(T("Dừng giải quyết hồ sơ (Mẫu 05)"), theme.MediaStopIcon(), func() { v.startAction(domain.EvStopped) })
		b.Alignment = widget.ButtonAlignLeading
		v.actionButtons[domain.EvStopped] = b
		box.Add(b)
	}
	v.correctButton = nil
	if st.Role.Can(domain.EventPermission(domain.EvCorrected)) {
		v.correctButton = widget.NewButtonWithIcon(T("Đính chính hồ sơ"), theme.DocumentCreateIcon(), v.correct)
		v.correctButton.Alignment = widget.ButtonAlignLeading
		box.Add(v.correctButton)
	}
	if len(box.Objects) == 0 {
		box.Add(wrapLabel(Tf("Không có thao tác nào cho hồ sơ ở trạng thái «%s».", statusText(d.Status))))
	}

	prints := container.NewVBox()
	v.printButtons = map[string]*widget.Button{}
	add := func(key, label string, f func()) {
		b := widget.NewButtonWithIcon(label, theme.DocumentPrintIcon(), f)
		b.Alignment = widget.ButtonAlignLeading
		v.printButtons[key] = b
		if key == "stop" || key == "mau04" { // these ask who signs first
			prints.Add(b)
			return
		}
		view := widget.NewButtonWithIcon(T("Xem"), theme.SearchIcon(), func() { v.view(key) })
		v.printButtons[key+"/view"] = view
		prints.Add(container.NewBorder(nil, nil, nil, view, b))
	}
	add("mau01", T("In lại giấy tiếp nhận (Mẫu 01)"), func() {
		v.print(func(d domain.Dossier) (string, error) { return v.u.reprintReceipt(d) })
	})
	add("control", Tf("In phiếu kiểm soát (%s)", formNumber(forms.FormControl, d.ReceivedAt)), func() {
		v.print(func(d domain.Dossier) (string, error) { return v.u.printControlSlip(d) })
	})
	if (d.Status == domain.StatusStopped || d.Status == domain.StatusWithdrawn) && d.CloseReason != "" {
		add("stop", Tf("In thông báo dừng giải quyết hồ sơ (%s)", formNumber(forms.FormStop, d.ClosedAt)), v.printStopNotice)
	}
	if len(d.Supplements) > 0 {
		add("mau02", T("In lại phiếu yêu cầu bổ sung (Mẫu 02)"), func() {
			guide := v.u.actor()
			v.print(func(d domain.Dossier) (string, error) { return v.u.printSupplement(d, guide) })
		})
	}
	if d.Status == domain.StatusRefused {
		add("mau03", T("In lại phiếu từ chối (Mẫu 03)"), func() {
			clerk := v.u.actor()
			v.print(func(d domain.Dossier) (string, error) { return v.u.printRefusal(d, clerk) })
		})
	}
	if len(d.Reschedules) > 0 {
		add("mau04", T("In lại văn bản xin lỗi (Mẫu 04)"), v.reprintApology)
	}
	if _, ok := declarationForm(v.entries); ok {
		add("declaration", T("In lại tờ khai (cán bộ điền hộ)"), func() {
			v.print(func(d domain.Dossier) (string, error) { return v.u.printDeclaration(d) })
		})
	}
	if d.HandOver != nil {
		add("return", T("In lại phiếu trả kết quả"), func() {
			v.print(func(d domain.Dossier) (string, error) { return v.u.printReturnSlip(d) })
		})
	}
	return container.NewVBox(
		widget.NewCard(T("Thao tác"), "", box),
		widget.NewCard(T("In giấy tờ"), "", prints),
	)
}

// print renders a form in the background and opens it.
// The print buttons are disabled until the printer took it (or the viewer opened it), so a
// double click prints once.
func (v *detailView) print(render func(d domain.Dossier) (string, error)) {
	v.u.touch()
	if v.printing {
		return
	}
	d := v.d
	buttons := v.printButtons
	v.printing = true
	for _, b := range buttons {
		b.Disable()
	}
	background(v.u, func(context.Context) (string, error) { return render(d) }, func(path string, err error) {
		v.printing = false
		for _, b := range buttons {
			b.Enable()
		}
		if err != nil {
			v.banner.set(T("Chưa in được: ")+errText(err), widget.DangerImportance)
			return
		}
		v.banner.set(v.u.deliveredText(path), widget.SuccessImportance)
	})
}

// view writes one of the print card's forms and opens it in the PDF viewer without printing.
func (v *detailView) view(key string) {
	v.u.touch()
	d := v.d
	background(v.u, func(context.Context) (string, error) { return v.u.viewForm(key, d) }, func(path string, err error) {
		var np *notPrintedError
		switch {
		case errors.As(err, &np):
			v.u.showNotPrinted(np)
		case err != nil:
			v.banner.set(T("Chưa mở được bản in: ")+errText(err), widget.DangerImportance)
		default:
			v.banner.set(T("Đã mở bản in trong trình xem PDF."), widget.SuccessImportance)
		}
	})
}

// detailGrid lays out label/value pairs in two columns; empty values are left out.
func detailGrid(rows ...[2]string) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, r := range rows {
		if strings.TrimSpace(r[1]) == "" {
			continue
		}
		k := widget.NewLabelWithStyle(r[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		objs = append(objs, k, wrapLabel(r[1]))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// wrapLabel is a label whose long text wraps instead of widening the window.
func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// capitalize upper-cases the first letter ("trả kết quả" → "Trả kết quả").
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func channelText(c domain.Channel) string {
	switch c {
	case domain.ChannelDirect:
		return T("Trực tiếp")
	case domain.ChannelOnline:
		return T("Trực tuyến")
	case domain.ChannelPost:
		return T("Qua bưu chính")
	}
	return ""
}

func handOverMethodText(m string) string {
	switch m {
	case domain.HandOverCounter:
		return T("Tại quầy")
	case domain.HandOverPost:
		return T("Qua bưu chính")
	case domain.HandOverElectronic:
		return T("Trả điện tử")
	}
	return m
}
