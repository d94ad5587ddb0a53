package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

func init() {
	settingsSections = append(settingsSections, func(s *settingsScreen) fyne.CanvasObject {
		if !s.admin {
			return nil
		}
		s.backups = newBackupPanel(s)
		return s.backups.card
	})
}

// backupPanel (in Cài đặt, admin only): where the daily backups go, how they are protected
// (the passphrase that encrypts them, or an explicit choice of plain backups), a backup
// now, the list of backups and restoring one.
type backupPanel struct {
	u     *UI
	store settingsStore // what it reads and records
	card  fyne.CanvasObject

	dir                *widget.Entry
	pass, passAgain    *widget.Entry
	protection         *widget.Label
	saveDir, setPass   *widget.Button
	choosePlain        *widget.Button
	backupNow          *widget.Button
	msg                *banner
	mode               query.BackupMode
	entries            []query.BackupEntry
	list               *widget.List
	first              *firstBackupForm // the passphrase asked before the first backup, while open
	restorePass        *widget.Entry    // the passphrase asked when restoring an encrypted backup
	restoreDialog      dialog.Dialog
	restoreTarget      *query.BackupEntry
	confirmRestoreFunc func()
	confirmPlainFunc   func()
	plainDialog        dialog.Dialog
	restoreFrom        *widget.Button
	choice             *widget.RadioGroup // the backups of a chosen folder, while its dialog is open
	choiceEntries      []query.BackupEntry
	choiceDialog       dialog.Dialog
}

// firstBackupForm asks for the backup passphrase before the first backup, or for the
// explicit choice of a plain one.
type firstBackupForm struct {
	pass, again *widget.Entry
	plain       *widget.Check
	msg         *widget.Label
	ok          *widget.Button
	dialog      *dialog.CustomDialog
}

func newBackupPanel(s *settingsScreen) *backupPanel {
	u := s.u
	p := &backupPanel{u: u, store: s.store, dir: widget.NewEntry(), pass: widget.NewPasswordEntry(), passAgain: widget.NewPasswordEntry(),
		protection: widget.NewLabel(""), msg: newBanner(), mode: query.BackupUnset}
	p.protection.Wrapping = fyne.TextWrapWord
	p.dir.SetText(p.store.Config().BackupDir)
	p.dir.SetPlaceHolder(T("Ví dụ: E:\\motcua-saoluu (ổ USB)"))
	pick := widget.NewButtonWithIcon(T("Chọn…"), theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				p.dir.SetText(l.Path())
			}
		}, u.win)
		d.Show()
	})
	p.saveDir = widget.NewButton(T("Lưu thư mục"), p.onSaveDir)
	p.setPass = widget.NewButton(T("Đặt mật khẩu sao lưu"), p.onSetPass)
	p.choosePlain = widget.NewButton(T("Sao lưu không mã hóa…"), p.onChoosePlain)
	p.choosePlain.Importance = widget.LowImportance
	p.backupNow = widget.NewButtonWithIcon(T("Sao lưu ngay"), theme.DocumentSaveIcon(), p.onBackupNow)
	p.backupNow.Importance = widget.HighImportance
	p.list = widget.NewList(func() int { return len(p.entries) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, widget.NewButton(T("Khôi phục…"), nil), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.entries) {
				return
			}
			e := p.entries[id]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(backupLine(e))
			btn := c.Objects[1].(*widget.Button)
			btn.OnTapped = func() { p.onRestore(e) }
			if e.Problem != "" {
				btn.Disable()
			} else {
				btn.Enable()
			}
		})
	p.restoreFrom = widget.NewButtonWithIcon(T("Khôi phục từ thư mục khác…"), theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				p.onRestoreFrom(l.Path())
			}
		}, u.win)
		d.Show()
	})
	note := widget.NewLabel(T("Mỗi ngày ứng dụng tự sao lưu một lần vào thư mục này (kể cả khi đang làm việc), kiểm tra lại bản sao lưu, giữ 7 bản hằng ngày và 4 bản hằng tuần. Bản sao lưu được mã hóa bằng mật khẩu sao lưu; khi khôi phục, bản bị sửa sẽ bị phát hiện. Mất mật khẩu sao lưu thì không khôi phục được bản đã mã hóa."))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	box := container.NewVBox(p.msg.box,
		labelled(T("Thư mục sao lưu"), container.NewBorder(nil, nil, nil, container.NewHBox(pick, p.saveDir), p.dir), nil),
		p.protection,
		container.NewGridWithColumns(3, labelled(T("Mật khẩu sao lưu (ít nhất 8 ký tự)"), p.pass, nil),
			labelled(T("Nhập lại mật khẩu"), p.passAgain, nil), container.NewVBox(widget.NewLabel(""), p.setPass)),
		note,
		container.NewHBox(p.backupNow, spacer(), p.choosePlain),
		container.NewHBox(heading(T("Các bản sao lưu")), spacer(), p.restoreFrom),
		container.NewGridWrap(fyne.NewSize(760, 180), p.list))
	p.msg.parent = box
	p.card = widget.NewCard(T("Sao lưu và khôi phục"), "", box)
	p.load()
	return p
}

