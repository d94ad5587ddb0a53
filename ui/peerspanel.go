package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
)

// PeersInfo is what the status bar and the sync panel show of the LAN peers: the unit's
// other workstations this one exchanges events with directly (sync/peer).
type PeersInfo struct {
	Enabled      bool      // peer sync runs on this workstation
	Serving      bool      // its peer server listens
	Addr         string    // where
	ServeError   string    // why it does not (plain Vietnamese)
	Seen         int       // peers that answered and were admitted lately
	LastExchange time.Time // the last exchange that reached the end with some peer
	List         []PeerLine
}

// PeerLine is one known peer.
type PeerLine struct {
	Addr         string
	Name         string // the workstation's name, once it answered
	Discovered   bool   // found on the LAN rather than typed
	LastExchange time.Time
	Received     int
	Error        string
}

// PeerEditor is the part of a Syncer that lets an admin type peer addresses. It is optional:
// a Syncer without peers does not implement it.
type PeerEditor interface {
	AddPeer(ctx context.Context, addr string) error
	RemovePeer(ctx context.Context, addr string) error
}

// peersStatus is the status bar's short line about the peers ("" when peer sync is off).
func peersStatus(p PeersInfo) string {
	if !p.Enabled {
		return ""
	}
	s := Tf("Máy ngang hàng: %d", p.Seen)
	if !p.LastExchange.IsZero() {
		s += " · " + Tf("trao đổi lúc %s", p.LastExchange.In(domain.VN()).Format("15:04"))
	}
	return s
}

// peersPanel is the LAN part of the sync panel: whether this workstation serves its peers,
// each peer with its last exchange and error, and, for an admin, addresses to type (many
// office networks block the multicast that discovery needs).
type peersPanel struct {
	u      *UI
	box    *fyne.Container
	state  *widget.Label
	list   *fyne.Container
	addr   *widget.Entry
	add    *widget.Button
	msg    *widget.Label
	editor PeerEditor
}

func newPeersPanel(u *UI, admin bool) *peersPanel {
	p := &peersPanel{u: u, state: widget.NewLabel(""), list: container.NewVBox(), msg: errLabel()}
	p.state.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{widget.NewSeparator(), heading(T("Máy ngang hàng trong mạng nội bộ")), p.state, p.list}
	if ed, ok := u.opt.Sync.(PeerEditor); ok && admin {
		p.editor = ed
		p.addr = widget.NewEntry()
		p.addr.SetPlaceHolder("192.168.1.12:47470")
		p.addr.OnSubmitted = func(string) { p.onAdd() }
		p.add = widget.NewButtonWithIcon(T("Thêm máy ngang hàng"), theme.ContentAddIcon(), p.onAdd)
		items = append(items, container.NewBorder(nil, nil, nil, p.add, p.addr), p.msg)
	}
	p.box = container.NewVBox(items...)
	p.box.Hide() // until the engine says peer sync runs
	return p
}

// apply shows the peers (on the UI goroutine).
func (p *peersPanel) apply(info PeersInfo) {
	if !info.Enabled {
		p.box.Hide()
		return
	}
	p.box.Show()
	var st []string
	switch {
	case info.Serving:
		st = append(st, Tf("Máy này phục vụ các máy cùng đơn vị tại %s (mã hóa, xác thực bằng khóa của máy trạm).", info.Addr))
	case info.ServeError != "":
		st = append(st, info.ServeError)
	default:
		st = append(st, T("Máy này không phục vụ máy ngang hàng (đã tắt trong cài đặt)."))
	}
	if len(info.List) == 0 {
		st = append(st, T("Chưa biết máy ngang hàng nào: máy tự tìm trong mạng nội bộ, hoặc quản trị nhập địa chỉ bên dưới."))
	} else {
		st = append(st, Tf("Đang kết nối được %d/%d máy.", info.Seen, len(info.List)))
	}
	p.state.SetText(strings.Join(st, " "))
	p.list.RemoveAll()
	for _, l := range info.List {
		p.list.Add(p.line(l))
	}
	p.box.Refresh()
}

func (p *peersPanel) line(l PeerLine) fyne.CanvasObject {
	name := l.Name
	if name == "" {
		name = T("chưa kết nối")
	}
	src := T("tự nhập")
	if l.Discovered {
		src = T("tự tìm")
	}
	text := fmt.Sprintf("%s — %s (%s)", l.Addr, name, src)
	if l.LastExchange.IsZero() {
		text += " · " + T("chưa trao đổi")
	} else {
		text += " · " + Tf("trao đổi lần cuối %s, đã nhận %s sự kiện", fmtDateTime(l.LastExchange), groupDigits(l.Received))
	}
	lbl := widget.NewLabel(text)
	lbl.Wrapping = fyne.TextWrapWord
	row := []fyne.CanvasObject{lbl}
	if l.Error != "" {
		e := widget.NewLabel(l.Error)
		e.Wrapping = fyne.TextWrapWord
		e.Importance = widget.DangerImportance
		row = append(row, e)
	}
	if p.editor == nil {
		return container.NewVBox(row...)
	}
	addr := l.Addr
	rm := widget.NewButtonWithIcon(T("Bỏ"), theme.DeleteIcon(), func() { p.onRemove(addr) })
	return container.NewBorder(nil, nil, nil, rm, container.NewVBox(row...))
}

func (p *peersPanel) onAdd() {
	addr := strings.TrimSpace(p.addr.Text)
	if addr == "" {
		setErr(p.msg, T("Nhập địa chỉ máy ngang hàng, ví dụ 192.168.1.12:47470."))
		return
	}
	p.u.touch()
	p.add.Disable()
	background(p.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.editor.AddPeer(ctx, addr)
	}, func(_ struct{}, err error) {
		p.add.Enable()
		if err != nil {
			setErr(p.msg, T("Chưa thêm được: ")+errText(err))
			return
		}
		p.addr.SetText("")
		setErr(p.msg, "")
	})
}

func (p *peersPanel) onRemove(addr string) {
	p.u.touch()
	background(p.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.editor.RemovePeer(ctx, addr)
	}, func(_ struct{}, err error) {
		if err != nil {
			setErr(p.msg, errText(err))
		}
	})
}
