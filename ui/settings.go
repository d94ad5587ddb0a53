package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/query"
)

func init() {
	registerScreen(orderSetup, func(u *UI, st domain.Staff) screen { return newSettingsScreen(u, st) })
}

// settingsScreen (Cài đặt): the unit's details printed on forms, working hours, the idle
// lock and language, staff accounts (admin), and one's own password. Sections added by
// other files (sync, backups) come from settingsSections.
type settingsScreen struct {
	u     *UI
	store settingsStore // what it reads and records
	admin bool
	root  fyne.CanvasObject

	unitName, parent, place, address, phone, returnPlace, book *widget.Entry
	lookupURL                                                  *widget.Entry
	copies, printCopies                                        *widget.Select
	morningStart, morningEnd, afternoonStart, afternoonEnd     *widget.Entry
	cutoff, idle, reschedules                                  *widget.Entry
	targetOnline, targetDigital, targetEResult, targetOnTime   *widget.Entry
	lang                                                       *widget.Select
	errs                                                       map[string]*widget.Label
	banner                                                     *banner
	saveBtn                                                    *widget.Button

	staff     []domain.Staff
	locks     map[string]query.SignInState // names locked by failed sign-ins
	staffList *widget.List
	account   *accountForm // the account dialog while it is open
	sync      *syncPanel
	backups   *backupPanel

	reportRules *reportRules      // how the II.06a report counts (reportrules.go)
	unconfirmed *unconfirmedPanel // facts the data flags as unconfirmed, admin only (unconfirmed.go)
}

// settingsSections lets other files add cards to the settings screen.
var settingsSections []func(s *settingsScreen) fyne.CanvasObject

