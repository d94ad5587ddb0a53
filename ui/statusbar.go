package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// statusBar always shows who is signed in, whether the central system is reachable, how
// many changes wait to be sent, and when the last sync succeeded.
type statusBar struct {
	u                             *UI
	who, network, waiting, lastOK *widget.Label
	note                          *widget.Label // a short message after an action (e.g. a visit counted)
	netIcon                       *widget.Icon
	box                           *fyne.Container
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u,
		who: widget.NewLabel(""), network: widget.NewLabel(""), waiting: widget.NewLabel(""), lastOK: widget.NewLabel(""),
		netIcon: widget.NewIcon(theme.MediaRecordIcon()), note: widget.NewLabel("")}
	b.note.Importance = widget.SuccessImportance
	st := u.actor()
	b.who.SetText(st.FullName + " · " + T(st.Role.Name()))
	lock := widget.NewButtonWithIcon(T("Khóa"), theme.VisibilityOffIcon(), u.lock)
	out := widget.NewButtonWithIcon(T("Đăng xuất"), theme.LogoutIcon(), u.signOut)
	b.box = container.NewHBox(widget.NewIcon(theme.AccountIcon()), b.who, widget.NewSeparator(),
		b.netIcon, b.network, widget.NewSeparator(), b.waiting, widget.NewSeparator(), b.lastOK, spacer(), b.note, lock, out)
	if u.opt.Sync != nil {
		u.opt.Sync.OnChange(func() { u.opt.Do(b.apply(u.opt.Sync.Info(), -1)) })
	}
	return b
}

// flash shows a short confirmation until the next refresh.
func (b *statusBar) flash(msg string) {
	b.note.SetText(msg)
	b.box.Refresh()
}

func (b *statusBar) content() fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), b.box)
}

// refresh reads the counts off the UI goroutine.
func (b *statusBar) refresh() {
	u := b.u
	background(u, func(ctx context.Context) (SyncInfo, error) {
		if u.opt.Sync != nil {
			return u.opt.Sync.Info(), nil
		}
		st, err := u.opt.Store.Stats(ctx)
		return SyncInfo{Waiting: st.Outbox, Quarantined: st.Quarantined}, err
	}, func(info SyncInfo, err error) {
		if err == nil {
			b.apply(info, 0)()
		}
	})
}

func (b *statusBar) apply(info SyncInfo, _ int) func() {
	return func() {
		b.note.SetText("")
		switch {
		case !info.Enrolled:
			b.netIcon.SetResource(theme.MediaRecordIcon())
			b.network.SetText(T("Chưa kết nối máy chủ thành phố"))
		case info.Paused:
			b.netIcon.SetResource(theme.ErrorIcon())
			b.network.SetText(T("Đồng bộ tạm dừng: cần đăng ký lại máy"))
		case info.Online:
			b.netIcon.SetResource(theme.ConfirmIcon())
			b.network.SetText(T("Trực tuyến"))
		default:
			b.netIcon.SetResource(theme.WarningIcon())
			b.network.SetText(T("Ngoại tuyến — vẫn làm việc bình thường"))
		}
		text := Tf("Chờ đồng bộ: %d", info.Waiting)
		if info.Quarantined > 0 {
			text += " · " + Tf("bị giữ lại: %d", info.Quarantined)
		}
		if peers := peersStatus(info.Peers); peers != "" {
			text += " · " + peers
		}
		b.waiting.SetText(text)
		switch {
		case !info.LastSuccess.IsZero():
			b.lastOK.SetText(Tf("Đồng bộ lần cuối: %s", fmtDateTime(info.LastSuccess)))
		case info.Enrolled:
			b.lastOK.SetText(T("Chưa đồng bộ lần nào"))
		default:
			b.lastOK.SetText("")
		}
		if domain.ClockOff(info.Skew) {
			b.lastOK.SetText(b.lastOK.Text + " · " + T("Đồng hồ máy lệch so với máy chủ"))
		}
		b.box.Refresh() // the labels' widths changed: lay the bar out again
	}
}
