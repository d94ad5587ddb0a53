package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
)

func init() {
	registerScreen(orderIntake, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermIntake) {
			return nil
		}
		return newIntakeScreen(u)
	})
}

// intakeScreen (Tiếp nhận) receives a dossier: procedure, applicant, documents; shows the fee
// and the due date live; saves and prints the receipt (Mẫu 01), then resets for the next
// citizen. Enter in any field saves; an ID-card QR scanned into any applicant field fills
// the applicant instead.
type intakeScreen struct {
	u      *UI
	store  intakeStore // what it reads and records
	picker *procedurePicker
	proc   *domain.Procedure

	procCard      *widget.Card
	procName      *widget.Label
	applicantCard *widget.Card
	form          *fyne.Container
	procInfo      *widget.Label
	assistMsg     *widget.Label
	docsBox       *fyne.Container
	docChecks     []*paperCheck
	copies        *widget.Entry
	pages         *widget.Entry
	copyRow       *fyne.Container

	*applicantForm // the applicant
	onBehalf       *widget.Check

	ownerName, ownerID, ownerAddress *widget.Entry
	ownerBox                         *fyne.Container
	channel                          *widget.RadioGroup
	summary                          *widget.Entry
	sets                             *widget.Entry
	assisted                         *widget.Check

	scroll       *container.Scroll // the form: back to the top after a save, where the banner is
	ackedHolder  string            // the clerk chose to save despite the same ID number on file (holderAck)
	failed       *domain.Intake    // what the last refused save held: its fields' messages go once changed
	failedMsgs   map[string]string // the messages that save gave, by field
	side         *fyne.Container   // fee and due date: laid out again as their texts change
	fee, feeNote *widget.Label
	due, dueNote *widget.Label
	banner       *banner
	save         *widget.Button
	errs         map[string]*widget.Label
	root         fyne.CanvasObject

	// form data carried in from assisted filling
	formTemplate string
	formValues   map[string]string
	lastReceipt  string // path of the last receipt printed

	handoff   *handoffPanel // «Hồ sơ chuẩn bị sẵn»: the hand-off queue (handoff.go)
	handoffID string        // the entry the form was filled from, if any
	filled    string        // the form as that entry filled it (fingerprint), to tell a change since
}

var channelOptions = []string{"Trực tiếp", "Qua bưu chính", "Trực tuyến (đã đăng ký)"}

