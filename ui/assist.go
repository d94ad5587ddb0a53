package ui

import (
	"context"
	"image/color"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
	"motcua/forms"
)

func init() {
	registerScreen(orderAssist, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermAssist) {
			return nil
		}
		return newAssistScreen(u, st)
	})
}

// assistScreen (Hỗ trợ viết) is where an official fills a declaration in for a citizen on
// a "no-writing day": pick the procedure, take the citizen's details from the ID card's QR
// code (a USB scanner types it into whatever field has focus) or by hand, answer the
// declaration's questions (generated from its template), print it for the citizen to check
// and sign, and carry everything into an intake in one step. Whether an official may fill
// in a procedure's forms at all is catalogue data (Procedure.AssistAllowed, AssistNote):
// where it is not allowed the screen says why and offers no form.
type assistScreen struct {
	u         *UI
	store     assistStore // what it reads and records
	decls     domain.Declarations
	canIntake bool // the role has the Tiếp nhận screen; a helper hands the paper over instead

	picker *procedurePicker
	proc   *domain.Procedure
	tpl    *domain.DeclarationTemplate

	banner        *banner
	procName      *widget.Label
	procInfo      *widget.Label
	assistNote    *widget.Label
	blocked       *fyne.Container // why the form is not offered
	blockedNote   *widget.Label
	noForm        *widget.Label
	procCard      *widget.Card
	applicantCard *widget.Card

	*applicantForm           // the applicant: idNumber, name, birth, sex, phone, address
	issued         time.Time // issue date of the card last scanned
	scannedID      string    // its number: the issue date only holds for it

	declCard *widget.Card
	declBox  *fyne.Container
	fields   []*assistField
	auto     map[string]string // value each prefilled field was last given automatically

	formTitle *widget.Label
	formBasis *widget.Label
	progress  *widget.Label
	handNote  *widget.Label
	print     *widget.Button
	transfer  *widget.Button
	// handoffBtn puts the declaration in the unit's hand-off queue (handoff.go).
	handoffBtn   *widget.Button
	printing     bool // a declaration is being printed («In» stays disabled)
	lastHandoff  domain.Handoff
	numberDialog *dialog.CustomDialog
	side         *fyne.Container
	form         *fyne.Container
	scroll       *container.Scroll
	root         fyne.CanvasObject
	order        []fyne.Focusable // Enter moves along these

	lastPrinted string // path of the last declaration printed
}

// assistField is one question of the declaration on screen.
type assistField struct {
	in    domain.DeclarationInput
	entry *widget.Entry       // text-like inputs (also the entry of a select that takes other text)
	combo *widget.SelectEntry // a select that takes other text
	sel   *widget.Select      // a strict select
	focus fyne.Focusable
	words *widget.Label // the date in words, when the form asks for it
	err   *widget.Label
}

func (f *assistField) text() string {
	if f.sel != nil {
		return f.sel.Selected
	}
	return f.entry.Text
}

func (f *assistField) set(v string) {
	if f.sel != nil {
		if v == "" {
			f.sel.ClearSelected()
		} else {
			f.sel.SetSelected(v)
		}
		return
	}
	f.entry.SetText(v)
}