func newSettingsScreen(u *UI, st domain.Staff) *settingsScreen {
	s := &settingsScreen{u: u, store: u.opt.Store, admin: st.Role.Can(domain.PermAdminister), errs: map[string]*widget.Label{}}
	for _, f := range []string{"unit_name", "parent", "lookup_url", "receipt_copies", "print_copies", "hours", "idle_lock_minutes", "reschedule_limit", "targets"} {
		s.errs[f] = errLabel()
	}
	s.banner = newBanner()
	cfg := s.store.Config()
	entry := func(v string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(v)
		if !s.admin {
			e.Disable()
		}
		return e
	}
	s.unitName, s.parent, s.place = entry(cfg.UnitName), entry(cfg.Parent), entry(cfg.Place)
	s.address, s.phone, s.returnPlace, s.book = entry(cfg.Address), entry(cfg.Phone), entry(cfg.ReturnPlace), entry(cfg.Book)
	s.parent.SetPlaceHolder(T("UBND xã …, UBND phường … hoặc UBND đặc khu …"))
	s.lookupURL = entry(cfg.Receipt.LookupURL)
	s.lookupURL.SetPlaceHolder("https://dichvucong.example.gov.vn/tra-cuu?ma={code}")
	s.copies = widget.NewSelect([]string{T("1 liên"), T("2 liên (giao công dân, lưu tại quầy)")}, nil)
	s.copies.SetSelectedIndex(0)
	if cfg.Receipt.Copies == 2 {
		s.copies.SetSelectedIndex(1)
	}
	s.printCopies = widget.NewSelect([]string{"1", "2", "3", "4", "5"}, nil)
	s.printCopies.SetSelectedIndex(max(cfg.Receipt.PrintCopies, 1) - 1)
	if !s.admin {
		s.copies.Disable()
		s.printCopies.Disable()
	}
	h := cfg.Hours
	s.morningStart, s.morningEnd = entry(hhmm(h.MorningStart)), entry(hhmm(h.MorningEnd))
	s.afternoonStart, s.afternoonEnd = entry(hhmm(h.AfternoonStart)), entry(hhmm(h.AfternoonEnd))
	s.cutoff = entry(hhmm(h.SameDayCutoff))
	s.idle = entry(strconv.Itoa(cfg.IdleLockMinutes))
	s.reschedules = entry(strconv.Itoa(cfg.RescheduleLimit))
	pct := func(v float64) *widget.Entry { return entry(strconv.FormatFloat(v, 'f', -1, 64)) }
	s.targetOnline, s.targetDigital = pct(cfg.Targets.Online), pct(cfg.Targets.FullyDigital)
	s.targetEResult, s.targetOnTime = pct(cfg.Targets.DigitizedEResult), pct(cfg.Targets.OnTime)
	s.lang = widget.NewSelect([]string{"Tiếng Việt", "English"}, nil)
	if cfg.Language == "en" {
		s.lang.SetSelected("English")
	} else {
		s.lang.SetSelected("Tiếng Việt")
	}
	if !s.admin {
		s.lang.Disable()
	}
	s.saveBtn = widget.NewButtonWithIcon(T("Lưu cài đặt"), theme.DocumentSaveIcon(), s.onSave)
	s.saveBtn.Importance = widget.HighImportance

	readOnly := func(label, value string) fyne.CanvasObject {
		v := widget.NewLabel(value)
		v.Wrapping = fyne.TextWrapBreak
		return labelled(label, v, nil)
	}
	unit := container.NewVBox(
		container.NewGridWithColumns(3,
			readOnly(T("Mã định danh đơn vị"), cfg.UnitCode),
			readOnly(T("Máy trạm số"), strconv.Itoa(cfg.Slot)),
			readOnly(T("Mã thiết bị"), cfg.DeviceID)),
		container.NewGridWithColumns(2,
			labelled(T("Tên đơn vị"), s.unitName, s.errs["unit_name"]),
			labelled(T("Ủy ban nhân dân cấp xã (dòng trên tên trung tâm)"), s.parent, s.errs["parent"]),
			labelled(T("Địa danh (ghi trên phiếu)"), s.place, nil),
			labelled(T("Quyển số sổ theo dõi hồ sơ"), s.book, nil),
			labelled(T("Địa chỉ"), s.address, nil),
			labelled(T("Điện thoại"), s.phone, nil)),
		labelled(T("Nơi trả kết quả"), s.returnPlace, nil),
		labelled(T("Địa chỉ tra cứu hồ sơ (mã QR trên giấy tiếp nhận; {code} là mã hồ sơ)"), s.lookupURL, s.errs["lookup_url"]),
		container.NewGridWithColumns(2,
			labelled(T("Số liên giấy tiếp nhận"), s.copies, s.errs["receipt_copies"]),
			labelled(T("Số bản gửi tới máy in mỗi lần bấm «In»"), s.printCopies, s.errs["print_copies"])),
	)
	work := container.NewVBox(
		container.NewGridWithColumns(5,
			labelled(T("Sáng từ"), s.morningStart, nil), labelled(T("đến"), s.morningEnd, nil),
			labelled(T("Chiều từ"), s.afternoonStart, nil), labelled(T("đến"), s.afternoonEnd, nil),
			labelled(T("Giờ chốt trong ngày"), s.cutoff, nil)),
		s.errs["hours"],
		container.NewGridWithColumns(3,
			labelled(T("Tự khóa sau (phút, 0 = không khóa)"), s.idle, s.errs["idle_lock_minutes"]),
			labelled(T("Số lần được hẹn lại"), s.reschedules, s.errs["reschedule_limit"]),
			labelled(T("Ngôn ngữ"), s.lang, nil)),
	)
	targets := container.NewVBox(
		container.NewGridWithColumns(4,
			labelled(T("Hồ sơ nộp trực tuyến"), s.targetOnline, nil),
			labelled(T("Xử lý toàn trình trên môi trường số"), s.targetDigital, nil),
			labelled(T("Số hóa và trả kết quả điện tử"), s.targetEResult, nil),
			labelled(T("Giải quyết đúng hạn, trước hạn"), s.targetOnTime, nil)),
		s.errs["targets"])
	items := []fyne.CanvasObject{s.banner.box}
	if s.admin {
		items = append(items, container.NewHBox(spacer(), s.saveBtn))
	} else {
		note := widget.NewLabel(T("Chỉ quản trị viên được thay đổi cài đặt của máy trạm."))
		note.Importance = widget.LowImportance
		items = append(items, note)
	}
	items = append(items,
		widget.NewCard(T("Đơn vị"), T("In trên giấy tiếp nhận và các phiếu"), unit),
		widget.NewCard(T("Thời gian làm việc"), T("Dùng để tính ngày hẹn trả"), work),
		widget.NewCard(T("Chỉ tiêu của thành phố (%)"), T("So sánh với kết quả thực hiện ở màn hình Giám sát"), targets),
		s.accountsCard(),
	)
	for _, sec := range settingsSections {
		if c := sec(s); c != nil {
			items = append(items, c)
		}
	}
	items = append(items, widget.NewCard(T("Thư mục dữ liệu"), "", readOnly(T("Dữ liệu, tệp quét và bản in nằm tại"), s.store.Dir())))
	vbox := container.NewVBox(items...)
	s.banner.parent = vbox
	s.root = container.NewVScroll(container.NewPadded(vbox))
	return s
}