func backupLine(e query.BackupEntry) string {
	kind := map[string]string{query.BackupDaily: T("hằng ngày"), query.BackupWeekly: T("hằng tuần"), query.BackupExtra: T("sẽ xóa ở lần xoay vòng tới")}[e.Kind]
	line := fmt.Sprintf("%s · %s · %s · %s", fmtDateTime(e.Time), Tf("%s hồ sơ", groupDigits(e.Dossiers)), domain.FormatBytes(int(e.Size)), kind)
	switch {
	case e.Problem != "":
		line += " · " + T("hỏng: ") + e.Problem
	case e.Encrypted:
		line += " · " + T("đã mã hóa")
	default:
		line += " · " + T("KHÔNG mã hóa, không chống sửa đổi")
	}
	return line
}

// protectionText says how the backups are protected, and how much that is worth.
func protectionText(m query.BackupMode) (string, widget.Importance) {
	switch m {
	case query.BackupEncrypted:
		return T("Bản sao lưu được mã hóa bằng mật khẩu sao lưu và chống sửa đổi: bản bị sửa sẽ không khôi phục được."), widget.SuccessImportance
	case query.BackupLegacy:
		return T("Bản sao lưu đang được mã hóa theo cách cũ. Hãy đặt lại mật khẩu sao lưu (có thể dùng lại mật khẩu cũ) để chuyển sang cách mã hóa mới, có chống sửa đổi."), widget.WarningImportance
	case query.BackupPlain:
		return T("Bản sao lưu KHÔNG mã hóa (theo lựa chọn của quản trị viên): ai cầm được ổ sao lưu đọc được dữ liệu của công dân, và có thể sửa mà không bị phát hiện khi khôi phục."), widget.DangerImportance
	default:
		return T("Chưa đặt mật khẩu sao lưu. Hãy đặt mật khẩu để bản sao lưu được mã hóa và chống sửa đổi."), widget.WarningImportance
	}
}

// load refreshes the protection state and the list of backups.
func (p *backupPanel) load() {
	u := p.u
	dir := strings.TrimSpace(p.store.Config().BackupDir)
	type result struct {
		mode    query.BackupMode
		entries []query.BackupEntry
	}
	background(u, func(ctx context.Context) (result, error) {
		mode, err := u.opt.Backups.BackupMode(ctx)
		if err != nil || dir == "" {
			return result{mode: mode}, err
		}
		entries, err := u.opt.Backups.List(dir)
		return result{mode, entries}, err
	}, func(r result, err error) {
		p.mode = r.mode
		text, imp := protectionText(r.mode)
		p.protection.Importance = imp
		p.protection.SetText(text)
		p.choosePlain.Hidden = r.mode == query.BackupPlain
		p.choosePlain.Refresh()
		if err != nil {
			p.msg.set(errText(err), widget.WarningImportance)
		}
		p.entries = r.entries
		p.list.Refresh()
	})
}

