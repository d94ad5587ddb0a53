package ui

import (
	"context"
	"errors"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
	"motcua/query"
)

func init() {
	registerScreen(orderReturn, func(u *UI, st domain.Staff) screen {
		if !st.Role.Can(domain.PermHandOver) {
			return nil
		}
		return newHandOverScreen(u)
	})
}

// handOverScreen (Trả kết quả) returns results: the receipt's QR (or the typed code) finds
// the dossier; the clerk checks who takes the result — the applicant, or a person with an
// authorisation — records the entry of the return book and prints the return slip.
type handOverScreen struct {
	u     *UI
	store handOverStore // what it reads and records

	code    *scanField
	find    *widget.Button
	banner  *banner
	matches *fyne.Container // several dossiers found (by ID number or name): pick one
	summary *fyne.Container
	ready   *widget.Label
	dossier *widget.Card

	who                                 *widget.RadioGroup
	name, idNumber, authority, returned *widget.Entry
	authorityBox                        *fyne.Container
	method                              *widget.RadioGroup
	save, clear                         *widget.Button
	recipient                           *widget.Card
	steps                               *widget.Card // what to do, while no dossier is ready
	errs                                map[string]*widget.Label
	left, right                         *fyne.Container
	root                                fyne.CanvasObject

	d        *domain.Dossier
	gen      int
	lastSlip string // the last return slip printed
}

// Who takes the result, and how.
func whoApplicant() string  { return T("Người nộp hồ sơ nhận") }
func whoOwner() string      { return T("Chủ hồ sơ nhận") }
func whoAuthorised() string { return T("Người được ủy quyền nhận thay") }

var methodCodes = []string{domain.HandOverCounter, domain.HandOverPost, domain.HandOverElectronic}

func methodNames() []string {
	return []string{T("Tại quầy"), T("Qua bưu chính"), T("Trả điện tử")}
}

func newHandOverScreen(u *UI) *handOverScreen {
	s := &handOverScreen{u: u, store: u.opt.Store, errs: map[string]*widget.Label{}}
	for _, f := range []string{"recipient.name", "recipient.id_number", "authority", "method"} {
		s.errs[f] = errLabel()
	}
	s.code = newScanField()
	s.code.SetPlaceHolder(T("Quét mã QR trên giấy tiếp nhận hoặc gõ mã hồ sơ, rồi nhấn Enter"))
	s.code.OnSubmitted = func(text string) { s.lookup(text) }
	s.find = widget.NewButtonWithIcon(T("Tìm"), theme.SearchIcon(), func() { s.lookup(s.code.Text) })
	hint := wrapLabel(T("Công dân mất giấy tiếp nhận: quét thẻ căn cước hoặc gõ số định danh, họ tên để tìm hồ sơ."))
	hint.TextStyle.Italic = true
	s.banner = newBanner()
	s.matches = container.NewVBox()
	s.matches.Hide()
	s.summary = container.NewVBox()
	s.ready = wrapLabel("")
	s.ready.TextStyle.Bold = true
	s.dossier = widget.NewCard(T("Hồ sơ cần trả"), "", container.NewVBox(s.summary, s.ready))
	s.dossier.Hide()

	s.who = widget.NewRadioGroup([]string{whoApplicant(), whoAuthorised()}, s.onWho)
	s.who.Required = true
	// The recipient: the applicant panel's name and ID number (they take a card scan too).
	recipient := newApplicantForm(nil, func(*widget.Entry) { s.onSave() }, s.onScan)
	s.name, s.idNumber = recipient.name, recipient.idNumber
	s.name.SetPlaceHolder(T("Họ và tên người nhận"))
	s.idNumber.SetPlaceHolder(T("12 chữ số, hoặc quét thẻ căn cước"))
	s.authority = widget.NewEntry()
	s.authority.SetPlaceHolder(T("Ví dụ: Giấy ủy quyền số 12/UQ ngày 10/03/2026 được UBND xã chứng thực"))
	s.authority.OnSubmitted = func(string) { s.onSave() }
	s.authorityBox = container.NewVBox(labelled(T("Giấy ủy quyền hoặc giấy tờ chứng minh được nhận thay"), s.authority, s.errs["authority"]))
	s.authorityBox.Hide()
	opts := methodNames()
	s.method = widget.NewRadioGroup(opts, nil)
	s.method.Horizontal = true
	s.method.Required = true
	s.method.SetSelected(opts[0])
	s.returned = widget.NewEntry()
	s.returned.OnSubmitted = func(string) { s.onSave() }
	s.save = widget.NewButtonWithIcon(T("Trả kết quả và in phiếu"), theme.DocumentPrintIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.clear = widget.NewButtonWithIcon(T("Làm lại"), theme.ContentClearIcon(), func() {
		s.u.confirmDiscard(T("Làm lại"), func() { s.reset(); s.banner.set("", widget.MediumImportance) }, s)
	})
	s.recipient = widget.NewCard(T("Người nhận kết quả"), "", container.NewVBox(
		s.who,
		container.NewGridWithColumns(2,
			labelled(T("Họ và tên"), s.name, s.errs["recipient.name"]),
			labelled(T("Số định danh cá nhân / CCCD"), s.idNumber, s.errs["recipient.id_number"])),
		s.authorityBox,
		labelled(T("Hình thức trả"), s.method, s.errs["method"]),
		labelled(T("Kết quả trả cho công dân"), s.returned, nil),
		container.NewHBox(s.save, s.clear),
	))
	s.recipient.Hide()

	s.left = container.NewVBox(
		widget.NewCard(T("Mã hồ sơ"), "", container.NewVBox(container.NewBorder(nil, nil, nil, s.find, s.code), hint)),
		s.banner.box, s.matches, s.dossier)
	s.steps = widget.NewCard(T("Trả kết quả cho công dân"), "", container.NewVBox(
		wrapLabel(T("1. Quét mã QR trên giấy tiếp nhận (hoặc gõ mã hồ sơ) rồi nhấn Enter.")),
		wrapLabel(T("2. Kiểm tra người nhận: người nộp hồ sơ, hoặc người được ủy quyền mang theo giấy ủy quyền; đối chiếu giấy tờ tùy thân.")),
		wrapLabel(T("3. Nhấn «Trả kết quả và in phiếu», giao kết quả và phiếu trả kết quả để công dân ký nhận.")),
	))
	s.right = container.NewVBox(s.steps, s.recipient)
	s.banner.parent = s.left
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(s.left)), container.NewVScroll(container.NewPadded(s.right)))
	split.Offset = 0.5
	s.root = split
	return s
}