func newIntakeScreen(u *UI) *intakeScreen {
	s := &intakeScreen{u: u, store: u.opt.Store, errs: map[string]*widget.Label{}}
	for _, f := range []string{domain.FieldProcedure, domain.FieldApplicantID, domain.FieldApplicantName, domain.FieldApplicantBirth,
		domain.FieldApplicantSex, domain.FieldApplicantPhone, domain.FieldApplicantEmail, domain.FieldApplicantAddress,
		domain.FieldOwnerName, domain.FieldOwnerID, domain.FieldOwnerAddress, domain.FieldSummary, domain.FieldDocuments,
		domain.FieldSets, domain.FieldCopies, domain.FieldPages} {
		s.errs[f] = errLabel()
	}
	s.picker = newProcedurePicker(s.store.Catalogue(), nil, s.onPick)
	s.procInfo = widget.NewLabel("")
	s.procInfo.Wrapping = fyne.TextWrapWord
	s.assistMsg = widget.NewLabel("")
	s.assistMsg.Wrapping = fyne.TextWrapWord
	s.assistMsg.Importance = widget.WarningImportance
	s.assistMsg.Hide()
	s.docsBox = container.NewVBox()
	s.copies = s.entry("1")
	s.pages = s.entry("1")
	s.copyRow = container.NewGridWithColumns(2,
		labelled(T("Số bản sao"), s.copies, s.errs[domain.FieldCopies]),
		labelled(T("Số trang của bản chính"), s.pages, s.errs[domain.FieldPages]))
	s.copyRow.Hide()
	s.procName = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.procName.Wrapping = fyne.TextWrapWord
	s.procCard = widget.NewCard("", "", container.NewVBox(s.procName, s.procInfo, s.assistMsg,
		heading(T("Giấy tờ công dân nộp")), s.docsBox, s.errs[domain.FieldDocuments], s.copyRow))

	s.applicantForm = newApplicantForm(s.changed, func(*widget.Entry) { s.onSave() }, s.onScan)
	s.onBehalf = widget.NewCheck(T("Nộp thay cho người khác (chủ hồ sơ khác người nộp)"), func(on bool) {
		if on {
			s.ownerBox.Show()
		} else {
			s.ownerBox.Hide()
		}
		s.applicantCard.Refresh()
	})
	s.ownerName = s.scanEntry(T("Họ và tên chủ hồ sơ"))
	s.ownerID = s.scanEntry(T("Số định danh của chủ hồ sơ"))
	s.ownerAddress = s.scanEntry("")
	s.ownerBox = container.NewGridWithColumns(3,
		labelled(T("Chủ hồ sơ"), s.ownerName, s.errs[domain.FieldOwnerName]),
		labelled(T("Số định danh chủ hồ sơ"), s.ownerID, s.errs[domain.FieldOwnerID]),
		labelled(T("Địa chỉ chủ hồ sơ"), s.ownerAddress, s.errs[domain.FieldOwnerAddress]))
	s.ownerBox.Hide()
	opts := make([]string, len(channelOptions))
	for i, o := range channelOptions {
		opts[i] = T(o)
	}
	s.channel = widget.NewRadioGroup(opts, func(string) { s.changed() })
	s.channel.Horizontal = true
	s.channel.Required = true
	s.channel.SetSelected(opts[0])
	s.summary = widget.NewMultiLineEntry()
	s.summary.SetPlaceHolder(T("Nội dung yêu cầu giải quyết (để trống: dùng tên thủ tục)"))
	s.summary.SetMinRowsVisible(2)
	s.summary.Wrapping = fyne.TextWrapWord
	s.sets = s.entry("1")
	s.assisted = widget.NewCheck(T("Cán bộ điền hộ (Ngày không viết)"), nil)

	s.fee = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.feeNote = widget.NewLabel("")
	s.feeNote.Wrapping = fyne.TextWrapWord
	s.due = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.dueNote = widget.NewLabel("")
	s.dueNote.Wrapping = fyne.TextWrapWord
	s.banner = newBanner()
	s.save = widget.NewButtonWithIcon(T("Lưu và in giấy tiếp nhận"), theme.DocumentPrintIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	clear := widget.NewButtonWithIcon(T("Làm lại (Ctrl+N)"), theme.ContentClearIcon(), s.onNew)

	applicant := container.NewVBox(
		container.NewGridWithColumns(2,
			labelled(T("Số định danh cá nhân / CCCD"), s.idNumber, s.errs[domain.FieldApplicantID]),
			labelled(T("Họ và tên người nộp"), s.name, s.errs[domain.FieldApplicantName])),
		container.NewGridWithColumns(3,
			labelled(T("Ngày sinh"), s.birth, s.errs[domain.FieldApplicantBirth]),
			labelled(T("Giới tính"), s.sex, s.errs[domain.FieldApplicantSex]),
			labelled(T("Điện thoại"), s.phone, s.errs[domain.FieldApplicantPhone])),
		container.NewGridWithColumns(2,
			labelled(T("Địa chỉ"), s.address, s.errs[domain.FieldApplicantAddress]),
			labelled(T("Thư điện tử"), s.email, s.errs[domain.FieldApplicantEmail])),
		s.onBehalf, s.ownerBox,
	)
	request := container.NewVBox(
		labelled(T("Hình thức nộp"), s.channel, nil),
		labelled(T("Nội dung yêu cầu"), s.summary, s.errs[domain.FieldSummary]),
		container.NewGridWithColumns(3, labelled(T("Số bộ hồ sơ"), s.sets, s.errs[domain.FieldSets]), s.assisted),
	)
	s.applicantCard = widget.NewCard(T("2. Người nộp hồ sơ"), "", applicant)
	s.form = container.NewVBox(
		s.banner.box,
		widget.NewCard(T("1. Thủ tục hành chính"), "", container.NewVBox(s.picker.box, s.errs[domain.FieldProcedure])),
		s.procCard,
		s.applicantCard,
		widget.NewCard(T("3. Yêu cầu"), "", request),
	)
	s.handoff = newHandoffPanel(s)
	s.handoff.catchScans(&s.picker.entry.Entry)
	side := container.NewVBox(
		widget.NewCard(T("Phí, lệ phí"), "", container.NewVBox(s.fee, s.feeNote)),
		widget.NewCard(T("Hẹn trả kết quả"), "", container.NewVBox(s.due, s.dueNote)),
		s.save, clear,
		s.handoff.box,
	)
	s.banner.parent = s.form
	s.side = side
	s.scroll = container.NewVScroll(container.NewPadded(s.form))
	split := container.NewHSplit(s.scroll, container.NewVScroll(container.NewPadded(side)))
	split.Offset = 0.72
	s.root = split
	s.changed()
	return s
}

func (s *intakeScreen) title() string              { return T("Tiếp nhận") }
func (s *intakeScreen) icon() fyne.Resource        { return theme.DocumentCreateIcon() }
func (s *intakeScreen) content() fyne.CanvasObject { return s.root }
func (s *intakeScreen) menuItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{s.u.shortcutItem(T("Tiếp nhận hồ sơ mới"), fyne.KeyN, theme.ContentAddIcon(), func() {
		s.u.showScreen(s)
		s.onNew()
	})}
}

