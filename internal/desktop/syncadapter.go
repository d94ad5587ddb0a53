package desktop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/peer"
	"motcua/ui"
)

// The screens see the store through ui's interfaces; the real store must keep fitting them.
var (
	_ ui.Store       = (*localdb.Store)(nil)
	_ ui.Backups     = localdb.BackupDesk{}
	_ ui.Syncer      = (*syncAdapter)(nil)
	_ ui.PeerEditor  = (*syncAdapter)(nil)
	_ ui.FileFetcher = (*syncAdapter)(nil)
)

// syncAdapter shows the sync engine to the UI through ui.Syncer, and the LAN peers
// through ui.PeerEditor and SyncInfo.Peers.
type syncAdapter struct {
	engine *appsync.Engine
	store  *localdb.Store
	peers  *peer.Node // nil: no peer sync
	subs   ui.Listeners
}

func newSyncAdapter(e *appsync.Engine, s *localdb.Store, peers *peer.Node) *syncAdapter {
	a := &syncAdapter{engine: e, store: s, peers: peers}
	e.Subscribe(func(appsync.Status) { a.subs.Notify() })
	if peers != nil {
		peers.Subscribe(func(peer.Status) { a.subs.Notify() })
	}
	return a
}

// peersInfo is the peers' state for the UI.
func (a *syncAdapter) peersInfo() ui.PeersInfo {
	if a.peers == nil {
		return ui.PeersInfo{}
	}
	st := a.peers.Status()
	info := ui.PeersInfo{Enabled: true, Serving: st.Serving, Addr: st.Addr, ServeError: st.ServeError,
		Seen: st.Seen(time.Now()), LastExchange: st.LastExchange}
	for _, p := range st.Peers {
		info.List = append(info.List, ui.PeerLine{Addr: p.Addr, Name: p.Name, Discovered: p.Source == localdb.PeerMDNS,
			LastExchange: p.LastExchange, Received: p.Received, Error: p.LastError})
	}
	return info
}

// AddPeer records an address an admin typed; the next round tries it.
func (a *syncAdapter) AddPeer(ctx context.Context, addr string) error {
	if _, err := a.store.AddPeer(ctx, addr, localdb.PeerManual); err != nil {
		return err
	}
	a.peers.Refresh(ctx)
	return nil
}

// RemovePeer forgets an address.
func (a *syncAdapter) RemovePeer(ctx context.Context, addr string) error {
	if _, err := a.store.RemovePeer(ctx, addr); err != nil {
		return err
	}
	a.peers.Refresh(ctx)
	return nil
}

func (a *syncAdapter) Info() ui.SyncInfo {
	st := a.engine.Status()
	info := ui.SyncInfo{Enrolled: st.Enrolled, Online: st.Online, Paused: st.PausedForAuth, Syncing: st.Syncing,
		Waiting: st.EventsWaiting, FilesWaiting: st.FilesWaiting, Quarantined: st.Quarantined, Refused: st.Refused,
		LastSuccess: st.LastSuccess, LastError: st.LastError, Skew: st.ClockSkew, Server: st.ServerURL,
		PlainHTTP: appsync.PlainHTTPRemote(st.ServerURL), Peers: a.peersInfo(),
		LeftEvents: st.LeftEvents, LeftFiles: st.LeftFiles, LeftBytes: st.LeftBytes, LeftTime: st.LeftTime}
	for _, w := range []string{st.SkewWarning, st.Warning} {
		if w != "" && info.LastError == "" {
			info.LastError = w
		}
	}
	return info
}

func (a *syncAdapter) OnChange(f func()) (cancel func()) { return a.subs.Add(f) }

func (a *syncAdapter) SyncNow() { a.engine.SyncNow() }

// OnPulled tells the screens which dossiers a pull from the city touched.
func (a *syncAdapter) OnPulled(f func(dossiers []string, others bool)) {
	a.engine.OnPulled(func(p appsync.Pulled) { f(p.Dossiers, p.Others) })
}

func (a *syncAdapter) Enroll(ctx context.Context, serverURL, code, deviceName string, allowPlainHTTP bool) error {
	if _, err := appsync.Enroll(ctx, a.store, serverURL, code, deviceName, appsync.AllowPlainHTTP(allowPlainHTTP)); err != nil {
		return clerkError("sync.enroll", err)
	}
	a.engine.SyncNow()
	return nil
}

// FetchFile brings a scan another counter attached from the city (the dossier detail's
// «Tải về»).
func (a *syncAdapter) FetchFile(ctx context.Context, f domain.FileRef, progress func(done, total int64)) error {
	return clerkError("sync.download", a.engine.FetchFile(ctx, f, progress))
}

// clerkError gives the screens a sync failure as the one kind of error they show as it is:
// a ui.StaffError with the sync package's message, already worded for the clerk (never a
// transport's words), still wrapping the cause for errors.Is and the log. Other errors go
// to the screens' own error boundary unchanged. code names the operation in the log.
func clerkError(code string, err error) error {
	var se *appsync.Error
	if !errors.As(err, &se) {
		return err
	}
	return &ui.StaffError{Msg: appsync.Message(se), Err: fmt.Errorf("%s: %w", code, err)}
}
