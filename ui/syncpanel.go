package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

func init() {
	settingsSections = append(settingsSections, func(s *settingsScreen) fyne.CanvasObject {
		s.sync = newSyncPanel(s)
		return s.sync.card
	})
}

// syncPanel (in Cài đặt) shows the reconciliation with the city's system: enrollment, what
// waits, what was held back and why, the last success and error in plain words, and lets
// staff sync now or export what was not sent.
type syncPanel struct {
	u     *UI
	store settingsStore // what it reads and records
	card  fyne.CanvasObject

	state, waiting, last, lastErr *widget.Label
	plainHTTP                     *widget.Label // warns while the connection is not encrypted
	syncNow, export               *widget.Button

	server, code, device *widget.Entry
	allowHTTP            *widget.Check
	enroll               *widget.Button
	enrollMsg            *widget.Label
	peers                *peersPanel  // LAN peers (peerspanel.go)
	bundles              *bundlePanel // nil when the sync engine cannot carry USB bundles
}

func newSyncPanel(s *settingsScreen) *syncPanel {
	u := s.u
	p := &syncPanel{u: u, store: s.store, state: widget.NewLabel(""), waiting: widget.NewLabel(""), last: widget.NewLabel(""), lastErr: widget.NewLabel("")}
	p.lastErr.Wrapping = fyne.TextWrapWord
	p.lastErr.Importance = widget.DangerImportance
	p.plainHTTP = widget.NewLabelWithStyle(T("Kết nối không mã hóa (http): hồ sơ đi qua mạng ở dạng đọc được và có thể bị sửa dọc đường. Hãy chuyển sang https khi máy chủ hỗ trợ."),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.plainHTTP.Wrapping = fyne.TextWrapWord
	p.plainHTTP.Importance = widget.WarningImportance
	p.plainHTTP.Hide()
	p.syncNow = widget.NewButtonWithIcon(T("Đồng bộ ngay"), theme.ViewRefreshIcon(), func() {
		u.touch()
		if u.opt.Sync != nil {
			u.opt.Sync.SyncNow()
		}
	})
	p.export = widget.NewButtonWithIcon(T("Xuất các mục chưa gửi…"), theme.DownloadIcon(), p.onExport)
	items := []fyne.CanvasObject{p.state, p.plainHTTP, p.waiting, p.last, p.lastErr, container.NewHBox(p.syncNow, p.export)}
	p.peers = newPeersPanel(u, s.admin)
	items = append(items, p.peers.box)
	if p.bundles = newBundlePanel(u); p.bundles != nil {
		items = append(items, p.bundles.box)
	}

	if s.admin {
		cfg := p.store.Config()
		p.server, p.code, p.device = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
		p.server.SetPlaceHolder("https://dongbo.haiphong.gov.vn")
		p.server.SetText(cfg.ServerURL)
		p.code.SetPlaceHolder(T("Mã đăng ký do quản trị hệ thống thành phố cấp"))
		host, _ := os.Hostname()
		name := cfg.DeviceName
		if name == "" {
			name = Tf("Máy số %d", cfg.Slot)
			if host != "" {
				name += " (" + host + ")"
			}
		}
		p.device.SetText(name)
		// Plain http to another machine is an administrator's explicit choice (a closed
		// local network without TLS); without it, enrolling to such an address is refused.
		p.allowHTTP = widget.NewCheck(T("Cho phép kết nối không mã hóa (http) tới máy chủ trong mạng nội bộ"), nil)
		p.allowHTTP.SetChecked(cfg.AllowPlainHTTP)
		p.enroll = widget.NewButtonWithIcon(T("Đăng ký máy với hệ thống thành phố"), theme.LoginIcon(), p.onEnroll)
		p.enrollMsg = errLabel()
		items = append(items, widget.NewSeparator(), heading(T("Đăng ký máy trạm")),
			container.NewGridWithColumns(3,
				labelled(T("Địa chỉ máy chủ"), p.server, nil),
				labelled(T("Mã đăng ký"), p.code, nil),
				labelled(T("Tên máy trạm"), p.device, nil)),
			p.allowHTTP, container.NewHBox(p.enroll), p.enrollMsg)
	}
	p.card = widget.NewCard(T("Kết nối hệ thống của thành phố"), T("Làm việc bình thường khi mất mạng; dữ liệu được gửi khi có kết nối"),
		container.NewVBox(items...))
	p.refresh()
	u.onSyncChange(p.refresh)
	return p
}

// refresh shows the engine's state.
func (p *syncPanel) refresh() {
	if p.u.opt.Sync == nil {
		p.state.SetText(T("Đồng bộ chưa được bật trên máy này."))
		p.syncNow.Disable()
		return
	}
	info := p.u.opt.Sync.Info()
	p.peers.apply(info.Peers)
	switch {
	case !info.Enrolled:
		p.state.SetText(T("Chưa đăng ký với hệ thống của thành phố: mọi hồ sơ được giữ trên máy này."))
	case info.Paused:
		p.state.SetText(Tf("Đồng bộ tạm dừng với %s: cần đăng ký lại máy.", info.Server))
	case info.Syncing:
		p.state.SetText(Tf("Đang đồng bộ với %s…", info.Server))
	case info.Online:
		p.state.SetText(Tf("Trực tuyến với %s.", info.Server))
	default:
		p.state.SetText(Tf("Ngoại tuyến: chưa kết nối được %s; sẽ tự thử lại.", info.Server))
	}
	text := Tf("Chờ gửi: %s sự kiện, %s tệp.", groupDigits(info.Waiting), groupDigits(info.FilesWaiting))
	if info.Refused > 0 {
		text += " " + Tf("Nhận về bị từ chối vì không tin được: %s (xem ở Giám sát → Xung đột và đồng bộ).", groupDigits(info.Refused))
	}
	if info.Quarantined > 0 {
		text += " " + Tf("Bị giữ lại: %s (xem ở Giám sát → Xung đột và đồng bộ).", groupDigits(info.Quarantined))
	}
	p.waiting.SetText(text)
	if info.LastSuccess.IsZero() {
		p.last.SetText(T("Chưa đồng bộ thành công lần nào."))
	} else {
		p.last.SetText(Tf("Đồng bộ thành công lần cuối: %s.", fmtDateTime(info.LastSuccess)))
	}
	if info.PlainHTTP {
		p.plainHTTP.Show()
	} else {
		p.plainHTTP.Hide()
	}
	p.lastErr.SetText(info.LastError)
	if info.LastError == "" {
		p.lastErr.Hide()
	} else {
		p.lastErr.Show()
	}
	if info.Enrolled {
		p.syncNow.Enable()
	} else {
		p.syncNow.Disable()
	}
}

func (p *syncPanel) onEnroll() {
	u := p.u
	if u.opt.Sync == nil {
		return
	}
	server, code, name := strings.TrimSpace(p.server.Text), strings.TrimSpace(p.code.Text), strings.TrimSpace(p.device.Text)
	allowHTTP := p.allowHTTP.Checked
	if server == "" || code == "" {
		setErr(p.enrollMsg, T("Nhập địa chỉ máy chủ và mã đăng ký."))
		return
	}
	p.enroll.Disable()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.opt.Sync.Enroll(ctx, server, code, name, allowHTTP)
	}, func(_ struct{}, err error) {
		p.enroll.Enable()
		if err != nil {
			setErr(p.enrollMsg, T("Chưa đăng ký được: ")+errText(err))
			return
		}
		p.code.SetText("")
		setErr(p.enrollMsg, "")
		p.enrollMsg.Importance = widget.SuccessImportance
		p.enrollMsg.SetText(T("Đã đăng ký máy với hệ thống của thành phố; việc đồng bộ bắt đầu ngay."))
		p.enrollMsg.Show()
		p.refresh()
	})
}

// onExport writes what was not sent to a JSON file in the printouts folder.
func (p *syncPanel) onExport() {
	u := p.u
	path := filepath.Join(u.printDir(), "chua-gui-"+u.now().In(domain.VN()).Format("20060102-1504")+".json")
	background(u, func(ctx context.Context) (int, error) {
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		n, err := p.store.ExportUnsent(ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return n, err
	}, func(n int, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		u.showInfo(T("Xuất các mục chưa gửi"), Tf("Đã ghi %s sự kiện chưa gửi vào tệp:\n%s", groupDigits(n), path))
	})
}