func (s *intakeScreen) shown() {
	u := s.u
	background(u, func(ctx context.Context) (map[string]int, error) {
		return s.store.ProcedureUsage(ctx, u.now().AddDate(0, -3, 0))
	}, func(usage map[string]int, err error) {
		if err == nil {
			s.picker.setCatalogue(s.store.Catalogue(), usage)
			s.picker.filter()
		}
	})
	if s.proc == nil {
		u.win.Canvas().Focus(s.picker.entry)
	}
	s.changed()
	s.handoff.load()
}

// entry is a single-line field where Enter saves.
func (s *intakeScreen) entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { s.changed() }
	e.OnSubmitted = func(string) { s.onSave() }
	return e
}

// onScan fills the applicant from an ID-card QR payload; a malformed one changes nothing.
func (s *intakeScreen) onScan(payload string) {
	u := s.u
	q, err := u.readCard(payload)
	if err != nil {
		s.banner.set(T("Không đọc được mã QR trên thẻ căn cước: ")+errText(err)+" "+T("Hãy quét lại hoặc nhập tay."), widget.DangerImportance)
		return
	}
	s.fillApplicant(q)
	s.banner.set(Tf("Đã điền thông tin từ thẻ căn cước của %s.", q.Name), widget.SuccessImportance)
	u.win.Canvas().Focus(s.phone)
}

// fillApplicant puts a scanned card's data into the applicant fields (or the owner's, when
// filing on someone's behalf and the applicant is already filled).
func (s *intakeScreen) fillApplicant(q citizen.CardQR) {
	if s.onBehalf.Checked && s.idNumber.Text != "" && s.idNumber.Text != q.ID {
		s.ownerName.SetText(q.Name)
		s.ownerID.SetText(q.ID)
		s.ownerAddress.SetText(q.Address)
		return
	}
	s.fillCard(q)
}

