package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// setupWizard is the first-run page: the unit, this workstation's slot, the admin account.
type setupWizard struct {
	u                                   *UI
	unitCode, unitName, parent, place   *widget.Entry
	slot                                *widget.Select
	username, fullName, password, again *widget.Entry
	errs                                map[string]*widget.Label
	banner                              *banner
	save                                *widget.Button
}

func (u *UI) showWizard() {
	w := &setupWizard{u: u, errs: map[string]*widget.Label{}}
	u.wizard, u.signInPage = w, nil
	for _, f := range []string{"unit_code", "unit_name", "parent", "slot", "username", "full_name", "password", "again"} {
		w.errs[f] = errLabel()
	}
	w.unitCode = widget.NewEntry()
	w.unitCode.SetPlaceHolder("000.00.06.H56")
	w.unitName = widget.NewEntry()
	w.unitName.SetPlaceHolder(T("Trung tâm Phục vụ hành chính công xã …"))
	w.parent = widget.NewEntry()
	w.parent.SetPlaceHolder(T("UBND xã …, UBND phường … hoặc UBND đặc khu …"))
	w.place = widget.NewEntry()
	w.place.SetPlaceHolder(T("Địa danh ghi trên phiếu, ví dụ: An Hưng"))
	var slots []string
	for i := 1; i <= 9; i++ {
		slots = append(slots, strconv.Itoa(i))
	}
	w.slot = widget.NewSelect(slots, nil)
	w.slot.SetSelected("1")
	w.username = widget.NewEntry()
	w.username.SetText("admin")
	w.fullName = widget.NewEntry()
	w.fullName.SetPlaceHolder(T("Họ và tên quản trị viên"))
	w.password = widget.NewPasswordEntry()
	w.again = widget.NewPasswordEntry()
	w.again.OnSubmitted = func(string) { w.onSave() }
	w.save = widget.NewButtonWithIcon(T("Hoàn tất cài đặt"), theme.ConfirmIcon(), w.onSave)
	w.save.Importance = widget.HighImportance
	w.banner = newBanner()

	intro := widget.NewLabel(T("Máy trạm này chưa được cài đặt. Nhập thông tin đơn vị và tạo tài khoản quản trị; các thông tin này in trên giấy tiếp nhận và mã hồ sơ."))
	intro.Wrapping = fyne.TextWrapWord
	unit := container.NewGridWithColumns(2,
		labelled(T("Mã định danh đơn vị"), w.unitCode, w.errs["unit_code"]),
		labelled(T("Số thứ tự máy trạm (1–9)"), w.slot, w.errs["slot"]),
		labelled(T("Tên đơn vị"), w.unitName, w.errs["unit_name"]),
		labelled(T("Ủy ban nhân dân cấp xã (dòng trên tên trung tâm)"), w.parent, w.errs["parent"]),
		labelled(T("Địa danh"), w.place, nil),
	)
	admin := container.NewGridWithColumns(2,
		labelled(T("Tên đăng nhập"), w.username, w.errs["username"]),
		labelled(T("Họ và tên"), w.fullName, w.errs["full_name"]),
		labelled(T("Mật khẩu (ít nhất 8 ký tự)"), w.password, w.errs["password"]),
		labelled(T("Nhập lại mật khẩu"), w.again, w.errs["again"]),
	)
	form := container.NewVBox(
		widget.NewLabelWithStyle(T("Cài đặt máy trạm lần đầu"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, w.banner.box,
		widget.NewCard(T("Đơn vị"), "", unit),
		widget.NewCard(T("Tài khoản quản trị"), "", admin),
		container.NewHBox(spacer(), w.save),
	)
	u.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(760, 660), container.NewVScroll(form))))
	u.win.Canvas().Focus(w.unitCode)
}

func (w *setupWizard) onSave() {
	u := w.u
	cfg := u.opt.Store.Config()
	cfg.UnitCode = strings.ToUpper(strings.TrimSpace(w.unitCode.Text))
	cfg.UnitName = strings.TrimSpace(w.unitName.Text)
	cfg.Parent = strings.TrimSpace(w.parent.Text)
	cfg.Place = strings.TrimSpace(w.place.Text)
	cfg.Slot, _ = strconv.Atoi(w.slot.Selected)
	if cfg.ReturnPlace == "" && cfg.UnitName != "" {
		cfg.ReturnPlace = T("Bộ phận tiếp nhận và trả kết quả, ") + cfg.UnitName
	}
	admin := domain.Staff{Username: strings.ToLower(strings.TrimSpace(w.username.Text)), FullName: w.fullName.Text, Role: domain.RoleAdmin}
	var problems domain.ValidationError
	if err := cfg.Validate(); err != nil {
		problems = append(problems, err.(domain.ValidationError)...)
	}
	if err := domain.ValidateStaff(admin, w.password.Text, true); err != nil {
		problems = append(problems, err.(domain.ValidationError)...)
	}
	if w.password.Text != w.again.Text {
		problems = append(problems, domain.FieldError{Field: "again", Code: "staff.password_again", Msg: "Hai lần nhập mật khẩu không giống nhau."})
	}
	if len(problems) > 0 {
		w.banner.set(fieldErrors(problems, w.errs), widget.DangerImportance)
		return
	}
	fieldErrors(nil, w.errs)
	w.save.Disable()
	password := w.password.Text
	background(u, func(ctx context.Context) (domain.Staff, error) {
		if err := u.opt.Store.UpdateConfig(ctx, admin, cfg); err != nil {
			return admin, err
		}
		if err := u.opt.Store.CreateStaff(ctx, nil, admin, password); err != nil {
			return admin, err
		}
		return u.opt.Store.Authenticate(ctx, admin.Username, password)
	}, func(st domain.Staff, err error) {
		w.save.Enable()
		if err != nil {
			w.banner.set(fieldErrors(err, w.errs), widget.DangerImportance)
			return
		}
		u.wizard = nil
		u.signedIn(st)
	})
}

