package ui

import (
	"context"
	"strings"
	"time"

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
	noteUntil                     time.Time     // the note stays at least until then
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
	out := widget.NewButtonWithIcon(T("Đăng xuất"), theme.LogoutIcon(), u.signOutAsking)
	for _, l := range []*widget.Label{b.who, b.network, b.waiting, b.lastOK, b.note} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	// The texts get what width is left beside the buttons and shorten with "…" rather than
	// widen the window: offline, the bar's messages are longer than at 1280 px fits.
	texts := container.New(fitRow{}, widget.NewIcon(theme.AccountIcon()), b.who, widget.NewSeparator(),
		b.netIcon, b.network, widget.NewSeparator(), b.waiting, widget.NewSeparator(), b.lastOK, b.note)
	b.box = container.NewBorder(nil, nil, nil, container.NewHBox(lock, out), texts)
	u.onSyncChange(b.refresh)
	return b
}

// fitRow lays objects out left to right at their natural widths. When the row is narrower,
// its truncating labels give up width, the last ones first, down to a few characters each:
// its minimum width is that of its fixed parts, whatever the labels say.
type fitRow struct{}

const fitRowMinLabel = 48 // what a shortened label keeps: a few letters and "…"

// natural is the width an object wants: a truncating label's whole text.
func (fitRow) natural(o fyne.CanvasObject) float32 {
	if l, ok := o.(*widget.Label); ok && l.Truncation != fyne.TextTruncateOff {
		if l.Text == "" {
			return 0
		}
		// Measured as drawn, untruncated, with a little room: the ellipsis is decided on the
		// text's measure inside the padding, which rounds differently.
		whole := widget.NewLabelWithStyle(l.Text, l.Alignment, l.TextStyle)
		return whole.MinSize().Width + theme.Padding()
	}
	return o.MinSize().Width
}

func (r fitRow) least(o fyne.CanvasObject) float32 {
	if l, ok := o.(*widget.Label); ok && l.Truncation != fyne.TextTruncateOff {
		return min(r.natural(o), fitRowMinLabel)
	}
	return o.MinSize().Width
}

func (r fitRow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		w += r.least(o)
		h = max(h, o.MinSize().Height)
		n++
	}
	if n > 1 {
		w += float32(n-1) * theme.Padding()
	}
	return fyne.NewSize(w, h)
}

func (r fitRow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	widths := make([]float32, len(objects))
	var total float32
	n := 0
	for i, o := range objects {
		if o.Visible() {
			widths[i] = r.natural(o)
			total += widths[i]
			n++
		}
	}
	if n > 1 {
		total += float32(n-1) * theme.Padding()
	}
	for i := len(objects) - 1; i >= 0 && total > size.Width; i-- {
		if !objects[i].Visible() {
			continue
		}
		give := min(widths[i]-r.least(objects[i]), total-size.Width)
		widths[i] -= give
		total -= give
	}
	x := float32(0)
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(widths[i], size.Height))
		x += widths[i] + theme.Padding()
	}
}

// flashTime is how long a confirmation stays in the status bar at least: a refresh (every
// tick, and on each change of the sync state) clears it after that.
const flashTime = 5 * time.Second

// flash shows a short confirmation until the next refresh after flashTime.
func (b *statusBar) flash(msg string) {
	b.note.SetText(msg)
	b.noteUntil = b.u.now().Add(flashTime)
	b.box.Refresh()
}

func (b *statusBar) content() fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), b.box)
}

// refresh reads the counts off the UI goroutine.
func (b *statusBar) refresh() {
	background(b.u, b.u.syncInfo, func(info SyncInfo, err error) {
		if err == nil {
			b.apply(info)
		}
	})
}

// syncInfo is what the status bar shows: the sync engine's state, or without one the
// store's counts. Not on the UI goroutine: it may read the database.
func (u *UI) syncInfo(ctx context.Context) (SyncInfo, error) {
	if u.opt.Sync != nil {
		return u.opt.Sync.Info(), nil
	}
	st, err := u.opt.Store.Stats(ctx)
	return SyncInfo{Waiting: st.Outbox, Quarantined: st.Quarantined}, err
}

func (b *statusBar) apply(info SyncInfo) {
	if !b.u.now().Before(b.noteUntil) {
		b.note.SetText("")
	}
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
	text := Tf("Chờ đồng bộ: %s", groupDigits(info.Waiting))
	if left := syncProgress(info); left != "" {
		text = left
	}
	if info.Quarantined > 0 {
		text += " · " + Tf("bị giữ lại: %s", groupDigits(info.Quarantined))
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

// syncProgress says what a pass still has to send, while it sends: events, files, bytes and
// about how long ("" when nothing is being sent).
func syncProgress(info SyncInfo) string {
	if !info.Syncing || info.LeftEvents+info.LeftFiles == 0 {
		return ""
	}
	var parts []string
	if info.LeftEvents > 0 {
		parts = append(parts, Tf("%s sự kiện", groupDigits(info.LeftEvents)))
	}
	if info.LeftFiles > 0 {
		parts = append(parts, Tf("%s tệp", groupDigits(info.LeftFiles)))
	}
	text := Tf("Đang gửi: còn %s (%s)", strings.Join(parts, ", "), domain.FormatBytes(int(info.LeftBytes)))
	switch d := info.LeftTime; {
	case d <= 0:
	case d < time.Minute:
		text += " · " + T("dưới 1 phút")
	case d < time.Hour:
		text += " · " + Tf("khoảng %d phút", int((d+time.Minute-1)/time.Minute))
	default:
		text += " · " + Tf("khoảng %d giờ %d phút", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return text
}