func (s *intakeScreen) onPick(p domain.Procedure) {
	s.proc = &p
	s.u.touch()
	s.procName.SetText(p.Name)
	info := []string{p.Field + " · " + T("mã") + " " + p.Code, T("Thời hạn giải quyết: ") + timeText(p.Time)}
	if p.Time.Note != "" {
		info = append(info, p.Time.Note)
	}
	if p.PresenceRequired {
		info = append(info, T("Người yêu cầu phải có mặt trực tiếp."))
	}
	info = append(info, T("Kết quả: ")+p.ResultType)
	s.procInfo.SetText(strings.Join(info, "\n"))
	if !p.AssistAllowed {
		s.assistMsg.SetText(T("Không điền hộ: ") + p.AssistNote)
		s.assistMsg.Show()
		s.assisted.SetChecked(false)
		s.assisted.Disable()
	} else {
		s.assistMsg.Hide()
		s.assisted.Enable()
	}
	s.docChecks = nil
	s.docsBox.RemoveAll()
	for _, d := range p.Documents {
		label := fmt.Sprintf("%s — %s × %d", d.Name, formName(d.Form), d.Count)
		if d.Optional {
			label += " " + T("(nếu có)")
		}
		// The check's own label cannot wrap; long document names go in a wrapping label.
		c := newPaperCheck(func(bool) { s.changed() })
		c.other = s.scanFromPaper
		if n := len(s.docChecks); n > 0 {
			prev := s.docChecks[n-1]
			prev.next = func() { s.u.win.Canvas().Focus(c) }
		}
		c.next = func() { s.u.win.Canvas().Focus(s.idNumber) }
		l := newToggleLabel(label, c)
		s.docChecks = append(s.docChecks, c)
		s.docsBox.Add(container.NewBorder(nil, nil, c, nil, l))
	}
	if p.Fee.NeedsCopies() {
		s.copyRow.Show()
		if p.Fee.NeedsPages() {
			s.pages.Enable()
		} else {
			s.pages.Disable()
		}
	} else {
		s.copyRow.Hide()
	}
	s.procCard.Refresh() // lay out what was just shown
	setErr(s.errs[domain.FieldProcedure], "")
	s.changed()
	// Enter on the procedure goes on to its papers, in the form's order (then the applicant).
	if len(s.docChecks) > 0 {
		s.u.win.Canvas().Focus(s.docChecks[0])
	} else {
		s.u.win.Canvas().Focus(s.idNumber)
	}
}

// scanFromPaper takes a character typed while a paper's box has the focus — an ID card
// scanned there — into the ID number field, where the rest of the scan follows.
func (s *intakeScreen) scanFromPaper(r rune) {
	s.u.win.Canvas().Focus(s.idNumber)
	s.idNumber.TypedRune(r)
}

// formName is how a document's form is printed.
func formName(f domain.DocumentForm) string {
	switch f {
	case domain.FormOriginal:
		return T("bản chính")
	case domain.FormCertified:
		return T("bản sao chứng thực")
	case domain.FormPhoto:
		return T("bản photo")
	}
	return string(f)
}