func (p *backupPanel) onSaveDir() {
	u := p.u
	cfg := p.store.Config()
	cfg.BackupDir = strings.TrimSpace(p.dir.Text)
	actor := u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.store.UpdateConfig(ctx, actor, cfg)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.msg.set(errText(err), widget.DangerImportance)
			return
		}
		p.load()
		if p.mode == query.BackupUnset && cfg.BackupDir != "" {
			// No backup is made before a passphrase is set: ask for it now, and back up.
			p.msg.set(T("Đã lưu thư mục sao lưu. Hãy đặt mật khẩu sao lưu để bản sao lưu được mã hóa."), widget.WarningImportance)
			p.askFirstBackup()
			return
		}
		p.msg.set(T("Đã lưu thư mục sao lưu."), widget.SuccessImportance)
	})
}

func (p *backupPanel) onSetPass() {
	u := p.u
	if p.pass.Text != p.passAgain.Text {
		p.msg.set(T("Hai lần nhập mật khẩu không giống nhau."), widget.DangerImportance)
		return
	}
	pass, actor := p.pass.Text, u.actor()
	p.setPass.Disable()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.opt.Backups.SetBackupPassphrase(ctx, actor, pass)
	}, func(_ struct{}, err error) {
		p.setPass.Enable()
		if err != nil {
			p.msg.set(errText(err), widget.DangerImportance)
			return
		}
		p.pass.SetText("")
		p.passAgain.SetText("")
		p.msg.set(T("Đã đặt mật khẩu sao lưu. Hãy ghi lại và cất ở nơi an toàn."), widget.SuccessImportance)
		p.load()
	})
}

// onChoosePlain asks the admin to confirm plain backups, saying what they give up.
func (p *backupPanel) onChoosePlain() {
	u := p.u
	text := widget.NewLabel(T("Bản sao lưu không mã hóa: ai cầm được ổ sao lưu đọc được dữ liệu của công dân, và có thể sửa cơ sở dữ liệu rồi tính lại mã kiểm tra; khi khôi phục sẽ không phát hiện được. Mật khẩu sao lưu đã đặt (nếu có) bị xóa. Vẫn chọn sao lưu không mã hóa?"))
	text.Wrapping = fyne.TextWrapWord
	p.confirmPlainFunc = func() {
		actor := u.actor()
		background(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, u.opt.Backups.ChoosePlainBackups(ctx, actor)
		}, func(_ struct{}, err error) {
			if err != nil {
				p.msg.set(errText(err), widget.DangerImportance)
				return
			}
			p.msg.set(T("Đã chọn sao lưu không mã hóa."), widget.WarningImportance)
			p.load()
		})
	}
	p.plainDialog = dialog.NewCustomConfirm(T("Sao lưu không mã hóa"), T("Không mã hóa"), T("Hủy"),
		container.NewGridWrap(fyne.NewSize(480, 150), text), func(ok bool) {
			if ok {
				p.confirmPlainFunc()
			}
		}, u.win)
	p.plainDialog.Show()
}

func (p *backupPanel) onBackupNow() {
	if p.mode == query.BackupUnset {
		p.askFirstBackup()
		return
	}
	p.runBackup()
}