// signInPage asks for a username and password; locked keeps the username fixed.
type signInPage struct {
	u                  *UI
	username, password *widget.Entry
	message            *widget.Label
	submit             *widget.Button
	lockedUser         string
	form               *fyne.Container // re-laid out when the message appears or changes
}

func (u *UI) showSignIn(lockedUser string) {
	p := &signInPage{u: u, lockedUser: lockedUser}
	u.signInPage, u.wizard = p, nil
	cfg := u.opt.Store.Config()
	p.username = widget.NewEntry()
	p.username.SetPlaceHolder(T("Tên đăng nhập"))
	p.password = widget.NewPasswordEntry()
	p.password.SetPlaceHolder(T("Mật khẩu"))
	p.password.OnSubmitted = func(string) { p.onSubmit() }
	p.username.OnSubmitted = func(string) { u.win.Canvas().Focus(p.password) }
	p.message = errLabel()
	p.submit = widget.NewButtonWithIcon(T("Đăng nhập"), theme.LoginIcon(), p.onSubmit)
	p.submit.Importance = widget.HighImportance
	title := widget.NewLabelWithStyle(cfg.UnitName, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	sub := widget.NewLabelWithStyle(T("Bộ phận tiếp nhận và trả kết quả"), fyne.TextAlignCenter, fyne.TextStyle{})
	items := []fyne.CanvasObject{title, sub, widget.NewSeparator()}
	if lockedUser != "" {
		p.username.SetText(lockedUser)
		p.username.Disable()
		u.mu.Lock()
		idle := u.idleLocked
		u.mu.Unlock()
		why := T("Màn hình đã khóa. Nhập mật khẩu để tiếp tục công việc.")
		if idle {
			why = T("Màn hình đã khóa vì lâu không thao tác. Nhập mật khẩu để tiếp tục công việc.")
		}
		note := widget.NewLabel(why)
		note.Wrapping = fyne.TextWrapWord
		items = append(items, note)
	}
	items = append(items, labelled(T("Tên đăng nhập"), p.username, nil), labelled(T("Mật khẩu"), p.password, nil), p.message)
	buttons := container.NewHBox(spacer(), p.submit)
	if lockedUser != "" {
		buttons = container.NewHBox(widget.NewButton(T("Đăng nhập tài khoản khác"), u.signOutAsking), spacer(), p.submit)
	}
	items = append(items, buttons)
	p.form = container.NewVBox(items...)
	card := widget.NewCard("", "", p.form)
	u.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(440, 420), card)))
	if lockedUser != "" {
		u.win.Canvas().Focus(p.password)
	} else {
		u.win.Canvas().Focus(p.username)
	}
}

func (p *signInPage) onSubmit() {
	u := p.u
	user, pass := p.username.Text, p.password.Text
	if strings.TrimSpace(user) == "" || pass == "" {
		p.say(T("Nhập tên đăng nhập và mật khẩu."))
		return
	}
	p.submit.Disable()
	background(u, func(ctx context.Context) (domain.Staff, error) {
		return u.opt.Store.Authenticate(ctx, user, pass)
	}, func(st domain.Staff, err error) {
		p.submit.Enable()
		if err != nil {
			// A wrong password, the wait after several (the store tells how long: nothing
			// sleeps here), or a lock only an admin can lift.
			p.password.SetText("")
			p.say(errText(err))
			u.win.Canvas().Focus(p.password)
			return
		}
		if p.lockedUser != "" && st.Username != p.lockedUser {
			p.say(T("Màn hình đang khóa cho tài khoản khác."))
			return
		}
		if p.lockedUser != "" {
			u.signInPage = nil
			u.unlock()
			return
		}
		u.signInPage = nil
		u.signedIn(st)
	})
}

// say shows a message under the fields, wrapped to the card's width.
func (p *signInPage) say(msg string) {
	setErr(p.message, msg)
	p.form.Refresh()
}

// unlock returns to the work as it was left.
func (u *UI) unlock() {
	u.mu.Lock()
	u.locked = false
	u.lastActivity = u.opt.IdleClock()
	u.mu.Unlock()
	if u.tabs == nil {
		u.buildMain()
		return
	}
	u.win.SetContent(container.NewBorder(nil, u.status.content(), nil, nil, u.tabs))
	u.win.SetMainMenu(u.mainMenu())
	u.status.refresh()
}
