package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"motcua/localdb"
)

// peerSyncer is a Syncer with LAN peers kept in the real store (the peer node itself is
// tested in sync/peer).
type peerSyncer struct {
	store *localdb.Store
	last  time.Time
	subs  Listeners
}

func (p *peerSyncer) Info() SyncInfo {
	ps, _ := p.store.Peers(context.Background())
	info := SyncInfo{Enrolled: true, Online: false, Server: "https://dongbo.example",
		Peers: PeersInfo{Enabled: true, Serving: true, Addr: "[::]:47470", LastExchange: p.last}}
	for _, x := range ps {
		info.Peers.List = append(info.Peers.List, PeerLine{Addr: x.Addr, Name: x.Name, Discovered: x.Source == localdb.PeerMDNS,
			LastExchange: x.LastExchange, Received: x.Received, Error: x.LastError})
		if x.Device != "" && x.LastError == "" {
			info.Peers.Seen++
		}
	}
	return info
}
func (p *peerSyncer) OnChange(f func()) func() { return p.subs.Add(f) }
func (p *peerSyncer) SyncNow()                 {}
func (p *peerSyncer) Enroll(context.Context, string, string, string, bool) error {
	return nil
}
func (p *peerSyncer) changed() { p.subs.Notify() }
func (p *peerSyncer) AddPeer(ctx context.Context, addr string) error {
	_, err := p.store.AddPeer(ctx, addr, localdb.PeerManual)
	p.changed()
	return err
}
func (p *peerSyncer) RemovePeer(ctx context.Context, addr string) error {
	_, err := p.store.RemovePeer(ctx, addr)
	p.changed()
	return err
}

// An admin types a peer's address in the sync panel, sees it listed with what happened
// there, and removes it; a wrong address gets a message; the status bar counts the peers.
func TestPeersInTheSyncPanel(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	sy := &peerSyncer{store: h.store, last: vnTime(2026, 3, 2, 8, 45)}
	h.ui.opt.Sync = sy
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	pp := findSyncPanel(t, s).peers
	if pp == nil || pp.box.Hidden || pp.addr == nil {
		t.Fatal("no peers section, or no address entry for the admin")
	}
	texts := visibleTexts(s.root)
	for _, want := range []string{"Máy ngang hàng trong mạng nội bộ", "Máy này phục vụ các máy cùng đơn vị tại [::]:47470", "Chưa biết máy ngang hàng nào"} {
		if !containsText(texts, want) {
			t.Errorf("the panel does not show %q: %v", want, texts)
		}
	}

	test.Type(pp.addr, "không phải:địa chỉ")
	test.Tap(pp.add)
	h.settle()
	if pp.msg.Hidden || !containsText([]string{pp.msg.Text}, "không đúng dạng") {
		t.Fatalf("a wrong address gave %q", pp.msg.Text)
	}
	pp.addr.SetText("192.168.1.12")
	test.Tap(pp.add)
	h.settle()
	ps, _ := h.store.Peers(ctx)
	if len(ps) != 1 || ps[0].Addr != "192.168.1.12:47470" {
		t.Fatalf("peers after adding: %+v", ps)
	}
	h.store.NotePeer(ctx, ps[0].Addr, localdb.PeerOutcome{Device: "d2", Name: "Quầy 2", Received: 12, Complete: true})
	sy.changed()
	h.settle()
	texts = visibleTexts(s.root)
	if !containsText(texts, "192.168.1.12:47470 — Quầy 2 (tự nhập)") || !containsText(texts, "đã nhận 12 sự kiện") || !containsText(texts, "Đang kết nối được 1/1 máy") {
		t.Fatalf("the peer is not listed as it is: %v", texts)
	}
	if !containsText([]string{h.ui.status.waiting.Text}, "Máy ngang hàng: 1 · trao đổi lúc 08:45") {
		t.Errorf("status bar: %q", h.ui.status.waiting.Text)
	}
	// The pictures, with MOTCUA_SYNCPANEL_PNG=DIR: the panel and the status bar.
	if dir := os.Getenv("MOTCUA_SYNCPANEL_PNG"); dir != "" {
		for name, o := range map[string]fyne.CanvasObject{"syncpanel-peers.png": findSyncPanel(t, s).card, "statusbar-peers.png": h.ui.status.box} {
			w := test.NewWindow(o)
			w.Resize(fyne.NewSize(1366, o.MinSize().Height+8))
			out, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(out, w.Canvas().Capture())
			out.Close()
		}
	}
	h.store.NotePeer(ctx, ps[0].Addr, localdb.PeerOutcome{Error: "Không kết nối được với máy ngang hàng 192.168.1.12:47470 (máy tắt, sai địa chỉ hoặc bị tường lửa chặn)."})
	sy.changed()
	h.settle()
	if !containsText(visibleTexts(s.root), "máy tắt, sai địa chỉ") {
		t.Fatal("the peer's error is not shown")
	}
	// Remove it.
	var rm *widget.Button
	walkObjects(pp.list, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Bỏ" {
			rm = b
		}
	})
	if rm == nil {
		t.Fatal("no remove button for the admin")
	}
	test.Tap(rm)
	h.settle()
	if ps, _ := h.store.Peers(ctx); len(ps) != 0 {
		t.Fatalf("peers after removing: %+v", ps)
	}
}