func (p *backupPanel) runBackup() {
	u := p.u
	actor := u.actor()
	p.backupNow.Disable()
	p.msg.set(T("Đang sao lưu…"), widget.MediumImportance)
	background(u, func(ctx context.Context) (query.BackupDone, error) {
		return u.opt.Backups.BackupNow(ctx, actor)
	}, func(info query.BackupDone, err error) {
		p.backupNow.Enable()
		if err != nil {
			p.msg.set(T("Chưa sao lưu được: ")+errText(err), widget.DangerImportance)
			return
		}
		if info.Encrypted {
			p.msg.set(Tf("Đã sao lưu và kiểm tra: %s", info.Dir), widget.SuccessImportance)
		} else {
			p.msg.set(Tf("Đã sao lưu và kiểm tra (KHÔNG mã hóa, không chống sửa đổi): %s", info.Dir), widget.WarningImportance)
		}
		p.load()
	})
}

// askFirstBackup asks for the passphrase before the first backup (or the explicit choice
// of a plain one), then makes the backup. The dialog stays open until that is settled.
func (p *backupPanel) askFirstBackup() {
	u := p.u
	f := &firstBackupForm{pass: widget.NewPasswordEntry(), again: widget.NewPasswordEntry(), msg: errLabel()}
	f.plain = widget.NewCheck(T("Sao lưu không mã hóa (không chống sửa đổi)"), func(on bool) {
		if on {
			f.pass.Disable()
			f.again.Disable()
		} else {
			f.pass.Enable()
			f.again.Enable()
		}
	})
	intro := widget.NewLabel(T("Lần sao lưu đầu tiên: đặt mật khẩu sao lưu. Bản sao lưu được mã hóa bằng mật khẩu này, và bản bị sửa sẽ bị phát hiện khi khôi phục. Các lần sao lưu sau (kể cả tự động) dùng lại mật khẩu này. Mất mật khẩu thì không khôi phục được."))
	intro.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(intro,
		labelled(T("Mật khẩu sao lưu (ít nhất 8 ký tự)"), f.pass, nil),
		labelled(T("Nhập lại mật khẩu"), f.again, nil),
		f.plain, f.msg)
	f.ok = widget.NewButtonWithIcon(T("Sao lưu"), theme.DocumentSaveIcon(), func() { p.onFirstBackup(f) })
	f.ok.Importance = widget.HighImportance
	cancel := widget.NewButton(T("Hủy"), func() { f.dialog.Hide(); p.first = nil })
	f.dialog = dialog.NewCustomWithoutButtons(T("Mật khẩu sao lưu"), container.NewGridWrap(fyne.NewSize(480, 340), body), u.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.ok})
	f.dialog.Show()
	u.win.Canvas().Focus(f.pass)
	p.first = f
}

func (p *backupPanel) onFirstBackup(f *firstBackupForm) {
	u := p.u
	plain, pass := f.plain.Checked, f.pass.Text
	if !plain && pass != f.again.Text {
		setErr(f.msg, T("Hai lần nhập mật khẩu không giống nhau."))
		return
	}
	actor := u.actor()
	f.ok.Disable()
	background(u, func(ctx context.Context) (struct{}, error) {
		if plain {
			return struct{}{}, u.opt.Backups.ChoosePlainBackups(ctx, actor)
		}
		return struct{}{}, u.opt.Backups.SetBackupPassphrase(ctx, actor, pass)
	}, func(_ struct{}, err error) {
		f.ok.Enable()
		if err != nil {
			setErr(f.msg, errText(err))
			return
		}
		f.dialog.Hide()
		p.first = nil
		p.mode = query.BackupPlain
		if !plain {
			p.mode = query.BackupEncrypted
		}
		p.runBackup()
	})
}