func (s *handOverScreen) title() string              { return T("Trả kết quả") }
func (s *handOverScreen) icon() fyne.Resource        { return theme.MailSendIcon() }
func (s *handOverScreen) content() fyne.CanvasObject { return s.root }

func (s *handOverScreen) menuItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{s.u.shortcutItem(T("Trả kết quả"), fyne.KeyR, theme.MailSendIcon(), func() {
		s.u.showScreen(s)
		s.focusCode()
	})}
}

func (s *handOverScreen) shown() {
	if s.d == nil {
		s.focusCode()
	}
}

// focusCode readies the code field for the next scan (what it holds gets replaced).
func (s *handOverScreen) focusCode() {
	s.u.win.Canvas().Focus(s.code)
}

// onScan fills the recipient from an ID-card QR; a malformed one changes nothing.
func (s *handOverScreen) onScan(payload string) {
	q, err := s.u.readCard(payload)
	if err != nil {
		s.banner.set(T("Không đọc được mã QR trên thẻ căn cước: ")+errText(err)+" "+T("Hãy quét lại hoặc nhập tay."), widget.DangerImportance)
		return
	}
	s.name.SetText(q.Name)
	s.idNumber.SetText(q.ID)
	s.banner.set(Tf("Đã điền thông tin người nhận từ thẻ căn cước của %s.", q.Name), widget.SuccessImportance)
	s.u.win.Canvas().Focus(s.save)
}

// lookupResult is the answer to a lookup: one dossier, or several to choose from.
type lookupResult struct {
	one  *domain.Dossier
	many []query.QueueRow
}

// lookup finds the dossier from a scanned or typed code (also a dossier id); an ID card or
// an ID number, phone or name lists the person's dossiers.
func (s *handOverScreen) lookup(text string) {
	u := s.u
	u.touch()
	text = strings.TrimSpace(text)
	if text == "" {
		s.focusCode()
		return
	}
	// Leaving a dossier whose recipient the clerk typed for another one asks first.
	if s.d != nil && text != s.d.Code && s.unsaved() {
		s.code.SetText(s.d.Code) // until the clerk says so, the field names the dossier shown
		u.confirmDiscard(T("Tìm hồ sơ khác"), func() { s.find1(text) }, s)
		return
	}
	s.find1(text)
}

