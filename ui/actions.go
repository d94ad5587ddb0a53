package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/forms"
)

// The actions a clerk records on a dossier from its detail. Each opens a dialog that stays
// open until the store accepts the action: the store's messages go next to the fields they
// are about. Actions that cannot be undone ask for confirmation first. Recording and
// printing run off the UI goroutine; on success the detail and the queue reload.

// actionForm is one action's dialog.
type actionForm struct {
	v       *detailView
	body    *fyne.Container
	width   float32
	title   string
	dlg     *dialog.CustomDialog
	ok      *widget.Button
	cancel  *widget.Button
	message *widget.Label // problems not tied to a field
	errs    map[string]*widget.Label
	entries map[string]*widget.Entry
	checks  map[string]*widget.Check
	radios  map[string]*widget.RadioGroup
	selects map[string]*widget.Select
	items   *supplementRows
	submit  func()
}

func (v *detailView) newForm(title, okText string) *actionForm {
	f := &actionForm{v: v, title: title, message: errLabel(), errs: map[string]*widget.Label{},
		entries: map[string]*widget.Entry{}, checks: map[string]*widget.Check{}, radios: map[string]*widget.RadioGroup{},
		selects: map[string]*widget.Select{}}
	f.ok = widget.NewButtonWithIcon(okText, theme.ConfirmIcon(), func() {
		v.u.touch()
		if f.submit != nil && !f.ok.Disabled() {
			f.submit()
		}
	})
	f.ok.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon(T("Hủy"), theme.CancelIcon(), func() { f.close() })
	return f
}

// entry adds a labelled field; Enter in a single-line field submits.
func (f *actionForm) entry(name, label, placeholder, value string, multiline bool) fyne.CanvasObject {
	var e *widget.Entry
	if multiline {
		e = widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
	} else {
		e = widget.NewEntry()
		e.OnSubmitted = func(string) { f.ok.OnTapped() }
	}
	e.SetPlaceHolder(placeholder)
	e.SetText(value)
	f.entries[name] = e
	f.errs[name] = errLabel()
	return labelled(label, e, f.errs[name])
}

// text is a field's trimmed text.
func (f *actionForm) text(name string) string { return strings.TrimSpace(f.entries[name].Text) }

// show opens the dialog with the form's content above its message line.
func (f *actionForm) show(width float32, content ...fyne.CanvasObject) {
	f.body = container.NewVBox(append(content, f.message)...)
	f.width = width
	f.dlg = dialog.NewCustomWithoutButtons(f.title, container.NewVScroll(f.body), f.v.u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.ok})
	f.v.form = f
	f.dlg.SetOnClosed(func() {
		if f.v.form == f {
			f.v.form = nil
		}
		if f.v.refreshOnClose { // a pull changed the dossier meanwhile
			f.v.refreshOnClose = false
			f.v.reload()
		}
	})
	f.relayout()
	f.dlg.Show()
	f.relayout() // again, now that wrapped text knows its width
	for _, name := range []string{"reason", "agency", "result", "date", "name"} {
		if e := f.entries[name]; e != nil {
			f.v.u.win.Canvas().Focus(e)
			break
		}
	}
}

// relayout sizes the dialog to its content (within the window) after something appeared.
func (f *actionForm) relayout() {
	if f.dlg == nil {
		return
	}
	f.body.Refresh()
	// title, buttons and the dialog's paddings come on top of the content
	h := f.body.MinSize().Height + 2*f.ok.MinSize().Height + 12*theme.Padding() + 40
	if canvasH := f.v.u.win.Canvas().Size().Height; canvasH > 0 && h > canvasH-40 {
		h = canvasH - 40
	}
	f.dlg.Resize(fyne.NewSize(f.width, h))
}

func (f *actionForm) close() {
	if f.dlg != nil {
		f.dlg.Hide()
	}
}

// fail shows a problem found before asking the store.
func (f *actionForm) fail(field, msg string) {
	fieldErrors(nil, f.errs)
	setErr(f.message, "")
	if l := f.errs[field]; l != nil {
		setErr(l, msg)
	} else {
		setErr(f.message, msg)
	}
	f.refresh()
}

func (f *actionForm) refresh() { f.relayout() }

// actionResult is what a recorded action left: the dossier as it is now, and its printout.
type actionResult struct {
	d        domain.Dossier
	printed  string
	printErr error
}

