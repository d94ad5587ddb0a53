package main

import (
	"context"
	"errors"

	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/ui"
)

// The screens see the store through ui's interfaces; the real store must keep fitting them.
var (
	_ ui.Store   = (*localdb.Store)(nil)
	_ ui.Backups = localdb.BackupDesk{}
	_ ui.Syncer  = (*syncAdapter)(nil)
)

// syncAdapter shows the sync engine to the UI through ui.Syncer.
type syncAdapter struct {
	engine *appsync.Engine
	store  *localdb.Store
	subs   ui.Listeners
}

func newSyncAdapter(e *appsync.Engine, s *localdb.Store) *syncAdapter {
	a := &syncAdapter{engine: e, store: s}
	e.Subscribe(func(appsync.Status) { a.subs.Notify() })
	return a
}

func (a *syncAdapter) Info() ui.SyncInfo {
	st := a.engine.Status()
	info := ui.SyncInfo{Enrolled: st.Enrolled, Online: st.Online, Paused: st.PausedForAuth, Syncing: st.Syncing,
		Waiting: st.EventsWaiting, FilesWaiting: st.FilesWaiting, Quarantined: st.Quarantined, Refused: st.Refused,
		LastSuccess: st.LastSuccess, LastError: st.LastError, Skew: st.ClockSkew, Server: st.ServerURL,
		PlainHTTP: appsync.PlainHTTPRemote(st.ServerURL)}
	for _, w := range []string{st.SkewWarning, st.Warning} {
		if w != "" && info.LastError == "" {
			info.LastError = w
		}
	}
	return info
}

func (a *syncAdapter) OnChange(f func()) (cancel func()) { return a.subs.Add(f) }

func (a *syncAdapter) SyncNow() { a.engine.SyncNow() }

func (a *syncAdapter) Enroll(ctx context.Context, serverURL, code, deviceName string, allowPlainHTTP bool) error {
	if _, err := appsync.Enroll(ctx, a.store, serverURL, code, deviceName, appsync.AllowPlainHTTP(allowPlainHTTP)); err != nil {
		return staffError(err)
	}
	a.engine.SyncNow()
	return nil
}

// staffError gives the UI the sync engine's plain message of a classified error (the
// cause stays in the chain for the log); other errors go as they are.
func staffError(err error) error {
	var se *appsync.Error
	if errors.As(err, &se) && se.Msg != "" {
		return &ui.StaffError{Msg: se.Msg, Err: err}
	}
	return err
}