// find1 looks a code, an ID number or a name up and shows what it finds.
func (s *handOverScreen) find1(text string) {
	u := s.u
	query := text
	if citizen.LooksLikeCardScan(text) {
		q, err := u.readCard(text)
		if err != nil {
			s.code.SetText("")
			s.banner.set(T("Không đọc được mã vừa quét. Hãy quét mã QR trên giấy tiếp nhận, hoặc gõ mã hồ sơ."), widget.DangerImportance)
			s.focusCode()
			return
		}
		query = q.ID
		s.code.SetText(q.ID)
	}
	s.gen++
	gen := s.gen
	background(u, func(ctx context.Context) (lookupResult, error) {
		if d, err := s.store.ByCode(ctx, query); err == nil {
			return lookupResult{one: &d}, nil
		} else if !errors.Is(err, domain.ErrNotFound) {
			return lookupResult{}, err
		}
		if d, err := s.store.Get(ctx, query); err == nil {
			return lookupResult{one: &d}, nil
		} else if !errors.Is(err, domain.ErrNotFound) {
			return lookupResult{}, err
		}
		rows, err := s.store.Search(ctx, query, 20)
		if err != nil || len(rows) != 1 {
			return lookupResult{many: rows}, err
		}
		d, err := s.store.Get(ctx, rows[0].ID)
		return lookupResult{one: &d}, err
	}, func(f lookupResult, err error) {
		if gen != s.gen {
			return
		}
		s.showMatches(nil)
		switch {
		case err != nil:
			s.banner.set(errText(err), widget.DangerImportance)
		case f.one != nil:
			s.banner.set("", widget.MediumImportance)
			s.show(*f.one)
		case len(f.many) == 0:
			s.banner.set(Tf("Không tìm thấy hồ sơ nào với «%s». Hãy kiểm tra lại mã trên giấy tiếp nhận.", query), widget.DangerImportance)
			s.focusCode()
		default:
			s.banner.set(Tf("Có %d hồ sơ phù hợp; chọn hồ sơ cần trả.", len(f.many)), widget.MediumImportance)
			s.showMatches(f.many)
		}
	})
}

// showMatches lists several dossiers, those ready to return first.
func (s *handOverScreen) showMatches(rows []query.QueueRow) {
	s.matches.RemoveAll()
	if len(rows) == 0 {
		s.matches.Hide()
		s.left.Refresh()
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return rows[i].Status == domain.StatusResultReady && rows[j].Status != domain.StatusResultReady
	})
	for _, r := range rows {
		r := r
		b := widget.NewButton(r.Code+" — "+r.Applicant+" — "+statusText(r.Status), func() { s.lookup(r.Code) })
		b.Alignment = widget.ButtonAlignLeading
		if r.Status == domain.StatusResultReady {
			b.Importance = widget.HighImportance
		}
		s.matches.Add(b)
		proc := wrapLabel(r.ProcedureName)
		proc.TextStyle.Italic = true
		s.matches.Add(proc)
	}
	s.matches.Show()
	s.left.Refresh()
}