// run records the action (after a confirmation when confirm is set), prints, and reports.
func (f *actionForm) run(confirm string, record func(ctx context.Context, actor domain.Staff) (domain.Dossier, error),
	print func(d domain.Dossier, actor domain.Staff) (string, error), success func(d domain.Dossier) string) {
	v, u := f.v, f.v.u
	start := func() {
		f.ok.Disable()
		actor := u.actor()
		background(u, func(ctx context.Context) (actionResult, error) {
			d, err := record(ctx, actor)
			if err != nil {
				return actionResult{}, err
			}
			res := actionResult{d: d}
			if print != nil {
				res.printed, res.printErr = print(d, actor)
			}
			return res, nil
		}, func(res actionResult, err error) {
			f.ok.Enable()
			if err != nil {
				u.log.Info("action refused", "action", f.title, "err", err)
				setErr(f.message, fieldErrors(err, f.errs))
				f.refresh()
				return
			}
			f.close()
			u.status.refresh() // one more waiting to sync
			msg, imp := success(res.d), widget.SuccessImportance
			// What became of the printout: sent to the printer, opened in the viewer, or
			// only saved (the message gives the path; a dialog offers «Mở thư mục»).
			if res.printed != "" && res.printErr == nil {
				msg += "\n" + u.deliveredText(res.printed)
			}
			if res.printErr != nil {
				msg += "\n" + T("Chưa in được: ") + errText(res.printErr) + " " + T("Có thể in lại ở mục «In giấy tờ».")
				imp = widget.WarningImportance
			}
			v.banner.set(msg, imp)
			v.reload()
			v.s.changed()
		})
	}
	fieldErrors(nil, f.errs)
	setErr(f.message, "")
	if confirm == "" {
		start()
		return
	}
	u.confirm(f.title, confirm, T("Đồng ý"), start)
}

// startAction opens the dialog of an action from the detail.
func (v *detailView) startAction(t domain.EventType) {
	v.u.touch()
	if !v.loaded {
		return
	}
	switch t {
	case domain.EvAccepted:
		v.accept()
	case domain.EvSupplementRequested:
		v.requestSupplement()
	case domain.EvSupplementReceived:
		v.receiveSupplement()
	case domain.EvRefused:
		v.refuse()
	case domain.EvWithdrawn:
		v.withdraw()
	case domain.EvForwarded:
		v.forward()
	case domain.EvResultReady:
		v.resultReady()
	case domain.EvRescheduled:
		v.reschedule()
	case domain.EvHandedOver:
		v.handOver()
	case domain.EvStopped:
		v.stop()
	}
}

// recordFunc records an action on a dossier for actor.
type recordFunc = func(ctx context.Context, actor domain.Staff) (domain.Dossier, error)

// record binds one of the store's typed use cases (Actions) to the dossier shown and
// what the form took: f.run("", record(v, v.acts().Refuse, reason), …).
func record[P any](v *detailView, do func(ctx context.Context, actor domain.Staff, id string, p P) (domain.Dossier, error), p P) recordFunc {
	id := v.d.ID
	return func(ctx context.Context, actor domain.Staff) (domain.Dossier, error) { return do(ctx, actor, id, p) }
}

// acts are the typed use cases the detail's actions record through.
func (v *detailView) acts() Actions { return v.s.store }

// dossierLine names the dossier at the top of a dialog.
func (v *detailView) dossierLine() fyne.CanvasObject {
	l := wrapLabel(Tf("Hồ sơ %s — %s — %s", v.d.Code, v.d.Applicant.Name, v.d.Procedure.Name))
	l.TextStyle.Bold = true
	return l
}