func (s *settingsScreen) title() string              { return T("Cài đặt") }
func (s *settingsScreen) icon() fyne.Resource        { return theme.SettingsIcon() }
func (s *settingsScreen) content() fyne.CanvasObject { return s.root }
func (s *settingsScreen) shown()                     { s.loadStaff() }

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// parseHHMM reads "7:30", "07:30" or "0730".
func parseHHMM(s string) (int, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "h", ":"))
	var h, m int
	if strings.Contains(s, ":") {
		parts := strings.SplitN(s, ":", 2)
		var err1, err2 error
		h, err1 = strconv.Atoi(parts[0])
		m, err2 = strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil {
			return 0, false
		}
	} else if n, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		h, m = n/100, n%100
	} else {
		return 0, false
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

func (s *settingsScreen) onSave() {
	u := s.u
	cfg := s.store.Config()
	cfg.UnitName, cfg.Parent, cfg.Place = s.unitName.Text, strings.TrimSpace(s.parent.Text), strings.TrimSpace(s.place.Text)
	cfg.Address, cfg.Phone = strings.TrimSpace(s.address.Text), strings.TrimSpace(s.phone.Text)
	cfg.ReturnPlace, cfg.Book = strings.TrimSpace(s.returnPlace.Text), strings.TrimSpace(s.book.Text)
	cfg.Receipt.LookupURL = strings.TrimSpace(s.lookupURL.Text)
	cfg.Receipt.Copies = s.copies.SelectedIndex() + 1
	cfg.Receipt.PrintCopies = s.printCopies.SelectedIndex() + 1
	var bad domain.ValidationError
	var hours calendar.WorkingHours
	fields := []*int{&hours.MorningStart, &hours.MorningEnd, &hours.AfternoonStart, &hours.AfternoonEnd, &hours.SameDayCutoff}
	for i, e := range []*widget.Entry{s.morningStart, s.morningEnd, s.afternoonStart, s.afternoonEnd, s.cutoff} {
		v, ok := parseHHMM(e.Text)
		if !ok {
			bad = append(bad, domain.FieldError{Field: "hours", Code: "settings.time", Msg: Tf("Giờ «%s» không hợp lệ; nhập dạng 07:30.", e.Text)})
			break
		}
		*fields[i] = v
	}
	cfg.Hours = hours
	idle, err := strconv.Atoi(strings.TrimSpace(s.idle.Text))
	if err != nil {
		bad = append(bad, domain.FieldError{Field: "idle_lock_minutes", Code: "settings.idle", Msg: "Thời gian tự khóa phải là số phút."})
	}
	cfg.IdleLockMinutes = idle
	limit, err := strconv.Atoi(strings.TrimSpace(s.reschedules.Text))
	if err != nil || limit < 0 || limit > 10 {
		bad = append(bad, domain.FieldError{Field: "reschedule_limit", Code: "settings.reschedules", Msg: "Số lần được hẹn lại phải từ 0 đến 10 (0 = không giới hạn)."})
	}
	cfg.RescheduleLimit = limit
	for _, t := range []struct {
		e   *widget.Entry
		dst *float64
	}{{s.targetOnline, &cfg.Targets.Online}, {s.targetDigital, &cfg.Targets.FullyDigital},
		{s.targetEResult, &cfg.Targets.DigitizedEResult}, {s.targetOnTime, &cfg.Targets.OnTime}} {
		v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(t.e.Text), ",", ".", 1), 64)
		if err != nil {
			bad = append(bad, domain.FieldError{Field: "targets", Code: "unit.targets", Msg: "Chỉ tiêu phải từ 0 đến 100%."})
			break
		}
		*t.dst = v
	}
	oldLang := cfg.Language
	cfg.Language = "vi"
	if s.lang.Selected == "English" {
		cfg.Language = "en"
	}
	if len(bad) > 0 {
		s.banner.set(fieldErrors(bad, s.errs), widget.DangerImportance)
		return
	}
	actor := u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.store.UpdateConfig(ctx, actor, cfg)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.banner.set(fieldErrors(err, s.errs), widget.DangerImportance)
			return
		}
		fieldErrors(nil, s.errs)
		msg := T("Đã lưu cài đặt.")
		if cfg.Language != oldLang {
			SetLanguage(cfg.Language)
			msg += " " + T("Ngôn ngữ mới áp dụng đầy đủ sau khi khởi động lại ứng dụng.")
			u.buildMain()
			u.showScreen(u.screens[len(u.screens)-1])
			return
		}
		s.banner.set(msg, widget.SuccessImportance)
	})
}

