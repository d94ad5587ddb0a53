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

	"motcua/localdb"
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

// backupPanel (in Cài đặt, admin only): where the daily backups go, the passphrase that
// encrypts them, a backup now, the list of backups and restoring one.
type backupPanel struct {
	u    *UI
	card fyne.CanvasObject

	dir                *widget.Entry
	pass, passAgain    *widget.Entry
	encrypted          *widget.Label
	saveDir, setPass   *widget.Button
	backupNow          *widget.Button
	msg                *banner
	entries            []localdb.BackupEntry
	list               *widget.List
	restorePass        *widget.Entry // the passphrase asked when restoring an encrypted backup
	restoreDialog      dialog.Dialog
	restoreTarget      *localdb.BackupEntry
	confirmRestoreFunc func()
}

func newBackupPanel(s *settingsScreen) *backupPanel {
	u := s.u
	p := &backupPanel{u: u, dir: widget.NewEntry(), pass: widget.NewPasswordEntry(), passAgain: widget.NewPasswordEntry(),
		encrypted: widget.NewLabel(""), msg: newBanner()}
	p.dir.SetText(u.opt.Store.Config().BackupDir)
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
	p.pass.SetPlaceHolder(T("Để trống: không mã hóa"))
	p.setPass = widget.NewButton(T("Đặt mật khẩu sao lưu"), p.onSetPass)
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
	note := widget.NewLabel(T("Mỗi ngày ứng dụng tự sao lưu một lần vào thư mục này (kể cả khi đang làm việc), kiểm tra lại bản sao lưu, giữ 7 bản hằng ngày và 4 bản hằng tuần. Mất mật khẩu sao lưu thì không khôi phục được bản đã mã hóa."))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	box := container.NewVBox(p.msg.box,
		labelled(T("Thư mục sao lưu"), container.NewBorder(nil, nil, nil, container.NewHBox(pick, p.saveDir), p.dir), nil),
		container.NewGridWithColumns(3, labelled(T("Mật khẩu sao lưu (ít nhất 8 ký tự)"), p.pass, nil),
			labelled(T("Nhập lại mật khẩu"), p.passAgain, nil), container.NewVBox(p.encrypted, p.setPass)),
		note,
		container.NewHBox(p.backupNow),
		heading(T("Các bản sao lưu")),
		container.NewGridWrap(fyne.NewSize(760, 180), p.list))
	p.msg.parent = box
	p.card = widget.NewCard(T("Sao lưu và khôi phục"), "", box)
	p.load()
	return p
}

func backupLine(e localdb.BackupEntry) string {
	kind := map[string]string{localdb.BackupDaily: T("hằng ngày"), localdb.BackupWeekly: T("hằng tuần"), localdb.BackupExtra: T("sẽ xóa ở lần xoay vòng tới")}[e.Kind]
	line := fmt.Sprintf("%s · %s · %.1f MB · %s", fmtDateTime(e.Time), Tf("%d hồ sơ", e.Dossiers), float64(e.Size)/(1<<20), kind)
	if e.Encrypted {
		line += " · " + T("đã mã hóa")
	}
	if e.Problem != "" {
		line += " · " + T("hỏng: ") + e.Problem
	}
	return line
}

// load refreshes the encryption state and the list of backups.
func (p *backupPanel) load() {
	u := p.u
	dir := strings.TrimSpace(u.opt.Store.Config().BackupDir)
	type result struct {
		enc     bool
		entries []localdb.BackupEntry
	}
	background(u, func(ctx context.Context) (result, error) {
		enc, err := u.opt.Store.BackupEncrypted(ctx)
		if err != nil || dir == "" {
			return result{enc: enc}, err
		}
		entries, err := localdb.ListBackups(dir)
		return result{enc, entries}, err
	}, func(r result, err error) {
		if r.enc {
			p.encrypted.SetText(T("Bản sao lưu được mã hóa."))
		} else {
			p.encrypted.SetText(T("Bản sao lưu chưa được mã hóa."))
		}
		if err != nil {
			p.msg.set(errText(err), widget.WarningImportance)
		}
		p.entries = r.entries
		p.list.Refresh()
	})
}