// accept receives at the counter a dossier registered online, once its papers have been
// checked, and prints its receipt (Mẫu 01): from now on its time is counted.
func (v *detailView) accept() {
	u := v.u
	d := v.d
	f := v.newForm(T("Tiếp nhận hồ sơ đăng ký trực tuyến"), T("Tiếp nhận và in Mẫu 01"))
	due := wrapLabel("")
	if t, err := v.s.store.AcceptDue(d, u.now()); err != nil {
		due.SetText(errText(err))
		due.Importance = widget.DangerImportance
		f.ok.Disable()
	} else {
		due.SetText(Tf("Hẹn trả kết quả nếu tiếp nhận ngay bây giờ: %s.", dueText(t)))
		due.TextStyle.Bold = true
	}
	registered := wrapLabel(Tf("Công dân đăng ký trực tuyến lúc %s; thời hạn giải quyết tính từ khi tiếp nhận.", fmtDateTime(d.RegisteredAt)))
	f.checks["checked"] = widget.NewCheck(T("Đã kiểm tra thành phần hồ sơ nộp trực tuyến: đầy đủ, hợp lệ"), nil)
	f.submit = func() {
		if !f.checks["checked"].Checked {
			setErr(f.message, T("Hãy kiểm tra thành phần hồ sơ trước khi tiếp nhận. Nếu còn thiếu, dùng «Yêu cầu bổ sung hồ sơ»; nếu không đủ điều kiện, dùng «Từ chối hồ sơ»."))
			f.refresh()
			return
		}
		f.run("", func(ctx context.Context, actor domain.Staff) (domain.Dossier, error) {
			return v.acts().Accept(ctx, actor, d.ID)
		},
			func(d domain.Dossier, _ domain.Staff) (string, error) { return u.reprintReceipt(d) },
			func(d domain.Dossier) string {
				return Tf("Đã tiếp nhận hồ sơ %s, hẹn trả kết quả %s.", d.Code, dueText(d.DueAt))
			})
	}
	f.show(640, v.dossierLine(), registered, due, f.checks["checked"])
}

// requestSupplement asks for the missing papers, all in one go, and prints Mẫu 02.
func (v *detailView) requestSupplement() {
	u := v.u
	me := u.actor()
	f := v.newForm(T("Yêu cầu bổ sung, hoàn thiện hồ sơ"), T("Ghi nhận và in Mẫu 02"))
	var suggestions []string
	if p, ok := v.s.store.Catalogue().Lookup(v.d.Procedure.Code); ok {
		for _, doc := range p.Documents {
			suggestions = append(suggestions, doc.Name)
		}
	}
	f.items = newSupplementRows(suggestions, f.relayout)
	f.errs["items"] = errLabel()
	phone := me.Phone
	if phone == "" {
		phone = v.s.store.Config().Phone
	}
	hint := wrapLabel(T("Phải yêu cầu đầy đủ các giấy tờ cần bổ sung trong một lần."))
	hint.Importance = widget.WarningImportance
	f.submit = func() {
		items := f.items.values()
		p := domain.SupplementRequestedPayload{Items: items, Reason: f.text("reason"), GuideName: f.text("guide_name"), GuidePhone: f.text("guide_phone")}
		f.run("", record(v, v.acts().RequestSupplement, p), func(d domain.Dossier, actor domain.Staff) (string, error) {
			return u.printSupplement(d, actor)
		}, func(d domain.Dossier) string {
			return Tf("Đã yêu cầu bổ sung hồ sơ %s; thời hạn giải quyết tạm dừng đến khi công dân nộp đủ giấy tờ. Đã lập Phiếu yêu cầu bổ sung (Mẫu 02).", d.Code)
		})
	}
	f.show(760, v.dossierLine(), hint,
		labelled(T("Giấy tờ cần bổ sung"), f.items.box, f.errs["items"]),
		f.entry("reason", T("Lý do"), T("Ví dụ: Thiếu bản sao giấy tờ chứng minh nơi cư trú"), "", true),
		container.NewGridWithColumns(2,
			f.entry("guide_name", T("Cán bộ hướng dẫn"), "", me.FullName, false),
			f.entry("guide_phone", T("Điện thoại liên hệ"), "", phone, false)),
	)
	if len(f.items.rows) > 0 {
		u.win.Canvas().Focus(f.items.rows[0].name)
	}
}

// supplementRows is the editable list of papers to add: name, form, count.
type supplementRows struct {
	changed     func() // a row came or went: the dialog grows or shrinks
	box         *fyne.Container
	list        *fyne.Container
	rows        []*supplementRow
	suggestions []string
}

type supplementRow struct {
	name  *widget.SelectEntry
	form  *widget.Select
	count *widget.Entry
	box   fyne.CanvasObject
}

var documentForms = []domain.DocumentForm{domain.FormOriginal, domain.FormCertified, domain.FormPhoto}

func newSupplementRows(suggestions []string, changed func()) *supplementRows {
	r := &supplementRows{list: container.NewVBox(), suggestions: suggestions}
	add := widget.NewButtonWithIcon(T("Thêm giấy tờ"), theme.ContentAddIcon(), func() { r.add() })
	add.Importance = widget.LowImportance
	r.box = container.NewVBox(r.list, container.NewHBox(add))
	r.add()
	r.changed = changed
	return r
}