// timeText describes a statutory processing time.
func timeText(t domain.ProcessingTime) string {
	switch t.Unit {
	case domain.TimeSameDay:
		return T("trong ngày (tiếp nhận sau 15 giờ trả ngày làm việc tiếp theo)")
	case domain.TimeWorkingHours:
		return Tf("%s giờ làm việc", trimFloat(t.Value))
	case domain.TimeCalendarDays:
		return Tf("%s ngày (tính cả ngày nghỉ)", trimFloat(t.Value))
	default:
		return Tf("%s ngày làm việc", trimFloat(t.Value))
	}
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

// changed recomputes the fee and the due date as the clerk types.
func (s *intakeScreen) changed() {
	if s.fee == nil {
		return
	}
	s.clearCorrected()
	s.digitsOnly(s.idNumber, domain.FieldApplicantID) // after: its message must not be cleared at once
	s.digitsOnly(s.ownerID, domain.FieldOwnerID)
	if s.proc == nil {
		s.feeNote.SetText("")
		s.fee.SetText("—")
		s.due.SetText("—")
		s.dueNote.SetText(T("Chọn thủ tục để xem phí và ngày hẹn trả."))
		s.relayoutSide()
		return
	}
	p := s.proc
	amount := p.Fee.Compute(domain.FeeInput{Copies: atoiOr(s.copies.Text, 1), Pages: atoiOr(s.pages.Text, 1)})
	text := T("Không thu phí, lệ phí")
	if amount > 0 {
		text = domain.FormatVND(amount)
	}
	s.fee.SetText(text)
	s.feeNote.SetText(p.Fee.Note)
	now := s.u.now()
	due := p.Time.Due(s.store.Calendar(), now)
	s.due.SetText(dueText(due))
	s.dueNote.SetText(Tf("Nếu tiếp nhận ngay bây giờ (%s).", fmtDateTime(now)))
	s.relayoutSide()
}

// relayoutSide lays the fee and due-date cards out again: a fee note that wraps onto more
// lines than the last one would otherwise run over the "Hẹn trả kết quả" heading.
func (s *intakeScreen) relayoutSide() {
	if s.side != nil {
		s.side.Refresh()
	}
}

// dueText is "17:00 Thứ Hai, 23/02/2026".
func dueText(t time.Time) string {
	t = t.In(domain.VN())
	return fmt.Sprintf("%s %s, %s", t.Format("15:04"), weekday(t.Weekday()), t.Format("02/01/2006"))
}

func weekday(d time.Weekday) string {
	if Language() == "en" {
		return d.String()
	}
	return [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}[d]
}

// intake collects the form into an Intake.
func (s *intakeScreen) intake() domain.Intake {
	in := domain.Intake{
		Applicant: s.person(),
		Summary:   s.summary.Text, Sets: atoiOr(s.sets.Text, -1), Assisted: s.assisted.Checked,
		FormTemplate: s.formTemplate, FormValues: s.formValues, Handoff: s.handoffID,
	}
	if strings.TrimSpace(s.sets.Text) == "" {
		in.Sets = 1
	}
	for i, o := range s.channel.Options {
		if o == s.channel.Selected {
			in.Channel = []domain.Channel{domain.ChannelDirect, domain.ChannelPost, domain.ChannelOnline}[i]
		}
	}
	if s.onBehalf.Checked {
		in.Owner = &domain.Person{Name: s.ownerName.Text, IDNumber: s.ownerID.Text, Address: s.ownerAddress.Text}
	}
	if s.proc != nil {
		in.ProcedureCode = s.proc.Code
		for i, d := range s.proc.Documents {
			if i < len(s.docChecks) && s.docChecks[i].Checked {
				in.Documents = append(in.Documents, domain.DocumentItem{Code: d.Code, Name: d.Name, Form: d.Form, Count: d.Count})
			}
		}
		if s.proc.Fee.NeedsCopies() {
			in.Copies = atoiOr(s.copies.Text, 0)
		}
		if s.proc.Fee.NeedsPages() {
			in.Pages = atoiOr(s.pages.Text, 0)
		}
	}
	return in
}

// onSave validates everything, records the intake, prints the receipt and resets.
func (s *intakeScreen) onSave() {
	u := s.u
	u.touch()
	if !s.save.Disabled() {
		s.save.Disable()
	} else {
		return // already saving
	}
	in := s.intake()
	actor := u.actor()
	acked := s.ackedHolder != "" && s.ackedHolder == holderAck(in.Applicant)
	var others []domain.OtherHolder
	var path string // the receipt, printed off the UI goroutine (lp may take seconds)
	var perr error
	background(u, func(ctx context.Context) (domain.Dossier, error) {
		if !acked {
			// Checked before saving: the clerk decides with the other record in view.
			if found, err := s.store.OthersWithID(ctx, in.Applicant); err == nil && len(found) > 0 {
				others = found
				return domain.Dossier{}, nil
			}
		}
		d, err := s.store.Receive(ctx, actor, in)
		if err == nil {
			path, perr = u.printReceipt(d, actor)
		}
		return d, err
	}, func(d domain.Dossier, err error) {
		s.save.Enable()
		if len(others) > 0 {
			s.warnSameID(in.Applicant, others)
			return
		}
		if err != nil {
			rest := fieldErrors(err, s.errs)
			failed := in
			s.failed = &failed // a message goes as soon as its field is corrected
			s.failedMsgs = map[string]string{}
			for f, l := range s.errs {
				s.failedMsgs[f] = l.Text
			}
			msg := T("Chưa lưu được hồ sơ: hãy sửa các mục được đánh dấu đỏ.")
			if rest != "" {
				msg += "\n" + rest
			}
			s.banner.set(msg, widget.DangerImportance)
			return
		}
		u.status.refresh() // one more waiting to sync
		s.handoffID = ""   // the dossier holds the entry now: nothing to give back
		s.reset()
		if in.Handoff != "" {
			s.handoff.load() // the entry now names its dossier
		}
		s.lastReceipt = path
		msg := Tf("Đã tiếp nhận hồ sơ %s của %s. Hẹn trả: %s.", d.Code, d.Applicant.Name, dueText(d.DueAt))
		if perr != nil {
			msg += "\n" + T("Chưa in được giấy tiếp nhận: ") + errText(perr) + " " + T("Có thể in lại từ màn hình Hồ sơ.")
			s.banner.set(msg, widget.WarningImportance)
			s.ready()
			return
		}
		s.banner.set(msg+"\n"+u.deliveredText(path), widget.SuccessImportance)
		s.ready()
	})
}

// digitsOnly takes letters out of an ID number field as they are typed, and says why. A
// scanned ID card's QR payload also arrives in these fields: it has a "|" before its first
// letter (the 12 digits, then "|"), so text with a "|" is left to the scanner.
func (s *intakeScreen) digitsOnly(e *widget.Entry, field string) {
	if e == nil || strings.Contains(e.Text, "|") {
		return
	}
	kept := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return -1
		}
		return r
	}, e.Text)
	l := s.errs[field]
	msg := T("Số định danh chỉ gồm chữ số (12 số của thẻ căn cước, hoặc 9 số của CMND).")
	if kept == e.Text {
		// The note goes once the number is whole (or emptied).
		if n := len(strings.TrimSpace(kept)); l != nil && l.Text == msg && (n == 0 || n == 9 || n == 12) {
			setErr(l, "")
			s.form.Refresh()
		}
		return
	}
	e.SetText(kept)
	if l != nil {
		setErr(l, msg)
		s.form.Refresh()
	}
}