// accountsCard lists staff accounts (admin: add, edit, disable) and lets anyone change
// their own password.
func (s *settingsScreen) accountsCard() fyne.CanvasObject {
	own := widget.NewButtonWithIcon(T("Đổi mật khẩu của tôi"), theme.AccountIcon(), s.onOwnPassword)
	if !s.admin {
		return widget.NewCard(T("Tài khoản"), "", container.NewHBox(own))
	}
	s.staffList = widget.NewList(
		func() int { return len(s.staff) },
		func() fyne.CanvasObject {
			unlock := widget.NewButtonWithIcon(T("Mở khóa đăng nhập"), theme.LoginIcon(), nil)
			unlock.Importance = widget.WarningImportance
			return container.NewBorder(nil, nil, nil,
				container.NewHBox(unlock, widget.NewButtonWithIcon(T("Sửa"), theme.DocumentCreateIcon(), nil)), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.staff) {
				return
			}
			st := s.staff[id]
			c := o.(*fyne.Container)
			text := fmt.Sprintf("%s (%s) — %s", st.FullName, st.Username, T(st.Role.Name()))
			if !st.Active {
				text += " — " + T("đã khóa")
			}
			lock, locked := s.locks[st.Username]
			if locked {
				text += " — " + Tf("bị khóa đăng nhập sau %d lần sai", lock.Failures)
			}
			c.Objects[0].(*widget.Label).SetText(text)
			buttons := c.Objects[1].(*fyne.Container).Objects
			unlock := buttons[0].(*widget.Button)
			unlock.OnTapped = func() { s.onUnlock(st.Username) }
			if locked {
				unlock.Show()
			} else {
				unlock.Hide()
			}
			buttons[1].(*widget.Button).OnTapped = func() { s.editStaff(&st) }
		})
	add := widget.NewButtonWithIcon(T("Thêm tài khoản"), theme.ContentAddIcon(), func() { s.editStaff(nil) })
	return widget.NewCard(T("Tài khoản"), T("Vai trò quyết định màn hình và thao tác được phép"),
		container.NewBorder(nil, container.NewHBox(add, own), nil, nil, container.NewGridWrap(fyne.NewSize(760, 200), s.staffList)))
}

func (s *settingsScreen) loadStaff() {
	if s.staffList == nil {
		return
	}
	type result struct {
		staff []domain.Staff
		locks map[string]query.SignInState
	}
	background(s.u, func(ctx context.Context) (result, error) {
		list, err := s.store.ListStaff(ctx)
		if err != nil {
			return result{}, err
		}
		locks, err := s.store.SignInLocks(ctx)
		return result{list, locks}, err
	}, func(r result, err error) {
		if err != nil {
			s.u.showError(err)
			return
		}
		s.staff, s.locks = r.staff, r.locks
		s.staffList.Refresh()
	})
}

// onUnlock lifts the sign-in lock of an account (recorded in the audit log).
func (s *settingsScreen) onUnlock(username string) {
	u := s.u
	actor := u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.store.UnlockSignIn(ctx, actor, username)
	}, func(_ struct{}, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		s.banner.set(Tf("Đã mở khóa đăng nhập cho %s.", username), widget.SuccessImportance)
		s.loadStaff()
	})
}

var roleOptions = []domain.Role{domain.RoleHelper, domain.RoleCounter, domain.RoleSupervisor, domain.RoleAdmin}