func (r *supplementRows) add() *supplementRow {
	row := &supplementRow{name: widget.NewSelectEntry(r.suggestions), count: widget.NewEntry()}
	row.name.SetPlaceHolder(T("Tên giấy tờ (gõ hoặc chọn)"))
	var forms []string
	for _, f := range documentForms {
		forms = append(forms, formName(f))
	}
	row.form = widget.NewSelect(forms, nil)
	row.form.SetSelectedIndex(0)
	row.count.SetText("1")
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	remove.Importance = widget.LowImportance
	right := container.NewHBox(container.NewGridWrap(fyne.NewSize(170, row.form.MinSize().Height), row.form),
		container.NewGridWrap(fyne.NewSize(60, row.count.MinSize().Height), row.count), remove)
	row.box = container.NewBorder(nil, nil, nil, right, row.name)
	remove.OnTapped = func() {
		if len(r.rows) == 1 {
			row.name.SetText("")
			return
		}
		for i, x := range r.rows {
			if x == row {
				r.rows = append(r.rows[:i], r.rows[i+1:]...)
			}
		}
		r.list.Remove(row.box)
		if r.changed != nil {
			r.changed()
		}
	}
	r.rows = append(r.rows, row)
	r.list.Add(row.box)
	if r.changed != nil {
		r.changed()
	}
	return row
}

// values are the rows filled in (the store drops blank names).
func (r *supplementRows) values() []domain.SupplementItem {
	var out []domain.SupplementItem
	for _, row := range r.rows {
		it := domain.SupplementItem{Name: row.name.Text, Count: atoiOr(row.count.Text, 1)}
		if i := row.form.SelectedIndex(); i >= 0 && i < len(documentForms) {
			it.Form = documentForms[i]
		}
		out = append(out, it)
	}
	return out
}

// receiveSupplement records the papers' arrival; the due date moves by the pause.
func (v *detailView) receiveSupplement() {
	u := v.u
	d := v.d
	f := v.newForm(T("Nhận hồ sơ bổ sung"), T("Ghi nhận đã nhận bổ sung"))
	var lines []fyne.CanvasObject
	lines = append(lines, v.dossierLine())
	if n := len(d.Supplements); n > 0 {
		last := d.Supplements[n-1]
		var names []string
		for _, it := range last.Items {
			names = append(names, it.Name)
		}
		lines = append(lines, wrapLabel(Tf("Giấy tờ đã yêu cầu ngày %s: %s.", fmtDate(last.RequestedAt), strings.Join(names, "; "))))
		if !d.DueAt.IsZero() {
			now := u.now()
			preview := d.ResumedDue(v.s.store.Calendar(), now)
			l := wrapLabel(Tf("Hẹn trả hiện tại: %s. Nếu ghi nhận bây giờ, hẹn trả mới: %s (cộng thêm thời gian tạm dừng).", dueText(d.DueAt), dueText(preview)))
			l.TextStyle.Bold = true
			lines = append(lines, l)
		}
	}
	lines = append(lines, f.entry("note", T("Ghi chú"), T("Ví dụ: Đã nộp đủ bản sao giấy tờ"), "", false))
	f.submit = func() {
		f.run("", record(v, v.acts().ReceiveSupplement, f.text("note")), nil,
			func(d domain.Dossier) string {
				return Tf("Đã nhận hồ sơ bổ sung. Hẹn trả kết quả mới: %s.", dueText(d.DueAt))
			})
	}
	f.show(640, lines...)
	u.win.Canvas().Focus(f.entries["note"])
}

// refuse refuses the dossier with a reason and prints Mẫu 03.
func (v *detailView) refuse() {
	u := v.u
	f := v.newForm(T("Từ chối tiếp nhận, giải quyết hồ sơ"), T("Từ chối và in Mẫu 03"))
	f.submit = func() {
		reason := f.text("reason")
		if reason == "" {
			f.fail("reason", T("Vui lòng ghi rõ lý do."))
			return
		}
		f.run(Tf("Từ chối hồ sơ %s?\nViệc từ chối không thể hoàn tác. Phiếu từ chối (Mẫu 03) sẽ được in để giao công dân.", v.d.Code),
			record(v, v.acts().Refuse, reason),
			func(d domain.Dossier, actor domain.Staff) (string, error) { return u.printRefusal(d, actor) },
			func(d domain.Dossier) string {
				return Tf("Đã từ chối hồ sơ %s. Đã lập Phiếu từ chối (Mẫu 03).", d.Code)
			})
	}
	f.show(640, v.dossierLine(),
		f.entry("reason", T("Lý do từ chối (ghi cụ thể, in trên phiếu)"), T("Ví dụ: Hồ sơ không thuộc thẩm quyền giải quyết của xã"), "", true))
}