func (p *backupPanel) onSaveDir() {
	u := p.u
	cfg := u.opt.Store.Config()
	cfg.BackupDir = strings.TrimSpace(p.dir.Text)
	actor := u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.opt.Store.UpdateConfig(ctx, actor, cfg)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.msg.set(errText(err), widget.DangerImportance)
			return
		}
		p.msg.set(T("Đã lưu thư mục sao lưu."), widget.SuccessImportance)
		p.load()
	})
}

func (p *backupPanel) onSetPass() {
	u := p.u
	if p.pass.Text != p.passAgain.Text {
		p.msg.set(T("Hai lần nhập mật khẩu không giống nhau."), widget.DangerImportance)
		return
	}
	pass, actor := p.pass.Text, u.actor()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.opt.Store.SetBackupPassphrase(ctx, actor, pass)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.msg.set(errText(err), widget.DangerImportance)
			return
		}
		p.pass.SetText("")
		p.passAgain.SetText("")
		if pass == "" {
			p.msg.set(T("Đã tắt mã hóa bản sao lưu."), widget.SuccessImportance)
		} else {
			p.msg.set(T("Đã đặt mật khẩu sao lưu. Hãy ghi lại và cất ở nơi an toàn."), widget.SuccessImportance)
		}
		p.load()
	})
}

func (p *backupPanel) onBackupNow() {
	u := p.u
	actor := u.actor()
	p.backupNow.Disable()
	p.msg.set(T("Đang sao lưu…"), widget.MediumImportance)
	background(u, func(ctx context.Context) (localdb.BackupInfo, error) {
		return u.opt.Store.BackupNow(ctx, actor)
	}, func(info localdb.BackupInfo, err error) {
		p.backupNow.Enable()
		if err != nil {
			p.msg.set(T("Chưa sao lưu được: ")+errText(err), widget.DangerImportance)
			return
		}
		p.msg.set(Tf("Đã sao lưu và kiểm tra: %s", info.Dir), widget.SuccessImportance)
		p.load()
	})
}

// onRestore asks for confirmation (and the passphrase of an encrypted backup), restores the
// backup into a staging folder and closes the app: the swap happens at the next start.
func (p *backupPanel) onRestore(e localdb.BackupEntry) {
	u := p.u
	p.restoreTarget = &e
	p.restorePass = widget.NewPasswordEntry()
	text := widget.NewLabel(Tf("Khôi phục dữ liệu về bản sao lưu lúc %s? Hồ sơ nhập sau thời điểm đó sẽ không có trong dữ liệu khôi phục; dữ liệu hiện tại được giữ nguyên ở một thư mục bên cạnh. Ứng dụng sẽ đóng; hãy mở lại để dùng dữ liệu đã khôi phục.", fmtDateTime(e.Time)))
	text.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{text}
	if e.Encrypted {
		items = append(items, labelled(T("Mật khẩu sao lưu"), p.restorePass, nil))
	}
	p.confirmRestoreFunc = func() {
		pass, dataDir := p.restorePass.Text, u.opt.Store.Dir()
		background(u, func(ctx context.Context) (string, error) {
			return localdb.StageRestore(ctx, e.Dir, dataDir, pass)
		}, func(staging string, err error) {
			if err != nil {
				p.msg.set(T("Chưa khôi phục được: ")+errText(err), widget.DangerImportance)
				return
			}
			u.log.Info("restore staged", "from", e.Dir, "staging", staging)
			d := dialog.NewInformation(T("Khôi phục"), T("Đã chuẩn bị dữ liệu khôi phục. Ứng dụng sẽ đóng; hãy mở lại."), u.win)
			d.SetOnClosed(u.opt.Quit)
			d.Show()
		})
	}
	p.restoreDialog = dialog.NewCustomConfirm(T("Khôi phục từ bản sao lưu"), T("Khôi phục"), T("Hủy"),
		container.NewGridWrap(fyne.NewSize(520, 200), container.NewVBox(items...)), func(ok bool) {
			if ok {
				p.confirmRestoreFunc()
			}
		}, u.win)
	p.restoreDialog.Show()
}