// clearCorrected hides the message of each field changed since the save that marked it,
// rather than leaving it until the next save.
func (s *intakeScreen) clearCorrected() {
	if s.failed == nil {
		return
	}
	now, was := s.intake(), *s.failed
	owner := func(in domain.Intake) domain.Person {
		if in.Owner != nil {
			return *in.Owner
		}
		return domain.Person{}
	}
	docs := func(in domain.Intake) string {
		var b strings.Builder
		for _, d := range in.Documents {
			b.WriteString(d.Code + "|" + d.Name + ";")
		}
		return b.String()
	}
	changed := map[string]bool{
		domain.FieldProcedure:        now.ProcedureCode != was.ProcedureCode,
		domain.FieldApplicantID:      now.Applicant.IDNumber != was.Applicant.IDNumber,
		domain.FieldApplicantName:    now.Applicant.Name != was.Applicant.Name,
		domain.FieldApplicantBirth:   now.Applicant.Birth != was.Applicant.Birth,
		domain.FieldApplicantSex:     now.Applicant.Sex != was.Applicant.Sex,
		domain.FieldApplicantPhone:   now.Applicant.Phone != was.Applicant.Phone,
		domain.FieldApplicantEmail:   now.Applicant.Email != was.Applicant.Email,
		domain.FieldApplicantAddress: now.Applicant.Address != was.Applicant.Address,
		domain.FieldOwnerName:        owner(now).Name != owner(was).Name,
		domain.FieldOwnerID:          owner(now).IDNumber != owner(was).IDNumber,
		domain.FieldOwnerAddress:     owner(now).Address != owner(was).Address,
		domain.FieldSummary:          now.Summary != was.Summary,
		domain.FieldDocuments:        docs(now) != docs(was),
		domain.FieldSets:             now.Sets != was.Sets,
		domain.FieldCopies:           now.Copies != was.Copies,
		domain.FieldPages:            now.Pages != was.Pages,
	}
	hid := false
	for f, c := range changed {
		if l := s.errs[f]; c && l != nil && l.Visible() && s.failedMsgs[f] == l.Text {
			setErr(l, "")
			hid = true
		}
	}
	if hid {
		s.form.Refresh()
	}
}

// holderAck is what the clerk confirmed when saving despite the same ID number on file:
// another number, name or birth date is checked again.
func holderAck(p domain.Person) string {
	return strings.TrimSpace(p.IDNumber) + "|" + domain.HolderKey(p)
}