// withdraw records the citizen's request to withdraw the dossier.
func (v *detailView) withdraw() {
	f := v.newForm(T("Công dân rút hồ sơ"), T("Ghi nhận rút hồ sơ"))
	f.submit = func() {
		reason := f.text("reason")
		if reason == "" {
			f.fail("reason", T("Vui lòng ghi rõ lý do."))
			return
		}
		f.run(Tf("Ghi nhận công dân rút hồ sơ %s?\nViệc này không thể hoàn tác; hồ sơ sẽ dừng giải quyết.", v.d.Code),
			record(v, v.acts().Withdraw, reason), nil,
			func(d domain.Dossier) string { return Tf("Đã ghi nhận công dân rút hồ sơ %s.", d.Code) })
	}
	f.show(640, v.dossierLine(),
		f.entry("reason", T("Lý do"), T("Ví dụ: Công dân có đơn xin rút hồ sơ"), "", true))
}

// forward sends the dossier to the unit that decides it.
func (v *detailView) forward() {
	f := v.newForm(T("Chuyển cơ quan giải quyết"), T("Ghi nhận chuyển hồ sơ"))
	f.submit = func() {
		id, p := v.d.ID, domain.StepPayload{Agency: f.text("agency"), Content: f.text("note")}
		f.run("", func(ctx context.Context, actor domain.Staff) (domain.Dossier, error) {
			return v.acts().Forward(ctx, actor, id, p.Agency, p.Content)
		}, nil, func(d domain.Dossier) string {
			return Tf("Đã chuyển hồ sơ %s đến %s. Có thể in Phiếu kiểm soát (%s) để gửi kèm.", d.Code, p.Agency, formNumber(forms.FormControl, d.ReceivedAt))
		})
	}
	f.show(640, v.dossierLine(),
		f.entry("agency", T("Cơ quan, bộ phận giải quyết"), T("Ví dụ: Công chức Tư pháp - Hộ tịch"), "", false),
		f.entry("note", T("Nội dung chuyển (không bắt buộc)"), "", "", false))
}

// resultReady records that the result is at the counter.
func (v *detailView) resultReady() {
	d := v.d
	f := v.newForm(T("Ghi nhận đã có kết quả"), T("Ghi nhận có kết quả"))
	agency := d.ResultFrom
	for _, st := range d.Steps {
		if st.Kind == domain.EvForwarded && st.Agency != "" {
			agency = st.Agency
		}
	}
	f.checks["electronic"] = widget.NewCheck(T("Có kết quả điện tử (bản điện tử gửi công dân)"), nil)
	f.submit = func() {
		p := domain.ResultReadyPayload{Result: f.text("result"), Agency: f.text("agency"), Electronic: f.checks["electronic"].Checked}
		f.run("", record(v, v.acts().ResultReady, p), nil, func(d domain.Dossier) string {
			return Tf("Hồ sơ %s đã có kết quả, chờ trả cho công dân.", d.Code)
		})
	}
	f.show(640, v.dossierLine(),
		f.entry("result", T("Kết quả giải quyết"), "", d.Procedure.ResultType, false),
		f.entry("agency", T("Cơ quan trả kết quả (không bắt buộc)"), "", agency, false),
		f.checks["electronic"])
}