// show puts a dossier on the screen and says whether its result can be returned now.
func (s *handOverScreen) show(d domain.Dossier) {
	s.gen++
	s.d = &d
	s.code.SetText(d.Code)
	s.showMatches(nil)
	fieldErrors(nil, s.errs)
	a := d.Applicant
	applicant := a.Name
	if a.IDNumber != "" {
		applicant += " · " + T("Số định danh") + " " + a.IDNumber
	}
	owner := ""
	if d.Owner != nil && d.Owner.Name != "" {
		owner = d.Owner.Name
		if d.Owner.IDNumber != "" {
			owner += " · " + T("Số định danh") + " " + d.Owner.IDNumber
		}
	}
	s.summary.RemoveAll()
	code := widget.NewLabelWithStyle(d.Code, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	code.SizeName = theme.SizeNameSubHeadingText
	s.summary.Add(code)
	s.summary.Add(detailGrid(
		[2]string{T("Thủ tục"), d.Procedure.Name},
		[2]string{T("Người nộp"), applicant},
		[2]string{T("Điện thoại"), a.Phone},
		[2]string{T("Chủ hồ sơ"), owner},
		[2]string{T("Ngày nhận"), fmtDateTime(d.ReceivedAt)},
		[2]string{T("Hẹn trả"), fmtDateTime(d.DueAt)},
		[2]string{T("Có kết quả"), fmtDateTime(d.ResultAt)},
		[2]string{T("Trạng thái"), statusText(d.Status)},
	))
	open := widget.NewButtonWithIcon(T("Xem chi tiết hồ sơ"), theme.InfoIcon(), func() { s.u.openDossier(d.ID) })
	open.Importance = widget.LowImportance
	if _, ok := screenOf[*queueScreen](s.u); ok {
		s.summary.Add(container.NewHBox(open))
	}
	reason := notReadyReason(d)
	if reason == "" {
		s.ready.SetText(T("Có thể trả kết quả."))
		s.ready.Importance = widget.SuccessImportance
		s.fillRecipient(d)
		s.recipient.Show()
		s.steps.Hide()
	} else {
		s.ready.SetText(reason)
		s.ready.Importance = widget.DangerImportance
		s.recipient.Hide()
		s.steps.Show()
	}
	s.ready.Refresh()
	s.dossier.Show()
	s.left.Refresh()
	s.right.Refresh()
	if reason == "" {
		s.u.win.Canvas().Focus(s.idNumber)
	} else {
		s.focusCode()
	}
}

// notReadyReason says plainly why a result cannot be handed over now ("" when it can).
func notReadyReason(d domain.Dossier) string {
	switch d.Status {
	case domain.StatusResultReady:
		if len(d.OpenConflicts()) > 0 {
			return T("Hồ sơ đang có xung đột khi đồng bộ; cần cán bộ giám sát xử lý trước khi trả kết quả.")
		}
		return ""
	case domain.StatusReturned:
		if h := d.HandOver; h != nil {
			return Tf("Hồ sơ đã trả kết quả lúc %s cho %s.", fmtDateTime(h.At), h.Recipient.Name)
		}
		return T("Hồ sơ đã trả kết quả.")
	case domain.StatusRefused:
		return T("Hồ sơ đã bị từ chối (Mẫu 03); không có kết quả để trả.")
	case domain.StatusWithdrawn:
		return T("Công dân đã rút hồ sơ; không có kết quả để trả.")
	case domain.StatusStopped:
		return T("Hồ sơ đã dừng xử lý; không có kết quả để trả.")
	case domain.StatusSupplement:
		return T("Hồ sơ đang chờ công dân bổ sung giấy tờ; chưa có kết quả.")
	case domain.StatusAwaitingPayment:
		return T("Hồ sơ đang chờ công dân thực hiện nghĩa vụ tài chính; chưa có kết quả.")
	}
	return Tf("Hồ sơ chưa có kết quả (trạng thái: %s)", statusText(d.Status))
}

// fillRecipient prefills the applicant as the recipient and what is returned.
func (s *handOverScreen) fillRecipient(d domain.Dossier) {
	opts := []string{whoApplicant()}
	if d.Owner != nil && d.Owner.Name != "" && d.Owner.IDNumber != d.Applicant.IDNumber {
		opts = append(opts, whoOwner())
	}
	opts = append(opts, whoAuthorised())
	s.who.Options = opts
	s.who.Refresh()
	s.who.SetSelected("")
	s.who.SetSelected(whoApplicant())
	result := d.Procedure.ResultType
	for _, st := range d.Steps {
		if st.Kind == domain.EvResultReady && st.Content != "" {
			result = st.Content
		}
	}
	s.returned.SetText(result)
	method := 0
	if d.Channel == domain.ChannelPost {
		method = 1
	}
	s.method.SetSelected(s.method.Options[method])
	s.authority.SetText("")
}

// onWho switches between the applicant (or owner), prefilled, and an authorised person.
func (s *handOverScreen) onWho(choice string) {
	if s.d == nil {
		return
	}
	d := *s.d
	switch choice {
	case whoApplicant():
		s.name.SetText(d.Applicant.Name)
		s.idNumber.SetText(d.Applicant.IDNumber)
		s.authorityBox.Hide()
	case whoOwner():
		if d.Owner != nil {
			s.name.SetText(d.Owner.Name)
			s.idNumber.SetText(d.Owner.IDNumber)
		}
		s.authorityBox.Hide()
	case whoAuthorised():
		s.name.SetText("")
		s.idNumber.SetText("")
		s.authorityBox.Show()
		s.u.win.Canvas().Focus(s.name)
	}
	fieldErrors(nil, s.errs)
	s.right.Refresh()
}

// onSave records the hand-over, prints the return slip and clears the screen.
func (s *handOverScreen) onSave() {
	u := s.u
	u.touch()
	if s.d == nil || s.save.Disabled() || notReadyReason(*s.d) != "" {
		return
	}
	d := *s.d
	authorised := s.who.Selected == whoAuthorised()
	p := domain.HandedOverPayload{
		Recipient:  domain.Person{Name: s.name.Text, IDNumber: s.idNumber.Text},
		Authorized: authorised, Method: domain.HandOverCounter, Documents: strings.TrimSpace(s.returned.Text),
	}
	if authorised {
		p.Authority = s.authority.Text
	}
	for i, o := range s.method.Options {
		if o == s.method.Selected {
			p.Method = methodCodes[i]
		}
	}
	// Without the authorisation box on screen, its message goes to the banner.
	labels := map[string]*widget.Label{}
	for k, l := range s.errs {
		if k != "authority" || authorised {
			labels[k] = l
		}
	}
	s.save.Disable()
	actor := u.actor()
	background(u, func(ctx context.Context) (actionResult, error) {
		got, err := s.store.HandOver(ctx, actor, d.ID, p)
		if err != nil {
			return actionResult{}, err
		}
		res := actionResult{d: got}
		res.printed, res.printErr = u.printReturnSlip(got)
		return res, nil
	}, func(res actionResult, err error) {
		s.save.Enable()
		if err != nil {
			rest := fieldErrors(err, labels)
			msg := T("Chưa trả được kết quả:")
			if rest != "" {
				msg += " " + rest
			} else {
				msg += " " + T("hãy sửa các mục được đánh dấu đỏ.")
			}
			s.banner.set(msg, widget.DangerImportance)
			s.right.Refresh()
			return
		}
		s.reset()
		s.lastSlip = res.printed
		// The return slip: sent to the printer, opened in the viewer, or only saved.
		msg := Tf("Đã trả kết quả hồ sơ %s cho %s.", res.d.Code, res.d.HandOver.Recipient.Name) + "\n" + u.deliveredText(res.printed)
		imp := widget.SuccessImportance
		if res.printErr != nil {
			msg = Tf("Đã trả kết quả hồ sơ %s cho %s.", res.d.Code, res.d.HandOver.Recipient.Name) + "\n" +
				T("Chưa in được phiếu trả kết quả: ") + errText(res.printErr) + " " + T("Có thể in lại từ màn hình Hồ sơ.")
			imp = widget.WarningImportance
		}
		s.banner.set(msg, imp)
		if q, ok := screenOf[*queueScreen](u); ok {
			q.changed()
		}
	})
}

// reset clears the screen for the next citizen.
func (s *handOverScreen) reset() {
	s.gen++
	s.d = nil
	s.code.SetText("")
	s.showMatches(nil)
	s.summary.RemoveAll()
	s.dossier.Hide()
	s.recipient.Hide()
	s.steps.Show()
	s.name.SetText("")
	s.idNumber.SetText("")
	s.authority.SetText("")
	s.returned.SetText("")
	s.authorityBox.Hide()
	fieldErrors(nil, s.errs)
	s.left.Refresh()
	s.right.Refresh()
	s.focusCode()
}

// scanField is an entry a USB scanner types into: focusing it selects what it holds, so
// the next scan replaces it instead of being appended.
type scanField struct {
	widget.Entry
}

func newScanField() *scanField {
	e := &scanField{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained selects the text (keyboard or programmatic focus; a click places the cursor).
func (e *scanField) FocusGained() {
	e.Entry.FocusGained()
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// SetText also ends a selection left from before: Fyne keeps it when the text is
// replaced, and the next keystrokes would then erase the first character typed.
func (e *scanField) SetText(text string) {
	e.Entry.SetText(text)
	e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if text != "" {
		e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	}
}