// accountForm is the add/edit account dialog.
type accountForm struct {
	username, fullName, password, again *widget.Entry
	role                                *widget.Select
	active                              *widget.Check
	errs                                map[string]*widget.Label
	msg                                 *widget.Label
	save                                *widget.Button
	dialog                              *dialog.CustomDialog
}

// editStaff opens the account dialog: a new account when st is nil. It stays open until the
// account is saved, showing what is wrong next to each field.
func (s *settingsScreen) editStaff(st *domain.Staff) {
	u := s.u
	f := &accountForm{username: widget.NewEntry(), fullName: widget.NewEntry(), password: widget.NewPasswordEntry(),
		again: widget.NewPasswordEntry(), active: widget.NewCheck(T("Đang hoạt động"), nil), msg: errLabel(),
		errs: map[string]*widget.Label{"username": errLabel(), "full_name": errLabel(), "role": errLabel(), "password": errLabel()}}
	var roles []string
	for _, r := range roleOptions {
		roles = append(roles, T(r.Name()))
	}
	f.role = widget.NewSelect(roles, nil)
	title := T("Thêm tài khoản")
	if st != nil {
		title = T("Sửa tài khoản")
		f.username.SetText(st.Username)
		f.username.Disable()
		f.fullName.SetText(st.FullName)
		for i, r := range roleOptions {
			if r == st.Role {
				f.role.SetSelected(roles[i])
			}
		}
		f.active.SetChecked(st.Active)
		f.password.SetPlaceHolder(T("Để trống nếu không đổi"))
	} else {
		f.role.SetSelected(roles[1])
		f.active.SetChecked(true)
		f.active.Disable()
	}
	body := container.NewVBox(
		labelled(T("Tên đăng nhập"), f.username, f.errs["username"]),
		labelled(T("Họ và tên"), f.fullName, f.errs["full_name"]),
		labelled(T("Vai trò"), f.role, f.errs["role"]),
		labelled(T("Mật khẩu (ít nhất 8 ký tự)"), f.password, f.errs["password"]),
		labelled(T("Nhập lại mật khẩu"), f.again, nil),
		f.active, f.msg)
	f.save = widget.NewButtonWithIcon(T("Lưu"), theme.ConfirmIcon(), func() {
		acc := domain.Staff{Username: strings.ToLower(strings.TrimSpace(f.username.Text)), FullName: f.fullName.Text, Active: f.active.Checked}
		for i, r := range roles {
			if r == f.role.Selected {
				acc.Role = roleOptions[i]
			}
		}
		if f.password.Text != f.again.Text {
			setErr(f.msg, T("Hai lần nhập mật khẩu không giống nhau."))
			return
		}
		actor := u.actor()
		pw := f.password.Text
		background(u, func(ctx context.Context) (struct{}, error) {
			if st == nil {
				return struct{}{}, s.store.CreateStaff(ctx, &actor, acc, pw)
			}
			return struct{}{}, s.store.UpdateStaff(ctx, actor, acc, pw)
		}, func(_ struct{}, err error) {
			if err != nil {
				setErr(f.msg, fieldErrors(err, f.errs))
				return
			}
			f.dialog.Hide()
			s.account = nil
			s.loadStaff()
		})
	})
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButton(T("Hủy"), func() { f.dialog.Hide(); s.account = nil })
	f.dialog = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(460, 470), body), u.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.Show()
	s.account = f
}

// onOwnPassword lets the signed-in staff member change their password.
func (s *settingsScreen) onOwnPassword() {
	u := s.u
	pw, again := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	msg := errLabel()
	body := container.NewVBox(labelled(T("Mật khẩu mới (ít nhất 8 ký tự)"), pw, nil), labelled(T("Nhập lại mật khẩu"), again, nil), msg)
	dialog.ShowCustomConfirm(T("Đổi mật khẩu"), T("Lưu"), T("Hủy"), container.NewGridWrap(fyne.NewSize(400, 220), body), func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			u.showError(domain.ValidationError{{Field: "again", Code: "staff.password_again", Msg: "Hai lần nhập mật khẩu không giống nhau."}})
			return
		}
		me := u.actor()
		background(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.store.UpdateStaff(ctx, me, me, pw.Text)
		}, func(_ struct{}, err error) {
			if err != nil {
				u.showError(err)
				return
			}
			u.showInfo(T("Đổi mật khẩu"), T("Đã đổi mật khẩu."))
		})
	}, u.win)
}