// reschedule sets a new due date with an apology, and prints Mẫu 04.
func (v *detailView) reschedule() {
	u := v.u
	d := v.d
	cal := v.s.store.Calendar()
	f := v.newForm(T("Hẹn lại ngày trả kết quả và xin lỗi"), T("Ghi nhận và in Mẫu 04"))
	// Suggest the next working day after the current due date, at the end of the afternoon.
	end := cal.Hours().AfternoonEnd
	day := d.DueAt
	if day.IsZero() {
		day = u.now()
	}
	next := cal.NextWorkingDay(day)
	date := f.entry("date", T("Ngày hẹn mới (ngày/tháng/năm)"), T("dd/mm/yyyy"), next.Format("02/01/2006"), false)
	f.errs["new_due_at"] = f.errs["date"]
	clock := f.entry("time", T("Giờ hẹn"), "17:00", fmt.Sprintf("%02d:%02d", end/60, end%60), false)
	weekdayHint := widget.NewLabel("")
	updateHint := func() {
		weekdayHint.Importance = widget.MediumImportance
		if t, err := parseDueInput(f.text("date"), f.text("time")); err == nil {
			text := Tf("%s, %s", weekday(t.Weekday()), t.Format("02/01/2006"))
			if !cal.IsWorkingDay(t) {
				text += " — " + T("ngày nghỉ")
				weekdayHint.Importance = widget.WarningImportance
			}
			weekdayHint.SetText(text)
		} else {
			weekdayHint.SetText("")
		}
	}
	f.entries["date"].OnChanged = func(string) { updateHint() }
	f.entries["time"].OnChanged = func(string) { updateHint() }
	updateHint()
	limit := v.s.store.Config().RescheduleLimit
	f.submit = func() {
		due, err := parseDueInput(f.text("date"), f.text("time"))
		if err != nil {
			f.fail("date", err.Error())
			return
		}
		head := f.text("head")
		if head == "" {
			f.fail("head", T("Vui lòng ghi họ tên thủ trưởng đơn vị ký phiếu xin lỗi."))
			return
		}
		confirm := Tf("Hẹn lại ngày trả kết quả hồ sơ %s sang %s?", d.Code, dueText(due))
		if limit > 0 {
			confirm += "\n" + Tf("Mỗi hồ sơ chỉ được hẹn lại %d lần.", limit)
		}
		f.run(confirm, record(v, v.acts().Postpone, domain.RescheduledPayload{Reason: f.text("reason"), Agency: f.text("agency"), NewDueAt: due}),
			func(d domain.Dossier, _ domain.Staff) (string, error) { return u.printApology(d, head) },
			func(d domain.Dossier) string {
				v.headName = head
				return Tf("Đã hẹn lại ngày trả kết quả hồ sơ %s: %s. Đã lập Phiếu xin lỗi (Mẫu 04).", d.Code, dueText(d.DueAt))
			})
	}
	f.show(640, v.dossierLine(),
		wrapLabel(Tf("Hẹn trả hiện tại: %s.", dueText(d.DueAt))),
		f.entry("agency", T("Cơ quan để chậm trễ (đứng tên văn bản xin lỗi)"), T("Ví dụ: Công chức Tư pháp - Hộ tịch"), delayAgency(d, v.s.store.Config().UnitName), false),
		f.entry("reason", T("Lý do chậm trả kết quả"), T("Ví dụ: Cần xác minh thêm thông tin"), "", true),
		container.NewGridWithColumns(2, date, clock),
		weekdayHint,
		f.entry("head", T("Thủ trưởng đơn vị ký phiếu"), T("Họ và tên"), v.headName, false))
}

// delayAgency is the agency holding the dossier, which caused the delay and issues the
// letter of apology (Mẫu 04 of 2025): the last agency it was forwarded to, else the centre.
func delayAgency(d domain.Dossier, centre string) string {
	agency := centre
	for _, st := range d.Steps {
		if st.Kind == domain.EvForwarded && st.Agency != "" {
			agency = st.Agency
		}
	}
	return agency
}

// parseDueInput reads "dd/mm/yyyy" and "hh:mm" as a Vietnam time.
func parseDueInput(date, clock string) (time.Time, error) {
	d, err := time.ParseInLocation("2/1/2006", strings.ReplaceAll(strings.TrimSpace(date), "-", "/"), domain.VN())
	if err != nil {
		return time.Time{}, fmt.Errorf("%s", T("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/03/2026."))
	}
	clock = strings.TrimSpace(strings.ReplaceAll(strings.ToLower(clock), "h", ":"))
	if clock == "" {
		clock = "17:00"
	}
	if strings.HasSuffix(clock, ":") {
		clock += "00"
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s", T("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút, ví dụ 16:30."))
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, domain.VN()), nil
}

// reprintApology asks who signs, then prints Mẫu 04 again.
func (v *detailView) reprintApology() {
	f := v.newForm(T("In lại văn bản xin lỗi (Mẫu 04)"), T("In"))
	f.submit = func() {
		head := f.text("head")
		if head == "" {
			f.fail("head", T("Vui lòng ghi họ tên thủ trưởng đơn vị ký phiếu xin lỗi."))
			return
		}
		v.headName = head
		f.close()
		v.print(func(d domain.Dossier) (string, error) { return v.u.printApology(d, head) })
	}
	f.show(520, f.entry("head", T("Thủ trưởng đơn vị ký phiếu"), T("Họ và tên"), v.headName, false))
}