func newAssistScreen(u *UI, st domain.Staff) *assistScreen {
	s := &assistScreen{u: u, store: u.opt.Store, decls: forms.DefaultDeclarations(), canIntake: st.Role.Can(domain.PermIntake), auto: map[string]string{}}
	// Changes to the applicant keep the prefilled declaration fields in step; Enter moves on.
	s.applicantForm = newApplicantForm(func() { s.applyFills(); s.changed() }, func(e *widget.Entry) { s.focusNext(e) }, s.onScan)
	s.banner = newBanner()
	s.picker = newProcedurePicker(s.store.Catalogue(), nil, s.onPick)
	s.watchPicker()

	s.procName = widget.NewLabelWithStyle(T("Chưa chọn thủ tục"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.procName.Wrapping = fyne.TextWrapWord
	s.procInfo = assistText("", widget.MediumImportance)
	s.assistNote = assistText("", widget.SuccessImportance)
	s.assistNote.Hide()
	blockedTitle := widget.NewLabelWithStyle(T("Không được điền hộ tờ khai cho thủ tục này"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	blockedTitle.Importance = widget.DangerImportance
	s.blockedNote = assistText("", widget.DangerImportance)
	advice := T("Vì vậy phần mềm không lập tờ khai hộ cho thủ tục này. Hướng dẫn công dân tự khai và tự ký theo lưu ý trên.")
	if s.canIntake {
		advice += " " + T("Khi hồ sơ đủ, có thể chuyển thông tin người yêu cầu sang Tiếp nhận (không kèm tờ khai).")
	} else {
		advice += " " + T("Khi hồ sơ đủ, mời công dân đến quầy tiếp nhận.")
	}
	// A tinted box, so the refusal cannot be missed at a busy counter.
	tint := canvas.NewRectangle(assistTint(theme.Color(theme.ColorNameError), 0x26))
	tint.CornerRadius = theme.InputRadiusSize()
	s.blocked = container.NewStack(tint, container.NewPadded(container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, blockedTitle),
		s.blockedNote, assistText(advice, widget.MediumImportance))))
	s.blocked.Hide()
	s.noForm = assistText(T("Thủ tục này chưa có mẫu tờ khai trong phần mềm: hướng dẫn công dân theo danh mục giấy tờ của thủ tục."), widget.WarningImportance)
	s.noForm.Hide()
	s.procCard = widget.NewCard(T("1. Thủ tục hành chính"), "", container.NewVBox(s.picker.box, s.procName, s.procInfo,
		s.assistNote, s.blocked, s.noForm))

	scanTip := assistText(T("Quét mã QR trên thẻ căn cước của công dân vào bất kỳ ô nào trên màn hình này: thông tin người yêu cầu được điền tự động."), widget.LowImportance)
	s.applicantCard = widget.NewCard(T("2. Người yêu cầu"), "", container.NewVBox(scanTip,
		container.NewGridWithColumns(2,
			labelled(T("Số định danh cá nhân / CCCD"), s.idNumber, nil),
			labelled(T("Họ và tên"), s.name, nil)),
		container.NewGridWithColumns(3,
			labelled(T("Ngày sinh"), s.birth, nil),
			labelled(T("Giới tính"), s.sex, nil),
			labelled(T("Điện thoại"), s.phone, nil)),
		labelled(T("Địa chỉ (nơi cư trú)"), s.address, nil),
	))

	s.declBox = container.NewVBox()
	s.declCard = widget.NewCard(T("3. Nội dung tờ khai"), T("Các mục có dấu * là bắt buộc. Enter: sang ô tiếp theo."), s.declBox)
	s.declCard.Hide()

	s.formTitle = widget.NewLabelWithStyle("—", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.formTitle.Wrapping = fyne.TextWrapWord
	s.formBasis = assistText("", widget.LowImportance)
	s.formBasis.Hide()
	s.progress = assistText(T("Chọn thủ tục để bắt đầu."), widget.MediumImportance)
	s.print = widget.NewButtonWithIcon(T("In tờ khai"), theme.DocumentPrintIcon(), s.onPrint)
	s.print.Importance = widget.HighImportance
	s.print.Disable()
	s.transfer = widget.NewButtonWithIcon(T("Chuyển sang tiếp nhận"), theme.NavigateNextIcon(), s.onTransfer)
	s.transfer.Disable()
	s.handoffBtn = widget.NewButtonWithIcon(T("Chuyển sang quầy"), theme.MailForwardIcon(), s.onHandoff)
	s.handoffBtn.Disable()
	s.handNote = assistText(T("Tài khoản hỗ trợ viết không tiếp nhận hồ sơ: in tờ khai, mời công dân kiểm tra và ký, rồi «Chuyển sang quầy» và đọc số phiếu cho công dân; cán bộ ở bất kỳ quầy nào cũng nhận được tờ khai này."), widget.MediumImportance)
	again := widget.NewButtonWithIcon(T("Làm lại"), theme.ContentClearIcon(), func() {
		s.u.confirmDiscard(T("Làm lại tờ khai"), s.reset, s)
	})
	actions := []fyne.CanvasObject{s.print, s.handoffBtn}
	if s.canIntake {
		actions = append(actions, s.transfer)
		s.handNote.Hide()
	} else {
		s.transfer.Hide()
		actions = append(actions, s.handNote)
	}
	actions = append(actions, again)
	// The buttons first: below the card they moved as "Còn N mục…" grew or shrank, and a
	// click meant for "In tờ khai" landed on "Chuyển sang tiếp nhận".
	s.side = container.NewVBox(
		container.NewVBox(actions...),
		widget.NewCard(T("Tờ khai"), "", container.NewVBox(s.formTitle, s.formBasis, s.progress)),
	)

	s.form = container.NewVBox(s.banner.box, s.procCard, s.applicantCard, s.declCard)
	s.banner.parent = s.form
	s.scroll = container.NewVScroll(container.NewPadded(s.form))
	split := container.NewHSplit(s.scroll, container.NewPadded(s.side))
	split.Offset = 0.72
	s.root = split
	s.order = []fyne.Focusable{s.idNumber, s.name, s.birth, s.sex, s.phone, s.address}
	return s
}

func (s *assistScreen) title() string              { return T("Hỗ trợ viết") }
func (s *assistScreen) icon() fyne.Resource        { return theme.DocumentIcon() }
func (s *assistScreen) content() fyne.CanvasObject { return s.root }

func (s *assistScreen) shown() {
	u := s.u
	background(u, func(ctx context.Context) (map[string]int, error) {
		return s.store.ProcedureUsage(ctx, u.now().AddDate(0, -3, 0))
	}, func(usage map[string]int, err error) {
		if err == nil {
			s.picker.setCatalogue(s.store.Catalogue(), usage)
			if s.proc == nil {
				s.picker.filter()
			}
		}
	})
	if s.proc == nil {
		u.win.Canvas().Focus(s.picker.entry)
	}
}

// assistTint is c made translucent.
func assistTint(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// assistText is a label that wraps, in the given colour.
func assistText(text string, importance widget.Importance) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = importance
	return l
}

// watch makes a declaration field take a card scan too (the applicant is filled in);
// otherwise Enter runs submit.
func (s *assistScreen) watch(e *widget.Entry, changed, submit func()) {
	watchScans(e, func() time.Time { return s.keyClock() }, changed, submit, s.onScan)
}

// watchPicker lets the procedure search take a scan too: it is where the focus starts.
func (s *assistScreen) watchPicker() {
	pe := s.picker.entry
	w := newScanWatch(pe.Text, func() time.Time { return s.keyClock() })
	changed, submitted := pe.OnChanged, pe.OnSubmitted
	pe.OnChanged = func(text string) {
		w.changed(text)
		changed(text)
	}
	pe.OnSubmitted = func(text string) {
		if !citizen.LooksLikeCardScan(text) {
			submitted(text)
			return
		}
		before, payload := w.split(text)
		if s.proc != nil {
			s.picker.chosen = s.proc.Name
			pe.SetText(s.proc.Name)
			s.picker.showList(false)
		} else {
			pe.SetText(before)
		}
		s.onScan(payload)
	}
}

// onScan fills the applicant from an ID-card QR payload; a malformed one changes nothing.
func (s *assistScreen) onScan(payload string) {
	u := s.u
	u.touch()
	q, err := u.readCard(payload)
	if err != nil {
		s.banner.set(T("Không đọc được mã QR trên thẻ căn cước: ")+errText(err)+" "+T("Hãy quét lại hoặc nhập tay."), widget.DangerImportance)
		return
	}
	s.issued, s.scannedID = q.Issued, q.ID
	s.fillCard(q)
	s.applyFills()
	s.banner.set(Tf("Đã điền thông tin từ thẻ căn cước của %s.", q.Name), widget.SuccessImportance)
	s.focusFirstEmpty()
}

// unit is the centre, for the declarations' addressee.
func (s *assistScreen) unit() forms.Unit {
	cfg := s.store.Config()
	return forms.Unit{Parent: cfg.Parent, Name: cfg.UnitName, Code: cfg.UnitCode, Place: cfg.Place}
}

// applyFills puts the applicant's details into the declaration fields the template fills
// from them, unless the official has typed something else there.
func (s *assistScreen) applyFills() {
	if len(s.fields) == 0 {
		return
	}
	issued := s.issued
	if strings.TrimSpace(s.idNumber.Text) != s.scannedID {
		issued = time.Time{}
	}
	src := forms.FillValues(s.person(), issued, s.unit())
	for _, f := range s.fields {
		fill := f.in.Field.Fill
		if fill == "" {
			continue
		}
		v, cur := src[fill], f.text()
		if cur == "" || cur == s.auto[f.in.Key] {
			if v != cur {
				f.set(v)
			}
			s.auto[f.in.Key] = v
		}
	}
}

func (s *assistScreen) onPick(p domain.Procedure) {
	s.u.touch()
	s.proc = &p
	s.tpl = nil
	s.banner.set("", widget.MediumImportance)
	s.procName.SetText(p.Name)
	info := []string{p.Field + " · " + T("mã") + " " + p.Code}
	if p.PresenceRequired {
		info = append(info, T("Người yêu cầu phải có mặt trực tiếp."))
	}
	s.procInfo.SetText(strings.Join(info, "\n"))
	s.assistNote.Hide()
	s.blocked.Hide()
	s.noForm.Hide()
	s.declCard.Hide()
	s.clearDeclaration()
	switch tpl, ok := s.decls.Get(p.Declaration); {
	case !p.AssistAllowed:
		// The rule is the catalogue's: the screen only shows it.
		s.blockedNote.SetText(p.AssistNote)
		s.blocked.Show()
		s.formTitle.SetText(T("Không lập tờ khai hộ"))
		s.formBasis.SetText("")
	case p.Declaration == "" || !ok:
		s.noForm.Show()
		s.formTitle.SetText(T("Chưa có mẫu tờ khai"))
		s.formBasis.SetText("")
	default:
		if p.AssistNote != "" {
			s.assistNote.SetText(p.AssistNote)
			s.assistNote.Show()
		}
		s.tpl = &tpl
		s.buildDeclaration(tpl)
		s.declCard.Show()
		s.formTitle.SetText(tpl.Title)
		s.formBasis.SetText(tpl.Basis)
	}
	s.formBasis.Hidden = s.formBasis.Text == ""
	s.procCard.Refresh()
	s.form.Refresh() // lay out what was just shown or hidden
	s.changed()
	s.focusFirstEmpty()
}

// clearDeclaration forgets the questions of the previous procedure.
func (s *assistScreen) clearDeclaration() {
	s.fields = nil
	s.auto = map[string]string{}
	s.declBox.RemoveAll()
	s.order = s.order[:6] // the applicant fields stay
}

// buildDeclaration generates the questions of a template: entries, date entries and
// selects, with what the applicant's details and the defaults fill in.
func (s *assistScreen) buildDeclaration(tpl domain.DeclarationTemplate) {
	inputs := tpl.Inputs()
	bySection := map[int][]*assistField{}
	for _, in := range inputs {
		f := s.newField(in)
		s.fields = append(s.fields, f)
		bySection[in.Section] = append(bySection[in.Section], f)
		s.order = append(s.order, f.focus)
	}
	for si, sec := range tpl.Sections {
		fs := bySection[si]
		if len(fs) == 0 {
			continue
		}
		if sec.Title != "" {
			s.declBox.Add(heading(sec.Title))
		}
		cols := 2
		if len(sec.Columns) > 0 {
			cols = len(sec.Columns)
		}
		grid := container.NewGridWithColumns(cols)
		for _, f := range fs {
			grid.Add(s.fieldBox(f))
		}
		s.declBox.Add(grid)
	}
	for _, f := range s.fields {
		if d := f.in.Field.Default; d != "" {
			f.set(d)
		}
	}
	s.applyFills()
	s.declBox.Refresh()
}

func (s *assistScreen) newField(in domain.DeclarationInput) *assistField {
	f := &assistField{in: in, err: errLabel()}
	fd := in.Field
	next := func() {
		s.checkOne(f)
		s.focusNext(f.focus)
	}
	switch {
	case fd.Kind == domain.KindSelect && !fd.Other:
		f.sel = widget.NewSelect(fd.Options, func(string) { s.changed() })
		f.sel.PlaceHolder = T("Chọn")
		f.focus = f.sel
	case fd.Kind == domain.KindSelect:
		f.combo = widget.NewSelectEntry(fd.Options)
		f.combo.SetPlaceHolder(T("Chọn hoặc gõ"))
		f.entry = &f.combo.Entry
		f.focus = f.combo
		s.watch(f.entry, s.changed, next)
	default:
		f.entry = widget.NewEntry()
		f.focus = f.entry
		switch fd.Kind {
		case domain.KindDate:
			f.entry.SetPlaceHolder(T("ngày/tháng/năm"))
		case domain.KindYear:
			f.entry.SetPlaceHolder(T("năm, ví dụ 1990"))
		case domain.KindTime:
			f.entry.SetPlaceHolder(T("giờ:phút, ví dụ 14:30"))
		case domain.KindNumber:
			f.entry.SetPlaceHolder("0")
		}
		changed := s.changed
		if fd.Words != "" {
			f.words = assistText("", widget.MediumImportance)
			f.words.TextStyle.Italic = true
			changed = func() { s.showWords(f); s.changed() }
		}
		s.watch(f.entry, changed, next)
	}
	return f
}

// fieldBox lays out one question: its label (with * when required), the input, the hint,
// the date in words and the error line.
func (s *assistScreen) fieldBox(f *assistField) fyne.CanvasObject {
	label := f.in.Ask
	if f.in.Field.Required {
		label += " *"
	}
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	input := fyne.CanvasObject(f.entry)
	switch {
	case f.sel != nil:
		input = f.sel
	case f.combo != nil:
		input = f.combo
	}
	box := container.NewVBox(l, input)
	if h := f.in.Field.Hint; h != "" {
		box.Add(assistText(h, widget.LowImportance))
	}
	if f.words != nil {
		box.Add(f.words)
	}
	box.Add(f.err)
	return box
}

// showWords writes a date in words under its field, as the paper will.
func (s *assistScreen) showWords(f *assistField) {
	d, err := domain.ParseDate(strings.NewReplacer("-", "/", ".", "/").Replace(strings.TrimSpace(f.entry.Text)))
	if err != nil || f.entry.Text == "" {
		f.words.SetText("")
		return
	}
	f.words.SetText(f.in.Field.Words + ": " + forms.DateWords(d))
}

// values are the answers as typed, by value key.
func (s *assistScreen) values() map[string]string {
	out := map[string]string{}
	for _, f := range s.fields {
		if v := strings.TrimSpace(f.text()); v != "" {
			out[f.in.Key] = v
		}
	}
	return out
}

// check normalises the answers and marks the questions with a problem; complete also
// requires every required answer.
func (s *assistScreen) check(complete bool) (map[string]string, error) {
	labels := map[string]*widget.Label{}
	for _, f := range s.fields {
		labels[f.in.Key] = f.err
	}
	vals, err := s.tpl.Check(s.values(), s.u.now(), complete)
	fieldErrors(err, labels)
	s.form.Refresh()
	return vals, err
}

// checkOne checks one answer as the official leaves it.
func (s *assistScreen) checkOne(f *assistField) {
	if s.tpl == nil {
		return
	}
	_, err := s.tpl.Check(map[string]string{f.in.Key: f.text()}, s.u.now(), false)
	msg := ""
	if err != nil {
		msg = errText(err)
	}
	if (msg == "") != f.err.Hidden {
		setErr(f.err, msg)
		s.form.Refresh()
	}
}

// changed updates the count of answers.
func (s *assistScreen) changed() {
	switch {
	case s.proc == nil:
		s.progress.SetText(T("Chọn thủ tục để bắt đầu."))
		s.print.Disable()
		s.transfer.Disable()
		s.handoffBtn.Disable()
		s.side.Refresh()
		return
	case s.tpl == nil && !s.proc.AssistAllowed:
		s.progress.SetText(T("Cán bộ không điền hộ thủ tục này: xem lưu ý ở mục 1."))
		s.print.Disable()
		s.transfer.Enable()
		s.handoffBtn.Enable()
		s.side.Refresh()
		return
	case s.tpl == nil:
		s.progress.SetText(T("Thủ tục này chưa có mẫu tờ khai để điền."))
		s.print.Disable()
		s.transfer.Enable()
		s.handoffBtn.Enable()
		s.side.Refresh()
		return
	}
	filled := 0
	var missing []string
	for _, f := range s.fields {
		if strings.TrimSpace(f.text()) != "" {
			filled++
		} else if f.in.Field.Required {
			missing = append(missing, f.in.Ask)
		}
	}
	text := Tf("Đã điền %d/%d mục.", filled, len(s.fields))
	if n := len(missing); n > 0 {
		if n > 4 {
			missing = append(missing[:4], "…")
		}
		text += " " + Tf("Còn %d mục bắt buộc (*) chưa điền: %s.", n, strings.Join(missing, "; "))
	} else {
		text += " " + T("Đã đủ các mục bắt buộc.")
	}
	if text != s.progress.Text {
		s.progress.SetText(text)
		s.side.Refresh() // a wrapped label that changes length needs its box laid out again
	}
	if !s.printing {
		s.print.Enable()
	}
	s.transfer.Enable()
	s.handoffBtn.Enable()
}

// focus gives a field the keyboard and scrolls it into view (Fyne does not follow focus).
func (s *assistScreen) focus(f fyne.Focusable) {
	s.u.win.Canvas().Focus(f)
	obj, ok := f.(fyne.CanvasObject)
	if !ok || s.scroll.Content == nil {
		return
	}
	s.scroll.Refresh()
	d := s.u.app.Driver()
	top := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(s.scroll.Content).Y
	view, off := s.scroll.Size().Height, s.scroll.Offset.Y
	if view > 0 && (top < off || top+obj.Size().Height > off+view) {
		s.scroll.ScrollToOffset(fyne.NewPos(0, max(0, top-view/3)))
	}
}

// focusNext moves the keyboard to the field after from.
func (s *assistScreen) focusNext(from fyne.Focusable) {
	for i, f := range s.order {
		if f == from && i+1 < len(s.order) {
			s.focus(s.order[i+1])
			return
		}
	}
	if !s.print.Disabled() {
		s.u.win.Canvas().Focus(s.print)
	}
}

// focusFirstEmpty puts the keyboard on the first required question still empty, or on
// the first applicant field still empty.
func (s *assistScreen) focusFirstEmpty() {
	for _, f := range s.fields {
		if f.in.Field.Required && strings.TrimSpace(f.text()) == "" {
			s.focus(f.focus)
			return
		}
	}
	for _, e := range []*widget.Entry{s.idNumber, s.name, s.phone} {
		if strings.TrimSpace(e.Text) == "" {
			s.focus(e)
			return
		}
	}
}

// onPrint prints the declaration as filled so far for the citizen to check and sign; what
// is still empty prints as dotted lines to write on by hand.
func (s *assistScreen) onPrint() {
	u := s.u
	u.touch()
	if s.tpl == nil || s.print.Disabled() || s.printing {
		return
	}
	vals, err := s.check(false)
	if err != nil {
		s.banner.set(T("Chưa in được tờ khai: hãy sửa các mục được đánh dấu đỏ."), widget.DangerImportance)
		return
	}
	missing := 0
	for _, f := range s.fields {
		if f.in.Field.Required && vals[f.in.Key] == "" {
			missing++
		}
	}
	tpl := *s.tpl
	stamp := u.now().In(domain.VN()).Format("20060102-150405")
	// Drawing the PDF and handing it to the printer (lp) or the viewer take seconds at
	// worst: off the UI goroutine, with «In» disabled until done so a double click prints once.
	s.printing = true
	s.print.Disable()
	background(u, func(ctx context.Context) (string, error) {
		r := u.renderer()
		return u.printPDF(domain.Dossier{ID: stamp}, tpl.ID, func(w io.Writer) error { return r.Declaration(w, tpl, vals) })
	}, func(path string, err error) {
		s.printing = false
		s.changed() // «In» back, as the form allows
		if path != "" {
			s.lastPrinted = path
		}
		if err != nil && path == "" {
			s.banner.set(T("Chưa in được tờ khai: ")+errText(err), widget.DangerImportance)
			return
		}
		if err != nil { // written, but neither printed nor opened: the message says where
			s.banner.set(T("Chưa in được tờ khai: ")+errText(err), widget.WarningImportance)
			return
		}
		// Sent to the printer or opened in the viewer: the message says which.
		msg := Tf("%s: %s Mời công dân kiểm tra lại và ký.", capitalize(strings.ToLower(tpl.Title)), u.deliveredText(path))
		if missing > 0 {
			msg += " " + Tf("Còn %d mục bắt buộc để trống: công dân tự viết vào chỗ chấm.", missing)
		}
		if !s.canIntake {
			msg += " " + T("Đưa tờ khai cho cán bộ tiếp nhận.")
		}
		s.banner.set(msg, widget.SuccessImportance)
	})
}

// onTransfer carries the procedure, the applicant and the filled declaration into the
// intake screen in one step, so nothing is typed twice; the dossier then records that it
// was assisted, with the declaration's values.
func (s *assistScreen) onTransfer() {
	u := s.u
	u.touch()
	if s.proc == nil {
		return
	}
	it, ok := screenOf[*intakeScreen](u)
	if !ok {
		s.banner.set(T("Tài khoản này không tiếp nhận hồ sơ: hãy in tờ khai và đưa cho cán bộ tiếp nhận."), widget.WarningImportance)
		return
	}
	var vals map[string]string
	templateID, summary := "", ""
	if s.tpl != nil {
		var err error
		if vals, err = s.check(true); err != nil {
			s.banner.set(T("Chưa chuyển được sang tiếp nhận: hãy điền đủ và sửa các mục được đánh dấu đỏ."), widget.DangerImportance)
			return
		}
		templateID, summary = s.tpl.ID, s.tpl.SummaryText(vals)
	}
	proc, person := *s.proc, s.person()
	var intakeValues map[string]string
	if s.tpl != nil {
		intakeValues = map[string]string{}
		for _, f := range s.fields {
			if f.in.Field.Intake != "" && vals[f.in.Key] != "" {
				intakeValues[f.in.Field.Intake] = vals[f.in.Key]
			}
		}
	}
	move := func() {
		it.prefill(proc.Code, person, summary, templateID, vals)
		if v := intakeValues[domain.IntakeCopies]; v != "" {
			it.copies.SetText(v)
		}
		if v := intakeValues[domain.IntakePages]; v != "" {
			it.pages.SetText(v)
		}
		it.changed()
		u.showScreen(it)
		s.reset()
		msg := Tf("Đã chuyển %s của %s sang Tiếp nhận.", strings.ToLower(proc.Name), person.Name)
		if templateID != "" {
			msg = Tf("Đã chuyển tờ khai của %s sang Tiếp nhận.", person.Name)
		}
		s.banner.set(msg, widget.SuccessImportance)
	}
	if it.unsaved() { // the one confirmation rule (discard.go): typed data is not replaced silently
		u.confirm(T("Thay hồ sơ đang nhập?"),
			T("Màn hình Tiếp nhận đang có một hồ sơ chưa lưu. Thay bằng thông tin từ tờ khai này?"), T("Thay"), move)
		return
	}
	move()
}

// reset clears the screen for the next citizen.
func (s *assistScreen) reset() {
	s.proc, s.tpl = nil, nil
	s.issued, s.scannedID = time.Time{}, ""
	s.picker.reset()
	s.procName.SetText(T("Chưa chọn thủ tục"))
	s.procInfo.SetText(T("Gõ vào ô tìm thủ tục rồi nhấn Enter để chọn; dùng phím mũi tên để chọn thủ tục khác trong danh sách."))
	s.assistNote.Hide()
	s.blocked.Hide()
	s.noForm.Hide()
	s.declCard.Hide()
	s.clearDeclaration()
	s.clearPerson()
	s.formTitle.SetText("—")
	s.formBasis.SetText("")
	s.formBasis.Hide()
	s.banner.set("", widget.MediumImportance)
	s.scroll.ScrollToTop()
	s.form.Refresh()
	s.changed()
	s.u.win.Canvas().Focus(s.picker.entry)
}