// onRestoreFrom restores from a folder chosen on disk: a backup itself goes straight to the
// confirmation; a folder of backups (the one backups are written into, on another USB
// drive say) lists them, newest first and chosen, and asks which.
func (p *backupPanel) onRestoreFrom(dir string) {
	u := p.u
	one, list, err := u.opt.Backups.Find(dir)
	if err != nil {
		p.msg.set(T("Chưa khôi phục được: ")+errText(err), widget.DangerImportance)
		return
	}
	if list == nil {
		p.onRestore(one)
		return
	}
	p.choiceEntries = nil
	var lines []string
	for _, e := range list {
		if e.Problem == "" {
			p.choiceEntries = append(p.choiceEntries, e)
			lines = append(lines, e.Name+" · "+backupLine(e))
		}
	}
	p.choice = widget.NewRadioGroup(lines, nil)
	p.choice.SetSelected(lines[0]) // BackupIn found at least one readable backup
	text := widget.NewLabel(Tf("Thư mục %s chứa %d bản sao lưu. Bản mới nhất đã được chọn; chọn bản cần khôi phục:", dir, len(list)))
	text.Wrapping = fyne.TextWrapWord
	p.choiceDialog = dialog.NewCustomConfirm(T("Chọn bản sao lưu"), T("Tiếp tục…"), T("Hủy"),
		container.NewGridWrap(fyne.NewSize(640, 320), container.NewBorder(text, nil, nil, nil, container.NewVScroll(p.choice))),
		func(ok bool) {
			if !ok {
				return
			}
			for i, l := range lines {
				if l == p.choice.Selected {
					p.onRestore(p.choiceEntries[i])
				}
			}
		}, u.win)
	p.choiceDialog.Show()
}

// onRestore asks for confirmation (and the passphrase of an encrypted backup), restores the
// backup into a staging folder and closes the app: the swap happens at the next start.
func (p *backupPanel) onRestore(e query.BackupEntry) {
	u := p.u
	p.restoreTarget = &e
	p.restorePass = widget.NewPasswordEntry()
	text := widget.NewLabel(Tf("Khôi phục dữ liệu về bản sao lưu lúc %s? Hồ sơ nhập sau thời điểm đó sẽ không có trong dữ liệu khôi phục; dữ liệu hiện tại được giữ nguyên ở một thư mục bên cạnh. Ứng dụng sẽ đóng; hãy mở lại để dùng dữ liệu đã khôi phục.", fmtDateTime(e.Time)))
	text.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{text}
	if e.Encrypted {
		items = append(items, labelled(T("Mật khẩu sao lưu"), p.restorePass, nil))
	} else {
		warn := widget.NewLabel(T("Bản sao lưu này KHÔNG mã hóa: không chứng minh được là chưa bị sửa. Chỉ khôi phục nếu chắc chắn ổ sao lưu chưa qua tay người khác."))
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.DangerImportance
		items = append(items, warn)
	}
	p.confirmRestoreFunc = func() {
		pass := p.restorePass.Text
		background(u, func(ctx context.Context) (query.RestoreStaged, error) {
			return u.opt.Backups.StageRestore(ctx, e.Dir, pass)
		}, func(info query.RestoreStaged, err error) {
			if err != nil {
				p.msg.set(T("Chưa khôi phục được: ")+errText(err), widget.DangerImportance)
				return
			}
			u.log.Info("restore staged", "from", e.Dir, "staging", info.Dir, "kept_secrets", info.KeptSecrets)
			done := T("Đã chuẩn bị dữ liệu khôi phục. Ứng dụng sẽ đóng; hãy mở lại.")
			if info.NeedsEnrollment {
				done += "\n" + T("Dữ liệu khôi phục không mang mã truy cập đồng bộ của máy trạm đã sao lưu: sau khi mở lại, hãy đăng ký lại với hệ thống của thành phố rồi mới đồng bộ.")
			}
			d := dialog.NewInformation(T("Khôi phục"), done, u.win)
			d.SetOnClosed(u.opt.Quit)
			d.Show()
		})
	}
	p.restoreDialog = dialog.NewCustomConfirm(T("Khôi phục từ bản sao lưu"), T("Khôi phục"), T("Hủy"),
		container.NewGridWrap(fyne.NewSize(520, 220), container.NewVBox(items...)), func(ok bool) {
			if ok {
				p.confirmRestoreFunc()
			}
		}, u.win)
	p.restoreDialog.Show()
}