// stop records that processing stops (status 8) with the reason, and prints the notice
// (Mẫu 05 of Circular 03/2025/TT-VPCP) for the citizen.
func (v *detailView) stop() {
	u := v.u
	f := v.newForm(T("Dừng giải quyết hồ sơ"), T("Dừng giải quyết và in Mẫu 05"))
	f.submit = func() {
		reason, head := f.text("reason"), f.text("head")
		if reason == "" {
			f.fail("reason", T("Vui lòng ghi rõ lý do."))
			return
		}
		if head == "" {
			f.fail("head", T("Vui lòng ghi họ tên thủ trưởng đơn vị ký thông báo."))
			return
		}
		f.run(Tf("Dừng giải quyết hồ sơ %s?\nViệc này không thể hoàn tác. Thông báo dừng giải quyết hồ sơ (Mẫu 05) sẽ được in để gửi công dân.", v.d.Code),
			record(v, v.acts().Stop, reason),
			func(d domain.Dossier, _ domain.Staff) (string, error) { return u.printStopNotice(d, head) },
			func(d domain.Dossier) string {
				v.headName = head
				return Tf("Đã dừng giải quyết hồ sơ %s. Đã lập Thông báo dừng giải quyết hồ sơ (Mẫu 05).", d.Code)
			})
	}
	f.show(640, v.dossierLine(),
		f.entry("reason", T("Lý do dừng giải quyết (in trên thông báo)"), T("Ví dụ: Người yêu cầu đã được cấp kết quả tại nơi khác"), "", true),
		f.entry("head", T("Thủ trưởng đơn vị ký thông báo"), T("Họ và tên"), v.headName, false))
}

// printStopNotice prints the stop notice again, signed by the head named in the dialog.
func (v *detailView) printStopNotice() {
	f := v.newForm(T("In thông báo dừng giải quyết hồ sơ"), T("In"))
	f.submit = func() {
		head := f.text("head")
		if head == "" {
			f.fail("head", T("Vui lòng ghi họ tên thủ trưởng đơn vị ký thông báo."))
			return
		}
		v.headName = head
		f.close()
		v.print(func(d domain.Dossier) (string, error) { return v.u.printStopNotice(d, head) })
	}
	f.show(520, f.entry("head", T("Thủ trưởng đơn vị ký thông báo"), T("Họ và tên"), v.headName, false))
}

// handOver continues on the hand-over screen with this dossier.
func (v *detailView) handOver() {
	if hs, ok := screenOf[*handOverScreen](v.u); ok {
		v.u.showScreen(hs)
		hs.show(v.d)
		return
	}
	v.banner.set(T("Tài khoản của bạn không có quyền trả kết quả."), widget.DangerImportance)
}

// correct lets a supervisor correct the applicant's data or the summary, with a reason.
func (v *detailView) correct() {
	d := v.d
	a := d.Applicant
	f := v.newForm(T("Đính chính hồ sơ"), T("Ghi nhận đính chính"))
	birth := ""
	if t, err := domain.ParseDate(a.Birth); err == nil && a.Birth != "" {
		birth = t.Format("02/01/2006")
	}
	f.selects["sex"] = widget.NewSelect([]string{"Nam", "Nữ"}, nil)
	f.selects["sex"].PlaceHolder = T("Chọn")
	if a.Sex != "" {
		f.selects["sex"].SetSelected(a.Sex)
	}
	f.errs[domain.FieldApplicantSex] = errLabel()
	fields := map[string]string{"name": domain.FieldApplicantName, "id": domain.FieldApplicantID, "birth": domain.FieldApplicantBirth,
		"phone": domain.FieldApplicantPhone, "email": domain.FieldApplicantEmail, "address": domain.FieldApplicantAddress}
	name := f.entry("name", T("Họ và tên người nộp"), "", a.Name, false)
	id := f.entry("id", T("Số định danh cá nhân / CCCD"), "", a.IDNumber, false)
	birthE := f.entry("birth", T("Ngày sinh"), T("ngày/tháng/năm"), birth, false)
	phone := f.entry("phone", T("Điện thoại"), "", a.Phone, false)
	email := f.entry("email", T("Thư điện tử"), "", a.Email, false)
	address := f.entry("address", T("Địa chỉ"), "", a.Address, false)
	summary := f.entry("summary", T("Nội dung yêu cầu"), "", d.Summary, true)
	reason := f.entry("reason", T("Lý do đính chính"), T("Ví dụ: Nhập sai số điện thoại khi tiếp nhận"), "", false)
	// The store names applicant fields by their domain names: show its messages there.
	for short, full := range fields {
		f.errs[full] = f.errs[short]
	}
	f.submit = func() {
		p := domain.CorrectedPayload{Reason: f.text("reason")}
		person := domain.Person{Name: f.text("name"), IDNumber: f.text("id"), Birth: f.text("birth"), Sex: f.selects["sex"].Selected,
			Phone: f.text("phone"), Email: f.text("email"), Address: f.text("address")}
		if person.Name != a.Name || person.IDNumber != a.IDNumber || person.Birth != birth || person.Sex != a.Sex ||
			person.Phone != a.Phone || person.Email != a.Email || person.Address != a.Address {
			p.Applicant = &person
		}
		if s := f.text("summary"); s != strings.TrimSpace(d.Summary) {
			p.Summary = &s
		}
		if p.Applicant == nil && p.Summary == nil {
			f.fail("", T("Chưa có thông tin nào thay đổi."))
			return
		}
		f.run("", record(v, v.acts().Correct, p), nil, func(d domain.Dossier) string {
			return Tf("Đã đính chính thông tin hồ sơ %s.", d.Code)
		})
	}
	f.show(760, v.dossierLine(),
		container.NewGridWithColumns(2, name, id),
		container.NewGridWithColumns(3, birthE, labelled(T("Giới tính"), f.selects["sex"], f.errs[domain.FieldApplicantSex]), phone),
		container.NewGridWithColumns(2, address, email),
		summary, reason)
	v.u.win.Canvas().Focus(f.entries["name"])
}