// warnSameID shows who else is on file under the ID number being saved; the clerk corrects
// the form, or saves anyway (the record may be the wrong one).
func (s *intakeScreen) warnSameID(p domain.Person, others []domain.OtherHolder) {
	u := s.u
	birth := func(b string) string {
		if t, err := domain.ParseDate(b); err == nil && b != "" {
			return Tf("sinh ngày %s", t.Format("02/01/2006"))
		}
		return T("chưa ghi ngày sinh")
	}
	var d *dialog.ConfirmDialog
	items := []fyne.CanvasObject{wrapLabel(Tf("Số định danh %s đã có trong hồ sơ của:", p.IDNumber))}
	for i, o := range others {
		if i == 3 {
			items = append(items, wrapLabel(Tf("… và %d người khác.", len(others)-3)))
			break
		}
		who := widget.NewLabelWithStyle(Tf("%s, %s", o.Person.Name, birth(o.Person.Birth)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		where := wrapLabel(Tf("Hồ sơ %s, tiếp nhận %s (%d hồ sơ mang tên này)", o.Code, fmtDate(o.ReceivedAt), o.Dossiers))
		id := o.DossierID
		open := widget.NewButtonWithIcon(T("Xem hồ sơ"), theme.SearchIcon(), func() {
			d.Hide() // the form keeps what was typed; Ctrl+N's question guards it
			u.openDossier(id)
		})
		items = append(items, who, container.NewBorder(nil, nil, nil, open, where))
	}
	items = append(items, wrapLabel(Tf("Người đang nhập: %s, %s. Hãy đối chiếu với giấy tờ của công dân: nếu gõ nhầm thì sửa lại; nếu đúng thì vẫn lưu.",
		p.Name, birth(p.Birth))))
	d = dialog.NewCustomConfirm(T("Số định danh đã có với người khác"), T("Vẫn lưu"), T("Sửa lại"),
		container.NewGridWrap(fyne.NewSize(560, 300), container.NewVScroll(container.NewVBox(items...))), func(save bool) {
			if !save {
				u.win.Canvas().Focus(s.idNumber)
				return
			}
			s.ackedHolder = holderAck(p)
			s.onSave()
		}, u.win)
	d.Show()
}

// ready shows the form for the next citizen after a save: scrolled to the top, where the
// banner gives the saved dossier's code and due date, with the cursor in the procedure box.
// Left scrolled near the bottom, the clerk saw a blank form and might enter the dossier again.
func (s *intakeScreen) ready() {
	s.scroll.ScrollToTop()
	s.u.win.Canvas().Focus(s.picker.entry)
}

// onNew clears the form for a new intake (Ctrl+N, "Làm lại"), asking first when it holds
// typed data.
func (s *intakeScreen) onNew() { s.u.confirmDiscard(T("Tiếp nhận hồ sơ mới"), s.reset, s) }

// reset clears the form for the next citizen.
func (s *intakeScreen) reset() {
	s.proc = nil
	s.ackedHolder, s.failed = "", nil
	s.formTemplate, s.formValues = "", nil
	if s.handoffID != "" {
		s.handoff.release(s.handoffID) // left without saving: another counter may take it
	}
	s.handoffID, s.filled = "", ""
	s.picker.reset()
	s.procName.SetText(T("Chưa chọn thủ tục"))
	s.procInfo.SetText(T("Gõ vào ô tìm thủ tục rồi nhấn Enter để chọn; dùng phím mũi tên để chọn thủ tục khác trong danh sách."))
	s.assistMsg.Hide()
	s.assisted.Enable()
	s.docsBox.RemoveAll()
	s.docChecks = nil
	s.copyRow.Hide()
	s.clearPerson()
	for _, e := range []*widget.Entry{s.ownerName, s.ownerID, s.ownerAddress, s.summary} {
		e.SetText("")
	}
	s.copies.SetText("1")
	s.pages.SetText("1")
	s.sets.SetText("1")
	s.onBehalf.SetChecked(false)
	s.assisted.SetChecked(false)
	s.channel.SetSelected(s.channel.Options[0])
	fieldErrors(nil, s.errs)
	s.banner.set("", widget.MediumImportance)
	s.changed()
	s.u.win.Canvas().Focus(s.picker.entry)
}

// prefill starts an intake from data collected elsewhere (assisted filling): the procedure,
// the applicant and the filled declaration, so nothing is typed twice.
func (s *intakeScreen) prefill(procCode string, applicant domain.Person, summary, template string, values map[string]string) {
	s.reset()
	if p, ok := s.store.Catalogue().Lookup(procCode); ok {
		s.picker.show(p) // the box named nothing although the procedure was chosen
		s.onPick(p)
	}
	s.setPerson(applicant)
	s.summary.SetText(summary)
	s.formTemplate, s.formValues = template, values
	if template != "" {
		s.assisted.SetChecked(true)
	}
	s.changed()
}