// resolveConflict records a supervisor's decision on one conflicting event.
func (v *detailView) resolveConflict(c domain.Conflict) {
	d := v.d
	f := v.newForm(T("Quyết định xử lý xung đột"), T("Ghi nhận quyết định"))
	keep := Tf("Giữ nguyên trạng thái hiện tại (%s)", statusText(d.Status))
	set := T("Đặt trạng thái khác")
	f.radios["decision"] = widget.NewRadioGroup([]string{keep, set}, nil)
	f.radios["decision"].Required = true
	f.radios["decision"].SetSelected(keep)
	var names []string
	for _, st := range domain.AllStatuses() {
		names = append(names, statusText(st))
	}
	f.selects["status"] = widget.NewSelect(names, nil)
	f.selects["status"].PlaceHolder = T("Chọn trạng thái")
	if c.Type == domain.EvHandedOver {
		f.selects["status"].SetSelected(statusText(domain.StatusReturned))
	}
	f.selects["status"].Disable()
	f.radios["decision"].OnChanged = func(s string) {
		if s == set {
			f.selects["status"].Enable()
		} else {
			f.selects["status"].Disable()
		}
	}
	f.errs["note"] = errLabel()
	what := wrapLabel(Tf("%s — %s, %s (%s)", eventTitle(c.Type), fmtDateTime(c.At), v.staffName(c.Actor), deviceText(v.u, c.Device, false)))
	what.TextStyle.Bold = true
	msg := wrapLabel(c.Msg)
	msg.Importance = widget.DangerImportance
	f.submit = func() {
		p := domain.ConflictResolvedPayload{EventIDs: []string{c.EventID}, Decision: "keep", Note: f.text("note")}
		confirm := Tf("Giữ nguyên trạng thái «%s» của hồ sơ %s?", statusText(d.Status), d.Code)
		if f.radios["decision"].Selected == set {
			i := f.selects["status"].SelectedIndex()
			if i < 0 {
				f.fail("", T("Vui lòng chọn trạng thái cần đặt."))
				return
			}
			p.Decision, p.SetStatus = "set_status", domain.AllStatuses()[i]
			confirm = Tf("Đặt hồ sơ %s về trạng thái «%s»?", d.Code, statusText(p.SetStatus))
		}
		if p.Note == "" {
			f.fail("note", T("Vui lòng ghi nội dung quyết định xử lý xung đột."))
			return
		}
		f.run(confirm+"\n"+T("Quyết định được ghi vào lịch sử hồ sơ và không thể hoàn tác."),
			record(v, v.acts().ResolveConflict, p), nil, func(d domain.Dossier) string {
				return Tf("Đã xử lý xung đột của hồ sơ %s. Trạng thái: %s.", d.Code, statusText(d.Status))
			})
	}
	f.show(640, v.dossierLine(), what, msg,
		f.radios["decision"], f.selects["status"],
		f.entry("note", T("Nội dung quyết định"), T("Ví dụ: Công dân đã nhận kết quả trước khi có thông báo từ chối"), "", true))
	v.u.win.Canvas().Focus(f.entries["note"])
}
